/* dav_query.c - CalDAV resource paths and calendar-query filters on task
 * rows (dav_query.h). */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "tasks/core/dav_query.h"
#include "tasks/core/route.h"
#include "tasks/core/validate.h"

/* ---- Paths ------------------------------------------------------------ */

/* A resource name: 1-255 bytes of UTF-8, no control character, not "."
 * or ".." (path syntax), no "/" (the caller split on it). */
static int name_valid(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len == 0 || len > TASKS_LABEL_MAX
        || (len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return tasks_utf8_length(s, len) >= 0;
}

/* Promise: see dav_query.h. */
void tasks_dav_path_parse(apr_pool_t *p, const char *path, tasks_dav_path *out)
{
    const char *seg[3];
    apr_size_t len[3];
    const char *s = path;
    int n = 0;

    memset(out, 0, sizeof *out);
    if (s == NULL || (*s != '\0' && *s != '/'))
        return;
    out->slash = *s == '\0' || s[strlen(s) - 1] == '/';
    while (*s == '/') {
        const char *start = ++s;

        while (*s != '\0' && *s != '/')
            s++;
        if (s == start) {
            if (*s == '\0')
                break;          /* the trailing slash */
            return;             /* "//" */
        }
        if (n == 3)
            return;
        seg[n] = start;
        len[n] = (apr_size_t)(s - start);
        n++;
    }
    if (n == 0) {
        out->kind = TASKS_DAV_ROOT;
        return;
    }
    if ((len[0] == 1 && seg[0][0] == '.') || (len[0] == 2 && !memcmp(seg[0], "..", 2)))
        return;
    out->user = apr_pstrmemdup(p, seg[0], len[0]);
    if (n == 1) {
        out->kind = TASKS_DAV_PRINCIPAL;
        return;
    }
    if (!tasks_route_id_valid(seg[1], len[1]))
        return;
    out->list_id = apr_atoi64(apr_pstrmemdup(p, seg[1], len[1]));
    if (n == 2) {
        out->kind = TASKS_DAV_COLLECTION;
        return;
    }
    if (out->slash || !name_valid(seg[2], len[2]))
        return;
    out->name = apr_pstrmemdup(p, seg[2], len[2]);
    out->kind = TASKS_DAV_ITEM;
}

/* ---- XML helpers ------------------------------------------------------- */

/* Promise: see dav_query.h. */
const char *tasks_xml_ns(const apr_xml_doc *doc, const apr_xml_elem *e)
{
    if (e->ns == APR_XML_NS_NONE || doc == NULL || doc->namespaces == NULL
        || e->ns < 0 || e->ns >= doc->namespaces->nelts)
        return "";
    return APR_XML_GET_URI_ITEM(doc->namespaces, e->ns);
}

/* Promise: see dav_query.h. */
int tasks_xml_is(const apr_xml_doc *doc, const apr_xml_elem *e,
                 const char *ns, const char *name)
{
    return e && strcmp(e->name, name) == 0 && strcmp(tasks_xml_ns(doc, e), ns) == 0;
}

/* An attribute's value (any namespace; CalDAV's have none), or NULL. */
static const char *attr(const apr_xml_elem *e, const char *name)
{
    const apr_xml_attr *a;

    for (a = e->attr; a; a = a->next)
        if (strcmp(a->name, name) == 0)
            return a->value;
    return NULL;
}

/* Promise: see dav_query.h. */
const char *tasks_xml_text(apr_pool_t *p, const apr_xml_elem *e)
{
    const apr_text *t;
    const char *s = "";

    for (t = e->first_cdata.first; t; t = t->next)
        s = apr_pstrcat(p, s, t->text, NULL);
    return s;
}

/* ---- Filters ----------------------------------------------------------- */

typedef enum {
    COLL_ASCII,             /* i;ascii-casemap (the default) and
                               i;unicode-casemap, read as ASCII's          */
    COLL_OCTET              /* i;octet                                     */
} collation;

typedef struct {
    const char *text;
    collation coll;
    int negate;
} text_match;

typedef struct prop_filter {
    const char *name;       /* upper case                                  */
    int not_defined;        /* is-not-defined                              */
    const text_match *match;/* NULL: none                                  */
    int undecidable;        /* a time-range or param-filter: matches       */
    struct prop_filter *next;
} prop_filter;

typedef struct comp_filter {
    const char *name;       /* upper case                                  */
    int not_defined;
    const char *start, *end;/* a time-range, as "YYYY-MM-DDTHH:MM:SS"; NULL
                               for an open end (both NULL: none)           */
    int has_range;
    prop_filter *props;
    struct comp_filter *comps;
    struct comp_filter *next;
} comp_filter;

struct tasks_dav_filter {
    comp_filter *top;       /* the VCALENDAR's                             */
};

/* A time-range's bound "20060104T000000Z" as "2006-01-04T00:00:00"
 * (comparable as text with the rows' UTC instants); NULL when malformed. */
static const char *range_bound(apr_pool_t *p, const char *v)
{
    int i;

    if (v == NULL || strlen(v) != 16 || v[8] != 'T' || v[15] != 'Z')
        return NULL;
    for (i = 0; i < 15; i++)
        if (i != 8 && !apr_isdigit(v[i]))
            return NULL;
    return apr_psprintf(p, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", v, v + 4, v + 6,
                        v + 9, v + 11, v + 13);
}

static const char *upper(apr_pool_t *p, const char *s)
{
    char *u = apr_pstrdup(p, s ? s : "");
    char *c;

    for (c = u; *c; c++)
        *c = (char)apr_toupper(*c);
    return u;
}

static const char *parse_comp(apr_pool_t *p, const apr_xml_doc *doc,
                              const apr_xml_elem *e, comp_filter **out,
                              int *collation_err, int depth);

static const char *parse_prop(apr_pool_t *p, const apr_xml_doc *doc,
                              const apr_xml_elem *e, prop_filter **out,
                              int *collation_err)
{
    prop_filter *f = apr_pcalloc(p, sizeof *f);
    const apr_xml_elem *c;
    const char *name = attr(e, "name");

    if (name == NULL || *name == '\0')
        return "a prop-filter needs a name";
    f->name = upper(p, name);
    for (c = e->first_child; c; c = c->next) {
        if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "is-not-defined"))
            f->not_defined = 1;
        else if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "text-match")) {
            text_match *m = apr_pcalloc(p, sizeof *m);
            const char *coll = attr(c, "collation");
            const char *neg = attr(c, "negate-condition");

            if (coll == NULL || !strcmp(coll, "i;ascii-casemap")
                || !strcmp(coll, "i;unicode-casemap"))
                m->coll = COLL_ASCII;
            else if (!strcmp(coll, "i;octet"))
                m->coll = COLL_OCTET;
            else {
                *collation_err = 1;
                return apr_psprintf(p, "collation %s is not supported", coll);
            }
            m->negate = neg && !strcmp(neg, "yes");
            m->text = tasks_xml_text(p, c);
            f->match = m;
        }
        else if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "time-range")
                 || tasks_xml_is(doc, c, TASKS_NS_CALDAV, "param-filter"))
            f->undecidable = 1;
    }
    *out = f;
    return NULL;
}

