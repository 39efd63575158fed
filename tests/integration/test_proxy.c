/* test_proxy.c - mod_tasks behind a reverse proxy (README "Behind a reverse
 * proxy"). run.sh starts two virtual hosts with mod_remoteip trusting
 * 127.0.0.2 as the proxy (RemoteIPHeader X-Forwarded-For) and
 * TasksLoginThrottle 3 60 3:
 *   BASE_URL_PROXY        ServerName https://..., RemoteIPInternalProxy
 *   BASE_URL_PROXY_PLAIN  no https declared,      RemoteIPTrustedProxy
 * The tests send as the proxy would (bound to 127.0.0.2, the client in
 * X-Forwarded-For, X-Forwarded-Proto: https) and as an untrusted client
 * sending the same headers from another loopback address, and check the
 * session cookie's Secure, whose failures the throttle counts, and the
 * address in the access log.
 *
 * Throttling rows are shared by every virtual host: each host uses its own
 * loopback and forwarded addresses (documentation ranges 198.51.100.0/24
 * and 203.0.113.0/24, which mod_remoteip accepts from any trusted proxy),
 * and no other suite uses them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "it-Pa55word behind a proxy"
#define PROXY_IP "127.0.0.2"
#define XFP_HTTPS "X-Forwarded-Proto: https"

typedef struct {
    const char *name;
    const char *env;      /* its base URL's variable */
    int https;            /* ServerName https://... */
    int n;                /* this host's share of the test addresses */
} proxied_host;

static const proxied_host hosts[] = {
    { "ServerName https, RemoteIPInternalProxy", "BASE_URL_PROXY", 1, 0 },
    { "no https, RemoteIPTrustedProxy", "BASE_URL_PROXY_PLAIN", 0, 1 },
};
#define NHOSTS (int)(sizeof(hosts) / sizeof(hosts[0]))

static const char *host_url(const proxied_host *h)
{
    const char *u = getenv(h->env);

    ck_assert_msg(u != NULL, "%s is not set (run through run.sh)", h->env);
    return u;
}

/* The n-th address of this host in a documentation range. */
static char *client_addr(const proxied_host *h, const char *net, int k)
{
    return fmt("%s.%d", net, 10 + 40 * h->n + k);
}

/* An untrusted loopback source of this host (127.0.0.80 and up). */
static char *loopback(const proxied_host *h, int k)
{
    return fmt("127.0.0.%d", 80 + 10 * h->n + k);
}

static char *fresh_email(const char *prefix)
{
    static unsigned counter;
    return fmt("%s-%d-%u-%ld@example.org", prefix, (int)getpid(), counter++,
               random());
}

/* POST base+path {email, password} from source (NULL = default) with
 * X-Forwarded-For: xff (NULL = none) and, when xfp, X-Forwarded-Proto. */
static http_resp *post_from(const char *source, const char *xff, int xfp,
                            const char *base, const char *path,
                            const char *email, const char *password)
{
    json_t *o = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *body = json_dumps(o, JSON_COMPACT), *url = fmt("%s%s", base, path);
    char *xh = xff ? fmt("X-Forwarded-For: %s", xff) : NULL;
    const char *hs[3] = { NULL, NULL, NULL };
    int i = 0;
    http_resp *r;

    if (xh)
        hs[i++] = xh;
    if (xfp)
        hs[i++] = XFP_HTTPS;
    http_set_source(source);
    r = http("POST", url, body, hs);
    http_set_source(NULL);
    free(xh);
    free(body);
    free(url);
    json_decref(o);
    return r;
}

static http_resp *login_from(const char *source, const char *xff,
                             const char *base, const char *email,
                             const char *password)
{
    return post_from(source, xff, 1, base, "/api/auth/login", email, password);
}

/* The session and refresh cookies of a 200/201 answer: exactly the
 * contract's attributes, with "; Secure" at the end if and only if
 * secure. */
static void assert_cookie(const http_resp *r, int secure, const char *what)
{
    const char *token = json_string_value(json_object_get(r->json, "token"));
    const char *got = http_set_cookie(r, "tasks_session");
    const char *got_refresh = http_set_cookie(r, "tasks_refresh");
    char *refresh = http_cookie_value(r, "tasks_refresh"), *want;

    ck_assert_msg(r->status == 200 || r->status == 201, "%s: %ld %s", what,
                  r->status, r->body);
    ck_assert_msg(token && got && refresh, "%s: no token or no cookies", what);
    want = fmt("tasks_session=%s; Path=/api; Max-Age=3600; HttpOnly; "
               "SameSite=Strict%s", token, secure ? "; Secure" : "");
    ck_assert_msg(!strcmp(got, want), "%s: cookie \"%s\", expected %s Secure",
                  what, got, secure ? "with" : "without");
    free(want);
    want = fmt("tasks_refresh=%s; Path=/api/auth/refresh; Max-Age=2592000; "
               "HttpOnly; SameSite=Strict%s", refresh, secure ? "; Secure" : "");
    ck_assert_msg(!strcmp(got_refresh, want), "%s: refresh cookie \"%s\", "
                  "expected %s Secure", what, got_refresh,
                  secure ? "with" : "without");
    free(want);
    free(refresh);
}

