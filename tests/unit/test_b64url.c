/* test_b64url.c - base64url round trips and rejections. */
#include <string.h>
#include "suites.h"
#include "tasks/core/b64url.h"

START_TEST(encodes_rfc4648_vectors)
{
    ck_assert_str_eq(tasks_b64url_encode(test_pool, (const unsigned char *)"", 0), "");
    ck_assert_str_eq(tasks_b64url_encode(test_pool, (const unsigned char *)"f", 1), "Zg");
    ck_assert_str_eq(tasks_b64url_encode(test_pool, (const unsigned char *)"fo", 2), "Zm8");
    ck_assert_str_eq(tasks_b64url_encode(test_pool, (const unsigned char *)"foo", 3), "Zm9v");
    ck_assert_str_eq(tasks_b64url_encode(test_pool, (const unsigned char *)"\xfb\xff", 2), "-_8");
}
END_TEST

START_TEST(round_trips_every_byte)
{
    unsigned char data[256], *out;
    apr_size_t n, len;
    const char *text;

    for (n = 0; n < 256; n++)
        data[n] = (unsigned char)n;
    for (len = 0; len <= 256; len += 7) {
        text = tasks_b64url_encode(test_pool, data, len);
        ck_assert_int_eq(tasks_b64url_decode(test_pool, text, strlen(text), &out, &n), 0);
        ck_assert_uint_eq(n, len);
        ck_assert(memcmp(out, data, len) == 0);
    }
}
END_TEST

START_TEST(rejects_bad_text)
{
    unsigned char *out;
    apr_size_t n;

    ck_assert_int_eq(tasks_b64url_decode(test_pool, "Zg==", 4, &out, &n), -1);
    ck_assert_int_eq(tasks_b64url_decode(test_pool, "Z+8", 3, &out, &n), -1);
    ck_assert_int_eq(tasks_b64url_decode(test_pool, "Z", 1, &out, &n), -1);
    /* "Zh" has non-zero trailing bits: an alias of "Zg". */
    ck_assert_int_eq(tasks_b64url_decode(test_pool, "Zh", 2, &out, &n), -1);
}
END_TEST

Suite *b64url_suite(void)
{
    Suite *s = suite_create("b64url");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, encodes_rfc4648_vectors);
    tcase_add_test(tc, round_trips_every_byte);
    tcase_add_test(tc, rejects_bad_text);
    suite_add_tcase(s, tc);
    return s;
}
