/* refresh.h - the values of refresh cookies (POST /api/auth/refresh): 256
 * random bits in base64url, 43 characters. Only a value's SHA-256 is
 * stored, so a copy of the database signs nobody in. */
#ifndef TASKS_CORE_REFRESH_H
#define TASKS_CORE_REFRESH_H

#include <apr_pools.h>

/* Random bytes of a value, and its characters. */
#define TASKS_REFRESH_BYTES 32
#define TASKS_REFRESH_CHARS 43

/* A new value from len = TASKS_REFRESH_BYTES random bytes, in p; NULL
 * when rnd is not that long. */
const char *tasks_refresh_text(apr_pool_t *p, const unsigned char *rnd,
                               apr_size_t len);

/* The stored form of a value as a cookie carried it: SHA-256 of its
 * characters, lower-case hex (64 characters); NULL when it is not
 * TASKS_REFRESH_CHARS characters of canonical base64url (so a value that
 * could never have been issued costs no query). */
const char *tasks_refresh_hash(apr_pool_t *p, const char *value);

#endif
