/* task.c - the rules of each kind of task field, applied to what a front
 * end proposes (a draft), and the preconditions a request carries.
 * Pure: APR only; no format (JSON, iCalendar) is parsed here (the tags
 * are kept as the JSON array text the store binds). */
#include <limits.h>
#include <string.h>
#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/core/recur.h"
#include "tasks/core/task.h"
#include "tasks/core/validate.h"

#define MSG_STRING       "must be a string"
#define MSG_STRING_NULL  "must be a string or null"
#define MSG_BOOLEAN      "must be a boolean"
#define MSG_PRIORITY     "must be one of none, low, medium, high"
#define MSG_INSTANT      "must be an RFC 3339 date-time with a time zone offset"
#define MSG_TAGS_TYPE    "must be an array of strings"
#define MSG_REQUIRED     "is required"
#define MSG_NUL          "must not contain NUL characters"
#define MSG_LIST         "must be the id of one of your lists"
#define MSG_ZONE         "must be an IANA time zone name such as Europe/Berlin"
#define MSG_REMINDERS    "must be an array of at most %d reminders, each " \
    "{\"before\": \"<ISO 8601 duration>\"} or {\"at\": \"<RFC 3339 date-time>\"}"
#define MSG_BEFORE       "reminder %d: before must be an ISO 8601 duration " \
    "such as PT15M or P1D (weeks, days, hours, minutes, seconds; more than " \
    "0, at most 366 days)"
#define MSG_AT           "reminder %d: at must be an RFC 3339 date-time " \
    "with a time zone offset"

/* Where a rule reports: the field's name and the request's errors. */
typedef struct {
    apr_pool_t *p;
    const char *field;
    apr_array_header_t **errors;
} rule_ctx;

static void refuse(const rule_ctx *c, const char *message)
{
    tasks_field_error_add(c->p, c->errors, c->field, message);
}

/* The string of a value when it is one without a NUL inside (which a C
 * string would silently cut short); NULL otherwise. */
static const char *plain_string(const tasks_value *v)
{
    return v->kind == TASKS_VALUE_STRING && strlen(v->str) == v->len
           ? v->str : NULL;
}

/* ---- One rule per kind ------------------------------------------------
 * Each sets *has and *out when the value is to be written, or refuses
 * it. An absent value is written only for CREATE (with the default). */

/* TITLE: a string, trimmed, min..max code points; required by CREATE and
 * PUT. */
static void rule_TITLE(const rule_ctx *c, const tasks_value *v,
                       tasks_input_mode mode, int min, int max, int items,
                       int *has, const char **out)
{
    const char *t;
    long len;

    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT) {
        if (mode != TASKS_INPUT_PATCH)
            refuse(c, MSG_REQUIRED);
        return;
    }
    if (v->kind != TASKS_VALUE_STRING) {
        refuse(c, MSG_STRING);
        return;
    }
    if (!plain_string(v)) {
        refuse(c, MSG_NUL);
        return;
    }
    t = tasks_trim(c->p, v->str);
    len = tasks_utf8_length(t, strlen(t));
    if (len < min || len > max) {
        refuse(c, apr_psprintf(c->p, "must be %d-%d characters", min, max));
        return;
    }
    *has = 1;
    *out = t;
}

/* NOTE: a string of at most max code points, or null; stored as given
 * (leading white space can be meaningful, e.g. an indented list). */
static void rule_NOTE(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, const char **out)
{
    long len;

    (void)min;
    (void)items;
    switch (v->kind) {
    case TASKS_VALUE_ABSENT:
        *has = mode == TASKS_INPUT_CREATE;
        *out = NULL;
        return;
    case TASKS_VALUE_NULL:
        *has = 1;
        *out = NULL;
        return;
    case TASKS_VALUE_STRING:
        break;
    default:
        refuse(c, MSG_STRING_NULL);
        return;
    }
    if (!plain_string(v)) {
        refuse(c, MSG_NUL);
        return;
    }
    len = tasks_utf8_length(v->str, v->len);
    if (len < 0 || len > max) {
        refuse(c, apr_psprintf(c->p, "must be at most %d characters", max));
        return;
    }
    *has = 1;
    *out = apr_pstrmemdup(c->p, v->str, v->len);
}