static const char *parse_comp(apr_pool_t *p, const apr_xml_doc *doc,
                              const apr_xml_elem *e, comp_filter **out,
                              int *collation_err, int depth)
{
    comp_filter *f = apr_pcalloc(p, sizeof *f);
    prop_filter **ptail = &f->props;
    comp_filter **ctail = &f->comps;
    const apr_xml_elem *c;
    const char *name = attr(e, "name"), *err;

    if (depth > 4)
        return "comp-filters nested too deep";
    if (name == NULL || *name == '\0')
        return "a comp-filter needs a name";
    f->name = upper(p, name);
    for (c = e->first_child; c; c = c->next) {
        if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "is-not-defined"))
            f->not_defined = 1;
        else if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "time-range")) {
            const char *s = attr(c, "start"), *en = attr(c, "end");

            if ((s == NULL && en == NULL)
                || (s && !(f->start = range_bound(p, s)))
                || (en && !(f->end = range_bound(p, en))))
                return "a time-range needs a start or an end, each a UTC "
                       "date-time (20060104T000000Z)";
            f->has_range = 1;
        }
        else if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "prop-filter")) {
            if ((err = parse_prop(p, doc, c, ptail, collation_err)))
                return err;
            ptail = &(*ptail)->next;
        }
        else if (tasks_xml_is(doc, c, TASKS_NS_CALDAV, "comp-filter")) {
            if ((err = parse_comp(p, doc, c, ctail, collation_err, depth + 1)))
                return err;
            ctail = &(*ctail)->next;
        }
    }
    *out = f;
    return NULL;
}

