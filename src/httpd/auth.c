/* auth.c - the one place where a request gets its caller. An access-phase
 * hook (it runs for every request, before authorization and the handler)
 * takes the bearer token or the session cookie, verifies it (pure code in
 * token.c), and sets r->user. That the user still exists and the token
 * was not revoked is one indexed query here, except on the task routes,
 * whose statements check it themselves in the same round trip. Public routes and preflights
 * pass untouched; failures are answered here as problem+json.
 *
 * Identity from outside also ends here: a token whose "iss" names a
 * trusted issuer is verified with that issuer's keys (issuers.c, jwks.c)
 * and its (iss, sub) mapped to a local user. With TasksTrustRemoteUser
 * and no token, the caller is the r->user another Apache module sets;
 * those run after the access phase, so the access hook defers and
 * tasks_auth_fixups decides (and tasks_authn_hook lets a token that
 * already won satisfy "Require valid-user"). */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_base64.h>

#include "tasks/core/token.h"
#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"
#include "tasks/service/account_service.h"

APLOG_USE_MODULE(tasks);

/* A 401 from a hook, with the Bearer challenge (error="invalid_token"
 * when a token was sent): the answer is written, so the hook returns
 * DONE. */
static int unauthorized(request_rec *r, int token_sent, const char *detail)
{
    tasks_send_result(r, &TASKS_RESULT(token_sent ? TASKS_DENIED
                                       : TASKS_UNAUTHENTICATED, detail));
    /* MCP clients find the authorization servers through the protected
     * resource metadata the challenge names (the MCP authorization
     * specification; RFC 9728 5.1). Replaces the plain challenge before
     * anything is sent. */
    if (tasks_req_route(r)->id == TASKS_ROUTE_MCP)
        apr_table_setn(r->err_headers_out, "WWW-Authenticate", apr_psprintf(
            r->pool, "Bearer resource_metadata=\"%s\"%s",
            tasks_mcp_metadata_url(r),
            token_sent ? ", error=\"invalid_token\"" : ""));
    return DONE;
}

/* Any other failed result from a hook. */
static int hook_failed(request_rec *r, const tasks_result *res)
{
    tasks_send_result(r, res);
    return DONE;
}

/* Routes whose every statement checks in SQL that the caller's user exists
 * and the token is not revoked (CALLER_OK in store.c): for them the hook
 * does not ask the database first, which halves the round trips of a task
 * request. A revoked token still never reads or writes a task. */
static int checked_in_sql(tasks_route_id id)
{
    return id == TASKS_ROUTE_TASKS || id == TASKS_ROUTE_TASK
           || id == TASKS_ROUTE_TASK_COMPLETE || id == TASKS_ROUTE_LISTS
           || id == TASKS_ROUTE_LIST;
}

/* Promise: see module.h. The first cookie of that name counts. */
const char *tasks_cookie_value(request_rec *r, const char *name)
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
    h = tasks_cookie_value(r, TASKS_COOKIE);
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

/* Longest subject (token "sub", Apache user name) linked to a user; OIDC
 * caps "sub" at 255 ASCII characters. */
#define SUBJECT_MAX 255

/* Makes user the request's caller. identity: NULL for our own tokens,
 * else the external issuer; jti (namespaced) may be NULL; iat 0 when the
 * token had none; sid: the session of a token of ours, or NULL. */
static void set_caller(request_rec *r, const tasks_user_row *user,
                       const char *identity, const char *jti, long long iat,
                       long long exp, const char *token, const char *sid)
{
    tasks_req *rq = tasks_req_get(r);

    rq->user_id = user->id;
    rq->email = user->email;
    rq->name = user->name;
    rq->created_at = user->created_at;
    rq->identity = identity;
    rq->jti = jti;
    rq->sid = sid;
    rq->iat = iat;
    rq->exp = exp;
    rq->token = token;
}

/* The local user linked to an external identity (provisioned on first
 * sight); answers 401/503 itself and returns DONE, or OK with *user. */
static int identity_user(request_rec *r, const char *issuer,
                         const char *subject, const char *jti, long long iat,
                         const char *email, const char *name,
                         tasks_user_row *user, int token_sent)
{
    tasks_result res;

    if (strlen(subject) > SUBJECT_MAX)
        return unauthorized(r, token_sent, token_sent
                            ? "the token is invalid or expired"
                            : "authentication is required");
    res = tasks_account_identity(tasks_req_service(r), issuer, subject, jti,
                                 iat, email, name, user);
    if (res.outcome == TASKS_DENIED)
        return unauthorized(r, token_sent, "the token is invalid or expired");
    if (res.outcome != TASKS_DONE)
        return hook_failed(r, &res);
    return OK;
}

/* A token whose "iss" names a trusted issuer: its keys verify it, and its
 * (issuer, sub) maps to a local user. Never falls back to our own key. */
