/* test_recurrence.c - recurring tasks, time zones and reminders through
 * the real httpd and PostgreSQL: completing moves a weekly Berlin task
 * on its wall clock across the change to summer time, an exhausted rule
 * completes for good (and un-completing takes that back), reminders
 * follow the occurrence and are listed by when they fire, filters see
 * the current occurrence, bad input is a 422 naming its field with
 * nothing written, and two concurrent completions of one occurrence move
 * it once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

/* GET path's JSON (a new reference), asserting 200; fmt's arguments. */
static json_t *get_json(const user *u, char *path)
{
    json_t *j = http_json("GET", path, u->tok, NULL, 200);

    free(path);
    return j;
}

static json_t *get_task(const user *u, long long id)
{
    return get_json(u, fmt("/api/tasks/%lld", id));
}

/* The completions (newest first) and reminders as arrays. */
static json_t *completions(const user *u, long long id)
{
    json_t *c = get_json(u, fmt("/api/tasks/%lld/completions", id));

    ck_assert(json_is_array(c));
    return c;
}

static json_t *reminders(const user *u, const char *query)
{
    json_t *r = get_json(u, fmt("/api/reminders?%s", query));

    ck_assert(json_is_array(r));
    return r;
}

/* PATCH .../complete with body (NULL: toggle): the task, asserting 200. */
static json_t *complete(const user *u, long long id, const char *body)
{
    char *path = fmt("/api/tasks/%lld/complete", id);
    json_t *t = http_json("PATCH", path, u->tok, body, 200);

    free(path);
    return t;
}

/* j's compact JSON text equals want. */
static void assert_json_text(const json_t *j, const char *want)
{
    char *got = json_dumps(j, JSON_COMPACT);

    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

static const char *nth_str(const json_t *arr, size_t i, const char *k)
{
    return jstr(json_array_get(arr, i), k);
}

START_TEST(a_weekly_berlin_task_keeps_its_wall_clock_time)
{
    user u = user_sign_up("recur-weekly");
    long long id = make_task(u.tok, "{\"title\":\"Team meeting\","
        "\"due_at\":\"2026-03-16T09:00:00+01:00\",\"time_zone\":\"Europe/Berlin\","
        "\"recurrence\":\"freq=weekly;byday=MO\"}");
    json_t *t = get_task(&u, id), *c;

    ck_assert_str_eq(jstr(t, "recurrence"), "FREQ=WEEKLY;BYDAY=MO");
    ck_assert_str_eq(jstr(t, "time_zone"), "Europe/Berlin");
    ck_assert_str_eq(jstr(t, "due_at"), "2026-03-16T08:00:00.000000Z");
    json_decref(t);
    /* 09:00 CET, then 09:00 CET, then 09:00 CEST (an hour earlier in UTC). */
    t = complete(&u, id, NULL);
    ck_assert(json_is_false(json_object_get(t, "completed")));
    ck_assert(json_is_null(json_object_get(t, "completed_at")));
    ck_assert_str_eq(jstr(t, "due_at"), "2026-03-23T08:00:00.000000Z");
    json_decref(t);
    t = complete(&u, id, "{\"completed\":true}");
    ck_assert(json_is_false(json_object_get(t, "completed")));
    ck_assert_str_eq(jstr(t, "due_at"), "2026-03-30T07:00:00.000000Z");
    json_decref(t);
    c = completions(&u, id);
    ck_assert_int_eq(json_array_size(c), 2);
    ck_assert_str_eq(nth_str(c, 0, "due_at"), "2026-03-23T08:00:00.000000Z");
    ck_assert_str_eq(nth_str(c, 1, "due_at"), "2026-03-16T08:00:00.000000Z");
    ck_assert_str_ge(nth_str(c, 0, "completed_at"), nth_str(c, 1, "completed_at"));
    json_decref(c);
    user_free(&u);
}
END_TEST

START_TEST(an_exhausted_rule_completes_for_good_and_uncompleting_restores_it)
{
    user u = user_sign_up("recur-count");
    long long id = make_task(u.tok, "{\"title\":\"Twice\","
        "\"due_at\":\"2026-01-01T09:00:00Z\",\"recurrence\":\"FREQ=DAILY;COUNT=2\"}");
    json_t *t, *c;
    char *path = fmt("/api/tasks/%lld", id);
    http_resp *r;

    t = complete(&u, id, NULL);
    ck_assert(json_is_false(json_object_get(t, "completed")));
    ck_assert_str_eq(jstr(t, "due_at"), "2026-01-02T09:00:00.000000Z");
    json_decref(t);
    t = complete(&u, id, NULL);
    ck_assert(json_is_true(json_object_get(t, "completed")));
    ck_assert_str_eq(jstr(t, "due_at"), "2026-01-02T09:00:00.000000Z");
    json_decref(t);
    c = completions(&u, id);
    ck_assert_int_eq(json_array_size(c), 2);
    json_decref(c);
    /* Un-completing: pending again at the last occurrence, its record
     * taken back. */
    r = http_auth("PATCH", path, u.tok, "{\"completed\":false}");
    ck_assert_status(r, 200);
    ck_assert(json_is_false(json_object_get(r->json, "completed")));
    ck_assert_str_eq(jstr(r->json, "due_at"), "2026-01-02T09:00:00.000000Z");
    http_free(r);
    c = completions(&u, id);
    ck_assert_int_eq(json_array_size(c), 1);
    ck_assert_str_eq(nth_str(c, 0, "due_at"), "2026-01-01T09:00:00.000000Z");
    json_decref(c);
    /* Un-completing a pending recurring task changes nothing. */
    r = http_auth("PATCH", path, u.tok, "{\"completed\":false}");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "due_at"), "2026-01-02T09:00:00.000000Z");
    http_free(r);
    c = completions(&u, id);
    ck_assert_int_eq(json_array_size(c), 1);
    json_decref(c);
    free(path);
    user_free(&u);
}
END_TEST

