/* task_service.h - the task operations every front end calls. Each takes
 * the caller, plain input and preconditions, is scoped to the caller in
 * SQL, and returns what happened (core/result.h):
 *   DONE, NOT_MODIFIED (get), NOT_FOUND, PRECONDITION_FAILED, INVALID
 *   (every field error), MALFORMED (a cursor that is not this query's),
 *   DENIED (the caller's token no longer stands), UNAVAILABLE, FAILED.
 * "Not found" and "precondition failed" are decided by the same
 * statement as the write. */
#ifndef TASKS_SERVICE_TASK_SERVICE_H
#define TASKS_SERVICE_TASK_SERVICE_H

#include "tasks/core/list_query.h"
#include "tasks/core/task.h"
#include "tasks/service/service.h"
#include "tasks/store/store.h"

/* Create a task from a draft (absent fields get their defaults). With
 * once->key (once may be NULL): at most once per key of the caller's in
 * 24 hours; the same key again with the same request gives the task as
 * it was created (*replayed 1; replayed may be NULL), with another
 * request INVALID, while the first runs CONFLICT (tasks_service_claim).
 * An invalid draft is refused before its key is claimed. */
tasks_result tasks_task_create(tasks_service *s, const tasks_caller *who,
                               const tasks_task_draft *draft,
                               const tasks_once *once, tasks_task_row *out,
                               int *replayed);

/* One task; NOT_MODIFIED (with *out) when pre's If-None-Match names its
 * current version. */
tasks_result tasks_task_get(tasks_service *s, const tasks_caller *who,
                            const char *id, const tasks_precondition *pre,
                            tasks_task_row *out);

/* Replace (TASKS_INPUT_PUT) or patch (TASKS_INPUT_PATCH) a task's
 * writable fields, if pre's If-Match holds. A recurring task's rule, zone
 * and due_at are checked together (tasks_task_schedule_check); a change
 * of any starts its series again at due_at. Completing a recurring task
 * (here or by tasks_task_complete) that has another occurrence keeps it
 * pending at that occurrence, moving its reminders' instants with it,
 * and records the completion; when its rule is exhausted it completes
 * for good (recorded too). Un-completing a task completed for good
 * makes it pending at its last due_at and takes that record back;
 * un-completing a pending task changes nothing. Two concurrent
 * completions of one occurrence move it once. */
tasks_result tasks_task_update(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               tasks_input_mode mode,
                               const tasks_task_draft *draft,
                               tasks_task_row *out);

/* Set the completion flag to *completed (a boolean value), or toggle it
 * when completed is NULL, if pre's If-Match holds. */
tasks_result tasks_task_complete(tasks_service *s, const tasks_caller *who,
                                 const char *id,
                                 const tasks_precondition *pre,
                                 const tasks_value *completed,
                                 tasks_task_row *out);

/* The completions of a recurring task of the caller's, newest first
 * (rows of tasks_completion_row); NOT_FOUND as for a read. */
tasks_result tasks_task_completions(tasks_service *s, const tasks_caller *who,
                                    const char *id,
                                    apr_array_header_t **completions);

/* The caller's reminders of pending tasks that fire after since (NULL:
 * any time) and at or before until (instants in tasks_rfc3339_to_utc's
 * form), by when they fire (rows of tasks_reminder_row). */
tasks_result tasks_reminders_due(tasks_service *s, const tasks_caller *who,
                                 const char *since, const char *until,
                                 apr_array_header_t **reminders);

/* How long a changes token stays good: deletions (tombstones) are kept
 * this long (sql/011: the purge's interval is the same 30 days). */
#define TASKS_CHANGES_RETENTION (30LL * 86400)

/* A page of the changes feed: changes (rows of tasks_change_row, oldest
 * first, each task at most once, its latest state or its deletion), the
 * token to ask with next, and whether more changes wait. */
typedef struct {
    apr_array_header_t *rows;
    const char *next;
    int more;
} tasks_changes_page;

