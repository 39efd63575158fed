/* mcp.c - the Model Context Protocol front end (API.md, "MCP"):
 * POST <api>/mcp, the Streamable HTTP transport with JSON answers only
 * (no server-sent events), JSON-RPC 2.0, stateless (no Mcp-Session-Id:
 * every request stands alone, so any child and any node answers it).
 * The caller is the bearer token's (auth.c); the five tools (core/mcp.h)
 * turn their arguments into the same drafts and list queries as the JSON
 * API and call the same task service, so a broken rule, another
 * person's task or a missing one is the service's answer, given to the
 * model as a tool result with isError. Also RFC 9728's protected
 * resource metadata at /.well-known/oauth-protected-resource. */
#include <string.h>

#include <httpd.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "tasks/core/list_query.h"
#include "tasks/core/mcp.h"
#include "tasks/core/problem.h"
#include "tasks/core/task_json.h"
#include "tasks/core/version.h"
#include "tasks/httpd/module.h"
#include "tasks/service/task_service.h"

APLOG_USE_MODULE(tasks);

#define PRM_PATH "/.well-known/oauth-protected-resource"
/* At most this many messages in a batch (2025-03-26). */
#define MAX_BATCH 32

enum {
    PARSE_ERROR = -32700,
    INVALID_REQUEST = -32600,
    METHOD_NOT_FOUND = -32601,
    INVALID_PARAMS = -32602,
    INTERNAL_ERROR = -32603
};

/* A request being answered. */
typedef struct {
    request_rec *r;
    tasks_service *svc;
    tasks_caller who;
    const char *version;        /* the request's protocol version */
} mcp_req;

/* ---- JSON-RPC --------------------------------------------------------- */

static json_t *rpc_error(const json_t *id, int code, const char *message)
{
    return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
                     id ? id : json_null(), "error", "code", code,
                     "message", message);
}

static json_t *rpc_result(const json_t *id, json_t *result)
{
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
                     "result", result);
}

/* Send j (stolen) with status; NULL j: a bodiless 202. */
static int send_rpc(request_rec *r, int status, json_t *j)
{
    char *text;
    int rc;

    if (j == NULL)
        return tasks_send_empty(r, HTTP_ACCEPTED);
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (text == NULL)
        return tasks_send_problem(r, HTTP_INTERNAL_SERVER_ERROR, NULL, NULL);
    rc = tasks_send_body(r, status, "application/json", "no-store",
                         apr_pstrdup(r->pool, text));
    free(text);
    return rc;
}

/* ---- Tool results ------------------------------------------------------ */

/* A tool's answer: its structured content as text for the model and,
 * since 2025-06-18, as structuredContent (stolen). */
static json_t *tool_done(const mcp_req *m, json_t *structured)
{
    char *text = json_dumps(structured, JSON_COMPACT);
    json_t *result = json_pack("{s:[{s:s, s:s}]}", "content", "type", "text",
                               "text", text ? text : "");

    free(text);
    if (tasks_mcp_structured(m->version))
        json_object_set_new(result, "structuredContent", structured);
    else
        json_decref(structured);
    return result;
}

/* A tool's refusal, in words a model can act on (isError: a result, not
 * a protocol error; no structuredContent, which the output schema would
 * not match). */
static json_t *tool_refused(const char *why)
{
    return json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text",
                     "text", why, "isError", 1);
}

/* What a service result that is not DONE says to a model. */
static json_t *tool_failed(const mcp_req *m, const tasks_result *res,
                           const char *task_id)
{
    apr_pool_t *p = m->r->pool;
    const char *s = "";
    int i;

    switch (res->outcome) {
    case TASKS_INVALID:
        for (i = 0; res->errors && i < res->errors->nelts; i++) {
            const tasks_field_error *e = &APR_ARRAY_IDX(res->errors, i,
                                                        tasks_field_error);

            s = apr_psprintf(p, "%s%s%s %s", s, *s ? "; " : "", e->field,
                             e->message);
        }
        return tool_refused(apr_psprintf(p, "Not done: %s.", *s ? s
                            : res->detail ? res->detail : "invalid arguments"));
    case TASKS_NOT_FOUND:
        return tool_refused(task_id
            ? apr_psprintf(p, "There is no task %s of the signed-in person "
                           "(list_tasks shows their tasks and ids).", task_id)
            : "Not found.");
    case TASKS_MALFORMED:
        return tool_refused(apr_psprintf(p, "Not done: %s.", res->detail
                                         ? res->detail : "invalid arguments"));
    case TASKS_DENIED:
        return tool_refused("The sign-in no longer stands: sign in again.");
    case TASKS_UNAVAILABLE:
    case TASKS_BUSY:
        return tool_refused("The task database is unavailable just now; try "
                            "again in a few seconds.");
    default:
        return tool_refused("The request could not be completed.");
    }
}

