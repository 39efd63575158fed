/* test_task_json.c - task bodies as drafts and input, rows as JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/problem.h"
#include "tasks/core/validate.h"
#include "tasks/core/task_json.h"

/* A JSON string for s, or JSON null for SQL NULL. NULL (failure) only when s
 * is not UTF-8 or memory runs out. */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The reference model the writer is checked against: the contract's Task
 * object for row built with jansson (what the module sent before it wrote
 * JSON text directly). Promise: the Task object for row, keys in the contract's order
 * (jansson 2.14 keeps insertion order when dumping), as a new reference; NULL
 * when the row is corrupt: id not a decimal integer, a NOT NULL column
 * missing, text that is not UTF-8, or tags_json not a JSON array of strings. */
static json_t *reference_task_json(const tasks_task_row *row)
{
    json_t *task = NULL, *tags = NULL, *stored = NULL, *reminders = NULL;
    long long id, list_id;
    char *end;
    int rank, failed = 0;
    size_t i;

    if (!row || !row->id || !row->user_id || !row->title || !row->completed
        || !row->priority || !row->tags || !row->list_id || !row->created_at
        || !row->updated_at || !row->time_zone || !row->reminders)
        return NULL;
    errno = 0;
    id = strtoll(row->id, &end, 10);
    if (errno || end == row->id || *end)
        return NULL;
    list_id = strtoll(row->list_id, &end, 10);
    if (errno || end == row->list_id || *end)
        return NULL;
    tags = json_loads(row->tags, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(tags))
        goto corrupt;
    for (i = 0; i < json_array_size(tags); i++)
        if (!json_is_string(json_array_get(tags, i)))
            goto corrupt;
    /* Reminders are stored as strings: a duration ("P...") is "before",
     * anything else "at". */
    stored = json_loads(row->reminders, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(stored) || !(reminders = json_array()))
        goto corrupt;
    for (i = 0; i < json_array_size(stored); i++) {
        const char *v = json_string_value(json_array_get(stored, i));

        if (!v || json_array_append_new(reminders, json_pack("{s:s}",
                                        v[0] == 'P' ? "before" : "at", v)))
            goto corrupt;
    }
    rank = atoi(row->priority);

    task = json_object();
    if (!task)
        goto corrupt;
    /* set_new steals the value even on failure and refuses NULL values, so
     * one flag catches every failed conversion. */
    failed |= json_object_set_new(task, "id", json_integer(id));
    failed |= json_object_set_new(task, "user_id", json_string(row->user_id));
    failed |= json_object_set_new(task, "title", json_string(row->title));
    failed |= json_object_set_new(task, "description",
                                  string_or_null(row->description));
    failed |= json_object_set_new(task, "completed",
                                  json_boolean(strcmp(row->completed, "t") == 0));
    failed |= json_object_set_new(task, "priority",
                                  json_string(tasks_priority_name(rank)));
    failed |= json_object_set_new(task, "due_at", string_or_null(row->due_at));
    failed |= json_object_set_new(task, "tags", tags);
    tags = NULL; /* stolen by the call above */
    failed |= json_object_set_new(task, "list_id", json_integer(list_id));
    failed |= json_object_set_new(task, "recurrence",
                                  string_or_null(row->recurrence));
    failed |= json_object_set_new(task, "time_zone", json_string(row->time_zone));
    failed |= json_object_set_new(task, "reminders", reminders);
    reminders = NULL; /* stolen */
    failed |= json_object_set_new(task, "created_at",
                                  json_string(row->created_at));
    failed |= json_object_set_new(task, "updated_at",
                                  json_string(row->updated_at));
    failed |= json_object_set_new(task, "completed_at",
                                  string_or_null(row->completed_at));
    if (!failed) {
        json_decref(stored);
        return task;
    }
corrupt:
    json_decref(stored);
    json_decref(reminders);
    json_decref(tags);
    json_decref(task);
    return NULL;
}


/* A body parsed into an object owned by the test pool. */
static json_t *body(const char *text)
{
    json_t *obj = NULL;
    const char *err = tasks_json_parse_object(test_pool, text, strlen(text), &obj);

    ck_assert_msg(err == NULL, "%s: %s", text, err ? err : "");
    return obj;
}


static const char *check(const char *text, tasks_input_mode mode,
                         tasks_task_input *in)
{
    return test_field_errors(tasks_task_input_from_json(test_pool, body(text), mode, in));
}

/* n copies of the UTF-8 text unit, as a JSON string member value. */
static const char *repeat(const char *unit, int n)
{
    const char *s = "";
    int i;

    for (i = 0; i < n; i++)
        s = apr_pstrcat(test_pool, s, unit, NULL);
    return s;
}

START_TEST(create_defaults)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"title\":\"  Buy milk \\u3000\"}", TASKS_INPUT_CREATE, &in), "");
    ck_assert(in.has_title && in.has_description && in.has_completed
              && in.has_priority && in.has_due_at && in.has_tags);
    ck_assert_str_eq(in.title, "Buy milk");
    ck_assert_ptr_null(in.description);
    ck_assert_int_eq(in.completed, 0);
    ck_assert_int_eq(in.priority, TASKS_PRIORITY_NONE);
    ck_assert_ptr_null(in.due_at);
    ck_assert_str_eq(in.tags, "[]");
}
END_TEST

