/* token.h - the module's own HS256 JWTs: issue (libjwt) and verify
 * (HMAC-SHA256 with OpenSSL + jansson; the algorithm is pinned before
 * anything in the token is trusted). Keys and kids: keys.h. */
#ifndef TASKS_TOKEN_H
#define TASKS_TOKEN_H

#include <apr_pools.h>
#include <apr_time.h>

#include "tasks/core/keys.h"

#define TASKS_TOKEN_MAX_LEN 8192

typedef struct {
    tasks_keyring keys;        /* keys[0] signs (its kid in the header);
                                  every key verifies                   */
    const char *issuer;        /* "iss" to set and require, or NULL */
    const char *audience;      /* "aud" to set and require, or NULL */
    long lifetime;             /* seconds                           */
    long leeway;               /* seconds of clock skew accepted    */
} tasks_token_cfg;

typedef struct {
    const char *sub;
    const char *email;         /* NULL when absent                  */
    const char *jti;           /* NULL when absent                  */
    const char *sid;           /* the session (refresh chain) a token
                                  of ours was issued in; NULL when
                                  absent                             */
    long long iat;             /* 0 when absent                     */
    long long exp;
    const char *name;          /* string "name" claim, NULL otherwise
                                  (external issuers put it there)    */
} tasks_claims;

typedef enum {
    TASKS_TOKEN_OK = 0,
    TASKS_TOKEN_MALFORMED,     /* not 3 base64url parts, bad JSON, dup keys, too long */
    TASKS_TOKEN_BAD_ALG,       /* header alg is not exactly "HS256" (or typ not
                                  JWT, or a kid that is not a kid string) */
    TASKS_TOKEN_BAD_SIGNATURE,
    TASKS_TOKEN_EXPIRED,       /* exp + leeway <= now                */
    TASKS_TOKEN_NOT_YET_VALID, /* nbf or iat - leeway > now          */
    TASKS_TOKEN_BAD_CLAIMS,    /* missing exp, missing/empty/non-string sub,
                                  empty or non-string jti or sid,
                                  wrong iss/aud, wrongly typed claims */
    TASKS_TOKEN_UNKNOWN_KEY    /* no key with its kid (ours: the kid of a
                                  key no longer listed)                */
} tasks_token_status;

/* A short human text for a status, safe for logs (no token content). */
const char *tasks_token_status_text(tasks_token_status st);

/* Issue a token for user sub (and email) in session sid (may be NULL) at
 * time now, signed with the first key of cfg->keys; its header is
 * {"alg":"HS256","typ":"JWT","kid":<that key's kid>}. Claims: sub, email,
 * sid, iat, exp = iat + lifetime, jti (128 random bits, hex), iss/aud when
 * configured. Returns the compact
 * token in p and fills *claims when not NULL; NULL on failure (no usable
 * key, out of memory, RNG failure). */
const char *tasks_token_issue(apr_pool_t *p, const tasks_token_cfg *cfg,
                              const char *sub, const char *email,
                              const char *sid, apr_time_t now,
                              tasks_claims *claims);

/* Verify a compact token (signature, alg pinned to HS256 case-sensitively,
 * length <= TASKS_TOKEN_MAX_LEN, exp required, nbf/iat with leeway, iss/aud
 * when configured, aud may be a string or an array). The key: the one of
 * cfg->keys its header's "kid" names (none: TASKS_TOKEN_UNKNOWN_KEY; a kid
 * that is not a valid kid string: TASKS_TOKEN_BAD_ALG); a token without a
 * kid (issued before keys had kids) is tried with every key, in order, so
 * it verifies as long as its key is listed. On TASKS_TOKEN_OK fills
 * *claims with strings copied into p. */
tasks_token_status tasks_token_verify(apr_pool_t *p, const tasks_token_cfg *cfg,
                                      const char *token, apr_time_t now,
                                      tasks_claims *claims);

/* A compact JWS taken apart: the decoded header, payload and signature
 * (in the pool, NUL-terminated) and the length of the signing input (the
 * token up to its second dot). Shared with jwks.c. */
typedef struct {
    const unsigned char *header;
    apr_size_t header_len;
    const unsigned char *payload;
    apr_size_t payload_len;
    const unsigned char *sig;
    apr_size_t sig_len;
    apr_size_t signing_len;
} tasks_jws_parts;

/* Splits a compact token (length <= TASKS_TOKEN_MAX_LEN, exactly three
 * non-empty base64url parts). TASKS_TOKEN_MALFORMED otherwise. Nothing
 * is verified. */
tasks_token_status tasks_token_split(apr_pool_t *p, const char *token,
                                     tasks_jws_parts *out);

/* The claim checks of tasks_token_verify on an already verified payload
 * (JSON text): types, exp required, nbf/iat with cfg->leeway, iss/aud when
 * cfg sets them. cfg->keys is not used. Fills *claims (may be NULL). */
tasks_token_status tasks_token_check_payload(apr_pool_t *p,
                                             const tasks_token_cfg *cfg,
                                             const unsigned char *payload,
                                             apr_size_t len, apr_time_t now,
                                             tasks_claims *claims);

/* Longest jti kept as it is in the revocation list; longer ones are kept
 * as a digest (a btree key holds at most about 2.7 KB, and a jti is any
 * string an issuer chose). */
#define TASKS_REVOCATION_KEY_MAX 255

/* The key a token's jti is revoked under: the jti itself up to
 * TASKS_REVOCATION_KEY_MAX bytes, else "sha256:" and its digest in
 * base64url (50 bytes); "" for none. Every statement that records or
 * looks up a revocation uses this key. */
const char *tasks_revocation_key(apr_pool_t *p, const char *jti);

#endif
