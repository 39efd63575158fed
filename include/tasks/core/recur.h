/* recur.h - recurrence rules (RFC 5545 RRULE values), time zones (IANA
 * names, the machine's tz database) and reminders, for recurring tasks.
 * Rules are parsed and expanded by libical, never by hand; this unit
 * decides which of RFC 5545 we accept and how a task's occurrences are
 * found. Pure: APR and libical only (libical's time zones are loaded
 * once per process under its own locks, so these calls are safe from
 * any thread).
 *
 * Instants are text in tasks_rfc3339_to_utc's form
 * ("YYYY-MM-DDTHH:MM:SS.ffffffZ"), as the rest of the core keeps them. */
#ifndef TASKS_CORE_RECUR_H
#define TASKS_CORE_RECUR_H

#include <apr_pools.h>

#define TASKS_REMINDERS_MAX 10          /* reminders per task             */
#define TASKS_RULE_MAX 255              /* an RRULE value's bytes         */
#define TASKS_ZONE_MAX 64               /* a zone name's bytes            */
#define TASKS_REMINDER_BEFORE_MAX (366LL * 86400) /* seconds              */
/* How many occurrences past a rule's start are looked at for the next
 * one; a rule whose next is further than that has none. */
#define TASKS_RECUR_SEARCH_MAX 100000

/* Promise: NULL when rule is an RRULE value we accept, with *normalized
 * its canonical text in p (parts as given, in upper case); otherwise the
 * reason, for a 422 on "recurrence" (e.g. "FREQ is required"). Accepted:
 * FREQ (DAILY, WEEKLY, MONTHLY, YEARLY; required), INTERVAL (1-1000),
 * BYDAY (MO..SU; ordinals 1..5 / -5..-1 with MONTHLY, 1..53 / -53..-1
 * with YEARLY), BYMONTHDAY (1..31, -31..-1), BYMONTH (1..12), COUNT
 * (1-1000) or UNTIL (YYYYMMDD or YYYYMMDDTHHMMSSZ), each at most once;
 * names and values in any case. */
const char *tasks_recur_parse(apr_pool_t *p, const char *rule,
                              const char **normalized);

/* Promise: zone itself when it is a known IANA zone, spelled as the tz
 * database spells it; "UTC" for UTC (and GMT, which libical reads as
 * UTC); else NULL. */
const char *tasks_zone_check(const char *zone);

typedef enum {
    TASKS_RECUR_NEXT = 0,   /* *next is the occurrence                    */
    TASKS_RECUR_END,        /* the rule has no occurrence after `after`   */
    TASKS_RECUR_INVALID     /* rule, zone or an instant is not valid      */
} tasks_recur_rc;

/* Promise: the first occurrence of rule strictly after the instant
 * `after`, for the series that starts at the instant `start`, computed on
 * the wall clock of zone (09:00 in Europe/Berlin stays 09:00 there across
 * daylight-saving changes; a wall-clock time that a change skips is moved
 * forward by the gap, as RFC 5545 says). COUNT counts from start. The
 * start itself is an occurrence only when the rule yields it. *next is in
 * p; whole seconds. */
tasks_recur_rc tasks_recur_next(apr_pool_t *p, const char *rule,
                                const char *zone, const char *start,
                                const char *after, const char **next);

/* Promise: 0 and *seconds when s is an ISO 8601 duration that a
 * reminder may be before its due time: "P" then weeks (W), days (D) and,
 * after "T", hours (H), minutes (M), seconds (S), in that order, each a
 * whole number, at least one, in upper case; a day is 24 hours; more
 * than 0 and at most TASKS_REMINDER_BEFORE_MAX. -1 otherwise ("P-1D",
 * "P1M" (months vary), "PT" ...). */
int tasks_duration_seconds(const char *s, long long *seconds);

/* Promise: the instant at plus delta seconds, in p; NULL when at is not
 * an instant or the result leaves years 0001-9999. */
const char *tasks_instant_add(apr_pool_t *p, const char *at,
                              long long delta);

/* Promise: b minus a in whole seconds in *delta (fractions dropped from
 * each), 0; -1 when either is not an instant. */
int tasks_instant_diff(const char *a, const char *b, long long *delta);

/* A completion of a recurring task's occurrence, as the store returns it
 * (RFC 3339 UTC text). */
typedef struct {
    const char *completed_at;
    const char *due_at;         /* the occurrence that was completed       */
} tasks_completion_row;

/* A reminder that fires, as the store returns it. */
typedef struct {
    const char *task_id;
    const char *title;
    const char *fires_at;
    const char *due_at;         /* NULL: the task has none                 */
} tasks_reminder_row;

#endif
