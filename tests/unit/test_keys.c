/* test_keys.c - the key ring: derived kids (known values computed with
 * the openssl command line, not by the code under test), kid syntax,
 * what tasks_keyring_add refuses, lookups by kid, and the HMAC of a
 * prepared key against the raw one. */
#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "suites.h"
#include "tasks/core/keys.h"

static const unsigned char key_a[] = "0123456789abcdef0123456789abcdef";
static const unsigned char key_b[] = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
static const unsigned char key_48[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef";

/* printf 'tasks-kid:<secret>' | openssl dgst -sha256 -binary | head -c 8
 *   | base64 | tr '+/' '-_' | tr -d '=' */
static const struct { const unsigned char *secret; size_t len; const char *kid; }
derived[] = {
    { key_a, 32, "M1rlMpOmTuA" },
    { key_b, 32, "2BwDinKFRio" },
    { key_48, 48, "fgxbdNO79Cg" },
};

START_TEST(derived_kid_is_a_digest_of_the_secret)
{
    const char *kid = tasks_kid_derive(test_pool, derived[_i].secret,
                                       derived[_i].len);

    ck_assert_str_eq(kid, derived[_i].kid);
    ck_assert_uint_eq(strlen(kid), TASKS_KID_DERIVED_LEN);
    ck_assert(tasks_kid_valid(kid, strlen(kid)));
    /* It says nothing of the secret's text. */
    ck_assert_ptr_null(strstr((const char *)derived[_i].secret, kid));
}
END_TEST

static const struct { const char *kid; int valid; } kid_syntax[] = {
    { "a", 1 }, { "M1rlMpOmTuA", 1 }, { "2026-05_main", 1 }, { "-_-", 1 },
    { "", 0 }, { "a.b", 0 }, { "a/b", 0 }, { "a+b", 0 }, { "a b", 0 },
    { "a=", 0 }, { "k\xc3\xa9", 0 }, { "a\"b", 0 },
    { "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 1 },
    { "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 0 },
};

START_TEST(kid_syntax_is_base64url_up_to_64)
{
    const char *kid = kid_syntax[_i].kid;

    ck_assert_msg(tasks_kid_valid(kid, strlen(kid)) == kid_syntax[_i].valid,
                  "'%s'", kid);
}
END_TEST

START_TEST(keyring_add_names_and_prepares_keys)
{
    tasks_keyring r;
    const tasks_key *k;

    memset(&r, 0, sizeof(r));
    ck_assert_ptr_null(tasks_keyring_signer(&r));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, key_b, 32, NULL, NULL));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, key_a, 32, "old", NULL));
    ck_assert_int_eq(r.n, 2);
    ck_assert_ptr_eq(tasks_keyring_signer(&r), &r.keys[0]);
    ck_assert_str_eq(r.keys[0].kid, "2BwDinKFRio");
    ck_assert_str_eq(r.keys[1].kid, "old");
    ck_assert_ptr_nonnull(r.keys[0].prepared);
    ck_assert_ptr_nonnull(r.keys[1].prepared);
    k = tasks_keyring_find(test_pool, &r, "old", 3);
    ck_assert_ptr_eq(k, &r.keys[1]);
    ck_assert_ptr_eq(tasks_keyring_find(test_pool, &r, "2BwDinKFRio", 11),
                     &r.keys[0]);
    /* By length too: a prefix or an extension is another kid. */
    ck_assert_ptr_null(tasks_keyring_find(test_pool, &r, "ol", 2));
    ck_assert_ptr_null(tasks_keyring_find(test_pool, &r, "oldx", 4));
    /* A's derived kid is not A's kid here: it was configured as "old". */
    ck_assert_ptr_null(tasks_keyring_find(test_pool, &r, "M1rlMpOmTuA", 11));
}
END_TEST

static const struct {
    const char *what;
    const unsigned char *secret;
    size_t len;
    const char *kid;
    const char *want;       /* a piece of the refusal */
    int clash;              /* the key it clashes with, or -1 */
} refusals[] = {
    { "short", key_a, 31, NULL, "at least 32", -1 },
    { "no secret", NULL, 32, NULL, "at least 32", -1 },
    { "bad kid", key_b, 32, "a.b", "kid is 1 to 64", -1 },
    { "empty kid", key_b, 32, "", "kid is 1 to 64", -1 },
    { "same kid", key_b, 32, "first", "kid 'first' is already used by key 1", 0 },
    { "same derived kid (the same key)", key_a, 32, NULL, "already", 0 },
    { "the same key, another kid", key_a, 32, "other", "the same key", 0 },
};

