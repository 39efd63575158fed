/* test_cors.c - CORS for the configured origins (run.sh configures
 * `TasksCORSAllowOrigin https://app.example.org http://localhost:3000`):
 * preflights answered without a token, actual responses (errors
 * included) carrying the allow/expose headers, and nothing at all for
 * any other origin, look-alikes included. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "suites.h"

#define APP "https://app.example.org"
#define LOCAL "http://localhost:3000"

static const char *const allowed_origins[] = { APP, LOCAL };

static const char *const disallowed_origins[] = {
    "https://evil.example.org",
    "null",
    "https://app.example.org.evil.com",
    "http://app.example.org",          /* wrong scheme */
    "https://APP.example.org",         /* not byte-identical */
    "https://app.example.org:8443",    /* another port is another origin */
    "https://app.example.org/",        /* an origin has no path */
    "https://xapp.example.org",
    "https://app.example.or",
    "http://localhost:30000",
    "http://localhost",
    "https://localhost:3000",
    "*",
    "https://app.example.org, https://evil.example.org",
};

/* Does any value of header name contain word (a comma-separated token)? */
static int header_has_token(const http_resp *r, const char *name,
                            const char *word)
{
    size_t n = strlen(name), w = strlen(word);
    char **h;

    for (h = r->headers; h && *h; h++) {
        const char *v;
        if (strncasecmp(*h, name, n) || (*h)[n] != ':')
            continue;
        v = *h + n + 1;
        while (*v) {
            while (*v == ' ' || *v == ',')
                v++;
            if (!strncasecmp(v, word, w) && (v[w] == '\0' || v[w] == ','
                                              || v[w] == ' '))
                return 1;
            v += strcspn(v, ",");
        }
    }
    return 0;
}

/* How many Access-Control-* headers the response has. */
static int cors_header_count(const http_resp *r)
{
    char **h;
    int n = 0;

    for (h = r->headers; h && *h; h++)
        n += !strncasecmp(*h, "Access-Control-", 15);
    return n;
}

/* The same header must not appear twice (browsers reject a doubled
 * Access-Control-Allow-Origin). */
static int header_count(const http_resp *r, const char *name)
{
    size_t n = strlen(name);
    char **h;
    int c = 0;

    for (h = r->headers; h && *h; h++)
        c += !strncasecmp(*h, name, n) && (*h)[n] == ':';
    return c;
}

/* Whatever else holds: never a wildcard, never credentials with one, and
 * never a 5xx. */
static void assert_cors_sane(const http_resp *r)
{
    const char *acao = http_header(r, "Access-Control-Allow-Origin");

    ck_assert_msg(r->status < 500, "%ld: %s", r->status, r->body);
    ck_assert_msg(!acao || strcmp(acao, "*") != 0,
                  "Access-Control-Allow-Origin: * was sent");
    ck_assert_int_le(header_count(r, "Access-Control-Allow-Origin"), 1);
}

/* An allowed origin's actual response: the origin echoed, Vary: Origin,
 * and the headers a script needs exposed. */
static void assert_actual_allowed(const http_resp *r, const char *origin)
{
    const char *acao = http_header(r, "Access-Control-Allow-Origin");
    const char *acac = http_header(r, "Access-Control-Allow-Credentials");
    const char *expose[] = { "ETag", "Location", "Link", "X-Total-Count" };
    size_t i;

    assert_cors_sane(r);
    ck_assert_msg(acao && !strcmp(acao, origin), "%ld: Allow-Origin %s, want %s",
                  r->status, acao ? acao : "(none)", origin);
    ck_assert_msg(header_has_token(r, "Vary", "Origin"), "%ld: no Vary: Origin",
                  r->status);
    ck_assert_msg(acac && !strcmp(acac, "true"), "%ld: Allow-Credentials %s, "
                  "want true", r->status, acac ? acac : "(none)");
    for (i = 0; i < sizeof(expose) / sizeof(*expose); i++)
        ck_assert_msg(header_has_token(r, "Access-Control-Expose-Headers", expose[i]),
                      "%ld: %s is not exposed (%s)", r->status, expose[i],
                      http_header(r, "Access-Control-Expose-Headers")
                      ? http_header(r, "Access-Control-Expose-Headers") : "none");
    /* Preflight-only headers have no business on an actual response. */
    ck_assert_ptr_null(http_header(r, "Access-Control-Allow-Methods"));
    ck_assert_ptr_null(http_header(r, "Access-Control-Max-Age"));
}

