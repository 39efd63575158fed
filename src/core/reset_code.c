/* reset_code.c - password reset codes: made from random bytes, and
 * turned into the hash that is stored and looked up. */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/digest.h"
#include "tasks/core/reset_code.h"

/* Crockford's base32: no I, L, O or U, so nothing reads as another. */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Promise: see reset_code.h. 10 bytes are 80 bits, 16 characters of 5. */
const char *tasks_reset_code_text(apr_pool_t *p, const unsigned char *rnd,
                                  apr_size_t len)
{
    char *out, *o;
    unsigned bits = 0, acc = 0;
    apr_size_t i;
    int n = 0;

    if (!rnd || len != 10)
        return NULL;
    o = out = apr_palloc(p, TASKS_RESET_CODE_CHARS + 3 + 1);
    for (i = 0; i < len; i++) {
        acc = (acc << 8) | rnd[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            if (n && n % 4 == 0)
                *o++ = '-';
            *o++ = alphabet[(acc >> bits) & 31];
            n++;
        }
    }
    *o = '\0';
    return out;
}

/* The canonical character for c, or 0 when it is none. */
static char canonical(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        return '0';
    if (c == 'I' || c == 'L')
        return '1';
    return c && strchr(alphabet, c) ? c : 0;
}

/* Promise: see reset_code.h. */
const char *tasks_reset_code_hash(apr_pool_t *p, const char *typed)
{
    char canon[TASKS_RESET_CODE_CHARS];
    apr_size_t n = 0;

    if (!typed)
        return NULL;
    for (; *typed; typed++) {
        char c;

        if (*typed == '-' || *typed == ' ')
            continue;
        if (n == TASKS_RESET_CODE_CHARS || !(c = canonical(*typed)))
            return NULL;
        canon[n++] = c;
    }
    if (n != TASKS_RESET_CODE_CHARS)
        return NULL;
    return tasks_sha256_hex(p, canon, n);
}
