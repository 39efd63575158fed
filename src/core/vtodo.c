/* vtodo.c - a task as an iCalendar VTODO and back (vtodo.h).
 *
 * libical reads the body and writes the properties we map; the text of
 * what we keep comes from a scan of the body's own content lines, not
 * from libical. Why both: libical rewrites what it re-serialises (GEO
 * 52.52 becomes 52.520000, parameters are re-quoted, unknown property
 * names are dropped with an error), while the contract promises that
 * properties without a field come back "as the client sent them". The
 * scan is strict about structure (names, BEGIN / END nesting) and its
 * components are checked against libical's, one by one, so both always
 * describe the same VCALENDAR; a body on which they could disagree is
 * refused rather than half-kept. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <apr_tables.h>
#include <jansson.h>
#include <libical/ical.h>

#include "ical_int.h"

#include "tasks/core/recur.h"
#include "tasks/core/task.h"
#include "tasks/core/task_json.h"
#include "tasks/core/validate.h"
#include "tasks/core/vtodo.h"

/* Components nest no deeper than this (VCALENDAR > VTODO > VALARM is 3;
 * X- components inside an alarm are allowed a few more). */
#define DEPTH_MAX 8

/* libical's prefix for the TZIDs of its built-in zones, which clients
 * built on libical (Evolution) may send. */
#define LIBICAL_TZID_PREFIX "/freeassociation.sourceforge.net/"

#define APPEND_LIT(t, lit) tasks_text_append((t), (lit), sizeof(lit) - 1)

/* ---- The body's bytes and content lines ------------------------------ */

/* Promise: NULL when the len bytes at text are what we read at all: at
 * most TASKS_VTODO_MAX of strict UTF-8, no NUL, no control character
 * but tab, CR and LF, every CR followed by LF, no U+FFFE / U+FFFF; else
 * why not. Why so strict: kept lines go back out inside CalDAV's XML,
 * which cannot carry those, RFC 5545 allows none of them in text, and a
 * lone CR is a line end to libical but not to our scan. */
static const char *check_bytes(apr_pool_t *p, const char *text,
                               apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    apr_size_t i = 0;

    if (len > TASKS_VTODO_MAX)
        return apr_psprintf(p, "the calendar object is larger than %d bytes",
                            TASKS_VTODO_MAX);
    while (i < len) {
        unsigned cp;
        int n;

        if (u[i] < 0x80) {
            if (u[i] == '\0')
                return "the calendar object contains a NUL byte";
            if (u[i] == '\r' && (i + 1 == len || u[i + 1] != '\n'))
                return "the calendar object has a CR without LF";
            if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\r' && u[i] != '\n')
                || u[i] == 0x7f)
                return apr_psprintf(p, "the calendar object contains the "
                                    "control character 0x%02x", u[i]);
            i++;
            continue;
        }
        n = tasks_utf8_decode(u + i, len - i, &cp);
        if (n < 0 || cp == 0xfffe || cp == 0xffff)
            return "the calendar object is not UTF-8";
        i += (apr_size_t)n;
    }
    return NULL;
}

/* One unfolded content line. */
typedef struct {
    const char *s;          /* NUL-terminated, in the pool                */
    apr_size_t len;
    apr_size_t name_len;    /* s[name_len] is ';' or ':'                  */
} content_line;

/* A line being unfolded. */
typedef struct {
    tasks_text text;
    int open;
} line_builder;

/* Promise: the line in b, if any, appended to lines unless it is blank
 * (spaces and tabs only: libical skips those). Trailing blanks are kept:
 * libical drops them (and a value's leading ones), but a kept line is
 * the client's and a description's blanks are its text. */
static void line_finish(line_builder *b, apr_array_header_t *lines)
{
    content_line *l;
    apr_size_t i = 0;

    if (!b->open)
        return;
    b->open = 0;
    while (i < b->text.len && (b->text.s[i] == ' ' || b->text.s[i] == '\t'))
        i++;
    if (i == b->text.len)
        return;
    l = apr_array_push(lines);
    l->s = b->text.s;
    l->len = b->text.len;
    l->name_len = 0;
}

/* Promise: NULL and *out the body's content lines (content_line), as
 * libical reads them: lines end at LF (a CR before it dropped), a line
 * that starts with a space or tab continues the one before without that
 * first character, a leading UTF-8 byte order mark is skipped, blank
 * lines are skipped (but no line is trimmed). A continuation of nothing
 * (the first line, or a blank line, which libical joins differently for
 * LF and CRLF) is refused. text has passed check_bytes. */
static const char *split_lines(apr_pool_t *p, const char *text,
                               apr_size_t len, apr_array_header_t **out)
{
    apr_array_header_t *lines = apr_array_make(p, 64, sizeof(content_line));
    const char *s = text, *end = text + len;
    line_builder b = { { NULL, NULL, 0, 0 }, 0 };

    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    while (s < end) {
        const char *nl = memchr(s, '\n', (apr_size_t)(end - s));
        const char *stop = nl ? nl : end;
        apr_size_t n;

        if (stop > s && stop[-1] == '\r')
            stop--;
        n = (apr_size_t)(stop - s);
        if (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
            if (!b.open || b.text.len == 0)
                return "the calendar object has a folded line that "
                       "continues nothing";
            tasks_text_append(&b.text, s + 1, n - 1);
        }
        else {
            line_finish(&b, lines);
            tasks_text_init(&b.text, p, n + 16);
            tasks_text_append(&b.text, s, n);
            b.open = 1;
        }
        s = nl ? nl + 1 : end;
    }
    line_finish(&b, lines);
    *out = lines;
    return NULL;
}

/* RFC 5545's name characters (iana-token, x-name). */
static int is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-';
}

/* The number of name characters at s. */
static apr_size_t name_span(const char *s)
{
    apr_size_t n = 0;

    while (is_name_char(s[n]))
        n++;
    return n;
}

/* Whether l's name is name (case-insensitive, as libical compares). */
static int named(const content_line *l, const char *name)
{
    return strlen(name) == l->name_len && strncasecmp(l->s, name,
                                                      l->name_len) == 0;
}

/* ---- The body's structure, from its own lines ------------------------ */

/* A sub-component of the VTODO, as sent. */
typedef struct {
    const char *name;
    tasks_text text;        /* its content lines, each ending in CRLF     */
} raw_block;

/* What the scan found. */
typedef struct {
    apr_array_header_t *calendar_children;  /* const char *: their names  */
    apr_array_header_t *todo_props;         /* content_line               */
    apr_array_header_t *todo_blocks;        /* raw_block                  */
} raw_calendar;

