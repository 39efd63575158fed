/* jwks.h - public keys of trusted external issuers (a JWKS, RFC 7517) and
 * the verification of the tokens they sign: EdDSA (Ed25519), ES256/384/512
 * (raw R||S signatures), RS256/384/512 and PS256/384/512, with OpenSSL 3.
 *
 * Pure core: no httpd header. A key set is parsed once (into EVP_PKEYs),
 * is immutable afterwards and may be used from any number of threads at
 * once; it is malloc'd (not pool-allocated) so the request layer can keep
 * it alive exactly as long as some thread still uses it. */
#ifndef TASKS_JWKS_H
#define TASKS_JWKS_H

#include <stddef.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "tasks/core/token.h"

/* JWS algorithms verified with a public key (bit flags). Symmetric ones
 * (HS*) have no flag: they can never be verified with a published key. */
#define TASKS_ALG_EDDSA (1u << 0)
#define TASKS_ALG_ES256 (1u << 1)
#define TASKS_ALG_ES384 (1u << 2)
#define TASKS_ALG_ES512 (1u << 3)
#define TASKS_ALG_RS256 (1u << 4)
#define TASKS_ALG_RS384 (1u << 5)
#define TASKS_ALG_RS512 (1u << 6)
#define TASKS_ALG_PS256 (1u << 7)
#define TASKS_ALG_PS384 (1u << 8)
#define TASKS_ALG_PS512 (1u << 9)
#define TASKS_ALG_ALL   ((1u << 10) - 1)

/* The flag of a JWS "alg" name (case-sensitive, as RFC 7515 says); 0 for
 * anything else, HS256 and "none" included. */
unsigned tasks_jwa_from_name(const char *name);

/* Flags for a comma-separated list such as "EdDSA,ES256"; 0 when the list
 * is empty or names an algorithm that is not in the table above. */
unsigned tasks_jwa_parse_list(const char *list);

typedef struct tasks_jwks tasks_jwks;

/* Parses a JWKS document ({"keys":[...]}) of len bytes. Every usable
 * signature key becomes an EVP_PKEY; keys that cannot verify anything here
 * are skipped and counted in *skipped (may be NULL): symmetric ("oct"),
 * "use" other than "sig", unknown kty/crv, an "alg" the key type cannot
 * have, RSA under 2048 bits, points not on their curve, bad base64url.
 * Returns the set (free with tasks_jwks_free), or NULL when the text is
 * not a JWKS at all, with a short reason in err (errlen bytes). A set may
 * hold zero keys. */
tasks_jwks *tasks_jwks_parse(const char *text, size_t len, int *skipped,
                             char *err, size_t errlen);

/* Releases a set and all its keys; NULL is fine. */
void tasks_jwks_free(tasks_jwks *ks);

/* The number of usable keys in a set (0 for NULL). */
int tasks_jwks_count(const tasks_jwks *ks);

/* Non-zero when a and b were parsed from the same document content
 * (compared in a canonical form: key order and white space do not matter). */
int tasks_jwks_equal(const tasks_jwks *a, const tasks_jwks *b);

/* Verifies a compact JWS against the set:
 * - header: an object with "alg" one of the public-key algorithms above
 *   and in allowed (a mask), optional "kid" (required when the set holds
 *   more than one key), typ absent, "JWT" or "at+jwt", no "crit";
 * - the key: the one whose kid matches and whose type allows alg (a key
 *   never verifies another key type's algorithm); TASKS_TOKEN_UNKNOWN_KEY
 *   when no key has that kid (the caller may refetch the set), BAD_ALG
 *   when the kid's key does not allow alg;
 * - the signature (exact length for the algorithm and key), then the
 *   claims as tasks_token_check_payload does with cfg (iss must equal
 *   cfg->issuer, aud must name cfg->audience when set, exp required, nbf
 *   and iat with cfg->leeway). cfg->keys is not used.
 * On TASKS_TOKEN_OK fills *claims (may be NULL) with copies in p. */
tasks_token_status tasks_jwks_verify(apr_pool_t *p, const tasks_jwks *ks,
                                     unsigned allowed,
                                     const tasks_token_cfg *cfg,
                                     const char *token, apr_time_t now,
                                     tasks_claims *claims);

/* The "iss" claim of a compact token, read WITHOUT verifying anything (only
 * to choose which issuer's keys verify it); NULL when the token is
 * malformed or has no string "iss". */
const char *tasks_jws_peek_issuer(apr_pool_t *p, const char *token);

#endif
