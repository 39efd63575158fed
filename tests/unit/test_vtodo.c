/* test_vtodo.c - tasks as iCalendar VTODOs and back: what a client's
 * VTODO proposes (a draft the task rules then judge), what we keep of it
 * as sent, and what we send. Bodies are written with LF here and sent
 * with CRLF, as clients send them. */
#include <string.h>

#include <apr_strings.h>
#include <check.h>

#include "suites.h"
#include "tasks/core/task.h"
#include "tasks/core/vtodo.h"

/* s with every LF made CRLF, in test_pool. */
static const char *crlf(const char *s)
{
    char *out = apr_palloc(test_pool, 2 * strlen(s) + 1), *o = out;

    for (; *s; s++) {
        if (*s == '\n')
            *o++ = '\r';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* A calendar object holding one VTODO (UID t1) with the given lines. */
static const char *todo_body(const char *lines)
{
    return crlf(apr_pstrcat(test_pool, "BEGIN:VCALENDAR\nVERSION:2.0\n"
                            "PRODID:-//test//EN\nBEGIN:VTODO\nUID:t1\n",
                            lines, "END:VTODO\nEND:VCALENDAR\n", NULL));
}

/* A value as one line of text: absent, null, true, "s", [..], {name:..}. */
static const char *value_text(const tasks_value *v)
{
    const char *s;
    int i;

    switch (v->kind) {
    case TASKS_VALUE_ABSENT: return "absent";
    case TASKS_VALUE_NULL:   return "null";
    case TASKS_VALUE_BOOL:   return v->boolean ? "true" : "false";
    case TASKS_VALUE_STRING:
        ck_assert_uint_eq(strlen(v->str), v->len);
        return apr_psprintf(test_pool, "\"%s\"", v->str);
    case TASKS_VALUE_LIST:
        s = "[";
        for (i = 0; i < v->nitems; i++)
            s = apr_pstrcat(test_pool, s, i ? "," : "",
                            value_text(&v->items[i]), NULL);
        return apr_pstrcat(test_pool, s, "]", NULL);
    case TASKS_VALUE_OBJECT:
        s = "{";
        for (i = 0; i < v->nitems; i++)
            s = apr_pstrcat(test_pool, s, i ? "," : "", v->names[i], ":",
                            value_text(&v->items[i]), NULL);
        return apr_pstrcat(test_pool, s, "}", NULL);
    default:
        return "other";
    }
}

/* The draft's writable fields as "name=value " in table order. */
static const char *draft_text(const tasks_task_draft *d)
{
    const char *s = "";

#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, s = apr_pstrcat(test_pool, s, #name "=", \
                                        value_text(&d->name), " ", NULL);)
    TASKS_TASK_FIELDS(X)
#undef X
    return s;
}

/* Parse body, which must be accepted. */
static tasks_vtodo parsed(const char *body)
{
    tasks_vtodo v;
    const char *why = tasks_vtodo_parse(test_pool, body, strlen(body), &v);

    ck_assert_msg(why == NULL, "refused: %s", why ? why : "");
    return v;
}

/* The same, in test_pool, for use inside an expression. */
static const tasks_vtodo *parse_ok(const char *body)
{
    tasks_vtodo *v = apr_palloc(test_pool, sizeof *v);

    *v = parsed(body);
    return v;
}

/* The task as the store would return it after writing in. */
static tasks_task_row row_from_input(const tasks_task_input *in)
{
    tasks_task_row r;

    memset(&r, 0, sizeof r);
    r.id = "42";
    r.user_id = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
    r.title = in->title;
    r.description = in->description;
    r.completed = in->completed ? "t" : "f";
    r.priority = apr_itoa(test_pool, in->priority);
    r.due_at = in->due_at;
    r.tags = in->tags;
    r.list_id = "7";
    r.recurrence = in->recurrence;
    r.time_zone = in->has_time_zone ? in->time_zone : "UTC";
    r.reminders = in->reminders;
    r.created_at = "2026-03-01T10:15:00.000000Z";
    r.updated_at = "2026-03-02T11:00:00.123456Z";
    r.completed_at = in->completed ? "2026-03-02T11:00:00.123456Z" : NULL;
    r.version = "3";
    r.recurrence_start = in->due_at;
    return r;
}

/* A plain row: pending, no due date, no tags or reminders. */
static tasks_task_row plain_row(void)
{
    tasks_task_row r;

    memset(&r, 0, sizeof r);
    r.id = "1";
    r.user_id = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
    r.title = "Buy milk";
    r.completed = "f";
    r.priority = "0";
    r.tags = "[]";
    r.list_id = "1";
    r.time_zone = "UTC";
    r.reminders = "[]";
    r.created_at = "2026-03-01T10:15:00.000000Z";
    r.updated_at = "2026-03-02T11:00:00.000000Z";
    r.version = "1";
    return r;
}

/* Render, which must succeed, and check what every rendering must be:
 * CRLF line ends only, lines of at most 75 octets, no folded line split
 * inside a UTF-8 sequence. */
static const char *rendered(const tasks_task_row *row, const char *uid,
                            const char *kept)
{
    const char *text = tasks_vtodo_render(test_pool, row, uid, kept), *s;

    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strncmp(text, "BEGIN:VCALENDAR\r\nPRODID:-//mod_tasks//EN\r\n"
                          "VERSION:2.0\r\n", 55) == 0, "%s", text);
    for (s = text; *s; ) {
        const char *eol = strstr(s, "\r\n");

        ck_assert_ptr_nonnull(eol);
        ck_assert_msg(eol - s <= 75, "line over 75 octets: %.*s",
                      (int)(eol - s), s);
        ck_assert_ptr_null(memchr(s, '\n', (size_t)(eol - s)));
        ck_assert_ptr_null(memchr(s, '\r', (size_t)(eol - s)));
        ck_assert_msg(eol > s && (s[0] != ' ' || eol > s + 1),
                      "an empty line or continuation");
        if (*s == ' ')
            ck_assert_msg(((unsigned char)s[1] & 0xc0) != 0x80,
                          "continuation starts inside a character");
        s = eol + 2;
    }
    return text;
}

