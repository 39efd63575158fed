/* dav_query.h - what a CalDAV client asks of a collection, in terms of
 * tasks: the resource paths under the CalDAV root, and calendar-query
 * filters (RFC 4791 section 9.7) judged on task rows. Pure: APR,
 * APR-util's XML tree, and the task model.
 *
 * A filter names iCalendar properties; a task's are the ones
 * tasks_vtodo_render writes (UID, SUMMARY, DESCRIPTION, STATUS,
 * COMPLETED, PRIORITY, DUE, CATEGORIES, RRULE, CREATED, LAST-MODIFIED,
 * DTSTAMP) and those kept from the client (dav_kept). Where a test
 * cannot be decided on the row (a parameter filter, a text-match on a
 * kept property, an alarm's time range) the task matches: a client
 * filters what it gets again, and a task it never sees is lost to it. */
#ifndef TASKS_CORE_DAV_QUERY_H
#define TASKS_CORE_DAV_QUERY_H

#include <apr_pools.h>
#include <apr_xml.h>

#include "tasks/core/task.h"

#define TASKS_NS_DAV "DAV:"
#define TASKS_NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define TASKS_NS_CS "http://calendarserver.org/ns/"
#define TASKS_NS_APPLE "http://apple.com/ns/ical/"

/* What a path below the CalDAV root names. */
typedef enum {
    TASKS_DAV_NONE = 0,     /* nothing (404)                               */
    TASKS_DAV_ROOT,         /* /                                           */
    TASKS_DAV_PRINCIPAL,    /* /<user>/: the principal and calendar home   */
    TASKS_DAV_COLLECTION,   /* /<user>/<list id>/: one list                */
    TASKS_DAV_ITEM          /* /<user>/<list id>/<name>: one task          */
} tasks_dav_kind;

typedef struct {
    tasks_dav_kind kind;
    const char *user;       /* PRINCIPAL and below                         */
    long long list_id;      /* COLLECTION, ITEM                            */
    const char *name;       /* ITEM: the resource name (decoded)           */
    int slash;              /* the path ends in "/"                        */
} tasks_dav_path;

/* Parse path, the (decoded) part of a request's path after the CalDAV
 * root (so "" or "/..."). A user is any segment (the caller's id is
 * compared later), a list a canonical id, a name 1-255 bytes of UTF-8
 * without controls, not "." or "..". Deeper paths and anything else are
 * NONE. */
void tasks_dav_path_parse(apr_pool_t *p, const char *path,
                          tasks_dav_path *out);

typedef struct tasks_dav_filter tasks_dav_filter;

/* Compile a calendar-query's <C:filter> element (of doc). NULL and
 * *out, or why it is not a filter we take (the CalDAV valid-filter or
 * supported-collation precondition: *collation set for the latter). */
const char *tasks_dav_filter_parse(apr_pool_t *p, const apr_xml_doc *doc,
                                   const apr_xml_elem *filter,
                                   tasks_dav_filter **out, int *collation);

/* Whether the task row (a VCALENDAR with one VTODO) matches f. */
int tasks_dav_filter_match(const tasks_dav_filter *f,
                           const tasks_task_row *row);

/* Is element e of doc the element name of namespace ns? */
int tasks_xml_is(const apr_xml_doc *doc, const apr_xml_elem *e,
                 const char *ns, const char *name);

/* The character data of e (not its children's), joined, in p. */
const char *tasks_xml_text(apr_pool_t *p, const apr_xml_elem *e);

/* The namespace URI of e ("" when it has none). */
const char *tasks_xml_ns(const apr_xml_doc *doc, const apr_xml_elem *e);

#endif
