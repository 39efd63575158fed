/* store.c - every SQL statement of mod_tasks, and how they reach
 * PostgreSQL through mod_dbd's pool.
 *
 * Statements are registered with mod_dbd (ap_dbd_prepare) at start-up, so
 * mod_dbd prepares them on every new connection. The pgsql driver's
 * connection check silently re-establishes a broken session (PQreset),
 * which loses every prepared statement; so each connection remembers the
 * backend it prepared for, and a different backend PID means "prepare
 * again" before the first query. Every statement is one round trip and
 * every task statement is constrained by the caller's user id, and checks
 * itself that the caller may still act (CALLER_OK). */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <httpd.h>
#include <http_log.h>
#include <apr_dbd.h>
#include <apr_strings.h>
#include <libpq-fe.h>
#include <mod_dbd.h>

#include "tasks/module.h"
#include "tasks/store.h"

APLOG_USE_MODULE(tasks);

/* ------------------------------------------------------------------ */
/* Statement texts. Arguments are passed as text, but the placeholders
 * give PostgreSQL their types (apr_dbd: %d integer, %hd smallint, %lld
 * bigint, %pDt text, %pDz timestamptz, %s varchar), so each is parsed once
 * when bound: a "%s::int" in a filter was parsed again for every row
 * under a generic plan. The casts stay, to say what each one is; a
 * literal percent is %%. Timestamps are either formatted here (TS) or
 * sent as UTC under the ISO DateStyle every session is set to (TS_UTC),
 * so the server's own DateStyle and TimeZone never matter. */

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Task timestamps, the bulk of a page's output, go out as plain UTC
 * timestamps in ISO DateStyle (set for every session we use, see
 * pin_session) and are put into RFC 3339 form in C: to_char cost
 * PostgreSQL more than the rest of a page. */
#define TS_UTC(col) "(" col " AT TIME ZONE 'UTC')"

/* Applied once to every session (see pin_session). */
#define SESSION_SETTINGS "SET DateStyle = ISO; " \
    "SET plan_cache_mode = force_generic_plan"

/* Not t.user_id: every statement is scoped by the caller, whose id the
 * row gets in C (a uuid_out and 37 bytes less per row of a page). */
#define TASK_COLS "t.id, t.title, t.description, t.completed, " \
    "t.priority, " TS_UTC("t.due_at") ", array_to_json(t.tags), " \
    TS_UTC("t.created_at") ", " TS_UTC("t.updated_at") ", " \
    TS_UTC("t.completed_at") ", t.version"

#define USER_COLS "u.id, u.email, u.name, " TS("u.created_at")

/* The caller may still act: the token's user exists and its jti ("" for
 * none) was not revoked. Every task statement checks this itself (its
 * first column, or a condition of the write), so a task request costs one
 * round trip instead of an auth query plus the task query. A scalar
 * subquery, so that PostgreSQL evaluates it once (an InitPlan) rather than
 * turning the EXISTS into joins that would change a page's plan. */
#define CALLER_OK "(SELECT EXISTS (SELECT 1 FROM users cu WHERE cu.id = p.uid)" \
    " AND NOT EXISTS (SELECT 1 FROM revoked_tokens cr WHERE cr.jti = p.jti))"

/* The list filters, shared by the page and its count. */
#define LIST_PARAMS "(SELECT %s::uuid AS uid, %pDt::text AS jti, %d::int AS status, " \
    "%pDt::text AS q, %hd::smallint AS prio, %pDt::text AS tags, " \
    "%pDz::timestamptz AS due_before, %pDz::timestamptz AS due_after) p"
#define LIST_FILTER "t.user_id = p.uid" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))" \
    " AND (p.q IS NULL OR t.title ILIKE p.q OR t.description ILIKE p.q)" \
    " AND (p.prio IS NULL OR t.priority = p.prio)" \
    " AND (p.tags IS NULL OR t.tags @> ARRAY(SELECT jsonb_array_elements_text(p.tags::jsonb)))" \
    " AND (p.due_before IS NULL OR t.due_at < p.due_before)" \
    " AND (p.due_after IS NULL OR t.due_at > p.due_after)"

/* A page: first (no cursor) or after (keyset: strictly past the cursor's
 * (sort value, id) in the order's direction). Each matches one index.
 * Columns: the task, then the query's total. CALLER_OK is a condition
 * evaluated once (an InitPlan): a denied caller gets no rows, and so does
 * an empty page, which tasks tell apart with tasks_tasks_count. */
#define PAGE_FIRST(TOTAL, PARAMS, FILTER, KEY, DIR) "SELECT " TASK_COLS \
    ", " TOTAL " FROM tasks t, " PARAMS " WHERE " FILTER " AND " CALLER_OK \
    " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"
#define PAGE_AFTER(TOTAL, PARAMS, FILTER, KEY, VAL, DIR, CMP) "SELECT " \
    TASK_COLS ", " TOTAL " FROM tasks t, " PARAMS \
    ", (SELECT %pDt::text AS v, %lld::bigint AS id) c" \
    " WHERE " FILTER " AND (" KEY ", t.id) " CMP " (" VAL ", c.id)" \
    " AND " CALLER_OK " ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT %d::int"
