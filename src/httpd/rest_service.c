/* rest_service.c - the public endpoints that are not about accounts or
 * tasks: GET /api/health and GET /api/openapi.json. */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>

#include "tasks/httpd/module.h"
#include "tasks/store/store.h"

/* The OpenAPI document (htdocs/openapi.json), compiled in by the build. */
extern const char tasks_openapi_json[];

int tasks_handle_health(request_rec *r)
{
    tasks_db *db = tasks_req_db(r);

    if (!db || tasks_db_ping(db) != TASKS_DB_OK) {
        apr_table_setn(r->err_headers_out, "Retry-After", "2");
        return tasks_send_json(r, HTTP_SERVICE_UNAVAILABLE,
                               "{\"status\":\"unavailable\","
                               "\"database\":\"unavailable\"}");
    }
    return tasks_send_json(r, HTTP_OK, "{\"status\":\"ok\",\"database\":\"ok\"}");
}

int tasks_handle_openapi(request_rec *r)
{
    return tasks_send_body(r, HTTP_OK, "application/json",
                           "public, max-age=300", tasks_openapi_json);
}
