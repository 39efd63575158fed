/* conn.c - a connection made ready for the statements, and running them.
 *
 * Under session pooling, whoever pools connections (mod_dbd in the
 * module) may prepare the statements on every new connection. apr_dbd's
 * pgsql driver silently re-establishes a broken session (PQreset), which
 * loses every prepared statement; so each connection remembers the
 * backend it prepared for, and a different backend PID means "prepare
 * again" before the first query.
 *
 * Under transaction pooling nothing may live in a session: apr_dbd's
 * pgsql driver "prepares" a statement without a label by keeping its
 * text (no round trip), and runs it as one PQexecParams, which a
 * transaction pooler hands to whichever server session is free. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <apr_dbd.h>
#include <apr_strings.h>
#include <libpq-fe.h>

#include "tasks/core/token.h"
#include "store_int.h"

#define CONN_STATE_KEY "tasks_module:conn_state"

static PGconn *native(tasks_db *db)
{
    return apr_dbd_native_handle(db->driver, db->handle);
}

static int backend_pid(tasks_db *db)
{
    PGconn *pg = native(db);
    return pg ? PQbackendPID(pg) : 0;
}

int tasks_conn_broken(tasks_db *db)
{
    PGconn *pg = native(db);
    return !pg || PQstatus(pg) != CONNECTION_OK;
}

/* Is the last migration the statements need applied? 1, or 0 (also when
 * schema_migrations is missing). A constant statement, run once per
 * session before anything is prepared: a statement that names a column
 * a missing migration adds would fail to prepare. */
static int schema_current(tasks_db *db)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;

    /* Our own constant (letters, digits and '_'), never client input. */
    if (apr_dbd_select(db->driver, db->p, db->handle, &res, apr_pstrcat(db->p,
                       "SELECT 1 FROM schema_migrations WHERE version = '",
                       tasks_store_schema_version(), "'", NULL), 1) != 0)
        return 0;
    return apr_dbd_get_row(db->driver, db->p, res, &row, 1) == 0;
}

/* Note which session the connection is in, without a round trip: the
 * first time a connection is seen, the statements its pool prepared
 * (prepared, may be NULL) belong to this session; when the backend
 * changed since, the session is new and has nothing of ours. */
static void track_session(tasks_db *db, apr_hash_t *prepared)
{
    tasks_conn_state *cs = NULL;
    int pid = backend_pid(db), i;

    apr_pool_userdata_get((void **)&cs, CONN_STATE_KEY, db->conn_pool);
    if (!cs) {
        cs = apr_pcalloc(db->conn_pool, sizeof(*cs));
        cs->backend_pid = pid;
        apr_pool_userdata_setn(cs, CONN_STATE_KEY, NULL, db->conn_pool);
        for (i = 0; prepared && db->named && i < S_COUNT; i++)
            cs->stmt[i] = apr_hash_get(prepared, tasks_statements[i].label,
                                       APR_HASH_KEY_STRING);
    }
    else if (cs->backend_pid != pid) {
        tasks_log(db->log, TASKS_LOG_INFO, "TASKS0101: database session "
                  "was re-established (backend %d -> %d)%s",
                  cs->backend_pid, pid,
                  db->named ? "; preparing statements again" : "");
        /* Unnamed statements are texts of this connection, not of its
         * session: they stay. */
        if (db->named)
            memset(cs->stmt, 0, sizeof(cs->stmt));
        cs->session_pinned = 0;
        cs->schema_checked = 0;
        cs->backend_pid = pid;
    }
    db->cs = cs;
}

/* Make sure every statement exists in the connection's current session,
 * after checking (once per session) its schema; run only once the
 * session is known to be alive. OK, or SCHEMA_BEHIND, or UNAVAILABLE
 * (logged). */
static tasks_db_rc ensure_statements(tasks_db *db)
{
    tasks_conn_state *cs = db->cs;
    int i;

    if (!cs->schema_checked) {
        if (!schema_current(db))
            return tasks_conn_broken(db) ? TASKS_DB_UNAVAILABLE
                                         : TASKS_DB_SCHEMA_BEHIND;
        cs->schema_checked = 1;
    }
    for (i = 0; i < S_COUNT; i++) {
        int rv;
        if (cs->stmt[i])
            continue;
        /* A missing statement in a fresh session; or one the pool did not
         * prepare: prepare it in this session (a round trip), or keep its
         * text (no label: none). */
        rv = apr_dbd_prepare(db->driver, db->conn_pool, db->handle,
                             tasks_statements[i].sql,
                             db->named ? tasks_statements[i].label : NULL,
                             &cs->stmt[i]);
        if (rv) {
            tasks_log(db->log, TASKS_LOG_ERR, "TASKS0102: cannot prepare "
                      "%s: %s", tasks_statements[i].label,
                      apr_dbd_error(db->driver, db->handle, rv));
            cs->stmt[i] = NULL;
            return TASKS_DB_UNAVAILABLE;
        }
    }
    return TASKS_DB_OK;
}

