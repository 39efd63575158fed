/* fuzz.h - shared by the libFuzzer targets (tests/fuzz/README in the
 * project README, "Fuzzing"): one APR pool for the process, a subpool
 * per input (cleared, so nothing leaks), and CHECK, which aborts with a
 * message so libFuzzer keeps the input as a crash reproducer. */
#ifndef TASKS_FUZZ_H
#define TASKS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__,     \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* The process pool (created once) and a fresh subpool for one input. */
static apr_pool_t *fuzz_root;

static apr_pool_t *fuzz_pool(void)
{
    apr_pool_t *p = NULL;

    if (fuzz_root == NULL) {
        apr_initialize();
        if (apr_pool_create(&fuzz_root, NULL) != APR_SUCCESS)
            abort();
    }
    if (apr_pool_create(&p, fuzz_root) != APR_SUCCESS)
        abort();
    return p;
}

/* The input as a NUL-terminated string (cut at its first NUL). */
static const char *fuzz_cstr(apr_pool_t *p, const uint8_t *data, size_t size)
{
    return apr_pstrmemdup(p, (const char *)data, size);
}

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

#define S(x) ((x) ? (x) : "(null)")

#endif
