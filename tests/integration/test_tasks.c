/* test_tasks.c - the task API over real HTTP against httpd + PostgreSQL:
 * every row of the contract's task table, its validation rules, errors,
 * isolation between users, listing (filters, sorting, keyset pagination,
 * cursors), conditional requests (incl. a race), and the query plans of
 * the page statements on 10,000 tasks.
 *
 * Every request made through call()/callh() is checked against the
 * invariants that hold for every task response: never a 5xx, always
 * Cache-Control: no-store, errors are problem+json with a string detail
 * and no SQL text, successes with a body are application/json. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define MAX_BODY 65536

/* ------------------------------------------------------------------ */
/* Helpers */

/* Text that must never reach a client. */
static const char *const leak_words[] = {
    "SELECT", "INSERT INTO", "UPDATE tasks", "DELETE FROM", "ERROR:",
    "pgsql", "libpq", "at or near", "violates", "Traceback", NULL
};

static void check_invariants(const char *method, const char *path,
                             const http_resp *r)
{
    const char *cc = http_header(r, "Cache-Control");
    const char *ct = http_header(r, "Content-Type");
    size_t i;

    ck_assert_msg(r->status >= 200 && r->status < 500,
                  "%s %s -> %ld (never a 5xx): %s", method, path, r->status,
                  r->body);
    ck_assert_msg(cc && strstr(cc, "no-store"),
                  "%s %s -> %ld without Cache-Control: no-store", method, path,
                  r->status);
    if (r->status >= 400) {
        assert_problem(r, (int)r->status);
        for (i = 0; leak_words[i]; i++)
            ck_assert_msg(!strstr(r->body, leak_words[i]),
                          "%s %s: error body leaks '%s': %s", method, path,
                          leak_words[i], r->body);
    }
    else if (r->status == 200 || r->status == 201) {
        ck_assert_msg(ct && !strncmp(ct, "application/json", 16),
                      "%s %s: Content-Type %s", method, path, ct ? ct : "-");
        if (!strcmp(method, "HEAD"))
            ck_assert_msg(r->len == 0, "HEAD %s with a body", path);
        else
            ck_assert_msg(r->json != NULL, "%s %s: body is not JSON: %s", method,
                          path, r->body);
    }
    else if (r->status == 204 || r->status == 304) {
        ck_assert_msg(r->len == 0, "%s %s -> %ld with a body: %s", method,
                      path, r->status, r->body);
    }
}

/* A request with an optional token and extra headers (NULL-terminated). */
static http_resp *callh(const char *method, const char *path, const char *tok,
                        const char *body, const char *const *extra)
{
    const char *hs[16];
    char *auth = NULL;
    int n = 0;
    http_resp *r;

    if (tok) {
        auth = fmt("Authorization: Bearer %s", tok);
        hs[n++] = auth;
    }
    for (; extra && *extra && n < 15; extra++)
        hs[n++] = *extra;
    hs[n] = NULL;
    r = http(method, path, body, hs);
    free(auth);
    check_invariants(method, path, r);
    return r;
}

static http_resp *call(const char *method, const char *path, const char *tok,
                       const char *body)
{
    return callh(method, path, tok, body, NULL);
}

/* A request whose only interest is its status. */
static void expect_status(const char *method, const char *path,
                          const char *tok, const char *body, long want)
{
    http_resp *r = call(method, path, tok, body);

    ck_assert_msg(r->status == want, "%s %s %s: expected %ld, got %ld: %s",
                  method, path, body ? body : "", want, r->status, r->body);
    http_free(r);
}

static int jnull(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return v && json_is_null(v);
}

/* GET one task of tok: 200, the task (new reference); *etag when asked. */
static json_t *get_task(const char *tok, long long id, char **etag)
{
    char *path = fmt("/api/tasks/%lld", id);
    http_resp *r = call("GET", path, tok, NULL);
    json_t *t;

    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(http_header(r, "ETag"));
    if (etag)
        *etag = strdup(http_header(r, "ETag"));
    t = json_incref(r->json);
    http_free(r);
    free(path);
    return t;
}

/* The raw body of GET /api/tasks/{id} (200), for "unchanged" checks. */
static char *task_text(const char *tok, long long id)
{
    char *path = fmt("/api/tasks/%lld", id);
    http_resp *r = call("GET", path, tok, NULL);
    char *s;

    ck_assert_status(r, 200);
    s = fmt("%s|%s", http_header(r, "ETag"), r->body);
    http_free(r);
    free(path);
    return s;
}

static long total_count(const http_resp *r)
{
    const char *h = http_header(r, "X-Total-Count");
    char *end;
    long n;

    ck_assert_msg(h != NULL, "no X-Total-Count: %s", r->body);
    n = strtol(h, &end, 10);
    ck_assert_msg(*h && !*end && n >= 0, "bad X-Total-Count '%s'", h);
    return n;
}

/* The path of a rel="next" Link (malloc'd), or NULL without one. */
static char *next_link(const http_resp *r)
{
    const char *h = http_header(r, "Link");
    const char *lt, *gt;

    if (!h)
        return NULL;
    lt = strchr(h, '<');
    gt = lt ? strchr(lt, '>') : NULL;
    ck_assert_msg(lt == h && gt, "malformed Link: %s", h);
    ck_assert_msg(strstr(gt, "rel=\"next\""), "Link without rel=next: %s", h);
    ck_assert_msg(!strncmp(lt + 1, "/api/", 5), "Link not to /api: %s", h);
    return strndup(lt + 1, (size_t)(gt - lt - 1));
}

/* GET a list path: 200 and a JSON array (new ref); total and next out. */
static json_t *list(const char *tok, const char *path, long *total,
                    char **next)
{
    http_resp *r = call("GET", path, tok, NULL);
    json_t *a;

    ck_assert_msg(r->status == 200, "GET %s: %ld %s", path, r->status, r->body);
    ck_assert_msg(json_is_array(r->json), "GET %s: not an array", path);
    if (total)
        *total = total_count(r);
    if (next)
        *next = next_link(r);
    a = json_incref(r->json);
    http_free(r);
    return a;
}

/* Does the array of tasks hold id? How often? */
static int count_id(const json_t *arr, long long id)
{
    size_t i;
    json_t *t;
    int n = 0;

    json_array_foreach(arr, i, t)
        n += jint(t, "id") == id;
    return n;
}

/* The ids of a list, sorted, as "1,2,3" (malloc'd) for set comparisons. */
static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static char *id_set(const json_t *arr)
{
    size_t n = json_array_size(arr), i;
    long long *ids = calloc(n + 1, sizeof(*ids));
    char *s = strdup(""), *t;

    for (i = 0; i < n; i++)
        ids[i] = jint(json_array_get(arr, i), "id");
    qsort(ids, n, sizeof(*ids), cmp_ll);
    for (i = 0; i < n; i++) {
        t = fmt("%s%s%lld", s, i ? "," : "", ids[i]);
        free(s);
        s = t;
    }
    free(ids);
    return s;
}

static char *id_list(const long long *ids, size_t n)
{
    long long *c = calloc(n + 1, sizeof(*c));
    char *s = strdup(""), *t;
    size_t i;

    memcpy(c, ids, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_ll);
    for (i = 0; i < n; i++) {
        t = fmt("%s%s%lld", s, i ? "," : "", c[i]);
        free(s);
        s = t;
    }
    free(c);
    return s;
}

/* The "field" names of a 422's errors array, comma-joined (malloc'd). */
static char *error_fields(const http_resp *r)
{
    json_t *errs = json_object_get(r->json, "errors"), *e;
    char *s = strdup(""), *t;
    size_t i;

    ck_assert_msg(json_is_array(errs), "no errors array: %s", r->body);
    json_array_foreach(errs, i, e) {
        ck_assert_msg(json_is_string(json_object_get(e, "field"))
                      && json_is_string(json_object_get(e, "message")),
                      "bad errors entry: %s", r->body);
        t = fmt("%s%s%s", s, i ? "," : "", jstr(e, "field"));
        free(s);
        s = t;
    }
    return s;
}

/* 422 naming exactly these fields (comma-joined, in the body's order). */
static void expect_422(const char *method, const char *path, const char *tok,
                       const char *body, const char *fields)
{
    http_resp *r = call(method, path, tok, body);
    char *got;

    ck_assert_msg(r->status == 422, "%s %s %.200s: expected 422, got %ld: %s",
                  method, path, body, r->status, r->body);
    got = error_fields(r);
    ck_assert_msg(!strcmp(got, fields), "%.200s: fields '%s', want '%s'",
                  body, got, fields);
    /* detail names the (first) broken field */
    ck_assert_msg(strncmp(jstr(r->json, "detail"), fields,
                          strcspn(fields, ",")) == 0,
                  "detail '%s' does not name %s", jstr(r->json, "detail"),
                  fields);
    free(got);
    http_free(r);
}

/* s repeated n times (malloc'd). */
static char *rep(const char *s, int n)
{
    size_t l = strlen(s);
    char *out = malloc(l * (size_t)n + 1);
    int i;

    for (i = 0; i < n; i++)
        memcpy(out + l * (size_t)i, s, l);
    out[l * (size_t)n] = '\0';
    return out;
}

static const char *const task_keys[] = {
    "id", "user_id", "title", "description", "completed", "priority",
    "due_at", "tags", "list_id", "recurrence", "time_zone", "reminders",
    "created_at", "updated_at", "completed_at", NULL
};

/* A timestamp as the contract returns them (the OpenAPI Timestamp):
 * YYYY-MM-DDTHH:MM:SS.ffffffZ, always six fraction digits. */
static void assert_utc_ts(const char *what, const char *ts)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    size_t i;

    ck_assert_msg(ts != NULL, "%s is missing", what);
    ck_assert_msg(strlen(ts) == sizeof(shape) - 1, "%s '%s' is not "
                  "YYYY-MM-DDTHH:MM:SS.ffffffZ", what, ts);
    for (i = 0; shape[i]; i++)
        ck_assert_msg(shape[i] == 'd' ? ts[i] >= '0' && ts[i] <= '9'
                                      : ts[i] == shape[i],
                      "%s '%s' is not YYYY-MM-DDTHH:MM:SS.ffffffZ", what, ts);
}

/* Exactly the contract's keys, with their types. */
static void assert_task_shape(const json_t *t)
{
    size_t i;

    ck_assert_msg(json_is_object(t), "task is not an object");
    for (i = 0; task_keys[i]; i++)
        ck_assert_msg(json_object_get(t, task_keys[i]) != NULL,
                      "task lacks '%s'", task_keys[i]);
    ck_assert_int_eq(json_object_size(t), 15);
    ck_assert(json_is_integer(json_object_get(t, "id")));
    ck_assert(json_is_string(json_object_get(t, "recurrence"))
              || json_is_null(json_object_get(t, "recurrence")));
    ck_assert(json_is_string(json_object_get(t, "time_zone")));
    ck_assert(json_is_array(json_object_get(t, "reminders")));
    ck_assert(jint(t, "id") > 0);
    ck_assert(json_is_integer(json_object_get(t, "list_id")));
    ck_assert(jint(t, "list_id") > 0);
    ck_assert(json_is_string(json_object_get(t, "user_id")));
    ck_assert(json_is_string(json_object_get(t, "title")));
    ck_assert(json_is_boolean(json_object_get(t, "completed")));
    ck_assert(json_is_array(json_object_get(t, "tags")));
    assert_utc_ts("created_at", jstr(t, "created_at"));
    assert_utc_ts("updated_at", jstr(t, "updated_at"));
    if (!jnull(t, "due_at"))
        assert_utc_ts("due_at", jstr(t, "due_at"));
    if (!jnull(t, "completed_at"))
        assert_utc_ts("completed_at", jstr(t, "completed_at"));
    ck_assert_msg(json_is_true(json_object_get(t, "completed"))
                  == !jnull(t, "completed_at"),
                  "completed and completed_at disagree");
}

/* POST a body; returns the created task (new ref), asserting 201. */
static json_t *create(const char *tok, const char *body)
{
    http_resp *r = call("POST", "/api/tasks", tok, body);
    json_t *t;

    ck_assert_msg(r->status == 201, "POST %s: %ld %s", body, r->status, r->body);
    assert_task_shape(r->json);
    t = json_incref(r->json);
    http_free(r);
    return t;
}

/* A request with one extra header. */
static http_resp *call1(const char *method, const char *path, const char *tok,
                        const char *body, const char *header)
{
    const char *hs[] = { header, NULL };
    return callh(method, path, tok, body, hs);
}

/* ------------------------------------------------------------------ */
/* Raw exchanges (http_raw): chunked bodies exactly as given. */

/* A chunked POST /api/tasks of body, cut in pieces of piece bytes. */
static long chunked_post(const char *tok, const char *body, size_t piece,
                         char **resp)
{
    size_t len = strlen(body), n = (len + piece - 1) / piece + 1, i;
    char **chunks = calloc(n + 1, sizeof(char *));
    char *head = fmt("POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n", tok);
    long status;

    for (i = 0; i * piece < len; i++)
        chunks[i] = strndup(body + i * piece, piece);
    chunks[i++] = strdup("");   /* the last-chunk */
    status = http_raw(head, (const char *const *)chunks, i, resp);
    for (i = 0; i < n; i++)
        free(chunks[i]);
    free(chunks);
    free(head);
    return status;
}

/* An empty chunked body is no body: PATCH .../complete toggles, with or
 * without a Content-Type, as it does for Content-Length: 0. */
