/* caldav.c - the CalDAV front end (RFC 4791 with RFC 6578's
 * sync-collection; API.md, "CalDAV"): each of a person's lists is a
 * task list under <api>/dav/<user id>/<list id>/, each task a resource
 * <name> in it. Like the JSON handlers it parses (paths, WebDAV XML with
 * httpd's own parser, iCalendar with core/vtodo.c), calls the task
 * service (task_service.h: the same rules, preconditions and change
 * numbers as the JSON API) and renders (multistatus XML, iCalendar).
 * Why our own handler and not a mod_dav provider: README, "CalDAV".
 *
 * Paths: <api>/dav/ the root; <api>/dav/<user>/ the principal, also its
 * calendar home; <api>/dav/<user>/<list>/ a collection; then its tasks.
 * Another person's user segment is not found. Hrefs we write are
 * absolute paths, percent-encoded, collections ending in "/". */
#include <string.h>

#include <httpd.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_xml.h>
#include <apr_escape.h>
#include <apr_uri.h>
#include <apr_strings.h>

#include "tasks/core/dav_query.h"
#include "tasks/core/problem.h"
#include "tasks/core/validate.h"
#include "tasks/core/vtodo.h"
#include "tasks/httpd/module.h"
#include "tasks/service/list_service.h"
#include "tasks/service/task_service.h"

APLOG_USE_MODULE(tasks);

#define DAV_SEGMENT "/dav"
#define DAV_ALLOW "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"
/* What a collection (or the root, a principal) answers. */
#define COLLECTION_ALLOW "OPTIONS, PROPFIND, PROPPATCH, REPORT"
#define ITEM_TYPE "text/calendar; charset=utf-8; component=VTODO"
/* A sync token is a URI (RFC 6578): this prefix and a changes token. */
#define SYNC_PREFIX "urn:x-mod-tasks:sync:"
#define XML_TYPE "application/xml; charset=utf-8"

/* ---- Output ----------------------------------------------------------- */

/* A response body built in pieces. */
typedef struct {
    apr_pool_t *p;
    apr_array_header_t *parts;
} xbuf;

static xbuf *xb_make(apr_pool_t *p)
{
    xbuf *x = apr_palloc(p, sizeof *x);

    x->p = p;
    x->parts = apr_array_make(p, 256, sizeof(const char *));
    return x;
}

/* Forget what x holds, keeping its room. */
static void xb_clear(xbuf *x)
{
    apr_array_clear(x->parts);
}

static void xb_add(xbuf *x, const char *s)
{
    APR_ARRAY_PUSH(x->parts, const char *) = s;
}

static void xb_printf(xbuf *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void xb_printf(xbuf *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xb_add(x, apr_pvsprintf(x->p, fmt, ap));
    va_end(ap);
}

static const char *xq(apr_pool_t *p, const char *s)
{
    return apr_xml_quote_string(p, s ? s : "", 0);
}

#define MULTISTATUS_OPEN "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
    "<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"" TASKS_NS_CALDAV "\"" \
    " xmlns:CS=\"" TASKS_NS_CS "\" xmlns:A=\"" TASKS_NS_APPLE "\">"

static int send_xml(request_rec *r, int status, xbuf *x)
{
    return tasks_send_body(r, status, XML_TYPE, "no-store",
                           apr_array_pstrcat(r->pool, x->parts, 0));
}

/* A WebDAV error body (RFC 4918 16) naming one precondition, with a
 * description for people. */
static int send_condition(request_rec *r, int status, const char *ns,
                          const char *name, const char *description)
{
    xbuf *x = xb_make(r->pool);

    xb_printf(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<D:error xmlns:D=\"DAV:\" xmlns:C=\"" TASKS_NS_CALDAV "\">"
              "<%s:%s/>", !strcmp(ns, TASKS_NS_DAV) ? "D" : "C", name);
    if (description)
        xb_printf(x, "<D:responsedescription>%s</D:responsedescription>",
                  xq(r->pool, description));
    xb_add(x, "</D:error>\n");
    return send_xml(r, status, x);
}

/* ---- Requests --------------------------------------------------------- */

/* What a request is about. */
typedef struct {
    request_rec *r;
    tasks_service *svc;
    tasks_caller who;
    const char *root;           /* <api>/dav/ */
    const char *principal;      /* <api>/dav/<user>/ */
    tasks_dav_path path;
    /* Scratch for write_response, reused for every resource: the found
     * properties, what propname discards, the missing ones. */
    xbuf *found, *discard;
    apr_array_header_t *missing;
} dav_req;

static const char *collection_href(const dav_req *d, long long list_id)
{
    return apr_psprintf(d->r->pool, "%s%" APR_INT64_T_FMT "/", d->principal,
                        (apr_int64_t)list_id);
}

static const char *item_href(const dav_req *d, long long list_id,
                             const char *name)
{
    return apr_pstrcat(d->r->pool, collection_href(d, list_id),
                       apr_pescape_path_segment(d->r->pool, name), NULL);
}

/* A property asked for: its namespace and name. */
typedef struct {
    const char *ns;
    const char *name;
} prop_name;

/* The properties a PROPFIND allprop (or an empty body) gets. */
static const prop_name allprops[] = {
    { TASKS_NS_DAV, "resourcetype" }, { TASKS_NS_DAV, "displayname" },
    { TASKS_NS_DAV, "getetag" }, { TASKS_NS_DAV, "getcontenttype" },
    { TASKS_NS_DAV, "getlastmodified" }, { TASKS_NS_DAV, "sync-token" },
    { TASKS_NS_CS, "getctag" },
    { TASKS_NS_CALDAV, "supported-calendar-component-set" },
    { NULL, NULL }
};

/* The prefix we write a namespace with, or NULL for one we do not
 * declare on the multistatus. */
static const char *ns_prefix(const char *ns)
{
    if (!strcmp(ns, TASKS_NS_DAV))
        return "D";
    if (!strcmp(ns, TASKS_NS_CALDAV))
        return "C";
    if (!strcmp(ns, TASKS_NS_CS))
        return "CS";
    if (!strcmp(ns, TASKS_NS_APPLE))
        return "A";
    return NULL;
}

/* An empty element for a property (a 404's, or propname's). */
static void empty_prop(xbuf *x, const prop_name *pn)
{
    const char *prefix = ns_prefix(pn->ns);

    if (prefix)
        xb_printf(x, "<%s:%s/>", prefix, pn->name);
    else
        xb_printf(x, "<X:%s xmlns:X=\"%s\"/>", pn->name,
                  apr_xml_quote_string(x->p, pn->ns, 1));
}

/* The properties a request names in a <D:prop> element (of doc). */
static apr_array_header_t *props_asked(apr_pool_t *p, const apr_xml_doc *doc,
                                       const apr_xml_elem *prop)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(prop_name));
    const apr_xml_elem *c;

    for (c = prop ? prop->first_child : NULL; c; c = c->next) {
        prop_name *pn = apr_array_push(a);

        pn->ns = tasks_xml_ns(doc, c);
        pn->name = c->name;
    }
    return a;
}

