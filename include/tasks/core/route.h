/* route.h - method + path under /api -> route and its parameters. Pure. */
#ifndef TASKS_ROUTE_H
#define TASKS_ROUTE_H

#include <apr_pools.h>

typedef enum {
    TASKS_ROUTE_NOT_FOUND = 0,
    TASKS_ROUTE_HEALTH,
    TASKS_ROUTE_OPENAPI,
    TASKS_ROUTE_SIGNUP,
    TASKS_ROUTE_LOGIN,
    TASKS_ROUTE_ME,
    TASKS_ROUTE_LOGOUT,
    TASKS_ROUTE_EXPORT,         /* /auth/export            */
    TASKS_ROUTE_LOGOUT_ALL,     /* /auth/logout-all        */
    TASKS_ROUTE_PASSWORD,       /* /auth/password          */
    TASKS_ROUTE_RESET,          /* /auth/reset             */
    TASKS_ROUTE_REFRESH,        /* /auth/refresh           */
    TASKS_ROUTE_TASKS,          /* /tasks                  */
    TASKS_ROUTE_TASK,           /* /tasks/{id}             */
    TASKS_ROUTE_TASK_COMPLETE,  /* /tasks/{id}/complete    */
    TASKS_ROUTE_TASK_COMPLETIONS, /* /tasks/{id}/completions */
    TASKS_ROUTE_REMINDERS,      /* /reminders              */
    TASKS_ROUTE_TASK_CHANGES,   /* /tasks/changes          */
    TASKS_ROUTE_APP_PASSWORDS,  /* /auth/app-passwords     */
    TASKS_ROUTE_APP_PASSWORD,   /* /auth/app-passwords/{id} */
    TASKS_ROUTE_LISTS,          /* /lists                  */
    TASKS_ROUTE_LIST,           /* /lists/{id}             */
    TASKS_ROUTE_MCP,            /* /mcp: the MCP endpoint          */
    TASKS_ROUTE_DAV,            /* /dav and everything below: CalDAV
                                   (its own paths and methods: caldav.c) */
    TASKS_ROUTE_COUNT
} tasks_route_id;

typedef struct {
    tasks_route_id id;
    const char *task_id;       /* canonical decimal id, for TASK routes
                                  (and the list's, for LIST)                */
    const char *path_user_id;  /* {user_id} of /api/{user_id}/tasks..., or NULL */
    int bad_id;                /* a TASK or LIST route whose id is not a positive
                                  64-bit integer: the answer is 400          */
} tasks_route;

/* Match path (the part after "/api", e.g. "/tasks/7"; "" and "/" match
 * nothing). "/dav" and any path below it ("/dav/", "/dav/x/y/") is the
 * DAV route whatever follows: the CalDAV front end parses the rest. A trailing slash, an empty segment ("//") and a "." or ".."
 * {user_id} are not accepted. Always fills *out; TASKS_ROUTE_NOT_FOUND when
 * nothing matches. task_id and path_user_id are copied into p (p is needed
 * because the segments are not NUL-terminated in path). Ids are accepted
 * only in canonical form: "007" is a bad_id, like "0", "-1" or "abc". */
void tasks_route_match(apr_pool_t *p, const char *path, tasks_route *out);

/* 1 when the len bytes at s are a task id in canonical form: decimal digits
 * without a leading zero, 1..9223372036854775807. */
int tasks_route_id_valid(const char *s, apr_size_t len);

/* The methods a route answers, as an Allow header value. */
const char *tasks_route_allow(tasks_route_id id);

/* 1 when method is allowed on the route (HEAD counts as GET where GET is
 * allowed; OPTIONS is always allowed). */
int tasks_route_allows(tasks_route_id id, const char *method);

/* 1 for routes that need no token (health, openapi, signup, login,
 * reset: a code is the credential, refresh: the refresh cookie is). */
int tasks_route_is_public(tasks_route_id id);

#endif
