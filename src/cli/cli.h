/* cli.h - what the files of the admin command (mod-tasks) share: one
 * connection opened with a DBDParams-style string, and its messages.
 * The top layer beside src/httpd/: it uses the service, the store and
 * the core, never an httpd header. */
#ifndef TASKS_CLI_H
#define TASKS_CLI_H

#include <apr_dbd.h>
#include <apr_pools.h>

#include "tasks/core/log.h"

/* Exit codes. */
#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

typedef struct {
    apr_pool_t *pool;
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    tasks_logger log;           /* to stderr, with the level's name */
} cli_db;

/* A message to stderr, "mod-tasks: " first, a newline after. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connect with params (handed to libpq as they are, as mod_dbd does with
 * DBDParams). CLI_OK, or CLI_FAILED with a message (never params). */
int cli_connect(cli_db *c, apr_pool_t *pool, const char *params);

/* The last error of the connection, without its trailing newline. */
const char *cli_db_error(cli_db *c, int rv);

/* mod-tasks migrate: apply the pending sql_dir/NNN_*.sql, then (grant_to
 * not NULL) sql_dir/grants.sql for that role. An exit code. */
int cli_migrate(cli_db *c, const char *sql_dir, const char *grant_to);

#endif