START_TEST(a_task_without_a_rule_has_no_completions_and_completes_as_before)
{
    user u = user_sign_up("recur-none");
    long long id = make_task(u.tok, "{\"title\":\"Once\",\"due_at\":\"2026-01-01T09:00:00Z\"}");
    json_t *t = complete(&u, id, NULL), *c;

    ck_assert(json_is_true(json_object_get(t, "completed")));
    ck_assert(json_is_null(json_object_get(t, "recurrence")));
    ck_assert_str_eq(jstr(t, "time_zone"), "UTC");
    ck_assert_int_eq(json_array_size(json_object_get(t, "reminders")), 0);
    json_decref(t);
    c = completions(&u, id);
    ck_assert_int_eq(json_array_size(c), 0);
    json_decref(c);
    user_free(&u);
}
END_TEST

START_TEST(reminders_fire_in_order_and_follow_the_occurrence)
{
    user u = user_sign_up("recur-remind");
    long long id = make_task(u.tok, "{\"title\":\"Standup\","
        "\"due_at\":\"2026-01-01T09:00:00Z\",\"recurrence\":\"FREQ=DAILY\","
        "\"reminders\":[{\"before\":\"PT15M\"},{\"at\":\"2026-01-01T08:00:00+00:00\"}]}");
    /* A completed task's reminders never fire. */
    make_task(u.tok, "{\"title\":\"Done already\","
        "\"due_at\":\"2026-01-01T09:00:00Z\",\"completed\":true,"
        "\"reminders\":[{\"before\":\"PT30M\"}]}");
    json_t *t = get_task(&u, id), *r;

    assert_json_text(json_object_get(t, "reminders"),
                     "[{\"before\":\"PT15M\"},{\"at\":\"2026-01-01T08:00:00.000000Z\"}]");
    json_decref(t);
    r = reminders(&u, "until=2026-01-01T09:00:00Z");
    ck_assert_int_eq(json_array_size(r), 2);
    ck_assert_int_eq(jint(json_array_get(r, 0), "task_id"), id);
    ck_assert_str_eq(nth_str(r, 0, "title"), "Standup");
    ck_assert_str_eq(nth_str(r, 0, "fires_at"), "2026-01-01T08:00:00.000000Z");
    ck_assert_str_eq(nth_str(r, 1, "fires_at"), "2026-01-01T08:45:00.000000Z");
    ck_assert_str_eq(nth_str(r, 1, "due_at"), "2026-01-01T09:00:00.000000Z");
    json_decref(r);
    /* since is exclusive, until inclusive. */
    r = reminders(&u, "since=2026-01-01T08:00:00Z&until=2026-01-01T08:45:00Z");
    ck_assert_int_eq(json_array_size(r), 1);
    ck_assert_str_eq(nth_str(r, 0, "fires_at"), "2026-01-01T08:45:00.000000Z");
    json_decref(r);
    /* Completed: the reminders move with the next occurrence. */
    t = complete(&u, id, NULL);
    assert_json_text(json_object_get(t, "reminders"),
                     "[{\"before\":\"PT15M\"},{\"at\":\"2026-01-02T08:00:00.000000Z\"}]");
    json_decref(t);
    r = reminders(&u, "since=2026-01-01T09:00:00Z&until=2026-01-03T00:00:00Z");
    ck_assert_int_eq(json_array_size(r), 2);
    ck_assert_str_eq(nth_str(r, 0, "fires_at"), "2026-01-02T08:00:00.000000Z");
    ck_assert_str_eq(nth_str(r, 1, "fires_at"), "2026-01-02T08:45:00.000000Z");
    json_decref(r);
    user_free(&u);
}
END_TEST