/* text holds the content line line (a literal), whole. */
#define ck_assert_line(text, line) \
    ck_assert_msg(strstr((text), "\r\n" line "\r\n") != NULL, \
                  "no line %s in:\n%s", line, (text))

/* A typical task of tasks.org / Thunderbird: a VTIMEZONE, a DUE in it,
 * two categories, a weekly rule, a priority, a status, a reminder 15
 * minutes before, and what apps add that a task does not model. */
static const char thunderbird[] =
    "BEGIN:VCALENDAR\n"
    "VERSION:2.0\n"
    "PRODID:+//IDN tasks.org//android-130900//EN\n"
    "BEGIN:VTIMEZONE\n"
    "TZID:Europe/Berlin\n"
    "LAST-MODIFIED:20231222T233358Z\n"
    "X-LIC-LOCATION:Europe/Berlin\n"
    "BEGIN:DAYLIGHT\n"
    "TZNAME:CEST\n"
    "TZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\n"
    "DTSTART:19700329T020000\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"
    "END:DAYLIGHT\n"
    "BEGIN:STANDARD\n"
    "TZNAME:CET\n"
    "TZOFFSETFROM:+0200\n"
    "TZOFFSETTO:+0100\n"
    "DTSTART:19701025T030000\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
    "END:STANDARD\n"
    "END:VTIMEZONE\n"
    "BEGIN:VTODO\n"
    "DTSTAMP:20260301T101500Z\n"
    "UID:6c1f0b3e-6d8e-4a8f-9d59-1c2b3a4d5e6f\n"
    "CREATED:20260301T101500Z\n"
    "LAST-MODIFIED:20260301T101500Z\n"
    "SUMMARY:Water the plants\n"
    "DESCRIPTION:Balcony first\\, then the kitchen.\\nUse the rain water.\n"
    "PRIORITY:1\n"
    "STATUS:NEEDS-ACTION\n"
    "DUE;TZID=Europe/Berlin:20260316T090000\n"
    "CATEGORIES:Home,Garden\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO\n"
    "X-APPLE-SORT-ORDER:-1234567\n"
    "RELATED-TO;RELTYPE=PARENT:1f2e3d4c-5b6a-4789-8abc-def012345678\n"
    "GEO:52.52;13.405\n"
    "X-MOZ-GENERATION:3\n"
    "X-TASKS-NOTE:a note long enough to be folded by the client that wrote\n"
    "  it, which folds at 75 octets as RFC 5545 says\n"
    "BEGIN:VALARM\n"
    "TRIGGER;RELATED=END:-PT15M\n"
    "ACTION:DISPLAY\n"
    "DESCRIPTION:Default Tasks.org description\n"
    "END:VALARM\n"
    "END:VTODO\n"
    "END:VCALENDAR\n";

static const char thunderbird_draft[] =
    "title=\"Water the plants\" "
    "description=\"Balcony first, then the kitchen.\nUse the rain water.\" "
    "completed=false priority=\"high\" "
    "due_at=\"2026-03-16T08:00:00.000000Z\" tags=[\"Home\",\"Garden\"] "
    "list_id=absent recurrence=\"FREQ=WEEKLY;BYDAY=MO\" "
    "time_zone=\"Europe/Berlin\" reminders=[{before:\"PT15M\"}] ";

static const char thunderbird_kept[] =
    "X-APPLE-SORT-ORDER:-1234567\r\n"
    "RELATED-TO;RELTYPE=PARENT:1f2e3d4c-5b6a-4789-8abc-def012345678\r\n"
    "GEO:52.52;13.405\r\n"
    "X-MOZ-GENERATION:3\r\n"
    "X-TASKS-NOTE:a note long enough to be folded by the client that wrote "
    "it, which folds at 75 octets as RFC 5545 says\r\n";

START_TEST(a_typical_vtodo_becomes_a_draft)
{
    tasks_vtodo v = parsed(crlf(thunderbird));

    ck_assert_str_eq(draft_text(&v.draft), thunderbird_draft);
    ck_assert_str_eq(v.uid, "6c1f0b3e-6d8e-4a8f-9d59-1c2b3a4d5e6f");
    /* Kept as sent (GEO not rewritten as 52.520000), unfolded. */
    ck_assert_str_eq(v.kept, thunderbird_kept);
}
END_TEST