/* The components that stand on their own in a VCALENDAR: never inside a
 * VTODO, where what is kept would carry them into ours. */
static const char *const calendar_components[] = {
    "VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"
};

/* Promise: NULL and *r filled when lines are one VCALENDAR (nothing
 * before or after it) whose components are VTIMEZONEs and exactly one
 * VTODO (which holds none of calendar_components), every line a name of
 * RFC 5545's characters then ';' or ':', every BEGIN closed by the END
 * of the same name; else why not. */
static const char *scan(apr_pool_t *p, apr_array_header_t *lines,
                        raw_calendar *r)
{
    const char *stack[DEPTH_MAX];
    int depth = 0, done = 0, vtodos = 0, i;

    r->calendar_children = apr_array_make(p, 4, sizeof(const char *));
    r->todo_props = apr_array_make(p, 16, sizeof(content_line));
    r->todo_blocks = apr_array_make(p, 2, sizeof(raw_block));
    for (i = 0; i < lines->nelts; i++) {
        content_line *l = &APR_ARRAY_IDX(lines, i, content_line);
        int in_todo = depth >= 2 && strcasecmp(stack[1], "VTODO") == 0;
        int begin, end;
        const char *comp = NULL, *text = l->s;
        apr_size_t text_len = l->len;

        l->name_len = name_span(l->s);
        if (done || (depth == 0 && !(named(l, "BEGIN"))))
            return "the body must be one VCALENDAR object and nothing else";
        if (l->name_len == 0 || (l->s[l->name_len] != ';'
                                 && l->s[l->name_len] != ':'))
            return apr_psprintf(p, "content line %d is not NAME:value", i + 1);
        begin = named(l, "BEGIN");
        end = named(l, "END");
        if (begin || end) {
            const char *c = l->s + l->name_len + 1;
            apr_size_t n = name_span(c), k = n;

            while (c[k] == ' ' || c[k] == '\t')
                k++;
            if (l->s[l->name_len] != ':' || n == 0 || c[k] != '\0')
                return apr_psprintf(p, "content line %d is not BEGIN or END "
                                    "of a component name", i + 1);
            /* Kept without the blanks libical ignores there, so that a
             * kept block's own BEGIN and END are plain. */
            comp = apr_pstrmemdup(p, c, n);
            text = apr_pstrcat(p, begin ? "BEGIN:" : "END:", comp, NULL);
            text_len = strlen(text);
        }
        if (begin) {
            if (depth == DEPTH_MAX)
                return "the calendar object nests components too deeply";
            if (depth == 0 && strcasecmp(comp, "VCALENDAR") != 0)
                return "the body must be one VCALENDAR object and nothing "
                       "else";
            if (depth == 1) {
                if (strcasecmp(comp, "VTODO") == 0) {
                    if (++vtodos > 1)
                        return TASKS_VTODO_COMPONENT_REASON "one VTODO, not "
                               "two";
                }
                else if (strcasecmp(comp, "VTIMEZONE") != 0) {
                    return apr_psprintf(p, TASKS_VTODO_COMPONENT_REASON
                                        "one VTODO (and its VTIMEZONEs), not "
                                        "a %s", comp);
                }
                APR_ARRAY_PUSH(r->calendar_children, const char *) = comp;
            }
            if (in_todo) {
                apr_size_t k;

                for (k = 0; k < sizeof calendar_components
                                / sizeof *calendar_components; k++)
                    if (strcasecmp(comp, calendar_components[k]) == 0)
                        return apr_psprintf(p, "a VTODO cannot hold a %s",
                                            comp);
            }
            if (in_todo && depth == 2) {
                raw_block *b = apr_array_push(r->todo_blocks);

                b->name = comp;
                tasks_text_init(&b->text, p, 256);
            }
            if (in_todo) {
                raw_block *b = &APR_ARRAY_IDX(r->todo_blocks,
                                              r->todo_blocks->nelts - 1,
                                              raw_block);
                tasks_text_append(&b->text, text, text_len);
                tasks_text_append(&b->text, "\r\n", 2);
            }
            stack[depth++] = comp;
        }
        else if (end) {
            if (strcasecmp(comp, stack[depth - 1]) != 0)
                return apr_psprintf(p, "END:%s closes BEGIN:%s", comp,
                                    stack[depth - 1]);
            if (in_todo && depth >= 3) {
                raw_block *b = &APR_ARRAY_IDX(r->todo_blocks,
                                              r->todo_blocks->nelts - 1,
                                              raw_block);
                tasks_text_append(&b->text, text, text_len);
                tasks_text_append(&b->text, "\r\n", 2);
            }
            done = --depth == 0;
        }
        else if (in_todo && depth == 2) {
            *(content_line *)apr_array_push(r->todo_props) = *l;
        }
        else if (in_todo) {
            raw_block *b = &APR_ARRAY_IDX(r->todo_blocks,
                                          r->todo_blocks->nelts - 1,
                                          raw_block);
            tasks_text_append(&b->text, l->s, l->len);
            tasks_text_append(&b->text, "\r\n", 2);
        }
    }
    if (!done)
        return lines->nelts ? "the calendar object ends before "
                              "END:VCALENDAR"
                            : "the body is not an iCalendar object";
    if (!vtodos)
        return TASKS_VTODO_COMPONENT_REASON "one VTODO; this one has none";
    return NULL;
}

/* ---- What libical read ------------------------------------------------ */

/* Promise: NULL when libical reported no error in c or below; else the
 * first error, as a reason. Two kinds are not errors to us: a property
 * name libical does not know (an IANA property of a newer RFC, or a
 * lower-case x-name: libical drops it, the scan keeps its line) and an
 * empty value (libical drops the property: to us it is absent, as an
 * empty DESCRIPTION from some clients means). */
static const char *libical_error(apr_pool_t *p, icalcomponent *c)
{
    icalproperty *prop;
    icalcomponent *child;

    for (prop = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
         prop;
         prop = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        icalparameter *type = icalproperty_get_first_parameter(
            prop, ICAL_XLICERRORTYPE_PARAMETER);
        icalparameter_xlicerrortype kind = type
            ? icalparameter_get_xlicerrortype(type) : ICAL_XLICERRORTYPE_NONE;
        const char *text = icalproperty_get_xlicerror(prop);

        if (kind == ICAL_XLICERRORTYPE_PROPERTYPARSEERROR)
            continue;
        if (kind == ICAL_XLICERRORTYPE_VALUEPARSEERROR && text
            && strncmp(text, "No value for ", 13) == 0)
            continue;
        return apr_psprintf(p, "the calendar object is not valid iCalendar: "
                            "%s", text ? text : "(unreadable)");
    }
    for (child = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
         child;
         child = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        const char *why = libical_error(p, child);

        if (why)
            return why;
    }
    return NULL;
}

