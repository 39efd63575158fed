/* A tool call's arguments as a model might send them (any JSON): for
 * every tool, the argument check decides without a crash, a task_id it
 * gives is a canonical id, and list_tasks' arguments that pass become a
 * query string every value of which is URL-encoded (no space, no second
 * "=" in a pair), which the list query parser then judges. */
#include "fuzz.h"
#include "tasks/core/list_query.h"
#include "tasks/core/mcp.h"
#include "tasks/core/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    json_t *args = json_loadb((const char *)data, size,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    const char *why, *id, *q;
    tasks_list_query lq;
    int t;

    for (t = 0; t < TASKS_MCP_TOOL_COUNT; t++)
        (void)tasks_mcp_check_args(p, t, args, "00000000-0000-4000-8000-000000000000");
    if (json_is_object(args)) {
        if ((id = tasks_mcp_task_id(p, args, &why)))
            CHECK(tasks_route_id_valid(id, strlen(id)), "task_id %s", id);
        else
            CHECK(why != NULL, "no task_id and no reason");
        if (!tasks_mcp_check_args(p, TASKS_MCP_LIST_TASKS, args, NULL)
            && (q = tasks_mcp_list_query(p, args, &why))) {
            const char *pair = q;

            CHECK(!strchr(q, ' '), "a space in %s", q);
            while (*pair) {
                const char *end = strchr(pair, '&'), *eq = strchr(pair, '=');

                if (!end)
                    end = pair + strlen(pair);
                CHECK(eq && eq < end && !memchr(eq + 1, '=', (size_t)(end - eq - 1)),
                      "pair without one '=' in %s", q);
                pair = *end ? end + 1 : end;
            }
            (void)tasks_list_query_parse(p, q, &lq);
        }
    }
    json_decref(args);
    apr_pool_destroy(p);
    return 0;
}
