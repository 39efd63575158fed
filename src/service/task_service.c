/* task_service.c - the task operations: validation by the field rules,
 * preconditions, cursors, and one store call each. The rules a front end
 * must never copy live here: what a miss means, how If-Match becomes a
 * version, that a cursor belongs to one caller and one query. */
#include <string.h>

#include <apr_strings.h>

#include "tasks/core/problem.h"
#include "tasks/core/recur.h"
#include "tasks/service/task_service.h"

#define NO_SUCH_TASK "no such task"
#define CHANGED "the task was changed since it was read (If-Match does not match)"

/* How often a write of a recurring task is tried again when another
 * write changed the task between this one's read and its write. */
#define SCHEDULE_TRIES 5

/* A write's outcome: DONE, or what its miss was. */
static tasks_result written(const tasks_service *s, tasks_db_rc rc)
{
    switch (rc) {
    case TASKS_DB_OK:
        return TASKS_RESULT_DONE;
    case TASKS_DB_NONE:
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_TASK);
    case TASKS_DB_MISMATCH:
        return TASKS_RESULT(TASKS_PRECONDITION_FAILED, CHANGED);
    case TASKS_DB_NO_LIST:
        /* Another person's list and none at all read alike. */
        return tasks_service_field_invalid(s->pool, "list_id",
                                           "must be the id of one of your lists");
    case TASKS_DB_CONFLICT:
        /* Only a resource's name or UID can be taken (sql/013). */
        return TASKS_RESULT(TASKS_CONFLICT, "a task of that list has this "
                            "resource name or UID");
    default:
        return tasks_service_db_failure(rc);
    }
}

/* A create of draft as the resource res (NULL: none), at most once per
 * once's key. */