/* Whether libical's component c is the one the scan saw as name (an X-
 * component is X to libical, whatever its name). */
static int same_component(icalcomponent *c, const char *name)
{
    icalcomponent_kind kind = icalcomponent_isa(c);

    if (kind == ICAL_X_COMPONENT)
        return strncasecmp(name, "X-", 2) == 0;
    return strcasecmp(icalcomponent_kind_to_string(kind), name) == 0;
}

/* Promise: 1 when c's sub-components are, in order, the n components
 * the scan saw, else 0: names points at the first of n elements stride
 * bytes apart, each starting with its name (a const char *). */
static int same_children(icalcomponent *c, const char *const *names,
                         apr_size_t stride, int n)
{
    icalcomponent *child;
    int i = 0;

    for (child = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
         child;
         child = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        const char *name = *(const char *const *)((const char *)names
                                                  + (apr_size_t)i * stride);

        if (i == n || !same_component(child, name))
            return 0;
        i++;
    }
    return i == n;
}

/* ---- Values ---------------------------------------------------------- */

/* Promise: s without the control characters iCalendar text cannot hold
 * (all but tab and LF, which are written as is and as \n), in p. The
 * field rules let a title or tag hold them through JSON, while libical
 * would write most of them raw, which no client, nor CalDAV's XML, could
 * read. */
static const char *printable(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;

    for (; *s; s++)
        if (!(((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
              || *s == 0x7f))
            *o++ = *s;
    *o = '\0';
    return out;
}

static void set_string(tasks_value *v, const char *s)
{
    memset(v, 0, sizeof *v);
    v->kind = TASKS_VALUE_STRING;
    v->str = s;
    v->len = strlen(s);
}

static void set_null(tasks_value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = TASKS_VALUE_NULL;
}

static void set_bool(tasks_value *v, int b)
{
    memset(v, 0, sizeof *v);
    v->kind = TASKS_VALUE_BOOL;
    v->boolean = b != 0;
}

/* A LIST of the values in arr (tasks_value), possibly none. */
static void set_list(tasks_value *v, const apr_array_header_t *arr)
{
    memset(v, 0, sizeof *v);
    v->kind = TASKS_VALUE_LIST;
    v->items = (const tasks_value *)arr->elts;
    v->nitems = arr->nelts;
}

/* An OBJECT with one member, name: STRING s (a reminder). */
static void set_member(apr_pool_t *p, tasks_value *v, const char *name,
                       const char *s)
{
    tasks_value *item = apr_pcalloc(p, sizeof *item);
    const char **names = apr_pcalloc(p, sizeof *names);

    set_string(item, s);
    names[0] = name;
    memset(v, 0, sizeof *v);
    v->kind = TASKS_VALUE_OBJECT;
    v->items = item;
    v->names = names;
    v->nitems = 1;
}

/* Promise: the date-time t (as libical read it: fields, no zone) as an
 * instant in tasks_rfc3339_to_utc's form, read on the UTC clock; NULL
 * when its fields are not a date and time of years 0001-9999 (libical
 * reads 20260230 without a word). */
static const char *utc_fields_instant(apr_pool_t *p, struct icaltimetype t)
{
    if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12
        || t.day < 1 || t.day > icaltime_days_in_month(t.month, t.year))
        return NULL;
    if (t.is_date)
        t.hour = t.minute = t.second = 0;
    if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59
        || t.second < 0 || t.second > 59)
        return NULL;
    return tasks_rfc3339_to_utc(p, apr_psprintf(p,
        "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
        t.minute, t.second));
}

/* Promise: the IANA name (as tasks_zone_check spells it, in p) that the
 * TZID tzid stands for in cal: itself, itself without libical's prefix,
 * or the X-LIC-LOCATION of cal's VTIMEZONE of that TZID (Thunderbird and
 * Evolution write one); NULL when none is a zone we know. */
