/* password.c - scrypt password hashes (OpenSSL EVP_PBE_scrypt) in the
 * self-describing format of password.h:
 *   $scrypt$ln=15,r=8,p=1$<16-byte salt, base64url>$<32-byte hash, base64url>
 *
 * Stateless and thread-safe: each call uses its own stack and pool. */
#include <stdint.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tasks/core/b64url.h"
#include "tasks/core/password.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define PREFIX "$scrypt$"

/* Bounds from password.h: anything outside is refused rather than run, so a
 * corrupted or hostile stored hash cannot make verify burn unbounded memory
 * or time. */
#define LN_MIN 10
#define LN_MAX 20
#define R_MIN 1
#define R_MAX 32
#define P_MIN 1
#define P_MAX 16

const tasks_scrypt_params tasks_scrypt_default = {15, 8, 1};

/* Returns non-zero when every parameter is inside the accepted bounds. */
static int params_ok(const tasks_scrypt_params *sp)
{
    return sp->log2_n >= LN_MIN && sp->log2_n <= LN_MAX
           && sp->r >= R_MIN && sp->r <= R_MAX
           && sp->p >= P_MIN && sp->p <= P_MAX;
}

/* Derives HASH_LEN bytes into out. Returns 0, or -1 when OpenSSL refuses
 * (e.g. N too large for r, or out of memory). */
static int derive(const char *password, const unsigned char *salt,
                  const tasks_scrypt_params *sp, unsigned char *out)
{
    uint64_t n = (uint64_t)1 << sp->log2_n;
    uint64_t r = (uint64_t)sp->r, p = (uint64_t)sp->p;
    /* OpenSSL needs 128*r*(N+2) bytes for V plus 128*r*p for B, and refuses
     * anything above maxmem (32 MiB by default, less than N=2^15, r=8
     * needs): allow exactly what these parameters need, plus slack. */
    uint64_t maxmem = 128 * r * (n + p + 2) + 65536;

    if (EVP_PBE_scrypt(password, strlen(password), salt, SALT_LEN,
                       n, r, p, maxmem, out, HASH_LEN) != 1)
        return -1;
    return 0;
}

/* Hashes password with a fresh random salt (see password.h). NULL when the
 * parameters are out of bounds, the RNG fails or scrypt fails. */
const char *tasks_password_hash(apr_pool_t *p, const char *password,
                                const tasks_scrypt_params *params)
{
    unsigned char salt[SALT_LEN], hash[HASH_LEN];
    const char *out = NULL;

    if (password == NULL)
        return NULL;
    if (params == NULL)
        params = &tasks_scrypt_default;
    if (!params_ok(params))
        return NULL;
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return NULL;
    if (derive(password, salt, params, hash) == 0)
        out = apr_psprintf(p, PREFIX "ln=%d,r=%d,p=%d$%s$%s",
                           params->log2_n, params->r, params->p,
                           tasks_b64url_encode(p, salt, SALT_LEN),
                           tasks_b64url_encode(p, hash, HASH_LEN));
    OPENSSL_cleanse(hash, sizeof(hash));
    return out;
}

/* Reads a decimal number in [lo, hi] at *s: digits only, no sign, no
 * leading zero, at most two digits (every bound fits), so each value has
 * exactly one spelling. Advances *s; returns 0 or -1. */
static int parse_num(const char **s, int lo, int hi, int *out)
{
    const char *c = *s;
    int v = 0, digits = 0;

    if (*c == '0')
        return -1;
    while (*c >= '0' && *c <= '9') {
        if (++digits > 2)
            return -1;
        v = v * 10 + (*c++ - '0');
    }
    if (digits == 0 || v < lo || v > hi)
        return -1;
    *s = c;
    *out = v;
    return 0;
}

/* Expects the literal lit at *s and steps over it; returns 0 or -1. */
static int expect(const char **s, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*s, lit, n) != 0)
        return -1;
    *s += n;
    return 0;
}

/* Decodes the base64url field at *s up to the next '$' (or the end when
 * last), requiring exactly want bytes. Returns 0 or -1. */
static int parse_b64(apr_pool_t *pool, const char **s, int last,
                     apr_size_t want, unsigned char **out)
{
    const char *end = last ? *s + strlen(*s) : strchr(*s, '$');
    apr_size_t got;

    if (end == NULL || end == *s)
        return -1;
    if (tasks_b64url_decode(pool, *s, (apr_size_t)(end - *s), out, &got) != 0
        || got != want)
        return -1;
    *s = end;
    return 0;
}

/* Parses encoded strictly into its parameters, salt and hash. Returns 0,
 * or -1 on any deviation from the one canonical form. */
static int parse(apr_pool_t *pool, const char *encoded,
                 tasks_scrypt_params *sp, unsigned char **salt,
                 unsigned char **hash)
{
    const char *s = encoded;

    if (expect(&s, PREFIX "ln=") != 0 || parse_num(&s, LN_MIN, LN_MAX, &sp->log2_n) != 0
        || expect(&s, ",r=") != 0 || parse_num(&s, R_MIN, R_MAX, &sp->r) != 0
        || expect(&s, ",p=") != 0 || parse_num(&s, P_MIN, P_MAX, &sp->p) != 0
        || expect(&s, "$") != 0 || parse_b64(pool, &s, 0, SALT_LEN, salt) != 0
        || expect(&s, "$") != 0 || parse_b64(pool, &s, 1, HASH_LEN, hash) != 0)
        return -1;
    return 0;
}

/* Verifies password against encoded (see password.h): 1 match, 0 mismatch,
 * -1 malformed or unusable parameters. */
int tasks_password_verify(apr_pool_t *p, const char *password,
                          const char *encoded,
                          const tasks_scrypt_params *want, int *needs_rehash)
{
    tasks_scrypt_params sp;
    unsigned char *salt, *stored, derived[HASH_LEN];
    int rc;

    if (needs_rehash != NULL)
        *needs_rehash = 0;
    if (encoded == NULL || parse(p, encoded, &sp, &salt, &stored) != 0)
        return -1;
    if (password == NULL)
        return 0;
    if (derive(password, salt, &sp, derived) != 0) {
        /* In bounds yet refused by OpenSSL (N too big for r): unusable. */
        rc = -1;
    }
    else {
        rc = CRYPTO_memcmp(derived, stored, HASH_LEN) == 0 ? 1 : 0;
    }
    OPENSSL_cleanse(derived, sizeof(derived));
    OPENSSL_cleanse(stored, HASH_LEN);

    if (rc == 1 && needs_rehash != NULL) {
        if (want == NULL)
            want = &tasks_scrypt_default;
        *needs_rehash = sp.log2_n < want->log2_n || sp.r < want->r
                        || sp.p < want->p;
    }
    return rc;
}
