/* test_mcp.c - the MCP endpoint through the real httpd and PostgreSQL,
 * message by message: version negotiation, notifications, batches (and
 * the versions without them), the transport's refusals, the 401's
 * pointer to the protected resource metadata, and what each version's
 * results hold. The official SDK, inspector-cli and the conformance suite
 * have a suite of their own: tests/mcp/. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

#define ACCEPT "Accept: application/json, text/event-stream"
#define JSON "Content-Type: application/json"

/* POST body to /api/mcp with the token and up to two more headers. */
static http_resp *mcp(const char *token, const char *body, const char *h1,
                      const char *h2)
{
    char *auth = token ? fmt("Authorization: Bearer %s", token) : NULL;
    const char *hs[6];
    http_resp *r;
    int n = 0;

    if (auth)
        hs[n++] = auth;
    hs[n++] = ACCEPT;
    hs[n++] = h1 && !strncasecmp(h1, "Content-Type:", 13) ? h1 : JSON;
    if (h1 && strncasecmp(h1, "Content-Type:", 13))
        hs[n++] = h1;
    if (h2)
        hs[n++] = h2;
    hs[n] = NULL;
    r = http("POST", "/api/mcp", body, hs);
    free(auth);
    return r;
}

#define V0326 "MCP-Protocol-Version: 2025-03-26"
#define V0618 "MCP-Protocol-Version: 2025-06-18"
#define V1125 "MCP-Protocol-Version: 2025-11-25"

static const char *result_str(const http_resp *r, const char *key)
{
    return json_string_value(json_object_get(json_object_get(r->json, "result"), key));
}

static long long error_code(const json_t *msg)
{
    return json_integer_value(json_object_get(json_object_get(msg, "error"), "code"));
}

