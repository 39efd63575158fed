/* test_types.c - "types agree end to end": every value a client can send
 * (task ids in the path, the id and version inside an ETag, limit, cursor,
 * dates, priorities, JSON numbers, Content-Length, the numbers and the jti
 * of a token) at its boundaries - 0, -1, 2^31-1, 2^31, 2^63-1, 2^63 and 20
 * digits, the first and last instant of years 0001-9999 and an offset past
 * either end - gets exactly the answer of the contract, never a 5xx, and
 * the server is still fine afterwards.
 *
 * Each row of the table is one loop iteration (tcase_add_loop_test), so a
 * failure names its row. One user and its tasks are made once for the
 * whole table (an unchecked fixture); the rows read or write them, none
 * deletes them. In paths, headers, bodies and claims:
 *   {ID}   the user's task        {ETAG} that task's current ETag
 *   {UID}  the user's id          {NEW}  a task made for this row alone
 *   {JTI}  a fresh jti (jti_len random hex digits when set)
 * The expected answers follow htdocs/openapi.json: an id that is not a
 * canonical positive 64-bit integer is 400, a valid id of no task 404; an
 * ETag version is a counter in an int column, so one beyond 2^31-1 can
 * never match: 412 for an existing task, 404 for a missing one, like any
 * stale tag. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define I32_MAX  "2147483647"
#define I32_OVER "2147483648"
#define I64_MAX  "9223372036854775807"
#define I64_OVER "9223372036854775808"
#define I64_MIN  "-9223372036854775808"
#define U64_OVER "18446744073709551616"        /* 2^64: 20 digits */
#define DIGITS20 "99999999999999999999"

/* The first and last instants the contract accepts (years 0001-9999). */
#define FIRST    "0001-01-01T00:00:00Z"
#define LAST     "9999-12-31T23:59:59.999999Z"
#define FIRST_TS "0001-01-01T00:00:00.000000Z"
#define LAST_TS  "9999-12-31T23:59:59.999999Z"
/* One microsecond inside each. */
#define AFTER_FIRST_TS "0001-01-01T00:00:00.000001Z"
#define BEFORE_LAST_TS "9999-12-31T23:59:59.999998Z"

#define TITLE    "{\"title\":\"boundary\"}"

typedef struct {
    const char *input;     /* the client input and its value */
    const char *method, *path;
    const char *header;    /* one more header, or NULL */
    const char *body;      /* NULL: none */
    int status;
    /* A 4xx: a text its detail holds (the parameter or field it names);
     * a 2xx: a text its body holds. NULL: nothing more is checked. */
    const char *names;
    /* Sent with an HS256 token of these claims instead of the user's. */
    const char *claims;
    int jti_len;
    /* Then GET /api/auth/me with the same token must answer this. */
    int after;
    /* Sent raw with this Content-Length and no body at all. */
    const char *content_length;
    /* Answered by httpd itself before the module runs (its own HTML
     * error page): only the status is checked. */
    int by_httpd;
    /* And every rel="next" page after it is a 200 too. */
    int follow;
    /* A 2xx whose body must not hold this text. */
    const char *never;
} boundary_case;

/* A task id in the path, on each route that takes one, both spellings. */
#define ID_ROUTES(id, st, says) \
    { "task id " id, "GET", "/api/tasks/" id, NULL, NULL, st, says }, \
    { "task id " id, "PUT", "/api/tasks/" id, NULL, TITLE, st, says }, \
    { "task id " id, "PATCH", "/api/tasks/" id, NULL, TITLE, st, says }, \
    { "task id " id, "DELETE", "/api/tasks/" id, NULL, NULL, st, says }, \
    { "task id " id, "PATCH", "/api/tasks/" id "/complete", NULL, NULL, st, says }, \
    { "task id " id, "GET", "/api/{UID}/tasks/" id, NULL, NULL, st, says }, \
    { "task id " id, "PUT", "/api/{UID}/tasks/" id, NULL, TITLE, st, says }, \
    { "task id " id, "PATCH", "/api/{UID}/tasks/" id, NULL, TITLE, st, says }, \
    { "task id " id, "DELETE", "/api/{UID}/tasks/" id, NULL, NULL, st, says }, \
    { "task id " id, "PATCH", "/api/{UID}/tasks/" id "/complete", NULL, NULL, st, says }

