/* test_reset_code.c - password reset codes: their text and their hash. */
#include <string.h>

#include <apr_pools.h>
#include <check.h>

#include "tasks/core/reset_code.h"
#include "suites.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

/* 80 bits as 16 characters of Crockford's alphabet in groups of four:
 * all-zero bytes are all zeros, all-one bytes the alphabet's last. */
START_TEST(text_is_four_groups_of_crockford_base32)
{
    static const unsigned char zero[10], ones[10] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const unsigned char mixed[10] = {
        0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf };

    ck_assert_str_eq(tasks_reset_code_text(pool, zero, 10), "0000-0000-0000-0000");
    ck_assert_str_eq(tasks_reset_code_text(pool, ones, 10), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    /* 00000 00001 00010 00011 00100 00101 00110 00111 01000 01001 ... */
    ck_assert_str_eq(tasks_reset_code_text(pool, mixed, 10), "0123-4567-89AB-CDEF");
    ck_assert_ptr_null(tasks_reset_code_text(pool, zero, 9));
}
END_TEST

/* What a person types hashes like the code: any case, spaces or dashes,
 * O for 0 and I or L for 1; anything else, or another length, is no code. */
START_TEST(typed_variants_hash_alike_and_others_do_not)
{
    const char *h = tasks_reset_code_hash(pool, "0123-4567-89AB-CDEF");

    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq((int)strlen(h), 64);
    ck_assert_str_eq(tasks_reset_code_hash(pool, "0123456789abcdef"), h);
    ck_assert_str_eq(tasks_reset_code_hash(pool, "o123 4567 89ab cdef"), h);
    ck_assert_str_eq(tasks_reset_code_hash(pool, "0I23-4567-89AB-CDEF"), h);
    ck_assert_str_eq(tasks_reset_code_hash(pool, "0l23-4567-89AB-CDEF"), h);
    ck_assert_str_ne(tasks_reset_code_hash(pool, "0123-4567-89AB-CDEG"), h);
    ck_assert_ptr_null(tasks_reset_code_hash(pool, "0123-4567-89AB-CDE"));
    ck_assert_ptr_null(tasks_reset_code_hash(pool, "0123-4567-89AB-CDEF0"));
    ck_assert_ptr_null(tasks_reset_code_hash(pool, "0123-4567-89AB-CDEU"));
    ck_assert_ptr_null(tasks_reset_code_hash(pool, "0123_4567_89AB_CDEF"));
    ck_assert_ptr_null(tasks_reset_code_hash(pool, ""));
    ck_assert_ptr_null(tasks_reset_code_hash(pool, NULL));
}
END_TEST

Suite *reset_code_suite(void)
{
    Suite *s = suite_create("reset_code");
    TCase *tc = tcase_create("codes");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_is_four_groups_of_crockford_base32);
    tcase_add_test(tc, typed_variants_hash_alike_and_others_do_not);
    suite_add_tcase(s, tc);
    return s;
}