static tasks_result create_task(tasks_service *s, const tasks_caller *who,
                                const tasks_task_draft *draft,
                                const tasks_once *once,
                                const tasks_task_resource *res,
                                tasks_task_row *out, int *replayed)
{
    apr_array_header_t *errors, *record = NULL;
    tasks_task_input in;
    tasks_result result;
    tasks_db *db;
    int keyed = once && once->key;

    if (replayed)
        *replayed = 0;
    if ((errors = tasks_task_validate(s->pool, draft, TASKS_INPUT_CREATE, &in))
        || (errors = tasks_task_schedule_check(s->pool, in.recurrence,
                                               in.time_zone, in.due_at)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if (keyed) {
        result = tasks_service_claim(s, db, who, once, &record);
        if (result.outcome != TASKS_DONE)
            return result;
        if (record) {
            if (tasks_db_task_from_record(db, who, record, out) != 0)
                return TASKS_RESULT(TASKS_FAILED, NULL);
            if (replayed)
                *replayed = 1;
            return TASKS_RESULT_DONE;
        }
    }
    result = written(s, tasks_db_task_insert(db, who, &in, res,
                                             keyed ? once->key : NULL, out));
    if (keyed && result.outcome != TASKS_DONE)
        tasks_db_idem_release(db, who, once->key);
    return result;
}

/* Promise: see task_service.h. */
tasks_result tasks_task_create(tasks_service *s, const tasks_caller *who,
                               const tasks_task_draft *draft,
                               const tasks_once *once, tasks_task_row *out,
                               int *replayed)
{
    return create_task(s, who, draft, once, NULL, out, replayed);
}

/* Promise: see task_service.h. */
tasks_result tasks_task_get(tasks_service *s, const tasks_caller *who,
                            const char *id, const tasks_precondition *pre,
                            tasks_task_row *out)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_task_get(db, who, id, out);
    if (rc != TASKS_DB_OK)
        return written(s, rc);
    if (tasks_service_not_modified(pre, out->version))
        return TASKS_RESULT(TASKS_NOT_MODIFIED, NULL);
    return TASKS_RESULT_DONE;
}

/* Whether in writes nothing (and the write would only bump the version). */
static int writes_nothing(const tasks_task_input *in, int toggle)
{
    int any = toggle;

#define X(name, access, kind, min, max, items, column) \
    TASKS_IF_RW(access, any |= in->has_##name;)
    TASKS_TASK_FIELDS(X)
#undef X
    return !any;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The write of in (and toggle) to the task cur, as a recurring task's
 * schedule makes it: the rule, zone and due_at as they will be checked
 * together (a change starts the series again at due_at), completing an
 * occurrence moves due_at (and the reminders' instants) to the next one
 * and records it, or completes the task for good when the rule is
 * exhausted; un-completing a task completed for good takes its record
 * back. in and *toggle are changed to say so; *sched says the rest.
 * NULL, or the field errors. */
static apr_array_header_t *plan_schedule(apr_pool_t *p,
                                         const tasks_task_row *cur,
                                         tasks_task_input *in, int *toggle,
                                         tasks_task_schedule *sched)
{
    const char *rule = in->has_recurrence ? in->recurrence : cur->recurrence;
    const char *zone = in->has_time_zone ? in->time_zone : cur->time_zone;
    const char *due = in->has_due_at ? in->due_at : cur->due_at;
    int done_now = cur->completed && *cur->completed == 't';
    int done_then = in->has_completed ? in->completed
                                      : *toggle ? !done_now : done_now;
    const char *start, *next, *reminders;
    apr_array_header_t *errors;
    long long delta;

    if (!rule) {
        /* No rule (any more): no series. */
        sched->set_start = cur->recurrence_start != NULL;
        sched->start = NULL;
        return NULL;
    }
    if (!same_text(rule, cur->recurrence) || !same_text(zone, cur->time_zone)
        || !same_text(due, cur->due_at)) {
        if ((errors = tasks_task_schedule_check(p, rule, zone, due)))
            return errors;
        sched->set_start = 1;
        sched->start = due;
    }
    start = sched->set_start ? sched->start
          : cur->recurrence_start ? cur->recurrence_start : due;
    if (!done_now && done_then) {
        sched->done_due = due;
        if (tasks_recur_next(p, rule, zone, start, due, &next)
            == TASKS_RECUR_NEXT) {
            /* Another occurrence: pending, due then; the reminders at
             * fixed instants move with it (those before due_at follow). */
            reminders = in->has_reminders ? in->reminders : cur->reminders;
            if (tasks_instant_diff(due, next, &delta) == 0
                && (reminders = tasks_reminders_shift(p, reminders, delta))) {
                in->has_reminders = 1;
                in->reminders = reminders;
            }
            in->has_completed = 1;
            in->completed = 0;
            *toggle = 0;
            in->has_due_at = 1;
            in->due_at = next;
        }
    }
    else if (done_now && !done_then && cur->recurrence) {
        sched->undone_due = cur->due_at;
    }
    return NULL;
}

/* An update (fields, toggle) of task id under pre. Most writes touch no
 * schedule: one guarded statement, which writes unless the task recurs.
 * A recurring task (or a new rule) is read first and written with the
 * version read, so that its schedule is decided on what is stored; when
 * another write comes between, it is read again. A completion reads the
 * task first of all: if the occurrence due then was completed by another
 * write meanwhile, completing it is done already, so two completions of
 * one occurrence sent together move it once. */
static tasks_result update_task(tasks_service *s, const tasks_caller *who,
                                const char *id, const tasks_precondition *pre,
                                const tasks_task_input *in, int toggle,
                                const tasks_task_resource *res,
                                tasks_task_row *out)
{
    long long required = tasks_service_required_version(pre);
    int completing = toggle || (in->has_completed && in->completed);
    const char *seen_due = NULL;
    tasks_task_schedule sched;
    tasks_task_row seen;
    tasks_db *db;
    tasks_db_rc rc;
    int attempt;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    /* A completion completes the occurrence that was due when it arrived:
     * read now, before any statement that may wait for a lock (another
     * write of the same person's holds their users row), so that two
     * completions sent together both name the same occurrence. */
    if (completing) {
        if ((rc = tasks_db_task_get(db, who, id, &seen)) != TASKS_DB_OK)
            return written(s, rc);
        seen_due = seen.due_at;
    }
    if (!(in->has_recurrence && in->recurrence)) {
        memset(&sched, 0, sizeof sched);
        sched.guard = 1;
        rc = tasks_db_task_update(db, who, id, required, in, toggle, &sched,
                                  res, out);
        if (rc != TASKS_DB_RECURRING)
            return written(s, rc);
    }
    for (attempt = 0; attempt < SCHEDULE_TRIES; attempt++) {
        tasks_task_input w = *in;
        int w_toggle = toggle;
        apr_array_header_t *errors;
        tasks_task_row cur;

        memset(&sched, 0, sizeof sched);
        if ((rc = tasks_db_task_get(db, who, id, &cur)) != TASKS_DB_OK)
            return written(s, rc);
        if (required >= 0 && apr_atoi64(cur.version) != required)
            return written(s, TASKS_DB_MISMATCH);
        if (!completing) {
            /* nothing to compare: only a completion names an occurrence */
        }
        else if (!same_text(seen_due, cur.due_at)) {
            w.has_completed = 0;
            w_toggle = 0;
            if (writes_nothing(&w, w_toggle) && !res) {
                *out = cur;
                return TASKS_RESULT_DONE;
            }
        }
        if ((errors = plan_schedule(s->pool, &cur, &w, &w_toggle, &sched)))
            return tasks_service_invalid(s->pool, errors, NULL);
        rc = tasks_db_task_update(db, who, id, apr_atoi64(cur.version), &w,
                                  w_toggle, &sched, res, out);
        if (rc != TASKS_DB_MISMATCH || required >= 0)
            return written(s, rc);
    }
    return TASKS_RESULT(TASKS_BUSY, NULL);
}

/* Promise: see task_service.h. */
tasks_result tasks_task_update(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre,
                               tasks_input_mode mode,
                               const tasks_task_draft *draft,
                               tasks_task_row *out)
{
    tasks_task_input in;
    apr_array_header_t *errors;

    if ((errors = tasks_task_validate(s->pool, draft, mode, &in)))
        return tasks_service_invalid(s->pool, errors, NULL);
    return update_task(s, who, id, pre, &in, 0, NULL, out);
}

/* Promise: see task_service.h. */
tasks_result tasks_task_complete(tasks_service *s, const tasks_caller *who,
                                 const char *id,
                                 const tasks_precondition *pre,
                                 const tasks_value *completed,
                                 tasks_task_row *out)
{
    tasks_task_input in;

    memset(&in, 0, sizeof in);
    if (completed) {
        if (completed->kind != TASKS_VALUE_BOOL) {
            apr_array_header_t *errors = NULL;
            tasks_field_error_add(s->pool, &errors, "completed",
                                  "must be a boolean (or send no body to "
                                  "toggle)");
            return tasks_service_invalid(s->pool, errors, NULL);
        }
        tasks_task_input_completed(&in, completed->boolean);
    }
    return update_task(s, who, id, pre, &in, completed == NULL, NULL, out);
}

/* Promise: see task_service.h. */
tasks_result tasks_task_completions(tasks_service *s, const tasks_caller *who,
                                    const char *id,
                                    apr_array_header_t **completions)
{
    tasks_db *db;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_completions(db, who, id, completions));
}

/* Promise: see task_service.h. */
tasks_result tasks_reminders_due(tasks_service *s, const tasks_caller *who,
                                 const char *since, const char *until,
                                 apr_array_header_t **reminders)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_reminders(db, who, since, until, reminders);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see task_service.h. */
tasks_result tasks_task_delete(tasks_service *s, const tasks_caller *who,
                               const char *id, const tasks_precondition *pre)
{
    tasks_db *db;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    return written(s, tasks_db_task_delete(db, who, id, tasks_service_required_version(pre)));
}

/* Promise: see task_service.h. */
tasks_result tasks_tasks_clear_completed(tasks_service *s,
                                         const tasks_caller *who,
                                         const char *list_id,
                                         long long *deleted)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_tasks_clear_completed(db, who, list_id, deleted);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see task_service.h. A cursor is signed with the token signing
 * key (any listed key verifies it) and bound to the caller and the
 * query's fingerprint, so a tampered, foreign, other query's or retired
 * key's cursor is MALFORMED, never a query. */
tasks_result tasks_tasks_list(tasks_service *s, const tasks_caller *who,
                              const tasks_list_query *q,
                              tasks_task_page *page)
{
    const tasks_keyring *keys = &s->token->keys;
    tasks_cursor cursor, *after = NULL;
    tasks_db *db;
    tasks_db_rc rc;

    page->rows = NULL;
    page->total = 0;
    page->next_cursor = NULL;
    if (q->cursor) {
        if (tasks_cursor_decode(s->pool, keys, who->user_id, q, q->cursor,
                                &cursor))
            return TASKS_RESULT(TASKS_MALFORMED, "invalid query parameter: "
                                "cursor (it does not belong to this query)");
        after = &cursor;
    }
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_tasks_list(db, who, q, after, &page->rows, &page->total);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if (page->rows->nelts > q->limit) {
        const tasks_task_row *last;
        tasks_cursor next;

        page->rows->nelts = q->limit;
        last = &APR_ARRAY_IDX(page->rows, q->limit - 1, tasks_task_row);
        next.value = tasks_row_sort_value(last, q->sort);
        next.id = last->id;
        page->next_cursor = tasks_cursor_encode(s->pool, keys, who->user_id,
                                                q, &next);
    }
    return TASKS_RESULT_DONE;
}

/* Promise: see task_service.h. */
tasks_result tasks_tasks_changes(tasks_service *s, const tasks_caller *who,
                                 const char *since, int limit,
                                 tasks_changes_page *page)
{
    const tasks_keyring *keys = &s->token->keys;
    long long seq = -1, issued = 0, latest = 0, now, next_seq, next_time;
    tasks_db *db;
    tasks_db_rc rc;

    page->rows = NULL;
    page->next = NULL;
    page->more = 0;
    now = (long long)apr_time_sec(apr_time_now());
    if (since) {
        if (tasks_changes_token_decode(s->pool, keys, who->user_id, since,
                                       &seq, &issued))
            return TASKS_RESULT(TASKS_MALFORMED, "invalid query parameter: "
                                "since (not a changes token of yours)");
        if (now - issued > TASKS_CHANGES_RETENTION)
            return TASKS_RESULT(TASKS_GONE, "this changes token is older "
                                "than the 30 days deletions are kept: list "
                                "the tasks again (GET /api/tasks/changes "
                                "without since)");
    }
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_changes(db, who, seq, since != NULL, limit + 1,
                          &page->rows, &latest);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if (page->rows->nelts > limit) {
        /* More to come: the next page starts after this one's last
         * change, and keeps the time its chain of tokens started at (a
         * deletion the later pages hold may be older than now). */
        page->rows->nelts = limit;
        page->more = 1;
        next_seq = APR_ARRAY_IDX(page->rows, limit - 1, tasks_change_row).seq;
        next_time = since ? issued : now;
    }
    else {
        /* All of it: every change up to latest was read now. */
        next_seq = latest;
        next_time = now;
    }
    if (!(page->next = tasks_changes_token_encode(s->pool, keys, who->user_id,
                                                  next_seq < 0 ? 0 : next_seq,
                                                  next_time)))
        return TASKS_RESULT(TASKS_FAILED, NULL);
    return TASKS_RESULT_DONE;
}

/* ---- Tasks as CalDAV resources ---------------------------------------- */

/* The issue time a sync mark carries: the start of today (UTC), so that
 * a collection's mark stays the same all day while nothing changes (a
 * client compares it to decide whether to sync), and its age is never
 * under-counted. */
static long long mark_day(void)
{
    long long now = (long long)apr_time_sec(apr_time_now());

    return now - now % 86400;
}

static tasks_result mark(tasks_service *s, const tasks_caller *who,
                         long long seq, const char **token)
{
    *token = tasks_changes_token_encode(s->pool, &s->token->keys,
                                        who->user_id, seq, mark_day());
    return *token ? TASKS_RESULT_DONE : TASKS_RESULT(TASKS_FAILED, NULL);
}

/* Promise: see task_service.h. */
tasks_result tasks_resources_mark(tasks_service *s, const tasks_caller *who,
                                  const char **token)
{
    long long latest = 0;
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if ((rc = tasks_db_change_seq(db, who, &latest)) != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    return mark(s, who, latest, token);
}

#define NO_SUCH_LIST "no such list"

/* Promise: see task_service.h. */
tasks_result tasks_resources_list(tasks_service *s, const tasks_caller *who,
                                  long long list_id, const char *since,
                                  tasks_resource_page *page)
{
    long long seq = -1, issued = 0, latest = 0;
    tasks_db *db;
    tasks_db_rc rc;

    memset(page, 0, sizeof *page);
    if (since) {
        if (tasks_changes_token_decode(s->pool, &s->token->keys,
                                       who->user_id, since, &seq, &issued))
            return TASKS_RESULT(TASKS_MALFORMED, "not a sync token of yours");
        if ((long long)apr_time_sec(apr_time_now()) - issued
            > TASKS_CHANGES_RETENTION)
            return TASKS_RESULT(TASKS_GONE, "this sync token is older than "
                                "the 30 days deletions are kept");
    }
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_dav_members(db, who, list_id, seq, &page->rows, &page->gone,
                              &latest);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_LIST);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    return mark(s, who, latest, &page->token);
}

/* Promise: see task_service.h. */
tasks_result tasks_resources_get(tasks_service *s, const tasks_caller *who,
                                 long long list_id,
                                 const apr_array_header_t *names,
                                 apr_array_header_t **rows)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_dav_find(db, who, list_id, names, NULL, rows);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_LIST);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* The resource name of the caller's list list_id (*named) and another
 * task of that list with UID uid (*same_uid; uid NULL: not looked for),
 * NULL when there is none, in one statement: OK, NONE (no such list of
 * the caller's) or a failure. */
static tasks_db_rc find_resource(tasks_service *s, tasks_db *db,
                                 const tasks_caller *who, long long list_id,
                                 const char *name, const char *uid,
                                 const tasks_task_row **named,
                                 const tasks_task_row **same_uid)
{
    apr_array_header_t *names = apr_array_make(s->pool, 1, sizeof(const char *));
    apr_array_header_t *rows;
    tasks_db_rc rc;
    int i;

    *named = *same_uid = NULL;
    APR_ARRAY_PUSH(names, const char *) = name;
    if ((rc = tasks_db_dav_find(db, who, list_id, names, uid, &rows)) != TASKS_DB_OK)
        return rc;
    for (i = 0; i < rows->nelts; i++) {
        const tasks_task_row *t = &APR_ARRAY_IDX(rows, i, tasks_task_row);

        if (strcmp(t->dav_name, name) == 0)
            *named = t;
        else if (uid && strcmp(t->dav_uid, uid) == 0)
            *same_uid = t;
    }
    return TASKS_DB_OK;
}

/* RFC 4791 5.3.2.1 (no-uid-conflict): one UID, one resource of a list;
 * *out the task that has it. */
static tasks_result uid_taken(const tasks_task_row *same_uid,
                              tasks_task_row *out)
{
    *out = *same_uid;
    return TASKS_RESULT(TASKS_CONFLICT, "another task of this list has this UID");
}

/* A resource's UID, name and kept text against their kinds' limits
 * (LABEL, KEPT: task.h). */
static apr_array_header_t *resource_errors(apr_pool_t *p, const char *name,
                                           const char *uid, const char *kept)
{
    apr_array_header_t *errors = NULL;

    if (name && (!*name || strlen(name) > TASKS_LABEL_MAX))
        tasks_field_error_add(p, &errors, "name", apr_psprintf(p,
                              "must be 1 to %d bytes", TASKS_LABEL_MAX));
    if (uid && (!*uid || strlen(uid) > TASKS_LABEL_MAX))
        tasks_field_error_add(p, &errors, "UID", apr_psprintf(p,
                              "must be 1 to %d bytes", TASKS_LABEL_MAX));
    if (kept && strlen(kept) > TASKS_KEPT_MAX)
        tasks_field_error_add(p, &errors, "properties", apr_psprintf(p,
                              "without a task field must be at most %d "
                              "bytes together", TASKS_KEPT_MAX));
    return errors;
}

/* A resource's write refused by sql/013's unique indexes: another
 * request took its name or its UID in the list meanwhile. The UID's
 * conflict (with the task that took it), else PRECONDITION_FAILED (the
 * name: the client's view is stale). */
static tasks_result taken_meanwhile(tasks_service *s, tasks_db *db,
                                    const tasks_caller *who, long long list_id,
                                    const char *name, const char *uid,
                                    tasks_task_row *out)
{
    const tasks_task_row *named, *same_uid;

    if (find_resource(s, db, who, list_id, name, uid, &named, &same_uid)
        == TASKS_DB_OK && same_uid)
        return uid_taken(same_uid, out);
    return TASKS_RESULT(TASKS_PRECONDITION_FAILED, "the resource was made or "
                        "changed meanwhile");
}

/* Promise: see task_service.h. */
tasks_result tasks_resource_put(tasks_service *s, const tasks_caller *who,
                                long long list_id, const char *name,
                                const char *if_match, int if_none_match_any,
                                const tasks_task_draft *draft,
                                const char *uid, const char *kept,
                                tasks_task_row *out, int *created)
{
    const tasks_task_row *named, *same_uid;
    apr_array_header_t *errors;
    tasks_task_resource res;
    tasks_task_draft in_list;
    tasks_precondition pre;
    tasks_task_input in;
    tasks_result result;
    tasks_db *db;
    tasks_db_rc rc;

    *created = 0;
    if ((errors = resource_errors(s->pool, name, uid, kept)))
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = find_resource(s, db, who, list_id, name, uid, &named, &same_uid);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_LIST);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if (same_uid)
        return uid_taken(same_uid, out);
    memset(&res, 0, sizeof res);
    res.dav_uid = uid;
    res.dav_kept = kept;
    if (named) {
        if (if_none_match_any)
            return TASKS_RESULT(TASKS_PRECONDITION_FAILED,
                                "the resource exists (If-None-Match: *)");
        tasks_precondition_if_match(if_match, named->id, &pre);
        if ((errors = tasks_task_validate(s->pool, draft, TASKS_INPUT_PUT,
                                          &in)))
            return tasks_service_invalid(s->pool, errors, NULL);
        result = update_task(s, who, named->id, &pre, &in, 0, &res, out);
    }
    else {
        if (if_match)
            return TASKS_RESULT(TASKS_PRECONDITION_FAILED,
                                "no such resource (If-Match)");
        in_list = *draft;
        memset(&in_list.list_id, 0, sizeof in_list.list_id);
        in_list.list_id.kind = TASKS_VALUE_INTEGER;
        in_list.list_id.integer = list_id;
        res.dav_name = name;
        result = create_task(s, who, &in_list, NULL, &res, out, NULL);
        *created = result.outcome == TASKS_DONE;
    }
    return result.outcome == TASKS_CONFLICT
           ? taken_meanwhile(s, db, who, list_id, name, uid, out) : result;
}

/* Promise: see task_service.h. */
tasks_result tasks_resource_delete(tasks_service *s, const tasks_caller *who,
                                   long long list_id, const char *name,
                                   const char *if_match)
{
    const tasks_task_row *named, *same_uid;
    tasks_precondition pre;
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = find_resource(s, db, who, list_id, name, NULL, &named, &same_uid);
    if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
        return tasks_service_db_failure(rc);
    if (!named)
        return TASKS_RESULT(TASKS_NOT_FOUND, NO_SUCH_TASK);
    tasks_precondition_if_match(if_match, named->id, &pre);
    return written(s, tasks_db_task_delete(db, who, named->id,
                                           tasks_service_required_version(&pre)));
}
