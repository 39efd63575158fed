/* test_edges.c - "bad input at the edges" (issue 13, part 6): 1 MiB
 * headers, 10,000 query parameters, JSON nested 10,000 deep, a number of
 * 10,000 digits, invalid UTF-8 and overlong encodings in every string
 * field, NUL bytes in paths and bodies, a Content-Length larger than the
 * body, chunked bodies over the cap. Each gets exactly its 4xx: the
 * module's problem+json, or httpd's own where httpd refuses first; never a
 * 5xx, a crash or a stuck worker. After every row the server still answers
 * at once (health 200, the fixture task read back within a second).
 *
 * Every request is sent raw over its own socket (Connection: close), so
 * that any byte - NUL, \xff, a 1 MiB line - goes out exactly as written.
 * Each row is one loop iteration (tcase_add_loop_test). Markers substituted in a
 * path, header or body (not in those with an explicit length):
 *   {ID}  the fixture user's task     {X}  the row's generated text
 *   {UID} the fixture user's id */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "client.h"
#include "suites.h"

/* How a row's {X} is made: rep repeated n times, between pre and post. */
typedef struct {
    const char *pre, *rep, *post;
    size_t n;
} gen_spec;

typedef struct {
    const char *input;
    const char *method;
    const char *path;
    size_t path_len;       /* nonzero: path holds NULs, sent as is */
    const char *header;    /* one more header line (no CRLF), or NULL */
    const char *body;      /* NULL: none */
    size_t body_len;       /* nonzero: body holds NULs, sent as is */
    int status;
    /* A text the problem's detail holds (module answers only). */
    const char *names;
    /* Decided by httpd before the module's handler (still a problem
     * document: src/httpd/errors.c), so its detail is httpd's. */
    int by_httpd;
    gen_spec x;            /* {X} */
    /* The body sent chunked (body is then the chunked framing itself). */
    int chunked;
    /* Content-Length this large, the body shorter: "close" after it
     * (shut the write side down), or "hold" the connection open while
     * the server is checked, then close. */
    const char *content_length;
    int hold;              /* 2: keep it open, wait for the answer */
    /* No Authorization header. */
    int anonymous;
    /* {X} is rep n times, a 1, then as many closings (] or }), then the
     * closing of pre's object. */
    int deep;
    /* Nonzero: header holds a NUL, sent as is. */
    size_t header_len;
} edge_case;

#define MiB (1024 * 1024)
#define TASK "/api/tasks/{ID}"

/* Every string field of a task body and of the account bodies, with one
 * bad byte sequence in it: jansson refuses invalid UTF-8 while parsing,
 * so each is the module's 400 "invalid UTF-8". */
