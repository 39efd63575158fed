/* test_cli.c - mod-tasks, the admin command, as an administrator runs it:
 * the built binary (MOD_TASKS) against the private PostgreSQL that run.sh
 * starts. What it did is checked as the cluster's superuser (rows,
 * privileges) and through the account service linked here (a login with
 * the password it set, a token of a user it deleted). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "tasks/core/password.h"
#include "tasks/core/version.h"
#include "tasks/service/account_service.h"
#include "tasks/service/task_service.h"

static apr_pool_t *pool;
static const apr_dbd_driver_t *driver;

static const char *env(const char *name)
{
    const char *v = getenv(name);

    ck_assert_msg(v != NULL, "%s is not set (run tests/cli/run.sh)", name);
    return v;
}

/* A connection string of the private cluster. */
static const char *db_params(const char *user, const char *dbname)
{
    return apr_psprintf(pool, "%s user=%s dbname=%s", env("PG_BASE"), user,
                        dbname);
}

static apr_dbd_t *connect_as(const char *user, const char *dbname)
{
    apr_dbd_t *h = NULL;
    const char *err = NULL;

    ck_assert_msg(apr_dbd_open_ex(driver, pool, db_params(user, dbname), &h,
                                  &err) == APR_SUCCESS,
                  "cannot connect: %s", err ? err : "?");
    return h;
}

/* Run sql as the superuser in dbname. */
static void admin_sql(const char *dbname, const char *sql)
{
    apr_dbd_t *h = connect_as("tasks", dbname);
    int n = 0;

    ck_assert_msg(apr_dbd_query(driver, h, &n, sql) == 0, "%s: %s", sql,
                  apr_dbd_error(driver, h, 1));
    apr_dbd_close(driver, h);
}

/* The rows of a query (as the superuser in dbname), one line per row,
 * columns separated by '|', NULL as "". */
static const char *rows(const char *dbname, const char *sql)
{
    apr_dbd_t *h = connect_as("tasks", dbname);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *out = "";
    int r, c, n, cols;

    ck_assert_msg(apr_dbd_select(driver, pool, h, &res, sql, 1) == 0, "%s: %s",
                  sql, apr_dbd_error(driver, h, 1));
    n = apr_dbd_num_tuples(driver, res);
    cols = apr_dbd_num_cols(driver, res);
    for (r = 1; r <= n; r++) {
        ck_assert_int_eq(apr_dbd_get_row(driver, pool, res, &row, r), 0);
        for (c = 0; c < cols; c++) {
            const char *v = apr_dbd_get_entry(driver, row, c);
            out = apr_pstrcat(pool, out, c ? "|" : "", v ? v : "", NULL);
        }
        out = apr_pstrcat(pool, out, "\n", NULL);
    }
    apr_dbd_close(driver, h);
    return out;
}

/* A new empty database owned by tasks_owner, made as the README makes
 * the production one. */
static const char *new_database(const char *what)
{
    const char *name = apr_psprintf(pool, "cli_%s_%d", what, (int)getpid());

    admin_sql("postgres", apr_psprintf(pool, "CREATE DATABASE %s OWNER "
              "tasks_owner ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0",
              name));
    admin_sql("postgres", apr_psprintf(pool, "REVOKE ALL ON DATABASE %s FROM "
              "PUBLIC", name));
    return name;
}

typedef struct {
    int status;             /* exit code */
    const char *out, *err;
} ran;

static const char *slurp(const char *path)
{
    char *text;
    FILE *f = fopen(path, "r");
    char buf[4096];
    size_t n;

    ck_assert_ptr_nonnull(f);
    text = apr_pstrdup(pool, "");
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        text = apr_pstrcat(pool, text, apr_pstrndup(pool, buf, n), NULL);
    }
    fclose(f);
    return text;
}

/* Assignments (shell words) put in mod-tasks' environment by run(). */
static const char *run_env = "";

/* mod-tasks with args (shell words), input on stdin (NULL: none); its
 * environment without MOD_TASKS_DB, but for run_env. */
