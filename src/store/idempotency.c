/* idempotency.c - the statements of idempotency keys: a create's claim
 * of its key, and letting a claim go. The record of what the create
 * made is written by the create's own statement (IDEM_DONE in
 * statements.c). */
#include <apr_strings.h>

#include "store_int.h"

tasks_db_rc tasks_db_idem_claim(tasks_db *db, const tasks_caller *who,
                                const char *key, const char *fingerprint,
                                tasks_idem_state *state,
                                apr_array_header_t **record)
{
    const char *args[TASKS_CALLER_NARGS + 2];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row;
    tasks_db_rc rc;
    int i;

    tasks_caller_args(db, who, args);
    args[TASKS_CALLER_NARGS] = key;
    args[TASKS_CALLER_NARGS + 1] = fingerprint;
    rc = tasks_run_select(db, S_IDEM_CLAIM, args, &res);
    if (rc != TASKS_DB_OK)
        return rc;
    *record = apr_array_make(db->p, 16, sizeof(const char *));
    *state = TASKS_IDEM_RUNNING;
    for (i = 1; tasks_nth_row(db, res, i, &row); i++) {
        if (i == 1) {
            if (!tasks_col_true(db, row, 0))
                return TASKS_DB_DENIED;
            if (tasks_col_true(db, row, 1))
                *state = TASKS_IDEM_CLAIMED;
            else if (tasks_col(db, row, 2) && !tasks_col_true(db, row, 2))
                *state = TASKS_IDEM_OTHER_REQUEST;
            else if (tasks_col_true(db, row, 3))
                *state = TASKS_IDEM_DONE;
            /* else: claimed by a request still running (or one whose
             * claim committed after this statement's snapshot). */
        }
        if (*state == TASKS_IDEM_DONE)
            APR_ARRAY_PUSH(*record, const char *) = tasks_col(db, row, 4);
    }
    return i > 1 ? TASKS_DB_OK : TASKS_DB_ERROR;
}

tasks_db_rc tasks_db_idem_release(tasks_db *db, const tasks_caller *who,
                                  const char *key)
{
    const char *args[2] = { who->user_id, key };
    int affected = 0;

    return tasks_run_write(db, S_IDEM_RELEASE, args, &affected);
}
