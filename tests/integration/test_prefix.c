/* test_prefix.c - "Safe to run in production", part 2: per virtual host,
 * under a prefix. The virtual host at BASE_URL_PREFIX includes the shipped
 * conf/tasks.conf with TASKS_PREFIX /tasks (TasksBasePath /tasks/) beside
 * a site of its own: the app answers at /tasks/, the API at /tasks/api,
 * and every URL the module hands out (Location, Link, the cookie's Path,
 * the OpenAPI servers URL) follows; /api there is the site's (Apache's
 * own 404), though the host inherits the main server's <Location "/api">.
 * The main server (BASE_URL) keeps "/". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "prefix-Pa55word correct horse"

static const char *prefix_url(void)
{
    const char *b = getenv("BASE_URL_PREFIX");

    ck_assert_msg(b != NULL, "BASE_URL_PREFIX is not set (run.sh sets it)");
    return b;
}

/* A request to the prefix host; path starts with "/". */
static http_resp *at(const char *method, const char *path, const char *body,
                     const char *const *headers)
{
    char *url = fmt("%s%s", prefix_url(), path);
    http_resp *r = http(method, url, body, headers);

    free(url);
    return r;
}

static http_resp *at_auth(const char *method, const char *path,
                          const char *token, const char *body)
{
    char *h = token ? fmt("Authorization: Bearer %s", token) : NULL;
    const char *hs[] = { h, NULL };
    http_resp *r = at(method, path, body, h ? hs : NULL);

    free(h);
    return r;
}

/* Every Set-Cookie value of r, joined by "\n" (malloc'd). */
static char *set_cookies(const http_resp *r)
{
    char *all = strdup(""), *next;
    const char *v;
    int i;

    for (i = 0; (v = http_header_nth(r, "Set-Cookie", i)); i++) {
        next = fmt("%s%s\n", all, v);
        free(all);
        all = next;
    }
    return all;
}

/* The two Set-Cookies of r: tasks_session=<token> with this exact tail,
 * then tasks_refresh (a 43-character value; "" when cleared) with
 * refresh_tail. */
static void assert_cookie(const http_resp *r, const char *token,
                          const char *tail, const char *refresh_tail)
{
    char *all = set_cookies(r);
    char *refresh = http_cookie_value(r, "tasks_refresh");
    char *want;

    ck_assert_msg(refresh != NULL, "no refresh cookie:\n%s", all);
    ck_assert_uint_eq(strlen(refresh), *token ? 43 : 0);
    want = fmt("tasks_session=%s; %s\ntasks_refresh=%s; %s\n", token, tail,
               refresh, refresh_tail);
    ck_assert_msg(!strcmp(all, want), "Set-Cookie:\n%s\nwanted:\n%s", all, want);
    free(want);
    free(refresh);
    free(all);
}

/* Not the module's answer: Apache's own 404, not a problem document, none
 * of the module's headers (no CORS, no WWW-Authenticate). */
static void assert_not_ours(const http_resp *r, const char *what)
{
    const char *ct = http_header(r, "Content-Type");

    ck_assert_msg(r->status == 404, "%s: expected Apache's 404, got %ld: %s",
                  what, r->status, r->body);
    ck_assert_msg(!ct || (strncmp(ct, "application/problem+json", 24)
                          && strncmp(ct, "application/json", 16)),
                  "%s: Content-Type %s: %s", what, ct, r->body);
    ck_assert_msg(r->json == NULL, "%s: a JSON body: %s", what, r->body);
    ck_assert_msg(strstr(r->body, "Not Found") != NULL,
                  "%s: not Apache's 404 page: %s", what, r->body);
    ck_assert_msg(!http_header(r, "WWW-Authenticate"),
                  "%s: WWW-Authenticate %s", what,
                  http_header(r, "WWW-Authenticate"));
    ck_assert_msg(!http_header(r, "Access-Control-Allow-Origin"),
                  "%s: CORS headers", what);
}

static char *signup(const char *prefix, char **token_out)
{
    static unsigned counter;
    char *email = fmt("%s-%d-%u-%ld@example.org", prefix, (int)getpid(),
                      counter++, random());
    char *body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
    http_resp *r = at("POST", "/tasks/api/auth/signup", body, NULL);

    ck_assert_status(r, 201);
    *token_out = strdup(json_string_value(json_object_get(r->json, "token")));
    assert_cookie(r, *token_out, "Path=/tasks/api; Max-Age=3600; HttpOnly; "
                  "SameSite=Strict", "Path=/tasks/api/auth/refresh; "
                  "Max-Age=2592000; HttpOnly; SameSite=Strict");
    http_free(r);
    free(body);
    return email;
}

