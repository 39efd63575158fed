/* test_dav_query.c - CalDAV paths and calendar-query filters on task rows
 * (core/dav_query.c). */
#include <string.h>

#include <apr_strings.h>
#include <apr_xml.h>

#include "suites.h"
#include "tasks/core/dav_query.h"
#include "tasks/core/route.h"

static const struct {
    const char *path;
    tasks_dav_kind kind;
    long long list;
    const char *name;
} paths[] = {
    { "", TASKS_DAV_ROOT, 0, NULL },
    { "/", TASKS_DAV_ROOT, 0, NULL },
    { "/u1", TASKS_DAV_PRINCIPAL, 0, NULL },
    { "/u1/", TASKS_DAV_PRINCIPAL, 0, NULL },
    { "/u1/7", TASKS_DAV_COLLECTION, 7, NULL },
    { "/u1/7/", TASKS_DAV_COLLECTION, 7, NULL },
    { "/u1/7/x.ics", TASKS_DAV_ITEM, 7, "x.ics" },
    { "/u1/7/a name@x.ics", TASKS_DAV_ITEM, 7, "a name@x.ics" },
    { "/u1/9223372036854775807/x", TASKS_DAV_ITEM, 9223372036854775807LL, "x" },
    { "/u1/07/", TASKS_DAV_NONE, 0, NULL },              /* not canonical */
    { "/u1/0/", TASKS_DAV_NONE, 0, NULL },
    { "/u1/9223372036854775808/", TASKS_DAV_NONE, 0, NULL },
    { "/u1/tasks/", TASKS_DAV_NONE, 0, NULL },
    { "/u1/7/x.ics/", TASKS_DAV_NONE, 0, NULL },          /* an item is no collection */
    { "/u1/7/x/y", TASKS_DAV_NONE, 0, NULL },             /* deeper */
    { "//", TASKS_DAV_NONE, 0, NULL },
    { "/u1//x", TASKS_DAV_NONE, 0, NULL },
    { "/../", TASKS_DAV_NONE, 0, NULL },
    { "/./", TASKS_DAV_NONE, 0, NULL },
    { "/u1/7/..", TASKS_DAV_NONE, 0, NULL },
    { "/u1/7/.", TASKS_DAV_NONE, 0, NULL },
    { "/u1/7/a\tb", TASKS_DAV_NONE, 0, NULL },            /* a control */
    { "/u1/7/a\x7f", TASKS_DAV_NONE, 0, NULL },
    { "/u1/7/\xc3\x28", TASKS_DAV_NONE, 0, NULL },        /* not UTF-8 */
    { "u1/", TASKS_DAV_NONE, 0, NULL },                   /* not a path */
};

START_TEST(each_path_names_what_it_should)
{
    tasks_dav_path p;

    tasks_dav_path_parse(test_pool, paths[_i].path, &p);
    ck_assert_msg(p.kind == paths[_i].kind, "%s: kind %d", paths[_i].path, p.kind);
    if (p.kind == TASKS_DAV_COLLECTION || p.kind == TASKS_DAV_ITEM)
        ck_assert_int_eq(p.list_id, paths[_i].list);
    if (paths[_i].name)
        ck_assert_str_eq(p.name, paths[_i].name);
    if (p.kind >= TASKS_DAV_PRINCIPAL)
        ck_assert_str_eq(p.user, "u1");
}
END_TEST

START_TEST(a_name_is_at_most_255_bytes)
{
    char path[300] = "/u/1/";
    tasks_dav_path p;

    memset(path + 5, 'n', 255);
    path[260] = '\0';
    tasks_dav_path_parse(test_pool, path, &p);
    ck_assert_int_eq(p.kind, TASKS_DAV_ITEM);
    strcat(path, "n");
    tasks_dav_path_parse(test_pool, path, &p);
    ck_assert_int_eq(p.kind, TASKS_DAV_NONE);
}
END_TEST

