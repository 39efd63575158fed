/* test_account.c - a person's own account: staying signed in with
 * rotating refresh cookies (POST /api/auth/refresh), the export of
 * everything that is theirs (GET /api/auth/export), its deletion
 * (DELETE /api/auth/me),
 * signing out everywhere (POST /api/auth/logout-all), changing the
 * password (POST /api/auth/password) and setting a new one with a code
 * from the admin command (POST /api/auth/reset), through the real httpd
 * and PostgreSQL. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "correct horse battery"

typedef struct {
    char *email, *id, *token;
} person;

static person sign_up(const char *prefix)
{
    static unsigned counter;
    person p;
    char *body;
    http_resp *r;

    p.email = fmt("%s-%d-%u-%ld@example.org", prefix, (int)getpid(), counter++,
                  random());
    body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", p.email);
    r = http("POST", "/api/auth/signup", body, NULL);
    ck_assert_status(r, 201);
    p.token = strdup(json_string_value(json_object_get(r->json, "token")));
    p.id = strdup(json_string_value(json_object_get(json_object_get(r->json, "user"), "id")));
    http_free(r);
    free(body);
    return p;
}

static void forget(person *p)
{
    free(p->email);
    free(p->id);
    free(p->token);
}

/* DELETE /api/auth/me with body (NULL: none) and the person's token. */
static http_resp *delete_me(const person *p, const char *body)
{
    char *auth = fmt("Authorization: Bearer %s", p->token);
    const char *hs[] = { auth, NULL };
    http_resp *r = http("DELETE", "/api/auth/me", body, hs);

    free(auth);
    return r;
}

static long long count_of(const char *sql_fmt, const char *arg)
{
    char *sql = fmt(sql_fmt, arg), *out = db_query(sql);
    long long n = atoll(out);

    free(out);
    free(sql);
    return n;
}

/* ---- export ------------------------------------------------------------ */

/* The export holds the caller's user and each of their tasks exactly as
 * GET /api/tasks/{id} shows it (every field), in id order, and nothing of
 * another person's; it is a download that no cache keeps. */
START_TEST(export_holds_every_field_of_the_callers_tasks_only)
{
    person a = sign_up("export-a"), b = sign_up("export-b");
    long long ids[2], theirs;
    http_resp *r, *one;
    json_t *tasks;
    const char *cd;
    size_t i;

    ids[0] = make_task(a.token, "{\"title\":\"plain\"}");
    ids[1] = make_task(a.token, "{\"title\":\"every field\",\"description\":\"d\","
                       "\"completed\":true,\"priority\":\"high\",\"due_at\":"
                       "\"2026-12-01T18:00:00+01:00\",\"tags\":[\"home\",\"x\"]}");
    theirs = make_task(b.token, "{\"title\":\"not a's\"}");

    r = http_auth("GET", "/api/auth/export", a.token, NULL);
    ck_assert_status(r, 200);
    cd = http_header(r, "Content-Disposition");
    ck_assert_msg(cd && !strncmp(cd, "attachment; filename=\"tasks-export-", 35),
                  "Content-Disposition %s", cd ? cd : "(none)");
    ck_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json, "user"), "id")), a.id);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json, "user"), "email")), a.email);
    /* The Inbox, with both tasks in it. */
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "lists")), 1);
    ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(r->json,
                           "lists"), 0), "inbox")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
        json_object_get(r->json, "lists"), 0), "task_count")), 2);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(r->json, "exported_at")));
    tasks = json_object_get(r->json, "tasks");
    ck_assert_int_eq(json_array_size(tasks), 2);
    for (i = 0; i < 2; i++) {
        char *path = fmt("/api/tasks/%lld", ids[i]);

        one = http_auth("GET", path, a.token, NULL);
        ck_assert_status(one, 200);
        ck_assert_msg(json_equal(one->json, json_array_get(tasks, i)),
                      "task %lld differs from GET %s", ids[i], path);
        ck_assert_int_ne(json_integer_value(json_object_get(json_array_get(tasks, i), "id")),
                         theirs);
        http_free(one);
        free(path);
    }
    http_free(r);
    forget(&a);
    forget(&b);
}
END_TEST

