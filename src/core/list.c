/* list.c - the rules of a list's fields. */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/list.h"
#include "tasks/core/problem.h"
#include "tasks/core/validate.h"

#define MSG_NAME     "must be a string of 1-100 characters (not only spaces)"
#define MSG_COLOR    "must be a color as #rrggbb, or null"
#define MSG_POSITION "must be a whole number from 0 to the number of lists less one"

/* "#rrggbb" (either case) as lower case, or NULL. */
static const char *color_of(apr_pool_t *p, const tasks_value *v)
{
    char *c;
    int i;

    if (v->kind != TASKS_VALUE_STRING || v->len != 7 || v->str[0] != '#')
        return NULL;
    c = apr_pstrmemdup(p, v->str, 7);
    for (i = 1; i < 7; i++) {
        if (c[i] >= 'A' && c[i] <= 'F')
            c[i] = (char)(c[i] - 'A' + 'a');
        else if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f')))
            return NULL;
    }
    return c;
}

/* Promise: see list.h. */
apr_array_header_t *tasks_list_validate(apr_pool_t *p,
                                        const tasks_list_draft *d,
                                        int create, tasks_list_input *in)
{
    apr_array_header_t *errors = NULL;
    long n;

    memset(in, 0, sizeof *in);
    if (d->name.kind != TASKS_VALUE_ABSENT || create) {
        const char *t = d->name.kind == TASKS_VALUE_STRING
                        && strlen(d->name.str) == d->name.len
                        && tasks_utf8_length(d->name.str, d->name.len) >= 0
                        ? tasks_trim(p, d->name.str) : NULL;

        n = t ? tasks_utf8_length(t, strlen(t)) : -1;
        if (n < 1 || n > TASKS_LIST_NAME_MAX)
            tasks_field_error_add(p, &errors, "name", d->name.kind == TASKS_VALUE_ABSENT
                                  ? "is required" : MSG_NAME);
        in->has_name = 1;
        in->name = t;
    }
    if (d->color.kind == TASKS_VALUE_NULL) {
        in->has_color = 1;
    }
    else if (d->color.kind != TASKS_VALUE_ABSENT) {
        if (!(in->color = color_of(p, &d->color)))
            tasks_field_error_add(p, &errors, "color", MSG_COLOR);
        in->has_color = 1;
    }
    /* A new list goes last; a position in a create is ignored, as any
     * member the operation does not take. */
    if (!create && d->position.kind != TASKS_VALUE_ABSENT) {
        if (d->position.kind != TASKS_VALUE_INTEGER || d->position.integer < 0
            || d->position.integer >= TASKS_LISTS_MAX)
            tasks_field_error_add(p, &errors, "position", MSG_POSITION);
        else
            in->position = (int)d->position.integer;
        in->has_position = 1;
    }
    return errors;
}

/* Promise: see list.h. */
const char *tasks_list_etag(apr_pool_t *p, const tasks_list_row *row)
{
    return apr_psprintf(p, "\"%s.%s\"", row->id, row->version);
}