static ran run(const char *input, const char *args)
{
    const char *dir = env("WORK_DIR");
    const char *in = apr_psprintf(pool, "%s/in.%d", dir, (int)getpid());
    const char *out = apr_psprintf(pool, "%s/out.%d", dir, (int)getpid());
    const char *err = apr_psprintf(pool, "%s/err.%d", dir, (int)getpid());
    FILE *f = fopen(in, "w");
    ran r;
    int st;

    ck_assert_ptr_nonnull(f);
    if (input)
        fputs(input, f);
    fclose(f);
    st = system(apr_psprintf(pool, "env -u MOD_TASKS_DB %s %s %s <%s >%s 2>%s",
                             run_env, env("MOD_TASKS"), args, in, out, err));
    ck_assert_msg(WIFEXITED(st), "mod-tasks %s did not exit", args);
    r.status = WEXITSTATUS(st);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

/* --db '...' for the owner in dbname. */
static const char *owner_db(const char *dbname)
{
    return apr_psprintf(pool, "--db '%s'", db_params("tasks_owner", dbname));
}

static int count(const char *haystack, const char *needle)
{
    int n = 0;

    for (; (haystack = strstr(haystack, needle)); haystack += strlen(needle))
        n++;
    return n;
}

static int migration_files(void)
{
    glob_t g;
    int n;

    ck_assert_int_eq(glob(apr_psprintf(pool, "%s/sql/[0-9][0-9][0-9]_*.sql",
                                       env("TASKS_ROOT")), 0, NULL, &g), 0);
    n = (int)g.gl_pathc;
    globfree(&g);
    return n;
}

/* s with every occurrence of the character c doubled... or replaced. */
static const char *replace_char(const char *s, char c, const char *with)
{
    const char *out = "";
    const char *q;

    while ((q = strchr(s, c))) {
        out = apr_pstrcat(pool, out, apr_pstrndup(pool, s, (apr_size_t)(q - s)),
                          with, NULL);
        s = q + 1;
    }
    return apr_pstrcat(pool, out, s, NULL);
}

/* What role may do in dbname, one line per object and privilege (the
 * effective privileges, PUBLIC's included). */
static const char *privileges(const char *dbname, const char *role)
{
    const char *r = apr_psprintf(pool, "'%s'", replace_char(role, '\'', "''"));

    return rows(dbname, apr_pstrcat(pool,
        "SELECT c.relname || ' ' || pr.p || ' ' || has_table_privilege(", r,
        ", c.oid, pr.p) FROM pg_class c, unnest(ARRAY['SELECT','INSERT',"
        "'UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) pr(p)"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r','v','p')"
        " UNION ALL SELECT c.relname || '.' || a.attname || ' ' || pr.p || ' ' ||"
        " has_column_privilege(", r, ", c.oid, a.attnum, pr.p) FROM pg_class c"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,"
        " unnest(ARRAY['SELECT','INSERT','UPDATE','REFERENCES']) pr(p)"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
        " UNION ALL SELECT c.relname || ' ' || pr.p || ' ' || has_sequence_privilege(", r,
        ", c.oid, pr.p) FROM pg_class c, unnest(ARRAY['USAGE','SELECT','UPDATE']) pr(p)"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'"
        " UNION ALL SELECT p.oid::regprocedure || ' EXECUTE ' ||"
        " has_function_privilege(", r, ", p.oid, 'EXECUTE') FROM pg_proc p"
        " WHERE p.pronamespace = 'public'::regnamespace"
        " UNION ALL SELECT 'schema ' || pr.p || ' ' || has_schema_privilege(", r,
        ", 'public', pr.p) FROM unnest(ARRAY['USAGE','CREATE']) pr(p)"
        " UNION ALL SELECT 'database ' || pr.p || ' ' || has_database_privilege(", r,
        ", current_database(), pr.p) FROM unnest(ARRAY['CONNECT','CREATE',"
        "'TEMPORARY']) pr(p) ORDER BY 1", NULL));
}

/* Fail with the first line where two privilege lists differ (whole
 * lists are too long for a Check message). */
static void same_privileges(const char *got, const char *want)
{
    const char *g = got, *w = want;

    while (*g && *w && *g == *w)
        g++, w++;
    if (!*g && !*w)
        return;
    while (g > got && g[-1] != '\n')
        g--, w--;
    ck_abort_msg("privileges differ: got \"%.80s\", want \"%.80s\"", g, w);
}

/* ---- The account service, to see what the command did ------------------ */

static apr_dbd_t *svc_handle;
static apr_pool_t *svc_conn_pool;
static apr_uint32_t hashing;
static tasks_token_cfg token_cfg;
static tasks_account_policy policy;
static tasks_logger quiet = { NULL, NULL };

static tasks_db *open_store(void *baton)
{
    tasks_db *db = NULL;

    (void)baton;
    tasks_db_open(pool, driver, svc_handle, svc_conn_pool, TASKS_POOLING_SESSION,
                  NULL, &quiet, &db);
    return db;
}

static tasks_service *service(void)
{
    static const char key[] = "0123456789abcdef0123456789abcdef-cli-test";
    tasks_service *s = apr_pcalloc(pool, sizeof *s);

    if (!svc_handle) {
        /* The runtime role, as httpd connects. */
        apr_pool_create(&svc_conn_pool, pool);
        svc_handle = connect_as(apr_psprintf(pool, "tasks_app password=%s",
                                             env("APP_PASSWORD")), "tasks");
        memset(&token_cfg, 0, sizeof token_cfg);
        ck_assert_ptr_null(tasks_keyring_add(pool, &token_cfg.keys,
                                             (const unsigned char *)key,
                                             sizeof key - 1, NULL, NULL));
        token_cfg.lifetime = 3600;
        memset(&policy, 0, sizeof policy);
        policy.signup = 1;
        policy.throttle_window = 900;
        policy.hashing = &hashing;
        policy.max_hashing = 2;
        policy.session_lifetime = 3600;
        policy.dummy_hash = tasks_password_hash(pool, "nobody knows this",
                                                &tasks_scrypt_default);
    }
    s->pool = pool;
    s->open_db = open_store;
    s->log = &quiet;
    s->token = &token_cfg;
    s->accounts = &policy;
    return s;
}

static tasks_value str(const char *s)
{
    tasks_value v = { .kind = TASKS_VALUE_STRING, .str = s, .len = strlen(s) };
    return v;
}

static tasks_result login(const char *email, const char *password,
                          tasks_session *out)
{
    tasks_value e = str(email), p = str(password);

    return tasks_account_login(service(), &e, &p, "192.0.2.1", out);
}

static const char *new_email(const char *what)
{
    return apr_psprintf(pool, "%s-%d-%ld@example.org", what, (int)getpid(),
                        random());
}

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    ck_assert_int_eq(apr_dbd_init(pool), APR_SUCCESS);
    ck_assert_int_eq(apr_dbd_get_driver(pool, "pgsql", &driver), APR_SUCCESS);
    svc_handle = NULL;
    srandom((unsigned)getpid());
}

