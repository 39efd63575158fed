/* task_json.h - Task request bodies -> validated input, and rows -> JSON. */
#ifndef TASKS_TASK_JSON_H
#define TASKS_TASK_JSON_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

typedef enum {
    TASKS_INPUT_CREATE, /* POST: title required, absent fields get defaults */
    TASKS_INPUT_PUT,    /* PUT: title required, absent fields keep values   */
    TASKS_INPUT_PATCH   /* PATCH: any subset of the writable fields         */
} tasks_input_mode;

/* Writable fields of a task as validated input. has_* say whether the body
 * carried the field; for CREATE absent fields are filled with defaults and
 * their has_* set. Strings live in the pool. */
typedef struct {
    int has_title, has_description, has_completed, has_priority, has_due_at,
        has_tags;
    const char *title;       /* trimmed, 1-200 code points                  */
    const char *description; /* NULL means JSON null; <= 1000 code points   */
    int completed;
    int priority;            /* TASKS_PRIORITY_*                            */
    const char *due_at;      /* NULL means null; else UTC, see validate.h   */
    const char *tags_json;   /* the tags as a JSON array text, e.g. ["a"]  */
} tasks_task_input;

/* Validate a parsed JSON object as a task body for mode. Read-only and
 * unknown members are ignored. Returns NULL when valid, otherwise an array
 * of tasks_field_error (every broken field, in a stable order: title,
 * description, completed, priority, due_at, tags). */
apr_array_header_t *tasks_task_input_from_json(apr_pool_t *p, json_t *obj,
                                               tasks_input_mode mode,
                                               tasks_task_input *in);

/* A task as the store returns it: values are text, NULL for SQL NULL;
 * user_id is the caller's (every statement is scoped by it) and the
 * timestamps are already in RFC 3339 UTC form (store.c converts them). */
typedef struct {
    const char *id;
    const char *user_id;
    const char *title;
    const char *description;
    const char *completed;    /* "t" or "f" */
    const char *priority;     /* rank digits */
    const char *due_at;       /* already formatted RFC 3339 UTC, or NULL */
    const char *tags_json;    /* JSON array text */
    const char *created_at;
    const char *updated_at;
    const char *completed_at;
    const char *version;      /* row version, for the ETag */
} tasks_task_row;


/* Text that grows in a pool by doubling, so a page of n tasks costs
 * O(total length). s is always NUL-terminated; len < cap always. */
typedef struct {
    apr_pool_t *p;
    char *s;
    apr_size_t len, cap;
} tasks_text;

/* Start t empty in p with room for about hint bytes (0: a default). Never
 * fails: APR aborts the process when a pool allocation fails. */
void tasks_text_init(tasks_text *t, apr_pool_t *p, apr_size_t hint);

/* Append the n bytes at s (NUL bytes included) to t; t->s may move, and the
 * old block stays allocated in the pool. */
void tasks_text_append(tasks_text *t, const char *s, apr_size_t n);

/* Append row's Task object as compact JSON (what jansson's json_dumps would
 * write for it), without building a jansson tree. Returns 0, or -1 when the
 * row is corrupt (id not an integer, a NOT NULL column missing, text not
 * UTF-8, tags_json not an array of strings); then t->len and the text are
 * as before the call (t->s and t->cap may have changed). */
int tasks_task_json_append(tasks_text *t, const tasks_task_row *row);

/* The text tasks_task_json_append writes for row, in p; NULL when the row
 * is corrupt. */
const char *tasks_task_json(apr_pool_t *p, const tasks_task_row *row);

/* PostgreSQL ISO "YYYY-MM-DD HH:MM:SS[.f{1,6}]" (years 0001-9999) as UTC in
 * p: "YYYY-MM-DDTHH:MM:SS.ffffffZ"; NULL for NULL and any other text (BC). */
const char *tasks_timestamp_from_db(apr_pool_t *p, const char *db);

/* The strong ETag of a row, quoted: "\"<id>.<version>\"". */
const char *tasks_task_etag(apr_pool_t *p, const tasks_task_row *row);

/* Evaluate an If-Match header against task id (digits). Returns 1 and sets
 * *version when one listed strong ETag names this task (its version is then
 * what the write must still find), 2 for "*", 0 when no listed ETag can
 * match this task (the request fails with 412). Weak ETags never match. */
int tasks_if_match(const char *header, const char *id, long long *version);

#endif