START_TEST(export_of_a_person_without_tasks_has_none)
{
    person a = sign_up("export-empty");
    http_resp *r = http_auth("GET", "/api/auth/export", a.token, NULL);

    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "tasks")), 0);
    http_free(r);
    forget(&a);
}
END_TEST

/* ---- deletion ------------------------------------------------------------ */

/* A wrong password deletes nothing: 401 with a detail that says so, and
 * the account and its tasks are all still there. */
START_TEST(delete_with_a_wrong_password_deletes_nothing)
{
    person a = sign_up("delete-wrong");
    http_resp *r;

    make_task(a.token, "{\"title\":\"still here\"}");
    r = delete_me(&a, "{\"password\":\"not the password\"}");
    assert_problem(r, 401);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "detail")),
                     "the password is wrong; nothing was deleted");
    http_free(r);
    r = http_auth("GET", "/api/tasks", a.token, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 1);
    http_free(r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM users WHERE id = '%s';", a.id), 1);
    forget(&a);
}
END_TEST

/* An account with a password needs it to be deleted: 422 naming
 * `password`, without a body or with one that lacks it. */
START_TEST(delete_without_the_password_is_422)
{
    person a = sign_up("delete-nopw");
    const char *bodies[] = { NULL, "{}", "{\"password\":42}" };
    size_t i;

    for (i = 0; i < 3; i++) {
        http_resp *r = delete_me(&a, bodies[i]);

        assert_problem(r, 422);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
            json_object_get(r->json, "errors"), 0), "field")), "password");
        http_free(r);
    }
    ck_assert_int_eq(count_of("SELECT count(*) FROM users WHERE id = '%s';", a.id), 1);
    forget(&a);
}
END_TEST

/* With the password: 204 and the cookie cleared; the user, the tasks and
 * the failed logins kept for the email are gone from the database, and
 * the token is refused everywhere, the export included. */
START_TEST(delete_removes_the_account_its_tasks_and_its_failed_logins)
{
    person a = sign_up("delete-ok");
    char *login = fmt("{\"email\":\"%s\",\"password\":\"wrong\"}", a.email);
    char *body = fmt("{\"password\":\"" PASSWORD "\"}");
    const char *cookie;
    http_resp *r;

    make_task(a.token, "{\"title\":\"one\"}");
    make_task(a.token, "{\"title\":\"two\"}");
    /* A failed login from another address, which the deletion must not
     * leave behind. */
    http_set_source("127.0.0.77");
    r = http("POST", "/api/auth/login", login, NULL);
    http_set_source(NULL);
    assert_problem(r, 401);
    http_free(r);
    ck_assert_int_ge(count_of("SELECT count(*) FROM login_failures WHERE email = lower('%s');",
                              a.email), 1);

    r = delete_me(&a, body);
    ck_assert_status(r, 204);
    cookie = http_header(r, "Set-Cookie");
    ck_assert_msg(cookie && strstr(cookie, "Max-Age=0"), "Set-Cookie %s",
                  cookie ? cookie : "(none)");
    http_free(r);

    ck_assert_int_eq(count_of("SELECT count(*) FROM users WHERE id = '%s';", a.id), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM tasks WHERE user_id = '%s';", a.id), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM login_failures WHERE email = lower('%s');",
                              a.email), 0);
    r = http_auth("GET", "/api/auth/me", a.token, NULL);
    assert_problem(r, 401);
    http_free(r);
    r = http_auth("GET", "/api/auth/export", a.token, NULL);
    assert_problem(r, 401);
    http_free(r);
    r = delete_me(&a, body);
    assert_problem(r, 401);
    http_free(r);
    free(login);
    free(body);
    forget(&a);
}
END_TEST

/* A wrong password for a deletion counts as a failed login: on the
 * virtual host with TasksLoginThrottle 3 60 6, the fourth wrong try is a
 * 429, and so is a login with the right password then. */