/* The version in an ETag: every write of an existing task (412) and of a
 * missing one (404), and If-None-Match on a read (no match: 200). */
#define VERSIONS(v) \
    { "If-Match version " v, "PUT", "/api/tasks/{ID}", \
      "If-Match: \"{ID}." v "\"", TITLE, 412, "If-Match" }, \
    { "If-Match version " v, "PATCH", "/api/tasks/{ID}", \
      "If-Match: \"{ID}." v "\"", TITLE, 412, "If-Match" }, \
    { "If-Match version " v, "DELETE", "/api/tasks/{ID}", \
      "If-Match: \"{ID}." v "\"", NULL, 412, "If-Match" }, \
    { "If-Match version " v, "PATCH", "/api/tasks/{ID}/complete", \
      "If-Match: \"{ID}." v "\"", NULL, 412, "If-Match" }, \
    { "If-Match version " v " of no task", "PUT", "/api/{UID}/tasks/" I64_MAX, \
      "If-Match: \"" I64_MAX "." v "\"", TITLE, 404, "no such task" }, \
    { "If-Match version " v " of no task", "PATCH", "/api/{UID}/tasks/" I64_MAX, \
      "If-Match: \"" I64_MAX "." v "\"", TITLE, 404, "no such task" }, \
    { "If-Match version " v " of no task", "DELETE", "/api/{UID}/tasks/" I64_MAX, \
      "If-Match: \"" I64_MAX "." v "\"", NULL, 404, "no such task" }, \
    { "If-Match version " v " of no task", "PATCH", \
      "/api/{UID}/tasks/" I64_MAX "/complete", \
      "If-Match: \"" I64_MAX "." v "\"", NULL, 404, "no such task" }, \
    { "If-None-Match version " v, "GET", "/api/tasks/{ID}", \
      "If-None-Match: \"{ID}." v "\"", NULL, 200, "\"title\"" }

/* The id in an ETag: it names another task, so it cannot match. */
#define ETAG_ID(id) \
    { "If-Match id " id, "PATCH", "/api/tasks/{ID}", \
      "If-Match: \"" id ".1\"", TITLE, 412, "If-Match" }

#define LIMIT(v, st, says) \
    { "limit " v, "GET", "/api/tasks?limit=" v, NULL, NULL, st, says }

#define CURSOR(v) \
    { "cursor " v, "GET", "/api/tasks?cursor=" v, NULL, NULL, 400, "cursor" }

/* due_at in a body: created (and returned as utc), or a 422 naming it. */
#define DUE_OK(v, utc) \
    { "due_at " v, "POST", "/api/tasks", NULL, \
      "{\"title\":\"due\",\"due_at\":\"" v "\"}", 201, "\"due_at\":\"" utc "\"" }
#define DUE_BAD(v) \
    { "due_at " v, "POST", "/api/tasks", NULL, \
      "{\"title\":\"due\",\"due_at\":\"" v "\"}", 422, "due_at" }
#define DUE_NUMBER(v, st, says) \
    { "due_at " v, "POST", "/api/tasks", NULL, \
      "{\"title\":\"due\",\"due_at\":" v "}", st, says }

/* due_before / due_after in the query (a '+' is sent as %2B). */
#define DUE_QUERY(q, st, says) \
    { q, "GET", "/api/tasks?" q, NULL, NULL, st, says }
/* The same, strict: a task due at the bound itself is not listed. */
#define DUE_STRICT(q, says, bound) \
    { q, "GET", "/api/tasks?" q, NULL, NULL, 200, says, .never = bound }

#define PRIORITY_NUMBER(v, st, says) \
    { "priority " v, "POST", "/api/tasks", NULL, \
      "{\"title\":\"p\",\"priority\":" v "}", st, says }
#define PRIORITY_QUERY(v) \
    { "priority=" v, "GET", "/api/tasks?priority=" v, NULL, NULL, 400, "priority" }

/* A number in a member the server ignores (read-only or unknown). */
#define IGNORED(member, v, st, says) \
    { member " " v, "POST", "/api/tasks", NULL, \
      "{\"title\":\"ignored\",\"" member "\":" v "}", st, says }

