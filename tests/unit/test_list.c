/* test_list.c - the list model: the rules of a list's name, color and
 * position for a create and a patch, and its ETag. */
#include <string.h>
#include <stdlib.h>
#include <apr_strings.h>
#include "suites.h"
#include "tasks/core/list.h"
#include "tasks/core/problem.h"

static tasks_value str(const char *s)
{
    tasks_value v = { .kind = TASKS_VALUE_STRING, .str = s, .len = strlen(s) };
    return v;
}

static tasks_value integer(long long n)
{
    tasks_value v = { .kind = TASKS_VALUE_INTEGER, .integer = n };
    return v;
}

#define NAME_MSG "name:must be a string of 1-100 characters (not only spaces)"
#define COLOR_MSG "color:must be a color as #rrggbb, or null"
#define POSITION_MSG "position:must be a whole number from 0 to the number of lists less one"

/* A create needs a name (trimmed, 1-100 code points); its color is
 * #rrggbb in either case, kept in lower case; a position is not taken. */
START_TEST(create_needs_a_name_and_takes_a_color)
{
    tasks_list_draft d;
    tasks_list_input in;
    char *hundred = apr_pstrdup(test_pool, "");
    int i;

    memset(&d, 0, sizeof d);
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 1, &in)), "name:is required");
    d.name = str("  Work ");
    d.color = str("#A0b1C2");
    d.position = integer(3);
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 1, &in)), "");
    ck_assert_str_eq(in.name, "Work");
    ck_assert_str_eq(in.color, "#a0b1c2");
    ck_assert(!in.has_position);
    for (i = 0; i < 100; i++)
        hundred = apr_pstrcat(test_pool, hundred, "\xc3\xa9", NULL);
    d.name = str(hundred);
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 1, &in)), "");
    d.name = str(apr_pstrcat(test_pool, hundred, "x", NULL));
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 1, &in)), NAME_MSG);
}
END_TEST

/* Each broken value names its field, and every broken field is listed. */
START_TEST(broken_values_name_their_fields)
{
    tasks_list_draft d;
    tasks_list_input in;

    memset(&d, 0, sizeof d);
    d.name = str("   ");
    d.color = str("red");
    d.position = integer(-1);
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 0, &in)),
                     NAME_MSG "|" COLOR_MSG "|" POSITION_MSG);
    d.name = (tasks_value){ .kind = TASKS_VALUE_NULL };
    d.color = str("#12345g");
    d.position = integer(TASKS_LISTS_MAX);
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 0, &in)),
                     NAME_MSG "|" COLOR_MSG "|" POSITION_MSG);
    d.name = (tasks_value){ .kind = TASKS_VALUE_STRING, .str = "a\0b", .len = 3 };
    d.color = str("#1234567");
    d.position = str("2");
    ck_assert_str_eq(test_field_errors(tasks_list_validate(test_pool, &d, 0, &in)),
                     NAME_MSG "|" COLOR_MSG "|" POSITION_MSG);
}
END_TEST

/* A patch writes what it carries: null clears the color. */
START_TEST(patch_writes_only_what_it_carries)
{
    tasks_list_draft d;
    tasks_list_input in;

    memset(&d, 0, sizeof d);
    d.color = (tasks_value){ .kind = TASKS_VALUE_NULL };
    d.position = integer(TASKS_LISTS_MAX - 1);
    ck_assert_ptr_null(tasks_list_validate(test_pool, &d, 0, &in));
    ck_assert(!in.has_name);
    ck_assert(in.has_color && in.color == NULL);
    ck_assert(in.has_position && in.position == TASKS_LISTS_MAX - 1);
}
END_TEST

/* The ETag is "<id>.<version>", and the limit's text is the limit. */
START_TEST(etag_and_limit_text)
{
    tasks_list_row r = { .id = "12", .version = "4" };

    ck_assert_str_eq(tasks_list_etag(test_pool, &r), "\"12.4\"");
    ck_assert_int_eq(atoi(TASKS_LISTS_MAX_TEXT), TASKS_LISTS_MAX);
}
END_TEST

Suite *list_suite(void)
{
    Suite *s = suite_create("list");
    TCase *tc = tcase_create("rules");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, create_needs_a_name_and_takes_a_color);
    tcase_add_test(tc, broken_values_name_their_fields);
    tcase_add_test(tc, patch_writes_only_what_it_carries);
    tcase_add_test(tc, etag_and_limit_text);
    suite_add_tcase(s, tc);
    return s;
}
