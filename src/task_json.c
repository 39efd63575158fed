/* task_json.c - Task request bodies -> validated input, and rows -> JSON. */
#include <errno.h>
#include <limits.h>
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

/* A JSON string for s, or JSON null for SQL NULL. NULL (failure) only when s
 * is not UTF-8 or memory runs out. */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Promise: the contract's Task object for row, keys in the contract's order
 * (jansson 2.14 keeps insertion order when dumping), as a new reference; NULL
 * when the row is corrupt: id not a decimal integer, a NOT NULL column
 * missing, text that is not UTF-8, or tags_json not a JSON array of strings. */
json_t *tasks_task_to_json(const tasks_task_row *row)
{
    json_t *task = NULL, *tags = NULL;
    long long id;
    char *end;
    int rank, failed = 0;
    size_t i;

    if (!row || !row->id || !row->user_id || !row->title || !row->completed
        || !row->priority || !row->tags_json || !row->created_at
        || !row->updated_at)
        return NULL;
    errno = 0;
    id = strtoll(row->id, &end, 10);
    if (errno || end == row->id || *end)
        return NULL;
    tags = json_loads(row->tags_json, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(tags))
        goto corrupt;
    for (i = 0; i < json_array_size(tags); i++)
        if (!json_is_string(json_array_get(tags, i)))
            goto corrupt;
    rank = atoi(row->priority);

    task = json_object();
    if (!task)
        goto corrupt;
    /* set_new steals the value even on failure and refuses NULL values, so
     * one flag catches every failed conversion. */
    failed |= json_object_set_new(task, "id", json_integer(id));
    failed |= json_object_set_new(task, "user_id", json_string(row->user_id));
    failed |= json_object_set_new(task, "title", json_string(row->title));
    failed |= json_object_set_new(task, "description",
                                  string_or_null(row->description));
    failed |= json_object_set_new(task, "completed",
                                  json_boolean(strcmp(row->completed, "t") == 0));
    failed |= json_object_set_new(task, "priority",
                                  json_string(tasks_priority_name(rank)));
    failed |= json_object_set_new(task, "due_at", string_or_null(row->due_at));
    failed |= json_object_set_new(task, "tags", tags);
    tags = NULL; /* stolen by the call above */
    failed |= json_object_set_new(task, "created_at",
                                  json_string(row->created_at));
    failed |= json_object_set_new(task, "updated_at",
                                  json_string(row->updated_at));
    failed |= json_object_set_new(task, "completed_at",
                                  string_or_null(row->completed_at));
    if (!failed)
        return task;
corrupt:
    json_decref(tags);
    json_decref(task);
    return NULL;
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
