/* test_validate.c - UTF-8, trimming, RFC 3339, priorities and emails. */
#include <string.h>
#include "suites.h"
#include "tasks/core/validate.h"

static long u8len(const char *s)
{
    return tasks_utf8_length(s, strlen(s));
}

START_TEST(utf8_counts_code_points)
{
    ck_assert_int_eq(u8len(""), 0);
    ck_assert_int_eq(u8len("abc"), 3);
    ck_assert_int_eq(u8len("caf\xc3\xa9"), 4);              /* é */
    ck_assert_int_eq(u8len("\xe2\x82\xac"), 1);             /* € */
    ck_assert_int_eq(u8len("\xf0\x9f\x98\x80"), 1);         /* 😀 */
    ck_assert_int_eq(u8len("\xc2\x80"), 1);                 /* U+0080 */
    ck_assert_int_eq(u8len("\xdf\xbf"), 1);                 /* U+07FF */
    ck_assert_int_eq(u8len("\xe0\xa0\x80"), 1);             /* U+0800 */
    ck_assert_int_eq(u8len("\xed\x9f\xbf"), 1);             /* U+D7FF */
    ck_assert_int_eq(u8len("\xee\x80\x80"), 1);             /* U+E000 */
    ck_assert_int_eq(u8len("\xef\xbf\xbf"), 1);             /* U+FFFF */
    ck_assert_int_eq(u8len("\xf0\x90\x80\x80"), 1);         /* U+10000 */
    ck_assert_int_eq(u8len("\xf4\x8f\xbf\xbf"), 1);         /* U+10FFFF */
    /* An embedded NUL is a code point when the length says so. */
    ck_assert_int_eq(tasks_utf8_length("a\0b", 3), 3);
}
END_TEST

START_TEST(utf8_rejects_invalid)
{
    ck_assert_int_eq(u8len("\x80"), -1);                    /* lone continuation */
    ck_assert_int_eq(u8len("a\xbf"), -1);
    ck_assert_int_eq(u8len("\xc0\xaf"), -1);                /* overlong '/' */
    ck_assert_int_eq(u8len("\xc1\xbf"), -1);
    ck_assert_int_eq(u8len("\xe0\x80\xaf"), -1);            /* overlong 3-byte */
    ck_assert_int_eq(u8len("\xe0\x9f\xbf"), -1);
    ck_assert_int_eq(u8len("\xf0\x80\x80\xaf"), -1);        /* overlong 4-byte */
    ck_assert_int_eq(u8len("\xf0\x8f\xbf\xbf"), -1);
    ck_assert_int_eq(u8len("\xed\xa0\x80"), -1);            /* U+D800 */
    ck_assert_int_eq(u8len("\xed\xbf\xbf"), -1);            /* U+DFFF */
    ck_assert_int_eq(u8len("\xf4\x90\x80\x80"), -1);        /* U+110000 */
    ck_assert_int_eq(u8len("\xf5\x80\x80\x80"), -1);
    ck_assert_int_eq(u8len("\xff"), -1);
    ck_assert_int_eq(u8len("\xfe"), -1);
    ck_assert_int_eq(u8len("\xc3"), -1);                    /* truncated */
    ck_assert_int_eq(u8len("\xe2\x82"), -1);
    ck_assert_int_eq(u8len("\xf0\x9f\x98"), -1);
    ck_assert_int_eq(u8len("\xe2\x82x"), -1);               /* bad continuation */
    /* Truncation by the length, not by a NUL. */
    ck_assert_int_eq(tasks_utf8_length("\xe2\x82\xac", 2), -1);
}
END_TEST

START_TEST(trim_ascii_and_unicode_space)
{
    ck_assert_str_eq(tasks_trim(test_pool, "  a b  "), "a b");
    ck_assert_str_eq(tasks_trim(test_pool, "\t\n\r\f\vx\t\n\r\f\v"), "x");
    ck_assert_str_eq(tasks_trim(test_pool, ""), "");
    ck_assert_str_eq(tasks_trim(test_pool, " \t "), "");
    ck_assert_str_eq(tasks_trim(test_pool, "abc"), "abc");
    /* NBSP, NEL, ogham, en quad .. hair space, LS, PS, NNBSP, MMSP, ideographic. */
    ck_assert_str_eq(tasks_trim(test_pool, "\xc2\xa0\xc2\x85\xe1\x9a\x80x"
                                "\xe2\x80\x80\xe2\x80\x8a\xe2\x80\xa8\xe2\x80\xa9"
                                "\xe2\x80\xaf\xe2\x81\x9f\xe3\x80\x80"), "x");
    /* Inner space stays; so do non-space neighbours like U+200B (ZWSP is
     * not White_Space) and multi-byte letters. */
    ck_assert_str_eq(tasks_trim(test_pool, "\xe3\x80\x80" "a\xe3\x80\x80" "b "),
                     "a\xe3\x80\x80" "b");
    ck_assert_str_eq(tasks_trim(test_pool, "\xe2\x80\x8b"), "\xe2\x80\x8b");
    ck_assert_str_eq(tasks_trim(test_pool, " \xc3\xa9 "), "\xc3\xa9");
    /* Only white space: empty. */
    ck_assert_str_eq(tasks_trim(test_pool, "\xe3\x80\x80\xc2\xa0 "), "");
    /* Invalid bytes are kept, never mistaken for space. */
    ck_assert_str_eq(tasks_trim(test_pool, " \xff "), "\xff");
    ck_assert_str_eq(tasks_trim(test_pool, " \xc2"), "\xc2");
    ck_assert_ptr_null(tasks_trim(test_pool, NULL));
}
END_TEST

