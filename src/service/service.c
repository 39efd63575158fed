/* service.c - what every service operation shares: its connection,
 * opened on first need, and the meaning of a store failure. */
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