static void teardown(void)
{
    if (svc_handle)
        apr_dbd_close(driver, svc_handle);
    apr_pool_destroy(pool);
}

/* ---- migrate ------------------------------------------------------------ */

START_TEST(migrate_applies_each_file_once_and_grants_as_migrate_sh_does)
{
    const char *db = new_database("fresh");
    /* A name that needs quoting everywhere: as an identifier, a literal
     * (a backslash too) and a shell word. */
    const char *role = apr_psprintf(pool, "cli app\"'\\ %d", (int)getpid());
    const char *shell_role = apr_psprintf(pool, "'%s'",
                                          replace_char(role, '\'', "'\\''"));
    const char *args;
    int n = migration_files();
    ran r;

    admin_sql("postgres", apr_psprintf(pool, "CREATE ROLE \"%s\" LOGIN",
                                       replace_char(role, '"', "\"\"")));
    args = apr_psprintf(pool, "migrate %s --sql-dir %s/sql --grant-to %s",
                        owner_db(db), env("TASKS_ROOT"), shell_role);
    r = run(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(count(r.out, "applying "), n);
    ck_assert_ptr_nonnull(strstr(r.out, "applying 001_users_and_tasks\n"));
    ck_assert_ptr_nonnull(strstr(r.out, apr_psprintf(pool, "(%d applied now", n)));
    ck_assert_str_eq(r.err, "");
    ck_assert_str_eq(rows(db, "SELECT count(*), max(version) FROM schema_migrations"),
                     apr_psprintf(pool, "%d|%s\n", n, tasks_store_schema_version()));
    /* The schema and the grants are the ones scripts/migrate.sh made in
     * the stack's database for tasks_app. */
    same_privileges(privileges(db, role), privileges("tasks", "tasks_app"));
    ck_assert_str_eq(rows(db, "SELECT count(*) FROM pg_class WHERE relnamespace ="
                          " 'public'::regnamespace AND relowner <> 'tasks_owner'::regrole"),
                     "0\n");

    /* Again: nothing applied twice, the grants made again; --db=, and
     * a URI as libpq takes it. */
    args = apr_psprintf(pool, "migrate --db='postgresql:///%s?host=%s&port=%s"
                        "&user=tasks_owner' --sql-dir=%s/sql --grant-to=%s", db,
                        env("PG_HOST"), env("PG_PORT"), env("TASKS_ROOT"),
                        shell_role);
    r = run(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(count(r.out, "applying "), 0);
    ck_assert_ptr_nonnull(strstr(r.out, "(0 applied now"));
    ck_assert_ptr_nonnull(strstr(r.out, apr_psprintf(pool, "granted %s the runtime privileges", role)));
    ck_assert_str_eq(rows(db, "SELECT count(*) FROM schema_migrations"),
                     apr_psprintf(pool, "%d\n", n));
    same_privileges(privileges(db, role), privileges("tasks", "tasks_app"));
}
END_TEST

START_TEST(migrate_refuses_a_superuser_or_itself_before_applying_anything)
{
    const char *db = new_database("refused");
    const char *base = apr_psprintf(pool, "migrate %s --sql-dir %s/sql",
                                    owner_db(db), env("TASKS_ROOT"));
    ran r;

    r = run(NULL, apr_pstrcat(pool, base, " --grant-to tasks", NULL));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "names a superuser"));
    r = run(NULL, apr_pstrcat(pool, base, " --grant-to=tasks_owner", NULL));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "the role running the migrations"));
    r = run(NULL, apr_pstrcat(pool, base, " --grant-to 'no \"such\" role'", NULL));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "does not exist"));
    ck_assert_str_eq(rows(db, "SELECT to_regclass('schema_migrations') IS NULL"),
                     "t\n");
}
END_TEST

