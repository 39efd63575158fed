#include "suites.h"
Suite *tasks_suite(void) { return suite_create("tasks"); }