static apr_array_header_t *all_props(apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(prop_name));
    int i;

    for (i = 0; allprops[i].name; i++)
        APR_ARRAY_PUSH(a, prop_name) = allprops[i];
    return a;
}

/* A resource being described. */
typedef struct {
    tasks_dav_kind kind;
    const char *href;
    const tasks_list_row *list;     /* COLLECTION                         */
    const tasks_task_row *task;     /* ITEM                               */
    const char *mark;               /* COLLECTION: getctag, sync-token    */
    const char *data;               /* ITEM: its calendar text, rendered
                                       when first needed                  */
} dav_res;

static const char *item_data(const dav_req *d, dav_res *res)
{
    if (!res->data)
        res->data = tasks_vtodo_render(d->r->pool, res->task,
                                       res->task->dav_uid, res->task->dav_kept);
    return res->data;
}

/* A row's RFC 3339 UTC instant as an HTTP date; NULL if malformed. */
static const char *http_date(apr_pool_t *p, const char *rfc3339)
{
    long long secs;
    char *buf;

    if (!rfc3339 || tasks_instant_seconds(rfc3339, &secs, NULL) != 0)
        return NULL;
    buf = apr_palloc(p, APR_RFC822_DATE_LEN);
    apr_rfc822_date(buf, apr_time_from_sec(secs));
    return buf;
}

#define IS(ns_, name_) (!strcmp(pn->ns, ns_) && !strcmp(pn->name, name_))

/* Write property pn of res into x: 1, or 0 when res has none. */
static int write_prop(const dav_req *d, dav_res *res, const prop_name *pn,
                      xbuf *x)
{
    apr_pool_t *p = d->r->pool;
    int coll = res->kind == TASKS_DAV_COLLECTION;
    int item = res->kind == TASKS_DAV_ITEM;
    int principal = res->kind == TASKS_DAV_PRINCIPAL;

    if (IS(TASKS_NS_DAV, "resourcetype")) {
        xb_printf(x, "<D:resourcetype>%s</D:resourcetype>",
                  item ? "" : coll ? "<D:collection/><C:calendar/>"
                  : principal ? "<D:collection/><D:principal/>"
                  : "<D:collection/>");
        return 1;
    }
    if (IS(TASKS_NS_DAV, "current-user-principal")) {
        xb_printf(x, "<D:current-user-principal><D:href>%s</D:href>"
                  "</D:current-user-principal>", xq(p, d->principal));
        return 1;
    }
    if (IS(TASKS_NS_CALDAV, "calendar-home-set") && !item && !coll) {
        xb_printf(x, "<C:calendar-home-set><D:href>%s</D:href>"
                  "</C:calendar-home-set>", xq(p, d->principal));
        return 1;
    }
    if ((IS(TASKS_NS_DAV, "principal-URL") || IS(TASKS_NS_DAV, "owner"))
        && (principal || coll)) {
        xb_printf(x, "<D:%s><D:href>%s</D:href></D:%s>", pn->name,
                  xq(p, d->principal), pn->name);
        return 1;
    }
    if (IS(TASKS_NS_DAV, "principal-collection-set") && !item && !coll) {
        xb_printf(x, "<D:principal-collection-set><D:href>%s</D:href>"
                  "</D:principal-collection-set>", xq(p, d->root));
        return 1;
    }
    if (IS(TASKS_NS_DAV, "displayname") && (coll || principal)) {
        xb_printf(x, "<D:displayname>%s</D:displayname>",
                  xq(p, coll ? res->list->name : "Tasks"));
        return 1;
    }
    if (IS(TASKS_NS_DAV, "current-user-privilege-set") && !(res->kind == TASKS_DAV_ROOT)) {
        xb_add(x, "<D:current-user-privilege-set>"
               "<D:privilege><D:read/></D:privilege>"
               "<D:privilege><D:write/></D:privilege>"
               "<D:privilege><D:write-content/></D:privilege>"
               "<D:privilege><D:bind/></D:privilege>"
               "<D:privilege><D:unbind/></D:privilege>"
               "<D:privilege><C:read-free-busy/></D:privilege>"
               "</D:current-user-privilege-set>");
        return 1;
    }
    if (coll) {
        if (IS(TASKS_NS_DAV, "sync-token") || IS(TASKS_NS_CS, "getctag")) {
            const char *prefix = !strcmp(pn->name, "getctag") ? "CS" : "D";

            xb_printf(x, "<%s:%s>%s%s</%s:%s>", prefix, pn->name, SYNC_PREFIX,
                      xq(p, res->mark), prefix, pn->name);
            return 1;
        }
        if (IS(TASKS_NS_CALDAV, "supported-calendar-component-set")) {
            xb_add(x, "<C:supported-calendar-component-set><C:comp name=\"VTODO\"/>"
                   "</C:supported-calendar-component-set>");
            return 1;
        }
        if (IS(TASKS_NS_CALDAV, "supported-calendar-data")) {
            xb_add(x, "<C:supported-calendar-data><C:calendar-data "
                   "content-type=\"text/calendar\" version=\"2.0\"/>"
                   "</C:supported-calendar-data>");
            return 1;
        }
        if (IS(TASKS_NS_DAV, "supported-report-set")) {
            xb_add(x, "<D:supported-report-set>"
                   "<D:supported-report><D:report><C:calendar-query/></D:report></D:supported-report>"
                   "<D:supported-report><D:report><C:calendar-multiget/></D:report></D:supported-report>"
                   "<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>"
                   "</D:supported-report-set>");
            return 1;
        }
        if (IS(TASKS_NS_APPLE, "calendar-color") && res->list->color) {
            xb_printf(x, "<A:calendar-color>%s</A:calendar-color>",
                      xq(p, res->list->color));
            return 1;
        }
        if (IS(TASKS_NS_APPLE, "calendar-order")) {
            xb_printf(x, "<A:calendar-order>%d</A:calendar-order>",
                      atoi(res->list->position) + 1);
            return 1;
        }
        return 0;
    }
    if (!item)
        return 0;
    if (IS(TASKS_NS_DAV, "getetag")) {
        xb_printf(x, "<D:getetag>%s</D:getetag>",
                  xq(p, tasks_task_etag(p, res->task)));
        return 1;
    }
    if (IS(TASKS_NS_DAV, "getcontenttype")) {
        xb_add(x, "<D:getcontenttype>" ITEM_TYPE "</D:getcontenttype>");
        return 1;
    }
    if (IS(TASKS_NS_DAV, "getlastmodified")) {
        const char *date = http_date(p, res->task->updated_at);

        if (!date)
            return 0;
        xb_printf(x, "<D:getlastmodified>%s</D:getlastmodified>", date);
        return 1;
    }
    if (IS(TASKS_NS_DAV, "getcontentlength") && item_data(d, res)) {
        xb_printf(x, "<D:getcontentlength>%" APR_SIZE_T_FMT
                  "</D:getcontentlength>", strlen(res->data));
        return 1;
    }
    if (IS(TASKS_NS_CALDAV, "calendar-data") && item_data(d, res)) {
        xb_printf(x, "<C:calendar-data>%s</C:calendar-data>",
                  xq(p, res->data));
        return 1;
    }
    return 0;
}

