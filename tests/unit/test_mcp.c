/* test_mcp.c - MCP's versions, tools, schemas and argument checks
 * (core/mcp.c). */
#include <string.h>

#include "suites.h"
#include "tasks/core/mcp.h"
#include "tasks/core/task.h"

START_TEST(versions_are_negotiated_and_gate_features)
{
    ck_assert(tasks_mcp_version_supported("2025-03-26"));
    ck_assert(tasks_mcp_version_supported("2025-06-18"));
    ck_assert(tasks_mcp_version_supported("2025-11-25"));
    ck_assert(!tasks_mcp_version_supported("2024-11-05"));
    ck_assert(!tasks_mcp_version_supported("2026-07-28"));
    ck_assert(!tasks_mcp_version_supported(NULL));
    ck_assert_str_eq(tasks_mcp_negotiate("2025-06-18"), "2025-06-18");
    ck_assert_str_eq(tasks_mcp_negotiate("2024-11-05"), "2025-11-25");
    ck_assert_str_eq(tasks_mcp_negotiate(NULL), "2025-11-25");
    ck_assert(!tasks_mcp_structured("2025-03-26"));
    ck_assert(tasks_mcp_structured("2025-06-18"));
    ck_assert(tasks_mcp_structured("2025-11-25"));
    ck_assert(tasks_mcp_batches("2025-03-26"));
    ck_assert(!tasks_mcp_batches("2025-06-18"));
}
END_TEST

static json_t *tool(json_t *list, const char *name)
{
    size_t i;

    for (i = 0; i < json_array_size(json_object_get(list, "tools")); i++) {
        json_t *t = json_array_get(json_object_get(list, "tools"), i);

        if (!strcmp(json_string_value(json_object_get(t, "name")), name))
            return t;
    }
    return NULL;
}

START_TEST(add_task_takes_exactly_the_writable_fields)
{
    json_t *list = tasks_mcp_tools_list("2025-11-25");
    json_t *props = json_object_get(json_object_get(tool(list, "add_task"), "inputSchema"),
                                    "properties");
    size_t writable = 0;

#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, writable++; ck_assert_ptr_nonnull(json_object_get(props, #name));)
    TASKS_TASK_FIELDS(X)
#undef X
    ck_assert_int_eq(json_object_size(props), writable);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(props, "title"),
                                                        "maxLength")), 200);
    json_decref(list);
}
END_TEST

START_TEST(the_task_in_results_is_every_field_sent)
{
    json_t *list = tasks_mcp_tools_list("2025-11-25");
    json_t *task = json_object_get(json_object_get(json_object_get(
        tool(list, "complete_task"), "outputSchema"), "properties"), "task");
    json_t *props = json_object_get(task, "properties");

    ck_assert_ptr_nonnull(json_object_get(props, "id"));
    ck_assert_ptr_nonnull(json_object_get(props, "completed_at"));
    ck_assert_ptr_null(json_object_get(props, "version"));     /* HIDDEN */
    ck_assert_ptr_null(json_object_get(props, "dav_kept"));    /* RESOURCE */
    json_decref(list);
}
END_TEST

START_TEST(annotations_say_what_each_tool_does)
{
    json_t *list = tasks_mcp_tools_list("2025-11-25");
    static const struct { const char *name; int ro, destructive, idempotent; } want[] = {
        { "add_task", 0, 0, 0 }, { "list_tasks", 1, 0, 1 }, { "complete_task", 0, 0, 0 },
        { "delete_task", 0, 1, 1 }, { "update_task", 0, 1, 1 },
    };
    size_t i;

    ck_assert_int_eq(json_array_size(json_object_get(list, "tools")), 5);
    for (i = 0; i < sizeof want / sizeof *want; i++) {
        json_t *a = json_object_get(tool(list, want[i].name), "annotations");

        ck_assert_int_eq(json_is_true(json_object_get(a, "readOnlyHint")), want[i].ro);
        ck_assert_int_eq(json_is_true(json_object_get(a, "destructiveHint")), want[i].destructive);
        ck_assert_int_eq(json_is_true(json_object_get(a, "idempotentHint")), want[i].idempotent);
        ck_assert(json_is_false(json_object_get(a, "openWorldHint")));
    }
    json_decref(list);
}
END_TEST

START_TEST(version_2025_03_26_gets_no_titles_nor_output_schemas)
{
    json_t *list = tasks_mcp_tools_list("2025-03-26");
    json_t *t = tool(list, "list_tasks");

    ck_assert_ptr_null(json_object_get(t, "title"));
    ck_assert_ptr_null(json_object_get(t, "outputSchema"));
    ck_assert_ptr_nonnull(json_object_get(t, "inputSchema"));
    json_decref(list);
}
END_TEST

