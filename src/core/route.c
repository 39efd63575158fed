/* route.c - method + path under /api -> route and its parameters. */
#include <string.h>
#include <apr_strings.h>
#include "tasks/core/route.h"

/* The deepest path we answer is /{user_id}/tasks/{id}/complete. */
#define MAX_SEGMENTS 4

/* The largest id, the text form of INT64_MAX (ids are PostgreSQL bigint). */
static const char id_max[] = "9223372036854775807";

enum {
    M_GET = 1 << 0,
    M_POST = 1 << 1,
    M_PUT = 1 << 2,
    M_PATCH = 1 << 3,
    M_DELETE = 1 << 4
};

/* Per route: the Allow header value and the same set as bits. HEAD is in
 * the Allow text wherever GET is, and is derived from M_GET when checking. */
static const struct {
    const char *allow;
    unsigned methods;
} routes[TASKS_ROUTE_COUNT] = {
    [TASKS_ROUTE_NOT_FOUND]     = { "", 0 },
    [TASKS_ROUTE_HEALTH]        = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_OPENAPI]       = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_SIGNUP]        = { "POST", M_POST },
    [TASKS_ROUTE_LOGIN]         = { "POST", M_POST },
    [TASKS_ROUTE_ME]            = { "GET, HEAD, DELETE", M_GET | M_DELETE },
    [TASKS_ROUTE_LOGOUT]        = { "POST", M_POST },
    [TASKS_ROUTE_EXPORT]        = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_LOGOUT_ALL]    = { "POST", M_POST },
    [TASKS_ROUTE_PASSWORD]      = { "POST", M_POST },
    [TASKS_ROUTE_RESET]         = { "POST", M_POST },
    [TASKS_ROUTE_REFRESH]       = { "POST", M_POST },
    [TASKS_ROUTE_TASKS]         = { "GET, HEAD, POST, DELETE",
                                    M_GET | M_POST | M_DELETE },
    [TASKS_ROUTE_TASK]          = { "GET, HEAD, PUT, PATCH, DELETE",
                                    M_GET | M_PUT | M_PATCH | M_DELETE },
    [TASKS_ROUTE_TASK_COMPLETE] = { "PATCH", M_PATCH },
    [TASKS_ROUTE_TASK_COMPLETIONS] = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_REMINDERS]     = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_TASK_CHANGES]  = { "GET, HEAD", M_GET },
    [TASKS_ROUTE_APP_PASSWORDS] = { "GET, HEAD, POST", M_GET | M_POST },
    [TASKS_ROUTE_APP_PASSWORD]  = { "DELETE", M_DELETE },
    [TASKS_ROUTE_LISTS]         = { "GET, HEAD, POST", M_GET | M_POST },
    [TASKS_ROUTE_LIST]          = { "GET, HEAD, PATCH, DELETE",
                                    M_GET | M_PATCH | M_DELETE },
    [TASKS_ROUTE_MCP]           = { "POST", M_POST },
    /* CalDAV answers its own methods (caldav.c); these are its HTTP ones. */
    [TASKS_ROUTE_DAV]           = { "GET, HEAD, PUT, DELETE",
                                    M_GET | M_PUT | M_DELETE },
};

/* One path segment: not NUL-terminated, it points into the path. */
typedef struct {
    const char *s;
    apr_size_t len;
} segment;

/* 1 when seg is exactly the text word. */
static int seg_is(const segment *seg, const char *word)
{
    return strlen(word) == seg->len && memcmp(seg->s, word, seg->len) == 0;
}

/* Promises 1 only for canonical ids: a leading zero would give one task
 * several URLs (and "0" is not an id), so only one spelling is accepted.
 * Ids of 19 digits are compared as text against INT64_MAX, which avoids
 * any overflow in the check itself. */
int tasks_route_id_valid(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (s == NULL || len == 0 || len > sizeof(id_max) - 1 || s[0] == '0')
        return 0;
    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    if (len == sizeof(id_max) - 1 && memcmp(s, id_max, len) > 0)
        return 0;
    return 1;
}