START_TEST(create_all_fields)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"title\":\"T\",\"description\":\"  keep  me \","
                           "\"completed\":true,\"priority\":\"high\","
                           "\"due_at\":\"2026-01-01T01:00:00+02:00\","
                           "\"tags\":[\" home \",\"work\",\"home\",\"\\u00e9t\\u00e9\"]}",
                           TASKS_INPUT_CREATE, &in), "");
    ck_assert_str_eq(in.title, "T");
    ck_assert_str_eq(in.description, "  keep  me ");     /* not trimmed */
    ck_assert_int_eq(in.completed, 1);
    ck_assert_int_eq(in.priority, TASKS_PRIORITY_HIGH);
    ck_assert_str_eq(in.due_at, "2025-12-31T23:00:00.000000Z");
    ck_assert_str_eq(in.tags, "[\"home\",\"work\",\"\xc3\xa9t\xc3\xa9\"]");
}
END_TEST

START_TEST(title_required_and_typed)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{}", TASKS_INPUT_CREATE, &in), "title:is required");
    ck_assert_str_eq(check("{\"completed\":true}", TASKS_INPUT_PUT, &in),
                     "title:is required");
    ck_assert_str_eq(check("{}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(!in.has_title && !in.has_description && !in.has_completed
              && !in.has_priority && !in.has_due_at && !in.has_tags);
    ck_assert_str_eq(check("{\"title\":42}", TASKS_INPUT_CREATE, &in),
                     "title:must be a string");
    ck_assert_str_eq(check("{\"title\":null}", TASKS_INPUT_PATCH, &in),
                     "title:must be a string");
    ck_assert_str_eq(check("{\"title\":[\"x\"]}", TASKS_INPUT_PUT, &in),
                     "title:must be a string");
    ck_assert_str_eq(check("{\"title\":\"\"}", TASKS_INPUT_CREATE, &in),
                     "title:must be 1-200 characters");
    ck_assert_str_eq(check("{\"title\":\" \\t\\n\\u00a0\\u2003 \"}", TASKS_INPUT_PATCH, &in),
                     "title:must be 1-200 characters");
}
END_TEST

START_TEST(title_length_in_code_points)
{
    tasks_task_input in;
    const char *emoji = "\xf0\x9f\x98\x80";

    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"title\":\"%s\"}",
                                        repeat(emoji, 200)), TASKS_INPUT_CREATE, &in), "");
    ck_assert_uint_eq(strlen(in.title), 800);
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"title\":\"%s\"}",
                                        repeat(emoji, 201)), TASKS_INPUT_CREATE, &in),
                     "title:must be 1-200 characters");
    /* Surrounding space does not count against the limit. */
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"title\":\"   %s   \"}",
                                        repeat("a", 200)), TASKS_INPUT_PUT, &in), "");
    ck_assert_uint_eq(strlen(in.title), 200);
    /* Escaped surrogate pairs decode to one code point. */
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"title\":\"%s\"}",
                                        repeat("\\ud83d\\ude00", 200)),
                           TASKS_INPUT_CREATE, &in), "");
}
END_TEST

START_TEST(description_rules)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"description\":null}", TASKS_INPUT_PATCH, &in), "");
    ck_assert_int_eq(in.has_description, 1);
    ck_assert_ptr_null(in.description);
    ck_assert_str_eq(check("{\"description\":\"\"}", TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(in.description, "");
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"description\":\"%s\"}",
                                        repeat("\xc3\xa9", 1000)), TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"description\":\"%s\"}",
                                        repeat("a", 1001)), TASKS_INPUT_PATCH, &in),
                     "description:must be at most 1000 characters");
    ck_assert_str_eq(check("{\"description\":5}", TASKS_INPUT_PATCH, &in),
                     "description:must be a string or null");
    ck_assert_str_eq(check("{\"description\":false}", TASKS_INPUT_PATCH, &in),
                     "description:must be a string or null");
}
END_TEST

