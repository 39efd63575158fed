/* test_task.c - the task model without any wire format: drafts built in
 * code (as an iCalendar or JSON-RPC front end builds them) through the
 * field rules, ETags, and If-Match / If-None-Match preconditions. */
#include <string.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/problem.h"
#include "tasks/core/task.h"
#include "tasks/core/validate.h"

static tasks_value str(const char *s)
{
    tasks_value v = { .kind = TASKS_VALUE_STRING, .str = s, .len = strlen(s) };
    return v;
}

static tasks_value boolean(int b)
{
    tasks_value v = { .kind = TASKS_VALUE_BOOL, .boolean = b };
    return v;
}

static tasks_value null_value(void)
{
    tasks_value v = { .kind = TASKS_VALUE_NULL };
    return v;
}

START_TEST(draft_built_in_code_creates_a_task)
{
    tasks_value tags[] = { str(" errand "), str("home"), str("errand") };
    tasks_task_draft d;
    tasks_task_input in;

    memset(&d, 0, sizeof d);
    d.title = str("  Buy milk ");
    d.due_at = str("2026-12-24T18:00:00+01:00");
    d.tags.kind = TASKS_VALUE_LIST;
    d.tags.items = tags;
    d.tags.nitems = 3;
    ck_assert_str_eq(test_field_errors(tasks_task_validate(test_pool, &d, TASKS_INPUT_CREATE,
                                              &in)), "");
    ck_assert_str_eq(in.title, "Buy milk");
    ck_assert_str_eq(in.due_at, "2026-12-24T17:00:00.000000Z");
    ck_assert_str_eq(in.tags, "[\"errand\",\"home\"]");
    /* Absent fields of a create get the contract's defaults. */
    ck_assert(in.has_description && in.description == NULL);
    ck_assert(in.has_completed && !in.completed);
    ck_assert(in.has_priority && in.priority == TASKS_PRIORITY_NONE);
    /* No list: the caller's Inbox (0, which the store reads so). */
    ck_assert(in.has_list_id && in.list_id == 0);
}
END_TEST

START_TEST(patch_draft_writes_only_what_it_carries)
{
    tasks_task_draft d;
    tasks_task_input in;

    memset(&d, 0, sizeof d);
    d.description = null_value();
    d.completed = boolean(1);
    ck_assert_ptr_null(tasks_task_validate(test_pool, &d, TASKS_INPUT_PATCH, &in));
    ck_assert(in.has_description && in.description == NULL);
    ck_assert(in.has_completed && in.completed);
    ck_assert(!in.has_title && !in.has_priority && !in.has_due_at && !in.has_tags
              && !in.has_list_id);
}
END_TEST

/* Reminder values: {"before": ...} and {"at": ...} objects. */
static const char *const before_name[] = { "before" };
static const char *const at_name[] = { "at" };
static const char *const other_name[] = { "after" };
static const tasks_value pt15m[] = { { .kind = TASKS_VALUE_STRING, .str = "PT15M", .len = 5 } };
static const tasks_value minus_1d[] = { { .kind = TASKS_VALUE_STRING, .str = "P-1D", .len = 4 } };
static const tasks_value instant[] = { { .kind = TASKS_VALUE_STRING,
    .str = "2026-12-07T09:00:00+01:00", .len = 25 } };
static const tasks_value date_only[] = { { .kind = TASKS_VALUE_STRING, .str = "2026-12-07", .len = 10 } };
static const tasks_value reminders_ok[] = {
    { .kind = TASKS_VALUE_OBJECT, .names = before_name, .items = pt15m, .nitems = 1 },
    { .kind = TASKS_VALUE_OBJECT, .names = at_name, .items = instant, .nitems = 1 },
};
static const tasks_value reminder_negative[] = {
    { .kind = TASKS_VALUE_OBJECT, .names = before_name, .items = minus_1d, .nitems = 1 } };
static const tasks_value reminder_date[] = {
    { .kind = TASKS_VALUE_OBJECT, .names = at_name, .items = date_only, .nitems = 1 } };
static const tasks_value reminder_unknown[] = {
    { .kind = TASKS_VALUE_OBJECT, .names = other_name, .items = pt15m, .nitems = 1 } };
static const tasks_value eleven[11] = {
    [0 ... 10] = { .kind = TASKS_VALUE_OBJECT, .names = before_name, .items = pt15m, .nitems = 1 } };

#define REMINDERS_MSG "reminders:must be an array of at most 10 reminders, each " \
    "{\"before\": \"<ISO 8601 duration>\"} or {\"at\": \"<RFC 3339 date-time>\"}"

/* One rule per row: a value for one field of an otherwise valid PATCH
 * draft, and the single error it must give ("" for none). */