/* Filtered lists count their matches in the same statement (X-Total-Count
 * of every page; an InitPlan, so computed once per page). */
#define LIST_TOTAL "(SELECT count(*) FROM tasks t WHERE " LIST_FILTER ")"
#define LIST_FIRST(KEY, DIR) \
    PAGE_FIRST(LIST_TOTAL, LIST_PARAMS, LIST_FILTER, KEY, DIR)
#define LIST_AFTER(KEY, VAL, DIR, CMP) \
    PAGE_AFTER(LIST_TOTAL, LIST_PARAMS, LIST_FILTER, KEY, VAL, DIR, CMP)

/* The common list, filtered by status at most, has statements of its own:
 * without the "parameter IS NULL OR ..." filters their plan is a walk of
 * the sort key's index that stops after one page, while a filtered
 * statement's plan may read and sort all of the caller's matches. */
#define PLAIN_PARAMS "(SELECT %s::uuid AS uid, %pDt::text AS jti, " \
    "%d::int AS status) p"
#define PLAIN_FILTER "t.user_id = p.uid" \
    " AND (p.status = 0 OR t.completed = (p.status = 2))"
/* They take X-Total-Count from task_counts (kept by triggers: one key
 * lookup, an InitPlan computed once per page). */
#define PLAIN_TOTAL "coalesce((SELECT CASE p.status WHEN 0 THEN k.total" \
    " WHEN 1 THEN k.total - k.completed ELSE k.completed END" \
    " FROM task_counts k WHERE k.user_id = p.uid), 0)"
#define PLAIN_FIRST(KEY, DIR) PAGE_FIRST(PLAIN_TOTAL, PLAIN_PARAMS, \
    PLAIN_FILTER, KEY, DIR)
#define PLAIN_AFTER(KEY, VAL, DIR, CMP) PAGE_AFTER(PLAIN_TOTAL, \
    PLAIN_PARAMS, PLAIN_FILTER, KEY, VAL, DIR, CMP)

#define K_CREATED "t.created_at"
#define K_UPDATED "t.updated_at"
#define K_DUE "coalesce(t.due_at, 'infinity'::timestamptz)"
#define K_PRIO "t.priority"
#define K_TITLE "(t.title COLLATE \"C\")"
#define V_TS "c.v::timestamptz"
#define V_PRIO "c.v::smallint"
#define V_TITLE "(c.v COLLATE \"C\")"