START_TEST(a_validated_draft_renders_and_reads_back_the_same)
{
    tasks_vtodo v = parsed(crlf(thunderbird)), again;
    tasks_task_input in;
    tasks_task_row row;
    const char *text;

    ck_assert_str_eq(test_field_errors(tasks_task_validate(
        test_pool, &v.draft, TASKS_INPUT_PUT, &in)), "");
    row = row_from_input(&in);
    text = rendered(&row, v.uid, v.kept);

    /* The zone the DUE names is in the calendar, under that name. */
    ck_assert_ptr_nonnull(strstr(text, "BEGIN:VTIMEZONE\r\n"
                                       "TZID:Europe/Berlin\r\n"));
    ck_assert_line(text, "DUE;TZID=Europe/Berlin:20260316T090000");
    ck_assert_line(text, "UID:6c1f0b3e-6d8e-4a8f-9d59-1c2b3a4d5e6f");
    ck_assert_line(text, "DTSTAMP:20260302T110000Z");
    ck_assert_line(text, "CREATED:20260301T101500Z");
    ck_assert_line(text, "LAST-MODIFIED:20260302T110000Z");
    ck_assert_line(text, "SUMMARY:Water the plants");
    ck_assert_ptr_nonnull(strstr(text, "\r\nDESCRIPTION:Balcony first\\, then the "
                                       "kitchen.\\nUse the rain water.\r\n"));
    ck_assert_line(text, "STATUS:NEEDS-ACTION");
    ck_assert_line(text, "PRIORITY:1");
    ck_assert_line(text, "CATEGORIES:Home,Garden");
    ck_assert_line(text, "RRULE:FREQ=WEEKLY;BYDAY=MO");
    ck_assert_line(text, "GEO:52.52;13.405");
    ck_assert_ptr_nonnull(strstr(text, "\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                                       "TRIGGER;RELATED=END:-PT15M\r\n"
                                       "DESCRIPTION:Water the plants\r\n"
                                       "END:VALARM\r\nEND:VTODO\r\n"
                                       "END:VCALENDAR\r\n"));
    /* Kept properties come before the alarms (RFC 5545's order). */
    ck_assert_msg(strstr(text, "X-APPLE-SORT-ORDER") < strstr(text, "BEGIN:VALARM"),
                  "kept properties after the alarms");
    /* The long kept line is folded again, as libical folds. */
    ck_assert_ptr_nonnull(strstr(text, "\r\nX-TASKS-NOTE:a note long enough to "
                                       "be folded by the client that wrote it, "
                                       "\r\n which folds at 75 octets as "
                                       "RFC 5545 says\r\n"));
    /* What is not iCalendar stays out: the list, the version. */
    ck_assert_ptr_null(strstr(text, "list_id"));
    ck_assert_ptr_null(strstr(text, "\r\nCOMPLETED:"));

    again = parsed(text);
    ck_assert_str_eq(draft_text(&again.draft), draft_text(&v.draft));
    ck_assert_str_eq(again.uid, v.uid);
    ck_assert_str_eq(again.kept, v.kept);
}
END_TEST

static const struct {
    const char *line;
    const char *priority;
} priorities[] = {
    { "PRIORITY:0\n", "none" }, { "PRIORITY:1\n", "high" },
    { "PRIORITY:4\n", "high" }, { "PRIORITY:5\n", "medium" },
    { "PRIORITY:6\n", "low" },  { "PRIORITY:9\n", "low" },
    { "", "none" }
};

START_TEST(priorities_are_read_by_rfc_5545s_ranges)
{
    tasks_vtodo v = parsed(todo_body(apr_pstrcat(test_pool, "SUMMARY:x\n",
                                                 priorities[_i].line, NULL)));

    ck_assert_str_eq(value_text(&v.draft.priority),
                     apr_psprintf(test_pool, "\"%s\"", priorities[_i].priority));
}
END_TEST

START_TEST(priorities_are_written_as_1_5_9_or_not_at_all)
{
    static const char *const lines[] = { NULL, "PRIORITY:9", "PRIORITY:5",
                                         "PRIORITY:1" };
    int rank;

    for (rank = 0; rank < 4; rank++) {
        tasks_task_row row = plain_row();
        const char *text;

        row.priority = apr_itoa(test_pool, rank);
        text = rendered(&row, "u", NULL);
        if (lines[rank])
            ck_assert_ptr_nonnull(strstr(text, apr_pstrcat(test_pool, "\r\n",
                                         lines[rank], "\r\n", NULL)));
        else
            ck_assert_ptr_null(strstr(text, "PRIORITY"));
        /* And read back to the same rank's name. */
        ck_assert_str_eq(value_text(&parse_ok(text)->draft.priority),
                         apr_psprintf(test_pool, "\"%s\"",
                                      rank == 0 ? "none" : rank == 1 ? "low"
                                      : rank == 2 ? "medium" : "high"));
    }
}
END_TEST

static const struct {
    const char *lines;
    int completed;
} statuses[] = {
    { "STATUS:NEEDS-ACTION\n", 0 },
    { "STATUS:IN-PROCESS\n", 0 },
    { "STATUS:COMPLETED\nCOMPLETED:20260302T100000Z\n", 1 },
    { "STATUS:COMPLETED\n", 1 },
    { "", 0 },
    /* no STATUS: a completion date says it is done */
    { "COMPLETED:20260302T100000Z\n", 1 },
    /* STATUS decides over a stale completion date */
    { "STATUS:NEEDS-ACTION\nCOMPLETED:20260302T100000Z\n", 0 },
    /* nothing left to do */
    { "STATUS:CANCELLED\n", 1 },
};

START_TEST(statuses_say_whether_the_task_is_completed)
{
    tasks_vtodo v = parsed(todo_body(apr_pstrcat(test_pool, "SUMMARY:x\n",
                                                 statuses[_i].lines, NULL)));

    ck_assert_str_eq(value_text(&v.draft.completed),
                     statuses[_i].completed ? "true" : "false");
}
END_TEST

START_TEST(completion_is_written_with_its_time)
{
    tasks_task_row row = plain_row();
    const char *text;

    row.completed = "t";
    row.completed_at = "2026-03-02T10:00:00.654321Z";
    text = rendered(&row, "u", NULL);
    ck_assert_ptr_nonnull(strstr(text, "\r\nSTATUS:COMPLETED\r\n"
                                       "COMPLETED:20260302T100000Z\r\n"));
    ck_assert_str_eq(value_text(&parse_ok(text)->draft.completed), "true");

    row.completed = "f";
    row.completed_at = NULL;
    text = rendered(&row, "u", NULL);
    ck_assert_line(text, "STATUS:NEEDS-ACTION");
    ck_assert_ptr_null(strstr(text, "COMPLETED:"));
}
END_TEST

