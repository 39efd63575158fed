/* migrate.c - mod-tasks migrate: what scripts/migrate.sh does, through
 * apr_dbd (README, "Database and migrations"). Each pending
 * sql/NNN_*.sql is sent as one query text (apr_dbd_query: PQexec runs a
 * string of many statements, $$ bodies included) in a transaction of its
 * own together with its row in schema_migrations, under the advisory lock
 * every migration run takes; then, with --grant-to, sql/grants.sql for
 * that role in one more transaction. grants.sql is written for psql; the
 * few psql features it uses (:'role', :"role", \gexec, \g) are
 * interpreted here, anything else is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "cli.h"

/* The lock scripts/migrate.sh and sql/grants.sql take. */
#define MIGRATION_LOCK "SELECT pg_advisory_xact_lock(7310585)"

static int query(cli_db *c, const char *sql, const char *what)
{
    int n = 0, rv = apr_dbd_query(c->driver, c->handle, &n, sql);

    if (rv)
        cli_error("%s failed: %s", what, cli_db_error(c, rv));
    return rv;
}

static void rollback(cli_db *c)
{
    int n = 0;
    apr_dbd_query(c->driver, c->handle, &n, "ROLLBACK");
}

/* Rows of a statement with parameters (its %s markers, as apr_dbd
 * binds them). */
static int select_args(cli_db *c, const char *sql, const char **args,
                       apr_dbd_results_t **res)
{
    apr_dbd_prepared_t *st = NULL;
    int rv = apr_dbd_prepare(c->driver, c->pool, c->handle, sql, NULL, &st);

    *res = NULL;
    if (!rv)
        rv = apr_dbd_pselect(c->driver, c->pool, c->handle, res, st, 1, 0,
                             args);
    return rv;
}

static const char *value(cli_db *c, apr_dbd_results_t *res, int rown,
                         int col)
{
    apr_dbd_row_t *row = NULL;

    if (rown > apr_dbd_num_tuples(c->driver, res)
        || apr_dbd_get_row(c->driver, c->pool, res, &row, rown) != 0)
        return NULL;
    return apr_dbd_get_entry(c->driver, row, col);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migrations of dir, NNN_*.sql, sorted by name. */
static apr_array_header_t *migration_files(cli_db *c, const char *dir)
{
    apr_array_header_t *names = apr_array_make(c->pool, 16, sizeof(char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;
    char msg[256];

    if ((rv = apr_dir_open(&d, dir, c->pool)) != APR_SUCCESS) {
        cli_error("cannot read the migrations in %s: %s (--sql-dir DIR)", dir,
                  apr_strerror(rv, msg, sizeof msg));
        return NULL;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        const char *n = fi.name;
        size_t len = strlen(n);
        if (len > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9'
            && n[2] >= '0' && n[2] <= '9' && n[3] == '_'
            && !strcmp(n + len - 4, ".sql") && fi.filetype != APR_DIR)
            APR_ARRAY_PUSH(names, char *) = apr_pstrdup(c->pool, n);
    }
    apr_dir_close(d);
    if (names->nelts == 0) {
        cli_error("no migrations (NNN_*.sql) in %s (--sql-dir DIR)", dir);
        return NULL;
    }
    qsort(names->elts, names->nelts, sizeof(char *), by_name);
    return names;
}

/* A whole file, NUL-terminated; NULL (reported) when it cannot be read. */
static char *slurp(cli_db *c, const char *path)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t got;
    apr_status_t rv;
    char *buf, msg[256];

    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, c->pool);
    if (rv == APR_SUCCESS && (rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f))
        == APR_SUCCESS) {
        buf = apr_palloc(c->pool, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, &got);
        apr_file_close(f);
        if (rv == APR_SUCCESS || (rv == APR_EOF && got == 0)) {
            buf[got] = '\0';
            return buf;
        }
    }
    cli_error("cannot read %s: %s", path, apr_strerror(rv, msg, sizeof msg));
    return NULL;
}

/* The role to grant to, checked before anything is applied, as
 * migrate.sh does: never the role running the migrations (its REVOKE
 * ALL would strip the owner), nor a superuser (grants mean nothing to
 * it). The name is a parameter, never spliced into the text. */
