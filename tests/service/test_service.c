/* test_service.c - the task and account services and the store, linked
 * without httpd: apr_dbd's pgsql driver opened directly on the private
 * PostgreSQL that run.sh starts (DB_PARAMS), no mod_dbd, no request_rec.
 * Each test runs in its own forked process with its own connection. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <apr_atomic.h>
#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <jansson.h>

#include "tasks/core/b64url.h"
#include "tasks/core/password.h"
#include "tasks/core/problem.h"
#include "tasks/service/account_service.h"
#include "tasks/service/app_password_service.h"
#include "tasks/service/list_service.h"
#include "tasks/service/task_service.h"

/* ---- Fixture: one pool, one connection, a service on it --------------- */

static apr_pool_t *pool;
static const apr_dbd_driver_t *driver;
static apr_dbd_t *handle;
static apr_pool_t *conn_pool;
static apr_uint32_t hashing;
static tasks_token_cfg token_cfg;
static tasks_account_policy policy;
static tasks_logger quiet = { NULL, NULL };
static int refuse_connections;  /* the opener gives none (pool empty) */
/* POOLING=transaction (run.sh's second run): the store as it runs behind
 * a transaction pooler, unnamed statements and no session settings. */
static tasks_db_pooling pooling;

static const char *params(void)
{
    const char *p = getenv("DB_PARAMS");

    ck_assert_msg(p != NULL, "DB_PARAMS is not set (run tests/service/run.sh)");
    return p;
}

/* A new connection with these parameters. */
static apr_dbd_t *connect_with(const char *p)
{
    apr_dbd_t *h = NULL;
    const char *err = NULL;

    ck_assert_msg(apr_dbd_open_ex(driver, pool, p, &h, &err) == APR_SUCCESS,
                  "cannot connect: %s", err ? err : "?");
    return h;
}

static apr_dbd_t *connect_db(void)
{
    return connect_with(params());
}

static tasks_db *open_store(void *baton)
{
    tasks_db *db = NULL;

    (void)baton;
    if (refuse_connections)
        return NULL;
    tasks_db_open(pool, driver, handle, conn_pool, pooling, NULL, &quiet, &db);
    return db;
}

static void setup(void)
{
    static const char key[] = "0123456789abcdef0123456789abcdef-service";
    const char *mode = getenv("POOLING");

    pooling = mode && !strcmp(mode, "transaction") ? TASKS_POOLING_TRANSACTION
                                                   : TASKS_POOLING_SESSION;
    apr_pool_create(&pool, NULL);
    apr_pool_create(&conn_pool, pool);
    ck_assert_int_eq(apr_dbd_init(pool), APR_SUCCESS);
    ck_assert_int_eq(apr_dbd_get_driver(pool, "pgsql", &driver), APR_SUCCESS);
    handle = connect_db();
    memset(&token_cfg, 0, sizeof token_cfg);
    ck_assert_ptr_null(tasks_keyring_add(pool, &token_cfg.keys,
                                         (const unsigned char *)key,
                                         sizeof key - 1, NULL, NULL));
    token_cfg.lifetime = 3600;
    token_cfg.leeway = 30;
    hashing = 0;
    memset(&policy, 0, sizeof policy);
    policy.signup = 1;
    policy.throttle_email = 5;
    policy.throttle_window = 900;
    policy.throttle_addr = 50;
    policy.hashing = &hashing;
    policy.max_hashing = 4;
    policy.session_lifetime = 3600;
    policy.dummy_hash = tasks_password_hash(pool, "nobody knows this",
                                            &tasks_scrypt_default);
    refuse_connections = 0;
}

static void teardown(void)
{
    apr_dbd_close(driver, handle);
    apr_pool_destroy(pool);
    pool = NULL;
}

/* A service for one unit of work (as one request gets in the module). */
static tasks_service *service(void)
{
    tasks_service *s = apr_pcalloc(pool, sizeof *s);

    s->pool = pool;
    s->open_db = open_store;
    s->log = &quiet;
    s->token = &token_cfg;
    s->accounts = &policy;
    return s;
}

/* Run SQL on a side connection (an administrator's): in the tasks
 * database, or (other_db) in the cluster's "postgres" database, from
 * where the tasks database can be closed to connections. */
static void admin_sql(int other_db, const char *sql)
{
    apr_dbd_t *h = connect_with(other_db ? apr_pstrcat(pool, params(),
                                                       " dbname=postgres", NULL)
                                         : params());
    int n = 0;

    ck_assert_msg(apr_dbd_query(driver, h, &n, sql) == 0, "%s: %s", sql,
                  apr_dbd_error(driver, h, 1));
    apr_dbd_close(driver, h);
}

static tasks_value str(const char *s)
{
    tasks_value v = { .kind = TASKS_VALUE_STRING, .str = s, .len = strlen(s) };
    return v;
}

/* The caller a session's token makes (its sub, jti, iat and sid). */
static tasks_caller caller_of(const tasks_session *session)
{
    tasks_claims claims;
    tasks_caller who;

    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, session->token,
                                        apr_time_now(), &claims), TASKS_TOKEN_OK);
    ck_assert_str_eq(claims.sub, session->user.id);
    ck_assert_ptr_nonnull(claims.sid);
    who.user_id = session->user.id;
    who.jti = claims.jti;
    who.iat = claims.iat;
    who.sid = claims.sid;
    return who;
}

/* A new account (unique email, *email when not NULL) and its session. */
static tasks_session new_account(const char *name, tasks_value *email_out)
{
    tasks_value email = str(apr_psprintf(pool, "%s-%d-%ld@example.org", name,
                                         (int)getpid(), random()));
    tasks_value password = str("correct horse battery");
    tasks_value none = { .kind = TASKS_VALUE_ABSENT };
    tasks_session session;

    ck_assert_int_eq(tasks_account_signup(service(), &email, &password, &none,
                                          &session).outcome, TASKS_DONE);
    if (email_out)
        *email_out = email;
    return session;
}

/* A new account (unique email) and its caller (with its token's jti). */
static tasks_caller new_caller(const char *name)
{
    tasks_session session = new_account(name, NULL);

    return caller_of(&session);
}

/* A task of who's with this title. */
static tasks_task_row new_task(const tasks_caller *who, const char *title)
{
    tasks_task_draft d;
    tasks_task_row row;

    memset(&d, 0, sizeof d);
    d.title = str(title);
    ck_assert_int_eq(tasks_task_create(service(), who, &d, NULL, &row, NULL).outcome,
                     TASKS_DONE);
    return row;
}

