/* test_token.c - HS256 tokens: issue/verify round trips, and rejection of
 * every kind of bad token. Most bad tokens are built by hand here (JSON
 * text, base64url, HMAC computed in the test) so the verifier is checked
 * against tokens libjwt would never produce. */
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "suites.h"
#include "tasks/core/b64url.h"
#include "tasks/core/token.h"

#define NOW_S ((apr_int64_t)1700000000)
#define I64 "%" APR_INT64_T_FMT  /* apr_psprintf has no %lld */
#define NOW apr_time_from_sec(NOW_S)
#define LATER (NOW_S + 600)   /* a valid exp */
#define LEEWAY 60

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[] = "fedcba9876543210fedcba9876543210";
#define KEY_LEN 32

static const char hs256_hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* A ring of the raw key k alone (kid derived, not prepared). */
static tasks_keyring raw_ring(const unsigned char *k)
{
    tasks_keyring r;

    memset(&r, 0, sizeof(r));
    r.keys[0].secret = k;
    r.keys[0].len = KEY_LEN;
    r.n = 1;
    return r;
}

/* The configuration most tests use: no iss/aud, 60 s leeway. */
static tasks_token_cfg plain_cfg(void)
{
    tasks_token_cfg cfg = {raw_ring(key), NULL, NULL, 3600, LEEWAY};
    return cfg;
}

/* base64url of a C string, in test_pool. */
static const char *b64(const char *s)
{
    return tasks_b64url_encode(test_pool, (const unsigned char *)s, strlen(s));
}

/* Builds <b64 hdr>.<b64 payload>.<b64 HMAC-md(key)> from JSON texts. */
static const char *sign_with(const EVP_MD *md, const unsigned char *k,
                             const char *hdr, const char *payload)
{
    const char *input = apr_pstrcat(test_pool, b64(hdr), ".", b64(payload), NULL);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    ck_assert_ptr_nonnull(HMAC(md, k, KEY_LEN, (const unsigned char *)input,
                               strlen(input), mac, &n));
    return apr_pstrcat(test_pool, input, ".",
                       tasks_b64url_encode(test_pool, mac, n), NULL);
}

/* A correctly signed HS256 token carrying payload. */
static const char *make(const char *payload)
{
    return sign_with(EVP_sha256(), key, hs256_hdr, payload);
}

/* Verifies tok against cfg at NOW. */
static tasks_token_status check_with(const tasks_token_cfg *cfg, const char *tok)
{
    tasks_claims c;

    return tasks_token_verify(test_pool, cfg, tok, NOW, &c);
}

/* Verifies tok against plain_cfg() at NOW. */
static tasks_token_status check(const char *tok)
{
    tasks_token_cfg cfg = plain_cfg();

    return check_with(&cfg, tok);
}

/* A payload with a valid sub and exp plus extra members (extra may be ""). */
static const char *claims_with(const char *extra)
{
    return apr_psprintf(test_pool, "{\"sub\":\"u1\",\"exp\":" I64 "%s%s}",
                        LATER, *extra ? "," : "", extra);
}

START_TEST(issue_then_verify_round_trips)
{
    tasks_token_cfg cfg = {raw_ring(key), "https://tasks.example", "tasks-api", 900, LEEWAY};
    tasks_claims issued, got;
    const char *tok;
    apr_size_t i;

    tok = tasks_token_issue(test_pool, &cfg, "user-42", "a@example.com",
                            "0c6b2b4e-8a55-4c1f-9d0e-5f2a7b3c9d11", NOW, &issued);
    ck_assert_ptr_nonnull(tok);
    ck_assert_str_eq(issued.sub, "user-42");
    ck_assert_str_eq(issued.email, "a@example.com");
    ck_assert_str_eq(issued.sid, "0c6b2b4e-8a55-4c1f-9d0e-5f2a7b3c9d11");
    ck_assert_int_eq(issued.iat, NOW_S);
    ck_assert_int_eq(issued.exp, NOW_S + 900);
    ck_assert_uint_eq(strlen(issued.jti), 32);
    for (i = 0; i < 32; i++)
        ck_assert(strchr("0123456789abcdef", issued.jti[i]) != NULL);

    memset(&got, 0, sizeof(got));
    ck_assert_int_eq(tasks_token_verify(test_pool, &cfg, tok, NOW, &got), TASKS_TOKEN_OK);
    ck_assert_str_eq(got.sub, "user-42");
    ck_assert_str_eq(got.email, "a@example.com");
    ck_assert_str_eq(got.jti, issued.jti);
    ck_assert_str_eq(got.sid, "0c6b2b4e-8a55-4c1f-9d0e-5f2a7b3c9d11");
    ck_assert_int_eq(got.iat, NOW_S);
    ck_assert_int_eq(got.exp, NOW_S + 900);

    /* Still valid just before exp, expired once exp + leeway is reached. */
    ck_assert_int_eq(tasks_token_verify(test_pool, &cfg, tok,
                                        apr_time_from_sec(NOW_S + 899), &got),
                     TASKS_TOKEN_OK);
    ck_assert_int_eq(tasks_token_verify(test_pool, &cfg, tok,
                                        apr_time_from_sec(NOW_S + 900 + LEEWAY), &got),
                     TASKS_TOKEN_EXPIRED);
}
END_TEST

