/* service.c - what every service operation shares: its connection,
 * opened on first need, and the meaning of a store failure. */
#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/service/service.h"

/* Promise: see service.h. */
tasks_db *tasks_service_db(tasks_service *s)
{
    if (!s->db && s->open_db)
        s->db = s->open_db(s->open_baton);
    return s->db;
}

/* Promise: see service.h. */
tasks_result tasks_service_db_failure(tasks_db_rc rc)
{
    switch (rc) {
    case TASKS_DB_DENIED:
        return TASKS_RESULT(TASKS_DENIED, NULL);
    case TASKS_DB_UNAVAILABLE:
        return TASKS_RESULT(TASKS_UNAVAILABLE, NULL);
    default:
        return TASKS_RESULT(TASKS_FAILED, NULL);
    }
}


/* Promise: see service.h. */
tasks_result tasks_service_claim(tasks_service *s, tasks_db *db,
                                 const tasks_caller *who,
                                 const tasks_once *once,
                                 apr_array_header_t **record)
{
    tasks_idem_state state;
    tasks_db_rc rc;

    (void)s;
    *record = NULL;
    rc = tasks_db_idem_claim(db, who, once->key, once->fingerprint, &state,
                             record);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    switch (state) {
    case TASKS_IDEM_CLAIMED:
        *record = NULL;
        return TASKS_RESULT_DONE;
    case TASKS_IDEM_DONE:
        return TASKS_RESULT_DONE;
    case TASKS_IDEM_OTHER_REQUEST:
        *record = NULL;
        return TASKS_RESULT(TASKS_INVALID, "this Idempotency-Key was used "
                            "with another request (method, path or body)");
    default:
        *record = NULL;
        return TASKS_RESULT(TASKS_CONFLICT, "a request with this "
                            "Idempotency-Key is still being processed; "
                            "try again in a moment");
    }
}

/* Promise: see service.h. */
tasks_result tasks_service_unavailable(void)
{
    return TASKS_RESULT(TASKS_UNAVAILABLE, NULL);
}

/* Promise: see service.h. */
tasks_result tasks_service_field_invalid(apr_pool_t *p, const char *field,
                                         const char *message)
{
    apr_array_header_t *errors = NULL;

    tasks_field_error_add(p, &errors, field, message);
    return tasks_service_invalid(p, errors, NULL);
}

/* Promise: see service.h. */
tasks_result tasks_service_invalid(apr_pool_t *p, apr_array_header_t *errors,
                                   const char *detail)
{
    const tasks_field_error *e = &APR_ARRAY_IDX(errors, 0, tasks_field_error);
    tasks_result r = TASKS_RESULT(TASKS_INVALID, detail ? detail
                                  : apr_psprintf(p, "%s %s", e->field,
                                                 e->message));
    r.errors = errors;
    return r;
}

/* Promise: see service.h. "*" needs nothing more than what every write
 * checks itself (the row exists and is the caller's); a list that no
 * version can match gives 0, which no row has (versions start at 1), so
 * the write misses and tells 404 from 412 like any other. */
long long tasks_service_required_version(const tasks_precondition *pre)
{
    if (!pre)
        return -1;
    switch (pre->match) {
    case TASKS_MATCH_VERSION: return pre->version;
    case TASKS_MATCH_NEVER:   return 0;
    default:                  return -1;
    }
}

/* Promise: see service.h. */
int tasks_service_not_modified(const tasks_precondition *pre,
                               const char *version_text)
{
    long long version;
    int i;

    if (!pre)
        return 0;
    if (pre->none_match_any)
        return 1;
    version = version_text ? apr_atoi64(version_text) : -1;
    for (i = 0; i < pre->n_none_match; i++)
        if (pre->none_match[i] == version)
            return 1;
    return 0;
}
