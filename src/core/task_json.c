/* task_json.c - tasks in JSON: request bodies -> drafts, and rows -> the
 * contract's Task objects, written as text without a jansson tree. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "tasks/core/problem.h"
#include "tasks/core/recur.h"
#include "tasks/core/task.h"
#include "tasks/core/validate.h"
#include "tasks/core/task_json.h"

/* ---- Bodies to drafts ------------------------------------------------ */

/* Promise: see task_json.h. Strings keep their length, so an embedded
 * U+0000 (possible only in objects built in code: the parser refuses
 * \u0000) reaches the rules, which refuse it. */
void tasks_value_from_json(apr_pool_t *p, const json_t *j, tasks_value *v)
{
    memset(v, 0, sizeof *v);
    if (!j) {
        v->kind = TASKS_VALUE_ABSENT;
    }
    else if (json_is_null(j)) {
        v->kind = TASKS_VALUE_NULL;
    }
    else if (json_is_string(j)) {
        v->kind = TASKS_VALUE_STRING;
        v->str = json_string_value(j);
        v->len = json_string_length(j);
    }
    else if (json_is_boolean(j)) {
        v->kind = TASKS_VALUE_BOOL;
        v->boolean = json_is_true(j);
    }
    else if (json_is_integer(j)) {
        v->kind = TASKS_VALUE_INTEGER;
        v->integer = (long long)json_integer_value(j);
    }
    else if (json_is_array(j)) {
        size_t i, n = json_array_size(j);
        tasks_value *items = apr_pcalloc(p, (n ? n : 1) * sizeof *items);

        for (i = 0; i < n; i++)
            tasks_value_from_json(p, json_array_get(j, i), &items[i]);
        v->kind = TASKS_VALUE_LIST;
        v->items = items;
        v->nitems = (int)n;
    }
    else if (json_is_object(j)) {
        size_t n = json_object_size(j), i = 0;
        tasks_value *items = apr_pcalloc(p, (n ? n : 1) * sizeof *items);
        const char **names = apr_pcalloc(p, (n ? n : 1) * sizeof *names);
        const char *key;
        json_t *member;

        json_object_foreach((json_t *)j, key, member) {
            names[i] = apr_pstrdup(p, key);
            tasks_value_from_json(p, member, &items[i]);
            i++;
        }
        v->kind = TASKS_VALUE_OBJECT;
        v->items = items;
        v->names = names;
        v->nitems = (int)i;
    }
    else {
        v->kind = TASKS_VALUE_OTHER;
    }
}

/* Promise: see task_json.h. */
void tasks_task_draft_from_json(apr_pool_t *p, const json_t *obj,
                                tasks_task_draft *draft)
{
    memset(draft, 0, sizeof *draft);
#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, tasks_value_from_json(p, json_object_get(obj, #name), \
                                              &draft->name);)
    TASKS_TASK_FIELDS(X)
#undef X
}

/* Promise: see task_json.h. */
apr_array_header_t *tasks_task_input_from_json(apr_pool_t *p,
                                               const json_t *obj,
                                               tasks_input_mode mode,
                                               tasks_task_input *in)
{
    tasks_task_draft draft;

    tasks_task_draft_from_json(p, obj, &draft);
    return tasks_task_validate(p, &draft, mode, in);
}

/* ---- Rows as JSON text without a jansson tree ------------------------ */

#define TEXT_MIN 64

/* Promise: t empty and NUL-terminated, with room for at least hint bytes.
 * Never fails (APR aborts on allocation failure). */
void tasks_text_init(tasks_text *t, apr_pool_t *p, apr_size_t hint)
{
    t->p = p;
    t->len = 0;
    t->cap = hint >= TEXT_MIN && hint < (apr_size_t)-1 ? hint + 1 : TEXT_MIN;
    t->s = apr_palloc(p, t->cap);
    t->s[0] = '\0';
}

/* Promise: t has room for n more bytes and the NUL. Doubling keeps a page
 * of appends linear; the old block stays in the pool. */