static tasks_precondition if_match(const char *header, const char *id)
{
    tasks_precondition pre;

    memset(&pre, 0, sizeof pre);
    tasks_precondition_if_match(header, id, &pre);
    return pre;
}

static tasks_task_draft title_draft(const char *title)
{
    tasks_task_draft d;

    memset(&d, 0, sizeof d);
    d.title = str(title);
    return d;
}

/* ---- Tasks --------------------------------------------------------------- */

START_TEST(create_then_get_returns_the_same_task)
{
    tasks_caller a = new_caller("create");
    tasks_task_row made = new_task(&a, "  Water the plants "), got;

    ck_assert_str_eq(made.title, "Water the plants");
    ck_assert_str_eq(made.user_id, a.user_id);
    ck_assert_str_eq(made.completed, "f");
    ck_assert_str_eq(made.version, "1");
    ck_assert_int_eq(tasks_task_get(service(), &a, made.id, NULL, &got).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(got.title, made.title);
    ck_assert_str_eq(got.created_at, made.created_at);
}
END_TEST

/* One value of one row of sql, run on the store's own connection. */
static const char *session_value(const char *sql)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;

    ck_assert_msg(apr_dbd_select(driver, pool, handle, &res, sql, 1) == 0,
                  "%s: %s", sql, apr_dbd_error(driver, handle, 1));
    ck_assert_int_eq(apr_dbd_get_row(driver, pool, res, &row, 1), 0);
    return apr_pstrdup(pool, apr_dbd_get_entry(driver, row, 0));
}

/* Whatever a session (a pooler's, another client's) was left set to, a
 * task's instants read back as they were written: no statement depends on
 * DateStyle or TimeZone. */
START_TEST(instants_read_the_same_under_any_datestyle_and_timezone)
{
    tasks_caller a = new_caller("styles");
    tasks_task_draft d;
    tasks_task_row made, got;
    int n;

    ck_assert_int_eq(apr_dbd_query(driver, handle, &n,
                                   "SET DateStyle = 'SQL, DMY'"), 0);
    ck_assert_int_eq(apr_dbd_query(driver, handle, &n,
                                   "SET TimeZone = 'Pacific/Chatham'"), 0);
    memset(&d, 0, sizeof d);
    d.title = str("styles");
    d.due_at = str("1969-07-20T20:17:40.5-04:00");
    ck_assert_int_eq(tasks_task_create(service(), &a, &d, NULL, &made, NULL).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_task_get(service(), &a, made.id, NULL, &got).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(got.due_at, "1969-07-21T00:17:40.500000Z");
    ck_assert_str_eq(session_value("SHOW DateStyle"), "SQL, DMY");
}
END_TEST

/* TasksDBPooling session: every statement is prepared by name, once, in
 * the connection's session, and generic plans are set there. */
START_TEST(session_pooling_prepares_every_statement_in_the_session)
{
    tasks_caller a = new_caller("session");

    new_task(&a, "one");
    ck_assert_int_eq(atoi(session_value("SELECT count(*) FROM pg_prepared_statements")),
                     tasks_store_statement_count());
    ck_assert_str_eq(session_value("SHOW plan_cache_mode"), "force_generic_plan");
}
END_TEST

/* TasksDBPooling transaction: after signup, a create and a read, the
 * session holds no prepared statement and no setting of ours. */
START_TEST(transaction_pooling_leaves_nothing_in_the_session)
{
    tasks_caller a = new_caller("transaction");
    tasks_task_row t = new_task(&a, "one"), got;

    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &got).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(session_value("SELECT count(*) FROM pg_prepared_statements"), "0");
    ck_assert_str_eq(session_value("SELECT count(*) FROM pg_settings "
                                   "WHERE source = 'session'"), "0");
}
END_TEST

/* Every operation on another user's task: NOT_FOUND, and it is left as
 * it was. */
START_TEST(another_users_task_is_not_found_for_every_operation)
{
    tasks_caller a = new_caller("owner"), b = new_caller("other");
    tasks_task_row t = new_task(&a, "private"), row;
    tasks_task_draft d = title_draft("stolen");
    tasks_precondition any = if_match(NULL, t.id);
    tasks_service *s = service();

    ck_assert_int_eq(tasks_task_get(s, &b, t.id, NULL, &row).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_update(s, &b, t.id, &any, TASKS_INPUT_PUT, &d,
                                       &row).outcome, TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_complete(s, &b, t.id, &any, NULL, &row).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_delete(s, &b, t.id, &any).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_get(s, &a, t.id, NULL, &row).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(row.title, "private");
    ck_assert_str_eq(row.version, "1");
}
END_TEST

/* A version that is not the current one: PRECONDITION_FAILED from the
 * write itself, and nothing written. */
START_TEST(stale_version_is_precondition_failed_and_writes_nothing)
{
    tasks_caller a = new_caller("stale");
    tasks_task_row t = new_task(&a, "first"), row;
    const char *v1 = tasks_task_etag(pool, &t);
    tasks_task_draft d = title_draft("second");
    tasks_precondition pre = if_match(v1, t.id);

    ck_assert_int_eq(tasks_task_update(service(), &a, t.id, &pre,
                                       TASKS_INPUT_PATCH, &d, &row).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(row.version, "2");
    d = title_draft("third");
    ck_assert_int_eq(tasks_task_update(service(), &a, t.id, &pre,
                                       TASKS_INPUT_PATCH, &d, &row).outcome,
                     TASKS_PRECONDITION_FAILED);
    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, &pre, NULL,
                                         &row).outcome,
                     TASKS_PRECONDITION_FAILED);
    ck_assert_int_eq(tasks_task_delete(service(), &a, t.id, &pre).outcome,
                     TASKS_PRECONDITION_FAILED);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &row).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(row.title, "second");
    ck_assert_str_eq(row.completed, "f");
}
END_TEST

/* A precondition no version can meet (a tag of another task): the write
 * tells an existing task (PRECONDITION_FAILED) from a missing one
 * (NOT_FOUND). */
