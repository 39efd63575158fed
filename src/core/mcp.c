/* mcp.c - MCP versions, the tools and their schemas, and the checks of
 * arguments that are MCP's own (mcp.h). The schemas use only keywords
 * that mean the same in JSON Schema draft-07 and 2020-12 (the SDK
 * validates results with Ajv's draft-07; the 2025-11-25 specification
 * reads schemas as 2020-12). */
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "tasks/core/mcp.h"
#include "tasks/core/route.h"
#include "tasks/core/task.h"

static const char *const versions[] = { "2025-11-25", "2025-06-18",
                                        "2025-03-26" };

/* Promise: see mcp.h. */
int tasks_mcp_version_supported(const char *v)
{
    size_t i;

    for (i = 0; v && i < sizeof versions / sizeof *versions; i++)
        if (strcmp(v, versions[i]) == 0)
            return 1;
    return 0;
}

/* Promise: see mcp.h. */
const char *tasks_mcp_negotiate(const char *requested)
{
    return tasks_mcp_version_supported(requested) ? requested : TASKS_MCP_LATEST;
}

/* Promise: see mcp.h. Dates compare as text. */
int tasks_mcp_structured(const char *version)
{
    return version && strcmp(version, "2025-06-18") >= 0;
}

/* Promise: see mcp.h. */
int tasks_mcp_batches(const char *version)
{
    return version && strcmp(version, "2025-03-26") == 0;
}

