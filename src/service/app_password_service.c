/* app_password_service.c - app passwords: made with a name and shown
 * once, listed, revoked (app_password_service.h). */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "tasks/core/digest.h"
#include "tasks/core/problem.h"
#include "tasks/core/refresh.h"
#include "tasks/service/app_password_service.h"

/* Promise: see app_password_service.h. */
tasks_result tasks_app_password_create(tasks_service *s, const tasks_caller *who,
                                       const tasks_value *name,
                                       tasks_app_password_row *out,
                                       const char **password)
{
    unsigned char rnd[TASKS_REFRESH_BYTES];
    const char *why, *clean, *hash;
    tasks_db *db;
    tasks_db_rc rc;

    if ((why = tasks_app_password_name(s->pool, name, &clean)))
        return tasks_service_field_invalid(s->pool, "name", why);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if (apr_generate_random_bytes(rnd, sizeof rnd) != APR_SUCCESS) {
        tasks_log(s->log, TASKS_LOG_ERR, "TASKS0312: cannot make an app "
                  "password: the system gave no random bytes");
        return TASKS_RESULT(TASKS_FAILED, "the app password could not be made");
    }
    *password = tasks_refresh_text(s->pool, rnd, sizeof rnd);
    explicit_bzero(rnd, sizeof rnd);
    hash = tasks_sha256_hex(s->pool, *password, strlen(*password));
    rc = tasks_db_app_password_insert(db, who, clean, hash, out);
    switch (rc) {
    case TASKS_DB_OK:
        return TASKS_RESULT_DONE;
    case TASKS_DB_LIMIT:
        return TASKS_RESULT(TASKS_CONFLICT, "an account keeps at most "
                            TASKS_APP_PASSWORDS_MAX_TEXT " app passwords: "
                            "revoke one first");
    default:
        return tasks_service_db_failure(rc);
    }
}

/* Promise: see app_password_service.h. */
tasks_result tasks_app_passwords_list(tasks_service *s, const tasks_caller *who,
                                      apr_array_header_t **rows)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_app_passwords(db, who, rows);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see app_password_service.h. */
tasks_result tasks_app_password_revoke(tasks_service *s, const tasks_caller *who,
                                       const char *id)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_app_password_delete(db, who, id);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_NOT_FOUND, "no such app password");
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}