START_TEST(empty_chunked_body_on_complete_toggles)
{
    user a = user_sign_up("chunked-toggle");
    json_t *t = create(a.tok, "{\"title\":\"toggle me\"}");
    long long id = json_integer_value(json_object_get(t, "id"));
    const char *types[] = { "Content-Type: application/json\r\n", "" };
    const char *last[] = { "" };
    size_t i;

    for (i = 0; i < 2; i++) {
        char *head = fmt("PATCH /api/tasks/%lld/complete HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n%s"
                         "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                         id, a.tok, types[i]);
        char *resp = NULL;
        long st = http_raw(head, last, 1, &resp);
        const char *want = i == 0 ? "\"completed\":true" : "\"completed\":false";

        ck_assert_msg(st == 200, "empty chunked body (%s): %ld\n%s",
                      i == 0 ? "JSON type" : "no type", st, resp);
        ck_assert_msg(strstr(resp, want), "toggle %zu: %s", i, resp);
        free(resp);
        free(head);
    }
    json_decref(t);
    user_free(&a);
}
END_TEST

/* A JSON object of exactly size bytes: a title, padded with spaces. */
static char *body_of_size(size_t size)
{
    const char *start = "{\"title\":\"sized body\"";
    size_t l = strlen(start);
    char *b = malloc(size + 1);

    ck_assert(size > l + 1);
    memcpy(b, start, l);
    memset(b + l, ' ', size - l - 1);
    b[size - 1] = '}';
    b[size] = '\0';
    return b;
}

/* ------------------------------------------------------------------ */
/* Create, read, replace, update, complete, delete */

START_TEST(create_returns_201_location_etag_and_defaults)
{
    user a = user_sign_up("crud");
    http_resp *r = call("POST", "/api/tasks", a.tok, "{\"title\":\"Buy milk\"}");
    const json_t *t = r->json;
    char *loc;

    ck_assert_status(r, 201);
    assert_task_shape(t);
    loc = fmt("/api/tasks/%lld", jint(t, "id"));
    ck_assert_str_eq(http_header(r, "Location"), loc);
    ck_assert_ptr_nonnull(http_header(r, "ETag"));
    ck_assert_str_eq(jstr(t, "user_id"), a.id);
    ck_assert_str_eq(jstr(t, "title"), "Buy milk");
    ck_assert(jnull(t, "description"));
    ck_assert(json_is_false(json_object_get(t, "completed")));
    ck_assert_str_eq(jstr(t, "priority"), "none");
    ck_assert(jnull(t, "due_at"));
    ck_assert_int_eq(json_array_size(json_object_get(t, "tags")), 0);
    ck_assert_str_eq(jstr(t, "created_at"), jstr(t, "updated_at"));
    ck_assert(jnull(t, "completed_at"));

    /* The Location leads to the same task, with the same ETag. */
    {
        http_resp *g = call("GET", loc, a.tok, NULL);
        ck_assert_status(g, 200);
        ck_assert_str_eq(g->body, r->body);
        ck_assert_str_eq(http_header(g, "ETag"), http_header(r, "ETag"));
        http_free(g);
    }
    http_free(r);
    free(loc);

    /* Every writable field at creation. */
    r = call("POST", "/api/tasks", a.tok,
             "{\"title\":\"Pay rent\",\"description\":\"before the 5th\","
             "\"completed\":true,\"priority\":\"high\","
             "\"due_at\":\"2026-12-01T09:30:00Z\",\"tags\":[\"home\",\"money\"]}");
    ck_assert_status(r, 201);
    assert_task_shape(r->json);
    ck_assert_str_eq(jstr(r->json, "description"), "before the 5th");
    ck_assert(json_is_true(json_object_get(r->json, "completed")));
    ck_assert(!jnull(r->json, "completed_at"));
    ck_assert_str_eq(jstr(r->json, "priority"), "high");
    ck_assert(!strncmp(jstr(r->json, "due_at"), "2026-12-01T09:30:00", 19));
    ck_assert_str_eq(json_string_value(json_array_get(
        json_object_get(r->json, "tags"), 1)), "money");
    http_free(r);
    user_free(&a);
}
END_TEST

START_TEST(get_has_etag_and_if_none_match_gives_304)
{
    user a = user_sign_up("inm");
    json_t *t = create(a.tok, "{\"title\":\"cache me\"}");
    long long id = jint(t, "id");
    char *path = fmt("/api/tasks/%lld", id), *etag, *inm, *stale;
    http_resp *r;

    json_decref(get_task(a.tok, id, &etag));
    ck_assert_msg(etag[0] == '"' && etag[strlen(etag) - 1] == '"',
                  "ETag %s is not a strong quoted tag", etag);

    inm = fmt("If-None-Match: %s", etag);
    r = call1("GET", path, a.tok, NULL, inm);
    ck_assert_status(r, 304);
    ck_assert_str_eq(http_header(r, "ETag"), etag);
    http_free(r);

    /* In a list, and "*". */
    free(inm);
    inm = fmt("If-None-Match: \"other\", %s", etag);
    r = call1("GET", path, a.tok, NULL, inm);
    ck_assert_status(r, 304);
    http_free(r);
    r = call1("GET", path, a.tok, NULL, "If-None-Match: *");
    ck_assert_status(r, 304);
    http_free(r);

    /* A change makes the tag stale: 200 with the new tag. */
    stale = etag;
    expect_status("PATCH", path, a.tok, "{\"priority\":\"low\"}", 200);
    free(inm);
    inm = fmt("If-None-Match: %s", stale);
    r = call1("GET", path, a.tok, NULL, inm);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "priority"), "low");
    ck_assert_str_ne(http_header(r, "ETag"), stale);
    http_free(r);
    r = call1("GET", path, a.tok, NULL, "If-None-Match: \"nothing-like-it\"");
    ck_assert_status(r, 200);
    http_free(r);

    free(stale);
    free(inm);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(put_requires_title_and_keeps_absent_fields)
{
    user a = user_sign_up("put");
    json_t *t = create(a.tok, "{\"title\":\"orig\",\"description\":\"d\","
                       "\"priority\":\"medium\",\"due_at\":\"2026-05-05T05:05:05Z\","
                       "\"tags\":[\"x\",\"y\"]}");
    long long id = jint(t, "id");
    char *path = fmt("/api/tasks/%lld", id), *before = task_text(a.tok, id),
         *after;
    http_resp *r;

    /* No title: 422, nothing changes. */
    expect_422("PUT", path, a.tok, "{\"description\":\"new\"}", "title");
    expect_422("PUT", path, a.tok, "{}", "title");
    after = task_text(a.tok, id);
    ck_assert_str_eq(after, before);
    free(after);

    r = call("PUT", path, a.tok, "{\"title\":\"  renamed  \"}");
    ck_assert_status(r, 200);
    assert_task_shape(r->json);
    ck_assert_str_eq(jstr(r->json, "title"), "renamed");
    ck_assert_str_eq(jstr(r->json, "description"), "d");
    ck_assert_str_eq(jstr(r->json, "priority"), "medium");
    ck_assert(!strncmp(jstr(r->json, "due_at"), "2026-05-05T05:05:05", 19));
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "tags")), 2);
    ck_assert(json_is_false(json_object_get(r->json, "completed")));
    ck_assert_str_eq(jstr(r->json, "created_at"), jstr(t, "created_at"));
    ck_assert_int_gt(strcmp(jstr(r->json, "updated_at"), jstr(t, "updated_at")), 0);
    ck_assert_ptr_nonnull(http_header(r, "ETag"));
    http_free(r);

    /* Fields present are set, null clears. */
    r = call("PUT", path, a.tok, "{\"title\":\"t2\",\"description\":null,"
             "\"priority\":\"high\",\"due_at\":null,\"tags\":[],\"completed\":true}");
    ck_assert_status(r, 200);
    ck_assert(jnull(r->json, "description"));
    ck_assert(jnull(r->json, "due_at"));
    ck_assert_str_eq(jstr(r->json, "priority"), "high");
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "tags")), 0);
    ck_assert(json_is_true(json_object_get(r->json, "completed")));
    ck_assert(!jnull(r->json, "completed_at"));
    {
        char *completed_at = strdup(jstr(r->json, "completed_at"));
        http_free(r);
        /* absent completed keeps completed (and when it happened) */
        r = call("PUT", path, a.tok, "{\"title\":\"t3\"}");
        ck_assert_status(r, 200);
        ck_assert(json_is_true(json_object_get(r->json, "completed")));
        ck_assert_str_eq(jstr(r->json, "completed_at"), completed_at);
        ck_assert_str_eq(jstr(r->json, "priority"), "high");
        free(completed_at);
    }
    http_free(r);

    free(before);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(patch_sets_subsets_and_null_clears)
{
    user a = user_sign_up("patch");
    json_t *t = create(a.tok, "{\"title\":\"p\",\"description\":\"keep me\","
                       "\"priority\":\"low\",\"due_at\":\"2026-07-01T00:00:00Z\","
                       "\"tags\":[\"a\"]}");
    char *path = fmt("/api/tasks/%lld", jint(t, "id"));
    http_resp *r;

    r = call("PATCH", path, a.tok, "{\"priority\":\"high\"}");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "priority"), "high");
    ck_assert_str_eq(jstr(r->json, "title"), "p");
    ck_assert_str_eq(jstr(r->json, "description"), "keep me");
    ck_assert(!jnull(r->json, "due_at"));
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "tags")), 1);
    http_free(r);

    r = call("PATCH", path, a.tok, "{\"description\":null}");
    ck_assert_status(r, 200);
    ck_assert(jnull(r->json, "description"));
    ck_assert(!jnull(r->json, "due_at"));
    ck_assert_str_eq(jstr(r->json, "priority"), "high");
    http_free(r);

    r = call("PATCH", path, a.tok, "{\"due_at\":null,\"tags\":[\"b\",\"c\"]}");
    ck_assert_status(r, 200);
    ck_assert(jnull(r->json, "due_at"));
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "tags")), 2);
    ck_assert_str_eq(jstr(r->json, "title"), "p");
    http_free(r);

    r = call("PATCH", path, a.tok, "{\"title\":\"q\",\"description\":\"back\"}");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "title"), "q");
    ck_assert_str_eq(jstr(r->json, "description"), "back");
    http_free(r);

    /* null is only for description and due_at. */
    expect_422("PATCH", path, a.tok, "{\"title\":null}", "title");
    expect_422("PATCH", path, a.tok, "{\"priority\":null}", "priority");
    expect_422("PATCH", path, a.tok, "{\"tags\":null}", "tags");
    expect_422("PATCH", path, a.tok, "{\"completed\":null}", "completed");
    expect_422("PATCH", path, a.tok, "{\"title\":\"  \"}", "title");

    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(updated_at_moves_and_completed_at_follows_completed)
{
    user a = user_sign_up("stamps");
    json_t *t = create(a.tok, "{\"title\":\"stamps\"}"), *done;
    char *path = fmt("/api/tasks/%lld", jint(t, "id"));
    char *cpath = fmt("%s/complete", path);
    char *last = strdup(jstr(t, "updated_at")), *completed_at;
    const char *created = jstr(t, "created_at");
    struct { const char *m, *p, *body; int completed; } steps[] = {
        { "PUT", path, "{\"title\":\"stamps 2\"}", 0 },
        { "PATCH", path, "{\"description\":\"x\"}", 0 },
        { "PATCH", path, "{\"description\":null}", 0 },
        { "PATCH", path, "{\"completed\":true}", 1 },
        { "PATCH", path, "{\"completed\":false}", 0 },
        { "PATCH", cpath, NULL, 1 },
        { "PATCH", cpath, NULL, 0 },
        { "PATCH", cpath, "{\"completed\":true}", 1 },
        { "PUT", path, "{\"title\":\"stamps 3\",\"completed\":false}", 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
        http_resp *r = call(steps[i].m, steps[i].p, a.tok, steps[i].body);
        ck_assert_msg(r->status == 200, "step %zu: %ld %s", i, r->status, r->body);
        assert_task_shape(r->json);
        ck_assert_msg(strcmp(jstr(r->json, "updated_at"), last) > 0,
                      "step %zu: updated_at %s did not move past %s", i,
                      jstr(r->json, "updated_at"), last);
        ck_assert_str_eq(jstr(r->json, "created_at"), created);
        ck_assert_msg(json_is_true(json_object_get(r->json, "completed"))
                      == steps[i].completed, "step %zu: completed", i);
        ck_assert_msg(jnull(r->json, "completed_at") == !steps[i].completed,
                      "step %zu: completed_at %s", i, r->body);
        if (steps[i].completed)
            ck_assert(strcmp(jstr(r->json, "completed_at"), created) >= 0);
        free(last);
        last = strdup(jstr(r->json, "updated_at"));
        http_free(r);
    }

    /* completed_at is when it became completed: setting completed again
     * keeps it. */
    expect_status("PATCH", cpath, a.tok, "{\"completed\":true}", 200);
    done = get_task(a.tok, jint(t, "id"), NULL);
    completed_at = strdup(jstr(done, "completed_at"));
    {
        http_resp *r = call("PATCH", cpath, a.tok, "{\"completed\":true}");
        ck_assert_status(r, 200);
        /* a no-op value still counts as a modification */
        ck_assert_int_gt(strcmp(jstr(r->json, "updated_at"), jstr(done, "updated_at")), 0);
        ck_assert_str_eq(jstr(r->json, "completed_at"), completed_at);
        http_free(r);
    }
    json_decref(done);
    expect_status("PATCH", path, a.tok, "{\"completed\":true,\"title\":\"z\"}", 200);
    done = get_task(a.tok, jint(t, "id"), NULL);
    ck_assert_str_eq(jstr(done, "completed_at"), completed_at);
    json_decref(done);

    free(completed_at);
    free(last);
    free(cpath);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(complete_toggles_sets_and_validates)
{
    user a = user_sign_up("complete");
    json_t *t = create(a.tok, "{\"title\":\"toggle me\"}");
    char *path = fmt("/api/tasks/%lld/complete", jint(t, "id"));
    char *before;
    http_resp *r;
    int i;

    /* No body toggles, back and forth. */
    for (i = 0; i < 4; i++) {
        r = call("PATCH", path, a.tok, NULL);
        ck_assert_status(r, 200);
        ck_assert_int_eq(json_is_true(json_object_get(r->json, "completed")),
                         i % 2 == 0);
        ck_assert_int_eq(jnull(r->json, "completed_at"), i % 2 != 0);
        ck_assert_str_eq(jstr(r->json, "title"), "toggle me");
        http_free(r);
    }
    /* An empty body (Content-Length: 0) is no body: it toggles too. */
    r = call("PATCH", path, a.tok, "");
    ck_assert_status(r, 200);
    ck_assert(json_is_true(json_object_get(r->json, "completed")));
    http_free(r);

    /* A body sets; setting the same twice keeps it. */
    for (i = 0; i < 2; i++) {
        r = call("PATCH", path, a.tok, "{\"completed\":false}");
        ck_assert_status(r, 200);
        ck_assert(json_is_false(json_object_get(r->json, "completed")));
        ck_assert(jnull(r->json, "completed_at"));
        http_free(r);
    }
    for (i = 0; i < 2; i++) {
        r = call("PATCH", path, a.tok, "{\"completed\":true}");
        ck_assert_status(r, 200);
        ck_assert(json_is_true(json_object_get(r->json, "completed")));
        ck_assert(!jnull(r->json, "completed_at"));
        http_free(r);
    }

    /* Bad bodies change nothing. */
    before = task_text(a.tok, jint(t, "id"));
    expect_422("PATCH", path, a.tok, "{\"completed\":\"yes\"}", "completed");
    expect_422("PATCH", path, a.tok, "{\"completed\":1}", "completed");
    expect_422("PATCH", path, a.tok, "{\"completed\":null}", "completed");
    expect_422("PATCH", path, a.tok, "{}", "completed");
    expect_status("PATCH", path, a.tok, "{\"completed\":", 400);
    expect_status("PATCH", path, a.tok, "[true]", 400);
    r = call1("PATCH", path, a.tok, "{\"completed\":false}",
              "Content-Type: text/plain");
    assert_problem(r, 415);
    http_free(r);
    {
        char *after = task_text(a.tok, jint(t, "id"));
        ck_assert_str_eq(after, before);
        free(after);
    }

    free(before);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

/* X-Total-Count of path for tok. */
static long total_of(const char *tok, const char *path)
{
    long total = -1;
    json_t *l = list(tok, path, &total, NULL);

    json_decref(l);
    return total;
}

/* The per-user counts behind X-Total-Count follow every way completed
 * changes (toggle, PATCH, PUT, create completed, delete, clear) and are
 * left alone by writes that do not change it. */
START_TEST(status_counts_follow_every_change_of_completed)
{
    user a = user_sign_up("counts");
    json_t *t1 = create(a.tok, "{\"title\":\"one\"}");
    json_t *t2 = create(a.tok, "{\"title\":\"two\",\"completed\":true}");
    json_t *t3 = create(a.tok, "{\"title\":\"three\"}");
    char *c1 = fmt("/api/tasks/%lld/complete", jint(t1, "id"));
    char *p2 = fmt("/api/tasks/%lld", jint(t2, "id"));
    char *p3 = fmt("/api/tasks/%lld", jint(t3, "id"));
    http_resp *r;

#define COUNTS(all, done) do { \
        ck_assert_int_eq(total_of(a.tok, "/api/tasks"), (all)); \
        ck_assert_int_eq(total_of(a.tok, "/api/tasks?status=completed"), (done)); \
        ck_assert_int_eq(total_of(a.tok, "/api/tasks?status=pending"), (all) - (done)); \
    } while (0)
    COUNTS(3, 1);
    r = call("PATCH", c1, a.tok, NULL);                 /* toggle on */
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 2);
    r = call("PATCH", p3, a.tok, "{\"title\":\"three!\"}");   /* no change */
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 2);
    r = call("PATCH", p3, a.tok, "{\"completed\":false}");      /* same value */
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 2);
    r = call("PUT", p2, a.tok, "{\"title\":\"two\",\"completed\":false}");
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 1);
    r = call("PATCH", c1, a.tok, "{\"completed\":false}");      /* off */
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 0);
    r = call("PATCH", p3, a.tok, "{\"completed\":true}");
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(3, 1);
    r = call("DELETE", p3, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    COUNTS(2, 0);
    r = call("PATCH", c1, a.tok, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    r = call("DELETE", "/api/tasks?status=completed", a.tok, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    COUNTS(1, 0);
#undef COUNTS
    free(c1);
    free(p2);
    free(p3);
    json_decref(t1);
    json_decref(t2);
    json_decref(t3);
    user_free(&a);
}
END_TEST

START_TEST(delete_gives_204_then_404)
{
    user a = user_sign_up("delete");
    json_t *t = create(a.tok, "{\"title\":\"doomed\"}"), *keep;
    char *path = fmt("/api/tasks/%lld", jint(t, "id"));
    http_resp *r;

    keep = create(a.tok, "{\"title\":\"survivor\"}");
    r = call("DELETE", path, a.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = call("GET", path, a.tok, NULL);
    assert_problem(r, 404);
    http_free(r);
    expect_status("DELETE", path, a.tok, NULL, 404);
    expect_status("PATCH", path, a.tok, "{\"title\":\"x\"}", 404);
    expect_status("PUT", path, a.tok, "{\"title\":\"x\"}", 404);
    {
        char *cp = fmt("%s/complete", path);
        expect_status("PATCH", cp, a.tok, NULL, 404);
        free(cp);
    }
    json_decref(get_task(a.tok, jint(keep, "id"), NULL));

    free(path);
    json_decref(keep);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(clear_completed_deletes_only_the_callers_completed)
{
    user a = user_sign_up("clear"), b = user_sign_up("clear-other");
    long long a_done[3], a_open[2], b_done;
    json_t *l, *t;
    long total;
    int i;
    char *got, *want;
    http_resp *r;
    const char *bad[] = {
        "/api/tasks", "/api/tasks?status=pending", "/api/tasks?status=all",
        "/api/tasks?status=completed&x=1", "/api/tasks?x=1&status=completed",
        "/api/tasks?status=completed&status=completed",
        "/api/tasks?status=Completed", "/api/tasks?status=",
        "/api/tasks?q=a&status=completed",
    };

    for (i = 0; i < 3; i++)
        a_done[i] = make_task(a.tok, "{\"title\":\"done\",\"completed\":true}");
    for (i = 0; i < 2; i++)
        a_open[i] = make_task(a.tok, "{\"title\":\"open\"}");
    b_done = make_task(b.tok, "{\"title\":\"b done\",\"completed\":true}");

    /* Any other query: 400 and nothing deleted. */
    for (i = 0; i < (int)(sizeof(bad) / sizeof(*bad)); i++) {
        r = call("DELETE", bad[i], a.tok, NULL);
        assert_problem(r, 400);
        http_free(r);
    }
    l = list(a.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 5);
    json_decref(l);

    r = call("DELETE", "/api/tasks?status=completed", a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_object_size(r->json), 1);
    ck_assert_int_eq(jint(r->json, "deleted"), 3);
    http_free(r);

    l = list(a.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 2);
    got = id_set(l);
    want = id_list(a_open, 2);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    json_decref(l);
    for (i = 0; i < 3; i++) {
        char *p = fmt("/api/tasks/%lld", a_done[i]);
        expect_status("GET", p, a.tok, NULL, 404);
        free(p);
    }
    /* The other user's completed task is untouched. */
    t = get_task(b.tok, b_done, NULL);
    ck_assert(json_is_true(json_object_get(t, "completed")));
    json_decref(t);

    /* Nothing left to clear. */
    r = call("DELETE", "/api/tasks?status=completed", a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "deleted"), 0);
    http_free(r);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* /api/{user_id}/tasks... answers for the caller's own id, 403 for any
 * other (never reaching the other user's data). */
START_TEST(seed_compatible_paths)
{
    user a = user_sign_up("seed"), b = user_sign_up("seed-other");
    char *base = fmt("/api/%s/tasks", a.id), *p, *other;
    long long id, bid;
    http_resp *r;
    json_t *l;
    long total;
    size_t i;

    r = call("POST", base, a.tok, "{\"title\":\"via seed path\"}");
    ck_assert_status(r, 201);
    id = jint(r->json, "id");
    p = fmt("/api/tasks/%lld", id);
    ck_assert_str_eq(http_header(r, "Location"), p);
    free(p);
    ck_assert_str_eq(jstr(r->json, "user_id"), a.id);
    http_free(r);
    bid = make_task(b.tok, "{\"title\":\"b's\"}");

    l = list(a.tok, base, &total, NULL);
    ck_assert_int_eq(total, 1);
    ck_assert_int_eq(count_id(l, id), 1);
    json_decref(l);

    p = fmt("%s/%lld", base, id);
    r = call("GET", p, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "title"), "via seed path");
    http_free(r);
    expect_status("PUT", p, a.tok, "{\"title\":\"put via seed\"}", 200);
    expect_status("PATCH", p, a.tok, "{\"priority\":\"high\"}", 200);
    other = fmt("%s/complete", p);
    r = call("PATCH", other, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert(json_is_true(json_object_get(r->json, "completed")));
    ck_assert_str_eq(jstr(r->json, "title"), "put via seed");
    ck_assert_str_eq(jstr(r->json, "priority"), "high");
    http_free(r);
    free(other);
    /* B's task through A's own path: B's task does not exist for A. */
    other = fmt("%s/%lld", base, bid);
    expect_status("GET", other, a.tok, NULL, 404);
    free(other);

    /* Another user's id in the path: 403 for every method, even for the
     * caller's own task id, and a made-up id is not a 500. */
    {
        char *bb = fmt("/api/%s/tasks", b.id);
        char *bt = fmt("%s/%lld", bb, bid), *at = fmt("%s/%lld", bb, id);
        char *btc = fmt("%s/complete", bt);
        struct { const char *m, *p, *body; } cases[] = {
            { "GET", bb, NULL }, { "POST", bb, "{\"title\":\"x\"}" },
            { "DELETE", "", NULL },
            { "GET", bt, NULL }, { "PUT", bt, "{\"title\":\"x\"}" },
            { "PATCH", bt, "{\"title\":\"x\"}" }, { "DELETE", bt, NULL },
            { "PATCH", btc, NULL }, { "GET", at, NULL },
            { "GET", "/api/not-a-uuid/tasks", NULL },
            { "GET", "/api/00000000-0000-0000-0000-000000000000/tasks", NULL },
        };
        char *clear = fmt("%s?status=completed", bb);
        cases[2].p = clear;
        for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
            r = call(cases[i].m, cases[i].p, a.tok, cases[i].body);
            ck_assert_msg(r->status == 403, "%s %s: %ld %s", cases[i].m,
                          cases[i].p, r->status, r->body);
            ck_assert(!strstr(r->body, "b's"));
            http_free(r);
        }
        /* B's task is untouched by all of that. */
        json_decref(get_task(b.tok, bid, NULL));
        l = list(b.tok, "/api/tasks", &total, NULL);
        ck_assert_int_eq(total, 1);
        json_decref(l);
        free(clear);
        free(btc);
        free(bt);
        free(at);
        free(bb);
    }

    /* Clear and delete through the seed path. */
    other = fmt("%s?status=completed", base);
    r = call("DELETE", other, a.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "deleted"), 1);
    http_free(r);
    free(other);
    id = make_task(a.tok, "{\"title\":\"delete via seed\"}");
    free(p);
    p = fmt("%s/%lld", base, id);
    expect_status("DELETE", p, a.tok, NULL, 204);
    expect_status("GET", p, a.tok, NULL, 404);

    free(p);
    free(base);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Validation */

START_TEST(title_length_counts_code_points_and_is_trimmed)
{
    user a = user_sign_up("title");
    char *e200 = rep("\xF0\x9F\x98\x80", 200), *e201 = rep("\xF0\x9F\x98\x80", 201);
    char *a200 = rep("a", 200), *a201 = rep("a", 201), *body;
    json_t *t;

    body = fmt("{\"title\":\"%s\"}", e200);
    t = create(a.tok, body);
    ck_assert_str_eq(jstr(t, "title"), e200);
    json_decref(get_task(a.tok, jint(t, "id"), NULL));
    json_decref(t);
    free(body);

    body = fmt("{\"title\":\"%s\"}", e201);
    expect_422("POST", "/api/tasks", a.tok, body, "title");
    free(body);

    /* Surrounding white space does not count, and is not kept. */
    body = fmt("{\"title\":\" \\t\\n %s \\u3000\"}", a200);
    t = create(a.tok, body);
    ck_assert_str_eq(jstr(t, "title"), a200);
    json_decref(t);
    free(body);
    t = create(a.tok, "{\"title\":\"  Buy   milk \\n\"}");
    ck_assert_str_eq(jstr(t, "title"), "Buy   milk");
    json_decref(t);

    body = fmt("{\"title\":\"%s\"}", a201);
    expect_422("POST", "/api/tasks", a.tok, body, "title");
    free(body);
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"\"}", "title");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\" \\t\\n \"}", "title");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":42}", "title");
    expect_422("POST", "/api/tasks", a.tok, "{\"description\":\"no title\"}", "title");

    free(e200);
    free(e201);
    free(a200);
    free(a201);
    user_free(&a);
}
END_TEST

START_TEST(description_is_at_most_1000_characters)
{
    user a = user_sign_up("desc");
    char *d1000 = rep("\xC3\xA9", 1000), *d1001 = rep("\xC3\xA9", 1001);
    char *body = fmt("{\"title\":\"d\",\"description\":\"%s\"}", d1000);
    json_t *t = create(a.tok, body);
    char *path = fmt("/api/tasks/%lld", jint(t, "id"));

    ck_assert_str_eq(jstr(t, "description"), d1000);
    free(body);
    body = fmt("{\"title\":\"d\",\"description\":\"%s\"}", d1001);
    expect_422("POST", "/api/tasks", a.tok, body, "description");
    free(body);
    body = fmt("{\"description\":\"%s\"}", d1001);
    expect_422("PATCH", path, a.tok, body, "description");
    free(body);
    expect_422("POST", "/api/tasks", a.tok,
               "{\"title\":\"d\",\"description\":[]}", "description");

    free(path);
    json_decref(t);
    free(d1000);
    free(d1001);
    user_free(&a);
}
END_TEST

START_TEST(tags_rules)
{
    user a = user_sign_up("tags");
    char *tags = strdup(""), *t2, *body, *t50 = rep("\xC3\xBC", 50),
         *t51 = rep("\xC3\xBC", 51);
    json_t *t;
    int i;

    for (i = 0; i < 20; i++) {
        t2 = fmt("%s%s\"tag%d\"", tags, i ? "," : "", i);
        free(tags);
        tags = t2;
    }
    body = fmt("{\"title\":\"t\",\"tags\":[%s]}", tags);
    t = create(a.tok, body);
    ck_assert_int_eq(json_array_size(json_object_get(t, "tags")), 20);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "tags"), 0)),
                     "tag0");
    json_decref(t);
    free(body);

    /* At most 20 *distinct*: repeats of them are fine. */
    body = fmt("{\"title\":\"t\",\"tags\":[%s,\"tag0\",\"tag5\",\"tag19\"]}", tags);
    t = create(a.tok, body);
    ck_assert_int_eq(json_array_size(json_object_get(t, "tags")), 20);
    json_decref(t);
    free(body);

    /* Elements are trimmed; exact duplicates folded, first kept, order kept. */
    t = create(a.tok, "{\"title\":\"t\",\"tags\":[\" b \",\"a\",\"b\",\"a \",\"B\"]}");
    {
        char *dump = json_dumps(json_object_get(t, "tags"), JSON_COMPACT);
        ck_assert_str_eq(dump, "[\"b\",\"a\",\"B\"]");
        free(dump);
    }
    json_decref(t);

    body = fmt("{\"title\":\"t\",\"tags\":[%s,\"tag20\"]}", tags);
    expect_422("POST", "/api/tasks", a.tok, body, "tags");
    free(body);

    body = fmt("{\"title\":\"t\",\"tags\":[\"%s\"]}", t50);
    t = create(a.tok, body);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "tags"), 0)),
                     t50);
    json_decref(t);
    free(body);
    body = fmt("{\"title\":\"t\",\"tags\":[\"ok\",\"%s\"]}", t51);
    expect_422("POST", "/api/tasks", a.tok, body, "tags");
    free(body);
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"t\",\"tags\":[\"\"]}", "tags");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"t\",\"tags\":[1]}", "tags");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"t\",\"tags\":\"home\"}", "tags");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"t\",\"tags\":null}", "tags");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"t\",\"tags\":[[\"a\"]]}", "tags");

    free(t50);
    free(t51);
    free(tags);
    user_free(&a);
}
END_TEST

