/* test_lists.c - lists through the real httpd and PostgreSQL: every
 * account's Inbox, making, renaming, recoloring, reordering and deleting
 * lists (with their tasks, or moving them), tasks in lists and the
 * list_id filter, isolation between users, the limits, and the counts
 * under concurrent writes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

static http_resp *call(const char *method, const char *url, const char *token,
                       const char *body)
{
    return http_auth(method, url, token, body);
}

/* A request with the token and one more header line. */
static http_resp *call_with(const char *method, const char *url,
                            const char *token, const char *body,
                            const char *header)
{
    char *auth = fmt("Authorization: Bearer %s", token);
    const char *hs[] = { auth, header, NULL };
    http_resp *r = http(method, url, body, hs);

    free(auth);
    return r;
}

/* The caller's lists (a new reference). */
static json_t *lists_of(const user *u)
{
    http_resp *r = call("GET", "/api/lists", u->tok, NULL);
    json_t *l;

    ck_assert_status(r, 200);
    ck_assert(json_is_array(r->json));
    l = json_incref(r->json);
    http_free(r);
    return l;
}

static long long inbox_of(const user *u)
{
    json_t *l = lists_of(u);
    long long id = jint(json_array_get(l, 0), "id");

    ck_assert(json_is_true(json_object_get(json_array_get(l, 0), "inbox")));
    json_decref(l);
    return id;
}

/* A new list of u's named name; its id. */
static long long new_list(const user *u, const char *name)
{
    char *body = fmt("{\"name\":\"%s\"}", name);
    http_resp *r = call("POST", "/api/lists", u->tok, body);
    long long id;

    ck_assert_status(r, 201);
    id = jint(r->json, "id");
    http_free(r);
    free(body);
    return id;
}

static json_t *get_list(const user *u, long long id)
{
    char *path = fmt("/api/lists/%lld", id);
    http_resp *r = call("GET", path, u->tok, NULL);
    json_t *l;

    ck_assert_status(r, 200);
    l = json_incref(r->json);
    http_free(r);
    free(path);
    return l;
}

/* A list's (task_count, pending_count) as "n/p". */
static char *counts(const user *u, long long id)
{
    json_t *l = get_list(u, id);
    char *s = fmt("%lld/%lld", jint(l, "task_count"), jint(l, "pending_count"));

    json_decref(l);
    return s;
}

static void assert_counts(const user *u, long long id, const char *want)
{
    char *got = counts(u, id);

    ck_assert_str_eq(got, want);
    free(got);
}

/* The task's list_id. */
static long long list_of_task(const user *u, long long task)
{
    char *path = fmt("/api/tasks/%lld", task);
    http_resp *r = call("GET", path, u->tok, NULL);
    long long id;

    ck_assert_status(r, 200);
    id = jint(r->json, "list_id");
    http_free(r);
    free(path);
    return id;
}

/* A problem with this status (the answer is freed). */
static void refused(http_resp *r, int status)
{
    assert_problem(r, status);
    http_free(r);
}

/* A 422 whose one error names field. */
static void assert_field(http_resp *r, const char *field)
{
    json_t *errors;

    assert_problem(r, 422);
    errors = json_object_get(r->json, "errors");
    ck_assert_msg(json_array_size(errors) == 1, "errors: %s", r->body);
    ck_assert_str_eq(jstr(json_array_get(errors, 0), "field"), field);
    http_free(r);
}

/* Every account has an Inbox, first, made with it; tasks without a list
 * go there; it cannot be deleted. Every user in the database has one. */
