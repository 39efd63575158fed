/* main.c - runs the integration suites against the stack run.sh started. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "suites.h"

/* Every suite, in the order they run. */
#define SUITES(X) X(foundation) X(auth) X(tasks) X(cors) X(external) \
    X(types) X(proxy) X(prefix) X(account) X(lists) X(recurrence) X(sync) \
    X(app_passwords) X(caldav) X(mcp) X(remote) X(nodes) X(edges) X(faults)

/* Is the suite named in SUITES (names separated by spaces), or is
 * SUITES unset (all)? */
static int wanted(const char *name)
{
    const char *list = getenv("SUITES"), *at;
    size_t n = strlen(name);

    if (!list || !*list)
        return 1;
    for (at = strstr(list, name); at; at = strstr(at + 1, name))
        if ((at == list || at[-1] == ' ') && (at[n] == ' ' || at[n] == '\0'))
            return 1;
    return 0;
}

int main(void)
{
    SRunner *sr = srunner_create(NULL);
    int failed;

    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    curl_global_init(CURL_GLOBAL_ALL);
#define ADD(name) if (wanted(#name)) srunner_add_suite(sr, name##_suite());
    SUITES(ADD)
#undef ADD
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