START_TEST(wrong_delete_passwords_count_as_failed_logins)
{
    person a = sign_up("delete-throttle");
    char *url = fmt("%s/api/auth/me", base_url2());
    char *auth = fmt("Authorization: Bearer %s", a.token);
    char *login = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", a.email);
    char *login_url = fmt("%s/api/auth/login", base_url2());
    const char *hs[] = { auth, NULL };
    http_resp *r;
    int i;

    http_set_source("127.0.0.78");
    for (i = 0; i < 3; i++) {
        r = http("DELETE", url, "{\"password\":\"wrong\"}", hs);
        assert_problem(r, 401);
        http_free(r);
    }
    r = http("DELETE", url, "{\"password\":\"wrong\"}", hs);
    assert_problem(r, 429);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    http_free(r);
    r = http("POST", login_url, login, NULL);
    assert_problem(r, 429);
    http_free(r);
    http_set_source(NULL);
    ck_assert_int_eq(count_of("SELECT count(*) FROM users WHERE id = '%s';", a.id), 1);
    free(url);
    free(auth);
    free(login);
    free(login_url);
    forget(&a);
}
END_TEST

/* ---- sessions: sign out everywhere, password change ----------------------- */

/* A login of p's (another session); its token (malloc'd), asserting 200. */
static char *log_in(const person *p, const char *password)
{
    return log_in_as(p->email, password);
}

static long status_with(const char *token, const char *method, const char *path)
{
    http_resp *r = http_auth(method, path, token, NULL);
    long status = r->status;

    http_free(r);
    return status;
}

/* Every token of the account stops working, the caller's too, on the
 * account routes and on task routes (checked in their statements); the
 * tasks stay, and a login a second later works again. */
START_TEST(logout_all_ends_every_session_this_one_too)
{
    person a = sign_up("everywhere");
    char *other = log_in(&a, PASSWORD), *task_path, *again;
    long long id = make_task(a.token, "{\"title\":\"survives\"}");
    const char *cookie;
    http_resp *r;

    task_path = fmt("/api/tasks/%lld", id);
    r = http_auth("POST", "/api/auth/logout-all", a.token, NULL);
    ck_assert_status(r, 204);
    cookie = http_header(r, "Set-Cookie");
    ck_assert_msg(cookie && strstr(cookie, "Max-Age=0"), "Set-Cookie %s",
                  cookie ? cookie : "(none)");
    http_free(r);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/auth/me"), 401);
    ck_assert_int_eq(status_with(other, "GET", "/api/auth/me"), 401);
    ck_assert_int_eq(status_with(other, "GET", task_path), 401);
    ck_assert_int_eq(status_with(other, "GET", "/api/tasks"), 401);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/auth/export"), 401);
    /* A login at once works: its session is new. */
    again = log_in(&a, PASSWORD);
    ck_assert_int_eq(status_with(again, "GET", task_path), 200);
    free(again);
    free(other);
    free(task_path);
    forget(&a);
}
END_TEST

/* The session that changes the password goes on; every other one ends;
 * the old password no longer logs in, the new one does. A wrong current
 * password or a short new one changes nothing. */
START_TEST(password_change_keeps_this_session_and_ends_the_others)
{
    person a = sign_up("password");
    char *other = log_in(&a, PASSWORD), *fresh;
    char *login_old = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", a.email);
    http_resp *r;

    r = http_auth("POST", "/api/auth/password", a.token,
                  "{\"current_password\":\"wrong\",\"new_password\":\"a new horse battery\"}");
    assert_problem(r, 401);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "detail")),
                     "the current password is wrong; nothing was changed");
    http_free(r);
    r = http_auth("POST", "/api/auth/password", a.token,
                  "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"short\"}");
    assert_problem(r, 422);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
        json_object_get(r->json, "errors"), 0), "field")), "new_password");
    http_free(r);
    ck_assert_int_eq(status_with(other, "GET", "/api/auth/me"), 200);

    r = http_auth("POST", "/api/auth/password", a.token,
                  "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"a new horse battery\"}");
    ck_assert_status(r, 204);
    http_free(r);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/auth/me"), 200);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/tasks"), 200);
    ck_assert_int_eq(status_with(other, "GET", "/api/auth/me"), 401);
    ck_assert_int_eq(status_with(other, "GET", "/api/tasks"), 401);
    r = http("POST", "/api/auth/login", login_old, NULL);
    assert_problem(r, 401);
    http_free(r);
    fresh = log_in(&a, "a new horse battery");
    ck_assert_int_eq(status_with(fresh, "GET", "/api/tasks"), 200);
    free(fresh);
    free(other);
    free(login_old);
    forget(&a);
}
END_TEST