/* A token's claims: GET /api/auth/me with it. */
#define TOKEN_OK(what, claims) \
    { what, "GET", "/api/auth/me", NULL, NULL, 200, "\"user\"", claims }
#define TOKEN_REFUSED(what, claims) \
    { what, "GET", "/api/auth/me", NULL, NULL, 401, "invalid or expired", claims }
/* Logout with it, after which it is refused. */
#define LOGOUT(what, claims, jti_len) \
    { what, "POST", "/api/auth/logout", NULL, NULL, 204, NULL, claims, \
      jti_len, 401 }
#define EXP(v) "{\"sub\":\"{UID}\",\"exp\":" v ",\"jti\":\"{JTI}\"}"
/* 2100-01-01: valid for as long as this test will run. */
#define LATER "4102444800"

/* Sent raw: a Content-Length and no body. */
#define CONTENT_LENGTH(v, method, path, st, by_httpd) \
    { "Content-Length " v, method, path, NULL, NULL, st, NULL, NULL, 0, 0, \
      v, by_httpd }

/* Rows give their leading fields and leave the rest zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const boundary_case cases[] = {
    /* The task id in the path: 1 to 2^63-1, canonical decimal. */
    ID_ROUTES("0", 400, "task id"),
    ID_ROUTES("-1", 400, "task id"),
    ID_ROUTES(I32_MAX, 404, "no such task"),
    ID_ROUTES(I32_OVER, 404, "no such task"),
    ID_ROUTES(I64_MAX, 404, "no such task"),
    ID_ROUTES(I64_OVER, 400, "task id"),
    ID_ROUTES(U64_OVER, 400, "task id"),
    ID_ROUTES(DIGITS20, 400, "task id"),
    ID_ROUTES(I64_MIN, 400, "task id"),

    /* The version inside an ETag. */
    VERSIONS("0"),
    VERSIONS("-1"),
    VERSIONS(I32_MAX),
    VERSIONS(I32_OVER),
    VERSIONS(I64_MAX),
    VERSIONS(I64_OVER),
    VERSIONS(U64_OVER),
    VERSIONS(DIGITS20),
    /* The id inside an ETag. */
    ETAG_ID("0"),
    ETAG_ID("-1"),
    ETAG_ID(I32_OVER),
    ETAG_ID(I64_MAX),
    ETAG_ID(I64_OVER),
    ETAG_ID(DIGITS20),
    /* Controls: real tags still match. */
    { "If-Match the current ETag", "PATCH", "/api/tasks/{ID}",
      "If-Match: {ETAG}", "{\"description\":\"matched\"}", 200, "\"matched\"" },
    { "If-Match version 1 of a new task", "PATCH", "/api/tasks/{NEW}",
      "If-Match: \"{NEW}.1\"", TITLE, 200, "\"boundary\"" },
    { "If-Match * on a new task", "DELETE", "/api/{UID}/tasks/{NEW}",
      "If-Match: *", NULL, 204 },
    { "If-None-Match the current ETag", "GET", "/api/tasks/{ID}",
      "If-None-Match: {ETAG}", NULL, 304 },

    /* limit: 1-1000, digits only (leading zeros are harmless). */
    LIMIT("0", 400, "limit"),
    LIMIT("-1", 400, "limit"),
    LIMIT("1", 200, "["),
    LIMIT("1000", 200, "["),
    LIMIT("1001", 400, "limit"),
    LIMIT(I32_MAX, 400, "limit"),
    LIMIT(I32_OVER, 400, "limit"),
    LIMIT(I64_MAX, 400, "limit"),
    LIMIT(I64_OVER, 400, "limit"),
    LIMIT(U64_OVER, 400, "limit"),
    LIMIT(DIGITS20, 400, "limit"),
    LIMIT("00000000000000000001", 200, "["),
    { "limit " I32_OVER " (seed path)", "GET", "/api/{UID}/tasks?limit=" I32_OVER,
      NULL, NULL, 400, "limit" },

    /* cursor: opaque and signed, so a number is only garbage. */
    CURSOR("0"),
    CURSOR("-1"),
    CURSOR(I32_OVER),
    CURSOR(I64_OVER),
    CURSOR(DIGITS20),

    /* due_at: years 0001-9999, before and after the shift to UTC. */
    DUE_OK(FIRST, FIRST_TS),
    DUE_OK(LAST, LAST_TS),
    DUE_OK("9999-12-31T23:59:59.99999999999999999999Z", LAST_TS),
    DUE_OK("0001-01-01T00:00:00-23:59", "0001-01-01T23:59:00.000000Z"),
    DUE_OK("9999-12-31T23:59:59+23:59", "9999-12-31T00:00:59.000000Z"),
    DUE_OK("1969-12-31T23:59:59Z", "1969-12-31T23:59:59.000000Z"),
    DUE_OK("2038-01-19T03:14:08Z", "2038-01-19T03:14:08.000000Z"),
    DUE_BAD("0001-01-01T00:00:00+00:01"),
    DUE_BAD("9999-12-31T23:59:59-00:01"),
    DUE_BAD("0000-12-31T23:59:59Z"),
    DUE_BAD("10000-01-01T00:00:00Z"),
    DUE_BAD("2147483648-01-01T00:00:00Z"),
    DUE_BAD("9999-12-31T23:59:60Z"),
    DUE_BAD("2026-01-01T00:00:00+24:00"),
    DUE_BAD("2026-01-01T00:00:00-99:99"),
    DUE_NUMBER("0", 422, "due_at"),
    DUE_NUMBER("-1", 422, "due_at"),
    DUE_NUMBER(I32_OVER, 422, "due_at"),
    DUE_NUMBER(I64_MAX, 422, "due_at"),
    DUE_NUMBER(I64_OVER, 400, "number out of range"),
    { "due_at " FIRST " (PUT)", "PUT", "/api/tasks/{ID}", NULL,
      "{\"title\":\"edge\",\"due_at\":\"" FIRST "\"}", 200,
      "\"due_at\":\"" FIRST_TS "\"" },
    { "due_at " LAST " (PATCH)", "PATCH", "/api/tasks/{ID}", NULL,
      "{\"due_at\":\"" LAST "\"}", 200, "\"due_at\":\"" LAST_TS "\"" },
    { "due_at 0001-01-01T00:00:00+00:01 (PATCH)", "PATCH", "/api/tasks/{ID}",
      NULL, "{\"due_at\":\"0001-01-01T00:00:00+00:01\"}", 422, "due_at" },
    { "due_at 9999-12-31T23:59:59-00:01 (PUT)", "PUT", "/api/tasks/{ID}",
      NULL, "{\"title\":\"x\",\"due_at\":\"9999-12-31T23:59:59-00:01\"}", 422,
      "due_at" },
    /* due_before / due_after: the same instants, strict comparisons. */
    DUE_QUERY("due_before=" FIRST, 200, "[]"),
    DUE_QUERY("due_after=" LAST, 200, "[]"),
    DUE_STRICT("due_after=" FIRST, "\"due_at\":\"" AFTER_FIRST_TS "\"",
               "\"due_at\":\"" FIRST_TS "\""),
    DUE_STRICT("due_before=" LAST, "\"due_at\":\"" BEFORE_LAST_TS "\"",
               "\"due_at\":\"" LAST_TS "\""),
    DUE_STRICT("due_after=" FIRST "&due_before=" LAST "&sort=due_at&order=asc",
               "\"due_at\":\"" BEFORE_LAST_TS "\"", "\"due_at\":\"" FIRST_TS "\""),
    DUE_QUERY("due_before=0001-01-01T00:00:00%2B00:01", 400, "due_before"),
    DUE_QUERY("due_after=9999-12-31T23:59:59-00:01", 400, "due_after"),
    DUE_QUERY("due_before=0000-12-31T23:59:59Z", 400, "due_before"),
    DUE_QUERY("due_after=10000-01-01T00:00:00Z", 400, "due_after"),
    DUE_QUERY("due_before=" I64_OVER, 400, "due_before"),
    /* A cursor that holds the first and the last instant, and none. */
    { "cursor at due_at 0001 and 9999, ascending", "GET",
      "/api/tasks?sort=due_at&order=asc&limit=1", NULL, NULL, 200,
      "\"due_at\":\"" FIRST_TS "\"", .follow = 1 },
    { "cursor at due_at 9999 and 0001, descending", "GET",
      "/api/tasks?sort=due_at&limit=1", NULL, NULL, 200, NULL, .follow = 1 },

    /* priority: one of four names; a number is never one. */
    PRIORITY_NUMBER("0", 422, "priority"),
    PRIORITY_NUMBER("-1", 422, "priority"),
    PRIORITY_NUMBER("3", 422, "priority"),
    PRIORITY_NUMBER(I32_OVER, 422, "priority"),
    PRIORITY_NUMBER(I64_MAX, 422, "priority"),
    PRIORITY_NUMBER(I64_OVER, 400, "number out of range"),
    PRIORITY_NUMBER(DIGITS20, 400, "number out of range"),
    PRIORITY_QUERY("0"),
    PRIORITY_QUERY("3"),
    PRIORITY_QUERY("-1"),
    PRIORITY_QUERY(I32_OVER),

    /* completed, title, description, tags: numbers are not their type. */
    { "completed 0", "POST", "/api/tasks", NULL,
      "{\"title\":\"c\",\"completed\":0}", 422, "completed" },
    { "completed 1", "POST", "/api/tasks", NULL,
      "{\"title\":\"c\",\"completed\":1}", 422, "completed" },
    { "completed " I64_MAX " (complete)", "PATCH", "/api/tasks/{ID}/complete",
      NULL, "{\"completed\":" I64_MAX "}", 422, "completed" },
    { "completed " I64_OVER " (complete)", "PATCH", "/api/tasks/{ID}/complete",
      NULL, "{\"completed\":" I64_OVER "}", 400, "number out of range" },
    { "title 0", "POST", "/api/tasks", NULL, "{\"title\":0}", 422, "title" },
    { "description " I64_MAX, "POST", "/api/tasks", NULL,
      "{\"title\":\"d\",\"description\":" I64_MAX "}", 422, "description" },
    { "tags [" I32_OVER "]", "POST", "/api/tasks", NULL,
      "{\"title\":\"t\",\"tags\":[" I32_OVER "]}", 422, "tags" },

    /* Read-only and unknown members are ignored while the parser can
     * hold their number (int64, double); beyond that the body is a 400. */
    IGNORED("id", I32_OVER, 201, "\"ignored\""),
    IGNORED("id", I64_MAX, 201, "\"ignored\""),
    IGNORED("id", I64_MIN, 201, "\"ignored\""),
    IGNORED("id", "1.5e308", 201, "\"ignored\""),
    IGNORED("id", I64_OVER, 400, "number out of range"),
    IGNORED("id", "-9223372036854775809", 400, "number out of range"),
    IGNORED("id", DIGITS20, 400, "number out of range"),
    IGNORED("version", "1e400", 400, "number out of range"),
    { "version " I32_OVER " in a PATCH body", "PATCH", "/api/tasks/{ID}", NULL,
      "{\"version\":" I32_OVER ",\"description\":\"version ignored\"}", 200,
      "\"version ignored\"" },

    /* Numbers in the other query parameters and in the seed path. */
    { "q " I64_OVER, "GET", "/api/tasks?q=" I64_OVER, NULL, NULL, 200, "[]" },
    { "tag " DIGITS20, "GET", "/api/tasks?tag=" DIGITS20, NULL, NULL, 200, "[]" },
    { "status 0", "GET", "/api/tasks?status=0", NULL, NULL, 400, "status" },
    { "sort 1", "GET", "/api/tasks?sort=1", NULL, NULL, 400, "sort" },
    { "order -1", "GET", "/api/tasks?order=-1", NULL, NULL, 400, "order" },
    { "status 0 (clear)", "DELETE", "/api/tasks?status=0", NULL, NULL, 400,
      "status" },
    { "user id 0", "GET", "/api/0/tasks", NULL, NULL, 403, "another user" },
    { "user id " I64_OVER, "GET", "/api/" I64_OVER "/tasks/{ID}", NULL, NULL,
      403, "another user" },

    /* Content-Length: the module refuses anything over 64 KiB before
     * reading; httpd itself refuses what is not a non-negative number it
     * can hold. */
    CONTENT_LENGTH("0", "POST", "/api/tasks", 400, 0),
    CONTENT_LENGTH("0", "PATCH", "/api/tasks/{ID}/complete", 200, 0),
    CONTENT_LENGTH(I32_MAX, "POST", "/api/tasks", 413, 0),
    CONTENT_LENGTH(I32_OVER, "PUT", "/api/tasks/{ID}", 413, 0),
    CONTENT_LENGTH(I64_MAX, "PATCH", "/api/tasks/{ID}", 413, 0),
    CONTENT_LENGTH(I64_OVER, "POST", "/api/tasks", 400, 1),
    CONTENT_LENGTH(DIGITS20, "POST", "/api/tasks", 400, 1),
    CONTENT_LENGTH("-1", "POST", "/api/tasks", 400, 1),

    /* Signup and login: numbers where strings belong. */
    { "signup password " I32_OVER, "POST", "/api/auth/signup", NULL,
      "{\"email\":\"types@example.org\",\"password\":" I32_OVER "}", 422,
      "password" },
    { "signup name 0", "POST", "/api/auth/signup", NULL,
      "{\"email\":\"types@example.org\",\"password\":\"long enough!\",\"name\":0}",
      422, "name" },
    { "signup email " I64_MAX, "POST", "/api/auth/signup", NULL,
      "{\"email\":" I64_MAX ",\"password\":\"long enough!\"}", 422, "email" },
    { "signup password " DIGITS20, "POST", "/api/auth/signup", NULL,
      "{\"email\":\"types@example.org\",\"password\":" DIGITS20 "}", 400,
      "number out of range" },
    { "login email " I32_OVER, "POST", "/api/auth/login", NULL,
      "{\"email\":" I32_OVER ",\"password\":\"long enough!\"}", 422, "email" },
    { "login password " I64_MAX, "POST", "/api/auth/login", NULL,
      "{\"email\":\"types@example.org\",\"password\":" I64_MAX "}", 422,
      "password" },

    /* A token's numbers: exp, nbf, iat as 64-bit seconds. */
    TOKEN_REFUSED("exp 0", EXP("0")),
    TOKEN_REFUSED("exp -1", EXP("-1")),
    TOKEN_REFUSED("exp " I64_MIN, EXP(I64_MIN)),
    TOKEN_OK("exp " I32_MAX " (2038)", EXP(I32_MAX)),
    TOKEN_OK("exp " I64_MAX, EXP(I64_MAX)),
    TOKEN_REFUSED("exp " I64_OVER, EXP(I64_OVER)),
    TOKEN_REFUSED("exp " DIGITS20, EXP(DIGITS20)),
    TOKEN_REFUSED("exp 1e300", EXP("1e300")),
    TOKEN_REFUSED("nbf " I64_MAX, "{\"sub\":\"{UID}\",\"exp\":" LATER ",\"nbf\":" I64_MAX "}"),
    TOKEN_OK("nbf " I64_MIN, "{\"sub\":\"{UID}\",\"exp\":" LATER ",\"nbf\":" I64_MIN "}"),
    TOKEN_REFUSED("iat " I64_MAX, "{\"sub\":\"{UID}\",\"exp\":" LATER ",\"iat\":" I64_MAX "}"),
    TOKEN_OK("iat -1", "{\"sub\":\"{UID}\",\"exp\":" LATER ",\"iat\":-1}"),
    TOKEN_REFUSED("iat " I64_OVER, "{\"sub\":\"{UID}\",\"exp\":" LATER ",\"iat\":" I64_OVER "}"),
    /* Logout keeps the jti until exp (plus the leeway): whatever exp a
     * valid token has, and however long its jti, logout revokes it. */
    LOGOUT("logout, exp " I32_MAX, EXP(I32_MAX), 0),
    LOGOUT("logout, exp 253402300799 (9999-12-31)", EXP("253402300799"), 0),
    LOGOUT("logout, exp 253402300800 (year 10000)", EXP("253402300800"), 0),
    LOGOUT("logout, exp 10^13 (beyond PostgreSQL's timestamps)",
           EXP("10000000000000"), 0),
    LOGOUT("logout, exp " I64_MAX, EXP(I64_MAX), 0),
    LOGOUT("logout, a jti of 255 characters", EXP(LATER), 255),
    LOGOUT("logout, a jti of 4000 characters", EXP(LATER), 4000),
};
#pragma GCC diagnostic pop

