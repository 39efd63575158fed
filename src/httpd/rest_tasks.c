/* rest_tasks.c - the JSON front end of the task service:
 * /api/tasks, /api/tasks/{id}, /api/tasks/{id}/complete,
 * /api/tasks/{id}/completions (and the same under /api/{user_id}/...),
 * and /api/reminders. Each handler parses the request (query,
 * body, preconditions), calls one task service operation and renders
 * what it returns; every rule lives in the service. */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/core/list_query.h"
#include "tasks/core/task_json.h"
#include "tasks/httpd/module.h"
#include "tasks/service/task_service.h"

/* A task with its ETag. */
static int send_task(request_rec *r, int status, const tasks_task_row *row)
{
    const char *text = tasks_task_json(r->pool, row);

    if (!text)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    apr_table_setn(r->headers_out, "ETag", tasks_task_etag(r->pool, row));
    return tasks_send_json(r, status, text);
}

/* A task operation's answer: the task with status on DONE, else the
 * result's own (a 304 keeps the ETag). */
static int answer_task(request_rec *r, const tasks_result *res, int status,
                       const tasks_task_row *row)
{
    if (res->outcome == TASKS_DONE)
        return send_task(r, status, row);
    if (res->outcome == TASKS_NOT_MODIFIED)
        apr_table_setn(r->headers_out, "ETag", tasks_task_etag(r->pool, row));
    return tasks_send_result(r, res);
}

/* The body as a task draft: 0, or -1 with *done when the body could not
 * be read (answered: 400, 413, 415). */
static int read_draft(request_rec *r, tasks_task_draft *draft, int *done)
{
    json_t *body = tasks_read_json_body(r, 0, done);

    if (!body)
        return -1;
    tasks_task_draft_from_json(r->pool, body, draft);
    return 0;
}

/* A page as a JSON array, written straight into one buffer: a page of
 * tasks is the largest answer, and a JSON tree per task cost more than
 * the query. NULL when a row is corrupt. */
static const char *page_json(apr_pool_t *p, const apr_array_header_t *rows)
{
    tasks_text body;
    int i;

    tasks_text_init(&body, p, 2 + (apr_size_t)rows->nelts * 400);
    tasks_text_append(&body, "[", 1);
    for (i = 0; i < rows->nelts; i++) {
        if (i)
            tasks_text_append(&body, ",", 1);
        if (tasks_task_json_append(&body, &APR_ARRAY_IDX(rows, i,
                                                         tasks_task_row)))
            return NULL;
    }
    tasks_text_append(&body, "]", 1);
    return body.s;
}

static int list_tasks(request_rec *r, const tasks_caller *who)
{
    tasks_list_query q;
    tasks_task_page page;
    tasks_result res;
    const char *bad, *json;

    if ((bad = tasks_list_query_parse(r->pool, r->args, &q)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            apr_psprintf(r->pool, "invalid query parameter: %s", bad)));
    res = tasks_tasks_list(tasks_req_service(r), who, &q, &page);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    if (!(json = page_json(r->pool, page.rows)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    apr_table_setn(r->headers_out, "X-Total-Count", apr_psprintf(r->pool,
                   "%" APR_INT64_T_FMT, (apr_int64_t)page.total));
    if (page.next_cursor)
        apr_table_setn(r->headers_out, "Link", apr_psprintf(r->pool,
                       "<%s?%s>; rel=\"next\"", ap_escape_uri(r->pool, r->uri),
                       tasks_list_query_next_args(r->pool, &q,
                                                  page.next_cursor)));
    return tasks_send_json(r, HTTP_OK, json);
}

static int create_task(request_rec *r, const tasks_caller *who)
{
    tasks_task_draft draft;
    tasks_task_row row;
    tasks_result res;
    tasks_once once;
    int done, replayed = 0;

    if (read_draft(r, &draft, &done) || tasks_req_once(r, &once, &done))
        return done;
    res = tasks_task_create(tasks_req_service(r), who, &draft, &once, &row,
                            &replayed);
    if (res.outcome == TASKS_DONE)
        tasks_set_created(r, "/tasks", row.id, replayed);
    return answer_task(r, &res, HTTP_CREATED, &row);
}

static int clear_completed(request_rec *r, const tasks_caller *who)
{
    const char *list_id = NULL;
    tasks_result res;
    long long n = 0;

    /* ?status=completed, and optionally &list_id= a list's canonical id. */
    if (r->args && !strncmp(r->args, "status=completed&list_id=", 25)
        && tasks_route_id_valid(r->args + 25, strlen(r->args + 25)))
        list_id = r->args + 25;
    else if (!r->args || strcmp(r->args, "status=completed") != 0)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            "invalid query parameter: status (DELETE /api/tasks needs "
            "exactly ?status=completed, optionally with &list_id=)"));
    res = tasks_tasks_clear_completed(tasks_req_service(r), who, list_id, &n);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    return tasks_send_json(r, HTTP_OK, apr_psprintf(r->pool,
                           "{\"deleted\":%" APR_INT64_T_FMT "}",
                           (apr_int64_t)n));
}