#define BAD(bytes, what) \
    { "title " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"a" bytes "b\"}", 0, 400, "invalid UTF-8" }, \
    { "description " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"t\",\"description\":\"" bytes "\"}", 0, 400, "invalid UTF-8" }, \
    { "tags element " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"t\",\"tags\":[\"ok\",\"" bytes "\"]}", 0, 400, "invalid UTF-8" }, \
    { "priority " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"t\",\"priority\":\"high" bytes "\"}", 0, 400, "invalid UTF-8" }, \
    { "due_at " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"t\",\"due_at\":\"2030-01-01T00:00:00Z" bytes "\"}", 0, 400, \
      "invalid UTF-8" }, \
    { "a member name " what, "POST", "/api/tasks", 0, NULL, \
      "{\"title\":\"t\",\"" bytes "\":1}", 0, 400, "invalid UTF-8" }, \
    { "title " what " (PUT)", "PUT", TASK, 0, NULL, \
      "{\"title\":\"" bytes "\"}", 0, 400, "invalid UTF-8" }, \
    { "tags element " what " (PATCH)", "PATCH", TASK, 0, NULL, \
      "{\"tags\":[\"" bytes "\"]}", 0, 400, "invalid UTF-8" }, \
    { "description " what " (PATCH)", "PATCH", TASK, 0, NULL, \
      "{\"description\":\"" bytes "\"}", 0, 400, "invalid UTF-8" }, \
    { "a member " what " (complete)", "PATCH", TASK "/complete", 0, NULL, \
      "{\"completed\":true,\"note\":\"" bytes "\"}", 0, 400, "invalid UTF-8" }, \
    { "signup email " what, "POST", "/api/auth/signup", 0, NULL, \
      "{\"email\":\"e" bytes "@example.org\",\"password\":\"long enough!\"}", 0, \
      400, "invalid UTF-8", .anonymous = 1 }, \
    { "signup password " what, "POST", "/api/auth/signup", 0, NULL, \
      "{\"email\":\"edges@example.org\",\"password\":\"long enough" bytes "\"}", \
      0, 400, "invalid UTF-8", .anonymous = 1 }, \
    { "signup name " what, "POST", "/api/auth/signup", 0, NULL, \
      "{\"email\":\"edges@example.org\",\"password\":\"long enough!\"," \
      "\"name\":\"" bytes "\"}", 0, 400, "invalid UTF-8", .anonymous = 1 }, \
    { "login email " what, "POST", "/api/auth/login", 0, NULL, \
      "{\"email\":\"" bytes "\",\"password\":\"long enough!\"}", 0, 400, \
      "invalid UTF-8", .anonymous = 1 }, \
    { "login password " what, "POST", "/api/auth/login", 0, NULL, \
      "{\"email\":\"edges@example.org\",\"password\":\"" bytes "\"}", 0, 400, \
      "invalid UTF-8", .anonymous = 1 }

/* The same bytes percent-encoded in each text query parameter. */
#define BAD_QUERY(enc, what, st, says) \
    { "q " what, "GET", "/api/tasks?q=a" enc, 0, NULL, NULL, 0, st, says }, \
    { "tag " what, "GET", "/api/tasks?tag=" enc, 0, NULL, NULL, 0, st, says }, \
    { "status " what, "GET", "/api/tasks?status=" enc, 0, NULL, NULL, 0, 400, "status" }, \
    { "cursor " what, "GET", "/api/tasks?cursor=" enc, 0, NULL, NULL, 0, 400, "cursor" }, \
    { "due_before " what, "GET", "/api/tasks?due_before=" enc, 0, NULL, NULL, 0, \
      400, "due_before" }, \
    { "a parameter name " what, "GET", "/api/tasks?" enc "=1", 0, NULL, NULL, 0, \
      400, NULL }

/* NUL in a body, raw: at the start, inside a string, after the object. */
#define NUL_BODY(where, bytes) \
    { "NUL byte " where " (POST)", "POST", "/api/tasks", 0, NULL, bytes, \
      sizeof(bytes) - 1, 400, "NUL byte" }, \
    { "NUL byte " where " (PUT)", "PUT", TASK, 0, NULL, bytes, sizeof(bytes) - 1, \
      400, "NUL byte" }, \
    { "NUL byte " where " (PATCH)", "PATCH", TASK, 0, NULL, bytes, \
      sizeof(bytes) - 1, 400, "NUL byte" }, \
    { "NUL byte " where " (signup)", "POST", "/api/auth/signup", 0, NULL, bytes, \
      sizeof(bytes) - 1, 400, "NUL byte", .anonymous = 1 }, \
    { "NUL byte " where " (login)", "POST", "/api/auth/login", 0, NULL, bytes, \
      sizeof(bytes) - 1, 400, "NUL byte", .anonymous = 1 }

#define NUL_PATH(p) { "raw NUL in the path " p, "GET", p, sizeof(p) - 1, NULL, \
                      NULL, 0, 400, NULL, 1 }

#define DEEP(route_method, route, pre, rep, post) \
    { "10,000 nested " rep " (" route_method " " route ")", route_method, route, \
      0, NULL, "{X}", 0, 400, "nesting too deep", 0, { pre, rep, post, 10000 }, \
      .deep = 1 }

