/* validate.c - field rules of the contract, as pure functions.
 *
 * Everything here is reentrant: no global state, no locale, no TZ; the
 * calendar arithmetic is done by hand so that no libc time function (and
 * its process-wide time zone) is involved. */
#include <string.h>
#include <apr_strings.h>
#include "tasks/core/validate.h"

/* Decode one code point of the len bytes at s into *cp. Returns the number of
 * bytes it used, or -1 when they do not start a valid UTF-8 sequence: stray
 * continuation bytes, truncated sequences, overlong forms, UTF-16 surrogates
 * and anything above U+10FFFF are all refused (RFC 3629). */
int tasks_utf8_decode(const unsigned char *s, apr_size_t len, unsigned *cp)
{
    unsigned c = s[0], v, min;
    int n, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2; v = c & 0x1f; min = 0x80;
    }
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3; v = c & 0x0f; min = 0x800;
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; v = c & 0x07; min = 0x10000;
    }
    else {
        return -1; /* continuation byte, C0/C1 (always overlong), F5..FF */
    }
    if (len < (apr_size_t)n)
        return -1;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return -1;
    *cp = v;
    return n;
}

/* Promise: code points in s[0..len), or -1 when the bytes are not strict
 * UTF-8. U+0000 is a valid code point and is counted. */
long tasks_utf8_length(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;
    long count = 0;
    unsigned cp;

    while (i < len) {
        int n = tasks_utf8_decode(u + i, len - i, &cp);
        if (n < 0)
            return -1;
        i += (apr_size_t)n;
        count++;
    }
    return count;
}

/* Whether cp has the Unicode White_Space property (Unicode 15 PropList). */
static int is_white_space(unsigned cp)
{
    return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85
        || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a)
        || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f
        || cp == 0x3000;
}

/* Promise: a pool copy of s without leading and trailing White_Space code
 * points. Bytes that are not valid UTF-8 are never white space, so they stay
 * (the caller's length check rejects them). NULL in, NULL out. */
const char *tasks_trim(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t len, i = 0, start = 0, end = 0;
    int seen = 0;
    unsigned cp;

    if (!s)
        return NULL;
    len = strlen(s);
    /* One forward pass: a backward scan would have to guess where a
     * sequence starts, which invalid input makes ambiguous. */
    while (i < len) {
        int n = tasks_utf8_decode(u + i, len - i, &cp);
        int space = n > 0 && is_white_space(cp);
        if (n < 0)
            n = 1;
        if (!space) {
            if (!seen)
                start = i;
            seen = 1;
            end = i + (apr_size_t)n;
        }
        i += (apr_size_t)n;
    }
    if (!seen)
        return apr_pstrdup(p, "");
    return apr_pstrmemdup(p, s + start, end - start);
}

/* Parse exactly n ASCII digits at s into *out; 0 on success. */
static int digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Whether y is a Gregorian leap year. */
static int is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1-12) of year y. */
static int days_in_month(long long y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), valid for any year; no libc involved. */
static long long days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    long long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Promise: s parsed as RFC 3339 "date-time" (YYYY-MM-DD 'T' HH:MM:SS
 * [.fraction] then 'Z' or +hh:mm/-hh:mm; 'T' and 'Z' in either case) and
 * rendered in UTC with exactly six fraction digits; NULL when s is anything
 * else. Deliberate limits: the space separator RFC 3339 allows "for
 * readability" is refused, a leap second (:60) is refused because PostgreSQL
 * cannot store it either, and only years 0001-9999 are accepted, before and
 * after the shift to UTC, so the result always has a four-digit year. */