START_TEST(a_reminders_query_without_until_or_with_a_bad_instant_is_400)
{
    user u = user_sign_up("recur-remind-q");
    const char *bad[] = { "/api/reminders", "/api/reminders?since=2026-01-01T00:00:00Z",
                          "/api/reminders?until=tomorrow",
                          "/api/reminders?until=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z",
                          "/api/reminders?until=2026-01-01T00:00:00Z&limit=3" };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_resp *r = http_auth("GET", bad[i], u.tok, NULL);

        assert_problem(r, 400);
        http_free(r);
    }
    user_free(&u);
}
END_TEST

START_TEST(filters_and_sorts_see_the_current_occurrence)
{
    user u = user_sign_up("recur-filter");
    long long id = make_task(u.tok, "{\"title\":\"Water plants\","
        "\"due_at\":\"2026-01-01T09:00:00Z\",\"recurrence\":\"FREQ=WEEKLY\"}");
    http_resp *r;

    json_decref(complete(&u, id, NULL));
    r = http_auth("GET", "/api/tasks?due_before=2026-01-02T00:00:00Z", u.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 0);
    http_free(r);
    r = http_auth("GET", "/api/tasks?due_after=2026-01-07T00:00:00Z&due_before=2026-01-09T00:00:00Z"
                  "&sort=due_at&order=asc&status=pending", u.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 1);
    ck_assert_str_eq(nth_str(r->json, 0, "due_at"), "2026-01-08T09:00:00.000000Z");
    http_free(r);
    user_free(&u);
}
END_TEST

