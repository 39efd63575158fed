/* test_list_query.c - list query parsing, fingerprints, cursors, next links. */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/list_query.h"
#include "tasks/core/b64url.h"
#include "tasks/core/validate.h"

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
#define KEY_LEN (sizeof(key) - 1)

/* Parses args, which must succeed. */
static tasks_list_query parse_ok(const char *args)
{
    tasks_list_query q;
    const char *bad = tasks_list_query_parse(test_pool, args, &q);

    ck_assert_msg(bad == NULL, "%s: rejected as %s", args ? args : "(null)",
                  bad ? bad : "");
    return q;
}

/* Parses args, which must fail naming want. */
static void parse_bad(const char *args, const char *want)
{
    tasks_list_query q;
    const char *bad = tasks_list_query_parse(test_pool, args, &q);

    ck_assert_msg(bad != NULL, "%s: accepted", args);
    ck_assert_msg(strcmp(bad, want) == 0, "%s: named %s, want %s", args, bad,
                  want);
}

/* A ring of the raw key k alone (kid derived, not prepared). */
static const tasks_keyring *ring_of(const unsigned char *k)
{
    tasks_keyring *r = apr_pcalloc(test_pool, sizeof(*r));

    r->keys[0].secret = k;
    r->keys[0].len = KEY_LEN;
    r->n = 1;
    return r;
}

/* A cursor signed as builds before key rotation did (no kid), over any
 * payload text. */
static const char *sign(const char *json, const unsigned char *k,
                        apr_size_t klen)
{
    const char *payload = tasks_b64url_encode(test_pool,
        (const unsigned char *)json, strlen(json));
    const char *data = apr_pstrcat(test_pool, "tasks-cursor:", payload, NULL);
    unsigned char md[32];
    unsigned int md_len;

    HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)data,
         strlen(data), md, &md_len);
    return apr_pstrcat(test_pool, payload, ".",
                       tasks_b64url_encode(test_pool, md, md_len), NULL);
}

/* A cursor signed as tasks_cursor_encode signs (kid "." payload "." MAC
 * over "tasks-cursor:" kid "." payload), over any payload text. */
static const char *sign_kid(const char *json, const char *kid,
                            const unsigned char *k, apr_size_t klen)
{
    const char *payload = tasks_b64url_encode(test_pool,
        (const unsigned char *)json, strlen(json));
    const char *data = apr_pstrcat(test_pool, "tasks-cursor:", kid, ".",
                                   payload, NULL);
    unsigned char md[32];
    unsigned int md_len;

    HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)data,
         strlen(data), md, &md_len);
    return apr_pstrcat(test_pool, kid, ".", payload, ".",
                       tasks_b64url_encode(test_pool, md, md_len), NULL);
}

START_TEST(defaults)
{
    tasks_list_query q = parse_ok(NULL);

    ck_assert_int_eq(q.status, TASKS_STATUS_ALL);
    ck_assert_ptr_null(q.q);
    ck_assert_ptr_null(q.q_like);
    ck_assert_int_eq(q.priority, -1);
    ck_assert_ptr_null(q.tags_json);
    ck_assert_ptr_null(q.due_before);
    ck_assert_ptr_null(q.due_after);
    ck_assert_int_eq(q.sort, TASKS_SORT_CREATED_AT);
    ck_assert_int_eq(q.desc, 1);
    ck_assert_int_eq(q.limit, TASKS_LIST_DEFAULT_LIMIT);
    ck_assert_ptr_null(q.cursor);
    q = parse_ok("");
    ck_assert_int_eq(q.limit, 100);
    /* Empty pieces are skipped. */
    q = parse_ok("&&status=pending&");
    ck_assert_int_eq(q.status, TASKS_STATUS_PENDING);
}
END_TEST

START_TEST(status_param)
{
    ck_assert_int_eq(parse_ok("status=all").status, TASKS_STATUS_ALL);
    ck_assert_int_eq(parse_ok("status=pending").status, TASKS_STATUS_PENDING);
    ck_assert_int_eq(parse_ok("status=completed").status,
                     TASKS_STATUS_COMPLETED);
    parse_bad("status=done", "status");
    parse_bad("status=", "status");
    parse_bad("status", "status");
    parse_bad("status=Pending", "status");
}
END_TEST

