/* test_route.c - paths and methods under /api -> routes. */
#include <stdio.h>
#include <string.h>
#include "suites.h"
#include "tasks/core/route.h"

/* Matches path and checks the route id; returns the filled route. */
static tasks_route match(const char *path, tasks_route_id want)
{
    tasks_route r;

    memset(&r, 0x5a, sizeof(r)); /* must be fully overwritten */
    tasks_route_match(test_pool, path, &r);
    ck_assert_msg(r.id == want, "%s: route %d, want %d", path, (int)r.id,
                  (int)want);
    return r;
}

START_TEST(matches_fixed_routes)
{
    tasks_route r;

    r = match("/health", TASKS_ROUTE_HEALTH);
    ck_assert_ptr_null(r.task_id);
    ck_assert_ptr_null(r.path_user_id);
    ck_assert_int_eq(r.bad_id, 0);
    match("/openapi.json", TASKS_ROUTE_OPENAPI);
    match("/auth/signup", TASKS_ROUTE_SIGNUP);
    match("/auth/login", TASKS_ROUTE_LOGIN);
    match("/auth/me", TASKS_ROUTE_ME);
    match("/auth/logout", TASKS_ROUTE_LOGOUT);
    match("/auth/export", TASKS_ROUTE_EXPORT);
    match("/auth/logout-all", TASKS_ROUTE_LOGOUT_ALL);
    match("/auth/password", TASKS_ROUTE_PASSWORD);
    match("/auth/reset", TASKS_ROUTE_RESET);
    match("/auth/refresh", TASKS_ROUTE_REFRESH);
    r = match("/tasks", TASKS_ROUTE_TASKS);
    ck_assert_ptr_null(r.task_id);
    ck_assert_ptr_null(r.path_user_id);
}
END_TEST

