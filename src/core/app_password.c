/* app_password.c - the rule of an app password's name. */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/app_password.h"
#include "tasks/core/validate.h"

/* Promise: see app_password.h. */
const char *tasks_app_password_name(apr_pool_t *p, const tasks_value *v,
                                    const char **name)
{
    const char *t;
    long len;

    if (v->kind != TASKS_VALUE_STRING || strlen(v->str) != v->len)
        return "must be a string (without NUL characters)";
    t = tasks_trim(p, v->str);
    len = tasks_utf8_length(t, strlen(t));
    if (len < 1 || len > TASKS_APP_PASSWORD_NAME_MAX)
        return apr_psprintf(p, "must be 1-%d characters",
                            TASKS_APP_PASSWORD_NAME_MAX);
    *name = t;
    return NULL;
}