const char *tasks_rfc3339_to_utc(apr_pool_t *p, const char *s)
{
    int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
    long frac = 0, scale = 100000;
    long long secs;
    const char *c;

    if (!s || strlen(s) < 20)
        return NULL;
    if (digits(s, 4, &year) || s[4] != '-' || digits(s + 5, 2, &mon)
        || s[7] != '-' || digits(s + 8, 2, &day)
        || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hour)
        || s[13] != ':' || digits(s + 14, 2, &min) || s[16] != ':'
        || digits(s + 17, 2, &sec))
        return NULL;
    c = s + 19;
    if (*c == '.') {
        c++;
        if (*c < '0' || *c > '9')
            return NULL; /* a dot needs at least one digit */
        for (; *c >= '0' && *c <= '9'; c++) {
            /* Digits past microseconds are read and dropped (truncation). */
            if (scale) {
                frac += (*c - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (*c == 'Z' || *c == 'z') {
        c++;
    }
    else if (*c == '+' || *c == '-') {
        sign = *c == '+' ? 1 : -1;
        if (digits(c + 1, 2, &oh) || c[3] != ':' || digits(c + 4, 2, &om))
            return NULL;
        c += 6;
    }
    else {
        return NULL; /* no zone: a local time means nothing to the server */
    }
    if (*c != '\0')
        return NULL;
    if (year < 1 || mon < 1 || mon > 12 || day < 1
        || day > days_in_month(year, mon) || hour > 23 || min > 59
        || sec > 59 || oh > 23 || om > 59)
        return NULL;

    secs = days_from_civil(year, mon, day) * 86400LL + hour * 3600LL
         + min * 60LL + sec - sign * (oh * 3600LL + om * 60LL);
    return tasks_instant_from_seconds(p, secs, frac);
}

/* Promise: see validate.h. */
int tasks_instant_seconds(const char *utc, long long *secs, long *usec)
{
    int year, mon, day, hour, min, sec, frac = 0, i;

    if (!utc || strlen(utc) != 27 || digits(utc, 4, &year) || utc[4] != '-'
        || digits(utc + 5, 2, &mon) || utc[7] != '-'
        || digits(utc + 8, 2, &day) || utc[10] != 'T'
        || digits(utc + 11, 2, &hour) || utc[13] != ':'
        || digits(utc + 14, 2, &min) || utc[16] != ':'
        || digits(utc + 17, 2, &sec) || utc[19] != '.' || utc[26] != 'Z')
        return -1;
    for (i = 20; i < 26; i++) {
        if (utc[i] < '0' || utc[i] > '9')
            return -1;
        frac = frac * 10 + (utc[i] - '0');
    }
    if (year < 1 || mon < 1 || mon > 12 || day < 1
        || day > days_in_month(year, mon) || hour > 23 || min > 59 || sec > 59)
        return -1;
    *secs = days_from_civil(year, mon, day) * 86400LL + hour * 3600LL
          + min * 60LL + sec;
    if (usec)
        *usec = frac;
    return 0;
}

/* Promise: see validate.h. */
const char *tasks_instant_from_seconds(apr_pool_t *p, long long secs,
                                       long usec)
{
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400), y;
    int mon, day;

    secs -= days * 86400;
    civil_from_days(days, &y, &mon, &day);
    if (y < 1 || y > 9999 || usec < 0 || usec > 999999)
        return NULL;
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", (int)y,
                        mon, day, (int)(secs / 3600), (int)(secs / 60 % 60),
                        (int)(secs % 60), usec);
}

/* Promise: see validate.h. */
int tasks_idempotency_key_valid(const char *key)
{
    apr_size_t n = 0;

    if (!key)
        return 0;
    for (; key[n]; n++)
        if ((unsigned char)key[n] < 0x21 || (unsigned char)key[n] > 0x7e)
            return 0;
    return n >= 1 && n <= 255;
}

/* Indexed by rank; read-only, so shared across threads safely. */
static const char *const priority_names[] = { "none", "low", "medium", "high" };

/* Promise: the rank of an exact (case-sensitive) priority name, else -1. */
int tasks_priority_rank(const char *name)
{
    int i;

    if (!name)
        return -1;
    for (i = 0; i < 4; i++)
        if (strcmp(name, priority_names[i]) == 0)
            return i;
    return -1;
}

/* Promise: the name of rank, "none" for anything out of range. */
const char *tasks_priority_name(int rank)
{
    return rank >= 0 && rank < 4 ? priority_names[rank] : "none";
}

/* Promise: s trimmed and copied into p when it is a plausible address,
 * else NULL. Deliberately loose (no RFC 5321 grammar): exactly one '@',
 * non-empty local part, a domain with a dot that neither starts nor ends it
 * and no empty label, valid UTF-8 (internationalised addresses pass), no
 * white space or control characters anywhere, at most 254 bytes. */
const char *tasks_email_normalize(apr_pool_t *p, const char *s)
{
    const char *t = tasks_trim(p, s), *at, *domain;
    const unsigned char *u;
    apr_size_t len, i, n;
    unsigned cp;

    if (!t)
        return NULL;
    len = strlen(t);
    if (len == 0 || len > 254)
        return NULL;
    u = (const unsigned char *)t;
    for (i = 0; i < len; i += n) {
        int r = tasks_utf8_decode(u + i, len - i, &cp);
        if (r < 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
            || is_white_space(cp) || cp == 0x2028 || cp == 0x2029)
            return NULL;
        n = (apr_size_t)r;
    }
    at = strchr(t, '@');
    if (!at || at == t || strchr(at + 1, '@'))
        return NULL;
    domain = at + 1;
    if (!strchr(domain, '.') || domain[0] == '.' || t[len - 1] == '.'
        || strstr(domain, ".."))
        return NULL;
    return t;
}
