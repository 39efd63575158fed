/* problem.h - RFC 9457 problem documents and the small JSON helpers every
 * layer shares. Pure: APR + jansson, no httpd. */
#ifndef TASKS_PROBLEM_H
#define TASKS_PROBLEM_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

/* One broken field of a 422: {"field": ..., "message": ...}. */
typedef struct {
    const char *field;
    const char *message;
} tasks_field_error;

/* The reason phrase used as a problem's "title" (e.g. 422 -> "Unprocessable
 * Content"); NULL for a status that is never sent under the API path
 * (tasks_problem_json then titles it "Error"). */
const char *tasks_status_title(int status);

/* A problem document as compact JSON text allocated in p:
 * {"type":"about:blank","title":...,"status":...,"detail":detail}.
 * When errors (of tasks_field_error) is non-empty it adds "errors". */
const char *tasks_problem_json(apr_pool_t *p, int status, const char *detail,
                               const apr_array_header_t *errors);

/* Append a field error to *errors (created in p when NULL). */
void tasks_field_error_add(apr_pool_t *p, apr_array_header_t **errors,
                           const char *field, const char *message);

/* Parse body as a JSON object (duplicate keys rejected, UTF-8 checked by
 * jansson). On success *out is the object, owned by p (json_decref runs
 * when p is cleared) and NULL is returned; otherwise a message suitable for
 * a 400 "detail" is returned. */
const char *tasks_json_parse_object(apr_pool_t *p, const char *body,
                                    apr_size_t len, json_t **out);

/* Serialise j compactly into p (the caller keeps its reference). */
const char *tasks_json_dump(apr_pool_t *p, const json_t *j);

/* The C strings of arr (const char *) as a compact JSON array text in p;
 * NULL when one is not UTF-8. */
const char *tasks_json_string_array(apr_pool_t *p,
                                    const apr_array_header_t *arr);

/* Hand j's reference to p: json_decref(j) runs when p is cleared. Returns j. */
json_t *tasks_json_own(apr_pool_t *p, json_t *j);

#endif
