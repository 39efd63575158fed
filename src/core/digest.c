/* digest.c - SHA-256 in hex (OpenSSL). */
#include <openssl/sha.h>
#include <apr_strings.h>

#include "tasks/core/digest.h"

/* Promise: see digest.h. */
const char *tasks_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len)
{
    static const char hexdigits[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    char *hex = apr_palloc(p, 2 * sizeof md + 1);
    apr_size_t i;

    SHA256(data, len, md);
    for (i = 0; i < sizeof md; i++) {
        hex[2 * i] = hexdigits[md[i] >> 4];
        hex[2 * i + 1] = hexdigits[md[i] & 15];
    }
    hex[2 * sizeof md] = '\0';
    return hex;
}