/* A chunk of 4 KiB ("1000" in hex) of 'a's, framed. */
#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A512 A64 A64 A64 A64 A64 A64 A64 A64
#define CHUNK_4K "1000\r\n" A512 A512 A512 A512 A512 A512 A512 A512 "\r\n"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const edge_case cases[] = {
    /* Invalid UTF-8 and overlong encodings in every string field. */
    BAD("\xff", "\\xff"),
    BAD("\x80", "a lone continuation byte"),
    BAD("\xc3", "a truncated 2-byte sequence"),
    BAD("\xe2\x82", "a truncated 3-byte sequence"),
    BAD("\xf0\x9f\x98", "a truncated 4-byte sequence"),
    BAD("\xc0\xaf", "overlong '/' (\\xc0\\xaf)"),
    BAD("\xe0\x80\xaf", "overlong 3-byte '/'"),
    BAD("\xed\xa0\x80", "a surrogate (\\xed\\xa0\\x80)"),
    BAD("\xf4\x90\x80\x80", "beyond U+10FFFF"),
    /* \u escapes decode to code points, never bytes: a lone surrogate is
     * refused, NUL too. */
    { "title \\ud800 (lone surrogate escape)", "POST", "/api/tasks", 0, NULL,
      "{\"title\":\"\\ud800\"}", 0, 400, "malformed JSON" },
    { "title \\u0000", "POST", "/api/tasks", 0, NULL,
      "{\"title\":\"a\\u0000b\"}", 0, 400, "\\u0000 is not allowed" },
    { "signup email \\u0000", "POST", "/api/auth/signup", 0, NULL,
      "{\"email\":\"e\\u0000@example.org\",\"password\":\"long enough!\"}", 0,
      400, "\\u0000 is not allowed", .anonymous = 1 },
    /* The same bytes in the query. */
    BAD_QUERY("%ff", "%ff", 400, "q"),
    BAD_QUERY("%c0%af", "overlong %c0%af", 400, "q"),
    BAD_QUERY("%ed%a0%80", "surrogate %ed%a0%80", 400, "q"),
    BAD_QUERY("%00", "%00", 400, "q"),

    /* NUL bytes in bodies. */
    NUL_BODY("first", "\0{\"title\":\"t\"}"),
    NUL_BODY("in a string", "{\"title\":\"a\0b\"}"),
    NUL_BODY("after the object", "{\"title\":\"t\"}\0"),
    { "NUL byte (complete)", "PATCH", TASK "/complete", 0, NULL,
      "{\"completed\":true}\0", sizeof("{\"completed\":true}\0") - 1, 400,
      "NUL byte" },
    /* NUL in paths: %00 is refused by httpd's own unescaping (404, as for
     * %2F); a raw NUL in the request line is not HTTP (400). httpd decides
     * these, the module's filter (src/httpd/errors.c) words them. */
    { "%2F in a task id", "GET", "/api/tasks/1%2F2", 0, NULL, NULL, 0, 404,
      NULL, 1 },
    { "%2F in the API's first segment", "POST", "/api/auth%2Flogin", 0, NULL,
      "{\"email\":\"a@b.c\",\"password\":\"x\"}", 0, 404, NULL, 1,
      .anonymous = 1 },
    /* TRACE would echo the request, Authorization included: TraceEnable
     * Off (conf/tasks.conf), httpd's 405 as a problem document. */
    { "TRACE of a task", "TRACE", TASK, 0, NULL, NULL, 0, 405, NULL, 1 },
    { "TRACE of health", "TRACE", "/api/health", 0, NULL, NULL, 0, 405, NULL,
      1, .anonymous = 1 },
    { "%00 in a task id", "GET", "/api/tasks/1%00", 0, NULL, NULL, 0, 404,
      NULL, 1 },
    { "%00 after the task id (PUT)", "PUT", "/api/tasks/{ID}%00", 0, NULL,
      "{\"title\":\"t\"}", 0, 404, NULL, 1 },
    { "%00 in complete", "PATCH", "/api/tasks/{ID}/complete%00", 0, NULL,
      NULL, 0, 404, NULL, 1 },
    { "%00 in the user id", "GET", "/api/%00/tasks", 0, NULL, NULL, 0, 404,
      NULL, 1 },
    { "%00 in auth", "POST", "/api/auth/login%00", 0, NULL,
      "{\"email\":\"a@b.c\",\"password\":\"x\"}", 0, 404, NULL, 1,
      .anonymous = 1 },
    NUL_PATH("/api/tasks/1\0"),
    NUL_PATH("/api/tasks\0/1"),
    NUL_PATH("/api/health\0"),
    { "raw NUL in a header value", "GET", "/api/tasks", 0,
      "X-Nul: a\0b", NULL, 0, 400, NULL, 1, .header_len = 10 },

    /* Deep nesting: jansson stops at 2048 levels. */
    DEEP("POST", "/api/tasks", "", "[", ""),
    DEEP("POST", "/api/tasks", "", "{\"a\":", ""),
    DEEP("POST", "/api/tasks", "{\"title\":\"t\",\"tags\":", "[", ""),
    DEEP("POST", "/api/tasks", "{\"title\":\"t\",\"x\":", "{\"a\":", ""),
    DEEP("PUT", TASK, "{\"title\":\"t\",\"description\":", "[", ""),
    DEEP("PATCH", TASK, "{\"tags\":", "[", ""),
    DEEP("PATCH", TASK "/complete", "{\"completed\":", "[", ""),
    DEEP("POST", "/api/auth/signup", "{\"email\":", "[", ""),
    DEEP("POST", "/api/auth/login", "{\"password\":", "{\"a\":", ""),
    /* 2047 levels inside the body's object still parse: the member is
     * just not of its type. */
    { "2046 nested arrays in tags", "POST", "/api/tasks", 0, NULL, "{X}", 0,
      422, "tags", 0, { "{\"title\":\"t\",\"tags\":", "[", "", 2046 }, .deep = 1 },

    /* A JSON number of 10,000 digits. */
    { "priority of 10,000 digits", "POST", "/api/tasks", 0, NULL, "{X}", 0,
      400, "number out of range", 0, { "{\"title\":\"t\",\"priority\":", "9", "}", 10000 } },
    { "an unknown member of 10,000 digits", "POST", "/api/tasks", 0, NULL,
      "{X}", 0, 400, "number out of range", 0, { "{\"title\":\"t\",\"n\":", "9", "}", 10000 } },
    { "completed of 10,000 digits", "PATCH", TASK "/complete", 0, NULL, "{X}",
      0, 400, "number out of range", 0, { "{\"completed\":", "9", "}", 10000 } },
    { "title of 10,000 digits (PUT)", "PUT", TASK, 0, NULL, "{X}", 0, 400,
      "number out of range", 0, { "{\"title\":-", "9", "}", 10000 } },
    { "due_at 1e+10,000 digits (PATCH)", "PATCH", TASK, 0, NULL, "{X}", 0,
      400, "number out of range", 0, { "{\"due_at\":1e", "9", "}", 10000 } },
    { "signup name of 10,000 digits", "POST", "/api/auth/signup", 0, NULL,
      "{X}", 0, 400, "number out of range", 0,
      { "{\"email\":\"edges@example.org\",\"password\":\"long enough!\",\"name\":",
        "9", "}", 10000 }, .anonymous = 1 },
    /* 10,000 digits that are a double: parsed, then not a priority. */
    { "priority 0.(10,000 digits)", "POST", "/api/tasks", 0, NULL, "{X}", 0,
      422, "priority", 0, { "{\"title\":\"t\",\"priority\":0.", "1", "}", 10000 } },

    /* 10,000 query parameters: at least 20,000 bytes of request line,
     * over httpd's LimitRequestLine (8190): httpd's 414. */
    { "10,000 tag parameters", "GET", "/api/tasks?{X}", 0, NULL, NULL, 0, 414,
      NULL, 1, { "", "tag=a&", "tag=a", 9999 } },
    { "10,000 empty parameters", "GET", "/api/tasks?{X}", 0, NULL, NULL, 0, 414,
      NULL, 1, { "", "&", "", 10000 } },
    { "10,000 parameters (clear completed)", "DELETE", "/api/tasks?{X}", 0,
      NULL, NULL, 0, 414, NULL, 1, { "", "status=completed&", "", 10000 } },
    /* As many as fit in the line reach the module. */
    { "1,300 tag parameters", "GET", "/api/tasks?{X}", 0, NULL, NULL, 0, 200,
      NULL, 0, { "", "tag=a&", "tag=a", 1299 } },
    { "2,700 unknown parameters", "GET", "/api/tasks?{X}", 0, NULL, NULL, 0,
      400, "x", 0, { "", "x&", "x", 2699 } },
    { "1,000 limit parameters", "GET", "/api/tasks?{X}", 0, NULL, NULL, 0, 400,
      "limit", 0, { "", "limit=1&", "limit=1", 999 } },

    /* 1 MiB headers: over LimitRequestFieldSize (16384 in tasks.conf). */
    { "a 1 MiB header", "GET", "/api/tasks", 0, "X-Big: {X}", NULL, 0, 400,
      NULL, 1, { "", "a", "", MiB } },
    { "a 1 MiB Authorization header", "GET", "/api/tasks", 0,
      "Authorization: Bearer {X}", NULL, 0, 400, NULL, 1, { "", "a", "", MiB },
      .anonymous = 1 },
    { "a 1 MiB Cookie header", "GET", "/api/auth/me", 0, "Cookie: tasks_session={X}",
      NULL, 0, 400, NULL, 1, { "", "a", "", MiB }, .anonymous = 1 },
    { "a 1 MiB header (signup)", "POST", "/api/auth/signup", 0,
      "X-Pad: {X}", "{\"email\":\"a@b.c\"}", 0, 400, NULL, 1,
      { "", "a", "", MiB }, .anonymous = 1 },
    { "200 header lines (over LimitRequestFields 100)", "GET", "/api/tasks", 0,
      "{X}X-Last: 1", NULL, 0, 400, NULL, 1,
      { "", "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", "", 200 } },
    /* Under the field limit: the module's own answer. */
    { "a 16,000-byte bearer token", "GET", "/api/tasks", 0,
      "Authorization: Bearer {X}", NULL, 0, 401, "token", 0,
      { "", "a", "", 16000 }, .anonymous = 1 },

    /* An Expect that httpd cannot meet: its 417, a problem document. */
    { "Expect: 200-ok (POST)", "POST", "/api/tasks", 0, "Expect: 200-ok",
      "{\"title\":\"t\"}", 0, 417, NULL, 1 },

    /* A Content-Length larger than the body, the client then done. */
    { "Content-Length 100, 13 bytes, then EOF (POST)", "POST", "/api/tasks",
      0, NULL, "{\"title\":\"t\"}", 0, 400, NULL, 0, .content_length = "100" },
    { "Content-Length 65536, 13 bytes, then EOF (PUT)", "PUT", TASK, 0, NULL,
      "{\"title\":\"t\"}", 0, 400, NULL, 0, .content_length = "65536" },
    { "Content-Length 50, 20 bytes, then EOF (signup)", "POST",
      "/api/auth/signup", 0, NULL, "{\"email\":\"a@b.c\",\"p", 0, 400, NULL, 0,
      .content_length = "50", .anonymous = 1 },
    /* ... and one that keeps its connection open: the others are served
     * meanwhile; closing it frees its worker. */
    { "Content-Length 100, 13 bytes, held open (PATCH)", "PATCH", TASK, 0,
      NULL, "{\"title\":\"t\"}", 0, 0, NULL, 0, .content_length = "100",
      .hold = 1 },

    /* ... and one that waits: RequestReadTimeout body=3 (run.sh) ends it
     * with the module's 408 (without mod_reqtimeout: httpd's Timeout). */
    { "Content-Length 100, 13 bytes, then nothing (POST)", "POST",
      "/api/tasks", 0, NULL, "{\"title\":\"t\"}", 0, 408,
      "did not arrive in time", 0, .content_length = "100", .hold = 2 },
    { "chunked, one chunk of 13, then nothing (PUT)", "PUT", TASK, 0, NULL,
      "d\r\n{\"title\":\"t\"}\r\n", 0, 408, "did not arrive in time", 0,
      .chunked = 1, .hold = 2 },

    /* Chunked bodies over TasksMaxBodySize (64 KiB): refused while read. */
    { "17 chunks of 4 KiB (POST)", "POST", "/api/tasks", 0, NULL, "{X}0\r\n\r\n",
      0, 413, NULL, 0, { "", CHUNK_4K, "", 17 }, 1 },
    { "17 chunks of 4 KiB (PUT)", "PUT", TASK, 0, NULL, "{X}0\r\n\r\n",
      0, 413, NULL, 0, { "", CHUNK_4K, "", 17 }, 1 },
    { "17 chunks of 4 KiB (complete)", "PATCH", TASK "/complete", 0, NULL,
      "{X}0\r\n\r\n", 0, 413, NULL, 0, { "", CHUNK_4K, "", 17 }, 1 },
    { "17 chunks of 4 KiB (signup)", "POST", "/api/auth/signup", 0, NULL,
      "{X}0\r\n\r\n", 0, 413, NULL, 0, { "", CHUNK_4K, "", 17 }, 1,
      .anonymous = 1 },
    /* A chunk size httpd cannot hold is its own 413, sent by its input
     * filter before the module sees a byte (the module then answers
     * nothing more). */
    { "one chunk declared 2^64-1 bytes", "POST", "/api/tasks", 0, NULL,
      "ffffffffffffffff\r\n{\"title\":\"t\"}", 0, 413, NULL, 1, .chunked = 1 },
    { "a chunk size of 10,000 hex digits", "POST", "/api/tasks", 0, NULL,
      "{X}\r\n{\"title\":\"t\"}\r\n0\r\n\r\n", 0, 413, NULL, 1,
      { "1", "0", "", 9999 }, 1 },
    /* Leading zeros are only zeros: a valid 13-byte chunk. */
    { "a chunk size of 9,999 zeros and a d", "POST", "/api/tasks", 0, NULL,
      "{X}\r\n{\"title\":\"t\"}\r\n0\r\n\r\n", 0, 201, NULL, 0,
      { "", "0", "d", 9999 }, 1 },
    { "a chunked body cut short, then EOF", "POST", "/api/tasks", 0, NULL,
      "100\r\n{\"title\":\"t\"}", 0, 400, NULL, 0, .chunked = 1 },
};
#pragma GCC diagnostic pop

