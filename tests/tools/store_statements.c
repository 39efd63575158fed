/* store_statements.c - prints every statement of the store as
 * "label<TAB>sql" lines, and the session settings as "settings<TAB>sql",
 * through the store's own interface (tests check their plans with it). */
#include <stdio.h>

#include "tasks/store/store.h"

int main(void)
{
    int i, n = tasks_store_statement_count();

    printf("settings\t%s\n", tasks_store_session_settings());
    for (i = 0; i < n; i++)
        printf("%s\t%s\n", tasks_store_statement_label(i),
               tasks_store_statement_sql(i));
    return 0;
}