static void text_grow(tasks_text *t, apr_size_t n)
{
    apr_size_t need = t->len + n + 1, cap = t->cap;
    char *grown;

    if (need <= t->len) /* wrapped: no pool could serve it either */
        abort();
    while (cap < need)
        cap = cap > ((apr_size_t)-1) / 2 ? need : cap * 2;
    grown = apr_palloc(t->p, cap);
    memcpy(grown, t->s, t->len);
    t->s = grown;
    t->cap = cap;
}

/* Promise: the n bytes at s appended and t->s NUL-terminated again. Inline:
 * a page of fifty tasks is about 1,500 appends, almost all of a few bytes
 * into room that is already there. */
static inline void text_put(tasks_text *t, const char *s, apr_size_t n)
{
    if (n >= t->cap - t->len)
        text_grow(t, n);
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* See task_json.h. */
void tasks_text_append(tasks_text *t, const char *s, apr_size_t n)
{
    text_put(t, s, n);
}

#define APPEND_LIT(t, lit) text_put((t), (lit), sizeof(lit) - 1)

/* Promise: the length of the strict UTF-8 sequence at u (no overlongs,
 * surrogates or code points above U+10FFFF, as jansson checks), else -1.
 * Never reads past a NUL: the NUL is not a continuation byte, and the
 * decoder stops at the first byte that is not one. */
static int utf8_seq(const unsigned char *u)
{
    unsigned cp;

    return tasks_utf8_decode(u, 4, &cp);
}

/* Promise: jansson 2.14's escape for c ('"', '\\' or below 0x20): \" \\ \b
 * \f \n \r \t, else \u00XX in upper-case hex (\u001F) as json_dumps writes. */
static void append_escape(tasks_text *t, unsigned c)
{
    static const char hex[] = "0123456789ABCDEF";
    char u[6] = { '\\', 'u', '0', '0', 0, 0 };

    switch (c) {
    case '"':  APPEND_LIT(t, "\\\""); return;
    case '\\': APPEND_LIT(t, "\\\\"); return;
    case '\b': APPEND_LIT(t, "\\b");  return;
    case '\f': APPEND_LIT(t, "\\f");  return;
    case '\n': APPEND_LIT(t, "\\n");  return;
    case '\r': APPEND_LIT(t, "\\r");  return;
    case '\t': APPEND_LIT(t, "\\t");  return;
    default:
        u[4] = hex[(c >> 4) & 0xf];
        u[5] = hex[c & 0xf];
        text_put(t, u, sizeof u);
    }
}

/* The bytes append_string must stop at: controls (the NUL among them), '"',
 * '\\' and every byte of a multi-byte UTF-8 sequence. */
static const unsigned char json_attention[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1
};

/* Promise: s appended as json_dumps(JSON_COMPACT) writes it ('/', 0x7f and
 * U+2028 pass through); -1 when s is not UTF-8 (json_string refuses it). */
static int append_string(tasks_text *t, const char *s)
{
    const unsigned char *u = (const unsigned char *)s, *run;

    APPEND_LIT(t, "\"");
    for (run = u; ; ) {
        /* Plain ASCII, the bulk of every string, in a tight loop; the NUL
         * is a control byte and ends it too. */
        while (!json_attention[*u])
            u++;
        if (*u == '\0')
            break;
        if (*u >= 0x80) {
            int n = utf8_seq(u);
            if (n < 0)
                return -1;
            u += n;
        }
        else {
            text_put(t, (const char *)run, (apr_size_t)(u - run));
            append_escape(t, *u);
            run = ++u;
        }
    }
    text_put(t, (const char *)run, (apr_size_t)(u - run));
    APPEND_LIT(t, "\"");
    return 0;
}

/* Promise: JSON null for SQL NULL, else s as append_string writes it (and
 * its -1 when s is not UTF-8). */
static int append_string_or_null(tasks_text *t, const char *s)
{
    if (!s) {
        APPEND_LIT(t, "null");
        return 0;
    }
    return append_string(t, s);
}

/* The value of the 4 hex digits at s, or -1 (a NUL stops the scan). */
static long hex4(const char *s)
{
    long v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* Promise: code point cp (a decoded \u escape, never a surrogate) appended
 * as json_dumps writes it: escaped below 0x20 and for '"' and '\\', else UTF-8. */
static void append_code_point(tasks_text *t, unsigned long cp)
{
    char b[4];
    apr_size_t n;

    if (cp < 0x20 || cp == '"' || cp == '\\') {
        append_escape(t, (unsigned)cp);
        return;
    }
    if (cp < 0x80) {
        b[0] = (char)cp; n = 1;
    }
    else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
    }
    else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
    }
    else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
    }
    text_put(t, b, n);
}

