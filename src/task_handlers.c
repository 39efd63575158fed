/* task_handlers.c - /api/tasks, /api/tasks/{id}, /api/tasks/{id}/complete
 * (and the same under /api/{user_id}/...). Every statement is scoped by the
 * caller's id, which the auth hook established from the token, and checks
 * in the same round trip that the user still exists and the token was not
 * revoked (DENIED: 401, as the hook would have answered). */
#include <string.h>
#include <stdlib.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/module.h"
#include "tasks/list_query.h"
#include "tasks/problem.h"
#include "tasks/store.h"
#include "tasks/task_json.h"

APLOG_USE_MODULE(tasks);

static int not_found(request_rec *r)
{
    return tasks_send_problem(r, HTTP_NOT_FOUND, "no such task", NULL);
}

static int db_failed(request_rec *r, tasks_db_rc rc)
{
    if (rc == TASKS_DB_DENIED)
        return tasks_send_unauthorized(r, 1, "the token is invalid or expired");
    if (rc == TASKS_DB_ERROR)
        return tasks_send_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                  "the request could not be completed", NULL);
    return tasks_send_unavailable(r);
}

/* A 422 whose detail names the first broken field. */
static int invalid(request_rec *r, const apr_array_header_t *errors)
{
    const tasks_field_error *e = &APR_ARRAY_IDX(errors, 0, tasks_field_error);

    return tasks_send_problem(r, HTTP_UNPROCESSABLE_ENTITY,
                              apr_psprintf(r->pool, "%s %s", e->field,
                                           e->message), errors);
}

static int send_task(request_rec *r, int status, const tasks_task_row *row)
{
    const char *text = tasks_task_json(r->pool, row);

    if (!text)
        return db_failed(r, TASKS_DB_ERROR);
    apr_table_setn(r->headers_out, "ETag", tasks_task_etag(r->pool, row));
    return tasks_send_json(r, status, text);
}

/* Does If-None-Match list etag (or "*")? */
static int none_match_hits(const char *header, const char *etag)
{
    const char *p = header;
    size_t n = strlen(etag);

    if (!strcmp(header, "*"))
        return 1;
    while ((p = strstr(p, etag))) {
        /* weak comparison: W/"x" matches "x" too */
        p += n;
        if (*p == '\0' || *p == ',' || *p == ' ')
            return 1;
    }
    return 0;
}

/* After a write matched nothing: 401 when the caller was denied, 404 when
 * the task is not the caller's, else 412 (its ETag did not match). */
static int missed(request_rec *r, tasks_db *db, const tasks_caller *who,
                  const char *id, const char *version)
{
    tasks_task_row row;
    tasks_db_rc rc;

    rc = tasks_db_task_get(db, who, id, &row);
    if (rc == TASKS_DB_NONE || (rc == TASKS_DB_OK && !version))
        return not_found(r);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    return tasks_send_problem(r, HTTP_PRECONDITION_FAILED,
                              "the task was changed since it was read "
                              "(If-Match does not match)", NULL);
}

/* The version an If-Match header demands. Returns 0 and sets *version
 * (NULL = unconditional); or answers (404/412) and returns 1 with *done. */
static int if_match(request_rec *r, tasks_db *db, const tasks_caller *who,
                    const char *id, const char **version, int *done)
{
    const char *h = apr_table_get(r->headers_in, "If-Match");
    long long v;

    *version = NULL;
    if (!h)
        return 0;
    switch (tasks_if_match(h, id, &v)) {
    case 1:
        *version = apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)v);
        return 0;
    case 2:
        /* "*": any current version; the write itself only finds a task
         * that exists and is the caller's (else 404, like every method). */
        *version = NULL;
        return 0;
    default:
        *done = missed(r, db, who, id, "0");
        return 1;
    }
}

static int list_tasks(request_rec *r, const tasks_caller *who)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    tasks_list_query q;
    tasks_cursor cursor, *after = NULL;
    apr_array_header_t *rows;
    tasks_text body;
    const char *bad;
    long long total;
    tasks_db *db;
    tasks_db_rc rc;
    int i, more;

    bad = tasks_list_query_parse(r->pool, r->args, &q);
    if (bad)
        return tasks_send_problem(r, HTTP_BAD_REQUEST, apr_psprintf(r->pool,
                                  "invalid query parameter: %s", bad), NULL);
    if (q.cursor) {
        if (tasks_cursor_decode(r->pool, sc->token.key, sc->token.key_len,
                                who->user_id,
                                &q, q.cursor, &cursor))
            return tasks_send_problem(r, HTTP_BAD_REQUEST,
                "invalid query parameter: cursor (it does not belong to this "
                "query)", NULL);
        after = &cursor;
    }
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    rc = tasks_db_tasks_list(db, who, &q, after, &rows, &total);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    more = rows->nelts > q.limit;
    if (more)
        rows->nelts = q.limit;
    /* Written straight into one buffer: a page of tasks is the largest
     * answer, and a JSON tree per task cost more than the query. */
    tasks_text_init(&body, r->pool, 2 + (apr_size_t)rows->nelts * 400);
    tasks_text_append(&body, "[", 1);
    for (i = 0; i < rows->nelts; i++) {
        if (i)
            tasks_text_append(&body, ",", 1);
        if (tasks_task_json_append(&body, &APR_ARRAY_IDX(rows, i, tasks_task_row)))
            return db_failed(r, TASKS_DB_ERROR);
    }
    tasks_text_append(&body, "]", 1);
    apr_table_setn(r->headers_out, "X-Total-Count",
                   apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)total));
    if (more) {
        const tasks_task_row *last = &APR_ARRAY_IDX(rows, rows->nelts - 1,
                                                    tasks_task_row);
        tasks_cursor next = { tasks_row_sort_value(last, q.sort), last->id };
        const char *c = tasks_cursor_encode(r->pool, sc->token.key,
                                            sc->token.key_len, who->user_id,
                                            &q, &next);
        if (c)
            apr_table_setn(r->headers_out, "Link", apr_psprintf(r->pool,
                           "<%s?%s>; rel=\"next\"", ap_escape_uri(r->pool, r->uri),
                           tasks_list_query_next_args(r->pool, &q, c)));
    }
    return tasks_send_json(r, HTTP_OK, body.s);
}

