/* reset_code.h - the single-use codes that reset a password without mail
 * (the admin command issues one; POST /api/auth/reset spends it). A code
 * is 80 random bits in Crockford's base32, grouped for reading aloud:
 * "7KQ2-M9XD-4RVA-0HZT". Only its SHA-256 is stored. */
#ifndef TASKS_CORE_RESET_CODE_H
#define TASKS_CORE_RESET_CODE_H

#include <apr_pools.h>

/* Characters of a code, its separators left out. */
#define TASKS_RESET_CODE_CHARS 16

/* A new code from len = 10 random bytes, in p: the text to hand to the
 * person, NULL when rnd is not 10 bytes. */
const char *tasks_reset_code_text(apr_pool_t *p, const unsigned char *rnd,
                                  apr_size_t len);

/* The stored form of a code as typed: SHA-256 (lower-case hex, 64
 * characters) of its canonical characters, after upper-casing, reading O
 * as 0 and I and L as 1 (Crockford) and dropping spaces and '-'; NULL when
 * what is left is not TASKS_RESET_CODE_CHARS characters of the alphabet. */
const char *tasks_reset_code_hash(apr_pool_t *p, const char *typed);

#endif