#define NCASES ((int)(sizeof(cases) / sizeof(*cases)))

static char *tok, *uid, *task_path;
static long long task_id;

static void make_fixture(void)
{
    tok = make_user("edges", &uid);
    task_id = make_task(tok, "{\"title\":\"the edge task\"}");
    task_path = fmt("/api/tasks/%lld", task_id);
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
    size_t off = 0;

    while ((at = strstr(s + off, key))) {
        out = fmt("%.*s%s%s", (int)(at - s), s, value, at + strlen(key));
        off = (size_t)(at - s) + strlen(value);
        free(s);
        s = out;
    }
    return s;
}

static char *generated(const gen_spec *g)
{
    size_t rl = g->rep ? strlen(g->rep) : 0, pl = g->pre ? strlen(g->pre) : 0;
    size_t ql = g->post ? strlen(g->post) : 0, i;
    size_t len = pl + rl * g->n + ql;
    char *s = malloc(len + 1), *at = s;

    memcpy(at, g->pre ? g->pre : "", pl);
    at += pl;
    for (i = 0; i < g->n; i++, at += rl)
        memcpy(at, g->rep, rl);
    memcpy(at, g->post ? g->post : "", ql);
    s[len] = '\0';
    return s;
}

/* A deep row's {X}: the opening repeated, a value, then the closings. */
static char *deep_body(const gen_spec *g)
{
    const char *close = strchr(g->rep, '[') ? "]" : "}";
    size_t pl = strlen(g->pre), rl = strlen(g->rep), i;
    int outer = g->pre[0] == '{';
    size_t len = pl + rl * g->n + 1 + g->n + (size_t)outer;
    char *s = malloc(len + 1), *at = s;

    memcpy(at, g->pre, pl);
    at += pl;
    for (i = 0; i < g->n; i++, at += rl)
        memcpy(at, g->rep, rl);
    *at++ = '1';
    for (i = 0; i < g->n; i++)
        *at++ = close[0];
    if (outer)
        *at++ = '}';
    *at = '\0';
    return s;
}