/* The task row as the Task object the JSON API gives. */
static json_t *task_json(const mcp_req *m, const tasks_task_row *row)
{
    const char *text = tasks_task_json(m->r->pool, row);

    return text ? json_loads(text, 0, NULL) : NULL;
}

static json_t *task_done(const mcp_req *m, const tasks_task_row *row)
{
    json_t *t = task_json(m, row);

    return t ? tool_done(m, json_pack("{s:o}", "task", t))
             : tool_refused("The request could not be completed.");
}

/* ---- The tools --------------------------------------------------------- */

static json_t *add_task(mcp_req *m, const json_t *args)
{
    tasks_task_draft draft;
    tasks_task_row row;
    tasks_result res;

    tasks_task_draft_from_json(m->r->pool, args, &draft);
    res = tasks_task_create(m->svc, &m->who, &draft, NULL, &row, NULL);
    return res.outcome == TASKS_DONE ? task_done(m, &row)
                                     : tool_failed(m, &res, NULL);
}

static json_t *update_task(mcp_req *m, const json_t *args)
{
    tasks_precondition any;
    tasks_task_draft draft;
    tasks_task_row row;
    tasks_result res;
    const char *id, *why;
    int n = 0;

    if (!(id = tasks_mcp_task_id(m->r->pool, args, &why)))
        return tool_refused(why);
    tasks_task_draft_from_json(m->r->pool, args, &draft);
#define X(name, access, field_kind, min, max, items, column) \
    TASKS_IF_RW(access, n += draft.name.kind != TASKS_VALUE_ABSENT;)
    TASKS_TASK_FIELDS(X)
#undef X
    if (n == 0)
        return tool_refused("Nothing to change: give at least one field "
                            "besides task_id.");
    memset(&any, 0, sizeof any);
    res = tasks_task_update(m->svc, &m->who, id, &any, TASKS_INPUT_PATCH,
                            &draft, &row);
    return res.outcome == TASKS_DONE ? task_done(m, &row)
                                     : tool_failed(m, &res, id);
}

static json_t *complete_task(mcp_req *m, const json_t *args)
{
    const json_t *c = json_object_get(args, "completed");
    tasks_precondition any;
    tasks_value completed;
    tasks_task_row row;
    tasks_result res;
    const char *id, *why;

    if (!(id = tasks_mcp_task_id(m->r->pool, args, &why)))
        return tool_refused(why);
    if (c && !json_is_boolean(c))
        return tool_refused("completed must be true or false.");
    memset(&completed, 0, sizeof completed);
    completed.kind = TASKS_VALUE_BOOL;
    completed.boolean = c ? json_is_true(c) : 1;
    memset(&any, 0, sizeof any);
    res = tasks_task_complete(m->svc, &m->who, id, &any, &completed, &row);
    return res.outcome == TASKS_DONE ? task_done(m, &row)
                                     : tool_failed(m, &res, id);
}

static json_t *delete_task(mcp_req *m, const json_t *args)
{
    tasks_precondition any;
    tasks_result res;
    const char *id, *why;

    if (!(id = tasks_mcp_task_id(m->r->pool, args, &why)))
        return tool_refused(why);
    memset(&any, 0, sizeof any);
    res = tasks_task_delete(m->svc, &m->who, id, &any);
    if (res.outcome != TASKS_DONE)
        return tool_failed(m, &res, id);
    return tool_done(m, json_pack("{s:b, s:I}", "deleted", 1, "task_id",
                                  (json_int_t)apr_atoi64(id)));
}