START_TEST(q_param)
{
    tasks_list_query q = parse_ok("q=buy+milk");
    char big[260];

    ck_assert_str_eq(q.q, "buy milk");
    ck_assert_str_eq(q.q_like, "%buy milk%");
    q = parse_ok("q=100%25_off%5C");
    ck_assert_str_eq(q.q, "100%_off\\");
    ck_assert_str_eq(q.q_like, "%100\\%\\_off\\\\%");
    q = parse_ok("q=%C3%A9t%C3%A9");
    ck_assert_str_eq(q.q, "\xc3\xa9t\xc3\xa9");
    parse_bad("q=", "q");
    /* 200 code points pass, 201 do not; counted as characters, not bytes. */
    memset(big, 0, sizeof(big));
    strcpy(big, "q=");
    memset(big + 2, 'a', 200);
    parse_ok(big);
    big[202] = 'a';
    parse_bad(big, "q");
    {
        char *s = apr_pstrdup(test_pool, "q=");
        int i;

        for (i = 0; i < 200; i++)
            s = apr_pstrcat(test_pool, s, "%C3%A9", NULL);
        ck_assert_int_eq(tasks_utf8_length(parse_ok(s).q, 400), 200);
        parse_bad(apr_pstrcat(test_pool, s, "x", NULL), "q");
    }
}
END_TEST

START_TEST(priority_param)
{
    ck_assert_int_eq(parse_ok("priority=none").priority, TASKS_PRIORITY_NONE);
    ck_assert_int_eq(parse_ok("priority=low").priority, TASKS_PRIORITY_LOW);
    ck_assert_int_eq(parse_ok("priority=medium").priority,
                     TASKS_PRIORITY_MEDIUM);
    ck_assert_int_eq(parse_ok("priority=high").priority, TASKS_PRIORITY_HIGH);
    parse_bad("priority=urgent", "priority");
    parse_bad("priority=", "priority");
    parse_bad("priority=HIGH", "priority");
}
END_TEST

START_TEST(tag_param)
{
    tasks_list_query q = parse_ok("tag=work&tag=home&tag=work");
    char *s;
    int i;

    /* Duplicates folded, sorted, compact JSON. */
    ck_assert_str_eq(q.tags_json, "[\"home\",\"work\"]");
    q = parse_ok("tag=a%22b%5C");
    ck_assert_str_eq(q.tags_json, "[\"a\\\"b\\\\\"]");
    q = parse_ok("tag=%E6%97%A5");
    ck_assert_str_eq(q.tags_json, "[\"\xe6\x97\xa5\"]");
    parse_bad("tag=", "tag");
    parse_bad("tag=ok&tag=", "tag");
    /* 50 characters pass, 51 do not. */
    s = apr_pstrcat(test_pool, "tag=", apr_pstrndup(test_pool,
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        50), NULL);
    parse_ok(s);
    parse_bad(apr_pstrcat(test_pool, s, "x", NULL), "tag");
    /* 20 distinct tags pass (with duplicates), a 21st does not. */
    s = "";
    for (i = 0; i < 20; i++)
        s = apr_psprintf(test_pool, "%stag=t%d&tag=t%d&", s, i, i);
    q = parse_ok(s);
    ck_assert_ptr_nonnull(strstr(q.tags_json, "\"t19\""));
    parse_bad(apr_pstrcat(test_pool, s, "tag=t20", NULL), "tag");
}
END_TEST

START_TEST(due_params)
{
    tasks_list_query q =
        parse_ok("due_before=2026-11-25T21%3A00%3A00%2B01%3A00"
                 "&due_after=2026-01-01T00:00:00Z");

    ck_assert_str_eq(q.due_before, "2026-11-25T20:00:00.000000Z");
    ck_assert_str_eq(q.due_after, "2026-01-01T00:00:00.000000Z");
    /* An unencoded '+' is a space, so the offset is lost: refused. */
    parse_bad("due_before=2026-11-25T21:00:00+01:00", "due_before");
    parse_bad("due_before=2026-11-25", "due_before");
    parse_bad("due_after=2026-02-30T00:00:00Z", "due_after");
    parse_bad("due_after=", "due_after");
}
END_TEST

/* A list's id as a task's: canonical digits, 1 .. 2^63-1. */
START_TEST(list_id_param)
{
    ck_assert_str_eq(parse_ok("list_id=7").list_id, "7");
    ck_assert_str_eq(parse_ok("list_id=9223372036854775807").list_id,
                     "9223372036854775807");
    ck_assert_ptr_null(parse_ok("status=all").list_id);
    parse_bad("list_id=0", "list_id");
    parse_bad("list_id=-1", "list_id");
    parse_bad("list_id=07", "list_id");
    parse_bad("list_id=9223372036854775808", "list_id");
    parse_bad("list_id=inbox", "list_id");
    parse_bad("list_id=", "list_id");
    parse_bad("list_id=1&list_id=2", "list_id");
}
END_TEST

