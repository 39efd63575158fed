/* test_faults.c - faults under load (README, "Testing"): PostgreSQL
 * restarted, httpd restarted gracefully, PostgreSQL killed, and clients
 * that send their bodies slowly or not at all, each while client threads
 * keep the module busy. Bounded loops on loopback; every response of the
 * load is checked, not only the ones after the fault. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "client.h"
#include "suites.h"


/* ---- one request of the load, which never asserts -------------------- */

/* One exchange as a load thread sees it: a transport failure is status 0
 * (httpd must never cause one here), not an assertion in a thread. The
 * exchange itself is recorded for the contract check like any other. */
typedef struct {
    long status;
    int retry_after;          /* a Retry-After header came */
    char body[512];           /* the start of the body */
} exchange;

static exchange request(const char *method, const char *path, const char *token,
                        const char *body, int close_connection)
{
    exchange x = { 0 };
    char auth[1024];
    const char *headers[] = { auth, close_connection ? "Connection: close" : NULL,
                              NULL };
    http_resp *r;

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    r = http_try(method, path, body, headers);
    x.status = r->status;
    x.retry_after = http_header(r, "Retry-After") != NULL;
    snprintf(x.body, sizeof x.body, "%s", r->transport_error ? r->transport_error
                                                             : r->body);
    http_free(r);
    return x;
}

/* The id in a created task's body, or -1. */
static long long id_in(const exchange *x)
{
    const char *at = strstr(x->body, "\"id\":");

    return at ? strtoll(at + 5, NULL, 10) : -1;
}

/* ---- load threads ------------------------------------------------------ */

enum { MAX_ACKED = 4096 };
typedef enum { MIXED, READ_AND_CREATE, WRITE_PAIRS } load_kind;

typedef struct {
    int index;
    load_kind kind;
    const char *token;
    long long own_task;           /* the task this thread PATCHes */
    volatile int *stop;
    /* what happened */
    long ok, unavailable, created, cleared;
    int patches_sent, patch_acked;  /* numbers of the PATCHes */
    double last_failure;          /* when the last non-2xx started; 0: none */
    char bad[640];                /* the first answer that is never right */
    long long acked[MAX_ACKED];   /* the ids of acknowledged creates */
    int nacked;
} loader;

/* Counts one answer: 2xx is fine; 503 is fine with Retry-After; anything
 * else (a 500, another 4xx, no answer at all) is recorded as bad. */
static int judge(loader *l, const char *what, const exchange *x, double started)
{
    if (x->status >= 200 && x->status < 300) {
        l->ok++;
        return 1;
    }
    l->last_failure = started;
    if (x->status == 503 && x->retry_after) {
        l->unavailable++;
        return 0;
    }
    if (!l->bad[0])
        snprintf(l->bad, sizeof l->bad, "thread %d, %s -> %ld%s: %s", l->index,
                 what, x->status, x->status == 503 ? " without Retry-After" : "",
                 x->body);
    return 0;
}

