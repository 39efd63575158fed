/* Page cursors (and changes feed tokens, signed alike). (1) Arbitrary
 * text decodes only if its MAC holds: for a
 * fuzzer (no key) that means only what tasks_cursor_encode itself would
 * write for the decoded fields. (2) Fields taken from the input encode;
 * with a canonical task id (the only ids decode accepts) they decode to the same fields for the same user and query, and not
 * for another user or query; any one character changed, it never
 * decodes. */
#include "fuzz.h"
#include "tasks/core/list_query.h"
#include "tasks/core/validate.h"
#include "tasks/core/route.h"

static const unsigned char secret[32] = "fuzz-cursor-secret-0123456789abc";
static const unsigned char old_secret[32] = "fuzz-cursor-older-secret-0123456";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    tasks_keyring ring;
    tasks_list_query q, q_other;
    tasks_cursor c, in;
    const char *text = fuzz_cstr(p, data, size), *enc;
    const char *half, *rest;
    size_t split = size / 2;

    memset(&ring, 0, sizeof(ring));
    CHECK(tasks_keyring_add(p, &ring, secret, sizeof(secret), "k1", NULL) == NULL, "key");
    CHECK(tasks_keyring_add(p, &ring, old_secret, sizeof(old_secret), NULL, NULL) == NULL, "key");
    CHECK(tasks_list_query_parse(p, "sort=title&order=asc", &q) == NULL, "query");
    CHECK(tasks_list_query_parse(p, "sort=title", &q_other) == NULL, "query");

    /* (1), and the same for a changes feed token */
    if (tasks_cursor_decode(p, &ring, "user-1", &q, text, &c) == 0) {
        enc = tasks_cursor_encode(p, &ring, "user-1", &q, &c);
        CHECK(enc != NULL && strcmp(enc, text) == 0, "forged cursor decoded: %s", text);
    }
    {
        long long seq, at;

        if (tasks_changes_token_decode(p, &ring, "user-1", text, &seq, &at) == 0) {
            enc = tasks_changes_token_encode(p, &ring, "user-1", seq, at);
            CHECK(enc != NULL && strcmp(enc, text) == 0, "forged token decoded: %s", text);
        }
    }

    /* (2) the value and the id from the two halves of the input */
    half = apr_pstrmemdup(p, (const char *)data, split);
    rest = apr_pstrmemdup(p, (const char *)data + split, size - split);
    in.value = size % 2 ? NULL : half;
    in.id = rest;
    enc = tasks_cursor_encode(p, &ring, "user-1", &q, &in);
    if (enc == NULL) {  /* only for text JSON cannot carry, or a cursor
                           longer than decode accepts (never for fields
                           of up to 200 bytes: JSON escapes them to at
                           most 6 bytes each) */
        CHECK(tasks_utf8_length(half, strlen(half)) < 0
              || tasks_utf8_length(rest, strlen(rest)) < 0
              || strlen(half) + strlen(rest) > 200, "encode refused %zu bytes of UTF-8",
              strlen(half) + strlen(rest));
        apr_pool_destroy(p);
        return 0;
    }
    if (!tasks_route_id_valid(in.id, strlen(in.id))) {  /* store ids only */
        CHECK(tasks_cursor_decode(p, &ring, "user-1", &q, enc, &c) != 0,
              "cursor with id %s decoded", in.id);
        apr_pool_destroy(p);
        return 0;
    }
    CHECK(tasks_cursor_decode(p, &ring, "user-1", &q, enc, &c) == 0, "%s", enc);
    CHECK(str_eq(c.value, in.value) && str_eq(c.id, in.id), "round trip of %s", enc);
    CHECK(tasks_cursor_decode(p, &ring, "user-2", &q, enc, &c) != 0, "other user");
    CHECK(tasks_cursor_decode(p, &ring, "user-1", &q_other, enc, &c) != 0, "other query");
    {
        char *t = apr_pstrdup(p, enc);
        size_t at = size % strlen(t);
        t[at] = t[at] == 'A' ? 'B' : 'A';
        CHECK(tasks_cursor_decode(p, &ring, "user-1", &q, t, &c) != 0,
              "changed at %zu: %s", at, t);
    }
    apr_pool_destroy(p);
    return 0;
}
