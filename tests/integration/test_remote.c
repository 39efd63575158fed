/* test_remote.c - a database reached over the network (README, "Pooled
 * and remote databases"): TLS checked against a root certificate, and a
 * database that cannot answer yet (a cold serverless compute). The sites
 * are httpds of their own (run.sh): tlsgood and tlsbad on the stack's
 * PostgreSQL over TLS (sslmode=verify-full) with the right and a wrong
 * root certificate, cold on a port that accepts connections and never
 * answers (connect_timeout=2). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

static const char *site(const char *var)
{
    const char *v = getenv(var);

    ck_assert_msg(v != NULL, "%s is not set (run tests/integration/run.sh)", var);
    return v;
}

/* The number of lines of a site's error log that contain needle. */
static int site_log_lines(const char *name, const char *needle)
{
    char *path = fmt("%s/%s.error.log", getenv("STACK_DIR"), name);
    char *text = read_text(path), *at;
    int n = 0;

    for (at = text ? strstr(text, needle) : NULL; at; at = strstr(at + 1, needle))
        n++;
    free(text);
    free(path);
    return n;
}

/* sslmode=verify-full with the CA that signed the server's certificate:
 * health is ok, and an account and a task are made and read over it
 * (PostgreSQL's pg_stat_ssl shows the runtime role's TLS sessions). */
START_TEST(verified_tls_to_the_database_serves)
{
    const char *url = site("TLSGOOD_URL");
    char *email = fmt("tls-%ld@example.org", random()), *body, *tok, *out;
    http_resp *r;
    json_t *task;

    r = http("GET", fmt("%s/api/health", url), NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "database"), "ok");
    http_free(r);
    body = fmt("{\"email\":\"%s\",\"password\":\"correct horse battery\"}", email);
    r = http("POST", fmt("%s/api/auth/signup", url), body, NULL);
    ck_assert_status(r, 201);
    tok = strdup(jstr(r->json, "token"));
    http_free(r);
    task = http_json("POST", fmt("%s/api/tasks", url), tok,
                     "{\"title\":\"over TLS\"}", 201);
    ck_assert_str_eq(jstr(task, "title"), "over TLS");
    json_decref(task);
    out = db_query("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a "
                   "USING (pid) WHERE a.usename = 'tasks_app' AND s.ssl "
                   "AND a.client_addr IS NOT NULL");
    ck_assert_msg(atoi(out) >= 1, "no TLS session of the runtime role: %s", out);
    free(out);
    free(tok);
    free(body);
    free(email);
}
END_TEST

/* A root certificate that did not sign the server's: health is 503 with
 * Retry-After at once (no hang, no 500), and the site's log says why in
 * libpq's words (mod_dbd's AH00629). */
START_TEST(wrong_root_certificate_is_503_and_logged_with_the_reason)
{
    const char *url = site("TLSBAD_URL");
    http_resp *r = http("GET", fmt("%s/api/health", url), NULL, NULL);

    ck_assert_status(r, 503);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    ck_assert_str_eq(jstr(r->json, "database"), "unavailable");
    ck_assert_msg(r->seconds < 3.0, "health took %.2f s", r->seconds);
    http_free(r);
    ck_assert_msg(site_log_lines("tlsbad", "certificate verify failed") >= 1,
                  "tlsbad's log does not say that the certificate was refused");
}
END_TEST

typedef struct {
    pthread_barrier_t *start;
    const char *url;
    long status;
    int retry_after;
    double seconds;
} cold_request;

static void *cold_get(void *arg)
{
    cold_request *c = arg;
    http_resp *r;

    pthread_barrier_wait(c->start);
    r = http_try("GET", c->url, NULL, NULL);
    c->status = r->status;
    c->retry_after = http_header(r, "Retry-After") != NULL;
    c->seconds = r->seconds;
    http_free(r);
    return NULL;
}

/* 12 health checks at once against a database that takes connections and never
 * answers (connect_timeout=2): each is a 503 with Retry-After, and none
 * waits much longer than one connect_timeout (one request tries; the
 * others share its outcome instead of queueing for their own attempt,
 * which would take 12 x 2 s for the last). */
START_TEST(unanswering_database_is_503_within_one_connect_timeout)
{
    enum { N = 12 };
    const double connect_timeout = 2.0;
    char *url = fmt("%s/api/health", site("COLD_URL"));
    pthread_barrier_t start;
    pthread_t th[N];
    cold_request c[N];
    double slowest = 0;
    int i;

    /* Once the site serves: its child's start waited a connect_timeout
     * already (mod_dbd's DBDMin connections at child init). */
    c[0].url = url;
    pthread_barrier_init(&start, NULL, 1);
    c[0].start = &start;
    cold_get(&c[0]);
    pthread_barrier_destroy(&start);
    ck_assert_int_eq(c[0].status, 503);
    pthread_barrier_init(&start, NULL, N);
    for (i = 0; i < N; i++) {
        c[i].start = &start;
        c[i].url = url;
        ck_assert_int_eq(pthread_create(&th[i], NULL, cold_get, &c[i]), 0);
    }
    for (i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    for (i = 0; i < N; i++) {
        ck_assert_msg(c[i].status == 503 && c[i].retry_after, "request %d: "
                      "%ld, Retry-After %s", i, c[i].status,
                      c[i].retry_after ? "sent" : "missing");
        if (c[i].seconds > slowest)
            slowest = c[i].seconds;
    }
    ck_assert_msg(slowest < connect_timeout + 1.5, "the slowest of %d requests "
                  "took %.2f s (connect_timeout %.0f s)", N, slowest,
                  connect_timeout);
    printf("remote: %d requests to an unanswering database: all 503, the "
           "slowest in %.2f s\n", N, slowest);
    free(url);
}
END_TEST

Suite *remote_suite(void)
{
    Suite *s = suite_create("remote");
    TCase *tc = tcase_create("remote");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, verified_tls_to_the_database_serves);
    tcase_add_test(tc, wrong_root_certificate_is_503_and_logged_with_the_reason);
    tcase_add_test(tc, unanswering_database_is_503_within_one_connect_timeout);
    suite_add_tcase(s, tc);
    return s;
}