START_TEST(everything_below_dav_is_the_dav_route)
{
    const char *yes[] = { "/dav", "/dav/", "/dav/u/7/x.ics", "/dav/u/7/" };
    const char *no[] = { "/davx", "/da", "/x/dav" };
    tasks_route r;
    size_t i;

    for (i = 0; i < sizeof yes / sizeof *yes; i++) {
        tasks_route_match(test_pool, yes[i], &r);
        ck_assert_msg(r.id == TASKS_ROUTE_DAV, "%s", yes[i]);
    }
    for (i = 0; i < sizeof no / sizeof *no; i++) {
        tasks_route_match(test_pool, no[i], &r);
        ck_assert_msg(r.id != TASKS_ROUTE_DAV, "%s", no[i]);
    }
}
END_TEST

/* ---- Filters ---------------------------------------------------------- */

static const apr_xml_doc *xml(const char *text)
{
    apr_xml_parser *parser = apr_xml_parser_create(test_pool);
    apr_xml_doc *doc = NULL;

    ck_assert_int_eq(apr_xml_parser_feed(parser, text, strlen(text)), APR_SUCCESS);
    ck_assert_int_eq(apr_xml_parser_done(parser, &doc), APR_SUCCESS);
    return doc;
}

#define Q_OPEN "<c:filter xmlns:c=\"urn:ietf:params:xml:ns:caldav\">" \
    "<c:comp-filter name=\"VCALENDAR\">"
#define Q_CLOSE "</c:comp-filter></c:filter>"
#define TODO(inner) Q_OPEN "<c:comp-filter name=\"VTODO\">" inner \
    "</c:comp-filter>" Q_CLOSE

static tasks_dav_filter *filter(const char *text)
{
    const apr_xml_doc *doc = xml(text);
    tasks_dav_filter *f = NULL;
    int collation;
    const char *err = tasks_dav_filter_parse(test_pool, doc, doc->root, &f,
                                             &collation);

    ck_assert_msg(err == NULL, "%s: %s", text, err);
    return f;
}

/* A pending task with a description, due 2026-12-07 09:00 UTC, tags
 * "home" and "Garden", priority high, and a kept X-FOO. */
static tasks_task_row pending(void)
{
    tasks_task_row t;

    memset(&t, 0, sizeof t);
    t.id = "1";
    t.title = "Water the Plants";
    t.description = "in the garden";
    t.completed = "f";
    t.priority = "3";
    t.due_at = "2026-12-07T09:00:00.000000Z";
    t.time_zone = "Europe/Berlin";
    t.tags = "[\"home\",\"Garden\"]";
    t.reminders = "[]";
    t.created_at = "2026-12-01T10:00:00.000000Z";
    t.updated_at = "2026-12-02T10:00:00.000000Z";
    t.dav_uid = "uid-1@example.org";
    t.dav_name = "uid-1.ics";
    t.dav_kept = "X-FOO:bar\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\nEND:VALARM\r\n";
    return t;
}

static tasks_task_row completed(void)
{
    tasks_task_row t = pending();

    t.completed = "t";
    t.completed_at = "2026-12-03T08:00:00.000000Z";
    t.description = NULL;
    t.due_at = NULL;
    t.dav_kept = NULL;
    return t;
}

/* python-caldav 0.11's three queries for todos() (objects.py). */
#define PENDING_1 TODO("<c:prop-filter name=\"COMPLETED\"><c:is-not-defined/></c:prop-filter>" \
    "<c:prop-filter name=\"STATUS\"><c:text-match negate-condition=\"yes\">COMPLETED" \
    "</c:text-match></c:prop-filter><c:prop-filter name=\"STATUS\"><c:text-match " \
    "negate-condition=\"yes\">CANCELLED</c:text-match></c:prop-filter>")
#define PENDING_2 TODO("<c:prop-filter name=\"COMPLETED\"><c:is-not-defined/></c:prop-filter>" \
    "<c:prop-filter name=\"STATUS\"><c:is-not-defined/></c:prop-filter>")
#define PENDING_3 TODO("<c:prop-filter name=\"STATUS\"><c:text-match " \
    "collation=\"i;octet\">NEEDS-ACTION</c:text-match></c:prop-filter>")

