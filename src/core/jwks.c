/* jwks.c - public keys of trusted external issuers, and the tokens they
 * sign (see jwks.h).
 *
 * Keys are turned into EVP_PKEYs once, when the JWKS is parsed, so a
 * request only looks a key up and runs one EVP_DigestVerify. libjwt is not
 * used: 1.10 cannot verify EdDSA or PS256, and its verification has the
 * weaknesses token.c describes. The algorithm a token names is checked
 * against the key's own type before anything is computed: a key never
 * verifies another type's algorithm, and no symmetric algorithm (HS*) is
 * ever accepted, so a public key's bytes cannot be used as an HMAC secret.
 *
 * A parsed set is immutable; nothing here keeps mutable state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "tasks/core/b64url.h"
#include "tasks/core/jwks.h"

#define RSA_MIN_BITS 2048
/* A JWKS larger than this is surely not one (and not worth parsing). */
#define JWKS_MAX_BYTES (1024 * 1024)
#define JWKS_MAX_KEYS 64

enum kind { KIND_EDDSA, KIND_EC, KIND_RSA_PKCS1, KIND_RSA_PSS };

typedef struct {
    const char *name;
    unsigned flag;
    enum kind kind;
    const char *md;       /* digest name; NULL for EdDSA (no pre-hash) */
    size_t coord;         /* ES: bytes per coordinate of R and S      */
} alg_def;

static const alg_def algs[] = {
    { "EdDSA", TASKS_ALG_EDDSA, KIND_EDDSA, NULL, 0 },
    { "ES256", TASKS_ALG_ES256, KIND_EC, "SHA256", 32 },
    { "ES384", TASKS_ALG_ES384, KIND_EC, "SHA384", 48 },
    { "ES512", TASKS_ALG_ES512, KIND_EC, "SHA512", 66 },
    { "RS256", TASKS_ALG_RS256, KIND_RSA_PKCS1, "SHA256", 0 },
    { "RS384", TASKS_ALG_RS384, KIND_RSA_PKCS1, "SHA384", 0 },
    { "RS512", TASKS_ALG_RS512, KIND_RSA_PKCS1, "SHA512", 0 },
    { "PS256", TASKS_ALG_PS256, KIND_RSA_PSS, "SHA256", 0 },
    { "PS384", TASKS_ALG_PS384, KIND_RSA_PSS, "SHA384", 0 },
    { "PS512", TASKS_ALG_PS512, KIND_RSA_PSS, "SHA512", 0 },
};
#define N_ALGS (sizeof(algs) / sizeof(*algs))

#define RSA_ALGS (TASKS_ALG_RS256 | TASKS_ALG_RS384 | TASKS_ALG_RS512 \
                  | TASKS_ALG_PS256 | TASKS_ALG_PS384 | TASKS_ALG_PS512)

typedef struct {
    char *kid;            /* NULL when the JWK has none */
    unsigned algs;        /* what this key may verify   */
    EVP_PKEY *pkey;
} jwk;

struct tasks_jwks {
    int n;
    jwk *keys;
    char *canon;          /* canonical JSON of the document, for equality */
};

/* Returns the table entry for a name (exact match), or NULL. */
static const alg_def *alg_by_name(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < N_ALGS; i++)
        if (strcmp(algs[i].name, name) == 0)
            return &algs[i];
    return NULL;
}

/* Returns the flag of an algorithm name, 0 when unknown (see jwks.h). */
unsigned tasks_jwa_from_name(const char *name)
{
    const alg_def *a = alg_by_name(name);
    return a != NULL ? a->flag : 0;
}

/* Returns the flags of a comma-separated list, 0 on any unknown name. */
unsigned tasks_jwa_parse_list(const char *list)
{
    unsigned mask = 0;
    const char *s = list, *end;
    char name[16];

    if (list == NULL || *list == '\0')
        return 0;
    for (;;) {
        size_t n;
        unsigned f;
        end = strchr(s, ',');
        n = end != NULL ? (size_t)(end - s) : strlen(s);
        if (n == 0 || n >= sizeof(name))
            return 0;
        memcpy(name, s, n);
        name[n] = '\0';
        if ((f = tasks_jwa_from_name(name)) == 0)
            return 0;
        mask |= f;
        if (end == NULL)
            return mask;
        s = end + 1;
    }
}

