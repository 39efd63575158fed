/* test_foundation.c - health, unknown paths, wrong methods, a database
 * outage and recovery under a running httpd, and configuration errors
 * that must stop httpd at start-up; with test_harmless.c (which servers
 * need the directives, a site beside the module, the secret file). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

START_TEST(health_reports_ok)
{
    http_resp *r = http("GET", "/api/health", NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(r, "Content-Type"), "application/json");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "status")), "ok");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "database")), "ok");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "schema")), "ok");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "version")), "0.2.0");
    ck_assert_ptr_nonnull(strstr(http_header(r, "Server"), "mod_tasks/0.2.0"));
    http_free(r);
}
END_TEST

START_TEST(unknown_api_path_is_problem_404)
{
    const char *paths[] = { "/api/nope", "/api", "/api/", "/api/tasks/",
                            "/api/auth", "/api/tasks/1/complete/x" };
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        http_resp *r = http("GET", paths[i], NULL, NULL);
        assert_problem(r, 404);
        http_free(r);
    }
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
    http_resp *r = http("DELETE", "/api/health", NULL, NULL);

    assert_problem(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "GET, HEAD");
    http_free(r);
    r = http("GET", "/api/auth/login", NULL, NULL);
    assert_problem(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "POST");
    http_free(r);
}
END_TEST

/* TRACE is off (conf/tasks.conf): httpd's 405 goes out as a problem
 * document naming the path's methods, and nothing of the request (its
 * Authorization header) comes back. */
START_TEST(trace_is_off_with_a_problem_that_echoes_nothing)
{
    const char *hs[] = { "Authorization: Bearer secret-that-must-not-echo", NULL };
    http_resp *r = http("TRACE", "/api/tasks", NULL, hs);

    assert_problem(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "GET, HEAD, POST, DELETE");
    ck_assert_ptr_null(strstr(r->body, "secret-that-must-not-echo"));
    http_free(r);
}
END_TEST

/* httpd's own refusals become problem documents only under the API path:
 * the app's pages on the same host, and a site beside the module under
 * a prefix, keep httpd's page. */
START_TEST(httpd_pages_outside_the_api_stay_html)
{
    const char *urls[] = { "/x%2Fy", "/dashboard/a%00b", NULL, NULL };
    char *prefixed = fmt("%s/x%%2Fy", getenv("BASE_URL_PREFIX"));
    char *api_beside = fmt("%s/api/x%%2Fy", getenv("BASE_URL_PREFIX"));
    size_t i;

    urls[2] = prefixed;
    urls[3] = api_beside;
    for (i = 0; i < 4; i++) {
        http_resp *r = http("GET", urls[i], NULL, NULL);
        const char *ct = http_header(r, "Content-Type");

        ck_assert_msg(r->status == 404, "%s: %ld", urls[i], r->status);
        ck_assert_msg(ct && !strncmp(ct, "text/html", 9), "%s: Content-Type %s",
                      urls[i], ct ? ct : "(none)");
        http_free(r);
    }
    free(prefixed);
    free(api_beside);
}
END_TEST

START_TEST(openapi_document_is_served)
{
    http_resp *r = http("GET", "/api/openapi.json", NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(r->json);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "openapi")), "3.1.0");
    http_free(r);
}
END_TEST

/* The app's own files come from the DocumentRoot on the same server, with
 * the headers conf/tasks.conf gives them. */
START_TEST(frontend_is_served_next_to_the_api)
{
    const char *paths[] = { "/", "/openapi.json" };
    const char *types[] = { "text/html", "application/json" };
    size_t i;

    for (i = 0; i < 2; i++) {
        http_resp *r = http("GET", paths[i], NULL, NULL);
        const char *ct = http_header(r, "Content-Type");
        const char *xcto = http_header(r, "X-Content-Type-Options");

        ck_assert_msg(r->status == 200, "GET %s: %ld", paths[i], r->status);
        ck_assert_msg(ct && !strncmp(ct, types[i], strlen(types[i])),
                      "GET %s: Content-Type %s", paths[i], ct ? ct : "(none)");
        ck_assert_msg(xcto && !strcmp(xcto, "nosniff"),
                      "GET %s: X-Content-Type-Options %s", paths[i],
                      xcto ? xcto : "(none)");
        http_free(r);
    }
}
END_TEST

/* PostgreSQL stops under a running httpd: health answers 503 quickly with
 * Retry-After; once it is back, health and every prepared statement work
 * again without restarting httpd (sessions are re-established and their
 * statements prepared again). */