static int external_token(request_rec *r, tasks_issuer *is, const char *token)
{
    const char *iss = tasks_issuer_name(is), *jti = NULL;
    tasks_claims claims;
    tasks_token_status st;
    tasks_user_row user;
    int rc;

    st = tasks_issuer_verify(r, is, token, &claims);
    if (st != TASKS_TOKEN_OK) {
        tasks_count_token(r->server, st);
        tasks_req_get(r)->token_refused = 1;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "TASKS0203: token of %s "
                      "refused: %s", iss, tasks_token_status_text(st));
        return unauthorized(r, 1, "the token is invalid or expired");
    }
    /* Revocations are keyed by jti; another issuer's jti must not be able
     * to collide with ours or with a third issuer's. */
    if (claims.jti)
        jti = apr_pstrcat(r->pool, iss, " ", claims.jti, NULL);
    rc = identity_user(r, iss, claims.sub, jti, claims.iat, claims.email,
                       claims.name, &user, 1);
    if (rc != OK)
        return rc;
    /* Its "sid" (OpenID Connect's, if any) is the issuer's business. */
    set_caller(r, &user, iss, jti, claims.iat, claims.exp, token, NULL);
    r->user = apr_pstrdup(r->pool, user.id);
    r->ap_auth_type = "Bearer";
    return DECLINED;
}

/* The Basic challenge of the CalDAV front end: clients send credentials
 * only after a 401 that asks for them (python-caldav, DAVx5). */
static int dav_unauthorized(request_rec *r, const char *detail)
{
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   TASKS_DAV_CHALLENGE);
    tasks_send_problem(r, HTTP_UNAUTHORIZED, detail, NULL);
    return DONE;
}

/* A CalDAV client's HTTP Basic: the account's e-mail and an app password
 * (never the account's password: tasks_account_app_sign_in). */
static int dav_basic(request_rec *r, const char *credentials)
{
    tasks_caller who;
    tasks_result res;
    tasks_user_row user;
    char *decoded, *colon;
    int len;

    while (*credentials == ' ')
        credentials++;
    if (strlen(credentials) > 1024)
        return dav_unauthorized(r, "the credentials are too long");
    decoded = apr_palloc(r->pool, apr_base64_decode_len(credentials) + 1);
    len = apr_base64_decode(decoded, credentials);
    decoded[len < 0 ? 0 : len] = '\0';
    if ((colon = strchr(decoded, ':')) == NULL || (int)strlen(decoded) != len)
        return dav_unauthorized(r, "HTTP Basic needs an e-mail and an app "
                                "password");
    *colon = '\0';
    res = tasks_account_app_sign_in(tasks_req_service(r), decoded, colon + 1,
                                    r->useragent_ip, &who);
    if (res.outcome == TASKS_UNAUTHENTICATED || res.outcome == TASKS_DENIED)
        return dav_unauthorized(r, "the e-mail or app password is wrong (an "
                                "account's own password is not taken here: "
                                "make an app password)");
    if (res.outcome != TASKS_DONE)
        return hook_failed(r, &res);
    memset(&user, 0, sizeof user);
    user.id = who.user_id;
    set_caller(r, &user, NULL, who.jti, who.iat, 0, NULL, who.sid);
    r->user = apr_pstrdup(r->pool, user.id);
    r->ap_auth_type = "Basic";
    return DECLINED;
}