/* Promise: the string literal after the quote at *sp re-emitted as json_dumps
 * writes its value, *sp past it; -1 for whatever json_loads would refuse. */
static int append_json_string_literal(tasks_text *t, const char **sp)
{
    /* Escapes are decoded and written again, not copied: PostgreSQL writes
     * \u001f where jansson writes \u001F. Refused, as by json_loads: raw
     * control bytes, bad UTF-8, unknown escapes, \u0000, lone surrogates. */
    const unsigned char *u = (const unsigned char *)*sp, *run;

    APPEND_LIT(t, "\"");
    for (run = u; *u != '"'; ) {
        if (*u >= 0x80) {
            int n = utf8_seq(u);
            if (n < 0)
                return -1;
            u += n;
            continue;
        }
        if (*u < 0x20) /* raw control byte, or the end of the text */
            return -1;
        if (*u != '\\') {
            u++;
            continue;
        }
        text_put(t, (const char *)run, (apr_size_t)(u - run));
        switch (u[1]) {
        case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
            text_put(t, (const char *)u, 2); /* same as dumped */
            u += 2;
            break;
        case '/':
            APPEND_LIT(t, "/");
            u += 2;
            break;
        case 'u': {
            long cp = hex4((const char *)u + 2), lo;

            if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                return -1; /* bad hex, \u0000 or a lone low surrogate */
            u += 6;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (u[0] != '\\' || u[1] != 'u')
                    return -1;
                lo = hex4((const char *)u + 2);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return -1;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                u += 6;
            }
            append_code_point(t, (unsigned long)cp);
            break;
        }
        default:
            return -1;
        }
        run = u;
    }
    text_put(t, (const char *)run, (apr_size_t)(u - run));
    APPEND_LIT(t, "\"");
    *sp = (const char *)u + 1;
    return 0;
}

/* JSON white space as jansson's lexer skips it. */
static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

/* Promise: json, a JSON array of strings as json_loads accepts it,
 * appended in compact form, each string as it is (as_reminders 0) or as
 * the contract's reminder object (1: {"before": ...} for a duration,
 * which alone starts with 'P'; {"at": ...} otherwise); -1 otherwise. No
 * tree is built: this is the hot path. */
static int append_strings(tasks_text *t, const char *json, int as_reminders)
{
    const char *s = skip_ws(json);

    if (*s++ != '[')
        return -1;
    APPEND_LIT(t, "[");
    s = skip_ws(s);
    if (*s == ']') {
        s++;
    }
    else {
        for (;;) {
            if (*s++ != '"')
                return -1;
            if (as_reminders && *s == 'P')
                APPEND_LIT(t, "{\"before\":");
            else if (as_reminders)
                APPEND_LIT(t, "{\"at\":");
            if (append_json_string_literal(t, &s) != 0)
                return -1;
            if (as_reminders)
                APPEND_LIT(t, "}");
            s = skip_ws(s);
            if (*s == ']') {
                s++;
                break;
            }
            if (*s++ != ',')
                return -1;
            APPEND_LIT(t, ",");
            s = skip_ws(s);
        }
    }
    APPEND_LIT(t, "]");
    return *skip_ws(s) == '\0' ? 0 : -1;
}