START_TEST(due_at_needs_an_offset_and_comes_back_in_utc)
{
    user a = user_sign_up("due");
    struct { const char *in, *utc; } ok[] = {
        { "2026-01-01T10:00:00+02:00", "2026-01-01T08:00:00.000000Z" },
        { "2025-12-31T22:00:00-05:30", "2026-01-01T03:30:00.000000Z" },
        { "2026-06-15T12:34:56Z", "2026-06-15T12:34:56.000000Z" },
        { "2026-06-15T12:34:56.5+00:00", "2026-06-15T12:34:56.500000Z" },
        { "2026-06-15t12:34:56.1234567z", "2026-06-15T12:34:56.123456Z" },
    };
    const char *bad[] = {
        "2026-01-01", "2026-01-01T10:00:00", "2026-02-30T10:00:00Z",
        "2026-01-01T25:00:00Z", "tomorrow", "", "2026-01-01T10:00:00+2",
    };
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        char *body = fmt("{\"title\":\"due\",\"due_at\":\"%s\"}", ok[i].in);
        json_t *t = create(a.tok, body);
        const char *d = jstr(t, "due_at");

        ck_assert_msg(d && !strcmp(d, ok[i].utc), "%s came back as %s, want %s",
                      ok[i].in, d ? d : "null", ok[i].utc);
        json_decref(t);
        free(body);
    }
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char *body = fmt("{\"title\":\"due\",\"due_at\":\"%s\"}", bad[i]);
        expect_422("POST", "/api/tasks", a.tok, body, "due_at");
        free(body);
    }
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"due\",\"due_at\":1767225600}",
               "due_at");
    user_free(&a);
}
END_TEST

START_TEST(priority_and_completed_types)
{
    user a = user_sign_up("prio");
    const char *prios[] = { "none", "low", "medium", "high" };
    size_t i;

    for (i = 0; i < 4; i++) {
        char *body = fmt("{\"title\":\"p\",\"priority\":\"%s\"}", prios[i]);
        json_t *t = create(a.tok, body);
        ck_assert_str_eq(jstr(t, "priority"), prios[i]);
        json_decref(t);
        free(body);
    }
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"p\",\"priority\":\"urgent\"}", "priority");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"p\",\"priority\":\"HIGH\"}", "priority");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"p\",\"priority\":3}", "priority");
    expect_422("POST", "/api/tasks", a.tok, "{\"title\":\"p\",\"completed\":\"true\"}", "completed");
    user_free(&a);
}
END_TEST