#define NCASES ((int)(sizeof(cases) / sizeof(*cases)))

/* The fixture: one user, its task {ID} (no due date) and four tasks due
 * at the first and the last instant and one microsecond inside each, so
 * that every list has them. */
static char *tok, *uid, *task_path;
static long long task_id;

static void make_fixture(void)
{
    tok = make_user("types", &uid);
    task_id = make_task(tok, "{\"title\":\"the boundary task\"}");
    task_path = fmt("/api/tasks/%lld", task_id);
    make_task(tok, "{\"title\":\"first\",\"due_at\":\"" FIRST "\"}");
    make_task(tok, "{\"title\":\"last\",\"due_at\":\"" LAST "\"}");
    make_task(tok, "{\"title\":\"after first\",\"due_at\":\"" AFTER_FIRST_TS "\"}");
    make_task(tok, "{\"title\":\"before last\",\"due_at\":\"" BEFORE_LAST_TS "\"}");
}

static void free_fixture(void)
{
    free(tok);
    free(uid);
    free(task_path);
}

/* A copy of s with every "{key}" replaced by value (malloc'd). */
static char *replace(char *s, const char *key, const char *value)
{
    char *at, *out;

    while ((at = strstr(s, key))) {
        out = fmt("%.*s%s%s", (int)(at - s), s, value, at + strlen(key));
        free(s);
        s = out;
    }
    return s;
}

