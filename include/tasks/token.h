/* token.h - the module's own HS256 JWTs: issue (libjwt) and verify
 * (HMAC-SHA256 with OpenSSL + jansson; the algorithm is pinned before
 * anything in the token is trusted). */
#ifndef TASKS_TOKEN_H
#define TASKS_TOKEN_H

#include <apr_pools.h>
#include <apr_time.h>

#define TASKS_TOKEN_MAX_LEN 8192
#define TASKS_SECRET_MIN_LEN 32

typedef struct {
    const unsigned char *key;  /* HS256 key, raw bytes (>= 32)      */
    apr_size_t key_len;
    const char *issuer;        /* "iss" to set and require, or NULL */
    const char *audience;      /* "aud" to set and require, or NULL */
    long lifetime;             /* seconds                           */
    long leeway;               /* seconds of clock skew accepted    */
} tasks_token_cfg;

typedef struct {
    const char *sub;
    const char *email;         /* NULL when absent                  */
    const char *jti;           /* NULL when absent                  */
    long long iat;             /* 0 when absent                     */
    long long exp;
} tasks_claims;

typedef enum {
    TASKS_TOKEN_OK = 0,
    TASKS_TOKEN_MALFORMED,     /* not 3 base64url parts, bad JSON, dup keys, too long */
    TASKS_TOKEN_BAD_ALG,       /* header alg is not exactly "HS256" (or typ not JWT) */
    TASKS_TOKEN_BAD_SIGNATURE,
    TASKS_TOKEN_EXPIRED,       /* exp + leeway <= now                */
    TASKS_TOKEN_NOT_YET_VALID, /* nbf or iat - leeway > now          */
    TASKS_TOKEN_BAD_CLAIMS     /* missing exp, missing/empty/non-string sub,
                                  wrong iss/aud, wrongly typed claims */
} tasks_token_status;

/* A short human text for a status, safe for logs (no token content). */
const char *tasks_token_status_text(tasks_token_status st);

/* Issue a token for user sub (and email) at time now. Claims: sub, email,
 * iat, exp = iat + lifetime, jti (128 random bits, hex), iss/aud when
 * configured. Returns the compact token in p and fills *claims when not
 * NULL; NULL on failure (out of memory, RNG failure). */
const char *tasks_token_issue(apr_pool_t *p, const tasks_token_cfg *cfg,
                              const char *sub, const char *email,
                              apr_time_t now, tasks_claims *claims);

/* Verify a compact token (signature, alg pinned to HS256 case-sensitively,
 * length <= TASKS_TOKEN_MAX_LEN, exp required, nbf/iat with leeway, iss/aud
 * when configured, aud may be a string or an array). On TASKS_TOKEN_OK fills
 * *claims with strings copied into p. */
tasks_token_status tasks_token_verify(apr_pool_t *p, const tasks_token_cfg *cfg,
                                      const char *token, apr_time_t now,
                                      tasks_claims *claims);

#endif
