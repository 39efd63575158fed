/* rest_auth.c - the JSON front end of the account service:
 * POST /api/auth/signup, POST /api/auth/login, POST /api/auth/refresh
 * (no token: the refresh cookie is the credential), GET and DELETE
 * /api/auth/me, POST /api/auth/logout, POST /api/auth/logout-all,
 * POST /api/auth/password, POST /api/auth/reset (no token: the code is
 * the credential), GET /api/auth/export. The caller
 * of me, logout and export was established by the auth hook (auth.c);
 * nothing here re-checks a token. */
#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <string.h>

#include "tasks/core/problem.h"
#include "tasks/core/task_json.h"
#include "tasks/httpd/module.h"
#include "tasks/service/account_service.h"

/* The contract's User object. */
static json_t *user_json(const char *id, const char *email, const char *name,
                         const char *created_at)
{
    /* email is null for an external identity without an email claim. */
    return json_pack("{s:s, s:s?, s:s?, s:s}", "id", id, "email", email,
                     "name", name, "created_at", created_at);
}

/* A session's new tokens: both cookies, and the signup/login body. */
static int send_session(request_rec *r, int status, const tasks_session *s)
{
    tasks_set_session_cookie(r, s->token, s->expires_in);
    tasks_set_refresh_cookie(r, s->refresh, s->refresh_max_age);
    return tasks_send_json_value(r, status, json_pack("{s:o, s:s, s:s, s:I}",
        "user", user_json(s->user.id, s->user.email, s->user.name,
                          s->user.created_at),
        "token", s->token, "token_type", "Bearer",
        "expires_in", (json_int_t)s->expires_in));
}

/* Member key of the body as a front-end value. */
static void member(request_rec *r, json_t *body, const char *key,
                   tasks_value *v)
{
    tasks_value_from_json(r->pool, json_object_get(body, key), v);
}

int tasks_handle_signup(request_rec *r)
{
    tasks_service *s = tasks_req_service(r);
    tasks_value email, password, name;
    tasks_session session;
    tasks_result res;
    json_t *body;
    int done;

    /* Refused before the body is read when signup is off here. */
    if ((res = tasks_account_signup_open(s)).outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    member(r, body, "email", &email);
    member(r, body, "password", &password);
    member(r, body, "name", &name);
    res = tasks_account_signup(s, &email, &password, &name,
                               &session);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    return send_session(r, HTTP_CREATED, &session);
}

/* Both cookies cleared: the session ended. */
static void clear_cookies(request_rec *r)
{
    tasks_set_session_cookie(r, NULL, 0);
    tasks_set_refresh_cookie(r, NULL, 0);
}

/* POST /api/auth/refresh: the refresh cookie for a new access token and
 * the next refresh value (the login body). No body is read. A refusal
 * clears both cookies, so the browser stops presenting a dead value. */
int tasks_handle_refresh(request_rec *r)
{
    tasks_session session;
    tasks_result res;

    res = tasks_account_refresh(tasks_req_service(r),
                                tasks_cookie_value(r, TASKS_REFRESH_COOKIE),
                                r->useragent_ip, &session);
    if (res.outcome != TASKS_DONE) {
        if (res.outcome == TASKS_UNAUTHENTICATED)
            clear_cookies(r);
        return tasks_send_result(r, &res);
    }
    return send_session(r, HTTP_OK, &session);
}

int tasks_handle_login(request_rec *r)
{
    tasks_value email, password;
    tasks_session session;
    tasks_result res;
    json_t *body;
    int done;

    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    member(r, body, "email", &email);
    member(r, body, "password", &password);
    /* The client's address, not the peer's (c->client_ip): behind a
     * reverse proxy mod_remoteip has replaced it with the one the trusted
     * proxy forwarded (README "Behind a reverse proxy"). */
    res = tasks_account_login(tasks_req_service(r), &email, &password,
                              r->useragent_ip, &session);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    return send_session(r, HTTP_OK, &session);
}

/* DELETE /api/auth/me: the account, confirmed by its password when it
 * has one; the session cookie is cleared with it. */
static int delete_me(request_rec *r)
{
    tasks_caller who = tasks_req_caller(r);
    tasks_value password;
    tasks_result res;
    json_t *body;
    int done;

    /* No body at all is fine for an account without a password (-1). */
    if (!(body = tasks_read_json_body(r, 1, &done)) && done != -1)
        return done;
    member(r, body, "password", &password);
    res = tasks_account_delete_self(tasks_req_service(r), &who, &password,
                                    r->useragent_ip);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    clear_cookies(r);
    return tasks_send_empty(r, HTTP_NO_CONTENT);
}

int tasks_handle_me(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);

    /* The auth hook always runs first; refuse rather than answer empty. */
    if (!rq->user_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED, NULL));
    if (r->method_number == M_DELETE)
        return delete_me(r);

    return tasks_send_json_value(r, HTTP_OK, json_pack("{s:o}", "user",
        user_json(rq->user_id, rq->email, rq->name, rq->created_at)));
}