START_TEST(unmeetable_precondition_tells_missing_from_changed)
{
    tasks_caller a = new_caller("never");
    tasks_task_row t = new_task(&a, "here"), row;
    tasks_precondition never = if_match("\"1.1\"", t.id);
    tasks_precondition never_missing = if_match("\"1.1\"", "9223372036854775807");

    ck_assert_int_eq(never.match, TASKS_MATCH_NEVER);
    ck_assert_int_eq(tasks_task_delete(service(), &a, t.id, &never).outcome,
                     TASKS_PRECONDITION_FAILED);
    ck_assert_int_eq(tasks_task_delete(service(), &a, "9223372036854775807",
                                       &never_missing).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &row).outcome,
                     TASKS_DONE);
}
END_TEST

/* "*": any version of an existing task. */
START_TEST(any_version_precondition_needs_the_task)
{
    tasks_caller a = new_caller("star");
    tasks_task_row t = new_task(&a, "x"), row;
    tasks_task_draft d = title_draft("y");
    tasks_precondition star = if_match("*", t.id);

    ck_assert_int_eq(tasks_task_update(service(), &a, t.id, &star,
                                       TASKS_INPUT_PATCH, &d, &row).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_task_delete(service(), &a, t.id, &star).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_task_delete(service(), &a, t.id, &star).outcome,
                     TASKS_NOT_FOUND);
}
END_TEST

START_TEST(current_version_in_if_none_match_is_not_modified)
{
    tasks_caller a = new_caller("cache");
    tasks_task_row t = new_task(&a, "cached"), row;
    tasks_precondition pre;

    memset(&pre, 0, sizeof pre);
    tasks_precondition_if_none_match(pool, tasks_task_etag(pool, &t), t.id, &pre);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, &pre, &row).outcome,
                     TASKS_NOT_MODIFIED);
    ck_assert_str_eq(row.version, "1");
    tasks_precondition_if_none_match(pool, "\"1.5\"", t.id, &pre);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, &pre, &row).outcome,
                     TASKS_DONE);
}
END_TEST

START_TEST(invalid_draft_lists_every_broken_field)
{
    tasks_caller a = new_caller("invalid");
    tasks_task_draft d;
    tasks_task_row row;
    tasks_result r;

    memset(&d, 0, sizeof d);
    d.title = str("");
    d.priority = str("urgent");
    r = tasks_task_create(service(), &a, &d, NULL, &row, NULL);
    ck_assert_int_eq(r.outcome, TASKS_INVALID);
    ck_assert_int_eq(r.errors->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(r.errors, 0, tasks_field_error).field, "title");
    ck_assert_str_eq(APR_ARRAY_IDX(r.errors, 1, tasks_field_error).field,
                     "priority");
}
END_TEST

START_TEST(complete_sets_toggles_and_refuses_non_booleans)
{
    tasks_caller a = new_caller("complete");
    tasks_task_row t = new_task(&a, "do it"), row;
    tasks_value yes = { .kind = TASKS_VALUE_BOOL, .boolean = 1 };
    tasks_value text = str("yes");
    tasks_precondition any = if_match(NULL, t.id);

    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, &any, &yes,
                                         &row).outcome, TASKS_DONE);
    ck_assert_str_eq(row.completed, "t");
    ck_assert_ptr_nonnull(row.completed_at);
    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, &any, NULL,
                                         &row).outcome, TASKS_DONE);
    ck_assert_str_eq(row.completed, "f");
    ck_assert_ptr_null(row.completed_at);
    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, &any, &text,
                                         &row).outcome, TASKS_INVALID);
}
END_TEST

START_TEST(clear_completed_deletes_only_the_callers_completed)
{
    tasks_caller a = new_caller("clear"), b = new_caller("bystander");
    tasks_value yes = { .kind = TASKS_VALUE_BOOL, .boolean = 1 };
    tasks_task_row ta = new_task(&a, "done"), tb = new_task(&b, "done too"), row;
    tasks_precondition any = if_match(NULL, ta.id);
    long long n = -1;

    new_task(&a, "open");
    ck_assert_int_eq(tasks_task_complete(service(), &a, ta.id, &any, &yes,
                                         &row).outcome, TASKS_DONE);
    any = if_match(NULL, tb.id);
    ck_assert_int_eq(tasks_task_complete(service(), &b, tb.id, &any, &yes,
                                         &row).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_tasks_clear_completed(service(), &a, NULL, &n).outcome,
                     TASKS_DONE);
    ck_assert(n == 1);
    ck_assert_int_eq(tasks_task_get(service(), &b, tb.id, NULL, &row).outcome,
                     TASKS_DONE);
}
END_TEST

START_TEST(list_pages_with_a_cursor_bound_to_caller_and_query)
{
    tasks_caller a = new_caller("pages"), b = new_caller("thief");
    tasks_list_query q, q2;
    tasks_task_page page;

    new_task(&a, "one");
    new_task(&a, "two");
    new_task(&a, "three");
    ck_assert_ptr_null(tasks_list_query_parse(pool, "limit=2&sort=title&order=asc",
                                              &q));
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q, &page).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(page.rows->nelts, 2);
    ck_assert(page.total == 3);
    ck_assert_str_eq(APR_ARRAY_IDX(page.rows, 0, tasks_task_row).title, "one");
    ck_assert_ptr_nonnull(page.next_cursor);
    q.cursor = page.next_cursor;
    q2 = q;
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q, &page).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(page.rows->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(page.rows, 0, tasks_task_row).title, "two");
    ck_assert_ptr_null(page.next_cursor);
    /* The same cursor for another caller, or another query: MALFORMED. */
    ck_assert_int_eq(tasks_tasks_list(service(), &b, &q2, &page).outcome,
                     TASKS_MALFORMED);
    q2.desc = 1;
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q2, &page).outcome,
                     TASKS_MALFORMED);
}
END_TEST

/* The kid in a compact token's header ("" when none). */
static const char *token_kid(const char *token)
{
    unsigned char *h;
    apr_size_t n;
    json_t *j;
    const char *kid;

    ck_assert_int_eq(tasks_b64url_decode(pool, token, strcspn(token, "."), &h,
                                         &n), 0);
    j = json_loadb((const char *)h, n, 0, NULL);
    ck_assert_ptr_nonnull(j);
    kid = apr_pstrdup(pool, json_is_string(json_object_get(j, "kid"))
                            ? json_string_value(json_object_get(j, "kid")) : "");
    json_decref(j);
    return kid;
}

