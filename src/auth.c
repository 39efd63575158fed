/* auth.c - the one place where a request gets its caller. An access-phase
 * hook (it runs for every request, before authorization and the handler)
 * takes the bearer token or the session cookie, verifies it (pure code in
 * token.c), checks with one indexed query that the user exists and the
 * token was not revoked, and sets r->user. Public routes and preflights
 * pass untouched; failures are answered here as problem+json. */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "tasks/module.h"
#include "tasks/store.h"
#include "tasks/token.h"

APLOG_USE_MODULE(tasks);

/* A 401 with the Bearer challenge; error="invalid_token" when a token
 * was sent. Written here, so the hook returns DONE. */
static int unauthorized(request_rec *r, int token_sent, const char *detail)
{
    apr_table_setn(r->err_headers_out, "WWW-Authenticate", token_sent
                   ? "Bearer error=\"invalid_token\"" : "Bearer");
    tasks_send_problem(r, HTTP_UNAUTHORIZED, detail, NULL);
    return DONE;
}

/* The value of cookie name in the Cookie header, or NULL. */
static const char *cookie_value(request_rec *r, const char *name)
{
    const char *h = apr_table_get(r->headers_in, "Cookie");
    size_t nlen = strlen(name);

    while (h && *h) {
        const char *end;
        while (*h == ' ' || *h == ';')
            h++;
        end = strchr(h, ';');
        if (!strncmp(h, name, nlen) && h[nlen] == '=') {
            const char *v = h + nlen + 1;
            return end ? apr_pstrmemdup(r->pool, v, (apr_size_t)(end - v))
                       : apr_pstrdup(r->pool, v);
        }
        h = end;
    }
    return NULL;
}

/* The token the request presents: the Authorization header wins over the
 * cookie (and a bad bearer token is never rescued by a good cookie).
 * *sent is set when anything token-like was presented. */
static const char *presented_token(request_rec *r, int *sent, int *malformed)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");

    *sent = 0;
    *malformed = 0;
    if (h) {
        *sent = 1;
        if (strncasecmp(h, "Bearer ", 7) != 0) {
            *malformed = 1;
            return NULL;
        }
        h += 7;
        while (*h == ' ')
            h++;
        return h;
    }
    h = cookie_value(r, TASKS_COOKIE);
    if (h && *h) {
        *sent = 1;
        return h;
    }
    return NULL;
}

/* A user id as the module issues them: a canonical lower-case UUID. Checked
 * before the query so a foreign "sub" can never reach a uuid cast. */
static int is_uuid(const char *s)
{
    int i;

    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        }
        else if (!apr_isxdigit(s[i]) || apr_isupper(s[i]))
            return 0;
    }
    return s[36] == '\0';
}

int tasks_auth_hook(request_rec *r)
{
    const tasks_route *route;
    tasks_srv_cfg *sc;
    tasks_req *rq;
    tasks_claims claims;
    tasks_token_status st;
    tasks_user_row user;
    tasks_db *db;
    tasks_db_rc rc;
    const char *token;
    int sent, malformed;

    if (!tasks_is_ours(r) || r->method_number == M_OPTIONS)
        return DECLINED;
    route = tasks_req_route(r);
    if (route->id == TASKS_ROUTE_NOT_FOUND || tasks_route_is_public(route->id))
        return DECLINED;
    token = presented_token(r, &sent, &malformed);
    if (malformed)
        return unauthorized(r, 1, "the Authorization header must be a Bearer token");
    if (!token)
        return unauthorized(r, 0, "authentication is required");
    sc = tasks_srv(r->server);
    st = tasks_token_verify(r->pool, &sc->token, token, r->request_time, &claims);
    if (st != TASKS_TOKEN_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "TASKS0201: token "
                      "refused: %s", tasks_token_status_text(st));
        return unauthorized(r, 1, "the token is invalid or expired");
    }
    if (!is_uuid(claims.sub))
        return unauthorized(r, 1, "the token is invalid or expired");
    db = tasks_db_get(r);
    if (!db) {
        tasks_send_unavailable(r);
        return DONE;
    }
    rc = tasks_db_auth_user(db, claims.sub, claims.jti, &user);
    if (rc == TASKS_DB_NONE) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "TASKS0202: token of "
                      "an unknown user or revoked");
        return unauthorized(r, 1, "the token is invalid or expired");
    }
    if (rc != TASKS_DB_OK) {
        tasks_send_unavailable(r);
        return DONE;
    }
    rq = tasks_req_get(r);
    rq->user_id = user.id;
    rq->email = user.email;
    rq->name = user.name;
    rq->created_at = user.created_at;
    rq->jti = claims.jti;
    rq->exp = claims.exp;
    rq->token = token;
    r->user = apr_pstrdup(r->pool, user.id);
    r->ap_auth_type = "Bearer";
    return DECLINED;
}

void tasks_set_session_cookie(request_rec *r, const char *token, long max_age)
{
    int secure = !strcmp(ap_http_scheme(r), "https");

    apr_table_addn(r->err_headers_out, "Set-Cookie", apr_psprintf(r->pool,
                   "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
                   TASKS_COOKIE, token ? token : "", TASKS_API_PREFIX,
                   token ? max_age : 0L, secure ? "; Secure" : ""));
}