START_TEST(sort_order_params)
{
    ck_assert_int_eq(parse_ok("sort=created_at").sort, TASKS_SORT_CREATED_AT);
    ck_assert_int_eq(parse_ok("sort=updated_at").sort, TASKS_SORT_UPDATED_AT);
    ck_assert_int_eq(parse_ok("sort=due_at").sort, TASKS_SORT_DUE_AT);
    ck_assert_int_eq(parse_ok("sort=priority").sort, TASKS_SORT_PRIORITY);
    ck_assert_int_eq(parse_ok("sort=title").sort, TASKS_SORT_TITLE);
    parse_bad("sort=id", "sort");
    parse_bad("sort=", "sort");
    ck_assert_int_eq(parse_ok("order=asc").desc, 0);
    ck_assert_int_eq(parse_ok("order=desc").desc, 1);
    parse_bad("order=up", "order");
    parse_bad("order=", "order");
    ck_assert_str_eq(tasks_sort_name(TASKS_SORT_DUE_AT), "due_at");
    ck_assert_str_eq(tasks_sort_name(TASKS_SORT_TITLE), "title");
    ck_assert_ptr_null(tasks_sort_name(TASKS_SORT_COUNT));
}
END_TEST

START_TEST(limit_cursor_params)
{
    ck_assert_int_eq(parse_ok("limit=1").limit, 1);
    ck_assert_int_eq(parse_ok("limit=1000").limit, 1000);
    ck_assert_int_eq(parse_ok("limit=050").limit, 50);
    parse_bad("limit=0", "limit");
    parse_bad("limit=1001", "limit");
    parse_bad("limit=-1", "limit");
    parse_bad("limit=+5", "limit");
    parse_bad("limit=5x", "limit");
    parse_bad("limit=", "limit");
    parse_bad("limit=99999999999999999999999999", "limit");
    ck_assert_str_eq(parse_ok("cursor=abc.def").cursor, "abc.def");
    ck_assert_str_eq(parse_ok("cursor=abc%2Edef").cursor, "abc.def");
    parse_bad("cursor=", "cursor");
}
END_TEST

START_TEST(unknown_and_repeated)
{
    parse_bad("colour=red", "colour");
    parse_bad("status=all&user_id=x", "user_id");
    parse_bad("Status=all", "Status");
    parse_bad("st%61tus=x", "status"); /* names are decoded too */
    parse_bad("=x", "query");
    parse_bad("status=all&status=all", "status");
    parse_bad("q=a&q=b", "q");
    parse_bad("limit=5&limit=6", "limit");
    parse_bad("sort=title&sort=title", "sort");
    parse_bad("order=asc&order=asc", "order");
    parse_bad("priority=low&priority=low", "priority");
    parse_bad("due_before=2026-01-01T00:00:00Z&due_before=2026-01-01T00:00:00Z",
              "due_before");
    parse_bad("cursor=a&cursor=a", "cursor");
    /* The first bad parameter is the one named. */
    parse_bad("status=bad&sort=bad", "status");
}
END_TEST

START_TEST(percent_encoding)
{
    ck_assert_str_eq(parse_ok("q=a%20b+c").q, "a b c");
    ck_assert_str_eq(parse_ok("q=%2B").q, "+");
    ck_assert_str_eq(parse_ok("q=%e2%82%ac").q, "\xe2\x82\xac");
    parse_bad("q=%zz", "q");
    parse_bad("q=%4", "q");
    parse_bad("q=%", "q");
    parse_bad("q=a%", "q");
    parse_bad("q=%G1", "q");
    parse_bad("q=%00", "q");
    parse_bad("q=%FF", "q");            /* not UTF-8 */
    parse_bad("q=%C0%AF", "q");         /* overlong */
    parse_bad("q=%ED%A0%80", "q");      /* surrogate */
    parse_bad("q=%C3", "q");            /* truncated sequence */
    parse_bad("tag=%FE", "tag");
    parse_bad("q=\xff", "q");           /* raw bytes are checked as well */
    parse_bad("%zz=1", "query");
    parse_bad("%FF=1", "query");
    parse_bad("st%=1", "query");
}
END_TEST