/* Each bad input: its body, the field the 422 names. */
static const struct { const char *body, *field; } bad_input[] = {
    { "\"recurrence\":\"FREQ=WEEKLY;FOO=1\"", "recurrence" },
    { "\"recurrence\":\"INTERVAL=2\"", "recurrence" },
    { "\"recurrence\":\"FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z\"", "recurrence" },
    { "\"recurrence\":\"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1\"", "recurrence" },
    { "\"recurrence\":\"FREQ=SECONDLY\"", "recurrence" },
    { "\"recurrence\":\"FREQ=DAILY;UNTIL=20250101\"", "recurrence" },
    { "\"recurrence\":7", "recurrence" },
    { "\"time_zone\":\"Mars/Base\"", "time_zone" },
    { "\"time_zone\":null", "time_zone" },
    { "\"reminders\":[{\"before\":\"PT1M\"},{\"before\":\"PT2M\"},{\"before\":\"PT3M\"},"
      "{\"before\":\"PT4M\"},{\"before\":\"PT5M\"},{\"before\":\"PT6M\"},{\"before\":\"PT7M\"},"
      "{\"before\":\"PT8M\"},{\"before\":\"PT9M\"},{\"before\":\"PT10M\"},{\"before\":\"PT11M\"}]",
      "reminders" },
    { "\"reminders\":[{\"before\":\"P-1D\"}]", "reminders" },
    { "\"reminders\":[{\"at\":\"2026-01-01\"}]", "reminders" },
    { "\"reminders\":[{\"before\":\"PT1M\",\"at\":\"2026-01-01T00:00:00Z\"}]", "reminders" },
    { "\"reminders\":{\"before\":\"PT1M\"}", "reminders" },
};

/* Create and PATCH with each: 422 naming the field; nothing created, the
 * task unchanged (its version too). */
START_TEST(bad_schedule_input_is_422_naming_its_field_and_writes_nothing)
{
    user u = user_sign_up("recur-bad");
    long long id = make_task(u.tok, "{\"title\":\"Keep me\",\"due_at\":\"2026-01-01T09:00:00Z\"}");
    char *path = fmt("/api/tasks/%lld", id);
    http_resp *r = http_auth("GET", path, u.tok, NULL);
    char *etag = strdup(http_header(r, "ETag"));
    char *body, *q;
    size_t i;

    http_free(r);
    for (i = 0; i < sizeof bad_input / sizeof bad_input[0]; i++) {
        json_t *errors;

        body = fmt("{\"title\":\"x\",\"due_at\":\"2026-01-01T09:00:00Z\",%s}", bad_input[i].body);
        r = http_auth("POST", "/api/tasks", u.tok, body);
        assert_problem(r, 422);
        errors = json_object_get(r->json, "errors");
        ck_assert_msg(json_array_size(errors) == 1, "%s: %s", body, r->body);
        ck_assert_str_eq(nth_str(errors, 0, "field"), bad_input[i].field);
        http_free(r);
        free(body);
        body = fmt("{%s}", bad_input[i].body);
        r = http_auth("PATCH", path, u.tok, body);
        assert_problem(r, 422);
        ck_assert_str_eq(nth_str(json_object_get(r->json, "errors"), 0, "field"),
                         bad_input[i].field);
        http_free(r);
        free(body);
    }
    /* A rule needs a due_at: on create, on a task without one, and when
     * the due_at of a recurring task is taken away. */
    r = http_auth("POST", "/api/tasks", u.tok, "{\"title\":\"x\",\"recurrence\":\"FREQ=DAILY\"}");
    assert_problem(r, 422);
    ck_assert_str_eq(nth_str(json_object_get(r->json, "errors"), 0, "field"), "recurrence");
    http_free(r);
    r = http_auth("GET", path, u.tok, NULL);
    ck_assert_str_eq(http_header(r, "ETag"), etag);
    http_free(r);
    q = db_query("SELECT count(*) FROM tasks t JOIN users u ON u.id = t.user_id"
                 " WHERE t.title <> 'Keep me' AND u.email LIKE 'recur-bad%';");
    ck_assert_str_eq(q, "0");
    free(q);
    r = http_auth("PATCH", path, u.tok, "{\"recurrence\":\"FREQ=DAILY\"}");
    ck_assert_status(r, 200);
    http_free(r);
    r = http_auth("PATCH", path, u.tok, "{\"due_at\":null}");
    assert_problem(r, 422);
    ck_assert_str_eq(nth_str(json_object_get(r->json, "errors"), 0, "field"), "recurrence");
    http_free(r);
    r = http_auth("GET", path, u.tok, NULL);
    ck_assert_str_eq(jstr(r->json, "due_at"), "2026-01-01T09:00:00.000000Z");
    http_free(r);
    free(etag);
    free(path);
    user_free(&u);
}
END_TEST

