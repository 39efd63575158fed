/* test_sync.c - retries and offline clients through the real httpd and
 * PostgreSQL: Idempotency-Key on creates (a retry replays the first
 * answer byte for byte and creates nothing, another body is a 422, a
 * retry while the first still runs is a 409, keys are per person), and
 * the changes feed (pages across updates and deletions, each task once
 * with its latest state, a token past the retention is a 410, tombstones
 * are purged, nobody sees another person's changes). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

/* A request with the token and an Idempotency-Key (key NULL: none). */
static http_resp *post_once(const char *url, const user *u, const char *key,
                            const char *body)
{
    char *auth = fmt("Authorization: Bearer %s", u->tok);
    char *k = key ? fmt("Idempotency-Key: %s", key) : NULL;
    const char *hs[] = { auth, k, NULL };
    http_resp *r = http("POST", url, body, hs);

    free(auth);
    free(k);
    return r;
}

/* How many tasks u has (titles beginning with prefix). */
static long long tasks_titled(const user *u, const char *prefix)
{
    char *sql = fmt("SELECT count(*) FROM tasks WHERE user_id = '%s'"
                    " AND title LIKE '%s%%';", u->id, prefix);
    char *n = db_query(sql);
    long long v = atoll(n);

    free(sql);
    free(n);
    return v;
}

START_TEST(a_retried_create_replays_the_first_answer_byte_for_byte)
{
    user u = user_sign_up("sync-retry");
    const char *body = "{\"title\":\"Buy bread\",\"tags\":[\"shop\"]}";
    http_resp *first = post_once("/api/tasks", &u, "retry-1", body), *again;
    int i;

    ck_assert_status(first, 201);
    ck_assert_ptr_null(http_header(first, "Idempotent-Replayed"));
    for (i = 0; i < 3; i++) {
        again = post_once("/api/tasks", &u, "retry-1", body);
        ck_assert_status(again, 201);
        ck_assert_str_eq(http_header(again, "Idempotent-Replayed"), "true");
        ck_assert_str_eq(again->body, first->body);
        ck_assert_str_eq(http_header(again, "Location"), http_header(first, "Location"));
        ck_assert_str_eq(http_header(again, "ETag"), http_header(first, "ETag"));
        http_free(again);
    }
    ck_assert_int_eq(tasks_titled(&u, "Buy bread"), 1);
    /* The replay is the first answer even after the task changed. */
    {
        char *path = fmt("/api/tasks/%lld", jint(first->json, "id"));

        json_decref(http_json("PATCH", path, u.tok, "{\"title\":\"Buy rye bread\"}", 200));
        again = post_once("/api/tasks", &u, "retry-1", body);
        ck_assert_str_eq(again->body, first->body);
        http_free(again);
        free(path);
    }
    http_free(first);
    user_free(&u);
}
END_TEST