static void assert_no_cors(const http_resp *r, const char *origin)
{
    assert_cors_sane(r);
    ck_assert_msg(cors_header_count(r) == 0,
                  "origin '%s' got CORS headers (status %ld, Allow-Origin %s)",
                  origin, r->status,
                  http_header(r, "Access-Control-Allow-Origin")
                  ? http_header(r, "Access-Control-Allow-Origin") : "-");
}

/* OPTIONS with Origin and Access-Control-Request-Method (and headers). */
static http_resp *preflight(const char *path, const char *origin,
                            const char *method, const char *req_headers,
                            const char *extra)
{
    char *o = fmt("Origin: %s", origin);
    char *m = fmt("Access-Control-Request-Method: %s", method);
    char *h = req_headers ? fmt("Access-Control-Request-Headers: %s", req_headers)
                          : NULL;
    const char *hs[5];
    int n = 0;
    http_resp *r;

    hs[n++] = o;
    hs[n++] = m;
    if (h)
        hs[n++] = h;
    if (extra)
        hs[n++] = extra;
    hs[n] = NULL;
    r = http("OPTIONS", path, NULL, hs);
    free(o);
    free(m);
    free(h);
    return r;
}

/* A request from origin with an optional token. */
static http_resp *from(const char *origin, const char *method, const char *path,
                       const char *tok, const char *body, const char *extra)
{
    char *o = origin ? fmt("Origin: %s", origin) : NULL;
    char *a = tok ? fmt("Authorization: Bearer %s", tok) : NULL;
    const char *hs[4];
    int n = 0;
    http_resp *r;

    if (o)
        hs[n++] = o;
    if (a)
        hs[n++] = a;
    if (extra)
        hs[n++] = extra;
    hs[n] = NULL;
    r = http(method, path, body, hs);
    free(o);
    free(a);
    return r;
}

START_TEST(preflight_from_allowed_origin_needs_no_token)
{
    char *uid = NULL, *tok = make_user("cors-pre", &uid);
    char *seed = fmt("/api/%s/tasks/1", uid);
    const char *paths[] = {
        "/api/tasks", "/api/tasks/1", "/api/tasks/12345/complete",
        "/api/auth/login", "/api/auth/me", seed,
    };
    const char *methods[] = { "PATCH", "GET", "POST", "PUT", "DELETE" };
    size_t o, p, m;

    for (o = 0; o < 2; o++)
        for (p = 0; p < sizeof(paths) / sizeof(*paths); p++)
            for (m = 0; m < sizeof(methods) / sizeof(*methods); m++) {
                http_resp *r = preflight(paths[p], allowed_origins[o], methods[m],
                                         m == 0 ? "authorization, content-type, if-match"
                                                : NULL, NULL);
                const char *age = http_header(r, "Access-Control-Max-Age");
                char *end;

                ck_assert_msg(r->status == 204, "preflight %s %s from %s: %ld %s",
                              methods[m], paths[p], allowed_origins[o], r->status,
                              r->body);
                ck_assert_int_eq(r->len, 0);
                assert_cors_sane(r);
                ck_assert_str_eq(http_header(r, "Access-Control-Allow-Origin"),
                                 allowed_origins[o]);
                ck_assert(header_has_token(r, "Vary", "Origin"));
                ck_assert_str_eq(http_header(r, "Access-Control-Allow-Methods"),
                                 "GET, POST, PUT, PATCH, DELETE, OPTIONS, PROPFIND, PROPPATCH, REPORT");
                ck_assert_str_eq(http_header(r, "Access-Control-Allow-Headers"),
                                 "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, Depth, MCP-Protocol-Version");
                ck_assert_msg(age && strtol(age, &end, 10) > 0 && !*end,
                              "Max-Age '%s'", age ? age : "(none)");
                ck_assert_ptr_null(http_header(r, "WWW-Authenticate"));
                http_free(r);
            }

    /* A preflight is never authenticated: a bad token or cookie (a
     * browser sends none, but a proxy might) does not turn it into 401. */
    {
        http_resp *r = preflight("/api/tasks", APP, "DELETE", NULL,
                                 "Authorization: Bearer not.a.token");
        ck_assert_status(r, 204);
        ck_assert_str_eq(http_header(r, "Access-Control-Allow-Origin"), APP);
        http_free(r);
        r = preflight("/api/tasks", APP, "GET", NULL, "Cookie: tasks_session=forged");
        ck_assert_status(r, 204);
        ck_assert_str_eq(http_header(r, "Access-Control-Allow-Origin"), APP);
        http_free(r);
    }
    free(seed);
    free(uid);
    free(tok);
}
END_TEST

