/* glue.c - the service and the store as httpd gives them to a request:
 * connections from mod_dbd's pool, messages to the request's error log,
 * settings from the directives. Nothing below this file knows httpd. */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <apr_atomic.h>
#include <apr_time.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"
#include "tasks/store/store.h"

APLOG_USE_MODULE(tasks);

/* Promise: see module.h. mod_dbd prepares them on every connection it
 * opens; the store prepares again whatever a re-established session
 * lost. Never under TasksDBPooling transaction (post_config). */
void tasks_dbd_register(server_rec *s)
{
    int i, n = tasks_store_statement_count();

    for (i = 0; i < n; i++)
        ap_dbd_prepare(s, tasks_store_statement_sql(i),
                       tasks_store_statement_label(i));
}

/* Each child logs that the database cannot be reached at most once per
 * OUTAGE_LOG_INTERVAL seconds, and says how many it left out. */
#define OUTAGE_LOG_INTERVAL 5

/* Log message at level, unless it is an outage message and this child
 * logged one less than OUTAGE_LOG_INTERVAL seconds ago (counted instead).
 * Threads race with compare-and-swap on the child's last time: one wins
 * each interval. */
static void log_limited(request_rec *r, int level, int outage,
                        const char *message)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    apr_uint32_t now, last, skipped;

    if (!outage || !sc->outage_logged_at) {
        ap_log_rerror(APLOG_MARK, level, 0, r, "%s", message);
        return;
    }
    now = (apr_uint32_t)apr_time_sec(apr_time_now());
    last = apr_atomic_read32(sc->outage_logged_at);
    if ((last && now - last < OUTAGE_LOG_INTERVAL)
        || apr_atomic_cas32(sc->outage_logged_at, now, last) != last) {
        apr_atomic_inc32(sc->outage_skipped);
        return;
    }
    skipped = apr_atomic_xchg32(sc->outage_skipped, 0);
    if (skipped)
        ap_log_rerror(APLOG_MARK, level, 0, r, "%s (and %u more like it in "
                      "this process since the last one)", message, skipped);
    else
        ap_log_rerror(APLOG_MARK, level, 0, r, "%s", message);
}

/* The store's and the service's messages go to the request's log (with
 * its client and module), at their own level. */
static void request_log(void *baton, int level, const char *message)
{
    log_limited(baton, TASKS_LOG_LEVEL(level), level & TASKS_LOG_OUTAGE,
                message);
}

static tasks_logger *request_logger(request_rec *r)
{
    tasks_logger *l = apr_palloc(r->pool, sizeof(*l));

    l->fn = request_log;
    l->baton = r;
    return l;
}

/* How often a request waiting for another's attempt to reach the
 * database looks again. */
#define GATE_POLL_US 20000

/* May this request try to reach the database? Until it was reached (a
 * new child) and while it is known to be unreachable (a cold Neon
 * compute, a server down, a TLS refusal), one request of the child at a
 * time tries (*probe); the others wait for that attempt and share its
 * outcome: 1 when it got through, 0 (503 at once) when it did not.
 * Without this, every worker would queue for its own attempt behind
 * mod_dbd's lock, each one a whole connect_timeout after the other. */
static int gate_enter(apr_uint32_t *gate, int *probe)
{
    *probe = 0;
    if (!gate || !apr_atomic_read32(&gate[0]))
        return 1;
    if (apr_atomic_cas32(&gate[1], 1, 0) == 0) {
        *probe = 1;
        return 1;
    }
    while (apr_atomic_read32(&gate[1]))
        apr_sleep(GATE_POLL_US);
    return !apr_atomic_read32(&gate[0]);
}

/* The outcome of an attempt: reached or not. Written only when it
 * changes: every request passes here, and a store to the shared word on
 * each would bounce its cache line between the threads' cores. */
static void gate_leave(apr_uint32_t *gate, int probe, int reached)
{
    if (!gate)
        return;
    if (apr_atomic_read32(&gate[0]) != (apr_uint32_t)!reached)
        apr_atomic_set32(&gate[0], !reached);
    if (probe)
        apr_atomic_set32(&gate[1], 0);
}