static void rfc_ok(const char *in, const char *want)
{
    const char *got = tasks_rfc3339_to_utc(test_pool, in);
    ck_assert_msg(got != NULL, "refused %s", in);
    ck_assert_str_eq(got, want);
}

static void rfc_bad(const char *in)
{
    const char *got = tasks_rfc3339_to_utc(test_pool, in);
    ck_assert_msg(got == NULL, "accepted %s as %s", in, got);
}

START_TEST(rfc3339_accepts_and_converts)
{
    rfc_ok("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000Z");
    rfc_ok("2026-01-01t00:00:00z", "2026-01-01T00:00:00.000000Z");
    rfc_ok("2026-11-25T21:00:00.123456Z", "2026-11-25T21:00:00.123456Z");
    rfc_ok("2026-11-25T21:00:00.1Z", "2026-11-25T21:00:00.100000Z");
    rfc_ok("2026-11-25T21:00:00.123456789Z", "2026-11-25T21:00:00.123456Z");
    rfc_ok("2026-11-25T21:00:00.9999999Z", "2026-11-25T21:00:00.999999Z");
    rfc_ok("2026-06-15T12:30:00+02:00", "2026-06-15T10:30:00.000000Z");
    rfc_ok("2026-06-15T12:30:00-05:30", "2026-06-15T18:00:00.000000Z");
    rfc_ok("2026-06-15T12:30:00+00:00", "2026-06-15T12:30:00.000000Z");
    rfc_ok("2026-06-15T12:30:00-00:00", "2026-06-15T12:30:00.000000Z");
    rfc_ok("2026-06-15T12:30:00+23:59", "2026-06-14T12:31:00.000000Z");
    /* Offsets crossing day, month and year boundaries. */
    rfc_ok("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000000Z");
    rfc_ok("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00.000000Z");
    rfc_ok("2026-03-01T01:00:00+02:00", "2026-02-28T23:00:00.000000Z");
    rfc_ok("2024-03-01T01:00:00+02:00", "2024-02-29T23:00:00.000000Z");
    rfc_ok("2024-02-28T23:00:00-02:00", "2024-02-29T01:00:00.000000Z");
    rfc_ok("2026-04-30T22:00:00-03:00", "2026-05-01T01:00:00.000000Z");
    /* Leap years: divisible by 4, not by 100 unless by 400. */
    rfc_ok("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000000Z");
    rfc_ok("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000000Z");
    rfc_ok("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z");
    rfc_ok("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z");
    rfc_ok("1600-02-29T12:00:00+13:00", "1600-02-28T23:00:00.000000Z");
    rfc_ok("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z");
    rfc_ok("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z");
    rfc_ok("2026-12-31T23:59:59Z", "2026-12-31T23:59:59.000000Z");
}
END_TEST

START_TEST(rfc3339_refuses)
{
    rfc_bad("2026-01-01");                      /* bare date */
    rfc_bad("2026-01-01T00:00:00");             /* local time */
    rfc_bad("2026-01-01T00:00:00.5");
    rfc_bad("2026-01-01 00:00:00Z");            /* space separator */
    rfc_bad("2026-01-01X00:00:00Z");
    rfc_bad("2026-02-29T00:00:00Z");            /* not a leap year */
    rfc_bad("1900-02-29T00:00:00Z");
    rfc_bad("2100-02-29T00:00:00Z");
    rfc_bad("2026-02-30T00:00:00Z");
    rfc_bad("2026-04-31T00:00:00Z");
    rfc_bad("2026-13-01T00:00:00Z");
    rfc_bad("2026-00-01T00:00:00Z");
    rfc_bad("2026-01-00T00:00:00Z");
    rfc_bad("2026-01-32T00:00:00Z");
    rfc_bad("2026-01-01T24:00:00Z");
    rfc_bad("2026-01-01T23:60:00Z");
    rfc_bad("2026-12-31T23:59:60Z");            /* leap seconds refused */
    rfc_bad("2026-01-01T00:00:00+24:00");
    rfc_bad("2026-01-01T00:00:00+01:60");
    rfc_bad("2026-01-01T00:00:00+0100");
    rfc_bad("2026-01-01T00:00:00+01");
    rfc_bad("2026-01-01T00:00:00.Z");           /* dot without digits */
    rfc_bad("2026-01-01T00:00:00Z ");           /* trailing junk */
    rfc_bad(" 2026-01-01T00:00:00Z");
    rfc_bad("2026-01-01T00:00:00ZZ");
    rfc_bad("2026-1-01T00:00:00Z");
    rfc_bad("26-01-01T00:00:00Z");
    rfc_bad("+2026-01-01T00:00:00Z");
    rfc_bad("2026-01-01T0:00:00Z");
    rfc_bad("0000-01-01T00:00:00Z");            /* year 0 */
    rfc_bad("0001-01-01T00:30:00+01:00");       /* shifts into year 0 */
    rfc_bad("9999-12-31T23:30:00-01:00");       /* shifts into year 10000 */
    rfc_bad("");
    rfc_bad("now");
    rfc_bad(NULL);
}
END_TEST

