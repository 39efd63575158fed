/* test_nodes.c - two httpd nodes on one database (README, "More than one
 * node"): node A is the stack's httpd, node B another httpd process
 * (run.sh) with its own port, runtime folder and pool, a copy of the
 * same secret file and the same TasksJWTTrustIssuer. Whatever one node
 * decides about a person must hold on the other. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "correct horse battery"

static const char *node_b(void)
{
    const char *v = getenv("NODE_B_URL");

    ck_assert_msg(v != NULL, "NODE_B_URL is not set (run tests/integration/run.sh)");
    return v;
}

static char *on_b(const char *path)
{
    return fmt("%s%s", node_b(), path);
}

static http_resp *login_at(const char *base, const char *email, const char *password)
{
    char *url = fmt("%s/api/auth/login", base);
    char *body = fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    http_resp *r = http("POST", url, body, NULL);

    free(body);
    free(url);
    return r;
}

/* A token A issued is accepted by B, for the same user. */
START_TEST(a_token_from_node_a_works_on_node_b)
{
    char *id, *tok = make_user("node-token", &id), *url = on_b("/api/auth/me");
    http_resp *r = http_auth("GET", url, tok, NULL);

    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(json_object_get(r->json, "user"), "id"), id);
    http_free(r);
    free(url);
    free(tok);
    free(id);
}
END_TEST

/* Logging out on A ends the token on B too. */
START_TEST(logout_on_node_a_revokes_on_node_b)
{
    char *tok = make_user("node-logout", NULL), *url = on_b("/api/tasks");
    http_resp *r = http_auth("GET", url, tok, NULL);

    ck_assert_status(r, 200);
    http_free(r);
    r = http_auth("POST", "/api/auth/logout", tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = http_auth("GET", url, tok, NULL);
    assert_problem(r, 401);
    http_free(r);
    free(url);
    free(tok);
}
END_TEST

/* TasksLoginThrottle 5 900 50 on both: 3 failures on A and 2 on B are
 * the 5 the e-mail may have; the next attempt, right password and on
 * either node, is 429. */
START_TEST(login_failures_on_both_nodes_count_together)
{
    char *email = fmt("node-throttle-%ld@example.org", random());
    char *body = fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, PASSWORD);
    http_resp *r = http("POST", "/api/auth/signup", body, NULL);
    int i;

    ck_assert_status(r, 201);
    http_free(r);
    http_set_source("127.0.0.61");
    for (i = 0; i < 5; i++) {
        r = login_at(i < 3 ? base_url() : node_b(), email, "wrong password");
        ck_assert_msg(r->status == 401, "failure %d on node %c: %ld %s", i,
                      i < 3 ? 'A' : 'B', r->status, r->body);
        http_free(r);
    }
    r = login_at(base_url(), email, PASSWORD);
    ck_assert_status(r, 429);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    http_free(r);
    http_set_source(NULL);
    free(body);
    free(email);
}
END_TEST

/* A page's cursor made by A (signed with the shared key) continues on B
 * with the next task of the same listing. */
START_TEST(a_page_cursor_from_node_a_continues_on_node_b)
{
    char *tok = make_user("node-cursor", NULL), *url;
    const char *link, *start, *end;
    long long third;
    http_resp *r;

    make_task(tok, "{\"title\":\"first\"}");
    make_task(tok, "{\"title\":\"second\"}");
    third = make_task(tok, "{\"title\":\"third\"}");
    r = http_auth("GET", "/api/tasks?limit=2&sort=created_at&order=asc", tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 2);
    link = http_header(r, "Link");
    ck_assert_ptr_nonnull(link);
    start = strchr(link, '<');
    end = start ? strchr(start, '>') : NULL;
    ck_assert_msg(start && end, "Link: %s", link);
    /* The same path and query, on node B. */
    start = strstr(start, "/api/");
    ck_assert_ptr_nonnull(start);
    url = fmt("%s%.*s", node_b(), (int)(end - start), start);
    http_free(r);
    r = http_auth("GET", url, tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 1);
    ck_assert_int_eq(jint(json_array_get(r->json, 0), "id"), third);
    http_free(r);
    free(url);
    free(tok);
}
END_TEST

/* Both nodes trust the same Better Auth issuer: its token is one local
 * user on both, whichever node saw it first. */
START_TEST(an_external_token_is_one_user_on_both_nodes)
{
    const char *ba = getenv("BA1_URL");
    char *email = fmt("node-ba-%ld@example.org", random());
    char *tok, *url = on_b("/api/auth/me"), *id_b;
    http_resp *r;

    ck_assert_ptr_nonnull(ba);
    tok = ba_token(ba, email, "Node");
    r = http_auth("GET", url, tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(jstr(json_object_get(r->json, "user"), "id"));
    id_b = strdup(jstr(json_object_get(r->json, "user"), "id"));
    http_free(r);
    r = http_auth("GET", "/api/auth/me", tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(json_object_get(r->json, "user"), "id"), id_b);
    ck_assert_str_eq(jstr(json_object_get(r->json, "user"), "email"), email);
    http_free(r);
    free(id_b);
    free(tok);
    free(url);
    free(email);
}
END_TEST

Suite *nodes_suite(void)
{
    Suite *s = suite_create("nodes");
    TCase *tc = tcase_create("nodes");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_token_from_node_a_works_on_node_b);
    tcase_add_test(tc, logout_on_node_a_revokes_on_node_b);
    tcase_add_test(tc, login_failures_on_both_nodes_count_together);
    tcase_add_test(tc, a_page_cursor_from_node_a_continues_on_node_b);
    tcase_add_test(tc, an_external_token_is_one_user_on_both_nodes);
    suite_add_tcase(s, tc);
    return s;
}