/* Key rotation: a token and a page cursor made under key A still work
 * once B signs and A is listed second; new tokens and cursors name B;
 * with A no longer listed, the old token is refused and the old cursor
 * is MALFORMED. */
START_TEST(rotated_keys_keep_old_tokens_and_cursors_while_listed)
{
    static const char key_b[] = "a second key of more than 32 bytes, B";
    tasks_caller a = new_caller("rotate");
    tasks_keyring only_a = token_cfg.keys;
    tasks_list_query q, q_old;
    tasks_task_page page;
    tasks_session session;
    tasks_claims claims;
    tasks_value email, password = str("correct horse battery"),
                none = { .kind = TASKS_VALUE_ABSENT };
    const char *old_token, *kid_a, *kid_b;

    kid_a = tasks_kid_derive(pool, only_a.keys[0].secret, only_a.keys[0].len);
    kid_b = tasks_kid_derive(pool, (const unsigned char *)key_b,
                             sizeof key_b - 1);
    email = str(apr_psprintf(pool, "rotate2-%d-%ld@example.org", (int)getpid(),
                             random()));
    ck_assert_int_eq(tasks_account_signup(service(), &email, &password, &none,
                                          &session).outcome, TASKS_DONE);
    old_token = session.token;
    ck_assert_str_eq(token_kid(old_token), kid_a);
    new_task(&a, "one");
    new_task(&a, "two");
    new_task(&a, "three");
    ck_assert_ptr_null(tasks_list_query_parse(pool, "limit=1&sort=title", &q));
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q, &page).outcome,
                     TASKS_DONE);
    ck_assert_ptr_nonnull(page.next_cursor);
    ck_assert_int_eq(strncmp(page.next_cursor, kid_a, strlen(kid_a)), 0);
    q_old = q;
    q_old.cursor = page.next_cursor;

    /* [B, A] */
    memset(&token_cfg.keys, 0, sizeof token_cfg.keys);
    ck_assert_ptr_null(tasks_keyring_add(pool, &token_cfg.keys,
                                         (const unsigned char *)key_b,
                                         sizeof key_b - 1, NULL, NULL));
    ck_assert_ptr_null(tasks_keyring_add(pool, &token_cfg.keys,
                                         only_a.keys[0].secret,
                                         only_a.keys[0].len, NULL, NULL));
    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, old_token,
                                        apr_time_now(), &claims), TASKS_TOKEN_OK);
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q_old, &page).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(APR_ARRAY_IDX(page.rows, 0, tasks_task_row).title, "three");
    ck_assert_ptr_nonnull(page.next_cursor);
    ck_assert_int_eq(strncmp(page.next_cursor, kid_b, strlen(kid_b)), 0);
    ck_assert_int_eq(tasks_account_login(service(), &email, &password, "192.0.2.1",
                                         &session).outcome, TASKS_DONE);
    ck_assert_str_eq(token_kid(session.token), kid_b);
    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, session.token,
                                        apr_time_now(), &claims), TASKS_TOKEN_OK);

    /* [B] */
    token_cfg.keys.n = 1;
    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, old_token,
                                        apr_time_now(), &claims),
                     TASKS_TOKEN_UNKNOWN_KEY);
    ck_assert_int_eq(tasks_token_verify(pool, &token_cfg, session.token,
                                        apr_time_now(), &claims), TASKS_TOKEN_OK);
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q_old, &page).outcome,
                     TASKS_MALFORMED);
}
END_TEST

/* A revoked token (logout) or a deleted user: every task operation is
 * DENIED, in the same statement as its work. */
START_TEST(revoked_token_and_deleted_user_are_denied)
{
    tasks_caller a = new_caller("revoked"), b = new_caller("deleted");
    tasks_task_row ta = new_task(&a, "a's"), tb = new_task(&b, "b's"), row;
    tasks_task_draft d = title_draft("new");
    tasks_precondition any = if_match(NULL, ta.id);
    tasks_list_query q;
    tasks_task_page page;
    long long n;
    int revoked = 0;

    ck_assert_int_eq(tasks_account_logout(service(), &a,
                                          apr_time_sec(apr_time_now()) + 60,
                                          &revoked).outcome, TASKS_DONE);
    ck_assert_int_eq(revoked, 1);
    ck_assert_int_eq(tasks_task_get(service(), &a, ta.id, NULL, &row).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_task_create(service(), &a, &d, NULL, &row, NULL).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_task_update(service(), &a, ta.id, &any,
                                       TASKS_INPUT_PATCH, &d, &row).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_task_delete(service(), &a, ta.id, &any).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_tasks_clear_completed(service(), &a, NULL, &n).outcome,
                     TASKS_DENIED);
    tasks_list_query_parse(pool, NULL, &q);
    ck_assert_int_eq(tasks_tasks_list(service(), &a, &q, &page).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_account_caller(service(), &a, &(tasks_user_row){0}).outcome,
                     TASKS_DENIED);
    admin_sql(0, apr_psprintf(pool, "DELETE FROM users WHERE id = '%s'", b.user_id));
    ck_assert_int_eq(tasks_task_get(service(), &b, tb.id, NULL, &row).outcome,
                     TASKS_DENIED);
}
END_TEST

/* ---- Accounts ------------------------------------------------------------ */

/* The export is the caller's user and their tasks only, in id order; a
 * revoked token exports nothing and deletes nothing. */
/* Signing out everywhere ends every token issued so far, the caller's
 * too, on task and account operations alike; a password change ends
 * every other token and keeps the caller's. */