/* A request that does not try the database because another one just
 * found it unreachable: 503 (no connection). */
static tasks_db *unreached(request_rec *r, tasks_req *rq)
{
    rq->db_rc = TASKS_DB_UNAVAILABLE;
    log_limited(r, APLOG_WARNING, 1, "TASKS0111: the database could not be "
                "reached just now (another request of this process tried); "
                "answering 503 without trying again");
    return NULL;
}

/* Promise: see module.h. ap_dbd_acquire gives the request one
 * connection, released with the request; the store is opened on it once.
 * A schema behind the module is said once per child (and by health). */
tasks_db *tasks_req_db(request_rec *r)
{
    tasks_service *s = tasks_req_service(r);
    tasks_req *rq = tasks_req_get(r);
    tasks_srv_cfg *sc = tasks_srv(r->server);
    apr_time_t waited;
    ap_dbd_t *dbd;
    int probe;

    if (s->db)
        return s->db;
    if (!gate_enter(sc->db_gate, &probe))
        return unreached(r, rq);
    waited = apr_time_now();
    dbd = ap_dbd_acquire(r);
    waited = apr_time_now() - waited;
    tasks_count(r->server, TASKS_COUNT_DB_ACQUIRES);
    tasks_count_add(r->server, TASKS_COUNT_DB_WAIT_US,
                    waited > 0 ? (apr_uint64_t)waited : 0);
    /* Found unreachable by another request while this one waited for a
     * pooled connection: trying the same again would only add a
     * connect_timeout to its wait. */
    if (dbd && !probe && sc->db_gate && apr_atomic_read32(&sc->db_gate[0]))
        return unreached(r, rq);
    if (!dbd) {
        gate_leave(sc->db_gate, probe, 0);
        rq->db_rc = TASKS_DB_UNAVAILABLE;
        log_limited(r, APLOG_WARNING, 1, "TASKS0103: no database connection "
                    "available");
        return NULL;
    }
    rq->db_rc = tasks_db_open(r->pool, dbd->driver, dbd->handle, dbd->pool,
                              tasks_srv_db_pooling(r->server), dbd->prepared,
                              s->log, &s->db);
    gate_leave(sc->db_gate, probe, rq->db_rc != TASKS_DB_UNAVAILABLE);
    if (rq->db_rc == TASKS_DB_SCHEMA_BEHIND && sc->schema_warned
        && apr_atomic_xchg32(sc->schema_warned, 1) == 0)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "TASKS0110: the database "
                      "schema is behind this module: migration %s is not "
                      "applied (or DBDParams' user may not read "
                      "schema_migrations); run the migrations with the "
                      "grants (make migrate GRANT_TO=<that user>). Requests "
                      "get 503 until then", tasks_store_schema_version());
    return s->db;
}

static tasks_db *open_for_service(void *baton)
{
    return tasks_req_db(baton);
}

/* Promise: see module.h. The account policy joins the server's throttle
 * and scrypt state with the location's TasksSignup. */
tasks_service *tasks_req_service(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);
    tasks_srv_cfg *sc;
    tasks_account_policy *a;
    tasks_service *s;

    if (rq->service)
        return rq->service;
    sc = tasks_srv(r->server);
    a = apr_pcalloc(r->pool, sizeof(*a));
    a->signup = tasks_dir_signup(tasks_dir(r));
    a->throttle_email = sc->throttle_email;
    a->throttle_window = sc->throttle_window;
    a->throttle_addr = sc->throttle_addr;
    a->hashing = sc->hashing;
    a->max_hashing = TASKS_MAX_HASHING;
    a->dummy_hash = sc->dummy_hash;
    a->session_lifetime = sc->session_lifetime;
    s = apr_pcalloc(r->pool, sizeof(*s));
    s->pool = r->pool;
    s->open_db = open_for_service;
    s->open_baton = r;
    s->log = request_logger(r);
    s->token = &sc->token;
    s->accounts = a;
    rq->service = s;
    return s;
}

tasks_caller tasks_req_caller(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);
    tasks_caller who = { rq->user_id, rq->jti, rq->iat, rq->sid };

    return who;
}
