/* base64url: decode(encode(x)) == x; text that decodes re-encodes to
 * itself (the decoder refuses padding, other alphabets and impossible
 * trailing bits, so there is one text per byte string). */
#include "fuzz.h"
#include "tasks/core/b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    unsigned char *out = NULL;
    apr_size_t out_len = 0;
    const char *enc = tasks_b64url_encode(p, data, size);

    CHECK(enc != NULL && strlen(enc) == (size * 4 + 2) / 3, "encoded length %zu", size);
    CHECK(tasks_b64url_decode(p, enc, strlen(enc), &out, &out_len) == 0, "%s", enc);
    CHECK(out_len == size && (size == 0 || memcmp(out, data, size) == 0), "round trip");
    CHECK(out[out_len] == '\0', "NUL after the data");

    if (tasks_b64url_decode(p, (const char *)data, size, &out, &out_len) == 0) {
        const char *again = tasks_b64url_encode(p, out, out_len);
        CHECK(strlen(again) == size && memcmp(again, data, size) == 0,
              "non-canonical text accepted: %.*s", (int)size, (const char *)data);
    }
    apr_pool_destroy(p);
    return 0;
}