START_TEST(sign_out_everywhere_and_password_change_end_the_other_tokens)
{
    tasks_value email, pw = str("correct horse battery"),
                fresh = str("a new horse battery"), wrong = str("not the password");
    tasks_session first = new_account("everywhere", &email), second;
    tasks_caller a = caller_of(&first), other, old, later;
    tasks_task_row t = new_task(&a, "kept");
    tasks_user_row u;

    /* Another session of a's (another device), and a token of a's issued
     * outside any session a second earlier (from before sessions). */
    ck_assert_int_eq(tasks_account_login(service(), &email, &pw, "192.0.2.7",
                                         &second).outcome, TASKS_DONE);
    other = caller_of(&second);
    ck_assert_str_ne(other.sid, a.sid);
    old = a;
    old.jti = "another-jti";
    old.iat = a.iat - 1;
    old.sid = NULL;
    ck_assert_int_eq(tasks_account_caller(service(), &old, &u).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_change_password(service(), &a, &wrong, &fresh,
                                                   "192.0.2.7").outcome,
                     TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_account_caller(service(), &other, &u).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_change_password(service(), &a, &pw, &fresh,
                                                   "192.0.2.7").outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_caller(service(), &old, &u).outcome, TASKS_DENIED);
    ck_assert_int_eq(tasks_task_get(service(), &other, t.id, NULL, &t).outcome,
                     TASKS_DENIED);
    /* The other session's refresh value went with it; this one goes on. */
    ck_assert_int_eq(tasks_account_refresh(service(), second.refresh, "192.0.2.7",
                                           &second).outcome, TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &t).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_account_refresh(service(), first.refresh, "192.0.2.7",
                                           &first).outcome, TASKS_DONE);

    ck_assert_int_eq(tasks_account_sign_out_everywhere(service(), &a).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_account_caller(service(), &a, &u).outcome, TASKS_DENIED);
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &t).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_account_refresh(service(), first.refresh, "192.0.2.7",
                                           &first).outcome, TASKS_UNAUTHENTICATED);
    /* A token issued outside a session after the sign-out's second
     * stands, and so does a new login. */
    later = old;
    later.jti = "later-jti";
    later.iat = apr_time_sec(apr_time_now()) + 2;
    ck_assert_int_eq(tasks_account_caller(service(), &later, &u).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_login(service(), &email, &fresh, "192.0.2.7",
                                         &second).outcome, TASKS_DONE);
    other = caller_of(&second);
    ck_assert_int_eq(tasks_task_get(service(), &other, t.id, NULL, &t).outcome,
                     TASKS_DONE);
}
END_TEST

/* A refresh spends its value for the next one, in the same session; a
 * value presented again ends the session (its tokens, and the value that
 * replaced it); so does one idle past the lifetime; a value never issued
 * is refused without harm. */
START_TEST(refresh_rotates_and_a_reused_value_ends_the_session)
{
    tasks_session s = new_account("refresh", NULL), next, again, idle;
    tasks_caller first = caller_of(&s), second;
    tasks_user_row u;
    const char *r0 = s.refresh, *r1;
    tasks_result r;

    ck_assert_uint_eq(strlen(r0), 43);
    ck_assert_int_eq(s.refresh_max_age, 3600);
    ck_assert_int_eq(tasks_account_refresh(service(), r0, "192.0.2.8", &next).outcome,
                     TASKS_DONE);
    r1 = next.refresh;
    ck_assert_str_ne(r1, r0);
    ck_assert_str_eq(next.user.id, s.user.id);
    second = caller_of(&next);
    ck_assert_str_eq(second.sid, first.sid);
    ck_assert_str_ne(second.jti, first.jti);
    ck_assert_int_eq(tasks_account_caller(service(), &second, &u).outcome, TASKS_DONE);

    /* r0 again: refused, and the session is over for everyone. */
    r = tasks_account_refresh(service(), r0, "192.0.2.8", &again);
    ck_assert_int_eq(r.outcome, TASKS_UNAUTHENTICATED);
    ck_assert_str_eq(r.detail, "the session has ended; sign in again");
    ck_assert_int_eq(tasks_account_caller(service(), &second, &u).outcome, TASKS_DENIED);
    ck_assert_int_eq(tasks_account_caller(service(), &first, &u).outcome, TASKS_DENIED);
    ck_assert_int_eq(tasks_account_refresh(service(), r1, "192.0.2.8", &again).outcome,
                     TASKS_UNAUTHENTICATED);

    /* Idle past the lifetime. */
    idle = new_account("idle", NULL);
    admin_sql(0, apr_psprintf(pool, "UPDATE sessions SET last_used_at = now()"
                              " - interval '3601 seconds' WHERE user_id = '%s'",
                              idle.user.id));
    ck_assert_int_eq(tasks_account_refresh(service(), idle.refresh, "192.0.2.8",
                                           &again).outcome, TASKS_UNAUTHENTICATED);
    second = caller_of(&idle);
    ck_assert_int_eq(tasks_account_caller(service(), &second, &u).outcome, TASKS_DENIED);

    /* Never issued: another length, or no value at all. */
    ck_assert_int_eq(tasks_account_refresh(service(), "abc", "192.0.2.8",
                                           &again).outcome, TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_account_refresh(service(), NULL, "192.0.2.8",
                                           &again).outcome, TASKS_UNAUTHENTICATED);
}
END_TEST