/* Promise: see dav_query.h. */
const char *tasks_dav_filter_parse(apr_pool_t *p, const apr_xml_doc *doc,
                                   const apr_xml_elem *filter,
                                   tasks_dav_filter **out, int *collation_err)
{
    tasks_dav_filter *f = apr_pcalloc(p, sizeof *f);
    const apr_xml_elem *c, *top = NULL;
    const char *err;

    *collation_err = 0;
    for (c = filter->first_child; c; c = c->next) {
        if (!tasks_xml_is(doc, c, TASKS_NS_CALDAV, "comp-filter"))
            continue;
        if (top)
            return "a filter has one comp-filter";
        top = c;
    }
    if (top == NULL)
        return "a filter needs a comp-filter (VCALENDAR)";
    if ((err = parse_comp(p, doc, top, &f->top, collation_err, 0)))
        return err;
    if (strcmp(f->top->name, "VCALENDAR") != 0)
        return "the outer comp-filter must be VCALENDAR";
    *out = f;
    return NULL;
}

/* haystack contains needle, in the collation. */
static int contains(const char *haystack, const char *needle, collation coll)
{
    apr_size_t hn = strlen(haystack), nn = strlen(needle), i, j;

    if (nn == 0)
        return 1;
    for (i = 0; i + nn <= hn; i++) {
        for (j = 0; j < nn; j++) {
            char a = haystack[i + j], b = needle[j];

            if (coll == COLL_ASCII) {
                a = (char)apr_tolower(a);
                b = (char)apr_tolower(b);
            }
            if (a != b)
                break;
        }
        if (j == nn)
            return 1;
    }
    return 0;
}

/* Whether the kept text has a property named name (at the VTODO's level
 * or in a kept component: either way the client sent it). */
static int kept_has(const char *kept, const char *name)
{
    apr_size_t n = strlen(name);
    const char *line = kept;

    while (line && *line) {
        if (strncasecmp(line, name, n) == 0 && (line[n] == ':' || line[n] == ';'))
            return 1;
        line = strstr(line, "\r\n");
        if (line)
            line += 2;
    }
    return 0;
}

/* The values of property name of row that a text-match sees: *n of them
 * in vals (CATEGORIES: one per tag). -1: the property is not one the row
 * holds in a field (decide on the kept text). */
static int prop_values(const tasks_task_row *row, const char *name,
                       const char **vals, int max, int *n)
{
    *n = 0;
    if (!strcmp(name, "UID"))
        vals[(*n)++] = row->dav_uid;
    else if (!strcmp(name, "SUMMARY"))
        vals[(*n)++] = row->title;
    else if (!strcmp(name, "DESCRIPTION")) {
        if (row->description && *row->description)
            vals[(*n)++] = row->description;
    }
    else if (!strcmp(name, "STATUS"))
        vals[(*n)++] = row->completed && *row->completed == 't'
                       ? "COMPLETED" : "NEEDS-ACTION";
    else if (!strcmp(name, "COMPLETED")) {
        if (row->completed && *row->completed == 't' && row->completed_at)
            vals[(*n)++] = row->completed_at;
    }
    else if (!strcmp(name, "PRIORITY")) {
        int rank = row->priority ? atoi(row->priority) : TASKS_PRIORITY_NONE;

        if (rank == TASKS_PRIORITY_HIGH)
            vals[(*n)++] = "1";
        else if (rank == TASKS_PRIORITY_MEDIUM)
            vals[(*n)++] = "5";
        else if (rank == TASKS_PRIORITY_LOW)
            vals[(*n)++] = "9";
    }
    else if (!strcmp(name, "DUE")) {
        if (row->due_at)
            vals[(*n)++] = row->due_at;
    }
    else if (!strcmp(name, "RRULE")) {
        if (row->recurrence)
            vals[(*n)++] = row->recurrence;
    }
    else if (!strcmp(name, "CREATED") || !strcmp(name, "LAST-MODIFIED")
             || !strcmp(name, "DTSTAMP"))
        vals[(*n)++] = !strcmp(name, "CREATED") ? row->created_at
                                                : row->updated_at;
    else if (!strcmp(name, "CATEGORIES")) {
        /* The tags: a JSON array of strings without escapes a tag needs
         * (tags are plain text: see the TAGS rule), one value each. */
        const char *s = row->tags ? row->tags : "[]";

        while (*n < max && (s = strchr(s, '"'))) {
            const char *e = strchr(s + 1, '"');

            if (e == NULL)
                break;
            vals[(*n)++] = s + 1;   /* ends at the quote: see match_one */
            s = e + 1;
        }
    }
    else
        return -1;
    return 0;
}

