/* validate.h - field rules of the contract, as pure functions. */
#ifndef TASKS_VALIDATE_H
#define TASKS_VALIDATE_H

#include <apr_pools.h>

/* Decode one code point of the len bytes at s into *cp: the number of
 * bytes it used, or -1 when they do not start a strict UTF-8 sequence
 * (stray continuation bytes, truncation, overlongs, surrogates, above
 * U+10FFFF). Stops at the first byte that is not a continuation byte. */
int tasks_utf8_decode(const unsigned char *s, apr_size_t len, unsigned *cp);

/* Number of Unicode code points in a valid UTF-8 string of len bytes, or -1
 * when the bytes are not valid UTF-8 (overlongs, surrogates, > U+10FFFF). */
long tasks_utf8_length(const char *s, apr_size_t len);

/* s with surrounding white space removed (ASCII space, \t, \n, \r, \f, \v and
 * the Unicode White_Space code points such as U+00A0, U+2000..U+200A, U+3000),
 * copied into p. */
const char *tasks_trim(apr_pool_t *p, const char *s);

/* Parse an RFC 3339 date-time that carries a zone ("Z" or +hh:mm); a bare
 * date or a local time is refused. On success returns the instant in UTC as
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" allocated in p; NULL when invalid (bad
 * calendar dates such as Feb 30 included). Fractions beyond microseconds are
 * truncated. */
const char *tasks_rfc3339_to_utc(apr_pool_t *p, const char *s);

/* Priorities by rank: none < low < medium < high. */
enum { TASKS_PRIORITY_NONE = 0, TASKS_PRIORITY_LOW, TASKS_PRIORITY_MEDIUM,
       TASKS_PRIORITY_HIGH };

/* An instant in tasks_rfc3339_to_utc's form ("YYYY-MM-DDTHH:MM:SS.ffffffZ",
 * exactly) as seconds since 1970 (negative before) and its microseconds
 * (usec may be NULL): 0, or -1 for any other text. */
int tasks_instant_seconds(const char *utc, long long *secs, long *usec);

/* The inverse: the instant's text in p, or NULL outside years 0001-9999. */
const char *tasks_instant_from_seconds(apr_pool_t *p, long long secs,
                                       long usec);

/* 1 when key is an Idempotency-Key we take: 1-255 visible ASCII
 * characters (0x21-0x7e; no space), else 0. */
int tasks_idempotency_key_valid(const char *key);

/* Rank of a priority name, or -1 when it is not one. */
int tasks_priority_rank(const char *name);
/* Name of a rank ("none" for anything out of range). */
const char *tasks_priority_name(int rank);

/* Email as stored: trimmed; NULL when it is not a plausible address
 * (one '@', non-empty local and domain parts, a dot in the domain, no
 * white space or control characters, at most 254 bytes). Case is kept;
 * comparisons are done case-insensitively by the database. */
const char *tasks_email_normalize(apr_pool_t *p, const char *s);

#endif