/* Decodes a base64url string member into p; returns NULL when absent,
 * not a string, malformed or empty. *len gets the size. */
static unsigned char *member_bytes(apr_pool_t *p, const json_t *o,
                                   const char *key, size_t *len)
{
    const json_t *v = json_object_get(o, key);
    unsigned char *raw;
    apr_size_t n;

    if (!json_is_string(v) || json_string_length(v) == 0
        || tasks_b64url_decode(p, json_string_value(v), json_string_length(v),
                               &raw, &n) != 0 || n == 0)
        return NULL;
    *len = n;
    return raw;
}

/* Builds a public EVP_PKEY of key type tname ("EC", "RSA") from params. */
static EVP_PKEY *pkey_fromdata(const char *tname, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, tname, NULL);
    EVP_PKEY_CTX *chk = NULL;
    EVP_PKEY *pkey = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto done;
    /* fromdata does not check that an EC point is on its curve. */
    chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
done:
    EVP_PKEY_CTX_free(chk);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* An Ed25519 key from its "x"; *mask gets EdDSA. */
static EVP_PKEY *okp_key(apr_pool_t *p, const json_t *k, unsigned *mask)
{
    size_t n = 0;
    unsigned char *x;
    EVP_PKEY *pkey = NULL;

    if (!json_is_string(json_object_get(k, "crv"))
        || strcmp(json_string_value(json_object_get(k, "crv")), "Ed25519") != 0)
        return NULL;
    if ((x = member_bytes(p, k, "x", &n)) != NULL && n == 32)
        pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, n);
    *mask = TASKS_ALG_EDDSA;
    return pkey;
}

/* A P-256/384/521 key from "crv", "x", "y"; *mask gets the one ES
 * algorithm its curve pairs with (RFC 7518 3.4). */
static EVP_PKEY *ec_key(apr_pool_t *p, const json_t *k, unsigned *mask)
{
    static const struct { const char *crv; unsigned flag; size_t len; } curves[] = {
        { "P-256", TASKS_ALG_ES256, 32 },
        { "P-384", TASKS_ALG_ES384, 48 },
        { "P-521", TASKS_ALG_ES512, 66 },
    };
    const json_t *crv = json_object_get(k, "crv");
    unsigned char *x = NULL, *y = NULL, *pt = NULL;
    size_t xl = 0, yl = 0, i;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *pkey = NULL;

    if (!json_is_string(crv))
        return NULL;
    for (i = 0; i < sizeof(curves) / sizeof(*curves); i++)
        if (strcmp(json_string_value(crv), curves[i].crv) == 0)
            break;
    if (i == sizeof(curves) / sizeof(*curves))
        return NULL;
    x = member_bytes(p, k, "x", &xl);
    y = member_bytes(p, k, "y", &yl);
    if (x == NULL || y == NULL || xl != curves[i].len || yl != curves[i].len)
        goto done;
    /* The uncompressed point: 0x04 || X || Y. */
    pt = apr_palloc(p, 1 + xl + yl);
    pt[0] = 0x04;
    memcpy(pt + 1, x, xl);
    memcpy(pt + 1 + xl, y, yl);
    if ((bld = OSSL_PARAM_BLD_new()) == NULL
        || OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                           curves[i].crv, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                            1 + xl + yl) != 1)
        goto done;
    pkey = pkey_fromdata("EC", bld);
    *mask = curves[i].flag;
done:
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

/* An RSA key from "n" and "e" (at least RSA_MIN_BITS); *mask gets every
 * RS and PS algorithm. */