static json_t *list_tasks(mcp_req *m, const json_t *args)
{
    const char *args_text, *why, *bad;
    tasks_list_query q;
    tasks_task_page page;
    tasks_result res;
    json_t *tasks;
    int i;

    if (!(args_text = tasks_mcp_list_query(m->r->pool, args, &why)))
        return tool_refused(why);
    if ((bad = tasks_list_query_parse(m->r->pool, args_text, &q)))
        return tool_refused(apr_psprintf(m->r->pool, "Not done: %s is not "
                            "valid (see the tool's input schema).", bad));
    res = tasks_tasks_list(m->svc, &m->who, &q, &page);
    if (res.outcome != TASKS_DONE)
        return tool_failed(m, &res, NULL);
    tasks = json_array();
    for (i = 0; i < page.rows->nelts; i++) {
        json_t *t = task_json(m, &APR_ARRAY_IDX(page.rows, i, tasks_task_row));

        if (!t) {
            json_decref(tasks);
            return tool_refused("The request could not be completed.");
        }
        json_array_append_new(tasks, t);
    }
    return tool_done(m, json_pack("{s:o, s:I, s:o}", "tasks", tasks, "total",
                                  (json_int_t)page.total, "next_cursor",
                                  page.next_cursor ? json_string(page.next_cursor)
                                                   : json_null()));
}

typedef json_t *tool_fn(mcp_req *m, const json_t *args);
static tool_fn *const tool_fns[TASKS_MCP_TOOL_COUNT] = {
    [TASKS_MCP_ADD_TASK] = add_task,
    [TASKS_MCP_LIST_TASKS] = list_tasks,
    [TASKS_MCP_COMPLETE_TASK] = complete_task,
    [TASKS_MCP_DELETE_TASK] = delete_task,
    [TASKS_MCP_UPDATE_TASK] = update_task,
};

/* ---- Methods ----------------------------------------------------------- */

static json_t *initialize(const json_t *params)
{
    const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
    const char *v = tasks_mcp_negotiate(asked);
    json_t *info = json_pack("{s:s, s:s}", "name", "mod_tasks", "version",
                             TASKS_VERSION);

    if (tasks_mcp_structured(v))
        json_object_set_new(info, "title", json_string("mod_tasks"));
    return json_pack("{s:s, s:{s:{s:b}}, s:o, s:s}", "protocolVersion", v,
                     "capabilities", "tools", "listChanged", 0,
                     "serverInfo", info, "instructions",
                     "Tools for the signed-in person's task list: add, list, "
                     "complete, update and delete their tasks. Every tool acts "
                     "for that person only.");
}

static json_t *call_tool(mcp_req *m, const json_t *id, const json_t *params)
{
    const json_t *name = json_object_get(params, "name");
    const json_t *args = json_object_get(params, "arguments");
    const char *why;
    int t;

    if (!json_is_object(params) || !json_is_string(name)
        || (args && !json_is_object(args)))
        return rpc_error(id, INVALID_PARAMS, "tools/call takes a name and an "
                         "object of arguments");
    if ((t = tasks_mcp_tool_find(json_string_value(name))) < 0)
        return rpc_error(id, INVALID_PARAMS, apr_psprintf(m->r->pool,
                         "Unknown tool: %s", json_string_value(name)));
    if ((why = tasks_mcp_check_args(m->r->pool, t, args, m->who.user_id)))
        return rpc_result(id, tool_refused(why));
    return rpc_result(id, tool_fns[t](m, args));
}

/* One message: the answer to a request, or NULL for a notification or a
 * response (nothing to answer). in_batch: initialize may not be in one. */
