/* suites.h - the integration suites; main.c runs them all. */
#ifndef TASKS_IT_SUITES_H
#define TASKS_IT_SUITES_H

#include <check.h>

Suite *foundation_suite(void);
Suite *auth_suite(void);
Suite *tasks_suite(void);
Suite *cors_suite(void);
Suite *external_suite(void);
Suite *types_suite(void);
Suite *proxy_suite(void);
Suite *prefix_suite(void);
Suite *edges_suite(void);
Suite *faults_suite(void);
Suite *account_suite(void);
Suite *lists_suite(void);
Suite *recurrence_suite(void);
Suite *sync_suite(void);
Suite *app_passwords_suite(void);
Suite *caldav_suite(void);
Suite *mcp_suite(void);
Suite *remote_suite(void);
Suite *nodes_suite(void);
/* The foundation suite's cases of test_harmless.c. */
void harmless_tcases(Suite *s);
/* The foundation suite's cases of test_counters.c. */
void counters_tcases(Suite *s);
/* The foundation suite's cases of test_database.c. */
void database_tcases(Suite *s);
/* The foundation suite's cases of test_keys.c (signing keys, rotation). */
void keys_tcases(Suite *s);

#endif