START_TEST(a_key_recorded_before_the_caldav_columns_still_replays)
{
    user u = user_sign_up("sync-old-record");
    const char *body = "{\"title\":\"Recorded before 013\"}";
    http_resp *first = post_once("/api/tasks", &u, "old-1", body), *again;
    char *sql, *n;

    ck_assert_status(first, 201);
    /* A record as the create wrote it before sql/013: without the
     * task's three resource columns, the table's last. */
    sql = fmt("UPDATE idempotency_keys SET response = response[1:array_length(response, 1) - 3]"
              " WHERE user_id = '%s' AND key = 'old-1' RETURNING array_length(response, 1);", u.id);
    n = db_query(sql);
    ck_assert_int_gt(atoi(n), 0);
    again = post_once("/api/tasks", &u, "old-1", body);
    ck_assert_status(again, 201);
    ck_assert_str_eq(http_header(again, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(again->body, first->body);
    http_free(again);
    http_free(first);
    free(n);
    free(sql);
    user_free(&u);
}
END_TEST

START_TEST(lists_are_created_once_per_key_too)
{
    user u = user_sign_up("sync-list");
    http_resp *a = post_once("/api/lists", &u, "list-key", "{\"name\":\"Errands\"}");
    http_resp *b = post_once("/api/lists", &u, "list-key", "{\"name\":\"Errands\"}");

    ck_assert_status(a, 201);
    ck_assert_status(b, 201);
    ck_assert_str_eq(http_header(b, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(b->body, a->body);
    http_free(a);
    http_free(b);
    user_free(&u);
}
END_TEST

START_TEST(a_key_with_another_body_or_path_is_422_and_keys_are_per_person)
{
    user u = user_sign_up("sync-other"), v = user_sign_up("sync-other-b");
    http_resp *r = post_once("/api/tasks", &u, "k-1", "{\"title\":\"One\"}");

    ck_assert_status(r, 201);
    http_free(r);
    r = post_once("/api/tasks", &u, "k-1", "{\"title\":\"Two\"}");
    assert_problem(r, 422);
    http_free(r);
    r = post_once("/api/lists", &u, "k-1", "{\"title\":\"One\"}");
    assert_problem(r, 422);
    http_free(r);
    ck_assert_int_eq(tasks_titled(&u, "Two"), 0);
    /* The same key is another person's own. */
    r = post_once("/api/tasks", &v, "k-1", "{\"title\":\"One\"}");
    ck_assert_status(r, 201);
    ck_assert_ptr_null(http_header(r, "Idempotent-Replayed"));
    http_free(r);
    ck_assert_int_eq(tasks_titled(&v, "One"), 1);
    /* An invalid body claims nothing: the key still works once fixed. */
    r = post_once("/api/tasks", &u, "k-2", "{\"title\":\"\"}");
    assert_problem(r, 422);
    http_free(r);
    r = post_once("/api/tasks", &u, "k-2", "{\"title\":\"Fixed\"}");
    ck_assert_status(r, 201);
    ck_assert_ptr_null(http_header(r, "Idempotent-Replayed"));
    http_free(r);
    user_free(&u);
    user_free(&v);
}
END_TEST

START_TEST(a_malformed_key_is_400_and_creates_nothing)
{
    user u = user_sign_up("sync-badkey");
    char long_key[300];
    const char *bad[] = { long_key, "has space", "caf\xc3\xa9" };
    size_t i;

    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_resp *r = post_once("/api/tasks", &u, bad[i], "{\"title\":\"Bad key\"}");

        assert_problem(r, 400);
        http_free(r);
    }
    long_key[255] = '\0';
    {
        http_resp *r = post_once("/api/tasks", &u, long_key, "{\"title\":\"Long key\"}");

        ck_assert_status(r, 201);
        http_free(r);
    }
    ck_assert_int_eq(tasks_titled(&u, "Bad key"), 0);
    user_free(&u);
}
END_TEST

/* ---- Two requests with one key at once ------------------------------- */

typedef struct {
    const user *u;
    const char *key;
    long status;
    char *replayed;
} poster;

static void *post_it(void *arg)
{
    poster *p = arg;
    http_resp *r = post_once("/api/tasks", p->u, p->key, "{\"title\":\"Raced\"}");
    const char *h = http_header(r, "Idempotent-Replayed");

    p->status = r->status;
    p->replayed = h ? strdup(h) : NULL;
    http_free(r);
    return NULL;
}

START_TEST(a_second_request_while_the_first_runs_is_409_then_replays)
{
    user u = user_sign_up("sync-race");
    char *lock_sql = fmt("SELECT 1 FROM lists WHERE user_id = '%s' AND inbox FOR UPDATE",
                         u.id);
    poster first = { &u, "race-key", 0, NULL }, second = first, third = first;
    db_lock lock;
    pthread_t a;

    /* The Inbox is locked for 3 s: the first create claims its key,
     * then waits (its insert locks the list FOR KEY SHARE). */
    db_lock_hold(&lock, lock_sql, 3);
    pthread_create(&a, NULL, post_it, &first);
    sleep(1);                   /* the first has claimed the key, and waits */
    post_it(&second);
    pthread_join(a, NULL);
    db_lock_join(&lock);
    free(lock_sql);
    post_it(&third);
    ck_assert_int_eq(second.status, 409);
    ck_assert_int_eq(first.status, 201);
    ck_assert_ptr_null(first.replayed);
    ck_assert_int_eq(third.status, 201);
    ck_assert_str_eq(third.replayed, "true");
    ck_assert_int_eq(tasks_titled(&u, "Raced"), 1);
    free(third.replayed);
    user_free(&u);
}
END_TEST

/* ---- The changes feed ------------------------------------------------- */

/* GET /api/tasks/changes?<query>: the page (a new reference). */
static json_t *changes(const user *u, const char *query)
{
    char *path = fmt("/api/tasks/changes%s%s", query ? "?" : "", query ? query : "");
    json_t *j = http_json("GET", path, u->tok, NULL, 200);

    free(path);
    ck_assert(json_is_array(json_object_get(j, "changes")));
    ck_assert(json_is_string(json_object_get(j, "next")));
    ck_assert(json_is_boolean(json_object_get(j, "more")));
    return j;
}

/* The page's changes as "id" or "-id" (deleted) or "title" words. */
static char *summary(const json_t *page, int titles)
{
    const json_t *c = json_object_get(page, "changes");
    char *out = strdup("");
    size_t i;

    for (i = 0; i < json_array_size(c); i++) {
        const json_t *one = json_array_get(c, i);
        char *word = json_is_true(json_object_get(one, "deleted"))
            ? fmt("-%lld", jint(one, "id"))
            : titles ? fmt("%s", jstr(one, "title")) : fmt("%lld", jint(one, "id"));
        char *next = fmt("%s%s%s", out, *out ? " " : "", word);

        free(out);
        free(word);
        out = next;
    }
    return out;
}

/* The page's next token, URL-safe as it is (base64url and dots). */
static char *next_query(const json_t *page, int limit)
{
    return fmt("since=%s&limit=%d", jstr(page, "next"), limit);
}

START_TEST(the_feed_pages_through_updates_and_deletions_each_task_once)
{
    user u = user_sign_up("sync-feed");
    long long t[4], t5;
    json_t *page;
    char *q, *s, *path;
    int i;

    for (i = 0; i < 4; i++) {
        char *body = fmt("{\"title\":\"T%d\"}", i + 1);

        t[i] = make_task(u.tok, body);
        free(body);
    }
    /* Everything there is, two at a time. */
    page = changes(&u, "limit=2");
    s = summary(page, 1);
    ck_assert_str_eq(s, "T1 T2");
    ck_assert(json_is_true(json_object_get(page, "more")));
    free(s);
    q = next_query(page, 2);
    json_decref(page);
    page = changes(&u, q);
    free(q);
    s = summary(page, 1);
    ck_assert_str_eq(s, "T3 T4");
    free(s);
    ck_assert(json_is_false(json_object_get(page, "more")));
    q = next_query(page, 2);
    json_decref(page);
    /* Changes: T1 renamed, T2 deleted, T5 made, T1 renamed again, T3
     * deleted. */
    path = fmt("/api/tasks/%lld", t[0]);
    json_decref(http_json("PATCH", path, u.tok, "{\"title\":\"T1a\"}", 200));
    free(path);
    path = fmt("/api/tasks/%lld", t[1]);
    http_free(http_auth("DELETE", path, u.tok, NULL));
    free(path);
    t5 = make_task(u.tok, "{\"title\":\"T5\"}");
    path = fmt("/api/tasks/%lld", t[0]);
    json_decref(http_json("PATCH", path, u.tok, "{\"title\":\"T1b\"}", 200));
    free(path);
    path = fmt("/api/tasks/%lld", t[2]);
    http_free(http_auth("DELETE", path, u.tok, NULL));
    free(path);
    /* Page 1: T2's deletion, T5 (T1's first rename is superseded). */
    page = changes(&u, q);
    free(q);
    s = summary(page, 0);
    {
        char *want = fmt("-%lld %lld", t[1], t5);

        ck_assert_str_eq(s, want);
        free(want);
    }
    free(s);
    ck_assert(json_is_true(json_object_get(page, "more")));
    q = next_query(page, 2);
    json_decref(page);
    /* Meanwhile T4 changes: it comes after what was there. */
    path = fmt("/api/tasks/%lld/complete", t[3]);
    json_decref(http_json("PATCH", path, u.tok, NULL, 200));
    free(path);
    page = changes(&u, q);
    free(q);
    s = summary(page, 0);
    {
        char *want = fmt("%lld -%lld", t[0], t[2]);

        ck_assert_str_eq(s, want);
        free(want);
    }
    free(s);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(page, "changes"), 0), "title"), "T1b");
    ck_assert(json_is_true(json_object_get(page, "more")));
    q = next_query(page, 2);
    json_decref(page);
    page = changes(&u, q);
    free(q);
    s = summary(page, 1);
    ck_assert_str_eq(s, "T4");
    free(s);
    ck_assert(json_is_false(json_object_get(page, "more")));
    ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(page, "changes"), 0),
                                           "completed")));
    /* Nothing since the last token. */
    q = next_query(page, 2);
    json_decref(page);
    page = changes(&u, q);
    ck_assert_int_eq(json_array_size(json_object_get(page, "changes")), 0);
    ck_assert(json_is_false(json_object_get(page, "more")));
    json_decref(page);
    free(q);
    user_free(&u);
}
END_TEST