START_TEST(python_caldavs_pending_queries_tell_pending_from_completed)
{
    tasks_task_row p = pending(), c = completed();

    ck_assert(tasks_dav_filter_match(filter(PENDING_1), &p));
    ck_assert(!tasks_dav_filter_match(filter(PENDING_1), &c));
    /* Every task has a STATUS: the second query finds none. */
    ck_assert(!tasks_dav_filter_match(filter(PENDING_2), &p));
    ck_assert(tasks_dav_filter_match(filter(PENDING_3), &p));
    ck_assert(!tasks_dav_filter_match(filter(PENDING_3), &c));
}
END_TEST

START_TEST(a_component_filter_finds_todos_only)
{
    tasks_task_row p = pending();

    ck_assert(tasks_dav_filter_match(filter(Q_OPEN Q_CLOSE), &p));
    ck_assert(tasks_dav_filter_match(filter(TODO("")), &p));
    ck_assert(!tasks_dav_filter_match(filter(
        Q_OPEN "<c:comp-filter name=\"VEVENT\"/>" Q_CLOSE), &p));
    ck_assert(!tasks_dav_filter_match(filter(
        Q_OPEN "<c:comp-filter name=\"VTODO\"><c:is-not-defined/></c:comp-filter>" Q_CLOSE), &p));
    ck_assert(tasks_dav_filter_match(filter(
        Q_OPEN "<c:comp-filter name=\"VEVENT\"><c:is-not-defined/></c:comp-filter>" Q_CLOSE), &p));
}
END_TEST

START_TEST(text_match_follows_its_collation_and_negation)
{
    tasks_task_row p = pending();

    ck_assert(tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"SUMMARY\"><c:text-match>water THE</c:text-match></c:prop-filter>")), &p));
    ck_assert(!tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"SUMMARY\"><c:text-match collation=\"i;octet\">water</c:text-match>"
        "</c:prop-filter>")), &p));
    ck_assert(tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"summary\"><c:text-match collation=\"i;octet\">Water</c:text-match>"
        "</c:prop-filter>")), &p));
    ck_assert(!tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"SUMMARY\"><c:text-match negate-condition=\"yes\">plants"
        "</c:text-match></c:prop-filter>")), &p));
    ck_assert(tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"UID\"><c:text-match collation=\"i;octet\">uid-1@example.org"
        "</c:text-match></c:prop-filter>")), &p));
}
END_TEST

START_TEST(categories_match_each_tag)
{
    tasks_task_row p = pending();

    ck_assert(tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"CATEGORIES\"><c:text-match>garden</c:text-match></c:prop-filter>")), &p));
    ck_assert(!tasks_dav_filter_match(filter(TODO(
        "<c:prop-filter name=\"CATEGORIES\"><c:text-match>work</c:text-match></c:prop-filter>")), &p));
}
END_TEST

START_TEST(is_not_defined_sees_fields_and_kept_properties)
{
    tasks_task_row p = pending(), c = completed();
    const char *desc = TODO("<c:prop-filter name=\"DESCRIPTION\"><c:is-not-defined/></c:prop-filter>");
    const char *xfoo = TODO("<c:prop-filter name=\"X-FOO\"><c:is-not-defined/></c:prop-filter>");
    const char *has_xfoo = TODO("<c:prop-filter name=\"X-FOO\"/>");

    ck_assert(!tasks_dav_filter_match(filter(desc), &p));
    ck_assert(tasks_dav_filter_match(filter(desc), &c));
    ck_assert(!tasks_dav_filter_match(filter(xfoo), &p));
    ck_assert(tasks_dav_filter_match(filter(xfoo), &c));
    ck_assert(tasks_dav_filter_match(filter(has_xfoo), &p));
    ck_assert(!tasks_dav_filter_match(filter(has_xfoo), &c));
}
END_TEST