/* ---- the API under the prefix ---------------------------------------- */

START_TEST(api_answers_under_the_prefix)
{
    http_resp *r = at("GET", "/tasks/api/health", NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "status")), "ok");
    http_free(r);
    /* unknown paths under the prefix's API are the module's 404 */
    r = at("GET", "/tasks/api/nope", NULL, NULL);
    assert_problem(r, 404);
    http_free(r);
    r = at("DELETE", "/tasks/api/health", NULL, NULL);
    assert_problem(r, 405);
    http_free(r);
    /* a protected route asks for a token */
    r = at("GET", "/tasks/api/tasks", NULL, NULL);
    assert_problem(r, 401);
    http_free(r);
}
END_TEST

/* Signup, login and logout set and clear the cookies on the prefix's API
 * path (the refresh cookie on its refresh path); the session cookie alone
 * authenticates there. */
START_TEST(session_cookie_path_follows_the_prefix)
{
    char *token, *email = signup("prefix-cookie", &token);
    char *body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
    char *cookie;
    const char *hs[2] = { NULL, NULL };
    http_resp *r = at("POST", "/tasks/api/auth/login", body, NULL);
    const char *login_token;

    ck_assert_status(r, 200);
    login_token = json_string_value(json_object_get(r->json, "token"));
    assert_cookie(r, login_token, "Path=/tasks/api; Max-Age=3600; HttpOnly; "
                  "SameSite=Strict", "Path=/tasks/api/auth/refresh; "
                  "Max-Age=2592000; HttpOnly; SameSite=Strict");
    cookie = fmt("Cookie: tasks_session=%s", login_token);
    http_free(r);
    hs[0] = cookie;
    r = at("GET", "/tasks/api/auth/me", NULL, hs);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(
        json_object_get(r->json, "user"), "email")), email);
    http_free(r);
    r = at("POST", "/tasks/api/auth/logout", NULL, hs);
    ck_assert_status(r, 204);
    assert_cookie(r, "", "Path=/tasks/api; Max-Age=0; HttpOnly; SameSite=Strict",
                  "Path=/tasks/api/auth/refresh; Max-Age=0; HttpOnly; "
                  "SameSite=Strict");
    http_free(r);
    free(cookie);
    free(body);
    free(email);
    free(token);
}
END_TEST

/* Location names the task under the prefix, and answers there. */
START_TEST(location_follows_the_prefix)
{
    char *token, *email = signup("prefix-location", &token);
    http_resp *r = at_auth("POST", "/tasks/api/tasks", token,
                           "{\"title\":\"under a prefix\"}");
    long long id;
    char *want, *loc;

    ck_assert_status(r, 201);
    id = json_integer_value(json_object_get(r->json, "id"));
    want = fmt("/tasks/api/tasks/%lld", id);
    ck_assert_msg(http_header(r, "Location")
                  && !strcmp(http_header(r, "Location"), want),
                  "Location %s, wanted %s", http_header(r, "Location"), want);
    loc = strdup(http_header(r, "Location"));
    http_free(r);
    r = at_auth("GET", loc, token, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "title")),
                     "under a prefix");
    http_free(r);
    free(loc);
    free(want);
    free(email);
    free(token);
}
END_TEST

/* Link rel="next" stays under the prefix, and following it gives the
 * next page. */
START_TEST(link_next_follows_the_prefix)
{
    char *token, *email = signup("prefix-link", &token);
    http_resp *r;
    const char *link;
    char *target, *end;
    int i;

    for (i = 0; i < 3; i++) {
        char *body = fmt("{\"title\":\"page %d\"}", i);
        r = at_auth("POST", "/tasks/api/tasks", token, body);
        ck_assert_status(r, 201);
        http_free(r);
        free(body);
    }
    r = at_auth("GET", "/tasks/api/tasks?limit=2", token, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq((int)json_array_size(r->json), 2);
    link = http_header(r, "Link");
    ck_assert_msg(link && !strncmp(link, "</tasks/api/tasks?", 18)
                  && strstr(link, ">; rel=\"next\""), "Link %s", link);
    target = strdup(link + 1);
    end = strchr(target, '>');
    *end = '\0';
    http_free(r);
    r = at_auth("GET", target, token, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq((int)json_array_size(r->json), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r->json, 0),
                                                       "title")), "page 0");
    ck_assert_ptr_null(http_header(r, "Link"));
    http_free(r);
    free(target);
    free(email);
    free(token);
}
END_TEST

