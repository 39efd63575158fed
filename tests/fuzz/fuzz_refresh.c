/* refresh cookie values: text that hashes is exactly the base64url text
 * of the 32 bytes it decodes to (one spelling per value, so a value can
 * not be presented twice under two spellings), and hashes as that text;
 * the first 32 bytes of the input, made a value, hash, and differently
 * from the value with any one character changed. */
#include "fuzz.h"
#include "tasks/core/b64url.h"
#include "tasks/core/refresh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *text = apr_pstrmemdup(p, (const char *)data, size);
    const char *h = strlen(text) == size ? tasks_refresh_hash(p, text) : NULL;

    if (h) {
        unsigned char *raw;
        apr_size_t raw_len;

        CHECK(size == TASKS_REFRESH_CHARS, "%zu characters hashed", size);
        CHECK(tasks_b64url_decode(p, text, size, &raw, &raw_len) == 0
              && raw_len == TASKS_REFRESH_BYTES, "%s does not decode", text);
        CHECK(!strcmp(tasks_refresh_text(p, raw, raw_len), text),
              "%s is not the spelling of its bytes", text);
        CHECK(strlen(h) == 64, "hash %s", h);
    }
    if (size >= TASKS_REFRESH_BYTES) {
        const char *value = tasks_refresh_text(p, data, TASKS_REFRESH_BYTES), *hv;
        char *changed;

        CHECK(value && strlen(value) == TASKS_REFRESH_CHARS, "value %s",
              value ? value : "(null)");
        hv = tasks_refresh_hash(p, value);
        CHECK(hv != NULL, "a made value does not hash: %s", value);
        changed = apr_pstrdup(p, value);
        changed[size % TASKS_REFRESH_CHARS] ^= 1;
        if (tasks_refresh_hash(p, changed))
            CHECK(strcmp(tasks_refresh_hash(p, changed), hv) != 0,
                  "%s and %s hash alike", changed, value);
    }
    apr_pool_destroy(p);
    return 0;
}
