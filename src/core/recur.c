/* recur.c - which RRULE values we accept, and a task's next occurrence,
 * by libical (parsing and expansion) on the machine's tz database.
 *
 * Why our own check before libical's parser: libical accepts parts we do
 * not support (BYSETPOS, BYHOUR, SECONDLY ...), ignores some it does not
 * know, and expands some invalid combinations (a weekly rule with an
 * ordinal day) into surprising dates. The contract promises a 422 for
 * all of those, so the grammar is narrowed here first; libical then
 * parses only what we vouch for. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <libical/ical.h>

#include "ical_int.h"

#include "tasks/core/recur.h"
#include "tasks/core/validate.h"

/* ---- The rule's grammar ------------------------------------------------ */

enum { P_FREQ, P_INTERVAL, P_BYDAY, P_BYMONTHDAY, P_BYMONTH, P_COUNT,
       P_UNTIL, P_NPARTS };
static const char *const part_names[P_NPARTS] = {
    "FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL"
};

static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
enum { F_DAILY, F_WEEKLY, F_MONTHLY, F_YEARLY, F_NONE };

static const char *const weekdays[] = { "MO", "TU", "WE", "TH", "FR", "SA",
                                        "SU" };

/* s, all of it, as a whole number in [lo, hi], with an optional sign
 * when signed_ok. */
static int number_in(const char *s, int signed_ok, long lo, long hi,
                     long *out)
{
    const char *d = s;
    long v = 0;
    int neg = 0;

    if (signed_ok && (*d == '+' || *d == '-'))
        neg = *d++ == '-';
    if (!isdigit((unsigned char)*d))
        return -1;
    for (; isdigit((unsigned char)*d); d++) {
        v = v * 10 + (*d - '0');
        if (v > 100000)
            return -1;
    }
    if (*d)
        return -1;
    v = neg ? -v : v;
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Each element of a comma list through check(element, baton): -1 when
 * one fails or the list is empty or has an empty element. */
static int each_element(apr_pool_t *p, const char *list,
                        int (*check)(const char *, void *), void *baton)
{
    char *copy = apr_pstrdup(p, list), *last, *e;
    int n = 0;

    if (!*list || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
        return -1;
    for (e = apr_strtok(copy, ",", &last); e; e = apr_strtok(NULL, ",", &last)) {
        if (check(e, baton) != 0 || ++n > 60)
            return -1;
    }
    return n ? 0 : -1;
}

/* BYDAY element: [+-]n? followed by a weekday; max_ordinal 0 allows none. */
static int check_byday(const char *e, void *baton)
{
    int max_ordinal = *(int *)baton, i;
    apr_size_t len = strlen(e);
    long n;

    if (len < 2)
        return -1;
    for (i = 0; i < 7 && strcmp(e + len - 2, weekdays[i]) != 0; i++)
        ;
    if (i == 7)
        return -1;
    if (len == 2)
        return 0;
    if (max_ordinal == 0)
        return -1;
    {
        char num[8];

        if (len - 2 >= sizeof num)
            return -1;
        memcpy(num, e, len - 2);
        num[len - 2] = '\0';
        if (number_in(num, 1, -max_ordinal, max_ordinal, &n) != 0 || n == 0)
            return -1;
    }
    return 0;
}

static int check_monthday(const char *e, void *baton)
{
    long n;

    (void)baton;
    return number_in(e, 1, -31, 31, &n) == 0 && n != 0 ? 0 : -1;
}

static int check_month(const char *e, void *baton)
{
    long n;

    (void)baton;
    return number_in(e, 0, 1, 12, &n);
}

/* Whether one of the months (a checked BYMONTH list; NULL: all) has one
 * of the days (a checked BYMONTHDAY list), February with 29. */
static int some_month_has_a_day(apr_pool_t *p, const char *months,
                                const char *days)
{
    static const int longest[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30,
                                     31, 30, 31 };
    char *mcopy = months ? apr_pstrdup(p, months) : NULL, *ml, *m;
    int month, longest_listed = 0;

    if (!mcopy) {
        longest_listed = 31;
    }
    else {
        for (m = apr_strtok(mcopy, ",", &ml); m; m = apr_strtok(NULL, ",", &ml)) {
            month = atoi(m);
            if (month >= 1 && month <= 12 && longest[month] > longest_listed)
                longest_listed = longest[month];
        }
    }
    {
        char *dcopy = apr_pstrdup(p, days), *dl, *d;

        for (d = apr_strtok(dcopy, ",", &dl); d; d = apr_strtok(NULL, ",", &dl))
            if (abs(atoi(d)) <= longest_listed)
                return 1;
    }
    return 0;
}

/* UNTIL: a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ) that
 * libical reads as a valid time. */
static int check_until(const char *v)
{
    apr_size_t len = strlen(v), i;
    struct icaltimetype t;

    if (len != 8 && len != 16)
        return -1;
    for (i = 0; i < len; i++) {
        int want_digit = !(len == 16 && (i == 8 || i == 15));

        if (want_digit ? !isdigit((unsigned char)v[i])
                       : v[i] != (i == 8 ? 'T' : 'Z'))
            return -1;
    }
    t = icaltime_from_string(v);
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)
        || t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1
        || t.day > icaltime_days_in_month(t.month, t.year)
        || t.hour > 23 || t.minute > 59 || t.second > 59)
        return -1;
    return 0;
}