/* The OpenAPI document served under the prefix names it as its servers
 * URL (its paths are relative to it); the main server's names "/". */
START_TEST(openapi_servers_url_is_the_base_path)
{
    http_resp *r = at("GET", "/tasks/api/openapi.json", NULL, NULL);
    json_t *paths;

    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(r->json);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
        json_object_get(r->json, "servers"), 0), "url")), "/tasks");
    paths = json_object_get(r->json, "paths");
    ck_assert_ptr_nonnull(json_object_get(paths, "/api/health"));
    http_free(r);
    r = http("GET", "/api/openapi.json", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
        json_object_get(r->json, "servers"), 0), "url")), "/");
    http_free(r);
}
END_TEST

/* ---- outside the prefix: not the module's ---------------------------- */

START_TEST(api_outside_the_prefix_is_not_ours)
{
    const char *bad_token[] = { "Authorization: Bearer not.a.token", NULL };
    const char *preflight[] = { "Origin: https://app.example.org",
                                "Access-Control-Request-Method: POST", NULL };
    const char *origin[] = { "Origin: https://app.example.org", NULL };
    http_resp *r;

    r = at("GET", "/api/health", NULL, NULL);
    assert_not_ours(r, "GET /api/health");
    http_free(r);
    r = at("GET", "/api/openapi.json", NULL, NULL);
    assert_not_ours(r, "GET /api/openapi.json");
    http_free(r);
    /* a token the module would refuse with 401 is not even looked at */
    r = at("GET", "/api/tasks", NULL, bad_token);
    assert_not_ours(r, "GET /api/tasks with a bad token");
    http_free(r);
    r = at("POST", "/api/auth/signup", "{\"email\":\"x@example.org\","
           "\"password\":\"long enough password\"}", origin);
    assert_not_ours(r, "POST /api/auth/signup");
    http_free(r);
    /* no CORS preflight answered by the module */
    r = at("OPTIONS", "/api/tasks", NULL, preflight);
    ck_assert_msg(r->status != 204 && !http_header(r, "Access-Control-Allow-Origin"),
                  "OPTIONS /api/tasks: %ld, ACAO %s", r->status,
                  http_header(r, "Access-Control-Allow-Origin"));
    http_free(r);
    /* a path that only starts like the API is not in it */
    r = at("GET", "/tasks/apis", NULL, NULL);
    assert_not_ours(r, "GET /tasks/apis");
    http_free(r);
}
END_TEST

/* The host's own site stays at /; the app is at /tasks/ (and /tasks goes
 * there), with the snippet's headers. */
