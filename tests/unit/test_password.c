/* test_password.c - scrypt hashes: round trips, mismatches, strict parsing
 * and rehash detection. Most tests use ln=10 (1 MiB, fast under ASan); one
 * uses the production defaults. */
#include <string.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/password.h"

static const tasks_scrypt_params fast = {10, 8, 1};

/* Made independently with Python's hashlib.scrypt (N=1024, r=8, p=1,
 * salt = bytes 0..15) to pin the format and the derivation. */
static const char known[] =
    "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU";

START_TEST(hash_then_verify)
{
    const char *h = tasks_password_hash(test_pool, "correct horse", &fast);
    int rehash = -7;

    ck_assert_ptr_nonnull(h);
    ck_assert(strncmp(h, "$scrypt$ln=10,r=8,p=1$", 22) == 0);
    /* prefix + 22 chars of salt + '$' + 43 chars of hash */
    ck_assert_uint_eq(strlen(h), 22 + 22 + 1 + 43);
    ck_assert_int_eq(tasks_password_verify(test_pool, "correct horse", h, &fast, &rehash), 1);
    ck_assert_int_eq(rehash, 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "correct horse", h, &fast, NULL), 1);
}
END_TEST

START_TEST(wrong_password_is_zero)
{
    const char *h = tasks_password_hash(test_pool, "correct horse", &fast);
    int rehash = -7;

    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(tasks_password_verify(test_pool, "correct horsf", h, &fast, &rehash), 0);
    ck_assert_int_eq(rehash, 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "correct hors", h, &fast, NULL), 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "", h, &fast, NULL), 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, NULL, h, &fast, NULL), 0);
}
END_TEST

START_TEST(verifies_known_vector)
{
    ck_assert_int_eq(tasks_password_verify(test_pool, "correct horse battery staple",
                                           known, &fast, NULL), 1);
    ck_assert_int_eq(tasks_password_verify(test_pool, "Correct horse battery staple",
                                           known, &fast, NULL), 0);
}
END_TEST

START_TEST(salts_differ)
{
    const char *a = tasks_password_hash(test_pool, "same password", &fast);
    const char *b = tasks_password_hash(test_pool, "same password", &fast);

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(tasks_password_verify(test_pool, "same password", a, &fast, NULL), 1);
    ck_assert_int_eq(tasks_password_verify(test_pool, "same password", b, &fast, NULL), 1);
}
END_TEST

START_TEST(rejects_malformed)
{
    static const char *const bad[] = {
        "",
        "garbage",
        "$scrypt$",
        "$scrypt2$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$SCRYPT$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        /* out-of-range parameters */
        "$scrypt$ln=9,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=21,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=0,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=33,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=0$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=17$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=99999999999,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        /* non-canonical numbers */
        "$scrypt$ln=010,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=+10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln= 10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        /* fields missing, reordered or misspelt */
        "$scrypt$ln=10,r=8$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$r=8,ln=10,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10;r=8;p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$",
        "$scrypt$ln=10,r=8,p=1$$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        /* bad base64url, wrong lengths, trailing junk */
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0O$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJl",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S+AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU$",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU ",
        " $scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",
        "$2b$12$abcdefghijklmnopqrstuu5dMD4aFkKYO4h3Ni7p8ecWGPf8y3cna",
    };
    apr_size_t i;
    int rehash = -7;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(tasks_password_verify(test_pool, "correct horse battery staple",
                                            bad[i], &fast, &rehash) == -1,
                      "accepted bad[%u]", (unsigned)i);
        ck_assert_int_eq(rehash, 0);
    }
    ck_assert_int_eq(tasks_password_verify(test_pool, "x", NULL, &fast, NULL), -1);
}
END_TEST

START_TEST(flags_weaker_params_for_rehash)
{
    const char *h = tasks_password_hash(test_pool, "rehash me", &fast);
    tasks_scrypt_params more_r = {10, 16, 1}, more_p = {10, 8, 2}, weaker = {10, 4, 1};
    int rehash = -7;

    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h,
                                           &tasks_scrypt_default, &rehash), 1);
    ck_assert_int_eq(rehash, 1);
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h, &more_r, &rehash), 1);
    ck_assert_int_eq(rehash, 1);
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h, &more_p, &rehash), 1);
    ck_assert_int_eq(rehash, 1);
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h, &weaker, &rehash), 1);
    ck_assert_int_eq(rehash, 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h, &fast, &rehash), 1);
    ck_assert_int_eq(rehash, 0);
    /* NULL want means the module defaults. */
    ck_assert_int_eq(tasks_password_verify(test_pool, "rehash me", h, NULL, &rehash), 1);
    ck_assert_int_eq(rehash, 1);
    /* Only a matching password learns anything about rehashing. */
    ck_assert_int_eq(tasks_password_verify(test_pool, "wrong", h,
                                           &tasks_scrypt_default, &rehash), 0);
    ck_assert_int_eq(rehash, 0);
}
END_TEST

START_TEST(hash_refuses_bad_params)
{
    tasks_scrypt_params low = {9, 8, 1}, high = {21, 8, 1}, r0 = {10, 0, 1}, p0 = {10, 8, 0};

    ck_assert_ptr_null(tasks_password_hash(test_pool, "password", &low));
    ck_assert_ptr_null(tasks_password_hash(test_pool, "password", &high));
    ck_assert_ptr_null(tasks_password_hash(test_pool, "password", &r0));
    ck_assert_ptr_null(tasks_password_hash(test_pool, "password", &p0));
    ck_assert_ptr_null(tasks_password_hash(test_pool, NULL, &fast));
}
END_TEST

START_TEST(default_params_round_trip)
{
    const char *h = tasks_password_hash(test_pool, "a production password", &tasks_scrypt_default);
    int rehash = -7;

    ck_assert_int_eq(tasks_scrypt_default.log2_n, 15);
    ck_assert_int_eq(tasks_scrypt_default.r, 8);
    ck_assert_int_eq(tasks_scrypt_default.p, 1);
    ck_assert_ptr_nonnull(h);
    ck_assert(strncmp(h, "$scrypt$ln=15,r=8,p=1$", 22) == 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "a production password", h,
                                           &tasks_scrypt_default, &rehash), 1);
    ck_assert_int_eq(rehash, 0);
    ck_assert_int_eq(tasks_password_verify(test_pool, "a production passwore", h,
                                           &tasks_scrypt_default, NULL), 0);
}
END_TEST

Suite *password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc = tcase_create("core");

    /* scrypt under ASan is slow; the default-parameter test needs room. */
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, hash_then_verify);
    tcase_add_test(tc, wrong_password_is_zero);
    tcase_add_test(tc, verifies_known_vector);
    tcase_add_test(tc, salts_differ);
    tcase_add_test(tc, rejects_malformed);
    tcase_add_test(tc, flags_weaker_params_for_rehash);
    tcase_add_test(tc, hash_refuses_bad_params);
    tcase_add_test(tc, default_params_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