static const struct {
    const char *field;
    tasks_value value;
    const char *error;
} rules[] = {
    { "title", { .kind = TASKS_VALUE_OTHER }, "title:must be a string" },
    { "title", { .kind = TASKS_VALUE_NULL }, "title:must be a string" },
    { "title", { .kind = TASKS_VALUE_STRING, .str = " \t", .len = 2 },
      "title:must be 1-200 characters" },
    { "title", { .kind = TASKS_VALUE_STRING, .str = "a", .len = 3 },
      "title:must not contain NUL characters" },
    { "description", { .kind = TASKS_VALUE_BOOL },
      "description:must be a string or null" },
    { "completed", { .kind = TASKS_VALUE_STRING, .str = "true", .len = 4 },
      "completed:must be a boolean" },
    { "priority", { .kind = TASKS_VALUE_STRING, .str = "High", .len = 4 },
      "priority:must be one of none, low, medium, high" },
    { "priority", { .kind = TASKS_VALUE_STRING, .str = "high", .len = 4 }, "" },
    { "due_at", { .kind = TASKS_VALUE_STRING, .str = "2026-12-24", .len = 10 },
      "due_at:must be an RFC 3339 date-time with a time zone offset" },
    { "due_at", { .kind = TASKS_VALUE_NULL }, "" },
    { "tags", { .kind = TASKS_VALUE_STRING, .str = "a", .len = 1 },
      "tags:must be an array of strings" },
    { "list_id", { .kind = TASKS_VALUE_INTEGER, .integer = 1 }, "" },
    { "list_id", { .kind = TASKS_VALUE_INTEGER, .integer = 9223372036854775807LL }, "" },
    { "list_id", { .kind = TASKS_VALUE_INTEGER, .integer = 0 },
      "list_id:must be the id of one of your lists" },
    { "list_id", { .kind = TASKS_VALUE_INTEGER, .integer = -1 },
      "list_id:must be the id of one of your lists" },
    { "list_id", { .kind = TASKS_VALUE_STRING, .str = "7", .len = 1 },
      "list_id:must be the id of one of your lists" },
    { "list_id", { .kind = TASKS_VALUE_NULL },
      "list_id:must be the id of one of your lists" },
    { "list_id", { .kind = TASKS_VALUE_OTHER },
      "list_id:must be the id of one of your lists" },
    { "recurrence", { .kind = TASKS_VALUE_STRING, .str = "FREQ=WEEKLY;BYDAY=MO", .len = 20 }, "" },
    { "recurrence", { .kind = TASKS_VALUE_NULL }, "" },
    { "recurrence", { .kind = TASKS_VALUE_STRING, .str = "FREQ=HOURLY", .len = 11 },
      "recurrence:FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY" },
    { "recurrence", { .kind = TASKS_VALUE_BOOL }, "recurrence:must be a string or null" },
    { "time_zone", { .kind = TASKS_VALUE_STRING, .str = "Europe/Berlin", .len = 13 }, "" },
    { "time_zone", { .kind = TASKS_VALUE_STRING, .str = "Mars/Base", .len = 9 },
      "time_zone:must be an IANA time zone name such as Europe/Berlin" },
    { "time_zone", { .kind = TASKS_VALUE_NULL },
      "time_zone:must be an IANA time zone name such as Europe/Berlin" },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = reminders_ok, .nitems = 2 }, "" },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = NULL, .nitems = 0 }, "" },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = eleven, .nitems = 11 }, REMINDERS_MSG },
    { "reminders", { .kind = TASKS_VALUE_NULL }, REMINDERS_MSG },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = reminder_unknown, .nitems = 1 },
      REMINDERS_MSG },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = reminder_negative, .nitems = 1 },
      "reminders:reminder 1: before must be an ISO 8601 duration such as PT15M or P1D "
      "(weeks, days, hours, minutes, seconds; more than 0, at most 366 days)" },
    { "reminders", { .kind = TASKS_VALUE_LIST, .items = reminder_date, .nitems = 1 },
      "reminders:reminder 1: at must be an RFC 3339 date-time with a time zone offset" },
};

/* Reminders are kept as one string each: the duration as given, the
 * instant in UTC. */
START_TEST(reminders_are_kept_as_durations_and_utc_instants)
{
    tasks_task_draft d;
    tasks_task_input in;

    memset(&d, 0, sizeof d);
    d.reminders.kind = TASKS_VALUE_LIST;
    d.reminders.items = reminders_ok;
    d.reminders.nitems = 2;
    ck_assert_ptr_null(tasks_task_validate(test_pool, &d, TASKS_INPUT_PATCH, &in));
    ck_assert_str_eq(in.reminders, "[\"PT15M\",\"2026-12-07T08:00:00.000000Z\"]");
}
END_TEST

