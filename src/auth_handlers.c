/* auth_handlers.c - POST /api/auth/signup, POST /api/auth/login,
 * GET /api/auth/me, POST /api/auth/logout. The caller of me and logout was
 * established by the auth hook (auth.c); nothing here re-checks a token. */
#include <limits.h>
#include <string.h>

#include <httpd.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "tasks/module.h"
#include "tasks/password.h"
#include "tasks/problem.h"
#include "tasks/store.h"
#include "tasks/token.h"
#include "tasks/validate.h"

APLOG_USE_MODULE(tasks);

#define NAME_MAX_CHARS 100
/* How long a request waits for one of the process's scrypt slots. */
#define HASH_WAIT_STEPS 40
#define HASH_WAIT_STEP apr_time_from_msec(50)

/* scrypt costs ~32 MiB and tens of ms: at most TASKS_MAX_HASHING run at
 * once per process, so a login flood cannot exhaust memory or every
 * worker. Returns 1 with a slot taken, 0 when none came free in time. */
static int hash_slot_take(tasks_srv_cfg *sc)
{
    int i;

    for (i = 0; i < HASH_WAIT_STEPS; i++) {
        if (apr_atomic_inc32(sc->hashing) < TASKS_MAX_HASHING)
            return 1;
        apr_atomic_dec32(sc->hashing);
        apr_sleep(HASH_WAIT_STEP);
    }
    return 0;
}

static void hash_slot_give(tasks_srv_cfg *sc)
{
    apr_atomic_dec32(sc->hashing);
}

static int busy(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Retry-After", "1");
    return tasks_send_problem(r, HTTP_SERVICE_UNAVAILABLE,
                              "the server is busy; try again shortly", NULL);
}

/* The contract's User object. */
static json_t *user_json(const char *id, const char *email, const char *name,
                         const char *created_at)
{
    /* email is null for an external identity without an email claim. */
    return json_pack("{s:s, s:s?, s:s?, s:s}", "id", id, "email", email,
                     "name", name, "created_at", created_at);
}

/* Issue a token for the user, set the session cookie and answer with the
 * signup/login body. */
static int send_session(request_rec *r, int status, const tasks_user_row *u)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    const char *token = tasks_token_issue(r->pool, &sc->token, u->id, u->email,
                                          apr_time_now(), NULL);

    if (!token) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "TASKS0301: cannot issue "
                      "a token");
        return tasks_send_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                  "the session could not be created", NULL);
    }
    tasks_set_session_cookie(r, token, sc->token.lifetime);
    return tasks_send_json_value(r, status, json_pack("{s:o, s:s, s:s, s:I}",
        "user", user_json(u->id, u->email, u->name, u->created_at),
        "token", token, "token_type", "Bearer",
        "expires_in", (json_int_t)sc->token.lifetime));
}

/* A string member, or NULL when absent; *bad when present but not a
 * string (or null where null is not allowed). */
static const char *string_member(json_t *obj, const char *key, int null_ok,
                                 int *bad)
{
    json_t *v = json_object_get(obj, key);

    *bad = 0;
    if (!v || (null_ok && json_is_null(v)))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static int password_ok(const char *pw)
{
    long n = tasks_utf8_length(pw, strlen(pw));
    return n >= TASKS_PASSWORD_MIN && n <= TASKS_PASSWORD_MAX;
}

int tasks_handle_signup(request_rec *r)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    apr_array_header_t *errors = NULL;
    const char *email_in, *password, *name, *email = NULL, *hash;
    tasks_user_row user;
    tasks_db *db;
    tasks_db_rc rc;
    json_t *body;
    int done, bad;

    if (!tasks_dir_signup(tasks_dir(r)))
        return tasks_send_problem(r, HTTP_FORBIDDEN,
                                  "signing up is disabled on this server", NULL);
    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    email_in = string_member(body, "email", 0, &bad);
    if (!email_in || bad || !(email = tasks_email_normalize(r->pool, email_in)))
        tasks_field_error_add(r->pool, &errors, "email",
                              "must be a valid email address");
    password = string_member(body, "password", 0, &bad);
    if (!password || bad || !password_ok(password))
        tasks_field_error_add(r->pool, &errors, "password",
                              "must be 8-128 characters");
    /* The name is stored trimmed (empty: none), so the limit applies to
     * what is stored. */
    name = string_member(body, "name", 1, &bad);
    if (name) {
        name = tasks_trim(r->pool, name);
        if (!*name)
            name = NULL;
    }
    if (bad || (name && tasks_utf8_length(name, strlen(name)) > NAME_MAX_CHARS))
        tasks_field_error_add(r->pool, &errors, "name",
                              "must be a string of at most 100 characters");
    if (errors)
        return tasks_send_problem(r, HTTP_UNPROCESSABLE_ENTITY,
            apr_psprintf(r->pool, "%s %s",
                         APR_ARRAY_IDX(errors, 0, tasks_field_error).field,
                         APR_ARRAY_IDX(errors, 0, tasks_field_error).message),
            errors);
    if (!hash_slot_take(sc))
        return busy(r);
    hash = tasks_password_hash(r->pool, password, &tasks_scrypt_default);
    hash_slot_give(sc);
    if (!hash)
        return tasks_send_problem(r, HTTP_INTERNAL_SERVER_ERROR,
                                  "the password could not be stored", NULL);
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    rc = tasks_db_user_insert(db, email, name, hash, &user);
    if (rc == TASKS_DB_NONE)
        return tasks_send_problem(r, HTTP_CONFLICT,
                                  "this email is already registered", NULL);
    if (rc != TASKS_DB_OK)
        return tasks_send_unavailable(r);
    return send_session(r, HTTP_CREATED, &user);
}