/* ---- One writer per kind ---------------------------------------------
 * Each appends the value of one column as the contract writes it and
 * returns 0, or -1 when the value is corrupt. */

/* ID: a decimal integer, as jansson prints integers ("%lld"). */
static int write_ID(tasks_text *t, const char *v)
{
    char idtext[32];
    long long id;
    char *end;

    if (!v)
        return -1;
    errno = 0;
    id = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return -1;
    snprintf(idtext, sizeof idtext, "%lld", id);
    text_put(t, idtext, strlen(idtext));
    return 0;
}

/* UUID, TITLE, TIME: a string that is never null. */
static int write_string(tasks_text *t, const char *v)
{
    return v ? append_string(t, v) : -1;
}
#define write_LIST write_ID
#define write_UUID write_string
#define write_TITLE write_string
#define write_TIME write_string

/* NOTE, INSTANT, RULE: a string or null; ZONE: a string. */
#define write_NOTE append_string_or_null
#define write_INSTANT append_string_or_null
#define write_RULE append_string_or_null
#define write_ZONE write_string

/* FLAG: PostgreSQL's "t" or "f". */
static int write_FLAG(tasks_text *t, const char *v)
{
    if (!v)
        return -1;
    if (strcmp(v, "t") == 0)
        APPEND_LIT(t, "true");
    else
        APPEND_LIT(t, "false");
    return 0;
}

#define write_DONE write_FLAG

/* PRIORITY: the rank's name. */
static int write_PRIORITY(tasks_text *t, const char *v)
{
    return v ? append_string(t, tasks_priority_name(atoi(v))) : -1;
}

/* TAGS: the JSON array text from PostgreSQL, re-emitted compactly. */
static int write_TAGS(tasks_text *t, const char *v)
{
    return v ? append_strings(t, v, 0) : -1;
}

/* REMINDERS: the store's array of strings as the contract's objects. */
static int write_REMINDERS(tasks_text *t, const char *v)
{
    return v ? append_strings(t, v, 1) : -1;
}

