/* keys.c - the module's own HMAC-SHA256 keys and their kids (see keys.h).
 *
 * Nothing here keeps mutable state once a ring is configured: every call
 * works on its own pool and stack, so it is safe from any number of httpd
 * threads at once. Messages never contain a secret. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "tasks/core/b64url.h"
#include "tasks/core/keys.h"

#define HS256_LEN 32
#define KID_DIGEST_BYTES 8

/* Domain separation: the digest that names a key is never the digest of
 * anything else made from it. */
static const char kid_context[] = "tasks-kid:";

struct tasks_hmac_key {
    EVP_MAC_CTX *keyed;         /* initialised with the key; only copied */
};

static apr_status_t hmac_key_cleanup(void *data)
{
    EVP_MAC_CTX_free(((tasks_hmac_key *)data)->keyed);
    return APR_SUCCESS;
}

/* See keys.h. */
tasks_hmac_key *tasks_hmac_key_make(apr_pool_t *p, const unsigned char *key,
                                    apr_size_t key_len)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end()
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    tasks_hmac_key *k = apr_pcalloc(p, sizeof(*k));

    if (mac == NULL)
        return NULL;
    k->keyed = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);          /* the context keeps its own reference */
    if (k->keyed == NULL)
        return NULL;
    apr_pool_cleanup_register(p, k, hmac_key_cleanup, apr_pool_cleanup_null);
    if (!EVP_MAC_init(k->keyed, key, key_len, params))
        return NULL;
    return k;
}

/* See keys.h. */
const char *tasks_kid_derive(apr_pool_t *p, const unsigned char *secret,
                             apr_size_t len)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned int md_len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    const char *kid;

    if (c == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)
        || !EVP_DigestUpdate(c, kid_context, sizeof(kid_context) - 1)
        || !EVP_DigestUpdate(c, secret, len)
        || !EVP_DigestFinal_ex(c, md, &md_len) || md_len != sizeof(md))
        abort(); /* OpenSSL without SHA-256: nothing can work */
    EVP_MD_CTX_free(c);
    kid = tasks_b64url_encode(p, md, KID_DIGEST_BYTES);
    OPENSSL_cleanse(md, sizeof(md));
    return kid;
}

/* See keys.h. */
int tasks_kid_valid(const char *kid, apr_size_t len)
{
    apr_size_t i;

    if (kid == NULL || len == 0 || len > TASKS_KID_MAX_LEN)
        return 0;
    for (i = 0; i < len; i++) {
        char c = kid[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* See keys.h. */
int tasks_key_usable(const tasks_key *k)
{
    return k != NULL && k->secret != NULL && k->len >= TASKS_SECRET_MIN_LEN
           && k->len <= INT_MAX;
}

/* See keys.h. */
const char *tasks_key_kid(apr_pool_t *p, const tasks_key *k)
{
    return k->kid ? k->kid : tasks_kid_derive(p, k->secret, k->len);
}

/* See keys.h. */
const tasks_key *tasks_keyring_signer(const tasks_keyring *ring)
{
    if (ring == NULL || ring->n < 1 || !tasks_key_usable(&ring->keys[0]))
        return NULL;
    return &ring->keys[0];
}

/* See keys.h. A linear walk: at most TASKS_KEYS_MAX short strings. Which
 * key a kid names is no secret (the kid travels in the clear), so an
 * ordinary comparison is fine here. */
const tasks_key *tasks_keyring_find(apr_pool_t *p, const tasks_keyring *ring,
                                    const char *kid, apr_size_t kid_len)
{
    int i;

    if (ring == NULL || kid == NULL)
        return NULL;
    for (i = 0; i < ring->n && i < TASKS_KEYS_MAX; i++) {
        const tasks_key *k = &ring->keys[i];
        const char *name;

        if (!tasks_key_usable(k))
            continue;
        name = tasks_key_kid(p, k);
        if (strlen(name) == kid_len && memcmp(name, kid, kid_len) == 0)
            return k;
    }
    return NULL;
}

/* See keys.h. */
const char *tasks_keyring_add(apr_pool_t *p, tasks_keyring *ring,
                              const unsigned char *secret, apr_size_t len,
                              const char *kid, int *clash)
{
    tasks_key k;
    int i;

    if (clash)
        *clash = -1;
    if (ring->n >= TASKS_KEYS_MAX)
        return apr_psprintf(p, "at most %d keys may be listed", TASKS_KEYS_MAX);
    if (secret == NULL || len < TASKS_SECRET_MIN_LEN || len > INT_MAX)
        return apr_psprintf(p, "a key must have at least %d bytes",
                            TASKS_SECRET_MIN_LEN);
    if (kid != NULL && !tasks_kid_valid(kid, strlen(kid)))
        return apr_psprintf(p, "a kid is 1 to %d characters of A-Z, a-z, "
                            "0-9, '-' and '_'", TASKS_KID_MAX_LEN);
    k.secret = secret;
    k.len = len;
    k.kid = kid ? apr_pstrdup(p, kid) : tasks_kid_derive(p, secret, len);
    for (i = 0; i < ring->n; i++) {
        const tasks_key *o = &ring->keys[i];
        const char *why = NULL;

        if (!strcmp(tasks_key_kid(p, o), k.kid))
            why = apr_psprintf(p, "kid '%s' is already used by key %d of the "
                               "list", k.kid, i + 1);
        else if (o->len == len && !CRYPTO_memcmp(o->secret, secret, len))
            why = apr_psprintf(p, "the same key is already key %d of the "
                               "list", i + 1);
        if (why) {
            if (clash)
                *clash = i;
            return why;
        }
    }
    if (!(k.prepared = tasks_hmac_key_make(p, secret, len)))
        return "OpenSSL cannot prepare an HMAC-SHA256 key";
    ring->keys[ring->n++] = k;
    return NULL;
}

/* HMAC-SHA256 of data with the prepared key into mac (32 bytes); 0 or -1.
 * The prepared context is copied, never used itself, so threads share it. */
static int hmac_prepared(const tasks_hmac_key *k, const void *data,
                         apr_size_t len, unsigned char *mac)
{
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(k->keyed);
    size_t out = 0;
    int ok = c != NULL && EVP_MAC_update(c, data, len)
             && EVP_MAC_final(c, mac, &out, HS256_LEN) && out == HS256_LEN;

    EVP_MAC_CTX_free(c);
    return ok ? 0 : -1;
}

/* See keys.h. */
int tasks_key_hmac(const tasks_key *k, const void *data, apr_size_t len,
                   unsigned char mac[32])
{
    unsigned int mac_len = 0;

    if (!tasks_key_usable(k))
        return -1;
    if (k->prepared)
        return hmac_prepared(k->prepared, data, len, mac);
    if (HMAC(EVP_sha256(), k->secret, (int)k->len, data, len, mac,
             &mac_len) == NULL || mac_len != HS256_LEN)
        return -1;
    return 0;
}