/* One <D:response> for res: the properties found in a 200 propstat,
 * the others in a 404 one (python-caldav takes no other status);
 * names_only: propname (every property as an empty element). */
static void write_response(const dav_req *d, dav_res *res,
                           const apr_array_header_t *props, int names_only,
                           xbuf *x)
{
    xbuf *found = d->found, *discard = d->discard;
    int i;

    xb_clear(found);
    apr_array_clear(d->missing);
    xb_printf(x, "<D:response><D:href>%s</D:href>", xq(d->r->pool, res->href));
    for (i = 0; i < props->nelts; i++) {
        const prop_name *pn = &APR_ARRAY_IDX(props, i, prop_name);

        if (!names_only && write_prop(d, res, pn, found))
            continue;
        if (names_only) {
            xb_clear(discard);
            if (write_prop(d, res, pn, discard))
                empty_prop(found, pn);
            continue;
        }
        APR_ARRAY_PUSH(d->missing, const prop_name *) = pn;
    }
    if (found->parts->nelts) {
        xb_add(x, "<D:propstat><D:prop>");
        apr_array_cat(x->parts, found->parts);
        xb_add(x, "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    }
    if (d->missing->nelts) {
        xb_add(x, "<D:propstat><D:prop>");
        for (i = 0; i < d->missing->nelts; i++)
            empty_prop(x, APR_ARRAY_IDX(d->missing, i, const prop_name *));
        xb_add(x, "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status>"
               "</D:propstat>");
    }
    xb_add(x, "</D:response>");
}

/* A response for each task of rows (of the request's collection) that
 * f matches (NULL: every one). */
static void write_items(const dav_req *d, const apr_array_header_t *rows,
                        const tasks_dav_filter *f,
                        const apr_array_header_t *props, int names_only,
                        xbuf *x)
{
    int i;

    for (i = 0; i < rows->nelts; i++) {
        dav_res it;

        memset(&it, 0, sizeof it);
        it.kind = TASKS_DAV_ITEM;
        it.task = &APR_ARRAY_IDX(rows, i, tasks_task_row);
        if (f && !tasks_dav_filter_match(f, it.task))
            continue;
        it.href = item_href(d, d->path.list_id, it.task->dav_name);
        write_response(d, &it, props, names_only, x);
    }
}

static void write_missing(const dav_req *d, const char *href, xbuf *x)
{
    xb_printf(x, "<D:response><D:href>%s</D:href><D:status>HTTP/1.1 404 Not "
              "Found</D:status></D:response>", xq(d->r->pool, href));
}

/* A service result that is not DONE, for a CalDAV client: the JSON API's
 * mapping (status, Retry-After, a problem body) serves here too, but a
 * caller that no longer stands (an app password revoked meanwhile, the
 * account signed out everywhere) gets the Basic challenge. */
static int send_failure(dav_req *d, const tasks_result *res)
{
    if (res->outcome == TASKS_DENIED || res->outcome == TASKS_UNAUTHENTICATED) {
        apr_table_setn(d->r->err_headers_out, "WWW-Authenticate",
                       TASKS_DAV_CHALLENGE);
        return tasks_send_problem(d->r, HTTP_UNAUTHORIZED, "sign in again "
                                  "(the account's e-mail and an app "
                                  "password)", NULL);
    }
    return tasks_send_result(d->r, res);
}

static int not_found(dav_req *d)
{
    return send_failure(d, &TASKS_RESULT(TASKS_NOT_FOUND, "no such resource"));
}

/* ---- The resources ---------------------------------------------------- */

/* The list of the request's path (a collection), or NOT_FOUND. */
static tasks_result find_collection(dav_req *d, tasks_list_row *list)
{
    tasks_precondition none;

    memset(&none, 0, sizeof none);
    return tasks_list_get(d->svc, &d->who,
                          apr_psprintf(d->r->pool, "%" APR_INT64_T_FMT,
                                       (apr_int64_t)d->path.list_id),
                          &none, list);
}

/* The task resource of the request's path, or NOT_FOUND. */
static tasks_result find_item(dav_req *d, tasks_task_row *out)
{
    apr_array_header_t *names = apr_array_make(d->r->pool, 1,
                                               sizeof(const char *)), *rows;
    tasks_result res;

    APR_ARRAY_PUSH(names, const char *) = d->path.name;
    res = tasks_resources_get(d->svc, &d->who, d->path.list_id, names, &rows);
    if (res.outcome != TASKS_DONE)
        return res;
    if (rows->nelts == 0)
        return TASKS_RESULT(TASKS_NOT_FOUND, "no such resource");
    *out = APR_ARRAY_IDX(rows, 0, tasks_task_row);
    return TASKS_RESULT_DONE;
}

/* Depth: "0", "1"; "infinity" and none are taken as 1 (the tree is three
 * levels deep; RFC 4918 lets a server refuse infinity, and clients that
 * send none mean the members). */
static int depth_of(request_rec *r)
{
    const char *h = apr_table_get(r->headers_in, "Depth");

    return h && !strcmp(h, "0") ? 0 : 1;
}

/* ---- PROPFIND --------------------------------------------------------- */

static int handle_propfind(dav_req *d)
{
    request_rec *r = d->r;
    apr_xml_doc *doc = NULL;
    apr_array_header_t *props;
    int names_only = 0, depth = depth_of(r), rc, i;
    tasks_result res;
    xbuf *x;
    dav_res self;

    if ((rc = ap_xml_parse_input(r, &doc)) != OK)
        return rc;
    if (doc && !tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "propfind"))
        return send_failure(d, &TASKS_RESULT(TASKS_MALFORMED,
                            "a PROPFIND body is a DAV:propfind element"));
    props = all_props(r->pool);
    if (doc) {
        const apr_xml_elem *c;

        for (c = doc->root->first_child; c; c = c->next) {
            if (tasks_xml_is(doc, c, TASKS_NS_DAV, "prop"))
                props = props_asked(r->pool, doc, c);
            else if (tasks_xml_is(doc, c, TASKS_NS_DAV, "propname"))
                names_only = 1;
        }
    }
    x = xb_make(r->pool);
    xb_add(x, MULTISTATUS_OPEN);
    memset(&self, 0, sizeof self);
    self.kind = d->path.kind;
    switch (d->path.kind) {
    case TASKS_DAV_ROOT:
        self.href = d->root;
        write_response(d, &self, props, names_only, x);
        if (depth > 0) {
            dav_res pr;

            memset(&pr, 0, sizeof pr);
            pr.kind = TASKS_DAV_PRINCIPAL;
            pr.href = d->principal;
            write_response(d, &pr, props, names_only, x);
        }
        break;
    case TASKS_DAV_PRINCIPAL: {
        apr_array_header_t *lists;
        const char *mark;

        self.href = d->principal;
        write_response(d, &self, props, names_only, x);
        if (depth == 0)
            break;
        if ((res = tasks_lists_all(d->svc, &d->who, &lists)).outcome != TASKS_DONE
            || (res = tasks_resources_mark(d->svc, &d->who, &mark)).outcome
               != TASKS_DONE)
            return send_failure(d, &res);
        for (i = 0; i < lists->nelts; i++) {
            dav_res c;

            memset(&c, 0, sizeof c);
            c.kind = TASKS_DAV_COLLECTION;
            c.list = &APR_ARRAY_IDX(lists, i, tasks_list_row);
            c.href = collection_href(d, apr_atoi64(c.list->id));
            c.mark = mark;
            write_response(d, &c, props, names_only, x);
        }
        break;
    }
    case TASKS_DAV_COLLECTION: {
        tasks_list_row *list = apr_pcalloc(r->pool, sizeof *list);
        tasks_resource_page page;

        if ((res = find_collection(d, list)).outcome != TASKS_DONE)
            return send_failure(d, &res);
        if (depth > 0)
            res = tasks_resources_list(d->svc, &d->who, d->path.list_id, NULL,
                                       &page);
        else
            res = tasks_resources_mark(d->svc, &d->who, &page.token);
        if (res.outcome != TASKS_DONE)
            return send_failure(d, &res);
        self.href = collection_href(d, d->path.list_id);
        self.list = list;
        self.mark = page.token;
        write_response(d, &self, props, names_only, x);
        if (depth > 0)
            write_items(d, page.rows, NULL, props, names_only, x);
        break;
    }
    case TASKS_DAV_ITEM: {
        tasks_task_row *t = apr_palloc(r->pool, sizeof *t);

        if ((res = find_item(d, t)).outcome != TASKS_DONE)
            return send_failure(d, &res);
        self.href = item_href(d, d->path.list_id, t->dav_name);
        self.task = t;
        write_response(d, &self, props, names_only, x);
        break;
    }
    default:
        return not_found(d);
    }
    xb_add(x, "</D:multistatus>\n");
    return send_xml(r, HTTP_MULTI_STATUS, x);
}

/* ---- REPORT ----------------------------------------------------------- */

/* The name a multiget href gives within the request's collection (an
 * absolute path or URL, percent-encoded), or NULL. */
static const char *href_name(dav_req *d, const char *href)
{
    const char *coll = collection_href(d, d->path.list_id), *path = href;
    apr_size_t n = strlen(coll);
    char *name;
    apr_uri_t uri;

    if (strstr(href, "://")) {
        if (apr_uri_parse(d->r->pool, href, &uri) != APR_SUCCESS || !uri.path)
            return NULL;
        path = uri.path;
    }
    if (strncmp(path, coll, n) != 0 || !path[n] || strchr(path + n, '/'))
        return NULL;
    name = apr_pstrdup(d->r->pool, path + n);
    if (ap_unescape_url(name) != OK)
        return NULL;
    return name;
}

/* The props and (for a query) filter of a REPORT body. */
static void report_props(dav_req *d, const apr_xml_doc *doc,
                         apr_array_header_t **props)
{
    const apr_xml_elem *c;

    *props = all_props(d->r->pool);
    for (c = doc->root->first_child; c; c = c->next)
        if (tasks_xml_is(doc, c, TASKS_NS_DAV, "prop"))
            *props = props_asked(d->r->pool, doc, c);
}

static int report_query(dav_req *d, const apr_xml_doc *doc)
{
    const apr_xml_elem *c, *filter = NULL;
    tasks_dav_filter *f = NULL;
    apr_array_header_t *props;
    tasks_resource_page page;
    tasks_result res;
    const char *err;
    int collation;
    xbuf *x;

    report_props(d, doc, &props);
    for (c = doc->root->first_child; c; c = c->next)
        if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "filter"))
            filter = c;
    if (!filter)
        return send_condition(d->r, HTTP_FORBIDDEN, TASKS_NS_CALDAV,
                              "valid-filter", "a calendar-query needs a filter");
    if ((err = tasks_dav_filter_parse(d->r->pool, doc, filter, &f, &collation)))
        return send_condition(d->r, HTTP_FORBIDDEN, TASKS_NS_CALDAV,
                              collation ? "supported-collation" : "valid-filter",
                              err);
    res = tasks_resources_list(d->svc, &d->who, d->path.list_id, NULL, &page);
    if (res.outcome != TASKS_DONE)
        return send_failure(d, &res);
    x = xb_make(d->r->pool);
    xb_add(x, MULTISTATUS_OPEN);
    write_items(d, page.rows, f, props, 0, x);
    xb_add(x, "</D:multistatus>\n");
    return send_xml(d->r, HTTP_MULTI_STATUS, x);
}

