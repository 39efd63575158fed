/* Route matching: any path matches at most one route; a task route's id
 * is canonical (tasks_route_id_valid) and the canonical path built from
 * what matched matches again to the same route and parameters. */
#include "fuzz.h"
#include "tasks/core/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *path = fuzz_cstr(p, data, size);
    tasks_route r, again;

    tasks_route_match(p, path, &r);
    CHECK(r.id >= TASKS_ROUTE_NOT_FOUND && r.id < TASKS_ROUTE_COUNT, "id %d", r.id);
    CHECK(tasks_route_allow(r.id) != NULL || r.id == TASKS_ROUTE_NOT_FOUND, "allow");
    CHECK(tasks_route_allows(r.id, "OPTIONS") || r.id == TASKS_ROUTE_NOT_FOUND, "OPTIONS");
    if (r.id == TASKS_ROUTE_TASK || r.id == TASKS_ROUTE_TASK_COMPLETE
        || r.id == TASKS_ROUTE_TASK_COMPLETIONS) {
        CHECK(r.bad_id || r.task_id != NULL, "task id for %s", path);
        if (!r.bad_id) {
            const char *canon = apr_pstrcat(p,
                r.path_user_id ? "/" : "", r.path_user_id ? r.path_user_id : "",
                "/tasks/", r.task_id,
                r.id == TASKS_ROUTE_TASK_COMPLETE ? "/complete"
                : r.id == TASKS_ROUTE_TASK_COMPLETIONS ? "/completions" : "", NULL);

            CHECK(tasks_route_id_valid(r.task_id, strlen(r.task_id)), "%s", r.task_id);
            tasks_route_match(p, canon, &again);
            CHECK(again.id == r.id && !again.bad_id && str_eq(again.task_id, r.task_id)
                  && str_eq(again.path_user_id, r.path_user_id),
                  "%s -> %s does not match again", path, canon);
        }
        else
            CHECK(r.task_id == NULL || !tasks_route_id_valid(r.task_id, strlen(r.task_id)),
                  "bad id %s", r.task_id);
    }
    else
        CHECK(!r.bad_id || r.id == TASKS_ROUTE_LIST || r.id == TASKS_ROUTE_APP_PASSWORD,
              "bad_id outside task, list and app password routes: %s", path);
    apr_pool_destroy(p);
    return 0;
}