/* A create's schedule defaults: no rule, UTC, no reminders. */
START_TEST(create_defaults_to_no_rule_utc_and_no_reminders)
{
    tasks_task_draft d;
    tasks_task_input in;

    memset(&d, 0, sizeof d);
    d.title = (tasks_value){ .kind = TASKS_VALUE_STRING, .str = "t", .len = 1 };
    ck_assert_ptr_null(tasks_task_validate(test_pool, &d, TASKS_INPUT_CREATE, &in));
    ck_assert(in.has_recurrence && in.recurrence == NULL);
    ck_assert(in.has_time_zone);
    ck_assert_str_eq(in.time_zone, "UTC");
    ck_assert(in.has_reminders);
    ck_assert_str_eq(in.reminders, "[]");
}
END_TEST

START_TEST(a_schedule_needs_a_due_at_and_an_occurrence)
{
    ck_assert_ptr_null(tasks_task_schedule_check(test_pool, NULL, "UTC", NULL));
    ck_assert_ptr_null(tasks_task_schedule_check(test_pool, "FREQ=DAILY", "UTC",
                                                 "2026-01-01T09:00:00.000000Z"));
    ck_assert_str_eq(test_field_errors(tasks_task_schedule_check(test_pool, "FREQ=DAILY",
                                                                 "UTC", NULL)),
                     "recurrence:needs a due_at (the first occurrence)");
    ck_assert_str_eq(test_field_errors(tasks_task_schedule_check(test_pool,
                         "FREQ=DAILY;UNTIL=20251231", "UTC", "2026-01-01T09:00:00.000000Z")),
                     "recurrence:never occurs at or after due_at");
    /* The due_at itself counts when the rule yields it. */
    ck_assert_ptr_null(tasks_task_schedule_check(test_pool, "FREQ=DAILY;UNTIL=20260101T090000Z",
                                                 "UTC", "2026-01-01T09:00:00.000000Z"));
}
END_TEST

START_TEST(shifting_reminders_moves_instants_and_keeps_durations)
{
    ck_assert_str_eq(tasks_reminders_shift(test_pool,
                         "[\"PT15M\",\"2026-01-01T08:00:00.000000Z\"]", 86400),
                     "[\"PT15M\",\"2026-01-02T08:00:00.000000Z\"]");
    ck_assert_str_eq(tasks_reminders_shift(test_pool, "[]", 60), "[]");
    ck_assert_ptr_null(tasks_reminders_shift(test_pool, "[\"PT15M\"", 60));
    ck_assert_ptr_null(tasks_reminders_shift(test_pool, "[\"9999-12-31T23:00:00.000000Z\"]", 7200));
    ck_assert_ptr_null(tasks_reminders_shift(test_pool, NULL, 60));
}
END_TEST