/* The "name": prefix of each member; the first has no comma. */
#define MEMBER_KEY(t, first, name) \
    ((first) ? APPEND_LIT(t, "{\"" #name "\":") \
             : APPEND_LIT(t, ",\"" #name "\":"))

/* Promise: the contract's Task object for row as compact JSON, members in
 * table order (the contract's), strings escaped as jansson's json_dumps
 * escapes them; -1 for a corrupt row, with t->len and the text unchanged. */
int tasks_task_json_append(tasks_text *t, const tasks_task_row *row)
{
    /* The unit tests compare this byte for byte with a jansson-built
     * reference (tests/unit/test_task_json.c). */
    apr_size_t mark = t->len;
    int failed = 0, first = 1;

    if (!row)
        return -1;
#define X(name, access, kind, min, max, items, column)                    \
    TASKS_IF_SENT(access,                                                 \
        MEMBER_KEY(t, first, name);                                       \
        first = 0;                                                        \
        failed |= write_##kind(t, row->name);)
    TASKS_TASK_FIELDS(X)
#undef X
    APPEND_LIT(t, "}");
    if (failed) {
        t->len = mark;
        t->s[mark] = '\0';
        return -1;
    }
    return 0;
}

/* Promise: the text tasks_task_json_append writes for row, in p; NULL when
 * the row is corrupt. */
const char *tasks_task_json(apr_pool_t *p, const tasks_task_row *row)
{
    tasks_text t;

    tasks_text_init(&t, p, 512);
    return tasks_task_json_append(&t, row) == 0 ? t.s : NULL;
}

/* The n digits at s as a number, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "[-]S.ffffff" (extract(epoch FROM ...) of a timestamptz, a numeric of
 * scale 6, whatever the session's settings) as RFC 3339 in p; NULL for
 * any other text or a year outside 1..9999. */
static const char *from_epoch(apr_pool_t *p, const char *db)
{
    const char *s = db + (*db == '-'), *dot = strchr(s, '.');
    long long us = 0, sec;

    if (!dot || dot - s < 1 || dot - s > 12 || strlen(dot) != 7)
        return NULL;
    for (; *s; s++) {
        if (s == dot)
            continue;
        if (*s < '0' || *s > '9')
            return NULL;
        us = us * 10 + (*s - '0');
    }
    if (*db == '-')
        us = -us;
    /* Floor division: -0.5 s is second -1 and 500000 microseconds. */
    sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    return tasks_instant_from_seconds(p, sec, (long)(us - sec * 1000000));
}

/* Promise: see task_json.h. The ISO form ("YYYY-MM-DD HH:MM:SS[.f{1,6}]",
 * PostgreSQL's output of a timestamp under DateStyle ISO) is what
 * idempotency records made before the statements read epochs keep. */
const char *tasks_timestamp_from_db(apr_pool_t *p, const char *db)
{
    /* Strict, so that "infinity", BC dates and 5-digit years never reach a
     * client looking like RFC 3339. */
    char *out;
    apr_size_t n, i;

    if (!db)
        return NULL;
    n = strlen(db);
    if (n < 19 || db[4] != '-')
        return from_epoch(p, db);
    if (n != 19 && (n < 21 || n > 26))
        return NULL;
    if (db[7] != '-' || db[10] != ' ' || db[13] != ':'
        || db[16] != ':' || (n > 19 && db[19] != '.'))
        return NULL;
    if (digits(db, 4) < 1 || digits(db + 5, 2) < 1 || digits(db + 5, 2) > 12
        || digits(db + 8, 2) < 1 || digits(db + 8, 2) > 31
        || digits(db + 11, 2) < 0 || digits(db + 11, 2) > 23
        || digits(db + 14, 2) < 0 || digits(db + 14, 2) > 59
        || digits(db + 17, 2) < 0 || digits(db + 17, 2) > 59)
        return NULL;
    for (i = 20; i < n; i++)
        if (db[i] < '0' || db[i] > '9')
            return NULL;

    out = apr_palloc(p, 28);
    memcpy(out, db, 19);
    out[10] = 'T';
    out[19] = '.';
    for (i = 0; i < 6; i++)
        out[20 + i] = 20 + i < n ? db[20 + i] : '0';
    out[26] = 'Z';
    out[27] = '\0';
    return out;
}

/* Promise: see task_json.h. */
json_t *tasks_list_to_json(const tasks_list_row *l)
{
    if (!l->id || !l->name || !l->position || !l->inbox || !l->task_count
        || !l->pending_count || !l->created_at || !l->updated_at)
        return NULL;
    return json_pack("{s:I, s:s, s:s?, s:I, s:b, s:I, s:I, s:s, s:s}",
                     "id", (json_int_t)apr_atoi64(l->id), "name", l->name,
                     "color", l->color,
                     "position", (json_int_t)apr_atoi64(l->position),
                     "inbox", *l->inbox == 't',
                     "task_count", (json_int_t)apr_atoi64(l->task_count),
                     "pending_count", (json_int_t)apr_atoi64(l->pending_count),
                     "created_at", l->created_at, "updated_at", l->updated_at);
}

/* Promise: see task_json.h. */
json_t *tasks_completion_to_json(const tasks_completion_row *c)
{
    if (!c->completed_at || !c->due_at)
        return NULL;
    return json_pack("{s:s, s:s}", "completed_at", c->completed_at,
                     "due_at", c->due_at);
}

/* Promise: see task_json.h. */
json_t *tasks_reminder_to_json(const tasks_reminder_row *r)
{
    if (!r->task_id || !r->title || !r->fires_at)
        return NULL;
    return json_pack("{s:I, s:s, s:s, s:s?}",
                     "task_id", (json_int_t)apr_atoi64(r->task_id),
                     "title", r->title, "fires_at", r->fires_at,
                     "due_at", r->due_at);
}