START_TEST(matches_task_routes)
{
    tasks_route r;

    r = match("/tasks/7", TASKS_ROUTE_TASK);
    ck_assert_str_eq(r.task_id, "7");
    ck_assert_int_eq(r.bad_id, 0);
    ck_assert_ptr_null(r.path_user_id);
    r = match("/tasks/42/complete", TASKS_ROUTE_TASK_COMPLETE);
    ck_assert_str_eq(r.task_id, "42");
    ck_assert_int_eq(r.bad_id, 0);
    r = match("/tasks/9223372036854775807", TASKS_ROUTE_TASK);
    ck_assert_str_eq(r.task_id, "9223372036854775807");
    ck_assert_int_eq(r.bad_id, 0);
    r = match("/lists", TASKS_ROUTE_LISTS);
    ck_assert_ptr_null(r.task_id);
    r = match("/lists/12", TASKS_ROUTE_LIST);
    ck_assert_str_eq(r.task_id, "12");
    ck_assert_int_eq(r.bad_id, 0);
    match("/lists/12/tasks", TASKS_ROUTE_NOT_FOUND);
    r = match("/tasks/42/completions", TASKS_ROUTE_TASK_COMPLETIONS);
    ck_assert_str_eq(r.task_id, "42");
    r = match("/tasks/042/completions", TASKS_ROUTE_TASK_COMPLETIONS);
    ck_assert_int_eq(r.bad_id, 1);
    match("/reminders", TASKS_ROUTE_REMINDERS);
    r = match("/tasks/changes", TASKS_ROUTE_TASK_CHANGES);
    ck_assert_ptr_null(r.task_id);
    ck_assert_int_eq(r.bad_id, 0);
    match("/tasks/changes/1", TASKS_ROUTE_NOT_FOUND);
    r = match("/auth/app-passwords", TASKS_ROUTE_APP_PASSWORDS);
    ck_assert_ptr_null(r.task_id);
    r = match("/auth/app-passwords/7", TASKS_ROUTE_APP_PASSWORD);
    ck_assert_str_eq(r.task_id, "7");
    r = match("/auth/app-passwords/x", TASKS_ROUTE_APP_PASSWORD);
    ck_assert_int_eq(r.bad_id, 1);
    match("/auth/app-passwords/7/x", TASKS_ROUTE_NOT_FOUND);
    match("/reminders/1", TASKS_ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(matches_seed_paths)
{
    tasks_route r;

    r = match("/user-1/tasks", TASKS_ROUTE_TASKS);
    ck_assert_str_eq(r.path_user_id, "user-1");
    ck_assert_ptr_null(r.task_id);
    r = match("/abc/tasks/12", TASKS_ROUTE_TASK);
    ck_assert_str_eq(r.path_user_id, "abc");
    ck_assert_str_eq(r.task_id, "12");
    r = match("/abc/tasks/12/complete", TASKS_ROUTE_TASK_COMPLETE);
    ck_assert_str_eq(r.path_user_id, "abc");
    ck_assert_str_eq(r.task_id, "12");
    /* Completions came after the seed: not under its paths. */
    match("/abc/tasks/12/completions", TASKS_ROUTE_NOT_FOUND);
    match("/abc/tasks/changes", TASKS_ROUTE_NOT_FOUND);
    r = match("/abc/tasks/x1", TASKS_ROUTE_TASK);
    ck_assert_str_eq(r.path_user_id, "abc");
    ck_assert_int_eq(r.bad_id, 1);
    ck_assert_ptr_null(r.task_id);
    /* The reserved words are never a user id. */
    r = match("/tasks/tasks", TASKS_ROUTE_TASK);
    ck_assert_int_eq(r.bad_id, 1);
    ck_assert_ptr_null(r.path_user_id);
    match("/auth/tasks", TASKS_ROUTE_NOT_FOUND);
    match("/health/tasks", TASKS_ROUTE_NOT_FOUND);
    match("/openapi.json/tasks", TASKS_ROUTE_NOT_FOUND);
    match("/./tasks", TASKS_ROUTE_NOT_FOUND);
    match("/../tasks", TASKS_ROUTE_NOT_FOUND);
    match("/abc/tasks/", TASKS_ROUTE_NOT_FOUND);
    match("//tasks", TASKS_ROUTE_NOT_FOUND);
    match("/abc/tasks/1/complete/x", TASKS_ROUTE_NOT_FOUND);
    match("/abc/def/tasks", TASKS_ROUTE_NOT_FOUND);
    match("/abc/health", TASKS_ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(flags_bad_ids)
{
    static const char *const bad[] = {
        "0", "-1", "abc", "99999999999999999999", "9223372036854775808",
        "007", "00", "1a", "+1", " 1", "1.0", "%31", "１"
    };
    tasks_route r;
    char path[64];
    size_t k;

    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        snprintf(path, sizeof(path), "/tasks/%s", bad[k]);
        r = match(path, TASKS_ROUTE_TASK);
        ck_assert_msg(r.bad_id == 1, "%s is not a bad id", path);
        ck_assert_ptr_null(r.task_id);
        snprintf(path, sizeof(path), "/tasks/%s/complete", bad[k]);
        r = match(path, TASKS_ROUTE_TASK_COMPLETE);
        ck_assert_msg(r.bad_id == 1, "%s is not a bad id", path);
        snprintf(path, sizeof(path), "/lists/%s", bad[k]);
        r = match(path, TASKS_ROUTE_LIST);
        ck_assert_msg(r.bad_id == 1, "%s is not a bad id", path);
    }
}
END_TEST

START_TEST(validates_ids_directly)
{
    ck_assert_int_eq(tasks_route_id_valid("1", 1), 1);
    ck_assert_int_eq(tasks_route_id_valid("10", 2), 1);
    ck_assert_int_eq(tasks_route_id_valid("9223372036854775807", 19), 1);
    ck_assert_int_eq(tasks_route_id_valid("9223372036854775808", 19), 0);
    ck_assert_int_eq(tasks_route_id_valid("1000000000000000000", 19), 1);
    ck_assert_int_eq(tasks_route_id_valid("10000000000000000000", 20), 0);
    ck_assert_int_eq(tasks_route_id_valid("", 0), 0);
    ck_assert_int_eq(tasks_route_id_valid(NULL, 0), 0);
    ck_assert_int_eq(tasks_route_id_valid("12x", 2), 1); /* only len bytes */
}
END_TEST

START_TEST(refuses_unknown_paths)
{
    static const char *const paths[] = {
        "", "/", "//", "health", "/health/", "/tasks/", "/tasks//",
        "/tasks/1/", "/tasks/1/complete/", "/tasks//complete",
        "/tasks/1/done", "/tasks/1/complete/2", "/auth", "/auth/",
        "/auth/signup/", "/auth/other", "/auth/me/x", "/HEALTH", "/Tasks",
        "/openapi", "/openapi.json/", "/nothing", "/a/b/c/d/e/f",
        "/tasks?x=1"
    };
    tasks_route r;
    size_t k;

    for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
        r = match(paths[k], TASKS_ROUTE_NOT_FOUND);
        ck_assert_ptr_null(r.task_id);
        ck_assert_ptr_null(r.path_user_id);
        ck_assert_int_eq(r.bad_id, 0);
    }
    tasks_route_match(test_pool, NULL, &r);
    ck_assert_int_eq(r.id, TASKS_ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(allow_headers)
{
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_HEALTH), "GET, HEAD");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_OPENAPI), "GET, HEAD");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_ME), "GET, HEAD, DELETE");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_EXPORT), "GET, HEAD");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_TASK_COMPLETIONS), "GET, HEAD");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_REMINDERS), "GET, HEAD");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_SIGNUP), "POST");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_LOGIN), "POST");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_LOGOUT), "POST");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_TASKS),
                     "GET, HEAD, POST, DELETE");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_TASK),
                     "GET, HEAD, PUT, PATCH, DELETE");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_TASK_COMPLETE), "PATCH");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_LISTS), "GET, HEAD, POST");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_LIST),
                     "GET, HEAD, PATCH, DELETE");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_NOT_FOUND), "");
    ck_assert_str_eq(tasks_route_allow(TASKS_ROUTE_COUNT), "");
}
END_TEST

