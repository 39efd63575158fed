/* test_problem.c - problem documents and the JSON helpers. */
#include <string.h>
#include "suites.h"
#include "tasks/core/problem.h"

/* Parse text back with jansson; the test pool owns the result. */
static json_t *reparse(const char *text)
{
    json_t *j;

    ck_assert_ptr_nonnull(text);
    j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_msg(j != NULL, "not JSON: %s", text);
    return tasks_json_own(test_pool, j);
}

static const char *parse_err(const char *body, apr_size_t len)
{
    json_t *out = (json_t *)1;
    const char *msg = tasks_json_parse_object(test_pool, body, len, &out);

    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(msg);
    return msg;
}

START_TEST(status_titles)
{
    ck_assert_str_eq(tasks_status_title(400), "Bad Request");
    ck_assert_str_eq(tasks_status_title(401), "Unauthorized");
    ck_assert_str_eq(tasks_status_title(403), "Forbidden");
    ck_assert_str_eq(tasks_status_title(404), "Not Found");
    ck_assert_str_eq(tasks_status_title(405), "Method Not Allowed");
    ck_assert_str_eq(tasks_status_title(408), "Request Timeout");
    ck_assert_str_eq(tasks_status_title(409), "Conflict");
    ck_assert_str_eq(tasks_status_title(412), "Precondition Failed");
    ck_assert_str_eq(tasks_status_title(413), "Content Too Large");
    ck_assert_str_eq(tasks_status_title(415), "Unsupported Media Type");
    ck_assert_str_eq(tasks_status_title(422), "Unprocessable Content");
    ck_assert_str_eq(tasks_status_title(429), "Too Many Requests");
    ck_assert_str_eq(tasks_status_title(500), "Internal Server Error");
    ck_assert_str_eq(tasks_status_title(503), "Service Unavailable");
    ck_assert_str_eq(tasks_status_title(414), "URI Too Long");
    ck_assert_str_eq(tasks_status_title(417), "Expectation Failed");
    ck_assert_ptr_null(tasks_status_title(418));
    ck_assert_ptr_null(tasks_status_title(501));
    ck_assert_ptr_null(tasks_status_title(0));
}
END_TEST

START_TEST(problem_without_errors)
{
    const char *text = tasks_problem_json(test_pool, 404, "no such task", NULL);
    json_t *j = reparse(text);

    ck_assert_uint_eq(json_object_size(j), 4);
    ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "about:blank");
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Not Found");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 404);
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")), "no such task");
    /* Compact, in the documented key order. */
    ck_assert_str_eq(text, "{\"type\":\"about:blank\",\"title\":\"Not Found\","
                     "\"status\":404,\"detail\":\"no such task\"}");
}
END_TEST

START_TEST(problem_with_errors)
{
    apr_array_header_t *errors = NULL;
    json_t *j, *list, *e;

    tasks_field_error_add(test_pool, &errors, "title", "must be 1-200 characters");
    tasks_field_error_add(test_pool, &errors, "tags", "must be an array of strings");
    ck_assert_int_eq(errors->nelts, 2);
    j = reparse(tasks_problem_json(test_pool, 422,
                                   "title must be 1-200 characters", errors));
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")),
                     "Unprocessable Content");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 422);
    list = json_object_get(j, "errors");
    ck_assert(json_is_array(list));
    ck_assert_uint_eq(json_array_size(list), 2);
    e = json_array_get(list, 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "title");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
                     "must be 1-200 characters");
    e = json_array_get(list, 1);
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "tags");
}
END_TEST

START_TEST(problem_edge_cases)
{
    apr_array_header_t *empty = apr_array_make(test_pool, 1, sizeof(tasks_field_error));
    json_t *j;

    /* An empty error list adds no "errors" member. */
    j = reparse(tasks_problem_json(test_pool, 400, "bad", empty));
    ck_assert_ptr_null(json_object_get(j, "errors"));
    /* detail is always a string: the title stands in for NULL. */
    j = reparse(tasks_problem_json(test_pool, 503, NULL, NULL));
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
                     "Service Unavailable");
    /* Quotes and control characters are escaped, not injected. */
    j = reparse(tasks_problem_json(test_pool, 400, "a \"quoted\"\n\\ value", NULL));
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
                     "a \"quoted\"\n\\ value");
    /* Invalid UTF-8 in detail cannot break the document. */
    j = reparse(tasks_problem_json(test_pool, 400, "bad \xff byte", NULL));
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")), "Bad Request");
    j = reparse(tasks_problem_json(test_pool, 599, "x", NULL));
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Error");
}
END_TEST

