/* rest_lists.c - the JSON front end of the list service: /api/lists and
 * /api/lists/{id}. Each handler parses the request (body, query,
 * preconditions), calls one list service operation and renders what it
 * returns; every rule lives in the service. */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/core/task_json.h"
#include "tasks/httpd/module.h"
#include "tasks/service/list_service.h"

/* A list operation's answer: the list with its ETag and status on DONE,
 * else the result's own (a 304 keeps the ETag). */
static int answer_list(request_rec *r, const tasks_result *res, int status,
                       const tasks_list_row *row)
{
    json_t *j;

    if (res->outcome == TASKS_NOT_MODIFIED || res->outcome == TASKS_DONE)
        apr_table_setn(r->headers_out, "ETag", tasks_list_etag(r->pool, row));
    if (res->outcome != TASKS_DONE)
        return tasks_send_result(r, res);
    if (!(j = tasks_list_to_json(row)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    return tasks_send_json_value(r, status, j);
}

/* The body as a list draft: 0, or -1 with *done when it could not be read
 * (answered: 400, 413, 415). */
static int read_draft(request_rec *r, tasks_list_draft *d, int *done)
{
    json_t *body = tasks_read_json_body(r, 0, done);

    if (!body)
        return -1;
    tasks_value_from_json(r->pool, json_object_get(body, "name"), &d->name);
    tasks_value_from_json(r->pool, json_object_get(body, "color"), &d->color);
    tasks_value_from_json(r->pool, json_object_get(body, "position"),
                          &d->position);
    return 0;
}

static int all_lists(request_rec *r, const tasks_caller *who)
{
    apr_array_header_t *lists;
    tasks_result res;
    json_t *arr;
    int i;

    if (r->args && *r->args)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            "invalid query parameter: GET /api/lists takes none"));
    res = tasks_lists_all(tasks_req_service(r), who, &lists);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    arr = json_array();
    for (i = 0; i < lists->nelts; i++) {
        json_t *j = tasks_list_to_json(&APR_ARRAY_IDX(lists, i, tasks_list_row));

        if (!j || json_array_append_new(arr, j)) {
            json_decref(arr);
            return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
        }
    }
    return tasks_send_json_value(r, HTTP_OK, arr);
}

static int create_list(request_rec *r, const tasks_caller *who)
{
    tasks_list_draft draft;
    tasks_list_row row;
    tasks_result res;
    tasks_once once;
    int done, replayed = 0;

    if (read_draft(r, &draft, &done) || tasks_req_once(r, &once, &done))
        return done;
    res = tasks_list_create(tasks_req_service(r), who, &draft, &once, &row,
                            &replayed);
    if (res.outcome == TASKS_DONE)
        tasks_set_created(r, "/lists", row.id, replayed);
    return answer_list(r, &res, HTTP_CREATED, &row);
}

int tasks_handle_lists(request_rec *r)
{
    tasks_caller who = tasks_req_caller(r);

    if (!who.user_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED, NULL));
    return r->method_number == M_POST ? create_list(r, &who)
                                      : all_lists(r, &who);
}

/* DELETE /api/lists/{id}[?move_to={list_id}]: the only parameter; its
 * value as text, for the service to judge (an absent value when none). */
static int delete_list(request_rec *r, const tasks_caller *who, const char *id)
{
    tasks_value move_to = { .kind = TASKS_VALUE_ABSENT };
    tasks_precondition pre;
    tasks_result res;
    long long moved;

    if (r->args && *r->args) {
        if (strncmp(r->args, "move_to=", 8) || strchr(r->args, '&'))
            return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
                "invalid query parameter: DELETE /api/lists/{id} takes only "
                "move_to"));
        move_to.kind = TASKS_VALUE_STRING;
        move_to.str = r->args + 8;
        move_to.len = strlen(move_to.str);
    }
    tasks_req_preconditions(r, id, &pre);
    res = tasks_list_delete(tasks_req_service(r), who, id, &pre, &move_to,
                            &moved);
    return tasks_send_result(r, &res);
}

int tasks_handle_list(request_rec *r)
{
    const char *id = tasks_req_route(r)->task_id;
    tasks_caller who = tasks_req_caller(r);
    tasks_precondition pre;
    tasks_list_draft draft;
    tasks_list_row row;
    tasks_result res;
    int done;

    if (!who.user_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED, NULL));
    switch (r->method_number) {
    case M_GET:
        tasks_req_preconditions(r, id, &pre);
        res = tasks_list_get(tasks_req_service(r), &who, id, &pre, &row);
        return answer_list(r, &res, HTTP_OK, &row);
    case M_PATCH:
        if (read_draft(r, &draft, &done))
            return done;
        tasks_req_preconditions(r, id, &pre);
        res = tasks_list_update(tasks_req_service(r), &who, id, &pre, &draft,
                                &row);
        return answer_list(r, &res, HTTP_OK, &row);
    default:
        return delete_list(r, &who, id);
    }
}
