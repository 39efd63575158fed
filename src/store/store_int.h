/* store_int.h - what the store's files share, and nobody else: the
 * statement numbers, the connection record and the helpers that run a
 * statement. */
#ifndef TASKS_STORE_INT_H
#define TASKS_STORE_INT_H

#include <apr_dbd.h>

#include "tasks/core/list_query.h"
#include "tasks/core/log.h"
#include "tasks/store/store.h"

/* Page statements per sort key: four families (their first statement's
 * offset below), four statements each (first asc, first desc, next asc,
 * next desc), in the order of statements.c's LIST_STMTS. */
enum {
    PAGE_FILTERED = 0,  /* any filter; the "p.x IS NULL OR" conditions   */
    PAGE_PLAIN = 4,     /* status at most                                */
    PAGE_BYLIST = 8,    /* one list's, status at most                    */
    PAGE_SEARCH = 12,   /* q given: through the words index (sql/015)    */
    PAGE_STMTS = 16
};

enum {
    S_PING, S_AUTH_USER, S_USER_INSERT, S_USER_BY_EMAIL, S_USER_SET_HASH,
    S_REVOKE, S_LOGIN_FAILURES, S_LOGIN_ATTEMPT, S_LOGIN_FORGET,
    S_LOGIN_SUCCEEDED, S_USER_RESET_PASSWORD, S_USER_DELETE,
    S_ACCOUNT_EXPORT, S_ACCOUNT_DELETE, S_SIGN_OUT_EVERYWHERE, S_PASSWORD_CHANGE,
    S_RESET_CODE_ISSUE, S_RESET_CODE_VALID, S_RESET_WITH_CODE,
    S_SESSION_START, S_SESSION_REFRESH, S_SESSION_REFUSED, S_SESSION_END,
    S_TASK_INSERT, S_TASK_INSERT_ONCE, S_TASK_GET, S_TASK_UPDATE, S_TASK_DELETE,
    S_TASKS_CLEAR, S_TASKS_COUNT, S_TASK_COMPLETIONS, S_REMINDERS,
    S_IDEM_CLAIM, S_IDEM_RELEASE, S_CHANGES, S_CHANGE_SEQ,
    S_DAV_MEMBERS, S_DAV_FIND,
    S_APP_PASSWORD_INSERT, S_APP_PASSWORDS, S_APP_PASSWORD_DELETE,
    S_APP_PASSWORD_USER,
    S_IDENTITY_USER, S_IDENTITY_PROVISION,
    S_LISTS_ALL, S_LIST_GET, S_LIST_INSERT, S_LIST_UPDATE, S_LIST_DELETE,
    S_LIST_FIRST, /* PAGE_STMTS per sort key, in tasks_sort_key order */
    S_COUNT = S_LIST_FIRST + PAGE_STMTS * TASKS_SORT_COUNT
};

typedef struct {
    const char *label;
    const char *sql;
} tasks_stmt_def;

/* statements.c: the texts, indexed by S_*. */
extern const tasks_stmt_def tasks_statements[S_COUNT];
/* statements.c: the unique constraints whose violation means "taken"
 * (a CONFLICT, not a failed statement); NULL-terminated. */
extern const char *const tasks_conflict_constraints[];

/* The columns a task statement returns, in order, from the field table:
 * TASK_COL_<name> for every field with a column (all but OWNER). */
enum {
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_COLUMN(access, TASK_COL_##name,)
    TASKS_TASK_FIELDS(X)
#undef X
    TASK_NCOLS
};

/* What one pooled connection knows about its session; lives in the
 * connection's own pool (as long as the connection). */
typedef struct {
    int backend_pid;
    int session_pinned;         /* the session settings were applied */
    int schema_checked;         /* the session's schema is recent enough */
    apr_dbd_prepared_t *stmt[S_COUNT];
} tasks_conn_state;

struct tasks_db {
    apr_pool_t *p;              /* this unit of work's pool              */
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_pool_t *conn_pool;
    const tasks_logger *log;
    tasks_conn_state *cs;
    int named;                  /* session pooling: named statements     */
};

/* conn.c: running statements. Each returns OK, or UNAVAILABLE (the
 * connection broke) or ERROR (the statement failed), both logged. */
/* A reading statement; one retry on a re-established session when the
 * connection had died (safe: nothing was written). */
tasks_db_rc tasks_run_select(tasks_db *db, int stmt, const char **args,
                             apr_dbd_results_t **res);
/* A writing statement without rows; *nrows (may be NULL) rows affected. */
tasks_db_rc tasks_run_write(tasks_db *db, int stmt, const char **args,
                            int *nrows);
/* At most one row: OK with *row, NONE when there was none. writes: the
 * statement changes data (never retried). */
tasks_db_rc tasks_run_one_row(tasks_db *db, int stmt, const char **args,
                              int writes, apr_dbd_row_t **row);
/* A statement that answers for a caller: its first row's column 0 is
 * CALLER_OK (false: DENIED), and a LEFT JOIN leaves column key_col NULL
 * in that row when there is nothing to list. each(db, row, baton) for
 * every row that lists something. A reading statement (one retry, as
 * tasks_run_select). */
typedef void (*tasks_row_fn)(tasks_db *db, apr_dbd_row_t *row, void *baton);
tasks_db_rc tasks_caller_rows(tasks_db *db, int stmt, const char **args,
                              int key_col, tasks_row_fn each, void *baton);
/* Row n (1-based) of a result; 0 when there is none. */
int tasks_nth_row(tasks_db *db, apr_dbd_results_t *res, int n,
                  apr_dbd_row_t **row);
/* Column c of row as text, NULL for SQL NULL. */
const char *tasks_col(tasks_db *db, apr_dbd_row_t *row, int c);
/* Column c of row is PostgreSQL's true. */
int tasks_col_true(tasks_db *db, apr_dbd_row_t *row, int c);
/* 1 when the connection is known to be broken. */
int tasks_conn_broken(tasks_db *db);
/* Log a failed statement and classify it (UNAVAILABLE or ERROR). */
tasks_db_rc tasks_run_failed(tasks_db *db, int stmt, int rv);

/* Arguments as text. */
/* The caller's arguments of CALLER_PARAMS (statements.c), in order: the
 * user, the jti's revocation key, iat, sid; fills TASKS_CALLER_NARGS. */
#define TASKS_CALLER_NARGS 4
void tasks_caller_args(tasks_db *db, const tasks_caller *who,
                       const char **args);
const char *tasks_arg_bool(int b);
const char *tasks_arg_int(apr_pool_t *p, long long v);
/* A required version: NULL (any) for a negative one. */
const char *tasks_arg_version(apr_pool_t *p, long long version);

#endif
