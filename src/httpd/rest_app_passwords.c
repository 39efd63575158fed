/* rest_app_passwords.c - the JSON front end of app passwords:
 * GET/POST /api/auth/app-passwords, DELETE /api/auth/app-passwords/{id}.
 * Parse, call the app password service, render; the rules live there. */
#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/core/task_json.h"
#include "tasks/httpd/module.h"
#include "tasks/service/app_password_service.h"

/* One app password as the contract writes it (the secret only at its
 * creation: password non-NULL). */
static json_t *app_password_json(const tasks_app_password_row *a,
                                 const char *password)
{
    if (!a->id || !a->name || !a->created_at)
        return NULL;
    if (password)
        return json_pack("{s:I, s:s, s:s, s:s}",
                         "id", (json_int_t)apr_atoi64(a->id), "name", a->name,
                         "password", password, "created_at", a->created_at);
    return json_pack("{s:I, s:s, s:s, s:s?}",
                     "id", (json_int_t)apr_atoi64(a->id), "name", a->name,
                     "created_at", a->created_at,
                     "last_used_at", a->last_used_at);
}

static int create(request_rec *r, const tasks_caller *who)
{
    tasks_app_password_row row;
    const char *password = NULL;
    tasks_value name;
    tasks_result res;
    json_t *body;
    int done;

    /* The answer holds the only copy of the secret: it is never stored,
     * so a create cannot be replayed under an Idempotency-Key. */
    if (apr_table_get(r->headers_in, "Idempotency-Key"))
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            "Idempotency-Key is not taken here: an app password is shown "
            "once and never stored, so its answer cannot be given again"));
    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    tasks_value_from_json(r->pool, json_object_get(body, "name"), &name);
    res = tasks_app_password_create(tasks_req_service(r), who, &name, &row,
                                    &password);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    tasks_set_created(r, "/auth/app-passwords", row.id, 0);
    return tasks_send_json_value(r, HTTP_CREATED,
                                 app_password_json(&row, password));
}

static int list(request_rec *r, const tasks_caller *who)
{
    apr_array_header_t *rows;
    tasks_result res;
    json_t *arr;
    int i;

    res = tasks_app_passwords_list(tasks_req_service(r), who, &rows);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    arr = json_array();
    for (i = 0; arr && i < rows->nelts; i++) {
        json_t *one = app_password_json(&APR_ARRAY_IDX(rows, i,
                                        tasks_app_password_row), NULL);

        if (!one || json_array_append_new(arr, one)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return tasks_send_json_value(r, HTTP_OK, arr);
}

int tasks_handle_app_passwords(request_rec *r)
{
    const tasks_route *route = tasks_req_route(r);
    tasks_caller who = tasks_req_caller(r);
    tasks_result res;

    if (!who.user_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED, NULL));
    if (route->id == TASKS_ROUTE_APP_PASSWORD) {
        res = tasks_app_password_revoke(tasks_req_service(r), &who,
                                        route->task_id);
        return tasks_send_result(r, &res);
    }
    return r->method_number == M_POST ? create(r, &who) : list(r, &who);
}
