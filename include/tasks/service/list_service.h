/* list_service.h - the list operations every front end calls, scoped to
 * the caller in SQL as the task operations are. Results (core/result.h):
 * DONE, NOT_MODIFIED (get), NOT_FOUND (no such list of the caller's),
 * PRECONDITION_FAILED, INVALID (every field error; a move_to that is not
 * another list of the caller's), CONFLICT (a name taken in any letter
 * case, the Inbox deleted, the 500th list), DENIED, UNAVAILABLE, FAILED. */
#ifndef TASKS_SERVICE_LIST_SERVICE_H
#define TASKS_SERVICE_LIST_SERVICE_H

#include "tasks/core/list.h"
#include "tasks/service/service.h"

/* The caller's lists by position (rows of tasks_list_row). */
tasks_result tasks_lists_all(tasks_service *s, const tasks_caller *who,
                             apr_array_header_t **lists);

/* One list; NOT_MODIFIED (with *out) when pre's If-None-Match names its
 * current version. */
tasks_result tasks_list_get(tasks_service *s, const tasks_caller *who,
                            const char *id, const tasks_precondition *pre,
                            tasks_list_row *out);

/* A new list from a draft (name required, color optional), last. */
tasks_result tasks_list_create(tasks_service *s, const tasks_caller *who,
                               const tasks_list_draft *draft,
                               const tasks_once *once, tasks_list_row *out,
                               int *replayed);

/* Change a list's name, color or position (the others shift), if pre's
 * If-Match holds. */
tasks_result tasks_list_update(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               const tasks_list_draft *draft,
                               tasks_list_row *out);

/* Delete a list and its tasks, or move its tasks to move_to first (a
 * value as the front end found it: ABSENT for none, else the id of
 * another list of the caller's), if pre's If-Match holds; *moved: how
 * many tasks moved. */
tasks_result tasks_list_delete(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               const tasks_value *move_to, long long *moved);

#endif