/* Splits path into at most MAX_SEGMENTS non-empty segments. Returns their
 * number, or -1 when the path does not start with '/', has an empty
 * segment (which covers "", "/", "//" and a trailing slash) or is deeper
 * than any route. */
static int split_path(const char *path, segment *segs)
{
    const char *s = path;
    int n = 0;

    if (s == NULL || *s != '/')
        return -1;
    while (*s == '/') {
        const char *start = ++s;

        while (*s != '\0' && *s != '/')
            s++;
        if (s == start || n == MAX_SEGMENTS)
            return -1;
        segs[n].s = start;
        segs[n].len = (apr_size_t)(s - start);
        n++;
    }
    return n;
}

/* Fills out for the task routes, given the segments that follow "tasks"
 * (rest, n of them). Leaves out->id NOT_FOUND when they match nothing. */
static void match_tasks(apr_pool_t *p, const segment *rest, int n,
                        tasks_route *out)
{
    if (n == 0) {
        out->id = TASKS_ROUTE_TASKS;
        return;
    }
    if (n == 1 && seg_is(&rest[0], "changes")) {
        out->id = TASKS_ROUTE_TASK_CHANGES;
        return;
    }
    if (n == 1)
        out->id = TASKS_ROUTE_TASK;
    else if (n == 2 && seg_is(&rest[1], "complete"))
        out->id = TASKS_ROUTE_TASK_COMPLETE;
    else if (n == 2 && seg_is(&rest[1], "completions"))
        out->id = TASKS_ROUTE_TASK_COMPLETIONS;
    else
        return;
    if (tasks_route_id_valid(rest[0].s, rest[0].len))
        out->task_id = apr_pstrmemdup(p, rest[0].s, rest[0].len);
    else
        out->bad_id = 1;
}

/* Always fills *out (see route.h). A first segment that is not one of our
 * own words and is followed by "tasks" is the seed-compatible {user_id};
 * the words stay reserved so that "/tasks/tasks" is a bad id rather than
 * user "tasks" listing, and "/auth/tasks" is simply not found. "." and ".."
 * are refused as user ids: they are path syntax, never a real id. */