static int report_multiget(dav_req *d, const apr_xml_doc *doc)
{
    apr_array_header_t *props, *hrefs, *names, *rows;
    const apr_xml_elem *c;
    tasks_result res;
    int i, j;
    xbuf *x;

    report_props(d, doc, &props);
    hrefs = apr_array_make(d->r->pool, 16, sizeof(const char *));
    names = apr_array_make(d->r->pool, 16, sizeof(const char *));
    for (c = doc->root->first_child; c; c = c->next) {
        const char *h, *name;

        if (!tasks_xml_is(doc, c, TASKS_NS_DAV, "href"))
            continue;
        h = tasks_trim(d->r->pool, tasks_xml_text(d->r->pool, c));
        APR_ARRAY_PUSH(hrefs, const char *) = h;
        name = href_name(d, h);
        APR_ARRAY_PUSH(names, const char *) = name;
    }
    {
        /* Only the names that can be ours go to the statement. */
        apr_array_header_t *asked = apr_array_make(d->r->pool, names->nelts,
                                                   sizeof(const char *));

        for (i = 0; i < names->nelts; i++)
            if (APR_ARRAY_IDX(names, i, const char *))
                APR_ARRAY_PUSH(asked, const char *) =
                    APR_ARRAY_IDX(names, i, const char *);
        res = tasks_resources_get(d->svc, &d->who, d->path.list_id, asked,
                                  &rows);
        if (res.outcome != TASKS_DONE)
            return send_failure(d, &res);
    }
    x = xb_make(d->r->pool);
    xb_add(x, MULTISTATUS_OPEN);
    for (i = 0; i < hrefs->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *href = APR_ARRAY_IDX(hrefs, i, const char *);
        dav_res it;

        memset(&it, 0, sizeof it);
        for (j = 0; name && j < rows->nelts; j++)
            if (!strcmp(APR_ARRAY_IDX(rows, j, tasks_task_row).dav_name, name))
                it.task = &APR_ARRAY_IDX(rows, j, tasks_task_row);
        if (!it.task) {
            write_missing(d, href, x);
            continue;
        }
        it.kind = TASKS_DAV_ITEM;
        it.href = href;     /* as the client sent it: it keys by href */
        write_response(d, &it, props, 0, x);
    }
    xb_add(x, "</D:multistatus>\n");
    return send_xml(d->r, HTTP_MULTI_STATUS, x);
}