static tasks_value *draft_member(tasks_task_draft *d, const char *field)
{
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, if (!strcmp(field, #name)) return &d->name;)
    TASKS_TASK_FIELDS(X)
#undef X
    return NULL;
}

START_TEST(each_rule_gives_its_error)
{
    tasks_task_draft d;
    tasks_task_input in;
    tasks_value *v;

    memset(&d, 0, sizeof d);
    v = draft_member(&d, rules[_i].field);
    ck_assert_ptr_nonnull(v);
    *v = rules[_i].value;
    ck_assert_str_eq(test_field_errors(tasks_task_validate(test_pool, &d, TASKS_INPUT_PATCH,
                                              &in)), rules[_i].error);
}
END_TEST

START_TEST(read_only_fields_have_no_draft_member)
{
    tasks_task_draft d;

    ck_assert_ptr_null(draft_member(&d, "id"));
    ck_assert_ptr_null(draft_member(&d, "user_id"));
    ck_assert_ptr_null(draft_member(&d, "created_at"));
    ck_assert_ptr_null(draft_member(&d, "completed_at"));
    ck_assert_ptr_null(draft_member(&d, "version"));
}
END_TEST

START_TEST(etag_names_id_and_version)
{
    tasks_task_row r = { .id = "42", .version = "3" };

    ck_assert_str_eq(tasks_task_etag(test_pool, &r), "\"42.3\"");
}
END_TEST

/* If-Match for task 42: the header, and what it must parse to. */
static const struct {
    const char *header;
    tasks_match match;
    long long version;
} if_match_cases[] = {
    { NULL, TASKS_MATCH_ANY, 0 },
    { "\"42.3\"", TASKS_MATCH_VERSION, 3 },
    { "  \"42.17\"  ", TASKS_MATCH_VERSION, 17 },
    { "\"7.1\", \"42.5\"", TASKS_MATCH_VERSION, 5 },
    { "\"42.5\",\"42.6\"", TASKS_MATCH_VERSION, 5 },       /* first wins */
    { ",\"42.8\",,", TASKS_MATCH_VERSION, 8 },             /* empty elements */
    { "W/\"42.3\", \"42.4\"", TASKS_MATCH_VERSION, 4 },
    { "\"42.2147483647\"", TASKS_MATCH_VERSION, 2147483647LL },
    { "*", TASKS_MATCH_EXISTS, 0 },
    { "  *  ", TASKS_MATCH_EXISTS, 0 },
    /* No tag of this task, or none the version column could hold. */
    { "\"7.3\"", TASKS_MATCH_NEVER, 0 },
    { "W/\"42.3\"", TASKS_MATCH_NEVER, 0 },
    { "\"142.3\"", TASKS_MATCH_NEVER, 0 },
    { "\"4.3\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.\"", TASKS_MATCH_NEVER, 0 },
    { "\"42\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.3x\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.-3\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.2147483648\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.9223372036854775808\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.99999999999999999999\"", TASKS_MATCH_NEVER, 0 },
    /* Malformed headers never match, even when a good tag is listed. */
    { "42.3", TASKS_MATCH_NEVER, 0 },
    { "\"42.3", TASKS_MATCH_NEVER, 0 },
    { "\"42.3\" \"42.3\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.3\", bogus", TASKS_MATCH_NEVER, 0 },
    { "\"42 .3\"", TASKS_MATCH_NEVER, 0 },
    { "*, \"42.3\"", TASKS_MATCH_NEVER, 0 },
    { "\"42.3\", *", TASKS_MATCH_NEVER, 0 },
    { "w/\"42.3\"", TASKS_MATCH_NEVER, 0 },
    { "", TASKS_MATCH_NEVER, 0 },
    { "  ", TASKS_MATCH_NEVER, 0 },
};

START_TEST(if_match_parses_to_its_precondition)
{
    tasks_precondition pre;

    tasks_precondition_if_match(if_match_cases[_i].header, "42", &pre);
    ck_assert_msg(pre.match == if_match_cases[_i].match, "%s: %d",
                  if_match_cases[_i].header, (int)pre.match);
    if (pre.match == TASKS_MATCH_VERSION)
        ck_assert(pre.version == if_match_cases[_i].version);
}
END_TEST

/* If-None-Match for task 42: the header, "*", and the versions listed. */
static const struct {
    const char *header;
    int any;
    int n;
    long long first;
} if_none_match_cases[] = {
    { NULL, 0, 0, 0 },
    { "*", 1, 0, 0 },
    { "\"42.3\"", 0, 1, 3 },
    { "W/\"42.3\"", 0, 1, 3 },             /* weak comparison */
    { "\"7.1\", W/\"42.9\", \"42.10\"", 0, 2, 9 },
    { "\"7.1\"", 0, 0, 0 },
    { "\"42.2147483648\"", 0, 0, 0 },      /* beyond any version */
    { "\"42.3\" garbage", 0, 0, 0 },       /* malformed: nothing listed */
};

START_TEST(if_none_match_lists_this_tasks_versions)
{
    tasks_precondition pre;

    tasks_precondition_if_none_match(test_pool, if_none_match_cases[_i].header,
                                     "42", &pre);
    ck_assert_int_eq(pre.none_match_any, if_none_match_cases[_i].any);
    ck_assert_int_eq(pre.n_none_match, if_none_match_cases[_i].n);
    if (pre.n_none_match)
        ck_assert(pre.none_match[0] == if_none_match_cases[_i].first);
}
END_TEST

START_TEST(etag_round_trips_through_if_match)
{
    tasks_task_row r = { .id = "123456789", .version = "987654321" };
    tasks_precondition pre;

    tasks_precondition_if_match(tasks_task_etag(test_pool, &r), r.id, &pre);
    ck_assert_int_eq(pre.match, TASKS_MATCH_VERSION);
    ck_assert(pre.version == 987654321LL);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("drafts");
    TCase *pre = tcase_create("preconditions");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, draft_built_in_code_creates_a_task);
    tcase_add_test(tc, patch_draft_writes_only_what_it_carries);
    tcase_add_loop_test(tc, each_rule_gives_its_error, 0, N(rules));
    tcase_add_test(tc, reminders_are_kept_as_durations_and_utc_instants);
    tcase_add_test(tc, create_defaults_to_no_rule_utc_and_no_reminders);
    tcase_add_test(tc, a_schedule_needs_a_due_at_and_an_occurrence);
    tcase_add_test(tc, shifting_reminders_moves_instants_and_keeps_durations);
    tcase_add_test(tc, read_only_fields_have_no_draft_member);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(pre, test_pool_setup, test_pool_teardown);
    tcase_add_test(pre, etag_names_id_and_version);
    tcase_add_loop_test(pre, if_match_parses_to_its_precondition, 0,
                        N(if_match_cases));
    tcase_add_loop_test(pre, if_none_match_lists_this_tasks_versions, 0,
                        N(if_none_match_cases));
    tcase_add_test(pre, etag_round_trips_through_if_match);
    suite_add_tcase(s, pre);
    return s;
}
