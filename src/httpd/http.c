/* http.c - request plumbing every handler shares: per-request state, JSON
 * and problem responses, reading a JSON body under the size cap, and CORS.
 * The core (src/problem.c etc.) builds documents; this file sends them. */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_expr.h>
#include <util_filter.h>
#include <apr_strings.h>
#include <apr_buckets.h>

#include "tasks/httpd/counters.h"
#include "tasks/core/digest.h"
#include "tasks/core/validate.h"
#include "tasks/httpd/module.h"
#include "tasks/core/problem.h"

APLOG_USE_MODULE(tasks);

#define CORS_METHODS "GET, POST, PUT, PATCH, DELETE, OPTIONS, PROPFIND, PROPPATCH, REPORT"
#define CORS_HEADERS "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, Depth, MCP-Protocol-Version"
#define CORS_EXPOSE "ETag, Location, Link, X-Total-Count, Retry-After, Idempotent-Replayed"
#define CORS_MAX_AGE "600"

tasks_req *tasks_req_get(request_rec *r)
{
    tasks_req *rq = ap_get_module_config(r->request_config, &tasks_module);

    if (!rq) {
        rq = apr_pcalloc(r->pool, sizeof(*rq));
        ap_set_module_config(r->request_config, &tasks_module, rq);
    }
    return rq;
}

/* Does the configuration merged so far say "SetHandler tasks"? SetHandler
 * is applied late (fixups), so the early hooks evaluate the core's
 * handler expression themselves (a literal string is a trivial one). */
static int handler_configured(request_rec *r)
{
    core_dir_config *d = ap_get_core_module_config(r->per_dir_config);
    const char *err = NULL, *h;

    h = d && d->expr_handler ? ap_expr_str_exec(r, d->expr_handler, &err)
                             : NULL;
    /* Case-insensitively, as the core lower-cases the value it sets as
     * r->handler ("SetHandler TASKS" runs our handler too). */
    return !err && h && !strcasecmp(h, TASKS_HANDLER);
}

int tasks_in_api(const request_rec *r)
{
    const char *api = tasks_srv_api_path(r->server);
    size_t n = strlen(api);

    return r->uri && !strncmp(r->uri, api, n)
        && (r->uri[n] == '\0' || r->uri[n] == '/');
}

/* A server that does not serve mod_tasks (no signing key) is left to
 * httpd: none of the hooks acts on its requests; so is a request outside
 * the server's API path (TasksBasePath), whatever handler applies to it
 * (a virtual host under a prefix inherits the main server's
 * <Location "/api">). */
int tasks_is_ours(request_rec *r)
{
    tasks_req *rq;

    if (!tasks_srv_ready(r->server) || !tasks_in_api(r))
        return 0;
    if (r->handler)
        return !strcmp(r->handler, TASKS_HANDLER);
    /* Several hooks ask before the handler is set: evaluate once. */
    rq = tasks_req_get(r);
    if (!rq->ours)
        rq->ours = handler_configured(r) ? 1 : -1;
    return rq->ours > 0;
}

#define NO_WALK_NOTE "tasks-no-walk"

/* translate_name, first: our locations name no files, so the core's walk
 * of the file system (a stat of every path segment under DocumentRoot,
 * and .htaccess lookups) can be skipped, as mod_proxy skips it. Only here
 * does httpd show the <Location> configuration before map_to_storage
 * resets it; the decision is noted with the URI it was made for. */
int tasks_translate_name(request_rec *r)
{
    if (!r->main && !r->prev && tasks_srv_ready(r->server)
        && tasks_in_api(r) && handler_configured(r))
        apr_table_setn(r->notes, NO_WALK_NOTE, r->uri);
    return DECLINED;
}

/* map_to_storage: OK (no file system walk) for a request noted above whose
 * URI no other translator changed since; <Location> sections still apply
 * (the location walk runs again after this hook). */