START_TEST(another_persons_changes_and_tokens_never_cross)
{
    user a = user_sign_up("sync-iso-a"), b = user_sign_up("sync-iso-b");
    json_t *pa, *pb;
    char *q, *path;
    http_resp *r;

    make_task(a.tok, "{\"title\":\"A's\"}");
    pb = changes(&b, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(pb, "changes")), 0);
    pa = changes(&a, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(pa, "changes")), 1);
    /* A's token is no token of B's. */
    path = fmt("/api/tasks/changes?since=%s", jstr(pa, "next"));
    r = http_auth("GET", path, b.tok, NULL);
    assert_problem(r, 400);
    http_free(r);
    free(path);
    /* A's later changes reach A, never B. */
    q = fmt("since=%s", jstr(pb, "next"));
    make_task(a.tok, "{\"title\":\"A's second\"}");
    json_decref(pb);
    pb = changes(&b, q);
    ck_assert_int_eq(json_array_size(json_object_get(pb, "changes")), 0);
    free(q);
    json_decref(pa);
    json_decref(pb);
    user_free(&a);
    user_free(&b);
}
END_TEST

START_TEST(a_token_past_the_retention_is_410_and_old_tombstones_are_purged)
{
    user u = user_sign_up("sync-old");
    long long id = make_task(u.tok, "{\"title\":\"Short-lived\"}");
    char *path = fmt("/api/tasks/%lld", id), *payload, *token, *sql, *n;
    http_resp *r;

    http_free(http_auth("DELETE", path, u.tok, NULL));
    /* A token made 31 days ago (signed as the server signs them). */
    payload = fmt("{\"u\":\"%s\",\"f\":\"changes feed\",\"v\":\"%lld\",\"i\":\"0\"}",
                  u.id, (long long)time(NULL) - 31LL * 86400);
    token = app_token_signed(payload);
    free(path);
    path = fmt("/api/tasks/changes?since=%s", token);
    r = http_auth("GET", path, u.tok, NULL);
    assert_problem(r, 410);
    http_free(r);
    /* The same made a day ago is good, and shows the deletion. */
    free(payload);
    free(token);
    free(path);
    payload = fmt("{\"u\":\"%s\",\"f\":\"changes feed\",\"v\":\"%lld\",\"i\":\"0\"}",
                  u.id, (long long)time(NULL) - 86400);
    token = app_token_signed(payload);
    path = fmt("since=%s", token);
    {
        json_t *page = changes(&u, path);
        char *s = summary(page, 0), *want = fmt("-%lld", id);

        ck_assert_str_eq(s, want);
        free(want);
        free(s);
        json_decref(page);
    }
    /* A tombstone past the retention goes with the next feed request. */
    sql = fmt("UPDATE task_tombstones SET deleted_at = now() - interval '31 days'"
              " WHERE user_id = '%s';", u.id);
    free(db_query(sql));
    free(sql);
    json_decref(changes(&u, NULL));
    sql = fmt("SELECT count(*) FROM task_tombstones WHERE user_id = '%s';", u.id);
    n = db_query(sql);
    ck_assert_str_eq(n, "0");
    free(n);
    free(sql);
    free(payload);
    free(token);
    free(path);
    user_free(&u);
}
END_TEST

