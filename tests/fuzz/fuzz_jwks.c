/* External issuers. (1) Any bytes as a JWKS document: parsing never
 * crashes; a set it returns has 0 <= count, count + skipped no more than
 * the objects the text can hold, and equals itself. (2) Any bytes as a
 * foreign token against a fixed set (one Ed25519 key, made at start) never
 * verify, and peeking at its issuer never crashes. (3) A token signed here
 * with that key for a subject from the input verifies OK with that
 * subject; with a character of its signature changed it does not. */
#include "fuzz.h"
#include <openssl/evp.h>
#include "tasks/core/b64url.h"
#include "tasks/core/jwks.h"
#include <jansson.h>

#define NOW apr_time_from_sec(1764900000)

static EVP_PKEY *key;
static tasks_jwks *set;

static void setup(apr_pool_t *p)
{
    unsigned char pub[32];
    size_t n = sizeof(pub);
    const char *doc;
    char err[128];

    key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    CHECK(key != NULL && EVP_PKEY_get_raw_public_key(key, pub, &n) == 1, "keygen");
    doc = apr_pstrcat(p, "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed1\","
                      "\"use\":\"sig\",\"alg\":\"EdDSA\",\"x\":\"",
                      tasks_b64url_encode(p, pub, n), "\"}]}", NULL);
    set = tasks_jwks_parse(doc, strlen(doc), NULL, err, sizeof(err));
    CHECK(set != NULL && tasks_jwks_count(set) == 1, "fixed set: %s", err);
}

static const char *b64s(apr_pool_t *p, const char *s)
{
    return tasks_b64url_encode(p, (const unsigned char *)s, strlen(s));
}

static const char *sign(apr_pool_t *p, const char *payload)
{
    const char *input = apr_pstrcat(p, b64s(p, "{\"alg\":\"EdDSA\",\"kid\":\"ed1\"}"),
                                    ".", b64s(p, payload), NULL);
    unsigned char sig[64];
    size_t n = sizeof(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    CHECK(ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
          && EVP_DigestSign(ctx, sig, &n, (const unsigned char *)input, strlen(input)) == 1,
          "sign");
    EVP_MD_CTX_free(ctx);
    return apr_pstrcat(p, input, ".", tasks_b64url_encode(p, sig, n), NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *text = fuzz_cstr(p, data, size);
    tasks_token_cfg cfg;
    tasks_claims claims;
    tasks_jwks *ks;
    int skipped = 0;
    char err[128];

    if (key == NULL)
        setup(fuzz_root);

    /* (1) */
    ks = tasks_jwks_parse((const char *)data, size, &skipped, err, sizeof(err));
    if (ks != NULL) {
        int n = tasks_jwks_count(ks);
        CHECK(n >= 0 && skipped >= 0 && (size_t)(n + skipped) <= size / 2,
              "count %d skipped %d for %zu bytes", n, skipped, size);
        CHECK(tasks_jwks_equal(ks, ks), "a set differs from itself");
        tasks_jwks_free(ks);
    }
    else
        CHECK(err[0] != '\0', "refused without a reason");

    /* (2) */
    memset(&cfg, 0, sizeof(cfg));
    cfg.issuer = "https://idp.example";
    cfg.leeway = 60;
    CHECK(tasks_jwks_verify(p, set, TASKS_ALG_ALL, &cfg, text, NOW, &claims)
          != TASKS_TOKEN_OK, "forged foreign token verified: %s", text);
    (void)tasks_jws_peek_issuer(p, text);

    /* (3) a subject JSON can carry: the input as a JSON string */
    {
        char *sub_json = NULL;
        json_t *s = json_stringn(text, strlen(text));
        if (s != NULL && *text != '\0') {
            const char *tok, *payload;
            sub_json = json_dumps(s, JSON_ENCODE_ANY);
            payload = apr_pstrcat(p, "{\"iss\":\"https://idp.example\",\"sub\":", sub_json,
                                  ",\"iat\":1764900000,\"exp\":1764903600}", NULL);
            tok = sign(p, payload);
            /* A subject of control characters escapes to 6 bytes each, and
             * base64url adds a third: past TASKS_TOKEN_MAX_LEN the signed
             * token is refused for its length, whoever signed it. */
            if (strlen(tok) <= TASKS_TOKEN_MAX_LEN)
                CHECK(tasks_jwks_verify(p, set, TASKS_ALG_EDDSA, &cfg, tok, NOW, &claims)
                      == TASKS_TOKEN_OK && strcmp(claims.sub, text) == 0, "signed %s", tok);
            else
                CHECK(tasks_jwks_verify(p, set, TASKS_ALG_EDDSA, &cfg, tok, NOW, &claims)
                      != TASKS_TOKEN_OK, "a token of %zu bytes verified", strlen(tok));
            CHECK(tasks_jwks_verify(p, set, TASKS_ALG_ES256, &cfg, tok, NOW, &claims)
                  != TASKS_TOKEN_OK, "EdDSA accepted where only ES256 is allowed");
            {
                char *t = apr_pstrdup(p, tok);
                size_t sig = (size_t)(strrchr(t, '.') - t) + 1;
                size_t at = sig + size % (strlen(t) - sig);
                t[at] = t[at] == 'A' ? 'B' : 'A';
                CHECK(tasks_jwks_verify(p, set, TASKS_ALG_ALL, &cfg, t, NOW, &claims)
                      != TASKS_TOKEN_OK, "changed signature verified: %s", t);
            }
            free(sub_json);
        }
        json_decref(s);
    }
    apr_pool_destroy(p);
    return 0;
}