/* A wrong current password counts as a failed login: on the virtual host
 * with TasksLoginThrottle 3 60 6 the fourth is a 429. */
START_TEST(wrong_current_passwords_count_as_failed_logins)
{
    person a = sign_up("password-throttle");
    char *url = fmt("%s/api/auth/password", base_url2());
    char *auth = fmt("Authorization: Bearer %s", a.token);
    const char *hs[] = { auth, NULL };
    const char *body = "{\"current_password\":\"wrong\",\"new_password\":\"a new horse battery\"}";
    http_resp *r;
    int i;

    http_set_source("127.0.0.79");
    for (i = 0; i < 3; i++) {
        r = http("POST", url, body, hs);
        assert_problem(r, 401);
        http_free(r);
    }
    r = http("POST", url, body, hs);
    assert_problem(r, 429);
    http_free(r);
    http_set_source(NULL);
    free(url);
    free(auth);
    forget(&a);
}
END_TEST

/* ---- reset codes ------------------------------------------------------------ */

/* `mod-tasks reset-code` (the checkout's build) for email, as the schema's
 * owner, as an administrator runs it; its code (malloc'd). */
static char *issue_reset_code(const char *email)
{
    char *cmd = fmt(". %s/pg.env; %s/build/mod-tasks reset-code --db "
                    "\"host=$PGHOST port=$PGPORT dbname=tasks user=$TASKS_DB_OWNER\" '%s' 2>&1",
                    getenv("STACK_DIR"), getenv("TASKS_ROOT"), email);
    FILE *f = popen(cmd, "r");
    char line[512] = "", *code = NULL, *at;

    ck_assert_ptr_nonnull(f);
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    ck_assert_int_eq(pclose(f), 0);
    if ((at = strstr(line, "valid for 30 minutes: ")))
        code = strndup(at + 22, 19);
    ck_assert_msg(code && strlen(code) == 19, "mod-tasks reset-code said: %s", line);
    free(cmd);
    return code;
}

static http_resp *reset_with(const char *base, const char *code, const char *password)
{
    char *url = fmt("%s/api/auth/reset", base);
    char *body = fmt("{\"code\":\"%s\",\"new_password\":\"%s\"}", code, password);
    http_resp *r = http("POST", url, body, NULL);

    free(url);
    free(body);
    return r;
}

static void assert_code_refused(http_resp *r)
{
    assert_problem(r, 400);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "detail")),
                     "the code is unknown, used or expired");
    http_free(r);
}

/* A code from the admin command sets a new password once: every session
 * ends, the old password no longer logs in, the new one does; the same
 * code again, a wrong one and an expired one get one answer, and a short
 * new password changes nothing. */
START_TEST(a_reset_code_sets_a_new_password_once_and_signs_out_everywhere)
{
    person a = sign_up("reset");
    char *code = issue_reset_code(a.email), *fresh, *lowered, *late, *sql;
    char *login_old = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", a.email);
    http_resp *r;
    size_t i;

    r = reset_with(base_url(), code, "short");
    assert_problem(r, 422);
    http_free(r);
    assert_code_refused(reset_with(base_url(), "0000-0000-0000-0000", "a reset horse battery"));
    ck_assert_int_eq(status_with(a.token, "GET", "/api/auth/me"), 200);

    /* Typed in lower case, as a person might. */
    lowered = strdup(code);
    for (i = 0; lowered[i]; i++)
        if (lowered[i] >= 'A' && lowered[i] <= 'Z')
            lowered[i] = (char)(lowered[i] - 'A' + 'a');
    r = reset_with(base_url(), lowered, "a reset horse battery");
    ck_assert_status(r, 204);
    http_free(r);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/auth/me"), 401);
    ck_assert_int_eq(status_with(a.token, "GET", "/api/tasks"), 401);
    r = http("POST", "/api/auth/login", login_old, NULL);
    assert_problem(r, 401);
    http_free(r);
    assert_code_refused(reset_with(base_url(), code, "another horse battery"));
    fresh = log_in(&a, "a reset horse battery");
    ck_assert_int_eq(status_with(fresh, "GET", "/api/tasks"), 200);

    /* An expired code is refused like a used one, and changes nothing. */
    late = issue_reset_code(a.email);
    sql = fmt("UPDATE reset_codes SET expires_at = now() - interval '1 second'"
              " WHERE user_id = '%s';", a.id);
    free(db_query(sql));
    assert_code_refused(reset_with(base_url(), late, "a late horse battery"));
    ck_assert_int_eq(status_with(fresh, "GET", "/api/tasks"), 200);
    free(sql);
    free(fresh);
    free(late);
    free(lowered);
    free(login_old);
    free(code);
    forget(&a);
}
END_TEST