START_TEST(priorities)
{
    ck_assert_int_eq(tasks_priority_rank("none"), TASKS_PRIORITY_NONE);
    ck_assert_int_eq(tasks_priority_rank("low"), TASKS_PRIORITY_LOW);
    ck_assert_int_eq(tasks_priority_rank("medium"), TASKS_PRIORITY_MEDIUM);
    ck_assert_int_eq(tasks_priority_rank("high"), TASKS_PRIORITY_HIGH);
    ck_assert_int_eq(tasks_priority_rank("High"), -1);
    ck_assert_int_eq(tasks_priority_rank("urgent"), -1);
    ck_assert_int_eq(tasks_priority_rank(""), -1);
    ck_assert_int_eq(tasks_priority_rank(" low"), -1);
    ck_assert_int_eq(tasks_priority_rank(NULL), -1);
    ck_assert_str_eq(tasks_priority_name(0), "none");
    ck_assert_str_eq(tasks_priority_name(1), "low");
    ck_assert_str_eq(tasks_priority_name(2), "medium");
    ck_assert_str_eq(tasks_priority_name(3), "high");
    ck_assert_str_eq(tasks_priority_name(4), "none");
    ck_assert_str_eq(tasks_priority_name(-1), "none");
}
END_TEST

START_TEST(emails)
{
    char long_email[300];

    ck_assert_str_eq(tasks_email_normalize(test_pool, "a@b.c"), "a@b.c");
    ck_assert_str_eq(tasks_email_normalize(test_pool, "  Alice@Example.ORG \n"),
                     "Alice@Example.ORG");
    ck_assert_str_eq(tasks_email_normalize(test_pool, "first.last+tag@sub.example.org"),
                     "first.last+tag@sub.example.org");
    ck_assert_str_eq(tasks_email_normalize(test_pool, "\xc3\xa9@b\xc3\xa9.fr"),
                     "\xc3\xa9@b\xc3\xa9.fr");
    ck_assert_ptr_null(tasks_email_normalize(test_pool, ""));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "   "));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, NULL));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "plain"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "@b.c"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@b"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@@b.c"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@b@c.d"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@.b.c"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@b.c."));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@b..c"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a b@c.d"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a@c.d\te"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a\x01@c.d"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a\x7f@c.d"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a\xc2\xa0" "b@c.d"));
    ck_assert_ptr_null(tasks_email_normalize(test_pool, "a\xff@c.d"));
    /* 254 bytes is the limit. */
    memset(long_email, 'a', sizeof long_email);
    memcpy(long_email + 254 - 6, "@b.com", 7);
    ck_assert_uint_eq(strlen(long_email), 254);
    ck_assert_str_eq(tasks_email_normalize(test_pool, long_email), long_email);
    memset(long_email, 'a', sizeof long_email);
    memcpy(long_email + 255 - 6, "@b.com", 7);
    ck_assert_ptr_null(tasks_email_normalize(test_pool, long_email));
}
END_TEST

START_TEST(idempotency_keys_are_1_to_255_visible_ascii)
{
    char key[300];

    memset(key, '~', 255);
    key[255] = '\0';
    ck_assert_int_eq(tasks_idempotency_key_valid(key), 1);
    ck_assert_int_eq(tasks_idempotency_key_valid("5b0c9f1e-1f6d-4c39"), 1);
    ck_assert_int_eq(tasks_idempotency_key_valid("!"), 1);
    key[255] = '~';
    key[256] = '\0';
    ck_assert_int_eq(tasks_idempotency_key_valid(key), 0);
    ck_assert_int_eq(tasks_idempotency_key_valid(""), 0);
    ck_assert_int_eq(tasks_idempotency_key_valid("a b"), 0);
    ck_assert_int_eq(tasks_idempotency_key_valid("a\tb"), 0);
    ck_assert_int_eq(tasks_idempotency_key_valid("caf\xc3\xa9"), 0);
    ck_assert_int_eq(tasks_idempotency_key_valid(NULL), 0);
}
END_TEST

Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, utf8_counts_code_points);
    tcase_add_test(tc, idempotency_keys_are_1_to_255_visible_ascii);
    tcase_add_test(tc, utf8_rejects_invalid);
    tcase_add_test(tc, trim_ascii_and_unicode_space);
    tcase_add_test(tc, rfc3339_accepts_and_converts);
    tcase_add_test(tc, rfc3339_refuses);
    tcase_add_test(tc, priorities);
    tcase_add_test(tc, emails);
    suite_add_tcase(s, tc);
    return s;
}
