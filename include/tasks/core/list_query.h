/* list_query.h - GET /api/tasks query parameters and the keyset cursor. */
#ifndef TASKS_LIST_QUERY_H
#define TASKS_LIST_QUERY_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "tasks/core/keys.h"

typedef enum {
    TASKS_SORT_CREATED_AT = 0,
    TASKS_SORT_UPDATED_AT,
    TASKS_SORT_DUE_AT,
    TASKS_SORT_PRIORITY,
    TASKS_SORT_TITLE,
    TASKS_SORT_COUNT
} tasks_sort_key;

enum { TASKS_STATUS_ALL = 0, TASKS_STATUS_PENDING, TASKS_STATUS_COMPLETED };

#define TASKS_LIST_DEFAULT_LIMIT 100
#define TASKS_LIST_MAX_LIMIT 1000

/* Where the previous page ended: the sort value of its last task (text as
 * the store returned it; for due_at NULL stands for "no due date") and id. */
typedef struct {
    const char *value;
    const char *id;
} tasks_cursor;

typedef struct {
    int status;               /* TASKS_STATUS_*                              */
    const char *q;            /* search text as given, or NULL               */
    const char *q_like;       /* ILIKE pattern: %q% with \, % and _ escaped   */
    int priority;             /* rank, or -1 for any                         */
    const char *tags_json;    /* required tags as JSON array text, or NULL   */
    const char *due_before;   /* UTC (validate.h form), or NULL              */
    const char *due_after;
    const char *list_id;      /* a list's id (canonical digits), or NULL     */
    tasks_sort_key sort;
    int desc;                 /* 1 = order=desc (the default)                */
    int limit;
    const char *cursor;       /* raw cursor parameter, or NULL               */
} tasks_list_query;

/* Parse a raw (URL-encoded) query string, NULL meaning empty. Returns NULL
 * on success; otherwise the name of the first bad parameter (an unknown
 * parameter, a bad value, a repeated non-repeatable one, a bad encoding).
 * "tag" may repeat (AND); duplicate tags are folded. The cursor is kept
 * raw: decode it with tasks_cursor_decode. */
const char *tasks_list_query_parse(apr_pool_t *p, const char *args,
                                   tasks_list_query *out);

/* Names of the sort keys and what the store's SQL sorts on. */
const char *tasks_sort_name(tasks_sort_key k);

/* A short stable digest of everything that selects and orders the rows
 * (status, q, priority, tags, due bounds, sort, order: not limit or cursor),
 * so that a cursor is only honoured for the query it came from. */
const char *tasks_list_query_fingerprint(apr_pool_t *p,
                                         const tasks_list_query *q);

/* Opaque cursor text (URL-safe: kid "." base64url payload "." base64url
 * HMAC-SHA256 over kid and payload) binding user_id, the query
 * fingerprint and c, signed with the first key of keys (whose kid it
 * names). NULL without a usable key, and when the text would be longer
 * than tasks_cursor_decode accepts (2048 bytes; a sort value the contract
 * allows, up to a 200-character title, always fits). */
const char *tasks_cursor_encode(apr_pool_t *p, const tasks_keyring *keys,
                                const char *user_id,
                                const tasks_list_query *q,
                                const tasks_cursor *c);

/* Decode and authenticate cursor text made by tasks_cursor_encode with any
 * key of keys (the one its kid names; a cursor without a kid, made before
 * keys had kids, with whichever key signed it), for the same user and
 * query. Returns 0 and fills *c, or -1 for anything tampered, foreign
 * (another user or query), signed with a key not listed, or malformed. */
int tasks_cursor_decode(apr_pool_t *p, const tasks_keyring *keys,
                        const char *user_id, const tasks_list_query *q,
                        const char *text, tasks_cursor *c);

/* The query string of the next page: the parameters of q in canonical
 * form (only non-defaults, properly URL-encoded, limit included) plus
 * cursor=<cursor>. */
const char *tasks_list_query_next_args(apr_pool_t *p,
                                       const tasks_list_query *q,
                                       const char *cursor);

/* GET /api/reminders' query: until (required) and since (optional),
 * each an RFC 3339 date-time, at most once, into *until and *since in
 * UTC (tasks_rfc3339_to_utc's form; *since NULL when absent). NULL, or
 * the name of the parameter that is wrong, missing or unknown. */
const char *tasks_reminders_query_parse(apr_pool_t *p, const char *args,
                                        const char **since,
                                        const char **until);

/* A changes feed token (GET /api/tasks/changes): the caller's change
 * number seq and when the token was made (unix seconds), signed like a
 * cursor with the token signing key and bound to user_id. NULL when it
 * cannot be made. */
const char *tasks_changes_token_encode(apr_pool_t *p,
                                       const tasks_keyring *keys,
                                       const char *user_id, long long seq,
                                       long long issued_at);
/* 0 with *seq and *issued_at when text is a changes token made for
 * user_id with a listed key; -1 otherwise (a cursor is not one). */
int tasks_changes_token_decode(apr_pool_t *p, const tasks_keyring *keys,
                               const char *user_id, const char *text,
                               long long *seq, long long *issued_at);

/* GET /api/tasks/changes' query: since (a token; optional) and limit
 * (1..TASKS_LIST_MAX_LIMIT, default TASKS_CHANGES_DEFAULT_LIMIT), each
 * at most once. NULL, or the name of the parameter that is wrong or
 * unknown. */
#define TASKS_CHANGES_DEFAULT_LIMIT 100
const char *tasks_changes_query_parse(apr_pool_t *p, const char *args,
                                      const char **since, int *limit);

#endif
