/* task.h - the task model: every field declared once, the values a front
 * end proposes, the rules that turn them into validated input, and a task
 * as the store returns it. Pure: APR only.
 *
 * Adding a field: a line in TASKS_TASK_FIELDS, and its kind's rule if the
 * kind is new (README, "Adding a task field"). The input and row structs,
 * the store's column list, row mapping and statement arguments, and the
 * JSON reader and writer all follow from the table. */
#ifndef TASKS_CORE_TASK_H
#define TASKS_CORE_TASK_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Every field of a task, in the contract's JSON order:
 *   X(name, access, kind, min, max, items, column)
 * name    the JSON member and the C member of the structs below
 * access  KEY     the task's id (first: the store's column list starts
 *                 with it)
 *         OWNER   the caller's id (every statement is scoped by it; not
 *                 read back from the database)
 *         RW      written by clients (validated by its kind's rule)
 *         RO      kept by the server, sent to clients
 *         HIDDEN  kept by the server, never sent (the version: the ETag)
 *         RESOURCE the task as a CalDAV resource: written only by a front
 *                 end that names one (tasks_task_resource), never sent
 *                 in JSON
 * kind    the value's type: decides its C type, its rule, how the store
 *         binds and reads it and how JSON writes it (see task.c,
 *         store.c, task_json.c for each kind)
 * min/max a text's length in code points (TITLE, NOTE; for TAGS each tag)
 * items   at most this many items (TAGS, REMINDERS)
 * column  the column of table tasks that holds it
 */
#define TASKS_TASK_FIELDS(X)                                              \
    X(id,           KEY,    ID,       0, 0,    0,  id)                    \
    X(user_id,      OWNER,  UUID,     0, 0,    0,  user_id)               \
    X(title,        RW,     TITLE,    1, 200,  0,  title)                 \
    X(description,  RW,     NOTE,     0, 1000, 0,  description)           \
    X(completed,    RW,     DONE,     0, 0,    0,  completed)             \
    X(priority,     RW,     PRIORITY, 0, 0,    0,  priority)              \
    X(due_at,       RW,     INSTANT,  0, 0,    0,  due_at)                \
    X(tags,         RW,     TAGS,     1, 50,   20, tags)                  \
    X(list_id,      RW,     LIST,     0, 0,    0,  list_id)               \
    X(recurrence,   RW,     RULE,     0, 0,    0,  recurrence)            \
    X(time_zone,    RW,     ZONE,     0, 0,    0,  time_zone)             \
    X(reminders,    RW,     REMINDERS, 0, 0,   10, reminders)             \
    X(created_at,   RO,     TIME,     0, 0,    0,  created_at)            \
    X(updated_at,   RO,     TIME,     0, 0,    0,  updated_at)            \
    X(completed_at, RO,     INSTANT,  0, 0,    0,  completed_at)          \
    X(version,      HIDDEN, VERSION,  0, 0,    0,  version)               \
    X(recurrence_start, HIDDEN, INSTANT, 0, 0, 0,  recurrence_start)      \
    X(dav_uid,      RESOURCE, LABEL,  0, 0,    0,  dav_uid)               \
    X(dav_name,     RESOURCE, LABEL,  0, 0,    0,  dav_name)              \
    X(dav_kept,     RESOURCE, KEPT,   0, 0,    0,  dav_kept)

/* Helpers for consumers of the table: TASKS_IF_RW(access, x) is x for
 * writable fields and nothing otherwise; TASKS_IF_COLUMN likewise for
 * fields read from the database (all but OWNER). Variadic, so that x
 * may hold commas. */
#define TASKS_IF_RW(access, ...) TASKS_IF_RW_##access(__VA_ARGS__)
#define TASKS_IF_RW_KEY(...)
#define TASKS_IF_RW_OWNER(...)
#define TASKS_IF_RW_RW(...) __VA_ARGS__
#define TASKS_IF_RW_RO(...)
#define TASKS_IF_RW_HIDDEN(...)
#define TASKS_IF_RW_RESOURCE(...)
#define TASKS_IF_COLUMN(access, ...) TASKS_IF_COLUMN_##access(__VA_ARGS__)
#define TASKS_IF_COLUMN_KEY(...) __VA_ARGS__
#define TASKS_IF_COLUMN_OWNER(...)
#define TASKS_IF_COLUMN_RW(...) __VA_ARGS__
#define TASKS_IF_COLUMN_RO(...) __VA_ARGS__
#define TASKS_IF_COLUMN_HIDDEN(...) __VA_ARGS__
#define TASKS_IF_COLUMN_RESOURCE(...) __VA_ARGS__
/* Fields sent to clients: all but HIDDEN. */
#define TASKS_IF_SENT(access, ...) TASKS_IF_SENT_##access(__VA_ARGS__)
#define TASKS_IF_SENT_KEY(...) __VA_ARGS__
#define TASKS_IF_SENT_OWNER(...) __VA_ARGS__
#define TASKS_IF_SENT_RW(...) __VA_ARGS__
#define TASKS_IF_SENT_RO(...) __VA_ARGS__
#define TASKS_IF_SENT_HIDDEN(...)
#define TASKS_IF_SENT_RESOURCE(...)
/* Fields of a task's resource. */
#define TASKS_IF_RESOURCE(access, ...) TASKS_IF_RESOURCE_##access(__VA_ARGS__)
#define TASKS_IF_RESOURCE_KEY(...)
#define TASKS_IF_RESOURCE_OWNER(...)
#define TASKS_IF_RESOURCE_RW(...)
#define TASKS_IF_RESOURCE_RO(...)
#define TASKS_IF_RESOURCE_HIDDEN(...)
#define TASKS_IF_RESOURCE_RESOURCE(...) __VA_ARGS__

/* The C type of a validated writable value, by kind. */
#define TASKS_CTYPE_TITLE    const char *  /* trimmed                      */
#define TASKS_CTYPE_NOTE     const char *  /* NULL: none                    */
#define TASKS_CTYPE_FLAG     int
#define TASKS_CTYPE_DONE     int           /* the completion flag: a FLAG
                                              the complete route toggles
                                              and completed_at follows   */
#define TASKS_CTYPE_PRIORITY int           /* TASKS_PRIORITY_* rank         */
#define TASKS_CTYPE_INSTANT  const char *  /* NULL: none; else UTC in
                                              tasks_rfc3339_to_utc's form  */
#define TASKS_CTYPE_TAGS     const char *  /* the normalised tags as a
                                              compact JSON array text      */
#define TASKS_CTYPE_LIST     long long     /* a list's id; 0: the caller's
                                              Inbox (create's default)     */
#define TASKS_CTYPE_RULE     const char *  /* an RRULE value, normalised
                                              (recur.h); NULL: none        */
#define TASKS_CTYPE_ZONE     const char *  /* an IANA zone name          */
#define TASKS_CTYPE_REMINDERS const char * /* a compact JSON array of
                                              strings: a duration ("PT15M":
                                              before due_at) or an instant
                                              (tasks_rfc3339_to_utc's form:
                                              at that time)                */

/* Who acts: the user the request was authenticated as, and its token's
 * jti (NULL when the token had none), iat and session. Task statements
 * check in SQL that the user still exists, the jti is not revoked, and
 * the token's session has not ended (a token outside a session: the user
 * did not sign out everywhere since iat). */
typedef struct {
    const char *user_id;
    const char *jti;
    long long iat;              /* the token's iat, unix seconds; 0: none */
    const char *sid;            /* the token's session (a UUID), or NULL  */
} tasks_caller;

/* A value as a front end found it, before any rule: JSON, iCalendar and
 * JSON-RPC arguments all map onto these. */
typedef enum {
    TASKS_VALUE_ABSENT = 0, /* not given: kept (PUT, PATCH) or defaulted */
    TASKS_VALUE_NULL,       /* explicitly nothing                        */
    TASKS_VALUE_STRING,
    TASKS_VALUE_BOOL,
    TASKS_VALUE_LIST,       /* of values                                 */
    TASKS_VALUE_INTEGER,    /* a whole number that fits 64 bits          */
    TASKS_VALUE_OBJECT,     /* of named values                           */
    TASKS_VALUE_OTHER       /* another number                            */
} tasks_value_kind;

typedef struct tasks_value {
    tasks_value_kind kind;
    const char *str;        /* STRING: the bytes, NUL-terminated          */
    apr_size_t len;         /* STRING: their number (a NUL inside is
                               refused by every rule)                     */
    int boolean;            /* BOOL                                       */
    long long integer;      /* INTEGER                                    */
    const struct tasks_value *items; /* LIST, OBJECT                      */
    const char *const *names;        /* OBJECT: the members' names        */
    int nitems;
} tasks_value;

/* What a client proposes for a task: one value per writable field. */
typedef struct {
#define TASKS_X_DRAFT(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, tasks_value name;)
    TASKS_TASK_FIELDS(TASKS_X_DRAFT)
#undef TASKS_X_DRAFT
    int unused_;            /* keeps the struct non-empty in any table    */
} tasks_task_draft;

typedef enum {
    TASKS_INPUT_CREATE, /* title required, absent fields get defaults     */
    TASKS_INPUT_PUT,    /* title required, absent fields keep values      */
    TASKS_INPUT_PATCH   /* any subset of the writable fields              */
} tasks_input_mode;

/* Writable fields as validated input: has_<name> says the field is to be
 * written (for CREATE every field is: absent ones get their defaults).
 * Strings live in the pool. */
typedef struct {
#define TASKS_X_INPUT(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, int has_##name; TASKS_CTYPE_##kind name;)
    TASKS_TASK_FIELDS(TASKS_X_INPUT)
#undef TASKS_X_INPUT
    int unused_;
} tasks_task_input;

/* A task as the store returns it: every value is text (NULL for SQL
 * NULL). user_id is the caller's; timestamps are already RFC 3339 UTC
 * ("YYYY-MM-DDTHH:MM:SS.ffffffZ"); completed is "t" or "f"; priority the
 * rank's digits; tags a JSON array text; version the row's digits. */
typedef struct {
#define TASKS_X_ROW(name, access, kind, min, max, items, column) \
    const char *name;
    TASKS_TASK_FIELDS(TASKS_X_ROW)
#undef TASKS_X_ROW
} tasks_task_row;

/* A task as a CalDAV resource (API.md, "CalDAV"), as a client's PUT
 * gives it: dav_uid its iCalendar UID, dav_name its resource name in its
 * list's collection (set when the task is created; NULL on a later
 * write: kept), dav_kept the text of what the task does not model
 * (tasks_vtodo.kept; NULL: none). A task made without one gets a random
 * UID and "<uid>.ics" (sql/013). The kinds: LABEL text of 1-255 bytes,
 * KEPT text of at most TASKS_KEPT_MAX bytes. */
typedef struct {
#define TASKS_X_RESOURCE(name, access, kind, min, max, items, column) \
    TASKS_IF_RESOURCE(access, const char *name;)
    TASKS_TASK_FIELDS(TASKS_X_RESOURCE)
#undef TASKS_X_RESOURCE
    int unused_;
} tasks_task_resource;
#define TASKS_LABEL_MAX 255
#define TASKS_KEPT_MAX 262144

/* Validate a draft for mode. Returns NULL and fills *in when every field
 * passes its rule; otherwise every broken field (tasks_field_error, in
 * table order) and *in only partly filled. Read-only fields cannot be in
 * a draft, so they can never be written. */
apr_array_header_t *tasks_task_validate(apr_pool_t *p,
                                        const tasks_task_draft *draft,
                                        tasks_input_mode mode,
                                        tasks_task_input *in);

/* The schedule of a task as it would be written (its rule, zone and
 * due_at, each the new value or the kept one): NULL when it holds, else
 * the errors, on "recurrence": a rule needs a due_at (the first
 * occurrence), and must occur at or after it (a rule whose UNTIL is past
 * never does). No rule: always NULL. */
apr_array_header_t *tasks_task_schedule_check(apr_pool_t *p, const char *rule,
                                              const char *zone,
                                              const char *due_at);

/* Reminders (the REMINDERS kind's array text, as written or as the
 * store reads it back) with every instant moved by delta seconds and
 * every duration kept: what a recurring task's reminders become when it
 * moves to its next occurrence. NULL when the text is not such an array
 * (its strings are durations and instants: no escapes), or an instant
 * would leave years 0001-9999. */
const char *tasks_reminders_shift(apr_pool_t *p, const char *reminders,
                                  long long delta);

/* A validated input that writes nothing but completed (the complete
 * route's explicit value). */
void tasks_task_input_completed(tasks_task_input *in, int completed);

/* What a write or read must still find, parsed from the request's
 * preconditions (HTTP If-Match / If-None-Match, CalDAV's, ...). */
typedef enum {
    TASKS_MATCH_ANY = 0,    /* no precondition                            */
    TASKS_MATCH_VERSION,    /* the task exists with exactly this version  */
    TASKS_MATCH_EXISTS,     /* the task exists ("*")                      */
    TASKS_MATCH_NEVER       /* no listed version can be this task's: the
                               write fails (precondition), or not found   */
} tasks_match;

typedef struct {
    tasks_match match;           /* If-Match                               */
    long long version;           /* for TASKS_MATCH_VERSION                */
    /* If-None-Match (reads): the current version is "not modified" when
     * it is listed, or for any existing task with none_match_any. */
    int none_match_any;
    const long long *none_match; /* versions listed for this task          */
    int n_none_match;
} tasks_precondition;

/* The strong ETag of a row, quoted: "\"<id>.<version>\"". */
const char *tasks_task_etag(apr_pool_t *p, const tasks_task_row *row);

/* Parse an If-Match header for task id (canonical digits) into *pre
 * (match, version). Only a strong ETag "<id>.<version>" can name the
 * task, with a version that the store's version column can hold; "*" is
 * EXISTS; a malformed header or one that lists no usable tag of this
 * task is NEVER (the write fails rather than running without the
 * client's precondition). NULL header: ANY. */
void tasks_precondition_if_match(const char *header, const char *id,
                                 tasks_precondition *pre);

/* Parse an If-None-Match header for task id into *pre (none_match_*),
 * weak comparison (W/ tags count). Malformed lists never match. */
void tasks_precondition_if_none_match(apr_pool_t *p, const char *header,
                                      const char *id, tasks_precondition *pre);

/* Largest version the store keeps (its column is a PostgreSQL integer). */
#define TASKS_VERSION_MAX 2147483647LL

#endif