static int check_grantee(cli_db *c, const char *role)
{
    const char *args[] = { role };
    apr_dbd_results_t *res;
    const char *kind;
    int rv = select_args(c, "SELECT CASE WHEN rolname = current_user THEN 'self'"
                         " WHEN rolsuper THEN 'superuser' ELSE 'ok' END"
                         " FROM pg_roles WHERE rolname = %s", args, &res);

    if (rv) {
        cli_error("cannot look up role %s: %s", role, cli_db_error(c, rv));
        return CLI_FAILED;
    }
    kind = value(c, res, 1, 0);
    if (!kind) {
        cli_error("role %s does not exist (CREATE ROLE ... LOGIN PASSWORD ..., "
                  "see the README)", role);
        return CLI_FAILED;
    }
    if (!strcmp(kind, "self")) {
        cli_error("--grant-to %s names the role running the migrations; give "
                  "the runtime role its own", role);
        return CLI_FAILED;
    }
    if (!strcmp(kind, "superuser")) {
        cli_error("--grant-to %s names a superuser; the runtime role must be "
                  "an ordinary role", role);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* Apply one migration, unless a run before (or a concurrent one, which
 * held the lock) applied it. *applied: 1 when this run did. */
static int apply(cli_db *c, const char *dir, const char *file, int *applied)
{
    const char *path = apr_pstrcat(c->pool, dir, "/", file, NULL);
    const char *version = apr_pstrndup(c->pool, file, strlen(file) - 4);
    const char *args[] = { version };
    apr_dbd_results_t *res;
    apr_dbd_prepared_t *st = NULL;
    char *sql;
    int rv, n = 0;

    *applied = 0;
    if (!(sql = slurp(c, path)))
        return CLI_FAILED;
    if (query(c, "BEGIN", "BEGIN") || query(c, MIGRATION_LOCK, "the lock"))
        goto failed;
    if ((rv = select_args(c, "SELECT 1 FROM schema_migrations WHERE version = %s",
                          args, &res))) {
        cli_error("cannot read schema_migrations: %s", cli_db_error(c, rv));
        goto failed;
    }
    if (value(c, res, 1, 0)) {
        rollback(c);
        return CLI_OK;
    }
    printf("applying %s\n", version);
    fflush(stdout);
    if ((rv = apr_dbd_query(c->driver, c->handle, &n, sql))) {
        cli_error("migration %s failed: %s; nothing of it was applied", path,
                  cli_db_error(c, rv));
        goto failed;
    }
    rv = apr_dbd_prepare(c->driver, c->pool, c->handle,
                         "INSERT INTO schema_migrations (version) VALUES (%s)",
                         NULL, &st);
    if (!rv)
        rv = apr_dbd_pquery(c->driver, c->pool, c->handle, &n, st, 1, args);
    if (rv) {
        cli_error("migration %s could not be recorded: %s; nothing of it was "
                  "applied", path, cli_db_error(c, rv));
        goto failed;
    }
    if ((rv = apr_dbd_query(c->driver, c->handle, &n, "COMMIT"))) {
        cli_error("migration %s failed at commit: %s; nothing of it was "
                  "applied", path, cli_db_error(c, rv));
        goto failed;
    }
    *applied = 1;
    return CLI_OK;
failed:
    rollback(c);
    return CLI_FAILED;
}

/* ---- grants.sql: the psql features it uses ---------------------------- */

/* role as an SQL identifier: "...", quotes doubled. */
static const char *quote_ident(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, 2 * strlen(s) + 3), *o = out;

    *o++ = '"';
    for (; *s; s++) {
        if (*s == '"')
            *o++ = '"';
        *o++ = *s;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* role as an SQL string: E'...', quotes and backslashes doubled, right
 * whatever standard_conforming_strings says. */
static const char *quote_literal(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, 2 * strlen(s) + 4), *o = out;

    *o++ = 'E';
    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            *o++ = *s;
        *o++ = *s;
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

enum { RUN_PLAIN, RUN_GEXEC };

/* Run one statement of grants.sql: plainly (";", "\g"), or as psql's
 * \gexec (every value of its rows is run as a statement). */
static int run_statement(cli_db *c, const char *sql, int mode,
                         const char *file)
{
    apr_dbd_results_t *res = NULL;
    int rv, r, col, rows, cols;

    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r')
        sql++;
    if (!*sql)
        return CLI_OK;
    if (mode == RUN_PLAIN) {
        int n = 0;
        if ((rv = apr_dbd_query(c->driver, c->handle, &n, sql))) {
            cli_error("%s failed: %s", file, cli_db_error(c, rv));
            return CLI_FAILED;
        }
        return CLI_OK;
    }
    if ((rv = apr_dbd_select(c->driver, c->pool, c->handle, &res, sql, 1))) {
        cli_error("%s failed: %s", file, cli_db_error(c, rv));
        return CLI_FAILED;
    }
    rows = apr_dbd_num_tuples(c->driver, res);
    cols = apr_dbd_num_cols(c->driver, res);
    for (r = 1; r <= rows; r++)
        for (col = 0; col < cols; col++) {
            const char *v = value(c, res, r, col);
            if (v && run_statement(c, v, RUN_PLAIN, file))
                return CLI_FAILED;
        }
    return CLI_OK;
}

/* Run grants.sql's text with psql's variable "role" set: statements end
 * at ";" or at a \gexec or \g line; :'role' and :"role" are replaced by
 * the role, quoted; quotes, identifiers, $$ bodies and comments are
 * passed over. Any other psql command or variable is refused. */
static int run_grants(cli_db *c, const char *text, const char *role,
                      const char *file)
{
    apr_pool_t *p = c->pool;
    const char *s = text;
    char *stmt = apr_palloc(p, 1), *t;
    size_t start;

    *stmt = '\0';
#define APPEND(from, n) (stmt = apr_pstrcat(p, stmt, \
                             apr_pstrndup(p, (from), (n)), NULL))
    while (*s) {
        if (*s == '\'' || *s == '"') {             /* a string, an identifier */
            char q = *s;
            start = 1;
            while (s[start] && s[start] != q)
                start++;
            if (s[start])
                start++;
            APPEND(s, start);
            s += start;
        }
        else if (s[0] == '-' && s[1] == '-') {     /* a comment */
            while (*s && *s != '\n')
                s++;
        }
        else if (s[0] == '$' && s[1] == '$') {     /* a $$ body */
            t = strstr(s + 2, "$$");
            start = t ? (size_t)(t - s) + 2 : strlen(s);
            APPEND(s, start);
            s += start;
        }
        else if (s[0] == ':' && s[1] == ':') {     /* a cast */
            APPEND(s, 2);
            s += 2;
        }
        else if (s[0] == ':' && (s[1] == '\'' || s[1] == '"')) {
            char q = s[1];
            if (strncmp(s + 2, "role", 4) || s[6] != q) {
                cli_error("%s: unknown psql variable at \"%.20s\"", file, s);
                return CLI_FAILED;
            }
            stmt = apr_pstrcat(p, stmt, q == '"' ? quote_ident(p, role)
                                               : quote_literal(p, role), NULL);
            s += 7;
        }
        else if (*s == '\\') {                      /* a psql command */
            int mode;
            if (!strncmp(s, "\\gexec", 6) && (!s[6] || strchr(" \t\r\n", s[6])))
                mode = RUN_GEXEC;
            else if (!strncmp(s, "\\g", 2) && (!s[2] || strchr(" \t\r\n", s[2])))
                mode = RUN_PLAIN; /* \g [file]: the rows are not wanted */
            else {
                cli_error("%s: unsupported psql command \"%.20s\"", file, s);
                return CLI_FAILED;
            }
            if (run_statement(c, stmt, mode, file))
                return CLI_FAILED;
            *stmt = '\0';
            while (*s && *s != '\n')
                s++;
        }
        else if (*s == ';') {
            if (run_statement(c, stmt, RUN_PLAIN, file))
                return CLI_FAILED;
            *stmt = '\0';
            s++;
        }
        else {
            start = strcspn(s, "'\"-$:\\;");
            if (!start)
                start = 1;
            APPEND(s, start);
            s += start;
        }
    }
#undef APPEND
    return run_statement(c, stmt, RUN_PLAIN, file);
}

static int grant(cli_db *c, const char *dir, const char *role)
{
    const char *path = apr_pstrcat(c->pool, dir, "/grants.sql", NULL);
    char *text = slurp(c, path);

    if (!text)
        return CLI_FAILED;
    if (query(c, "BEGIN", "BEGIN") || run_grants(c, text, role, path)
        || query(c, "COMMIT", "COMMIT")) {
        rollback(c);
        cli_error("the grants failed; %s keeps what it had", role);
        return CLI_FAILED;
    }
    printf("granted %s the runtime privileges (%s)\n", role, path);
    return CLI_OK;
}

/* Promise: see cli.h. */
int cli_migrate(cli_db *c, const char *dir, const char *grant_to)
{
    apr_array_header_t *files;
    int i, applied, count = 0;

    /* Notices (e.g. "already exists, skipping") would reach stderr
     * through libpq; errors still come back as results. */
    if (query(c, "SET client_min_messages = error", "SET"))
        return CLI_FAILED;
    if (grant_to && check_grantee(c, grant_to))
        return CLI_FAILED;
    if (!(files = migration_files(c, dir)))
        return CLI_FAILED;
    if (query(c, "BEGIN; " MIGRATION_LOCK "; CREATE TABLE IF NOT EXISTS "
              "schema_migrations (version text PRIMARY KEY, applied_at "
              "timestamptz NOT NULL DEFAULT now()); COMMIT",
              "creating schema_migrations")) {
        rollback(c);
        return CLI_FAILED;
    }
    for (i = 0; i < files->nelts; i++) {
        if (apply(c, dir, APR_ARRAY_IDX(files, i, char *), &applied))
            return CLI_FAILED;
        count += applied;
    }
    printf("database schema is up to date (%d applied now, %d in %s)\n",
           count, files->nelts, dir);
    fflush(stdout);
    return grant_to ? grant(c, dir, grant_to) : CLI_OK;
}