/* Wrong codes are throttled as logins are, per client address: on the
 * virtual host with TasksLoginThrottle 3 60 6 the fourth is a 429, even
 * with a valid code, which stays unspent; another address goes on. */
START_TEST(wrong_reset_codes_are_throttled_per_address)
{
    person a = sign_up("reset-throttle");
    char *code = issue_reset_code(a.email);
    http_resp *r;
    int i;

    http_set_source("127.0.0.80");
    for (i = 0; i < 3; i++)
        assert_code_refused(reset_with(base_url2(), "0000-0000-0000-0000", "a reset horse battery"));
    r = reset_with(base_url2(), code, "a reset horse battery");
    assert_problem(r, 429);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    http_free(r);
    http_set_source("127.0.0.81");
    r = reset_with(base_url2(), code, "a reset horse battery");
    ck_assert_status(r, 204);
    http_free(r);
    http_set_source(NULL);
    free(code);
    forget(&a);
}
END_TEST

/* ---- staying signed in ------------------------------------------------------ */

/* A session as the browser holds it: the access token and the refresh
 * cookie's value. */
typedef struct {
    char *token, *refresh;
} held;

static void let_go(held *h)
{
    free(h->token);
    free(h->refresh);
}

/* The session an answer (login, signup, refresh) hands out; its refresh
 * cookie is scoped to the refresh path and lasts max_age seconds. */
static held held_from(const http_resp *r, long max_age)
{
    const char *set = http_set_cookie(r, "tasks_refresh");
    char *tail;
    held h;

    h.token = strdup(json_string_value(json_object_get(r->json, "token")));
    h.refresh = http_cookie_value(r, "tasks_refresh");
    ck_assert_msg(set && h.refresh && strlen(h.refresh) == 43,
                  "refresh cookie: %s", set ? set : "(none)");
    tail = fmt("; Path=/api/auth/refresh; Max-Age=%ld; HttpOnly; SameSite=Strict",
               max_age);
    ck_assert_str_eq(set + strlen("tasks_refresh=") + 43, tail);
    free(tail);
    return h;
}

/* Log in at base (base_url() or base_url2()). */
static held log_in_at(const char *base, const person *p, long max_age)
{
    char *url = fmt("%s/api/auth/login", base);
    char *body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", p->email);
    http_resp *r = http("POST", url, body, NULL);
    held h;

    ck_assert_status(r, 200);
    h = held_from(r, max_age);
    http_free(r);
    free(body);
    free(url);
    return h;
}

/* POST /api/auth/refresh at base with the refresh cookie value (NULL:
 * no cookie at all). */
static http_resp *refresh_at(const char *base, const char *value)
{
    char *url = fmt("%s/api/auth/refresh", base);
    char *cookie = value ? fmt("Cookie: tasks_refresh=%s", value) : NULL;
    const char *hs[] = { cookie, NULL };
    http_resp *r = http("POST", url, NULL, cookie ? hs : NULL);

    free(cookie);
    free(url);
    return r;
}