START_TEST(issue_without_email_or_iss_aud)
{
    tasks_token_cfg cfg = plain_cfg();
    tasks_claims got;
    const char *tok = tasks_token_issue(test_pool, &cfg, "u7", NULL, NULL, NOW, NULL);

    ck_assert_ptr_nonnull(tok);
    ck_assert_int_eq(tasks_token_verify(test_pool, &cfg, tok, NOW, &got), TASKS_TOKEN_OK);
    ck_assert_str_eq(got.sub, "u7");
    ck_assert_ptr_null(got.email);
    ck_assert_ptr_null(got.sid);
    ck_assert_ptr_nonnull(got.jti);
}
END_TEST

START_TEST(issue_gives_fresh_jti_each_time)
{
    tasks_token_cfg cfg = plain_cfg();
    tasks_claims a, b;

    ck_assert_ptr_nonnull(tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, &a));
    ck_assert_ptr_nonnull(tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, &b));
    ck_assert_str_ne(a.jti, b.jti);
}
END_TEST

START_TEST(issue_refuses_bad_input)
{
    tasks_token_cfg cfg = plain_cfg();

    ck_assert_ptr_null(tasks_token_issue(test_pool, &cfg, "", NULL, NULL, NOW, NULL));
    ck_assert_ptr_null(tasks_token_issue(test_pool, &cfg, NULL, NULL, NULL, NOW, NULL));
    cfg.keys.keys[0].len = TASKS_SECRET_MIN_LEN - 1;
    ck_assert_ptr_null(tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, NULL));
    cfg.keys.keys[0].secret = NULL;
    cfg.keys.keys[0].len = KEY_LEN;
    ck_assert_ptr_null(tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, NULL));
    cfg = plain_cfg();
    cfg.keys.n = 0;
    ck_assert_ptr_null(tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, NULL));
}
END_TEST

START_TEST(accepts_hand_made_token)
{
    tasks_token_cfg cfg = plain_cfg();
    tasks_claims got;
    const char *tok = make(claims_with("\"email\":\"x@y\",\"iat\":1700000000,"
                                       "\"nbf\":1700000000,\"jti\":\"j1\""));

    ck_assert_int_eq(tasks_token_verify(test_pool, &cfg, tok, NOW, &got), TASKS_TOKEN_OK);
    ck_assert_str_eq(got.sub, "u1");
    ck_assert_str_eq(got.email, "x@y");
    ck_assert_str_eq(got.jti, "j1");
    ck_assert_int_eq(got.iat, NOW_S);
    ck_assert_int_eq(got.exp, LATER);
    /* typ is optional. */
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":\"HS256\"}",
                                     claims_with(""))), TASKS_TOKEN_OK);
}
END_TEST

START_TEST(rejects_alg_none)
{
    const char *unsigned_tok = apr_pstrcat(test_pool, b64("{\"alg\":\"none\"}"), ".",
                                           b64(claims_with("")), ".", NULL);
    const char *junk_sig = apr_pstrcat(test_pool, unsigned_tok, "c2ln", NULL);

    /* The classic form has an empty signature: not even three parts. */
    ck_assert_int_eq(check(unsigned_tok), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(junk_sig), TASKS_TOKEN_BAD_ALG);
    /* Even "signed" with HS256 under the right key, alg none is refused. */
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":\"none\"}",
                                     claims_with(""))), TASKS_TOKEN_BAD_ALG);
}
END_TEST

START_TEST(rejects_alg_in_other_case)
{
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":\"hs256\"}",
                                     claims_with(""))), TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":\"Hs256\"}",
                                     claims_with(""))), TASKS_TOKEN_BAD_ALG);
}
END_TEST

START_TEST(rejects_other_hmac_algs)
{
    ck_assert_int_eq(check(sign_with(EVP_sha384(), key, "{\"alg\":\"HS384\"}",
                                     claims_with(""))), TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha512(), key, "{\"alg\":\"HS512\"}",
                                     claims_with(""))), TASKS_TOKEN_BAD_ALG);
}
END_TEST

START_TEST(rejects_bad_header_members)
{
    const char *p = claims_with("");

    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{}", p)), TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":256}", p)),
                     TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "{\"alg\":\"HS256 \"}", p)),
                     TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key,
                                     "{\"alg\":\"HS256\",\"typ\":\"JWE\"}", p)),
                     TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key,
                                     "{\"alg\":\"HS256\",\"typ\":1}", p)),
                     TASKS_TOKEN_BAD_ALG);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key,
                                     "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", p)),
                     TASKS_TOKEN_BAD_ALG);
}
END_TEST

