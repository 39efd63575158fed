/* token.c - the module's own HS256 JWTs.
 *
 * Issuing goes through libjwt. Verifying deliberately does not: libjwt
 * 1.10's jwt_decode skips the signature check when given a NULL key,
 * compares "alg" case-insensitively, uses alloca on attacker-sized input
 * and cannot tell a missing integer claim from a wrongly typed one. So the
 * token is taken apart here, the header is checked and the algorithm pinned
 * to HS256 before any HMAC is computed, and claims are read with jansson
 * with their JSON types checked.
 *
 * Nothing here keeps mutable state: every call works on its own pool and
 * stack, so it is safe from any number of httpd threads at once. Messages
 * never contain the key or any part of a token. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tasks/core/b64url.h"
#include "tasks/core/token.h"

#define JTI_BYTES 16
#define HS256_LEN 32

/* Clock skew above this is surely a configuration mistake; capping it keeps
 * the time arithmetic below far away from overflow. */
#define LEEWAY_CAP (10L * 365 * 24 * 3600)

/* Returns a fixed, log-safe text for st (never NULL). */
const char *tasks_token_status_text(tasks_token_status st)
{
    switch (st) {
    case TASKS_TOKEN_OK:
        return "token valid";
    case TASKS_TOKEN_MALFORMED:
        return "token malformed";
    case TASKS_TOKEN_BAD_ALG:
        return "token algorithm or header not accepted";
    case TASKS_TOKEN_BAD_SIGNATURE:
        return "token signature invalid";
    case TASKS_TOKEN_EXPIRED:
        return "token expired";
    case TASKS_TOKEN_NOT_YET_VALID:
        return "token not yet valid";
    case TASKS_TOKEN_BAD_CLAIMS:
        return "token claims invalid";
    case TASKS_TOKEN_UNKNOWN_KEY:
        return "token signed with an unknown key";
    }
    return "token status unknown";
}

/* Returns non-zero when s is set to something; an empty issuer/audience in
 * the configuration means "not configured", like NULL. */
static int configured(const char *s)
{
    return s != NULL && *s != '\0';
}

/* Writes 2*len lowercase hex digits and a NUL to out. */
static void to_hex(char *out, const unsigned char *in, apr_size_t len)
{
    static const char digits[] = "0123456789abcdef";
    apr_size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

/* Issues an HS256 token (see token.h). Refuses (NULL) to sign with a missing
 * or short key rather than hand out forgeable tokens. The kid goes into
 * the header, which the signature covers. */
const char *tasks_token_issue(apr_pool_t *p, const tasks_token_cfg *cfg,
                              const char *sub, const char *email,
                              const char *sid, apr_time_t now,
                              tasks_claims *claims)
{
    unsigned char rnd[JTI_BYTES];
    char jti[2 * JTI_BYTES + 1];
    long long iat, exp;
    jwt_t *jwt = NULL;
    char *enc = NULL;
    const char *out = NULL;
    const tasks_key *signer;

    if (cfg == NULL || (signer = tasks_keyring_signer(&cfg->keys)) == NULL
        || sub == NULL || *sub == '\0' || cfg->lifetime <= 0)
        return NULL;
    iat = (long long)apr_time_sec(now);
    /* jwt_add_grant_int takes a long; refuse what would not fit (and a
     * clock before 1970, which is broken anyway). */
    if (iat < 0 || cfg->lifetime > LONG_MAX - iat)
        return NULL;
    exp = iat + cfg->lifetime;
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return NULL;
    to_hex(jti, rnd, sizeof(rnd));

    if (jwt_new(&jwt) != 0)
        return NULL;
    /* libjwt copies the key; jwt_free releases that copy. */
    if (jwt_set_alg(jwt, JWT_ALG_HS256, signer->secret, (int)signer->len) != 0
        || jwt_add_header(jwt, "kid", tasks_key_kid(p, signer)) != 0
        || jwt_add_grant(jwt, "sub", sub) != 0
        || (email != NULL && jwt_add_grant(jwt, "email", email) != 0)
        || (sid != NULL && jwt_add_grant(jwt, "sid", sid) != 0)
        || jwt_add_grant_int(jwt, "iat", (long)iat) != 0
        || jwt_add_grant_int(jwt, "exp", (long)exp) != 0
        || jwt_add_grant(jwt, "jti", jti) != 0
        || (configured(cfg->issuer) && jwt_add_grant(jwt, "iss", cfg->issuer) != 0)
        || (configured(cfg->audience)
            && jwt_add_grant(jwt, "aud", cfg->audience) != 0))
        goto done;

    enc = jwt_encode_str(jwt);
    if (enc == NULL)
        goto done;
    out = apr_pstrdup(p, enc);
    if (claims != NULL) {
        claims->sub = apr_pstrdup(p, sub);
        claims->email = email != NULL ? apr_pstrdup(p, email) : NULL;
        claims->jti = apr_pstrdup(p, jti);
        claims->sid = sid != NULL ? apr_pstrdup(p, sid) : NULL;
        claims->iat = iat;
        claims->exp = exp;
        claims->name = NULL;
    }

done:
    free(enc);  /* libjwt 1.10 allocates with malloc */
    jwt_free(jwt);
    OPENSSL_cleanse(rnd, sizeof(rnd));
    return out;
}

/* Parses len bytes as a JSON object, rejecting duplicate keys (so two
 * readers can never disagree about which value counts). Returns a new
 * reference, or NULL when the text is not a JSON object. */
static json_t *load_object(const unsigned char *text, apr_size_t len)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &err);

    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Returns non-zero when v is a JSON string equal to s, byte for byte. */