int tasks_auth_hook(request_rec *r)
{
    const tasks_route *route;
    tasks_srv_cfg *sc;
    tasks_claims claims;
    tasks_token_status st;
    tasks_user_row user;
    tasks_result res;
    tasks_issuer *is;
    const char *token;
    int sent, malformed;

    if (!tasks_is_ours(r) || r->method_number == M_OPTIONS)
        return DECLINED;
    route = tasks_req_route(r);
    if (route->id == TASKS_ROUTE_NOT_FOUND || tasks_route_is_public(route->id))
        return DECLINED;
    if (route->id == TASKS_ROUTE_DAV) {
        const char *h = apr_table_get(r->headers_in, "Authorization");

        if (h && strncasecmp(h, "Basic ", 6) == 0)
            return dav_basic(r, h + 6);
        /* Another scheme (Digest, Negotiate), or nothing: the Basic
         * challenge a CalDAV client answers. A bearer token or the
         * session cookie goes on below. */
        if ((h && strncasecmp(h, "Bearer ", 7) != 0)
            || (!h && !tasks_cookie_value(r, TASKS_COOKIE)))
            return dav_unauthorized(r, "authentication is required (the "
                                    "account's e-mail and an app password)");
    }
    token = presented_token(r, &sent, &malformed);
    /* TasksTrustRemoteUser: without a token of ours (no credentials, or
     * another scheme such as Basic or Negotiate), the caller is whoever
     * Apache's authentication modules name; they run after this hook, so
     * the decision waits for tasks_auth_fixups. A token still wins. */
    if ((malformed || !token) && tasks_dir_trust_remote_user(tasks_dir(r))) {
        tasks_req_get(r)->deferred = 1;
        return DECLINED;
    }
    if (malformed)
        return unauthorized(r, 1, "the Authorization header must be a Bearer token");
    if (!token)
        return unauthorized(r, 0, "authentication is required");
    if ((is = tasks_issuer_for_token(r, token)))
        return external_token(r, is, token);
    sc = tasks_srv(r->server);
    st = tasks_token_verify(r->pool, &sc->token, token, r->request_time, &claims);
    if (st != TASKS_TOKEN_OK) {
        tasks_count_token(r->server, st);
        tasks_req_get(r)->token_refused = 1;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "TASKS0201: token "
                      "refused: %s", tasks_token_status_text(st));
        return unauthorized(r, 1, "the token is invalid or expired");
    }
    /* Both go to uuid casts; ours are always UUIDs. */
    if (!is_uuid(claims.sub) || (claims.sid && !is_uuid(claims.sid)))
        return unauthorized(r, 1, "the token is invalid or expired");
    if (checked_in_sql(route->id)) {
        memset(&user, 0, sizeof(user));
        user.id = claims.sub;
        set_caller(r, &user, NULL, claims.jti, claims.iat, claims.exp, token,
                   claims.sid);
        r->user = apr_pstrdup(r->pool, user.id);
        r->ap_auth_type = "Bearer";
        return DECLINED;
    }
    res = tasks_account_caller(tasks_req_service(r), &(tasks_caller){
                                   claims.sub, claims.jti, claims.iat,
                                   claims.sid }, &user);
    if (res.outcome == TASKS_DENIED)
        return unauthorized(r, 1, "the token is invalid or expired");
    if (res.outcome != TASKS_DONE)
        return hook_failed(r, &res);
    set_caller(r, &user, NULL, claims.jti, claims.iat, claims.exp, token,
               claims.sid);
    r->user = apr_pstrdup(r->pool, user.id);
    r->ap_auth_type = "Bearer";
    return DECLINED;
}

/* check_authn, first of all providers: when TasksTrustRemoteUser is on
 * and the access hook already accepted a token, that token satisfies
 * "Require valid-user" without a second login (mod_auth_basic would
 * otherwise answer 401 to a Bearer header). Declines everything else. */
int tasks_authn_hook(request_rec *r)
{
    tasks_req *rq;

    if (!tasks_dir_trust_remote_user(tasks_dir(r)) || !tasks_is_ours(r))
        return DECLINED;
    rq = tasks_req_get(r);
    return rq->user_id && !rq->deferred ? OK : DECLINED;
}

/* fixups (after authentication and authorization): a request the access
 * hook deferred gets its caller from r->user, linked as the identity
 * ("apache:<AuthName>", r->user); no r->user is a 401. */
int tasks_auth_fixups(request_rec *r)
{
    const char *auth_name, *issuer;
    tasks_user_row user;
    tasks_req *rq;
    int rc;

    if (!tasks_is_ours(r))
        return DECLINED;
    rq = tasks_req_get(r);
    if (!rq->deferred || rq->user_id)
        return DECLINED;
    if (!r->user || !*r->user)
        return unauthorized(r, 0, "authentication is required");
    auth_name = ap_auth_name(r);
    issuer = apr_pstrcat(r->pool, "apache:", auth_name ? auth_name : "", NULL);
    /* Apache authenticated this very request: as a token, it was issued
     * now (a sign-out everywhere cannot end the web server's sign-in). */
    rc = identity_user(r, issuer, r->user, NULL, apr_time_sec(r->request_time),
                       NULL, r->user, &user, 0);
    if (rc != OK)
        return rc;
    /* r->user stays what Apache set (the access log shows that name). */
    set_caller(r, &user, issuer, NULL, apr_time_sec(r->request_time), 0, NULL,
               NULL);
    return DECLINED;
}

/* A Set-Cookie of ours: value NULL clears the cookie. */
static void set_cookie(request_rec *r, const char *name, const char *path,
                       const char *value, long max_age)
{
    /* https as httpd sees it: mod_ssl's hosts, or a host behind a proxy
     * that terminates TLS and says so with `ServerName https://...`.
     * X-Forwarded-Proto is not read on purpose: the module cannot tell
     * reliably whether the proxy or the client sent it (README "Behind a
     * reverse proxy"). */
    int secure = !strcmp(ap_http_scheme(r), "https");

    apr_table_addn(r->err_headers_out, "Set-Cookie", apr_psprintf(r->pool,
                   "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
                   name, value ? value : "", path, value ? max_age : 0L,
                   secure ? "; Secure" : ""));
}

void tasks_set_session_cookie(request_rec *r, const char *token, long max_age)
{
    set_cookie(r, TASKS_COOKIE, tasks_srv_api_path(r->server), token, max_age);
}

void tasks_set_refresh_cookie(request_rec *r, const char *value, long max_age)
{
    set_cookie(r, TASKS_REFRESH_COOKIE,
               apr_pstrcat(r->pool, tasks_srv_api_path(r->server),
                           TASKS_REFRESH_SEGMENT, NULL), value, max_age);
}