START_TEST(several_broken_fields_give_one_422_listing_all)
{
    user a = user_sign_up("broken");
    json_t *t = create(a.tok, "{\"title\":\"fine\"}");
    char *path = fmt("/api/tasks/%lld", jint(t, "id")), *before;
    const char *body = "{\"title\":\"\",\"description\":5,\"completed\":\"no\","
        "\"priority\":\"urgent\",\"due_at\":\"2026-01-01\",\"tags\":\"x\"}";
    http_resp *r = call("POST", "/api/tasks", a.tok, body);
    char *fields;

    assert_problem(r, 422);
    fields = error_fields(r);
    ck_assert_str_eq(fields, "title,description,completed,priority,due_at,tags");
    free(fields);
    http_free(r);

    before = task_text(a.tok, jint(t, "id"));
    expect_422("PUT", path, a.tok, "{\"title\":\"ok\",\"priority\":\"x\",\"tags\":[\"\"]}",
               "priority,tags");
    expect_422("PATCH", path, a.tok, "{\"due_at\":\"soon\",\"title\":\"\"}",
               "title,due_at");
    {
        char *after = task_text(a.tok, jint(t, "id"));
        ck_assert_str_eq(after, before);
        free(after);
    }
    free(before);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

/* id, user_id, created_at, updated_at, completed_at and unknown fields
 * are ignored; a user_id in a body never moves a task. */
START_TEST(read_only_and_unknown_fields_are_ignored)
{
    user a = user_sign_up("ro"), b = user_sign_up("ro-other");
    char *body = fmt("{\"title\":\"mine\",\"id\":987654321,\"user_id\":\"%s\","
                     "\"created_at\":\"2000-01-01T00:00:00Z\","
                     "\"updated_at\":\"2000-01-01T00:00:00Z\","
                     "\"completed_at\":\"2000-01-01T00:00:00Z\",\"version\":7,"
                     "\"etag\":\"x\",\"owner\":{\"id\":1},\"foo\":[1,2]}", b.id);
    json_t *t = create(a.tok, body), *l;
    long long id = jint(t, "id");
    char *path = fmt("/api/tasks/%lld", id);
    long total;
    http_resp *r;

    ck_assert_int_ne(id, 987654321);
    ck_assert_str_eq(jstr(t, "user_id"), a.id);
    ck_assert(strncmp(jstr(t, "created_at"), "2000", 4) != 0);
    ck_assert(jnull(t, "completed_at"));
    ck_assert_ptr_null(json_object_get(t, "foo"));
    free(body);

    body = fmt("{\"user_id\":\"%s\",\"id\":1,\"created_at\":\"1999-01-01T00:00:00Z\","
               "\"title\":\"still mine\"}", b.id);
    r = call("PATCH", path, a.tok, body);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "user_id"), a.id);
    ck_assert_int_eq(jint(r->json, "id"), id);
    ck_assert_str_eq(jstr(r->json, "created_at"), jstr(t, "created_at"));
    http_free(r);
    r = call("PUT", path, a.tok, body);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "user_id"), a.id);
    http_free(r);
    free(body);
    body = fmt("{\"completed\":true,\"user_id\":\"%s\"}", b.id);
    {
        char *cp = fmt("%s/complete", path);
        expect_status("PATCH", cp, a.tok, body, 200);
        free(cp);
    }
    free(body);

    /* The task stayed A's: B cannot see it, A can. */
    expect_status("GET", path, b.tok, NULL, 404);
    l = list(b.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 0);
    ck_assert_int_eq(json_array_size(l), 0);
    json_decref(l);
    json_decref(t);
    t = get_task(a.tok, id, NULL);
    ck_assert_str_eq(jstr(t, "user_id"), a.id);
    ck_assert_str_eq(jstr(t, "title"), "still mine");
    json_decref(t);

    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

START_TEST(body_encoding_type_and_shape_errors)
{
    user a = user_sign_up("body");
    json_t *t = create(a.tok, "{\"title\":\"target\"}");
    char *path = fmt("/api/tasks/%lld", jint(t, "id")), *before;
    const char *paths[2];
    const char *methods[] = { "POST", "PUT", "PATCH" };
    const char *malformed[] = {
        "{\"title\":", "{\"title\":\"x\",}", "{'title':'x'}", "{\"title\":\"x\"} x",
        "[{\"title\":\"x\"}]", "[]", "\"x\"", "42", "null", "true", "",
        "{\"title\":\"\xff\xfe\"}", "{\"title\":\"ok\",\"description\":\"\xc3\x28\"}",
        "{\"title\":\"\xc0\xaf\"}", "{\"title\":\"\xed\xa0\x80\"}",
        "{\"title\":\"\\ud800\"}", "{\"title\":\"a\\u0000b\"}",
        "{\"title\":\"a\",\"title\":\"b\"}",              /* duplicate key */
        "\xef\xbb\xbf{\"title\":\"bom\"}",                  /* a BOM is not JSON */
    };
    size_t i, m;
    http_resp *r;
    long total;
    json_t *l;

    paths[0] = "/api/tasks";
    paths[1] = path;
    before = task_text(a.tok, jint(t, "id"));
    for (m = 0; m < 3; m++) {
        const char *p = paths[m == 0 ? 0 : 1];
        for (i = 0; i < sizeof(malformed) / sizeof(*malformed); i++) {
            r = call(methods[m], p, a.tok, malformed[i]);
            ck_assert_msg(r->status == 400, "%s %s '%s': %ld %s", methods[m], p,
                          malformed[i], r->status, r->body);
            http_free(r);
        }
        /* Not JSON: 415, whatever the body says. */
        r = call1(methods[m], p, a.tok, "{\"title\":\"x\"}", "Content-Type: text/plain");
        assert_problem(r, 415);
        http_free(r);
        r = call1(methods[m], p, a.tok, "title=x",
                  "Content-Type: application/x-www-form-urlencoded");
        assert_problem(r, 415);
        http_free(r);
        /* "Content-Type:" with no value makes libcurl send none at all. */
        r = call1(methods[m], p, a.tok, "{\"title\":\"x\"}", "Content-Type:");
        assert_problem(r, 415);
        http_free(r);
    }
    {
        char *after = task_text(a.tok, jint(t, "id"));
        ck_assert_str_eq(after, before);
        free(after);
    }
    l = list(a.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 1);
    json_decref(l);

    /* Nesting bombs are refused (or ignored when within the parser's
     * limits), never a crash. */
    {
        char *open = rep("[", 30000), *close = rep("]", 30000);
        char *bomb = fmt("{\"title\":\"x\",\"extra\":%s%s}", open, close);
        char *o2 = rep("{\"a\":", 100), *c2 = rep("}", 100);
        char *fine = fmt("{\"title\":\"nested extra\",\"extra\":%s1%s}", o2, c2);

        r = call("POST", "/api/tasks", a.tok, bomb);
        assert_problem(r, 400);
        http_free(r);
        r = call("POST", "/api/tasks", a.tok, fine);
        ck_assert_status(r, 201);
        ck_assert_ptr_null(json_object_get(r->json, "extra"));
        assert_task_shape(r->json);
        http_free(r);
        free(open);
        free(close);
        free(bomb);
        free(o2);
        free(c2);
        free(fine);
    }
    l = list(a.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 2);
    json_decref(l);

    /* JSON with parameters, and a +json type, are JSON. */
    r = call1("POST", "/api/tasks", a.tok, "{\"title\":\"charset\"}",
              "Content-Type: application/json; charset=utf-8");
    ck_assert_status(r, 201);
    http_free(r);
    r = call1("PATCH", path, a.tok, "{\"title\":\"merge\"}",
              "Content-Type: application/merge-patch+json");
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "title"), "merge");
    http_free(r);

    free(before);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(body_over_64k_is_413_also_chunked)
{
    user a = user_sign_up("big");
    char *exact = body_of_size(MAX_BODY), *over = body_of_size(MAX_BODY + 1);
    char *huge = body_of_size(4 * MAX_BODY), *resp = NULL;
    json_t *t = create(a.tok, "{\"title\":\"target\"}"), *l;
    char *path = fmt("/api/tasks/%lld", jint(t, "id"));
    http_resp *r;
    long st, total;

    /* With Content-Length. */
    r = call("POST", "/api/tasks", a.tok, exact);
    ck_assert_status(r, 201);
    http_free(r);
    r = call("POST", "/api/tasks", a.tok, over);
    assert_problem(r, 413);
    http_free(r);
    r = call("PUT", path, a.tok, huge);
    assert_problem(r, 413);
    http_free(r);
    r = call("PATCH", path, a.tok, over);
    assert_problem(r, 413);
    http_free(r);
    {
        char *cp = fmt("%s/complete", path);
        r = call("PATCH", cp, a.tok, over);
        assert_problem(r, 413);
        http_free(r);
        free(cp);
    }
    {
        json_t *still = get_task(a.tok, jint(t, "id"), NULL);
        ck_assert_str_eq(jstr(still, "title"), "target");
        ck_assert(json_is_false(json_object_get(still, "completed")));
        json_decref(still);
    }

    /* Chunked: the size is only known while reading. */
    st = chunked_post(a.tok, "{\"title\":\"chunked ok\"}", 7, &resp);
    ck_assert_msg(st == 201, "chunked small body: %ld\n%s", st, resp);
    free(resp);
    st = chunked_post(a.tok, exact, 8000, &resp);
    ck_assert_msg(st == 201, "chunked body of exactly 64 KiB: %ld\n%.500s", st, resp);
    free(resp);
    st = chunked_post(a.tok, over, 8000, &resp);
    ck_assert_msg(st == 413, "chunked 64 KiB + 1: %ld\n%.500s", st, resp);
    ck_assert_msg(strcasestr(resp, "application/problem+json"), "%.500s", resp);
    free(resp);
    st = chunked_post(a.tok, huge, 16384, &resp);
    ck_assert_msg(st == 413, "chunked 256 KiB: %ld\n%.500s", st, resp);
    free(resp);

    /* Created: the target, the 64 KiB body (twice) and "chunked ok". */
    l = list(a.tok, "/api/tasks", &total, NULL);
    ck_assert_int_eq(total, 4);
    json_decref(l);
    json_decref(get_task(a.tok, jint(t, "id"), NULL));

    free(path);
    json_decref(t);
    free(exact);
    free(over);
    free(huge);
    user_free(&a);
}
END_TEST

/* One user for the rule tables below (an unchecked fixture: made once,
 * before their rows run, each row in a child of its own). */
static user rules_user;

static void make_rules_user(void)
{
    rules_user = user_sign_up("rules");
}

static void free_rules_user(void)
{
    user_free(&rules_user);
}

/* Only a canonical decimal 1..2^63-1 is a task id: anything else is a 400
 * on every route that takes one; the largest id is simply not found. */
static const struct { const char *id; long status; } path_ids[] = {
    { "abc", 400 }, { "0", 400 }, { "-1", 400 }, { "01", 400 }, { "+1", 400 },
    { "1.5", 400 }, { "1e3", 400 }, { "0x10", 400 },
    { "99999999999999999999", 400 }, { "9223372036854775808", 400 },
    { "18446744073709551616", 400 }, { "9223372036854775807", 404 },
};

START_TEST(task_id_in_the_path_is_400_unless_canonical_decimal)
{
    const char *id = path_ids[_i].id, *tok = rules_user.tok;
    long want = path_ids[_i].status;
    char *p = fmt("/api/tasks/%s", id), *c = fmt("%s/complete", p);
    char *s = fmt("/api/%s/tasks/%s", rules_user.id, id);
    const struct { const char *m, *path, *body; } reqs[] = {
        { "GET", p, NULL }, { "PUT", p, "{\"title\":\"x\"}" },
        { "PATCH", p, "{\"title\":\"x\"}" }, { "DELETE", p, NULL },
        { "PATCH", c, NULL }, { "GET", s, NULL }, { "DELETE", s, NULL },
    };
    size_t i;

    for (i = 0; i < sizeof(reqs) / sizeof(*reqs); i++) {
        http_resp *r = call(reqs[i].m, reqs[i].path, tok, reqs[i].body);

        ck_assert_msg(r->status == want, "%s %s: %ld, want %ld: %s", reqs[i].m,
                      reqs[i].path, r->status, want, r->body);
        ck_assert_msg(strstr(jstr(r->json, "detail"),
                             want == 400 ? "task id" : "no such task"),
                      "%s %s: detail %s", reqs[i].m, reqs[i].path, r->body);
        http_free(r);
    }
    free(p);
    free(c);
    free(s);
}
END_TEST

/* One request per status of the contract's error table that the task
 * endpoints can produce; each is problem+json (checked by call()). */