START_TEST(a_time_range_follows_rfc_4791s_table_for_todos)
{
    tasks_task_row p = pending(), c = completed(), n = completed();
    const char *around_due = TODO("<c:time-range start=\"20261207T000000Z\" end=\"20261208T000000Z\"/>");
    const char *before_due = TODO("<c:time-range start=\"20261201T000000Z\" end=\"20261206T000000Z\"/>");
    const char *around_done = TODO("<c:time-range start=\"20261203T000000Z\" end=\"20261204T000000Z\"/>");
    const char *open_end = TODO("<c:time-range start=\"20261207T090000Z\"/>");

    ck_assert(tasks_dav_filter_match(filter(around_due), &p));
    ck_assert(!tasks_dav_filter_match(filter(before_due), &p));
    /* (start < DUE): a range starting at the due time does not hold it. */
    ck_assert(!tasks_dav_filter_match(filter(open_end), &p));
    /* Done, no DUE: (start <= CREATED or COMPLETED) and (end >= either). */
    ck_assert(tasks_dav_filter_match(filter(around_done), &c));
    ck_assert(!tasks_dav_filter_match(filter(around_due), &c));
    /* A kept DTSTART: a row of the table this does not judge. */
    c.dav_kept = "DTSTART:20261120T000000Z\r\n";
    ck_assert(tasks_dav_filter_match(filter(around_due), &c));
    /* Neither DUE nor COMPLETED: CREATED before the end. */
    n.completed = "f";
    n.completed_at = NULL;
    ck_assert(tasks_dav_filter_match(filter(before_due), &n));
}
END_TEST

START_TEST(what_is_not_a_filter_says_why)
{
    static const char *const bad[] = {
        "<c:filter xmlns:c=\"urn:ietf:params:xml:ns:caldav\"/>",
        "<c:filter xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><c:comp-filter name=\"VTODO\"/></c:filter>",
        "<c:filter xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><c:comp-filter/></c:filter>",
        TODO("<c:time-range start=\"2026-12-07\"/>"),
        TODO("<c:time-range/>"),
        TODO("<c:prop-filter/>"),
        "<c:filter xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
        "<c:comp-filter name=\"VCALENDAR\"/><c:comp-filter name=\"VCALENDAR\"/>"
        "</c:filter>",
    };
    tasks_dav_filter *f;
    int collation;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        const apr_xml_doc *doc = xml(bad[i]);

        ck_assert_msg(tasks_dav_filter_parse(test_pool, doc, doc->root, &f,
                                             &collation) != NULL, "%s", bad[i]);
        ck_assert_int_eq(collation, 0);
    }
}
END_TEST

START_TEST(an_unknown_collation_is_the_supported_collation_precondition)
{
    const apr_xml_doc *doc = xml(TODO("<c:prop-filter name=\"SUMMARY\"><c:text-match "
                                      "collation=\"i;klingon\">x</c:text-match></c:prop-filter>"));
    tasks_dav_filter *f;
    int collation;

    ck_assert_ptr_nonnull(tasks_dav_filter_parse(test_pool, doc, doc->root, &f, &collation));
    ck_assert_int_eq(collation, 1);
}
END_TEST

Suite *dav_query_suite(void)
{
    Suite *s = suite_create("dav_query");
    TCase *tc = tcase_create("dav_query");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_loop_test(tc, each_path_names_what_it_should, 0,
                        (int)(sizeof paths / sizeof *paths));
    tcase_add_test(tc, a_name_is_at_most_255_bytes);
    tcase_add_test(tc, everything_below_dav_is_the_dav_route);
    tcase_add_test(tc, python_caldavs_pending_queries_tell_pending_from_completed);
    tcase_add_test(tc, a_component_filter_finds_todos_only);
    tcase_add_test(tc, text_match_follows_its_collation_and_negation);
    tcase_add_test(tc, categories_match_each_tag);
    tcase_add_test(tc, is_not_defined_sees_fields_and_kept_properties);
    tcase_add_test(tc, a_time_range_follows_rfc_4791s_table_for_todos);
    tcase_add_test(tc, what_is_not_a_filter_says_why);
    tcase_add_test(tc, an_unknown_collation_is_the_supported_collation_precondition);
    suite_add_tcase(s, tc);
    return s;
}