static int json_str_is(const json_t *v, const char *s)
{
    size_t n = strlen(s);

    return json_is_string(v) && json_string_length(v) == n
           && memcmp(json_string_value(v), s, n) == 0;
}

/* Checks the decoded header: an object with alg exactly "HS256", typ
 * absent or exactly "JWT", no "crit" (no extension is understood, so a
 * token that demands one must be refused, RFC 7515 4.1.11), and kid
 * absent or a valid kid string (keys.h), copied to *kid (NULL when
 * absent). */
static tasks_token_status check_header(apr_pool_t *p, const unsigned char *text,
                                       apr_size_t len, const char **kid)
{
    json_t *h = load_object(text, len), *typ, *k;
    tasks_token_status st = TASKS_TOKEN_OK;

    *kid = NULL;
    if (h == NULL)
        return TASKS_TOKEN_MALFORMED;
    typ = json_object_get(h, "typ");
    k = json_object_get(h, "kid");
    if (!json_str_is(json_object_get(h, "alg"), "HS256")
        || (typ != NULL && !json_str_is(typ, "JWT"))
        || json_object_get(h, "crit") != NULL
        || (k != NULL && (!json_is_string(k)
                          || !tasks_kid_valid(json_string_value(k),
                                              json_string_length(k)))))
        st = TASKS_TOKEN_BAD_ALG;
    else if (k != NULL)
        *kid = apr_pstrmemdup(p, json_string_value(k), json_string_length(k));
    json_decref(h);
    return st;
}

/* Checks the HMAC-SHA256 of signing_input with k against sig in constant
 * time. */
static tasks_token_status check_signature(const tasks_key *k,
                                          const char *signing_input,
                                          apr_size_t input_len,
                                          const unsigned char *sig,
                                          apr_size_t sig_len)
{
    unsigned char mac[HS256_LEN];
    tasks_token_status st = TASKS_TOKEN_BAD_SIGNATURE;

    if (sig_len != HS256_LEN)
        return TASKS_TOKEN_BAD_SIGNATURE;
    if (tasks_key_hmac(k, signing_input, input_len, mac) == 0
        && CRYPTO_memcmp(mac, sig, HS256_LEN) == 0)
        st = TASKS_TOKEN_OK;
    OPENSSL_cleanse(mac, sizeof(mac));
    return st;
}

/* Returns non-zero when aud (a string or an array of strings) names want. */
static int aud_matches(const json_t *aud, const char *want)
{
    size_t i;
    json_t *v;

    if (json_is_string(aud))
        return json_str_is(aud, want);
    if (!json_is_array(aud))
        return 0;
    json_array_foreach(aud, i, v) {
        if (json_str_is(v, want))
            return 1;
    }
    return 0;
}

