/* Task bodies: the first byte picks the rules (create, PUT, PATCH), the
 * rest is the body. Whatever parses and validates is made into a row as
 * the store would return it; the JSON writer's text must parse with
 * jansson (tasks_json_parse_object) and validate (PUT rules) to the same
 * input again (list_id, the rule, zone and reminders too). */
#include "fuzz.h"
#include <jansson.h>
#include "tasks/core/problem.h"
#include "tasks/core/task.h"
#include "tasks/core/task_json.h"
#include "tasks/core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_t *obj = NULL, *obj2 = NULL;
    tasks_task_input in, in2;
    tasks_task_row row;
    tasks_input_mode mode;
    const char *text;

    if (size < 1)
        return 0;
    p = fuzz_pool();
    mode = data[0] % 3 == 0 ? TASKS_INPUT_CREATE
         : data[0] % 3 == 1 ? TASKS_INPUT_PUT : TASKS_INPUT_PATCH;
    if (tasks_json_parse_object(p, (const char *)data + 1, size - 1, &obj) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    memset(&in, 0, sizeof(in));
    if (tasks_task_input_from_json(p, obj, mode, &in) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    if (mode != TASKS_INPUT_PATCH)
        CHECK(in.has_title && in.title != NULL, "title required");

    memset(&row, 0, sizeof(row));
    row.id = "9223372036854775807";
    row.user_id = "00000000-0000-4000-8000-000000000001";
    row.title = in.has_title ? in.title : "kept";
    row.description = in.has_description ? in.description : NULL;
    row.completed = in.has_completed && in.completed ? "t" : "f";
    row.priority = apr_itoa(p, in.has_priority ? in.priority : 0);
    row.due_at = in.has_due_at ? in.due_at : NULL;
    row.tags = in.has_tags && in.tags != NULL ? in.tags : "[]";
    /* No list given: the Inbox, which the store would name (here: 1). */
    row.list_id = apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)
                               (in.has_list_id && in.list_id > 0 ? in.list_id : 1));
    row.recurrence = in.has_recurrence ? in.recurrence : NULL;
    row.time_zone = in.has_time_zone && in.time_zone ? in.time_zone : "UTC";
    row.reminders = in.has_reminders && in.reminders ? in.reminders : "[]";
    row.created_at = "2026-12-05T01:00:00.000000Z";
    row.updated_at = "2026-12-05T01:00:00.000001Z";
    row.completed_at = NULL;
    row.version = "1";

    text = tasks_task_json(p, &row);
    CHECK(text != NULL, "writer refused a validated row (title %s)", row.title);
    CHECK(tasks_json_parse_object(p, text, strlen(text), &obj2) == NULL,
          "writer output does not parse: %s", text);
    {   /* exactly what jansson writes for the same object */
        char *dump = json_dumps(obj2, JSON_COMPACT | JSON_PRESERVE_ORDER);
        CHECK(dump != NULL && strcmp(dump, text) == 0, "%s vs jansson %s", text, S(dump));
        free(dump);
    }
    memset(&in2, 0, sizeof(in2));
    CHECK(tasks_task_input_from_json(p, obj2, TASKS_INPUT_PUT, &in2) == NULL,
          "writer output refused: %s", text);
    CHECK(str_eq(in2.title, row.title), "title %s vs %s", in2.title, row.title);
    CHECK(str_eq(in2.description, row.description), "description");
    CHECK(in2.completed == (row.completed[0] == 't'), "completed");
    CHECK(!in.has_priority || in2.priority == in.priority, "priority");
    CHECK(str_eq(in2.due_at, row.due_at), "due_at %s vs %s", S(in2.due_at), S(row.due_at));
    CHECK(str_eq(in2.tags, row.tags), "tags %s vs %s", S(in2.tags), row.tags);
    CHECK(str_eq(in2.recurrence, row.recurrence), "recurrence %s vs %s",
          S(in2.recurrence), S(row.recurrence));
    CHECK(str_eq(in2.time_zone, row.time_zone), "time_zone %s vs %s",
          S(in2.time_zone), row.time_zone);
    CHECK(str_eq(in2.reminders, row.reminders), "reminders %s vs %s",
          S(in2.reminders), row.reminders);
    CHECK(in2.has_list_id && !strcmp(apr_psprintf(p, "%" APR_INT64_T_FMT,
                                     (apr_int64_t)in2.list_id), row.list_id),
          "list_id %lld vs %s", in2.list_id, row.list_id);
    apr_pool_destroy(p);
    return 0;
}