typedef struct {
    char *etag, *new_id, *jti;
} row_values;

static char *etag_of(const char *path)
{
    http_resp *r = http_auth("GET", path, tok, NULL);
    char *e;

    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(http_header(r, "ETag"));
    e = strdup(http_header(r, "ETag"));
    http_free(r);
    return e;
}

/* t with its {NAME} markers substituted (malloc'd; NULL stays NULL). */
static char *expand(const char *t, row_values *v, int jti_len)
{
    static int seeded;
    char *s, id[32];

    /* Every row is a child forked from one parent: without a seed of its
     * own, each would draw the same "random" jti. */
    if (!seeded++)
        srandom((unsigned)getpid() ^ (unsigned)time(NULL));
    if (!t)
        return NULL;
    s = strdup(t);
    snprintf(id, sizeof(id), "%lld", task_id);
    if (strstr(s, "{ETAG}")) {
        if (!v->etag)
            v->etag = etag_of(task_path);
        s = replace(s, "{ETAG}", v->etag);
    }
    if (strstr(s, "{NEW}")) {
        if (!v->new_id)
            v->new_id = fmt("%lld", make_task(tok, "{\"title\":\"new\"}"));
        s = replace(s, "{NEW}", v->new_id);
    }
    if (strstr(s, "{JTI}")) {
        if (!v->jti) {
            int i;

            v->jti = jti_len ? malloc((size_t)jti_len + 1)
                             : fmt("types-%d-%ld", (int)getpid(), random());
            for (i = 0; i < jti_len; i++)
                v->jti[i] = "0123456789abcdef"[random() % 16];
            if (jti_len)
                v->jti[jti_len] = '\0';
        }
        s = replace(s, "{JTI}", v->jti);
    }
    s = replace(s, "{ID}", id);
    return replace(s, "{UID}", uid);
}

