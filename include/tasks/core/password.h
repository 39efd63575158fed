/* password.h - scrypt password hashing (OpenSSL), self-describing format:
 *   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt base64url>$<hash base64url>
 * so parameters can be raised later and old hashes still verify. */
#ifndef TASKS_PASSWORD_H
#define TASKS_PASSWORD_H

#include <apr_pools.h>

typedef struct {
    int log2_n;   /* N = 2^log2_n; the module uses >= 15 */
    int r;
    int p;
} tasks_scrypt_params;

/* The parameters the module hashes new passwords with (N=2^15, r=8, p=1). */
extern const tasks_scrypt_params tasks_scrypt_default;

#define TASKS_PASSWORD_MIN 8
#define TASKS_PASSWORD_MAX 128

/* Hash password (NUL-terminated) with a fresh 16-byte random salt. Returns
 * the encoded string in p, or NULL on failure. */
const char *tasks_password_hash(apr_pool_t *p, const char *password,
                                const tasks_scrypt_params *params);

/* Verify password against an encoded hash in constant time (CRYPTO_memcmp).
 * Returns 1 on match, 0 on mismatch, -1 when encoded is malformed or uses
 * unreasonable parameters (log2_n outside 10..20, r outside 1..32, p outside
 * 1..16). When it matches and *needs_rehash is not NULL, it is set to 1 if
 * encoded uses weaker parameters than want. */
int tasks_password_verify(apr_pool_t *p, const char *password,
                          const char *encoded,
                          const tasks_scrypt_params *want, int *needs_rehash);

#endif