static const struct {
    const char *lines;
    const char *due_at, *time_zone;
} dues[] = {
    /* a date: that day at 00:00 UTC */
    { "DUE;VALUE=DATE:20260316\n", "\"2026-03-16T00:00:00.000000Z\"", "\"UTC\"" },
    /* UTC: the instant; the zone is the task's to keep */
    { "DUE:20260316T090000Z\n", "\"2026-03-16T09:00:00.000000Z\"", "absent" },
    /* floating: read in UTC */
    { "DUE:20260316T090000\n", "\"2026-03-16T09:00:00.000000Z\"", "\"UTC\"" },
    /* a zone: its wall clock (CET in March, CEST in July) */
    { "DUE;TZID=Europe/Berlin:20260316T090000\n",
      "\"2026-03-16T08:00:00.000000Z\"", "\"Europe/Berlin\"" },
    { "DUE;TZID=Europe/Berlin:20260716T090000\n",
      "\"2026-07-16T07:00:00.000000Z\"", "\"Europe/Berlin\"" },
    { "DUE;TZID=America/New_York:20261231T235959\n",
      "\"2027-01-01T04:59:59.000000Z\"", "\"America/New_York\"" },
    /* a time a daylight-saving gap skips: the offset before it */
    { "DUE;TZID=Europe/Berlin:20260329T023000\n",
      "\"2026-03-29T01:30:00.000000Z\"", "\"Europe/Berlin\"" },
    /* libical's own TZIDs */
    { "DUE;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20260316T090000\n",
      "\"2026-03-16T08:00:00.000000Z\"", "\"Europe/Berlin\"" },
    /* a TZID we do not know: passed on for the zone rule to refuse */
    { "DUE;TZID=W. Europe Standard Time:20260316T090000\n",
      "\"2026-03-16T09:00:00.000000Z\"", "\"W. Europe Standard Time\"" },
    /* none */
    { "", "null", "\"UTC\"" },
};

START_TEST(due_dates_are_instants_and_zones)
{
    tasks_vtodo v = parsed(todo_body(apr_pstrcat(test_pool, "SUMMARY:x\n",
                                                 dues[_i].lines, NULL)));

    ck_assert_str_eq(value_text(&v.draft.due_at), dues[_i].due_at);
    ck_assert_str_eq(value_text(&v.draft.time_zone), dues[_i].time_zone);
}
END_TEST

START_TEST(a_tzid_is_found_by_its_vtimezones_location)
{
    const char *body = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
        "BEGIN:VTIMEZONE\nTZID:Berlin, Germany\nX-LIC-LOCATION:Europe/Berlin\n"
        "BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "DTSTART:19701025T030000\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:VTODO\nUID:t1\nSUMMARY:x\n"
        "DUE;TZID=\"Berlin, Germany\":20260316T090000\n"
        "END:VTODO\nEND:VCALENDAR\n");
    tasks_vtodo v = parsed(body);

    ck_assert_str_eq(value_text(&v.draft.due_at),
                     "\"2026-03-16T08:00:00.000000Z\"");
    ck_assert_str_eq(value_text(&v.draft.time_zone), "\"Europe/Berlin\"");
}
END_TEST

START_TEST(due_dates_are_written_in_their_zone_or_utc)
{
    tasks_task_row row = plain_row();
    const char *text;

    row.due_at = "2026-07-16T07:00:00.250000Z";
    text = rendered(&row, "u", NULL);
    ck_assert_line(text, "DUE:20260716T070000Z");
    ck_assert_ptr_null(strstr(text, "VTIMEZONE"));

    row.time_zone = "America/New_York";
    text = rendered(&row, "u", NULL);
    ck_assert_line(text, "DUE;TZID=America/New_York:20260716T030000");
    ck_assert_ptr_nonnull(strstr(text, "BEGIN:VTIMEZONE\r\n"
                                       "TZID:America/New_York\r\n"));
    ck_assert_str_eq(value_text(&parse_ok(text)->draft.due_at),
                     "\"2026-07-16T07:00:00.000000Z\"");

    /* A zone without a due date needs no VTIMEZONE. */
    row.due_at = NULL;
    text = rendered(&row, "u", NULL);
    ck_assert_ptr_null(strstr(text, "VTIMEZONE"));
    ck_assert_ptr_null(strstr(text, "DUE"));
}
END_TEST

/* libical writes every year after 3000 as 00000000T000000; an instant
 * may be in any year to 9999, so ours are written by hand. */
START_TEST(far_years_are_written_as_they_are)
{
    tasks_task_row row = plain_row();
    const char *text;
    const tasks_vtodo *v;

    row.due_at = "4052-06-30T18:00:00.000000Z";
    row.reminders = "[\"9999-12-31T23:59:59.000000Z\",\"P1W2D\"]";
    text = rendered(&row, "u", NULL);
    ck_assert_line(text, "DUE:40520630T180000Z");
    ck_assert_line(text, "TRIGGER;VALUE=DATE-TIME:99991231T235959Z");
    /* Weeks with days are ours, not RFC 5545's: written in days. */
    ck_assert_line(text, "TRIGGER;RELATED=END:-P9D");
    v = parse_ok(text);
    ck_assert_str_eq(value_text(&v->draft.due_at),
                     "\"4052-06-30T18:00:00.000000Z\"");
    ck_assert_str_eq(value_text(&v->draft.reminders),
                     "[{at:\"9999-12-31T23:59:59.000000Z\"},{before:\"P9D\"}]");

    row.time_zone = "Europe/Berlin";
    text = rendered(&row, "u", NULL);
    ck_assert_ptr_nonnull(strstr(text, "\r\nDUE;TZID=Europe/Berlin:40520630T"));
}
END_TEST

