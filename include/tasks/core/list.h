/* list.h - the list model (GET/POST /api/lists, /api/lists/{id}): what a
 * front end proposes for a list, the rules that turn it into validated
 * input, and a list as the store returns it. Pure: APR only. */
#ifndef TASKS_CORE_LIST_H
#define TASKS_CORE_LIST_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "tasks/core/task.h"

#define TASKS_LIST_NAME_MAX 100     /* code points, after trimming        */
#define TASKS_LISTS_MAX 500         /* lists per user, the Inbox included */
#define TASKS_LISTS_MAX_TEXT "500"  /* the same, for SQL and messages     */

/* What a client proposes: a name, a color, a position (PATCH only). */
typedef struct {
    tasks_value name;
    tasks_value color;
    tasks_value position;
} tasks_list_draft;

/* Validated: has_<x> says the field is to be written. */
typedef struct {
    int has_name;
    const char *name;           /* trimmed, 1..TASKS_LIST_NAME_MAX          */
    int has_color;
    const char *color;          /* "#rrggbb" in lower case; NULL: none      */
    int has_position;
    int position;               /* 0..TASKS_LISTS_MAX - 1 (the store checks
                                   it against the caller's count)           */
} tasks_list_input;

/* Validate a draft: create (name required; a position is not taken, the
 * list goes last) or patch (any subset). NULL and *in filled, or every
 * broken field (tasks_field_error). */
apr_array_header_t *tasks_list_validate(apr_pool_t *p,
                                        const tasks_list_draft *draft,
                                        int create, tasks_list_input *in);

/* A list as the store returns it: every value text (NULL for SQL NULL);
 * inbox "t" or "f"; timestamps RFC 3339 UTC. */
typedef struct {
    const char *id;
    const char *name;
    const char *color;
    const char *position;
    const char *inbox;
    const char *task_count;
    const char *pending_count;
    const char *created_at;
    const char *updated_at;
    const char *version;
} tasks_list_row;

/* The strong ETag of a list, quoted: "\"<id>.<version>\"" (as a task's:
 * tasks_precondition_if_match parses it for the list's id). */
const char *tasks_list_etag(apr_pool_t *p, const tasks_list_row *row);

#endif
