/* List query strings: what parses has a fingerprint; the next page's
 * query string (tasks_list_query_next_args) parses again to the same
 * fingerprint, limit and cursor, and is a fixed point (canonical). The
 * same text as the changes feed's query has a limit in range, and as
 * the reminders' query UTC instants with until present. */
#include "fuzz.h"
#include "tasks/core/list_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *args = fuzz_cstr(p, data, size), *fp, *next, *next2, *bad;
    tasks_list_query q, q2, q3;

    {
        const char *since, *until;
        int limit;

        if (!tasks_changes_query_parse(p, args, &since, &limit))
            CHECK(limit >= 1 && limit <= TASKS_LIST_MAX_LIMIT && (!since || *since),
                  "changes limit %d", limit);
        if (!tasks_reminders_query_parse(p, args, &since, &until))
            CHECK(until && strlen(until) == 27 && (!since || strlen(since) == 27),
                  "reminders window");
    }
    if (tasks_list_query_parse(p, args, &q) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    CHECK(q.limit >= 1 && q.limit <= TASKS_LIST_MAX_LIMIT, "limit %d", q.limit);
    CHECK(q.sort >= 0 && q.sort < TASKS_SORT_COUNT, "sort %d", q.sort);
    fp = tasks_list_query_fingerprint(p, &q);
    CHECK(fp != NULL && *fp != '\0', "fingerprint");
    next = tasks_list_query_next_args(p, &q, "k1.e30.AA");
    CHECK(next != NULL, "next args");
    bad = tasks_list_query_parse(p, next, &q2);
    CHECK(bad == NULL, "%s -> %s refused (%s)", args, next, bad);
    CHECK(strcmp(fp, tasks_list_query_fingerprint(p, &q2)) == 0,
          "%s -> %s: fingerprint changed", args, next);
    CHECK(q2.limit == q.limit && str_eq(q2.cursor, "k1.e30.AA"), "%s -> %s", args, next);
    next2 = tasks_list_query_next_args(p, &q2, "k1.e30.AA");
    CHECK(strcmp(next, next2) == 0, "not canonical: %s then %s", next, next2);
    CHECK(tasks_list_query_parse(p, next2, &q3) == NULL, "fixed point");
    apr_pool_destroy(p);
    return 0;
}