/* FLAG: a boolean; false by default. */
static void rule_FLAG(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, int *out)
{
    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = 0;
        return;
    }
    if (v->kind != TASKS_VALUE_BOOL) {
        refuse(c, MSG_BOOLEAN);
        return;
    }
    *has = 1;
    *out = v->boolean != 0;
}

/* DONE: the completion flag, a FLAG to clients (its toggle and
 * completed_at are the store's business). */
#define rule_DONE rule_FLAG

/* PRIORITY: one of the names, exactly; "none" by default. */
static void rule_PRIORITY(const rule_ctx *c, const tasks_value *v,
                          tasks_input_mode mode, int min, int max, int items,
                          int *has, int *out)
{
    const char *s = plain_string(v);
    int rank;

    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = TASKS_PRIORITY_NONE;
        return;
    }
    if ((rank = s ? tasks_priority_rank(s) : -1) < 0) {
        refuse(c, MSG_PRIORITY);
        return;
    }
    *has = 1;
    *out = rank;
}

/* LIST: a list's id, a positive integer (whether the list is the
 * caller's, the store decides: the same message then); absent on create:
 * the caller's Inbox. null is no list: refused. */
static void rule_LIST(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, long long *out)
{
    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = 0;
        return;
    }
    if (v->kind != TASKS_VALUE_INTEGER || v->integer < 1) {
        refuse(c, MSG_LIST);
        return;
    }
    *has = 1;
    *out = v->integer;
}

/* INSTANT: an RFC 3339 date-time with an offset (stored in UTC), or
 * null; null by default. */
static void rule_INSTANT(const rule_ctx *c, const tasks_value *v,
                         tasks_input_mode mode, int min, int max, int items,
                         int *has, const char **out)
{
    const char *s = plain_string(v), *utc;

    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT || v->kind == TASKS_VALUE_NULL) {
        *has = v->kind == TASKS_VALUE_NULL || mode == TASKS_INPUT_CREATE;
        *out = NULL;
        return;
    }
    if (v->kind != TASKS_VALUE_STRING) {
        refuse(c, MSG_STRING_NULL);
        return;
    }
    if (!s || !(utc = tasks_rfc3339_to_utc(c->p, s))) {
        refuse(c, MSG_INSTANT);
        return;
    }
    *has = 1;
    *out = utc;
}

/* TAGS: a list of strings, each trimmed to min..max code points,
 * duplicates (exact, after trimming) folded with first occurrences kept
 * in order, at most items left; [] by default. Written as a JSON array. */
static void rule_TAGS(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, const char **out)
{
    const char *msg = apr_psprintf(c->p, "must be at most %d distinct tags "
                                   "of %d-%d characters", items, min, max);
    apr_array_header_t *kept;
    int i, j;

    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = "[]";
        return;
    }
    if (v->kind != TASKS_VALUE_LIST) {
        refuse(c, MSG_TAGS_TYPE);
        return;
    }
    for (i = 0; i < v->nitems; i++)
        if (v->items[i].kind != TASKS_VALUE_STRING) {
            refuse(c, MSG_TAGS_TYPE);
            return;
        }
    kept = apr_array_make(c->p, items + 1, sizeof(const char *));
    for (i = 0; i < v->nitems; i++) {
        const char *t;
        long len;

        if (!plain_string(&v->items[i])) {
            refuse(c, MSG_NUL);
            return;
        }
        t = tasks_trim(c->p, v->items[i].str);
        len = tasks_utf8_length(t, strlen(t));
        if (len < min || len > max) {
            refuse(c, msg);
            return;
        }
        for (j = 0; j < kept->nelts
             && strcmp(APR_ARRAY_IDX(kept, j, const char *), t) != 0; j++)
            ;
        if (j < kept->nelts)
            continue;
        /* Stop at the first tag too many: this also bounds the quadratic
         * duplicate search by items comparisons per element. */
        if (kept->nelts == items) {
            refuse(c, msg);
            return;
        }
        APR_ARRAY_PUSH(kept, const char *) = t;
    }
    if (!(*out = tasks_json_string_array(c->p, kept))) {
        refuse(c, msg);
        return;
    }
    *has = 1;
}