static const struct {
    const char *name, *title, *description;
    int read_only, destructive, idempotent;
} tools[TASKS_MCP_TOOL_COUNT] = {
#define X(id, name, title, ro, destructive, idempotent, description) \
    [TASKS_MCP_##id] = { name, title, description, ro, destructive, idempotent },
    TASKS_MCP_TOOLS(X)
#undef X
};

/* Promise: see mcp.h. */
int tasks_mcp_tool_find(const char *name)
{
    int i;

    for (i = 0; name && i < TASKS_MCP_TOOL_COUNT; i++)
        if (strcmp(tools[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- Schemas from the field table ------------------------------------- */

/* What a model reads about each field it may write (the rules are the
 * field table's; this only says them in words). */
static const struct {
    const char *name, *text;
} field_help[] = {
    { "title", "What the task is" },
    { "description", "Notes on the task, or null" },
    { "completed", "Whether it is done" },
    { "priority", "none, low, medium or high" },
    { "due_at", "When it is due: an RFC 3339 date-time with an offset, "
                "e.g. 2026-12-24T09:00:00Z; or null" },
    { "tags", "Labels, each 1-50 characters; at most 20" },
    { "list_id", "The id of one of the person's lists (default: the Inbox)" },
    { "recurrence", "An RRULE value such as FREQ=WEEKLY;BYDAY=MO, or null; "
                    "needs due_at (the first occurrence)" },
    { "time_zone", "The IANA time zone the recurrence follows, e.g. "
                   "Europe/Berlin (default UTC)" },
    { "reminders", "Each a duration before due_at (PT15M, P1D) or an RFC "
                   "3339 instant; at most 10" },
};

static json_t *with_help(json_t *schema, const char *field)
{
    size_t i;

    for (i = 0; schema && i < sizeof field_help / sizeof *field_help; i++)
        if (strcmp(field_help[i].name, field) == 0)
            json_object_set_new(schema, "description",
                                json_string(field_help[i].text));
    return schema;
}

/* A field's schema by its kind: as a tool takes it (in) or as a result
 * gives it (the Task object: types only). */
static json_t *type_or_null(const char *type)
{
    return json_pack("{s:[s,s]}", "type", type, "null");
}

static json_t *schema_ID(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s}", "type", "integer");
}
static json_t *schema_UUID(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s}", "type", "string");
}
static json_t *schema_TITLE(int min, int max, int items, int in)
{
    (void)items;
    return in ? json_pack("{s:s, s:i, s:i}", "type", "string", "minLength", min,
                          "maxLength", max)
              : json_pack("{s:s}", "type", "string");
}
static json_t *schema_NOTE(int min, int max, int items, int in)
{
    json_t *s = type_or_null("string");

    (void)min, (void)items;
    if (in)
        json_object_set_new(s, "maxLength", json_integer(max));
    return s;
}
static json_t *schema_DONE(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s}", "type", "boolean");
}
static json_t *schema_PRIORITY(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s, s:[s,s,s,s]}", "type", "string", "enum",
                     "none", "low", "medium", "high");
}
static json_t *schema_INSTANT(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return type_or_null("string");
}
static json_t *schema_TIME(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s}", "type", "string");
}
static json_t *schema_TAGS(int min, int max, int items, int in)
{
    return in ? json_pack("{s:s, s:{s:s, s:i, s:i}, s:i}", "type", "array",
                          "items", "type", "string", "minLength", min,
                          "maxLength", max, "maxItems", items)
              : json_pack("{s:s, s:{s:s}}", "type", "array", "items",
                          "type", "string");
}
static json_t *schema_LIST(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items;
    return in ? json_pack("{s:s, s:i}", "type", "integer", "minimum", 1)
              : json_pack("{s:s}", "type", "integer");
}
static json_t *schema_RULE(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return type_or_null("string");
}
static json_t *schema_ZONE(int min, int max, int items, int in)
{
    (void)min, (void)max, (void)items, (void)in;
    return json_pack("{s:s}", "type", "string");
}
static json_t *schema_REMINDERS(int min, int max, int items, int in)
{
    (void)min, (void)max;
    return in ? json_pack("{s:s, s:{s:s}, s:i}", "type", "array", "items",
                          "type", "string", "maxItems", items)
              : json_pack("{s:s, s:{s:s}}", "type", "array", "items",
                          "type", "string");
}
/* The Task object a result holds: every field sent, all required. */
static json_t *task_schema(void)
{
    json_t *props = json_object(), *req = json_array();

#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_SENT(access, json_object_set_new(props, #name,              \
                                              schema_##kind(min, max, items, 0)); \
                          json_array_append_new(req, json_string(#name));)
    TASKS_TASK_FIELDS(X)
#undef X
    return json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props,
                     "required", req);
}

/* The writable fields as a tool's properties (into props). */
static void writable_properties(json_t *props)
{
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, json_object_set_new(props, #name, with_help(      \
                            schema_##kind(min, max, items, 1), #name));)
    TASKS_TASK_FIELDS(X)
#undef X
}

static json_t *task_id_schema(void)
{
    return json_pack("{s:s, s:i, s:s}", "type", "integer", "minimum", 1,
                     "description", "The task's id (from add_task or "
                     "list_tasks)");
}

/* list_tasks' arguments: GET /api/tasks' query parameters. */
static const char *const list_params[] = {
    "status", "q", "tag", "priority", "due_before", "due_after", "list_id",
    "sort", "order", "limit", "cursor", NULL
};

static json_t *list_param_schema(const char *name)
{
    if (!strcmp(name, "status"))
        return json_pack("{s:s, s:[s,s,s], s:s}", "type", "string", "enum",
                         "all", "pending", "completed", "description",
                         "Which tasks (default all)");
    if (!strcmp(name, "q"))
        return json_pack("{s:s, s:s}", "type", "string", "description",
                         "Text the title or description contains (any "
                         "letter case)");
    if (!strcmp(name, "tag"))
        return json_pack("{s:[s,s], s:{s:s}, s:s}", "type", "string", "array",
                         "items", "type", "string", "description",
                         "A tag, or tags, every task listed has");
    if (!strcmp(name, "priority"))
        return schema_PRIORITY(0, 0, 0, 1);
    if (!strcmp(name, "due_before") || !strcmp(name, "due_after"))
        return json_pack("{s:s, s:s}", "type", "string", "description",
                         !strcmp(name, "due_before")
                         ? "Only tasks due before this RFC 3339 date-time"
                         : "Only tasks due after this RFC 3339 date-time");
    if (!strcmp(name, "list_id"))
        return json_pack("{s:s, s:i, s:s}", "type", "integer", "minimum", 1,
                         "description", "Only the tasks of this list");
    if (!strcmp(name, "sort"))
        return json_pack("{s:s, s:[s,s,s,s,s], s:s}", "type", "string", "enum",
                         "created_at", "updated_at", "due_at", "priority",
                         "title", "description",
                         "What to order by (default created_at)");
    if (!strcmp(name, "order"))
        return json_pack("{s:s, s:[s,s], s:s}", "type", "string", "enum", "asc",
                         "desc", "description", "default desc");
    if (!strcmp(name, "limit"))
        return json_pack("{s:s, s:i, s:i, s:s}", "type", "integer", "minimum", 1,
                         "maximum", 1000, "description",
                         "At most this many (default 100)");
    return json_pack("{s:s, s:s}", "type", "string", "description",
                     "next_cursor of the previous call with the same filters");
}

/* Does tool t take the argument key (what its input schema lists)? */
static int takes_arg(tasks_mcp_tool t, const char *key)
{
    int writable = 0, i;

#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, writable |= !strcmp(key, #name);)
    TASKS_TASK_FIELDS(X)
#undef X
    switch (t) {
    case TASKS_MCP_ADD_TASK:
        return writable;
    case TASKS_MCP_UPDATE_TASK:
        return writable || !strcmp(key, "task_id");
    case TASKS_MCP_COMPLETE_TASK:
        return !strcmp(key, "task_id") || !strcmp(key, "completed");
    case TASKS_MCP_DELETE_TASK:
        return !strcmp(key, "task_id");
    case TASKS_MCP_LIST_TASKS:
        for (i = 0; list_params[i]; i++)
            if (!strcmp(key, list_params[i]))
                return 1;
        return 0;
    default:
        return 0;
    }
}

static json_t *input_schema(tasks_mcp_tool t)
{
    json_t *props = json_object(), *req = json_array();
    int i;

    switch (t) {
    case TASKS_MCP_ADD_TASK:
        writable_properties(props);
        json_array_append_new(req, json_string("title"));
        break;
    case TASKS_MCP_UPDATE_TASK:
        json_object_set_new(props, "task_id", task_id_schema());
        writable_properties(props);
        json_array_append_new(req, json_string("task_id"));
        break;
    case TASKS_MCP_COMPLETE_TASK:
        json_object_set_new(props, "task_id", task_id_schema());
        json_object_set_new(props, "completed", json_pack(
            "{s:s, s:s}", "type", "boolean", "description",
            "true (the default): done; false: not done"));
        json_array_append_new(req, json_string("task_id"));
        break;
    case TASKS_MCP_DELETE_TASK:
        json_object_set_new(props, "task_id", task_id_schema());
        json_array_append_new(req, json_string("task_id"));
        break;
    case TASKS_MCP_LIST_TASKS:
        for (i = 0; list_params[i]; i++)
            json_object_set_new(props, list_params[i],
                                list_param_schema(list_params[i]));
        break;
    default:
        break;
    }
    return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties",
                     props, "required", req, "additionalProperties", 0);
}

static json_t *output_schema(tasks_mcp_tool t)
{
    switch (t) {
    case TASKS_MCP_LIST_TASKS:
        return json_pack("{s:s, s:{s:{s:s, s:o}, s:{s:s}, s:{s:[s,s]}}, s:[s,s,s]}",
                         "type", "object", "properties",
                         "tasks", "type", "array", "items", task_schema(),
                         "total", "type", "integer",
                         "next_cursor", "type", "string", "null",
                         "required", "tasks", "total", "next_cursor");
    case TASKS_MCP_DELETE_TASK:
        return json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s,s]}", "type",
                         "object", "properties", "deleted", "type", "boolean",
                         "task_id", "type", "integer", "required", "deleted",
                         "task_id");
    default:
        return json_pack("{s:s, s:{s:o}, s:[s]}", "type", "object",
                         "properties", "task", task_schema(), "required",
                         "task");
    }
}

