/* list_service.c - the caller's lists: read, create, rename, recolor,
 * reorder, delete (with their tasks, or moving them first). */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/core/route.h"
#include "tasks/service/list_service.h"

#define NO_SUCH_LIST "no such list"
#define CHANGED "the list was changed since it was read (If-Match does not match)"
#define NAME_TAKEN "you already have a list with this name"
#define TOO_MANY "you have " TASKS_LISTS_MAX_TEXT " lists, the most there can be"
#define INBOX_STAYS "the Inbox cannot be deleted"
#define MSG_MOVE_TO "must be the id of another of your lists"

/* A write's outcome: DONE, or what its miss was. */
static tasks_result written(const tasks_service *s, tasks_db_rc rc)
{
    switch (rc) {
    case TASKS_DB_OK:
        return TASKS_RESULT_DONE;
    case TASKS_DB_NONE:
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_LIST);
    case TASKS_DB_MISMATCH:
        return TASKS_RESULT(TASKS_PRECONDITION_FAILED, CHANGED);
    case TASKS_DB_CONFLICT:
        return TASKS_RESULT(TASKS_CONFLICT, NAME_TAKEN);
    case TASKS_DB_LIMIT:
        return TASKS_RESULT(TASKS_CONFLICT, TOO_MANY);
    case TASKS_DB_INBOX:
        return TASKS_RESULT(TASKS_CONFLICT, INBOX_STAYS);
    case TASKS_DB_RANGE:
        return tasks_service_field_invalid(s->pool, "position",
            "must be a whole number from 0 to the number of lists less one");
    case TASKS_DB_NO_LIST:
        return tasks_service_field_invalid(s->pool, "move_to", MSG_MOVE_TO);
    default:
        return tasks_service_db_failure(rc);
    }
}

/* Promise: see list_service.h. */
tasks_result tasks_lists_all(tasks_service *s, const tasks_caller *who,
                             apr_array_header_t **lists)
{
    tasks_db *db;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_lists_all(db, who, lists));
}

/* Promise: see list_service.h. */
tasks_result tasks_list_get(tasks_service *s, const tasks_caller *who,
                            const char *id, const tasks_precondition *pre,
                            tasks_list_row *out)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if ((rc = tasks_db_list_get(db, who, id, out)) != TASKS_DB_OK)
        return written(s, rc);
    if (tasks_service_not_modified(pre, out->version))
        return TASKS_RESULT(TASKS_NOT_MODIFIED, NULL);
    return TASKS_RESULT_DONE;
}

/* Promise: see list_service.h. */
tasks_result tasks_list_create(tasks_service *s, const tasks_caller *who,
                               const tasks_list_draft *draft,
                               const tasks_once *once, tasks_list_row *out,
                               int *replayed)
{
    apr_array_header_t *errors, *record = NULL;
    tasks_list_input in;
    tasks_result res;
    tasks_db *db;
    int keyed = once && once->key;

    if (replayed)
        *replayed = 0;
    if ((errors = tasks_list_validate(s->pool, draft, 1, &in)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if (keyed) {
        res = tasks_service_claim(s, db, who, once, &record);
        if (res.outcome != TASKS_DONE)
            return res;
        if (record) {
            if (tasks_db_list_from_record(record, out) != 0)
                return TASKS_RESULT(TASKS_FAILED, NULL);
            if (replayed)
                *replayed = 1;
            return TASKS_RESULT_DONE;
        }
    }
    res = written(s, tasks_db_list_insert(db, who, &in,
                                          keyed ? once->key : NULL, out));
    if (keyed && res.outcome != TASKS_DONE)
        tasks_db_idem_release(db, who, once->key);
    return res;
}

/* Promise: see list_service.h. */
tasks_result tasks_list_update(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               const tasks_list_draft *draft,
                               tasks_list_row *out)
{
    apr_array_header_t *errors;
    tasks_list_input in;
    tasks_db *db;

    if ((errors = tasks_list_validate(s->pool, draft, 0, &in)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_list_update(db, who, id,
                                           tasks_service_required_version(pre),
                                           &in, out));
}

/* Promise: see list_service.h. move_to comes as text from a query
 * string (or a number elsewhere): canonical digits either way. */
tasks_result tasks_list_delete(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               const tasks_value *move_to, long long *moved)
{
    const char *dest = NULL;
    tasks_db *db;

    *moved = 0;
    if (move_to->kind == TASKS_VALUE_STRING
        && tasks_route_id_valid(move_to->str, move_to->len)
        && strlen(move_to->str) == move_to->len)
        dest = move_to->str;
    else if (move_to->kind == TASKS_VALUE_INTEGER && move_to->integer > 0)
        dest = apr_psprintf(s->pool, "%" APR_INT64_T_FMT, (apr_int64_t)move_to->integer);
    else if (move_to->kind != TASKS_VALUE_ABSENT)
        return tasks_service_field_invalid(s->pool, "move_to", MSG_MOVE_TO);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_list_delete(db, who, id,
                                           tasks_service_required_version(pre),
                                           dest, moved));
}