START_TEST(every_account_has_an_inbox_that_cannot_be_deleted)
{
    user a = user_sign_up("inbox");
    json_t *l = lists_of(&a), *inbox = json_array_get(l, 0);
    long long task = make_task(a.tok, "{\"title\":\"no list given\"}");
    char *path, *n;
    http_resp *r;

    ck_assert_int_eq(json_array_size(l), 1);
    ck_assert_str_eq(jstr(inbox, "name"), "Inbox");
    ck_assert(json_is_true(json_object_get(inbox, "inbox")));
    ck_assert(json_is_null(json_object_get(inbox, "color")));
    ck_assert_int_eq(jint(inbox, "position"), 0);
    ck_assert_int_eq(json_object_size(inbox), 9);
    ck_assert_int_eq(list_of_task(&a, task), jint(inbox, "id"));
    assert_counts(&a, jint(inbox, "id"), "1/1");
    path = fmt("/api/lists/%lld", jint(inbox, "id"));
    r = call("DELETE", path, a.tok, NULL);
    assert_problem(r, 409);
    ck_assert_str_eq(jstr(r->json, "detail"), "the Inbox cannot be deleted");
    http_free(r);
    ck_assert_int_eq(list_of_task(&a, task), jint(inbox, "id"));
    n = db_query("SELECT count(*) FROM users u WHERE NOT EXISTS"
                 " (SELECT 1 FROM lists l WHERE l.user_id = u.id AND l.inbox);");
    ck_assert_str_eq(n, "0");
    free(n);
    free(path);
    json_decref(l);
    user_free(&a);
}
END_TEST

/* A list is made last with its name trimmed and its color in lower case,
 * has an ETag, and is renamed and recolored; names are unique per user
 * ignoring case (the Inbox's too); another user may use the same name. */
START_TEST(lists_are_made_renamed_and_recolored_with_unique_names)
{
    user a = user_sign_up("named"), b = user_sign_up("named-b");
    http_resp *r = call("POST", "/api/lists", a.tok,
                        "{\"name\":\"  Work \",\"color\":\"#A0B1C2\",\"position\":0}");
    char *path, *want, *etag, *inm;
    long long id;

    ck_assert_status(r, 201);
    id = jint(r->json, "id");
    path = fmt("/api/lists/%lld", id);
    want = fmt("/api/lists/%lld", id);
    ck_assert_str_eq(http_header(r, "Location"), want);
    ck_assert_str_eq(jstr(r->json, "name"), "Work");
    ck_assert_str_eq(jstr(r->json, "color"), "#a0b1c2");
    ck_assert_int_eq(jint(r->json, "position"), 1);
    ck_assert(json_is_false(json_object_get(r->json, "inbox")));
    etag = strdup(http_header(r, "ETag"));
    http_free(r);

    r = call("POST", "/api/lists", a.tok, "{\"name\":\"WORK\"}");
    assert_problem(r, 409);
    ck_assert_str_eq(jstr(r->json, "detail"), "you already have a list with this name");
    http_free(r);
    r = call("POST", "/api/lists", b.tok, "{\"name\":\"Work\"}");
    ck_assert_status(r, 201);
    http_free(r);

    inm = fmt("If-None-Match: %s", etag);
    r = call_with("GET", path, a.tok, NULL, inm);
    ck_assert_status(r, 304);
    http_free(r);
    r = call("PATCH", path, a.tok, "{\"name\":\"inbox\"}");
    assert_problem(r, 409);
    http_free(r);
    r = call("PATCH", path, a.tok, "{\"name\":\"Home\",\"color\":null}");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "name"), "Home");
    ck_assert(json_is_null(json_object_get(r->json, "color")));
    ck_assert_str_ne(http_header(r, "ETag"), etag);
    http_free(r);
    /* The old ETag no longer matches: 412, nothing changed. */
    free(inm);
    inm = fmt("If-Match: %s", etag);
    r = call_with("PATCH", path, a.tok, "{\"name\":\"Garden\"}", inm);
    assert_problem(r, 412);
    http_free(r);
    r = call("GET", path, a.tok, NULL);
    ck_assert_str_eq(jstr(r->json, "name"), "Home");
    http_free(r);
    /* Its own name in another case is a rename. */
    r = call("PATCH", path, a.tok, "{\"name\":\"HOME\"}");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "name"), "HOME");
    http_free(r);
    free(inm);
    free(etag);
    free(want);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* Bad input names its field, and nothing is written. */
