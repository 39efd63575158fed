/* main.c - runs every unit suite; exits non-zero on any failure. */
#include <stdlib.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/problem.h"

apr_pool_t *test_pool;

void test_pool_setup(void)
{
    apr_pool_create(&test_pool, NULL);
}

void test_pool_teardown(void)
{
    apr_pool_destroy(test_pool);
    test_pool = NULL;
}

const char *test_field_errors(const apr_array_header_t *e)
{
    const char *s = "";
    int i;

    for (i = 0; e && i < e->nelts; i++) {
        const tasks_field_error *f = &APR_ARRAY_IDX(e, i, tasks_field_error);
        s = apr_psprintf(test_pool, "%s%s%s:%s", s, i ? "|" : "", f->field,
                         f->message);
    }
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(b64url_suite());
    srunner_add_suite(sr, problem_suite());
    srunner_add_suite(sr, validate_suite());
    srunner_add_suite(sr, task_suite());
    srunner_add_suite(sr, list_suite());
    srunner_add_suite(sr, task_json_suite());
    srunner_add_suite(sr, list_query_suite());
    srunner_add_suite(sr, token_suite());
    srunner_add_suite(sr, keys_suite());
    srunner_add_suite(sr, password_suite());
    srunner_add_suite(sr, route_suite());
    srunner_add_suite(sr, reset_code_suite());
    srunner_add_suite(sr, refresh_suite());
    srunner_add_suite(sr, recur_suite());
    srunner_add_suite(sr, jwks_suite());
    srunner_add_suite(sr, vtodo_suite());
    srunner_add_suite(sr, dav_query_suite());
    srunner_add_suite(sr, mcp_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