START_TEST(a_vtodo_is_a_whole_task)
{
    tasks_vtodo v = parsed(todo_body("SUMMARY:Buy milk\n"));

    ck_assert_str_eq(draft_text(&v.draft),
                     "title=\"Buy milk\" description=null completed=false "
                     "priority=\"none\" due_at=null tags=[] list_id=absent "
                     "recurrence=null time_zone=\"UTC\" reminders=[] ");
    ck_assert_ptr_null(v.kept);
    ck_assert_str_eq(v.uid, "t1");

    /* Without SUMMARY the title is absent: the rule that requires it
     * speaks. An empty value is no value. */
    v = parsed(todo_body("DESCRIPTION:\n"));
    ck_assert_str_eq(value_text(&v.draft.title), "absent");
    ck_assert_str_eq(value_text(&v.draft.description), "null");
}
END_TEST

START_TEST(categories_are_tags)
{
    tasks_vtodo v = parsed(todo_body(
        "SUMMARY:x\nCATEGORIES:a,b\\,c\nCATEGORIES;LANGUAGE=en:d\\;e,,f\\\\g\n"
        "CATEGORIES:x\\ny\n"));
    tasks_task_input in;
    tasks_task_row row;
    const char *text;

    ck_assert_str_eq(value_text(&v.draft.tags),
                     "[\"a\",\"b,c\",\"d;e\",\"f\\g\",\"x\ny\"]");
    ck_assert_ptr_null(v.kept);

    ck_assert_str_eq(test_field_errors(tasks_task_validate(
        test_pool, &v.draft, TASKS_INPUT_PUT, &in)), "");
    row = row_from_input(&in);
    text = rendered(&row, "t1", NULL);
    /* One property, each tag escaped (libical would not escape the comma). */
    ck_assert_line(text, "CATEGORIES:a,b\\,c,d\\;e,f\\\\g,x\\ny");
    ck_assert_str_eq(value_text(&parse_ok(text)->draft.tags),
                     value_text(&v.draft.tags));
}
END_TEST

START_TEST(recurrence_is_the_rrule_value)
{
    tasks_vtodo v = parsed(todo_body(
        "SUMMARY:x\nDUE:20260105T090000Z\n"
        "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=5\n"));
    tasks_task_input in;
    tasks_task_row row;
    const char *text;

    ck_assert_str_eq(value_text(&v.draft.recurrence),
                     "\"FREQ=MONTHLY;COUNT=5;BYDAY=-1FR\"");
    ck_assert_str_eq(test_field_errors(tasks_task_validate(
        test_pool, &v.draft, TASKS_INPUT_PUT, &in)), "");
    row = row_from_input(&in);
    text = rendered(&row, "t1", NULL);
    ck_assert_line(text, "RRULE:FREQ=MONTHLY;COUNT=5;BYDAY=-1FR");
    ck_assert_str_eq(value_text(&parse_ok(text)->draft.recurrence),
                     value_text(&v.draft.recurrence));

    /* A part the rules do not take reaches them, which say why. */
    v = parsed(todo_body("SUMMARY:x\nDUE:20260105T090000Z\n"
                         "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1\n"));
    ck_assert_ptr_nonnull(strstr(test_field_errors(tasks_task_validate(
        test_pool, &v.draft, TASKS_INPUT_PUT, &in)), "recurrence:"));
}
END_TEST

/* Alarms a reminder cannot say, each kept as sent. */
static const char kept_alarms[] =
    /* after the due time */
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:PT5M\n"
    "DESCRIPTION:late\nEND:VALARM\n"
    /* repeated */
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:-PT30M\n"
    "REPEAT:2\nDURATION:PT5M\nDESCRIPTION:again\nEND:VALARM\n"
    /* before the start, which this VTODO has */
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT10M\nDESCRIPTION:start\n"
    "END:VALARM\n"
    /* a sound */
    "BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=END:-PT1H\n"
    "ATTACH;FMTTYPE=audio/basic:http://example.com/ding.au\nEND:VALARM\n"
    /* at the due time: a reminder is before it */
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:PT0S\n"
    "DESCRIPTION:now\nEND:VALARM\n"
    /* Apple's: an alarm with its own identity */
    "BEGIN:VALARM\nX-WR-ALARMUID:0A1B\nUID:0A1B\n"
    "TRIGGER;RELATED=END:-PT2H\nACTION:DISPLAY\nDESCRIPTION:Reminder\n"
    "END:VALARM\n";