START_TEST(parse_object_ok)
{
    const char *body = "{\"title\":\"caf\xc3\xa9\",\"n\":1}";
    json_t *out = NULL;

    ck_assert_ptr_null(tasks_json_parse_object(test_pool, body, strlen(body), &out));
    ck_assert(json_is_object(out));
    ck_assert_str_eq(json_string_value(json_object_get(out, "title")), "caf\xc3\xa9");
    /* The pool holds the only reference; leak checking proves the cleanup. */
    ck_assert_int_eq(out->refcount, 1);
    ck_assert_ptr_null(tasks_json_parse_object(test_pool, " {} ", 4, &out));
    ck_assert_uint_eq(json_object_size(out), 0);
    /* The length, not a NUL, bounds the body. */
    ck_assert_ptr_null(tasks_json_parse_object(test_pool, "{}garbage", 2, &out));
}
END_TEST

START_TEST(parse_object_refusals)
{
    const char *secret = "{\"password\":\"hunter2\" oops}";
    const char *msg;

    msg = parse_err(secret, strlen(secret));
    ck_assert(strncmp(msg, "malformed JSON", 14) == 0);
    ck_assert_msg(strstr(msg, "hunter2") == NULL && strstr(msg, "oops") == NULL,
                  "echoes input: %s", msg);
    ck_assert_str_eq(msg, "malformed JSON: syntax error at line 1 column 26");
    ck_assert_str_eq(parse_err("[1,2]", 5), "request body must be a JSON object");
    ck_assert_str_eq(parse_err("\"x\"", 3), "request body must be a JSON object");
    ck_assert_str_eq(parse_err("null", 4), "request body must be a JSON object");
    ck_assert_str_eq(parse_err("42", 2), "request body must be a JSON object");
    msg = parse_err("{\"a\":1,\"a\":2}", 13);
    ck_assert_msg(strstr(msg, "duplicate object key") != NULL, "%s", msg);
    msg = parse_err("{\"a\":\"\xff\"}", 8);
    ck_assert_msg(strstr(msg, "invalid UTF-8") != NULL, "%s", msg);
    msg = parse_err("{\"a\":\"\xed\xa0\x80\"}", 10);            /* surrogate */
    ck_assert_msg(strstr(msg, "invalid UTF-8") != NULL, "%s", msg);
    msg = parse_err("{\"a\":\"\xc0\xaf\"}", 9);                 /* overlong */
    ck_assert_msg(strstr(msg, "invalid UTF-8") != NULL, "%s", msg);
    msg = parse_err("{\"a\":\"\\u0000\"}", 14);
    ck_assert_msg(strstr(msg, "\\u0000") != NULL, "%s", msg);
    msg = parse_err("{\"a\":\"x\0y\"}", 11);
    ck_assert_str_eq(msg, "malformed JSON: NUL byte at offset 7");
    msg = parse_err("{}\0", 3);
    ck_assert_str_eq(msg, "malformed JSON: NUL byte at offset 2");
    msg = parse_err("{\"a\":1", 6);
    ck_assert_msg(strstr(msg, "unexpected end of input") != NULL, "%s", msg);
    msg = parse_err("{} {}", 5);
    ck_assert_msg(strstr(msg, "trailing data") != NULL, "%s", msg);
    ck_assert(strncmp(parse_err("", 0), "malformed JSON", 14) == 0);
    ck_assert(strncmp(parse_err(NULL, 0), "malformed JSON", 14) == 0);
    ck_assert(strncmp(parse_err("{'a':1}", 7), "malformed JSON", 14) == 0);
}
END_TEST

START_TEST(dump_and_own)
{
    json_t *j = json_pack("{s:i,s:s,s:[]}", "z", 1, "a", "\xc3\xa9", "m");
    const char *text;

    text = tasks_json_dump(test_pool, j);
    /* Compact, insertion order, UTF-8 not escaped. */
    ck_assert_str_eq(text, "{\"z\":1,\"a\":\"\xc3\xa9\",\"m\":[]}");
    /* The caller keeps its reference; the pool takes it over here. */
    ck_assert_int_eq(j->refcount, 1);
    ck_assert_ptr_eq(tasks_json_own(test_pool, j), j);
    ck_assert_ptr_null(tasks_json_own(test_pool, NULL));
    ck_assert_ptr_null(tasks_json_dump(test_pool, NULL));
}
END_TEST

START_TEST(own_runs_on_clear)
{
    apr_pool_t *sub;
    json_t *j = json_array();

    apr_pool_create(&sub, test_pool);
    json_incref(j);
    tasks_json_own(sub, j);
    ck_assert_int_eq(j->refcount, 2);
    apr_pool_clear(sub);
    ck_assert_int_eq(j->refcount, 1);
    json_decref(j);
}
END_TEST

Suite *problem_suite(void)
{
    Suite *s = suite_create("problem");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, status_titles);
    tcase_add_test(tc, problem_without_errors);
    tcase_add_test(tc, problem_with_errors);
    tcase_add_test(tc, problem_edge_cases);
    tcase_add_test(tc, parse_object_ok);
    tcase_add_test(tc, parse_object_refusals);
    tcase_add_test(tc, dump_and_own);
    tcase_add_test(tc, own_runs_on_clear);
    suite_add_tcase(s, tc);
    return s;
}
