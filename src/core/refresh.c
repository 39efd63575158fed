/* refresh.c - refresh cookie values: made from random bytes, and turned
 * into the hash that is stored and looked up. */
#include <string.h>

#include "tasks/core/b64url.h"
#include "tasks/core/digest.h"
#include "tasks/core/refresh.h"

/* Promise: see refresh.h. */
const char *tasks_refresh_text(apr_pool_t *p, const unsigned char *rnd,
                               apr_size_t len)
{
    if (!rnd || len != TASKS_REFRESH_BYTES)
        return NULL;
    return tasks_b64url_encode(p, rnd, len);
}

/* Promise: see refresh.h. The decoder refuses anything outside the
 * alphabet and impossible trailing bits, so each value has one spelling. */
const char *tasks_refresh_hash(apr_pool_t *p, const char *value)
{
    unsigned char *raw;
    apr_size_t raw_len;

    if (!value || strlen(value) != TASKS_REFRESH_CHARS
        || tasks_b64url_decode(p, value, TASKS_REFRESH_CHARS, &raw, &raw_len)
        || raw_len != TASKS_REFRESH_BYTES)
        return NULL;
    return tasks_sha256_hex(p, value, TASKS_REFRESH_CHARS);
}