START_TEST(alarms_are_reminders_or_kept_as_sent)
{
    const char *lines = apr_pstrcat(test_pool,
        "SUMMARY:Call Bob\nDTSTART:20260310T080000Z\nDUE:20260316T090000Z\n",
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;VALUE=DURATION;RELATED=END:"
        "-P1DT2H\nDESCRIPTION:Default Mozilla Description\nEND:VALARM\n",
        kept_alarms,
        "BEGIN:VALARM\nTRIGGER;VALUE=DATE-TIME:20260315T180000Z\n"
        "ACTION:DISPLAY\nEND:VALARM\n",
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:-P1W\nEND:VALARM\n",
        NULL);
    tasks_vtodo v = parsed(todo_body(lines)), again;
    tasks_task_input in;
    tasks_task_row row;
    const char *text;

    ck_assert_str_eq(value_text(&v.draft.reminders),
                     "[{before:\"P1DT2H\"},{at:\"2026-03-15T18:00:00.000000Z\"},"
                     "{before:\"P1W\"}]");
    ck_assert_str_eq(v.kept, apr_pstrcat(test_pool, "DTSTART:20260310T080000Z\r\n",
                                         crlf(kept_alarms), NULL));

    ck_assert_str_eq(test_field_errors(tasks_task_validate(
        test_pool, &v.draft, TASKS_INPUT_PUT, &in)), "");
    row = row_from_input(&in);
    text = rendered(&row, v.uid, v.kept);
    /* Ours first, then the kept ones, verbatim. */
    ck_assert_ptr_nonnull(strstr(text,
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-P1DT2H\r\n"
        "DESCRIPTION:Call Bob\r\nEND:VALARM\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
        "TRIGGER;VALUE=DATE-TIME:20260315T180000Z\r\n"
        "DESCRIPTION:Call Bob\r\nEND:VALARM\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-P1W\r\n"
        "DESCRIPTION:Call Bob\r\nEND:VALARM\r\n"));
    ck_assert_ptr_nonnull(strstr(text, apr_pstrcat(test_pool, crlf(kept_alarms),
                                                   "END:VTODO\r\n", NULL)));

    again = parsed(text);
    ck_assert_str_eq(draft_text(&again.draft), draft_text(&v.draft));
    ck_assert_str_eq(again.kept, v.kept);
}
END_TEST

START_TEST(without_dtstart_a_start_alarm_is_before_the_due_time)
{
    tasks_vtodo v = parsed(todo_body(
        "SUMMARY:x\nDUE:20260316T090000Z\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=START:-PT90M\n"
        "END:VALARM\n"));

    ck_assert_str_eq(value_text(&v.draft.reminders),
                     "[{before:\"PT15M\"},{before:\"PT90M\"}]");
    ck_assert_ptr_null(v.kept);
}
END_TEST

START_TEST(unknown_properties_and_components_are_kept)
{
    tasks_vtodo v = parsed(todo_body(
        "SUMMARY:x\nESTIMATED-DURATION:PT1H\nx-lower:case\n"
        "URL;VALUE=URI:https://example.com/a;b?c=d\nCLASS:PRIVATE\n"
        "SEQUENCE:4\nPERCENT-COMPLETE:50\nLOCATION:\n"
        "BEGIN:X-THING\nX-A:1\nBEGIN:X-INNER\nX-B:2\nEND:X-INNER\n"
        "END:X-THING\n"
        "ATTACH;ENCODING=BASE64;VALUE=BINARY;X-NAME=\"a;b:c\":aGVsbG8=\n"));

    ck_assert_str_eq(v.kept,
        "ESTIMATED-DURATION:PT1H\r\nx-lower:case\r\n"
        "URL;VALUE=URI:https://example.com/a;b?c=d\r\nCLASS:PRIVATE\r\n"
        "SEQUENCE:4\r\nPERCENT-COMPLETE:50\r\nLOCATION:\r\n"
        "ATTACH;ENCODING=BASE64;VALUE=BINARY;X-NAME=\"a;b:c\":aGVsbG8=\r\n"
        "BEGIN:X-THING\r\nX-A:1\r\nBEGIN:X-INNER\r\nX-B:2\r\nEND:X-INNER\r\n"
        "END:X-THING\r\n");
}
END_TEST

START_TEST(long_lines_are_folded_and_read_back)
{
    tasks_task_row row = plain_row();
    const char *kept, *text;
    tasks_vtodo v;

    /* Multi-byte characters with no space to break at: the fold falls
     * between characters. */
    row.title = apr_pstrcat(test_pool, "Einkäufe für die Woche: ",
                            "äöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüß"
                            "äöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüßäöüß", NULL);
    row.description = apr_pstrcat(test_pool, "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€",
                                  "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€", NULL);
    kept = "X-LONG:€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€\r\n";
    text = rendered(&row, "u", kept);
    v = parsed(text);
    ck_assert_str_eq(value_text(&v.draft.title),
                     apr_psprintf(test_pool, "\"%s\"", row.title));
    ck_assert_str_eq(value_text(&v.draft.description),
                     apr_psprintf(test_pool, "\"%s\"", row.description));
    ck_assert_str_eq(v.kept, kept);
}
END_TEST

/* libical 3.0.16 splits a last piece of 73 octets without a place to
 * break between its CR and LF; every length around that is written
 * whole and read back. */
START_TEST(no_length_breaks_a_line_end)
{
    tasks_task_row row = plain_row();
    char *long_text = apr_palloc(test_pool, 400);
    int n;

    for (n = 60; n < 380; n++) {
        const char *text;

        memset(long_text, 'a', (size_t)n);
        long_text[n] = '\0';
        row.title = long_text;
        row.description = long_text;
        text = rendered(&row, "u", apr_pstrcat(test_pool, "X-A:", long_text,
                                                "\r\n", NULL));
        ck_assert_str_eq(value_text(&parse_ok(text)->draft.title),
                         apr_psprintf(test_pool, "\"%s\"", long_text));
    }
}
END_TEST