START_TEST(arguments_a_tool_does_not_take_are_refused)
{
    json_t *ok = json_pack("{s:s, s:s}", "title", "x", "user_id", "u-1");
    json_t *extra = json_pack("{s:i, s:b}", "task_id", 1, "force", 1);
    json_t *other = json_pack("{s:s}", "user_id", "u-2");
    json_t *not_object = json_pack("[i]", 1);
    const char *why;

    ck_assert_ptr_null(tasks_mcp_check_args(test_pool, TASKS_MCP_ADD_TASK, ok, "u-1"));
    ck_assert_ptr_null(tasks_mcp_check_args(test_pool, TASKS_MCP_LIST_TASKS, NULL, "u-1"));
    why = tasks_mcp_check_args(test_pool, TASKS_MCP_DELETE_TASK, extra, "u-1");
    ck_assert_ptr_nonnull(strstr(why, "force"));
    why = tasks_mcp_check_args(test_pool, TASKS_MCP_LIST_TASKS, other, "u-1");
    ck_assert_ptr_nonnull(strstr(why, "user_id"));
    ck_assert_ptr_nonnull(tasks_mcp_check_args(test_pool, TASKS_MCP_LIST_TASKS, not_object, "u-1"));
    /* title belongs to add and update, not to delete. */
    ck_assert_ptr_nonnull(tasks_mcp_check_args(test_pool, TASKS_MCP_DELETE_TASK, ok, "u-1"));
    json_decref(ok);
    json_decref(extra);
    json_decref(other);
    json_decref(not_object);
}
END_TEST

START_TEST(each_tool_takes_the_arguments_its_schema_lists_and_no_other)
{
    json_t *list = tasks_mcp_tools_list("2025-11-25");
    size_t i;

    for (i = 0; i < json_array_size(json_object_get(list, "tools")); i++) {
        json_t *t = json_array_get(json_object_get(list, "tools"), i);
        int id = tasks_mcp_tool_find(json_string_value(json_object_get(t, "name")));
        json_t *props = json_object_get(json_object_get(t, "inputSchema"), "properties");
        json_t *v, *args;
        const char *key;

        json_object_foreach(props, key, v) {
            args = json_pack("{s:n}", key);
            ck_assert_msg(tasks_mcp_check_args(test_pool, id, args, "u") == NULL,
                          "%s refuses %s", json_string_value(json_object_get(t, "name")), key);
            json_decref(args);
        }
        args = json_pack("{s:n}", "colour");
        ck_assert_ptr_nonnull(tasks_mcp_check_args(test_pool, id, args, "u"));
        json_decref(args);
    }
    json_decref(list);
}
END_TEST

START_TEST(a_task_id_is_a_canonical_positive_id)
{
    static const char *const good[] = { "{\"task_id\":7}", "{\"task_id\":\"42\"}",
                                        "{\"task_id\":9223372036854775807}" };
    static const char *const bad[] = { "{}", "{\"task_id\":0}", "{\"task_id\":-3}",
                                       "{\"task_id\":\"007\"}", "{\"task_id\":1.5}",
                                       "{\"task_id\":true}", "{\"task_id\":\"1 OR 1=1\"}" };
    const char *why;
    size_t i;

    for (i = 0; i < sizeof good / sizeof *good; i++) {
        json_t *a = json_loads(good[i], 0, NULL);

        ck_assert_ptr_nonnull(tasks_mcp_task_id(test_pool, a, &why));
        json_decref(a);
    }
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *a = json_loads(bad[i], 0, NULL);

        ck_assert_msg(tasks_mcp_task_id(test_pool, a, &why) == NULL, "%s", bad[i]);
        ck_assert_ptr_nonnull(why);
        json_decref(a);
    }
}
END_TEST

START_TEST(list_arguments_become_the_list_query_string)
{
    json_t *a = json_loads("{\"status\":\"pending\",\"q\":\"a b&c\",\"tag\":[\"x\",\"y\"],"
                           "\"limit\":5,\"user_id\":\"u\"}", 0, NULL);
    json_t *b = json_loads("{\"limit\":true}", 0, NULL);
    const char *why, *q = tasks_mcp_list_query(test_pool, a, &why);

    ck_assert_str_eq(q, "status=pending&q=a+b%26c&tag=x&tag=y&limit=5");
    ck_assert_ptr_null(tasks_mcp_list_query(test_pool, b, &why));
    ck_assert_str_eq(why, "limit must be a whole number");
    ck_assert_str_eq(tasks_mcp_list_query(test_pool, NULL, &why), "");
    json_decref(a);
    json_decref(b);
}
END_TEST

Suite *mcp_suite(void)
{
    Suite *s = suite_create("mcp");
    TCase *tc = tcase_create("mcp");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, versions_are_negotiated_and_gate_features);
    tcase_add_test(tc, add_task_takes_exactly_the_writable_fields);
    tcase_add_test(tc, the_task_in_results_is_every_field_sent);
    tcase_add_test(tc, annotations_say_what_each_tool_does);
    tcase_add_test(tc, version_2025_03_26_gets_no_titles_nor_output_schemas);
    tcase_add_test(tc, arguments_a_tool_does_not_take_are_refused);
    tcase_add_test(tc, each_tool_takes_the_arguments_its_schema_lists_and_no_other);
    tcase_add_test(tc, a_task_id_is_a_canonical_positive_id);
    tcase_add_test(tc, list_arguments_become_the_list_query_string);
    suite_add_tcase(s, tc);
    return s;
}
