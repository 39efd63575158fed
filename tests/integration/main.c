/* main.c - runs the integration suites against the stack run.sh started. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "suites.h"

int main(void)
{
    SRunner *sr;
    int failed;

    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    curl_global_init(CURL_GLOBAL_ALL);
    sr = srunner_create(foundation_suite());
    srunner_add_suite(sr, auth_suite());
    srunner_add_suite(sr, tasks_suite());
    srunner_add_suite(sr, cors_suite());
    srunner_add_suite(sr, external_suite());
    srunner_add_suite(sr, types_suite());
    srunner_add_suite(sr, proxy_suite());
    srunner_add_suite(sr, prefix_suite());
    srunner_add_suite(sr, account_suite());
    srunner_add_suite(sr, lists_suite());
    srunner_add_suite(sr, recurrence_suite());
    srunner_add_suite(sr, sync_suite());
    srunner_add_suite(sr, app_passwords_suite());
    srunner_add_suite(sr, caldav_suite());
    srunner_add_suite(sr, mcp_suite());
    srunner_add_suite(sr, edges_suite());
    srunner_add_suite(sr, faults_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
