/* test_recur.c - recurrence rules, zones, reminder durations. The
 * expected occurrences are fixed; they were computed independently with
 * Python's dateutil.rrule and zoneinfo (fold=0 for a time in a gap: the
 * offset before it, as RFC 5545 says) and agree with libical's here. */
#include <string.h>

#include <apr_pools.h>
#include <check.h>

#include "tasks/core/recur.h"
#include "suites.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

#define MAX_EXPECTED 4
static const struct {
    const char *rule, *zone, *start;
    const char *next[MAX_EXPECTED + 1]; /* NULL after the last one: the
                                           rule is exhausted there when
                                           fewer than MAX_EXPECTED      */
} occurrences[] = {
    /* FREQ alone: every day at the start's time */
    { "FREQ=DAILY", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-02T09:00:00.000000Z",
        "2026-01-03T09:00:00.000000Z",
        "2026-01-04T09:00:00.000000Z",
        "2026-01-05T09:00:00.000000Z" } },
    /* INTERVAL with BYDAY: every other week, Monday and Friday */
    { "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "UTC", "2026-01-05T09:00:00.000000Z",
      { "2026-01-09T09:00:00.000000Z",
        "2026-01-19T09:00:00.000000Z",
        "2026-01-23T09:00:00.000000Z",
        "2026-02-02T09:00:00.000000Z" } },
    /* BYDAY with a negative ordinal: the last Friday of each month */
    { "FREQ=MONTHLY;BYDAY=-1FR", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-30T09:00:00.000000Z",
        "2026-02-27T09:00:00.000000Z",
        "2026-03-27T09:00:00.000000Z" } },
    /* BYDAY with an ordinal: the first Monday of each month */
    { "FREQ=MONTHLY;BYDAY=1MO", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-05T09:00:00.000000Z",
        "2026-02-02T09:00:00.000000Z",
        "2026-03-02T09:00:00.000000Z" } },
    /* BYMONTHDAY=-1: the last day of each month, February's 28th included */
    { "FREQ=MONTHLY;BYMONTHDAY=-1", "UTC", "2026-01-31T09:00:00.000000Z",
      { "2026-02-28T09:00:00.000000Z",
        "2026-03-31T09:00:00.000000Z",
        "2026-04-30T09:00:00.000000Z" } },
    /* month ends: the 31st skips the months without one */
    { "FREQ=MONTHLY", "UTC", "2026-01-31T09:00:00.000000Z",
      { "2026-03-31T09:00:00.000000Z",
        "2026-05-31T09:00:00.000000Z",
        "2026-07-31T09:00:00.000000Z" } },
    /* BYMONTHDAY with BYMONTH: the 15th and the last day of February and April */
    { "FREQ=MONTHLY;BYMONTHDAY=15,-1;BYMONTH=2,4", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-02-15T09:00:00.000000Z",
        "2026-02-28T09:00:00.000000Z",
        "2026-04-15T09:00:00.000000Z",
        "2026-04-30T09:00:00.000000Z" } },
    /* BYMONTH: March and September on the start's day */
    { "FREQ=YEARLY;BYMONTH=3,9", "UTC", "2026-01-15T09:00:00.000000Z",
      { "2026-03-15T09:00:00.000000Z",
        "2026-09-15T09:00:00.000000Z",
        "2027-03-15T09:00:00.000000Z" } },
    /* leap day: yearly from 29 February only in leap years */
    { "FREQ=YEARLY", "UTC", "2024-02-29T09:00:00.000000Z",
      { "2028-02-29T09:00:00.000000Z",
        "2032-02-29T09:00:00.000000Z" } },
    /* leap day by parts: February 29th from a common year */
    { "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "UTC", "2025-01-01T09:00:00.000000Z",
      { "2028-02-29T09:00:00.000000Z",
        "2032-02-29T09:00:00.000000Z" } },
    /* a YEARLY ordinal: the fourth Thursday of November */
    { "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-11-26T09:00:00.000000Z",
        "2027-11-25T09:00:00.000000Z" } },
    /* COUNT counts the start: two more, then none */
    { "FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-02T09:00:00.000000Z",
        "2026-01-03T09:00:00.000000Z" } },
    /* UNTIL as a UTC date-time: inclusive */
    { "FREQ=DAILY;UNTIL=20260103T090000Z", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-02T09:00:00.000000Z",
        "2026-01-03T09:00:00.000000Z" } },
    /* UNTIL as a date: through that day */
    { "FREQ=DAILY;UNTIL=20260103", "UTC", "2026-01-01T09:00:00.000000Z",
      { "2026-01-02T09:00:00.000000Z",
        "2026-01-03T09:00:00.000000Z" } },
    /* Europe/Berlin, spring: 09:00 stays 09:00 (08:00Z, then 07:00Z) */
    { "FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin", "2026-03-16T08:00:00.000000Z",
      { "2026-03-23T08:00:00.000000Z",
        "2026-03-30T07:00:00.000000Z" } },
    /* Europe/Berlin, autumn: 09:00 CEST, then 09:00 CET */
    { "FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin", "2026-10-19T07:00:00.000000Z",
      { "2026-10-26T08:00:00.000000Z" } },
    /* America/New_York, 8 March: 09:00 EST, then 09:00 EDT */
    { "FREQ=WEEKLY;BYDAY=MO,WE", "America/New_York", "2026-03-02T14:00:00.000000Z",
      { "2026-03-04T14:00:00.000000Z",
        "2026-03-09T13:00:00.000000Z",
        "2026-03-11T13:00:00.000000Z" } },
    /* America/New_York, 1 November: 09:00 EDT, then EST */
    { "FREQ=WEEKLY", "America/New_York", "2026-10-26T13:00:00.000000Z",
      { "2026-11-02T14:00:00.000000Z" } },
    /* Australia/Sydney, 5 April: summer time ends (+11 to +10) */
    { "FREQ=WEEKLY", "Australia/Sydney", "2026-03-29T22:00:00.000000Z",
      { "2026-04-05T23:00:00.000000Z" } },
    /* Australia/Sydney, 4 October: summer time begins (+10 to +11) */
    { "FREQ=WEEKLY", "Australia/Sydney", "2026-09-27T23:00:00.000000Z",
      { "2026-10-04T22:00:00.000000Z" } },
    /* a time a gap skips (02:30 on 29 March in Berlin) is read with the offset before it: 03:30 CEST */
    { "FREQ=DAILY", "Europe/Berlin", "2026-03-28T01:30:00.000000Z",
      { "2026-03-29T01:30:00.000000Z",
        "2026-03-30T00:30:00.000000Z" } },
    /* the same in New York on 8 March */
    { "FREQ=DAILY", "America/New_York", "2026-03-07T07:30:00.000000Z",
      { "2026-03-08T07:30:00.000000Z",
        "2026-03-09T06:30:00.000000Z" } },
};