#define LIST_STMTS(NAME, KEY, VAL) \
    { "tasks_list_" NAME "_asc",  LIST_FIRST(KEY, "ASC") }, \
    { "tasks_list_" NAME "_desc", LIST_FIRST(KEY, "DESC") }, \
    { "tasks_next_" NAME "_asc",  LIST_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_next_" NAME "_desc", LIST_AFTER(KEY, VAL, "DESC", "<") }, \
    { "tasks_plain_list_" NAME "_asc",  PLAIN_FIRST(KEY, "ASC") }, \
    { "tasks_plain_list_" NAME "_desc", PLAIN_FIRST(KEY, "DESC") }, \
    { "tasks_plain_next_" NAME "_asc",  PLAIN_AFTER(KEY, VAL, "ASC", ">") }, \
    { "tasks_plain_next_" NAME "_desc", PLAIN_AFTER(KEY, VAL, "DESC", "<") }

enum {
    S_PING, S_AUTH_USER, S_USER_INSERT, S_USER_BY_EMAIL, S_USER_SET_HASH,
    S_REVOKE, S_LOGIN_FAILURES, S_LOGIN_ATTEMPT, S_LOGIN_FORGET,
    S_LOGIN_SUCCEEDED,
    S_TASK_INSERT, S_TASK_GET, S_TASK_UPDATE, S_TASK_DELETE,
    S_TASKS_CLEAR, S_TASKS_COUNT,
    S_IDENTITY_USER, S_IDENTITY_PROVISION,
    S_LIST_FIRST, /* 8 per sort key, in tasks_sort_key order: first asc,
                     first desc, next asc, next desc; then the same four
                     for the plain (status-only) list */
    S_COUNT = S_LIST_FIRST + 8 * TASKS_SORT_COUNT
};

typedef struct {
    const char *label;
    const char *sql;
} stmt_def;

static const stmt_def statements[S_COUNT] = {
    [S_PING] = { "tasks_ping", "SELECT 1" },
    [S_AUTH_USER] = { "tasks_auth_user",
        "SELECT " USER_COLS " FROM users u WHERE u.id = %s::uuid"
        " AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = %s)" },
    [S_USER_INSERT] = { "tasks_user_insert",
        "INSERT INTO users AS u (email, name, password_hash) VALUES (%s, %s, %s)"
        " ON CONFLICT ((lower(email))) WHERE password_hash IS NOT NULL"
        " DO NOTHING RETURNING " USER_COLS },
    [S_USER_BY_EMAIL] = { "tasks_user_by_email",
        "SELECT " USER_COLS ", u.password_hash FROM users u"
        " WHERE lower(u.email) = lower(%s) AND u.password_hash IS NOT NULL" },
    [S_USER_SET_HASH] = { "tasks_user_set_hash",
        "UPDATE users SET password_hash = %s WHERE id = %s::uuid" },
    [S_REVOKE] = { "tasks_revoke",
        "WITH expired AS (DELETE FROM revoked_tokens WHERE expires_at < now())"
        " INSERT INTO revoked_tokens (jti, expires_at)"
        " VALUES (%s, to_timestamp(%lld::bigint)) ON CONFLICT (jti) DO NOTHING" },
    [S_LOGIN_FAILURES] = { "tasks_login_failures",
        "WITH p AS (SELECT lower(%s) AS email, %pDt::text AS addr,"
        "  now() - make_interval(secs => %d::int) AS since, %d::int AS win)"
        " SELECT (SELECT count(*) FROM login_failures f, p"
        "          WHERE f.email = p.email AND f.failed_at > p.since),"
        "        (SELECT count(*) FROM login_failures f, p"
        "          WHERE f.addr = p.addr AND f.failed_at > p.since),"
        "        (SELECT ceil(extract(epoch FROM min(f.failed_at - p.since)))::int"
        "           FROM login_failures f, p WHERE f.email = p.email AND f.failed_at > p.since),"
        "        (SELECT ceil(extract(epoch FROM min(f.failed_at - p.since)))::int"
        "           FROM login_failures f, p WHERE f.addr = p.addr AND f.failed_at > p.since)" },
    /* An attempt is recorded as a failure before the password is checked
     * (and forgotten again on success or when throttled), so concurrent
     * attempts see each other: see tasks_handle_login. */
    [S_LOGIN_ATTEMPT] = { "tasks_login_attempt",
        "WITH p AS (SELECT lower(%s) AS email, %pDt::text AS addr,"
        "  now() - make_interval(secs => %d::int) AS since),"
        " expired AS (DELETE FROM login_failures f USING p"
        "  WHERE (f.email = p.email OR f.addr = p.addr) AND f.failed_at <= p.since)"
        " INSERT INTO login_failures (email, addr) SELECT email, addr FROM p"
        " RETURNING " TS("failed_at") },
    [S_LOGIN_FORGET] = { "tasks_login_forget",
        "DELETE FROM login_failures WHERE email = lower(%s) AND addr = %s"
        " AND failed_at = %pDz::timestamptz" },
    [S_LOGIN_SUCCEEDED] = { "tasks_login_succeeded",
        "DELETE FROM login_failures WHERE email = lower(%s) AND addr = %s" },
    [S_TASK_INSERT] = { "tasks_task_insert",
        "INSERT INTO tasks AS t (user_id, title, description, completed,"
        " completed_at, priority, due_at, tags, created_at, updated_at)"
        " SELECT p.uid, p.title, p.description, p.completed,"
        "  CASE WHEN p.completed THEN now() END, p.priority, p.due_at,"
        "  ARRAY(SELECT jsonb_array_elements_text(p.tags)), now(), now()"
        " FROM (SELECT %s::uuid AS uid, %pDt::text AS jti, %pDt::text AS title,"
        "  %pDt::text AS description,"
        "  %s::boolean AS completed, %hd::smallint AS priority,"
        "  %pDz::timestamptz AS due_at, %pDt::jsonb AS tags) p"
        " WHERE " CALLER_OK
        " RETURNING " TASK_COLS },
    /* Always one row: CALLER_OK, then the task (NULLs when none). */
    [S_TASK_GET] = { "tasks_task_get",
        "SELECT " CALLER_OK ", " TASK_COLS
        " FROM (SELECT %s::uuid AS uid, %pDt::text AS jti, %lld::bigint AS id) p"
        " LEFT JOIN tasks t ON t.user_id = p.uid AND t.id = p.id" },
    /* One statement for PUT, PATCH and complete: each field is set only
     * when its flag is true; completed may also flip (toggle). The
     * version condition makes If-Match and the write one atomic step. */
    [S_TASK_UPDATE] = { "tasks_task_update",
        "UPDATE tasks AS t SET"
        " title = CASE WHEN p.set_title THEN p.title ELSE t.title END,"
        " description = CASE WHEN p.set_description THEN p.description ELSE t.description END,"
        " priority = CASE WHEN p.set_priority THEN p.priority ELSE t.priority END,"
        " due_at = CASE WHEN p.set_due_at THEN p.due_at ELSE t.due_at END,"
        " tags = CASE WHEN p.set_tags THEN ARRAY(SELECT jsonb_array_elements_text(p.tags)) ELSE t.tags END,"
        " completed = coalesce(p.completed, CASE WHEN p.toggle THEN NOT t.completed ELSE t.completed END),"
        " completed_at = CASE"
        "   WHEN NOT coalesce(p.completed, CASE WHEN p.toggle THEN NOT t.completed ELSE t.completed END) THEN NULL"
        "   WHEN t.completed THEN t.completed_at ELSE now() END,"
        " updated_at = greatest(now(), t.updated_at + interval '1 microsecond'),"
        " version = t.version + 1"
        " FROM (SELECT %s::uuid AS uid, %pDt::text AS jti, %lld::bigint AS id,"
        "  %d::int AS version,"
        "  %s::boolean AS set_title, %pDt::text AS title,"
        "  %s::boolean AS set_description, %pDt::text AS description,"
        "  %s::boolean AS set_priority, %hd::smallint AS priority,"
        "  %s::boolean AS set_due_at, %pDz::timestamptz AS due_at,"
        "  %s::boolean AS set_tags, %pDt::jsonb AS tags,"
        "  %s::boolean AS completed, %s::boolean AS toggle) p"
        " WHERE t.user_id = p.uid AND t.id = p.id"
        " AND (p.version IS NULL OR t.version = p.version) AND " CALLER_OK
        " RETURNING " TASK_COLS },
    [S_TASK_DELETE] = { "tasks_task_delete",
        "DELETE FROM tasks t USING (SELECT %s::uuid AS uid, %pDt::text AS jti,"
        " %lld::bigint AS id, %d::int AS version) p"
        " WHERE t.user_id = p.uid AND t.id = p.id"
        " AND (p.version IS NULL OR t.version = p.version) AND " CALLER_OK },
    /* One row: CALLER_OK and how many tasks went. */
    [S_TASKS_CLEAR] = { "tasks_tasks_clear",
        "WITH p AS (SELECT %s::uuid AS uid, %pDt::text AS jti),"
        " ok AS (SELECT " CALLER_OK " AS ok FROM p),"
        " gone AS (DELETE FROM tasks t USING p, ok"
        "  WHERE ok.ok AND t.user_id = p.uid AND t.completed RETURNING 1)"
        " SELECT ok.ok, (SELECT count(*) FROM gone) FROM ok" },
    /* An empty page's total, and CALLER_OK (an empty page cannot tell a
     * denied caller): without filters beyond status from task_counts,
     * else by counting. CASE evaluates only the branch it takes. */
    [S_TASKS_COUNT] = { "tasks_tasks_count",
        "SELECT " CALLER_OK ", CASE WHEN p.q IS NULL AND p.prio IS NULL"
        "  AND p.tags IS NULL AND p.due_before IS NULL AND p.due_after IS NULL"
        " THEN " PLAIN_TOTAL " ELSE " LIST_TOTAL " END FROM " LIST_PARAMS },
    /* The local user linked to an external identity, and whether the
     * token's jti (namespaced by the caller; "" when none) was revoked. */
    [S_IDENTITY_USER] = { "tasks_identity_user",
        "SELECT " USER_COLS ", EXISTS (SELECT 1 FROM revoked_tokens r"
        " WHERE r.jti = %s) FROM user_identities i JOIN users u ON u.id = i.user_id"
        " WHERE i.issuer = %s AND i.subject = %s" },
    /* First sight of an external identity: a user (no password; email and
     * name only when they fit the users table) and its link, in one
     * statement. A concurrent twin fails on the link's primary key and
     * the whole statement is undone. */
    [S_IDENTITY_PROVISION] = { "tasks_identity_provision",
        "WITH p AS (SELECT %pDt::text AS iss, %pDt::text AS sub, %pDt::text AS email,"
        "  %pDt::text AS name),"
        " u AS (INSERT INTO users (email, name)"
        "  SELECT CASE WHEN p.email = btrim(p.email)"
        "   AND length(p.email) BETWEEN 3 AND 254 THEN p.email END,"
        "   nullif(left(btrim(p.name), 100), '') FROM p"
        "  RETURNING id, email, name, created_at),"
        " link AS (INSERT INTO user_identities (issuer, subject, user_id)"
        "  SELECT p.iss, p.sub, u.id FROM p, u)"
        " SELECT " USER_COLS " FROM u" },
    LIST_STMTS("created_at", K_CREATED, V_TS),
    LIST_STMTS("updated_at", K_UPDATED, V_TS),
    LIST_STMTS("due_at", K_DUE, V_TS),
    LIST_STMTS("priority", K_PRIO, V_PRIO),
    LIST_STMTS("title", K_TITLE, V_TITLE),
};

/* ------------------------------------------------------------------ */
/* Connections and their statements. */

/* What one pooled connection knows about its session; lives in the
 * connection's own pool (as long as the connection). */
typedef struct {
    int backend_pid;
    int session_pinned;         /* SESSION_SETTINGS applied to this session */
    apr_dbd_prepared_t *stmt[S_COUNT];
} conn_state;

struct tasks_db {
    request_rec *r;
    ap_dbd_t *dbd;
    conn_state *cs;
};

#define CONN_STATE_KEY "tasks_module:conn_state"

void tasks_store_register(server_rec *s)
{
    int i;

    for (i = 0; i < S_COUNT; i++)
        ap_dbd_prepare(s, statements[i].sql, statements[i].label);
}

static int backend_pid(ap_dbd_t *dbd)
{
    PGconn *pg = apr_dbd_native_handle(dbd->driver, dbd->handle);
    return pg ? PQbackendPID(pg) : 0;
}

static int connection_broken(ap_dbd_t *dbd)
{
    PGconn *pg = apr_dbd_native_handle(dbd->driver, dbd->handle);
    return !pg || PQstatus(pg) != CONNECTION_OK;
}

/* Make sure every statement exists in the connection's current session.
 * The first time a connection is seen, mod_dbd has just prepared them;
 * when the backend changed since, the session is new and empty. */
static int ensure_statements(request_rec *r, ap_dbd_t *dbd, conn_state **out)
{
    conn_state *cs = NULL;
    int pid = backend_pid(dbd), i;

    apr_pool_userdata_get((void **)&cs, CONN_STATE_KEY, dbd->pool);
    if (!cs) {
        cs = apr_pcalloc(dbd->pool, sizeof(*cs));
        cs->backend_pid = pid;
        apr_pool_userdata_setn(cs, CONN_STATE_KEY, NULL, dbd->pool);
        for (i = 0; i < S_COUNT; i++)
            cs->stmt[i] = apr_hash_get(dbd->prepared, statements[i].label,
                                       APR_HASH_KEY_STRING);
    }
    else if (cs->backend_pid != pid) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "TASKS0101: database "
                      "session was re-established (backend %d -> %d); "
                      "preparing statements again", cs->backend_pid, pid);
        memset(cs->stmt, 0, sizeof(cs->stmt));
        cs->session_pinned = 0;
        cs->backend_pid = pid;
    }
    for (i = 0; i < S_COUNT; i++) {
        int rv;
        if (cs->stmt[i])
            continue;
        /* A missing statement in a fresh session; or one mod_dbd did not
         * prepare (first sight): prepare it in this session. */
        rv = apr_dbd_prepare(dbd->driver, dbd->pool, dbd->handle,
                             statements[i].sql, statements[i].label,
                             &cs->stmt[i]);
        if (rv) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "TASKS0102: cannot "
                          "prepare %s: %s", statements[i].label,
                          apr_dbd_error(dbd->driver, dbd->handle, rv));
            cs->stmt[i] = NULL;
            return -1;
        }
    }
    *out = cs;
    return 0;
}