START_TEST(fingerprints)
{
    const char *a = tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("tag=x&tag=y&sort=title") });
    const char *b = tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("sort=title&tag=y&tag=x&tag=y") });
    const char *c = tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("tag=x&tag=y&sort=title&order=asc") });
    const char *d = tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("tag=x&tag=y&sort=title&limit=5"
                                       "&cursor=zz") });
    const char *e = tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("tag=x%0Atag%3Dy&sort=title") });

    ck_assert_uint_eq(strlen(a), 22);   /* 16 bytes of base64url */
    ck_assert_str_eq(a, b);             /* tag order does not matter */
    ck_assert_str_ne(a, c);
    ck_assert_str_eq(a, d);             /* limit and cursor do not count */
    ck_assert_str_ne(a, e);             /* no ambiguity in the encoding */
    ck_assert_str_ne(tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("q=a") }),
        tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("q=b") }));
    ck_assert_str_ne(tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("due_before=2026-01-01T00:00:00Z") }),
        tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("due_after=2026-01-01T00:00:00Z") }));
    /* Another list is another query; none is the query it always was. */
    ck_assert_str_ne(tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("list_id=1") }),
        tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("list_id=2") }));
    ck_assert_str_ne(tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("list_id=1") }),
        tasks_list_query_fingerprint(test_pool,
        (tasks_list_query[]){ parse_ok("") }));
}
END_TEST

START_TEST(cursor_round_trip)
{
    tasks_list_query q = parse_ok("sort=due_at&order=asc&status=pending");
    tasks_cursor in = { "2026-11-25T21:00:00.123456Z", "42" }, out;
    const char *text = tasks_cursor_encode(test_pool, ring_of(key), "user-1",
                                           &q, &in);
    const char *p;

    ck_assert_ptr_nonnull(text);
    for (p = text; *p; p++)
        ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                             "wxyz0123456789-_.", *p) != NULL,
                      "cursor char %c is not URL-safe", *p);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         text, &out), 0);
    ck_assert_str_eq(out.value, "2026-11-25T21:00:00.123456Z");
    ck_assert_str_eq(out.id, "42");

    /* A NULL value (no due date) survives as NULL. */
    in.value = NULL;
    text = tasks_cursor_encode(test_pool, ring_of(key), "user-1", &q, &in);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         text, &out), 0);
    ck_assert_ptr_null(out.value);
    ck_assert_str_eq(out.id, "42");

    /* Values with any characters survive. */
    in.value = "T\xc3\xadtulo \"quoted\" \\ / & = %";
    text = tasks_cursor_encode(test_pool, ring_of(key), "user-1", &q, &in);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         text, &out), 0);
    ck_assert_str_eq(out.value, in.value);

    /* The query that carried the cursor decodes it too (limit differs). */
    {
        tasks_list_query q2 = parse_ok(apr_pstrcat(test_pool,
            "status=pending&sort=due_at&order=asc&limit=7&cursor=", text,
            NULL));

        ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1",
                                             &q2, q2.cursor, &out), 0);
    }
}
END_TEST

START_TEST(cursor_rejections)
{
    tasks_list_query q = parse_ok("sort=title");
    tasks_list_query other = parse_ok("sort=title&order=asc");
    tasks_cursor in = { "Buy milk", "7" }, out;
    const char *text = tasks_cursor_encode(test_pool, ring_of(key), "user-1",
                                           &q, &in);
    char *t;
    size_t dot = strchr(text, '.') - text;
    static const unsigned char other_key[] = "another key, also 32 bytes long.";

    /* Tampered payload and tampered MAC. */
    t = apr_pstrdup(test_pool, text);
    t[0] = t[0] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         t, &out), -1);
    t = apr_pstrdup(test_pool, text);
    t[dot + 1] = t[dot + 1] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         t, &out), -1);
    t = apr_pstrdup(test_pool, text);
    t[strlen(t) - 1] = t[strlen(t) - 1] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         t, &out), -1);
    /* Another user, another query, another key. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-2", &q,
                                         text, &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1",
                                         &other, text, &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(other_key),
                                         "user-1", &q, text, &out), -1);
    /* Truncated, extended, garbage. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
        apr_pstrndup(test_pool, text, strlen(text) - 1), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
        apr_pstrcat(test_pool, text, "A", NULL), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
        apr_pstrcat(test_pool, text, ".", NULL), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
        apr_pstrndup(test_pool, text, dot), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
        text + dot, &out), -1);
    {
        static const char *const garbage[] = {
            "", ".", "..", "a.b", "abc", "!!!.???", "eyJ9.AAAA", "\xff.\xfe"
        };
        size_t k;

        for (k = 0; k < sizeof(garbage) / sizeof(garbage[0]); k++)
            ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key),
                "user-1", &q, garbage[k], &out), -1);
    }
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q,
                                         NULL, &out), -1);
    /* Huge text is refused before any work. */
    {
        char *huge = apr_palloc(test_pool, 100001);

        memset(huge, 'A', 100000);
        huge[100000] = '\0';
        ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key),
                                             "user-1", &q, huge, &out), -1);
        huge[50000] = '.';
        ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key),
                                             "user-1", &q, huge, &out), -1);
    }
}
END_TEST

