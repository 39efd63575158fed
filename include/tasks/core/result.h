/* result.h - what a service operation did, in terms every front end can
 * map onto its own protocol (one function per front end does: see
 * tasks_rest_send_result for HTTP). Pure. */
#ifndef TASKS_CORE_RESULT_H
#define TASKS_CORE_RESULT_H

#include <apr_tables.h>

typedef enum {
    TASKS_DONE = 0,
    TASKS_NOT_MODIFIED,       /* a read whose version the client has       */
    TASKS_NOT_FOUND,          /* no such task (or not the caller's)        */
    TASKS_PRECONDITION_FAILED,/* the task's version is not the one required */
    TASKS_INVALID,            /* field errors: errors lists every one      */
    TASKS_MALFORMED,          /* a request the front end could not take
                                 apart (a bad query parameter, cursor)     */
    TASKS_CONFLICT,           /* e.g. the email is taken                   */
    TASKS_GONE,               /* e.g. a changes token past its retention   */
    TASKS_UNAUTHENTICATED,    /* no credentials, or wrong ones (login)     */
    TASKS_DENIED,             /* the caller's token no longer stands (user
                                 gone, token revoked)                      */
    TASKS_FORBIDDEN,          /* not allowed here (signup off, another
                                 user's path)                              */
    TASKS_THROTTLED,          /* too many failures: retry_after seconds    */
    TASKS_BUSY,               /* no capacity now (hashing slots)           */
    TASKS_UNAVAILABLE,        /* the database cannot be reached            */
    TASKS_FAILED              /* a statement or library failed: logged     */
} tasks_outcome;

typedef struct {
    tasks_outcome outcome;
    const char *detail;            /* for people; NULL: the default text   */
    apr_array_header_t *errors;    /* INVALID: tasks_field_error           */
    long retry_after;              /* THROTTLED: seconds                   */
} tasks_result;

/* Result literals. */
#define TASKS_RESULT(o, d) ((tasks_result){ (o), (d), NULL, 0 })
#define TASKS_RESULT_DONE TASKS_RESULT(TASKS_DONE, NULL)

#endif