int tasks_map_to_storage(request_rec *r)
{
    const char *uri = apr_table_get(r->notes, NO_WALK_NOTE);

    return uri && uri == r->uri ? OK : DECLINED;
}

const tasks_route *tasks_req_route(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);

    if (!rq->route_done) {
        rq->route_done = 1;
        if (tasks_in_api(r))
            tasks_route_match(r->pool, r->uri
                              + strlen(tasks_srv_api_path(r->server)),
                              &rq->route);
        else
            rq->route.id = TASKS_ROUTE_NOT_FOUND;
    }
    return &rq->route;
}

int tasks_send_body(request_rec *r, int status, const char *type,
                    const char *cache_control, const char *text)
{
    /* Error answers keep their headers in err_headers_out, the table
     * httpd keeps on every path. */
    apr_table_t *h = status >= 400 ? r->err_headers_out : r->headers_out;

    r->status = status;
    ap_set_content_type(r, type);
    apr_table_setn(h, "Cache-Control", cache_control);
    ap_set_content_length(r, (apr_off_t)strlen(text));
    if (!r->header_only)
        ap_rputs(text, r);
    return OK;
}

int tasks_send_json(request_rec *r, int status, const char *json_text)
{
    return tasks_send_body(r, status, "application/json", "no-store",
                           json_text);
}

int tasks_send_json_value(request_rec *r, int status, json_t *j)
{
    if (!j)
        return tasks_send_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                  "the response could not be built", NULL);
    tasks_json_own(r->pool, j);
    return tasks_send_json(r, status, tasks_json_dump(r->pool, j));
}

/* Problem documents go out with r->status set and OK returned, so httpd
 * never replaces them with its HTML error page. err_headers_out keeps
 * WWW-Authenticate, Allow and Retry-After on the error path. */
int tasks_send_problem(request_rec *r, int status, const char *detail,
                       const apr_array_header_t *errors)
{
    return tasks_send_body(r, status, "application/problem+json", "no-store",
                           tasks_problem_json(r->pool, status, detail, errors));
}

/* One row per outcome: its status, the detail when the result has none,
 * and the header the status needs. */
static const struct {
    int status;
    const char *detail;
    const char *header, *value;
} outcomes[] = {
    [TASKS_DONE] = { HTTP_NO_CONTENT, NULL, NULL, NULL },
    [TASKS_NOT_MODIFIED] = { HTTP_NOT_MODIFIED, NULL, NULL, NULL },
    [TASKS_NOT_FOUND] = { HTTP_NOT_FOUND, "no such task", NULL, NULL },
    [TASKS_PRECONDITION_FAILED] = { HTTP_PRECONDITION_FAILED,
        "the precondition does not hold", NULL, NULL },
    [TASKS_INVALID] = { HTTP_UNPROCESSABLE_ENTITY, "the request is invalid",
        NULL, NULL },
    [TASKS_MALFORMED] = { HTTP_BAD_REQUEST, "the request is malformed",
        NULL, NULL },
    [TASKS_CONFLICT] = { HTTP_CONFLICT, "the request conflicts with the "
        "current state", NULL, NULL },
    [TASKS_GONE] = { HTTP_GONE, "what the request refers to is gone", NULL,
        NULL },
    [TASKS_UNAUTHENTICATED] = { HTTP_UNAUTHORIZED, "authentication is "
        "required", "WWW-Authenticate", "Bearer" },
    [TASKS_DENIED] = { HTTP_UNAUTHORIZED, "the token is invalid or expired",
        "WWW-Authenticate", "Bearer error=\"invalid_token\"" },
    [TASKS_FORBIDDEN] = { HTTP_FORBIDDEN, "this is not allowed here",
        NULL, NULL },
    [TASKS_THROTTLED] = { HTTP_TOO_MANY_REQUESTS, "too many requests; try "
        "again later", "Retry-After", NULL },
    [TASKS_BUSY] = { HTTP_SERVICE_UNAVAILABLE, "the server is busy; try "
        "again shortly", "Retry-After", "1" },
    [TASKS_UNAVAILABLE] = { HTTP_SERVICE_UNAVAILABLE, "the database is "
        "unavailable; try again shortly", "Retry-After", "2" },
    [TASKS_FAILED] = { HTTP_INTERNAL_SERVER_ERROR, "the request could not "
        "be completed", NULL, NULL },
};