START_TEST(text_is_escaped_and_controls_left_out)
{
    tasks_task_row row = plain_row();
    const char *text;
    tasks_vtodo v;

    row.title = "a, b; c\\d\x01";
    row.description = "line 1\nline 2\ttab\r";
    row.tags = "[\"x\\u0002y\"]";
    text = rendered(&row, "uid,with;odd\\chars", NULL);
    ck_assert_line(text, "SUMMARY:a\\, b\\; c\\\\d");
    v = parsed(text);
    ck_assert_str_eq(value_text(&v.draft.title), "\"a, b; c\\d\"");
    ck_assert_str_eq(value_text(&v.draft.description), "\"line 1\nline 2\ttab\"");
    ck_assert_str_eq(value_text(&v.draft.tags), "[\"xy\"]");
    ck_assert_str_eq(v.uid, "uid,with;odd\\chars");

    /* libical reads \\r, \\b, \\f as those characters: left out too. */
    v = parsed(todo_body("SUMMARY:a\\rb\\Bc\\fd\\te\n"));
    ck_assert_str_eq(value_text(&v.draft.title), "\"abcd\te\"");

    /* Text is read as sent: blanks around it kept (libical strips
     * them), a backslash that escapes nothing kept. */
    v = parsed(todo_body("SUMMARY:x\nDESCRIPTION:  - indented\\n  - list  \n"
                         "X-TRAIL:kept as sent  \nLOCATION:C:\\Users\n"));
    ck_assert_str_eq(value_text(&v.draft.description),
                     "\"  - indented\n  - list  \"");
    ck_assert_str_eq(v.kept, "X-TRAIL:kept as sent  \r\nLOCATION:C:\\Users\r\n");
    row = plain_row();
    row.description = "  - indented\n  - list  ";
    text = rendered(&row, "u", v.kept);
    ck_assert_str_eq(value_text(&parse_ok(text)->draft.description),
                     "\"  - indented\n  - list  \"");
}
END_TEST

static const struct {
    const char *body;       /* with LF; sent with CRLF */
    const char *reason;     /* a part of the reason */
} refused[] = {
    { "hello world\n", "one VCALENDAR" },
    { "", "not an iCalendar object" },
    { "{\"title\": \"Buy milk\"}", "one VCALENDAR" },
    { "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "has none" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VTODO\nBEGIN:VTODO\nUID:b\n"
      "END:VTODO\nEND:VCALENDAR\n", "not two" },
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20260316T090000Z\n"
      "END:VEVENT\nEND:VCALENDAR\n", "not a VEVENT" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VTODO\nBEGIN:VJOURNAL\n"
      "UID:b\nEND:VJOURNAL\nEND:VCALENDAR\n", "not a VJOURNAL" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:x\nEND:VTODO\nEND:VCALENDAR\n",
      "no UID" },
    { "BEGIN:VTODO\nUID:a\nEND:VTODO\n", "one VCALENDAR" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VTODO\n", "ends before" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VCALENDAR\nEND:VTODO\n",
      "END:VCALENDAR closes BEGIN:VTODO" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VTODO\nEND:VCALENDAR\n"
      "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "one VCALENDAR" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nEND:VTODO\nEND:VCALENDAR\n"
      "X-TRAILING:junk\n", "one VCALENDAR" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nno colon here\nEND:VTODO\n"
      "END:VCALENDAR\n", "content line 4" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nDUE:tomorrow\nEND:VTODO\n"
      "END:VCALENDAR\n", "not valid iCalendar" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nDUE:20260230T090000Z\nEND:VTODO\n"
      "END:VCALENDAR\n", "DUE is not a valid date-time" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nPRIORITY:10\nEND:VTODO\n"
      "END:VCALENDAR\n", "PRIORITY must be 0-9" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nSTATUS:TENTATIVE\nEND:VTODO\n"
      "END:VCALENDAR\n", "STATUS must be" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nSUMMARY:x\nSUMMARY:y\nEND:VTODO\n"
      "END:VCALENDAR\n", "SUMMARY twice" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nUID:b\nEND:VTODO\n"
      "END:VCALENDAR\n", "UID twice" },
    { " BEGIN:VCALENDAR\nEND:VCALENDAR\n", "continues nothing" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\n"
      "END:VTODO\nEND:VCALENDAR\n", "a VTODO cannot hold a VEVENT" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nBEGIN:VALARM\nBEGIN:vcalendar\n"
      "END:vcalendar\nEND:VALARM\nEND:VTODO\nEND:VCALENDAR\n",
      "a VTODO cannot hold a vcalendar" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nBEGIN:X-A\nBEGIN:X-B\nBEGIN:X-C\n"
      "BEGIN:X-D\nBEGIN:X-E\nBEGIN:X-F\nBEGIN:X-G\nEND:X-G\nEND:X-F\nEND:X-E\n"
      "END:X-D\nEND:X-C\nEND:X-B\nEND:X-A\nEND:VTODO\nEND:VCALENDAR\n",
      "too deeply" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nSUMMARY:\nSUMMARY:x\nEND:VTODO\n"
      "END:VCALENDAR\n", "SUMMARY twice" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:\nSUMMARY:x\nEND:VTODO\n"
      "END:VCALENDAR\n", "no UID" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nDUE :20260316T090000Z\nEND:VTODO\n"
      "END:VCALENDAR\n", "content line 4" },
    { "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\nBEGIN:VALARM\nTRIGGER:-PT1M\n"
      "END:VTODO\nEND:VCALENDAR\n", "END:VTODO closes BEGIN:VALARM" },
};

START_TEST(what_is_not_one_vtodo_is_refused)
{
    const char *body = crlf(refused[_i].body), *why;
    tasks_vtodo v;

    why = tasks_vtodo_parse(test_pool, body, strlen(body), &v);
    ck_assert_msg(why != NULL, "accepted: %s", refused[_i].body);
    ck_assert_msg(strstr(why, refused[_i].reason) != NULL,
                  "\"%s\" does not say \"%s\"", why, refused[_i].reason);
}
END_TEST