/* A refused refresh: the one 401 problem, both cookies cleared. */
static void assert_refresh_refused(http_resp *r)
{
    const char *session = http_set_cookie(r, "tasks_session");
    const char *refresh = http_set_cookie(r, "tasks_refresh");

    assert_problem(r, 401);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "detail")),
                     "the session has ended; sign in again");
    ck_assert_msg(session && strstr(session, "Max-Age=0"), "%s", session ? session : "(none)");
    ck_assert_msg(refresh && strstr(refresh, "Max-Age=0"), "%s", refresh ? refresh : "(none)");
    http_free(r);
}

/* A refresh answers as a login does (the user, a new token, its
 * lifetime) with a new refresh value; the new token acts, and both
 * tokens belong to one session. */
START_TEST(refresh_answers_as_login_with_a_new_token_and_value)
{
    person a = sign_up("refresh");
    held first = log_in_at(base_url(), &a, 2592000), next;
    http_resp *r = refresh_at(base_url(), first.refresh);
    char *want;

    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json, "user"),
                                                       "email")), a.email);
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "token_type")), "Bearer");
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "expires_in")), 3600);
    next = held_from(r, 2592000);
    ck_assert_str_ne(next.refresh, first.refresh);
    ck_assert_str_ne(next.token, first.token);
    want = fmt("tasks_session=%s; Path=/api; Max-Age=3600; HttpOnly; SameSite=Strict",
               next.token);
    ck_assert_str_eq(http_set_cookie(r, "tasks_session"), want);
    free(want);
    http_free(r);
    ck_assert_int_eq(status_with(next.token, "GET", "/api/tasks"), 200);
    let_go(&next);
    let_go(&first);
    forget(&a);
}
END_TEST

/* A value presented a second time signs out the chain it belongs to:
 * the value that replaced it and every token of the session stop
 * working, and the log says so (TASKS0310); the account's other
 * sessions go on. */
START_TEST(a_refresh_value_used_twice_signs_out_its_chain)
{
    person a = sign_up("reuse");
    held first = log_in_at(base_url(), &a, 2592000),
         elsewhere = log_in_at(base_url(), &a, 2592000), next;
    http_resp *r = refresh_at(base_url(), first.refresh);
    char *grep;

    ck_assert_status(r, 200);
    next = held_from(r, 2592000);
    http_free(r);
    ck_assert_int_eq(status_with(first.token, "GET", "/api/tasks"), 200);
    assert_refresh_refused(refresh_at(base_url(), first.refresh));
    assert_refresh_refused(refresh_at(base_url(), next.refresh));
    ck_assert_int_eq(status_with(next.token, "GET", "/api/tasks"), 401);
    ck_assert_int_eq(status_with(first.token, "GET", "/api/auth/me"), 401);
    ck_assert_int_eq(status_with(elsewhere.token, "GET", "/api/tasks"), 200);
    grep = fmt("grep -q 'TASKS0310: a refresh value of user %s was used a second "
               "time, from client 127.0.0.1; that session is signed out' %s/error.log",
               a.id, getenv("STACK_DIR"));
    ck_assert_msg(system(grep) == 0, "no TASKS0310 line for %s", a.id);
    free(grep);
    let_go(&next);
    let_go(&elsewhere);
    let_go(&first);
    forget(&a);
}
END_TEST

/* No cookie, a tampered value and one of another shape get the same 401
 * and end nothing: the genuine value still refreshes afterwards. */
START_TEST(a_missing_or_tampered_refresh_cookie_is_401_and_ends_nothing)
{
    person a = sign_up("tampered");
    held h = log_in_at(base_url(), &a, 2592000);
    char *tampered = strdup(h.refresh);
    http_resp *r;

    tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
    assert_refresh_refused(refresh_at(base_url(), NULL));
    assert_refresh_refused(refresh_at(base_url(), tampered));
    assert_refresh_refused(refresh_at(base_url(), "not-a-refresh-value"));
    assert_refresh_refused(refresh_at(base_url(), ""));
    /* The access token in its place: no refresh value either. */
    assert_refresh_refused(refresh_at(base_url(), h.token));
    r = refresh_at(base_url(), h.refresh);
    ck_assert_status(r, 200);
    http_free(r);
    free(tampered);
    let_go(&h);
    forget(&a);
}
END_TEST