/* A preflight is answered like any other (204, without a token), only
 * without the permission headers. */
START_TEST(preflight_from_other_origins_gets_no_cors_headers)
{
    size_t o;

    for (o = 0; o < sizeof(disallowed_origins) / sizeof(*disallowed_origins); o++) {
        http_resp *r = preflight("/api/tasks", disallowed_origins[o], "PATCH",
                                 "authorization, content-type", NULL);
        ck_assert_msg(r->status == 204, "preflight from '%s': %ld %s",
                      disallowed_origins[o], r->status, r->body);
        assert_no_cors(r, disallowed_origins[o]);
        http_free(r);
        r = preflight("/api/tasks/1", disallowed_origins[o], "DELETE", NULL, NULL);
        ck_assert_msg(r->status == 204, "preflight of DELETE from '%s': %ld %s",
                      disallowed_origins[o], r->status, r->body);
        assert_no_cors(r, disallowed_origins[o]);
        http_free(r);
    }
}
END_TEST

START_TEST(actual_responses_to_allowed_origin_carry_cors_headers)
{
    char *tok = make_user("cors-actual", NULL);
    char *task_path, *etag, *inm;
    http_resp *r;
    long long id;
    size_t o;

    for (o = 0; o < 2; o++) {
        const char *origin = allowed_origins[o];

        /* 201 with Location, 200 with ETag, a list with X-Total-Count
         * and Link, 204. */
        r = from(origin, "POST", "/api/tasks", tok, "{\"title\":\"cors\"}", NULL);
        ck_assert_status(r, 201);
        assert_actual_allowed(r, origin);
        ck_assert_ptr_nonnull(http_header(r, "Location"));
        id = json_integer_value(json_object_get(r->json, "id"));
        http_free(r);
        make_task(tok, "{\"title\":\"cors 2\"}");

        task_path = fmt("/api/tasks/%lld", id);
        r = from(origin, "GET", task_path, tok, NULL, NULL);
        ck_assert_status(r, 200);
        assert_actual_allowed(r, origin);
        etag = strdup(http_header(r, "ETag"));
        http_free(r);

        r = from(origin, "GET", "/api/tasks?limit=1", tok, NULL, NULL);
        ck_assert_status(r, 200);
        assert_actual_allowed(r, origin);
        ck_assert_ptr_nonnull(http_header(r, "Link"));
        ck_assert_ptr_nonnull(http_header(r, "X-Total-Count"));
        http_free(r);

        /* Errors too: 401 without a token and with a bad one, 404, 400,
         * 412, 415, 422, 405. */
        r = from(origin, "GET", "/api/tasks", NULL, NULL, NULL);
        assert_problem(r, 401);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/tasks", "not.a.token", NULL, NULL);
        assert_problem(r, 401);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/tasks/9223372036854775806", tok, NULL, NULL);
        assert_problem(r, 404);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/nope", tok, NULL, NULL);
        assert_problem(r, 404);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/tasks?limit=0", tok, NULL, NULL);
        assert_problem(r, 400);
        assert_actual_allowed(r, origin);
        http_free(r);
        {
            char *stale = fmt("If-Match: \"%lld.999\"", id);
            r = from(origin, "PATCH", task_path, tok, "{\"title\":\"x\"}", stale);
            free(stale);
        }
        assert_problem(r, 412);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "POST", "/api/tasks", tok, "{}", NULL);
        assert_problem(r, 422);
        assert_actual_allowed(r, origin);
        http_free(r);
        r = from(origin, "POST", task_path, tok, "{}", NULL);
        assert_problem(r, 405);
        assert_actual_allowed(r, origin);
        http_free(r);

        /* 304 and 204. */
        inm = fmt("If-None-Match: %s", etag);
        r = from(origin, "GET", task_path, tok, NULL, inm);
        ck_assert_status(r, 304);
        assert_cors_sane(r);
        ck_assert_str_eq(http_header(r, "Access-Control-Allow-Origin"), origin);
        http_free(r);
        r = from(origin, "DELETE", task_path, tok, NULL, NULL);
        ck_assert_status(r, 204);
        assert_actual_allowed(r, origin);
        http_free(r);

        /* Endpoints without auth. */
        r = from(origin, "GET", "/api/health", NULL, NULL, NULL);
        ck_assert_status(r, 200);
        assert_actual_allowed(r, origin);
        http_free(r);

        free(inm);
        free(etag);
        free(task_path);
    }
    free(tok);
}
END_TEST

