/* recurrence rules, zones and reminder durations: a rule that parses is
 * normalised to upper case, parses again to itself, and has an iterator
 * libical can run: the next occurrence after a fixed start is later than
 * it, or there is none; the input read as a zone name is accepted only
 * as the name itself or "UTC", never a path; a duration that reads is
 * positive and at most the limit. Split at the first newline: the rule
 * before it, a zone and a duration after it. */
#include "fuzz.h"
#include "tasks/core/recur.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *text = apr_pstrmemdup(p, (const char *)data, size), *nl;
    const char *rest = "", *normalized = NULL, *again = NULL, *zone, *next;
    long long secs = 0;

    if ((nl = strchr(text, '\n'))) {
        *nl = '\0';
        rest = nl + 1;
    }
    if (!tasks_recur_parse(p, text, &normalized)) {
        size_t i;

        for (i = 0; normalized[i]; i++)
            CHECK(normalized[i] < 'a' || normalized[i] > 'z', "%s is not upper case",
                  normalized);
        CHECK(!tasks_recur_parse(p, normalized, &again) && !strcmp(again, normalized),
              "%s does not parse to itself", normalized);
        switch (tasks_recur_next(p, normalized, "Europe/Berlin",
                                 "2026-03-01T08:00:00.000000Z",
                                 "2026-03-01T08:00:00.000000Z", &next)) {
        case TASKS_RECUR_NEXT:
            CHECK(strcmp(next, "2026-03-01T08:00:00.000000Z") > 0,
                  "%s: %s is not after the start", normalized, next);
            break;
        case TASKS_RECUR_END:
            break;
        default:
            CHECK(0, "%s parsed but is invalid to expand", normalized);
        }
    }
    if ((zone = tasks_zone_check(rest)))
        CHECK(!strcmp(zone, rest) || !strcmp(zone, "UTC"), "zone %s for %s", zone, rest);
    if (strstr(rest, ".."))
        CHECK(zone == NULL, "a path %s is a zone", rest);
    if (tasks_duration_seconds(rest, &secs) == 0)
        CHECK(secs > 0 && secs <= TASKS_REMINDER_BEFORE_MAX, "%s is %lld s", rest, secs);
    apr_pool_destroy(p);
    return 0;
}