typedef struct {
    const char *value;
    pthread_barrier_t *start;
    long status;
    char *next;
} racer;

static void *race_refresh(void *arg)
{
    racer *rc = arg;
    http_resp *r;

    pthread_barrier_wait(rc->start);
    r = refresh_at(base_url(), rc->value);
    rc->status = r->status;
    rc->next = r->status == 200 ? http_cookie_value(r, "tasks_refresh") : NULL;
    http_free(r);
    return NULL;
}

/* Two refreshes with one value at once (two tabs without coordination,
 * or a thief and the owner): exactly one gets a new value, the other is
 * a reuse, and the chain ends - so the winner's value is dead too. */
START_TEST(concurrent_refreshes_with_one_value_end_the_chain)
{
    person a = sign_up("race");
    held h = log_in_at(base_url(), &a, 2592000);
    pthread_barrier_t start;
    pthread_t th[2];
    racer rc[2];
    int i, won = 0;

    pthread_barrier_init(&start, NULL, 2);
    for (i = 0; i < 2; i++) {
        rc[i] = (racer){ h.refresh, &start, 0, NULL };
        pthread_create(&th[i], NULL, race_refresh, &rc[i]);
    }
    for (i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    for (i = 0; i < 2; i++)
        won += rc[i].status == 200;
    ck_assert_msg(won == 1 && rc[0].status + rc[1].status == 200 + 401,
                  "statuses %ld and %ld", rc[0].status, rc[1].status);
    assert_refresh_refused(refresh_at(base_url(), rc[rc[0].status == 200 ? 0 : 1].next));
    for (i = 0; i < 2; i++)
        free(rc[i].next);
    let_go(&h);
    forget(&a);
}
END_TEST

/* TasksSessionLifetime (600 on the second virtual host) is the cookie's
 * Max-Age and the idleness a refresh there allows; each refresh counts
 * as use. */
START_TEST(a_session_idle_past_its_lifetime_is_over)
{
    person a = sign_up("idle");
    held h, next;
    char *backdate = fmt("UPDATE sessions SET last_used_at = now() - interval "
                         "'601 seconds' WHERE user_id = '%s';", a.id);
    http_resp *r;

    /* An address of its own: the host's login throttle is tight. */
    http_set_source("127.0.0.83");
    h = log_in_at(base_url2(), &a, 600);
    http_set_source(NULL);
    /* Idle 601 s is fine where sessions last 30 days, and is use. */
    free(db_query(backdate));
    r = refresh_at(base_url(), h.refresh);
    ck_assert_status(r, 200);
    next = held_from(r, 2592000);
    http_free(r);
    r = refresh_at(base_url2(), next.refresh);
    ck_assert_status(r, 200);
    let_go(&next);
    next = held_from(r, 600);
    http_free(r);
    /* Idle 601 s where they last 600: over, and its tokens with it. */
    free(db_query(backdate));
    assert_refresh_refused(refresh_at(base_url2(), next.refresh));
    ck_assert_int_eq(status_with(next.token, "GET", "/api/tasks"), 401);
    /* The session is gone, with every value of its chain. */
    ck_assert_int_eq(count_of("SELECT count(*) FROM refresh_tokens"
                              " WHERE token_hash = sha256(convert_to('%s', 'UTF8'))",
                              next.refresh), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM refresh_tokens"
                              " WHERE token_hash = sha256(convert_to('%s', 'UTF8'))",
                              h.refresh), 0);
    free(backdate);
    let_go(&next);
    let_go(&h);
    forget(&a);
}
END_TEST

/* Logging out ends the session's refresh value with its token; signing
 * out everywhere ends every session's; a password change ends the other
 * sessions' and keeps this one's; a reset code and deleting the account
 * end them all. */
