/* Our JWTs. (1) verify(input) is never OK: a fuzzer has no key (and
 * whatever the status, it is one of the enum). (2) A token issued for a
 * subject and email taken from the input verifies OK with the same
 * claims; with any character of its signature changed it does not; a
 * ring without its key finds no key. */
#include "fuzz.h"
#include "tasks/core/token.h"

static const unsigned char secret[32] = "fuzz-token-secret-0123456789abcd";
static const unsigned char other[32] = "fuzz-token-other-secret-01234567";
#define NOW apr_time_from_sec(1764900000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    tasks_token_cfg cfg;
    tasks_claims claims;
    tasks_token_status st;
    const char *text = fuzz_cstr(p, data, size), *tok, *sub, *email;
    size_t split = size / 2;

    memset(&cfg, 0, sizeof(cfg));
    CHECK(tasks_keyring_add(p, &cfg.keys, secret, sizeof(secret), "k1", NULL) == NULL, "key");
    cfg.issuer = size % 3 == 0 ? "https://tasks.example" : NULL;
    cfg.audience = size % 5 == 0 ? "tasks" : NULL;
    cfg.lifetime = 3600;
    cfg.leeway = 60;

    st = tasks_token_verify(p, &cfg, text, NOW, &claims);
    CHECK(st != TASKS_TOKEN_OK, "forged token verified: %s", text);
    CHECK(st <= TASKS_TOKEN_UNKNOWN_KEY && tasks_token_status_text(st) != NULL, "status %d", st);

    sub = apr_pstrmemdup(p, (const char *)data, split);
    email = apr_pstrmemdup(p, (const char *)data + split, size - split);
    /* The email doubles as the session id: any string round-trips. */
    tok = tasks_token_issue(p, &cfg, sub, *email ? email : NULL,
                            *email ? email : NULL, NOW, NULL);
    if (tok == NULL || *sub == '\0') {
        apr_pool_destroy(p);
        return 0;
    }
    st = tasks_token_verify(p, &cfg, tok, NOW, &claims);
    CHECK(st == TASKS_TOKEN_OK, "issued token refused (%s): %s", tasks_token_status_text(st), tok);
    CHECK(strcmp(claims.sub, sub) == 0 && str_eq(claims.email, *email ? email : NULL)
          && str_eq(claims.sid, *email ? email : NULL)
          && claims.exp == claims.iat + 3600, "claims of %s", tok);
    {
        char *t = apr_pstrdup(p, tok);
        size_t sig = (size_t)(strrchr(t, '.') - t) + 1, n = strlen(t) - sig;
        size_t at = sig + size % n;
        t[at] = t[at] == 'A' ? 'B' : 'A';
        CHECK(tasks_token_verify(p, &cfg, t, NOW, &claims) != TASKS_TOKEN_OK,
              "signature changed at %zu, still OK: %s", at, t);
    }
    {
        tasks_token_cfg cfg2 = cfg;
        memset(&cfg2.keys, 0, sizeof(cfg2.keys));
        CHECK(tasks_keyring_add(p, &cfg2.keys, other, sizeof(other), "k2", NULL) == NULL, "key");
        CHECK(tasks_token_verify(p, &cfg2, tok, NOW, &claims) == TASKS_TOKEN_UNKNOWN_KEY,
              "kid k1 found in a ring of k2");
    }
    apr_pool_destroy(p);
    return 0;
}