/* Lines of the stack's error log that say the database is unreachable. */
static int outage_log_lines(void)
{
    char *path = fmt("%s/error.log", getenv("STACK_DIR")), line[4096];
    FILE *f = fopen(path, "r");
    int n = 0;

    ck_assert_msg(f != NULL, "cannot read %s", path);
    while (fgets(line, sizeof line, f))
        if (strstr(line, "TASKS0103:") || strstr(line, "TASKS0104:")
            || strstr(line, "TASKS0107:") || strstr(line, "TASKS0109:")
            || strstr(line, "TASKS0111:"))
            n++;
    fclose(f);
    free(path);
    return n;
}

/* One of the concurrent requests after a restart. */
typedef struct {
    pthread_barrier_t *start;
    const char *token;
    long status;
    char body[256];
} racer;

static void *race_list(void *arg)
{
    racer *rc = arg;
    http_resp *r;

    pthread_barrier_wait(rc->start);
    r = http_auth("GET", "/api/tasks", rc->token, NULL);
    rc->status = r->status;
    snprintf(rc->body, sizeof rc->body, "%s", r->body);
    http_free(r);
    return NULL;
}

/* 16 requests at once: every pooled connection of both children (2 x 4)
 * is taken, including those no request used before the restart. */
static void concurrent_lists_succeed(const char *token)
{
    enum { N = 16 };
    pthread_barrier_t start;
    pthread_t th[N];
    racer rc[N];
    int i;

    pthread_barrier_init(&start, NULL, N);
    for (i = 0; i < N; i++) {
        rc[i].start = &start;
        rc[i].token = token;
        ck_assert_int_eq(pthread_create(&th[i], NULL, race_list, &rc[i]), 0);
    }
    for (i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    for (i = 0; i < N; i++)
        ck_assert_msg(rc[i].status == 200, "concurrent request %d after the "
                      "restart: %ld %s", i, rc[i].status, rc[i].body);
}

START_TEST(database_outage_and_recovery)
{
    char *token = make_user("outage", NULL);
    http_resp *r;
    int i, logged;

    make_task(token, "{\"title\":\"before the outage\"}");
    ck_assert_int_eq(stack("pg-down"), 0);
    /* 30 requests fail within a few seconds: each child (2) logs the
     * outage at most once per 5 s, not once per request. */
    logged = outage_log_lines();
    for (i = 0; i < 30; i++) {
        r = http_auth("GET", "/api/tasks", token, NULL);
        assert_problem(r, 503);
        http_free(r);
    }
    logged = outage_log_lines() - logged;
    ck_assert_msg(logged >= 1 && logged <= 4, "%d outage lines for 30 failed "
                  "requests", logged);
    for (i = 0; i < 3; i++) {
        r = http("GET", "/api/health", NULL, NULL);
        ck_assert_status(r, 503);
        ck_assert_msg(r->seconds < 2.0, "health took %.2fs", r->seconds);
        ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
        ck_assert_str_eq(json_string_value(json_object_get(r->json, "status")),
                         "unavailable");
        http_free(r);
    }
    r = http_auth("GET", "/api/tasks", token, NULL);
    assert_problem(r, 503);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    http_free(r);

    ck_assert_int_eq(stack("pg-up"), 0);
    /* PgBouncer tries a failed server login again only after
     * server_login_retry (1 s in the stack): until then it refuses for
     * PostgreSQL. Directly, the first requests succeed. */
    if (behind_pooler())
        ck_assert_msg(wait_healthy(5.0) >= 0, "not healthy through PgBouncer");
    concurrent_lists_succeed(token);
    /* Every pooled connection is used at least once: each must come back
     * with its statements (the pool holds at most 2 x 4 connections). */
    for (i = 0; i < 40; i++) {
        r = http_auth("GET", "/api/tasks", token, NULL);
        ck_assert_msg(r->status == 200, "request %d after restart: %ld %s",
                      i, r->status, r->body);
        http_free(r);
    }
    r = http("GET", "/api/health", NULL, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    make_task(token, "{\"title\":\"after the outage\"}");
    free(token);
}
END_TEST

START_TEST(good_config_passes_configtest)
{
    char *out;

    ck_assert_int_eq(configtest("", &out), 0);
    free(out);
}
END_TEST

/* Each bad directive value stops httpd at start-up, naming it. */
static const struct { const char *line, *expect; } bad_directives[] = {
    { "TasksJWTLifetime soon", "TasksJWTLifetime" },
    { "TasksJWTLifetime 0", "TasksJWTLifetime" },
    { "TasksJWTLifetime 4", "between 5 and 2592000" },
    { "TasksSessionLifetime 4", "TasksSessionLifetime: '4' is not a number of seconds between 5 and 31622400" },
    { "TasksSessionLifetime 31622401", "TasksSessionLifetime" },
    { "TasksSessionLifetime month", "TasksSessionLifetime" },
    { "TasksJWTLeeway -5", "TasksJWTLeeway" },
    { "TasksMaxBodySize 12kb", "TasksMaxBodySize" },
    { "TasksLoginThrottle 5 0 50", "TasksLoginThrottle" },
    { "TasksLoginThrottle 5 900", "TasksLoginThrottle" },
    { "TasksCORSAllowOrigin *", "TasksCORSAllowOrigin" },
    { "TasksCORSAllowOrigin https://app.example.org/path", "TasksCORSAllowOrigin" },
    { "TasksSignup maybe", "TasksSignup" },
    { "TasksJWTSecretFile /nonexistent/jwt.secret", "cannot read" },
    { "TasksBasePath tasks/", "TasksBasePath: 'tasks/' must start with '/'" },
    { "TasksBasePath /tasks//app", "TasksBasePath" },
    { "TasksBasePath /tasks/../admin", "TasksBasePath" },
    { "TasksBasePath /ta;sks", "TasksBasePath" },
    { "TasksBasePath \"/my tasks\"", "TasksBasePath" },
    { "<Location /x>\nTasksBasePath /tasks/\n</Location>", "TasksBasePath not allowed" },
};

START_TEST(bad_directive_value_stops_startup_naming_it)
{
    const char *line = bad_directives[_i].line, *expect = bad_directives[_i].expect;
    char *out;

    ck_assert_msg(configtest(line, &out) != 0, "'%s' passed configtest", line);
    ck_assert_msg(strstr(out, expect), "'%s': %s", line, out);
    free(out);
}
END_TEST

/* A secret shorter than 32 bytes (a trailing newline does not count). */
START_TEST(secret_shorter_than_32_bytes_stops_startup)
{
    const char *dir = getenv("STACK_DIR");
    char *out, *line;

    line = fmt("printf 'short-secret-of-31-bytes-123456\\n' > %s/short.secret", dir);
    ck_assert_int_eq(system(line), 0);
    free(line);
    line = fmt("TasksJWTSecretFile %s/short.secret", dir);
    ck_assert_int_ne(configtest(line, &out), 0);
    ck_assert_msg(strstr(out, "at least 32"), "%s", out);
    free(out);
    free(line);
}
END_TEST

/* Run SQL in the stack's database; its exit status. */
static int stack_sql(const char *sql)
{
    char *cmd = fmt(". %s/pg.env; psql -X -q -At -h $PGHOST -p $PGPORT -U tasks "
                    "-d tasks -c \"%s\" > /dev/null", getenv("STACK_DIR"), sql);
    int rc = system(cmd);

    free(cmd);
    return rc;
}

/* Lines of the stack's error log that carry tag. */
static int log_lines_with(const char *tag)
{
    char *path = fmt("%s/error.log", getenv("STACK_DIR")), line[4096];
    FILE *f = fopen(path, "r");
    int n = 0;

    ck_assert_msg(f != NULL, "cannot read %s", path);
    while (fgets(line, sizeof line, f))
        n += strstr(line, tag) != NULL;
    fclose(f);
    free(path);
    return n;
}

/* After the outage tests, even failed ones: the migration record the
 * schema test hides is back (later suites need it). */
static void schema_record_restored(void)
{
    stack_sql("UPDATE schema_migrations SET version = replace(version, "
              "'-hidden', '')");
}

/* The last migration is missing (its record hidden, every session
 * renewed): health says the schema is behind (503), a task request gets
 * 503 and never 500, the log says so at most once per child; with the
 * migration back, everything works again. */
START_TEST(schema_behind_the_module_is_503_and_reported)
{
    char *token = make_user("schema", NULL);
    char *hide = fmt("UPDATE schema_migrations SET version = version || '-hidden'"
                     " WHERE version = (SELECT max(version) FROM schema_migrations)");
    const char *renew = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = 'tasks' AND pid <> pg_backend_pid()";
    http_resp *r;
    int i, warned = log_lines_with("TASKS0110:");

    ck_assert_int_eq(stack_sql(hide), 0);
    /* Behind PgBouncer, httpd's connections are PgBouncer's clients,
     * which ending PostgreSQL's sessions leaves open: new children (a
     * graceful restart) make new ones. */
    if (behind_pooler())
        ck_assert_int_eq(stack("httpd-graceful"), 0);
    else
        ck_assert_int_eq(stack_sql(renew), 0);
    for (i = 0; i < 10; i++) {
        r = http_auth("GET", "/api/tasks", token, NULL);
        assert_problem(r, 503);
        http_free(r);
    }
    r = http("GET", "/api/health", NULL, NULL);
    ck_assert_status(r, 503);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "schema")), "behind");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "database")), "ok");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(r->json, "version")));
    http_free(r);
    warned = log_lines_with("TASKS0110:") - warned;
    ck_assert_msg(warned >= 1 && warned <= 2, "TASKS0110 logged %d times by 2 "
                  "children", warned);
    ck_assert_int_eq(stack_sql("UPDATE schema_migrations SET version = "
                               "replace(version, '-hidden', '')"), 0);
    r = http("GET", "/api/health", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "schema")), "ok");
    http_free(r);
    r = http_auth("GET", "/api/tasks", token, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    /* Connections no request had used before their sessions were ended
     * (each child's later pooled ones) work too. */
    concurrent_lists_succeed(token);
    free(hide);
    free(token);
}
END_TEST