static void assert_status(http_resp *r, long want, const char *what)
{
    ck_assert_msg(r->status == want, "%s: expected %ld, got %ld: %s", what,
                  want, r->status, r->body);
    if (want == 429)
        ck_assert_msg(http_header(r, "Retry-After") != NULL, "%s: no Retry-After",
                      what);
    http_free(r);
}

/* Three failed logins counted against one client, each for a new email
 * (never 3 for one), each sent with the X-Forwarded-For of xff(k). */
static void fail_three_times(const char *source, const char *base,
                             char *(*xff)(const proxied_host *, int),
                             const proxied_host *h)
{
    int k;

    for (k = 0; k < 3; k++) {
        char *e = fresh_email("proxy-ghost"), *x = xff ? xff(h, k) : NULL;
        char *what = fmt("failure %d", k + 1);

        assert_status(login_from(source, x, base, e, "wrong password"), 401, what);
        free(what);
        free(x);
        free(e);
    }
}

/* The access log's line for a request whose target contains marker; the
 * line is written after the answer is sent, so wait for it a little. */
static char *access_log_line(const char *marker)
{
    char *path = fmt("%s/access.log", getenv("STACK_DIR"));
    char line[4096], *found = NULL;
    int tries;

    for (tries = 0; tries < 50 && !found; tries++) {
        FILE *f = fopen(path, "r");

        ck_assert_msg(f != NULL, "cannot open %s", path);
        while (!found && fgets(line, sizeof(line), f))
            if (strstr(line, marker))
                found = strdup(line);
        fclose(f);
        if (!found)
            usleep(100 * 1000);
    }
    ck_assert_msg(found != NULL, "no access log line with %s", marker);
    free(path);
    return found;
}

/* GET base/?probe=... from source with X-Forwarded-For: xff; the access
 * log's %h of it must be want. */
static void assert_logged_as(const char *source, const char *xff,
                             const char *base, const char *want)
{
    char *marker = fmt("proxy-probe-%d-%ld", (int)getpid(), random());
    char *url = fmt("%s/?%s", base, marker), *xh = fmt("X-Forwarded-For: %s", xff);
    char *prefix = fmt("%s ", want), *line;
    const char *hs[] = { xh, XFP_HTTPS, NULL };
    http_resp *r;

    http_set_source(source);
    r = http("GET", url, NULL, hs);
    http_set_source(NULL);
    ck_assert_status(r, 200);
    line = access_log_line(marker);
    ck_assert_msg(!strncmp(line, prefix, strlen(prefix)),
                  "access log: expected the client %s in: %s", want, line);
    http_free(r);
    free(line);
    free(prefix);
    free(xh);
    free(url);
    free(marker);
}

/* ------------------------------------------------------------------ */
/* Secure: from the virtual host's ServerName https://, never from a
 * header, whoever sends it. */

typedef struct {
    int host;
    const char *sender;   /* "proxy", "untrusted", "direct" */
    int headers;          /* X-Forwarded-For and X-Forwarded-Proto: https */
} cookie_case;

static const cookie_case cookie_cases[] = {
    { 0, "proxy", 1 }, { 0, "untrusted", 1 }, { 0, "direct", 0 },
    { 1, "proxy", 1 }, { 1, "untrusted", 1 }, { 1, "direct", 0 },
};