static char *expand(const char *t, const char *x)
{
    char *s, id[32];

    if (!t)
        return NULL;
    s = strdup(t);
    snprintf(id, sizeof(id), "%lld", task_id);
    if (x)
        s = replace(s, "{X}", x);
    s = replace(s, "{ID}", id);
    return replace(s, "{UID}", uid);
}

static int connect_server(void)
{
    char host[64];
    int port = 0, fd;
    struct sockaddr_in sa;
    struct timeval tv = { 10, 0 };

    ck_assert_int_eq(sscanf(base_url(), "http://%63[^:]:%d", host, &port), 2);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    ck_assert_int_eq(inet_pton(AF_INET, host, &sa.sin_addr), 1);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* Send len bytes; a server that refuses early may stop reading, so a
 * failed write is not a failure (the answer is what counts). */
static void send_all(int fd, const char *d, size_t len)
{
    while (len) {
        ssize_t n = send(fd, d, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        d += n;
        len -= (size_t)n;
    }
}

/* Read the answer until the server closes (or 10 s pass). */
static char *receive(int fd, size_t *out_len)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t n;

    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out_len = len;
    return buf;
}


/* The access log's last line: the status httpd logged for the row's
 * request (written before its connection closed). */
static void assert_logged(const char *input, long status)
{
    char *path = fmt("%s/access.log", getenv("STACK_DIR"));
    char *log = read_text(path), *last, *want = fmt("\" %ld ", status);
    size_t n;

    ck_assert_ptr_nonnull(log);
    n = strlen(log);
    while (n && log[n - 1] == '\n')
        log[--n] = '\0';
    last = strrchr(log, '\n');
    last = last ? last + 1 : log;
    ck_assert_msg(strstr(last, want) != NULL,
                  "%s: answered %ld, the access log says: %.300s", input,
                  status, last);
    free(want);
    free(log);
    free(path);
}

/* Health is ok and the fixture task reads back, each within a second: no
 * worker is stuck, no database session broken. */
static void assert_still_serving(const char *input)
{
    http_resp *r = http("GET", "/api/health", NULL, NULL);

    ck_assert_msg(r->status == 200, "%s: health afterwards %ld: %s", input,
                  r->status, r->body);
    ck_assert_msg(r->seconds < 1.0, "%s: health took %.2f s", input, r->seconds);
    http_free(r);
    r = http_auth("GET", task_path, tok, NULL);
    ck_assert_msg(r->status == 200, "%s: the task afterwards %ld: %s", input,
                  r->status, r->body);
    ck_assert_msg(r->seconds < 1.0, "%s: the task took %.2f s", input,
                  r->seconds);
    http_free(r);
}

START_TEST(every_hostile_input_gets_its_exact_4xx_and_the_server_goes_on)
{
    const edge_case *c = &cases[_i];
    char *x = c->x.n ? (c->deep ? deep_body(&c->x) : generated(&c->x)) : NULL;
    char *path = c->path_len ? NULL : expand(c->path, x);
    char *header = c->header_len ? NULL : expand(c->header, x);
    char *body = c->body_len ? NULL : expand(c->body, x);
    const char *bp = c->body_len ? c->body : body;
    size_t blen = c->body_len ? c->body_len : body ? strlen(body) : 0;
    char *auth = c->anonymous ? strdup("")
                              : fmt("Authorization: Bearer %s\r\n", tok);
    char *cl = c->content_length ? fmt("Content-Length: %s\r\n", c->content_length)
             : c->chunked ? strdup("Transfer-Encoding: chunked\r\n")
             : bp ? fmt("Content-Length: %zu\r\n", blen) : strdup("");
    char *head_a = fmt("%s ", c->method);
    char *head_b = fmt(" HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
                       "Connection: close\r\n",
                       auth, bp ? "Content-Type: application/json\r\n" : "", cl);
    char *resp, *detail_at, *ct;
    size_t rlen, hlen = c->header_len;
    long status = -1;
    double t0 = monotonic_seconds(), took;
    int fd = connect_server();

    send_all(fd, head_a, strlen(head_a));
    if (c->path_len)
        send_all(fd, c->path, c->path_len);
    else
        send_all(fd, path, strlen(path));
    send_all(fd, head_b, strlen(head_b));
    if (header) {
        send_all(fd, header, strlen(header));
        send_all(fd, "\r\n", 2);
    }
    else if (hlen) {
        send_all(fd, c->header, hlen);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "\r\n", 2);
    if (bp)
        send_all(fd, bp, blen);
    if (c->hold == 1) {
        /* The request waits for the rest of its body in a worker; the
         * server answers everyone else at once meanwhile. */
        usleep(200000);
        assert_still_serving(c->input);
        close(fd);
        fd = -1;
        resp = strdup("");
        rlen = 0;
    }
    else {
        /* The client is done: what it has not sent will never come. */
        if ((c->content_length || c->chunked) && !c->hold)
            shutdown(fd, SHUT_WR);
        resp = receive(fd, &rlen);
    }
    took = monotonic_seconds() - t0;
    if (fd >= 0)
        close(fd);
    if (rlen)
        exchange_record_raw(c->method, c->path_len ? c->path : path,
                            c->path_len ? c->path_len : strlen(path),
                            c->chunked ? NULL : bp, blen, resp, rlen);
    if (rlen > 12 && !strncmp(resp, "HTTP/1.1 ", 9))
        status = strtol(resp + 9, NULL, 10);
    if (c->hold != 1) {
        ck_assert_msg(status == c->status, "%s: %s -> %ld%s, want %d: %.600s",
                      c->input, c->method, status,
                      status >= 500 ? " (a 5xx, never the answer)" : "",
                      c->status, resp);
        ck_assert_msg(took < (c->hold ? 8.0 : 5.0), "%s: the answer took "
                      "%.2f s", c->input, took);
        if (c->hold)
            ck_assert_msg(took > 2.5, "%s: the answer came after %.2f s, "
                          "before RequestReadTimeout's 3", c->input, took);
        assert_logged(c->input, status);
        /* One answer, not httpd's and then the module's. */
        ck_assert_msg(!strstr(resp + 9, "HTTP/1.1 "), "%s: two answers: %s",
                      c->input, resp);
        {
            ct = strcasestr(resp, "\r\nContent-Type: ");
            ck_assert_msg(ct && !strncmp(ct + 16, "application/", 12)
                          && strstr(resp, "json"), "%s: not JSON: %.600s",
                          c->input, resp);
            if (status >= 400) {
                ck_assert_msg(!strncmp(ct + 16, "application/problem+json", 24),
                              "%s: not problem+json: %.600s", c->input, resp);
                ck_assert_msg((detail_at = strstr(resp, "\"detail\":")) != NULL,
                              "%s: no detail: %.600s", c->input, resp);
                if (status == 408)
                    ck_assert_msg(strstr(resp, "\"title\":\"Request Timeout\"")
                                  && strcasestr(resp, "\r\nConnection: close"),
                                  "%s: %.600s", c->input, resp);
                if (c->names && !c->by_httpd)
                    ck_assert_msg(strstr(detail_at, c->names) != NULL
                                  || (strstr(c->names, "\\u0000")
                                      && strstr(detail_at, "\\\\u0000")),
                                  "%s: the detail does not name '%s': %.600s",
                                  c->input, c->names, detail_at);
            }
        }
    }
    assert_still_serving(c->input);

    free(resp);
    free(head_a);
    free(head_b);
    free(cl);
    free(auth);
    free(body);
    free(header);
    free(path);
    free(x);
}
END_TEST

Suite *edges_suite(void)
{
    Suite *s = suite_create("edges");
    TCase *tc = tcase_create("hostile input");

    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, make_fixture, free_fixture);
    tcase_add_loop_test(tc, every_hostile_input_gets_its_exact_4xx_and_the_server_goes_on,
                        0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}