static const char *zone_of_tzid(apr_pool_t *p, icalcomponent *cal,
                                const char *tzid)
{
    const char *zone, *bare = tzid;
    icalcomponent *vtz;

    if ((zone = tasks_zone_check(tzid)))
        return apr_pstrdup(p, zone);
    if (strncmp(bare, LIBICAL_TZID_PREFIX, strlen(LIBICAL_TZID_PREFIX)) == 0) {
        bare += strlen(LIBICAL_TZID_PREFIX);
        if (strncmp(bare, "Tzfile/", 7) == 0)
            bare += 7;
        if ((zone = tasks_zone_check(bare)))
            return apr_pstrdup(p, zone);
    }
    for (vtz = icalcomponent_get_first_component(cal,
                                                 ICAL_VTIMEZONE_COMPONENT);
         vtz;
         vtz = icalcomponent_get_next_component(cal,
                                                ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty *id = icalcomponent_get_first_property(vtz,
                                                            ICAL_TZID_PROPERTY);
        icalproperty *x;

        if (!id || !icalproperty_get_tzid(id)
            || strcmp(icalproperty_get_tzid(id), tzid) != 0)
            continue;
        for (x = icalcomponent_get_first_property(vtz, ICAL_X_PROPERTY); x;
             x = icalcomponent_get_next_property(vtz, ICAL_X_PROPERTY)) {
            const char *name = icalproperty_get_x_name(x);
            const char *loc = icalproperty_get_x(x);

            if (name && loc && strcasecmp(name, "X-LIC-LOCATION") == 0
                && (zone = tasks_zone_check(loc)))
                return apr_pstrdup(p, zone);
        }
    }
    return NULL;
}

/* Promise: NULL and the draft's due_at and time_zone from the DUE
 * property due of cal's VTODO (see vtodo.h for which zone); else why not. */
static const char *map_due(apr_pool_t *p, icalcomponent *cal,
                           icalproperty *due, tasks_task_draft *d)
{
    struct icaltimetype t = icalproperty_get_due(due);
    icalparameter *param = icalproperty_get_first_parameter(
        due, ICAL_TZID_PARAMETER);
    const char *tzid = param ? icalparameter_get_tzid(param) : NULL;
    const char *at = utc_fields_instant(p, t), *zone;

    if (!at)
        return "the VTODO's DUE is not a valid date-time";
    if (t.is_date) {
        set_string(&d->time_zone, "UTC");
    }
    else if (icaltime_is_utc(t)) {
        memset(&d->time_zone, 0, sizeof d->time_zone); /* ABSENT */
    }
    else if (tzid && (zone = zone_of_tzid(p, cal, tzid))) {
        icaltimezone *z = strcmp(zone, "UTC") == 0
            ? icaltimezone_get_utc_timezone()
            : icaltimezone_get_builtin_timezone(zone);

        if (!z || !(at = tasks_instant_from_seconds(
                        p, tasks_ical_wall_clock(t, z), 0)))
            return "the VTODO's DUE is not a valid date-time";
        set_string(&d->time_zone, zone);
    }
    else {
        /* Floating, or a TZID we do not know: the zone rule refuses the
         * latter by name, which tells the client more than we could. */
        set_string(&d->time_zone, tzid ? apr_pstrdup(p, tzid) : "UTC");
    }
    set_string(&d->due_at, at);
    return NULL;
}

/* Promise: the value of content line l (after its name and parameters,
 * quoted parameter values skipped whole), or NULL when l is malformed. */
static const char *line_value(const content_line *l)
{
    const char *s = l->s + l->name_len;

    while (*s == ';') {
        s++;
        while (*s && *s != '=' && *s != ';' && *s != ':')
            s++;
        if (*s != '=')
            return NULL;
        do {
            s++;
            if (*s == '"') {
                const char *q = strchr(s + 1, '"');

                if (!q)
                    return NULL;
                s = q + 1;
            }
            else {
                while (*s && *s != ',' && *s != ';' && *s != ':' && *s != '"')
                    s++;
            }
        } while (*s == ',');
    }
    return *s == ':' ? s + 1 : NULL;
}

/* Promise: the TEXT value from v to end (RFC 5545 3.3.11) unescaped, in
 * p: "\n" and "\N" a line break, "\\" "\;" "\," and "\"" the
 * character; as libical reads them, also "\t" a tab, and "\r" "\b"
 * "\f" nothing (their characters are not text). Any other backslash
 * stays as it is (libical makes it a space: "C:\Users" is more likely
 * a path someone did not escape). Read here rather than by libical,
 * which also strips the value's leading and trailing blanks. */
static const char *unescape_text(apr_pool_t *p, const char *v,
                                 const char *end)
{
    char *out = apr_palloc(p, (apr_size_t)(end - v) + 1), *o = out;

    for (; v < end; v++) {
        if (*v != '\\' || v + 1 == end) {
            *o++ = *v;
            continue;
        }
        switch (v[1]) {
        case 'n': case 'N': *o++ = '\n'; break;
        case 't': case 'T': *o++ = '\t'; break;
        case 'r': case 'R': case 'b': case 'B': case 'f': case 'F': break;
        case '\\': case ';': case ',': case '"': *o++ = v[1]; break;
        default: *o++ = '\\'; *o++ = v[1]; break;
        }
        v++;
    }
    *o = '\0';
    return out;
}

/* Promise: the items of the TEXT list v (split at commas that are not
 * escaped), each unescaped and pushed onto tags as a STRING; empty ones
 * skipped. Read here, not by libical, whose list splitter takes
 * "a\,b,c" for one value. */
static void push_text_list(apr_pool_t *p, const char *v,
                           apr_array_header_t *tags)
{
    while (*v) {
        const char *e = v;

        while (*e && *e != ',')
            e += e[0] == '\\' && e[1] ? 2 : 1;
        if (e > v)
            set_string(apr_array_push(tags), unescape_text(p, v, e));
        v = *e ? e + 1 : e;
    }
}

/* Promise: NULL and *text the value of the VTODO's first property name
 * (r's content line: the value as sent), unescaped, or NULL when there
 * is none or its value is empty (libical calls that no value); else why
 * not. */
static const char *raw_text(apr_pool_t *p, const raw_calendar *r,
                            const char *name, const char **text)
{
    int i;

    *text = NULL;
    for (i = 0; i < r->todo_props->nelts; i++) {
        const content_line *l = &APR_ARRAY_IDX(r->todo_props, i, content_line);
        const char *v;

        if (!named(l, name))
            continue;
        if (!(v = line_value(l)))
            return apr_psprintf(p, "the VTODO's %s cannot be read", name);
        if (*v)
            *text = unescape_text(p, v, v + strlen(v));
        return NULL;
    }
    return NULL;
}

/* Promise: the duration d, negative, as the text of a reminder before the
 * due time ("PT15M", as the client wrote it: weeks, days, hours,
 * minutes, seconds), or NULL when it is not one a reminder can be (not
 * before, zero, more than TASKS_REMINDER_BEFORE_MAX). */
static const char *before_text(apr_pool_t *p, struct icaldurationtype d)
{
    long long secs = (long long)d.weeks * 604800 + (long long)d.days * 86400
                     + (long long)d.hours * 3600 + (long long)d.minutes * 60
                     + (long long)d.seconds;
    const char *s = "P";
    long long check;

    if (d.is_neg != 1 || secs <= 0 || secs > TASKS_REMINDER_BEFORE_MAX)
        return NULL;
    if (d.weeks)
        s = apr_psprintf(p, "%s%uW", s, d.weeks);
    if (d.days)
        s = apr_psprintf(p, "%s%uD", s, d.days);
    if (d.hours || d.minutes || d.seconds) {
        s = apr_pstrcat(p, s, "T", NULL);
        if (d.hours)
            s = apr_psprintf(p, "%s%uH", s, d.hours);
        if (d.minutes)
            s = apr_psprintf(p, "%s%uM", s, d.minutes);
        if (d.seconds)
            s = apr_psprintf(p, "%s%uS", s, d.seconds);
    }
    return tasks_duration_seconds(s, &check) == 0 ? s : NULL;
}

/* Promise: 1 and *v the reminder alarm stands for, or 0 when alarm says
 * more than a reminder can: it must hold ACTION:DISPLAY, one TRIGGER
 * with no parameter but RELATED and VALUE, at most a DESCRIPTION (ours
 * is the title), nothing else (no REPEAT, DURATION, ATTACH, UID, X-
 * property ...). The TRIGGER is a negative duration before the due time
 * (RELATED=END, or RELATED=START when the VTODO has no DTSTART, which is
 * the due time then) or a UTC date-time. What it cannot be is kept as
 * sent, so nothing the client said is lost. */
static int alarm_reminder(apr_pool_t *p, icalcomponent *alarm,
                          int has_dtstart, tasks_value *v)
{
    icalproperty *prop, *trigger = NULL;
    int actions = 0, descriptions = 0;
    icalparameter *param;
    struct icaltriggertype tr;
    icalparameter_related related = ICAL_RELATED_START;

    for (prop = icalcomponent_get_first_property(alarm, ICAL_ANY_PROPERTY);
         prop;
         prop = icalcomponent_get_next_property(alarm, ICAL_ANY_PROPERTY)) {
        switch (icalproperty_isa(prop)) {
        case ICAL_ACTION_PROPERTY:
            if (actions++
                || icalproperty_get_action(prop) != ICAL_ACTION_DISPLAY)
                return 0;
            break;
        case ICAL_TRIGGER_PROPERTY:
            if (trigger)
                return 0;
            trigger = prop;
            break;
        case ICAL_DESCRIPTION_PROPERTY:
            if (descriptions++)
                return 0;
            break;
        default:
            return 0;
        }
    }
    if (!actions || !trigger)
        return 0;
    for (param = icalproperty_get_first_parameter(trigger, ICAL_ANY_PARAMETER);
         param;
         param = icalproperty_get_next_parameter(trigger, ICAL_ANY_PARAMETER)) {
        if (icalparameter_isa(param) == ICAL_RELATED_PARAMETER)
            related = icalparameter_get_related(param);
        else if (icalparameter_isa(param) != ICAL_VALUE_PARAMETER)
            return 0;
    }
    tr = icalproperty_get_trigger(trigger);
    if (!icaltime_is_null_time(tr.time)) {
        const char *at;

        if (tr.time.is_date || !icaltime_is_utc(tr.time)
            || !(at = utc_fields_instant(p, tr.time)))
            return 0;
        set_member(p, v, "at", at);
        return 1;
    }
    if (related != ICAL_RELATED_END && has_dtstart)
        return 0;
    {
        const char *before = before_text(p, tr.duration);

        if (!before)
            return 0;
        set_member(p, v, "before", before);
    }
    return 1;
}

/* The VTODO properties a field stands for (or the server writes): never
 * kept, since rendering writes them from the task. */
static const char *const mapped_names[] = {
    "SUMMARY", "DESCRIPTION", "STATUS", "COMPLETED", "PRIORITY", "DUE",
    "CATEGORIES", "RRULE", "UID", "CREATED", "LAST-MODIFIED", "DTSTAMP"
};

static int is_mapped(const content_line *l)
{
    apr_size_t i;

    for (i = 0; i < sizeof mapped_names / sizeof *mapped_names; i++)
        if (named(l, mapped_names[i]))
            return 1;
    return 0;
}

/* The mapped properties of which a VTODO has at most one (RFC 5545
 * 3.6.2; two RRULEs, which it only advises against, a task cannot hold
 * either). Counted on the scan's lines: libical drops an empty one, and
 * then the first libical has would not be the first line. */
static const char *const singles[] = {
    "UID", "SUMMARY", "DESCRIPTION", "STATUS", "COMPLETED", "PRIORITY",
    "DUE", "RRULE"
};

/* Promise: NULL and out's draft, uid and kept from libical's VTODO todo
 * of cal and the scan's r; else why not. Every string is in p: nothing
 * points into libical's tree, which the caller frees. */
static const char *map_vtodo(apr_pool_t *p, icalcomponent *cal,
                             icalcomponent *todo, const raw_calendar *r,
                             tasks_vtodo *out)
{
    tasks_task_draft *d = &out->draft;
    apr_array_header_t *tags = apr_array_make(p, 4, sizeof(tasks_value));
    apr_array_header_t *reminders = apr_array_make(p, 4, sizeof(tasks_value));
    tasks_text kept;
    icalproperty *prop;
    icalcomponent *child;
    icalproperty_status status = ICAL_STATUS_NONE;
    int has_status, has_completed, has_dtstart, i;
    apr_size_t k;
    const char *why, *text;

    memset(out, 0, sizeof *out);
    for (k = 0; k < sizeof singles / sizeof *singles; k++) {
        int n = 0;

        for (i = 0; i < r->todo_props->nelts; i++)
            n += named(&APR_ARRAY_IDX(r->todo_props, i, content_line),
                       singles[k]);
        if (n > 1)
            return apr_psprintf(p, "the VTODO has %s twice", singles[k]);
    }

    /* Text as sent (libical would strip its blanks), so that a GET and
     * a PUT of it back change nothing. */
    if ((why = raw_text(p, r, "UID", &text)))
        return why;
    if (!text || !*text)
        return "the VTODO has no UID";
    out->uid = text;
    if ((why = raw_text(p, r, "SUMMARY", &text)))
        return why;
    if (text)
        set_string(&d->title, text);
    if ((why = raw_text(p, r, "DESCRIPTION", &text)))
        return why;
    if (text)
        set_string(&d->description, text);
    else
        set_null(&d->description);

    /* STATUS decides; without it a COMPLETED date says the task is done.
     * CANCELLED is done too: nothing is left to do or to remind of. */
    prop = icalcomponent_get_first_property(todo, ICAL_STATUS_PROPERTY);
    has_status = prop != NULL;
    if (prop)
        status = icalproperty_get_status(prop);
    has_completed = icalcomponent_get_first_property(
        todo, ICAL_COMPLETED_PROPERTY) != NULL;
    if (has_status && status != ICAL_STATUS_NEEDSACTION
        && status != ICAL_STATUS_INPROCESS && status != ICAL_STATUS_COMPLETED
        && status != ICAL_STATUS_CANCELLED)
        return "the VTODO's STATUS must be NEEDS-ACTION, IN-PROCESS, "
               "COMPLETED or CANCELLED";
    set_bool(&d->completed, has_status ? (status == ICAL_STATUS_COMPLETED
                                          || status == ICAL_STATUS_CANCELLED)
                                       : has_completed);

    {
        int rank = TASKS_PRIORITY_NONE;

        if ((prop = icalcomponent_get_first_property(todo,
                                                     ICAL_PRIORITY_PROPERTY))) {
            int prio = icalproperty_get_priority(prop);

            if (prio < 0 || prio > 9)
                return "the VTODO's PRIORITY must be 0-9";
            rank = prio == 0 ? TASKS_PRIORITY_NONE
                 : prio <= 4 ? TASKS_PRIORITY_HIGH
                 : prio == 5 ? TASKS_PRIORITY_MEDIUM : TASKS_PRIORITY_LOW;
        }
        set_string(&d->priority, tasks_priority_name(rank));
    }

    set_null(&d->due_at);
    set_string(&d->time_zone, "UTC");
    if ((prop = icalcomponent_get_first_property(todo, ICAL_DUE_PROPERTY))
        && (why = map_due(p, cal, prop, d)))
        return why;

    if ((prop = icalcomponent_get_first_property(todo, ICAL_RRULE_PROPERTY))) {
        struct icalrecurrencetype rr = icalproperty_get_rrule(prop);
        char *rule = icalrecurrencetype_as_string_r(&rr);

        if (!rule)
            return "the VTODO's RRULE cannot be read";
        set_string(&d->recurrence, apr_pstrdup(p, rule));
        free(rule);
    }
    else {
        set_null(&d->recurrence);
    }

    /* The properties: CATEGORIES become tags, the unmapped are kept. */
    tasks_text_init(&kept, p, 256);
    for (i = 0; i < r->todo_props->nelts; i++) {
        const content_line *l = &APR_ARRAY_IDX(r->todo_props, i, content_line);

        if (named(l, "CATEGORIES")) {
            const char *v = line_value(l);

            if (!v)
                return "the VTODO's CATEGORIES cannot be read";
            push_text_list(p, v, tags);
        }
        else if (!is_mapped(l)) {
            tasks_text_append(&kept, l->s, l->len);
            tasks_text_append(&kept, "\r\n", 2);
        }
    }
    set_list(&d->tags, tags);

    /* The sub-components, in the scan's order: alarms we can express
     * become reminders, the rest is kept. */
    has_dtstart = icalcomponent_get_first_property(
        todo, ICAL_DTSTART_PROPERTY) != NULL;
    i = 0;
    for (child = icalcomponent_get_first_component(todo, ICAL_ANY_COMPONENT);
         child;
         child = icalcomponent_get_next_component(todo, ICAL_ANY_COMPONENT),
         i++) {
        const raw_block *b = &APR_ARRAY_IDX(r->todo_blocks, i, raw_block);
        tasks_value reminder;

        if (icalcomponent_isa(child) == ICAL_VALARM_COMPONENT
            && alarm_reminder(p, child, has_dtstart, &reminder))
            *(tasks_value *)apr_array_push(reminders) = reminder;
        else
            tasks_text_append(&kept, b->text.s, b->text.len);
    }
    set_list(&d->reminders, reminders);
    out->kept = kept.len ? kept.s : NULL;
    return NULL;
}

/* Promise: see vtodo.h. */
const char *tasks_vtodo_parse(apr_pool_t *p, const char *text, apr_size_t len,
                              tasks_vtodo *out)
{
    apr_array_header_t *lines;
    raw_calendar r;
    icalcomponent *cal, *todo = NULL, *child;
    const char *why;

    if (!text)
        return "the body is not an iCalendar object";
    if ((why = check_bytes(p, text, len)) || (why = split_lines(p, text, len,
                                                                &lines))
        || (why = scan(p, lines, &r)))
        return why;

    cal = icalparser_parse_string(apr_pstrmemdup(p, text, len));
    if (!cal)
        return "the body is not an iCalendar object";
    if (icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT)
        why = "the body must be one VCALENDAR object and nothing else";
    else if (!(why = libical_error(p, cal))) {
        for (child = icalcomponent_get_first_component(cal,
                                                       ICAL_VTODO_COMPONENT);
             child && !todo;
             child = icalcomponent_get_next_component(cal,
                                                      ICAL_VTODO_COMPONENT))
            todo = child;
        /* Where libical and the scan part ways, neither is to be trusted
         * with the client's data. */
        if (!todo
            || !same_children(cal,
                              (const char *const *)r.calendar_children->elts,
                              sizeof(const char *), r.calendar_children->nelts)
            || !same_children(todo, (const char *const *)r.todo_blocks->elts,
                              sizeof(raw_block), r.todo_blocks->nelts))
            why = "the calendar object cannot be read unambiguously";
        else
            why = map_vtodo(p, cal, todo, &r, out);
    }
    icalcomponent_free(cal);
    return why;
}

/* ---- Rendering ------------------------------------------------------- */

/* Promise: the content line at line (len bytes, unfolded) appended to t
 * folded as libical 3.0 folds (icalproperty.c, get_next_line_start):
 * lines of at most 75 octets, broken after the last ';', ':' or ' ' that
 * fits, else before a UTF-8 lead byte, each continuation starting with a
 * space; then CRLF. One difference: libical counts the line's CRLF as
 * part of it, so a last piece of 73 octets without a place to break is
 * split between its CR and LF ("...\r\r\n \n"), which readers that go
 * by lines, and CalDAV's XML (which turns CRs into LFs), read as a blank
 * line; here only the content is counted. */
static void append_folded(tasks_text *t, const char *line, apr_size_t len)
{
    const char *start = line;
    apr_size_t left = len;
    int first = 1;

    while (left > 0) {
        const char *next = NULL, *pos;

        if (left < 75) {
            next = start + left;
        }
        else {
            for (pos = start + 73; pos > start && !next; pos--)
                if (*pos == ';' || *pos == ':' || *pos == ' ')
                    next = pos + 1;
            for (pos = start + 74; pos > start && !next; pos--)
                if ((*pos & 0x80) == 0 || (*pos & 0xc0) == 0xc0)
                    next = pos;
            if (!next)
                next = start + 74;
        }
        if (!first)
            tasks_text_append(t, "\r\n ", 3);
        first = 0;
        tasks_text_append(t, start, (apr_size_t)(next - start));
        left -= (apr_size_t)(next - start);
        start = next;
    }
    tasks_text_append(t, "\r\n", 2);
}

/* Promise: 0 when kept (tasks_vtodo.kept) is content lines each ending
 * in CRLF, with balanced BEGIN / END of the same names, and *components
 * where its first component starts (the end when it has none); else -1.
 * Checked because it is spliced into the VTODO as text: an END:VTODO in
 * it would end our component early. */
static int check_kept(const char *kept, const char **components)
{
    const char *s = kept;
    const char *names[DEPTH_MAX];
    apr_size_t lens[DEPTH_MAX];
    int depth = 0;

    *components = NULL;
    while (*s) {
        const char *eol = strstr(s, "\r\n"), *v;
        apr_size_t n = name_span(s);

        if (!eol || n == 0 || (s[n] != ';' && s[n] != ':')
            || memchr(s, '\n', (apr_size_t)(eol - s))
            || memchr(s, '\r', (apr_size_t)(eol - s)))
            return -1;
        v = s + n + 1;
        if ((n == 5 && strncasecmp(s, "BEGIN", 5) == 0)
            || (n == 3 && strncasecmp(s, "END", 3) == 0)) {
            apr_size_t vn = name_span(v);

            if (s[n] != ':' || vn == 0 || v + vn != eol)
                return -1;
            if (n == 5) {
                if (depth == 0 && !*components)
                    *components = s;
                if (depth == DEPTH_MAX)
                    return -1;
                names[depth] = v;
                lens[depth++] = vn;
            }
            else if (depth == 0 || lens[depth - 1] != vn
                     || strncasecmp(names[depth - 1], v, vn) != 0) {
                return -1;
            }
            else {
                depth--;
            }
        }
        s = eol + 2;
    }
    if (!*components)
        *components = s;
    return depth == 0 ? 0 : -1;
}

/* Promise: the lines of kept from s to end (each ending in CRLF)
 * appended to t, folded. */
static void append_kept(tasks_text *t, const char *s, const char *end)
{
    while (s < end) {
        const char *eol = strstr(s, "\r\n");

        append_folded(t, s, (apr_size_t)(eol - s));
        s = eol + 2;
    }
}

/* Promise: s, content lines as libical writes them (CRLF, folded),
 * appended to t folded by append_folded, and freed (libical's _r
 * serialisers hand the caller a malloc'd string); -1 when s is NULL.
 * libical's folds are undone first: a fold is CRLF and one space, and
 * nothing libical writes has a CRLF of its own (text values escape line
 * breaks), so even its split "\r\r\n \n" unfolds to one line end. */
static int put_libical(tasks_text *t, char *s)
{
    char *in, *out, *line;

    if (!s)
        return -1;
    for (in = out = s; *in; ) {
        if (in[0] == '\r' && in[1] == '\n' && in[2] == ' ')
            in += 3;
        else
            *out++ = *in++;
    }
    *out = '\0';
    for (line = s; *line; ) {
        char *eol = strstr(line, "\r\n");
        apr_size_t n = eol ? (apr_size_t)(eol - line) : strlen(line);

        append_folded(t, line, n);
        line += n + (eol ? 2 : 0);
    }
    free(s);
    return 0;
}

/* Promise: prop's content line appended to t, folded, and prop freed;
 * -1 when prop is NULL or libical cannot write it. */
static int put_prop(tasks_text *t, icalproperty *prop)
{
    char *s;

    if (!prop)
        return -1;
    s = icalproperty_as_ical_string_r(prop);
    icalproperty_free(prop);
    return put_libical(t, s);
}

/* Promise: the instant at (tasks_rfc3339_to_utc's form) as an
 * iCalendar UTC date-time ("20260316T080000Z", its fraction dropped:
 * iCalendar has none), in p; NULL when at is not an instant. Written
 * from the digits, not by libical, which writes every year after 3000
 * as 00000000T000000 while an instant may be in any year to 9999. */
static const char *ical_utc(apr_pool_t *p, const char *at)
{
    long long secs;

    if (!at || tasks_instant_seconds(at, &secs, NULL))
        return NULL;
    return apr_psprintf(p, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", at, at + 5, at + 8,
                        at + 11, at + 14, at + 17);
}

/* Promise: the content line name:value appended to t, folded. */
static void put_line(tasks_text *t, apr_pool_t *p, const char *name,
                     const char *value)
{
    const char *line = apr_pstrcat(p, name, ":", value, NULL);

    append_folded(t, line, strlen(line));
}

/* Promise: 0 and the strings of the JSON array text json (the store's
 * tags or reminders) as an array of const char * in p; -1 otherwise. */
static int string_array(apr_pool_t *p, const char *json,
                        apr_array_header_t **out)
{
    json_t *arr = json ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    int rc = 0;

    if (!json_is_array(arr)) {
        json_decref(arr);
        return -1;
    }
    *out = apr_array_make(p, (int)json_array_size(arr) + 1,
                          sizeof(const char *));
    for (i = 0; i < json_array_size(arr) && rc == 0; i++) {
        const char *s = json_string_value(json_array_get(arr, i));

        if (!s)
            rc = -1;
        else
            APR_ARRAY_PUSH(*out, const char *) = apr_pstrdup(p, s);
    }
    json_decref(arr);
    return rc;
}

/* Promise: the VTIMEZONE of zone (a name tasks_zone_check knows, not
 * UTC) appended to t with TZID zone, so a DUE;TZID=zone refers to it;
 * -1 when libical has no such zone. libical's copy is the zone's whole
 * history from the tz database; its TZID carries libical's prefix,
 * which clients would not recognise as the IANA name. */
static int put_vtimezone(tasks_text *t, const char *zone)
{
    icaltimezone *z = icaltimezone_get_builtin_timezone(zone);
    icalcomponent *vtz = z ? icaltimezone_get_component(z) : NULL;
    icalcomponent *copy;
    icalproperty *id;
    char *s;

    if (!vtz || !(copy = icalcomponent_new_clone(vtz)))
        return -1;
    if ((id = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY)))
        icalproperty_set_tzid(id, zone);
    else
        icalcomponent_add_property(copy, icalproperty_new_tzid(zone));
    s = icalcomponent_as_ical_string_r(copy);
    icalcomponent_free(copy);
    return put_libical(t, s);
}