START_TEST(session_cookie_is_secure_where_the_host_declares_https)
{
    const cookie_case *c = &cookie_cases[_i];
    const proxied_host *h = &hosts[c->host];
    const char *base = host_url(h);
    char *source = !strcmp(c->sender, "proxy") ? strdup(PROXY_IP)
                   : loopback(h, c->headers ? 2 : 3);
    char *xff = c->headers ? client_addr(h, "198.51.100", 0) : NULL;
    char *email = fresh_email("proxy-cookie");
    char *what = fmt("%s, from %s%s", h->name, c->sender,
                     c->headers ? " with X-Forwarded-Proto: https" : "");
    int secure = h->https;   /* the host's declaration alone decides */
    http_resp *r;

    r = post_from(source, xff, c->headers, base, "/api/auth/signup", email,
                  PASSWORD);
    ck_assert_msg(r->status == 201, "%s: signup %ld %s", what, r->status, r->body);
    assert_cookie(r, secure, what);
    http_free(r);
    r = post_from(source, xff, c->headers, base, "/api/auth/login", email,
                  PASSWORD);
    ck_assert_msg(r->status == 200, "%s: login %ld %s", what, r->status, r->body);
    assert_cookie(r, secure, what);
    http_free(r);
    free(what);
    free(email);
    free(xff);
    free(source);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Throttling counts the client the trusted proxy names. */

static char *forwarded_a(const proxied_host *h, int k)
{
    (void)k;
    return client_addr(h, "203.0.113", 0);
}

START_TEST(throttle_counts_the_client_a_trusted_proxy_forwards)
{
    const proxied_host *h = &hosts[_i];
    const char *base = host_url(h);
    char *a = client_addr(h, "203.0.113", 0), *b = client_addr(h, "203.0.113", 1);
    char *c = client_addr(h, "203.0.113", 2), *d = client_addr(h, "203.0.113", 3);
    char *email = fresh_email("proxy-thr"), *chain;
    http_resp *r;

    r = post_from(PROXY_IP, d, 1, base, "/api/auth/signup", email, PASSWORD);
    ck_assert_status(r, 201);
    http_free(r);

    /* Client A fails three times through the proxy: A is at the limit. */
    fail_three_times(PROXY_IP, base, forwarded_a, h);
    assert_status(login_from(PROXY_IP, a, base, email, PASSWORD), 429,
                  "client A after three failures");
    /* Client B, through the same proxy, is not: the count is per client,
     * not per proxy. */
    r = login_from(PROXY_IP, b, base, email, PASSWORD);
    assert_cookie(r, h->https, "client B");
    http_free(r);
    /* A client's own X-Forwarded-For is kept by the proxy, which appends
     * the address it saw: only that last one counts. */
    chain = fmt("%s, %s", a, c);
    assert_status(login_from(PROXY_IP, chain, base, email, PASSWORD), 200,
                  "client C claiming to forward for A");
    free(chain);
    chain = fmt("%s, %s", c, a);
    assert_status(login_from(PROXY_IP, chain, base, email, PASSWORD), 429,
                  "client A claiming to forward for C");
    free(chain);
    /* The access log names the client too. */
    assert_logged_as(PROXY_IP, a, base, a);
    free(email);
    free(a);
    free(b);
    free(c);
    free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The same headers from an address that is not the proxy change
 * nothing: the peer's address counts. */

static char *forwarded_each_time_another(const proxied_host *h, int k)
{
    return client_addr(h, "203.0.113", 20 + k);
}

START_TEST(forwarded_headers_from_an_untrusted_client_change_nothing)
{
    const proxied_host *h = &hosts[_i];
    const char *base = host_url(h);
    char *u = loopback(h, 0), *u2 = loopback(h, 1);
    char *other = client_addr(h, "203.0.113", 30);
    char *email = fresh_email("proxy-untrusted");
    http_resp *r;

    r = post_from(u2, NULL, 0, base, "/api/auth/signup", email, PASSWORD);
    ck_assert_status(r, 201);
    http_free(r);

    /* Three failures from u, each claiming another client: were the
     * header believed, no client would have failed more than once. */
    fail_three_times(u, base, forwarded_each_time_another, h);
    assert_status(login_from(u, other, base, email, PASSWORD), 429,
                  "the untrusted client claiming yet another address");
    /* Another untrusted address is not throttled. */
    r = login_from(u2, other, base, email, PASSWORD);
    assert_cookie(r, h->https, "another untrusted address");
    http_free(r);
    /* The access log names the peer, not the header's address. */
    assert_logged_as(u, other, base, u);
    free(email);
    free(other);
    free(u);
    free(u2);
}
END_TEST

Suite *proxy_suite(void)
{
    Suite *s = suite_create("proxy");
    TCase *ck = tcase_create("cookie");
    TCase *th = tcase_create("throttle");

    tcase_set_timeout(ck, 60);
    tcase_add_loop_test(ck, session_cookie_is_secure_where_the_host_declares_https,
                        0, (int)(sizeof(cookie_cases) / sizeof(cookie_cases[0])));
    suite_add_tcase(s, ck);

    tcase_set_timeout(th, 60);
    tcase_add_loop_test(th, throttle_counts_the_client_a_trusted_proxy_forwards,
                        0, NHOSTS);
    tcase_add_loop_test(th, forwarded_headers_from_an_untrusted_client_change_nothing,
                        0, NHOSTS);
    suite_add_tcase(s, th);
    return s;
}
