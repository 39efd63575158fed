/* test_counters.c - the module's counters in mod_status (/server-status
 * and ?auto), summed over both children, after known traffic. Part of
 * the foundation suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

/* The value of counter name in /server-status?auto, or -1. */
static long long counter(const char *status_text, const char *name)
{
    char *key = fmt("\n%s: ", name);
    const char *at = strstr(status_text, key);
    long long v = at ? atoll(at + strlen(key)) : -1;

    free(key);
    return v;
}

static char *status_auto(void)
{
    http_resp *r = http("GET", "/server-status?auto", NULL, NULL);
    char *text;

    ck_assert_status(r, 200);
    text = fmt("\n%s", r->body);
    http_free(r);
    return text;
}

/* The counters the traffic below moves, and by how much exactly. */
static const struct {
    const char *name;
    long long delta;
} expected[] = {
    { "TasksRequestsOther2xx", 3 },     /* 3 x health */
    { "TasksRequestsOther4xx", 2 },     /* 2 x unknown /api path */
    { "TasksRequestsAuth2xx", 2 },      /* signup, logout */
    { "TasksRequestsAuth4xx", 2 },      /* 2 failed logins */
    { "TasksLoginFailures", 2 },
    { "TasksRequestsTasks2xx", 1 },     /* list before logout */
    { "TasksRequestsTasks4xx", 2 },     /* bad signature, revoked */
    { "TasksTokensBadSignature", 1 },
    { "TasksTokensRevoked", 1 },
    { "TasksTokensExpired", 0 },
};

START_TEST(counters_in_mod_status_follow_known_traffic)
{
    char *before = status_auto(), *after, *email, *token, *bad, *body;
    long long acquires;
    http_resp *r;
    size_t i;
    int k;

    /* Known traffic, one request at a time. */
    for (k = 0; k < 3; k++)
        http_free(http("GET", "/api/health", NULL, NULL));
    for (k = 0; k < 2; k++)
        http_free(http("GET", "/api/no-such-thing", NULL, NULL));
    email = fmt("counted-%d-%ld@example.org", (int)getpid(), random());
    body = fmt("{\"email\":\"%s\",\"password\":\"counted password\"}", email);
    r = http("POST", "/api/auth/signup", body, NULL);
    ck_assert_status(r, 201);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    free(body);
    body = fmt("{\"email\":\"%s\",\"password\":\"wrong password\"}", email);
    for (k = 0; k < 2; k++) {
        r = http("POST", "/api/auth/login", body, NULL);
        ck_assert_status(r, 401);
        http_free(r);
    }
    r = http_auth("GET", "/api/tasks", token, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    bad = fmt("%sx", token);            /* the signature no longer holds */
    r = http_auth("GET", "/api/tasks", bad, NULL);
    ck_assert_status(r, 401);
    http_free(r);
    r = http_auth("POST", "/api/auth/logout", token, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = http_auth("GET", "/api/tasks", token, NULL);   /* revoked in SQL */
    ck_assert_status(r, 401);
    http_free(r);

    /* A request is counted after its answer went out (log_transaction):
     * read until the last one is in, for at most 2 s. */
    for (k = 0; ; k++) {
        int settled = 1;

        after = status_auto();
        for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
            settled &= counter(after, expected[i].name)
                       - counter(before, expected[i].name) >= expected[i].delta;
        if (settled || k == 20)
            break;
        free(after);
        usleep(100 * 1000);
    }
    for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        long long b = counter(before, expected[i].name);
        long long a = counter(after, expected[i].name);

        ck_assert_msg(b >= 0 && a >= 0, "%s is not in /server-status?auto",
                      expected[i].name);
        ck_assert_msg(a - b == expected[i].delta, "%s moved by %lld, want %lld",
                      expected[i].name, a - b, expected[i].delta);
    }
    /* Every request that reached the database took a connection. */
    acquires = counter(after, "TasksDBAcquires") - counter(before, "TasksDBAcquires");
    ck_assert_msg(acquires >= 8, "TasksDBAcquires moved by %lld", acquires);
    free(before);
    free(after);
    free(body);
    free(bad);
    free(token);
    free(email);
}
END_TEST

START_TEST(counters_have_an_html_table_too)
{
    http_resp *r = http("GET", "/server-status", NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "<h2>mod_tasks</h2>"));
    ck_assert_ptr_nonnull(strstr(r->body, "TasksLoginFailures"));
    http_free(r);
}
END_TEST

void counters_tcases(Suite *s)
{
    TCase *tc = tcase_create("counters");

    tcase_add_test(tc, counters_in_mod_status_follow_known_traffic);
    tcase_add_test(tc, counters_have_an_html_table_too);
    suite_add_tcase(s, tc);
}