START_TEST(rejects_other_key)
{
    ck_assert_int_eq(check(sign_with(EVP_sha256(), other_key, hs256_hdr,
                                     claims_with(""))), TASKS_TOKEN_BAD_SIGNATURE);
}
END_TEST

START_TEST(rejects_tampering)
{
    tasks_token_cfg cfg = plain_cfg();
    const char *tok = tasks_token_issue(test_pool, &cfg, "alice", NULL, NULL, NOW, NULL);
    const char *dot1, *dot2, *forged, *prefix;
    unsigned char *sig, longer[33];
    apr_size_t sig_len;
    char *flipped;

    ck_assert_ptr_nonnull(tok);
    dot1 = strchr(tok, '.');
    dot2 = strchr(dot1 + 1, '.');
    /* Same header and signature, payload swapped for another user's. */
    forged = apr_pstrcat(test_pool, apr_pstrmemdup(test_pool, tok, (apr_size_t)(dot1 - tok)),
                         ".", b64(claims_with("")), dot2, NULL);
    ck_assert_int_eq(check_with(&cfg, forged), TASKS_TOKEN_BAD_SIGNATURE);

    /* One signature character changed (the first: its bits are all used). */
    flipped = apr_pstrdup(test_pool, tok);
    flipped[dot2 - tok + 1] = flipped[dot2 - tok + 1] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(check_with(&cfg, flipped), TASKS_TOKEN_BAD_SIGNATURE);

    /* Signature one byte short, or one byte too long (re-encoded so the
     * base64url itself stays valid). */
    ck_assert_int_eq(tasks_b64url_decode(test_pool, dot2 + 1, strlen(dot2 + 1),
                                         &sig, &sig_len), 0);
    ck_assert_uint_eq(sig_len, 32);
    memcpy(longer, sig, 32);
    longer[32] = 0;
    prefix = apr_pstrmemdup(test_pool, tok, (apr_size_t)(dot2 - tok) + 1);
    ck_assert_int_eq(check_with(&cfg, apr_pstrcat(test_pool, prefix,
                                                  tasks_b64url_encode(test_pool, sig, 31),
                                                  NULL)),
                     TASKS_TOKEN_BAD_SIGNATURE);
    ck_assert_int_eq(check_with(&cfg, apr_pstrcat(test_pool, prefix,
                                                  tasks_b64url_encode(test_pool, longer, 33),
                                                  NULL)),
                     TASKS_TOKEN_BAD_SIGNATURE);
    /* The untouched token is fine. */
    ck_assert_int_eq(check_with(&cfg, tok), TASKS_TOKEN_OK);
}
END_TEST

/* A prepared key verifies exactly what the plain key does: the same
 * tokens pass, another key's and tampered ones fail, and a prepared key
 * of another secret refuses our tokens. */
START_TEST(prepared_key_verifies_like_the_plain_key)
{
    tasks_token_cfg plain = plain_cfg(), prep = plain_cfg(), wrong = plain_cfg();
    const char *good = make(claims_with("\"jti\":\"j1\""));
    const char *other = sign_with(EVP_sha256(), other_key, hs256_hdr, claims_with(""));
    char *tampered = apr_pstrdup(test_pool, good);
    tasks_claims got;
    int i;

    prep.keys.keys[0].prepared = tasks_hmac_key_make(test_pool, key, KEY_LEN);
    wrong.keys.keys[0].prepared = tasks_hmac_key_make(test_pool, other_key, KEY_LEN);
    ck_assert_ptr_nonnull(prep.keys.keys[0].prepared);
    ck_assert_ptr_nonnull(wrong.keys.keys[0].prepared);
    tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
    /* Many times: the prepared context is copied, never consumed. */
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(tasks_token_verify(test_pool, &prep, good, NOW, &got), TASKS_TOKEN_OK);
        ck_assert_str_eq(got.jti, "j1");
        ck_assert_int_eq(tasks_token_verify(test_pool, &prep, other, NOW, &got),
                         TASKS_TOKEN_BAD_SIGNATURE);
        ck_assert_int_eq(tasks_token_verify(test_pool, &prep, tampered, NOW, &got),
                         TASKS_TOKEN_BAD_SIGNATURE);
        ck_assert_int_eq(tasks_token_verify(test_pool, &plain, tampered, NOW, &got),
                         TASKS_TOKEN_BAD_SIGNATURE);
        ck_assert_int_eq(tasks_token_verify(test_pool, &wrong, good, NOW, &got),
                         TASKS_TOKEN_BAD_SIGNATURE);
    }
    /* Tokens the module issues verify with the prepared key too. */
    ck_assert_int_eq(tasks_token_verify(test_pool, &prep,
                                        tasks_token_issue(test_pool, &plain, "alice",
                                                          NULL, NULL, NOW, NULL),
                                        NOW, &got), TASKS_TOKEN_OK);
}
END_TEST

