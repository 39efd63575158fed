/* lists.c - the statements of lists: read, create, change, delete, each
 * scoped to the caller and checking it may still act (CALLER_OK). */
#include <stdlib.h>

#include <apr_dbd.h>

#include "store_int.h"

/* The list's columns from column first of row. */
static void list_from_row(tasks_db *db, apr_dbd_row_t *row, int first,
                          tasks_list_row *l)
{
    l->id = tasks_col(db, row, first);
    l->name = tasks_col(db, row, first + 1);
    l->color = tasks_col(db, row, first + 2);
    l->position = tasks_col(db, row, first + 3);
    l->inbox = tasks_col(db, row, first + 4);
    l->task_count = tasks_col(db, row, first + 5);
    l->pending_count = tasks_col(db, row, first + 6);
    l->created_at = tasks_col(db, row, first + 7);
    l->updated_at = tasks_col(db, row, first + 8);
    l->version = tasks_col(db, row, first + 9);
}

tasks_db_rc tasks_db_lists_all(tasks_db *db, const tasks_caller *who,
                               apr_array_header_t **lists)
{
    const char *args[TASKS_CALLER_NARGS];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int i;

    tasks_caller_args(db, who, args);
    if ((rc = tasks_run_select(db, S_LISTS_ALL, args, &res)) != TASKS_DB_OK)
        return rc;
    *lists = apr_array_make(db->p, 8, sizeof(tasks_list_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        if (!tasks_col_true(db, row, 0))
            return TASKS_DB_DENIED;
        if (tasks_col(db, row, 1))
            list_from_row(db, row, 1, apr_array_push(*lists));
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

tasks_db_rc tasks_db_list_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_list_row *out)
{
    const char *args[TASKS_CALLER_NARGS + 1];
    apr_dbd_row_t *row;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    rc = tasks_run_one_row(db, S_LIST_GET, args, 0, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    list_from_row(db, row, 1, out);
    return out->id ? TASKS_DB_OK : TASKS_DB_NONE;
}

/* Promise: see store.h. The record's columns are LIST_COLS'. */
int tasks_db_list_from_record(const apr_array_header_t *cols,
                              tasks_list_row *l)
{
    const char *const *c = (const char *const *)cols->elts;

    if (cols->nelts != 10)
        return -1;
    l->id = c[0];
    l->name = c[1];
    l->color = c[2];
    l->position = c[3];
    l->inbox = c[4];
    l->task_count = c[5];
    l->pending_count = c[6];
    l->created_at = c[7];
    l->updated_at = c[8];
    l->version = c[9];
    return l->id ? 0 : -1;
}

tasks_db_rc tasks_db_list_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_list_input *in,
                                 const char *idem_key, tasks_list_row *out)
{
    const char *args[TASKS_CALLER_NARGS + 3];
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = in->name;
    args[TASKS_CALLER_NARGS + 1] = in->color;
    args[TASKS_CALLER_NARGS + 2] = idem_key;
    rc = tasks_run_one_row(db, S_LIST_INSERT, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    list_from_row(db, row, 2, out);
    if (out->id)
        return TASKS_DB_OK;
    v = tasks_col(db, row, 1);
    return v && atoll(v) >= TASKS_LISTS_MAX ? TASKS_DB_LIMIT : TASKS_DB_CONFLICT;
}

tasks_db_rc tasks_db_list_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const tasks_list_input *in,
                                 tasks_list_row *out)
{
    const char *args[TASKS_CALLER_NARGS + 7];
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int n = TASKS_CALLER_NARGS;

    tasks_caller_args(db, who, args);
    args[n++] = id;
    args[n++] = tasks_arg_version(db->p, version);
    args[n++] = tasks_arg_bool(in->has_name);
    args[n++] = in->has_name ? in->name : NULL;
    args[n++] = tasks_arg_bool(in->has_color);
    args[n++] = in->has_color ? in->color : NULL;
    args[n++] = in->has_position ? tasks_arg_int(db->p, in->position) : NULL;
    rc = tasks_run_one_row(db, S_LIST_UPDATE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    list_from_row(db, row, 4, out);
    if (out->id)
        return TASKS_DB_OK;
    if (!tasks_col_true(db, row, 1))
        return TASKS_DB_NONE;
    if (tasks_col_true(db, row, 2))
        return TASKS_DB_CONFLICT;
    if (!tasks_col_true(db, row, 3))
        return TASKS_DB_RANGE;
    return TASKS_DB_MISMATCH;
}

tasks_db_rc tasks_db_list_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const char *move_to, long long *moved)
{
    const char *args[TASKS_CALLER_NARGS + 3];
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    args[TASKS_CALLER_NARGS + 1] = tasks_arg_version(db->p, version);
    args[TASKS_CALLER_NARGS + 2] = move_to;
    rc = tasks_run_one_row(db, S_LIST_DELETE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!tasks_col_true(db, row, 0))
        return TASKS_DB_DENIED;
    if (!tasks_col_true(db, row, 1))
        return TASKS_DB_NONE;
    if (tasks_col_true(db, row, 2))
        return TASKS_DB_INBOX;
    if (!tasks_col_true(db, row, 3))
        return TASKS_DB_NO_LIST;
    if (!tasks_col_true(db, row, 4))
        return TASKS_DB_MISMATCH;
    *moved = (v = tasks_col(db, row, 5)) ? atoll(v) : 0;
    return TASKS_DB_OK;
}