START_TEST(bad_list_input_names_its_field_and_writes_nothing)
{
    user a = user_sign_up("badlist");
    long long id = new_list(&a, "Errands");
    char *path = fmt("/api/lists/%lld", id), *long_name = strdup(""), *body;
    json_t *l;
    int i;

    for (i = 0; i < 101; i++) {
        char *t = fmt("%sx", long_name);
        free(long_name);
        long_name = t;
    }
    body = fmt("{\"name\":\"%s\"}", long_name);
    assert_field(call("POST", "/api/lists", a.tok, body), "name");
    assert_field(call("POST", "/api/lists", a.tok, "{\"name\":\"   \"}"), "name");
    assert_field(call("POST", "/api/lists", a.tok, "{}"), "name");
    assert_field(call("POST", "/api/lists", a.tok, "{\"name\":\"ok\",\"color\":\"red\"}"), "color");
    assert_field(call("POST", "/api/lists", a.tok, "{\"name\":\"ok\",\"color\":\"#12345\"}"), "color");
    assert_field(call("PATCH", path, a.tok, "{\"position\":-1}"), "position");
    assert_field(call("PATCH", path, a.tok, "{\"position\":2}"), "position");
    assert_field(call("PATCH", path, a.tok, "{\"position\":\"1\"}"), "position");
    assert_field(call("PATCH", path, a.tok, "{\"name\":7}"), "name");
    l = lists_of(&a);
    ck_assert_int_eq(json_array_size(l), 2);
    ck_assert_str_eq(jstr(json_array_get(l, 1), "name"), "Errands");
    json_decref(l);
    refused(call("GET", "/api/lists/0", a.tok, NULL), 400);
    refused(call("GET", "/api/lists/abc", a.tok, NULL), 400);
    refused(call("GET", "/api/lists?x=1", a.tok, NULL), 400);
    free(body);
    free(long_name);
    free(path);
    user_free(&a);
}
END_TEST

/* The names of u's lists in order, "Inbox,A,B"; positions are 0..n-1. */
static char *order_of(const user *u)
{
    json_t *l = lists_of(u);
    char *s = strdup(""), *t;
    size_t i;

    for (i = 0; i < json_array_size(l); i++) {
        ck_assert_int_eq(jint(json_array_get(l, i), "position"), (long long)i);
        t = fmt("%s%s%s", s, i ? "," : "", jstr(json_array_get(l, i), "name"));
        free(s);
        s = t;
    }
    json_decref(l);
    return s;
}

static void move_list(const user *u, long long id, int position)
{
    char *path = fmt("/api/lists/%lld", id), *body = fmt("{\"position\":%d}", position);
    http_resp *r = call("PATCH", path, u->tok, body);

    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "position"), position);
    http_free(r);
    free(body);
    free(path);
}

/* A new position shifts the lists between the old and the new place;
 * deleting one closes the gap. */
START_TEST(positions_shift_when_a_list_moves_or_goes)
{
    user a = user_sign_up("order");
    long long inbox = inbox_of(&a), x = new_list(&a, "A"), y = new_list(&a, "B"),
              z = new_list(&a, "C");
    char *o, *path;
    http_resp *r;

    (void)y;
    move_list(&a, z, 1);
    ck_assert_str_eq(o = order_of(&a), "Inbox,C,A,B");
    free(o);
    move_list(&a, inbox, 3);
    ck_assert_str_eq(o = order_of(&a), "C,A,B,Inbox");
    free(o);
    move_list(&a, inbox, 3);
    ck_assert_str_eq(o = order_of(&a), "C,A,B,Inbox");
    free(o);
    path = fmt("/api/lists/%lld", x);
    r = call("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    ck_assert_str_eq(o = order_of(&a), "C,B,Inbox");
    free(o);
    free(path);
    user_free(&a);
}
END_TEST

/* Tasks go into a list at create, move with PATCH, stay with a PUT that
 * does not name one; the lists' counts follow every change. */
START_TEST(tasks_move_between_lists_and_the_counts_follow)
{
    user a = user_sign_up("moves");
    long long inbox = inbox_of(&a), x = new_list(&a, "X"), y = new_list(&a, "Y"), t;
    char *body = fmt("{\"title\":\"in X\",\"list_id\":%lld}", x), *path;
    http_resp *r;

    t = make_task(a.tok, body);
    free(body);
    path = fmt("/api/tasks/%lld", t);
    ck_assert_int_eq(list_of_task(&a, t), x);
    make_task(a.tok, "{\"title\":\"in the Inbox\",\"completed\":true}");
    assert_counts(&a, x, "1/1");
    assert_counts(&a, inbox, "1/0");
    body = fmt("/api/tasks/%lld/complete", t);
    r = call("PATCH", body, a.tok, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    free(body);
    assert_counts(&a, x, "1/0");
    body = fmt("{\"list_id\":%lld}", y);
    r = call("PATCH", path, a.tok, body);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "list_id"), y);
    http_free(r);
    free(body);
    assert_counts(&a, x, "0/0");
    assert_counts(&a, y, "1/0");
    r = call("PUT", path, a.tok, "{\"title\":\"replaced\"}");
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "list_id"), y);
    http_free(r);
    r = call("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    assert_counts(&a, y, "0/0");
    free(path);
    user_free(&a);
}
END_TEST

