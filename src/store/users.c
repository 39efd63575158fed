/* users.c - the statements of accounts: users, external identities,
 * revoked tokens and login throttling. */
#include <stdlib.h>

#include <apr_dbd.h>

#include "tasks/core/token.h"
#include "store_int.h"

static void user_from_row(tasks_db *db, apr_dbd_row_t *row, tasks_user_row *u,
                          int with_hash)
{
    u->id = tasks_col(db, row, 0);
    u->email = tasks_col(db, row, 1);
    u->name = tasks_col(db, row, 2);
    u->created_at = tasks_col(db, row, 3);
    u->password_hash = with_hash ? tasks_col(db, row, 4) : NULL;
}

/* A statement whose one row (if any) is a user's columns. */
static tasks_db_rc one_user(tasks_db *db, int stmt, const char **args,
                            int writes, tasks_user_row *out)
{
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, stmt, args, writes, &row);

    if (rc == TASKS_DB_OK)
        user_from_row(db, row, out, 0);
    return rc;
}

/* A token's iat as an argument: NULL when it had none (0). */
static const char *iat_arg(tasks_db *db, long long iat)
{
    return iat > 0 ? tasks_arg_int(db->p, iat) : NULL;
}

tasks_db_rc tasks_db_auth_user(tasks_db *db, const tasks_caller *who,
                               tasks_user_row *out)
{
    const char *args[TASKS_CALLER_NARGS];

    tasks_caller_args(db, who, args);
    return one_user(db, S_AUTH_USER, args, 0, out);
}

tasks_db_rc tasks_db_user_insert(tasks_db *db, const char *email,
                                 const char *name, const char *hash,
                                 tasks_user_row *out)
{
    const char *args[] = { email, name, hash };
    return one_user(db, S_USER_INSERT, args, 1, out);
}

/* One lookup of an identity's user; *revoked from its fifth column. */
static tasks_db_rc identity_lookup(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   long long iat, tasks_user_row *out,
                                   int *revoked)
{
    const char *args[] = { tasks_revocation_key(db->p, jti), iat_arg(db, iat),
                           issuer, subject };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = tasks_run_one_row(db, S_IDENTITY_USER, args, 0, &row);

    if (rc == TASKS_DB_OK) {
        user_from_row(db, row, out, 0);
        *revoked = (v = tasks_col(db, row, 4)) && *v == 't';
    }
    return rc;
}

tasks_db_rc tasks_db_identity_user(tasks_db *db, const char *issuer,
                                   const char *subject, const char *jti,
                                   long long iat, const char *email,
                                   const char *name, tasks_user_row *out)
{
    const char *args[] = { issuer, subject, email, name };
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row;
    int revoked = 0, rv;
    tasks_db_rc rc = identity_lookup(db, issuer, subject, jti, iat, out, &revoked);

    if (rc == TASKS_DB_OK)
        return revoked ? TASKS_DB_NONE : TASKS_DB_OK;
    if (rc != TASKS_DB_NONE)
        return rc;
    rv = apr_dbd_pselect(db->driver, db->p, db->handle, &res,
                         db->cs->stmt[S_IDENTITY_PROVISION], 1, 0, args);
    if (rv == 0) {
        if (!tasks_nth_row(db, res, 1, &row))
            return TASKS_DB_ERROR;
        user_from_row(db, row, out, 0);
        tasks_log(db->log, TASKS_LOG_INFO, "TASKS0106: new user %s for "
                  "subject of %s", out->id, issuer);
        return TASKS_DB_OK;
    }
    if (tasks_conn_broken(db))
        return tasks_run_failed(db, S_IDENTITY_PROVISION, rv);
    /* Most likely a concurrent first request linked it first (unique
     * violation, nothing of ours was kept): the link is there now. */
    rc = identity_lookup(db, issuer, subject, jti, iat, out, &revoked);
    if (rc == TASKS_DB_OK)
        return revoked ? TASKS_DB_NONE : TASKS_DB_OK;
    return tasks_run_failed(db, S_IDENTITY_PROVISION, rv);
}

tasks_db_rc tasks_db_user_by_email(tasks_db *db, const char *email,
                                   tasks_user_row *out)
{
    const char *args[] = { email };
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_USER_BY_EMAIL, args, 0, &row);

    if (rc == TASKS_DB_OK)
        user_from_row(db, row, out, 1);
    return rc;
}

tasks_db_rc tasks_db_reset_code_issue(tasks_db *db, const char *email,
                                      const char *code_hash,
                                      tasks_user_row *out)
{
    const char *args[] = { email, code_hash };
    return one_user(db, S_RESET_CODE_ISSUE, args, 1, out);
}

tasks_db_rc tasks_db_reset_code_valid(tasks_db *db, const char *code_hash)
{
    const char *args[] = { code_hash };
    apr_dbd_row_t *row;

    return tasks_run_one_row(db, S_RESET_CODE_VALID, args, 0, &row);
}

tasks_db_rc tasks_db_reset_with_code(tasks_db *db, const char *code_hash,
                                     const char *hash, tasks_user_row *out)
{
    const char *args[] = { code_hash, hash };
    return one_user(db, S_RESET_WITH_CODE, args, 1, out);
}

/* A write for the caller whose one row counts the users it changed: OK
 * for one, DENIED for none (the caller may no longer act). */
static tasks_db_rc caller_write(tasks_db *db, int stmt, const char **args)
{
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = tasks_run_one_row(db, stmt, args, 1, &row);

    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    return (v = tasks_col(db, row, 0)) && atoll(v) == 1 ? TASKS_DB_OK
                                                        : TASKS_DB_DENIED;
}