/* Correctly signed payloads that are not what encode makes are refused:
 * the MAC is not the only line of defence. */
START_TEST(cursor_payload_shape)
{
    tasks_list_query q = parse_ok(NULL);
    const char *fp = tasks_list_query_fingerprint(test_pool, &q);
    tasks_cursor out;
    const char *good = apr_psprintf(test_pool,
        "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"5\"}", fp);
    const char *bad[] = {
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"007\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"0\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"-1\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":5}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"99999999999999999999\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":3,\"i\":\"5\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"i\":\"5\"}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"5\",\"z\":1}", fp),
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"5\"}", fp),
        apr_psprintf(test_pool, "{\"u\":null,\"f\":\"%s\",\"v\":\"x\",\"i\":\"5\"}", fp),
        "{\"u\":\"u1\",\"f\":\"nope\",\"v\":\"x\",\"i\":\"5\"}",
        apr_psprintf(test_pool, "{\"u\":\"u1\",\"f\":\"%s\",\"v\":\"x\",\"i\":\"5\"} x", fp),
        "[1,2,3,4]", "\"s\"", "null", "{", "",
    };
    size_t k;

    const char *kid = tasks_kid_derive(test_pool, key, KEY_LEN);

    /* Both forms: with the kid, and without (as before key rotation). */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "u1", &q,
                                         sign(good, key, KEY_LEN), &out), 0);
    ck_assert_str_eq(out.value, "x");
    ck_assert_str_eq(out.id, "5");
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "u1", &q,
                                         sign_kid(good, kid, key, KEY_LEN),
                                         &out), 0);
    ck_assert_str_eq(out.id, "5");
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ck_assert_msg(tasks_cursor_decode(test_pool, ring_of(key), "u1", &q,
                                          sign(bad[k], key, KEY_LEN), &out)
                      == -1, "accepted %s", bad[k]);
        ck_assert_msg(tasks_cursor_decode(test_pool, ring_of(key), "u1", &q,
                                          sign_kid(bad[k], kid, key, KEY_LEN),
                                          &out)
                      == -1, "accepted %s (with kid)", bad[k]);
    }
}
END_TEST

START_TEST(cursor_encode_refusals)
{
    tasks_list_query q = parse_ok(NULL);
    tasks_cursor c = { "v", NULL }, bad_utf8 = { "\xff", "1" }, ok = { "v", "1" };

    ck_assert_ptr_null(tasks_cursor_encode(test_pool, ring_of(key), "u", &q, &c));
    ck_assert_ptr_null(tasks_cursor_encode(test_pool, ring_of(key), NULL, &q,
                                           &ok));
    ck_assert_ptr_null(tasks_cursor_encode(test_pool, ring_of(key), "u", &q,
                                           &bad_utf8));
    /* No key, or a short one: no cursor (and no crash). */
    ck_assert_ptr_null(tasks_cursor_encode(test_pool, NULL, "u", &q, &ok));
    {
        tasks_keyring none, short_key;

        memset(&none, 0, sizeof(none));
        ck_assert_ptr_null(tasks_cursor_encode(test_pool, &none, "u", &q, &ok));
        short_key = *ring_of(key);
        short_key.keys[0].len = 31;
        ck_assert_ptr_null(tasks_cursor_encode(test_pool, &short_key, "u", &q,
                                               &ok));
    }
}
END_TEST

/* A cursor decode would refuse for its length is never made (found by
 * tests/fuzz/fuzz_cursor); the longest real one (a 200-character title of
 * control characters, each 6 bytes of JSON, a 64-character kid, a
 * 36-character user id and the largest id) is made and decodes. */