/* Promise: see module.h. Headers of error answers go to err_headers_out,
 * the table httpd keeps on every path. */
int tasks_send_result(request_rec *r, const tasks_result *res)
{
    unsigned o = (unsigned)res->outcome;

    if (o >= sizeof(outcomes) / sizeof(outcomes[0]))
        o = TASKS_FAILED;
    if (o == TASKS_UNAVAILABLE)
        tasks_count(r->server, TASKS_COUNT_DB_UNAVAILABLE);
    /* A token that verified but no longer stands (counted here: the
     * hook counts the ones it refused itself). */
    if (o == TASKS_DENIED && !tasks_req_get(r)->token_refused)
        tasks_count(r->server, TASKS_COUNT_TOKEN_REVOKED);
    if (outcomes[o].header)
        apr_table_setn(r->err_headers_out, outcomes[o].header,
                       outcomes[o].value ? outcomes[o].value
                       : apr_psprintf(r->pool, "%ld", res->retry_after > 0
                                      ? res->retry_after : 1L));
    if (outcomes[o].status < 400)
        return tasks_send_empty(r, outcomes[o].status);
    return tasks_send_problem(r, outcomes[o].status,
                              res->detail ? res->detail : outcomes[o].detail,
                              res->outcome == TASKS_INVALID ? res->errors : NULL);
}

int tasks_send_empty(request_rec *r, int status)
{
    r->status = status;
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (status != HTTP_NO_CONTENT && status != HTTP_NOT_MODIFIED)
        ap_set_content_length(r, 0);
    return OK;
}

static int is_json_type(const char *ct)
{
    const char *semi;
    size_t n;

    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    semi = strchr(ct, ';');
    n = semi ? (size_t)(semi - ct) : strlen(ct);
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 16 && !strncasecmp(ct, "application/json", 16))
        return 1;
    /* application/<something>+json */
    return n > 17 && !strncasecmp(ct, "application/", 12)
           && !strncasecmp(ct + n - 5, "+json", 5);
}

/* Does the request carry a body at all? */
static int has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (apr_table_get(r->headers_in, "Transfer-Encoding"))
        return 1;
    return cl && strcmp(cl, "0") != 0;
}

/* Read the whole body into the pool, refusing more than cap bytes as
 * soon as it is known (from Content-Length or while reading). Returns the
 * HTTP status to answer (0 when read), or AP_FILTER_ERROR when httpd has
 * answered already. */
int tasks_read_raw_body(request_rec *r, apr_off_t cap, char **out,
                        apr_size_t *out_len)
{
    apr_bucket_brigade *bb;
    apr_off_t total = 0;
    char *buf;
    int seen_eos = 0;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (cl) {
        char *end;
        apr_off_t n;
        if (apr_strtoff(&n, cl, &end, 10) != APR_SUCCESS || *end || n < 0)
            return HTTP_BAD_REQUEST;
        if (n > cap)
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    buf = apr_palloc(r->pool, (apr_size_t)cap + 1);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    do {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                                         APR_BLOCK_READ, 8192);
        if (rv != APR_SUCCESS) {
            apr_brigade_destroy(bb);
            /* AP_FILTER_ERROR: the HTTP_IN filter has already sent its
             * own verdict (e.g. 413 for a chunk size it cannot hold, or
             * LimitRequestBody); answering again would log our status
             * for the answer it sent. Otherwise its error, mapped. */
            return rv == AP_FILTER_ERROR ? AP_FILTER_ERROR
                                         : ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
             b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t len;
            if (APR_BUCKET_IS_EOS(b)) {
                seen_eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b))
                continue;
            if (apr_bucket_read(b, &data, &len, APR_BLOCK_READ) != APR_SUCCESS) {
                apr_brigade_destroy(bb);
                return HTTP_BAD_REQUEST;
            }
            if (total + (apr_off_t)len > cap) {
                apr_brigade_destroy(bb);
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            memcpy(buf + total, data, len);
            total += (apr_off_t)len;
        }
        apr_brigade_cleanup(bb);
    } while (!seen_eos);
    apr_brigade_destroy(bb);
    buf[total] = '\0';
    *out = buf;
    *out_len = (apr_size_t)total;
    return 0;
}

