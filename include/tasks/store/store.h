/* store.h - every SQL statement of mod_tasks, and the only code that
 * talks to the database (through apr_dbd). It is given a connection and
 * a pool; it knows nothing of httpd, so the module (through mod_dbd's
 * pool), a command-line tool and the service tests (apr_dbd directly)
 * share it. Each function is one round trip unless it says otherwise. */
#ifndef TASKS_STORE_STORE_H
#define TASKS_STORE_STORE_H

#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include "tasks/core/list_query.h"
#include "tasks/core/log.h"
#include "tasks/core/list.h"
#include "tasks/core/app_password.h"
#include "tasks/core/recur.h"
#include "tasks/core/task.h"

typedef enum {
    TASKS_DB_OK = 0,
    TASKS_DB_NONE,          /* no row matched                            */
    TASKS_DB_MISMATCH,      /* the task exists, but not in the version the
                               write required                            */
    TASKS_DB_UNAVAILABLE,   /* no connection, or it broke                */
    TASKS_DB_SCHEMA_BEHIND, /* the database lacks a migration the
                               statements need (tasks_db_open)           */
    TASKS_DB_DENIED,        /* the caller's user is gone or its token was
                               revoked (task statements)                 */
    TASKS_DB_NO_LIST,       /* the list a write names is not the
                               caller's (or no longer exists)            */
    TASKS_DB_CONFLICT,      /* a unique name is taken (lists)            */
    TASKS_DB_LIMIT,         /* a per-user limit is reached (lists)       */
    TASKS_DB_RANGE,         /* a position beyond the caller's lists      */
    TASKS_DB_INBOX,         /* the Inbox cannot be deleted               */
    TASKS_DB_RECURRING,     /* a guarded write met a recurring task: the
                               service must read it and write again       */
    TASKS_DB_ERROR          /* the statement failed (logged)             */
} tasks_db_rc;

typedef struct tasks_db tasks_db;

typedef struct {
    const char *id;
    const char *email;          /* NULL for an identity without one */
    const char *name;           /* NULL when unset */
    const char *created_at;     /* RFC 3339 UTC */
    const char *password_hash;  /* only from tasks_db_user_by_email */
} tasks_user_row;

/* The statements, by number (0 .. tasks_store_statement_count() - 1):
 * label and text, with apr_dbd's parameter markers (%s, %pDt, ...).
 * mod_dbd is given them to prepare on every new connection; tests read
 * them to check their plans. */
int tasks_store_statement_count(void);
const char *tasks_store_statement_label(int i);
const char *tasks_store_statement_sql(int i);

/* What every session is set to before its first statement under
 * TASKS_POOLING_SESSION (see tasks_db_open). */
const char *tasks_store_session_settings(void);

/* How the connections reach PostgreSQL (TasksDBPooling):
 * - SESSION: each connection is one database session for as long as it
 *   lives (direct, or a session-pooling PgBouncer): the statements are
 *   prepared once per session by name and the session settings applied;
 * - TRANSACTION: consecutive statements may run in different sessions
 *   (a transaction-pooling PgBouncer, Neon's pooled endpoint): nothing is
 *   left in a session; each statement is one PQexecParams (its text and
 *   parameters) and planned each time. */
typedef enum {
    TASKS_POOLING_SESSION = 0,
    TASKS_POOLING_TRANSACTION
} tasks_db_pooling;

/* The last migration (sql/NNN_name.sql, as "NNN_name") the statements
 * need. */
const char *tasks_store_schema_version(void);

/* Open the store on one open connection, for one unit of work (a
 * request). conn_pool lives as long as the connection: what the store
 * knows about the session (its schema, statements, backend) is kept
 * there. prepared: the statements its pool already prepared on it, by
 * label (mod_dbd's hash), or NULL; never used under TRANSACTION pooling.
 * Rows and everything else are allocated in p. The session is
 * re-established first when it is broken or the server closed it while
 * it was idle; then, once per session, its schema is checked and (SESSION
 * pooling) the statements prepared and the session settings applied. OK
 * with *out;
 * SCHEMA_BEHIND when the database lacks tasks_store_schema_version();
 * UNAVAILABLE (logged through log) otherwise. */
tasks_db_rc tasks_db_open(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle, apr_pool_t *conn_pool,
                          tasks_db_pooling pooling, apr_hash_t *prepared,
                          const tasks_logger *log, tasks_db **out);