/* make migrate applies nothing twice: a second run against the stack's
 * database (already migrated by the stack) leaves schema_migrations as it
 * was and succeeds. Run as the README says: as the owner role, granting
 * the runtime role its privileges again (test_database.c checks them
 * afterwards). */
START_TEST(migrations_are_idempotent)
{
    const char *dir = getenv("STACK_DIR");
    char *count = fmt(". %s/pg.env; psql -X -At -h $PGHOST -p $PGPORT -U tasks -d tasks "
                      "-c 'SELECT count(*) FROM schema_migrations' > %s/mig.count", dir, dir);
    char *migrate = fmt(". %s/pg.env; make -s -C %s migrate "
                        "DATABASE_URL=\"postgresql:///tasks?host=$PGHOST&port=$PGPORT&user=$TASKS_DB_OWNER\" "
                        "GRANT_TO=\"$TASKS_DB_USER\" "
                        "> %s/mig.out 2>&1", dir, getenv("TASKS_ROOT"), dir);
    char *path = fmt("%s/mig.count", dir);
    char before[32] = "", after[32] = "";
    FILE *f;

    ck_assert_int_eq(system(count), 0);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(fgets(before, sizeof(before), f));
    fclose(f);
    ck_assert_int_eq(system(migrate), 0);
    ck_assert_int_eq(system(migrate), 0);
    ck_assert_int_eq(system(count), 0);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(fgets(after, sizeof(after), f));
    fclose(f);
    ck_assert_int_ge(atoi(before), 1);
    ck_assert_str_eq(before, after);
    free(count);
    free(migrate);
    free(path);
}
END_TEST

