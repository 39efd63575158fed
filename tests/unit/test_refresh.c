/* test_refresh.c - refresh cookie values: their text and their hash. */
#include <string.h>

#include <apr_pools.h>
#include <check.h>

#include "tasks/core/refresh.h"
#include "suites.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

/* 32 bytes as 43 characters of base64url without padding. */
START_TEST(text_is_unpadded_base64url_of_32_bytes)
{
    static const unsigned char zero[32], ones[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    ck_assert_str_eq(tasks_refresh_text(pool, zero, 32),
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    ck_assert_str_eq(tasks_refresh_text(pool, ones, 32),
                     "__________________________________________8");
    ck_assert_ptr_null(tasks_refresh_text(pool, zero, 31));
    ck_assert_ptr_null(tasks_refresh_text(pool, NULL, 32));
}
END_TEST

/* The stored hash is SHA-256 of the value's characters, in hex (the
 * expectations were computed with Python's hashlib). */
START_TEST(hash_is_sha256_hex_of_the_value)
{
    ck_assert_str_eq(tasks_refresh_hash(pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                     "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a");
    ck_assert_str_eq(tasks_refresh_hash(pool, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
                     "ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0");
}
END_TEST

/* Anything that was never issued has no hash: another length, padding,
 * the other base64 alphabet, impossible trailing bits, nothing at all. */
START_TEST(values_never_issued_have_no_hash)
{
    const char *ok = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    char v[64];

    ck_assert_ptr_null(tasks_refresh_hash(pool, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh"));
    ck_assert_ptr_null(tasks_refresh_hash(pool, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A"));
    ck_assert_ptr_null(tasks_refresh_hash(pool, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
    strcpy(v, ok);
    v[5] = '+';
    ck_assert_ptr_null(tasks_refresh_hash(pool, v));
    strcpy(v, ok);
    v[42] = '9';        /* 9 sets one of the last two bits, beyond 256 */
    ck_assert_ptr_null(tasks_refresh_hash(pool, v));
    ck_assert_ptr_null(tasks_refresh_hash(pool, ""));
    ck_assert_ptr_null(tasks_refresh_hash(pool, NULL));
}
END_TEST

Suite *refresh_suite(void)
{
    Suite *s = suite_create("refresh");
    TCase *tc = tcase_create("values");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_is_unpadded_base64url_of_32_bytes);
    tcase_add_test(tc, hash_is_sha256_hex_of_the_value);
    tcase_add_test(tc, values_never_issued_have_no_hash);
    suite_add_tcase(s, tc);
    return s;
}
