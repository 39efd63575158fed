/* log.c - messages of the layers below httpd, handed to their caller's
 * function (see log.h). */
#include <stdarg.h>
#include <apr_strings.h>

#include "tasks/core/log.h"

/* Promise: fmt formatted into a stack buffer (no allocation, so it can
 * run where no pool is at hand) and handed to l->fn. */
void tasks_log(const tasks_logger *l, int level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;

    if (!l || !l->fn)
        return;
    va_start(ap, fmt);
    apr_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    l->fn(l->baton, level, message);
}