/* RULE: an RRULE value we accept (recur.h), normalised, or null; null
 * by default. Whether it suits the task's due_at is the schedule's
 * check (tasks_task_schedule_check), which needs the whole task. */
static void rule_RULE(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, const char **out)
{
    const char *s = plain_string(v), *why, *normalized = NULL;

    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT || v->kind == TASKS_VALUE_NULL) {
        *has = v->kind == TASKS_VALUE_NULL || mode == TASKS_INPUT_CREATE;
        *out = NULL;
        return;
    }
    if (v->kind != TASKS_VALUE_STRING) {
        refuse(c, MSG_STRING_NULL);
        return;
    }
    if (!s) {
        refuse(c, MSG_NUL);
        return;
    }
    if ((why = tasks_recur_parse(c->p, s, &normalized))) {
        refuse(c, why);
        return;
    }
    *has = 1;
    *out = normalized;
}

/* ZONE: an IANA zone the machine's tz database knows, as it spells it;
 * "UTC" by default. */
static void rule_ZONE(const rule_ctx *c, const tasks_value *v,
                      tasks_input_mode mode, int min, int max, int items,
                      int *has, const char **out)
{
    const char *s = plain_string(v), *zone;

    (void)min;
    (void)max;
    (void)items;
    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = "UTC";
        return;
    }
    if (!s || !(zone = tasks_zone_check(s))) {
        refuse(c, MSG_ZONE);
        return;
    }
    *has = 1;
    *out = zone;
}

/* REMINDERS: at most items of {"before": duration} or {"at": instant},
 * kept in order as one string each (the duration as given, the instant
 * in UTC); [] by default. Written as a JSON array. */
static void rule_REMINDERS(const rule_ctx *c, const tasks_value *v,
                           tasks_input_mode mode, int min, int max,
                           int items, int *has, const char **out)
{
    apr_array_header_t *kept;
    int i;

    (void)min;
    (void)max;
    if (v->kind == TASKS_VALUE_ABSENT) {
        *has = mode == TASKS_INPUT_CREATE;
        *out = "[]";
        return;
    }
    if (v->kind != TASKS_VALUE_LIST || v->nitems > items) {
        refuse(c, apr_psprintf(c->p, MSG_REMINDERS, items));
        return;
    }
    kept = apr_array_make(c->p, v->nitems + 1, sizeof(const char *));
    for (i = 0; i < v->nitems; i++) {
        const tasks_value *r = &v->items[i], *val;
        const char *s, *utc;
        long long secs;

        if (r->kind != TASKS_VALUE_OBJECT || r->nitems != 1) {
            refuse(c, apr_psprintf(c->p, MSG_REMINDERS, items));
            return;
        }
        val = &r->items[0];
        s = plain_string(val);
        if (strcmp(r->names[0], "before") == 0) {
            if (!s || tasks_duration_seconds(s, &secs) != 0) {
                refuse(c, apr_psprintf(c->p, MSG_BEFORE, i + 1));
                return;
            }
            APR_ARRAY_PUSH(kept, const char *) = s;
        }
        else if (strcmp(r->names[0], "at") == 0) {
            if (!s || !(utc = tasks_rfc3339_to_utc(c->p, s))) {
                refuse(c, apr_psprintf(c->p, MSG_AT, i + 1));
                return;
            }
            APR_ARRAY_PUSH(kept, const char *) = utc;
        }
        else {
            refuse(c, apr_psprintf(c->p, MSG_REMINDERS, items));
            return;
        }
    }
    if (!(*out = tasks_json_string_array(c->p, kept))) {
        refuse(c, apr_psprintf(c->p, MSG_REMINDERS, items));
        return;
    }
    *has = 1;
}