/* Fills *who with the caller, after the seed-compatible path check;
 * returns 0, or 1 with *done when it answered. */
static int caller(request_rec *r, tasks_caller *who, int *done)
{
    const tasks_route *route = tasks_req_route(r);

    *who = tasks_req_caller(r);
    if (!who->user_id) {
        /* The auth hook always runs first; refuse rather than guess. */
        *done = tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED,
                                                   NULL));
        return 1;
    }
    if (route->path_user_id && strcmp(route->path_user_id, who->user_id)) {
        *done = tasks_send_result(r, &TASKS_RESULT(TASKS_FORBIDDEN,
                                  "the path names another user"));
        return 1;
    }
    return 0;
}

int tasks_handle_tasks(request_rec *r)
{
    tasks_caller who;
    int done;

    if (caller(r, &who, &done))
        return done;
    switch (r->method_number) {
    case M_GET:    return list_tasks(r, &who);
    case M_POST:   return create_task(r, &who);
    default:       return clear_completed(r, &who);
    }
}

static int get_task(request_rec *r, const tasks_caller *who, const char *id)
{
    tasks_precondition pre;
    tasks_task_row row;
    tasks_result res;

    tasks_req_preconditions(r, id, &pre);
    res = tasks_task_get(tasks_req_service(r), who, id, &pre, &row);
    return answer_task(r, &res, HTTP_OK, &row);
}

/* PUT and PATCH. */
static int update_task(request_rec *r, const tasks_caller *who, const char *id,
                       tasks_input_mode mode)
{
    tasks_precondition pre;
    tasks_task_draft draft;
    tasks_task_row row;
    tasks_result res;
    int done;

    if (read_draft(r, &draft, &done))
        return done;
    tasks_req_preconditions(r, id, &pre);
    res = tasks_task_update(tasks_req_service(r), who, id, &pre, mode, &draft,
                            &row);
    return answer_task(r, &res, HTTP_OK, &row);
}

static int delete_task(request_rec *r, const tasks_caller *who, const char *id)
{
    tasks_precondition pre;
    tasks_result res;

    tasks_req_preconditions(r, id, &pre);
    res = tasks_task_delete(tasks_req_service(r), who, id, &pre);
    return tasks_send_result(r, &res);
}

int tasks_handle_task(request_rec *r)
{
    const char *id = tasks_req_route(r)->task_id;
    tasks_caller who;
    int done;

    if (caller(r, &who, &done))
        return done;
    switch (r->method_number) {
    case M_GET:    return get_task(r, &who, id);
    case M_PUT:    return update_task(r, &who, id, TASKS_INPUT_PUT);
    case M_PATCH:  return update_task(r, &who, id, TASKS_INPUT_PATCH);
    default:       return delete_task(r, &who, id);
    }
}

/* PATCH .../complete: {"completed": bool} sets, no body toggles. */
int tasks_handle_task_complete(request_rec *r)
{
    const char *id = tasks_req_route(r)->task_id;
    tasks_precondition pre;
    tasks_task_row row;
    tasks_value completed;
    tasks_result res;
    tasks_caller who;
    json_t *body;
    int done;

    if (caller(r, &who, &done))
        return done;
    body = tasks_read_json_body(r, 1, &done);
    if (!body && done != -1)
        return done;
    if (body)
        tasks_value_from_json(r->pool, json_object_get(body, "completed"),
                              &completed);
    tasks_req_preconditions(r, id, &pre);
    res = tasks_task_complete(tasks_req_service(r), &who, id, &pre,
                              body ? &completed : NULL, &row);
    return answer_task(r, &res, HTTP_OK, &row);
}

