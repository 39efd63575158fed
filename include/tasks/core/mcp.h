/* mcp.h - the Model Context Protocol front end's pure parts (API.md,
 * "MCP"): which protocol versions we speak and what each allows, the five
 * tools and their JSON Schemas (the task fields' schemas come from the
 * field table, task.h), and the checks of a tool's arguments that are
 * MCP's own (names, the caller's user_id). The task rules are not here:
 * arguments become the same drafts and list queries as JSON bodies and
 * query strings do, and the task service judges them. Pure: APR and
 * jansson. */
#ifndef TASKS_CORE_MCP_H
#define TASKS_CORE_MCP_H

#include <apr_pools.h>
#include <jansson.h>

/* The newest version we speak, answered to a client that asks for one we
 * do not; and the one a request without MCP-Protocol-Version is taken to
 * speak (the transport's rule since 2025-06-18). */
#define TASKS_MCP_LATEST "2025-11-25"
#define TASKS_MCP_ASSUMED "2025-03-26"

/* Is v one of 2025-03-26, 2025-06-18, 2025-11-25? */
int tasks_mcp_version_supported(const char *v);

/* initialize's answer to a client asking for requested (any text, NULL). */
const char *tasks_mcp_negotiate(const char *requested);

/* Since 2025-06-18: titles, outputSchema and structuredContent. */
int tasks_mcp_structured(const char *version);

/* Only 2025-03-26 takes JSON-RPC batches. */
int tasks_mcp_batches(const char *version);

/* The tools:
 *   X(id, name, title, read_only, destructive, idempotent, description)
 * complete_task is not idempotent: completing a recurring task twice
 * moves it on twice. */
#define TASKS_MCP_TOOLS(X)                                                 \
    X(ADD_TASK, "add_task", "Add a task", 0, 0, 0,                         \
      "Add a task to the signed-in person's list. Only title is "          \
      "required; the task goes to the Inbox unless list_id names "         \
      "another of their lists. Returns the task as created.")              \
    X(LIST_TASKS, "list_tasks", "List tasks", 1, 0, 1,                     \
      "List the signed-in person's tasks, newest first unless sort and "   \
      "order say otherwise, at most limit (default 100) per call. Filter " \
      "by status, q (a word in the title or description), tag, "          \
      "priority, list_id and due dates. When next_cursor is not null, "    \
      "call again with the same filters and cursor set to it for the "     \
      "next page.")                                                        \
    X(COMPLETE_TASK, "complete_task", "Complete a task", 0, 0, 0,          \
      "Mark a task as completed (or, with completed false, as not "        \
      "completed). Completing a recurring task moves it to its next "      \
      "occurrence instead. Returns the task as it is now.")                \
    X(DELETE_TASK, "delete_task", "Delete a task", 0, 1, 1,                \
      "Delete a task for good (there is no undo).")                        \
    X(UPDATE_TASK, "update_task", "Update a task", 0, 1, 1,                \
      "Change some fields of a task: only the fields given change (null "  \
      "clears description, due_at or recurrence). Returns the task as it " \
      "is now.")

typedef enum {
#define TASKS_X_TOOL(id, name, title, ro, destructive, idempotent, description) \
    TASKS_MCP_##id,
    TASKS_MCP_TOOLS(TASKS_X_TOOL)
#undef TASKS_X_TOOL
    TASKS_MCP_TOOL_COUNT
} tasks_mcp_tool;

/* The tool named name, or -1. */
int tasks_mcp_tool_find(const char *name);

/* tools/list's result for a client of version (a new reference):
 * {"tools": [...]}, each with name, description, inputSchema and
 * annotations, and (tasks_mcp_structured) title and outputSchema. */
json_t *tasks_mcp_tools_list(const char *version);

/* The arguments of a call of tool t (a JSON object; NULL: none) against
 * what the tool takes: NULL when they may go on, or why not, for the
 * model: an argument the tool does not take, or a user_id other than
 * user_id (the tools act for the token's user; the same id is allowed
 * and ignored). In p. */
const char *tasks_mcp_check_args(apr_pool_t *p, tasks_mcp_tool t,
                                 const json_t *args, const char *user_id);

/* The task_id argument as canonical digits (tasks_route_id_valid), or
 * NULL with *why set. */
const char *tasks_mcp_task_id(apr_pool_t *p, const json_t *args,
                              const char **why);

/* list_tasks' arguments as the query string GET /api/tasks takes (each
 * value URL-encoded; tag a string or an array of them; numbers as
 * digits), for tasks_list_query_parse to judge; NULL with *why when an
 * argument has a type no query parameter can carry. */
const char *tasks_mcp_list_query(apr_pool_t *p, const json_t *args,
                                 const char **why);

#endif