/* An expansion: libical's iterator over the rule on a floating wall
 * clock, and the rule's UNTIL, which is applied here. Why floating:
 * libical 3.0's iterator, given a start with a zone, keeps the time a
 * daylight-saving gap pushed forward (02:30 -> 03:30 on the day clocks
 * spring forward) for the next occurrence as well; on a floating clock
 * every occurrence keeps the start's wall-clock time, and each is put
 * into the zone on its own. UNTIL is taken out of libical's hands for
 * the same reason: it would compare a UTC limit with floating times. */
typedef struct {
    icalrecur_iterator *it;
    int until_kind;             /* 0 none, 1 a date, 2 an instant         */
    struct icaltimetype until;  /* the date (until_kind 1)                */
    long long until_at;         /* the instant (until_kind 2)             */
} expansion;

/* Start expanding rule from the instant start on zone's wall clock: 0,
 * or -1 when libical cannot expand the rule from there. */
static int expand(const char *rule, icaltimezone *zone, long long start,
                  expansion *e)
{
    struct icalrecurrencetype r;
    struct icaltimetype dtstart;

    memset(e, 0, sizeof *e);
    icalerror_clear_errno();
    r = icalrecurrencetype_from_string(rule);
    if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR)
        return -1;
    if (!icaltime_is_null_time(r.until)) {
        e->until_kind = r.until.is_date ? 1 : 2;
        e->until = r.until;
        e->until_at = (long long)icaltime_as_timet_with_zone(
            r.until, icaltimezone_get_utc_timezone());
        r.until = icaltime_null_time();
    }
    dtstart = icaltime_from_timet_with_zone((time_t)start, 0,
                                            icaltimezone_get_utc_timezone());
    dtstart = icaltime_convert_to_zone(dtstart, zone);
    dtstart.zone = NULL;
    e->it = icalrecur_iterator_new(r, dtstart);
    return e->it ? 0 : -1;
}

/* Promise: see ical_int.h. */
long long tasks_ical_wall_clock(struct icaltimetype t, icaltimezone *zone)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    struct icaltimetype back, at_utc;
    long long at;
    int before;

    t.zone = NULL;
    t.is_date = 0;
    at = (long long)icaltime_as_timet_with_zone(t, zone);
    back = icaltime_from_timet_with_zone((time_t)at, 0, zone);
    if (back.year == t.year && back.month == t.month && back.day == t.day
        && back.hour == t.hour && back.minute == t.minute
        && back.second == t.second)
        return at;
    /* In a gap: libical's instant lies before the gap, where the offset
     * is the one before it. */
    at_utc = icaltime_from_timet_with_zone((time_t)at, 0, utc);
    before = icaltimezone_get_utc_offset_of_utc_time(zone, &at_utc, NULL);
    return (long long)icaltime_as_timet_with_zone(t, utc) - before;
}

/* The next occurrence as an instant in *at: 1, or 0 when there is none
 * (the rule is exhausted, or past its UNTIL). */
static int expand_next(expansion *e, icaltimezone *zone, long long *at)
{
    struct icaltimetype o = icalrecur_iterator_next(e->it);

    if (icaltime_is_null_time(o))
        return 0;
    if (e->until_kind == 1 && icaltime_compare_date_only(o, e->until) > 0)
        return 0;
    *at = tasks_ical_wall_clock(o, zone);
    return e->until_kind == 2 && *at > e->until_at ? 0 : 1;
}