static int report_sync(dav_req *d, const apr_xml_doc *doc)
{
    const apr_xml_elem *c;
    apr_array_header_t *props;
    tasks_resource_page page;
    const char *token = NULL;
    tasks_result res;
    int i;
    xbuf *x;

    report_props(d, doc, &props);
    for (c = doc->root->first_child; c; c = c->next) {
        if (tasks_xml_is(doc, c, TASKS_NS_DAV, "sync-token")) {
            token = tasks_trim(d->r->pool, tasks_xml_text(d->r->pool, c));
            if (!*token)
                token = NULL;   /* the first sync: everything */
        }
        else if (tasks_xml_is(doc, c, TASKS_NS_DAV, "sync-level")) {
            const char *lvl = tasks_trim(d->r->pool,
                                         tasks_xml_text(d->r->pool, c));

            if (strcmp(lvl, "1") && strcmp(lvl, "infinite"))
                return send_failure(d, &TASKS_RESULT(TASKS_MALFORMED,
                                    "sync-level is 1 or infinite"));
        }
    }
    if (token) {
        if (strncmp(token, SYNC_PREFIX, strlen(SYNC_PREFIX)) != 0)
            return send_condition(d->r, HTTP_FORBIDDEN, TASKS_NS_DAV,
                                  "valid-sync-token", "not a sync token of "
                                  "this server");
        token += strlen(SYNC_PREFIX);
    }
    res = tasks_resources_list(d->svc, &d->who, d->path.list_id, token, &page);
    /* RFC 6578 3.2: an invalid or too old token is 403 valid-sync-token
     * (Radicale's comment: 409 breaks InfCloud). */
    if (res.outcome == TASKS_MALFORMED || res.outcome == TASKS_GONE)
        return send_condition(d->r, HTTP_FORBIDDEN, TASKS_NS_DAV,
                              "valid-sync-token", res.detail);
    if (res.outcome != TASKS_DONE)
        return send_failure(d, &res);
    x = xb_make(d->r->pool);
    xb_add(x, MULTISTATUS_OPEN);
    write_items(d, page.rows, NULL, props, 0, x);
    for (i = 0; i < page.gone->nelts; i++)
        write_missing(d, item_href(d, d->path.list_id,
                                   APR_ARRAY_IDX(page.gone, i, const char *)), x);
    xb_printf(x, "<D:sync-token>%s%s</D:sync-token></D:multistatus>\n",
              SYNC_PREFIX, xq(d->r->pool, page.token));
    return send_xml(d->r, HTTP_MULTI_STATUS, x);
}