/* Promise: see mcp.h. */
json_t *tasks_mcp_tools_list(const char *version)
{
    json_t *list = json_array();
    int structured = tasks_mcp_structured(version);
    int i;

    for (i = 0; i < TASKS_MCP_TOOL_COUNT; i++) {
        json_t *tool = json_pack(
            "{s:s, s:s, s:o, s:{s:s, s:b, s:b, s:b, s:b}}",
            "name", tools[i].name, "description", tools[i].description,
            "inputSchema", input_schema(i),
            "annotations", "title", tools[i].title,
            "readOnlyHint", tools[i].read_only,
            "destructiveHint", tools[i].destructive,
            "idempotentHint", tools[i].idempotent,
            "openWorldHint", 0);

        if (structured) {
            json_object_set_new(tool, "title", json_string(tools[i].title));
            json_object_set_new(tool, "outputSchema", output_schema(i));
        }
        json_array_append_new(list, tool);
    }
    return json_pack("{s:o}", "tools", list);
}

/* ---- Arguments -------------------------------------------------------- */

/* Promise: see mcp.h. */
const char *tasks_mcp_check_args(apr_pool_t *p, tasks_mcp_tool t,
                                 const json_t *args, const char *user_id)
{
    const char *key;
    json_t *member;

    if (args == NULL)
        return NULL;
    if (!json_is_object(args))
        return "arguments must be an object";
    json_object_foreach((json_t *)args, key, member) {
        if (strcmp(key, "user_id") == 0) {
            /* The person is the token's: a model never names another. */
            if (!json_is_string(member) || !user_id
                || strcmp(json_string_value(member), user_id) != 0)
                return "user_id is not the signed-in person's: these tools "
                       "act for the signed-in person only; leave user_id out";
        }
        else if (!takes_arg(t, key))
            return apr_psprintf(p, "%s does not take the argument %s",
                                tools[t].name, key);
    }
    return NULL;
}