json_t *tasks_read_json_body(request_rec *r, int may_be_empty, int *done)
{
    apr_off_t cap = tasks_dir_max_body(tasks_dir(r));
    char *body = NULL;
    apr_size_t len = 0;
    json_t *obj;
    const char *err;
    int status, json_type;

    json_type = is_json_type(apr_table_get(r->headers_in, "Content-Type"));
    /* A body that is certainly there and not JSON is refused unread; where
     * no body is fine, a chunked one is read first, as it may be empty. */
    if (has_body(r) && !json_type && !may_be_empty) {
        *done = tasks_send_problem(r, HTTP_UNSUPPORTED_MEDIA_TYPE,
                                   "the request body must be application/json",
                                   NULL);
        return NULL;
    }
    if (has_body(r)) {
        status = tasks_read_raw_body(r, cap, &body, &len);
        if (status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
            /* Do not read the rest of a body we refuse; end the connection. */
            r->connection->keepalive = AP_CONN_CLOSE;
            *done = tasks_send_problem(r, status, apr_psprintf(r->pool,
                                       "the request body is larger than %"
                                       APR_OFF_T_FMT " bytes", cap), NULL);
            return NULL;
        }
        if (status == AP_FILTER_ERROR) {
            /* httpd answered already; the handler returns this, and
             * httpd sends nothing more (ap_die). */
            r->connection->keepalive = AP_CONN_CLOSE;
            *done = AP_FILTER_ERROR;
            return NULL;
        }
        if (status == HTTP_REQUEST_TIME_OUT) {
            /* mod_reqtimeout's RequestReadTimeout body=... ran out (the
             * client sent less than it announced and waited). */
            r->connection->keepalive = AP_CONN_CLOSE;
            *done = tasks_send_problem(r, HTTP_REQUEST_TIME_OUT,
                                       "the request body did not arrive in time",
                                       NULL);
            return NULL;
        }
        if (status) {
            r->connection->keepalive = AP_CONN_CLOSE;
            *done = tasks_send_problem(r, HTTP_BAD_REQUEST,
                                       "the request body could not be read",
                                       NULL);
            return NULL;
        }
    }
    if (!len) {
        if (may_be_empty) {
            *done = -1;
            return NULL;
        }
        *done = tasks_send_problem(r, HTTP_BAD_REQUEST,
                                   "a JSON object is required as the request body",
                                   NULL);
        return NULL;
    }
    if (!json_type) {
        *done = tasks_send_problem(r, HTTP_UNSUPPORTED_MEDIA_TYPE,
                                   "the request body must be application/json",
                                   NULL);
        return NULL;
    }
    err = tasks_json_parse_object(r->pool, body, len, &obj);
    if (err) {
        *done = tasks_send_problem(r, HTTP_BAD_REQUEST, err, NULL);
        return NULL;
    }
    /* A create that may be replayed: its body's digest, for the
     * request's fingerprint (tasks_req_fingerprint). */
    if (apr_table_get(r->headers_in, "Idempotency-Key"))
        apr_table_setn(r->notes, "tasks-body-sha256",
                       tasks_sha256_hex(r->pool, body, len));
    *done = 0;
    return obj;
}

