/* task_json.c - Task request bodies -> validated input, and rows -> JSON. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "tasks/problem.h"
#include "tasks/validate.h"
#include "tasks/task_json.h"

#define TITLE_MAX        200
#define DESCRIPTION_MAX  1000
#define TAGS_MAX         20
#define TAG_MAX          50

#define MSG_STRING       "must be a string"
#define MSG_STRING_NULL  "must be a string or null"
#define MSG_TITLE        "must be 1-200 characters"
#define MSG_DESCRIPTION  "must be at most 1000 characters"
#define MSG_BOOLEAN      "must be a boolean"
#define MSG_PRIORITY     "must be one of none, low, medium, high"
#define MSG_DUE_AT       "must be an RFC 3339 date-time with a time zone offset"
#define MSG_TAGS_TYPE    "must be an array of strings"
#define MSG_TAGS         "must be at most 20 distinct tags of 1-50 characters"
#define MSG_REQUIRED     "is required"
#define MSG_NUL          "must not contain NUL characters"

/* The value of a JSON string as a C string, or NULL when it carries an
 * embedded U+0000 (possible only for objects built in code: the parser
 * refuses \u0000), which a C string would silently cut short. */
static const char *c_string(const json_t *s)
{
    const char *v = json_string_value(s);

    return strlen(v) == json_string_length(s) ? v : NULL;
}

/* Code points of a C string, -1 when it is not UTF-8 (again only possible
 * for objects built in code). */
static long cp_length(const char *s)
{
    return tasks_utf8_length(s, strlen(s));
}

/* Promise: the tags array v validated and normalised: every element a
 * string, trimmed to 1-50 code points, duplicates (exact, after trimming)
 * folded with first occurrences kept in order, at most 20 left. On success
 * returns NULL and *json is the compact array text; otherwise the field
 * message. */
static const char *tags_validate(apr_pool_t *p, const json_t *v,
                                 const char **json)
{
    const char *kept[TAGS_MAX + 1];
    const char *msg = NULL;
    json_t *out;
    size_t i, n, k = 0, j;

    if (!json_is_array(v))
        return MSG_TAGS_TYPE;
    n = json_array_size(v);
    for (i = 0; i < n; i++)
        if (!json_is_string(json_array_get(v, i)))
            return MSG_TAGS_TYPE;
    for (i = 0; i < n; i++) {
        const char *raw = c_string(json_array_get(v, i)), *t;
        long len;

        if (!raw)
            return MSG_NUL;
        t = tasks_trim(p, raw);
        len = cp_length(t);
        if (len < 1 || len > TAG_MAX)
            return MSG_TAGS;
        for (j = 0; j < k && strcmp(kept[j], t) != 0; j++)
            ;
        if (j < k)
            continue;
        /* Stop at the 21st distinct tag: this also bounds the quadratic
         * duplicate search at 21 comparisons per element. */
        if (k == TAGS_MAX)
            return MSG_TAGS;
        kept[k++] = t;
    }
    out = json_array();
    for (j = 0; out && j < k; j++)
        if (json_array_append_new(out, json_string(kept[j])) != 0)
            msg = MSG_TAGS;
    *json = tasks_json_dump(p, out);
    json_decref(out);
    if (!*json)
        msg = MSG_TAGS;
    return msg;
}

/* Promise: NULL and *in filled when obj is a valid task body for mode;
 * otherwise every broken field, in the order title, description, completed,
 * priority, due_at, tags, and *in only partly filled. Members outside the
 * writable set are never looked at, so read-only fields cannot leak in.
 * CREATE fills absent fields with the contract's defaults and sets their
 * has_*; PUT and PATCH leave absent fields' has_* at 0. PUT and CREATE need
 * a title. JSON null clears description and due_at only. */
