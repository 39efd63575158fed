#include "suites.h"
Suite *cors_suite(void) { return suite_create("cors"); }
