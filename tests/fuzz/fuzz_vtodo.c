/* iCalendar bodies as a CalDAV client would PUT them: parsing never
 * crashes; a VTODO that parses and passes the task rules (PUT) renders
 * as a VCALENDAR that parses again to the same UID, kept text and
 * validated fields (what the store would send back is what was put). */
#include "fuzz.h"
#include "tasks/core/task.h"
#include "tasks/core/vtodo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    tasks_vtodo v, again;
    tasks_task_input in, in2;
    tasks_task_row row;
    const char *text;

    if (tasks_vtodo_parse(p, (const char *)data, size, &v) != NULL
        || v.draft.title.kind == TASKS_VALUE_ABSENT
        || tasks_task_validate(p, &v.draft, TASKS_INPUT_PUT, &in) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    memset(&row, 0, sizeof row);
    row.id = "42";
    row.user_id = "00000000-0000-4000-8000-000000000001";
    row.title = in.title;
    row.description = in.description;
    row.completed = in.completed ? "t" : "f";
    row.priority = apr_itoa(p, in.priority);
    row.due_at = in.due_at;
    row.tags = in.tags ? in.tags : "[]";
    row.list_id = "1";
    row.recurrence = in.recurrence;
    row.time_zone = in.has_time_zone && in.time_zone ? in.time_zone : "UTC";
    row.reminders = in.reminders ? in.reminders : "[]";
    row.created_at = "2026-12-05T01:00:00.000000Z";
    row.updated_at = "2026-12-05T01:00:00.000001Z";
    row.completed_at = in.completed ? "2026-12-05T01:00:00.000001Z" : NULL;
    row.version = "1";
    text = tasks_vtodo_render(p, &row, v.uid, v.kept);
    CHECK(text != NULL, "a validated VTODO does not render (uid %s)", v.uid);
    CHECK(tasks_vtodo_parse(p, text, strlen(text), &again) == NULL,
          "the rendered VCALENDAR does not parse:\n%s", text);
    CHECK(str_eq(again.uid, v.uid), "uid %s vs %s", again.uid, v.uid);
    CHECK(str_eq(again.kept, v.kept), "kept text changed:\n%s\nvs\n%s",
          S(again.kept), S(v.kept));
    CHECK(tasks_task_validate(p, &again.draft, TASKS_INPUT_PUT, &in2) == NULL,
          "the rendered VTODO breaks a rule:\n%s", text);
    CHECK(str_eq(in2.title, in.title) && str_eq(in2.description, in.description)
          && in2.completed == in.completed && in2.priority == in.priority
          && str_eq(in2.due_at, in.due_at) && str_eq(in2.tags, in.tags)
          && str_eq(in2.recurrence, in.recurrence)
          && str_eq(in2.reminders, in.reminders),
          "fields changed in the round trip:\n%s", text);
    apr_pool_destroy(p);
    return 0;
}