tasks_db_rc tasks_db_ping(tasks_db *db);

/* The user a verified token names, unless its jti was revoked, its
 * session ended, or (a token outside a session) the user signed out
 * everywhere since its iat. NONE for an unknown user or a token
 * that no longer stands. For the routes whose statements do not check
 * their caller themselves (me, logout). */
tasks_db_rc tasks_db_auth_user(tasks_db *db, const tasks_caller *who,
                               tasks_user_row *out);

/* A reset code (code_hash: its SHA-256, hex) for the account with a
 * password at email, valid for 30 minutes, replacing an earlier one: OK
 * with the user, NONE when there is no such account. The admin command's
 * (the runtime role may not). */
tasks_db_rc tasks_db_reset_code_issue(tasks_db *db, const char *email,
                                      const char *code_hash,
                                      tasks_user_row *out);
/* OK when the reset code whose SHA-256 is code_hash is there and not
 * expired, NONE otherwise (a read: tasks_db_reset_with_code decides). */
tasks_db_rc tasks_db_reset_code_valid(tasks_db *db, const char *code_hash);
/* Spend the reset code whose SHA-256 is code_hash: OK with the user, who
 * now has hash and is signed out everywhere; NONE for an unknown, used or
 * expired code (which is gone afterwards in every case). */
tasks_db_rc tasks_db_reset_with_code(tasks_db *db, const char *code_hash,
                                     const char *hash, tasks_user_row *out);

/* Sign out everywhere: every session of the caller's user ends, and
 * every token of theirs issued outside a session until the end of this
 * second stops standing (the caller's too). DENIED when the caller may no
 * longer act. */
tasks_db_rc tasks_db_sign_out_everywhere(tasks_db *db, const tasks_caller *who);
/* The caller's new password hash; every other session and token of the
 * user stops standing, the caller's own session (or token) goes on.
 * DENIED when the caller may no longer act (or has no password). */
tasks_db_rc tasks_db_password_change(tasks_db *db, const tasks_caller *who,
                                     const char *hash);
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
 * it was revoked, or the user signed out everywhere since iat (0: none). */
tasks_db_rc tasks_db_identity_user(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   long long iat, const char *email,
                                   const char *name, tasks_user_row *out);
tasks_db_rc tasks_db_user_set_hash(tasks_db *db, const char *user_id,
                                   const char *hash);
/* The admin command's (the runtime role has no right to either): a new
 * hash for the account with a password at email, signing it out
 * everywhere; that account deleted
 * with everything of it (tasks, identities, counts), *tasks: how many
 * tasks it had. NONE when no account with a password has that email. */
tasks_db_rc tasks_db_user_reset_password(tasks_db *db, const char *email,
                                         const char *hash, tasks_user_row *out);
tasks_db_rc tasks_db_user_delete(tasks_db *db, const char *email,
                                 tasks_user_row *out, long long *tasks);
/* A new session for user_id (login, signup) whose first refresh value
 * has the SHA-256 refresh_hash (hex): OK with *sid, NONE when the user is
 * gone. The user's sessions idle for lifetime seconds end, and so do the
 * least recently used beyond limit - 1, so the account keeps at most
 * limit. */
tasks_db_rc tasks_db_session_start(tasks_db *db, const char *user_id,
                                   const char *refresh_hash, long lifetime,
                                   int limit, const char **sid);
/* Rotate a session's refresh value: old_hash must be the current value
 * of a session used within lifetime seconds; it is marked used and
 * new_hash becomes current, in one statement (of two concurrent
 * refreshes with one value, one wins). OK with *sid and *user; NONE
 * otherwise (then see tasks_db_session_refused). */
tasks_db_rc tasks_db_session_refresh(tasks_db *db, const char *old_hash,
                                     const char *new_hash, long lifetime,
                                     const char **sid, tasks_user_row *user);
/* After tasks_db_session_refresh gave NONE: the session the value
 * belongs to (if any) ends. OK with *user_id and *reused (the value had
 * been rotated: used twice); NONE when it belongs to no session. */
tasks_db_rc tasks_db_session_refused(tasks_db *db, const char *refresh_hash,
                                     const char **user_id, int *reused);
/* Logout: session sid of user_id ends, with every token issued in it.
 * OK, or NONE when it had ended already. */
tasks_db_rc tasks_db_session_end(tasks_db *db, const char *user_id,
                                 const char *sid);
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
 * act (see tasks_caller), in the same round trip as its work. Task ids
 * are canonical decimal text (tasks_route_id_valid). */
