/* app_password.h - app passwords (CalDAV clients sign in with HTTP Basic:
 * the account's e-mail and one of these): the rules of a name, and one as
 * the store returns it. The secret itself is a refresh value's kind of
 * random text (refresh.h), hashed with tasks_sha256_hex. Pure. */
#ifndef TASKS_CORE_APP_PASSWORD_H
#define TASKS_CORE_APP_PASSWORD_H

#include <apr_pools.h>

#include "tasks/core/task.h"

#define TASKS_APP_PASSWORD_NAME_MAX 100   /* code points, after trimming */
#define TASKS_APP_PASSWORDS_MAX 50        /* per person                  */
#define TASKS_APP_PASSWORDS_MAX_TEXT "50" /* the same, for SQL           */

/* Promise: NULL and *name (trimmed, in p) when v is a string of 1-100
 * code points after trimming; otherwise the message for a 422 on
 * "name". */
const char *tasks_app_password_name(apr_pool_t *p, const tasks_value *v,
                                    const char **name);

/* An app password as the store returns it (never its secret): text,
 * timestamps RFC 3339 UTC, last_used_at NULL until first used. */
typedef struct {
    const char *id;
    const char *name;
    const char *created_at;
    const char *last_used_at;
} tasks_app_password_row;

#endif
