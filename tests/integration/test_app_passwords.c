/* test_app_passwords.c - app passwords through the real httpd and
 * PostgreSQL: made with a name and shown once (only a hash is kept),
 * listed without their secret, revoked, per person, at most 50. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

START_TEST(an_app_password_is_shown_once_and_only_its_hash_is_kept)
{
    user u = user_sign_up("apppw-once");
    json_t *made = http_json("POST", "/api/auth/app-passwords", u.tok,
                             "{\"name\":\"  Thunderbird  \"}", 201), *list;
    const char *pw = jstr(made, "password");
    char *sql, *n;

    ck_assert_str_eq(jstr(made, "name"), "Thunderbird");
    ck_assert_int_eq(strlen(pw), 43);
    list = http_json("GET", "/api/auth/app-passwords", u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(jint(json_array_get(list, 0), "id"), jint(made, "id"));
    ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "password"));
    ck_assert(json_is_null(json_object_get(json_array_get(list, 0), "last_used_at")));
    sql = fmt("SELECT count(*) FROM app_passwords WHERE secret_hash = encode(sha256('%s'), 'hex')"
              " AND secret_hash <> '%s';", pw, pw);
    n = db_query(sql);
    ck_assert_str_eq(n, "1");
    free(n);
    free(sql);
    json_decref(list);
    json_decref(made);
    user_free(&u);
}
END_TEST

START_TEST(a_bad_name_is_422_and_a_key_is_400_nothing_made)
{
    user u = user_sign_up("apppw-bad");
    char *auth = fmt("Authorization: Bearer %s", u.tok);
    const char *hs[] = { auth, "Idempotency-Key: k1", NULL };
    const char *bad[] = { "{\"name\":\"   \"}", "{\"name\":7}", "{}" };
    json_t *list;
    http_resp *r;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = http_auth("POST", "/api/auth/app-passwords", u.tok, bad[i]);
        assert_problem(r, 422);
        ck_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                         "name");
        http_free(r);
    }
    r = http("POST", "/api/auth/app-passwords", "{\"name\":\"ok\"}", hs);
    assert_problem(r, 400);
    http_free(r);
    list = http_json("GET", "/api/auth/app-passwords", u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(list), 0);
    json_decref(list);
    free(auth);
    user_free(&u);
}
END_TEST

START_TEST(revoking_is_the_owners_alone)
{
    user a = user_sign_up("apppw-a"), b = user_sign_up("apppw-b");
    json_t *made = http_json("POST", "/api/auth/app-passwords", a.tok,
                             "{\"name\":\"Phone\"}", 201), *list;
    char *path = fmt("/api/auth/app-passwords/%lld", jint(made, "id"));
    http_resp *r = http_auth("DELETE", path, b.tok, NULL);

    assert_problem(r, 404);
    http_free(r);
    list = http_json("GET", "/api/auth/app-passwords", a.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(list), 1);
    json_decref(list);
    r = http_auth("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = http_auth("DELETE", path, a.tok, NULL);
    assert_problem(r, 404);
    http_free(r);
    list = http_json("GET", "/api/auth/app-passwords", a.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(list), 0);
    json_decref(list);
    json_decref(made);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

START_TEST(the_51st_app_password_is_409)
{
    user u = user_sign_up("apppw-many");
    http_resp *r;
    int i;

    for (i = 0; i < 50; i++) {
        char *body = fmt("{\"name\":\"Client %d\"}", i);

        json_decref(http_json("POST", "/api/auth/app-passwords", u.tok, body, 201));
        free(body);
    }
    r = http_auth("POST", "/api/auth/app-passwords", u.tok, "{\"name\":\"One more\"}");
    assert_problem(r, 409);
    http_free(r);
    user_free(&u);
}
END_TEST

Suite *app_passwords_suite(void)
{
    Suite *s = suite_create("app-passwords");
    TCase *tc = tcase_create("app-passwords");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, an_app_password_is_shown_once_and_only_its_hash_is_kept);
    tcase_add_test(tc, a_bad_name_is_422_and_a_key_is_400_nothing_made);
    tcase_add_test(tc, revoking_is_the_owners_alone);
    tcase_add_test(tc, the_51st_app_password_is_409);
    suite_add_tcase(s, tc);
    return s;
}