static void *load(void *arg)
{
    loader *l = arg;
    char body[160], path[96];
    int n;

    for (n = 0; !*l->stop; n++) {
        double t = monotonic_seconds();
        exchange x;

        switch (l->kind) {
        case MIXED:
            switch (n % 4) {
            case 0:
                snprintf(body, sizeof body, "{\"title\":\"load %d-%d\"}", l->index, n);
                x = request("POST", "/api/tasks", l->token, body, 0);
                if (judge(l, "POST /api/tasks", &x, t) && l->nacked < MAX_ACKED)
                    l->acked[l->nacked++] = id_in(&x);
                break;
            case 1:
                x = request("GET", "/api/tasks?limit=20", l->token, NULL, 0);
                judge(l, "GET /api/tasks", &x, t);
                break;
            case 2:
                snprintf(path, sizeof path, "/api/tasks/%lld", l->own_task);
                snprintf(body, sizeof body, "{\"title\":\"patch %d\"}", ++l->patches_sent);
                x = request("PATCH", path, l->token, body, 0);
                if (judge(l, "PATCH", &x, t))
                    l->patch_acked = l->patches_sent;
                break;
            default:
                snprintf(path, sizeof path, "/api/tasks/%lld", l->own_task);
                x = request("GET", path, l->token, NULL, 0);
                judge(l, "GET one", &x, t);
            }
            break;
        case READ_AND_CREATE:
            if (n % 2 == 0) {
                snprintf(body, sizeof body, "{\"title\":\"graceful %d-%d\"}", l->index, n);
                x = request("POST", "/api/tasks", l->token, body, 1);
                if (judge(l, "POST /api/tasks", &x, t))
                    l->created++;
            }
            else {
                x = request("GET", "/api/tasks?limit=10", l->token, NULL, 1);
                judge(l, "GET /api/tasks", &x, t);
            }
            break;
        case WRITE_PAIRS:
            /* A pair that must change together, a create that moves the
             * user's counts (a trigger, in the same transaction), and a
             * clear of every completed task (many rows, one statement). */
            switch (n % 3) {
            case 0:
                snprintf(path, sizeof path, "/api/tasks/%lld", l->own_task);
                snprintf(body, sizeof body, "{\"title\":\"pair %d\",\"description\":"
                         "\"pair %d\"}", n, n);
                x = request("PATCH", path, l->token, body, 0);
                judge(l, "PATCH pair", &x, t);
                break;
            case 1:
                snprintf(body, sizeof body, "{\"title\":\"done %d\",\"completed\":true}", n);
                x = request("POST", "/api/tasks", l->token, body, 0);
                judge(l, "POST completed", &x, t);
                break;
            default:
                x = request("DELETE", "/api/tasks?status=completed", l->token, NULL, 0);
                if (judge(l, "DELETE completed", &x, t))
                    l->cleared++;
            }
            break;
        }
    }
    return NULL;
}

typedef struct {
    int n;
    pthread_t th[16];
    loader l[16];
    volatile int stop;
} load_group;

/* n threads of one kind; tokens[i % ntokens] and own_tasks[i] (may be
 * NULL) per thread. */
static void load_start(load_group *g, int n, load_kind kind, char **tokens,
                       int ntokens, const long long *own_tasks)
{
    int i;

    memset(g, 0, sizeof *g);
    g->n = n;
    for (i = 0; i < n; i++) {
        g->l[i].index = i;
        g->l[i].kind = kind;
        g->l[i].token = tokens[i % ntokens];
        g->l[i].own_task = own_tasks ? own_tasks[i] : 0;
        g->l[i].stop = &g->stop;
        ck_assert_int_eq(pthread_create(&g->th[i], NULL, load, &g->l[i]), 0);
    }
}

static void load_stop(load_group *g)
{
    int i;

    g->stop = 1;
    for (i = 0; i < g->n; i++)
        pthread_join(g->th[i], NULL);
}

/* No thread saw an answer that is never right. */
static void assert_no_bad_answer(const load_group *g)
{
    int i;

    for (i = 0; i < g->n; i++)
        ck_assert_msg(!g->l[i].bad[0], "%s", g->l[i].bad);
}

static long httpd_parent(void)
{
    char *path = fmt("%s/httpd.pid", getenv("STACK_DIR")), *text = read_text(path);
    long pid = text ? strtol(text, NULL, 10) : -1;

    free(text);
    free(path);
    return pid;
}

/* ---- (a) PostgreSQL restarted under load -------------------------------- */

/* pg_ctl restart -m fast under 8 clients of mixed reads and writes: every
 * answer is a 2xx or a 503 with Retry-After (never a 500), the module is
 * back within 5 s of PostgreSQL, httpd is the same process, and every
 * acknowledged write is in the database. */