START_TEST(fails_closed_without_key)
{
    tasks_token_cfg cfg = plain_cfg();
    const char *tok = make(claims_with(""));

    cfg.keys.keys[0].secret = NULL;
    ck_assert_int_eq(check_with(&cfg, tok), TASKS_TOKEN_BAD_SIGNATURE);
    cfg.keys.keys[0].secret = key;
    cfg.keys.keys[0].len = 0;
    ck_assert_int_eq(check_with(&cfg, tok), TASKS_TOKEN_BAD_SIGNATURE);
    cfg = plain_cfg();
    cfg.keys.n = 0;
    ck_assert_int_eq(check_with(&cfg, tok), TASKS_TOKEN_BAD_SIGNATURE);
    /* A token of ours (with a kid) too. */
    tok = tasks_token_issue(test_pool, (tasks_token_cfg[]){ plain_cfg() }, "u",
                            NULL, NULL, NOW, NULL);
    ck_assert_int_eq(check_with(&cfg, tok), TASKS_TOKEN_BAD_SIGNATURE);
    ck_assert_int_eq(check(NULL), TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(enforces_length_cap)
{
    char pad[TASKS_TOKEN_MAX_LEN];
    const char *tok, *last_ok = NULL, *first_too_long = NULL;
    apr_size_t n;

    /* Correctly signed tokens growing one pad byte at a time: the longest
     * that fits the cap verifies, the first one beyond it does not. */
    memset(pad, 'x', sizeof(pad));
    for (n = 6000; n < sizeof(pad) - 1 && first_too_long == NULL; n++) {
        tok = make(claims_with(apr_psprintf(test_pool, "\"pad\":\"%.*s\"", (int)n, pad)));
        if (strlen(tok) <= TASKS_TOKEN_MAX_LEN)
            last_ok = tok;
        else
            first_too_long = tok;
    }
    ck_assert_ptr_nonnull(last_ok);
    ck_assert_ptr_nonnull(first_too_long);
    ck_assert_int_eq(check(last_ok), TASKS_TOKEN_OK);
    ck_assert_int_eq(check(first_too_long), TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_wrong_part_count)
{
    const char *tok = make(claims_with(""));
    const char *dot2 = strrchr(tok, '.');
    const char *two = apr_pstrmemdup(test_pool, tok, (apr_size_t)(dot2 - tok));

    ck_assert_int_eq(check(two), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(apr_pstrcat(test_pool, tok, ".", b64("x"), NULL)),
                     TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(apr_pstrcat(test_pool, tok, ".", NULL)), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(apr_pstrcat(test_pool, ".", tok, NULL)), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(""), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(".."), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check("abc"), TASKS_TOKEN_MALFORMED);
    /* An empty middle part. */
    ck_assert_int_eq(check(apr_pstrcat(test_pool, b64(hs256_hdr), "..", "c2ln", NULL)),
                     TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_bad_base64)
{
    const char *tok = make(claims_with(""));
    char *t;

    /* Padding, the standard alphabet and whitespace are all refused. */
    ck_assert_int_eq(check(apr_pstrcat(test_pool, tok, "=", NULL)), TASKS_TOKEN_MALFORMED);
    t = apr_pstrdup(test_pool, tok);
    t[3] = '+';
    ck_assert_int_eq(check(t), TASKS_TOKEN_MALFORMED);
    t = apr_pstrdup(test_pool, tok);
    t[strchr(t, '.') - t + 2] = '/';
    ck_assert_int_eq(check(t), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(apr_pstrcat(test_pool, " ", tok, NULL)), TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_header_not_json_object)
{
    const char *p = claims_with("");

    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "not json", p)),
                     TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key, "[\"HS256\"]", p)),
                     TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key,
                                     "{\"alg\":\"HS256\"} trailing", p)),
                     TASKS_TOKEN_MALFORMED);
    /* A duplicate alg could mean HS256 to one parser and none to another. */
    ck_assert_int_eq(check(sign_with(EVP_sha256(), key,
                                     "{\"alg\":\"HS256\",\"alg\":\"none\"}", p)),
                     TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_payload_not_json_object)
{
    ck_assert_int_eq(check(make("not json")), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(make("[1,2]")), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(make("\"sub\"")), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(make("42")), TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_duplicate_claims)
{
    ck_assert_int_eq(check(make(claims_with("\"sub\":\"admin\""))), TASKS_TOKEN_MALFORMED);
    ck_assert_int_eq(check(make(claims_with("\"exp\":99999999999"))), TASKS_TOKEN_MALFORMED);
}
END_TEST

START_TEST(rejects_bad_exp)
{
    ck_assert_int_eq(check(make("{\"sub\":\"u1\"}")), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":\"1700000600\"}")),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":1700000600.0}")),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":1.7e9}")), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":true}")), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":null}")), TASKS_TOKEN_BAD_CLAIMS);
}
END_TEST