START_TEST(export_and_delete_are_the_callers_own)
{
    tasks_caller a = new_caller("export-a"), b = new_caller("export-b");
    tasks_task_row t1 = new_task(&a, "first"), t2 = new_task(&a, "second");
    tasks_value pw = str("correct horse battery");
    apr_array_header_t *tasks, *lists;
    tasks_user_row user;
    int revoked = 0;

    new_task(&b, "b's");
    ck_assert_int_eq(tasks_account_export(service(), &a, &user, &lists, &tasks).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(user.id, a.user_id);
    ck_assert_ptr_null(user.password_hash);
    ck_assert_int_eq(tasks->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(tasks, 0, tasks_task_row).id, t1.id);
    ck_assert_str_eq(APR_ARRAY_IDX(tasks, 1, tasks_task_row).id, t2.id);
    ck_assert_str_eq(APR_ARRAY_IDX(tasks, 1, tasks_task_row).title, "second");

    ck_assert_int_eq(tasks_account_logout(service(), &a,
                                          apr_time_sec(apr_time_now()) + 60,
                                          &revoked).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_export(service(), &a, &user, &lists, &tasks).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_account_delete_self(service(), &a, &pw, "192.0.2.1").outcome,
                     TASKS_DENIED);
    /* b deletes theirs; a's tasks are untouched. */
    ck_assert_int_eq(tasks_account_delete_self(service(), &b, &pw, "192.0.2.1").outcome,
                     TASKS_DONE);
    ck_assert_int_eq(tasks_account_export(service(), &b, &user, &lists, &tasks).outcome,
                     TASKS_DENIED);
    ck_assert_int_eq(tasks_task_get(service(), &(tasks_caller){ a.user_id, NULL, a.iat, NULL },
                                    t1.id, NULL, &t2).outcome, TASKS_DONE);
}
END_TEST

/* The list service as a front end without JSON calls it: a draft built
 * in code, a move_to given as a number; another user's list is not there. */
START_TEST(lists_through_the_service_with_values_built_in_code)
{
    tasks_caller a = new_caller("lists"), b = new_caller("lists-b");
    tasks_list_draft d;
    tasks_list_row work, row;
    tasks_task_draft td;
    tasks_task_row t;
    tasks_value to;
    apr_array_header_t *lists;
    long long moved = 0;

    memset(&d, 0, sizeof d);
    d.name = str("Work");
    ck_assert_int_eq(tasks_list_create(service(), &a, &d, NULL, &work, NULL).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_lists_all(service(), &a, &lists).outcome, TASKS_DONE);
    ck_assert_int_eq(lists->nelts, 2);
    row = APR_ARRAY_IDX(lists, 0, tasks_list_row);
    ck_assert_str_eq(row.name, "Inbox");
    memset(&td, 0, sizeof td);
    td.title = str("in Work");
    td.list_id = (tasks_value){ .kind = TASKS_VALUE_INTEGER, .integer = atoll(work.id) };
    ck_assert_int_eq(tasks_task_create(service(), &a, &td, NULL, &t, NULL).outcome, TASKS_DONE);
    ck_assert_str_eq(t.list_id, work.id);
    ck_assert_int_eq(tasks_list_get(service(), &b, work.id, NULL, &row).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_task_create(service(), &b, &td, NULL, &t, NULL).outcome, TASKS_INVALID);
    to = (tasks_value){ .kind = TASKS_VALUE_INTEGER,
                        .integer = atoll(APR_ARRAY_IDX(lists, 0, tasks_list_row).id) };
    ck_assert_int_eq(tasks_list_delete(service(), &a, work.id, NULL, &to, &moved).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(moved, 1);
    to.integer = 0;
    ck_assert_int_eq(tasks_list_delete(service(), &a, APR_ARRAY_IDX(lists, 0,
                     tasks_list_row).id, NULL, &to, &moved).outcome, TASKS_INVALID);
}
END_TEST

/* What CalDAV and MCP will call: a recurring task built in code moves to
 * its next occurrence on completion (its instant reminder with it), a
 * stale If-Match on it is refused without a write, and its completions
 * and reminders are the caller's alone. */
START_TEST(recurring_tasks_through_the_service)
{
    tasks_caller a = new_caller("recur"), b = new_caller("recur-b");
    tasks_task_draft d;
    tasks_task_row t, again;
    tasks_precondition stale;
    apr_array_header_t *rows;
    tasks_value at_item[1], reminder[1];
    static const char *const at_name[] = { "at" };

    memset(&d, 0, sizeof d);
    d.title = str("Weekly review");
    d.due_at = str("2026-10-19T09:00:00+02:00");
    d.time_zone = str("Europe/Berlin");
    d.recurrence = str("FREQ=WEEKLY;BYDAY=MO");
    at_item[0] = str("2026-10-19T06:00:00Z");
    reminder[0] = (tasks_value){ .kind = TASKS_VALUE_OBJECT, .names = at_name,
                                 .items = at_item, .nitems = 1 };
    d.reminders = (tasks_value){ .kind = TASKS_VALUE_LIST, .items = reminder, .nitems = 1 };
    ck_assert_int_eq(tasks_task_create(service(), &a, &d, NULL, &t, NULL).outcome, TASKS_DONE);
    ck_assert_str_eq(t.recurrence_start, "2026-10-19T07:00:00.000000Z");
    stale = if_match(apr_psprintf(pool, "\"%s.%s\"", t.id, t.version), t.id);
    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, NULL, NULL, &again).outcome,
                     TASKS_DONE);
    /* 09:00 CEST, then 09:00 CET: one hour later in UTC. */
    ck_assert_str_eq(again.due_at, "2026-10-26T08:00:00.000000Z");
    ck_assert_str_eq(again.completed, "f");
    ck_assert_str_eq(again.reminders, "[\"2026-10-26T07:00:00.000000Z\"]");
    ck_assert_str_eq(again.recurrence_start, "2026-10-19T07:00:00.000000Z");
    ck_assert_int_eq(tasks_task_complete(service(), &a, t.id, &stale, NULL, &t).outcome,
                     TASKS_PRECONDITION_FAILED);
    ck_assert_int_eq(tasks_task_completions(service(), &a, again.id, &rows).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(rows->nelts, 1);
    ck_assert_int_eq(tasks_task_completions(service(), &b, again.id, &rows).outcome,
                     TASKS_NOT_FOUND);
    ck_assert_int_eq(tasks_reminders_due(service(), &b, NULL, "2027-01-01T00:00:00.000000Z",
                                         &rows).outcome, TASKS_DONE);
    ck_assert_int_eq(rows->nelts, 0);
    ck_assert_int_eq(tasks_reminders_due(service(), &a, NULL, "2027-01-01T00:00:00.000000Z",
                                         &rows).outcome, TASKS_DONE);
    ck_assert_int_eq(rows->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(rows, 0, tasks_reminder_row).fires_at,
                     "2026-10-26T07:00:00.000000Z");
}
END_TEST

/* Idempotent creates and the changes feed as every front end gets them:
 * a key replays its create, another request under it is INVALID, and the
 * feed gives the creates, then a deletion after its token. */
START_TEST(idempotent_creates_and_changes_through_the_service)
{
    tasks_caller a = new_caller("once");
    tasks_task_draft d = title_draft("Once only");
    tasks_once once = { "key-1", "fingerprint-1" }, other = { "key-1", "fingerprint-2" };
    tasks_task_row first, again;
    tasks_changes_page page;
    int replayed = -1;
    const char *token;

    ck_assert_int_eq(tasks_task_create(service(), &a, &d, &once, &first, &replayed).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(replayed, 0);
    ck_assert_int_eq(tasks_task_create(service(), &a, &d, &once, &again, &replayed).outcome,
                     TASKS_DONE);
    ck_assert_int_eq(replayed, 1);
    ck_assert_str_eq(again.id, first.id);
    ck_assert_str_eq(again.created_at, first.created_at);
    ck_assert_int_eq(tasks_task_create(service(), &a, &d, &other, &again, &replayed).outcome,
                     TASKS_INVALID);
    ck_assert_int_eq(tasks_tasks_changes(service(), &a, NULL, 10, &page).outcome, TASKS_DONE);
    ck_assert_int_eq(page.rows->nelts, 1);
    ck_assert(!page.more);
    token = page.next;
    ck_assert_int_eq(tasks_task_delete(service(), &a, first.id, NULL).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_tasks_changes(service(), &a, token, 10, &page).outcome, TASKS_DONE);
    ck_assert_int_eq(page.rows->nelts, 1);
    ck_assert(APR_ARRAY_IDX(page.rows, 0, tasks_change_row).deleted);
    ck_assert_str_eq(APR_ARRAY_IDX(page.rows, 0, tasks_change_row).task_id, first.id);
}
END_TEST

START_TEST(signup_login_and_their_refusals)
{
    const char *email = apr_psprintf(pool, "Mixed-%d@Example.org", (int)getpid());
    tasks_value e = str(email), upper = str(apr_pstrcat(pool, " ", email, " ", NULL));
    tasks_value pw = str("long enough password"), wrong = str("not the password");
    tasks_value none = { .kind = TASKS_VALUE_ABSENT }, short_pw = str("short");
    tasks_session s;
    tasks_result r;

    ck_assert_int_eq(tasks_account_signup(service(), &e, &pw, &none, &s).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(s.user.email, email);
    ck_assert_int_eq(tasks_account_signup(service(), &upper, &pw, &none,
                                          &s).outcome, TASKS_CONFLICT);
    r = tasks_account_signup(service(), &e, &short_pw, &none, &s);
    ck_assert_int_eq(r.outcome, TASKS_INVALID);
    ck_assert_str_eq(APR_ARRAY_IDX(r.errors, 0, tasks_field_error).field,
                     "password");
    ck_assert_int_eq(tasks_account_login(service(), &e, &wrong, "192.0.2.1",
                                         &s).outcome, TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_account_login(service(), &upper, &pw, "192.0.2.1",
                                         &s).outcome, TASKS_DONE);
    ck_assert_ptr_nonnull(s.token);
    ck_assert_int_eq(s.expires_in, 3600);
    policy.signup = 0;
    ck_assert_int_eq(tasks_account_signup(service(), &e, &pw, &none, &s).outcome,
                     TASKS_FORBIDDEN);
}
END_TEST

/* A CalDAV client's HTTP Basic: an app password signs its account in
 * (any case of the e-mail), as a caller the task operations accept; the
 * account's real password, a wrong or a revoked app password do not; a
 * wrong one counts as a failed login. */
START_TEST(app_passwords_sign_in_and_nothing_else_does)
{
    tasks_value email, name = str("Thunderbird");
    tasks_session session = new_account("apppw", &email);
    tasks_caller owner = caller_of(&session), who;
    tasks_app_password_row row;
    tasks_task_row t;
    const char *pw = NULL, *upper;
    tasks_result r;
    char *u;
    int i;

    ck_assert_int_eq(tasks_app_password_create(service(), &owner, &name, &row, &pw).outcome,
                     TASKS_DONE);
    u = apr_pstrdup(pool, email.str);
    for (i = 0; u[i]; i++)
        u[i] = (char)toupper((unsigned char)u[i]);
    upper = u;
    ck_assert_int_eq(tasks_account_app_sign_in(service(), upper, pw, "192.0.2.20", &who).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(who.user_id, owner.user_id);
    t = new_task(&who, "made by a CalDAV client");
    ck_assert_str_eq(t.user_id, owner.user_id);
    ck_assert_int_eq(tasks_account_app_sign_in(service(), email.str, "correct horse battery",
                                               "192.0.2.20", &who).outcome,
                     TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_account_app_sign_in(service(), email.str, "nope", "192.0.2.20",
                                               &who).outcome, TASKS_UNAUTHENTICATED);
    ck_assert_int_eq(tasks_app_password_revoke(service(), &owner, row.id).outcome, TASKS_DONE);
    ck_assert_int_eq(tasks_account_app_sign_in(service(), email.str, pw, "192.0.2.20",
                                               &who).outcome, TASKS_UNAUTHENTICATED);
    policy.throttle_email = 3;
    r = tasks_account_app_sign_in(service(), email.str, pw, "192.0.2.20", &who);
    ck_assert_int_eq(r.outcome, TASKS_THROTTLED);
}
END_TEST

START_TEST(repeated_failures_are_throttled_with_retry_after)
{
    tasks_value e = str(apr_psprintf(pool, "throttle-%d@example.org", (int)getpid()));
    tasks_value wrong = str("wrong password");
    tasks_session s;
    tasks_result r;
    int i;

    policy.throttle_email = 2;
    for (i = 0; i < 2; i++)
        ck_assert_int_eq(tasks_account_login(service(), &e, &wrong, "192.0.2.9",
                                             &s).outcome, TASKS_UNAUTHENTICATED);
    r = tasks_account_login(service(), &e, &wrong, "192.0.2.9", &s);
    ck_assert_int_eq(r.outcome, TASKS_THROTTLED);
    ck_assert(r.retry_after >= 1 && r.retry_after <= 900);
}
END_TEST

START_TEST(no_hashing_capacity_is_busy)
{
    tasks_value e = str("busy@example.org"), pw = str("long enough password");
    tasks_value none = { .kind = TASKS_VALUE_ABSENT };
    tasks_session s;

    policy.max_hashing = 0;
    ck_assert_int_eq(tasks_account_signup(service(), &e, &pw, &none, &s).outcome,
                     TASKS_BUSY);
    ck_assert_uint_eq(hashing, 0);
}
END_TEST

/* ---- Failures ------------------------------------------------------------ */

/* The database goes away (connections refused, ours terminated): reads
 * and writes are UNAVAILABLE, never FAILED; once it is back, the same
 * connection works again (re-established, statements prepared again). */
START_TEST(database_outage_is_unavailable_then_recovers)
{
    tasks_caller a = new_caller("outage");
    tasks_task_row t = new_task(&a, "survives"), row;
    tasks_task_draft d = title_draft("during the outage");
    tasks_service *s = service();
    tasks_precondition any = if_match(NULL, t.id);
    const char *dbname = "tasks";

    ck_assert_int_eq(tasks_task_get(s, &a, t.id, NULL, &row).outcome, TASKS_DONE);
    admin_sql(1, apr_psprintf(pool, "ALTER DATABASE %s ALLOW_CONNECTIONS false", dbname));
    admin_sql(1, apr_psprintf(pool, "SELECT pg_terminate_backend(pid) FROM "
                           "pg_stat_activity WHERE datname = '%s' AND pid <> "
                           "pg_backend_pid()", dbname));
    ck_assert_int_eq(tasks_task_get(s, &a, t.id, NULL, &row).outcome,
                     TASKS_UNAVAILABLE);
    ck_assert_int_eq(tasks_task_update(s, &a, t.id, &any, TASKS_INPUT_PATCH, &d,
                                       &row).outcome, TASKS_UNAVAILABLE);
    /* A pool with no connection to give: the same answer. */
    refuse_connections = 1;
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &row).outcome,
                     TASKS_UNAVAILABLE);
    refuse_connections = 0;
    admin_sql(1, apr_psprintf(pool, "ALTER DATABASE %s ALLOW_CONNECTIONS true", dbname));
    ck_assert_int_eq(tasks_task_get(service(), &a, t.id, NULL, &row).outcome,
                     TASKS_DONE);
    ck_assert_str_eq(row.title, "survives");
}
END_TEST

/* The migration the store names is the last one in sql/. */
START_TEST(store_needs_the_last_migration)
{
    const char *root = getenv("TASKS_ROOT");
    char *cmd = apr_psprintf(pool, "ls %s/sql/[0-9][0-9][0-9]_*.sql | tail -n 1", root);
    char last[512] = "";
    FILE *p = popen(cmd, "r");

    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(last, sizeof last, p));
    pclose(p);
    ck_assert_str_eq(last, apr_psprintf(pool, "%s/sql/%s.sql\n", root,
                                        tasks_store_schema_version()));
}
END_TEST

/* Without the last migration recorded, the store refuses to open
 * (SCHEMA_BEHIND), and opens again once it is there. */
START_TEST(schema_behind_the_module_is_refused_then_accepted)
{
    tasks_db *db = NULL;
    const char *v = tasks_store_schema_version();

    admin_sql(0, apr_psprintf(pool, "UPDATE schema_migrations SET version = "
                              "'%s-hidden' WHERE version = '%s'", v, v));
    ck_assert_int_eq(tasks_db_open(pool, driver, handle, conn_pool, pooling, NULL, &quiet, &db),
                     TASKS_DB_SCHEMA_BEHIND);
    ck_assert_ptr_null(db);
    admin_sql(0, apr_psprintf(pool, "UPDATE schema_migrations SET version = "
                              "'%s' WHERE version = '%s-hidden'", v, v));
    ck_assert_int_eq(tasks_db_open(pool, driver, handle, conn_pool, pooling, NULL, &quiet, &db),
                     TASKS_DB_OK);
    ck_assert_ptr_nonnull(db);
}
END_TEST

/* A caller id PostgreSQL refuses (the auth hook never lets one through):
 * FAILED, never a crash. */
START_TEST(statement_refused_by_postgresql_is_failed)
{
    tasks_caller bogus = { "not-a-uuid", NULL, 0, NULL };
    tasks_task_row row;

    ck_assert_int_eq(tasks_task_get(service(), &bogus, "1", NULL, &row).outcome,
                     TASKS_FAILED);
}
END_TEST

static Suite *service_suite(void)
{
    Suite *s = suite_create("service");
    TCase *tasks = tcase_create("tasks");
    TCase *accounts = tcase_create("accounts");
    TCase *failures = tcase_create("failures");

    tcase_add_checked_fixture(tasks, setup, teardown);
    tcase_set_timeout(tasks, 30);
    tcase_add_test(tasks, create_then_get_returns_the_same_task);
    tcase_add_test(tasks, instants_read_the_same_under_any_datestyle_and_timezone);
    /* Each run (run.sh) checks its own mode's promise. */
    if (getenv("POOLING") && !strcmp(getenv("POOLING"), "transaction"))
        tcase_add_test(tasks, transaction_pooling_leaves_nothing_in_the_session);
    else
        tcase_add_test(tasks, session_pooling_prepares_every_statement_in_the_session);
    tcase_add_test(tasks, another_users_task_is_not_found_for_every_operation);
    tcase_add_test(tasks, stale_version_is_precondition_failed_and_writes_nothing);
    tcase_add_test(tasks, unmeetable_precondition_tells_missing_from_changed);
    tcase_add_test(tasks, any_version_precondition_needs_the_task);
    tcase_add_test(tasks, current_version_in_if_none_match_is_not_modified);
    tcase_add_test(tasks, invalid_draft_lists_every_broken_field);
    tcase_add_test(tasks, complete_sets_toggles_and_refuses_non_booleans);
    tcase_add_test(tasks, clear_completed_deletes_only_the_callers_completed);
    tcase_add_test(tasks, list_pages_with_a_cursor_bound_to_caller_and_query);
    tcase_add_test(tasks, rotated_keys_keep_old_tokens_and_cursors_while_listed);
    tcase_add_test(tasks, revoked_token_and_deleted_user_are_denied);
    tcase_add_test(tasks, recurring_tasks_through_the_service);
    tcase_add_test(tasks, idempotent_creates_and_changes_through_the_service);
    suite_add_tcase(s, tasks);
    tcase_add_checked_fixture(accounts, setup, teardown);
    tcase_set_timeout(accounts, 30);
    tcase_add_test(accounts, signup_login_and_their_refusals);
    tcase_add_test(accounts, lists_through_the_service_with_values_built_in_code);
    tcase_add_test(accounts, export_and_delete_are_the_callers_own);
    tcase_add_test(accounts, sign_out_everywhere_and_password_change_end_the_other_tokens);
    tcase_add_test(accounts, refresh_rotates_and_a_reused_value_ends_the_session);
    tcase_add_test(accounts, repeated_failures_are_throttled_with_retry_after);
    tcase_add_test(accounts, app_passwords_sign_in_and_nothing_else_does);
    tcase_add_test(accounts, no_hashing_capacity_is_busy);
    suite_add_tcase(s, accounts);
    tcase_add_checked_fixture(failures, setup, teardown);
    tcase_set_timeout(failures, 30);
    tcase_add_test(failures, statement_refused_by_postgresql_is_failed);
    tcase_add_test(failures, store_needs_the_last_migration);
    tcase_add_test(failures, schema_behind_the_module_is_refused_then_accepted);
    tcase_add_test(failures, database_outage_is_unavailable_then_recovers);
    suite_add_tcase(s, failures);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    srandom((unsigned)getpid());
    sr = srunner_create(service_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
