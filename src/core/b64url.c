/* b64url.c - base64url without padding. */
#include <string.h>
#include "tasks/core/b64url.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const char *tasks_b64url_encode(apr_pool_t *p, const unsigned char *data,
                                apr_size_t len)
{
    char *out = apr_palloc(p, (len + 2) / 3 * 4 + 1), *o = out;
    apr_size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
    }
    else if (len - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

int tasks_b64url_decode(apr_pool_t *p, const char *text, apr_size_t text_len,
                        unsigned char **out, apr_size_t *out_len)
{
    unsigned char *buf, *o;
    unsigned acc = 0;
    int bits = 0;
    apr_size_t i;

    if (text_len % 4 == 1)
        return -1;
    buf = o = apr_palloc(p, text_len / 4 * 3 + 3);
    for (i = 0; i < text_len; i++) {
        int v = sextet(text[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (unsigned char)(acc >> bits);
        }
    }
    /* Leftover bits must be zero, or two texts would decode the same. */
    if (bits && (acc & ((1u << bits) - 1)))
        return -1;
    *o = '\0';
    *out = buf;
    *out_len = (apr_size_t)(o - buf);
    return 0;
}
