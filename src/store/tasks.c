/* tasks.c - the statements of tasks: arguments bound and rows read by the
 * field table (core/task.h), so a field's position is decided once. */
#include <stdlib.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_strings.h>
#include <jansson.h>

#include "tasks/core/task_json.h"
#include "tasks/core/token.h"
#include "store_int.h"

/* ---- Each kind's value as a statement argument ------------------------ */
#define BIND_TITLE(p, v)    (v)
#define BIND_NOTE(p, v)     (v)
#define BIND_INSTANT(p, v)  (v)
#define BIND_TAGS(p, v)     ((v) ? (v) : "[]")
#define BIND_FLAG(p, v)     tasks_arg_bool(v)
#define BIND_DONE(p, v)     tasks_arg_bool(v)
#define BIND_PRIORITY(p, v) tasks_arg_int(p, v)
#define BIND_LIST(p, v)     ((v) > 0 ? tasks_arg_int(p, v) : NULL)
#define BIND_RULE(p, v)     (v)
#define BIND_ZONE(p, v)     ((v) ? (v) : "UTC")
#define BIND_REMINDERS(p, v) ((v) ? (v) : "[]")

/* ---- Each kind's column text as row text ------------------------------ */
/* An EPOCH column's text in RFC 3339 form; NULL for SQL NULL. */
#define AS_ID(p, v)        (v)
#define AS_UUID(p, v)      (v)
#define AS_TITLE(p, v)     (v)
#define AS_NOTE(p, v)      (v)
#define AS_FLAG(p, v)      (v)
#define AS_DONE(p, v)      (v)
#define AS_PRIORITY(p, v)  (v)
#define AS_LIST(p, v)      (v)
#define AS_TAGS(p, v)      (v)
#define AS_RULE(p, v)      (v)
#define AS_ZONE(p, v)      (v)
#define AS_REMINDERS(p, v) (v)
#define AS_VERSION(p, v)   (v)
#define AS_LABEL(p, v)     (v)
#define AS_KEPT(p, v)      (v)
#define AS_INSTANT(p, v)   tasks_timestamp_from_db(p, v)
#define AS_TIME(p, v)      tasks_timestamp_from_db(p, v)

/* An EPOCH column of a row in RFC 3339 form; NULL for SQL NULL. */
static const char *utc_col(tasks_db *db, apr_dbd_row_t *row, int c)
{
    return tasks_timestamp_from_db(db->p, tasks_col(db, row, c));
}

/* A task from its columns' texts (cols[TASK_COL_<name>]: a row's, or an
 * idempotency record's); user_id is the caller's (every statement is
 * scoped by it). */