/* Promise: see recur.h. */
const char *tasks_recur_parse(apr_pool_t *p, const char *rule,
                              const char **normalized)
{
    const char *value[P_NPARTS] = { NULL };
    char *upper, *last, *part;
    int freq = F_NONE, i, max_ordinal;
    long n;
    expansion e;

    if (!rule || !*rule || strlen(rule) > TASKS_RULE_MAX)
        return apr_psprintf(p, "must be an RRULE value of 1-%d characters",
                            TASKS_RULE_MAX);
    upper = apr_pstrdup(p, rule);
    for (i = 0; upper[i]; i++) {
        unsigned char c = (unsigned char)upper[i];

        if (!(isalnum(c) || c == ';' || c == '=' || c == ',' || c == '+'
              || c == '-'))
            return "must be an RRULE value such as FREQ=WEEKLY;BYDAY=MO "
                   "(letters, digits and ;=,+- only)";
        upper[i] = (char)toupper(c);
    }
    if (upper[0] == ';' || upper[strlen(upper) - 1] == ';'
        || strstr(upper, ";;"))
        return "must be NAME=VALUE parts separated by ';'";
    *normalized = apr_pstrdup(p, upper);
    for (part = apr_strtok(upper, ";", &last); part;
         part = apr_strtok(NULL, ";", &last)) {
        char *eq = strchr(part, '=');

        if (!eq || eq == part || !eq[1])
            return "must be NAME=VALUE parts separated by ';'";
        *eq = '\0';
        for (i = 0; i < P_NPARTS && strcmp(part, part_names[i]) != 0; i++)
            ;
        if (i == P_NPARTS)
            return apr_psprintf(p, "has an unsupported part %s (supported: "
                                "FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, "
                                "COUNT, UNTIL)", part);
        if (value[i])
            return apr_psprintf(p, "has %s twice", part);
        value[i] = eq + 1;
    }
    if (!value[P_FREQ])
        return "needs FREQ";
    for (freq = 0; freq < F_NONE && strcmp(value[P_FREQ], freqs[freq]) != 0;
         freq++)
        ;
    if (freq == F_NONE)
        return "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY";
    if (value[P_INTERVAL] && number_in(value[P_INTERVAL], 0, 1, 1000, &n))
        return "INTERVAL must be 1-1000";
    if (value[P_COUNT] && value[P_UNTIL])
        return "must not have both COUNT and UNTIL";
    if (value[P_COUNT] && number_in(value[P_COUNT], 0, 1, 1000, &n))
        return "COUNT must be 1-1000";
    if (value[P_UNTIL] && check_until(value[P_UNTIL]))
        return "UNTIL must be a date (YYYYMMDD) or a UTC date-time "
               "(YYYYMMDDTHHMMSSZ)";
    max_ordinal = freq == F_MONTHLY ? 5 : freq == F_YEARLY ? 53 : 0;
    if (value[P_BYDAY]
        && each_element(p, value[P_BYDAY], check_byday, &max_ordinal))
        return max_ordinal
            ? apr_psprintf(p, "BYDAY must list days (MO..SU), each with an "
                           "optional ordinal of 1-%d or -%d to -1",
                           max_ordinal, max_ordinal)
            : "BYDAY must list days (MO..SU); ordinals such as 1MO need "
              "FREQ=MONTHLY or YEARLY";
    if (value[P_BYMONTHDAY] && freq == F_WEEKLY)
        return "BYMONTHDAY cannot be used with FREQ=WEEKLY";
    if (value[P_BYMONTHDAY]
        && each_element(p, value[P_BYMONTHDAY], check_monthday, NULL))
        return "BYMONTHDAY must list days of 1-31 or -31 to -1";
    if (value[P_BYMONTH]
        && each_element(p, value[P_BYMONTH], check_month, NULL))
        return "BYMONTH must list months of 1-12";
    /* Days that no listed month has (the 30th of February): libical
     * would search centuries for them, so they are refused here. */
    if (value[P_BYMONTHDAY] && !some_month_has_a_day(p, value[P_BYMONTH],
                                                     value[P_BYMONTHDAY]))
        return "never occurs (no listed month has those days)";
    /* What libical cannot expand at all. */
    if (expand(*normalized, icaltimezone_get_utc_timezone(), 946684800, &e))
        return "never occurs";
    icalrecur_iterator_free(e.it);
    return NULL;
}