static EVP_PKEY *rsa_key(apr_pool_t *p, const json_t *k, unsigned *mask)
{
    unsigned char *n = NULL, *e = NULL;
    size_t nl = 0, el = 0;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *pkey = NULL;

    n = member_bytes(p, k, "n", &nl);
    e = member_bytes(p, k, "e", &el);
    if (n == NULL || e == NULL || el > 8)
        goto done;
    if ((bn_n = BN_bin2bn(n, (int)nl, NULL)) == NULL
        || (bn_e = BN_bin2bn(e, (int)el, NULL)) == NULL
        || BN_num_bits(bn_n) < RSA_MIN_BITS || !BN_is_odd(bn_e)
        || BN_is_one(bn_e))
        goto done;
    if ((bld = OSSL_PARAM_BLD_new()) == NULL
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1)
        goto done;
    pkey = pkey_fromdata("RSA", bld);
    *mask = RSA_ALGS;
done:
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return pkey;
}

/* Turns one JWK into out; 0 when it cannot verify anything here. */
static int parse_key(apr_pool_t *p, const json_t *k, jwk *out)
{
    const json_t *kty = json_object_get(k, "kty");
    const json_t *use = json_object_get(k, "use");
    const json_t *alg = json_object_get(k, "alg");
    const json_t *kid = json_object_get(k, "kid");
    unsigned mask = 0;
    EVP_PKEY *pkey = NULL;

    if (!json_is_object(k) || !json_is_string(kty))
        return 0;
    if (use != NULL && !(json_is_string(use)
                         && strcmp(json_string_value(use), "sig") == 0))
        return 0;
    if ((alg != NULL && !json_is_string(alg))
        || (kid != NULL && !json_is_string(kid)))
        return 0;
    if (strcmp(json_string_value(kty), "OKP") == 0)
        pkey = okp_key(p, k, &mask);
    else if (strcmp(json_string_value(kty), "EC") == 0)
        pkey = ec_key(p, k, &mask);
    else if (strcmp(json_string_value(kty), "RSA") == 0)
        pkey = rsa_key(p, k, &mask);
    /* "oct" (a shared secret) and anything else: never usable here. */
    if (pkey == NULL)
        return 0;
    /* A declared "alg" narrows the key to that one algorithm; one its
     * type cannot have makes the key unusable. */
    if (alg != NULL)
        mask &= tasks_jwa_from_name(json_string_value(alg));
    if (mask == 0
        || (kid != NULL && (out->kid = strdup(json_string_value(kid))) == NULL)) {
        EVP_PKEY_free(pkey);
        return 0;
    }
    out->algs = mask;
    out->pkey = pkey;
    return 1;
}

/* Parses a JWKS (see jwks.h). */
tasks_jwks *tasks_jwks_parse(const char *text, size_t len, int *skipped,
                             char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc, *keys, *k;
    tasks_jwks *ks = NULL;
    apr_pool_t *tmp = NULL;
    size_t i;
    int bad = 0;

    if (skipped != NULL)
        *skipped = 0;
    if (len > JWKS_MAX_BYTES) {
        snprintf(err, errlen, "the document is larger than %d bytes",
                 JWKS_MAX_BYTES);
        return NULL;
    }
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        snprintf(err, errlen, "not JSON: %s (line %d)", jerr.text, jerr.line);
        return NULL;
    }
    keys = json_object_get(doc, "keys");
    if (!json_is_object(doc) || !json_is_array(keys)) {
        snprintf(err, errlen, "not a JWKS: no \"keys\" array");
        goto fail;
    }
    if (json_array_size(keys) > JWKS_MAX_KEYS) {
        snprintf(err, errlen, "more than %d keys", JWKS_MAX_KEYS);
        goto fail;
    }
    if ((ks = calloc(1, sizeof(*ks))) == NULL
        || (json_array_size(keys) > 0
            && (ks->keys = calloc(json_array_size(keys), sizeof(jwk))) == NULL)
        || (ks->canon = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT)) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* Scratch for decoded key material; the set itself is malloc'd, so it
     * needs no caller's pool to outlive it. */
    if (apr_pool_create(&tmp, NULL) != APR_SUCCESS) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    json_array_foreach(keys, i, k) {
        if (parse_key(tmp, k, &ks->keys[ks->n]))
            ks->n++;
        else
            bad++;
    }
    apr_pool_destroy(tmp);
    if (skipped != NULL)
        *skipped = bad;
    json_decref(doc);
    return ks;