static int create_task(request_rec *r, const tasks_caller *who)
{
    tasks_task_input in;
    apr_array_header_t *errors;
    tasks_task_row row;
    tasks_db *db;
    tasks_db_rc rc;
    json_t *body;
    int done;

    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    if ((errors = tasks_task_input_from_json(r->pool, body, TASKS_INPUT_CREATE,
                                             &in)))
        return invalid(r, errors);
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    rc = tasks_db_task_insert(db, who, &in, &row);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, TASKS_API_PREFIX "/tasks/", row.id, NULL));
    return send_task(r, HTTP_CREATED, &row);
}

static int clear_completed(request_rec *r, const tasks_caller *who)
{
    tasks_db *db;
    tasks_db_rc rc;
    int n = 0;

    if (!r->args || strcmp(r->args, "status=completed") != 0)
        return tasks_send_problem(r, HTTP_BAD_REQUEST,
            "invalid query parameter: status (DELETE /api/tasks needs exactly "
            "?status=completed)", NULL);
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    rc = tasks_db_tasks_clear_completed(db, who, &n);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    return tasks_send_json_value(r, HTTP_OK, json_pack("{s:i}", "deleted", n));
}

/* Fills *who with the caller, after the seed-compatible path check;
 * returns 0, or 1 with *done when it answered. */
static int caller(request_rec *r, tasks_caller *who, int *done)
{
    tasks_req *rq = tasks_req_get(r);
    const tasks_route *route = tasks_req_route(r);

    if (!rq->user_id) {
        /* The auth hook always runs first; refuse rather than guess. */
        *done = tasks_send_unauthorized(r, 0, "authentication is required");
        return 1;
    }
    if (route->path_user_id && strcmp(route->path_user_id, rq->user_id) != 0) {
        *done = tasks_send_problem(r, HTTP_FORBIDDEN,
                                   "the path names another user", NULL);
        return 1;
    }
    who->user_id = rq->user_id;
    who->jti = rq->jti;
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
    const char *inm = apr_table_get(r->headers_in, "If-None-Match");
    tasks_task_row row;
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    rc = tasks_db_task_get(db, who, id, &row);
    if (rc == TASKS_DB_NONE)
        return not_found(r);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    if (inm && none_match_hits(inm, tasks_task_etag(r->pool, &row))) {
        apr_table_setn(r->headers_out, "ETag", tasks_task_etag(r->pool, &row));
        return tasks_send_empty(r, HTTP_NOT_MODIFIED);
    }
    return send_task(r, HTTP_OK, &row);
}

/* PUT, PATCH and complete: validate, then one conditional UPDATE. */
static int update_task(request_rec *r, const tasks_caller *who, const char *id,
                       tasks_input_mode mode, int complete_route)
{
    tasks_task_input in;
    apr_array_header_t *errors = NULL;
    tasks_task_row row;
    const char *version;
    tasks_db *db;
    tasks_db_rc rc;
    json_t *body;
    int done, toggle = 0;

    body = tasks_read_json_body(r, complete_route, &done);
    if (!body && done != -1)
        return done;
    memset(&in, 0, sizeof(in));
    if (complete_route) {
        json_t *c = body ? json_object_get(body, "completed") : NULL;
        if (!body)
            toggle = 1;
        else if (!json_is_boolean(c))
            tasks_field_error_add(r->pool, &errors, "completed",
                                  "must be a boolean (or send no body to toggle)");
        else {
            in.has_completed = 1;
            in.completed = json_is_true(c);
        }
    }
    else
        errors = tasks_task_input_from_json(r->pool, body, mode, &in);
    if (errors)
        return invalid(r, errors);
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    if (if_match(r, db, who, id, &version, &done))
        return done;
    rc = tasks_db_task_update(db, who, id, version, &in, toggle, &row);
    if (rc == TASKS_DB_NONE)
        return missed(r, db, who, id, version);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    return send_task(r, HTTP_OK, &row);
}

static int delete_task(request_rec *r, const tasks_caller *who, const char *id)
{
    const char *version;
    tasks_db *db;
    tasks_db_rc rc;
    int done;

    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    if (if_match(r, db, who, id, &version, &done))
        return done;
    rc = tasks_db_task_delete(db, who, id, version);
    if (rc == TASKS_DB_NONE)
        return missed(r, db, who, id, version);
    if (rc != TASKS_DB_OK)
        return db_failed(r, rc);
    return tasks_send_empty(r, HTTP_NO_CONTENT);
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
    case M_PUT:    return update_task(r, &who, id, TASKS_INPUT_PUT, 0);
    case M_PATCH:  return update_task(r, &who, id, TASKS_INPUT_PATCH, 0);
    default:       return delete_task(r, &who, id);
    }
}

int tasks_handle_task_complete(request_rec *r)
{
    tasks_caller who;
    int done;

    if (caller(r, &who, &done))
        return done;
    return update_task(r, &who, tasks_req_route(r)->task_id, TASKS_INPUT_PATCH, 1);
}