/* A CATEGORIES value points into the tags' JSON text and ends at its
 * closing quote; the others end at their NUL. */
static int match_one(const char *v, const text_match *m, int is_tag)
{
    if (is_tag) {
        const char *e = strchr(v, '"');
        char buf[1024];
        apr_size_t n = e ? (apr_size_t)(e - v) : strlen(v);

        if (n >= sizeof buf)
            n = sizeof buf - 1;
        memcpy(buf, v, n);
        buf[n] = '\0';
        return contains(buf, m->text, m->coll);
    }
    return contains(v, m->text, m->coll);
}

static int prop_matches(const prop_filter *f, const tasks_task_row *row)
{
    const char *vals[64];
    int n, i, any = 0, defined;

    if (prop_values(row, f->name, vals, 64, &n) < 0) {
        defined = row->dav_kept && kept_has(row->dav_kept, f->name);
        if (f->not_defined)
            return !defined;
        /* A text-match on a kept property: undecided here, so it matches
         * when the property is there (or when negated). */
        return defined || (f->match && f->match->negate);
    }
    defined = n > 0;
    if (f->not_defined)
        return !defined;
    if (f->match) {
        if (!defined)
            return 0;   /* RFC 4791 9.7.5: no property, no match */
        for (i = 0; i < n && !any; i++)
            any = match_one(vals[i], f->match, !strcmp(f->name, "CATEGORIES"));
        return f->match->negate ? !any : any;
    }
    return defined || f->undecidable;
}

/* RFC 4791 9.9's table for a VTODO, with the properties a task has:
 * every rendered task has CREATED; a DUE, a COMPLETED when done. A kept
 * DTSTART or DURATION selects rows this cannot judge: it matches. */
static int todo_in_range(const comp_filter *f, const tasks_task_row *row)
{
    const char *s = f->start, *e = f->end, *created = row->created_at;
    const char *done = row->completed && *row->completed == 't'
                       ? row->completed_at : NULL;

    if (row->dav_kept && (kept_has(row->dav_kept, "DTSTART")
                          || kept_has(row->dav_kept, "DURATION")))
        return 1;
    if (row->due_at)            /* (start < DUE) AND (end >= DUE) */
        return (!s || strncmp(s, row->due_at, 19) < 0)
            && (!e || strncmp(e, row->due_at, 19) >= 0);
    if (!created)
        return 1;
    if (done)                   /* CREATED and COMPLETED */
        return (!s || strncmp(s, created, 19) <= 0 || strncmp(s, done, 19) <= 0)
            && (!e || strncmp(e, created, 19) >= 0 || strncmp(e, done, 19) >= 0);
    return !e || strncmp(e, created, 19) > 0;   /* (end > CREATED) */
}

static int todo_matches(const comp_filter *f, const tasks_task_row *row)
{
    const prop_filter *pf;
    const comp_filter *cf;

    if (f->has_range && !todo_in_range(f, row))
        return 0;
    for (pf = f->props; pf; pf = pf->next)
        if (!prop_matches(pf, row))
            return 0;
    for (cf = f->comps; cf; cf = cf->next) {
        /* VALARM: kept alarms are not read here, reminders are alarms. */
        if (cf->not_defined && strcmp(cf->name, "VALARM") == 0)
            return row->reminders == NULL || strcmp(row->reminders, "[]") == 0;
    }
    return 1;
}

/* Promise: see dav_query.h. */
int tasks_dav_filter_match(const tasks_dav_filter *f, const tasks_task_row *row)
{
    const comp_filter *c;
    const prop_filter *pf;

    if (f->top->not_defined)
        return 0;
    for (pf = f->top->props; pf; pf = pf->next)
        if (pf->not_defined)
            return 0;   /* PRODID and VERSION are always there */
    for (c = f->top->comps; c; c = c->next) {
        if (strcmp(c->name, "VTODO") == 0) {
            if (c->not_defined || !todo_matches(c, row))
                return 0;
        }
        else if (strcmp(c->name, "VTIMEZONE") == 0) {
            if (c->not_defined != (row->due_at == NULL
                                   || !row->time_zone
                                   || !strcmp(row->time_zone, "UTC")))
                return 0;
        }
        else if (!c->not_defined)
            return 0;   /* VEVENT, VJOURNAL...: a task has none */
    }
    return 1;
}