/* Promise: see task.h. */
apr_array_header_t *tasks_task_schedule_check(apr_pool_t *p, const char *rule,
                                              const char *zone,
                                              const char *due_at)
{
    apr_array_header_t *errors = NULL;
    const char *before, *next;

    if (!rule)
        return NULL;
    if (!due_at) {
        tasks_field_error_add(p, &errors, "recurrence", "needs a due_at "
                              "(the first occurrence)");
        return errors;
    }
    before = tasks_instant_add(p, due_at, -1);
    if (!before || tasks_recur_next(p, rule, zone, due_at, before, &next)
                   != TASKS_RECUR_NEXT)
        tasks_field_error_add(p, &errors, "recurrence",
                              "never occurs at or after due_at");
    return errors;
}

/* Promise: see task.h. */
const char *tasks_reminders_shift(apr_pool_t *p, const char *reminders,
                                  long long delta)
{
    apr_array_header_t *moved = apr_array_make(p, TASKS_REMINDERS_MAX + 1,
                                               sizeof(const char *));
    const char *s = reminders, *end;

    if (!s || *s++ != '[')
        return NULL;
    while (*s == '"') {
        const char *r, *at;

        if (!(end = strchr(s + 1, '"')) || memchr(s + 1, '\\', (apr_size_t)(end - s - 1)))
            return NULL;
        r = apr_pstrmemdup(p, s + 1, (apr_size_t)(end - s - 1));
        if (r[0] == 'P')
            at = r;
        else if (!(at = tasks_instant_add(p, r, delta)))
            return NULL;
        APR_ARRAY_PUSH(moved, const char *) = at;
        s = end + 1;
        if (*s == ',')
            s++;
    }
    if (s[0] != ']' || s[1] != '\0')
        return NULL;
    return tasks_json_string_array(p, moved);
}

/* Promise: see task.h. Each writable field goes through its kind's rule,
 * in table order, so the errors come in that order. */
apr_array_header_t *tasks_task_validate(apr_pool_t *p,
                                        const tasks_task_draft *draft,
                                        tasks_input_mode mode,
                                        tasks_task_input *in)
{
    apr_array_header_t *errors = NULL;
    rule_ctx c = { p, NULL, &errors };

    memset(in, 0, sizeof *in);
#define X(name, access, kind, min, max, items, column)                    \
    TASKS_IF_RW(access,                                                   \
        c.field = #name;                                                  \
        rule_##kind(&c, &draft->name, mode, min, max, items,              \
                    &in->has_##name, &in->name);)
    TASKS_TASK_FIELDS(X)
#undef X
    return errors;
}

void tasks_task_input_completed(tasks_task_input *in, int completed)
{
    memset(in, 0, sizeof *in);
    in->has_completed = 1;
    in->completed = completed != 0;
}

/* ---- ETags and preconditions ------------------------------------------ */

/* Promise: "\"<id>.<version>\"" in p. The version changes on every write,
 * so the tag is strong. */
const char *tasks_task_etag(apr_pool_t *p, const tasks_task_row *row)
{
    return apr_psprintf(p, "\"%s.%s\"", row->id ? row->id : "",
                        row->version ? row->version : "");
}

/* Whether c may appear inside an entity tag (RFC 9110 etagc). */
static int is_etagc(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/* Whether the opaque tag o[0..n) is "<id>.<digits>" for this id with a
 * version the store can hold (1..TASKS_VERSION_MAX); then *version is
 * set. A larger number cannot be a version we issued. */
static int names_task(const char *o, apr_size_t n, const char *id,
                      long long *version)
{
    apr_size_t idlen = strlen(id), i;
    long long v = 0;

    if (idlen == 0 || n < idlen + 2 || memcmp(o, id, idlen) != 0
        || o[idlen] != '.')
        return 0;
    for (i = idlen + 1; i < n; i++) {
        if (o[i] < '0' || o[i] > '9')
            return 0;
        v = v * 10 + (o[i] - '0');
        if (v > TASKS_VERSION_MAX)
            return 0;
    }
    *version = v;
    return 1;
}

/* Walk an RFC 9110 entity-tag list (OWS and empty elements allowed).
 * Calls each(tag, len, weak, baton) per tag; returns -1 when the list is
 * malformed, else 0. */
static int each_etag(const char *s,
                     void (*each)(const char *, apr_size_t, int, void *),
                     void *baton)
{
    for (;;) {
        int weak = 0;
        const char *o;

        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '\0')
            return 0;
        if (s[0] == 'W' && s[1] == '/') {
            weak = 1;
            s += 2;
        }
        if (*s++ != '"')
            return -1;
        for (o = s; is_etagc((unsigned char)*s); s++)
            ;
        if (*s != '"')
            return -1;
        each(o, (apr_size_t)(s - o), weak, baton);
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s != ',' && *s != '\0')
            return -1;
    }
}

