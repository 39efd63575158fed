/* task_json.h - tasks in JSON: request bodies -> drafts, and rows -> the
 * contract's Task objects, written as text without a jansson tree. */
#ifndef TASKS_CORE_TASK_JSON_H
#define TASKS_CORE_TASK_JSON_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

#include "tasks/core/list.h"
#include "tasks/core/recur.h"
#include "tasks/core/task.h"

/* The writable members of a parsed JSON object as a draft, one value per
 * writable field of TASKS_TASK_FIELDS (members outside them are never
 * looked at). Values point into obj or p: keep obj alive while the draft
 * is used. */
void tasks_task_draft_from_json(apr_pool_t *p, const json_t *obj,
                                tasks_task_draft *draft);

/* A JSON value as a front-end value (strings, arrays of them, booleans,
 * null; anything else is OTHER). */
void tasks_value_from_json(apr_pool_t *p, const json_t *j, tasks_value *v);

/* tasks_task_draft_from_json, then tasks_task_validate. */
apr_array_header_t *tasks_task_input_from_json(apr_pool_t *p,
                                               const json_t *obj,
                                               tasks_input_mode mode,
                                               tasks_task_input *in);

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
 * write for it), members in table order, HIDDEN fields left out, without
 * building a jansson tree. Returns 0, or -1 when the row is corrupt (id
 * not an integer, a NOT NULL column missing, text not UTF-8, tags not an
 * array of strings); then t->len and the text are as before the call
 * (t->s and t->cap may have changed). */
int tasks_task_json_append(tasks_text *t, const tasks_task_row *row);

/* The text tasks_task_json_append writes for row, in p; NULL when the row
 * is corrupt. */
const char *tasks_task_json(apr_pool_t *p, const tasks_task_row *row);

/* The contract's List object (a new reference); NULL when a row is
 * corrupt. */
json_t *tasks_list_to_json(const tasks_list_row *l);

/* A timestamp as the store reads it, in seconds since the epoch
 * ("[-]S.ffffff", extract(epoch ...) of a timestamptz), or in
 * PostgreSQL's ISO output ("YYYY-MM-DD HH:MM:SS[.f{1,6}]", UTC), as
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" in p; NULL for NULL, a year outside
 * 0001-9999 and any other text (infinity). */
const char *tasks_timestamp_from_db(apr_pool_t *p, const char *db);

/* A completion ({"completed_at", "due_at"}) and a reminder that fires
 * ({"task_id", "title", "fires_at", "due_at"}) as the contract's objects;
 * NULL for a corrupt row. */
json_t *tasks_completion_to_json(const tasks_completion_row *c);
json_t *tasks_reminder_to_json(const tasks_reminder_row *r);

#endif
