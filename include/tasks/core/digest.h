/* digest.h - SHA-256 as the store keeps secrets it must find again but
 * never learn: reset codes and refresh values are looked up by it. */
#ifndef TASKS_CORE_DIGEST_H
#define TASKS_CORE_DIGEST_H

#include <apr_pools.h>

/* SHA-256 of len bytes at data, as 64 lower-case hex characters in p. */
const char *tasks_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len);

#endif
