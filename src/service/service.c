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
tasks_result tasks_service_unavailable(void)
{
    return TASKS_RESULT(TASKS_UNAVAILABLE, NULL);
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