/* Every method on every route must agree with the Allow text. */
START_TEST(allows_match_allow_headers)
{
    static const char *const methods[] = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
    };
    int id;
    size_t k;

    for (id = TASKS_ROUTE_HEALTH; id < TASKS_ROUTE_COUNT; id++) {
        const char *allow = tasks_route_allow((tasks_route_id)id);

        for (k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
            /* Each method name is a distinct token in the Allow list;
             * "PUT" is not a substring of any other method name. */
            int listed = strstr(allow, methods[k]) != NULL;

            ck_assert_msg(tasks_route_allows((tasks_route_id)id, methods[k])
                          == listed, "route %d method %s", id, methods[k]);
        }
        ck_assert_int_eq(tasks_route_allows((tasks_route_id)id, "OPTIONS"), 1);
        ck_assert_int_eq(tasks_route_allows((tasks_route_id)id, "get"), 0);
        ck_assert_int_eq(tasks_route_allows((tasks_route_id)id, "TRACE"), 0);
        ck_assert_int_eq(tasks_route_allows((tasks_route_id)id, ""), 0);
        ck_assert_int_eq(tasks_route_allows((tasks_route_id)id, NULL), 0);
    }
}
END_TEST

START_TEST(allows_specific_methods)
{
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "GET"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "HEAD"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "POST"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "DELETE"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "PUT"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASKS, "PATCH"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK, "PUT"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK, "PATCH"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK, "POST"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK_COMPLETE, "PATCH"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK_COMPLETE, "GET"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_TASK_COMPLETE, "HEAD"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_LOGIN, "GET"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_ME, "POST"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_ME, "HEAD"), 1);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_NOT_FOUND, "GET"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_NOT_FOUND, "OPTIONS"), 0);
    ck_assert_int_eq(tasks_route_allows(TASKS_ROUTE_COUNT, "OPTIONS"), 0);
}
END_TEST

START_TEST(public_routes)
{
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_HEALTH), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_OPENAPI), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_SIGNUP), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_LOGIN), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_RESET), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_REFRESH), 1);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_ME), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_EXPORT), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_LOGOUT_ALL), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_PASSWORD), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_LOGOUT), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_TASKS), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_TASK), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_TASK_COMPLETE), 0);
    ck_assert_int_eq(tasks_route_is_public(TASKS_ROUTE_NOT_FOUND), 0);
}
END_TEST

Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, matches_fixed_routes);
    tcase_add_test(tc, matches_task_routes);
    tcase_add_test(tc, matches_seed_paths);
    tcase_add_test(tc, flags_bad_ids);
    tcase_add_test(tc, validates_ids_directly);
    tcase_add_test(tc, refuses_unknown_paths);
    tcase_add_test(tc, allow_headers);
    tcase_add_test(tc, allows_match_allow_headers);
    tcase_add_test(tc, allows_specific_methods);
    tcase_add_test(tc, public_routes);
    suite_add_tcase(s, tc);
    return s;
}
