/* main.c - runs every unit suite; exits non-zero on any failure. */
#include <stdlib.h>
#include <apr_general.h>
#include "suites.h"

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

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(b64url_suite());
    srunner_add_suite(sr, problem_suite());
    srunner_add_suite(sr, validate_suite());
    srunner_add_suite(sr, task_suite());
    srunner_add_suite(sr, task_json_suite());
    srunner_add_suite(sr, list_query_suite());
    srunner_add_suite(sr, token_suite());
    srunner_add_suite(sr, keys_suite());
    srunner_add_suite(sr, password_suite());
    srunner_add_suite(sr, route_suite());
    srunner_add_suite(sr, reset_code_suite());
    srunner_add_suite(sr, refresh_suite());
    srunner_add_suite(sr, jwks_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
