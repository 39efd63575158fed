/* rest_service.c - the public endpoints that are not about accounts or
 * tasks: GET /api/health and GET /api/openapi.json. */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/core/version.h"
#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"
#include "tasks/store/store.h"

/* The OpenAPI document (htdocs/openapi.json), compiled in by the build. */
extern const char tasks_openapi_json[];

#define VERSION_MEMBER ",\"version\":\"" TASKS_VERSION "\"}"

/* 200 when the database answers with the schema the module needs; 503
 * (Retry-After) when it cannot be reached, or its schema is behind. */
int tasks_handle_health(request_rec *r)
{
    tasks_db *db = tasks_req_db(r);

    if (!db && tasks_req_get(r)->db_rc == TASKS_DB_SCHEMA_BEHIND) {
        apr_table_setn(r->err_headers_out, "Retry-After", "2");
        return tasks_send_json(r, HTTP_SERVICE_UNAVAILABLE,
                               "{\"status\":\"unavailable\",\"database\":"
                               "\"ok\",\"schema\":\"behind\"" VERSION_MEMBER);
    }
    if (!db || tasks_db_ping(db) != TASKS_DB_OK) {
        tasks_count(r->server, TASKS_COUNT_DB_UNAVAILABLE);
        apr_table_setn(r->err_headers_out, "Retry-After", "2");
        return tasks_send_json(r, HTTP_SERVICE_UNAVAILABLE,
                               "{\"status\":\"unavailable\","
                               "\"database\":\"unavailable\"" VERSION_MEMBER);
    }
    return tasks_send_json(r, HTTP_OK, "{\"status\":\"ok\",\"database\":\"ok\","
                           "\"schema\":\"ok\"" VERSION_MEMBER);
}

/* Promise: see module.h. Every path of the document is relative to its
 * servers URL, "/" as written (TasksBasePath's default); a server under a
 * prefix names its own base there instead ("/tasks" for TasksBasePath
 * /tasks/), so the document it serves describes its own URLs. */
const char *tasks_openapi_for_base(apr_pool_t *p, const char *base)
{
    static const char url[] = "\"url\": \"/\"";
    const char *doc = tasks_openapi_json, *servers, *at;

    if (!strcmp(base, "/") || !(servers = strstr(doc, "\"servers\""))
        || !(at = strstr(servers, url)))
        return doc;
    return apr_pstrcat(p, apr_pstrmemdup(p, doc, (size_t)(at - doc)
                                              + sizeof(url) - 3), /* to "/" */
                       apr_pstrmemdup(p, base, strlen(base) - 1),
                       at + sizeof(url) - 2, NULL);
}

/* The document as post_config made it for this server. */
int tasks_handle_openapi(request_rec *r)
{
    const char *doc = tasks_srv(r->server)->openapi;

    return tasks_send_body(r, HTTP_OK, "application/json",
                           "public, max-age=300",
                           doc ? doc : tasks_openapi_json);
}