START_TEST(a_failing_migration_leaves_nothing_of_itself)
{
    const char *db = new_database("broken");
    const char *dir = apr_psprintf(pool, "%s/sql-%d", env("WORK_DIR"),
                                   (int)getpid());
    const char *args = apr_psprintf(pool, "migrate %s --sql-dir %s",
                                    owner_db(db), dir);
    int n = migration_files();
    FILE *f;
    ran r;

    ck_assert_int_eq(system(apr_psprintf(pool, "mkdir -p %s && cp %s/sql/*.sql %s/",
                                         dir, env("TASKS_ROOT"), dir)), 0);
    f = fopen(apr_psprintf(pool, "%s/900_broken.sql", dir), "w");
    ck_assert_ptr_nonnull(f);
    fputs("CREATE TABLE cli_half (x int);\n"
          "CREATE FUNCTION cli_f() RETURNS int LANGUAGE plpgsql AS $$\n"
          "BEGIN RETURN 1; END $$;\n"
          "SELECT no_such_function();\n", f);
    fclose(f);
    r = run(NULL, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "900_broken.sql") && strstr(r.err, "no_such_function"),
                  "%s", r.err);
    ck_assert_int_eq(count(r.out, "applying "), n + 1);
    ck_assert_str_eq(rows(db, "SELECT count(*), to_regclass('cli_half') IS NULL"
                          " FROM schema_migrations"),
                     apr_psprintf(pool, "%d|t\n", n));

    /* Fixed: only it is applied now, $$ body and all (the connection
     * string from the environment this time). */
    f = fopen(apr_psprintf(pool, "%s/900_broken.sql", dir), "w");
    ck_assert_ptr_nonnull(f);
    fputs("CREATE TABLE cli_half (x int);\n"
          "CREATE FUNCTION cli_f() RETURNS int LANGUAGE plpgsql AS $$\n"
          "BEGIN RETURN 1; END $$;\n", f);
    fclose(f);
    run_env = apr_psprintf(pool, "MOD_TASKS_DB='%s'", db_params("tasks_owner", db));
    r = run(NULL, apr_psprintf(pool, "migrate --sql-dir %s", dir));
    run_env = "";
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, apr_psprintf(pool, "applying 900_broken\ndatabase "
                     "schema is up to date (1 applied now, %d in %s)\n", n + 1, dir));
    ck_assert_str_eq(rows(db, "SELECT cli_f(), max(version) FROM schema_migrations"),
                     "1|900_broken\n");
}
END_TEST

/* ---- Accounts ----------------------------------------------------------- */