apr_array_header_t *tasks_task_input_from_json(apr_pool_t *p, json_t *obj,
                                               tasks_input_mode mode,
                                               tasks_task_input *in)
{
    apr_array_header_t *errors = NULL;
    json_t *v;

    memset(in, 0, sizeof *in);

    v = json_object_get(obj, "title");
    if (!v) {
        if (mode != TASKS_INPUT_PATCH)
            tasks_field_error_add(p, &errors, "title", MSG_REQUIRED);
    }
    else if (!json_is_string(v)) {
        tasks_field_error_add(p, &errors, "title", MSG_STRING);
    }
    else if (!c_string(v)) {
        tasks_field_error_add(p, &errors, "title", MSG_NUL);
    }
    else {
        const char *t = tasks_trim(p, json_string_value(v));
        long len = cp_length(t);
        if (len < 1 || len > TITLE_MAX) {
            tasks_field_error_add(p, &errors, "title", MSG_TITLE);
        }
        else {
            in->has_title = 1;
            in->title = t;
        }
    }

    v = json_object_get(obj, "description");
    if (!v) {
        if (mode == TASKS_INPUT_CREATE)
            in->has_description = 1; /* default NULL */
    }
    else if (json_is_null(v)) {
        in->has_description = 1;
    }
    else if (!json_is_string(v)) {
        tasks_field_error_add(p, &errors, "description", MSG_STRING_NULL);
    }
    else if (!c_string(v)) {
        tasks_field_error_add(p, &errors, "description", MSG_NUL);
    }
    else {
        /* Stored as given: leading white space can be meaningful (e.g. an
         * indented list), unlike in a title. */
        long len = cp_length(json_string_value(v));
        if (len < 0 || len > DESCRIPTION_MAX) {
            tasks_field_error_add(p, &errors, "description", MSG_DESCRIPTION);
        }
        else {
            in->has_description = 1;
            in->description = apr_pstrdup(p, json_string_value(v));
        }
    }

    v = json_object_get(obj, "completed");
    if (!v) {
        if (mode == TASKS_INPUT_CREATE)
            in->has_completed = 1; /* default false */
    }
    else if (!json_is_boolean(v)) {
        tasks_field_error_add(p, &errors, "completed", MSG_BOOLEAN);
    }
    else {
        in->has_completed = 1;
        in->completed = json_is_true(v);
    }

    v = json_object_get(obj, "priority");
    if (!v) {
        if (mode == TASKS_INPUT_CREATE) {
            in->has_priority = 1;
            in->priority = TASKS_PRIORITY_NONE;
        }
    }
    else {
        int rank = json_is_string(v) && c_string(v)
                 ? tasks_priority_rank(json_string_value(v)) : -1;
        if (rank < 0) {
            tasks_field_error_add(p, &errors, "priority", MSG_PRIORITY);
        }
        else {
            in->has_priority = 1;
            in->priority = rank;
        }
    }

    v = json_object_get(obj, "due_at");
    if (!v) {
        if (mode == TASKS_INPUT_CREATE)
            in->has_due_at = 1; /* default NULL */
    }
    else if (json_is_null(v)) {
        in->has_due_at = 1;
    }
    else if (!json_is_string(v)) {
        tasks_field_error_add(p, &errors, "due_at", MSG_STRING_NULL);
    }
    else {
        const char *utc = c_string(v)
                        ? tasks_rfc3339_to_utc(p, json_string_value(v)) : NULL;
        if (!utc) {
            tasks_field_error_add(p, &errors, "due_at", MSG_DUE_AT);
        }
        else {
            in->has_due_at = 1;
            in->due_at = utc;
        }
    }

    v = json_object_get(obj, "tags");
    if (!v) {
        if (mode == TASKS_INPUT_CREATE) {
            in->has_tags = 1;
            in->tags_json = "[]";
        }
    }
    else {
        const char *tags = NULL, *msg = tags_validate(p, v, &tags);
        if (msg) {
            tasks_field_error_add(p, &errors, "tags", msg);
        }
        else {
            in->has_tags = 1;
            in->tags_json = tags;
        }
    }

    return errors;
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
 * surrogates or code points above U+10FFFF, as jansson checks), else -1. */
static int utf8_seq(const unsigned char *u)
{
    /* Stops at the first non-continuation byte: never reads past a NUL. */
    unsigned c = u[0], v, min;
    int n, i;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2; v = c & 0x1f; min = 0x80;
    }
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3; v = c & 0x0f; min = 0x800;
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; v = c & 0x07; min = 0x10000;
    }
    else {
        return -1;
    }
    for (i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return -1;
        v = v << 6 | (u[i] & 0x3f);
    }
    return v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? -1 : n;
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

/* Promise: json, a JSON array of strings as json_loads accepts it, appended
 * in compact form; -1 otherwise. No tree is built: this is the hot path. */
static int append_tags(tasks_text *t, const char *json)
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
            if (*s++ != '"' || append_json_string_literal(t, &s) != 0)
                return -1;
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

/* Promise: the contract's Task object for row as compact JSON, members in
 * the contract's order, strings escaped as jansson's json_dumps escapes
 * them; -1 for a corrupt row (id not a decimal integer, a NOT NULL column
 * missing, text that is not UTF-8, tags_json not a JSON array of strings),
 * with t->len and the text unchanged. */