/* Promise: see recur.h. Names are looked up in libical's list of the tz
 * database's zones, so a path ("../x") is never a file name. */
const char *tasks_zone_check(const char *zone)
{
    icaltimezone *z;
    apr_size_t i, len;

    if (!zone || (len = strlen(zone)) == 0 || len > TASKS_ZONE_MAX)
        return NULL;
    if (strcmp(zone, "UTC") == 0)
        return "UTC";
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)zone[i];

        if (!(isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+'))
            return NULL;
    }
    if (strstr(zone, "..") || zone[0] == '/')
        return NULL;
    z = icaltimezone_get_builtin_timezone(zone);
    if (!z)
        return NULL;
    /* libical answers "GMT" with its UTC zone, which has no location.
     * Otherwise the name is the one asked for (libical matches it
     * exactly); never libical's own string, which it frees when it loads
     * the zone's rules. */
    return icaltimezone_get_location(z) ? zone : "UTC";
}

/* The zone of a checked name. */
static icaltimezone *zone_of(const char *name)
{
    if (!name || strcmp(name, "UTC") == 0)
        return icaltimezone_get_utc_timezone();
    return tasks_zone_check(name) ? icaltimezone_get_builtin_timezone(name)
                                  : NULL;
}

/* Promise: see recur.h. */
tasks_recur_rc tasks_recur_next(apr_pool_t *p, const char *rule,
                                const char *zone, const char *start,
                                const char *after, const char **next)
{
    icaltimezone *z = zone_of(zone);
    const char *normalized;
    long long s0, a0, t;
    expansion e;
    tasks_recur_rc rc = TASKS_RECUR_END;
    int i;

    if (!z || tasks_recur_parse(p, rule, &normalized)
        || tasks_instant_seconds(start, &s0, NULL)
        || tasks_instant_seconds(after, &a0, NULL))
        return TASKS_RECUR_INVALID;
    if (expand(normalized, z, s0, &e))
        return TASKS_RECUR_END;
    for (i = 0; i < TASKS_RECUR_SEARCH_MAX && expand_next(&e, z, &t); i++) {
        if (t > a0) {
            *next = tasks_instant_from_seconds(p, t, 0);
            rc = *next ? TASKS_RECUR_NEXT : TASKS_RECUR_END;
            break;
        }
    }
    icalrecur_iterator_free(e.it);
    return rc;
}

/* Promise: see recur.h. */
int tasks_duration_seconds(const char *s, long long *seconds)
{
    static const struct { char unit; long long secs; int in_time; } units[] = {
        { 'W', 604800, 0 }, { 'D', 86400, 0 },
        { 'H', 3600, 1 }, { 'M', 60, 1 }, { 'S', 1, 1 }
    };
    long long total = 0;
    int next_unit = 0, in_time = 0, parts = 0, time_parts = 0;

    if (!s || *s++ != 'P')
        return -1;
    while (*s) {
        long long v = 0;
        int digits = 0, u;

        if (*s == 'T' && !in_time) {
            in_time = 1;
            s++;
            continue;
        }
        for (; isdigit((unsigned char)*s); s++) {
            v = v * 10 + (*s - '0');
            if (++digits > 9)
                return -1;
        }
        if (!digits)
            return -1;
        for (u = next_unit; u < 5 && units[u].unit != *s; u++)
            ;
        /* In order, and H/M/S only after T (M before T would be months). */
        if (u == 5 || units[u].in_time != in_time)
            return -1;
        total += v * units[u].secs;
        if (total > TASKS_REMINDER_BEFORE_MAX)
            return -1;
        next_unit = u + 1;
        parts++;
        time_parts += in_time;
        s++;
    }
    if (!parts || (in_time && !time_parts) || total <= 0)
        return -1;
    *seconds = total;
    return 0;
}

/* Promise: see recur.h. */
const char *tasks_instant_add(apr_pool_t *p, const char *at, long long delta)
{
    long long secs;
    long usec;

    if (tasks_instant_seconds(at, &secs, &usec))
        return NULL;
    return tasks_instant_from_seconds(p, secs + delta, usec);
}

/* Promise: see recur.h. */
int tasks_instant_diff(const char *a, const char *b, long long *delta)
{
    long long sa, sb;

    if (tasks_instant_seconds(a, &sa, NULL) || tasks_instant_seconds(b, &sb, NULL))
        return -1;
    *delta = sb - sa;
    return 0;
}