START_TEST(create_user_then_login_works)
{
    const char *email = new_email("Created"), *id;
    tasks_session s;
    ran r;

    r = run("correct horse battery\n",
            apr_psprintf(pool, "create-user %s %s --name ' Ada L. '",
                         owner_db("tasks"), email));
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(strlen(r.out), 37);
    id = apr_pstrndup(pool, r.out, 36);
    ck_assert_str_eq(r.err, "");
    ck_assert_int_eq(login(email, "correct horse battery", &s).outcome, TASKS_DONE);
    ck_assert_str_eq(s.user.id, id);
    ck_assert_str_eq(s.user.name, "Ada L.");
    ck_assert_str_eq(s.user.email, email);

    /* Taken (whatever the case), too short: refused, nothing made. */
    r = run("correct horse battery\n",
            apr_psprintf(pool, "create-user %s %s", owner_db("tasks"),
                         apr_pstrcat(pool, "created", email + 7, NULL)));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "is already registered"));
    email = new_email("short");
    r = run("short\n", apr_psprintf(pool, "create-user %s %s",
                                    owner_db("tasks"), email));
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "mod-tasks: password must be 8-128 characters\n");
    ck_assert_str_eq(r.out, "");
    r = run(NULL, apr_psprintf(pool, "create-user %s %s", owner_db("tasks"),
                               email));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no password on standard input"));
    r = run("correct horse battery\n", apr_psprintf(pool, "create-user %s "
            "not-an-email", owner_db("tasks")));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "email must be a valid email address"));
    ck_assert_str_eq(rows("tasks", apr_psprintf(pool, "SELECT count(*) FROM users"
                          " WHERE email = '%s' OR email = 'not-an-email'", email)),
                     "0\n");
}
END_TEST

START_TEST(reset_password_changes_what_verifies)
{
    const char *email = new_email("reset");
    tasks_session s, before;
    ran r;

    r = run("the first password\n", apr_psprintf(pool, "create-user %s %s",
                                                 owner_db("tasks"), email));
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(login(email, "the first password", &before).outcome, TASKS_DONE);
    r = run("a brand new secret\r\n", apr_psprintf(pool, "reset-password %s %s",
                                                   owner_db("tasks"), email));
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "changed"));
    ck_assert_ptr_null(strstr(r.out, "secret"));
    ck_assert_int_eq(login(email, "the first password", &s).outcome,
                     TASKS_UNAUTHENTICATED);
    /* The session begun with the old password is signed out. */
    ck_assert_int_eq(tasks_account_refresh(service(), before.refresh, "192.0.2.3",
                                           &s).outcome, TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(login(email, "a brand new secret", &s).outcome, TASKS_DONE);

    r = run("short\n", apr_psprintf(pool, "reset-password %s %s",
                                    owner_db("tasks"), email));
    ck_assert_int_eq(r.status, 1);
    ck_assert_int_eq(login(email, "a brand new secret", &s).outcome, TASKS_DONE);
    r = run("a brand new secret\n", apr_psprintf(pool, "reset-password %s "
            "nobody-%d@example.org", owner_db("tasks"), (int)getpid()));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no account with a password has this email"));
}
END_TEST

START_TEST(delete_user_removes_the_user_and_its_tasks)
{
    const char *email = new_email("deleted");
    tasks_value e = str(email), pw = str("correct horse battery");
    tasks_value none = { .kind = TASKS_VALUE_ABSENT };
    tasks_session s;
    tasks_claims claims;
    tasks_caller who;
    tasks_task_draft d;
    tasks_task_row row;
    tasks_user_row u;
    ran r;
    int i;

    ck_assert_int_eq(tasks_account_signup(service(), &e, &pw, &none, &s).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, s.token, apr_time_now(),
                                        &claims), TASKS_TOKEN_OK);
    who.user_id = s.user.id;
    who.jti = claims.jti;
    who.iat = claims.iat;
    who.sid = claims.sid;
    for (i = 0; i < 2; i++) {
        memset(&d, 0, sizeof d);
        d.title = str("doomed");
        ck_assert_int_eq(tasks_task_create(service(), &who, &d, NULL, &row, NULL).outcome,
                         TASKS_DONE);
    }

    r = run(NULL, apr_psprintf(pool, "delete-user %s %s", owner_db("tasks"),
                               email));
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, apr_psprintf(pool, "deleted user %s (%s) and its 2 "
                                         "tasks\n", s.user.id, email));
    ck_assert_str_eq(rows("tasks", apr_psprintf(pool, "SELECT (SELECT count(*) FROM"
                          " users WHERE id = '%s'), (SELECT count(*) FROM tasks"
                          " WHERE user_id = '%s')", s.user.id, s.user.id)),
                     "0|0\n");
    /* Its token is refused. */
    ck_assert_int_eq(tasks_account_caller(service(), &who, &u).outcome,
                     TASKS_DENIED);
    memset(&d, 0, sizeof d);
    d.title = str("too late");
    ck_assert_int_eq(tasks_task_create(service(), &who, &d, NULL, &row, NULL).outcome,
                     TASKS_DENIED);

    r = run(NULL, apr_psprintf(pool, "delete-user %s %s", owner_db("tasks"),
                               email));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no account with a password has this email"));
}
END_TEST