/* Once per session, after it is known to be alive, the settings the
 * statements rely on:
 * - the ISO DateStyle that TS_UTC columns are read in
 *   (tasks_timestamp_from_db);
 * - generic plans: every statement is a key lookup or a walk of one
 *   user's index whose shape does not depend on the values, but
 *   PostgreSQL's estimate for an unknown user id made it plan the page
 *   statements again on every execution, which cost more than running
 *   them. The plan test (tests/integration) checks these plans. */
static int pin_session(request_rec *r, ap_dbd_t *dbd, conn_state *cs)
{
    int n, rv;

    if (cs->session_pinned)
        return 0;
    rv = apr_dbd_query(dbd->driver, dbd->handle, &n, SESSION_SETTINGS);
    if (rv) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "TASKS0108: cannot set "
                      "up the database session: %s",
                      apr_dbd_error(dbd->driver, dbd->handle, rv));
        return -1;
    }
    cs->session_pinned = 1;
    return 0;
}

/* Did the server close this pooled connection while it sat idle (e.g. a
 * PostgreSQL restart)? The driver's own check only looks at the status
 * libpq last saw; reading what is pending on the socket (no round trip)
 * brings the server's goodbye to light, so that the session is renewed
 * before a write is sent into a dead connection. */
static int closed_while_idle(ap_dbd_t *dbd)
{
    PGconn *pg = apr_dbd_native_handle(dbd->driver, dbd->handle);

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

tasks_db *tasks_db_get(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);
    ap_dbd_t *dbd;
    tasks_db *db;

    if (rq->db)
        return rq->db;
    dbd = ap_dbd_acquire(r);
    if (!dbd) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "TASKS0103: no "
                      "database connection available");
        return NULL;
    }
    db = apr_pcalloc(r->pool, sizeof(*db));
    db->r = r;
    db->dbd = dbd;
    /* First the statements of the session as it was (so a connection
     * seen for the first time records the backend mod_dbd prepared on),
     * then renew a session the server closed meanwhile: the new backend
     * gets its statements prepared again. */
    if (ensure_statements(r, dbd, &db->cs))
        return NULL;
    if (closed_while_idle(dbd)) {
        if (apr_dbd_check_conn(dbd->driver, r->pool, dbd->handle) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "TASKS0107: the "
                          "database closed an idle connection and cannot "
                          "be reached again");
            return NULL;
        }
        if (ensure_statements(r, dbd, &db->cs))
            return NULL;
    }
    if (pin_session(r, dbd, db->cs))
        return NULL;
    rq->db = db;
    return db;
}

