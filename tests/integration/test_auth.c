#include "suites.h"
Suite *auth_suite(void) { return suite_create("auth"); }