START_TEST(scalar_field_rules)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"completed\":false}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(in.has_completed && !in.completed);
    ck_assert_str_eq(check("{\"completed\":\"true\"}", TASKS_INPUT_PATCH, &in),
                     "completed:must be a boolean");
    ck_assert_str_eq(check("{\"completed\":1}", TASKS_INPUT_PATCH, &in),
                     "completed:must be a boolean");
    ck_assert_str_eq(check("{\"completed\":null}", TASKS_INPUT_PATCH, &in),
                     "completed:must be a boolean");
    ck_assert_str_eq(check("{\"priority\":\"medium\"}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(in.has_priority && in.priority == TASKS_PRIORITY_MEDIUM);
    ck_assert_str_eq(check("{\"priority\":\"HIGH\"}", TASKS_INPUT_PATCH, &in),
                     "priority:must be one of none, low, medium, high");
    ck_assert_str_eq(check("{\"priority\":2}", TASKS_INPUT_PATCH, &in),
                     "priority:must be one of none, low, medium, high");
    ck_assert_str_eq(check("{\"priority\":null}", TASKS_INPUT_PATCH, &in),
                     "priority:must be one of none, low, medium, high");
}
END_TEST

START_TEST(due_at_rules)
{
    tasks_task_input in;
    const char *msg = "due_at:must be an RFC 3339 date-time with a time zone offset";

    ck_assert_str_eq(check("{\"due_at\":null}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(in.has_due_at && in.due_at == NULL);
    ck_assert_str_eq(check("{\"due_at\":\"2024-02-29T23:30:00-01:00\"}",
                           TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(in.due_at, "2024-03-01T00:30:00.000000Z");
    ck_assert_str_eq(check("{\"due_at\":\"2026-01-01\"}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"due_at\":\"2026-01-01T10:00:00\"}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"due_at\":\"2026-02-29T10:00:00Z\"}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"due_at\":\"\"}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"due_at\":1767225600}", TASKS_INPUT_PATCH, &in),
                     "due_at:must be a string or null");
}
END_TEST

START_TEST(tags_rules)
{
    tasks_task_input in;
    const char *msg = "tags:must be at most 20 distinct tags of 1-50 characters";
    const char *twenty = "\"t1\",\"t2\",\"t3\",\"t4\",\"t5\",\"t6\",\"t7\",\"t8\",\"t9\",\"t10\","
        "\"t11\",\"t12\",\"t13\",\"t14\",\"t15\",\"t16\",\"t17\",\"t18\",\"t19\",\"t20\"";

    ck_assert_str_eq(check("{\"tags\":[]}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(in.has_tags);
    ck_assert_str_eq(in.tags, "[]");
    ck_assert_str_eq(check("{\"tags\":[\"b\",\"a\",\" b\",\"a \",\"c\"]}",
                           TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(in.tags, "[\"b\",\"a\",\"c\"]");
    /* Case matters: "Home" and "home" are two tags. */
    ck_assert_str_eq(check("{\"tags\":[\"Home\",\"home\"]}", TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(in.tags, "[\"Home\",\"home\"]");
    /* Quotes survive as JSON escapes. */
    ck_assert_str_eq(check("{\"tags\":[\"a\\\"b\"]}", TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(in.tags, "[\"a\\\"b\"]");
    /* 20 distinct, plus duplicates, is fine; 21 distinct is not. */
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"tags\":[%s,\"t1\",\" t20 \"]}", twenty),
                           TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"tags\":[%s,\"t21\"]}", twenty),
                           TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"tags\":[\"%s\"]}", repeat("\xe2\x82\xac", 50)),
                           TASKS_INPUT_PATCH, &in), "");
    ck_assert_str_eq(check(apr_psprintf(test_pool, "{\"tags\":[\"%s\"]}", repeat("x", 51)),
                           TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"tags\":[\"\"]}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"tags\":[\" \\u00a0 \"]}", TASKS_INPUT_PATCH, &in), msg);
    ck_assert_str_eq(check("{\"tags\":\"home\"}", TASKS_INPUT_PATCH, &in),
                     "tags:must be an array of strings");
    ck_assert_str_eq(check("{\"tags\":null}", TASKS_INPUT_PATCH, &in),
                     "tags:must be an array of strings");
    ck_assert_str_eq(check("{\"tags\":[\"a\",1]}", TASKS_INPUT_PATCH, &in),
                     "tags:must be an array of strings");
    ck_assert_str_eq(check("{\"tags\":[[\"a\"]]}", TASKS_INPUT_PATCH, &in),
                     "tags:must be an array of strings");
}
END_TEST

START_TEST(every_broken_field_in_order)
{
    tasks_task_input in;

    /* Member order in the body does not matter; the error order does. */
    ck_assert_str_eq(check("{\"tags\":[1],\"due_at\":\"2026-01-01\",\"priority\":\"x\","
                           "\"completed\":\"no\",\"description\":[],\"title\":42}",
                           TASKS_INPUT_PUT, &in),
                     "title:must be a string|description:must be a string or null"
                     "|completed:must be a boolean"
                     "|priority:must be one of none, low, medium, high"
                     "|due_at:must be an RFC 3339 date-time with a time zone offset"
                     "|tags:must be an array of strings");
    ck_assert_str_eq(check("{\"priority\":\"x\",\"tags\":[\"\"]}", TASKS_INPUT_CREATE, &in),
                     "title:is required|priority:must be one of none, low, medium, high"
                     "|tags:must be at most 20 distinct tags of 1-50 characters");
}
END_TEST

START_TEST(read_only_and_unknown_ignored)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"id\":7,\"user_id\":\"someone-else\",\"created_at\":\"x\","
                           "\"updated_at\":5,\"completed_at\":[],\"owner\":true,"
                           "\"title\":\"ok\"}", TASKS_INPUT_CREATE, &in), "");
    ck_assert_str_eq(in.title, "ok");
    ck_assert_str_eq(check("{\"id\":\"x\",\"extra\":{\"deep\":1}}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(!in.has_title && !in.has_description && !in.has_completed
              && !in.has_priority && !in.has_due_at && !in.has_tags);
}
END_TEST

START_TEST(put_and_patch_leave_absent_fields)
{
    tasks_task_input in;

    ck_assert_str_eq(check("{\"title\":\"x\",\"priority\":\"low\"}", TASKS_INPUT_PUT, &in), "");
    ck_assert(in.has_title && in.has_priority);
    ck_assert(!in.has_description && !in.has_completed && !in.has_due_at && !in.has_tags);
    ck_assert_str_eq(check("{\"due_at\":null,\"description\":null}", TASKS_INPUT_PATCH, &in), "");
    ck_assert(in.has_due_at && in.has_description && !in.has_title);
    ck_assert_ptr_null(in.due_at);
    ck_assert_ptr_null(in.description);
}
END_TEST

START_TEST(objects_built_in_code)
{
    tasks_task_input in;
    json_t *obj = tasks_json_own(test_pool, json_object());

    /* Embedded NUL (json_stringn) cannot sneak through as a shorter string. */
    json_object_set_new(obj, "title", json_stringn("a\0b", 3));
    json_object_set_new(obj, "tags", json_pack("[s#]", "x\0y", 3));
    ck_assert_str_eq(test_field_errors(tasks_task_input_from_json(test_pool, obj, TASKS_INPUT_PATCH, &in)),
                     "title:must not contain NUL characters|tags:must not contain NUL characters");
}
END_TEST

static tasks_task_row sample_row(void)
{
    tasks_task_row r = {
        .id = "42", .user_id = "user-1", .title = "Buy milk",
        .description = NULL, .completed = "f", .priority = "0",
        .due_at = NULL, .tags = "[\"home\"]", .list_id = "7",
        .recurrence = NULL, .time_zone = "UTC", .reminders = "[]",
        .created_at = "2026-11-25T21:00:00.123456Z",
        .updated_at = "2026-11-25T21:00:00.123456Z", .completed_at = NULL,
        .version = "3"
    };
    return r;
}

/* Dump a row's JSON into the pool, or NULL when it was refused. */
static const char *row_text(const tasks_task_row *r)
{
    json_t *j = reference_task_json(r);
    const char *s = j ? tasks_json_dump(test_pool, j) : NULL;

    json_decref(j);
    return s;
}

START_TEST(row_to_json_contract_order)
{
    tasks_task_row r = sample_row();

    ck_assert_str_eq(row_text(&r),
        "{\"id\":42,\"user_id\":\"user-1\",\"title\":\"Buy milk\","
        "\"description\":null,\"completed\":false,\"priority\":\"none\","
        "\"due_at\":null,\"tags\":[\"home\"],\"list_id\":7,"
        "\"recurrence\":null,\"time_zone\":\"UTC\",\"reminders\":[],"
        "\"created_at\":\"2026-11-25T21:00:00.123456Z\","
        "\"updated_at\":\"2026-11-25T21:00:00.123456Z\",\"completed_at\":null}");
}
END_TEST

START_TEST(row_to_json_values)
{
    tasks_task_row r = sample_row();
    json_t *j;

    r.id = "9007199254740993";
    r.description = "d\xc3\xa9";
    r.completed = "t";
    r.priority = "3";
    r.due_at = "2026-01-01T00:00:00.000000Z";
    r.tags = "[]";
    r.completed_at = "2026-01-02T00:00:00.000000Z";
    j = reference_task_json(&r);
    ck_assert_ptr_nonnull(j);
    tasks_json_own(test_pool, j);
    ck_assert(json_integer_value(json_object_get(j, "id")) == 9007199254740993LL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "description")), "d\xc3\xa9");
    ck_assert(json_is_true(json_object_get(j, "completed")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "priority")), "high");
    ck_assert_str_eq(json_string_value(json_object_get(j, "due_at")),
                     "2026-01-01T00:00:00.000000Z");
    ck_assert_uint_eq(json_array_size(json_object_get(j, "tags")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(j, "completed_at")),
                     "2026-01-02T00:00:00.000000Z");
    ck_assert_uint_eq(json_object_size(j), 15);
    r.priority = "1";
    ck_assert_ptr_nonnull(strstr(row_text(&r), "\"priority\":\"low\""));
    r.priority = "9";
    ck_assert_ptr_nonnull(strstr(row_text(&r), "\"priority\":\"none\""));
}
END_TEST

START_TEST(row_to_json_corrupt)
{
    tasks_task_row r;

    r = sample_row(); r.tags = "{}";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.tags = "not json";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.tags = "[1]";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.tags = NULL;
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.id = "4x";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.id = "";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.id = "99999999999999999999";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.title = NULL;
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.title = "bad \xff";
    ck_assert_ptr_null(row_text(&r));
    r = sample_row(); r.created_at = NULL;
    ck_assert_ptr_null(row_text(&r));
    ck_assert_ptr_null(reference_task_json(NULL));
}
END_TEST

/* ---- Rows as JSON text (tasks_task_json_append) ------------------------ */

/* The text of r appended after a prefix; asserts it is byte for byte what
 * jansson dumps for reference_task_json(r), and returns it. */
static const char *same_as_jansson(const tasks_task_row *r)
{
    const char *want = row_text(r), *got;
    tasks_text t;

    ck_assert_msg(want != NULL, "reference_task_json refused title %s", r->title);
    tasks_text_init(&t, test_pool, 0);
    tasks_text_append(&t, "[", 1);
    ck_assert_int_eq(tasks_task_json_append(&t, r), 0);
    ck_assert_uint_eq(t.len, strlen(t.s));
    got = t.s + 1;
    ck_assert_str_eq(got, want);
    ck_assert_str_eq(tasks_task_json(test_pool, r), want);
    return want;
}

/* Asserts that r is refused by both builders and that a refused append
 * leaves the text already in the buffer exactly as it was. */
static void refused(const tasks_task_row *r)
{
    tasks_text t;
    const char *before;
    tasks_task_row ok = sample_row();

    ck_assert_ptr_null(row_text(r));
    ck_assert_ptr_null(tasks_task_json(test_pool, r));
    tasks_text_init(&t, test_pool, 0);
    tasks_text_append(&t, "[", 1);
    ck_assert_int_eq(tasks_task_json_append(&t, &ok), 0);
    tasks_text_append(&t, ",", 1);
    before = apr_pstrmemdup(test_pool, t.s, t.len);
    ck_assert_int_eq(tasks_task_json_append(&t, r), -1);
    ck_assert_uint_eq(t.len, strlen(before));
    ck_assert_str_eq(t.s, before);
    ck_assert_uint_lt(t.len, t.cap);
}

/* Every byte 0x01..0x1f, then 0x7f and '/', as one C string. */
static const char *controls(void)
{
    char *s = apr_palloc(test_pool, 0x20 + 2);
    int i;

    for (i = 1; i < 0x20; i++)
        s[i - 1] = (char)i;
    s[0x1f] = 0x7f;
    s[0x20] = '/';
    s[0x21] = '\0';
    return s;
}

START_TEST(text_buffer)
{
    tasks_text t;
    int i;

    tasks_text_init(&t, test_pool, 0);
    ck_assert_uint_eq(t.len, 0);
    ck_assert_str_eq(t.s, "");
    ck_assert_uint_gt(t.cap, 0);
    tasks_text_append(&t, "ab", 2);
    tasks_text_append(&t, "", 0);
    tasks_text_append(&t, "c\0d", 3);            /* NUL bytes are data too */
    ck_assert_uint_eq(t.len, 5);
    ck_assert(memcmp(t.s, "abc\0d", 6) == 0);
    /* Many small appends and one large one: contents survive each growth. */
    tasks_text_init(&t, test_pool, 1);
    for (i = 0; i < 1000; i++)
        tasks_text_append(&t, "0123456789", i % 11);
    tasks_text_append(&t, repeat("x", 5000), 5000);
    ck_assert_uint_eq(t.len, 4995 + 5000);
    ck_assert_uint_lt(t.len, t.cap);
    ck_assert_uint_eq(strlen(t.s), t.len);
    ck_assert(memcmp(t.s, "00101201230123401234", 20) == 0);
    tasks_text_init(&t, test_pool, 4096);
    ck_assert_uint_gt(t.cap, 4096);
}
END_TEST

START_TEST(text_json_matches_jansson)
{
    tasks_task_row r;
    const char *prio[] = { "0", "1", "2", "3", "9", "-1", "abc", "" };
    const char *ids[] = { "0", "-5", "007", "+3", " 42", "9223372036854775807",
                          "-9223372036854775808" };
    size_t i;

    r = sample_row();
    ck_assert_str_eq(same_as_jansson(&r),
        "{\"id\":42,\"user_id\":\"user-1\",\"title\":\"Buy milk\","
        "\"description\":null,\"completed\":false,\"priority\":\"none\","
        "\"due_at\":null,\"tags\":[\"home\"],\"list_id\":7,"
        "\"recurrence\":null,\"time_zone\":\"UTC\",\"reminders\":[],"
        "\"created_at\":\"2026-11-25T21:00:00.123456Z\","
        "\"updated_at\":\"2026-11-25T21:00:00.123456Z\",\"completed_at\":null}");
    /* A recurring task with both kinds of reminder. */
    r = sample_row();
    r.recurrence = "FREQ=WEEKLY;BYDAY=MO";
    r.time_zone = "Europe/Berlin";
    r.due_at = "2026-03-23T08:00:00.000000Z";
    r.reminders = "[\"PT15M\", \"2026-03-23T07:00:00.000000Z\"]";
    ck_assert_str_eq(strstr(same_as_jansson(&r), "\"recurrence\""),
        "\"recurrence\":\"FREQ=WEEKLY;BYDAY=MO\",\"time_zone\":\"Europe/Berlin\","
        "\"reminders\":[{\"before\":\"PT15M\"},{\"at\":\"2026-03-23T07:00:00.000000Z\"}],"
        "\"created_at\":\"2026-11-25T21:00:00.123456Z\","
        "\"updated_at\":\"2026-11-25T21:00:00.123456Z\",\"completed_at\":null}");
    /* Multi-byte UTF-8: emoji, accents, CJK, U+2028/U+2029 pass through. */
    r = sample_row();
    r.user_id = "\xc3\xbcser";
    r.title = "\xf0\x9f\x98\x80 caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xe2\x80\xa8";
    r.description = "line\xe2\x80\xa9para \xef\xbf\xbf \xf4\x8f\xbf\xbf";
    same_as_jansson(&r);
    /* Quotes and backslashes, alone, at the ends and in runs. */
    r = sample_row();
    r.title = "\"say \\\"hi\\\"\" \\\\ back\\slash\"";
    r.description = "\\";
    r.user_id = "\"";
    same_as_jansson(&r);
    /* Every control byte, 0x7f and '/', in every string member. */
    r = sample_row();
    r.user_id = r.title = r.description = r.due_at = controls();
    r.created_at = r.updated_at = r.completed_at = controls();
    same_as_jansson(&r);
    r.title = apr_pstrcat(test_pool, "a", controls(), "b\xc3\xa9", controls(), NULL);
    same_as_jansson(&r);
    /* Empty strings, every NULLable member set, completed t/f/other. */
    r = sample_row();
    r.title = "";
    r.description = "";
    r.due_at = "2026-01-01T00:00:00.000000Z";
    r.completed_at = "2026-01-02T00:00:00.000000Z";
    r.completed = "t";
    ck_assert_ptr_nonnull(strstr(same_as_jansson(&r), "\"completed\":true"));
    r.completed = "f";
    ck_assert_ptr_nonnull(strstr(same_as_jansson(&r), "\"completed\":false"));
    r.completed = "true";
    ck_assert_ptr_nonnull(strstr(same_as_jansson(&r), "\"completed\":false"));
    /* Each priority, and out-of-range ranks. */
    for (i = 0; i < sizeof prio / sizeof *prio; i++) {
        r = sample_row();
        r.priority = prio[i];
        same_as_jansson(&r);
    }
    /* ids as strtoll reads them, printed as jansson prints integers. */
    for (i = 0; i < sizeof ids / sizeof *ids; i++) {
        r = sample_row();
        r.id = ids[i];
        same_as_jansson(&r);
    }
}
END_TEST

START_TEST(text_json_tags)
{
    const char *tags[] = {
        "[]", " [ ] ", "[\"\"]", "[\"a\",\"b\"]",
        "[\"a\",\"b \\\"x\\\"\"]",                         /* array_to_json quoting */
        "[\"back\\\\slash\",\"\\/\",\"/\"]",
        "[\"\\b\\f\\n\\r\\t\"]",
        "[\"\\u0001\\u001f\\u001F\\u000b\\u007f\\u0041\\u00e9\\u00E9\"]",
        "[\"\\u0022\\u005c\\u002f\\u0008\\u000a\"]",       /* re-escaped as dumped */
        "[\"\\ud83d\\ude00\",\"\\uD83D\\uDE00\",\"\\u2028\\uffff\"]",
        "[\"\xf0\x9f\x98\x80\",\"caf\xc3\xa9\",\"\x7f\"]",
        " \t\r\n[ \"a\" ,\n\"b\"\t] \n",
    };
    tasks_task_row r;
    size_t i;

    for (i = 0; i < sizeof tags / sizeof *tags; i++) {
        r = sample_row();
        r.tags = tags[i];
        same_as_jansson(&r);
    }
    r = sample_row();
    r.tags = "[\"a\",\"b \\\"x\\\"\",\"\\u001f\"]";
    ck_assert_ptr_nonnull(strstr(same_as_jansson(&r),
                                 "\"tags\":[\"a\",\"b \\\"x\\\"\",\"\\u001F\"],"));
}
END_TEST

START_TEST(text_json_array_of_two)
{
    tasks_task_row a = sample_row(), b = sample_row();
    tasks_text t;
    json_t *arr;
    json_error_t e;

    b.id = "43";
    b.title = "t\xc3\xa9 \"q\" \\ \x01";
    b.description = "d";
    b.completed = "t";
    b.priority = "2";
    b.tags = "[\"x\",\"y \\\"z\\\"\"]";
    b.completed_at = "2026-01-02T00:00:00.000000Z";
    tasks_text_init(&t, test_pool, 0);
    tasks_text_append(&t, "[", 1);
    ck_assert_int_eq(tasks_task_json_append(&t, &a), 0);
    tasks_text_append(&t, ",", 1);
    ck_assert_int_eq(tasks_task_json_append(&t, &b), 0);
    tasks_text_append(&t, "]", 1);
    arr = tasks_json_own(test_pool, json_loads(t.s, JSON_REJECT_DUPLICATES, &e));
    ck_assert_msg(arr != NULL, "%s: %s", t.s, e.text);
    ck_assert(json_is_array(arr) && json_array_size(arr) == 2);
    ck_assert(json_equal(json_array_get(arr, 0),
                         tasks_json_own(test_pool, reference_task_json(&a))));
    ck_assert(json_equal(json_array_get(arr, 1),
                         tasks_json_own(test_pool, reference_task_json(&b))));
}
END_TEST

START_TEST(text_json_corrupt)
{
    const char *tags[] = {
        "{}", "not json", "", " ", "[", "]", "[\"a\"", "[\"a]", "[1]", "[\"a\",1]",
        "[null]", "[[\"a\"]]", "[\"a\",]", "[,\"a\"]", "[\"a\"\"b\"]", "[\"a\"] x",
        "[\"a\"],", "\"a\"", "[\"a\"][]", "[\"\\q\"]", "[\"\\\"]", "[\"\\x41\"]",
        "[\"\\u00\"]", "[\"\\u00g0\"]", "[\"\\u0000\"]", "[\"\\ud800\"]",
        "[\"\\udc00\"]", "[\"\\ud83d\\u0041\"]", "[\"\\ud83d\"]", "[\"\\ud83dx\"]",
        "[\"\\ud83d\\ud83d\"]", "[\"a\tb\"]", "[\"\x01\"]", "[\"\xff\"]",
        "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xe2\x82\"]",
        "\xef\xbb\xbf[]", "\f[]", "[\"a\"]\v",
    };
    const char *bad_utf8[] = { "bad \xff", "\xc0\xaf", "\xc1\xbf", "\xed\xa0\x80",
                               "\xe2\x82", "\xe2\x82x", "\xf4\x90\x80\x80",
                               "\xf5\x80\x80\x80", "\x80", "a\xf0\x9f\x98" };
    tasks_task_row r;
    size_t i;

    for (i = 0; i < sizeof tags / sizeof *tags; i++) {
        r = sample_row();
        r.tags = tags[i];
        refused(&r);
    }
    for (i = 0; i < sizeof bad_utf8 / sizeof *bad_utf8; i++) {
        r = sample_row(); r.title = bad_utf8[i];        refused(&r);
        r = sample_row(); r.user_id = bad_utf8[i];      refused(&r);
        r = sample_row(); r.description = bad_utf8[i];  refused(&r);
        r = sample_row(); r.due_at = bad_utf8[i];       refused(&r);
        r = sample_row(); r.completed_at = bad_utf8[i]; refused(&r);
        r = sample_row(); r.updated_at = bad_utf8[i];   refused(&r);
    }
    r = sample_row(); r.id = "4x";                   refused(&r);
    r = sample_row(); r.id = "";                     refused(&r);
    r = sample_row(); r.id = " ";                    refused(&r);
    r = sample_row(); r.id = "42 ";                  refused(&r);
    r = sample_row(); r.id = "99999999999999999999"; refused(&r);
    r = sample_row(); r.id = NULL;                   refused(&r);
    r = sample_row(); r.user_id = NULL;              refused(&r);
    r = sample_row(); r.title = NULL;                refused(&r);
    r = sample_row(); r.completed = NULL;            refused(&r);
    r = sample_row(); r.priority = NULL;             refused(&r);
    r = sample_row(); r.tags = NULL;            refused(&r);
    r = sample_row(); r.list_id = NULL;         refused(&r);
    r = sample_row(); r.list_id = "seven";      refused(&r);
    r = sample_row(); r.time_zone = NULL;       refused(&r);
    r = sample_row(); r.reminders = NULL;       refused(&r);
    r = sample_row(); r.reminders = "[1]";      refused(&r);
    r = sample_row(); r.reminders = "[\"PT1M\"";  refused(&r);
    r = sample_row(); r.created_at = NULL;           refused(&r);
    r = sample_row(); r.updated_at = NULL;           refused(&r);
    /* Refused late, after the buffer had to grow: still rolled back. */
    r = sample_row();
    r.completed_at = apr_pstrcat(test_pool, repeat("long ", 2000), "\xff", NULL);
    refused(&r);
    r = sample_row();
    r.tags = apr_pstrcat(test_pool, "[", repeat("\"tag\",", 2000), "1]", NULL);
    refused(&r);
    ck_assert_ptr_null(tasks_task_json(test_pool, NULL));
}
END_TEST

/* A deterministic pseudo-random number in [0, n). */
static unsigned next_rand(unsigned long *state, unsigned n)
{
    *state = *state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((*state >> 33) % n);
}

/* Random text made of pieces chosen to hit every branch of the escaper and
 * of the tags scanner, valid and not. */
static const char *random_text(unsigned long *state, const char *const *pieces,
                               unsigned npieces, unsigned max)
{
    const char *s = "";
    unsigned i, n = next_rand(state, max + 1);

    for (i = 0; i < n; i++)
        s = apr_pstrcat(test_pool, s, pieces[next_rand(state, npieces)], NULL);
    return s;
}

START_TEST(text_json_random_against_jansson)
{
    static const char *const raw[] = {
        "a", "Z", " ", "/", "\"", "\\", "\x01", "\x08", "\x0b", "\x1f", "\x7f",
        "\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xff", "\xc0", "\xed\xa0\x80",
        "\xe2\x82", "\x80",
    };
    static const char *const in_string[] = {
        "a", " ", "/", "\\\"", "\\\\", "\\/", "\\b", "\\n", "\\t", "\\u0041", "\\u001f",
        "\\u00E9", "\\u0000", "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\u2028",
        "\\x", "\\", "\x01", "\t", "\xc3\xa9", "\xff", "\x7f",
    };
    unsigned long state = 20261126;
    unsigned i, accepted = 0, refused_n = 0;

    for (i = 0; i < 4000; i++) {
        tasks_task_row r = sample_row();
        const char *want, *got, *tags = "[";
        unsigned k, n = next_rand(&state, 4);

        r.title = random_text(&state, raw, sizeof raw / sizeof *raw, 6);
        if (next_rand(&state, 2))
            r.description = random_text(&state, raw, sizeof raw / sizeof *raw, 3);
        for (k = 0; k < n; k++)
            tags = apr_pstrcat(test_pool, tags, k ? "," : "", "\"",
                               random_text(&state, in_string,
                                           sizeof in_string / sizeof *in_string, 3),
                               "\"", NULL);
        tags = apr_pstrcat(test_pool, tags, "]", NULL);
        if (next_rand(&state, 8) == 0) {                 /* structural damage */
            char *m = apr_pstrdup(test_pool, tags);
            m[next_rand(&state, (unsigned)strlen(m))] = ",[]\" x"[next_rand(&state, 6)];
            tags = m;
        }
        r.tags = tags;
        want = row_text(&r);
        got = tasks_task_json(test_pool, &r);
        if (want) {
            ck_assert_msg(got != NULL, "refused: title %s tags %s", r.title, r.tags);
            ck_assert_str_eq(got, want);
            accepted++;
        }
        else {
            ck_assert_msg(got == NULL, "accepted: %s", got);
            refused_n++;
        }
    }
    /* Both outcomes must be well represented for the test to mean much. */
    ck_assert_uint_gt(accepted, 400);
    ck_assert_uint_gt(refused_n, 400);
}
END_TEST

/* What extract(epoch FROM ...) gives, against PostgreSQL's own ISO
 * output of the same instants (tasks_timestamp_from_db's other form). */
START_TEST(timestamp_from_db_epoch)
{
    static const struct { const char *epoch, *rfc3339; } cases[] = {
        { "0.000000", "1970-01-01T00:00:00.000000Z" },
        { "1796473643.498706", "2026-12-05T12:27:23.498706Z" },
        { "1767225600.500000", "2026-01-01T00:00:00.500000Z" },
        { "951782400.000001", "2000-02-29T00:00:00.000001Z" },
        { "-0.500000", "1969-12-31T23:59:59.500000Z" },
        { "-86400.000000", "1969-12-31T00:00:00.000000Z" },
        { "-86399.999999", "1969-12-31T00:00:00.000001Z" },
        { "-62135596800.000000", "0001-01-01T00:00:00.000000Z" },
        { "-2208988800.000000", "1900-01-01T00:00:00.000000Z" },
        { "253402300799.999999", "9999-12-31T23:59:59.999999Z" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_str_eq(tasks_timestamp_from_db(test_pool, cases[i].epoch),
                         cases[i].rfc3339);
}
END_TEST

START_TEST(timestamp_from_db)
{
    const char *bad[] = {
        "", "infinity", "-infinity", "2026-11-26 00:31:42 BC", "0001-01-01 00:00:00 BC",
        "12026-11-26 00:31:42", "226-11-26 00:31:42", "0000-01-01 00:00:00",
        "2026-11-26T00:31:42", "2026-11-26 00:31:42.", "2026-11-26 00:31:42.1234567",
        "2026-11-26 00:31:42Z", "2026-11-26 00:31:42+00", "2026-11-26 00:31",
        "2026-1-26 00:31:42", "2026-11-26  0:31:42", "2026-13-01 00:00:00",
        "2026-00-01 00:00:00", "2026-11-00 00:00:00", "2026-11-32 00:00:00",
        "2026-11-26 24:00:00", "2026-11-26 00:60:00", "2026-11-26 00:00:60",
        "2026-11-26 00:31:4a", "2026-11-26 00:31:42.12a", "2026-11-26 00:31:42,5",
        "2026/11/26 00:31:42", "2026-11-26 00:31:42.-5", "2026-11-26 0a:31:42",
        "+026-11-26 00:31:42", "abcd-ef-gh ij:kl:mn",
        /* the epoch form: scale 6 exactly, years 1-9999 */
        "Infinity", "-Infinity", "NaN", "0", "0.5", "1796473643.49870",
        "1796473643.4987061", "-62135596800.000001", "253402300800.000000",
        "99999999999999.000000", "1796473643,498706", "17964 73643.498706",
        "--1.000000", "+1.000000", ".000000", "-.000000", "1.00000a",
    };
    size_t i;

    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "2026-11-26 00:31:42.529845"),
                     "2026-11-26T00:31:42.529845Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "2026-11-26 00:31:42.5"),
                     "2026-11-26T00:31:42.500000Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "2026-11-26 00:31:42"),
                     "2026-11-26T00:31:42.000000Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "2026-11-26 00:31:42.05"),
                     "2026-11-26T00:31:42.050000Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "2026-11-26 00:31:42.00001"),
                     "2026-11-26T00:31:42.000010Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "0001-01-01 00:00:00"),
                     "0001-01-01T00:00:00.000000Z");
    ck_assert_str_eq(tasks_timestamp_from_db(test_pool, "9999-12-31 23:59:59.999999"),
                     "9999-12-31T23:59:59.999999Z");
    ck_assert_ptr_null(tasks_timestamp_from_db(test_pool, NULL));
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(tasks_timestamp_from_db(test_pool, bad[i]) == NULL, "%s", bad[i]);
}
END_TEST

Suite *task_json_suite(void)
{
    Suite *s = suite_create("task_json");
    TCase *tc = tcase_create("input");
    TCase *out = tcase_create("output");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, create_defaults);
    tcase_add_test(tc, create_all_fields);
    tcase_add_test(tc, title_required_and_typed);
    tcase_add_test(tc, title_length_in_code_points);
    tcase_add_test(tc, description_rules);
    tcase_add_test(tc, scalar_field_rules);
    tcase_add_test(tc, due_at_rules);
    tcase_add_test(tc, tags_rules);
    tcase_add_test(tc, every_broken_field_in_order);
    tcase_add_test(tc, read_only_and_unknown_ignored);
    tcase_add_test(tc, put_and_patch_leave_absent_fields);
    tcase_add_test(tc, objects_built_in_code);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(out, test_pool_setup, test_pool_teardown);
    tcase_add_test(out, row_to_json_contract_order);
    tcase_add_test(out, row_to_json_values);
    tcase_add_test(out, row_to_json_corrupt);
    tcase_add_test(out, text_buffer);
    tcase_add_test(out, text_json_matches_jansson);
    tcase_add_test(out, text_json_tags);
    tcase_add_test(out, text_json_array_of_two);
    tcase_add_test(out, text_json_corrupt);
    tcase_add_test(out, text_json_random_against_jansson);
    tcase_add_test(out, timestamp_from_db);
    tcase_add_test(out, timestamp_from_db_epoch);
    suite_add_tcase(s, out);
    return s;
}