START_TEST(bad_feed_queries_are_400)
{
    user u = user_sign_up("sync-badq");
    const char *bad[] = { "/api/tasks/changes?limit=0", "/api/tasks/changes?limit=1001",
                          "/api/tasks/changes?since=", "/api/tasks/changes?since=abc",
                          "/api/tasks/changes?cursor=x", "/api/tasks/changes?limit=2&limit=3" };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_resp *r = http_auth("GET", bad[i], u.tok, NULL);

        assert_problem(r, 400);
        http_free(r);
    }
    user_free(&u);
}
END_TEST

Suite *sync_suite(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("sync");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_retried_create_replays_the_first_answer_byte_for_byte);
    tcase_add_test(tc, a_key_recorded_before_the_caldav_columns_still_replays);
    tcase_add_test(tc, lists_are_created_once_per_key_too);
    tcase_add_test(tc, a_key_with_another_body_or_path_is_422_and_keys_are_per_person);
    tcase_add_test(tc, a_malformed_key_is_400_and_creates_nothing);
    tcase_add_test(tc, a_second_request_while_the_first_runs_is_409_then_replays);
    tcase_add_test(tc, the_feed_pages_through_updates_and_deletions_each_task_once);
    tcase_add_test(tc, another_persons_changes_and_tokens_never_cross);
    tcase_add_test(tc, a_token_past_the_retention_is_410_and_old_tombstones_are_purged);
    tcase_add_test(tc, bad_feed_queries_are_400);
    suite_add_tcase(s, tc);
    return s;
}