/* After a failure on a broken connection: let the driver re-establish the
 * session, then put the statements back. 0 when usable again. */
static int reconnect(tasks_db *db)
{
    ap_dbd_t *dbd = db->dbd;

    if (apr_dbd_check_conn(dbd->driver, db->r->pool, dbd->handle) != APR_SUCCESS)
        return -1;
    if (ensure_statements(db->r, dbd, &db->cs))
        return -1;
    return pin_session(db->r, dbd, db->cs);
}

static tasks_db_rc failed(tasks_db *db, int stmt, int rv)
{
    if (connection_broken(db->dbd)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, db->r, "TASKS0104: "
                      "database connection lost during %s",
                      statements[stmt].label);
        return TASKS_DB_UNAVAILABLE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, db->r, "TASKS0105: %s failed: %s",
                  statements[stmt].label,
                  apr_dbd_error(db->dbd->driver, db->dbd->handle, rv));
    return TASKS_DB_ERROR;
}

/* Run a reading statement; a connection that died while idle gets one
 * retry on a re-established session (safe: nothing was written). */
static tasks_db_rc select_rows(tasks_db *db, int stmt, const char **args,
                               apr_dbd_results_t **res)
{
    int rv, attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        *res = NULL;
        rv = apr_dbd_pselect(db->dbd->driver, db->r->pool, db->dbd->handle,
                             res, db->cs->stmt[stmt], 1, 0, args);
        if (rv == 0)
            return TASKS_DB_OK;
        if (attempt || !connection_broken(db->dbd) || reconnect(db))
            break;
    }
    return failed(db, stmt, rv);
}