/* Promise: the TRIGGER value of reminder r (a duration before the due
 * time or an instant, as the store keeps them) with its parameters, as
 * ";RELATED=END:-PT15M" or ";VALUE=DATE-TIME:20260316T080000Z"; NULL
 * when r is neither. RELATED=END because a VTODO's default, START,
 * would be its DTSTART, which a client may have (we keep it). A
 * duration is written as stored ("PT90M" stays so), unless it mixes
 * weeks with other units, which our rule reads but RFC 5545 does not
 * allow: then in days and time. */
static const char *trigger_value(apr_pool_t *p, const char *r)
{
    long long secs;
    const char *at;

    if (r[0] != 'P')
        return (at = ical_utc(p, r))
               ? apr_pstrcat(p, ";VALUE=DATE-TIME:", at, NULL) : NULL;
    if (tasks_duration_seconds(r, &secs) != 0)
        return NULL;
    if (strchr(r, 'W') && (strchr(r, 'D') || strchr(r, 'T'))) {
        long days = (long)(secs / 86400), h = (long)(secs % 86400 / 3600),
             m = (long)(secs % 3600 / 60), sec = (long)(secs % 60);

        r = apr_psprintf(p, "P%ldD%s", days, h || m || sec ? "T" : "");
        if (h)
            r = apr_psprintf(p, "%s%ldH", r, h);
        if (m)
            r = apr_psprintf(p, "%s%ldM", r, m);
        if (sec)
            r = apr_psprintf(p, "%s%ldS", r, sec);
    }
    return apr_pstrcat(p, ";RELATED=END:-", r, NULL);
}