static void task_from_texts(apr_pool_t *p, const char *const *cols,
                            const tasks_caller *who, tasks_task_row *t)
{
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_COLUMN(access, t->name = AS_##kind(p, cols[TASK_COL_##name]);)
    TASKS_TASK_FIELDS(X)
#undef X
    t->user_id = who->user_id;
}

/* The columns of a task, starting at column first of row. */
static void task_from_row(tasks_db *db, apr_dbd_row_t *row, int first,
                          const tasks_caller *who, tasks_task_row *t)
{
    const char *cols[TASK_NCOLS];
    int c;

    for (c = 0; c < TASK_NCOLS; c++)
        cols[c] = tasks_col(db, row, first + c);
    task_from_texts(db->p, cols, who, t);
}

/* The number of a resource's fields: the table's last (checked below),
 * so that a record made before sql/013 is a prefix of today's. */
enum {
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, R_##name,)
    TASKS_TASK_FIELDS(X)
#undef X
    N_RESOURCE
};
_Static_assert(TASK_COL_dav_uid == TASK_NCOLS - N_RESOURCE
               && TASK_COL_dav_kept == TASK_NCOLS - 1,
               "a task resource's fields end the field table");

/* Promise: see store.h. A record made before sql/013 lacks the resource
 * columns (the table's last): they read as NULL, which no answer from a
 * record shows. */
int tasks_db_task_from_record(tasks_db *db, const tasks_caller *who,
                              const apr_array_header_t *cols,
                              tasks_task_row *out)
{
    const char *texts[TASK_NCOLS];
    int i;

    if (cols->nelts != TASK_NCOLS && cols->nelts != TASK_NCOLS - N_RESOURCE)
        return -1;
    for (i = 0; i < TASK_NCOLS; i++)
        texts[i] = i < cols->nelts ? APR_ARRAY_IDX(cols, i, const char *) : NULL;
    task_from_texts(db->p, texts, who, out);
    return out->id ? 0 : -1;
}

/* The number of writable fields. */
enum {
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, W_##name,)
    TASKS_TASK_FIELDS(X)
#undef X
    N_WRITABLE
};

/* Column 0 of a statement that checks CALLER_OK itself. */
static int caller_ok(tasks_db *db, apr_dbd_row_t *row)
{
    return tasks_col_true(db, row, 0);
}

/* A statement of one row, CALLER_OK then a number (a count, a change
 * number) into *out (0 for NULL); writes: may it have written. */
static tasks_db_rc caller_number(tasks_db *db, int stmt, const char **args,
                                 int writes, long long *out)
{
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    const char *v;

    rc = tasks_run_one_row(db, stmt, args, writes, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    *out = (v = tasks_col(db, row, 1)) ? atoll(v) : 0;
    return TASKS_DB_OK;
}

/* Promise: see store.h. */
tasks_db_rc tasks_db_task_insert(tasks_db *db, const tasks_caller *who,
                                 const tasks_task_input *in,
                                 const tasks_task_resource *res,
                                 const char *idem_key, tasks_task_row *out)
{
    const char *args[TASKS_CALLER_NARGS + N_WRITABLE + N_RESOURCE + 1];
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int n = TASKS_CALLER_NARGS;

    tasks_caller_args(db, who, args);
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, args[n++] = BIND_##kind(db->p, in->name);)
    TASKS_TASK_FIELDS(X)
#undef X
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, args[n++] = res ? res->name : NULL;)
    TASKS_TASK_FIELDS(X)
#undef X
    args[n++] = idem_key;   /* S_TASK_INSERT_ONCE's last parameter */
    rc = tasks_run_one_row(db, idem_key ? S_TASK_INSERT_ONCE : S_TASK_INSERT,
                           args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    if (!tasks_col_true(db, row, 1))
        return TASKS_DB_NO_LIST;
    task_from_row(db, row, 2, who, out);
    return out->id ? TASKS_DB_OK : TASKS_DB_ERROR;
}

tasks_db_rc tasks_db_task_get(tasks_db *db, const tasks_caller *who,
                              const char *id, tasks_task_row *out)
{
    const char *args[TASKS_CALLER_NARGS + 1];
    apr_dbd_row_t *row;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    rc = tasks_run_one_row(db, S_TASK_GET, args, 0, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    task_from_row(db, row, 1, who, out);
    return out->id ? TASKS_DB_OK : TASKS_DB_NONE;
}

/* After a write that reports (caller ok, existed, ...): what a miss was.
 * list_col: the column saying whether the list the write names is the
 * caller's (an update's), or -1. */
static tasks_db_rc missed(tasks_db *db, apr_dbd_row_t *row, long long version,
                          int list_col)
{
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    if (!tasks_col_true(db, row, 1))
        return TASKS_DB_NONE;
    if (list_col >= 0 && !tasks_col_true(db, row, list_col))
        return TASKS_DB_NO_LIST;
    /* It existed but was not written: its version did not match (or,
     * without a version to match, a concurrent delete won). */
    return tasks_col_true(db, row, 1) && version >= 0 ? TASKS_DB_MISMATCH
                                               : TASKS_DB_NONE;
}

tasks_db_rc tasks_db_task_update(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version,
                                 const tasks_task_input *in, int toggle,
                                 const tasks_task_schedule *sched,
                                 const tasks_task_resource *res,
                                 tasks_task_row *out)
{
    static const tasks_task_schedule none;
    const char *args[TASKS_CALLER_NARGS + 9 + 2 * N_WRITABLE + N_RESOURCE];
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int n = TASKS_CALLER_NARGS;

    tasks_caller_args(db, who, args);
    args[n++] = id;
    args[n++] = tasks_arg_version(db->p, version);
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access,                                                   \
        args[n++] = tasks_arg_bool(in->has_##name);                       \
        args[n++] = in->has_##name ? BIND_##kind(db->p, in->name) : NULL;)
    TASKS_TASK_FIELDS(X)
#undef X
    args[n++] = tasks_arg_bool(toggle);
    if (!sched)
        sched = &none;
    args[n++] = tasks_arg_bool(sched->guard);
    args[n++] = tasks_arg_bool(sched->set_start);
    args[n++] = sched->start;
    args[n++] = sched->done_due;
    args[n++] = sched->undone_due;
    args[n++] = tasks_arg_bool(res != NULL);
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, args[n++] = res ? res->name : NULL;)
    TASKS_TASK_FIELDS(X)
#undef X
    rc = tasks_run_one_row(db, S_TASK_UPDATE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    task_from_row(db, row, 4, who, out);
    if (out->id)
        return TASKS_DB_OK;
    /* The guard held a recurring task back (whatever its version: the
     * service's own write checks that). */
    if (sched->guard && caller_ok(db, row) && tasks_col_true(db, row, 1)
        && tasks_col_true(db, row, 2) && tasks_col_true(db, row, 3))
        return TASKS_DB_RECURRING;
    return missed(db, row, version, 2);
}

tasks_db_rc tasks_db_task_delete(tasks_db *db, const tasks_caller *who,
                                 const char *id, long long version)
{
    const char *args[TASKS_CALLER_NARGS + 2];
    apr_dbd_row_t *row;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    args[TASKS_CALLER_NARGS + 1] = tasks_arg_version(db->p, version);
    rc = tasks_run_one_row(db, S_TASK_DELETE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    return tasks_col_true(db, row, 2) ? TASKS_DB_OK : missed(db, row, version, -1);
}

tasks_db_rc tasks_db_tasks_clear_completed(tasks_db *db,
                                           const tasks_caller *who,
                                           const char *list_id,
                                           long long *deleted)
{
    const char *args[TASKS_CALLER_NARGS + 1];

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = list_id;
    return caller_number(db, S_TASKS_CLEAR, args, 1, deleted);
}

tasks_db_rc tasks_db_task_completions(tasks_db *db, const tasks_caller *who,
                                      const char *id,
                                      apr_array_header_t **rows)
{
    const char *args[TASKS_CALLER_NARGS + 1];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int i;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = id;
    rc = tasks_run_select(db, S_TASK_COMPLETIONS, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *rows = apr_array_make(db->p, 16, sizeof(tasks_completion_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        tasks_completion_row *c;

        if (i == 1) {
            if (!caller_ok(db, row))
                return TASKS_DB_DENIED;
            if (!tasks_col_true(db, row, 1))
                return TASKS_DB_NONE;
        }
        if (!tasks_col(db, row, 2))
            continue;   /* the LEFT JOIN's row of a task without any */
        c = apr_array_push(*rows);
        c->completed_at = utc_col(db, row, 2);
        c->due_at = utc_col(db, row, 3);
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

static void reminder_from_row(tasks_db *db, apr_dbd_row_t *row, void *rows)
{
    tasks_reminder_row *r = apr_array_push(rows);

    r->task_id = tasks_col(db, row, 1);
    r->title = tasks_col(db, row, 2);
    r->fires_at = utc_col(db, row, 3);
    r->due_at = utc_col(db, row, 4);
}

tasks_db_rc tasks_db_reminders(tasks_db *db, const tasks_caller *who,
                               const char *since, const char *until,
                               apr_array_header_t **rows)
{
    const char *args[TASKS_CALLER_NARGS + 2];

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = until;
    args[TASKS_CALLER_NARGS + 1] = since;
    *rows = apr_array_make(db->p, 16, sizeof(tasks_reminder_row));
    return tasks_caller_rows(db, S_REMINDERS, args, 1, reminder_from_row,
                             *rows);
}

tasks_db_rc tasks_db_changes(tasks_db *db, const tasks_caller *who,
                             long long since, int with_deleted, int limit,
                             apr_array_header_t **changes, long long *latest)
{
    const char *args[TASKS_CALLER_NARGS + 3];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    const char *v;
    int i;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = apr_psprintf(db->p, "%" APR_INT64_T_FMT,
                                            (apr_int64_t)since);
    args[TASKS_CALLER_NARGS + 1] = tasks_arg_int(db->p, limit);
    args[TASKS_CALLER_NARGS + 2] = tasks_arg_bool(with_deleted);
    rc = tasks_run_select(db, S_CHANGES, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *changes = apr_array_make(db->p, limit + 1, sizeof(tasks_change_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        tasks_change_row *c;

        if (i == 1) {
            if (!caller_ok(db, row))
                return TASKS_DB_DENIED;
            *latest = (v = tasks_col(db, row, 1)) ? atoll(v) : 0;
        }
        if (!(v = tasks_col(db, row, 2)))
            continue;   /* the LEFT JOIN's row when nothing changed */
        c = apr_array_push(*changes);
        c->seq = atoll(v);
        c->deleted = tasks_col_true(db, row, 3);
        c->task_id = tasks_col(db, row, 4);
        memset(&c->task, 0, sizeof c->task);
        if (!c->deleted)
            task_from_row(db, row, 5, who, &c->task);
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

/* Promise: see store.h. */
tasks_db_rc tasks_db_change_seq(tasks_db *db, const tasks_caller *who,
                                long long *latest)
{
    const char *args[TASKS_CALLER_NARGS];

    tasks_caller_args(db, who, args);
    return caller_number(db, S_CHANGE_SEQ, args, 0, latest);
}

/* Promise: see store.h. */
tasks_db_rc tasks_db_dav_members(tasks_db *db, const tasks_caller *who,
                                 long long list_id, long long since,
                                 apr_array_header_t **rows,
                                 apr_array_header_t **gone,
                                 long long *latest)
{
    const char *args[TASKS_CALLER_NARGS + 2];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    const char *v;
    int i;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = apr_psprintf(db->p, "%" APR_INT64_T_FMT,
                                            (apr_int64_t)list_id);
    args[TASKS_CALLER_NARGS + 1] = apr_psprintf(db->p, "%" APR_INT64_T_FMT,
                                                (apr_int64_t)since);
    rc = tasks_run_select(db, S_DAV_MEMBERS, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *rows = apr_array_make(db->p, 64, sizeof(tasks_task_row));
    *gone = apr_array_make(db->p, 8, sizeof(const char *));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        if (i == 1) {
            if (!caller_ok(db, row))
                return TASKS_DB_DENIED;
            if (!tasks_col_true(db, row, 1))
                return TASKS_DB_NONE;
            *latest = (v = tasks_col(db, row, 2)) ? atoll(v) : 0;
        }
        if ((v = tasks_col(db, row, 3)))
            APR_ARRAY_PUSH(*gone, const char *) = v;
        else if (tasks_col(db, row, 4))
            task_from_row(db, row, 4, who, apr_array_push(*rows));
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

/* Promise: see store.h. */
tasks_db_rc tasks_db_dav_find(tasks_db *db, const tasks_caller *who,
                              long long list_id,
                              const apr_array_header_t *names,
                              const char *uid, apr_array_header_t **rows)
{
    const char *args[TASKS_CALLER_NARGS + 3];
    const char *names_json = NULL;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    json_t *arr;
    char *text;
    int i;

    /* The names as one JSON array parameter (jsonb: the statement
     * unpacks it), not a text[] literal with quoting of its own. */
    if ((arr = json_array()) == NULL)
        return TASKS_DB_ERROR;
    for (i = 0; names && i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        json_t *js = json_string(name);

        if (js)
            json_array_append_new(arr, js);
    }
    text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (text == NULL)
        return TASKS_DB_ERROR;
    names_json = apr_pstrdup(db->p, text);
    free(text);

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = apr_psprintf(db->p, "%" APR_INT64_T_FMT,
                                            (apr_int64_t)list_id);
    args[TASKS_CALLER_NARGS + 1] = names_json;
    args[TASKS_CALLER_NARGS + 2] = uid;
    rc = tasks_run_select(db, S_DAV_FIND, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *rows = apr_array_make(db->p, 8, sizeof(tasks_task_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        if (i == 1) {
            if (!caller_ok(db, row))
                return TASKS_DB_DENIED;
            if (!tasks_col_true(db, row, 1))
                return TASKS_DB_NONE;
        }
        if (tasks_col(db, row, 2))
            task_from_row(db, row, 2, who, apr_array_push(*rows));
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

/* The arguments of LIST_PARAMS, in order (the plain statements take the
 * caller's and the status). */
static int filter_args(tasks_db *db, const tasks_caller *who,
                       const tasks_list_query *q, const char **args)
{
    apr_pool_t *p = db->p;

    int n = TASKS_CALLER_NARGS;

    tasks_caller_args(db, who, args);
    args[n++] = tasks_arg_int(p, q->status);
    args[n++] = q->q_like;
    args[n++] = q->priority >= 0 ? tasks_arg_int(p, q->priority) : NULL;
    args[n++] = q->tags_json;
    args[n++] = q->due_before;
    args[n++] = q->due_after;
    args[n++] = q->list_id;
    return n;
}

tasks_db_rc tasks_db_tasks_list(tasks_db *db, const tasks_caller *who,
                                const tasks_list_query *q,
                                const tasks_cursor *c,
                                apr_array_header_t **rows, long long *total)
{
    apr_pool_t *p = db->p;
    const char *args[TASKS_CALLER_NARGS + 10];
    /* Filtered by status (and list) at most: a plain statement, which
     * walks one index (the user's, or the list's) for one page. */
    int plain = !q->q_like && q->priority < 0 && !q->tags_json
                && !q->due_before && !q->due_after;
    int n = filter_args(db, who, q, args), stmt, i, family;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    const char *v;

    family = q->q_like ? PAGE_SEARCH : !plain ? PAGE_FILTERED
             : q->list_id ? PAGE_BYLIST : PAGE_PLAIN;
    if (plain) {
        n = TASKS_CALLER_NARGS + 1;     /* the caller's, status[, list] */
        if (q->list_id)
            args[n++] = q->list_id;
    }
    stmt = S_LIST_FIRST + PAGE_STMTS * (int)q->sort + family
           + (c ? 2 : 0) + (q->desc ? 1 : 0);
    if (c) {
        args[n++] = c->value ? c->value : "infinity";
        args[n++] = c->id;
    }
    args[n++] = tasks_arg_int(p, q->limit + 1);
    rc = tasks_run_select(db, stmt, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *rows = apr_array_make(p, q->limit + 1, sizeof(tasks_task_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        task_from_row(db, row, 0, who, apr_array_push(*rows));
        if (i == 1)
            *total = (v = tasks_col(db, row, TASK_NCOLS)) ? atoll(v) : 0;
    }
    if (i > 1)
        return TASKS_DB_OK;
    /* No rows: an empty page, or a denied caller. */
    filter_args(db, who, q, args);
    rc = tasks_run_one_row(db, S_TASKS_COUNT, args, 0, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    if (!caller_ok(db, row))
        return TASKS_DB_DENIED;
    *total = (v = tasks_col(db, row, 1)) ? atoll(v) : 0;
    return TASKS_DB_OK;
}

tasks_db_rc tasks_db_account_export(tasks_db *db, const tasks_caller *who,
                                    tasks_user_row *user,
                                    apr_array_header_t **tasks)
{
    const char *args[TASKS_CALLER_NARGS];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int i;

    tasks_caller_args(db, who, args);
    rc = tasks_run_select(db, S_ACCOUNT_EXPORT, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *tasks = apr_array_make(db->p, 64, sizeof(tasks_task_row));
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        tasks_task_row *t;

        if (i == 1) {
            if (!caller_ok(db, row))
                return TASKS_DB_DENIED;
            /* After CALLER_OK: the user's four columns, then the task's. */
            user->id = tasks_col(db, row, 1);
            user->email = tasks_col(db, row, 2);
            user->name = tasks_col(db, row, 3);
            user->created_at = tasks_col(db, row, 4);
            user->password_hash = NULL;
        }
        if (!tasks_col(db, row, 5 + TASK_COL_id))
            continue;   /* the LEFT JOIN's row of a user without tasks */
        t = apr_array_push(*tasks);
        task_from_row(db, row, 5, who, t);
    }
    /* No row: the user is gone. */
    return i > 1 ? TASKS_DB_OK : TASKS_DB_DENIED;
}

tasks_db_rc tasks_db_account_delete(tasks_db *db, const tasks_caller *who)
{
    const char *args[TASKS_CALLER_NARGS];
    apr_dbd_row_t *row;
    const char *v;
    tasks_db_rc rc;

    tasks_caller_args(db, who, args);
    rc = tasks_run_one_row(db, S_ACCOUNT_DELETE, args, 1, &row);
    if (rc != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_DB_ERROR : rc;
    return (v = tasks_col(db, row, 0)) && atoll(v) == 1 ? TASKS_DB_OK
                                                        : TASKS_DB_DENIED;
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