/* The request of a Content-Length row, sent raw. */
static long send_content_length(const boundary_case *c, const char *path,
                                char **resp)
{
    char *head = fmt("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %s\r\nConnection: close\r\n\r\n",
                     c->method, path, tok, c->content_length);
    long status = http_raw(head, NULL, 0, resp);

    free(head);
    return status;
}

/* The path of a rel="next" Link (malloc'd), or NULL. */
static char *next_link(const http_resp *r)
{
    const char *h = http_header(r, "Link"), *lt, *gt;

    if (!h)
        return NULL;
    lt = strchr(h, '<');
    gt = lt ? strchr(lt, '>') : NULL;
    ck_assert_msg(lt && gt, "malformed Link: %s", h);
    return strndup(lt + 1, (size_t)(gt - lt - 1));
}

/* Health is ok and the user's task still reads: a refused value left no
 * broken database session or child behind. */
static void assert_still_serving(const char *input)
{
    http_resp *r = http("GET", "/api/health", NULL, NULL);

    ck_assert_msg(r->status == 200, "%s: health afterwards %ld: %s", input,
                  r->status, r->body);
    http_free(r);
    r = http_auth("GET", task_path, tok, NULL);
    ck_assert_msg(r->status == 200, "%s: the task afterwards %ld: %s", input,
                  r->status, r->body);
    http_free(r);
}