/* Another user's list: a 422 on list_id when a task is written (as for
 * a list that does not exist, and every value that is not a list id),
 * 404 on the list routes, an empty page as a filter; nothing written. */
START_TEST(another_users_list_is_422_on_tasks_and_404_on_list_routes)
{
    user a = user_sign_up("iso-a"), b = user_sign_up("iso-b");
    long long theirs = new_list(&b, "Private"), t = make_task(a.tok, "{\"title\":\"mine\"}");
    long long inbox = inbox_of(&a), total;
    static const char *const bad[] = { "0", "-1", "2147483648", "\"7\"", "null",
                                       "1.5", "true", "[1]" };
    char *body, *path = fmt("/api/lists/%lld", theirs), *tpath = fmt("/api/tasks/%lld", t);
    http_resp *r;
    size_t i;

    body = fmt("{\"title\":\"x\",\"list_id\":%lld}", theirs);
    assert_field(call("POST", "/api/tasks", a.tok, body), "list_id");
    free(body);
    body = fmt("{\"list_id\":%lld}", theirs);
    assert_field(call("PATCH", tpath, a.tok, body), "list_id");
    free(body);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        body = fmt("{\"title\":\"x\",\"list_id\":%s}", bad[i]);
        assert_field(call("POST", "/api/tasks", a.tok, body), "list_id");
        free(body);
    }
    ck_assert_int_eq(list_of_task(&a, t), inbox);
    assert_counts(&a, inbox, "1/1");
    refused(call("GET", path, a.tok, NULL), 404);
    refused(call("PATCH", path, a.tok, "{\"name\":\"mine now\"}"), 404);
    refused(call("DELETE", path, a.tok, NULL), 404);
    body = fmt("/api/tasks?list_id=%lld", theirs);
    r = call("GET", body, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 0);
    total = atoll(http_header(r, "X-Total-Count"));
    ck_assert_int_eq(total, 0);
    http_free(r);
    r = call("GET", path, b.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "name"), "Private");
    http_free(r);
    free(body);
    free(tpath);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ?list_id= combines with the other filters, sorts and pages; the Link
 * of a page keeps it. */
START_TEST(list_filter_combines_with_filters_sorts_and_cursors)
{
    user a = user_sign_up("filter");
    long long x = new_list(&a, "X"), inbox = inbox_of(&a);
    char *body, *url, *next;
    http_resp *r;
    int i;

    for (i = 0; i < 5; i++) {
        body = fmt("{\"title\":\"x%d\",\"list_id\":%lld,\"completed\":%s,\"priority\":\"%s\"}",
                   i, x, i % 2 ? "true" : "false", i < 2 ? "high" : "low");
        make_task(a.tok, body);
        free(body);
    }
    make_task(a.tok, "{\"title\":\"inbox one\",\"priority\":\"high\"}");
    url = fmt("/api/tasks?list_id=%lld&sort=title&order=asc&limit=2", x);
    r = call("GET", url, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(r, "X-Total-Count"), "5");
    ck_assert_str_eq(jstr(json_array_get(r->json, 0), "title"), "x0");
    ck_assert_str_eq(jstr(json_array_get(r->json, 1), "title"), "x1");
    body = fmt("list_id=%lld", x);
    ck_assert_msg(strstr(http_header(r, "Link"), body) != NULL, "Link %s",
                  http_header(r, "Link"));
    free(body);
    next = strdup(http_header(r, "Link") + 1);
    *strchr(next, '>') = '\0';
    http_free(r);
    r = call("GET", next, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(json_array_get(r->json, 0), "title"), "x2");
    ck_assert_str_eq(jstr(json_array_get(r->json, 1), "title"), "x3");
    http_free(r);
    free(url);
    url = fmt("/api/tasks?list_id=%lld&status=completed", x);
    r = call("GET", url, a.tok, NULL);
    ck_assert_str_eq(http_header(r, "X-Total-Count"), "2");
    http_free(r);
    free(url);
    url = fmt("/api/tasks?list_id=%lld&priority=high&q=x", x);
    r = call("GET", url, a.tok, NULL);
    ck_assert_str_eq(http_header(r, "X-Total-Count"), "2");
    ck_assert_int_eq(json_array_size(r->json), 2);
    http_free(r);
    free(url);
    url = fmt("/api/tasks?list_id=%lld", inbox);
    r = call("GET", url, a.tok, NULL);
    ck_assert_str_eq(http_header(r, "X-Total-Count"), "1");
    ck_assert_str_eq(jstr(json_array_get(r->json, 0), "title"), "inbox one");
    http_free(r);
    refused(call("GET", "/api/tasks?list_id=007", a.tok, NULL), 400);
    free(url);
    free(next);
    user_free(&a);
}
END_TEST