/* A new task of in (every field), as the resource res (NULL: a random
 * UID and name); NO_LIST when in's list is not the caller's, CONFLICT
 * when res's name is taken in it. */
tasks_db_rc tasks_db_task_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_task_input *in,
                                 const tasks_task_resource *res,
                                 const char *idem_key, tasks_task_row *out);
/* NONE when there is no such task of the caller's. */
tasks_db_rc tasks_db_task_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_task_row *out);
/* What an update does to a recurring task's schedule beyond its fields
 * (all zero: nothing, and no guard). */
typedef struct {
    int guard;                  /* leave a recurring task alone: RECURRING */
    int set_start;              /* write recurrence_start = start          */
    const char *start;          /* the series' start (NULL: none)          */
    const char *done_due;       /* record the completion of this occurrence */
    const char *undone_due;     /* remove the newest record of this one    */
} tasks_task_schedule;

/* Apply the fields in (has_*) to the task; toggle flips completed unless
 * in sets it; sched as it says (NULL: nothing); res, when not NULL, its
 * UID (NULL: kept) and kept text (the name is never changed here). version: the version the
 * task must have, or -1 for any. NONE: no such task; MISMATCH: it exists
 * (as the statement saw it) but the version did not match; RECURRING:
 * sched->guard and the task recurs (nothing written). One statement
 * decides all of it. */
tasks_db_rc tasks_db_task_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const tasks_task_input *in, int toggle,
                                 const tasks_task_schedule *sched,
                                 const tasks_task_resource *res,
                                 tasks_task_row *out);
/* ---- Idempotency keys (POST with Idempotency-Key) ---------------------
 * A create with a key: claim it; CLAIMED: create with idem_key set (the
 * insert records what it made under the key, in its own statement), and
 * on any failure release the claim; DONE: *record holds the created
 * row's columns (as the store reads them) to answer again from;
 * OTHER_REQUEST: the key was used with another request (fingerprint);
 * RUNNING: a request with the key has not finished. */
typedef enum {
    TASKS_IDEM_CLAIMED,
    TASKS_IDEM_DONE,
    TASKS_IDEM_OTHER_REQUEST,
    TASKS_IDEM_RUNNING
} tasks_idem_state;
tasks_db_rc tasks_db_idem_claim(tasks_db *db, const tasks_caller *who,
                                const char *key, const char *fingerprint,
                                tasks_idem_state *state,
                                apr_array_header_t **record);
tasks_db_rc tasks_db_idem_release(tasks_db *db, const tasks_caller *who,
                                  const char *key);
/* An idempotency record (of a task create) as the task it made: 0, or -1
 * when the record is not a task's. */
int tasks_db_task_from_record(tasks_db *db, const tasks_caller *who,
                              const apr_array_header_t *cols,
                              tasks_task_row *out);
/* The same for a list's create. */
int tasks_db_list_from_record(const apr_array_header_t *cols,
                              tasks_list_row *out);

/* ---- App passwords --------------------------------------------------- */
/* A new app password of the caller's (its secret's hash); LIMIT when
 * they have TASKS_APP_PASSWORDS_MAX. */
tasks_db_rc tasks_db_app_password_insert(tasks_db *db, const tasks_caller *who,
                                         const char *name, const char *hash,
                                         tasks_app_password_row *out);
/* The caller's app passwords, newest first (rows of
 * tasks_app_password_row). */
tasks_db_rc tasks_db_app_passwords(tasks_db *db, const tasks_caller *who,
                                   apr_array_header_t **rows);
/* Revoke one; NONE when it is not the caller's. */
tasks_db_rc tasks_db_app_password_delete(tasks_db *db, const tasks_caller *who,
                                         const char *id);
/* The user an e-mail (any case) and an app password's hash name, the
 * password marked used; NONE when they name nobody. */
tasks_db_rc tasks_db_app_password_user(tasks_db *db, const char *email,
                                       const char *hash, tasks_user_row *user);

/* ---- The changes feed ----------------------------------------------- */
typedef struct {
    long long seq;              /* the change's number                    */
    int deleted;                /* a deletion: only task_id               */
    const char *task_id;
    tasks_task_row task;        /* the task as it is now (not deleted)    */
} tasks_change_row;
/* The caller's changes numbered after since, oldest first, at most limit
 * (rows of tasks_change_row; deletions only with with_deleted), and the
 * caller's latest change number in *latest (every change up to it is
 * read in the same snapshot). */