tasks_db_rc tasks_db_sign_out_everywhere(tasks_db *db, const tasks_caller *who)
{
    const char *args[TASKS_CALLER_NARGS];

    tasks_caller_args(db, who, args);
    return caller_write(db, S_SIGN_OUT_EVERYWHERE, args);
}

tasks_db_rc tasks_db_password_change(tasks_db *db, const tasks_caller *who,
                                     const char *hash)
{
    const char *args[1 + TASKS_CALLER_NARGS];

    args[0] = hash;
    tasks_caller_args(db, who, args + 1);
    return caller_write(db, S_PASSWORD_CHANGE, args);
}

tasks_db_rc tasks_db_session_start(tasks_db *db, const char *user_id,
                                   const char *refresh_hash, long lifetime,
                                   int limit, const char **sid)
{
    const char *args[] = { user_id, refresh_hash,
                           tasks_arg_int(db->p, lifetime),
                           tasks_arg_int(db->p, limit) };
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_SESSION_START, args, 1, &row);

    if (rc == TASKS_DB_OK)
        *sid = tasks_col(db, row, 0);
    return rc;
}

tasks_db_rc tasks_db_session_refresh(tasks_db *db, const char *old_hash,
                                     const char *new_hash, long lifetime,
                                     const char **sid, tasks_user_row *user)
{
    const char *args[] = { old_hash, new_hash, tasks_arg_int(db->p, lifetime) };
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_SESSION_REFRESH, args, 1, &row);

    if (rc == TASKS_DB_OK) {
        *sid = tasks_col(db, row, 0);
        /* After the session's id: the user's columns. */
        user->id = tasks_col(db, row, 1);
        user->email = tasks_col(db, row, 2);
        user->name = tasks_col(db, row, 3);
        user->created_at = tasks_col(db, row, 4);
        user->password_hash = NULL;
    }
    return rc;
}

tasks_db_rc tasks_db_session_refused(tasks_db *db, const char *refresh_hash,
                                     const char **user_id, int *reused)
{
    const char *args[] = { refresh_hash };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = tasks_run_one_row(db, S_SESSION_REFUSED, args, 1, &row);

    if (rc == TASKS_DB_OK) {
        *user_id = tasks_col(db, row, 0);
        *reused = (v = tasks_col(db, row, 1)) && *v == 't';
    }
    return rc;
}

tasks_db_rc tasks_db_session_end(tasks_db *db, const char *user_id,
                                 const char *sid)
{
    const char *args[] = { sid, user_id };
    int n = 0;
    tasks_db_rc rc = tasks_run_write(db, S_SESSION_END, args, &n);

    return rc != TASKS_DB_OK ? rc : n ? TASKS_DB_OK : TASKS_DB_NONE;
}

tasks_db_rc tasks_db_user_set_hash(tasks_db *db, const char *user_id,
                                   const char *hash)
{
    const char *args[] = { hash, user_id };
    return tasks_run_write(db, S_USER_SET_HASH, args, NULL);
}

tasks_db_rc tasks_db_user_reset_password(tasks_db *db, const char *email,
                                         const char *hash, tasks_user_row *out)
{
    const char *args[] = { hash, email };
    return one_user(db, S_USER_RESET_PASSWORD, args, 1, out);
}

tasks_db_rc tasks_db_user_delete(tasks_db *db, const char *email,
                                 tasks_user_row *out, long long *tasks)
{
    const char *args[] = { email };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = tasks_run_one_row(db, S_USER_DELETE, args, 1, &row);

    if (rc == TASKS_DB_OK) {
        user_from_row(db, row, out, 0);
        *tasks = (v = tasks_col(db, row, 4)) ? atoll(v) : 0;
    }
    return rc;
}

tasks_db_rc tasks_db_revoke(tasks_db *db, const char *jti, long long exp)
{
    const char *args[] = { tasks_revocation_key(db->p, jti),
                           tasks_arg_int(db->p, exp) };
    return tasks_run_write(db, S_REVOKE, args, NULL);
}

tasks_db_rc tasks_db_login_failures(tasks_db *db, const char *email,
                                    const char *addr, int window,
                                    long *email_failures, long *addr_failures,
                                    long *email_retry, long *addr_retry)
{
    const char *w = tasks_arg_int(db->p, window);
    const char *args[] = { email, addr, w, w };
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc = tasks_run_one_row(db, S_LOGIN_FAILURES, args, 0, &row);

    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    *email_failures = atol(tasks_col(db, row, 0));
    *addr_failures = atol(tasks_col(db, row, 1));
    *email_retry = (v = tasks_col(db, row, 2)) ? atol(v) : 0;
    *addr_retry = (v = tasks_col(db, row, 3)) ? atol(v) : 0;
    return TASKS_DB_OK;
}

tasks_db_rc tasks_db_login_attempt(tasks_db *db, const char *email,
                                   const char *addr, int window,
                                   const char **stamp)
{
    const char *args[] = { email, addr, tasks_arg_int(db->p, window) };
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_LOGIN_ATTEMPT, args, 1, &row);

    if (rc == TASKS_DB_OK)
        *stamp = tasks_col(db, row, 0);
    return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
}

tasks_db_rc tasks_db_login_forget(tasks_db *db, const char *email,
                                  const char *addr, const char *stamp)
{
    const char *args[] = { email, addr, stamp };
    return tasks_run_write(db, S_LOGIN_FORGET, args, NULL);
}

tasks_db_rc tasks_db_login_succeeded(tasks_db *db, const char *email,
                                     const char *addr)
{
    const char *args[] = { email, addr };
    return tasks_run_write(db, S_LOGIN_SUCCEEDED, args, NULL);
}