/* Run a writing statement (no retry: it may have been executed). */
static tasks_db_rc write_rows(tasks_db *db, int stmt, const char **args,
                              int *nrows)
{
    int n = 0;
    int rv = apr_dbd_pquery(db->dbd->driver, db->r->pool, db->dbd->handle,
                            &n, db->cs->stmt[stmt], 0, args);
    if (rv)
        return failed(db, stmt, rv);
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
    rv = apr_dbd_pselect(db->dbd->driver, db->r->pool, db->dbd->handle,
                             res, db->cs->stmt[stmt], 1, 0, args);
    return rv ? failed(db, stmt, rv) : TASKS_DB_OK;
}

/* Column col of row as text, NULL for SQL NULL. */
static const char *col(tasks_db *db, apr_dbd_row_t *row, int c)
{
    char *v = NULL;

    if (apr_dbd_datum_get(db->dbd->driver, row, c, APR_DBD_TYPE_STRING, &v)
        != APR_SUCCESS)
        return NULL;
    return v;
}

/* Row n (1-based) of a result, by index: the driver frees a result (and
 * every value taken from it) once a sequential read runs past its end,
 * so rows are only ever fetched by number. 0 when there is no such row. */
static int nth_row(tasks_db *db, apr_dbd_results_t *res, int n,
                   apr_dbd_row_t **row)
{
    *row = NULL;
    if (n > apr_dbd_num_tuples(db->dbd->driver, res))
        return 0;
    return apr_dbd_get_row(db->dbd->driver, db->r->pool, res, row, n) == 0;
}

/* Run a statement expected to give at most one row: OK with *row, NONE
 * when it gave none, or the failure. writes: the statement changes data
 * (never retried). */
static tasks_db_rc one_row(tasks_db *db, int stmt, const char **args,
                           int writes, apr_dbd_row_t **row)
{
    apr_dbd_results_t *res;
    tasks_db_rc rc = writes ? write_returning(db, stmt, args, &res)
                            : select_rows(db, stmt, args, &res);

    if (rc != TASKS_DB_OK)
        return rc;
    return nth_row(db, res, 1, row) ? TASKS_DB_OK : TASKS_DB_NONE;
}

/* A TS_UTC column in RFC 3339 form; NULL for SQL NULL. */
static const char *utc(tasks_db *db, apr_dbd_row_t *row, int c)
{
    return tasks_timestamp_from_db(db->r->pool, col(db, row, c));
}

/* The columns of TASK_COLS, starting at column first of row. */
#define TASK_NCOLS 11

static void task_from_row(tasks_db *db, apr_dbd_row_t *row, int first,
                          const tasks_caller *who, tasks_task_row *t)
{
    t->id = col(db, row, first + 0);
    t->user_id = who->user_id;
    t->title = col(db, row, first + 1);
    t->description = col(db, row, first + 2);
    t->completed = col(db, row, first + 3);
    t->priority = col(db, row, first + 4);
    t->due_at = utc(db, row, first + 5);
    t->tags_json = col(db, row, first + 6);
    t->created_at = utc(db, row, first + 7);
    t->updated_at = utc(db, row, first + 8);
    t->completed_at = utc(db, row, first + 9);
    t->version = col(db, row, first + 10);
}

static void user_from_row(tasks_db *db, apr_dbd_row_t *row, tasks_user_row *u,
                          int with_hash)
{
    u->id = col(db, row, 0);
    u->email = col(db, row, 1);
    u->name = col(db, row, 2);
    u->created_at = col(db, row, 3);
    u->password_hash = with_hash ? col(db, row, 4) : NULL;
}

static const char *bool_arg(int b)
{
    return b ? "t" : "f";
}

static const char *int_arg(apr_pool_t *p, long long v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);
}

/* ------------------------------------------------------------------ */

tasks_db_rc tasks_db_ping(tasks_db *db)
{
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_PING, NULL, 0, &row);

    return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
}

tasks_db_rc tasks_db_auth_user(tasks_db *db, const char *user_id,
                               const char *jti, tasks_user_row *out)
{
    const char *args[] = { user_id, jti ? jti : "" };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_AUTH_USER, args, 0, &row);

    if (rc == TASKS_DB_OK)
        user_from_row(db, row, out, 0);
    return rc;
}