START_TEST(postgres_restart_under_load_loses_nothing_and_recovers)
{
    enum { N = 8 };
    char *tokens[N], *user_id[N];
    long long own[N];
    load_group g;
    long parent = httpd_parent(), unavailable = 0;
    double back, last_failure = 0;
    int i, j;

    for (i = 0; i < N; i++) {
        char *prefix = fmt("pgrestart%d", i);

        tokens[i] = make_user(prefix, &user_id[i]);
        own[i] = make_task(tokens[i], "{\"title\":\"patched under load\"}");
        free(prefix);
    }
    load_start(&g, N, MIXED, tokens, N, own);
    sleep_s(0.5);
    ck_assert_int_eq(stack("pg-restart"), 0);
    back = monotonic_seconds();
    sleep_s(6.0);
    load_stop(&g);

    assert_no_bad_answer(&g);
    for (i = 0; i < N; i++) {
        unavailable += g.l[i].unavailable;
        if (g.l[i].last_failure > last_failure)
            last_failure = g.l[i].last_failure;
    }
    ck_assert_msg(last_failure < back + 5.0, "a request failed %.2f s after "
                  "PostgreSQL was back", last_failure - back);
    ck_assert_int_eq(httpd_parent(), parent);
    printf("faults: PostgreSQL restart under load: %ld answers 503 with "
           "Retry-After, last failure %.2f s after it was back\n", unavailable,
           last_failure ? last_failure - back : 0.0);

    for (i = 0; i < N; i++) {
        loader *l = &g.l[i];
        char *ids = strdup("0"), *sql, *out, *title;
        int patch;

        for (j = 0; j < l->nacked; j++) {
            char *more = fmt("%s,%lld", ids, l->acked[j]);

            free(ids);
            ids = more;
        }
        sql = fmt("SELECT count(*) FROM tasks WHERE user_id = '%s' AND id IN (%s);",
                  user_id[i], ids);
        out = db_query(sql);
        ck_assert_msg(atoi(out) == l->nacked, "thread %d: %d acknowledged "
                      "creates, %s in the database", i, l->nacked, out);
        free(out);
        free(sql);
        /* The PATCH last acknowledged, or a later one whose answer the
         * restart cut off after it committed. */
        sql = fmt("SELECT title FROM tasks WHERE user_id = '%s' AND id = %lld;",
                  user_id[i], own[i]);
        title = db_query(sql);
        patch = strncmp(title, "patch ", 6) ? 0 : atoi(title + 6);
        ck_assert_msg(patch >= l->patch_acked && patch <= l->patches_sent,
                      "thread %d: title '%s', PATCH %d acknowledged, %d sent",
                      i, title, l->patch_acked, l->patches_sent);
        free(title);
        free(sql);
        free(ids);
        free(tokens[i]);
        free(user_id[i]);
    }
}
END_TEST

/* ---- (b) five graceful restarts under load ------------------------------ */

/* Five `apachectl graceful` (stack.sh httpd-graceful: each returns once
 * the new generation serves) while 6 clients read and create, every
 * request on a connection of its own: not one error, and the user's tasks
 * in the database are exactly the 201s. */
START_TEST(five_graceful_restarts_under_load_fail_no_request)
{
    enum { N = 6 };
    char *user_id, *token = make_user("graceful", &user_id);
    char *tokens[] = { token }, *sql, *out;
    load_group g;
    long created = 0, ok = 0;
    int i;

    load_start(&g, N, READ_AND_CREATE, tokens, 1, NULL);
    for (i = 0; i < 5; i++) {
        sleep_s(0.4);
        ck_assert_msg(stack("httpd-graceful") == 0, "graceful restart %d", i + 1);
    }
    sleep_s(0.4);
    load_stop(&g);

    assert_no_bad_answer(&g);
    for (i = 0; i < N; i++) {
        ck_assert_int_eq(g.l[i].unavailable, 0);
        created += g.l[i].created;
        ok += g.l[i].ok;
    }
    sql = fmt("SELECT count(*) FROM tasks WHERE user_id = '%s';", user_id);
    out = db_query(sql);
    ck_assert_msg(atol(out) == created, "%ld tasks created (201), %s in the "
                  "database", created, out);
    printf("faults: five graceful restarts: %ld requests, %ld creates, no "
           "error\n", ok, created);
    free(out);
    free(sql);
    free(token);
    free(user_id);
}
END_TEST

/* ---- (c) PostgreSQL killed mid-transaction ------------------------------ */

/* Any backend the module is using, killed with SIGKILL (the postmaster
 * then resets every session), later the postmaster itself with its
 * backends (a crash): while clients PATCH pairs of fields, create tasks
 * (a trigger updates the user's counts in the same transaction) and clear
 * their completed tasks (many rows, one statement). Afterwards no write
 * is half done: each pair is equal, and each user's counts are its rows'.
 * Every answer was a 2xx or a 503 with Retry-After. */