START_TEST(rejects_bad_sub)
{
    const char *exp = apr_psprintf(test_pool, "\"exp\":" I64, LATER);

    ck_assert_int_eq(check(make(apr_psprintf(test_pool, "{%s}", exp))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(apr_psprintf(test_pool, "{\"sub\":\"\",%s}", exp))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(apr_psprintf(test_pool, "{\"sub\":42,%s}", exp))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(apr_psprintf(test_pool, "{\"sub\":null,%s}", exp))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(apr_psprintf(test_pool, "{\"sub\":[\"u1\"],%s}", exp))),
                     TASKS_TOKEN_BAD_CLAIMS);
}
END_TEST

START_TEST(rejects_wrongly_typed_optional_claims)
{
    ck_assert_int_eq(check(make(claims_with("\"email\":7"))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"email\":null"))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"jti\":\"\""))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"jti\":12"))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"sid\":\"\""))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"sid\":7"))), TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"iat\":\"1700000000\""))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"iat\":1700000000.5"))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check(make(claims_with("\"nbf\":false"))), TASKS_TOKEN_BAD_CLAIMS);
}
END_TEST

/* A payload with sub and only the given exp. */
static const char *exp_at(apr_int64_t exp)
{
    return apr_psprintf(test_pool, "{\"sub\":\"u1\",\"exp\":" I64 "}", exp);
}

/* claims_with() plus one integer claim name = value. */
static const char *claims_int(const char *name, apr_int64_t value)
{
    return claims_with(apr_psprintf(test_pool, "\"%s\":" I64, name, value));
}

START_TEST(expiry_honours_leeway)
{
    /* Expired 30 s ago, within the 60 s leeway: accepted. */
    ck_assert_int_eq(check(make(exp_at(NOW_S - 30))), TASKS_TOKEN_OK);
    ck_assert_int_eq(check(make(exp_at(NOW_S - LEEWAY + 1))), TASKS_TOKEN_OK);
    /* exp + leeway == now is already expired; beyond it too. */
    ck_assert_int_eq(check(make(exp_at(NOW_S - LEEWAY))), TASKS_TOKEN_EXPIRED);
    ck_assert_int_eq(check(make(exp_at(NOW_S - 3600))), TASKS_TOKEN_EXPIRED);
    /* Absurd values neither overflow nor pass. */
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":-9223372036854775808}")),
                     TASKS_TOKEN_EXPIRED);
    ck_assert_int_eq(check(make("{\"sub\":\"u1\",\"exp\":9223372036854775807}")),
                     TASKS_TOKEN_OK);
}
END_TEST

START_TEST(rejects_not_yet_valid)
{
    ck_assert_int_eq(check(make(claims_int("nbf", NOW_S + 3600))), TASKS_TOKEN_NOT_YET_VALID);
    ck_assert_int_eq(check(make(claims_int("nbf", NOW_S + LEEWAY + 1))),
                     TASKS_TOKEN_NOT_YET_VALID);
    ck_assert_int_eq(check(make(claims_int("nbf", NOW_S + LEEWAY))), TASKS_TOKEN_OK);
    ck_assert_int_eq(check(make(claims_int("iat", NOW_S + LEEWAY + 1))),
                     TASKS_TOKEN_NOT_YET_VALID);
    ck_assert_int_eq(check(make(claims_int("iat", NOW_S + 3600))), TASKS_TOKEN_NOT_YET_VALID);
    /* A clock 30 s ahead of ours is within leeway. */
    ck_assert_int_eq(check(make(claims_int("iat", NOW_S + 30))), TASKS_TOKEN_OK);
    ck_assert_int_eq(check(make(claims_with("\"nbf\":9223372036854775807"))),
                     TASKS_TOKEN_NOT_YET_VALID);
}
END_TEST

START_TEST(checks_issuer_when_configured)
{
    tasks_token_cfg cfg = plain_cfg();

    cfg.issuer = "https://tasks.example";
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"iss\":\"https://tasks.example\""))),
                     TASKS_TOKEN_OK);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"iss\":\"https://evil.example\""))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"iss\":\"https://tasks.example/\""))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"iss\":[\"https://tasks.example\"]"))),
                     TASKS_TOKEN_BAD_CLAIMS);
    /* Required when configured. */
    ck_assert_int_eq(check_with(&cfg, make(claims_with(""))), TASKS_TOKEN_BAD_CLAIMS);
}
END_TEST

START_TEST(checks_audience_when_configured)
{
    tasks_token_cfg cfg = plain_cfg();

    cfg.audience = "tasks-api";
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":\"tasks-api\""))),
                     TASKS_TOKEN_OK);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":[\"other\",\"tasks-api\"]"))),
                     TASKS_TOKEN_OK);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":\"other-api\""))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":[\"other\",7]"))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":[]"))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with("\"aud\":{\"tasks-api\":1}"))),
                     TASKS_TOKEN_BAD_CLAIMS);
    ck_assert_int_eq(check_with(&cfg, make(claims_with(""))), TASKS_TOKEN_BAD_CLAIMS);
}
END_TEST

