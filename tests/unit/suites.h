/* suites.h - one Check suite per core unit; main.c runs them all. */
#ifndef TASKS_TEST_SUITES_H
#define TASKS_TEST_SUITES_H

#include <check.h>
#include <apr_pools.h>
#include <apr_tables.h>

Suite *b64url_suite(void);
Suite *problem_suite(void);
Suite *validate_suite(void);
Suite *task_suite(void);
Suite *list_suite(void);
Suite *task_json_suite(void);
Suite *list_query_suite(void);
Suite *token_suite(void);
Suite *keys_suite(void);
Suite *password_suite(void);
Suite *route_suite(void);
Suite *reset_code_suite(void);
Suite *refresh_suite(void);
Suite *recur_suite(void);
Suite *jwks_suite(void);
Suite *vtodo_suite(void);
Suite *dav_query_suite(void);
Suite *mcp_suite(void);

/* A fresh pool per test (created in a checked fixture by each suite). */
extern apr_pool_t *test_pool;
void test_pool_setup(void);
void test_pool_teardown(void);
/* Field errors (tasks_field_error) as "field:message|...", in test_pool. */
const char *test_field_errors(const apr_array_header_t *errors);

#endif