/* Is the header "*" alone (with OWS)? 1 yes, 0 it does not start with
 * "*", -1 "*" followed by more (malformed). */
static int star(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '*')
        return 0;
    s++;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' ? 1 : -1;
}

typedef struct {
    const char *id;
    int found;
    long long version;
    apr_array_header_t *versions;
} etag_scan;

static void if_match_tag(const char *o, apr_size_t n, int weak, void *baton)
{
    etag_scan *sc = baton;
    long long v;

    /* The first strong tag of this task wins: the store can test one
     * version, and a client listing two versions of one task is
     * confused. */
    if (!weak && !sc->found && names_task(o, n, sc->id, &v)) {
        sc->found = 1;
        sc->version = v;
    }
}

/* Promise: see task.h. */
void tasks_precondition_if_match(const char *header, const char *id,
                                 tasks_precondition *pre)
{
    etag_scan sc = { id, 0, 0, NULL };
    int s;

    pre->match = TASKS_MATCH_ANY;
    pre->version = 0;
    if (!header)
        return;
    pre->match = TASKS_MATCH_NEVER;
    if (!id)
        return;
    if ((s = star(header)) != 0) {
        if (s > 0)
            pre->match = TASKS_MATCH_EXISTS;
        return;
    }
    if (each_etag(header, if_match_tag, &sc) == 0 && sc.found) {
        pre->match = TASKS_MATCH_VERSION;
        pre->version = sc.version;
    }
}

static void if_none_match_tag(const char *o, apr_size_t n, int weak,
                              void *baton)
{
    etag_scan *sc = baton;
    long long v;

    (void)weak; /* weak comparison: W/"x" matches "x" too */
    if (names_task(o, n, sc->id, &v))
        APR_ARRAY_PUSH(sc->versions, long long) = v;
}

/* Promise: see task.h. */
void tasks_precondition_if_none_match(apr_pool_t *p, const char *header,
                                      const char *id, tasks_precondition *pre)
{
    etag_scan sc = { id, 0, 0, NULL };
    int s;

    pre->none_match_any = 0;
    pre->none_match = NULL;
    pre->n_none_match = 0;
    if (!header || !id)
        return;
    if ((s = star(header)) != 0) {
        pre->none_match_any = s > 0;
        return;
    }
    sc.versions = apr_array_make(p, 2, sizeof(long long));
    if (each_etag(header, if_none_match_tag, &sc) != 0)
        return;
    pre->none_match = (const long long *)sc.versions->elts;
    pre->n_none_match = sc.versions->nelts;
}