START_TEST(ignores_iss_aud_when_not_configured)
{
    ck_assert_int_eq(check(make(claims_with("\"iss\":\"anyone\",\"aud\":[\"x\",\"y\"]"))),
                     TASKS_TOKEN_OK);
}
END_TEST

START_TEST(issued_token_fails_other_config)
{
    tasks_token_cfg cfg = {raw_ring(key), "iss-a", "aud-a", 900, LEEWAY};
    tasks_token_cfg other = cfg;
    const char *tok = tasks_token_issue(test_pool, &cfg, "u", NULL, NULL, NOW, NULL);

    ck_assert_ptr_nonnull(tok);
    other.issuer = "iss-b";
    ck_assert_int_eq(check_with(&other, tok), TASKS_TOKEN_BAD_CLAIMS);
    other = cfg;
    other.audience = "aud-b";
    ck_assert_int_eq(check_with(&other, tok), TASKS_TOKEN_BAD_CLAIMS);
    /* Another key: its kid is not the token's. */
    other = cfg;
    other.keys = raw_ring(other_key);
    ck_assert_int_eq(check_with(&other, tok), TASKS_TOKEN_UNKNOWN_KEY);
    /* Another key under the token's kid: the signature fails. */
    other.keys.keys[0].kid = tasks_kid_derive(test_pool, key, KEY_LEN);
    ck_assert_int_eq(check_with(&other, tok), TASKS_TOKEN_BAD_SIGNATURE);
}
END_TEST

START_TEST(status_texts_are_fixed)
{
    int st;

    for (st = TASKS_TOKEN_OK; st <= TASKS_TOKEN_BAD_CLAIMS; st++)
        ck_assert_ptr_nonnull(tasks_token_status_text((tasks_token_status)st));
    ck_assert_str_eq(tasks_token_status_text(TASKS_TOKEN_EXPIRED), "token expired");
}
END_TEST

START_TEST(revocation_key_keeps_short_jtis_and_digests_long_ones)
{
    char *at_max = apr_palloc(test_pool, TASKS_REVOCATION_KEY_MAX + 2);
    const char *k1, *k2;

    memset(at_max, 'j', TASKS_REVOCATION_KEY_MAX);
    at_max[TASKS_REVOCATION_KEY_MAX] = '\0';
    ck_assert_str_eq(tasks_revocation_key(test_pool, NULL), "");
    ck_assert_str_eq(tasks_revocation_key(test_pool, "abc"), "abc");
    ck_assert_str_eq(tasks_revocation_key(test_pool, at_max), at_max);
    /* One byte more: a digest, the same every time, another per jti. */
    k1 = tasks_revocation_key(test_pool, apr_pstrcat(test_pool, at_max, "x", NULL));
    k2 = tasks_revocation_key(test_pool, apr_pstrcat(test_pool, at_max, "y", NULL));
    ck_assert_uint_eq(strlen(k1), 50);
    ck_assert_int_eq(strncmp(k1, "sha256:", 7), 0);
    ck_assert_str_eq(k1, tasks_revocation_key(test_pool,
                     apr_pstrcat(test_pool, at_max, "x", NULL)));
    ck_assert_str_ne(k1, k2);
}
END_TEST

/* ---- key rotation: kids, several keys -------------------------------- */

static const unsigned char key_b[] = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
static const unsigned char key_c[] = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

/* The kid of key, derived by hand (printf 'tasks-kid:<key>' | openssl dgst
 * -sha256 -binary | head -c 8 | base64url), not by the code under test. */
#define KID_OF_KEY "M1rlMpOmTuA"

/* A configuration whose ring holds the keys named by letters, in order
 * ("BA": key_b signs, key verifies too), each prepared by
 * tasks_keyring_add as the configuration does. */
static tasks_token_cfg ring_cfg(const char *letters)
{
    tasks_token_cfg cfg = plain_cfg();

    memset(&cfg.keys, 0, sizeof(cfg.keys));
    for (; *letters; letters++)
        ck_assert_ptr_null(tasks_keyring_add(test_pool, &cfg.keys,
            *letters == 'A' ? key : *letters == 'B' ? key_b : key_c,
            KEY_LEN, NULL, NULL));
    return cfg;
}

/* The decoded header of a compact token, as a string. */
static const char *header_of(const char *tok)
{
    unsigned char *h;
    apr_size_t n;

    ck_assert_int_eq(tasks_b64url_decode(test_pool, tok, strcspn(tok, "."),
                                         &h, &n), 0);
    return (const char *)h;
}

/* What a ring accepts of a token signed with key A: issued by the module
 * under [A] (with A's kid), or made without a kid (as builds before key
 * rotation issued them). */