static int handle_report(dav_req *d)
{
    request_rec *r = d->r;
    apr_xml_doc *doc = NULL;
    xbuf *x;
    int rc;

    if ((rc = ap_xml_parse_input(r, &doc)) != OK)
        return rc;
    if (!doc)
        return send_failure(d, &TASKS_RESULT(TASKS_MALFORMED,
                            "a REPORT needs a body"));
    if (d->path.kind == TASKS_DAV_COLLECTION) {
        tasks_list_row list;
        tasks_result res = find_collection(d, &list);

        if (res.outcome != TASKS_DONE)
            return send_failure(d, &res);
        if (tasks_xml_is(doc, doc->root, TASKS_NS_CALDAV, "calendar-query"))
            return report_query(d, doc);
        if (tasks_xml_is(doc, doc->root, TASKS_NS_CALDAV, "calendar-multiget"))
            return report_multiget(d, doc);
        if (tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "sync-collection"))
            return report_sync(d, doc);
    }
    else if (d->path.kind == TASKS_DAV_ITEM) {
        tasks_task_row t;
        tasks_result res = find_item(d, &t);

        if (res.outcome != TASKS_DONE)
            return send_failure(d, &res);
    }
    /* Principal searches and the like: nothing to find (Radicale's
     * answer too); other reports are not supported (RFC 3253 3.6). */
    if (tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "expand-property")
        || tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "principal-property-search")
        || tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "principal-search-property-set")) {
        x = xb_make(r->pool);
        xb_add(x, MULTISTATUS_OPEN);
        xb_add(x, "</D:multistatus>\n");
        return send_xml(r, HTTP_MULTI_STATUS, x);
    }
    return send_condition(r, HTTP_FORBIDDEN, TASKS_NS_DAV, "supported-report",
                          apr_psprintf(r->pool, "the %s report is not "
                                       "supported here", doc->root->name));
}

/* ---- PROPPATCH --------------------------------------------------------- */

/* The field errors of a refused write as one sentence. */
static const char *errors_text(apr_pool_t *p, const tasks_result *res)
{
    const char *s = res->detail ? res->detail : "";
    int i;

    for (i = 0; res->errors && i < res->errors->nelts; i++) {
        const tasks_field_error *e = &APR_ARRAY_IDX(res->errors, i,
                                                    tasks_field_error);

        s = apr_psprintf(p, "%s%s%s %s", s, *s ? "; " : "", e->field,
                         e->message);
    }
    return s;
}


/* A property a PROPPATCH sets (value) or removes (value NULL). */
typedef struct {
    prop_name name;
    const char *value;
    int unknown;                /* not one we keep: 403 */
} prop_change;

/* PROPPATCH of a collection: its displayname is the list's name, its
 * calendar-color (Apple's "#rrggbb" or "#rrggbbaa") the list's color,
 * both written through the list service (its rules: a name taken is
 * refused). All or nothing (RFC 4918 9.2): a property we do not keep is
 * 403 and the others 424. */