static json_t *answer(mcp_req *m, const json_t *msg, int in_batch)
{
    const json_t *id = json_object_get(msg, "id");
    const json_t *method = json_object_get(msg, "method");
    const json_t *params = json_object_get(msg, "params");
    const char *name;

    if (!json_is_object(msg) || !json_is_string(json_object_get(msg, "jsonrpc"))
        || strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0"))
        return rpc_error(NULL, INVALID_REQUEST, "not a JSON-RPC 2.0 message");
    if (!method) {
        /* A response of a client's (we never ask it anything): dropped. */
        if (id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
            return NULL;
        return rpc_error(NULL, INVALID_REQUEST, "not a JSON-RPC 2.0 message");
    }
    if (!json_is_string(method))
        return rpc_error(NULL, INVALID_REQUEST, "method must be a string");
    if (!id)
        return NULL;    /* a notification: notifications/initialized, ... */
    if (!json_is_string(id) && !json_is_integer(id))
        return rpc_error(NULL, INVALID_REQUEST, "id must be a string or an "
                         "integer");
    if (params && !json_is_object(params))
        return rpc_error(id, INVALID_PARAMS, "params must be an object");
    name = json_string_value(method);
    if (!strcmp(name, "initialize"))
        return in_batch ? rpc_error(id, INVALID_REQUEST, "initialize cannot "
                                    "be batched")
                        : rpc_result(id, initialize(params));
    if (!strcmp(name, "ping"))
        return rpc_result(id, json_object());
    if (!strcmp(name, "tools/list"))
        return rpc_result(id, tasks_mcp_tools_list(m->version));
    if (!strcmp(name, "tools/call"))
        return call_tool(m, id, params);
    return rpc_error(id, METHOD_NOT_FOUND, apr_psprintf(m->r->pool,
                     "Method not found: %s", name));
}

/* ---- HTTP -------------------------------------------------------------- */

static int refuse(request_rec *r, int status, int code, const char *message)
{
    return send_rpc(r, status, rpc_error(NULL, code, message));
}

/* Does the Accept header take a JSON answer (or say nothing)? */
static int accepts_json(const char *accept)
{
    return !accept || strstr(accept, "application/json")
        || strstr(accept, "*/*") || strstr(accept, "application/*");
}

/* Promise: see module.h. */
int tasks_handle_mcp(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *header = apr_table_get(r->headers_in, "MCP-Protocol-Version");
    json_t *body, *out;
    json_error_t jerr;
    apr_size_t len;
    mcp_req m;
    char *text;
    int rc;

    /* DNS rebinding (the transport's rule): a page of another origin may
     * reach a server on the person's own machine. */
    if (origin && !tasks_origin_allowed(r, origin))
        return refuse(r, HTTP_FORBIDDEN, INVALID_REQUEST, "this Origin is "
                      "not allowed (TasksCORSAllowOrigin)");
    if (!type || strncasecmp(type, "application/json", 16) != 0
        || (type[16] != '\0' && type[16] != ';' && type[16] != ' '))
        return refuse(r, HTTP_UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST,
                      "the body must be application/json");
    if (!accepts_json(apr_table_get(r->headers_in, "Accept")))
        return refuse(r, HTTP_NOT_ACCEPTABLE, INVALID_REQUEST, "the answer "
                      "is application/json");
    rc = tasks_read_raw_body(r, tasks_dir_max_body(tasks_dir(r)), &text, &len);
    if (rc == AP_FILTER_ERROR)
        return rc;
    if (rc)
        return refuse(r, rc, rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                      ? INVALID_REQUEST : PARSE_ERROR,
                      rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                      ? "the body is larger than TasksMaxBodySize"
                      : "the body could not be read");
    body = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body || !(json_is_object(body) || json_is_array(body))) {
        json_decref(body);
        return refuse(r, HTTP_BAD_REQUEST, PARSE_ERROR, "Parse error: the "
                      "body is not a JSON object or array");
    }
    memset(&m, 0, sizeof m);
    m.r = r;
    m.svc = tasks_req_service(r);
    m.who = tasks_req_caller(r);
    /* initialize names its version in its params; anything else in the
     * header, or it speaks the version before the header existed. */
    if (json_is_object(body) && json_is_string(json_object_get(body, "method"))
        && !strcmp(json_string_value(json_object_get(body, "method")), "initialize"))
        m.version = tasks_mcp_negotiate(json_string_value(json_object_get(
                        json_object_get(body, "params"), "protocolVersion")));
    else if (header && !tasks_mcp_version_supported(header)) {
        json_decref(body);
        return refuse(r, HTTP_BAD_REQUEST, INVALID_REQUEST, apr_psprintf(
            r->pool, "Unsupported MCP-Protocol-Version: %s (supported: "
            "2025-11-25, 2025-06-18, 2025-03-26)",
            ap_escape_html(r->pool, header)));
    }
    else
        m.version = header ? header : TASKS_MCP_ASSUMED;
    if (json_is_array(body)) {
        size_t i, n = json_array_size(body);

        if (!tasks_mcp_batches(m.version) || n == 0 || n > MAX_BATCH) {
            json_decref(body);
            return refuse(r, HTTP_BAD_REQUEST, INVALID_REQUEST, n == 0
                          ? "an empty batch" : n > MAX_BATCH
                          ? "a batch of more than 32 messages"
                          : "batches are not part of this protocol version");
        }
        out = json_array();
        for (i = 0; i < n; i++) {
            json_t *a = answer(&m, json_array_get(body, i), 1);

            if (a)
                json_array_append_new(out, a);
        }
        if (json_array_size(out) == 0) {
            json_decref(out);
            out = NULL;
        }
    }
    else
        out = answer(&m, body, 0);
    json_decref(body);
    return send_rpc(r, HTTP_OK, out);
}

/* ---- Protected resource metadata (RFC 9728) ----------------------------- */

/* Promise: see module.h. */
const char *tasks_mcp_metadata_url(request_rec *r)
{
    return ap_construct_url(r->pool, apr_pstrcat(r->pool, PRM_PATH,
                            tasks_srv_api_path(r->server), "/mcp", NULL), r);
}

/* Promise: see module.h. */
int tasks_mcp_metadata_translate(request_rec *r)
{
    const char *u = r->uri, *api;

    if (r->main || !u || strncmp(u, PRM_PATH, strlen(PRM_PATH)) != 0
        || !tasks_srv_ready(r->server))
        return DECLINED;
    api = apr_pstrcat(r->pool, tasks_srv_api_path(r->server), "/mcp", NULL);
    u += strlen(PRM_PATH);
    if (*u != '\0' && strcmp(u, api) != 0)
        return DECLINED;
    r->handler = TASKS_PRM_HANDLER;
    r->filename = apr_pstrdup(r->pool, "tasks:oauth-protected-resource");
    apr_table_setn(r->notes, "tasks-no-walk", r->uri);
    return OK;
}

/* Promise: see module.h. */
int tasks_mcp_metadata_handler(request_rec *r)
{
    tasks_srv_cfg *sc;
    json_t *doc, *servers;
    const char *own;
    char *text;
    int i, rc;

    if (!r->handler || strcmp(r->handler, TASKS_PRM_HANDLER) != 0)
        return DECLINED;
    if (r->method_number != M_GET) {
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
        return HTTP_METHOD_NOT_ALLOWED;
    }
    sc = tasks_srv(r->server);
    servers = json_array();
    /* Who issues the tokens taken here: this server (TasksJWTIssuer, or
     * its own address), then every trusted issuer. */
    own = sc->token.issuer ? sc->token.issuer
        : ap_construct_url(r->pool, tasks_srv_base_path(r->server), r);
    json_array_append_new(servers, json_string(own));
    for (i = 0; sc->issuers && i < sc->issuers->nelts; i++)
        json_array_append_new(servers, json_string(tasks_issuer_name(
            APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *))));
    doc = json_pack("{s:s, s:o, s:[s], s:s}",
                    "resource", ap_construct_url(r->pool, apr_pstrcat(r->pool,
                        tasks_srv_api_path(r->server), "/mcp", NULL), r),
                    "authorization_servers", servers,
                    "bearer_methods_supported", "header",
                    "resource_name", "mod_tasks");
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return HTTP_INTERNAL_SERVER_ERROR;
    rc = tasks_send_body(r, HTTP_OK, "application/json", "public, max-age=3600",
                         apr_pstrdup(r->pool, text));
    free(text);
    return rc;
}
