/* main.c - mod-tasks, the admin command: migrations and accounts, with
 * the same DBDParams-style connection string httpd's mod_dbd is given,
 * through the account service and the store (no httpd). Passwords are
 * read from standard input (a terminal: without echo), never from argv,
 * and never printed or logged. Exit codes: 0 done, 1 failed (a message on
 * stderr), 2 usage. README: "mod-tasks (the admin command)". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/core/version.h"
#include "tasks/service/account_service.h"
#include "cli.h"

#ifndef TASKS_SQL_DIR
#define TASKS_SQL_DIR "/usr/share/mod-tasks/sql"
#endif

/* Where a --db may also come from (keeps a password out of argv). */
#define DB_ENV "MOD_TASKS_DB"

static const char usage_text[] =
"usage: mod-tasks COMMAND [OPTIONS]\n"
"\n"
"  migrate --db PARAMS [--sql-dir DIR] [--grant-to ROLE]\n"
"      apply the pending migrations (DIR/NNN_*.sql; default: the ones\n"
"      installed next to this program, ../share/mod-tasks/sql, else\n"
"      " TASKS_SQL_DIR ")\n"
"      in order, each in one transaction; with --grant-to, then give ROLE\n"
"      (the runtime role, DBDParams' user) exactly DIR/grants.sql's privileges\n"
"  create-user --db PARAMS EMAIL [--name NAME]\n"
"      create an account (whether or not TasksSignup is on); prints its id\n"
"  reset-password --db PARAMS EMAIL\n"
"      set a new password for the account with a password at EMAIL, and\n"
"      sign that account out everywhere\n"
"  delete-user --db PARAMS EMAIL\n"
"      delete that account with its tasks\n"
"  reset-code --db PARAMS EMAIL\n"
"      print a single-use code, valid for 30 minutes, with which the person\n"
"      sets a new password (POST /api/auth/reset; the app's reset page)\n"
"  --version, --help\n"
"\n"
"PARAMS is a libpq connection string, as in DBDParams (e.g. \"host=/run/postgresql\n"
"dbname=tasks user=tasks_owner\"); without --db, $" DB_ENV " is used. Passwords\n"
"of accounts are read from standard input, one line (a terminal: asked twice,\n"
"not echoed). Exit status: 0 done, 1 failed, 2 usage.\n";

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "mod-tasks: %s\n", why);
    fputs(usage_text, stderr);
    return CLI_USAGE;
}

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("mod-tasks: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The service's and the store's messages (with their TASKSnnnn tags),
 * debug ones left out. */
static void log_stderr(void *baton, int level, const char *message)
{
    static const char *const names[] = { "emerg", "alert", "crit", "error",
                                         "warning", "notice", "info", "debug" };
    size_t n = strlen(message);

    (void)baton;
    level = TASKS_LOG_LEVEL(level);
    if (level >= TASKS_LOG_DEBUG)
        return;
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;  /* libpq's messages end in a newline */
    fprintf(stderr, "mod-tasks: %s: %.*s\n",
            level >= 0 && level < 8 ? names[level] : "log", (int)n, message);
}

const char *cli_db_error(cli_db *c, int rv)
{
    const char *e = apr_dbd_error(c->driver, c->handle, rv);
    size_t n;

    if (!e || !*e)
        return "unknown error";
    n = strlen(e);
    while (n && (e[n - 1] == '\n' || e[n - 1] == ' '))
        n--;
    return apr_pstrndup(c->pool, e, n);
}

int cli_connect(cli_db *c, apr_pool_t *pool, const char *params)
{
    const char *err = NULL;
    size_t n;

    memset(c, 0, sizeof *c);
    c->pool = pool;
    c->log.fn = log_stderr;
    if (apr_dbd_init(pool) != APR_SUCCESS
        || apr_dbd_get_driver(pool, "pgsql", &c->driver) != APR_SUCCESS) {
        cli_error("apr_dbd's pgsql driver is not installed "
                  "(Debian: libaprutil1-dbd-pgsql)");
        return CLI_FAILED;
    }
    if (apr_dbd_open_ex(c->driver, pool, params, &c->handle, &err)
        != APR_SUCCESS || !c->handle) {
        /* libpq's message names host, port and user, never the password. */
        err = err ? err : "unknown error";
        n = strlen(err);
        while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
            n--;
        cli_error("cannot connect to the database: %.*s", (int)n, err);
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* ---- Passwords from standard input ------------------------------------- */

#define PW_BUF 1024

/* One line of stdin into buf (its newline removed); a terminal is asked
 * with prompt and does not echo. 0, or -1 (reported). */
static int read_line(const char *prompt, char *buf)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO), echo_off = 0;
    size_t n;
    char *ok;

    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ok = fgets(buf, PW_BUF, stdin);
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok) {
        cli_error("no password on standard input (one line)");
        return -1;
    }
    n = strlen(buf);
    if (n == PW_BUF - 1 && buf[n - 1] != '\n') {
        cli_error("the password line is too long");
        return -1;
    }
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* The new password: one line of stdin; a terminal is asked twice. */
static int read_password(char *buf)
{
    char again[PW_BUF];
    int rv = read_line("New password: ", buf);

    if (rv == 0 && isatty(STDIN_FILENO)) {
        rv = read_line("Again: ", again);
        if (rv == 0 && strcmp(buf, again)) {
            cli_error("the passwords differ");
            rv = -1;
        }
        explicit_bzero(again, sizeof again);
    }
    return rv;
}

/* ---- The account commands, through the account service ----------------- */

typedef struct {
    cli_db db;
    tasks_db_rc open_rc;        /* why the store could not be opened */
} cli_ctx;

static tasks_db *open_store(void *baton)
{
    cli_ctx *x = baton;
    apr_pool_t *conn_pool;
    tasks_db *db = NULL;

    apr_pool_create(&conn_pool, x->db.pool);
    /* A command runs a few statements on one connection: unnamed ones
     * (nothing kept in the session) cost nothing here and work through
     * any pooler the URL may name. */
    x->open_rc = tasks_db_open(x->db.pool, x->db.driver, x->db.handle,
                               conn_pool, TASKS_POOLING_TRANSACTION, NULL,
                               &x->db.log, &db);
    return db;
}

static tasks_value string(const char *s)
{
    tasks_value v = { .kind = TASKS_VALUE_ABSENT };

    if (s) {
        v.kind = TASKS_VALUE_STRING;
        v.str = s;
        v.len = strlen(s);
    }
    return v;
}

/* A result that is not DONE, as messages; an exit code. */
static int report(cli_ctx *x, tasks_result r, const char *email)
{
    int i;

    switch (r.outcome) {
    case TASKS_DONE:
        return CLI_OK;
    case TASKS_INVALID:
        for (i = 0; r.errors && i < r.errors->nelts; i++) {
            const tasks_field_error *e = &APR_ARRAY_IDX(r.errors, i,
                                                        tasks_field_error);
            cli_error("%s %s", e->field, e->message);
        }
        return CLI_FAILED;
    case TASKS_NOT_FOUND:
        cli_error("%s: %s", r.detail ? r.detail : "not found", email);
        return CLI_FAILED;
    case TASKS_UNAVAILABLE:
        if (x->open_rc == TASKS_DB_SCHEMA_BEHIND)
            cli_error("the database lacks migration %s (or this role may not "
                      "read schema_migrations): run mod-tasks migrate first",
                      tasks_store_schema_version());
        else
            cli_error("the database is unavailable");
        return CLI_FAILED;
    default:
        cli_error("%s", r.detail ? r.detail : "the operation failed (see the "
                  "messages above; these commands connect as the schema's "
                  "owner, e.g. tasks_owner, not as the runtime role)");
        return CLI_FAILED;
    }
}

static int account_command(apr_pool_t *pool, const char *cmd,
                           const char *params, const char *email,
                           const char *name)
{
    cli_ctx x;
    apr_uint32_t hashing = 0;
    tasks_account_policy policy;
    tasks_service s;
    tasks_user_row user;
    tasks_value e = string(email), n = string(name), pw;
    tasks_result r;
    char password[PW_BUF];
    long long tasks = 0;
    int rc;

    /* Connected before the password is asked for: a wrong --db is
     * reported before anyone types. */
    if (cli_connect(&x.db, pool, params))
        return CLI_FAILED;
    memset(&policy, 0, sizeof policy);
    policy.signup = 1;             /* the administrator may always */
    policy.hashing = &hashing;
    policy.max_hashing = 1;
    memset(&s, 0, sizeof s);
    s.pool = pool;
    s.open_db = open_store;
    s.open_baton = &x;
    s.log = &x.db.log;
    s.accounts = &policy;
    x.open_rc = TASKS_DB_OK;

    if (!strcmp(cmd, "reset-code")) {
        const char *code = NULL;

        r = tasks_account_issue_reset_code(&s, &e, &code, &user);
        if ((rc = report(&x, r, email)) == CLI_OK)
            printf("reset code for user %s (%s), valid for 30 minutes: %s\n",
                   user.id, user.email ? user.email : email, code);
        return rc;
    }
    if (!strcmp(cmd, "delete-user")) {
        r = tasks_account_delete(&s, &e, &user, &tasks);
        if ((rc = report(&x, r, email)) == CLI_OK)
            printf("deleted user %s (%s) and its %lld task%s\n", user.id,
                   user.email ? user.email : email, tasks,
                   tasks == 1 ? "" : "s");
        return rc;
    }
    if (read_password(password))
        return CLI_FAILED;
    pw = string(password);
    if (!strcmp(cmd, "create-user"))
        r = tasks_account_create(&s, &e, &pw, name ? &n : NULL, &user);
    else
        r = tasks_account_reset_password(&s, &e, &pw, &user);
    explicit_bzero(password, sizeof password);
    if (r.outcome == TASKS_CONFLICT) {
        cli_error("%s is already registered", email);
        return CLI_FAILED;
    }
    if ((rc = report(&x, r, email)) != CLI_OK)
        return rc;
    if (!strcmp(cmd, "create-user"))
        printf("%s\n", user.id);
    else
        printf("password of user %s (%s) changed\n", user.id, user.email);
    return CLI_OK;
}

/* ---- Arguments ---------------------------------------------------------- */

/* The migrations an installed mod-tasks applies: those installed next to
 * it (<prefix>/sbin/mod-tasks -> <prefix>/share/mod-tasks/sql), so that
 * one build serves any PREFIX; else the compiled-in TASKS_SQL_DIR. */
static const char *default_sql_dir(apr_pool_t *p)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash, *dir;

    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) && slash != exe) {
            *slash = '\0';                       /* <prefix>/sbin      */
            if ((slash = strrchr(exe, '/'))) {
                *slash = '\0';                   /* <prefix>           */
                dir = apr_pstrcat(p, exe, "/share/mod-tasks/sql", NULL);
                if (access(apr_pstrcat(p, dir, "/001_users_and_tasks.sql",
                                       NULL), R_OK) == 0)
                    return dir;
            }
        }
    }
    return TASKS_SQL_DIR;
}