static const struct {
    const char *token;      /* "issued" or "no kid"                     */
    const char *ring;       /* the verifying ring, in order             */
    tasks_token_status want;
} rotation_cases[] = {
    { "issued", "A",   TASKS_TOKEN_OK },
    { "issued", "BA",  TASKS_TOKEN_OK },    /* A listed second         */
    { "issued", "CBA", TASKS_TOKEN_OK },    /* ... or third            */
    { "issued", "AB",  TASKS_TOKEN_OK },
    { "issued", "B",   TASKS_TOKEN_UNKNOWN_KEY },
    { "issued", "BC",  TASKS_TOKEN_UNKNOWN_KEY },
    { "issued", "",    TASKS_TOKEN_BAD_SIGNATURE },
    { "no kid", "A",   TASKS_TOKEN_OK },
    { "no kid", "BA",  TASKS_TOKEN_OK },    /* tried with every key    */
    { "no kid", "CBA", TASKS_TOKEN_OK },
    { "no kid", "B",   TASKS_TOKEN_BAD_SIGNATURE },
    { "no kid", "BC",  TASKS_TOKEN_BAD_SIGNATURE },
    { "no kid", "",    TASKS_TOKEN_BAD_SIGNATURE },
};

START_TEST(rotation_verifies_with_any_listed_key)
{
    tasks_token_cfg a = ring_cfg("A"), cfg = ring_cfg(rotation_cases[_i].ring);
    const char *tok;
    tasks_claims got;

    tok = !strcmp(rotation_cases[_i].token, "issued")
          ? tasks_token_issue(test_pool, &a, "u1", NULL, NULL, NOW, NULL)
          : make(claims_with(""));
    ck_assert_ptr_nonnull(tok);
    ck_assert_msg(tasks_token_verify(test_pool, &cfg, tok, NOW, &got)
                  == rotation_cases[_i].want, "%s token, ring [%s]: %s",
                  rotation_cases[_i].token, rotation_cases[_i].ring,
                  tasks_token_status_text(tasks_token_verify(test_pool, &cfg,
                                                             tok, NOW, &got)));
    if (rotation_cases[_i].want == TASKS_TOKEN_OK)
        ck_assert_str_eq(got.sub, "u1");
}
END_TEST

/* The header names the signing key (the first of the ring) by its kid:
 * the same kid every time, derived from the key alone, or the one
 * configured. */
START_TEST(issued_token_carries_the_signing_kid)
{
    tasks_token_cfg a = ring_cfg("A"), ba = ring_cfg("BA"), named = plain_cfg(),
                    raw = plain_cfg();
    json_t *h;

    ck_assert_str_eq(tasks_kid_derive(test_pool, key, KEY_LEN), KID_OF_KEY);
    h = json_loads(header_of(tasks_token_issue(test_pool, &a, "u", NULL, NULL,
                                               NOW, NULL)), 0, NULL);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), KID_OF_KEY);
    ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "HS256");
    ck_assert_str_eq(json_string_value(json_object_get(h, "typ")), "JWT");
    ck_assert_int_eq(json_object_size(h), 3);
    json_decref(h);
    /* Stable: again, and with the raw (unprepared, kid-less) key. */
    ck_assert_ptr_nonnull(strstr(header_of(tasks_token_issue(test_pool, &a, "v",
        NULL, NULL, NOW, NULL)), "\"kid\":\"" KID_OF_KEY "\""));
    ck_assert_ptr_nonnull(strstr(header_of(tasks_token_issue(test_pool, &raw,
        "v", NULL, NULL, NOW, NULL)), "\"kid\":\"" KID_OF_KEY "\""));
    /* [B, A] signs with B. */
    ck_assert_ptr_nonnull(strstr(header_of(tasks_token_issue(test_pool, &ba,
        "v", NULL, NULL, NOW, NULL)), apr_psprintf(test_pool, "\"kid\":\"%s\"",
        tasks_kid_derive(test_pool, key_b, KEY_LEN))));
    /* A configured kid. */
    memset(&named.keys, 0, sizeof(named.keys));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &named.keys, key, KEY_LEN,
                                         "2026-05_main", NULL));
    ck_assert_ptr_nonnull(strstr(header_of(tasks_token_issue(test_pool, &named,
        "v", NULL, NULL, NOW, NULL)), "\"kid\":\"2026-05_main\""));
    ck_assert_int_eq(check_with(&named, tasks_token_issue(test_pool, &named,
        "v", NULL, NULL, NOW, NULL)), TASKS_TOKEN_OK);
    /* The same key under another kid is another key as far as tokens go. */
    ck_assert_int_eq(check_with(&a, tasks_token_issue(test_pool, &named,
        "v", NULL, NULL, NOW, NULL)), TASKS_TOKEN_UNKNOWN_KEY);
}
END_TEST

/* A kid that is not a kid string is refused before any HMAC; a valid kid
 * is checked with its own key only, never with the others. */
