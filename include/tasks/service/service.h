/* service.h - what every service operation is given: where results live,
 * how to reach the database, how to log, and the settings it applies.
 * The service layer knows no request_rec and no wire format: a front end
 * (the JSON API, an admin command, later CalDAV and MCP) parses its input
 * into plain structs, calls an operation and renders its tasks_result. */
#ifndef TASKS_SERVICE_SERVICE_H
#define TASKS_SERVICE_SERVICE_H

#include <apr_pools.h>

#include "tasks/core/log.h"
#include "tasks/core/result.h"
#include "tasks/core/task.h"
#include "tasks/core/token.h"
#include "tasks/store/store.h"

/* Opens the store on a connection when an operation first needs one;
 * NULL when none can be had (the operation answers UNAVAILABLE). */
typedef tasks_db *tasks_db_opener(void *baton);

/* The account rules a deployment chose (TasksSignup, TasksLoginThrottle)
 * and the process's scrypt capacity. */
typedef struct {
    int signup;                 /* accounts may be created here           */
    int throttle_email;         /* failures per email within the window
                                   (0: no limit)                          */
    int throttle_window;        /* seconds                                */
    int throttle_addr;          /* failures per client address (0: none)  */
    apr_uint32_t *hashing;      /* scrypt computations running in this
                                   process, shared by its threads         */
    int max_hashing;            /* at most this many at once              */
    const char *dummy_hash;     /* verified for unknown emails (timing)   */
    long session_lifetime;      /* seconds a session lasts since its last
                                   use (TasksSessionLifetime)             */
} tasks_account_policy;

typedef struct {
    apr_pool_t *pool;           /* results and rows are allocated here    */
    tasks_db_opener *open_db;
    void *open_baton;
    tasks_db *db;               /* once opened                            */
    const tasks_logger *log;
    const tasks_token_cfg *token; /* signs tokens and page cursors        */
    const tasks_account_policy *accounts; /* account operations only      */
} tasks_service;

/* The service's connection, opened on first use; NULL: unavailable. */
tasks_db *tasks_service_db(tasks_service *s);

/* UNAVAILABLE: no connection could be had. */
tasks_result tasks_service_unavailable(void);

/* INVALID with every field error (tasks_field_error, non-empty); the
 * detail is detail, or "<field> <message>" of the first error. */
tasks_result tasks_service_invalid(apr_pool_t *p, apr_array_header_t *errors,
                                   const char *detail);

/* The version a write must find for pre's If-Match: -1 for any (none,
 * or "*"), 0 when no listed version can be the row's. */
long long tasks_service_required_version(const tasks_precondition *pre);

/* Does pre's If-None-Match name this version (a row's digits)? */
int tasks_service_not_modified(const tasks_precondition *pre,
                               const char *version_text);

/* INVALID with one field error. */
tasks_result tasks_service_field_invalid(apr_pool_t *p, const char *field,
                                         const char *message);

/* A create that a client may send again (Idempotency-Key): the key
 * (NULL: none; then the create is plain) and the request's fingerprint
 * (what makes "the same request": a digest of method, path and body). */
typedef struct {
    const char *key;
    const char *fingerprint;
} tasks_once;

/* Before a create with once->key: claim the key for it. DONE with
 * *record NULL: go on and create, naming the key (the create records its
 * result under it), and let the claim go if the create fails
 * (tasks_db_idem_release); DONE with *record: the key's create was done,
 * answer again from *record (the created row, column by column);
 * CONFLICT: a request with the key is still running; INVALID: the key
 * was used with another request. Keys are the caller's: another
 * person's key is another key. */
tasks_result tasks_service_claim(tasks_service *s, tasks_db *db,
                                 const tasks_caller *who,
                                 const tasks_once *once,
                                 apr_array_header_t **record);

/* The result of a store call that did not give OK: DENIED, UNAVAILABLE
 * or FAILED (NONE and MISMATCH mean different things per operation and
 * are the caller's to map). */
tasks_result tasks_service_db_failure(tasks_db_rc rc);

#endif