tasks_db_rc tasks_db_user_insert(tasks_db *db, const char *email,
                                 const char *name, const char *hash,
                                 tasks_user_row *out)
{
    const char *args[] = { email, name, hash };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_USER_INSERT, args, 1, &row);

    if (rc == TASKS_DB_OK)
        user_from_row(db, row, out, 0);
    return rc;
}

/* One lookup of an identity's user; *revoked from its fifth column. */
static tasks_db_rc identity_lookup(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   tasks_user_row *out, int *revoked)
{
    const char *args[] = { jti ? jti : "", issuer, subject };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = one_row(db, S_IDENTITY_USER, args, 0, &row);

    if (rc == TASKS_DB_OK) {
        user_from_row(db, row, out, 0);
        *revoked = (v = col(db, row, 4)) && *v == 't';
    }
    return rc;
}

tasks_db_rc tasks_db_identity_user(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   const char *email, const char *name,
                                   tasks_user_row *out)
{
    const char *args[] = { issuer, subject, email, name };
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row;
    int revoked = 0, rv;
    tasks_db_rc rc = identity_lookup(db, issuer, subject, jti, out, &revoked);

    if (rc == TASKS_DB_OK)
        return revoked ? TASKS_DB_NONE : TASKS_DB_OK;
    if (rc != TASKS_DB_NONE)
        return rc;
    rv = apr_dbd_pselect(db->dbd->driver, db->r->pool, db->dbd->handle, &res,
                         db->cs->stmt[S_IDENTITY_PROVISION], 1, 0, args);
    if (rv == 0) {
        if (!nth_row(db, res, 1, &row))
            return TASKS_DB_ERROR;
        user_from_row(db, row, out, 0);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, db->r, "TASKS0106: new user "
                      "%s for subject of %s", out->id, issuer);
        return TASKS_DB_OK;
    }
    if (connection_broken(db->dbd))
        return failed(db, S_IDENTITY_PROVISION, rv);
    /* Most likely a concurrent first request linked it first (unique
     * violation, nothing of ours was kept): the link is there now. */
    rc = identity_lookup(db, issuer, subject, jti, out, &revoked);
    if (rc == TASKS_DB_OK)
        return revoked ? TASKS_DB_NONE : TASKS_DB_OK;
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, db->r, "TASKS0105: %s failed: %s",
                  statements[S_IDENTITY_PROVISION].label,
                  apr_dbd_error(db->dbd->driver, db->dbd->handle, rv));
    return TASKS_DB_ERROR;
}

tasks_db_rc tasks_db_user_by_email(tasks_db *db, const char *email,
                                   tasks_user_row *out)
{
    const char *args[] = { email };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_USER_BY_EMAIL, args, 0, &row);

    if (rc == TASKS_DB_OK)
        user_from_row(db, row, out, 1);
    return rc;
}

tasks_db_rc tasks_db_user_set_hash(tasks_db *db, const char *user_id,
                                   const char *hash)
{
    const char *args[] = { hash, user_id };
    return write_rows(db, S_USER_SET_HASH, args, NULL);
}

tasks_db_rc tasks_db_revoke(tasks_db *db, const char *jti, long long exp)
{
    const char *args[] = { jti, int_arg(db->r->pool, exp) };
    return write_rows(db, S_REVOKE, args, NULL);
}

tasks_db_rc tasks_db_login_failures(tasks_db *db, const char *email,
                                    const char *addr, int window,
                                    long *email_failures, long *addr_failures,
                                    long *email_retry, long *addr_retry)
{
    const char *w = int_arg(db->r->pool, window);
    const char *args[] = { email, addr, w, w };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = one_row(db, S_LOGIN_FAILURES, args, 0, &row);

    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    *email_failures = atol(col(db, row, 0));
    *addr_failures = atol(col(db, row, 1));
    *email_retry = (v = col(db, row, 2)) ? atol(v) : 0;
    *addr_retry = (v = col(db, row, 3)) ? atol(v) : 0;
    return TASKS_DB_OK;
}

tasks_db_rc tasks_db_login_attempt(tasks_db *db, const char *email,
                                   const char *addr, int window,
                                   const char **stamp)
{
    const char *args[] = { email, addr, int_arg(db->r->pool, window) };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_LOGIN_ATTEMPT, args, 1, &row);

    if (rc == TASKS_DB_OK)
        *stamp = col(db, row, 0);
    return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
}

tasks_db_rc tasks_db_login_forget(tasks_db *db, const char *email,
                                  const char *addr, const char *stamp)
{
    const char *args[] = { email, addr, stamp };
    return write_rows(db, S_LOGIN_FORGET, args, NULL);
}

tasks_db_rc tasks_db_login_succeeded(tasks_db *db, const char *email,
                                     const char *addr)
{
    const char *args[] = { email, addr };
    return write_rows(db, S_LOGIN_SUCCEEDED, args, NULL);
}

/* Column 0 of a statement that checks CALLER_OK itself. */
static int caller_ok(tasks_db *db, apr_dbd_row_t *row)
{
    const char *v = col(db, row, 0);
    return v && *v == 't';
}

static const char *jti_arg(const tasks_caller *who)
{
    return who->jti ? who->jti : "";
}