/* Once per session (session pooling), after it is known to be alive,
 * generic plans for the named statements: every statement is a key lookup
 * or a walk of one user's index whose shape does not depend on the
 * values, but PostgreSQL's estimate for an unknown user id made it plan
 * the page statements again on every execution, which cost more than
 * running them. The plan test (tests/integration) checks these plans.
 * An unnamed statement is planned at each run with its values: there is
 * nothing to set. */
static int pin_session(tasks_db *db)
{
    int n, rv;

    if (!db->named || db->cs->session_pinned)
        return 0;
    rv = apr_dbd_query(db->driver, db->handle, &n,
                       tasks_store_session_settings());
    if (rv) {
        tasks_log(db->log, TASKS_LOG_ERR, "TASKS0108: cannot set up the "
                  "database session: %s",
                  apr_dbd_error(db->driver, db->handle, rv));
        return -1;
    }
    db->cs->session_pinned = 1;
    return 0;
}

/* Did the server close this connection while it sat idle (e.g. a
 * PostgreSQL restart)? The driver's own check only looks at the status
 * libpq last saw; reading what is pending on the socket (no round trip)
 * brings the server's goodbye to light, so that the session is renewed
 * before a write is sent into a dead connection. */
static int closed_while_idle(tasks_db *db)
{
    PGconn *pg = native(db);

    if (!pg)
        return 1;
    /* The common case in one system call: nothing pending on an idle,
     * healthy connection. */
    if (PQsocket(pg) >= 0) {
        char b;
        if (recv(PQsocket(pg), &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0
            && (errno == EAGAIN || errno == EWOULDBLOCK))
            return PQstatus(pg) != CONNECTION_OK;
    }
    /* A server that went away left its last message and then the end of
     * the stream: the first read takes the message, the second meets the
     * end (each read returns at once). */
    return !PQconsumeInput(pg) || !PQconsumeInput(pg)
           || PQstatus(pg) != CONNECTION_OK;
}

/* Promise: see store.h. The session is tracked as it was (so a
 * connection seen for the first time records the backend its pool
 * prepared on), then renewed if the server closed it meanwhile (the new
 * backend has nothing of ours), and only then, alive, made ready: a
 * round trip on a connection that died while idle would fail the
 * request instead of renewing it. */
tasks_db_rc tasks_db_open(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle, apr_pool_t *conn_pool,
                          tasks_db_pooling pooling, apr_hash_t *prepared,
                          const tasks_logger *log, tasks_db **out)
{
    tasks_db *db = apr_pcalloc(p, sizeof(*db));
    tasks_db_rc rc;

    *out = NULL;
    db->p = p;
    db->named = pooling == TASKS_POOLING_SESSION;
    db->driver = driver;
    db->handle = handle;
    db->conn_pool = conn_pool;
    db->log = log;
    /* A connection already known to be broken (a pool that does not
     * check its connections) is re-established first. */
    if (tasks_conn_broken(db)) {
        if (apr_dbd_check_conn(driver, p, handle) != APR_SUCCESS) {
            tasks_log(log, TASKS_LOG_WARNING | TASKS_LOG_OUTAGE, "TASKS0109: "
                      "the database connection is broken and cannot be "
                      "re-established");
            return TASKS_DB_UNAVAILABLE;
        }
        prepared = NULL; /* the old session's statements are gone */
    }
    track_session(db, prepared);
    if (closed_while_idle(db)) {
        if (apr_dbd_check_conn(driver, p, handle) != APR_SUCCESS) {
            tasks_log(log, TASKS_LOG_WARNING | TASKS_LOG_OUTAGE, "TASKS0107: "
                      "the database closed an idle connection and cannot "
                      "be reached again");
            return TASKS_DB_UNAVAILABLE;
        }
        track_session(db, NULL);
    }
    if ((rc = ensure_statements(db)) != TASKS_DB_OK)
        return rc;
    if (pin_session(db))
        return TASKS_DB_UNAVAILABLE;
    *out = db;
    return TASKS_DB_OK;
}

/* After a failure on a broken connection: let the driver re-establish the
 * session, then put the statements back. 0 when usable again. */
static int reconnect(tasks_db *db)
{
    if (apr_dbd_check_conn(db->driver, db->p, db->handle) != APR_SUCCESS)
        return -1;
    track_session(db, NULL);
    if (ensure_statements(db) != TASKS_DB_OK)
        return -1;
    return pin_session(db);
}

/* Two writes taking one unique value at once: the second is refused by
 * the schema (its statement's own check could not see the first). Such a
 * refusal names one of tasks_conflict_constraints, in quotes, in every
 * language PostgreSQL speaks. */
static int unique_taken(const char *message)
{
    const char *const *c;

    for (c = tasks_conflict_constraints; message && *c; c++) {
        const char *at = strstr(message, *c);

        if (at && at > message && at[-1] == '"' && at[strlen(*c)] == '"')
            return 1;
    }
    return 0;
}

tasks_db_rc tasks_run_failed(tasks_db *db, int stmt, int rv)
{
    if (tasks_conn_broken(db)) {
        tasks_log(db->log, TASKS_LOG_WARNING | TASKS_LOG_OUTAGE, "TASKS0104: "
                  "database connection lost during %s",
                  tasks_statements[stmt].label);
        return TASKS_DB_UNAVAILABLE;
    }
    if (unique_taken(apr_dbd_error(db->driver, db->handle, rv)))
        return TASKS_DB_CONFLICT;
    tasks_log(db->log, TASKS_LOG_ERR, "TASKS0105: %s failed: %s",
              tasks_statements[stmt].label,
              apr_dbd_error(db->driver, db->handle, rv));
    return TASKS_DB_ERROR;
}

tasks_db_rc tasks_run_select(tasks_db *db, int stmt, const char **args,
                             apr_dbd_results_t **res)
{
    int rv, attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        *res = NULL; /* the driver reuses a non-NULL results object */
        rv = apr_dbd_pselect(db->driver, db->p, db->handle, res,
                             db->cs->stmt[stmt], 1, 0, args);
        if (rv == 0)
            return TASKS_DB_OK;
        if (attempt || !tasks_conn_broken(db))
            break;
        /* Re-established but not usable (its schema is behind, a
         * statement would not prepare): unavailable, not a failed
         * statement. */
        if (reconnect(db))
            return tasks_conn_broken(db) ? tasks_run_failed(db, stmt, rv)
                                         : TASKS_DB_UNAVAILABLE;
    }
    return tasks_run_failed(db, stmt, rv);
}