/* Promise: the VALARM of reminder r appended to t, its DESCRIPTION
 * title (a display alarm must have one); -1 when r is not a reminder. */
static int put_alarm(tasks_text *t, apr_pool_t *p, const char *r,
                     const char *title)
{
    const char *trigger = trigger_value(p, r);

    if (!trigger)
        return -1;
    trigger = apr_pstrcat(p, "TRIGGER", trigger, NULL);
    APPEND_LIT(t, "BEGIN:VALARM\r\nACTION:DISPLAY\r\n");
    append_folded(t, trigger, strlen(trigger));
    if (put_prop(t, icalproperty_new_description(title)))
        return -1;
    APPEND_LIT(t, "END:VALARM\r\n");
    return 0;
}

/* Promise: the DUE of due_at appended to t: on zone's wall clock with
 * TZID=zone (zone a name tasks_zone_check knows, not UTC), or in UTC
 * (zone NULL); -1 when due_at is not an instant. Written by hand for
 * years after 3000 (see ical_utc); zone names need no quoting. */
static int put_due(tasks_text *t, apr_pool_t *p, const char *due_at,
                   const char *zone)
{
    struct icaltimetype tt;
    long long secs;
    const char *utc = ical_utc(p, due_at);

    if (!utc)
        return -1;
    if (!zone) {
        put_line(t, p, "DUE", utc);
        return 0;
    }
    tasks_instant_seconds(due_at, &secs, NULL);
    tt = icaltime_from_timet_with_zone((time_t)secs, 0,
                                       icaltimezone_get_builtin_timezone(zone));
    put_line(t, p, apr_pstrcat(p, "DUE;TZID=", zone, NULL),
             apr_psprintf(p, "%04d%02d%02dT%02d%02d%02d", tt.year, tt.month,
                          tt.day, tt.hour, tt.minute, tt.second));
    return 0;
}