tasks_db_rc tasks_db_task_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_task_input *in,
                                 tasks_task_row *out)
{
    apr_pool_t *p = db->r->pool;
    const char *args[] = {
        who->user_id, jti_arg(who), in->title, in->description,
        bool_arg(in->completed), int_arg(p, in->priority), in->due_at,
        in->tags_json ? in->tags_json : "[]"
    };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_TASK_INSERT, args, 1, &row);

    if (rc == TASKS_DB_OK)
        task_from_row(db, row, 0, who, out);
    /* An insert only ever gives no row when CALLER_OK stopped it. */
    return rc == TASKS_DB_NONE ? TASKS_DB_DENIED : rc;
}

tasks_db_rc tasks_db_task_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_task_row *out)
{
    const char *args[] = { who->user_id, jti_arg(who), id };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_TASK_GET, args, 0, &row);

    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    task_from_row(db, row, 1, who, out);
    return out->id ? TASKS_DB_OK : TASKS_DB_NONE;
}

tasks_db_rc tasks_db_task_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, const char *version,
                                 const tasks_task_input *in, int toggle,
                                 tasks_task_row *out)
{
    apr_pool_t *p = db->r->pool;
    const char *args[] = {
        who->user_id, jti_arg(who), id, version,
        bool_arg(in->has_title), in->title,
        bool_arg(in->has_description), in->description,
        bool_arg(in->has_priority), int_arg(p, in->priority),
        bool_arg(in->has_due_at), in->due_at,
        bool_arg(in->has_tags), in->tags_json ? in->tags_json : "[]",
        in->has_completed ? bool_arg(in->completed) : NULL,
        bool_arg(toggle)
    };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_TASK_UPDATE, args, 1, &row);

    if (rc == TASKS_DB_OK)
        task_from_row(db, row, 0, who, out);
    return rc;
}

tasks_db_rc tasks_db_task_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, const char *version)
{
    const char *args[] = { who->user_id, jti_arg(who), id, version };
    int n = 0;
    tasks_db_rc rc = write_rows(db, S_TASK_DELETE, args, &n);

    return rc != TASKS_DB_OK ? rc : n ? TASKS_DB_OK : TASKS_DB_NONE;
}

tasks_db_rc tasks_db_tasks_clear_completed(tasks_db *db,
                                           const tasks_caller *who,
                                           int *deleted)
{
    const char *args[] = { who->user_id, jti_arg(who) };
    apr_dbd_row_t *row;
    tasks_db_rc rc = one_row(db, S_TASKS_CLEAR, args, 1, &row);

    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    *deleted = atoi(col(db, row, 1));
    return TASKS_DB_OK;
}

/* The arguments of LIST_PARAMS, in order (the plain statements take the
 * first three). */
static int filter_args(apr_pool_t *p, const tasks_caller *who,
                       const tasks_list_query *q, const char **args)
{
    args[0] = who->user_id;
    args[1] = jti_arg(who);
    args[2] = int_arg(p, q->status);
    args[3] = q->q_like;
    args[4] = q->priority >= 0 ? int_arg(p, q->priority) : NULL;
    args[5] = q->tags_json;
    args[6] = q->due_before;
    args[7] = q->due_after;
    return 8;
}

tasks_db_rc tasks_db_tasks_list(tasks_db *db, const tasks_caller *who,
                                const tasks_list_query *q,
                                const tasks_cursor *c,
                                apr_array_header_t **rows, long long *total)
{
    apr_pool_t *p = db->r->pool;
    const char *args[11];
    int plain = !q->q_like && q->priority < 0 && !q->tags_json
                && !q->due_before && !q->due_after;
    int n = filter_args(p, who, q, args), stmt, i;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    const char *v;

    if (plain)
        n = 3;
    stmt = S_LIST_FIRST + 8 * (int)q->sort + (plain ? 4 : 0)
           + (c ? 2 : 0) + (q->desc ? 1 : 0);
    if (c) {
        args[n++] = c->value ? c->value : "infinity";
        args[n++] = c->id;
    }
    args[n++] = int_arg(p, q->limit + 1);
    rc = select_rows(db, stmt, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *rows = apr_array_make(p, q->limit + 1, sizeof(tasks_task_row));
    for (i = 1; nth_row(db, res, i, &row); i++) {
        task_from_row(db, row, 0, who, apr_array_push(*rows));
        if (i == 1)
            *total = (v = col(db, row, TASK_NCOLS)) ? atoll(v) : 0;
    }
    if (i > 1)
        return TASKS_DB_OK;
    /* No rows: an empty page, or a denied caller. */
    filter_args(p, who, q, args);
    rc = one_row(db, S_TASKS_COUNT, args, 0, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    *total = (v = col(db, row, 1)) ? atoll(v) : 0;
    return TASKS_DB_OK;
}

const char *tasks_row_sort_value(const tasks_task_row *row, tasks_sort_key k)
{
    switch (k) {
    case TASKS_SORT_UPDATED_AT: return row->updated_at;
    case TASKS_SORT_DUE_AT:     return row->due_at; /* NULL: no due date */
    case TASKS_SORT_PRIORITY:   return row->priority;
    case TASKS_SORT_TITLE:      return row->title;
    default:                    return row->created_at;
    }
}