START_TEST(postgres_killed_mid_write_leaves_no_partial_write)
{
    enum { N = 6 };
    char *tokens[N], *user_id[N], *users, *sql, *out;
    long long own[N];
    load_group g;
    int i;

    users = strdup("NULL");
    for (i = 0; i < N; i++) {
        char *prefix = fmt("pgkill%d", i), *more;

        tokens[i] = make_user(prefix, &user_id[i]);
        own[i] = make_task(tokens[i], "{\"title\":\"pair 0\",\"description\":\"pair 0\"}");
        more = fmt("%s,'%s'", users, user_id[i]);
        free(users);
        users = more;
        free(prefix);
    }
    load_start(&g, N, WRITE_PAIRS, tokens, N, own);
    sleep_s(0.5);
    /* One backend of the runtime role, busy if one is. */
    out = db_query("SELECT pid FROM pg_stat_activity WHERE usename = 'tasks_app' "
                   "ORDER BY state = 'active' DESC LIMIT 1;");
    ck_assert_msg(atoi(out) > 0, "no backend of the module: '%s'", out);
    sql = fmt("kill -KILL %d", atoi(out));
    ck_assert_int_eq(system(sql), 0);
    free(sql);
    free(out);
    ck_assert_msg(wait_healthy(15.0) >= 0, "not healthy after a backend was killed");
    sleep_s(0.5);
    ck_assert_int_eq(stack("pg-crash"), 0);
    sleep_s(0.3);
    ck_assert_int_eq(stack("pg-up"), 0);
    ck_assert_msg(wait_healthy(10.0) >= 0, "not healthy after the crash");
    sleep_s(0.5);
    load_stop(&g);

    assert_no_bad_answer(&g);
    {
        long ok = 0, unavailable = 0, cleared = 0;

        for (i = 0; i < N; i++) {
            ok += g.l[i].ok;
            unavailable += g.l[i].unavailable;
            cleared += g.l[i].cleared;
        }
        printf("faults: a backend and then PostgreSQL killed: %ld writes "
               "acknowledged (%ld clears), %ld answers 503\n", ok, cleared,
               unavailable);
    }
    sql = fmt("SELECT count(*) FROM tasks WHERE user_id IN (%s) AND id IN (%lld",
              users, own[0]);
    for (i = 1; i < N; i++) {
        char *more = fmt("%s,%lld", sql, own[i]);

        free(sql);
        sql = more;
    }
    out = fmt("%s) AND title IS DISTINCT FROM description;", sql);
    free(sql);
    sql = out;
    out = db_query(sql);
    ck_assert_msg(atoi(out) == 0, "%s tasks with half a PATCH", out);
    free(out);
    free(sql);
    sql = fmt("SELECT count(*) FROM users u LEFT JOIN task_counts c ON c.user_id = u.id"
              " LEFT JOIN (SELECT user_id, count(*) AS total, count(*) FILTER"
              " (WHERE completed) AS completed FROM tasks GROUP BY user_id) t"
              " ON t.user_id = u.id WHERE u.id IN (%s)"
              " AND (coalesce(c.total, 0), coalesce(c.completed, 0))"
              " IS DISTINCT FROM (coalesce(t.total, 0), coalesce(t.completed, 0));",
              users);
    out = db_query(sql);
    ck_assert_msg(atoi(out) == 0, "%s users whose counts are not their rows'", out);
    free(out);
    free(sql);
    for (i = 0; i < N; i++) {
        free(tokens[i]);
        free(user_id[i]);
    }
    free(users);
}
END_TEST

/* ---- (d) slow clients --------------------------------------------------- */

/* BusyWorkers of /server-status?auto (the request asking counts itself). */
static int busy_workers(void)
{
    http_resp *r = http("GET", "/server-status?auto", NULL, NULL);
    const char *at = strstr(r->body, "BusyWorkers: ");
    int n = at ? atoi(at + 13) : -1;

    http_free(r);
    return n;
}