int tasks_handle_logout(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);
    tasks_caller who = tasks_req_caller(r);
    tasks_result res;
    int revoked;

    res = tasks_account_logout(tasks_req_service(r), &who, rq->exp, &revoked);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    clear_cookies(r);
    if (revoked)
        return tasks_send_empty(r, HTTP_NO_CONTENT);
    /* Nothing to revoke: say so rather than pretend (a 204 would suggest
     * the credential no longer works). */
    return tasks_send_json_value(r, HTTP_OK, json_pack("{s:b, s:s}",
        "revoked", 0, "detail", rq->identity && !rq->token
        ? "you were signed in by the web server's authentication; sign out "
          "there (for HTTP Basic, close the browser)"
        : "this token has no jti, so it cannot be revoked here: it stays "
          "valid until it expires; sign out at its issuer"));
}

/* A string literal appended without counting its bytes by hand. */
#define APPEND_LITERAL(t, lit) tasks_text_append((t), (lit), sizeof(lit) - 1)

/* The instant t as the contract's Timestamp: UTC, six fraction digits. */
static const char *timestamp(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    apr_time_exp_gmt(&x, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                        x.tm_year + 1900, x.tm_mon + 1, x.tm_mday, x.tm_hour,
                        x.tm_min, x.tm_sec, x.tm_usec);
}

/* GET /api/auth/export: everything of the caller's as one download, the
 * tasks written straight into the buffer as a page is (a person may have
 * tens of thousands); the lists (at most 500) through jansson. */
int tasks_handle_export(request_rec *r)
{
    tasks_caller who = tasks_req_caller(r);
    apr_array_header_t *tasks, *lists;
    tasks_user_row user;
    tasks_result res;
    tasks_text body;
    json_t *u, *l;
    const char *user_text, *lists_text, *now;
    int i;

    res = tasks_account_export(tasks_req_service(r), &who, &user, &lists,
                               &tasks);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    u = user_json(user.id, user.email, user.name, user.created_at);
    if (!u || !(user_text = tasks_json_dump(r->pool, u))) {
        json_decref(u);
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    }
    json_decref(u);
    l = json_array();
    for (i = 0; i < lists->nelts; i++)
        if (json_array_append_new(l, tasks_list_to_json(&APR_ARRAY_IDX(lists,
                                  i, tasks_list_row))))
            break;
    lists_text = i == lists->nelts ? tasks_json_dump(r->pool, l) : NULL;
    json_decref(l);
    if (!lists_text)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    now = timestamp(r->pool, apr_time_now());
    tasks_text_init(&body, r->pool, 256 + (apr_size_t)tasks->nelts * 400);
    APPEND_LITERAL(&body, "{\"user\":");
    tasks_text_append(&body, user_text, strlen(user_text));
    APPEND_LITERAL(&body, ",\"lists\":");
    tasks_text_append(&body, lists_text, strlen(lists_text));
    APPEND_LITERAL(&body, ",\"tasks\":[");
    for (i = 0; i < tasks->nelts; i++) {
        if (i)
            APPEND_LITERAL(&body, ",");
        if (tasks_task_json_append(&body, &APR_ARRAY_IDX(tasks, i, tasks_task_row)))
            return tasks_send_result(r, &TASKS_RESULT(TASKS_FAILED, NULL));
    }
    APPEND_LITERAL(&body, "],\"exported_at\":\"");
    tasks_text_append(&body, now, strlen(now));
    APPEND_LITERAL(&body, "\"}");
    apr_table_setn(r->headers_out, "Content-Disposition", apr_psprintf(r->pool,
                   "attachment; filename=\"tasks-export-%.10s.json\"", now));
    return tasks_send_json(r, HTTP_OK, body.s);
}

/* POST /api/auth/logout-all: every session of the account ends, this one
 * too (its cookie is cleared). No body is read. */
int tasks_handle_logout_all(request_rec *r)
{
    tasks_caller who = tasks_req_caller(r);
    tasks_result res = tasks_account_sign_out_everywhere(tasks_req_service(r), &who);

    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    clear_cookies(r);
    return tasks_send_empty(r, HTTP_NO_CONTENT);
}

/* POST /api/auth/password {"current_password", "new_password"}: this
 * session goes on with its token and cookie; every other one ends. */
int tasks_handle_password(request_rec *r)
{
    tasks_caller who = tasks_req_caller(r);
    tasks_value current, fresh;
    tasks_result res;
    json_t *body;
    int done;

    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    member(r, body, "current_password", &current);
    member(r, body, "new_password", &fresh);
    res = tasks_account_change_password(tasks_req_service(r), &who, &current,
                                        &fresh, r->useragent_ip);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    return tasks_send_empty(r, HTTP_NO_CONTENT);
}

/* POST /api/auth/reset {"code", "new_password"}: public; every session of
 * the account ends, so the person logs in with the new password. */
int tasks_handle_reset(request_rec *r)
{
    tasks_value code, fresh;
    tasks_result res;
    json_t *body;
    int done;

    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    member(r, body, "code", &code);
    member(r, body, "new_password", &fresh);
    res = tasks_account_reset_with_code(tasks_req_service(r), &code, &fresh,
                                        r->useragent_ip);
    if (res.outcome != TASKS_DONE)
        return tasks_send_result(r, &res);
    return tasks_send_empty(r, HTTP_NO_CONTENT);
}