static int throttled(request_rec *r, long retry)
{
    apr_table_setn(r->err_headers_out, "Retry-After",
                   apr_psprintf(r->pool, "%ld", retry > 0 ? retry : 1));
    return tasks_send_problem(r, HTTP_TOO_MANY_REQUESTS,
                              "too many failed logins; try again later", NULL);
}

int tasks_handle_login(request_rec *r)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    apr_array_header_t *errors = NULL;
    const char *email_in, *password, *email, *addr = r->useragent_ip;
    const char *stamp = NULL;
    long email_fails = 0, addr_fails = 0, email_retry = 0, addr_retry = 0;
    tasks_user_row user;
    tasks_db *db;
    tasks_db_rc rc;
    json_t *body;
    int done, bad, verdict, rehash = 0, found;

    if (!(body = tasks_read_json_body(r, 0, &done)))
        return done;
    email_in = string_member(body, "email", 0, &bad);
    if (!email_in || bad)
        tasks_field_error_add(r->pool, &errors, "email", "is required");
    password = string_member(body, "password", 0, &bad);
    if (!password || bad)
        tasks_field_error_add(r->pool, &errors, "password", "is required");
    if (errors)
        return tasks_send_problem(r, HTTP_UNPROCESSABLE_ENTITY,
                                  "email and password are required", errors);
    email = tasks_trim(r->pool, email_in);
    if (!(db = tasks_db_get(r)))
        return tasks_send_unavailable(r);
    /* The attempt is recorded (as a failure) before it is counted, in two
     * statements: concurrent attempts then see each other, and the k-th to
     * be recorded counts at least k, so no more than the limit get to try
     * a password at once. A throttled attempt is forgotten again, so that
     * Retry-After holds; a success forgets this client's failures. */
    if (tasks_db_login_attempt(db, email, addr, sc->throttle_window, &stamp)
        != TASKS_DB_OK)
        return tasks_send_unavailable(r);
    rc = tasks_db_login_failures(db, email, addr, sc->throttle_window,
                                 &email_fails, &addr_fails, &email_retry,
                                 &addr_retry);
    if (rc != TASKS_DB_OK)
        return tasks_send_unavailable(r);
    if ((sc->throttle_email && email_fails > sc->throttle_email)
        || (sc->throttle_addr && addr_fails > sc->throttle_addr)) {
        if (tasks_db_login_forget(db, email, addr, stamp) != TASKS_DB_OK)
            return tasks_send_unavailable(r);
        return throttled(r, sc->throttle_email && email_fails > sc->throttle_email
                            ? email_retry : addr_retry);
    }
    rc = tasks_db_user_by_email(db, email, &user);
    if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
        return tasks_send_unavailable(r);
    found = rc == TASKS_DB_OK && user.password_hash;
    /* An unknown email costs one scrypt too, against a hash made at
     * start-up, so timing does not tell which emails have accounts. */
    if (!hash_slot_take(sc))
        return busy(r);
    verdict = tasks_password_verify(r->pool, password,
                                    found ? user.password_hash : sc->dummy_hash,
                                    &tasks_scrypt_default, &rehash);
    hash_slot_give(sc);
    if (!found || verdict != 1) {
        if (verdict < 0 && found)
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "TASKS0302: stored "
                          "password hash of user %s is malformed", user.id);
        return tasks_send_problem(r, HTTP_UNAUTHORIZED,
                                  "invalid email or password", NULL);
    }
    if (rehash) {
        const char *hash = NULL;
        if (hash_slot_take(sc)) {
            hash = tasks_password_hash(r->pool, password, &tasks_scrypt_default);
            hash_slot_give(sc);
        }
        /* Best effort: the old hash still verifies if this fails. */
        if (hash)
            tasks_db_user_set_hash(db, user.id, hash);
    }
    if (tasks_db_login_succeeded(db, email, addr) != TASKS_DB_OK)
        return tasks_send_unavailable(r);
    return send_session(r, HTTP_OK, &user);
}

int tasks_handle_me(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);

    return tasks_send_json_value(r, HTTP_OK, json_pack("{s:o}", "user",
        user_json(rq->user_id, rq->email, rq->name, rq->created_at)));
}

/* A revocation must last as long as the token could still be accepted:
 * until exp plus the clock-skew leeway. Kept only until exp, the row was
 * purged (by any later logout) while the token still verified. */
static long long revoke_until(request_rec *r, long long exp)
{
    long leeway = tasks_srv(r->server)->token.leeway;

    if (leeway > 0 && exp <= LLONG_MAX - leeway)
        return exp + leeway;
    return exp;
}

int tasks_handle_logout(request_rec *r)
{
    tasks_req *rq = tasks_req_get(r);
    tasks_db *db;

    if (rq->jti) {
        if (!(db = tasks_db_get(r))
            || tasks_db_revoke(db, rq->jti, revoke_until(r, rq->exp))
               != TASKS_DB_OK)
            return tasks_send_unavailable(r);
    }
    tasks_set_session_cookie(r, NULL, 0);
    if (rq->jti)
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