/* Each case: the occurrences after the start, one by one (each found
 * after the previous, from the series' start, as completing does), and
 * for the rules that end (COUNT, UNTIL) no occurrence after the last. */
START_TEST(next_occurrences_match_the_expectations)
{
    const char *after = occurrences[_i].start, *next;
    int k;

    for (k = 0; k < MAX_EXPECTED && occurrences[_i].next[k]; k++) {
        ck_assert_msg(tasks_recur_next(pool, occurrences[_i].rule,
                                       occurrences[_i].zone,
                                       occurrences[_i].start, after, &next)
                      == TASKS_RECUR_NEXT, "%s: no occurrence %d",
                      occurrences[_i].rule, k + 1);
        ck_assert_str_eq(next, occurrences[_i].next[k]);
        after = next;
    }
    if (strstr(occurrences[_i].rule, "COUNT") || strstr(occurrences[_i].rule, "UNTIL"))
        ck_assert_int_eq(tasks_recur_next(pool, occurrences[_i].rule,
                                          occurrences[_i].zone,
                                          occurrences[_i].start, after, &next),
                         TASKS_RECUR_END);
}
END_TEST

/* What the contract refuses, each with its reason. */
static const struct { const char *rule, *reason; } refused[] = {
    { "FREQ=WEEKLY;FOO=1", "has an unsupported part FOO (supported: FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, COUNT, UNTIL)" },
    { "INTERVAL=2", "needs FREQ" },
    { "FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z", "must not have both COUNT and UNTIL" },
    { "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1", "has an unsupported part BYSETPOS (supported: FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, COUNT, UNTIL)" },
    { "FREQ=SECONDLY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY" },
    { "FREQ=HOURLY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY" },
    { "FREQ=WEEKLY;BYDAY=1MO", "BYDAY must list days (MO..SU); ordinals such as 1MO need FREQ=MONTHLY or YEARLY" },
    { "FREQ=MONTHLY;BYDAY=6MO", "BYDAY must list days (MO..SU), each with an optional ordinal of 1-5 or -5 to -1" },
    { "FREQ=MONTHLY;BYDAY=MO,,TU", "BYDAY must list days (MO..SU), each with an optional ordinal of 1-5 or -5 to -1" },
    { "FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must list days of 1-31 or -31 to -1" },
    { "FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY" },
    { "FREQ=YEARLY;BYMONTH=13", "BYMONTH must list months of 1-12" },
    { "FREQ=DAILY;INTERVAL=0", "INTERVAL must be 1-1000" },
    { "FREQ=DAILY;COUNT=0", "COUNT must be 1-1000" },
    { "FREQ=DAILY;UNTIL=2027", "UNTIL must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)" },
    { "FREQ=DAILY;UNTIL=20270230", "UNTIL must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)" },
    { "FREQ=DAILY;UNTIL=20270101T000000", "UNTIL must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)" },
    { "FREQ=DAILY;FREQ=WEEKLY", "has FREQ twice" },
    { "FREQ=DAILY;", "must be NAME=VALUE parts separated by ';'" },
    { "FREQ", "must be NAME=VALUE parts separated by ';'" },
    { "RRULE:FREQ=DAILY", "must be an RRULE value such as FREQ=WEEKLY;BYDAY=MO (letters, digits and ;=,+- only)" },
    { "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never occurs" },
    { "", "must be an RRULE value of 1-255 characters" },
};

