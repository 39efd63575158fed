/* counters.c - the module's counters (counters.h), in one block of
 * anonymous shared memory that every child adds to with atomics, shown
 * by mod_status. Without mod_status loaded they are kept and not shown
 * (README, "Counters"). */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_atomic.h>
#include <apr_shm.h>
#include <mod_status.h>

#include "tasks/core/token.h"
#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"

APLOG_USE_MODULE(tasks);

static const struct {
    const char *name, *what;
} counters[TASKS_COUNT_N] = {
#define X(id, name, what) [TASKS_COUNT_##id] = { name, what },
    TASKS_COUNTERS(X)
#undef X
};

/* Promise: see counters.h. Every server's record points at the block. */
int tasks_counters_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_shm_t *shm;
    apr_uint64_t *block;
    apr_status_t rv;
    server_rec *sp;

    rv = apr_shm_create(&shm, sizeof(apr_uint64_t) * TASKS_COUNT_N, NULL,
                        pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "TASKS0004: cannot create "
                     "the shared memory for the module's counters");
        return 0;
    }
    block = apr_shm_baseaddr_get(shm);
    memset(block, 0, sizeof(apr_uint64_t) * TASKS_COUNT_N);
    for (sp = s; sp; sp = sp->next)
        tasks_srv(sp)->counters = block;
    return 1;
}

void tasks_count_add(const server_rec *s, tasks_counter c, apr_uint64_t n)
{
    apr_uint64_t *block = tasks_srv(s)->counters;

    if (block && (unsigned)c < TASKS_COUNT_N)
        apr_atomic_add64(&block[c], n);
}

/* Promise: see counters.h (token_status: a tasks_token_status). */
void tasks_count_token(const server_rec *s, int token_status)
{
    static const tasks_counter by_status[] = {
        [TASKS_TOKEN_MALFORMED] = TASKS_COUNT_TOKEN_MALFORMED,
        [TASKS_TOKEN_BAD_ALG] = TASKS_COUNT_TOKEN_BAD_ALG,
        [TASKS_TOKEN_BAD_SIGNATURE] = TASKS_COUNT_TOKEN_BAD_SIGNATURE,
        [TASKS_TOKEN_EXPIRED] = TASKS_COUNT_TOKEN_EXPIRED,
        [TASKS_TOKEN_NOT_YET_VALID] = TASKS_COUNT_TOKEN_NOT_YET_VALID,
        [TASKS_TOKEN_BAD_CLAIMS] = TASKS_COUNT_TOKEN_BAD_CLAIMS,
        [TASKS_TOKEN_UNKNOWN_KEY] = TASKS_COUNT_TOKEN_UNKNOWN_KEY,
    };

    if (token_status > 0 && (size_t)token_status < sizeof(by_status)
                                                    / sizeof(by_status[0]))
        tasks_count(s, by_status[token_status]);
}

/* Route groups, each with its four status-class counters (2xx first). */
static tasks_counter group_base(tasks_route_id id)
{
    switch (id) {
    case TASKS_ROUTE_SIGNUP: case TASKS_ROUTE_LOGIN:
    case TASKS_ROUTE_ME: case TASKS_ROUTE_LOGOUT: case TASKS_ROUTE_EXPORT:
    case TASKS_ROUTE_LOGOUT_ALL: case TASKS_ROUTE_PASSWORD: case TASKS_ROUTE_RESET:
    case TASKS_ROUTE_REFRESH:
        return TASKS_COUNT_REQ_AUTH_2XX;
    case TASKS_ROUTE_TASKS: case TASKS_ROUTE_TASK:
    case TASKS_ROUTE_TASK_COMPLETE: case TASKS_ROUTE_LISTS: case TASKS_ROUTE_LIST:
        return TASKS_COUNT_REQ_TASKS_2XX;
    default:
        return TASKS_COUNT_REQ_OTHER_2XX;
    }
}

/* Promise: see counters.h. Internal redirects and subrequests are not
 * counted again: only the request the client sent. */
int tasks_counters_log_transaction(request_rec *r)
{
    const tasks_route *route;
    int class = r->status / 100;

    if (r->main || r->prev || !tasks_is_ours(r) || class < 2 || class > 5)
        return DECLINED;
    route = tasks_req_route(r);
    tasks_count(r->server, (tasks_counter)(group_base(route->id) + class - 2));
    if (route->id == TASKS_ROUTE_LOGIN && r->status == HTTP_UNAUTHORIZED)
        tasks_count(r->server, TASKS_COUNT_LOGIN_FAILED);
    if (route->id == TASKS_ROUTE_LOGIN && r->status == HTTP_TOO_MANY_REQUESTS)
        tasks_count(r->server, TASKS_COUNT_LOGIN_THROTTLED);
    return DECLINED;
}

/* Promise: see counters.h. */
int tasks_counters_status(request_rec *r, int flags)
{
    apr_uint64_t *block = tasks_srv(r->server)->counters;
    int i;

    if (!block)
        return OK;
    if (!(flags & AP_STATUS_SHORT))
        ap_rputs("<hr />\n<h2>mod_tasks</h2>\n<table>\n", r);
    for (i = 0; i < TASKS_COUNT_N; i++) {
        apr_uint64_t v = apr_atomic_read64(&block[i]);
        if (flags & AP_STATUS_SHORT)
            ap_rprintf(r, "%s: %" APR_UINT64_T_FMT "\n", counters[i].name, v);
        else
            ap_rprintf(r, "<tr><td>%s</td><td>%" APR_UINT64_T_FMT "</td>"
                       "<td>%s</td></tr>\n", counters[i].name, v,
                       counters[i].what);
    }
    if (!(flags & AP_STATUS_SHORT))
        ap_rputs("</table>\n", r);
    return OK;
}
