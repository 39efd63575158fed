/* keys.h - the module's own HMAC-SHA256 keys (TasksJWTSecretFile): the key
 * that signs new tokens and page cursors, and the keys that still verify
 * what earlier keys signed (key rotation). Each key has a "kid" that
 * tokens carry in their header and cursors in front of their payload, so
 * a token or a cursor is checked with the one key it names. */
#ifndef TASKS_KEYS_H
#define TASKS_KEYS_H

#include <apr_pools.h>

#define TASKS_SECRET_MIN_LEN 32
/* At most this many keys per server: a token without a kid (issued before
 * kids existed) costs at most this many HMACs. */
#define TASKS_KEYS_MAX 8
/* A kid is 1..TASKS_KID_MAX_LEN characters of the base64url alphabet
 * (A-Z a-z 0-9 - _): safe in a JSON header, a URL and a log line, and
 * never a '.', which separates a cursor's parts. */
#define TASKS_KID_MAX_LEN 64
/* Length of a derived kid (tasks_kid_derive). */
#define TASKS_KID_DERIVED_LEN 11

/* An HMAC-SHA256 key prepared once (see tasks_hmac_key_make). */
typedef struct tasks_hmac_key tasks_hmac_key;

typedef struct {
    const unsigned char *secret;  /* raw bytes (>= TASKS_SECRET_MIN_LEN)  */
    apr_size_t len;
    const char *kid;              /* NULL: derived (tasks_kid_derive)     */
    const tasks_hmac_key *prepared; /* NULL: the HMAC is keyed on every
                                     use (slower)                        */
} tasks_key;

/* The keys of one server, in the order configured: keys[0] signs, every
 * one of them verifies. Only ever read once configured: one ring serves
 * all threads. */
typedef struct {
    tasks_key keys[TASKS_KEYS_MAX];
    int n;
} tasks_keyring;

/* key prepared for HMAC-SHA256 (in p, freed with it), or NULL when
 * OpenSSL fails. OpenSSL 3's one-shot HMAC() looks the algorithm and the
 * digest up by name on every call, which cost more than the hashing of a
 * token; a prepared key is copied instead. Only ever read: one prepared
 * key serves all threads. */
tasks_hmac_key *tasks_hmac_key_make(apr_pool_t *p, const unsigned char *key,
                                    apr_size_t key_len);

/* The kid of a secret when none is configured: base64url (no padding) of
 * the first 8 bytes of SHA-256("tasks-kid:" || secret), 11 characters.
 * The same secret always has the same kid, in every process and build; it
 * tells nothing about the secret (a one-way digest of >= 256 secret bits,
 * and only 64 bits of it). */
const char *tasks_kid_derive(apr_pool_t *p, const unsigned char *secret,
                             apr_size_t len);

/* Non-zero when len bytes of kid form a valid kid (see TASKS_KID_MAX_LEN). */
int tasks_kid_valid(const char *kid, apr_size_t len);

/* The kid of k: its own, or derived from its secret (in p). */
const char *tasks_key_kid(apr_pool_t *p, const tasks_key *k);

/* Appends a key to ring: secret (len bytes, kept by reference: it must
 * live as long as the ring), with kid, or the derived kid when kid is
 * NULL; prepares it. Returns NULL, or why not (a text for a configuration
 * message, never the secret): the ring is full, the secret is too short,
 * the kid is not valid, another key of the ring has the same kid or the
 * same secret (then *clash, when clash is not NULL, is that key's index;
 * -1 otherwise), or OpenSSL failed. */
const char *tasks_keyring_add(apr_pool_t *p, tasks_keyring *ring,
                              const unsigned char *secret, apr_size_t len,
                              const char *kid, int *clash);

/* The key of ring named kid (kid_len bytes), or NULL. */
const tasks_key *tasks_keyring_find(apr_pool_t *p, const tasks_keyring *ring,
                                    const char *kid, apr_size_t kid_len);

/* The key that signs (ring->keys[0]), or NULL when there is none or its
 * secret is missing or short: nothing is signed then (fail closed). */
const tasks_key *tasks_keyring_signer(const tasks_keyring *ring);

/* Non-zero when k can sign or verify: a secret of at least
 * TASKS_SECRET_MIN_LEN bytes. */
int tasks_key_usable(const tasks_key *k);

/* HMAC-SHA256 of len bytes of data with k into mac (32 bytes). Returns 0,
 * or -1 when k is not usable or OpenSSL fails. Constant time in the data
 * for a given length; thread-safe (a prepared key is copied, never used
 * itself). */
int tasks_key_hmac(const tasks_key *k, const void *data, apr_size_t len,
                   unsigned char mac[32]);

#endif