typedef struct {
    const char *token;
    int trickle;             /* 1: a byte every 0.2 s; 0: stop after 13 */
    long status;
    double took;
} slow_client;

/* A POST that announces 1000 bytes and sends them too slowly or not at
 * all; its answer's status and when it came. */
static void *send_slowly(void *arg)
{
    slow_client *s = arg;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    const char *url = base_url() + strlen("http://");
    char head[1400], resp[2048];
    int fd = socket(AF_INET, SOCK_STREAM, 0), i;
    double t0 = monotonic_seconds();
    ssize_t got;

    sa.sin_port = htons((unsigned short)atoi(strchr(url, ':') + 1));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    s->status = -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return NULL;
    }
    snprintf(head, sizeof head, "POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
             "Content-Length: 1000\r\n\r\n{\"title\":\"t\"}", s->token);
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0) {
        close(fd);
        return NULL;
    }
    /* Trickle: a byte each 0.2 s, far below RequestReadTimeout's MinRate,
     * until the answer comes or 10 s have passed. */
    for (i = 0; s->trickle && i < 50; i++) {
        struct pollfd answer = { .fd = fd, .events = POLLIN };

        if (poll(&answer, 1, 200) != 0 || send(fd, " ", 1, MSG_NOSIGNAL) < 0)
            break;
    }
    got = recv(fd, resp, sizeof resp - 1, 0);
    s->took = monotonic_seconds() - t0;
    if (got > 12) {
        resp[got] = '\0';
        if (!strncmp(resp, "HTTP/1.1 ", 9))
            s->status = strtol(resp + 9, NULL, 10);
    }
    close(fd);
    return NULL;
}

/* Four clients that send a body slowly (two trickling a byte at a time,
 * two stopping mid-body) hold one worker each while others are served,
 * and lose it to a 408 at RequestReadTimeout's body=3 (run.sh): after
 * them, no worker is left busy. */
START_TEST(slow_bodies_hold_one_worker_each_until_the_timeout)
{
    enum { N = 4 };
    char *token = make_user("slowbody", NULL);
    pthread_t th[N];
    slow_client s[N];
    int i, before, during, after;
    http_resp *r;

    before = busy_workers();
    ck_assert_int_ge(before, 1);
    for (i = 0; i < N; i++) {
        s[i] = (slow_client){ .token = token, .trickle = i % 2 };
        ck_assert_int_eq(pthread_create(&th[i], NULL, send_slowly, &s[i]), 0);
    }
    sleep_s(1.0);
    during = busy_workers();
    r = http_auth("GET", "/api/tasks", token, NULL);
    ck_assert_status(r, 200);
    ck_assert_msg(r->seconds < 1.0, "a request took %.2f s beside the slow "
                  "clients", r->seconds);
    http_free(r);
    for (i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    /* A worker that sent the 408 finishes its connection (the log, the
     * close) a moment later: give it a second. */
    for (i = 0; (after = busy_workers()) > before && i < 20; i++)
        sleep_s(0.05);
    ck_assert_msg(during <= before + N, "%d busy workers with %d slow clients "
                  "(%d before)", during, N, before);
    for (i = 0; i < N; i++) {
        ck_assert_msg(s[i].status == 408, "slow client %d (%s): %ld", i,
                      s[i].trickle ? "trickling" : "stopped", s[i].status);
        ck_assert_msg(s[i].took > 2.5 && s[i].took < 5.0, "slow client %d (%s): "
                      "408 after %.2f s, want RequestReadTimeout's 3", i,
                      s[i].trickle ? "trickling" : "stopped", s[i].took);
    }
    ck_assert_msg(after <= before, "%d busy workers a second after the slow "
                  "clients (%d before)", after, before);
    free(token);
}
END_TEST

Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults under load");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, postgres_restart_under_load_loses_nothing_and_recovers);
    tcase_add_test(tc, five_graceful_restarts_under_load_fail_no_request);
    tcase_add_test(tc, postgres_killed_mid_write_leaves_no_partial_write);
    tcase_add_test(tc, slow_bodies_hold_one_worker_each_until_the_timeout);
    suite_add_tcase(s, tc);
    return s;
}