/* The caller's changes after the token since (NULL: every current task,
 * no deletions), at most limit. MALFORMED: since is not a token of the
 * caller's; GONE: it is older than TASKS_CHANGES_RETENTION. */
tasks_result tasks_tasks_changes(tasks_service *s, const tasks_caller *who,
                                 const char *since, int limit,
                                 tasks_changes_page *page);

tasks_result tasks_task_delete(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre);

/* Delete every completed task of the caller, or of one list of theirs
 * (list_id: canonical digits; NULL: every list; another user's list has
 * none of theirs); *deleted how many. */
tasks_result tasks_tasks_clear_completed(tasks_service *s,
                                         const tasks_caller *who,
                                         const char *list_id,
                                         long long *deleted);

typedef struct {
    apr_array_header_t *rows;   /* tasks_task_row, at most q->limit        */
    long long total;            /* tasks matching the query                */
    const char *next_cursor;    /* the next page's cursor; NULL: last page */
} tasks_task_page;

/* One page of the caller's tasks for q, after q->cursor (raw text, made by
 * an earlier page of the same query and caller: MALFORMED otherwise). */
tasks_result tasks_tasks_list(tasks_service *s, const tasks_caller *who,
                              const tasks_list_query *q,
                              tasks_task_page *page);

/* ---- Tasks as CalDAV resources (API.md, "CalDAV") ----------------------
 * Each of the caller's lists is a collection; each task of it a resource
 * named by its dav_name (tasks_task_resource). The operations below are
 * the task operations above with a list and a name in place of an id:
 * the same rules, preconditions and change numbers. */

/* The caller's sync mark: a changes token (tasks_tasks_changes) for
 * their latest change, the same all day while nothing changes. Every
 * collection of theirs has it as its getctag and sync-token. */
tasks_result tasks_resources_mark(tasks_service *s, const tasks_caller *who,
                                  const char **token);

typedef struct {
    apr_array_header_t *rows;   /* tasks_task_row, by name                */
    apr_array_header_t *gone;   /* const char *: names that left the list */
    const char *token;          /* the mark as of this read               */
} tasks_resource_page;

/* The tasks of the caller's list list_id: every one (since NULL), or
 * those changed since the mark since and the names gone since (deleted,
 * or moved to another list). NOT_FOUND: no such list of the caller's;
 * MALFORMED: since is not a mark of theirs; GONE: it is older than
 * TASKS_CHANGES_RETENTION. */
tasks_result tasks_resources_list(tasks_service *s, const tasks_caller *who,
                                  long long list_id, const char *since,
                                  tasks_resource_page *page);

/* The tasks of the caller's list list_id with the names in names (const
 * char *), by name; names that name none are left out. NOT_FOUND: no
 * such list. */
tasks_result tasks_resources_get(tasks_service *s, const tasks_caller *who,
                                 long long list_id,
                                 const apr_array_header_t *names,
                                 apr_array_header_t **rows);

/* Write the resource name of list list_id from a whole representation:
 * draft (every field but list_id; judged by the field rules as a PUT's),
 * its UID and the kept text of what no field models. The task named so
 * is replaced (tasks_task_update: a recurring task's completion moves it
 * on) if if_match (the If-Match header as sent; NULL: none) holds, or
 * made (*created 1) in the list. PRECONDITION_FAILED: if_none_match_any
 * and it exists, or if_match and it does not; CONFLICT: another task of
 * the list has the UID (*out: that task); NOT_FOUND: no such list;
 * INVALID: a field rule, or the name, UID or kept text too long. */
tasks_result tasks_resource_put(tasks_service *s, const tasks_caller *who,
                                long long list_id, const char *name,
                                const char *if_match, int if_none_match_any,
                                const tasks_task_draft *draft,
                                const char *uid, const char *kept,
                                tasks_task_row *out, int *created);

/* Delete the resource name of list list_id if if_match (as sent; NULL:
 * none) holds. NOT_FOUND: no such resource (or list). */
tasks_result tasks_resource_delete(tasks_service *s, const tasks_caller *who,
                                   long long list_id, const char *name,
                                   const char *if_match);

#endif