void tasks_route_match(apr_pool_t *p, const char *path, tasks_route *out)
{
    segment segs[MAX_SEGMENTS];
    int n = split_path(path, segs);

    out->id = TASKS_ROUTE_NOT_FOUND;
    out->task_id = NULL;
    out->path_user_id = NULL;
    out->bad_id = 0;
    if (path && strncmp(path, "/dav", 4) == 0
        && (path[4] == '\0' || path[4] == '/')) {
        out->id = TASKS_ROUTE_DAV;
        return;
    }
    if (n <= 0)
        return;

    if (seg_is(&segs[0], "tasks")) {
        match_tasks(p, segs + 1, n - 1, out);
    }
    else if (seg_is(&segs[0], "lists")) {
        if (n == 1)
            out->id = TASKS_ROUTE_LISTS;
        else if (n == 2) {
            out->id = TASKS_ROUTE_LIST;
            if (tasks_route_id_valid(segs[1].s, segs[1].len))
                out->task_id = apr_pstrmemdup(p, segs[1].s, segs[1].len);
            else
                out->bad_id = 1;
        }
    }
    else if (seg_is(&segs[0], "auth")) {
        if (n == 3 && seg_is(&segs[1], "app-passwords")) {
            out->id = TASKS_ROUTE_APP_PASSWORD;
            if (tasks_route_id_valid(segs[2].s, segs[2].len))
                out->task_id = apr_pstrmemdup(p, segs[2].s, segs[2].len);
            else
                out->bad_id = 1;
            return;
        }
        if (n != 2)
            return;
        if (seg_is(&segs[1], "signup"))
            out->id = TASKS_ROUTE_SIGNUP;
        else if (seg_is(&segs[1], "login"))
            out->id = TASKS_ROUTE_LOGIN;
        else if (seg_is(&segs[1], "me"))
            out->id = TASKS_ROUTE_ME;
        else if (seg_is(&segs[1], "logout"))
            out->id = TASKS_ROUTE_LOGOUT;
        else if (seg_is(&segs[1], "export"))
            out->id = TASKS_ROUTE_EXPORT;
        else if (seg_is(&segs[1], "logout-all"))
            out->id = TASKS_ROUTE_LOGOUT_ALL;
        else if (seg_is(&segs[1], "password"))
            out->id = TASKS_ROUTE_PASSWORD;
        else if (seg_is(&segs[1], "reset"))
            out->id = TASKS_ROUTE_RESET;
        else if (seg_is(&segs[1], "refresh"))
            out->id = TASKS_ROUTE_REFRESH;
        else if (seg_is(&segs[1], "app-passwords"))
            out->id = TASKS_ROUTE_APP_PASSWORDS;
    }
    else if (seg_is(&segs[0], "reminders")) {
        if (n == 1)
            out->id = TASKS_ROUTE_REMINDERS;
    }
    else if (seg_is(&segs[0], "mcp")) {
        if (n == 1)
            out->id = TASKS_ROUTE_MCP;
    }
    else if (seg_is(&segs[0], "health")) {
        if (n == 1)
            out->id = TASKS_ROUTE_HEALTH;
    }
    else if (seg_is(&segs[0], "openapi.json")) {
        if (n == 1)
            out->id = TASKS_ROUTE_OPENAPI;
    }
    else if (n >= 2 && seg_is(&segs[1], "tasks")
             && !seg_is(&segs[0], ".") && !seg_is(&segs[0], "..")) {
        match_tasks(p, segs + 2, n - 2, out);
        /* The seed's paths are the seed's routes: what came later
         * (completions, the changes feed) lives under /api/tasks only. */
        if (out->id == TASKS_ROUTE_TASK_COMPLETIONS
            || out->id == TASKS_ROUTE_TASK_CHANGES)
            out->id = TASKS_ROUTE_NOT_FOUND;
        if (out->id != TASKS_ROUTE_NOT_FOUND)
            out->path_user_id = apr_pstrmemdup(p, segs[0].s, segs[0].len);
    }
    if (out->id == TASKS_ROUTE_NOT_FOUND) {
        /* Nothing half-filled is left behind for an unknown path. */
        out->task_id = NULL;
        out->bad_id = 0;
    }
}

/* The Allow header value for a route; "" for NOT_FOUND or an unknown id. */
const char *tasks_route_allow(tasks_route_id id)
{
    if ((int)id <= TASKS_ROUTE_NOT_FOUND || id >= TASKS_ROUTE_COUNT)
        return "";
    return routes[id].allow;
}

/* Method names are case-sensitive (RFC 9110 section 9.1), so "get" is not
 * GET. OPTIONS is answered for CORS on every existing route; nothing is
 * allowed on NOT_FOUND, which is a 404 rather than a 405. */
int tasks_route_allows(tasks_route_id id, const char *method)
{
    unsigned m;

    if ((int)id <= TASKS_ROUTE_NOT_FOUND || id >= TASKS_ROUTE_COUNT
        || method == NULL)
        return 0;
    if (strcmp(method, "OPTIONS") == 0)
        return 1;
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        m = M_GET;
    else if (strcmp(method, "POST") == 0)
        m = M_POST;
    else if (strcmp(method, "PUT") == 0)
        m = M_PUT;
    else if (strcmp(method, "PATCH") == 0)
        m = M_PATCH;
    else if (strcmp(method, "DELETE") == 0)
        m = M_DELETE;
    else
        return 0;
    return (routes[id].methods & m) != 0;
}

/* 1 for the routes reachable without a token. */
int tasks_route_is_public(tasks_route_id id)
{
    return id == TASKS_ROUTE_HEALTH || id == TASKS_ROUTE_OPENAPI
        || id == TASKS_ROUTE_SIGNUP || id == TASKS_ROUTE_LOGIN
        || id == TASKS_ROUTE_RESET || id == TASKS_ROUTE_REFRESH;
}