START_TEST(every_client_value_at_its_boundaries_gets_its_exact_status)
{
    const boundary_case *c = &cases[_i];
    row_values v = { NULL, NULL, NULL };
    char *path = expand(c->path, &v, c->jti_len);
    char *header = expand(c->header, &v, c->jti_len);
    char *body = expand(c->body, &v, c->jti_len);
    char *claims = expand(c->claims, &v, c->jti_len);
    char *token = claims ? hs256_token(claims) : strdup(tok);
    char *auth = fmt("Authorization: Bearer %s", token);
    const char *hs[] = { auth, header, NULL };
    char *raw = NULL;
    http_resp *r = NULL;
    long status;

    if (c->content_length) {
        status = send_content_length(c, path, &raw);
    }
    else {
        r = http(c->method, path, body, hs);
        status = r->status;
    }
    /* Every row wants a 2xx or a 4xx, so this also finds every 5xx. */
    ck_assert_msg(status == c->status, "%s: %s %s -> %ld%s, want %d: %s",
                  c->input, c->method, path, status,
                  status >= 500 ? " (a 5xx, never the answer)" : "", c->status,
                  r ? r->body : raw);
    if (raw) {
        if (status >= 400 && !c->by_httpd)
            ck_assert_msg(strcasestr(raw, "\r\nContent-Type: application/problem+json"),
                          "%s: not problem+json: %s", c->input, raw);
    }
    else if (status >= 400) {
        assert_problem(r, (int)status);
        if (c->names)
            ck_assert_msg(strstr(json_string_value(json_object_get(r->json,
                                                                   "detail")),
                                 c->names),
                          "%s: the detail does not name '%s': %s", c->input,
                          c->names, r->body);
    }
    else {
        if (c->names)
            ck_assert_msg(strstr(r->body, c->names), "%s: no '%s' in %s",
                          c->input, c->names, r->body);
        if (c->never)
            ck_assert_msg(!strstr(r->body, c->never), "%s: '%s' in %s",
                          c->input, c->never, r->body);
    }
    if (c->after) {
        http_resp *a = http_auth("GET", "/api/auth/me", token, NULL);
        ck_assert_msg(a->status == c->after, "%s: then GET /api/auth/me -> %ld, "
                      "want %d: %s", c->input, a->status, c->after, a->body);
        http_free(a);
    }
    if (c->follow) {
        char *next = next_link(r);
        int pages = 1;

        ck_assert_msg(next != NULL, "%s: no rel=\"next\" Link", c->input);
        while (next) {
            http_resp *p = http_auth("GET", next, tok, NULL);

            ck_assert_msg(p->status == 200, "%s: page %d (%s) -> %ld: %s",
                          c->input, pages + 1, next, p->status, p->body);
            free(next);
            next = next_link(p);
            http_free(p);
            ck_assert_msg(++pages < 1000, "%s: endless pagination", c->input);
        }
    }
    assert_still_serving(c->input);

    http_free(r);
    free(raw);
    free(auth);
    free(token);
    free(claims);
    free(body);
    free(header);
    free(path);
    free(v.etag);
    free(v.new_id);
    free(v.jti);
}
END_TEST

Suite *types_suite(void)
{
    Suite *s = suite_create("types");
    TCase *tc = tcase_create("boundaries");

    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, make_fixture, free_fixture);
    tcase_add_loop_test(tc, every_client_value_at_its_boundaries_gets_its_exact_status,
                        0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}
