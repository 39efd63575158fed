/* counters.h - the module's counters, summed over every child in shared
 * memory and shown by mod_status (/server-status, and ?auto for
 * scrapers). Each counter is declared once, in TASKS_COUNTERS. */
#ifndef TASKS_HTTPD_COUNTERS_H
#define TASKS_HTTPD_COUNTERS_H

#include <httpd.h>

/* X(id, name in mod_status, what it counts) */
#define TASKS_COUNTERS(X)                                                   \
    X(REQ_AUTH_2XX, "TasksRequestsAuth2xx", "account requests answered 2xx") \
    X(REQ_AUTH_3XX, "TasksRequestsAuth3xx", "account requests answered 3xx") \
    X(REQ_AUTH_4XX, "TasksRequestsAuth4xx", "account requests answered 4xx") \
    X(REQ_AUTH_5XX, "TasksRequestsAuth5xx", "account requests answered 5xx") \
    X(REQ_TASKS_2XX, "TasksRequestsTasks2xx", "task and list requests answered 2xx") \
    X(REQ_TASKS_3XX, "TasksRequestsTasks3xx", "task and list requests answered 3xx") \
    X(REQ_TASKS_4XX, "TasksRequestsTasks4xx", "task and list requests answered 4xx") \
    X(REQ_TASKS_5XX, "TasksRequestsTasks5xx", "task and list requests answered 5xx") \
    X(REQ_OTHER_2XX, "TasksRequestsOther2xx", "other /api requests (health, openapi, unknown paths) answered 2xx") \
    X(REQ_OTHER_3XX, "TasksRequestsOther3xx", "other /api requests answered 3xx") \
    X(REQ_OTHER_4XX, "TasksRequestsOther4xx", "other /api requests answered 4xx") \
    X(REQ_OTHER_5XX, "TasksRequestsOther5xx", "other /api requests answered 5xx") \
    X(LOGIN_FAILED, "TasksLoginFailures", "failed logins (401)")             \
    X(LOGIN_THROTTLED, "TasksLoginThrottled", "logins refused by TasksLoginThrottle (429)") \
    X(TOKEN_MALFORMED, "TasksTokensMalformed", "tokens refused: malformed or oversized") \
    X(TOKEN_BAD_ALG, "TasksTokensBadAlg", "tokens refused: wrong algorithm") \
    X(TOKEN_BAD_SIGNATURE, "TasksTokensBadSignature", "tokens refused: wrong signature") \
    X(TOKEN_EXPIRED, "TasksTokensExpired", "tokens refused: expired")        \
    X(TOKEN_NOT_YET_VALID, "TasksTokensNotYetValid", "tokens refused: not yet valid") \
    X(TOKEN_BAD_CLAIMS, "TasksTokensBadClaims", "tokens refused: claims (sub, iss, aud, types)") \
    X(TOKEN_UNKNOWN_KEY, "TasksTokensUnknownKey", "external tokens refused: no key with their kid") \
    X(TOKEN_REVOKED, "TasksTokensRevoked", "tokens refused by the database: logged out, or the user is gone") \
    X(DB_ACQUIRES, "TasksDBAcquires", "connections taken from mod_dbd's pool") \
    X(DB_WAIT_US, "TasksDBWaitMicroseconds", "time spent waiting for them (microseconds)") \
    X(DB_UNAVAILABLE, "TasksDBUnavailable", "answers 503 because the database could not be reached") \
    X(JWKS_FETCHED, "TasksJWKSFetched", "JWKS documents fetched from an issuer's URL") \
    X(JWKS_FAILED, "TasksJWKSFailed", "JWKS fetches that failed")

typedef enum {
#define TASKS_X_COUNTER_ID(id, name, what) TASKS_COUNT_##id,
    TASKS_COUNTERS(TASKS_X_COUNTER_ID)
#undef TASKS_X_COUNTER_ID
    TASKS_COUNT_N
} tasks_counter;

/* post_config: the shared memory every child adds to (one block for the
 * whole httpd, anonymous, created anew on every restart). 0 when it
 * cannot be created (logged; the module then counts nothing). */
int tasks_counters_post_config(apr_pool_t *pconf, server_rec *s);

/* Add n to counter c (no-op before post_config). Lock-free: atomics on
 * the shared block. */
void tasks_count_add(const server_rec *s, tasks_counter c, apr_uint64_t n);
#define tasks_count(s, c) tasks_count_add((s), (c), 1)

/* Count a refused token by why it was refused. */
void tasks_count_token(const server_rec *s, int token_status);

/* log_transaction: count one answered /api request by route group and
 * status class (and failed or throttled logins). */
int tasks_counters_log_transaction(request_rec *r);

/* mod_status's status_hook: the counters, as HTML or (?auto) as
 * "Name: value" lines. */
int tasks_counters_status(request_rec *r, int flags);

#endif