START_TEST(bytes_that_are_not_text_are_refused)
{
    const char *body = todo_body("SUMMARY:x\n"), *why;
    char *with_nul = apr_pstrdup(test_pool, body), *big;
    tasks_vtodo v;
    apr_size_t n;

    /* A NUL inside: the length says where the body ends, not the NUL. */
    with_nul[strlen(body) - 20] = '\0';
    why = tasks_vtodo_parse(test_pool, with_nul, strlen(body), &v);
    ck_assert_str_eq(why, "the calendar object contains a NUL byte");

    why = tasks_vtodo_parse(test_pool, todo_body("SUMMARY:\xff\n"),
                            strlen(todo_body("SUMMARY:\xff\n")), &v);
    ck_assert_str_eq(why, "the calendar object is not UTF-8");
    why = tasks_vtodo_parse(test_pool, todo_body("SUMMARY:a\x01z\n"),
                            strlen(todo_body("SUMMARY:a\x01z\n")), &v);
    ck_assert_ptr_nonnull(strstr(why, "control character 0x01"));
    body = "BEGIN:VCALENDAR\rBEGIN:VTODO\rUID:a\rEND:VTODO\rEND:VCALENDAR\r";
    why = tasks_vtodo_parse(test_pool, body, strlen(body), &v);
    ck_assert_str_eq(why, "the calendar object has a CR without LF");
    ck_assert_ptr_nonnull(tasks_vtodo_parse(test_pool, NULL, 0, &v));

    /* Over 1 MiB: refused before anything is read. */
    n = TASKS_VTODO_MAX + 1;
    big = apr_palloc(test_pool, n + 1);
    memset(big, 'X', n);
    big[n] = '\0';
    why = tasks_vtodo_parse(test_pool, big, n, &v);
    ck_assert_ptr_nonnull(strstr(why, "larger than"));
}
END_TEST

START_TEST(lf_only_and_a_byte_order_mark_are_read)
{
    const char *body = "\xef\xbb\xbf" "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:a\n"
                       "SUMMARY:Buy\n milk\nEND:VTODO\nEND:VCALENDAR";
    tasks_vtodo v = parsed(body);

    ck_assert_str_eq(value_text(&v.draft.title), "\"Buymilk\"");
}
END_TEST

START_TEST(corrupt_rows_are_not_rendered)
{
    tasks_task_row row = plain_row();

    ck_assert_ptr_nonnull(tasks_vtodo_render(test_pool, &row, "u", NULL));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, NULL, "u", NULL));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, NULL, NULL));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "", NULL));
    row.title = NULL;
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.tags = "not json";
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.tags = "[1]";
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.reminders = "[\"soon\"]";
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.due_at = "tomorrow";
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.created_at = NULL;
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    row = plain_row();
    row.recurrence = "FREQ=SECONDLY";
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", NULL));
    /* Kept text that would break the VTODO open. */
    row = plain_row();
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u",
                                          "END:VTODO\r\nBEGIN:VEVENT\r\n"));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u",
                                          "BEGIN:VALARM\r\nX-A:1\r\n"));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u", "X-A:1"));
    ck_assert_ptr_null(tasks_vtodo_render(test_pool, &row, "u",
                                          "X-A:1\r\n continued\r\n"));
}
END_TEST

Suite *vtodo_suite(void)
{
    Suite *s = suite_create("vtodo");
    TCase *tc = tcase_create("vtodo");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, a_typical_vtodo_becomes_a_draft);
    tcase_add_test(tc, a_validated_draft_renders_and_reads_back_the_same);
    tcase_add_loop_test(tc, priorities_are_read_by_rfc_5545s_ranges, 0,
                        sizeof priorities / sizeof priorities[0]);
    tcase_add_test(tc, priorities_are_written_as_1_5_9_or_not_at_all);
    tcase_add_loop_test(tc, statuses_say_whether_the_task_is_completed, 0,
                        sizeof statuses / sizeof statuses[0]);
    tcase_add_test(tc, completion_is_written_with_its_time);
    tcase_add_loop_test(tc, due_dates_are_instants_and_zones, 0,
                        sizeof dues / sizeof dues[0]);
    tcase_add_test(tc, a_tzid_is_found_by_its_vtimezones_location);
    tcase_add_test(tc, due_dates_are_written_in_their_zone_or_utc);
    tcase_add_test(tc, far_years_are_written_as_they_are);
    tcase_add_test(tc, a_vtodo_is_a_whole_task);
    tcase_add_test(tc, categories_are_tags);
    tcase_add_test(tc, recurrence_is_the_rrule_value);
    tcase_add_test(tc, alarms_are_reminders_or_kept_as_sent);
    tcase_add_test(tc, without_dtstart_a_start_alarm_is_before_the_due_time);
    tcase_add_test(tc, unknown_properties_and_components_are_kept);
    tcase_add_test(tc, long_lines_are_folded_and_read_back);
    tcase_add_test(tc, no_length_breaks_a_line_end);
    tcase_add_test(tc, text_is_escaped_and_controls_left_out);
    tcase_add_loop_test(tc, what_is_not_one_vtodo_is_refused, 0,
                        sizeof refused / sizeof refused[0]);
    tcase_add_test(tc, bytes_that_are_not_text_are_refused);
    tcase_add_test(tc, lf_only_and_a_byte_order_mark_are_read);
    tcase_add_test(tc, corrupt_rows_are_not_rendered);
    suite_add_tcase(s, tc);
    return s;
}