tasks_db_rc tasks_db_changes(tasks_db *db, const tasks_caller *who,
                             long long since, int with_deleted, int limit,
                             apr_array_header_t **changes, long long *latest);

/* The caller's latest change number. */
tasks_db_rc tasks_db_change_seq(tasks_db *db, const tasks_caller *who,
                                long long *latest);

/* ---- Tasks as CalDAV resources (sql/013) ---------------------------- */
/* The tasks of the caller's list list_id (rows of tasks_task_row, by
 * name): all of them (since < 0), or those changed after change number
 * since, with the names (const char *) of the resources that left the
 * list since in *gone; *latest the caller's latest change number, read
 * in the same snapshot. NONE: the list is not the caller's. */
tasks_db_rc tasks_db_dav_members(tasks_db *db, const tasks_caller *who,
                                 long long list_id, long long since,
                                 apr_array_header_t **rows,
                                 apr_array_header_t **gone,
                                 long long *latest);
/* The tasks of the caller's list list_id named in names (const char *;
 * a name that is not UTF-8 names none) or with UID uid (NULL: none), by
 * name (rows of tasks_task_row). NONE: the list is not the caller's. */
tasks_db_rc tasks_db_dav_find(tasks_db *db, const tasks_caller *who,
                              long long list_id,
                              const apr_array_header_t *names,
                              const char *uid, apr_array_header_t **rows);

/* The completions of the caller's task id, newest first (rows of
 * tasks_completion_row). NONE: no such task of the caller's. */
tasks_db_rc tasks_db_task_completions(tasks_db *db, const tasks_caller *who,
                                      const char *id,
                                      apr_array_header_t **rows);
/* The caller's reminders of pending tasks firing after since (NULL: any
 * time) and at or before until, by when they fire (rows of
 * tasks_reminder_row). */
tasks_db_rc tasks_db_reminders(tasks_db *db, const tasks_caller *who,
                               const char *since, const char *until,
                               apr_array_header_t **rows);
/* NONE and MISMATCH as for tasks_db_task_update. */
tasks_db_rc tasks_db_task_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version);
/* Delete the caller's completed tasks (of list list_id, canonical digits,
 * or of every list when NULL); *deleted: how many. */
tasks_db_rc tasks_db_tasks_clear_completed(tasks_db *db,
                                           const tasks_caller *who,
                                           const char *list_id,
                                           long long *deleted);
/* Everything of the caller's, read in one snapshot: the user (no hash)
 * and every task, in id order (rows of tasks_task_row). DENIED when the
 * caller may no longer act (the user gone, the token revoked). */
tasks_db_rc tasks_db_account_export(tasks_db *db, const tasks_caller *who,
                                    tasks_user_row *user,
                                    apr_array_header_t **tasks);
/* The caller's own account deleted with its tasks, identities and the
 * failed logins kept for its email, in one statement. DENIED when the
 * caller may no longer act (nothing is deleted then). */
tasks_db_rc tasks_db_account_delete(tasks_db *db, const tasks_caller *who);

/* The caller's lists by position (rows of tasks_list_row). */
tasks_db_rc tasks_db_lists_all(tasks_db *db, const tasks_caller *who,
                               apr_array_header_t **lists);
/* NONE when there is no such list of the caller's. */
tasks_db_rc tasks_db_list_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_list_row *out);
/* A new list (in->name, in->color), last: LIMIT when the caller has
 * TASKS_LISTS_MAX, CONFLICT when the name is taken in any letter case. */
tasks_db_rc tasks_db_list_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_list_input *in,
                                 const char *idem_key, tasks_list_row *out);
/* The fields of in (has_*) written to list id if it has version (-1:
 * any), the others shifting for a new position: NONE, CONFLICT (the name
 * is another list's), RANGE (position >= the caller's lists), MISMATCH,
 * in that order. One statement decides all of it. */
tasks_db_rc tasks_db_list_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const tasks_list_input *in,
                                 tasks_list_row *out);
/* Delete list id (if it has version; -1: any) with its tasks, or after
 * moving them to move_to (canonical id, or NULL): NONE, INBOX, NO_LIST
 * (move_to is not another list of the caller's), MISMATCH; *moved: how
 * many tasks moved. One statement. */
tasks_db_rc tasks_db_list_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const char *move_to, long long *moved);

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