fail:
    tasks_jwks_free(ks);
    json_decref(doc);
    return NULL;
}

/* Frees a set and its keys (see jwks.h). */
void tasks_jwks_free(tasks_jwks *ks)
{
    int i;

    if (ks == NULL)
        return;
    for (i = 0; i < ks->n; i++) {
        EVP_PKEY_free(ks->keys[i].pkey);
        free(ks->keys[i].kid);
    }
    free(ks->keys);
    free(ks->canon);  /* jansson's default allocator is malloc */
    free(ks);
}

/* Returns the number of usable keys (see jwks.h). */
int tasks_jwks_count(const tasks_jwks *ks)
{
    return ks != NULL ? ks->n : 0;
}

/* Compares canonical forms (see jwks.h). */
int tasks_jwks_equal(const tasks_jwks *a, const tasks_jwks *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a->canon, b->canon) == 0;
}

/* Non-zero when v is a string equal to s. */
static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* Checks the header and finds alg's table entry and the key (see
 * tasks_jwks_verify for the rules). */
static tasks_token_status pick_key(const tasks_jwks *ks, unsigned allowed,
                                   const unsigned char *text, apr_size_t len,
                                   const alg_def **alg_out, const jwk **key_out)
{
    json_error_t jerr;
    json_t *h = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *typ, *kid;
    const alg_def *alg;
    tasks_token_status st = TASKS_TOKEN_OK;
    int i, kid_seen = 0;

    if (h == NULL || !json_is_object(h)) {
        json_decref(h);
        return TASKS_TOKEN_MALFORMED;
    }
    typ = json_object_get(h, "typ");
    kid = json_object_get(h, "kid");
    alg = json_is_string(json_object_get(h, "alg"))
          ? alg_by_name(json_string_value(json_object_get(h, "alg"))) : NULL;
    if (alg == NULL || !(alg->flag & allowed)
        || (typ != NULL && !str_is(typ, "JWT") && !str_is(typ, "at+jwt"))
        || json_object_get(h, "crit") != NULL
        || (kid != NULL && !json_is_string(kid))) {
        st = TASKS_TOKEN_BAD_ALG;
        goto done;
    }
    *key_out = NULL;
    if (kid == NULL) {
        /* Without a kid only a set of exactly one key is unambiguous. */
        if (ks->n != 1) {
            st = TASKS_TOKEN_UNKNOWN_KEY;
            goto done;
        }
        *key_out = &ks->keys[0];
        kid_seen = 1;
    }
    for (i = 0; kid != NULL && i < ks->n; i++) {
        if (ks->keys[i].kid == NULL
            || strcmp(ks->keys[i].kid, json_string_value(kid)) != 0)
            continue;
        kid_seen = 1;
        if (ks->keys[i].algs & alg->flag) {
            *key_out = &ks->keys[i];
            break;
        }
    }
    if (!kid_seen)
        st = TASKS_TOKEN_UNKNOWN_KEY;
    else if (*key_out == NULL || !((*key_out)->algs & alg->flag))
        st = TASKS_TOKEN_BAD_ALG;
    *alg_out = alg;
done:
    json_decref(h);
    return st;
}

/* A JWS ECDSA signature (R || S, each coord bytes) as the DER that OpenSSL
 * verifies; malloc'd into *der. Returns its length, 0 on failure. */
static size_t ecdsa_raw_to_der(const unsigned char *sig, size_t coord,
                               unsigned char **der)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)coord, NULL);
    BIGNUM *s = BN_bin2bn(sig + coord, (int)coord, NULL);
    int n = 0;

    *der = NULL;
    if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return 0;
    }
    /* es owns r and s now. */
    n = i2d_ECDSA_SIG(es, der);
    ECDSA_SIG_free(es);
    return n > 0 ? (size_t)n : 0;
}