Suite *foundation_suite(void)
{
    Suite *s = suite_create("foundation");
    TCase *tc = tcase_create("http");
    TCase *outage = tcase_create("outage");
    TCase *config = tcase_create("config");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, health_reports_ok);
    tcase_add_test(tc, unknown_api_path_is_problem_404);
    tcase_add_test(tc, wrong_method_is_405_with_allow);
    tcase_add_test(tc, openapi_document_is_served);
    tcase_add_test(tc, trace_is_off_with_a_problem_that_echoes_nothing);
    tcase_add_test(tc, httpd_pages_outside_the_api_stay_html);
    tcase_add_test(tc, frontend_is_served_next_to_the_api);
    suite_add_tcase(s, tc);
    tcase_set_timeout(outage, 90);
    tcase_add_unchecked_fixture(outage, NULL, schema_record_restored);
    tcase_add_test(outage, database_outage_and_recovery);
    tcase_add_test(outage, schema_behind_the_module_is_503_and_reported);
    suite_add_tcase(s, outage);
    tcase_set_timeout(config, 60);
    tcase_add_test(config, good_config_passes_configtest);
    tcase_add_loop_test(config, bad_directive_value_stops_startup_naming_it, 0,
                        (int)(sizeof(bad_directives) / sizeof(*bad_directives)));
    tcase_add_test(config, secret_shorter_than_32_bytes_stops_startup);
    tcase_add_test(config, migrations_are_idempotent);
    suite_add_tcase(s, config);
    harmless_tcases(s);     /* test_harmless.c */
    counters_tcases(s);     /* test_counters.c */
    database_tcases(s);     /* test_database.c */
    keys_tcases(s);         /* test_keys.c */
    return s;
}