int tasks_task_json_append(tasks_text *t, const tasks_task_row *row)
{
    /* The unit tests compare this byte for byte with a jansson-built
     * reference (tests/unit/test_task_json.c). */
    apr_size_t mark = t->len;
    char idtext[32];
    long long id;
    char *end;
    int failed = 0;

    if (!row || !row->id || !row->user_id || !row->title || !row->completed
        || !row->priority || !row->tags_json || !row->created_at
        || !row->updated_at)
        return -1;
    errno = 0;
    id = strtoll(row->id, &end, 10);
    if (errno || end == row->id || *end)
        return -1;
    /* jansson prints integers with "%lld" (JSON_INTEGER_FORMAT). */
    snprintf(idtext, sizeof idtext, "%lld", id);

    APPEND_LIT(t, "{\"id\":");
    text_put(t, idtext, strlen(idtext));
    APPEND_LIT(t, ",\"user_id\":");
    failed |= append_string(t, row->user_id);
    APPEND_LIT(t, ",\"title\":");
    failed |= append_string(t, row->title);
    APPEND_LIT(t, ",\"description\":");
    failed |= append_string_or_null(t, row->description);
    if (strcmp(row->completed, "t") == 0)
        APPEND_LIT(t, ",\"completed\":true,\"priority\":");
    else
        APPEND_LIT(t, ",\"completed\":false,\"priority\":");
    failed |= append_string(t, tasks_priority_name(atoi(row->priority)));
    APPEND_LIT(t, ",\"due_at\":");
    failed |= append_string_or_null(t, row->due_at);
    APPEND_LIT(t, ",\"tags\":");
    failed |= append_tags(t, row->tags_json);
    APPEND_LIT(t, ",\"created_at\":");
    failed |= append_string(t, row->created_at);
    APPEND_LIT(t, ",\"updated_at\":");
    failed |= append_string(t, row->updated_at);
    APPEND_LIT(t, ",\"completed_at\":");
    failed |= append_string_or_null(t, row->completed_at);
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

/* Promise: "YYYY-MM-DD HH:MM:SS[.f{1,6}]" (PostgreSQL ISO output) as
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" in p; NULL for NULL or any other text. */
const char *tasks_timestamp_from_db(apr_pool_t *p, const char *db)
{
    /* Strict, so that "infinity", BC dates and 5-digit years never reach a
     * client looking like RFC 3339. */
    char *out;
    apr_size_t n, i;

    if (!db)
        return NULL;
    n = strlen(db);
    if (n != 19 && (n < 21 || n > 26))
        return NULL;
    if (db[4] != '-' || db[7] != '-' || db[10] != ' ' || db[13] != ':'
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

/* Whether the opaque tag o[0..n) is "<id>.<digits>" for this id; then
 * *version is set. */
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
        if (v > (LLONG_MAX - (o[i] - '0')) / 10)
            return 0; /* cannot be a version we issued */
        v = v * 10 + (o[i] - '0');
    }
    *version = v;
    return 1;
}

/* Promise: 2 for "*", 1 (and *version) when a listed strong ETag is
 * "<id>.<version>" for this id, 0 otherwise. The header must be a valid
 * RFC 9110 If-Match value as a whole (OWS and empty list elements allowed,
 * "*" only on its own); a malformed header gives 0, so the write fails with
 * 412 instead of proceeding without the client's precondition. When several
 * listed tags name this task the first wins: the store can test one
 * version, and a client listing two versions of one task is confused. */
int tasks_if_match(const char *header, const char *id, long long *version)
{
    const char *s = header;
    int found = 0;
    long long v, first = 0;

    if (!header || !id)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '*') {
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        return *s == '\0' ? 2 : 0;
    }
    for (;;) {
        int weak = 0;
        const char *o;

        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '\0')
            break;
        if (s[0] == 'W' && s[1] == '/') {
            weak = 1;
            s += 2;
        }
        if (*s++ != '"')
            return 0;
        for (o = s; is_etagc((unsigned char)*s); s++)
            ;
        if (*s != '"')
            return 0;
        if (!weak && !found && names_task(o, (apr_size_t)(s - o), id, &v)) {
            found = 1;
            first = v;
        }
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s != ',' && *s != '\0')
            return 0;
    }
    if (!found)
        return 0;
    *version = first;
    return 1;
}
