/* validate.h: tasks_utf8_length agrees with a reference decoder written
 * here from RFC 3629; tasks_rfc3339_to_utc is idempotent (what it returns
 * it accepts again, unchanged, in its fixed 27-byte form); trimming only
 * shortens; email normalisation is idempotent; tags (one per line of the
 * input) that the task rules accept are a JSON array that the rules
 * accept again to the same text. */
#include "fuzz.h"
#include <jansson.h>
#include "tasks/core/validate.h"
#include "tasks/core/task.h"
#include "tasks/core/task_json.h"
#include "tasks/core/problem.h"

/* Code points in s, or -1: strict UTF-8 by the table of RFC 3629 s. 4. */
static long ref_utf8_length(const unsigned char *s, size_t len)
{
    size_t i = 0;
    long n = 0;

    while (i < len) {
        unsigned c = s[i], lo = 0x80, hi = 0xBF;
        size_t k;

        if (c < 0x80)
            k = 0;
        else if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        else
            return -1;
        if (i + k >= len)
            return -1;
        for (size_t j = 1; j <= k; j++) {
            unsigned b = s[i + j];
            if (b < (j == 1 ? lo : 0x80) || b > (j == 1 ? hi : 0xBF))
                return -1;
        }
        i += k + 1;
        n++;
    }
    return n;
}

static void check_tags(apr_pool_t *p, const char *text)
{
    tasks_value items[64];
    int n = 0;
    const char *s = text;
    tasks_task_draft d;
    tasks_task_input in, in2;
    json_t *arr = NULL;

    while (n < 64) {
        const char *nl = strchr(s, '\n');
        size_t l = nl ? (size_t)(nl - s) : strlen(s);

        memset(&items[n], 0, sizeof(items[n]));
        items[n].kind = TASKS_VALUE_STRING;
        items[n].str = apr_pstrmemdup(p, s, l);
        items[n].len = l;
        n++;
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    memset(&d, 0, sizeof(d));
    d.tags.kind = TASKS_VALUE_LIST;
    d.tags.items = items;
    d.tags.nitems = n;
    if (tasks_task_validate(p, &d, TASKS_INPUT_PATCH, &in) != NULL)
        return;
    CHECK(in.has_tags && in.tags != NULL, "tags accepted without text");
    CHECK(tasks_json_parse_object(p, apr_pstrcat(p, "{\"tags\":", in.tags, "}", NULL),
                                  strlen(in.tags) + 9, &arr) == NULL,
          "tags text is not JSON: %s", in.tags);
    CHECK(tasks_task_input_from_json(p, arr, TASKS_INPUT_PATCH, &in2) == NULL,
          "normalised tags refused: %s", in.tags);
    CHECK(in2.has_tags && str_eq(in.tags, in2.tags), "%s then %s", in.tags, S(in2.tags));
    CHECK(json_array_size(json_object_get(arr, "tags")) <= 20, "too many tags");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = fuzz_cstr(p, data, size);
    long n = tasks_utf8_length((const char *)data, size), ref;
    const char *utc, *t, *e;

    ref = ref_utf8_length(data, size);
    CHECK(n == ref, "utf8_length %ld, reference %ld", n, ref);

    utc = tasks_rfc3339_to_utc(p, s);
    if (utc != NULL) {
        const char *again = tasks_rfc3339_to_utc(p, utc);
        CHECK(strlen(utc) == 27 && utc[26] == 'Z', "form of %s", utc);
        CHECK(again != NULL && strcmp(again, utc) == 0, "%s -> %s -> %s", s, utc, S(again));
    }

    t = tasks_trim(p, s);
    CHECK(t != NULL && strlen(t) <= strlen(s) && strstr(s, t) != NULL, "trim");

    e = tasks_email_normalize(p, s);
    if (e != NULL) {
        const char *again = tasks_email_normalize(p, e);
        CHECK(strlen(e) <= 254 && again != NULL && strcmp(again, e) == 0, "email %s", e);
    }

    check_tags(p, s);
    apr_pool_destroy(p);
    return 0;
}