START_TEST(refused_rules_say_why)
{
    const char *normalized = NULL;

    ck_assert_str_eq(tasks_recur_parse(pool, refused[_i].rule, &normalized),
                     refused[_i].reason);
}
END_TEST

/* Names and values in any case; the text kept is upper case. */
START_TEST(accepted_rules_are_normalized_to_upper_case)
{
    const char *normalized = NULL;

    ck_assert_ptr_null(tasks_recur_parse(pool, "freq=monthly;byday=-1fr;count=3", &normalized));
    ck_assert_str_eq(normalized, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3");
}
END_TEST

START_TEST(zones_are_the_tz_databases)
{
    ck_assert_str_eq(tasks_zone_check("Europe/Berlin"), "Europe/Berlin");
    ck_assert_str_eq(tasks_zone_check("America/Argentina/Buenos_Aires"),
                     "America/Argentina/Buenos_Aires");
    ck_assert_str_eq(tasks_zone_check("UTC"), "UTC");
    ck_assert_ptr_null(tasks_zone_check("Mars/Base"));
    ck_assert_ptr_null(tasks_zone_check("europe/berlin"));
    ck_assert_ptr_null(tasks_zone_check("../../etc/passwd"));
    ck_assert_ptr_null(tasks_zone_check("/usr/share/zoneinfo/UTC"));
    ck_assert_ptr_null(tasks_zone_check(""));
}
END_TEST

/* An unknown zone or a bad instant is INVALID, never an occurrence. */
START_TEST(next_refuses_what_is_not_valid)
{
    const char *next;

    ck_assert_int_eq(tasks_recur_next(pool, "FREQ=DAILY", "Mars/Base",
                                      "2026-01-01T09:00:00.000000Z",
                                      "2026-01-01T09:00:00.000000Z", &next),
                     TASKS_RECUR_INVALID);
    ck_assert_int_eq(tasks_recur_next(pool, "FREQ=DAILY", "UTC",
                                      "2026-01-01T09:00:00Z",
                                      "2026-01-01T09:00:00.000000Z", &next),
                     TASKS_RECUR_INVALID);
    ck_assert_int_eq(tasks_recur_next(pool, "FREQ=DAILY;FOO=1", "UTC",
                                      "2026-01-01T09:00:00.000000Z",
                                      "2026-01-01T09:00:00.000000Z", &next),
                     TASKS_RECUR_INVALID);
}
END_TEST

/* A rule whose UNTIL is before its start has no occurrence at all. */
START_TEST(until_before_the_start_ends_at_once)
{
    const char *next;

    ck_assert_int_eq(tasks_recur_next(pool, "FREQ=DAILY;UNTIL=20251231", "UTC",
                                      "2026-01-01T09:00:00.000000Z",
                                      "2026-01-01T08:59:59.000000Z", &next),
                     TASKS_RECUR_END);
}
END_TEST

static const struct { const char *text; long long seconds; } durations[] = {
    { "PT15M", 900 }, { "PT1H", 3600 }, { "P1D", 86400 }, { "P1W", 604800 },
    { "P1DT2H", 93600 }, { "PT90M", 5400 }, { "PT30S", 30 },
    { "P1W2DT3H4M5S", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 },
    { "P366D", 366 * 86400LL },
};

START_TEST(durations_are_read_in_seconds)
{
    long long s = -1;

    ck_assert_int_eq(tasks_duration_seconds(durations[_i].text, &s), 0);
    ck_assert_int_eq(s, durations[_i].seconds);
}
END_TEST

static const char *const bad_durations[] = {
    "P-1D", "P1M", "P1Y", "PT", "P", "P1H", "PT1D", "P0D", "PT0S", "P367D",
    "p1d", "P1D2W", "PT15M ", "P1.5D", "PT1H1H", "15M", "",
};

START_TEST(bad_durations_are_refused)
{
    long long s = 0;

    ck_assert_int_eq(tasks_duration_seconds(bad_durations[_i], &s), -1);
}
END_TEST

START_TEST(instants_add_and_subtract)
{
    long long d = 0;

    ck_assert_str_eq(tasks_instant_add(pool, "2026-03-29T00:30:00.250000Z", 86400),
                     "2026-03-30T00:30:00.250000Z");
    ck_assert_str_eq(tasks_instant_add(pool, "2024-02-28T23:00:00.000000Z", 7200),
                     "2024-02-29T01:00:00.000000Z");
    ck_assert_ptr_null(tasks_instant_add(pool, "9999-12-31T23:00:00.000000Z", 7200));
    ck_assert_int_eq(tasks_instant_diff("2026-03-23T08:00:00.000000Z",
                                        "2026-03-30T07:00:00.000000Z", &d), 0);
    ck_assert_int_eq(d, 7 * 86400 - 3600);
    ck_assert_int_eq(tasks_instant_diff("2026-03-23", "2026-03-30T07:00:00.000000Z", &d), -1);
}
END_TEST

Suite *recur_suite(void)
{
    Suite *s = suite_create("recur");
    TCase *tc = tcase_create("recur");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, next_occurrences_match_the_expectations, 0,
                        sizeof occurrences / sizeof occurrences[0]);
    tcase_add_loop_test(tc, refused_rules_say_why, 0,
                        sizeof refused / sizeof refused[0]);
    tcase_add_test(tc, accepted_rules_are_normalized_to_upper_case);
    tcase_add_test(tc, zones_are_the_tz_databases);
    tcase_add_test(tc, next_refuses_what_is_not_valid);
    tcase_add_test(tc, until_before_the_start_ends_at_once);
    tcase_add_loop_test(tc, durations_are_read_in_seconds, 0,
                        sizeof durations / sizeof durations[0]);
    tcase_add_loop_test(tc, bad_durations_are_refused, 0,
                        sizeof bad_durations / sizeof bad_durations[0]);
    tcase_add_test(tc, instants_add_and_subtract);
    suite_add_tcase(s, tc);
    return s;
}