START_TEST(error_statuses_are_problem_details)
{
    user a = user_sign_up("errs"), b = user_sign_up("errs-other");
    long long id = make_task(a.tok, "{\"title\":\"e\"}");
    char *p = fmt("/api/tasks/%lld", id), *other = fmt("/api/%s/tasks", b.id);
    char *big = body_of_size(MAX_BODY + 100);
    http_resp *r;

    expect_status("POST", "/api/tasks", a.tok, "{", 400);
    expect_status("GET", "/api/tasks?limit=0", a.tok, NULL, 400);
    r = call("GET", "/api/tasks", NULL, NULL);
    assert_problem(r, 401);
    ck_assert_ptr_nonnull(http_header(r, "WWW-Authenticate"));
    http_free(r);
    r = call("GET", p, "not.a.token", NULL);
    assert_problem(r, 401);
    ck_assert_msg(strstr(http_header(r, "WWW-Authenticate"), "invalid_token"),
                  "%s", http_header(r, "WWW-Authenticate"));
    http_free(r);
    expect_status("GET", other, a.tok, NULL, 403);
    expect_status("GET", "/api/tasks/9223372036854775806", a.tok, NULL, 404);
    r = call("POST", p, a.tok, "{\"title\":\"x\"}");
    assert_problem(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "GET, HEAD, PUT, PATCH, DELETE");
    http_free(r);
    r = call("PUT", "/api/tasks", a.tok, "{\"title\":\"x\"}");
    assert_problem(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "GET, HEAD, POST, DELETE");
    http_free(r);
    {
        char *c = fmt("%s/complete", p);
        r = call("GET", c, a.tok, NULL);
        assert_problem(r, 405);
        ck_assert_str_eq(http_header(r, "Allow"), "PATCH");
        http_free(r);
        free(c);
    }
    r = call1("PATCH", p, a.tok, "{\"title\":\"x\"}", "If-Match: \"0.0\"");
    assert_problem(r, 412);
    http_free(r);
    expect_status("POST", "/api/tasks", a.tok, big, 413);
    r = call1("POST", "/api/tasks", a.tok, "{}", "Content-Type: text/plain");
    assert_problem(r, 415);
    http_free(r);
    expect_status("POST", "/api/tasks", a.tok, "{}", 422);
    free(big);
    free(p);
    free(other);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Isolation */

START_TEST(another_users_task_does_not_exist)
{
    user a = user_sign_up("iso-a"), b = user_sign_up("iso-b");
    json_t *t = create(a.tok, "{\"title\":\"A secret zebra\",\"description\":\"private\","
                       "\"priority\":\"high\",\"tags\":[\"secret\"],"
                       "\"due_at\":\"2026-03-03T03:03:03Z\"}");
    long long id = jint(t, "id"), done = make_task(a.tok,
        "{\"title\":\"A done zebra\",\"completed\":true}");
    char *path = fmt("/api/tasks/%lld", id), *cpath = fmt("%s/complete", path);
    char *etag, *im, *before, *after, *q;
    /* Each list as B sees it: B's own task or nothing, never A's. */
    const struct { const char *path; int has_bs; } lists[] = {
        { "/api/tasks", 1 }, { "/api/tasks?status=completed", 0 },
        { "/api/tasks?status=pending", 1 }, { "/api/tasks?q=zebra", 1 },
        { "/api/tasks?tag=secret", 0 }, { "/api/tasks?priority=high", 0 },
        { "/api/tasks?sort=title&order=asc&limit=1000", 1 },
        { "/api/tasks?due_before=2027-01-01T00:00:00Z", 0 },
    };
    long long bs;
    size_t i;
    http_resp *r;

    before = task_text(a.tok, id);
    json_decref(get_task(a.tok, id, &etag));
    im = fmt("If-Match: %s", etag);
    bs = make_task(b.tok, "{\"title\":\"B own zebra\"}");

    struct { const char *m, *p, *body, *h; } cases[] = {
        { "GET", path, NULL, NULL },
        { "PUT", path, "{\"title\":\"hijacked\"}", NULL },
        { "PATCH", path, "{\"title\":\"hijacked\"}", NULL },
        { "PATCH", cpath, NULL, NULL },
        { "PATCH", cpath, "{\"completed\":true}", NULL },
        { "DELETE", path, NULL, NULL },
        { "PUT", path, "{\"title\":\"hijacked\"}", im },
        { "PATCH", path, "{\"title\":\"hijacked\"}", im },
        { "PATCH", cpath, NULL, im },
        { "DELETE", path, NULL, im },
        { "GET", path, NULL, "If-None-Match: *" },
    };
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        r = call1(cases[i].m, cases[i].p, b.tok, cases[i].body, cases[i].h);
        ck_assert_msg(r->status == 404, "B: %s %s (%s): %ld %s", cases[i].m,
                      cases[i].p, cases[i].h ? cases[i].h : "", r->status, r->body);
        ck_assert(!strstr(r->body, "zebra") && !strstr(r->body, "private"));
        ck_assert_ptr_null(http_header(r, "ETag"));
        http_free(r);
    }
    /* Through B's own seed path, too. */
    q = fmt("/api/%s/tasks/%lld", b.id, id);
    expect_status("GET", q, b.tok, NULL, 404);
    expect_status("DELETE", q, b.tok, NULL, 404);
    free(q);

    /* A's tasks are in none of B's lists or counts: each list is
     * exactly B's own task, or empty. */
    for (i = 0; i < sizeof(lists) / sizeof(*lists); i++) {
        long total;
        json_t *l = list(b.tok, lists[i].path, &total, NULL);
        char *got = id_set(l), *want = lists[i].has_bs ? id_list(&bs, 1)
                                                         : strdup("");

        ck_assert_msg(!strcmp(got, want), "%s: B sees [%s], want [%s]",
                      lists[i].path, got, want);
        ck_assert_msg(total == lists[i].has_bs, "%s: X-Total-Count %ld, want %d",
                      lists[i].path, total, lists[i].has_bs);
        free(got);
        free(want);
        json_decref(l);
    }
    /* B clearing completed tasks does not touch A's. */
    r = call("DELETE", "/api/tasks?status=completed", b.tok, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(jint(r->json, "deleted"), 0);
    http_free(r);

    /* A's tasks are exactly as they were. */
    after = task_text(a.tok, id);
    ck_assert_str_eq(after, before);
    json_decref(get_task(a.tok, done, NULL));

    free(after);
    free(before);
    free(im);
    free(etag);
    free(cpath);
    free(path);
    json_decref(t);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Listing: filters */

START_TEST(list_filters)
{
    user u = user_sign_up("filters"), other = user_sign_up("filters-other");
    long long t[7];
    struct { const char *q; int n; long long ids[7]; } cases[48];
    size_t i, nc = 0;
    json_t *l;
    long total;

    t[0] = make_task(u.tok, "{\"title\":\"Buy milk\",\"description\":\"2% fat\","
                     "\"priority\":\"low\",\"tags\":[\"home\",\"shop\"],"
                     "\"due_at\":\"2026-03-01T10:00:00Z\"}");
    t[1] = make_task(u.tok, "{\"title\":\"\xC3\xA9t\xC3\xA9 plans\",\"priority\":\"high\","
                     "\"tags\":[\"home\"],\"due_at\":\"2026-03-02T00:00:00+02:00\","
                     "\"completed\":true}");
    t[2] = make_task(u.tok, "{\"title\":\"100% sure\",\"priority\":\"medium\","
                     "\"tags\":[\"work\"]}");
    t[3] = make_task(u.tok, "{\"title\":\"under_score\",\"tags\":[],"
                     "\"due_at\":\"2026-04-01T00:00:00Z\",\"completed\":true}");
    t[4] = make_task(u.tok, "{\"title\":\"plain under score\",\"priority\":\"high\","
                     "\"tags\":[\"work\",\"home\"],\"due_at\":\"2026-02-01T00:00:00Z\"}");
    t[5] = make_task(u.tok, "{\"title\":\"back\\\\slash\",\"description\":\"MiXeD case\"}");
    t[6] = make_task(u.tok, "{\"title\":\"other\",\"description\":\"nothing special\"}");
    /* Another user's look-alikes must never show. */
    make_task(other.tok, "{\"title\":\"Buy milk\",\"priority\":\"low\",\"tags\":[\"home\"]}");

#define CASE(query, ...) do { long long ids_[] = { __VA_ARGS__ }; \
        cases[nc].q = query; \
        cases[nc].n = (int)(sizeof(ids_) / sizeof(*ids_)) - 1; \
        memcpy(cases[nc].ids, ids_ + 1, sizeof(ids_) - sizeof(*ids_)); nc++; } while (0)
    /* Each list of ids starts with a 0 that CASE drops, so that a case
     * expecting no task at all still compiles. */
    CASE("", 0, t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
    CASE("status=all", 0, t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
    CASE("status=pending", 0, t[0], t[2], t[4], t[5], t[6]);
    CASE("status=completed", 0, t[1], t[3]);
    CASE("q=MILK", 0, t[0]);
    CASE("q=FAT", 0, t[0]);                          /* description */
    CASE("q=%C3%89T%C3%89", 0, t[1]);                /* "ÉTÉ" finds "été" */
    CASE("q=%C3%A9t%C3%A9", 0, t[1]);
    CASE("q=%25", 0, t[0], t[2]);                    /* literal % */
    CASE("q=0%25+s", 0, t[2]);                       /* "0% s" */
    CASE("q=_", 0, t[3]);                            /* literal _ */
    CASE("q=under_score", 0, t[3]);
    CASE("q=%5C", 0, t[5]);                          /* literal backslash */
    CASE("q=mixed+CASE", 0, t[5]);
    CASE("q=no+such+thing", 0);
    /* The words index (sql/015): a trigram inside a word, a q with no
     * trigram of three word characters, one across a space or a %, a
     * word of the description, never a match across title and
     * description, and a search with tags. */
    CASE("q=ILK", 0, t[0]);
    CASE("q=y+mi", 0, t[0]);
    CASE("q=100%25+sure", 0, t[2]);
    CASE("q=SPECIAL", 0, t[6]);
    CASE("q=milk+2", 0);
    CASE("q=plans&tag=home", 0, t[1]);
    CASE("q=score&tag=work", 0, t[4]);
    CASE("q=score&tag=nosuch", 0);
    CASE("priority=high", 0, t[1], t[4]);
    CASE("priority=none", 0, t[3], t[5], t[6]);
    CASE("tag=home", 0, t[0], t[1], t[4]);
    CASE("tag=home&tag=work", 0, t[4]);
    CASE("tag=shop&tag=home", 0, t[0]);
    CASE("tag=home&tag=nosuch", 0);
    /* due_before/after are strict, tasks without a due date never match */
    CASE("due_before=2026-03-01T12:00:00%2B02:00", 0, t[4]);
    CASE("due_before=2026-03-01T10:00:00.000001Z", 0, t[0], t[4]);
    CASE("due_after=2026-03-01T10:00:00Z", 0, t[1], t[3]);
    CASE("due_after=2026-02-01T00:00:00Z&due_before=2026-04-01T00:00:00Z", 0, t[0], t[1]);
    CASE("status=pending&tag=home&priority=low&q=milk", 0, t[0]);
#undef CASE

    for (i = 0; i < nc; i++) {
        char *path = fmt("/api/tasks%s%s", *cases[i].q ? "?" : "", cases[i].q);
        char *got, *want;

        l = list(u.tok, path, &total, NULL);
        got = id_set(l);
        want = id_list(cases[i].ids, (size_t)cases[i].n);
        ck_assert_msg(!strcmp(got, want), "%s: got [%s], want [%s]", path, got, want);
        ck_assert_msg(total == cases[i].n, "%s: X-Total-Count %ld, want %d",
                      path, total, cases[i].n);
        free(got);
        free(want);
        json_decref(l);
        free(path);
    }

    /* HEAD is answered like GET, without the body. */
    {
        http_resp *r = call("HEAD", "/api/tasks?status=completed", u.tok, NULL);
        ck_assert_status(r, 200);
        ck_assert_int_eq(total_count(r), 2);
        http_free(r);
    }

    /* X-Total-Count counts all matches, not the page. */
    {
        char *next = NULL;
        l = list(u.tok, "/api/tasks?status=pending&limit=2", &total, &next);
        ck_assert_int_eq(json_array_size(l), 2);
        ck_assert_int_eq(total, 5);
        ck_assert_ptr_nonnull(next);
        free(next);
        json_decref(l);
    }
    user_free(&u);
    user_free(&other);
}
END_TEST

/* Ten, a hundred and 200 characters of a query value. */
#define Q10 "qqqqqqqqqq"
#define Q100 Q10 Q10 Q10 Q10 Q10 Q10 Q10 Q10 Q10 Q10
#define E10 "%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"
#define E100 E10 E10 E10 E10 E10 E10 E10 E10 E10 E10
#define TAGS20 "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j" \
    "&tag=k&tag=l&tag=m&tag=n&tag=o&tag=p&tag=q&tag=r&tag=s&tag=t"

/* Each rule of the list query just outside (400, the detail naming the
 * parameter) and at its bound (200). */
static const struct { const char *q; long status; const char *name; } list_params[] = {
    { "limit=0", 400, "limit" }, { "limit=1001", 400, "limit" },
    { "limit=x", 400, "limit" }, { "limit=-1", 400, "limit" },
    { "limit=", 400, "limit" }, { "limit=1.5", 400, "limit" },
    { "limit=99999999999999999999", 400, "limit" },
    { "status=done", 400, "status" }, { "status=", 400, "status" },
    { "priority=urgent", 400, "priority" }, { "priority=HIGH", 400, "priority" },
    { "sort=id", 400, "sort" }, { "sort=title;DROP", 400, "sort" },
    { "order=up", 400, "order" }, { "order=DESC", 400, "order" },
    { "due_before=2026-01-01", 400, "due_before" },
    { "due_before=2026-01-01T10:00:00+02:00", 400, "due_before" }, /* '+' is a space */
    { "due_after=yesterday", 400, "due_after" },
    { "q=", 400, "q" }, { "tag=", 400, "tag" },
    { "cursor=", 400, "cursor" }, { "cursor=abc", 400, "cursor" },
    { "foo=1", 400, "foo" }, { "status=all&bogus=1", 400, "bogus" },
    { "sort=title&sort=title", 400, "sort" }, { "limit=5&limit=5", 400, "limit" },
    { "q=%ZZ", 400, "q" }, { "q=%FF", 400, "q" }, { "q=a%00b", 400, "q" },
    { "=x", 400, "query" },
    { "q=" Q100 Q100 "q", 400, "q" },                  /* 201 characters */
    { TAGS20 "&tag=u", 400, "tag" },                   /* 21 distinct tags */
    { "limit=1", 200, NULL }, { "limit=1000", 200, NULL },
    { "q=" E100 E100, 200, NULL },                     /* 200 characters */
    { TAGS20 "&tag=a", 200, NULL },                    /* a repeat is one tag */
};

START_TEST(list_parameter_just_outside_its_rule_is_400_naming_it)
{
    char *path = fmt("/api/tasks?%s", list_params[_i].q);
    const char *name = list_params[_i].name;
    http_resp *r = call("GET", path, rules_user.tok, NULL);

    ck_assert_msg(r->status == list_params[_i].status, "%s: %ld, want %ld: %s",
                  path, r->status, list_params[_i].status, r->body);
    if (name) {
        /* "invalid query parameter: <name>", maybe with a reason after a
         * space: a bare substring test would let "q" match "query". */
        char *want = fmt("invalid query parameter: %s", name);
        const char *detail = jstr(r->json, "detail");

        ck_assert_msg(!strncmp(detail, want, strlen(want))
                      && (detail[strlen(want)] == '\0'
                          || detail[strlen(want)] == ' '),
                      "%s: detail '%s' does not name '%s'", path, detail, name);
        free(want);
    }
    http_free(r);
    free(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Listing: sorting and pagination */

static const char *sort_key;
static int sort_desc;

static int prio_rank(const char *p)
{
    return !strcmp(p, "low") ? 1 : !strcmp(p, "medium") ? 2 : !strcmp(p, "high") ? 3 : 0;
}

/* The contract's order: by key (due_at: no date = last in ascending),
 * ties by id, both in the requested direction. */
static int task_cmp(const void *pa, const void *pb)
{
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    long long ia = jint(a, "id"), ib = jint(b, "id");
    int c = 0;

    if (!strcmp(sort_key, "priority"))
        c = prio_rank(jstr(a, "priority")) - prio_rank(jstr(b, "priority"));
    else if (!strcmp(sort_key, "due_at")) {
        int na = jnull(a, "due_at"), nb = jnull(b, "due_at");
        c = na && nb ? 0 : na ? 1 : nb ? -1 : strcmp(jstr(a, "due_at"), jstr(b, "due_at"));
    }
    else
        c = strcmp(jstr(a, sort_key), jstr(b, sort_key));
    if (c == 0)
        c = ia < ib ? -1 : ia > ib;
    c = c < 0 ? -1 : c > 0;
    return sort_desc ? -c : c;
}

/* Assert arr is in the order the contract gives for key/desc. */
static void assert_sorted(const json_t *arr, const char *key, int desc,
                          const char *what)
{
    size_t n = json_array_size(arr), i;
    json_t **v = calloc(n + 1, sizeof(*v));

    for (i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    sort_key = key;
    sort_desc = desc;
    qsort(v, n, sizeof(*v), task_cmp);
    for (i = 0; i < n; i++)
        ck_assert_msg(jint(json_array_get(arr, i), "id") == jint(v[i], "id"),
                      "%s: position %zu is task %lld, want %lld", what, i,
                      jint(json_array_get(arr, i), "id"), jint(v[i], "id"));
    free(v);
}

static const char *const all_sorts[] = {
    "created_at", "updated_at", "due_at", "priority", "title"
};

/* 25 tasks with ties in every key and tasks without due dates. */
static void make_25(const char *tok, long long *ids)
{
    static const char *const prios[] = { "none", "low", "medium", "high" };
    int i;

    for (i = 0; i < 25; i++) {
        char *due = i % 3 == 0 ? strdup("null")
                  : fmt("\"2026-0%d-1%dT08:00:00Z\"", 1 + i % 4, i % 2);
        char *body = fmt("{\"title\":\"task %c\",\"priority\":\"%s\","
                         "\"due_at\":%s,\"tags\":[\"%s\"]}",
                         'a' + (i * 7) % 6, prios[(i * 5) % 4], due,
                         i % 2 ? "odd" : "even");
        ids[i] = make_task(tok, body);
        free(due);
        free(body);
    }
}

START_TEST(sort_on_every_key_and_order_with_id_tie_break)
{
    user u = user_sign_up("sort");
    long long ids[25];
    size_t k;
    int d;

    make_25(u.tok, ids);
    /* Touch some tasks so that updated_at differs from created_at order. */
    for (k = 0; k < 25; k += 4) {
        char *p = fmt("/api/tasks/%lld", ids[24 - k]);
        expect_status("PATCH", p, u.tok, "{\"description\":\"touched\"}", 200);
        free(p);
    }
    for (k = 0; k < sizeof(all_sorts) / sizeof(*all_sorts); k++)
        for (d = 0; d < 2; d++) {
            char *path = fmt("/api/tasks?sort=%s&order=%s&limit=1000",
                             all_sorts[k], d ? "desc" : "asc");
            long total;
            json_t *l = list(u.tok, path, &total, NULL);

            ck_assert_int_eq(total, 25);
            ck_assert_int_eq(json_array_size(l), 25);
            assert_sorted(l, all_sorts[k], d, path);
            json_decref(l);
            free(path);
        }
    /* Defaults: created_at, desc; identical to the explicit form. */
    {
        long total;
        json_t *l = list(u.tok, "/api/tasks", &total, NULL);
        json_t *e = list(u.tok, "/api/tasks?sort=created_at&order=desc", &total, NULL);
        char *a = json_dumps(l, 0), *b = json_dumps(e, 0);

        assert_sorted(l, "created_at", 1, "default order");
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        json_decref(l);
        json_decref(e);
    }
    /* Titles compare by code point (documented: C collation). */
    {
        user v = user_sign_up("sort-titles");
        const char *titles[] = { "apple", "Zebra", "\\u00e9clair", "Apple", "zebra",
                                 "100", "\\u00c9t\\u00e9", "apple" };
        json_t *l;
        long total;
        size_t i;

        for (i = 0; i < sizeof(titles) / sizeof(*titles); i++) {
            char *b = fmt("{\"title\":\"%s\"}", titles[i]);
            make_task(v.tok, b);
            free(b);
        }
        l = list(v.tok, "/api/tasks?sort=title&order=asc", &total, NULL);
        assert_sorted(l, "title", 0, "titles asc");
        ck_assert_str_eq(jstr(json_array_get(l, 0), "title"), "100");
        ck_assert_str_eq(jstr(json_array_get(l, 1), "title"), "Apple");
        json_decref(l);
        l = list(v.tok, "/api/tasks?sort=title&order=desc", &total, NULL);
        assert_sorted(l, "title", 1, "titles desc");
        json_decref(l);
        user_free(&v);
    }
    /* Identical priorities: ordered by id (checked above too, here on
     * tasks that differ in nothing else). */
    {
        user v = user_sign_up("sort-ties");
        long long same[6];
        json_t *l;
        long total;
        int i;

        for (i = 0; i < 6; i++)
            same[i] = make_task(v.tok, "{\"title\":\"same\",\"priority\":\"medium\"}");
        l = list(v.tok, "/api/tasks?sort=priority&order=asc", &total, NULL);
        for (i = 0; i < 6; i++)
            ck_assert_int_eq(jint(json_array_get(l, (size_t)i), "id"), same[i]);
        json_decref(l);
        l = list(v.tok, "/api/tasks?sort=title&order=desc", &total, NULL);
        for (i = 0; i < 6; i++)
            ck_assert_int_eq(jint(json_array_get(l, (size_t)i), "id"), same[5 - i]);
        json_decref(l);
        user_free(&v);
    }
    user_free(&u);
}
END_TEST

/* Follow rel="next" from path; returns every task seen, in order. Every
 * page has X-Total-Count == total and at most limit tasks; only the last
 * page lacks a Link. between(page_no, ctx) runs after each page. */
static json_t *walk(const char *tok, const char *path, long total, size_t limit,
                    void (*between)(int, const json_t *, void *), void *ctx,
                    int *pages)
{
    json_t *all = json_array();
    char *next = strdup(path);
    int n = 0;

    while (next) {
        long t;
        char *following = NULL;
        json_t *page = list(tok, next, &t, &following);

        if (total >= 0)
            ck_assert_msg(t == total, "%s: X-Total-Count %ld, want %ld", next, t, total);
        ck_assert_msg(json_array_size(page) <= limit, "%s: %zu tasks", next,
                      json_array_size(page));
        ck_assert_msg(following == NULL || json_array_size(page) == limit,
                      "%s: short page with a next link", next);
        ck_assert_msg(n < 100, "endless pagination");
        json_array_extend(all, page);
        free(next);
        next = following;
        n++;
        if (between && next)
            between(n, page, ctx);
        json_decref(page);
    }
    if (pages)
        *pages = n;
    return all;
}

START_TEST(link_next_visits_every_task_once_in_every_sort)
{
    user u = user_sign_up("pages");
    long long ids[25];
    char *all_ids;
    const char *queries[] = {
        "", "order=asc", "sort=due_at", "sort=due_at&order=asc",
        "sort=title&order=asc", "sort=title", "sort=priority",
        "sort=priority&order=asc", "sort=updated_at&order=asc",
    };
    size_t i;

    make_25(u.tok, ids);
    all_ids = id_list(ids, 25);
    for (i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
        char *first = fmt("/api/tasks?%s%slimit=7", queries[i], *queries[i] ? "&" : "");
        char *one = fmt("/api/tasks?%s%slimit=1000", queries[i], *queries[i] ? "&" : "");
        long total;
        int pages;
        json_t *seen = walk(u.tok, first, 25, 7, NULL, NULL, &pages);
        json_t *whole = list(u.tok, one, &total, NULL);
        char *s = id_set(seen), *a = json_dumps(seen, JSON_COMPACT),
             *b = json_dumps(whole, JSON_COMPACT);

        ck_assert_msg(pages == 4, "%s: %d pages", first, pages);
        ck_assert_int_eq(json_array_size(seen), 25);
        ck_assert_msg(!strcmp(s, all_ids), "%s: saw [%s]", first, s);
        /* The pages, concatenated, are the one big page. */
        ck_assert_msg(!strcmp(a, b), "%s: pages differ from one page", first);
        free(s);
        free(a);
        free(b);
        json_decref(seen);
        json_decref(whole);
        free(first);
        free(one);
    }

    /* Filters travel in the Link: 13 "even" pending tasks, by title. */
    {
        int pages;
        size_t j;
        json_t *t, *seen = walk(u.tok, "/api/tasks?tag=even&status=pending&sort=title&order=asc&limit=5",
                                13, 5, NULL, NULL, &pages);
        ck_assert_int_eq(json_array_size(seen), 13);
        ck_assert_int_eq(pages, 3);
        json_array_foreach(seen, j, t)
            ck_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "tags"), 0)),
                             "even");
        assert_sorted(seen, "title", 0, "tag=even by title");
        json_decref(seen);
    }
    /* Parameters with characters that need encoding survive the Link:
     * q "a&b+c% Ã©=" (any case), a tag with a space and an accent,
     * due_before with an offset. */
    {
        user v = user_sign_up("pages-enc");
        const char *path = "/api/tasks?q=A%26B%2BC%25+%C3%89%3D&tag=tag+%C3%BC%2F1"
                           "&due_before=2030-01-01T00:00:00%2B05:00&sort=title&order=asc&limit=2";
        long long want[5];
        char *got, *exp;
        int pages, i;
        json_t *seen;

        for (i = 0; i < 5; i++) {
            char *body = fmt("{\"title\":\"x%d a&b+c%% \u00e9= y\",\"tags\":[\"tag \u00fc/1\",\"z\"],"
                             "\"due_at\":\"2029-12-3%dT00:00:00Z\"}", i, i % 2);
            want[i] = make_task(v.tok, body);
            free(body);
        }
        make_task(v.tok, "{\"title\":\"a&b+c% \u00e9= but no tag\"}");
        make_task(v.tok, "{\"title\":\"a&b c% \u00e9=\",\"tags\":[\"tag \u00fc/1\"]}");
        seen = walk(v.tok, path, 5, 2, NULL, NULL, &pages);
        ck_assert_int_eq(pages, 3);
        got = id_set(seen);
        exp = id_list(want, 5);
        ck_assert_str_eq(got, exp);
        assert_sorted(seen, "title", 0, path);
        free(got);
        free(exp);
        json_decref(seen);
        user_free(&v);
    }
    /* The same through the seed-compatible path. */
    {
        char *p = fmt("/api/%s/tasks?limit=10", u.id);
        int pages;
        json_t *seen = walk(u.tok, p, 25, 10, NULL, NULL, &pages);
        ck_assert_int_eq(json_array_size(seen), 25);
        ck_assert_int_eq(pages, 3);
        json_decref(seen);
        free(p);
    }
    /* Exactly one full page: no Link. */
    {
        long total;
        char *next = NULL;
        json_t *l = list(u.tok, "/api/tasks?limit=25", &total, &next);
        ck_assert_ptr_null(next);
        json_decref(l);
    }
    free(all_ids);
    user_free(&u);
}
END_TEST

typedef struct {
    const char *tok;
    long long *original;    /* the 25 */
    int seen[25];           /* on a page already */
    int gone_unseen[25];    /* deleted before any page showed it */
    int gone_seen[25];      /* deleted after a page showed it */
    int step;
} churn_ctx;

static void delete_task(const char *tok, long long id)
{
    char *p = fmt("/api/tasks/%lld", id);
    expect_status("DELETE", p, tok, NULL, 204);
    free(p);
}

static int original_index(const churn_ctx *c, long long id)
{
    int k;

    for (k = 0; k < 25; k++)
        if (c->original[k] == id)
            return k;
    return -1;
}

/* Between pages: add a task, delete the task the cursor points at (the
 * last of the page) and one original task no page has shown yet. */
static void churn(int page_no, const json_t *page, void *vctx)
{
    churn_ctx *c = vctx;
    char *body = fmt("{\"title\":\"task %c new\",\"priority\":\"%s\","
                     "\"due_at\":\"2026-0%d-15T00:00:00Z\"}",
                     'a' + (page_no * 5) % 6, page_no % 2 ? "high" : "none",
                     1 + page_no % 4);
    size_t i, n = json_array_size(page);
    long long last = jint(json_array_get(page, n - 1), "id");
    int k, tries;
    json_t *t;

    c->step++;
    json_array_foreach(page, i, t) {
        k = original_index(c, jint(t, "id"));
        if (k >= 0)
            c->seen[k] = 1;
    }
    make_task(c->tok, body);
    free(body);
    delete_task(c->tok, last);
    if ((k = original_index(c, last)) >= 0)
        c->gone_seen[k] = 1;
    /* an unseen one, from alternating ends of the creation order */
    for (tries = 0; tries < 25; tries++) {
        k = c->step % 2 ? tries : 24 - tries;
        if (!c->seen[k] && !c->gone_unseen[k]) {
            delete_task(c->tok, c->original[k]);
            c->gone_unseen[k] = 1;
            break;
        }
    }
}

START_TEST(pagination_survives_inserts_and_deletes)
{
    const char *queries[] = {
        "limit=7", "sort=title&order=asc&limit=7", "sort=due_at&order=asc&limit=7",
        "sort=priority&limit=7", "sort=due_at&limit=7",
    };
    size_t q;

    for (q = 0; q < sizeof(queries) / sizeof(*queries); q++) {
        user u = user_sign_up("churn");
        long long ids[25];
        churn_ctx c;
        char *path = fmt("/api/tasks?%s", queries[q]);
        json_t *seen, *t;
        size_t i;
        int k, gone = 0;

        make_25(u.tok, ids);
        memset(&c, 0, sizeof(c));
        c.tok = u.tok;
        c.original = ids;
        seen = walk(u.tok, path, -1, 7, churn, &c, NULL);
        ck_assert_msg(c.step >= 2, "%s: only %d pages", path, c.step + 1);

        /* No task twice. */
        json_array_foreach(seen, i, t)
            ck_assert_msg(count_id(seen, jint(t, "id")) == 1,
                          "%s: task %lld seen twice", path, jint(t, "id"));
        for (k = 0; k < 25; k++) {
            if (c.gone_unseen[k]) {
                /* deleted before its page: never shown */
                ck_assert_msg(count_id(seen, ids[k]) == 0, "%s: deleted task "
                              "%lld still listed", path, ids[k]);
                gone++;
            }
            else
                /* existed until its page was read: exactly once */
                ck_assert_msg(count_id(seen, ids[k]) == 1,
                              "%s: task %lld seen %d times", path, ids[k],
                              count_id(seen, ids[k]));
        }
        ck_assert_int_ge(gone, 2);
        json_decref(seen);
        free(path);
        user_free(&u);
    }
}
END_TEST

/* The cursor parameter of a Link path (malloc'd, still form-encoded). */
static char *cursor_of(const char *link)
{
    const char *c = strstr(link, "cursor=");
    ck_assert_ptr_nonnull(c);
    return strndup(c + 7, strcspn(c + 7, "&"));
}

START_TEST(bad_cursors_are_400_never_500)
{
    user a = user_sign_up("cursor"), b = user_sign_up("cursor-other");
    long long ids[25];
    char *next = NULL, *cur, *p, *tampered;
    json_t *l;
    long total;
    size_t i, len;
    http_resp *r;

    make_25(a.tok, ids);
    for (i = 0; i < 25; i++)
        make_task(b.tok, "{\"title\":\"b task\"}");
    l = list(a.tok, "/api/tasks?limit=3", &total, &next);
    json_decref(l);
    ck_assert_ptr_nonnull(next);
    cur = cursor_of(next);
    len = strlen(cur);
    ck_assert_msg(strchr(cur, '.') && len > 40, "cursor %s", cur);

    /* The genuine one works, and with another limit too. */
    expect_status("GET", next, a.tok, NULL, 200);
    p = fmt("/api/tasks?limit=5&cursor=%s", cur);
    expect_status("GET", p, a.tok, NULL, 200);
    free(p);

    /* Any byte changed, in the payload or in the MAC. */
    for (i = 0; i < len; i += len / 7 + 1) {
        if (cur[i] == '.')
            continue;
        tampered = strdup(cur);
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        p = fmt("/api/tasks?limit=3&cursor=%s", tampered);
        r = call("GET", p, a.tok, NULL);
        ck_assert_msg(r->status == 400, "tampered at %zu: %ld %s", i, r->status, r->body);
        ck_assert(strstr(jstr(r->json, "detail"), "cursor"));
        http_free(r);
        free(p);
        free(tampered);
    }
    {
        const char *junk[] = {
            "abc", "abc.def", ".", "..", "a.b.c", "%00", "eyJ1IjoiMSJ9.AAAA",
            "eyJ1IjoiMSIsImYiOiJ4IiwidiI6bnVsbCwiaSI6IjEifQ."
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        };
        char *longc = rep("A", 3000);

        for (i = 0; i < sizeof(junk) / sizeof(*junk); i++) {
            p = fmt("/api/tasks?limit=3&cursor=%s", junk[i]);
            expect_status("GET", p, a.tok, NULL, 400);
            free(p);
        }
        p = fmt("/api/tasks?limit=3&cursor=%s.%s", longc, longc);
        expect_status("GET", p, a.tok, NULL, 400);
        free(p);
        /* truncated */
        p = fmt("/api/tasks?limit=3&cursor=%.*s", (int)len - 3, cur);
        expect_status("GET", p, a.tok, NULL, 400);
        free(p);
        free(longc);
    }

    /* Another user's cursor: 400, never A's tasks. */
    r = call("GET", next, b.tok, NULL);
    assert_problem(r, 400);
    ck_assert(strstr(jstr(r->json, "detail"), "cursor"));
    http_free(r);

    /* The cursor of one query reused with another. */
    {
        const char *others[] = {
            "sort=title", "order=asc", "sort=due_at", "sort=updated_at",
            "sort=priority", "status=pending", "q=task", "tag=odd",
            "priority=none", "due_before=2030-01-01T00:00:00Z",
        };
        for (i = 0; i < sizeof(others) / sizeof(*others); i++) {
            p = fmt("/api/tasks?%s&limit=3&cursor=%s", others[i], cur);
            r = call("GET", p, a.tok, NULL);
            ck_assert_msg(r->status == 400, "%s: %ld %s", p, r->status, r->body);
            ck_assert(strstr(jstr(r->json, "detail"), "cursor"));
            http_free(r);
            free(p);
        }
    }
    free(cur);
    free(next);
    user_free(&a);
    user_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Conditional requests */

START_TEST(if_match_current_succeeds_and_stale_is_412)
{
    user a = user_sign_up("ifm");
    json_t *t = create(a.tok, "{\"title\":\"v1\"}");
    long long id = jint(t, "id");
    char *path = fmt("/api/tasks/%lld", id), *cpath = fmt("%s/complete", path);
    char *e1, *e2, *e3, *e4, *h, *before, *after;
    http_resp *r;

    json_decref(get_task(a.tok, id, &e1));

    h = fmt("If-Match: %s", e1);
    r = call1("PUT", path, a.tok, "{\"title\":\"v2\"}", h);
    ck_assert_status(r, 200);
    e2 = strdup(http_header(r, "ETag"));
    ck_assert_str_ne(e2, e1);
    http_free(r);

    /* e1 is stale now: 412 for every write, nothing changes. */
    before = task_text(a.tok, id);
    r = call1("PUT", path, a.tok, "{\"title\":\"lost\"}", h);
    assert_problem(r, 412);
    http_free(r);
    r = call1("PATCH", path, a.tok, "{\"title\":\"lost\"}", h);
    assert_problem(r, 412);
    http_free(r);
    r = call1("PATCH", cpath, a.tok, NULL, h);
    assert_problem(r, 412);
    http_free(r);
    r = call1("DELETE", path, a.tok, NULL, h);
    assert_problem(r, 412);
    http_free(r);
    /* Weak and malformed tags never match (strong comparison). */
    free(h);
    h = fmt("If-Match: W/%s", e2);
    r = call1("PATCH", path, a.tok, "{\"title\":\"lost\"}", h);
    assert_problem(r, 412);
    http_free(r);
    r = call1("PATCH", path, a.tok, "{\"title\":\"lost\"}", "If-Match: garbage");
    assert_problem(r, 412);
    http_free(r);
    r = call1("PATCH", path, a.tok, "{\"title\":\"lost\"}", "If-Match: \"99999.1\"");
    assert_problem(r, 412);
    http_free(r);
    after = task_text(a.tok, id);
    ck_assert_str_eq(after, before);
    free(after);

    /* Current tags: PATCH, complete, a list holding it, "*", DELETE. */
    free(h);
    h = fmt("If-Match: %s", e2);
    r = call1("PATCH", path, a.tok, "{\"title\":\"v3\"}", h);
    ck_assert_status(r, 200);
    ck_assert_str_eq(jstr(r->json, "title"), "v3");
    e3 = strdup(http_header(r, "ETag"));
    http_free(r);
    free(h);
    h = fmt("If-Match: \"nope\", %s", e3);
    r = call1("PATCH", cpath, a.tok, NULL, h);
    ck_assert_status(r, 200);
    ck_assert(json_is_true(json_object_get(r->json, "completed")));
    e4 = strdup(http_header(r, "ETag"));
    http_free(r);
    r = call1("PATCH", path, a.tok, "{\"priority\":\"low\"}", "If-Match: *");
    ck_assert_status(r, 200);
    http_free(r);
    /* e4 went stale with that "*" write. */
    free(h);
    h = fmt("If-Match: %s", e4);
    r = call1("DELETE", path, a.tok, NULL, h);
    assert_problem(r, 412);
    http_free(r);
    {
        char *cur;
        json_decref(get_task(a.tok, id, &cur));
        free(h);
        h = fmt("If-Match: %s", cur);
        free(cur);
    }
    r = call1("DELETE", path, a.tok, NULL, h);
    ck_assert_status(r, 204);
    http_free(r);
    expect_status("GET", path, a.tok, NULL, 404);

    /* A task that does not exist: 404 with a well-formed tag. */
    r = call1("PATCH", path, a.tok, "{\"title\":\"x\"}", h);
    assert_problem(r, 404);
    http_free(r);

    free(before);
    free(h);
    free(e1);
    free(e2);
    free(e3);
    free(e4);
    free(cpath);
    free(path);
    json_decref(t);
    user_free(&a);
}
END_TEST

START_TEST(if_match_on_another_users_task_is_404)
{
    user a = user_sign_up("ifm-a"), b = user_sign_up("ifm-b");
    long long id = make_task(a.tok, "{\"title\":\"A's\"}");
    char *path = fmt("/api/tasks/%lld", id), *cpath = fmt("%s/complete", path);
    char *etag, *h, *before, *after;
    const char *hs[3];
    size_t i, j;

    json_decref(get_task(a.tok, id, &etag));
    before = task_text(a.tok, id);
    h = fmt("If-Match: %s", etag);
    hs[0] = h;
    hs[1] = "If-Match: \"1.1\"";
    hs[2] = "If-Match: garbage";
    for (j = 0; j < 3; j++) {
        struct { const char *m, *p, *body; } cases[] = {
            { "PUT", path, "{\"title\":\"x\"}" }, { "PATCH", path, "{\"title\":\"x\"}" },
            { "PATCH", cpath, NULL }, { "DELETE", path, NULL },
        };
        for (i = 0; i < 4; i++) {
            http_resp *r = call1(cases[i].m, cases[i].p, b.tok, cases[i].body, hs[j]);
            ck_assert_msg(r->status == 404, "%s %s %s: %ld", cases[i].m, cases[i].p,
                          hs[j], r->status);
            http_free(r);
        }
    }
    /* "*" only requires that the task exists (OpenAPI, If-Match): on a
     * task the caller does not have it is a 404, the very answer for an
     * id that is nobody's. */
    {
        http_resp *r1 = call1("PATCH", path, b.tok, "{\"title\":\"x\"}", "If-Match: *");
        http_resp *r2 = call1("PATCH", "/api/tasks/9223372036854775800", b.tok,
                              "{\"title\":\"x\"}", "If-Match: *");
        ck_assert_msg(r1->status == 404, "If-Match: * on another user's task: "
                      "%ld %s", r1->status, r1->body);
        ck_assert_msg(r2->status == 404, "If-Match: * on no task: %ld %s",
                      r2->status, r2->body);
        ck_assert_str_eq(jstr(r1->json, "detail"), jstr(r2->json, "detail"));
        http_free(r1);
        http_free(r2);
    }
    after = task_text(a.tok, id);
    ck_assert_str_eq(after, before);

    free(after);
    free(before);
    free(h);
    free(etag);
    free(cpath);
    free(path);
    user_free(&a);
    user_free(&b);
}
END_TEST

typedef struct {
    const char *tok, *path, *if_match;
    int n;
    pthread_barrier_t *barrier;
    long status;
    char title[64];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    char *auth = fmt("Authorization: Bearer %s", r->tok);
    const char *hs[] = { auth, r->if_match, NULL };
    char *body;
    http_resp *resp;

    snprintf(r->title, sizeof(r->title), "racer %d", r->n);
    body = fmt("{\"title\":\"%s\"}", r->title);
    pthread_barrier_wait(r->barrier);
    resp = http("PATCH", r->path, body, hs);
    r->status = resp->status;
    http_free(resp);
    free(body);
    free(auth);
    return NULL;
}

START_TEST(concurrent_patches_with_one_etag_one_wins)
{
    user a = user_sign_up("race");
    long long id = make_task(a.tok, "{\"title\":\"contended\"}");
    char *path = fmt("/api/tasks/%lld", id);
    int round;

    for (round = 0; round < 10; round++) {
        int n = round < 8 ? 2 : 6, i, ok = 0, failed = 0, winner = -1;
        racer rs[6];
        pthread_t th[6];
        pthread_barrier_t barrier;
        char *etag, *h;
        json_t *t;

        json_decref(get_task(a.tok, id, &etag));
        h = fmt("If-Match: %s", etag);
        pthread_barrier_init(&barrier, NULL, (unsigned)n);
        for (i = 0; i < n; i++) {
            rs[i].tok = a.tok;
            rs[i].path = path;
            rs[i].if_match = h;
            rs[i].n = round * 10 + i;
            rs[i].barrier = &barrier;
            rs[i].status = 0;
            ck_assert_int_eq(pthread_create(&th[i], NULL, race, &rs[i]), 0);
        }
        for (i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            if (rs[i].status == 200) {
                ok++;
                winner = i;
            }
            failed += rs[i].status == 412;
        }
        pthread_barrier_destroy(&barrier);
        ck_assert_msg(ok == 1 && failed == n - 1,
                      "round %d: %d x 200 and %d x 412 of %d", round, ok, failed, n);
        t = get_task(a.tok, id, NULL);
        ck_assert_str_eq(jstr(t, "title"), rs[winner].title);
        json_decref(t);
        free(h);
        free(etag);
    }
    free(path);
    user_free(&a);
}
END_TEST

typedef struct {
    const char *tok, *path;
    pthread_barrier_t *barrier;
    long status;
} toggler;

static void *toggle(void *arg)
{
    toggler *t = arg;
    char *auth = fmt("Authorization: Bearer %s", t->tok);
    const char *hs[] = { auth, NULL };
    http_resp *resp;

    pthread_barrier_wait(t->barrier);
    resp = http("PATCH", t->path, NULL, hs);
    t->status = resp->status;
    http_free(resp);
    free(auth);
    return NULL;
}

/* Toggling is one atomic step: n concurrent toggles flip n times. */
START_TEST(concurrent_toggles_are_not_lost)
{
    user a = user_sign_up("toggles");
    long long id = make_task(a.tok, "{\"title\":\"flip\"}");
    char *path = fmt("/api/tasks/%lld/complete", id);
    int round;

    for (round = 0; round < 4; round++) {
        int n = 5 + round, i;
        toggler ts[8];
        pthread_t th[8];
        pthread_barrier_t barrier;
        json_t *before = get_task(a.tok, id, NULL), *after;
        int was = json_is_true(json_object_get(before, "completed"));

        pthread_barrier_init(&barrier, NULL, (unsigned)n);
        for (i = 0; i < n; i++) {
            ts[i].tok = a.tok;
            ts[i].path = path;
            ts[i].barrier = &barrier;
            ts[i].status = 0;
            ck_assert_int_eq(pthread_create(&th[i], NULL, toggle, &ts[i]), 0);
        }
        for (i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            ck_assert_msg(ts[i].status == 200, "toggle %d: %ld", i, ts[i].status);
        }
        pthread_barrier_destroy(&barrier);
        after = get_task(a.tok, id, NULL);
        ck_assert_msg(json_is_true(json_object_get(after, "completed")) == (was ^ (n & 1)),
                      "round %d: %d toggles from %d gave %s", round, n, was,
                      json_dumps(after, 0));
        ck_assert_int_eq(jnull(after, "completed_at"),
                         !json_is_true(json_object_get(after, "completed")));
        json_decref(before);
        json_decref(after);
    }
    free(path);
    user_free(&a);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Query plans: 10,000 tasks of one user, each page statement of the
 * store (listed through its own interface) is an index range scan on
 * tasks_user_*_idx that reads about one page of rows, first page and a
 * deep page alike: no sequential scan, no sort, no OFFSET. */

/* Run a shell command; its exit status. */
static int shell(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* apr_dbd's parameter markers as $1..$n; *nargs their number, *types their
 * PostgreSQL types as a PREPARE list (both malloc'd). */
static char *to_pg(const char *sql, int *nargs, char **types)
{
    /* apr_dbd's parameter markers and the types its pgsql driver declares. */
    static const struct { const char *fmt, *type; } fmts[] = {
        { "%lld", "bigint" }, { "%hd", "smallint" }, { "%d", "integer" },
        { "%pDt", "text" }, { "%pDz", "timestamp with time zone" },
        { "%s", "varchar" },
    };
    char *out = malloc(strlen(sql) * 2 + 1), *o = out;
    char *t = malloc(strlen(sql) * 8 + 1), *to = t;
    int n = 0;
    size_t f;

    *t = '\0';
    for (; *sql; sql++) {
        if (sql[0] == '%' && sql[1] == '%') {
            *o++ = '%';
            sql++;
            continue;
        }
        for (f = 0; f < sizeof(fmts) / sizeof(*fmts); f++)
            if (!strncmp(sql, fmts[f].fmt, strlen(fmts[f].fmt)))
                break;
        if (sql[0] == '%' && f < sizeof(fmts) / sizeof(*fmts)) {
            o += sprintf(o, "$%d", ++n);
            to += sprintf(to, "%s%s", n > 1 ? "," : "", fmts[f].type);
            sql += strlen(fmts[f].fmt) - 1;
        }
        else
            *o++ = *sql;
    }
    *o = '\0';
    *nargs = n;
    *types = t;
    return out;
}

/* Collect the plan nodes that read table tasks; fail on any sort. */
static void plan_nodes(const json_t *node, const char *label, int may_sort,
                       const json_t **scans, int *nscans)
{
    const char *type = jstr(node, "Node Type");
    const json_t *kids = json_object_get(node, "Plans"), *k;
    size_t i;

    ck_assert_msg(type != NULL, "%s: plan node without a type", label);
    ck_assert_msg(may_sort || (strcmp(type, "Sort") && strcmp(type, "Incremental Sort")),
                  "%s: the plan sorts", label);
    ck_assert_msg(strcmp(type, "Seq Scan"), "%s: a sequential scan of %s", label,
                  jstr(node, "Relation Name"));
    if (jstr(node, "Relation Name") && !strcmp(jstr(node, "Relation Name"), "tasks")) {
        ck_assert_msg(*nscans < 4, "%s: too many scans of tasks", label);
        scans[(*nscans)++] = node;
    }
    /* Not the InitPlans: a filtered list's X-Total-Count counts every
     * match (that is what it promises); the page is what must be cheap. */
    json_array_foreach(kids, i, k)
        if (!jstr(k, "Parent Relationship")
            || strcmp(jstr(k, "Parent Relationship"), "InitPlan"))
            plan_nodes(k, label, may_sort, scans, nscans);
}

/* Check a search page's plan (q given): every read of tasks is a bitmap
 * heap scan fed by the words index alone (sql/015: keys that hold the
 * caller's id, so no user_id index is ANDed in), and the plan is serial,
 * so a search reads the rows that may match, not all of the caller's.
 * Returns how many scans of tasks it saw. */
static int search_scans(const json_t *node, const char *label)
{
    const char *type = jstr(node, "Node Type"), *rel = jstr(node, "Relation Name");
    const json_t *kids = json_object_get(node, "Plans"), *k;
    int n = 0;
    size_t i;

    ck_assert_msg(type != NULL, "%s: plan node without a type", label);
    ck_assert_msg(strcmp(type, "Gather") && strcmp(type, "Gather Merge"),
                  "%s: a parallel plan", label);
    if (rel && !strcmp(rel, "tasks")) {
        ck_assert_msg(!strcmp(type, "Bitmap Heap Scan"),
                      "%s: tasks read by a %s, not through the words index",
                      label, type);
        ck_assert_str_eq(jstr(json_array_get(json_object_get(node, "Plans"), 0),
                              "Node Type"), "Bitmap Index Scan");
        n++;
    }
    if (!strcmp(type, "Bitmap Index Scan")) {
        ck_assert_msg(!strcmp(jstr(node, "Index Name"), "tasks_words_idx"),
                      "%s: a bitmap of %s, not of the words index", label,
                      jstr(node, "Index Name"));
        ck_assert_msg(strstr(jstr(node, "Index Cond"), "tasks_words_wanted"),
                      "%s: the words index without the search's keys: %s",
                      label, jstr(node, "Index Cond"));
    }
    json_array_foreach(kids, i, k)
        n += search_scans(k, label);
    return n;
}

/* A page statement's store label,
 * "tasks_[plain_|bylist_|search_]list|next_<sort>_asc|desc", as
 * "first|next LIST|PLAIN|BYLIST|SEARCH <sort> 0|1" (malloc'd); NULL for
 * any other statement. */
static char *page_label(const char *label)
{
    const char *s = label, *kind = "LIST", *step;
    size_t n;

    if (strncmp(s, "tasks_", 6))
        return NULL;
    s += 6;
    if (!strncmp(s, "plain_", 6)) {
        kind = "PLAIN";
        s += 6;
    }
    else if (!strncmp(s, "bylist_", 7)) {
        kind = "BYLIST";
        s += 7;
    }
    else if (!strncmp(s, "search_", 7)) {
        kind = "SEARCH";
        s += 7;
    }
    if (!strncmp(s, "list_", 5))
        step = "first";
    else if (!strncmp(s, "next_", 5))
        step = "next";
    else
        return NULL;
    s += 5;
    n = strlen(s);
    if (n > 4 && !strcmp(s + n - 4, "_asc"))
        return fmt("%s %s %.*s 0", step, kind, (int)(n - 4), s);
    if (n > 5 && !strcmp(s + n - 5, "_desc"))
        return fmt("%s %s %.*s 1", step, kind, (int)(n - 5), s);
    return NULL;
}

START_TEST(page_statements_use_the_indexes_on_10000_tasks)
{
    static const struct { const char *sort, *index, *order_expr, *value_expr; } keys[] = {
        { "created_at", "tasks_user_created_idx", "created_at",
          "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" },
        { "updated_at", "tasks_user_updated_idx", "updated_at",
          "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" },
        { "due_at", "tasks_user_due_idx",
          "coalesce(due_at, 'infinity'::timestamptz)",
          "coalesce(to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'infinity')" },
        { "priority", "tasks_user_priority_idx", "priority",
          "priority::text" },
        { "title", "tasks_user_title_idx", "title COLLATE \"C\"",
          "title" },
    };
    const char *dir = getenv("STACK_DIR"), *root = getenv("TASKS_ROOT");
    user u = user_sign_up("explain");
    char *cmd, *gen, *sqls, *script, *out, *s, *line, *save = NULL, *pgenv;
    FILE *f;
    size_t k;
    int nplans = 0;
    long total;
    json_t *l;

    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(root);

    /* 1. The page statements and the session settings, as the store
     *    gives them (tests/tools/store_statements prints them through
     *    tasks_store_statement_*), relabelled "first|next LIST|PLAIN
     *    <sort> 0|1" for the steps below. */
    cmd = fmt("%s/build/store_statements > %s/store_sql.txt 2> %s/store_sql.err",
              root, dir, dir);
    ck_assert_msg(shell(cmd) == 0, "cannot list the store's statements (see "
                  "%s/store_sql.err)", dir);
    free(cmd);
    cmd = fmt("%s/store_sql.txt", dir);
    gen = slurp(cmd);
    free(cmd);
    sqls = strdup("");
    for (line = strtok_r(gen, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t'), *t2, *label;

        ck_assert_ptr_nonnull(tab);
        *tab = '\0';
        label = !strcmp(line, "settings") ? strdup("settings") : page_label(line);
        if (!label)
            continue;
        t2 = fmt("%s%s\t%s\n", sqls, label, tab + 1);
        free(sqls);
        free(label);
        sqls = t2;
    }
    free(gen);
    save = NULL;

    /* 2. Seed 10,000 tasks with ties, null due dates and completed ones,
     *    every third in a list of its own (the rest in the Inbox). */
    script = fmt("\\set ON_ERROR_STOP 1\n"
        "INSERT INTO lists (user_id, name, position) VALUES ('%s', 'plan', 1)"
        " RETURNING id AS list \\gset\n"
        "INSERT INTO tasks (user_id, list_id, title, description, completed, completed_at,"
        " priority, due_at, tags, created_at, updated_at)"
        " SELECT '%s', CASE WHEN g %% 3 = 0 THEN :'list'::bigint"
        "  ELSE (SELECT id FROM lists WHERE user_id = '%s' AND inbox) END,"
        " 'seed ' || (g %% 997), CASE WHEN g %% 3 = 0 THEN 'd' || g END,"
        " g %% 4 = 0, CASE WHEN g %% 4 = 0 THEN now() END, g %% 4,"
        " CASE WHEN g %% 5 <> 0 THEN now() + (g %% 500) * interval '1 hour' END,"
        " CASE WHEN g %% 2 = 0 THEN ARRAY['even'] ELSE '{}' END,"
        " now() - g * interval '1 second', now() - g * interval '1 second' + (g %% 7) * interval '1 ms'"
        " FROM generate_series(1, 10000) g;\n"
        /* Other people's tasks, as any real table has: with one user's
         * rows alone, PostgreSQL rightly prefers reading the whole table
         * (the test then depended on the suites that ran before it). */
        "INSERT INTO users (email) SELECT 'plan-other-' || g || '-%s@example.org'"
        " FROM generate_series(1, 200) g;\n"
        "INSERT INTO tasks (user_id, list_id, title) SELECT u.id, l.id, 'other ' || g"
        " FROM users u JOIN lists l ON l.user_id = u.id AND l.inbox, generate_series(1, 10) g"
        " WHERE u.email LIKE 'plan-other-%%-%s@example.org';\n"
        "ANALYZE tasks;\n"
        /* The session the user's token was issued in (CALLER_OK). */
        "SELECT id AS sid FROM sessions WHERE user_id = '%s' LIMIT 1 \\gset\n",
        u.id, u.id, u.id, u.id, u.id, u.id);

    /* 3. Per statement: PREPARE as apr_dbd does (its parameter types), run
     *    it a few times (the plan cache decides custom or generic after 5),
     *    then EXPLAIN ANALYZE it. The deep page starts 9,000 rows in. */
    for (line = strtok_r(sqls, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t'), *pg, *types = strdup(""), *t2, *args, *label;
        char sortname[32], kind[8];
        int nargs, deep, dn, plain, bylist, search;

        ck_assert_ptr_nonnull(tab);
        *tab = '\0';
        label = line;
        if (!strcmp(label, "settings")) {
            t2 = fmt("%s%s;\n", script, tab + 1);
            free(script);
            script = t2;
            free(types);
            continue;
        }
        ck_assert_msg(!strcasestr(tab + 1, "OFFSET"), "%s uses OFFSET", label);
        ck_assert_msg(strstr(tab + 1, "LIMIT"), "%s has no LIMIT", label);
        free(types);
        pg = to_pg(tab + 1, &nargs, &types);
        deep = !strncmp(label, "next", 4);
        ck_assert_int_eq(sscanf(label + (deep ? 5 : 6), "%7s %31s %d", kind,
                                sortname, &dn), 3);
        plain = !strcmp(kind, "PLAIN");
        bylist = !strcmp(kind, "BYLIST");
        search = !strcmp(kind, "SEARCH");
        /* uid, jti, iat, sid, status[, q, priority, tags, due_before,
         * due_after, list][, list (BYLIST)][, cursor value, cursor id],
         * limit */
        ck_assert_int_eq(nargs, (plain ? 5 : bylist ? 6 : 11) + (deep ? 2 : 0) + 1);
        for (k = 0; strcmp(keys[k].sort, sortname); k++)
            ;
        t2 = fmt("%sDEALLOCATE ALL;\nPREPARE s(%s) AS %s;\n", script, types, pg);
        free(script);
        script = t2;
        if (deep) {
            t2 = fmt("%sSELECT %s AS v, id FROM tasks WHERE user_id = '%s'%s"
                     " ORDER BY %s %s, id %s OFFSET %d LIMIT 1 \\gset\n",
                     script, keys[k].value_expr, u.id,
                     bylist ? " AND list_id = :'list'" : "", keys[k].order_expr,
                     dn ? "DESC" : "ASC", dn ? "DESC" : "ASC", bylist ? 3000 : 9000);
            free(script);
            script = t2;
        }
        /* A search for "seed 12" matches about 130 of the 10,000. */
        args = fmt("'%s','','1',:'sid','0'%s%s,'101'", u.id,
                   plain ? "" : bylist ? ",:'list'"
                   : search ? ",'%seed 12%',NULL,NULL,NULL,NULL,NULL"
                   : ",NULL,NULL,NULL,NULL,NULL,NULL",
                   deep ? ",:'v',:'id'" : "");
        t2 = fmt("%s\\o /dev/null\n"
                 "EXECUTE s(%s);\nEXECUTE s(%s);\nEXECUTE s(%s);\n"
                 "EXECUTE s(%s);\nEXECUTE s(%s);\nEXECUTE s(%s);\n\\o\n"
                 "\\echo @@@ %s %d\n"
                 "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE s(%s);\n",
                 script, args, args, args, args, args, args, label, dn, args);
        free(script);
        script = t2;
        free(args);
        free(types);
        free(pg);
    }
    free(sqls);

    cmd = fmt("%s/explain.sql", dir);
    f = fopen(cmd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(script, f);
    fclose(f);
    free(cmd);
    free(script);
    pgenv = fmt("%s/pg.env", dir);
    cmd = fmt(". %s; psql -X -q -tA -h \"$PGHOST\" -p \"$PGPORT\" -U tasks -d tasks"
              " -f %s/explain.sql > %s/explain.out 2> %s/explain.err",
              pgenv, dir, dir, dir);
    ck_assert_msg(shell(cmd) == 0, "psql failed: see %s/explain.err", dir);
    free(cmd);
    free(pgenv);
    cmd = fmt("%s/explain.out", dir);
    out = slurp(cmd);
    free(cmd);

    /* 4. The plain pages (every unfiltered list): one index scan of
     *    tasks, on the sort key's index, reading one page (+1) of rows; no
     *    sort, no seq scan. The filtered pages (run with some filter set;
     *    all NULL here): PostgreSQL may choose to sort the caller's
     *    matching rows, but only ever reaches them through an index on
     *    user_id (with the keyset condition in it for a deep page), never
     *    by a sequential scan over all users' tasks. */
    for (s = strstr(out, "@@@ "); s; s = strstr(s, "@@@ ")) {
        char label[64] = "";
        const char *json_start = strchr(s, '\n');
        char *end = json_start ? strstr(json_start, "@@@ ") : NULL;
        json_error_t err;
        json_t *plan;
        const json_t *scans[4];
        int nscans = 0;
        char sortname[32];
        int deep, plain, bylist;
        const json_t *scan;
        char *want_index;

        ck_assert_ptr_nonnull(json_start);
        sscanf(s + 4, "%63[^\n]", label);
        plan = json_loadb(json_start, end ? (size_t)(end - json_start)
                                          : strlen(json_start), 0, &err);
        ck_assert_msg(plan != NULL, "%s: EXPLAIN output is not JSON: %s", label, err.text);
        deep = !strncmp(label, "next", 4);
        sscanf(label + (deep ? 5 : 6), "%*s %31s", sortname);
        if (strstr(label, " SEARCH ")) {
            /* The page and its count: one read of the matches. */
            ck_assert_int_eq(search_scans(json_object_get(json_array_get(plan, 0),
                                                          "Plan"), label), 1);
            json_decref(plan);
            nplans++;
            s = end ? end : s + 4;
            continue;
        }
        /* One list's pages are as plain, on the list's index. */
        bylist = strstr(label, " BYLIST ") != NULL;
        plain = bylist || strstr(label, " PLAIN ") != NULL;
        for (k = 0; strcmp(keys[k].sort, sortname); k++)
            ;
        want_index = bylist ? fmt("tasks_list_%s", keys[k].index + strlen("tasks_user_"))
                            : strdup(keys[k].index);
        plan_nodes(json_object_get(json_array_get(plan, 0), "Plan"), label,
                   !plain, scans, &nscans);
        ck_assert_msg(nscans == 1, "%s: %d scans of tasks", label, nscans);
        if (!plain) {
            scan = scans[0];
            if (!strcmp(jstr(scan, "Node Type"), "Bitmap Heap Scan"))
                scan = json_array_get(json_object_get(scan, "Plans"), 0);
            ck_assert_msg(jstr(scan, "Index Cond")
                          && strstr(jstr(scan, "Index Cond"), "user_id"),
                          "%s: tasks not reached by user_id (%s)", label,
                          jstr(scan, "Node Type"));
            if (deep)
                ck_assert_msg(strstr(jstr(scan, "Index Cond"), "ROW("),
                              "%s: the keyset condition is not in the index "
                              "condition: %s", label, jstr(scan, "Index Cond"));
            json_decref(plan);
            free(want_index);
            nplans++;
            s = end ? end : s + 4;
            continue;
        }
        ck_assert_msg(!strcmp(jstr(scans[0], "Node Type"), "Index Scan")
                      || !strcmp(jstr(scans[0], "Node Type"), "Index Only Scan"),
                      "%s: %s on tasks, not an index scan", label,
                      jstr(scans[0], "Node Type"));
        ck_assert_msg(jstr(scans[0], "Index Name")
                      && !strcmp(jstr(scans[0], "Index Name"), want_index),
                      "%s: scans %s, want %s", label, jstr(scans[0], "Index Name"),
                      want_index);
        if (bylist)
            ck_assert_msg(strstr(jstr(scans[0], "Index Cond"), "list_id"),
                          "%s: the index condition lacks list_id: %s", label,
                          jstr(scans[0], "Index Cond"));
        free(want_index);
        ck_assert_msg(strstr(jstr(scans[0], "Index Cond"), "user_id"),
                      "%s: the index condition lacks user_id: %s", label,
                      jstr(scans[0], "Index Cond"));
        if (deep)
            ck_assert_msg(strstr(jstr(scans[0], "Index Cond"), "ROW("),
                          "%s: the keyset condition is not in the index scan: %s",
                          label, jstr(scans[0], "Index Cond"));
        ck_assert_msg(jint(scans[0], "Actual Rows") == 101,
                      "%s: the scan returned %lld rows, want 101", label,
                      jint(scans[0], "Actual Rows"));
        ck_assert_msg(jint(scans[0], "Rows Removed by Filter") == 0,
                      "%s: %lld rows read and dropped", label,
                      jint(scans[0], "Rows Removed by Filter"));
        json_decref(plan);
        nplans++;
        s = end ? end : s + 4;
    }
    ck_assert_int_eq(nplans, 80);
    free(out);

    /* 5. Through the API: the seeded tasks are the user's. */
    l = list(u.tok, "/api/tasks?limit=1", &total, NULL);
    ck_assert_int_eq(total, 10000);
    json_decref(l);
    user_free(&u);
}
END_TEST

Suite *tasks_suite(void)
{
    Suite *s = suite_create("tasks");
    TCase *crud = tcase_create("crud");
    TCase *valid = tcase_create("validation");
    TCase *iso = tcase_create("isolation");
    TCase *listing = tcase_create("listing");
    TCase *rules = tcase_create("rules");
    TCase *cond = tcase_create("conditional");
    TCase *plans = tcase_create("plans");

    tcase_set_timeout(crud, 30);
    tcase_add_test(crud, create_returns_201_location_etag_and_defaults);
    tcase_add_test(crud, get_has_etag_and_if_none_match_gives_304);
    tcase_add_test(crud, put_requires_title_and_keeps_absent_fields);
    tcase_add_test(crud, patch_sets_subsets_and_null_clears);
    tcase_add_test(crud, updated_at_moves_and_completed_at_follows_completed);
    tcase_add_test(crud, complete_toggles_sets_and_validates);
    tcase_add_test(crud, delete_gives_204_then_404);
    tcase_add_test(crud, status_counts_follow_every_change_of_completed);
    tcase_add_test(crud, clear_completed_deletes_only_the_callers_completed);
    tcase_add_test(crud, seed_compatible_paths);
    suite_add_tcase(s, crud);

    tcase_set_timeout(valid, 30);
    tcase_add_test(valid, title_length_counts_code_points_and_is_trimmed);
    tcase_add_test(valid, description_is_at_most_1000_characters);
    tcase_add_test(valid, tags_rules);
    tcase_add_test(valid, due_at_needs_an_offset_and_comes_back_in_utc);
    tcase_add_test(valid, priority_and_completed_types);
    tcase_add_test(valid, several_broken_fields_give_one_422_listing_all);
    tcase_add_test(valid, read_only_and_unknown_fields_are_ignored);
    tcase_add_test(valid, body_encoding_type_and_shape_errors);
    tcase_add_test(valid, body_over_64k_is_413_also_chunked);
    tcase_add_test(valid, empty_chunked_body_on_complete_toggles);
    tcase_add_test(valid, error_statuses_are_problem_details);
    suite_add_tcase(s, valid);

    tcase_set_timeout(rules, 30);
    tcase_add_unchecked_fixture(rules, make_rules_user, free_rules_user);
    tcase_add_loop_test(rules, task_id_in_the_path_is_400_unless_canonical_decimal,
                        0, (int)(sizeof(path_ids) / sizeof(*path_ids)));
    tcase_add_loop_test(rules, list_parameter_just_outside_its_rule_is_400_naming_it,
                        0, (int)(sizeof(list_params) / sizeof(*list_params)));
    suite_add_tcase(s, rules);

    tcase_set_timeout(iso, 30);
    tcase_add_test(iso, another_users_task_does_not_exist);
    suite_add_tcase(s, iso);

    tcase_set_timeout(listing, 60);
    tcase_add_test(listing, list_filters);
    tcase_add_test(listing, sort_on_every_key_and_order_with_id_tie_break);
    tcase_add_test(listing, link_next_visits_every_task_once_in_every_sort);
    tcase_add_test(listing, pagination_survives_inserts_and_deletes);
    tcase_add_test(listing, bad_cursors_are_400_never_500);
    suite_add_tcase(s, listing);

    tcase_set_timeout(cond, 30);
    tcase_add_test(cond, if_match_current_succeeds_and_stale_is_412);
    tcase_add_test(cond, if_match_on_another_users_task_is_404);
    tcase_add_test(cond, concurrent_patches_with_one_etag_one_wins);
    tcase_add_test(cond, concurrent_toggles_are_not_lost);
    suite_add_tcase(s, cond);

    tcase_set_timeout(plans, 60);
    tcase_add_test(plans, page_statements_use_the_indexes_on_10000_tasks);
    suite_add_tcase(s, plans);
    return s;
}