START_TEST(app_under_the_prefix_beside_the_site)
{
    http_resp *r = at("GET", "/", NULL, NULL);
    const char *csp;

    ck_assert_status(r, 200);
    ck_assert_msg(strstr(r->body, "the site beside the app"), "%s", r->body);
    http_free(r);
    r = at("GET", "/tasks", NULL, NULL);
    ck_assert_int_eq(r->status, 301);
    ck_assert_msg(http_header(r, "Location")
                  && strstr(http_header(r, "Location"), "/tasks/")
                  && strcmp(strstr(http_header(r, "Location"), "/tasks/"),
                            "/tasks/") == 0,
                  "Location %s", http_header(r, "Location"));
    http_free(r);
    r = at("GET", "/tasks/", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_msg(strstr(r->body, "js/root.js"), "%s", r->body);
    csp = http_header(r, "Content-Security-Policy");
    ck_assert_msg(csp && strstr(csp, "script-src 'self'"), "CSP %s", csp);
    http_free(r);
    r = at("GET", "/tasks/js/api.js", NULL, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    r = at("GET", "/tasks/dashboard/", NULL, NULL);
    ck_assert_status(r, 200);
    /* the app's pages use relative URLs only, so they work under any
     * prefix: no root-absolute src or href */
    ck_assert_msg(!strstr(r->body, "src=\"/") && !strstr(r->body, "href=\"/"),
                  "a root-absolute URL in dashboard/: %s", r->body);
    http_free(r);
}
END_TEST

/* The main server keeps TasksBasePath's default: its cookie, Location and
 * Link are under /api. */
START_TEST(main_server_keeps_the_root)
{
    char *token = make_user("prefix-root", NULL);
    http_resp *r = http_auth("POST", "/api/tasks", token, "{\"title\":\"at /\"}");
    const char *loc;

    ck_assert_status(r, 201);
    loc = http_header(r, "Location");
    ck_assert_msg(loc && !strncmp(loc, "/api/tasks/", 11), "Location %s", loc);
    http_free(r);
    make_task(token, "{\"title\":\"at / too\"}");
    r = http_auth("GET", "/api/tasks?limit=1", token, NULL);
    ck_assert_status(r, 200);
    ck_assert_msg(http_header(r, "Link")
                  && !strncmp(http_header(r, "Link"), "</api/tasks?", 12),
                  "Link %s", http_header(r, "Link"));
    http_free(r);
    /* a token of one host is good on the other (the same key) */
    r = at_auth("GET", "/tasks/api/auth/me", token, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    free(token);
}
END_TEST

/* ---- the shipped snippet, per virtual host: apache2 -t ---------------- */

/* conf/tasks.conf included in two virtual hosts (the whole host; under
 * /tasks/ of a site) beside a third that has none of it. */
static char *snippet_conf(const char *prefix)
{
    const char *root = getenv("TASKS_ROOT");

    return fmt("LoadModule alias_module modules/mod_alias.so\n"
               "LoadModule dir_module modules/mod_dir.so\n"
               "Define TASKS_SECRET_FILE ${STACK_DIR}/jwt.secret\n"
               "Define TASKS_HTDOCS %s/htdocs\n"
               "<VirtualHost 127.0.0.1:1>\nServerName tasks.example\n"
               "Include %s/conf/tasks.conf\n</VirtualHost>\n"
               "<VirtualHost 127.0.0.1:1>\nServerName www.example\n"
               "DocumentRoot ${STACK_DIR}\n"
               "Define TASKS_PREFIX %s\n"
               "Include %s/conf/tasks.conf\n"
               "UnDefine TASKS_PREFIX\n</VirtualHost>\n"
               "<VirtualHost 127.0.0.1:1>\nServerName plain.example\n"
               "<Location /api>\nRequire all granted\n</Location>\n"
               "</VirtualHost>\n", root, root, prefix, root);
}

START_TEST(snippet_serves_per_virtual_host)
{
    char *conf = snippet_conf("/tasks"), *out;
    int rc = configtest_conf(conf, &out);

    ck_assert_msg(rc == 0 && strstr(out, "Syntax OK"), "configtest %d: %s",
                  rc, out);
    free(out);
    free(conf);
}
END_TEST

/* A prefix without its leading slash: configtest fails, naming the
 * directive. */
START_TEST(prefix_without_leading_slash_fails_configtest)
{
    char *conf = snippet_conf("tasks"), *out;
    int rc = configtest_conf(conf, &out);

    ck_assert_msg(rc != 0, "configtest passed: %s", out);
    ck_assert_msg(strstr(out, "TasksBasePath: 'tasks/' must start with '/'"),
                  "%s", out);
    free(out);
    free(conf);
}
END_TEST

Suite *prefix_suite(void)
{
    Suite *s = suite_create("prefix");
    TCase *tc = tcase_create("under a prefix");
    TCase *config = tcase_create("snippet");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, api_answers_under_the_prefix);
    tcase_add_test(tc, session_cookie_path_follows_the_prefix);
    tcase_add_test(tc, location_follows_the_prefix);
    tcase_add_test(tc, link_next_follows_the_prefix);
    tcase_add_test(tc, openapi_servers_url_is_the_base_path);
    tcase_add_test(tc, api_outside_the_prefix_is_not_ours);
    tcase_add_test(tc, app_under_the_prefix_beside_the_site);
    tcase_add_test(tc, main_server_keeps_the_root);
    suite_add_tcase(s, tc);
    tcase_set_timeout(config, 30);
    tcase_add_test(config, snippet_serves_per_virtual_host);
    tcase_add_test(config, prefix_without_leading_slash_fails_configtest);
    suite_add_tcase(s, config);
    return s;
}