/* Verifies sig over the signing input with key under alg: the exact
 * signature length first, then one EVP_DigestVerify. */
static tasks_token_status check_sig(const alg_def *alg, const jwk *key,
                                    const unsigned char *input, size_t input_len,
                                    const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    const unsigned char *s = sig;
    size_t slen = sig_len;
    tasks_token_status st = TASKS_TOKEN_BAD_SIGNATURE;

    switch (alg->kind) {
    case KIND_EDDSA:
        if (sig_len != 64)
            return TASKS_TOKEN_BAD_SIGNATURE;
        break;
    case KIND_EC:
        if (sig_len != 2 * alg->coord
            || (slen = ecdsa_raw_to_der(sig, alg->coord, &der)) == 0)
            return TASKS_TOKEN_BAD_SIGNATURE;
        s = der;
        break;
    case KIND_RSA_PKCS1:
    case KIND_RSA_PSS:
        if (sig_len != (size_t)EVP_PKEY_get_size(key->pkey))
            return TASKS_TOKEN_BAD_SIGNATURE;
        break;
    }
    if ((md = EVP_MD_CTX_new()) == NULL
        || EVP_DigestVerifyInit_ex(md, &pctx, alg->md, NULL, NULL, key->pkey,
                                   NULL) != 1)
        goto done;
    if (alg->kind == KIND_RSA_PSS
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            /* RFC 7518 3.5: the salt is as long as the digest, MGF1 uses
             * the same digest. */
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1
            || EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, alg->md, NULL) != 1))
        goto done;
    if (alg->kind == KIND_RSA_PKCS1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        goto done;
    if (EVP_DigestVerify(md, s, slen, input, input_len) == 1)
        st = TASKS_TOKEN_OK;
done:
    EVP_MD_CTX_free(md);  /* frees pctx too */
    OPENSSL_free(der);
    return st;
}

/* Verifies an external token (see jwks.h). Order: shape, header and key
 * choice, signature; only a signed payload is parsed for claims. */
tasks_token_status tasks_jwks_verify(apr_pool_t *p, const tasks_jwks *ks,
                                     unsigned allowed,
                                     const tasks_token_cfg *cfg,
                                     const char *token, apr_time_t now,
                                     tasks_claims *claims)
{
    tasks_jws_parts parts;
    const alg_def *alg = NULL;
    const jwk *key = NULL;
    tasks_token_status st;

    st = tasks_token_split(p, token, &parts);
    if (st != TASKS_TOKEN_OK)
        return st;
    if (ks == NULL)
        return TASKS_TOKEN_UNKNOWN_KEY;
    if (cfg == NULL || cfg->issuer == NULL || *cfg->issuer == '\0')
        return TASKS_TOKEN_BAD_CLAIMS;
    st = pick_key(ks, allowed, parts.header, parts.header_len, &alg, &key);
    if (st != TASKS_TOKEN_OK)
        return st;
    st = check_sig(alg, key, (const unsigned char *)token, parts.signing_len,
                   parts.sig, parts.sig_len);
    if (st != TASKS_TOKEN_OK)
        return st;
    return tasks_token_check_payload(p, cfg, parts.payload, parts.payload_len,
                                     now, claims);
}

/* Reads "iss" without verifying anything (see jwks.h). */
const char *tasks_jws_peek_issuer(apr_pool_t *p, const char *token)
{
    tasks_jws_parts parts;
    json_error_t jerr;
    json_t *c, *iss;
    const char *out = NULL;

    if (tasks_token_split(p, token, &parts) != TASKS_TOKEN_OK)
        return NULL;
    c = json_loadb((const char *)parts.payload, parts.payload_len,
                   JSON_REJECT_DUPLICATES, &jerr);
    iss = json_object_get(c, "iss");
    if (json_is_object(c) && json_is_string(iss))
        out = apr_pstrmemdup(p, json_string_value(iss), json_string_length(iss));
    json_decref(c);
    return out;
}