START_TEST(every_sign_out_ends_the_refresh_values_it_should)
{
    person a = sign_up("chains");
    held one = log_in_at(base_url(), &a, 2592000), two = log_in_at(base_url(), &a, 2592000),
         three = log_in_at(base_url(), &a, 2592000), next;
    char *code;
    http_resp *r;

    r = http_auth("POST", "/api/auth/logout", one.token, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    assert_refresh_refused(refresh_at(base_url(), one.refresh));
    r = refresh_at(base_url(), two.refresh);
    ck_assert_status(r, 200);
    let_go(&two);
    two = held_from(r, 2592000);
    http_free(r);

    r = http_auth("POST", "/api/auth/password", two.token,
                  "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"" PASSWORD "\"}");
    ck_assert_status(r, 204);
    http_free(r);
    assert_refresh_refused(refresh_at(base_url(), three.refresh));
    r = refresh_at(base_url(), two.refresh);
    ck_assert_status(r, 200);
    next = held_from(r, 2592000);
    http_free(r);
    ck_assert_int_eq(status_with(next.token, "GET", "/api/tasks"), 200);

    r = http_auth("POST", "/api/auth/logout-all", next.token, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    assert_refresh_refused(refresh_at(base_url(), next.refresh));
    let_go(&next);

    /* A new login at once: its session is new. */
    let_go(&one);
    one = log_in_at(base_url(), &a, 2592000);
    ck_assert_int_eq(status_with(one.token, "GET", "/api/tasks"), 200);
    code = issue_reset_code(a.email);
    r = reset_with(base_url(), code, PASSWORD);
    ck_assert_status(r, 204);
    http_free(r);
    assert_refresh_refused(refresh_at(base_url(), one.refresh));

    let_go(&one);
    one = log_in_at(base_url(), &a, 2592000);
    r = delete_me(&(person){ a.email, a.id, one.token }, "{\"password\":\"" PASSWORD "\"}");
    ck_assert_status(r, 204);
    ck_assert_msg(strstr(http_set_cookie(r, "tasks_refresh"), "Max-Age=0"), "refresh cookie kept");
    http_free(r);
    assert_refresh_refused(refresh_at(base_url(), one.refresh));
    free(code);
    let_go(&one);
    let_go(&two);
    let_go(&three);
    forget(&a);
}
END_TEST

Suite *account_suite(void)
{
    Suite *s = suite_create("account");
    TCase *ex = tcase_create("export");
    TCase *del = tcase_create("delete");
    TCase *sessions = tcase_create("sessions");
    TCase *refresh = tcase_create("refresh");

    tcase_set_timeout(ex, 30);
    tcase_add_test(ex, export_holds_every_field_of_the_callers_tasks_only);
    tcase_add_test(ex, export_of_a_person_without_tasks_has_none);
    suite_add_tcase(s, ex);
    tcase_set_timeout(del, 30);
    tcase_add_test(del, delete_with_a_wrong_password_deletes_nothing);
    tcase_add_test(del, delete_without_the_password_is_422);
    tcase_add_test(del, delete_removes_the_account_its_tasks_and_its_failed_logins);
    tcase_add_test(del, wrong_delete_passwords_count_as_failed_logins);
    suite_add_tcase(s, del);
    tcase_set_timeout(sessions, 30);
    tcase_add_test(sessions, logout_all_ends_every_session_this_one_too);
    tcase_add_test(sessions, password_change_keeps_this_session_and_ends_the_others);
    tcase_add_test(sessions, wrong_current_passwords_count_as_failed_logins);
    tcase_add_test(sessions, a_reset_code_sets_a_new_password_once_and_signs_out_everywhere);
    tcase_add_test(sessions, wrong_reset_codes_are_throttled_per_address);
    suite_add_tcase(s, sessions);
    tcase_set_timeout(refresh, 30);
    tcase_add_test(refresh, refresh_answers_as_login_with_a_new_token_and_value);
    tcase_add_test(refresh, a_refresh_value_used_twice_signs_out_its_chain);
    tcase_add_test(refresh, a_missing_or_tampered_refresh_cookie_is_401_and_ends_nothing);
    tcase_add_test(refresh, concurrent_refreshes_with_one_value_end_the_chain);
    tcase_add_test(refresh, a_session_idle_past_its_lifetime_is_over);
    tcase_add_test(refresh, every_sign_out_ends_the_refresh_values_it_should);
    suite_add_tcase(s, refresh);
    return s;
}