START_TEST(completions_of_another_users_task_are_404)
{
    user a = user_sign_up("recur-own-a"), b = user_sign_up("recur-own-b");
    long long id = make_task(a.tok, "{\"title\":\"Mine\",\"due_at\":\"2026-01-01T09:00:00Z\","
                                    "\"recurrence\":\"FREQ=DAILY\"}");
    char *path = fmt("/api/tasks/%lld/completions", id);
    http_resp *r = http_auth("GET", path, b.tok, NULL);

    assert_problem(r, 404);
    http_free(r);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ---- Two completions of one occurrence at once ----------------------- */

typedef struct {
    const user *u;
    long long id;
    long status;
    char *due_at;
    double seconds;
} completer;

static void *complete_once(void *arg)
{
    completer *c = arg;
    char *path = fmt("/api/tasks/%lld/complete", c->id);
    double t0 = monotonic_seconds();
    http_resp *r = http_auth("PATCH", path, c->u->tok, "{\"completed\":true}");

    c->seconds = monotonic_seconds() - t0;
    c->status = r->status;
    c->due_at = r->json && jstr(r->json, "due_at") ? strdup(jstr(r->json, "due_at")) : NULL;
    http_free(r);
    free(path);
    return NULL;
}

START_TEST(two_concurrent_completions_of_one_occurrence_move_it_once)
{
    user u = user_sign_up("recur-race");
    long long id = make_task(u.tok, "{\"title\":\"Once a day\","
        "\"due_at\":\"2026-01-01T09:00:00Z\",\"recurrence\":\"FREQ=DAILY\"}");
    completer c[2] = { { &u, id, 0, NULL, 0 }, { &u, id, 0, NULL, 0 } };
    char *lock_sql = fmt("SELECT 1 FROM tasks WHERE id = %lld FOR UPDATE", id);
    pthread_t th[2];
    json_t *t, *done;
    db_lock lock;
    int i;

    /* The task's row is locked for 3 s, so that both completions have
     * read the task before either can write. */
    db_lock_hold(&lock, lock_sql, 3);
    for (i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, complete_once, &c[i]);
    for (i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    db_lock_join(&lock);
    free(lock_sql);
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(c[i].status, 200);
        /* Both waited for the lock: they did overlap. */
        ck_assert_msg(c[i].seconds > 1.0, "request %d took %.3f s", i, c[i].seconds);
        ck_assert_str_eq(c[i].due_at, "2026-01-02T09:00:00.000000Z");
        free(c[i].due_at);
    }
    t = get_task(&u, id);
    ck_assert_str_eq(jstr(t, "due_at"), "2026-01-02T09:00:00.000000Z");
    json_decref(t);
    done = completions(&u, id);
    ck_assert_int_eq(json_array_size(done), 1);
    json_decref(done);
    user_free(&u);
}
END_TEST

Suite *recurrence_suite(void)
{
    Suite *s = suite_create("recurrence");
    TCase *tc = tcase_create("recurrence");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_weekly_berlin_task_keeps_its_wall_clock_time);
    tcase_add_test(tc, an_exhausted_rule_completes_for_good_and_uncompleting_restores_it);
    tcase_add_test(tc, a_task_without_a_rule_has_no_completions_and_completes_as_before);
    tcase_add_test(tc, reminders_fire_in_order_and_follow_the_occurrence);
    tcase_add_test(tc, a_reminders_query_without_until_or_with_a_bad_instant_is_400);
    tcase_add_test(tc, filters_and_sorts_see_the_current_occurrence);
    tcase_add_test(tc, bad_schedule_input_is_422_naming_its_field_and_writes_nothing);
    tcase_add_test(tc, completions_of_another_users_task_are_404);
    tcase_add_test(tc, two_concurrent_completions_of_one_occurrence_move_it_once);
    suite_add_tcase(s, tc);
    return s;
}