START_TEST(cursor_length_bound)
{
    tasks_list_query q = parse_ok("sort=title");
    tasks_keyring ring;
    tasks_cursor c, out;
    char title[201], kid[65];
    const char *user = "00000000-0000-4000-8000-000000000001", *text;

    memset(title, 0x15, 200);
    title[200] = '\0';
    memset(kid, 'k', 64);
    kid[64] = '\0';
    memset(&ring, 0, sizeof(ring));
    ck_assert_ptr_null(tasks_keyring_add(test_pool, &ring, key, KEY_LEN, kid, NULL));
    c.value = title;
    c.id = "9223372036854775807";
    text = tasks_cursor_encode(test_pool, &ring, user, &q, &c);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, &ring, user, &q, text, &out), 0);
    ck_assert_str_eq(out.value, title);
    {
        char *big = apr_palloc(test_pool, 1501);
        memset(big, 0x15, 1500);
        big[1500] = '\0';
        c.value = big;
        ck_assert_ptr_null(tasks_cursor_encode(test_pool, &ring, user, &q, &c));
    }
}
END_TEST

/* ---- key rotation ---------------------------------------------------- */

static const unsigned char key_b[] = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
static const unsigned char key_c[] = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

/* A ring of the keys named by letters, in order ("BA": B signs), added
 * as the configuration adds them (prepared, kid derived). */
static const tasks_keyring *ring_from(const char *letters)
{
    tasks_keyring *r = apr_pcalloc(test_pool, sizeof(*r));

    for (; *letters; letters++)
        ck_assert_ptr_null(tasks_keyring_add(test_pool, r,
            *letters == 'A' ? key : *letters == 'B' ? key_b : key_c,
            KEY_LEN, NULL, NULL));
    return r;
}

/* What a ring accepts of a cursor signed with key A: made by encode under
 * [A] (with A's kid), or without a kid (as builds before key rotation
 * made them). */
static const struct {
    const char *cursor;     /* "made" or "no kid"                       */
    const char *ring;
    int want;               /* tasks_cursor_decode's result             */
} cursor_rotation_cases[] = {
    { "made", "A", 0 },   { "made", "BA", 0 },   { "made", "CBA", 0 },
    { "made", "AB", 0 },  { "made", "B", -1 },   { "made", "BC", -1 },
    { "made", "", -1 },
    { "no kid", "A", 0 }, { "no kid", "BA", 0 }, { "no kid", "CBA", 0 },
    { "no kid", "B", -1 }, { "no kid", "BC", -1 }, { "no kid", "", -1 },
};

START_TEST(cursor_verifies_with_any_listed_key)
{
    tasks_list_query q = parse_ok("sort=title");
    tasks_cursor in = { "Buy milk", "7" }, out;
    const char *text;

    if (!strcmp(cursor_rotation_cases[_i].cursor, "made"))
        text = tasks_cursor_encode(test_pool, ring_from("A"), "user-1", &q, &in);
    else
        text = sign(apr_psprintf(test_pool, "{\"u\":\"user-1\",\"f\":\"%s\","
                                 "\"v\":\"Buy milk\",\"i\":\"7\"}",
                                 tasks_list_query_fingerprint(test_pool, &q)),
                    key, KEY_LEN);
    ck_assert_ptr_nonnull(text);
    memset(&out, 0, sizeof(out));
    ck_assert_msg(tasks_cursor_decode(test_pool,
                                      ring_from(cursor_rotation_cases[_i].ring),
                                      "user-1", &q, text, &out)
                  == cursor_rotation_cases[_i].want, "%s cursor, ring [%s]",
                  cursor_rotation_cases[_i].cursor,
                  cursor_rotation_cases[_i].ring);
    if (cursor_rotation_cases[_i].want == 0) {
        ck_assert_str_eq(out.value, "Buy milk");
        ck_assert_str_eq(out.id, "7");
    }
}
END_TEST

/* A cursor names its key: the first of the ring, by its kid, the same
 * every time; the kid is bound by the MAC. */