START_TEST(actual_responses_to_other_origins_get_no_cors_headers)
{
    char *tok = make_user("cors-deny", NULL);
    long long id = make_task(tok, "{\"title\":\"deny\"}");
    char *path = fmt("/api/tasks/%lld", id);
    size_t o;

    for (o = 0; o < sizeof(disallowed_origins) / sizeof(*disallowed_origins); o++) {
        const char *origin = disallowed_origins[o];
        http_resp *r = from(origin, "GET", "/api/tasks", tok, NULL, NULL);

        /* The request itself is served (CORS is the browser's business);
         * only the permission headers are withheld. */
        ck_assert_status(r, 200);
        assert_no_cors(r, origin);
        http_free(r);
        r = from(origin, "GET", path, tok, NULL, NULL);
        ck_assert_status(r, 200);
        assert_no_cors(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/tasks", NULL, NULL, NULL);
        assert_problem(r, 401);
        assert_no_cors(r, origin);
        http_free(r);
        r = from(origin, "GET", "/api/tasks/9223372036854775806", tok, NULL, NULL);
        assert_problem(r, 404);
        assert_no_cors(r, origin);
        http_free(r);
    }
    /* No Origin at all (same-origin or not a browser): no CORS headers. */
    {
        http_resp *r = from(NULL, "GET", "/api/tasks", tok, NULL, NULL);
        ck_assert_status(r, 200);
        assert_no_cors(r, "(none)");
        http_free(r);
        r = from(NULL, "GET", "/api/tasks", NULL, NULL, NULL);
        assert_problem(r, 401);
        assert_no_cors(r, "(none)");
        http_free(r);
    }
    free(path);
    free(tok);
}
END_TEST

/* The permission is per request: an allowed origin's response never
 * leaks into the next request on the same server (no cached header). */
START_TEST(allow_origin_is_decided_per_request)
{
    char *tok = make_user("cors-mix", NULL);
    int i;

    for (i = 0; i < 20; i++) {
        const char *origin = i % 2 ? APP : "https://evil.example.org";
        http_resp *r = from(origin, "GET", "/api/tasks", tok, NULL, NULL);

        ck_assert_status(r, 200);
        if (i % 2)
            assert_actual_allowed(r, APP);
        else
            assert_no_cors(r, origin);
        http_free(r);
    }
    free(tok);
}
END_TEST

Suite *cors_suite(void)
{
    Suite *s = suite_create("cors");
    TCase *tc = tcase_create("cors");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, preflight_from_allowed_origin_needs_no_token);
    tcase_add_test(tc, preflight_from_other_origins_gets_no_cors_headers);
    tcase_add_test(tc, actual_responses_to_allowed_origin_carry_cors_headers);
    tcase_add_test(tc, actual_responses_to_other_origins_get_no_cors_headers);
    tcase_add_test(tc, allow_origin_is_decided_per_request);
    suite_add_tcase(s, tc);
    return s;
}
