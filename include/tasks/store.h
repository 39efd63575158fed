/* store.h - every SQL statement of the module, and the only code that
 * talks to the database (through mod_dbd's pool and apr_dbd). Each
 * function is one round trip unless it says otherwise. */
#ifndef TASKS_STORE_H
#define TASKS_STORE_H

#include <httpd.h>
#include <apr_tables.h>

#include "tasks/list_query.h"
#include "tasks/task_json.h"

typedef enum {
    TASKS_DB_OK = 0,
    TASKS_DB_NONE,          /* no row matched                            */
    TASKS_DB_UNAVAILABLE,   /* no connection, or it broke: answer 503    */
    TASKS_DB_DENIED,        /* the caller's user is gone or its token was
                               revoked (task statements): answer 401     */
    TASKS_DB_ERROR          /* the statement failed (logged)             */
} tasks_db_rc;

typedef struct tasks_db tasks_db;

/* Who acts: the user the auth hook established, and the token's jti
 * (NULL when the token had none). Task statements check in SQL that the
 * user still exists and the jti is not revoked. */
typedef struct {
    const char *user_id;
    const char *jti;
} tasks_caller;

typedef struct {
    const char *id;
    const char *email;
    const char *name;           /* NULL when unset */
    const char *created_at;
    const char *password_hash;  /* only from tasks_db_user_by_email */
} tasks_user_row;

/* Register every statement with mod_dbd (ap_dbd_prepare) for server s;
 * called at post_config for each server. */
void tasks_store_register(server_rec *s);

/* The request's connection with its statements ready (prepared again
 * when the session behind it was re-established). NULL when the pool
 * has no connection to give: answer 503. */
tasks_db *tasks_db_get(request_rec *r);

tasks_db_rc tasks_db_ping(tasks_db *db);

/* The user a verified token names, unless its jti was revoked. NONE for
 * an unknown user or a revoked token. For the routes whose statements do
 * not check their caller themselves (me, logout). */
tasks_db_rc tasks_db_auth_user(tasks_db *db, const char *user_id,
                               const char *jti, tasks_user_row *out);
/* NONE when the email is taken (also under concurrent signups). */
tasks_db_rc tasks_db_user_insert(tasks_db *db, const char *email,
                                 const char *name, const char *hash,
                                 tasks_user_row *out);
/* Only accounts with a password (external identities may share an
 * email with one). */
tasks_db_rc tasks_db_user_by_email(tasks_db *db, const char *email,
                                   tasks_user_row *out);
/* The local user linked to (issuer, subject), provisioned with email and
 * name (either may be NULL) on first sight, in one statement; a concurrent
 * first request for the same identity is resolved by looking up again.
 * Never links by email. jti (already namespaced, may be NULL): NONE when
 * it was revoked. */
tasks_db_rc tasks_db_identity_user(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   const char *email, const char *name,
                                   tasks_user_row *out);
tasks_db_rc tasks_db_user_set_hash(tasks_db *db, const char *user_id,
                                   const char *hash);
/* Revoke jti until exp (unix seconds); also drops expired revocations. */
tasks_db_rc tasks_db_revoke(tasks_db *db, const char *jti, long long exp);

/* Failed logins within the last window seconds for email and for addr,
 * and the seconds until the oldest of them leaves the window. */
tasks_db_rc tasks_db_login_failures(tasks_db *db, const char *email,
                                    const char *addr, int window,
                                    long *email_failures, long *addr_failures,
                                    long *email_retry, long *addr_retry);
/* Record one login attempt as a failure (dropping this key's expired
 * records); *stamp identifies it for tasks_db_login_forget. */
tasks_db_rc tasks_db_login_attempt(tasks_db *db, const char *email,
                                   const char *addr, int window,
                                   const char **stamp);
/* Forget the attempt recorded at stamp (it was throttled, not tried). */
tasks_db_rc tasks_db_login_forget(tasks_db *db, const char *email,
                                  const char *addr, const char *stamp);
/* After a success: forget this client's failures for this email only. */
tasks_db_rc tasks_db_login_succeeded(tasks_db *db, const char *email,
                                     const char *addr);

/* Every task function below answers DENIED when the caller may no longer
 * act (see tasks_caller), in the same round trip as its work. */
tasks_db_rc tasks_db_task_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_task_input *in,
                                 tasks_task_row *out);
tasks_db_rc tasks_db_task_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_task_row *out);
/* Apply the fields in (has_*) to the task; toggle flips completed.
 * version (NULL = any) makes the write conditional (If-Match). NONE when
 * no such task, the version did not match, or the caller was denied: ask
 * tasks_db_task_get which. */
tasks_db_rc tasks_db_task_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, const char *version,
                                 const tasks_task_input *in, int toggle,
                                 tasks_task_row *out);
/* NONE as for tasks_db_task_update. */
tasks_db_rc tasks_db_task_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, const char *version);
tasks_db_rc tasks_db_tasks_clear_completed(tasks_db *db,
                                           const tasks_caller *who,
                                           int *deleted);
/* One page (q->limit + 1 rows at most, to tell whether more remain) after
 * cursor c (NULL for the first page), rows of tasks_task_row, and the
 * query's X-Total-Count in *total: one statement, two for an empty page. */
tasks_db_rc tasks_db_tasks_list(tasks_db *db, const tasks_caller *who,
                                const tasks_list_query *q,
                                const tasks_cursor *c,
                                apr_array_header_t **rows, long long *total);

/* The value a list's sort key has in row, as a cursor stores it. */
const char *tasks_row_sort_value(const tasks_task_row *row, tasks_sort_key k);

#endif
