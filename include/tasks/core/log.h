/* log.h - how layers below httpd log: through a function their caller
 * gives them (httpd: ap_log_rerror on the request; a command-line tool:
 * stderr), so the store and the service never include an httpd header.
 * Levels are syslog's, as httpd's APLOG_* are. */
#ifndef TASKS_CORE_LOG_H
#define TASKS_CORE_LOG_H

#include <apr.h>

enum {
    TASKS_LOG_CRIT = 2,
    TASKS_LOG_ERR = 3,
    TASKS_LOG_WARNING = 4,
    TASKS_LOG_NOTICE = 5,
    TASKS_LOG_INFO = 6,
    TASKS_LOG_DEBUG = 7
};

/* OR-ed into a level: the message says the database cannot be reached.
 * During an outage every request would log one, so a writer may
 * rate-limit these (httpd's does: src/httpd/glue.c). */
#define TASKS_LOG_OUTAGE 0x100
/* The syslog level of a level that may carry TASKS_LOG_OUTAGE. */
#define TASKS_LOG_LEVEL(l) ((l) & 0xff)

/* Writes one message (already formatted, with its TASKSnnnn tag); level
 * may carry TASKS_LOG_OUTAGE. */
typedef void tasks_log_fn(void *baton, int level, const char *message);

typedef struct {
    tasks_log_fn *fn;     /* NULL: messages are dropped */
    void *baton;
} tasks_logger;

/* Format and hand one message to l (at most 1 KiB is kept). */
void tasks_log(const tasks_logger *l, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