/* The ring holds key_a as "first" and key_a again under its derived kid
 * would collide twice over; each refusal leaves the ring as it was. */
START_TEST(keyring_add_refusals)
{
    tasks_keyring r;
    const char *why;

    memset(&r, 0, sizeof(r));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, key_a, 32, "first", NULL));
    if (!strcmp(refusals[_i].what, "same derived kid (the same key)")) {
        /* Here the ring holds key_a under its derived kid. */
        memset(&r, 0, sizeof(r));
        ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, key_a, 32, NULL, NULL));
    }
    int clash = 99;

    why = tasks_keyring_add(test_pool, &r, refusals[_i].secret,
                            refusals[_i].len, refusals[_i].kid, &clash);
    ck_assert_int_eq(clash, refusals[_i].clash);
    ck_assert_msg(why != NULL, "%s: accepted", refusals[_i].what);
    ck_assert_msg(strstr(why, refusals[_i].want) != NULL, "%s: %s",
                  refusals[_i].what, why);
    ck_assert_int_eq(r.n, 1);
    /* Nothing of the secret in the message. */
    ck_assert_ptr_null(strstr(why, "0123456789"));
}
END_TEST

START_TEST(keyring_holds_at_most_8)
{
    tasks_keyring r;
    unsigned char secrets[TASKS_KEYS_MAX + 1][32];
    int i;

    memset(&r, 0, sizeof(r));
    for (i = 0; i <= TASKS_KEYS_MAX; i++)
        memset(secrets[i], 'a' + i, 32);
    for (i = 0; i < TASKS_KEYS_MAX; i++)
        ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, secrets[i], 32, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(tasks_keyring_add(test_pool, &r,
        secrets[TASKS_KEYS_MAX], 32, NULL, NULL), "at most 8"));
    ck_assert_int_eq(r.n, TASKS_KEYS_MAX);
}
END_TEST

/* A prepared key and the raw one make OpenSSL's HMAC, for any data. */
START_TEST(key_hmac_is_hmac_sha256)
{
    tasks_keyring r;
    tasks_key raw = { key_a, 32, NULL, NULL }, short_key = { key_a, 31, NULL, NULL };
    const char *data[] = { "", "x", "tasks-cursor:abc.def" };
    unsigned char want[EVP_MAX_MD_SIZE], got[32], got_raw[32];
    unsigned int n;
    size_t i;

    memset(&r, 0, sizeof(r));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &r, key_a, 32, NULL, NULL));
    for (i = 0; i < sizeof(data) / sizeof(*data); i++) {
        HMAC(EVP_sha256(), key_a, 32, (const unsigned char *)data[i],
             strlen(data[i]), want, &n);
        ck_assert_int_eq(tasks_key_hmac(&r.keys[0], data[i], strlen(data[i]), got), 0);
        ck_assert_int_eq(tasks_key_hmac(&raw, data[i], strlen(data[i]), got_raw), 0);
        ck_assert_int_eq(memcmp(got, want, 32), 0);
        ck_assert_int_eq(memcmp(got_raw, want, 32), 0);
    }
    ck_assert_int_eq(tasks_key_hmac(&short_key, "x", 1, got), -1);
    ck_assert_int_eq(tasks_key_hmac(NULL, "x", 1, got), -1);
}
END_TEST

Suite *keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_loop_test(tc, derived_kid_is_a_digest_of_the_secret, 0,
                        (int)(sizeof(derived) / sizeof(*derived)));
    tcase_add_loop_test(tc, kid_syntax_is_base64url_up_to_64, 0,
                        (int)(sizeof(kid_syntax) / sizeof(*kid_syntax)));
    tcase_add_test(tc, keyring_add_names_and_prepares_keys);
    tcase_add_loop_test(tc, keyring_add_refusals, 0,
                        (int)(sizeof(refusals) / sizeof(*refusals)));
    tcase_add_test(tc, keyring_holds_at_most_8);
    tcase_add_test(tc, key_hmac_is_hmac_sha256);
    suite_add_tcase(s, tc);
    return s;
}