int main(int argc, const char *const *argv)
{
    const char *cmd, *db = NULL, *sql_dir = NULL, *grant_to = NULL,
               *name = NULL, *email = NULL;
    apr_pool_t *pool;
    int i, rc, migrate, account;

    if (argc < 2)
        return usage("a command is required");
    cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("mod-tasks " TASKS_VERSION "\n");
        return CLI_OK;
    }
    migrate = !strcmp(cmd, "migrate");
    account = !strcmp(cmd, "create-user") || !strcmp(cmd, "reset-password")
              || !strcmp(cmd, "delete-user") || !strcmp(cmd, "reset-code");
    if (!migrate && !account) {
        fprintf(stderr, "mod-tasks: unknown command: %s\n", cmd);
        return usage(NULL);
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *v = NULL, **slot = NULL;
        size_t len = strcspn(a, "=");

        if (!strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (a[0] != '-' || !a[1]) {
            if (!account || email)
                return usage("too many arguments");
            email = a;
            continue;
        }
        if (!strncmp(a, "--db", len) && len == 4)
            slot = &db;
        else if (migrate && len == 9 && !strncmp(a, "--sql-dir", len))
            slot = &sql_dir;
        else if (migrate && len == 10 && !strncmp(a, "--grant-to", len))
            slot = &grant_to;
        else if (!strcmp(cmd, "create-user") && len == 6
                 && !strncmp(a, "--name", len))
            slot = &name;
        else {
            fprintf(stderr, "mod-tasks: unknown option for %s: %.*s\n", cmd,
                    (int)len, a);
            return usage(NULL);
        }
        if (a[len] == '=')
            v = a + len + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        if (!v || (!*v && slot != &name)) {
            fprintf(stderr, "mod-tasks: %.*s needs a value\n", (int)len, a);
            return usage(NULL);
        }
        *slot = v;
    }
    if (!db && (db = getenv(DB_ENV)) && !*db)
        db = NULL;
    if (!db)
        return usage("--db PARAMS (or $" DB_ENV ") is required");
    if (account && !email)
        return usage("EMAIL is required");

    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS
        || apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        cli_error("cannot initialise APR");
        return CLI_FAILED;
    }
    if (migrate) {
        cli_db c;
        rc = cli_connect(&c, pool, db);
        if (rc == CLI_OK)
            rc = cli_migrate(&c, sql_dir ? sql_dir : default_sql_dir(pool),
                             grant_to);
    }
    else
        rc = account_command(pool, cmd, db, email, name);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
