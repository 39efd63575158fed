/* CalDAV request parts: a path below the CalDAV root and a
 * calendar-query filter. Split at the first newline: the path before it,
 * the XML after it. A path that parses names a kind with what that kind
 * needs (a user; a positive list id; a name of 1-255 bytes without "/"
 * or controls); XML that APR parses is offered as a filter (its root, and
 * its first child), and a filter that compiles is matched against a
 * pending and a completed task without crashing. */
#include <apr_xml.h>

#include "fuzz.h"
#include "tasks/core/dav_query.h"

static void try_filter(apr_pool_t *p, const apr_xml_doc *doc,
                       const apr_xml_elem *e, const tasks_task_row *rows)
{
    tasks_dav_filter *f = NULL;
    int collation = 0;

    if (e == NULL)
        return;
    if (tasks_dav_filter_parse(p, doc, e, &f, &collation) == NULL) {
        CHECK(f != NULL, "a filter compiled to nothing");
        (void)tasks_dav_filter_match(f, &rows[0]);
        (void)tasks_dav_filter_match(f, &rows[1]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *text = apr_pstrmemdup(p, (const char *)data, size), *nl;
    const char *xml = "";
    tasks_dav_path path;
    tasks_task_row rows[2];
    apr_xml_parser *parser;
    apr_xml_doc *doc = NULL;

    if ((nl = strchr(text, '\n'))) {
        *nl = '\0';
        xml = nl + 1;
    }
    tasks_dav_path_parse(p, text, &path);
    switch (path.kind) {
    case TASKS_DAV_ITEM:
        CHECK(path.name && *path.name && strlen(path.name) <= 255
              && !strchr(path.name, '/'), "item name %s", path.name);
        for (const char *c = path.name; *c; c++)
            CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "a control in %s", path.name);
        /* fall through */
    case TASKS_DAV_COLLECTION:
        CHECK(path.list_id > 0, "list %lld", path.list_id);
        /* fall through */
    case TASKS_DAV_PRINCIPAL:
        CHECK(path.user && *path.user && !strchr(path.user, '/'), "user %s", path.user);
        break;
    default:
        break;
    }

    memset(rows, 0, sizeof rows);
    rows[0].id = rows[1].id = "1";
    rows[0].title = rows[1].title = "Water the plants";
    rows[0].completed = "f";
    rows[1].completed = "t";
    rows[1].completed_at = "2026-12-03T08:00:00.000000Z";
    rows[0].due_at = "2026-12-07T09:00:00.000000Z";
    rows[0].priority = rows[1].priority = "3";
    rows[0].tags = rows[1].tags = "[\"home\",\"garden\"]";
    rows[0].reminders = rows[1].reminders = "[]";
    rows[0].created_at = rows[1].created_at = "2026-12-01T10:00:00.000000Z";
    rows[0].updated_at = rows[1].updated_at = "2026-12-02T10:00:00.000000Z";
    rows[0].dav_uid = rows[1].dav_uid = "uid-1";
    rows[0].dav_kept = "X-FOO:bar\r\nDTSTART:20261201T000000Z\r\n";

    parser = apr_xml_parser_create(p);
    if (apr_xml_parser_feed(parser, xml, strlen(xml)) == APR_SUCCESS
        && apr_xml_parser_done(parser, &doc) == APR_SUCCESS && doc && doc->root) {
        try_filter(p, doc, doc->root, rows);
        try_filter(p, doc, doc->root->first_child, rows);
    }
    apr_pool_destroy(p);
    return 0;
}