/* Promise: the CATEGORIES line of tags (const char *; at least one)
 * appended to t, folded: one property, the tags a comma list with
 * RFC 5545's TEXT escapes. Written here because libical writes a comma
 * in a CATEGORIES value unescaped, which splits a tag in two. */
static void put_categories(apr_pool_t *p, tasks_text *t,
                           const apr_array_header_t *tags)
{
    tasks_text line;
    int i;

    tasks_text_init(&line, p, 128);
    APPEND_LIT(&line, "CATEGORIES:");
    for (i = 0; i < tags->nelts; i++) {
        const char *s = printable(p, APR_ARRAY_IDX(tags, i, const char *));

        if (i)
            tasks_text_append(&line, ",", 1);
        for (; *s; s++) {
            if (*s == '\\' || *s == ',' || *s == ';') {
                tasks_text_append(&line, "\\", 1);
                tasks_text_append(&line, s, 1);
            }
            else if (*s == '\n') {
                tasks_text_append(&line, "\\n", 2);
            }
            else {
                tasks_text_append(&line, s, 1);
            }
        }
    }
    append_folded(t, line.s, line.len);
}

/* Promise: see vtodo.h. */
const char *tasks_vtodo_render(apr_pool_t *p, const tasks_task_row *row,
                               const char *uid, const char *kept)
{
    apr_array_header_t *tags, *reminders;
    const char *components = NULL, *zone = NULL, *rule = NULL, *title;
    const char *created, *updated, *completed_at = NULL;
    int done, rank, failed = 0, i;
    tasks_text t;

    if (!row || !uid || !*uid || !row->title || !row->completed
        || !row->priority || !(created = ical_utc(p, row->created_at))
        || !(updated = ical_utc(p, row->updated_at))
        || string_array(p, row->tags, &tags)
        || string_array(p, row->reminders, &reminders))
        return NULL;
    if (kept && check_kept(kept, &components))
        return NULL;
    /* The rule as the rules accept it, or a corrupt row: what we write
     * is what we vouch for. */
    if (row->recurrence && tasks_recur_parse(p, row->recurrence, &rule))
        return NULL;
    done = strcmp(row->completed, "t") == 0;
    if (done && row->completed_at
        && !(completed_at = ical_utc(p, row->completed_at)))
        return NULL;
    rank = atoi(row->priority);
    title = printable(p, row->title);
    /* A zone the tz database no longer knows: the instant still holds,
     * written in UTC. */
    if (row->due_at && row->time_zone
        && (zone = tasks_zone_check(row->time_zone))
        && strcmp(zone, "UTC") == 0)
        zone = NULL;

    tasks_text_init(&t, p, 2048);
    APPEND_LIT(&t, "BEGIN:VCALENDAR\r\nPRODID:-//mod_tasks//EN\r\n"
                   "VERSION:2.0\r\n");
    if (zone && put_vtimezone(&t, zone))
        return NULL;
    APPEND_LIT(&t, "BEGIN:VTODO\r\n");
    put_line(&t, p, "DTSTAMP", updated);
    failed |= put_prop(&t, icalproperty_new_uid(printable(p, uid)));
    put_line(&t, p, "CREATED", created);
    put_line(&t, p, "LAST-MODIFIED", updated);
    failed |= put_prop(&t, icalproperty_new_summary(title));
    if (row->description)
        failed |= put_prop(&t, icalproperty_new_description(
            printable(p, row->description)));
    put_line(&t, p, "STATUS", done ? "COMPLETED" : "NEEDS-ACTION");
    if (completed_at)
        put_line(&t, p, "COMPLETED", completed_at);
    if (rank == TASKS_PRIORITY_HIGH || rank == TASKS_PRIORITY_MEDIUM
        || rank == TASKS_PRIORITY_LOW)
        put_line(&t, p, "PRIORITY",
                 rank == TASKS_PRIORITY_HIGH ? "1"
                 : rank == TASKS_PRIORITY_MEDIUM ? "5" : "9");
    if (row->due_at)
        failed |= put_due(&t, p, row->due_at, zone);
    if (tags->nelts)
        put_categories(p, &t, tags);
    if (rule)
        put_line(&t, p, "RRULE", rule);
    if (kept)
        append_kept(&t, kept, components);
    for (i = 0; i < reminders->nelts; i++)
        failed |= put_alarm(&t, p, APR_ARRAY_IDX(reminders, i, const char *),
                            title);
    if (kept)
        append_kept(&t, components, kept + strlen(kept));
    APPEND_LIT(&t, "END:VTODO\r\nEND:VCALENDAR\r\n");
    return failed ? NULL : t.s;
}