/* Copies a jansson string into p (it dies with the json_t). */
static const char *pool_str(apr_pool_t *p, const json_t *v)
{
    return apr_pstrmemdup(p, json_string_value(v), json_string_length(v));
}

/* Checks the claims of a signed payload and, when all is well, fills out
 * with copies in p. Types are checked before values: a claim of the wrong
 * JSON type is an error, never read as 0 or "". */
static tasks_token_status check_claims(apr_pool_t *p, const tasks_token_cfg *cfg,
                                       const json_t *c, apr_time_t now,
                                       tasks_claims *out)
{
    json_t *exp = json_object_get(c, "exp");
    json_t *sub = json_object_get(c, "sub");
    json_t *email = json_object_get(c, "email");
    json_t *jti = json_object_get(c, "jti");
    json_t *iat = json_object_get(c, "iat");
    json_t *sid = json_object_get(c, "sid");
    json_t *nbf = json_object_get(c, "nbf");
    long long now_s = (long long)apr_time_sec(now);
    long long leeway = cfg->leeway < 0 ? 0
                       : cfg->leeway > LEEWAY_CAP ? LEEWAY_CAP : cfg->leeway;

    if (!json_is_integer(exp))
        return TASKS_TOKEN_BAD_CLAIMS;
    if (!json_is_string(sub) || json_string_length(sub) == 0)
        return TASKS_TOKEN_BAD_CLAIMS;
    if (email != NULL && !json_is_string(email))
        return TASKS_TOKEN_BAD_CLAIMS;
    if (jti != NULL && (!json_is_string(jti) || json_string_length(jti) == 0))
        return TASKS_TOKEN_BAD_CLAIMS;
    if (sid != NULL && (!json_is_string(sid) || json_string_length(sid) == 0))
        return TASKS_TOKEN_BAD_CLAIMS;
    if ((iat != NULL && !json_is_integer(iat))
        || (nbf != NULL && !json_is_integer(nbf)))
        return TASKS_TOKEN_BAD_CLAIMS;
    if (configured(cfg->issuer)
        && !json_str_is(json_object_get(c, "iss"), cfg->issuer))
        return TASKS_TOKEN_BAD_CLAIMS;
    if (configured(cfg->audience)
        && !aud_matches(json_object_get(c, "aud"), cfg->audience))
        return TASKS_TOKEN_BAD_CLAIMS;

    /* now_s and leeway are both far from the limits of long long, so the
     * sums cannot overflow whatever the token says. */
    if (json_integer_value(exp) <= now_s - leeway)
        return TASKS_TOKEN_EXPIRED;
    if ((nbf != NULL && json_integer_value(nbf) > now_s + leeway)
        || (iat != NULL && json_integer_value(iat) > now_s + leeway))
        return TASKS_TOKEN_NOT_YET_VALID;

    if (out != NULL) {
        out->sub = pool_str(p, sub);
        out->email = email != NULL ? pool_str(p, email) : NULL;
        out->jti = jti != NULL ? pool_str(p, jti) : NULL;
        out->sid = sid != NULL ? pool_str(p, sid) : NULL;
        out->iat = iat != NULL ? (long long)json_integer_value(iat) : 0;
        out->exp = (long long)json_integer_value(exp);
        /* Informative only (an external issuer's display name): any
         * other type is ignored rather than refused. */
        out->name = json_is_string(json_object_get(c, "name"))
                    ? pool_str(p, json_object_get(c, "name")) : NULL;
    }
    return TASKS_TOKEN_OK;
}

/* Parses a verified payload and checks its claims (see token.h). */
tasks_token_status tasks_token_check_payload(apr_pool_t *p,
                                             const tasks_token_cfg *cfg,
                                             const unsigned char *payload,
                                             apr_size_t len, apr_time_t now,
                                             tasks_claims *claims)
{
    json_t *c = load_object(payload, len);
    tasks_token_status st;

    if (c == NULL)
        return TASKS_TOKEN_MALFORMED;
    st = check_claims(p, cfg, c, now, claims);
    json_decref(c);
    return st;
}

/* Splits a compact token into its decoded parts (see token.h); strnlen
 * keeps it from walking further than the cap into an oversized token. */