static int handle_proppatch(dav_req *d)
{
    request_rec *r = d->r;
    apr_array_header_t *changes;
    const apr_xml_elem *op, *prop, *c;
    apr_xml_doc *doc = NULL;
    tasks_list_draft draft;
    tasks_precondition none;
    tasks_list_row list, out;
    tasks_result res;
    int rc, i, refused = 0;
    const char *why = NULL, *href;
    xbuf *x;

    if ((rc = ap_xml_parse_input(r, &doc)) != OK)
        return rc;
    if (!doc || !tasks_xml_is(doc, doc->root, TASKS_NS_DAV, "propertyupdate"))
        return send_failure(d, &TASKS_RESULT(TASKS_MALFORMED,
                            "a PROPPATCH body is a DAV:propertyupdate element"));
    if (d->path.kind != TASKS_DAV_COLLECTION)
        return send_condition(r, HTTP_FORBIDDEN, TASKS_NS_DAV,
                              "cannot-modify-protected-property",
                              "only a collection (a list) takes properties");
    if ((res = find_collection(d, &list)).outcome != TASKS_DONE)
        return send_failure(d, &res);
    changes = apr_array_make(r->pool, 4, sizeof(prop_change));
    memset(&draft, 0, sizeof draft);
    for (op = doc->root->first_child; op; op = op->next) {
        int set = tasks_xml_is(doc, op, TASKS_NS_DAV, "set");

        if (!set && !tasks_xml_is(doc, op, TASKS_NS_DAV, "remove"))
            continue;
        for (prop = op->first_child; prop; prop = prop->next) {
            if (!tasks_xml_is(doc, prop, TASKS_NS_DAV, "prop"))
                continue;
            for (c = prop->first_child; c; c = c->next) {
                prop_change *ch = apr_array_push(changes);

                ch->name.ns = tasks_xml_ns(doc, c);
                ch->name.name = c->name;
                ch->value = set ? tasks_xml_text(r->pool, c) : NULL;
                ch->unknown = 0;
                if (tasks_xml_is(doc, c, TASKS_NS_DAV, "displayname") && set) {
                    draft.name.kind = TASKS_VALUE_STRING;
                    draft.name.str = ch->value;
                    draft.name.len = strlen(ch->value);
                }
                else if (tasks_xml_is(doc, c, TASKS_NS_APPLE, "calendar-color")) {
                    if (set) {
                        draft.color.kind = TASKS_VALUE_STRING;
                        draft.color.str = ch->value;
                        /* Apple's alpha is left out: a list has none. */
                        draft.color.len = strlen(ch->value) == 9
                                          ? 7 : strlen(ch->value);
                    }
                    else
                        draft.color.kind = TASKS_VALUE_NULL;
                }
                else {
                    ch->unknown = 1;
                    refused++;
                }
            }
        }
    }
    if (!refused && changes->nelts) {
        memset(&none, 0, sizeof none);
        res = tasks_list_update(d->svc, &d->who, list.id, &none, &draft, &out);
        if (res.outcome == TASKS_INVALID || res.outcome == TASKS_CONFLICT) {
            why = res.outcome == TASKS_CONFLICT ? "another list has this name"
                                                : errors_text(r->pool, &res);
            refused = -1;
        }
        else if (res.outcome != TASKS_DONE)
            return send_failure(d, &res);
    }
    href = collection_href(d, d->path.list_id);
    x = xb_make(r->pool);
    xb_add(x, MULTISTATUS_OPEN);
    xb_printf(x, "<D:response><D:href>%s</D:href>", xq(r->pool, href));
    for (i = 0; i < changes->nelts; i++) {
        const prop_change *ch = &APR_ARRAY_IDX(changes, i, prop_change);
        const char *status = !refused ? "200 OK"
                           : refused < 0 || ch->unknown ? "403 Forbidden"
                           : "424 Failed Dependency";

        xb_add(x, "<D:propstat><D:prop>");
        empty_prop(x, &ch->name);
        xb_printf(x, "</D:prop><D:status>HTTP/1.1 %s</D:status>", status);
        if (refused < 0)
            xb_printf(x, "<D:responsedescription>%s</D:responsedescription>",
                      xq(r->pool, why));
        xb_add(x, "</D:propstat>");
    }
    xb_add(x, "</D:response></D:multistatus>\n");
    return send_xml(r, HTTP_MULTI_STATUS, x);
}

/* ---- GET, PUT, DELETE ------------------------------------------------- */

static int handle_get(dav_req *d)
{
    request_rec *r = d->r;
    const char *etag, *inm, *data, *date;
    tasks_task_row t;
    tasks_result res;

    if (d->path.kind != TASKS_DAV_ITEM) {
        apr_table_setn(r->err_headers_out, "Allow", COLLECTION_ALLOW);
        return tasks_send_problem(r, HTTP_METHOD_NOT_ALLOWED, "a collection "
                                  "has no body: PROPFIND or REPORT it", NULL);
    }
    if ((res = find_item(d, &t)).outcome != TASKS_DONE)
        return send_failure(d, &res);
    if (!(data = tasks_vtodo_render(r->pool, &t, t.dav_uid, t.dav_kept)))
        return send_failure(d, &TASKS_RESULT(TASKS_FAILED, NULL));
    etag = tasks_task_etag(r->pool, &t);
    apr_table_setn(r->headers_out, "ETag", etag);
    if ((date = http_date(r->pool, t.updated_at)))
        apr_table_setn(r->headers_out, "Last-Modified", date);
    inm = apr_table_get(r->headers_in, "If-None-Match");
    if (inm && (!strcmp(inm, "*") || ap_find_etag_weak(r->pool, inm, etag)))
        return tasks_send_empty(r, HTTP_NOT_MODIFIED);
    return tasks_send_body(r, HTTP_OK, "text/calendar; charset=utf-8",
                           "private, no-cache", data);
}