START_TEST(cursor_carries_the_signing_kid)
{
    tasks_list_query q = parse_ok(NULL);
    tasks_cursor in = { "v", "9" }, out;
    const char *kid_a = tasks_kid_derive(test_pool, key, KEY_LEN);
    const char *kid_b = tasks_kid_derive(test_pool, key_b, KEY_LEN);
    const char *a = tasks_cursor_encode(test_pool, ring_from("A"), "u", &q, &in);
    const char *ba = tasks_cursor_encode(test_pool, ring_from("BA"), "u", &q, &in);
    const char *rest;

    ck_assert_str_eq(kid_a, "M1rlMpOmTuA");   /* see test_keys.c */
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(ba);
    ck_assert_int_eq(strncmp(a, "M1rlMpOmTuA.", 12), 0);
    ck_assert_int_eq(strncmp(ba, apr_pstrcat(test_pool, kid_b, ".", NULL),
                             strlen(kid_b) + 1), 0);
    /* The same key, the same cursor (no randomness, same kid). */
    ck_assert_str_eq(a, tasks_cursor_encode(test_pool, ring_of(key), "u", &q,
                                            &in));
    rest = a + strlen(kid_a);                 /* ".payload.mac" */
    /* B's kid in front of A's cursor: checked with B, refused. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("AB"), "u", &q,
        apr_pstrcat(test_pool, kid_b, rest, NULL), &out), -1);
    /* Without its kid it is not a cursor of the old form either: the MAC
     * covered the kid. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
                                         rest + 1, &out), -1);
    /* A kid that is not a kid. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
        apr_pstrcat(test_pool, "M1rl/MpOmTuA", rest, NULL), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
        apr_pstrcat(test_pool, "x", a, NULL), &out), -1);
    /* Empty parts. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
        apr_pstrcat(test_pool, kid_a, "..", NULL), &out), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
        apr_pstrcat(test_pool, kid_a, ".", strchr(rest + 1, '.'), NULL), &out),
        -1);
    /* The genuine ones. */
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("A"), "u", &q,
                                         a, &out), 0);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_from("CBA"), "u", &q,
                                         ba, &out), 0);
}
END_TEST

/* Parsing next_args gives the same query: same fingerprint, same limit,
 * and the cursor comes back intact. */
static void check_next_args(const char *args, const char *want)
{
    tasks_list_query q = parse_ok(args), q2;
    tasks_cursor c = { "v", "9" }, out;
    const char *cursor = tasks_cursor_encode(test_pool, ring_of(key), "u", &q,
                                             &c);
    const char *next = tasks_list_query_next_args(test_pool, &q, cursor);
    const char *bad = tasks_list_query_parse(test_pool, next, &q2);

    ck_assert_msg(bad == NULL, "%s: rejected as %s", next, bad ? bad : "");
    ck_assert_str_eq(tasks_list_query_fingerprint(test_pool, &q),
                     tasks_list_query_fingerprint(test_pool, &q2));
    ck_assert_int_eq(q.limit, q2.limit);
    ck_assert_str_eq(q2.cursor, cursor);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "u", &q2,
                                         q2.cursor, &out), 0);
    if (want != NULL)
        ck_assert_str_eq(tasks_list_query_next_args(test_pool, &q, NULL), want);
}

START_TEST(next_args_round_trip)
{
    check_next_args(NULL, "limit=100");
    check_next_args("status=all&order=desc&sort=created_at", "limit=100");
    check_next_args("order=asc&status=completed&limit=5",
                    "status=completed&order=asc&limit=5");
    check_next_args("q=100%25+%26+more%3D_%5C%2B~.-&tag=b&tag=a%20c&tag=b",
                    "q=100%25%20%26%20more%3D_%5C%2B~.-&tag=a%20c&tag=b"
                    "&limit=100");
    check_next_args("priority=none&sort=priority", "priority=none"
                    "&sort=priority&limit=100");
    check_next_args("due_before=2026-11-25T21:00:00.5-05:30"
                    "&due_after=2020-01-01T00:00:00Z&sort=due_at",
                    "due_before=2026-11-26T02%3A30%3A00.500000Z"
                    "&due_after=2020-01-01T00%3A00%3A00.000000Z"
                    "&sort=due_at&limit=100");
    check_next_args("q=%E6%97%A5%E6%9C%AC&tag=%F0%9F%98%80&limit=1000",
                    "q=%E6%97%A5%E6%9C%AC&tag=%F0%9F%98%80&limit=1000");
    check_next_args("sort=title&order=asc&cursor=abc", NULL);
    check_next_args("list_id=12&status=pending&sort=due_at",
                    "status=pending&list_id=12&sort=due_at&limit=100");
    ck_assert_str_eq(tasks_list_query_next_args(test_pool,
        (tasks_list_query[]){ parse_ok("sort=updated_at") }, "a.b"),
        "sort=updated_at&limit=100&cursor=a.b");
}
END_TEST

/* A changes token carries its change number and time, for its user only;
 * a cursor is not one, nor a token with a character changed. */
