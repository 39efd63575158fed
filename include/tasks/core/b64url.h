/* b64url.h - base64url without padding (RFC 4648 section 5), shared by
 * tokens and cursors. */
#ifndef TASKS_B64URL_H
#define TASKS_B64URL_H

#include <apr_pools.h>

/* Encode len bytes into a NUL-terminated string in p. */
const char *tasks_b64url_encode(apr_pool_t *p, const unsigned char *data,
                                apr_size_t len);

/* Decode text_len characters of base64url (no padding, nothing outside the
 * alphabet, no impossible trailing bits) into *out (allocated in p, with a
 * NUL after the data). Returns 0, or -1 when malformed. */
int tasks_b64url_decode(apr_pool_t *p, const char *text, apr_size_t text_len,
                        unsigned char **out, apr_size_t *out_len);

#endif