static int handle_put(dav_req *d)
{
    request_rec *r = d->r;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *why, *inm;
    tasks_task_row out;
    tasks_result res;
    tasks_vtodo v;
    apr_size_t len;
    char *body;
    int rc, created;

    if (d->path.kind != TASKS_DAV_ITEM) {
        apr_table_setn(r->err_headers_out, "Allow", COLLECTION_ALLOW);
        return tasks_send_problem(r, HTTP_METHOD_NOT_ALLOWED, "PUT a task "
                                  "into a collection: <collection>/<name>",
                                  NULL);
    }
    if (type && strncasecmp(type, "text/calendar", 13) != 0)
        return send_condition(r, HTTP_UNSUPPORTED_MEDIA_TYPE, TASKS_NS_CALDAV,
                              "supported-calendar-data", "the body must be "
                              "text/calendar");
    rc = tasks_read_raw_body(r, tasks_dir_max_body(tasks_dir(r)), &body, &len);
    if (rc == AP_FILTER_ERROR)
        return rc;
    if (rc == HTTP_REQUEST_ENTITY_TOO_LARGE)
        return send_condition(r, HTTP_REQUEST_ENTITY_TOO_LARGE, TASKS_NS_CALDAV,
                              "max-resource-size", "the task is larger than "
                              "TasksMaxBodySize");
    if (rc)
        return tasks_send_problem(r, rc, NULL, NULL);
    if ((why = tasks_vtodo_parse(r->pool, body, len, &v)))
        return send_condition(r, HTTP_FORBIDDEN, TASKS_NS_CALDAV,
                              !strncmp(why, TASKS_VTODO_COMPONENT_REASON,
                                       strlen(TASKS_VTODO_COMPONENT_REASON))
                              ? "supported-calendar-component"
                              : "valid-calendar-data", why);
    inm = apr_table_get(r->headers_in, "If-None-Match");
    res = tasks_resource_put(d->svc, &d->who, d->path.list_id, d->path.name,
                             apr_table_get(r->headers_in, "If-Match"),
                             inm && !strcmp(inm, "*"), &v.draft, v.uid, v.kept,
                             &out, &created);
    switch (res.outcome) {
    case TASKS_DONE:
        /* The ETag, although what we keep is not the body byte for byte
         * (RFC 4791 5.3.4 would leave it out): it says the same, and a
         * client without one takes the next sync's answer for a change
         * made on the server, which vdirsyncer reports as a conflict with
         * any edit made meanwhile (Radicale sends it too). Not when the
         * task is not what was sent: a completed occurrence of a
         * recurring task moved it on, and the client must fetch that. */
        if (!(v.draft.completed.kind == TASKS_VALUE_BOOL
              && v.draft.completed.boolean != (out.completed && *out.completed == 't')))
            apr_table_setn(r->headers_out, "ETag", tasks_task_etag(r->pool, &out));
        if (created)
            apr_table_setn(r->headers_out, "Location",
                           item_href(d, d->path.list_id, d->path.name));
        return tasks_send_empty(r, created ? HTTP_CREATED : HTTP_NO_CONTENT);
    case TASKS_INVALID:
        return send_condition(r, HTTP_FORBIDDEN, TASKS_NS_CALDAV,
                              "valid-calendar-data", errors_text(r->pool, &res));
    case TASKS_CONFLICT: {
        xbuf *x = xb_make(r->pool);

        xb_printf(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<D:error xmlns:D=\"DAV:\" xmlns:C=\"" TASKS_NS_CALDAV "\">"
                  "<C:no-uid-conflict><D:href>%s</D:href></C:no-uid-conflict>"
                  "</D:error>\n", xq(r->pool, item_href(d, d->path.list_id,
                                                        out.dav_name)));
        return send_xml(r, HTTP_CONFLICT, x);
    }
    case TASKS_NOT_FOUND:
        /* RFC 4918 9.7.1: a PUT into a collection that does not exist. */
        return tasks_send_problem(r, HTTP_CONFLICT, "no such collection", NULL);
    default:
        return send_failure(d, &res);
    }
}

static int handle_delete(dav_req *d)
{
    tasks_result res;

    if (d->path.kind != TASKS_DAV_ITEM)
        return tasks_send_problem(d->r, HTTP_FORBIDDEN, "collections are "
                                  "the lists: delete one in the app or with "
                                  "DELETE /api/lists/{id}", NULL);
    res = tasks_resource_delete(d->svc, &d->who, d->path.list_id, d->path.name,
                                apr_table_get(d->r->headers_in, "If-Match"));
    if (res.outcome == TASKS_DONE)
        return tasks_send_empty(d->r, HTTP_NO_CONTENT);
    return send_failure(d, &res);
}

/* ---- Entry points ----------------------------------------------------- */

/* Promise: see module.h. */
int tasks_dav_well_known(request_rec *r)
{
    const char *u = r->uri;

    if (r->main || !u || strncmp(u, "/.well-known/caldav", 19) != 0
        || (u[19] != '\0' && strcmp(u + 19, "/") != 0)
        || !tasks_srv_ready(r->server))
        return DECLINED;
    apr_table_setn(r->headers_out, "Location",
                   apr_pstrcat(r->pool, tasks_srv_api_path(r->server),
                               DAV_SEGMENT "/", NULL));
    return HTTP_MOVED_PERMANENTLY;
}

/* Promise: see module.h. */
int tasks_handle_dav(request_rec *r)
{
    const char *api = tasks_srv_api_path(r->server);
    const char *rest = r->uri + strlen(api) + strlen(DAV_SEGMENT);
    dav_req d;

    if (r->method_number == M_OPTIONS) {
        apr_table_setn(r->headers_out, "DAV", "1, 3, calendar-access");
        apr_table_setn(r->headers_out, "Allow", DAV_ALLOW);
        return tasks_send_empty(r, HTTP_OK);
    }
    memset(&d, 0, sizeof d);
    d.r = r;
    d.root = apr_pstrcat(r->pool, api, DAV_SEGMENT "/", NULL);
    d.who = tasks_req_caller(r);
    d.svc = tasks_req_service(r);
    d.principal = apr_pstrcat(r->pool, d.root, d.who.user_id, "/", NULL);
    d.found = xb_make(r->pool);
    d.discard = xb_make(r->pool);
    d.missing = apr_array_make(r->pool, 8, sizeof(const prop_name *));
    tasks_dav_path_parse(r->pool, rest, &d.path);
    if (d.path.kind == TASKS_DAV_NONE
        || (d.path.user && strcmp(d.path.user, d.who.user_id) != 0))
        return not_found(&d);
    switch (r->method_number) {
    case M_PROPFIND:
        return handle_propfind(&d);
    case M_PROPPATCH:
        return handle_proppatch(&d);
    case M_GET:
        return handle_get(&d);
    case M_PUT:
        return handle_put(&d);
    case M_DELETE:
        return handle_delete(&d);
    default:
        if (!strcmp(r->method, "REPORT"))
            return handle_report(&d);
        apr_table_setn(r->err_headers_out, "Allow", DAV_ALLOW);
        return tasks_send_problem(r, HTTP_METHOD_NOT_ALLOWED, apr_psprintf(
            r->pool, "%s is not supported here; allowed: " DAV_ALLOW,
            ap_escape_html(r->pool, r->method)), NULL);
    }
}