START_TEST(changes_tokens_round_trip_and_are_bound)
{
    tasks_list_query q = parse_ok("");
    tasks_cursor c = { NULL, "42" };
    const char *t = tasks_changes_token_encode(test_pool, ring_of(key), "user-1",
                                               17, 1764975600);
    const char *cursor = tasks_cursor_encode(test_pool, ring_of(key), "user-1", &q, &c);
    long long seq = -1, at = -1;
    char *changed;

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(tasks_changes_token_decode(test_pool, ring_of(key), "user-1", t,
                                                &seq, &at), 0);
    ck_assert_int_eq(seq, 17);
    ck_assert_int_eq(at, 1764975600);
    ck_assert_int_eq(tasks_changes_token_decode(test_pool, ring_of(key), "user-2", t,
                                                &seq, &at), -1);
    ck_assert_int_eq(tasks_changes_token_decode(test_pool, ring_of(key), "user-1", cursor,
                                                &seq, &at), -1);
    ck_assert_int_eq(tasks_cursor_decode(test_pool, ring_of(key), "user-1", &q, t, &c), -1);
    changed = apr_pstrdup(test_pool, t);
    changed[strlen(changed) / 2] ^= 1;
    ck_assert_int_eq(tasks_changes_token_decode(test_pool, ring_of(key), "user-1", changed,
                                                &seq, &at), -1);
    ck_assert_ptr_null(tasks_changes_token_encode(test_pool, ring_of(key), "user-1", -1, 0));
}
END_TEST

START_TEST(changes_and_reminders_queries)
{
    const char *since = NULL, *until = NULL;
    int limit = 0;

    ck_assert_ptr_null(tasks_changes_query_parse(test_pool, NULL, &since, &limit));
    ck_assert_ptr_null(since);
    ck_assert_int_eq(limit, TASKS_CHANGES_DEFAULT_LIMIT);
    ck_assert_ptr_null(tasks_changes_query_parse(test_pool, "since=abc.def&limit=5",
                                                 &since, &limit));
    ck_assert_str_eq(since, "abc.def");
    ck_assert_int_eq(limit, 5);
    ck_assert_str_eq(tasks_changes_query_parse(test_pool, "limit=0", &since, &limit), "limit");
    ck_assert_str_eq(tasks_changes_query_parse(test_pool, "since=", &since, &limit), "since");
    ck_assert_str_eq(tasks_changes_query_parse(test_pool, "since=a&since=b", &since, &limit),
                     "since");
    ck_assert_str_eq(tasks_changes_query_parse(test_pool, "cursor=x", &since, &limit),
                     "cursor");
    ck_assert_ptr_null(tasks_reminders_query_parse(test_pool,
        "until=2026-01-01T09:00:00%2B01:00&since=2026-01-01T07:00:00Z", &since, &until));
    ck_assert_str_eq(until, "2026-01-01T08:00:00.000000Z");
    ck_assert_str_eq(since, "2026-01-01T07:00:00.000000Z");
    ck_assert_str_eq(tasks_reminders_query_parse(test_pool, "since=2026-01-01T07:00:00Z",
                                                 &since, &until), "until");
    ck_assert_str_eq(tasks_reminders_query_parse(test_pool, "until=tomorrow",
                                                 &since, &until), "until");
}
END_TEST

Suite *list_query_suite(void)
{
    Suite *s = suite_create("list_query");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, status_param);
    tcase_add_test(tc, q_param);
    tcase_add_test(tc, priority_param);
    tcase_add_test(tc, tag_param);
    tcase_add_test(tc, due_params);
    tcase_add_test(tc, list_id_param);
    tcase_add_test(tc, sort_order_params);
    tcase_add_test(tc, limit_cursor_params);
    tcase_add_test(tc, unknown_and_repeated);
    tcase_add_test(tc, percent_encoding);
    tcase_add_test(tc, fingerprints);
    tcase_add_test(tc, cursor_round_trip);
    tcase_add_test(tc, changes_tokens_round_trip_and_are_bound);
    tcase_add_test(tc, changes_and_reminders_queries);
    tcase_add_test(tc, cursor_rejections);
    tcase_add_test(tc, cursor_payload_shape);
    tcase_add_test(tc, cursor_encode_refusals);
    tcase_add_test(tc, cursor_length_bound);
    tcase_add_loop_test(tc, cursor_verifies_with_any_listed_key, 0,
                        (int)(sizeof(cursor_rotation_cases)
                              / sizeof(*cursor_rotation_cases)));
    tcase_add_test(tc, cursor_carries_the_signing_kid);
    tcase_add_test(tc, next_args_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