tasks_token_status tasks_token_split(apr_pool_t *p, const char *token,
                                     tasks_jws_parts *out)
{
    const char *dot1, *dot2;
    apr_size_t len, hlen, plen, slen;
    unsigned char *hdr, *payload, *sig;

    if (token == NULL)
        return TASKS_TOKEN_MALFORMED;
    len = strnlen(token, TASKS_TOKEN_MAX_LEN + 1);
    if (len > TASKS_TOKEN_MAX_LEN)
        return TASKS_TOKEN_MALFORMED;
    dot1 = memchr(token, '.', len);
    if (dot1 == NULL)
        return TASKS_TOKEN_MALFORMED;
    dot2 = memchr(dot1 + 1, '.', len - (apr_size_t)(dot1 + 1 - token));
    if (dot2 == NULL
        || memchr(dot2 + 1, '.', len - (apr_size_t)(dot2 + 1 - token)) != NULL)
        return TASKS_TOKEN_MALFORMED;
    hlen = (apr_size_t)(dot1 - token);
    plen = (apr_size_t)(dot2 - dot1 - 1);
    slen = len - (apr_size_t)(dot2 + 1 - token);
    if (hlen == 0 || plen == 0 || slen == 0)
        return TASKS_TOKEN_MALFORMED;
    if (tasks_b64url_decode(p, token, hlen, &hdr, &out->header_len) != 0
        || tasks_b64url_decode(p, dot1 + 1, plen, &payload, &out->payload_len) != 0
        || tasks_b64url_decode(p, dot2 + 1, slen, &sig, &out->sig_len) != 0)
        return TASKS_TOKEN_MALFORMED;
    out->header = hdr;
    out->payload = payload;
    out->sig = sig;
    out->signing_len = (apr_size_t)(dot2 - token);
    return TASKS_TOKEN_OK;
}

/* Verifies a compact HS256 token (see token.h). Order matters: size, shape
 * and header first, the signature next, and only a signed payload is
 * parsed for claims. No usable key fails closed. The key is the one the
 * (signed) kid names; a token without a kid is tried with each key in
 * turn, at most TASKS_KEYS_MAX HMACs, each compared in constant time. */
tasks_token_status tasks_token_verify(apr_pool_t *p, const tasks_token_cfg *cfg,
                                      const char *token, apr_time_t now,
                                      tasks_claims *claims)
{
    tasks_jws_parts parts;
    tasks_token_status st;
    const char *kid;
    const tasks_key *k;
    int i;

    st = tasks_token_split(p, token, &parts);
    if (st != TASKS_TOKEN_OK)
        return st;
    st = check_header(p, parts.header, parts.header_len, &kid);
    if (st != TASKS_TOKEN_OK)
        return st;

    if (cfg == NULL || tasks_keyring_signer(&cfg->keys) == NULL)
        return TASKS_TOKEN_BAD_SIGNATURE;
    if (kid != NULL) {
        if (!(k = tasks_keyring_find(p, &cfg->keys, kid, strlen(kid))))
            return TASKS_TOKEN_UNKNOWN_KEY;
        st = check_signature(k, token, parts.signing_len, parts.sig,
                             parts.sig_len);
    }
    else {
        st = TASKS_TOKEN_BAD_SIGNATURE;
        for (i = 0; i < cfg->keys.n && i < TASKS_KEYS_MAX
                    && st != TASKS_TOKEN_OK; i++)
            st = check_signature(&cfg->keys.keys[i], token, parts.signing_len,
                                 parts.sig, parts.sig_len);
    }
    if (st != TASKS_TOKEN_OK)
        return st;
    return tasks_token_check_payload(p, cfg, parts.payload, parts.payload_len,
                                     now, claims);
}

/* Promise: see token.h. */
const char *tasks_revocation_key(apr_pool_t *p, const char *jti)
{
    unsigned char md[32];
    unsigned int n = 0;

    if (!jti)
        return "";
    if (strlen(jti) <= TASKS_REVOCATION_KEY_MAX)
        return jti;
    if (!EVP_Digest(jti, strlen(jti), md, &n, EVP_sha256(), NULL) || n != 32)
        abort(); /* OpenSSL without SHA-256: nothing can work */
    return apr_pstrcat(p, "sha256:", tasks_b64url_encode(p, md, n), NULL);
}