/* Deleting a list deletes its tasks; with move_to they move first (one
 * statement); move_to must be another list of the caller's. */
START_TEST(deleting_a_list_deletes_or_moves_its_tasks)
{
    user a = user_sign_up("delete"), b = user_sign_up("delete-b");
    long long inbox = inbox_of(&a), x = new_list(&a, "X"), y = new_list(&a, "Y"),
              theirs = new_list(&b, "Theirs"), tx, ty;
    char *body, *path;
    http_resp *r;

    body = fmt("{\"title\":\"in X\",\"list_id\":%lld}", x);
    tx = make_task(a.tok, body);
    free(body);
    body = fmt("{\"title\":\"in Y\",\"list_id\":%lld,\"completed\":true}", y);
    ty = make_task(a.tok, body);
    free(body);

    path = fmt("/api/lists/%lld?move_to=%lld", y, y);
    assert_field(call("DELETE", path, a.tok, NULL), "move_to");
    free(path);
    path = fmt("/api/lists/%lld?move_to=%lld", y, theirs);
    assert_field(call("DELETE", path, a.tok, NULL), "move_to");
    free(path);
    path = fmt("/api/lists/%lld?move_to=abc", y);
    assert_field(call("DELETE", path, a.tok, NULL), "move_to");
    free(path);
    path = fmt("/api/lists/%lld?to=1", y);
    refused(call("DELETE", path, a.tok, NULL), 400);
    free(path);
    ck_assert_int_eq(list_of_task(&a, ty), y);

    path = fmt("/api/lists/%lld?move_to=%lld", y, inbox);
    r = call("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    free(path);
    ck_assert_int_eq(list_of_task(&a, ty), inbox);
    assert_counts(&a, inbox, "1/0");

    path = fmt("/api/lists/%lld", x);
    r = call("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    refused(call("GET", path, a.tok, NULL), 404);
    free(path);
    path = fmt("/api/tasks/%lld", tx);
    refused(call("GET", path, a.tok, NULL), 404);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* Clearing completed tasks keeps to one list with &list_id=, and to the
 * caller's own: another user's list clears nothing. */
START_TEST(clearing_completed_tasks_keeps_to_one_list)
{
    user a = user_sign_up("clear"), b = user_sign_up("clear-b");
    long long x = new_list(&a, "X"), inbox = inbox_of(&a), theirs = inbox_of(&b);
    char *body = fmt("{\"title\":\"done in X\",\"list_id\":%lld,\"completed\":true}", x), *url;
    http_resp *r;

    make_task(a.tok, body);
    make_task(a.tok, "{\"title\":\"done in the Inbox\",\"completed\":true}");
    make_task(b.tok, "{\"title\":\"theirs\",\"completed\":true}");
    url = fmt("/api/tasks?status=completed&list_id=%lld", theirs);
    r = call("DELETE", url, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "deleted"), 0);
    http_free(r);
    free(url);
    url = fmt("/api/tasks?status=completed&list_id=%lld", x);
    r = call("DELETE", url, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "deleted"), 1);
    http_free(r);
    assert_counts(&a, x, "0/0");
    assert_counts(&a, inbox, "1/0");
    assert_counts(&b, theirs, "1/0");
    free(url);
    url = fmt("/api/tasks?status=completed&list_id=0%lld", x);
    refused(call("DELETE", url, a.tok, NULL), 400);
    free(url);
    free(body);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* At most 500 lists: the 501st is a 409 that says so. */
START_TEST(the_501st_list_is_refused)
{
    user a = user_sign_up("many");
    char *sql = fmt("INSERT INTO lists (user_id, name, position) SELECT '%s',"
                    " 'list ' || g, g FROM generate_series(1, 499) g;", a.id);
    http_resp *r;
    json_t *l;

    free(db_query(sql));
    r = call("POST", "/api/lists", a.tok, "{\"name\":\"one more\"}");
    assert_problem(r, 409);
    ck_assert_str_eq(jstr(r->json, "detail"), "you have 500 lists, the most there can be");
    http_free(r);
    l = lists_of(&a);
    ck_assert_int_eq(json_array_size(l), 500);
    json_decref(l);
    free(sql);
    user_free(&a);
}
END_TEST

typedef struct {
    const user *u;
    long long x, y;
    int n;
} writer;

/* Creates n tasks in x, completing every other one and moving every
 * third to y; deletes every fifth. */
static void *write_tasks(void *arg)
{
    writer *w = arg;
    int i;

    for (i = 0; i < w->n; i++) {
        char *body = fmt("{\"title\":\"c%d\",\"list_id\":%lld,\"completed\":%s}",
                         i, w->x, i % 2 ? "true" : "false"), *path;
        http_resp *r = http_auth("POST", "/api/tasks", w->u->tok, body);
        long long id = r->status == 201 ? jint(r->json, "id") : 0;

        http_free(r);
        free(body);
        if (!id)
            continue;
        path = fmt("/api/tasks/%lld", id);
        if (i % 3 == 0) {
            body = fmt("{\"list_id\":%lld}", w->y);
            http_free(http_auth("PATCH", path, w->u->tok, body));
            free(body);
        }
        if (i % 5 == 0)
            http_free(http_auth("DELETE", path, w->u->tok, NULL));
        free(path);
    }
    return NULL;
}

/* The counts match the tasks after writers at once (creates, toggles,
 * moves, deletes): they are kept in the same statements. */
START_TEST(counts_stay_right_under_concurrent_writes)
{
    user a = user_sign_up("counts");
    long long x = new_list(&a, "X"), y = new_list(&a, "Y");
    pthread_t th[6];
    writer w[6];
    char *sql, *want, *got;
    int i;

    for (i = 0; i < 6; i++) {
        w[i] = (writer){ &a, x, y, 20 };
        pthread_create(&th[i], NULL, write_tasks, &w[i]);
    }
    for (i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    sql = fmt("SELECT count(*) || '/' || count(*) FILTER (WHERE NOT completed)"
              " FROM tasks WHERE list_id = %lld;", x);
    want = db_query(sql);
    got = counts(&a, x);
    ck_assert_str_eq(got, want);
    ck_assert_str_ne(want, "0/0");
    free(got);
    free(want);
    free(sql);
    sql = fmt("SELECT count(*) || '/' || count(*) FILTER (WHERE NOT completed)"
              " FROM tasks WHERE list_id = %lld;", y);
    want = db_query(sql);
    got = counts(&a, y);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    free(sql);
    user_free(&a);
}
END_TEST

Suite *lists_suite(void)
{
    Suite *s = suite_create("lists");
    TCase *tc = tcase_create("lists");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_account_has_an_inbox_that_cannot_be_deleted);
    tcase_add_test(tc, lists_are_made_renamed_and_recolored_with_unique_names);
    tcase_add_test(tc, bad_list_input_names_its_field_and_writes_nothing);
    tcase_add_test(tc, positions_shift_when_a_list_moves_or_goes);
    tcase_add_test(tc, tasks_move_between_lists_and_the_counts_follow);
    tcase_add_test(tc, another_users_list_is_422_on_tasks_and_404_on_list_routes);
    tcase_add_test(tc, list_filter_combines_with_filters_sorts_and_cursors);
    tcase_add_test(tc, deleting_a_list_deletes_or_moves_its_tasks);
    tcase_add_test(tc, clearing_completed_tasks_keeps_to_one_list);
    tcase_add_test(tc, the_501st_list_is_refused);
    tcase_add_test(tc, counts_stay_right_under_concurrent_writes);
    suite_add_tcase(s, tc);
    return s;
}