/* Promise: see mcp.h. */
const char *tasks_mcp_task_id(apr_pool_t *p, const json_t *args,
                              const char **why)
{
    const json_t *v = args ? json_object_get(args, "task_id") : NULL;
    const char *digits;

    *why = NULL;
    if (v == NULL) {
        *why = "task_id is required";
        return NULL;
    }
    if (json_is_integer(v))
        digits = apr_psprintf(p, "%" APR_INT64_T_FMT,
                              (apr_int64_t)json_integer_value(v));
    else if (json_is_string(v))
        digits = json_string_value(v);
    else
        digits = NULL;
    if (!digits || !tasks_route_id_valid(digits, strlen(digits))) {
        *why = "task_id must be a task's id: a positive whole number";
        return NULL;
    }
    return apr_pstrdup(p, digits);
}

/* name=value (value URL-encoded) appended to *q. */
static void query_add(apr_pool_t *p, const char **q, const char *name,
                      const char *value)
{
    *q = apr_pstrcat(p, *q, **q ? "&" : "", name, "=",
                     apr_pescape_urlencoded(p, value), NULL);
}

/* Promise: see mcp.h. */
const char *tasks_mcp_list_query(apr_pool_t *p, const json_t *args,
                                 const char **why)
{
    const char *q = "", *key;
    json_t *v;

    *why = NULL;
    if (args == NULL)
        return q;
    json_object_foreach((json_t *)args, key, v) {
        if (strcmp(key, "user_id") == 0)
            continue;
        if (json_is_string(v))
            query_add(p, &q, key, json_string_value(v));
        else if (json_is_integer(v))
            query_add(p, &q, key, apr_psprintf(p, "%" APR_INT64_T_FMT,
                                               (apr_int64_t)json_integer_value(v)));
        else if (strcmp(key, "tag") == 0 && json_is_array(v)) {
            size_t i;

            for (i = 0; i < json_array_size(v); i++) {
                if (!json_is_string(json_array_get(v, i))) {
                    *why = "tag must be a string or a list of strings";
                    return NULL;
                }
                query_add(p, &q, key, json_string_value(json_array_get(v, i)));
            }
        }
        else {
            *why = apr_psprintf(p, "%s must be %s", key,
                                strcmp(key, "limit") == 0
                                || strcmp(key, "list_id") == 0
                                ? "a whole number" : "a string");
            return NULL;
        }
    }
    return q;
}