/* Promise: see module.h. */
void tasks_set_created(request_rec *r, const char *collection, const char *id,
                       int replayed)
{
    apr_table_setn(r->headers_out, "Location", apr_pstrcat(r->pool,
                   tasks_srv_api_path(r->server), collection, "/", id, NULL));
    if (replayed)
        apr_table_setn(r->headers_out, "Idempotent-Replayed", "true");
}

/* Promise: see module.h. */
int tasks_req_once(request_rec *r, tasks_once *once, int *done)
{
    const char *key = apr_table_get(r->headers_in, "Idempotency-Key");
    const char *body = apr_table_get(r->notes, "tasks-body-sha256");

    once->key = NULL;
    once->fingerprint = NULL;
    if (!key)
        return 0;
    if (!tasks_idempotency_key_valid(key)) {
        *done = tasks_send_problem(r, HTTP_BAD_REQUEST, "Idempotency-Key must "
                                   "be 1-255 visible ASCII characters", NULL);
        return 1;
    }
    once->key = key;
    once->fingerprint = tasks_sha256_hex(r->pool, apr_pstrcat(r->pool,
        r->method, " ", r->uri, " ", body ? body : "", NULL),
        strlen(r->method) + strlen(r->uri) + 2 + (body ? strlen(body) : 0));
    return 0;
}

static int origin_allowed(const tasks_dir_cfg *d, const char *origin)
{
    int i;

    if (!d->cors_origins || !origin)
        return 0;
    for (i = 0; i < d->cors_origins->nelts; i++)
        if (!strcmp(APR_ARRAY_IDX(d->cors_origins, i, const char *), origin))
            return 1;
    return 0;
}

/* Promise: see module.h. */
int tasks_origin_allowed(request_rec *r, const char *origin)
{
    return origin_allowed(tasks_dir(r), origin);
}

/* header_parser: put CORS headers for an allowed Origin into
 * err_headers_out (so 401s, 503s and every other answer carry them) and
 * answer preflights here, before authentication and the database. */
int tasks_cors_hook(request_rec *r)
{
    const char *origin, *acrm;
    int allowed;

    if (!tasks_is_ours(r))
        return DECLINED;
    origin = apr_table_get(r->headers_in, "Origin");
    acrm = apr_table_get(r->headers_in, "Access-Control-Request-Method");
    allowed = origin_allowed(tasks_dir(r), origin);
    if (origin)
        apr_table_mergen(r->err_headers_out, "Vary", "Origin");
    if (allowed) {
        apr_table_setn(r->err_headers_out, "Access-Control-Allow-Origin", origin);
        apr_table_setn(r->err_headers_out, "Access-Control-Allow-Credentials",
                       "true");
    }
    if (r->method_number != M_OPTIONS || !acrm) {
        if (allowed)
            apr_table_setn(r->err_headers_out, "Access-Control-Expose-Headers",
                           CORS_EXPOSE);
        return DECLINED;
    }
    /* A preflight: never authenticated, never touches the database. */
    if (allowed) {
        apr_table_setn(r->err_headers_out, "Access-Control-Allow-Methods",
                       CORS_METHODS);
        apr_table_setn(r->err_headers_out, "Access-Control-Allow-Headers",
                       CORS_HEADERS);
        apr_table_setn(r->err_headers_out, "Access-Control-Max-Age",
                       CORS_MAX_AGE);
    }
    tasks_send_empty(r, HTTP_NO_CONTENT);
    return DONE;
}

/* Promise: see module.h. */
void tasks_req_preconditions(request_rec *r, const char *id,
                             tasks_precondition *pre)
{
    tasks_precondition_if_match(apr_table_get(r->headers_in, "If-Match"),
                                id, pre);
    tasks_precondition_if_none_match(r->pool,
        apr_table_get(r->headers_in, "If-None-Match"), id, pre);
}
