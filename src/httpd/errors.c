/* errors.c - httpd's own error answers under the module's API path, as
 * problem documents (README, "Apache's own answers under /api").
 *
 * Some requests to /api never reach the module's handler: httpd refuses a
 * malformed request line or header (400), one longer than its limits
 * (414; oversized headers are a 400), an encoded NUL or slash in the path
 * (404), TRACE when TraceEnable is off (405), a body over LimitRequestBody
 * (413), an Expect header other than 100-continue (417); another module in
 * front may refuse too (mod_auth_basic's 401, mod_reqtimeout's 408).
 * httpd then sends its canned HTML page. Every such
 * page passes ap_send_error_response, which runs the insert_error_filter
 * hook, also for errors found before any per-directory configuration
 * (where an ErrorDocument in <Location /api> would not apply, and one at
 * server level would change the answers of a whole site that only has
 * the module under a prefix). There this module adds a filter that
 * replaces the HTML body with the problem document of the same status,
 * on servers that serve the module and for paths under their API path
 * only; httpd's status and headers (Allow, WWW-Authenticate, Connection)
 * stay. The module's own answers never pass here: they are sent by its
 * handler with OK. */
#include <string.h>

#include <httpd.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>
#include <apr_buckets.h>
#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/core/route.h"
#include "tasks/httpd/module.h"

#define PROBLEM_FILTER "TASKS_HTTPD_PROBLEM"

/* What each status means when httpd, not the module, decided it: the
 * statuses httpd (or a module in front) is seen to send under the API
 * path. Any other keeps httpd's own page (see insert_problem_filter). */
static const char *detail_of(int status)
{
    switch (status) {
    case HTTP_BAD_REQUEST:
        return "the request is malformed: httpd refused it before the API "
               "read it (a bad request line, header or body framing, or a "
               "header over its size limits)";
    case HTTP_UNAUTHORIZED:
        return "authentication is required";
    case HTTP_FORBIDDEN:
        return "access to this resource is denied";
    case HTTP_NOT_FOUND:
        return "no such resource (a path with an encoded NUL or slash is "
               "never one)";
    case HTTP_METHOD_NOT_ALLOWED:
        return "the method is not allowed here";
    case HTTP_REQUEST_TIME_OUT:
        return "the request did not arrive in time";
    case HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "the request is too large";
    case HTTP_REQUEST_URI_TOO_LARGE:
        return "the request line is too long";
    case HTTP_EXPECTATION_FAILED:
        return "the Expect header cannot be met (only 100-continue can)";
    default:
        return NULL;
    }
}

/* The path the request asked for: r->uri, or, when httpd refused the
 * request line before parsing it (414), the target as far as it was read. */
static const char *requested_path(request_rec *r)
{
    const char *t, *end;

    if (r->uri)
        return r->uri;
    if (!r->the_request || !(t = strchr(r->the_request, ' ')))
        return NULL;
    t++;
    end = t + strcspn(t, " ?");
    return apr_pstrmemdup(r->pool, t, (apr_size_t)(end - t));
}

/* Whether path is the server's API path or below it. */
static int under_api(const request_rec *r, const char *path)
{
    const char *api = tasks_srv_api_path(r->server);
    size_t n = strlen(api);

    return path && !strncmp(path, api, n) && (path[n] == '\0' || path[n] == '/');
}

/* Replaces httpd's HTML page (every brigade of it) with one problem
 * document; the end of the response passes on. */
static apr_status_t problem_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    int eos = !APR_BRIGADE_EMPTY(bb) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb));

    apr_brigade_cleanup(bb);
    if (!f->ctx) {
        const char *text = tasks_problem_json(r->pool, r->status,
                                              detail_of(r->status), NULL);
        apr_size_t len = strlen(text);

        f->ctx = f;   /* sent */
        ap_set_content_type(r, "application/problem+json");
        ap_set_content_length(r, (apr_off_t)len);
        apr_table_setn(r->headers_out, "Cache-Control", "no-store");
        /* httpd's Allow for TRACE names what its handler allows (nothing
         * it knows): the path's methods, as the module's own 405 says. */
        if (r->status == HTTP_METHOD_NOT_ALLOWED && r->uri) {
            const tasks_route *route = tasks_req_route(r);

            if (route->id != TASKS_ROUTE_NOT_FOUND)
                apr_table_setn(r->headers_out, "Allow",
                               tasks_route_allow(route->id));
        }
        if (!apr_table_get(r->headers_out, "X-Content-Type-Options")
            && !apr_table_get(r->err_headers_out, "X-Content-Type-Options"))
            apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(text, len, r->pool,
                                                           f->c->bucket_alloc));
    }
    if (eos) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
        ap_remove_output_filter(f);
    }
    return ap_pass_brigade(f->next, bb);
}

/* insert_error_filter: httpd is about to send its own page for r. */
static void insert_problem_filter(request_rec *r)
{
    if (!detail_of(r->status) || !tasks_srv_ready(r->server)
        || !under_api(r, requested_path(r)))
        return;
    ap_add_output_filter(PROBLEM_FILTER, NULL, r, r->connection);
}

/* Promise: see module.h. */
void tasks_errors_register_hooks(void)
{
    ap_register_output_filter(PROBLEM_FILTER, problem_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
    ap_hook_insert_error_filter(insert_problem_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
}
