/* task_service.c - the task operations: validation by the field rules,
 * preconditions, cursors, and one store call each. The rules a front end
 * must never copy live here: what a miss means, how If-Match becomes a
 * version, that a cursor belongs to one caller and one query. */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/service/task_service.h"

#define NO_SUCH_TASK "no such task"
#define CHANGED "the task was changed since it was read (If-Match does not match)"

/* A write's outcome: DONE, or what its miss was. */
static tasks_result written(const tasks_service *s, tasks_db_rc rc)
{
    switch (rc) {
    case TASKS_DB_OK:
        return TASKS_RESULT_DONE;
    case TASKS_DB_NONE:
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_TASK);
    case TASKS_DB_MISMATCH:
        return TASKS_RESULT(TASKS_PRECONDITION_FAILED, CHANGED);
    case TASKS_DB_NO_LIST:
        /* Another person's list and none at all read alike. */
        return tasks_service_field_invalid(s->pool, "list_id",
                                           "must be the id of one of your lists");
    default:
        return tasks_service_db_failure(rc);
    }
}

/* Promise: see task_service.h. */
tasks_result tasks_task_create(tasks_service *s, const tasks_caller *who,
                               const tasks_task_draft *draft,
                               tasks_task_row *out)
{
    tasks_task_input in;
    apr_array_header_t *errors;
    tasks_db *db;

    if ((errors = tasks_task_validate(s->pool, draft, TASKS_INPUT_CREATE, &in)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_insert(db, who, &in, out));
}

/* Promise: see task_service.h. */
tasks_result tasks_task_get(tasks_service *s, const tasks_caller *who,
                            const char *id, const tasks_precondition *pre,
                            tasks_task_row *out)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_task_get(db, who, id, out);
    if (rc != TASKS_DB_OK)
        return written(s, rc);
    if (tasks_service_not_modified(pre, out->version))
        return TASKS_RESULT(TASKS_NOT_MODIFIED, NULL);
    return TASKS_RESULT_DONE;
}

/* Promise: see task_service.h. */
tasks_result tasks_task_update(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               tasks_input_mode mode,
                               const tasks_task_draft *draft,
                               tasks_task_row *out)
{
    tasks_task_input in;
    apr_array_header_t *errors;
    tasks_db *db;

    if ((errors = tasks_task_validate(s->pool, draft, mode, &in)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_update(db, who, id, tasks_service_required_version(pre),
                                        &in, 0, out));
}

/* Promise: see task_service.h. */
tasks_result tasks_task_complete(tasks_service *s, const tasks_caller *who,
                                 const char *id,
                                 const tasks_precondition *pre,
                                 const tasks_value *completed,
                                 tasks_task_row *out)
{
    tasks_task_input in;
    tasks_db *db;

    memset(&in, 0, sizeof in);
    if (completed) {
        if (completed->kind != TASKS_VALUE_BOOL) {
            apr_array_header_t *errors = NULL;
            tasks_field_error_add(s->pool, &errors, "completed",
                                  "must be a boolean (or send no body to "
                                  "toggle)");
            return tasks_service_invalid(s->pool, errors, NULL);
        }
        tasks_task_input_completed(&in, completed->boolean);
    }
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_update(db, who, id, tasks_service_required_version(pre),
                                        &in, completed == NULL, out));
}

/* Promise: see task_service.h. */
tasks_result tasks_task_delete(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre)
{
    tasks_db *db;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_delete(db, who, id, tasks_service_required_version(pre)));
}

/* Promise: see task_service.h. */
tasks_result tasks_tasks_clear_completed(tasks_service *s,
                                         const tasks_caller *who,
                                         const char *list_id,
                                         long long *deleted)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_tasks_clear_completed(db, who, list_id, deleted);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see task_service.h. A cursor is signed with the token signing
 * key (any listed key verifies it) and bound to the caller and the
 * query's fingerprint, so a tampered, foreign, other query's or retired
 * key's cursor is MALFORMED, never a query. */
tasks_result tasks_tasks_list(tasks_service *s, const tasks_caller *who,
                              const tasks_list_query *q,
                              tasks_task_page *page)
{
    const tasks_keyring *keys = &s->token->keys;
    tasks_cursor cursor, *after = NULL;
    tasks_db *db;
    tasks_db_rc rc;

    page->rows = NULL;
    page->total = 0;
    page->next_cursor = NULL;
    if (q->cursor) {
        if (tasks_cursor_decode(s->pool, keys, who->user_id, q, q->cursor,
                                &cursor))
            return TASKS_RESULT(TASKS_MALFORMED, "invalid query parameter: "
                                "cursor (it does not belong to this query)");
        after = &cursor;
    }
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_tasks_list(db, who, q, after, &page->rows, &page->total);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if (page->rows->nelts > q->limit) {
        const tasks_task_row *last;
        tasks_cursor next;

        page->rows->nelts = q->limit;
        last = &APR_ARRAY_IDX(page->rows, q->limit - 1, tasks_task_row);
        next.value = tasks_row_sort_value(last, q->sort);
        next.id = last->id;
        page->next_cursor = tasks_cursor_encode(s->pool, keys, who->user_id,
                                                q, &next);
    }
    return TASKS_RESULT_DONE;
}