START_TEST(account_commands_ask_for_migrate_on_an_unmigrated_database)
{
    const char *db = new_database("empty");
    ran r = run("correct horse battery\n", apr_psprintf(pool, "create-user %s "
                "a@example.org", owner_db(db)));

    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "run mod-tasks migrate"), "%s", r.err);
}
END_TEST

/* ---- Usage and connections ---------------------------------------------- */

START_TEST(bad_usage_exits_2)
{
    static const char *const bad[] = {
        "", "frobnicate", "create-user --db x", "migrate", "migrate --db",
        "migrate --db x --name y", "create-user --db x a@example.org b@example.org",
        "reset-password --db x --grant-to r a@example.org", "migrate --db x extra",
        "delete-user --bogus a@example.org --db x",
    };
    size_t i;
    ran r;

    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = run(NULL, bad[i]);
        ck_assert_msg(r.status == 2, "mod-tasks %s: %d", bad[i], r.status);
        ck_assert_msg(strstr(r.err, "usage: mod-tasks"), "mod-tasks %s: %s",
                      bad[i], r.err);
        ck_assert_str_eq(r.out, "");
    }
    run_env = "MOD_TASKS_DB=";
    r = run(NULL, "migrate");
    run_env = "";
    ck_assert_int_eq(r.status, 2);
    r = run(NULL, "--version");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "mod-tasks " TASKS_VERSION "\n");
    r = run(NULL, "--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "reset-password"));
}
END_TEST

START_TEST(a_wrong_db_exits_1_without_echoing_a_password)
{
    const char *cases[] = {
        apr_psprintf(pool, "migrate --sql-dir %s/sql --db 'host=%s/nowhere port=1 "
                     "user=x password=sekrit-db-pw dbname=y'", env("TASKS_ROOT"),
                     env("WORK_DIR")),
        apr_psprintf(pool, "create-user --db '%s' someone@example.org",
                     db_params("tasks_app password=sekrit-db-pw", "tasks")),
        apr_psprintf(pool, "reset-password --db '%s' someone@example.org",
                     db_params("tasks_owner password=sekrit-db-pw", "no_such_db")),
    };
    size_t i;
    ran r;

    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        r = run("my-account-password\n", cases[i]);
        ck_assert_msg(r.status == 1, "%s: %d %s", cases[i], r.status, r.err);
        ck_assert_msg(strstr(r.err, "mod-tasks: cannot connect to the database: "),
                      "%s", r.err);
        ck_assert_msg(!strstr(r.err, "sekrit") && !strstr(r.out, "sekrit")
                      && !strstr(r.err, "my-account") && !strstr(r.out, "my-account"),
                      "%s%s", r.out, r.err);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *t = tcase_create("mod-tasks");
    SRunner *sr;
    int failed;

    apr_initialize();
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, migrate_applies_each_file_once_and_grants_as_migrate_sh_does);
    tcase_add_test(t, migrate_refuses_a_superuser_or_itself_before_applying_anything);
    tcase_add_test(t, a_failing_migration_leaves_nothing_of_itself);
    tcase_add_test(t, create_user_then_login_works);
    tcase_add_test(t, reset_password_changes_what_verifies);
    tcase_add_test(t, delete_user_removes_the_user_and_its_tasks);
    tcase_add_test(t, account_commands_ask_for_migrate_on_an_unmigrated_database);
    tcase_add_test(t, bad_usage_exits_2);
    tcase_add_test(t, a_wrong_db_exits_1_without_echoing_a_password);
    suite_add_tcase(s, t);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? 1 : 0;
}