/* Run a writing statement (no retry: it may have been executed). */
tasks_db_rc tasks_run_write(tasks_db *db, int stmt, const char **args,
                            int *nrows)
{
    int n = 0;
    int rv = apr_dbd_pquery(db->driver, db->p, db->handle, &n,
                            db->cs->stmt[stmt], 0, args);
    if (rv)
        return tasks_run_failed(db, stmt, rv);
    if (nrows)
        *nrows = n;
    return TASKS_DB_OK;
}

/* A writing statement with RETURNING: no retry either. */
static tasks_db_rc write_returning(tasks_db *db, int stmt, const char **args,
                                   apr_dbd_results_t **res)
{
    int rv;

    *res = NULL;  /* the driver reuses a non-NULL results object */
    rv = apr_dbd_pselect(db->driver, db->p, db->handle, res,
                         db->cs->stmt[stmt], 1, 0, args);
    return rv ? tasks_run_failed(db, stmt, rv) : TASKS_DB_OK;
}

const char *tasks_col(tasks_db *db, apr_dbd_row_t *row, int c)
{
    char *v = NULL;

    if (apr_dbd_datum_get(db->driver, row, c, APR_DBD_TYPE_STRING, &v)
        != APR_SUCCESS)
        return NULL;
    return v;
}

/* Rows are fetched by number only: the driver frees a result (and every
 * value taken from it) once a sequential read runs past its end. */
int tasks_nth_row(tasks_db *db, apr_dbd_results_t *res, int n,
                  apr_dbd_row_t **row)
{
    *row = NULL;
    if (n > apr_dbd_num_tuples(db->driver, res))
        return 0;
    return apr_dbd_get_row(db->driver, db->p, res, row, n) == 0;
}

/* Promise: see store_int.h. */
tasks_db_rc tasks_caller_rows(tasks_db *db, int stmt, const char **args,
                              int key_col, tasks_row_fn each, void *baton)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_select(db, stmt, args, &res);
    int i;

    if (rc != TASKS_DB_OK)
        return rc;
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        if (i == 1 && !tasks_col_true(db, row, 0))
            return TASKS_DB_DENIED;
        if (tasks_col(db, row, key_col))
            each(db, row, baton);
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

tasks_db_rc tasks_run_one_row(tasks_db *db, int stmt, const char **args,
                              int writes, apr_dbd_row_t **row)
{
    apr_dbd_results_t *res;
    tasks_db_rc rc = writes ? write_returning(db, stmt, args, &res)
                            : tasks_run_select(db, stmt, args, &res);

    if (rc != TASKS_DB_OK)
        return rc;
    return tasks_nth_row(db, res, 1, row) ? TASKS_DB_OK : TASKS_DB_NONE;
}

const char *tasks_arg_bool(int b)
{
    return b ? "t" : "f";
}

const char *tasks_arg_int(apr_pool_t *p, long long v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);
}

int tasks_col_true(tasks_db *db, apr_dbd_row_t *row, int c)
{
    const char *v = tasks_col(db, row, c);
    return v && *v == 't';
}

const char *tasks_arg_version(apr_pool_t *p, long long version)
{
    return version < 0 ? NULL : tasks_arg_int(p, version);
}

void tasks_caller_args(tasks_db *db, const tasks_caller *who,
                       const char **args)
{
    args[0] = who->user_id;
    args[1] = tasks_revocation_key(db->p, who->jti);
    /* A token without an iat (0) stands only until a sign-out. */
    args[2] = who->iat > 0 ? tasks_arg_int(db->p, who->iat) : NULL;
    args[3] = who->sid;
}

tasks_db_rc tasks_db_ping(tasks_db *db)
{
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_PING, NULL, 0, &row);

    return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
}
