/* app_passwords.c - the statements of app passwords: make one (at most
 * TASKS_APP_PASSWORDS_MAX), list, revoke, and find the user a Basic
 * sign-in names. */
#include <stdlib.h>

#include <apr_strings.h>

#include "store_int.h"

tasks_db_rc tasks_db_app_password_insert(tasks_db *db, const tasks_caller *who,
                                         const char *name, const char *hash,
                                         tasks_app_password_row *out)
{
    const char *args[TASKS_CALLER_NARGS + 2];
    apr_dbd_row_t *row;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = name;
    args[TASKS_CALLER_NARGS + 1] = hash;
    rc = tasks_run_one_row(db, S_APP_PASSWORD_INSERT, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    out->id = tasks_col(db, row, 2);
    out->name = tasks_col(db, row, 3);
    out->created_at = tasks_col(db, row, 4);
    out->last_used_at = NULL;
    return out->id ? TASKS_DB_OK : TASKS_DB_LIMIT;
}

static void app_password_from_row(tasks_db *db, apr_dbd_row_t *row,
                                  void *rows)
{
    tasks_app_password_row *a = apr_array_push(rows);

    a->id = tasks_col(db, row, 1);
    a->name = tasks_col(db, row, 2);
    a->created_at = tasks_col(db, row, 3);
    a->last_used_at = tasks_col(db, row, 4);
}

tasks_db_rc tasks_db_app_passwords(tasks_db *db, const tasks_caller *who,
                                   apr_array_header_t **rows)
{
    const char *args[TASKS_CALLER_NARGS];

    tasks_caller_args(db, who, args);
    *rows = apr_array_make(db->p, 8, sizeof(tasks_app_password_row));
    return tasks_caller_rows(db, S_APP_PASSWORDS, args, 1,
                             app_password_from_row, *rows);
}

tasks_db_rc tasks_db_app_password_delete(tasks_db *db, const tasks_caller *who,
                                         const char *id)
{
    const char *args[TASKS_CALLER_NARGS + 1];
    apr_dbd_row_t *row;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    rc = tasks_run_one_row(db, S_APP_PASSWORD_DELETE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    return tasks_col_true(db, row, 1) ? TASKS_DB_OK : TASKS_DB_NONE;
}

tasks_db_rc tasks_db_app_password_user(tasks_db *db, const char *email,
                                       const char *hash, tasks_user_row *user)
{
    const char *args[2] = { hash, email };
    apr_dbd_row_t *row;
    tasks_db_rc rc = tasks_run_one_row(db, S_APP_PASSWORD_USER, args, 1, &row);

    if (rc != TASKS_DB_OK)
        return rc;
    user->id = tasks_col(db, row, 0);
    user->email = tasks_col(db, row, 1);
    user->name = tasks_col(db, row, 2);
    user->created_at = tasks_col(db, row, 3);
    user->password_hash = NULL;
    return TASKS_DB_OK;
}