START_TEST(rejects_bad_kids)
{
    tasks_token_cfg ab = ring_cfg("AB");
    const char *p = claims_with("");
    const char *const bad[] = {
        "{\"alg\":\"HS256\",\"kid\":7}",
        "{\"alg\":\"HS256\",\"kid\":null}",
        "{\"alg\":\"HS256\",\"kid\":[\"" KID_OF_KEY "\"]}",
        "{\"alg\":\"HS256\",\"kid\":\"\"}",
        "{\"alg\":\"HS256\",\"kid\":\"a.b\"}",
        "{\"alg\":\"HS256\",\"kid\":\"a/b\"}",
        "{\"alg\":\"HS256\",\"kid\":\"a b\"}",
        "{\"alg\":\"HS256\",\"kid\":\"" KID_OF_KEY "\\u0000\"}",
        "{\"alg\":\"HS256\",\"kid\":\"" KID_OF_KEY "\",\"kid\":\"x\"}",
    };
    char long_kid[TASKS_KID_MAX_LEN + 2];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        tasks_token_status st = check_with(&ab, sign_with(EVP_sha256(), key,
                                                          bad[i], p));
        ck_assert_msg(st == TASKS_TOKEN_BAD_ALG || st == TASKS_TOKEN_MALFORMED,
                      "%s: %s", bad[i], tasks_token_status_text(st));
    }
    memset(long_kid, 'k', sizeof(long_kid) - 1);
    long_kid[sizeof(long_kid) - 1] = '\0';
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key,
        apr_psprintf(test_pool, "{\"alg\":\"HS256\",\"kid\":\"%s\"}", long_kid),
        p)), TASKS_TOKEN_BAD_ALG);
    /* An unknown but well-formed kid. */
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key,
        "{\"alg\":\"HS256\",\"kid\":\"nobody\"}", p)), TASKS_TOKEN_UNKNOWN_KEY);
    /* A's kid over a signature of B, and B's kid over one of A: no
     * fallback to the other key. */
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key_b,
        "{\"alg\":\"HS256\",\"kid\":\"" KID_OF_KEY "\"}", p)),
        TASKS_TOKEN_BAD_SIGNATURE);
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key,
        apr_psprintf(test_pool, "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
                     tasks_kid_derive(test_pool, key_b, KEY_LEN)), p)),
        TASKS_TOKEN_BAD_SIGNATURE);
    /* The right pairs pass. */
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key,
        "{\"alg\":\"HS256\",\"kid\":\"" KID_OF_KEY "\"}", p)), TASKS_TOKEN_OK);
    ck_assert_int_eq(check_with(&ab, sign_with(EVP_sha256(), key_b,
        apr_psprintf(test_pool, "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
                     tasks_kid_derive(test_pool, key_b, KEY_LEN)), p)),
        TASKS_TOKEN_OK);
}
END_TEST

Suite *token_suite(void)
{
    Suite *s = suite_create("token");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, issue_then_verify_round_trips);
    tcase_add_test(tc, issue_without_email_or_iss_aud);
    tcase_add_test(tc, issue_gives_fresh_jti_each_time);
    tcase_add_test(tc, issue_refuses_bad_input);
    tcase_add_test(tc, accepts_hand_made_token);
    tcase_add_test(tc, rejects_alg_none);
    tcase_add_test(tc, rejects_alg_in_other_case);
    tcase_add_test(tc, rejects_other_hmac_algs);
    tcase_add_test(tc, rejects_bad_header_members);
    tcase_add_test(tc, rejects_other_key);
    tcase_add_test(tc, rejects_tampering);
    tcase_add_test(tc, fails_closed_without_key);
    tcase_add_test(tc, prepared_key_verifies_like_the_plain_key);
    tcase_add_loop_test(tc, rotation_verifies_with_any_listed_key, 0,
                        (int)(sizeof(rotation_cases) / sizeof(*rotation_cases)));
    tcase_add_test(tc, issued_token_carries_the_signing_kid);
    tcase_add_test(tc, rejects_bad_kids);
    tcase_add_test(tc, enforces_length_cap);
    tcase_add_test(tc, rejects_wrong_part_count);
    tcase_add_test(tc, rejects_bad_base64);
    tcase_add_test(tc, rejects_header_not_json_object);
    tcase_add_test(tc, rejects_payload_not_json_object);
    tcase_add_test(tc, rejects_duplicate_claims);
    tcase_add_test(tc, rejects_bad_exp);
    tcase_add_test(tc, rejects_bad_sub);
    tcase_add_test(tc, rejects_wrongly_typed_optional_claims);
    tcase_add_test(tc, expiry_honours_leeway);
    tcase_add_test(tc, rejects_not_yet_valid);
    tcase_add_test(tc, checks_issuer_when_configured);
    tcase_add_test(tc, checks_audience_when_configured);
    tcase_add_test(tc, ignores_iss_aud_when_not_configured);
    tcase_add_test(tc, issued_token_fails_other_config);
    tcase_add_test(tc, status_texts_are_fixed);
    tcase_add_test(tc, revocation_key_keeps_short_jtis_and_digests_long_ones);
    suite_add_tcase(s, tc);
    return s;
}