/* A JSON array of rows rendered by to_json; NULL when one is corrupt. */
static json_t *rows_json(const apr_array_header_t *rows, apr_size_t size,
                         json_t *(*to_json)(const void *))
{
    json_t *arr = json_array();
    int i;

    for (i = 0; arr && i < rows->nelts; i++) {
        json_t *one = to_json(rows->elts + (apr_size_t)i * size);

        if (!one || json_array_append_new(arr, one)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *completion_json(const void *row)
{
    return tasks_completion_to_json(row);
}

static json_t *reminder_json(const void *row)
{
    return tasks_reminder_to_json(row);
}

/* A result's rows as a 200 JSON array, or the result's own answer. */
static int answer_rows(request_rec *r, const tasks_result *res,
                       const apr_array_header_t *rows, apr_size_t size,
                       json_t *(*to_json)(const void *))
{
    json_t *arr;

    if (res->outcome != TASKS_DONE)
        return tasks_send_result(r, res);
    if (!(arr = rows_json(rows, size, to_json)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    return tasks_send_json_value(r, HTTP_OK, arr);
}

/* GET .../tasks/{id}/completions. */
int tasks_handle_task_completions(request_rec *r)
{
    apr_array_header_t *rows = NULL;
    tasks_result res;
    tasks_caller who;
    int done;

    if (caller(r, &who, &done))
        return done;
    res = tasks_task_completions(tasks_req_service(r), &who,
                                 tasks_req_route(r)->task_id, &rows);
    return answer_rows(r, &res, rows, sizeof(tasks_completion_row),
                       completion_json);
}

/* GET /api/reminders?until=...[&since=...]. */
int tasks_handle_reminders(request_rec *r)
{
    apr_array_header_t *rows = NULL;
    const char *since, *until, *bad;
    tasks_result res;
    tasks_caller who;
    int done;

    if (caller(r, &who, &done))
        return done;
    if ((bad = tasks_reminders_query_parse(r->pool, r->args, &since, &until)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            apr_psprintf(r->pool, "invalid query parameter: %s (until is "
                         "required, since optional, each an RFC 3339 "
                         "date-time)", bad)));
    res = tasks_reminders_due(tasks_req_service(r), &who, since, until, &rows);
    return answer_rows(r, &res, rows, sizeof(tasks_reminder_row),
                       reminder_json);
}

/* The changes feed's page as JSON text: {"changes": [Task | {"id",
 * "deleted": true}], "next", "more"}; NULL when a row is corrupt. */
static const char *changes_json(apr_pool_t *p, const tasks_changes_page *page)
{
    json_t *next = json_string(page->next);
    char *next_text = next ? json_dumps(next, JSON_ENCODE_ANY) : NULL;
    tasks_text body;
    int i;

    json_decref(next);
    if (!next_text)
        return NULL;
    tasks_text_init(&body, p, 64 + (apr_size_t)page->rows->nelts * 400);
#define PUT_LIT(lit) tasks_text_append(&body, lit, sizeof(lit) - 1)
    PUT_LIT("{\"changes\":[");
    for (i = 0; i < page->rows->nelts; i++) {
        const tasks_change_row *c = &APR_ARRAY_IDX(page->rows, i,
                                                   tasks_change_row);

        if (i)
            PUT_LIT(",");
        if (c->deleted) {
            const char *one = apr_psprintf(p, "{\"id\":%s,\"deleted\":true}",
                                           c->task_id);

            tasks_text_append(&body, one, strlen(one));
        }
        else if (tasks_task_json_append(&body, &c->task)) {
            free(next_text);
            return NULL;
        }
    }
    PUT_LIT("],\"next\":");
    tasks_text_append(&body, next_text, strlen(next_text));
    free(next_text);
    if (page->more)
        PUT_LIT(",\"more\":true}");
    else
        PUT_LIT(",\"more\":false}");
#undef PUT_LIT
    return body.s;
}

/* GET /api/tasks/changes[?since=<token>][&limit=<n>]. */
int tasks_handle_task_changes(request_rec *r)
{
    tasks_changes_page page;
    const char *since, *bad, *json;
    tasks_result res;
    tasks_caller who;
    int done, limit;

    if (caller(r, &who, &done))
        return done;
    if ((bad = tasks_changes_query_parse(r->pool, r->args, &since, &limit)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            apr_psprintf(r->pool, "invalid query parameter: %s (since: a "
                         "token from an earlier answer; limit: 1-1000)", bad)));
    res = tasks_tasks_changes(tasks_req_service(r), &who, since, limit, &page);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    if (!(json = changes_json(r->pool, &page)))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    return tasks_send_json(r, HTTP_OK, json);
}