START_TEST(initialize_answers_the_version_asked_or_the_latest)
{
    user u = user_sign_up("mcp-init");
    http_resp *r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                       "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                       "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_str_eq(result_str(r, "protocolVersion"), "2025-06-18");
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "id")), 0);
    ck_assert_ptr_null(http_header(r, "Mcp-Session-Id"));
    http_free(r);
    r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\","
            "\"params\":{\"protocolVersion\":\"1999-01-01\",\"capabilities\":{},"
            "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(result_str(r, "protocolVersion"), "2025-11-25");
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "id")), "a");
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(a_notification_is_202_without_a_body)
{
    user u = user_sign_up("mcp-note");
    http_resp *r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                       V1125, NULL);

    ck_assert_status(r, 202);
    ck_assert_int_eq(r->len, 0);
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(a_batch_is_answered_in_2025_03_26_only)
{
    user u = user_sign_up("mcp-batch");
    const char *batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/list\"},{\"foo\":1}]";
    http_resp *r = mcp(u.tok, batch, NULL, NULL);     /* no header: 2025-03-26 */
    json_t *tools;

    ck_assert_status(r, 200);
    ck_assert(json_is_array(r->json));
    ck_assert_int_eq(json_array_size(r->json), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r->json, 0), "id")), 1);
    tools = json_object_get(json_object_get(json_array_get(r->json, 1), "result"), "tools");
    ck_assert_int_eq(json_array_size(tools), 5);
    /* 2025-03-26 has no titles nor output schemas. */
    ck_assert_ptr_null(json_object_get(json_array_get(tools, 0), "outputSchema"));
    ck_assert_ptr_null(json_object_get(json_array_get(tools, 0), "title"));
    ck_assert(json_is_null(json_object_get(json_array_get(r->json, 2), "id")));
    ck_assert_int_eq(error_code(json_array_get(r->json, 2)), -32600);
    http_free(r);
    r = mcp(u.tok, batch, V0618, NULL);
    ck_assert_status(r, 400);
    ck_assert_int_eq(error_code(r->json), -32600);
    http_free(r);
    r = mcp(u.tok, "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]", V0326, NULL);
    ck_assert_status(r, 202);
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(the_transport_refuses_what_it_cannot_take)
{
    user u = user_sign_up("mcp-refuse");
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    http_resp *r;

    r = mcp(u.tok, ping, "MCP-Protocol-Version: 2024-01-01", NULL);
    ck_assert_status(r, 400);
    ck_assert_int_eq(error_code(r->json), -32600);
    http_free(r);
    r = mcp(u.tok, "{\"jsonrpc\":", V1125, NULL);
    ck_assert_status(r, 400);
    ck_assert_int_eq(error_code(r->json), -32700);
    http_free(r);
    r = mcp(u.tok, ping, "Content-Type: text/plain", V1125);
    ck_assert_status(r, 415);
    http_free(r);
    r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", V1125, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(error_code(r->json), -32600);
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(unknown_methods_and_tools_are_json_rpc_errors)
{
    user u = user_sign_up("mcp-unknown");
    http_resp *r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/list\"}", V1125, NULL);

    ck_assert_status(r, 200);
    ck_assert_int_eq(error_code(r->json), -32601);
    http_free(r);
    r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\","
            "\"params\":{\"name\":\"drop_tables\",\"arguments\":{}}}", V1125, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(error_code(r->json), -32602);
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(results_are_structured_from_2025_06_18_on)
{
    user u = user_sign_up("mcp-structured");
    const char *add = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
        "\"params\":{\"name\":\"add_task\",\"arguments\":{\"title\":\"Structured\"}}}";
    http_resp *r = mcp(u.tok, add, V1125, NULL);
    json_t *result = json_object_get(r->json, "result");
    json_t *task = json_object_get(json_object_get(result, "structuredContent"), "task");
    char *url = fmt("/api/tasks/%lld", (long long)json_integer_value(json_object_get(task, "id")));
    json_t *seen = http_json("GET", url, u.tok, NULL, 200), *again;

    ck_assert_status(r, 200);
    ck_assert(json_equal(task, seen));
    /* The text block is the same object, for models that read text. */
    again = json_loads(json_string_value(json_object_get(json_array_get(
        json_object_get(result, "content"), 0), "text")), 0, NULL);
    ck_assert(json_equal(json_object_get(again, "task"), seen));
    json_decref(again);
    http_free(r);
    r = mcp(u.tok, add, V0326, NULL);
    ck_assert_status(r, 200);
    ck_assert_ptr_null(json_object_get(json_object_get(r->json, "result"), "structuredContent"));
    http_free(r);
    json_decref(seen);
    free(url);
    user_free(&u);
}
END_TEST

START_TEST(a_refused_tool_call_writes_nothing)
{
    user u = user_sign_up("mcp-nothing");
    http_resp *r = mcp(u.tok, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                       "\"params\":{\"name\":\"add_task\",\"arguments\":{\"title\":\"ok\","
                       "\"due_at\":\"next tuesday\"}}}", V1125, NULL);
    json_t *tasks;

    ck_assert_status(r, 200);
    ck_assert(json_is_true(json_object_get(json_object_get(r->json, "result"), "isError")));
    ck_assert_ptr_nonnull(strstr(r->body, "due_at"));
    http_free(r);
    tasks = http_json("GET", "/api/tasks", u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(tasks), 0);
    json_decref(tasks);
    user_free(&u);
}
END_TEST

START_TEST(an_origin_not_allowed_is_403_and_nothing_written)
{
    user u = user_sign_up("mcp-origin");
    const char *add = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
        "\"params\":{\"name\":\"add_task\",\"arguments\":{\"title\":\"rebound\"}}}";
    http_resp *r = mcp(u.tok, add, V1125, "Origin: http://evil.example.com");
    json_t *tasks;

    ck_assert_status(r, 403);
    http_free(r);
    tasks = http_json("GET", "/api/tasks", u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(tasks), 0);
    json_decref(tasks);
    /* An origin TasksCORSAllowOrigin lists is answered. */
    r = mcp(u.tok, add, V1125, "Origin: https://app.example.org");
    ck_assert_status(r, 200);
    http_free(r);
    user_free(&u);
}
END_TEST

START_TEST(get_is_405_once_authenticated)
{
    user u = user_sign_up("mcp-get");
    char *auth = fmt("Authorization: Bearer %s", u.tok);
    const char *hs[] = { auth, "Accept: text/event-stream", NULL };
    http_resp *r = http("GET", "/api/mcp", NULL, hs);

    ck_assert_status(r, 405);
    ck_assert_str_eq(http_header(r, "Allow"), "POST");
    http_free(r);
    r = http("GET", "/api/mcp", NULL, NULL);
    ck_assert_status(r, 401);
    http_free(r);
    free(auth);
    user_free(&u);
}
END_TEST

START_TEST(the_401_names_the_protected_resource_metadata)
{
    http_resp *r = mcp(NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", NULL, NULL);
    const char *challenge = http_header(r, "WWW-Authenticate");
    char *want = fmt("%s/.well-known/oauth-protected-resource/api/mcp\"", base_url());
    char *resource = fmt("%s/api/mcp", base_url());
    http_resp *doc;

    ck_assert_status(r, 401);
    ck_assert_int_eq(strncmp(challenge, "Bearer resource_metadata=\"", 26), 0);
    ck_assert_str_eq(challenge + 26, want);
    http_free(r);
    r = mcp("not-a-token", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", NULL, NULL);
    ck_assert_status(r, 401);
    ck_assert_ptr_nonnull(strstr(http_header(r, "WWW-Authenticate"), "error=\"invalid_token\""));
    http_free(r);
    doc = http("GET", "/.well-known/oauth-protected-resource/api/mcp", NULL, NULL);
    ck_assert_status(doc, 200);
    ck_assert_str_eq(jstr(doc->json, "resource"), resource);
    ck_assert_int_ge(json_array_size(json_object_get(doc->json, "authorization_servers")), 1);
    http_free(doc);
    doc = http("GET", "/.well-known/oauth-protected-resource", NULL, NULL);
    ck_assert_status(doc, 200);
    http_free(doc);
    doc = http("POST", "/.well-known/oauth-protected-resource", "{}", NULL);
    ck_assert_status(doc, 405);
    http_free(doc);
    free(want);
    free(resource);
}
END_TEST

Suite *mcp_suite(void)
{
    Suite *s = suite_create("mcp");
    TCase *tc = tcase_create("mcp");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, initialize_answers_the_version_asked_or_the_latest);
    tcase_add_test(tc, a_notification_is_202_without_a_body);
    tcase_add_test(tc, a_batch_is_answered_in_2025_03_26_only);
    tcase_add_test(tc, the_transport_refuses_what_it_cannot_take);
    tcase_add_test(tc, unknown_methods_and_tools_are_json_rpc_errors);
    tcase_add_test(tc, results_are_structured_from_2025_06_18_on);
    tcase_add_test(tc, a_refused_tool_call_writes_nothing);
    tcase_add_test(tc, an_origin_not_allowed_is_403_and_nothing_written);
    tcase_add_test(tc, get_is_405_once_authenticated);
    tcase_add_test(tc, the_401_names_the_protected_resource_metadata);
    suite_add_tcase(s, tc);
    return s;
}
