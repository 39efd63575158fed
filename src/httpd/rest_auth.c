/* rest_auth.c - the JSON front end of the account service:
 * POST /api/auth/signup, POST /api/auth/login, GET /api/auth/me,
 * POST /api/auth/logout. The caller of me and logout was established by
 * the auth hook (auth.c); nothing here re-checks a token. */
#include <httpd.h>
#include <http_protocol.h>

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

/* A new session: the cookie, and the signup/login body. */
static int send_session(request_rec *r, int status, const tasks_session *s)
{
    tasks_set_session_cookie(r, s->token, s->expires_in);
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

int tasks_handle_me(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);

    /* The auth hook always runs first; refuse rather than answer empty. */
    if (!rq->user_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_UNAUTHENTICATED, NULL));

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
    tasks_set_session_cookie(r, NULL, 0);
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
