/* account_service.c - sign up, log in with throttling, sessions kept by
 * rotating refresh values, resolve a token's caller, log out. Passwords
 * are hashed with scrypt under a per-process cap; failed logins are rows
 * in PostgreSQL, so every process and node agrees on them. */
#include <limits.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "tasks/core/digest.h"
#include "tasks/core/password.h"
#include "tasks/core/problem.h"
#include "tasks/core/refresh.h"
#include "tasks/core/reset_code.h"
#include "tasks/core/validate.h"
#include "tasks/service/account_service.h"

#define NAME_MAX_CHARS 100
/* Sessions an account keeps at once: a login beyond them ends the one
 * used least recently (a script that logs in every minute must not
 * leave a row per login for the whole session lifetime). */
#define SESSIONS_PER_ACCOUNT 100
/* One answer for every refresh that fails (no value, an unknown, used or
 * expired one): the app signs in again whichever it was. */
#define REFRESH_REFUSED "the session has ended; sign in again"
/* One answer for a reset code that is unknown, used or expired. */
#define RESET_REFUSED "the code is unknown, used or expired"
/* How long a request waits for one of the process's scrypt slots. */
#define HASH_WAIT_STEPS 40
#define HASH_WAIT_STEP apr_time_from_msec(50)

/* scrypt costs ~32 MiB and tens of ms: at most max_hashing run at once
 * per process, so a login flood cannot exhaust memory or every worker.
 * Returns 1 with a slot taken, 0 when none came free in time. */
static int hash_slot_take(const tasks_account_policy *a)
{
    int i;

    for (i = 0; i < HASH_WAIT_STEPS; i++) {
        if (apr_atomic_inc32(a->hashing) < (apr_uint32_t)a->max_hashing)
            return 1;
        apr_atomic_dec32(a->hashing);
        apr_sleep(HASH_WAIT_STEP);
    }
    return 0;
}

static void hash_slot_give(const tasks_account_policy *a)
{
    apr_atomic_dec32(a->hashing);
}

static tasks_result busy(void)
{
    return TASKS_RESULT(TASKS_BUSY, "the server is busy; try again shortly");
}

/* The string of a value, or NULL when it is absent, null or anything
 * else; *bad when it is present but not a string (null is bad unless
 * null_ok). A string with a NUL inside is bad too. */
static const char *string_value(const tasks_value *v, int null_ok, int *bad)
{
    *bad = 0;
    if (!v || v->kind == TASKS_VALUE_ABSENT
        || (null_ok && v->kind == TASKS_VALUE_NULL))
        return NULL;
    if (v->kind != TASKS_VALUE_STRING || strlen(v->str) != v->len) {
        *bad = 1;
        return NULL;
    }
    return v->str;
}

static int password_ok(const char *pw)
{
    long n = tasks_utf8_length(pw, strlen(pw));
    return n >= TASKS_PASSWORD_MIN && n <= TASKS_PASSWORD_MAX;
}

/* A new refresh value (*value, to hand out) and its stored hash. */
static tasks_result new_refresh_value(tasks_service *s, const char **value,
                                      const char **hash)
{
    unsigned char rnd[TASKS_REFRESH_BYTES];

    if (apr_generate_random_bytes(rnd, sizeof rnd) != APR_SUCCESS) {
        tasks_log(s->log, TASKS_LOG_ERR, "TASKS0311: cannot make a refresh "
                  "value: the system gave no random bytes");
        return TASKS_RESULT(TASKS_FAILED, "the session could not be created");
    }
    *value = tasks_refresh_text(s->pool, rnd, sizeof rnd);
    explicit_bzero(rnd, sizeof rnd);
    *hash = tasks_refresh_hash(s->pool, *value);
    return TASKS_RESULT_DONE;
}

/* The session out for user u: an access token of ours issued in session
 * sid, and the session's new refresh value. */
static tasks_result session_tokens(tasks_service *s, const tasks_user_row *u,
                                   const char *sid, const char *refresh,
                                   tasks_session *out)
{
    out->user = *u;
    out->user.password_hash = NULL;
    out->expires_in = s->token->lifetime;
    out->refresh = refresh;
    out->refresh_max_age = s->accounts->session_lifetime;
    out->token = tasks_token_issue(s->pool, s->token, u->id, u->email, sid,
                                   apr_time_now(), NULL);
    if (!out->token) {
        tasks_log(s->log, TASKS_LOG_ERR, "TASKS0301: cannot issue a token");
        return TASKS_RESULT(TASKS_FAILED, "the session could not be created");
    }
    return TASKS_RESULT_DONE;
}

/* A new session for user u (login, signup): its row with the first
 * refresh value, and its first token. */
static tasks_result open_session(tasks_service *s, const tasks_user_row *u,
                                 tasks_session *out)
{
    const char *refresh, *hash, *sid;
    tasks_result res;
    tasks_db *db;
    tasks_db_rc rc;

    if ((res = new_refresh_value(s, &refresh, &hash)).outcome != TASKS_DONE)
        return res;
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_session_start(db, u->id, hash, s->accounts->session_lifetime,
                                SESSIONS_PER_ACCOUNT, &sid);
    if (rc == TASKS_DB_NONE)    /* the account was deleted meanwhile */
        return TASKS_RESULT(TASKS_UNAUTHENTICATED, "the account no longer exists");
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    return session_tokens(s, u, sid, refresh, out);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_refresh(tasks_service *s, const char *value,
                                   const char *client_addr, tasks_session *out)
{
    const char *old_hash, *refresh, *hash, *sid, *user_id;
    tasks_user_row user;
    tasks_result res;
    tasks_db *db;
    tasks_db_rc rc;
    int reused = 0;

    /* A value that was never issued costs no query. */
    if (!(old_hash = tasks_refresh_hash(s->pool, value)))
        return TASKS_RESULT(TASKS_UNAUTHENTICATED, REFRESH_REFUSED);
    if ((res = new_refresh_value(s, &refresh, &hash)).outcome != TASKS_DONE)
        return res;
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_session_refresh(db, old_hash, hash,
                                  s->accounts->session_lifetime, &sid, &user);
    if (rc == TASKS_DB_OK)
        return session_tokens(s, &user, sid, refresh, out);
    if (rc != TASKS_DB_NONE)
        return tasks_service_db_failure(rc);
    rc = tasks_db_session_refused(db, old_hash, &user_id, &reused);
    if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
        return tasks_service_db_failure(rc);
    if (rc == TASKS_DB_OK && reused)
        tasks_log(s->log, TASKS_LOG_WARNING, "TASKS0310: a refresh value of "
                  "user %s was used a second time, from client %s; that "
                  "session is signed out", user_id,
                  client_addr ? client_addr : "-");
    return TASKS_RESULT(TASKS_UNAUTHENTICATED, REFRESH_REFUSED);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_signup_open(const tasks_service *s)
{
    return s->accounts->signup ? TASKS_RESULT_DONE
           : TASKS_RESULT(TASKS_FORBIDDEN,
                          "signing up is disabled on this server");
}

/* The email (normalised) and password of a new account or a new
 * password, checked as signup checks them; name too when name_in is
 * given. NULL, or the INVALID result's field errors. */
static apr_array_header_t *check_account(tasks_service *s,
                                         const tasks_value *email_in,
                                         const tasks_value *password_in,
                                         const tasks_value *name_in,
                                         const char **email,
                                         const char **password,
                                         const char **name)
{
    apr_array_header_t *errors = NULL;
    const char *raw;
    int bad;

    *email = NULL;
    raw = string_value(email_in, 0, &bad);
    if (!raw || !(*email = tasks_email_normalize(s->pool, raw)))
        tasks_field_error_add(s->pool, &errors, "email",
                              "must be a valid email address");
    *password = string_value(password_in, 0, &bad);
    if (!*password || !password_ok(*password))
        tasks_field_error_add(s->pool, &errors, "password",
                              "must be 8-128 characters");
    if (!name_in)
        return errors;
    /* The name is stored trimmed (empty: none), so the limit applies to
     * what is stored. */
    *name = string_value(name_in, 1, &bad);
    if (*name) {
        *name = tasks_trim(s->pool, *name);
        if (!**name)
            *name = NULL;
    }
    if (bad || (*name && tasks_utf8_length(*name, strlen(*name))
                         > NAME_MAX_CHARS))
        tasks_field_error_add(s->pool, &errors, "name",
                              "must be a string of at most 100 characters");
    return errors;
}

/* A password's scrypt hash under the process's cap; NULL with *r set. */
static const char *hash_password(tasks_service *s, const char *password,
                                 tasks_result *r)
{
    const char *hash;

    if (!hash_slot_take(s->accounts)) {
        *r = busy();
        return NULL;
    }
    hash = tasks_password_hash(s->pool, password, &tasks_scrypt_default);
    hash_slot_give(s->accounts);
    if (!hash)
        *r = TASKS_RESULT(TASKS_FAILED, "the password could not be stored");
    return hash;
}

/* Promise: see account_service.h. */
tasks_result tasks_account_create(tasks_service *s, const tasks_value *email_in,
                                  const tasks_value *password_in,
                                  const tasks_value *name_in,
                                  tasks_user_row *out)
{
    apr_array_header_t *errors;
    const char *email, *password, *name = NULL, *hash;
    tasks_db *db;
    tasks_db_rc rc;
    tasks_result r;

    errors = check_account(s, email_in, password_in, name_in, &email,
                           &password, &name);
    if (errors)
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(hash = hash_password(s, password, &r)))
        return r;
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_user_insert(db, email, name, hash, out);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_CONFLICT, "this email is already registered");
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_signup(tasks_service *s, const tasks_value *email_in,
                                  const tasks_value *password_in,
                                  const tasks_value *name_in,
                                  tasks_session *out)
{
    tasks_user_row user;
    tasks_result r = tasks_account_signup_open(s);

    if (r.outcome != TASKS_DONE)
        return r;
    r = tasks_account_create(s, email_in, password_in, name_in, &user);
    if (r.outcome != TASKS_DONE)
        return r;
    return open_session(s, &user, out);
}

/* A write to one account by email: DONE, or NOT_FOUND when no account
 * with a password has it. */
static tasks_result account_written(tasks_db_rc rc)
{
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_NOT_FOUND,
                            "no account with a password has this email");
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_reset_password(tasks_service *s,
                                          const tasks_value *email_in,
                                          const tasks_value *password_in,
                                          tasks_user_row *out)
{
    apr_array_header_t *errors;
    const char *email, *password, *hash;
    tasks_db *db;
    tasks_db_rc rc;
    tasks_result r;

    errors = check_account(s, email_in, password_in, NULL, &email, &password,
                           NULL);
    if (errors)
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(hash = hash_password(s, password, &r)))
        return r;
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_user_reset_password(db, email, hash, out);
    return account_written(rc);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_delete(tasks_service *s, const tasks_value *email_in,
                                  tasks_user_row *out, long long *tasks)
{
    apr_array_header_t *errors = NULL;
    const char *email;
    tasks_db *db;
    tasks_db_rc rc;
    int bad;

    email = string_value(email_in, 0, &bad);
    if (!email || !*(email = tasks_trim(s->pool, email)))
        tasks_field_error_add(s->pool, &errors, "email", "is required");
    if (errors)
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_user_delete(db, email, out, tasks);
    return account_written(rc);
}

/* THROTTLED, retry after retry seconds (at least 1), logged for
 * fail2ban (conf/fail2ban): the address, never the email or the
 * password. */
static tasks_result throttled(tasks_service *s, long retry, const char *addr)
{
    tasks_result r = TASKS_RESULT(TASKS_THROTTLED, "too many failed logins; "
                                  "try again later");

    r.retry_after = retry < 1 ? 1 : retry;
    tasks_log(s->log, TASKS_LOG_NOTICE, "TASKS0304: login throttled "
              "for client %s", addr ? addr : "-");
    return r;
}

/* One attempt at a secret (a password, a reset code) recorded for key
 * from addr and counted under the login throttle: DONE when it may go
 * on, THROTTLED (the attempt forgotten again, so that Retry-After holds),
 * or a store failure. The attempt counts as a failure until the caller
 * forgets it with tasks_db_login_succeeded. */
static tasks_result attempt_counted(tasks_service *s, tasks_db *db,
                                    const char *key, const char *addr)
{
    const tasks_account_policy *a = s->accounts;
    const char *stamp = NULL;
    long email_fails = 0, addr_fails = 0, email_retry = 0, addr_retry = 0;
    tasks_db_rc rc;

    rc = tasks_db_login_attempt(db, key, addr, a->throttle_window, &stamp);
    if (rc == TASKS_DB_OK)
        rc = tasks_db_login_failures(db, key, addr, a->throttle_window,
                                     &email_fails, &addr_fails, &email_retry,
                                     &addr_retry);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if (!(a->throttle_email && email_fails > a->throttle_email)
        && !(a->throttle_addr && addr_fails > a->throttle_addr))
        return TASKS_RESULT_DONE;
    if ((rc = tasks_db_login_forget(db, key, addr, stamp)) != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    return throttled(s, a->throttle_email && email_fails > a->throttle_email
                        ? email_retry : addr_retry, addr);
}

/* The password of the account with a password at email, checked under
 * the login throttle: DONE with *user (its hash included), or
 * UNAUTHENTICATED (wrong email or password: one answer for both),
 * THROTTLED, BUSY, UNAVAILABLE, FAILED. The attempt is recorded (as a
 * failure) before it is counted, in two statements: concurrent attempts
 * then see each other, and the k-th to be recorded counts at least k, so
 * no more than the limit get to try a password at once. A throttled
 * attempt is forgotten again, so that Retry-After holds; a success
 * forgets this client's failures for this email. An unknown email costs
 * one scrypt too, against a hash made at start-up, so timing does not
 * tell which emails have accounts. Login and the account operations that
 * a password confirms (DELETE /api/auth/me) share it, so a wrong password
 * counts as a failed login wherever it is tried. */
static tasks_result password_checked(tasks_service *s, tasks_db *db,
                                     const char *email, const char *password,
                                     const char *addr, tasks_user_row *user)
{
    const tasks_account_policy *a = s->accounts;
    tasks_result res;
    tasks_db_rc rc;
    int verdict, rehash = 0, found;

    if ((res = attempt_counted(s, db, email, addr)).outcome != TASKS_DONE)
        return res;
    rc = tasks_db_user_by_email(db, email, user);
    if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
        return tasks_service_db_failure(rc);
    found = rc == TASKS_DB_OK && user->password_hash;
    if (!hash_slot_take(a))
        return busy();
    verdict = tasks_password_verify(s->pool, password,
                                    found ? user->password_hash : a->dummy_hash,
                                    &tasks_scrypt_default, &rehash);
    hash_slot_give(a);
    if (!found || verdict != 1) {
        if (verdict < 0 && found)
            tasks_log(s->log, TASKS_LOG_ERR, "TASKS0302: stored password "
                      "hash of user %s is malformed", user->id);
        tasks_log(s->log, TASKS_LOG_NOTICE, "TASKS0303: failed login from "
                  "client %s", addr ? addr : "-");
        return TASKS_RESULT(TASKS_UNAUTHENTICATED, "invalid email or password");
    }
    if (rehash) {
        const char *hash = NULL;
        if (hash_slot_take(a)) {
            hash = tasks_password_hash(s->pool, password, &tasks_scrypt_default);
            hash_slot_give(a);
        }
        /* Best effort: the old hash still verifies if this fails. */
        if (hash)
            tasks_db_user_set_hash(db, user->id, hash);
    }
    if ((rc = tasks_db_login_succeeded(db, email, addr)) != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h. Throttled like a login, but counted
 * otherwise: a password's attempt is recorded before its (slow) check,
 * so that concurrent guesses see each other; an app password is looked
 * up at once (256 random bits, by SHA-256), so only a failure is
 * recorded, and a CalDAV client's parallel requests never throttle each
 * other. Two round trips for a success: the failures read, the lookup. */
tasks_result tasks_account_app_sign_in(tasks_service *s, const char *email,
                                       const char *app_password,
                                       const char *addr, tasks_caller *who)
{
    const tasks_account_policy *a = s->accounts;
    const char *norm = email ? tasks_email_normalize(s->pool, email) : NULL;
    long email_fails = 0, addr_fails = 0, email_retry = 0, addr_retry = 0;
    const char *stamp = NULL;
    tasks_user_row user;
    tasks_db *db;
    tasks_db_rc rc;

    memset(who, 0, sizeof *who);
    if (!norm || !app_password || !*app_password)
        return TASKS_RESULT(TASKS_UNAUTHENTICATED,
                            "invalid email or app password");
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_login_failures(db, norm, addr, a->throttle_window,
                                 &email_fails, &addr_fails, &email_retry,
                                 &addr_retry);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if ((a->throttle_email && email_fails >= a->throttle_email)
        || (a->throttle_addr && addr_fails >= a->throttle_addr))
        return throttled(s, a->throttle_email && email_fails >= a->throttle_email
                            ? email_retry : addr_retry, addr);
    rc = tasks_db_app_password_user(db, norm, tasks_sha256_hex(s->pool,
                                    app_password, strlen(app_password)), &user);
    if (rc == TASKS_DB_NONE) {
        tasks_log(s->log, TASKS_LOG_NOTICE, "TASKS0313: failed app password "
                  "sign-in from client %s", addr ? addr : "-");
        if ((rc = tasks_db_login_attempt(db, norm, addr, a->throttle_window,
                                         &stamp)) != TASKS_DB_OK)
            return tasks_service_db_failure(rc);
        return TASKS_RESULT(TASKS_UNAUTHENTICATED,
                            "invalid email or app password");
    }
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    /* A caller without a session, checked now: sign out everywhere
     * before this second still ends it (CALLER_OK), revoking the app
     * password ends the next request. */
    who->user_id = user.id;
    who->iat = (long long)apr_time_sec(apr_time_now());
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h (password_checked says how). */
tasks_result tasks_account_login(tasks_service *s, const tasks_value *email_in,
                                 const tasks_value *password_in,
                                 const char *addr, tasks_session *out)
{
    apr_array_header_t *errors = NULL;
    const char *email, *password;
    tasks_user_row user;
    tasks_result res;
    tasks_db *db;
    int bad;

    email = string_value(email_in, 0, &bad);
    if (!email)
        tasks_field_error_add(s->pool, &errors, "email", "is required");
    password = string_value(password_in, 0, &bad);
    if (!password)
        tasks_field_error_add(s->pool, &errors, "password", "is required");
    if (errors)
        return tasks_service_invalid(s->pool, errors, "email and password are required");
    email = tasks_trim(s->pool, email);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    res = password_checked(s, db, email, password, addr, &user);
    if (res.outcome != TASKS_DONE)
        return res;
    return open_session(s, &user, out);
}

/* The caller's own user (*me) and whether it has a password here
 * (*has_password): the account with a password at the caller's email must
 * be the caller's, since an external identity may share its email with
 * another person's account. DONE, DENIED (the token no longer stands),
 * or a store failure. */
static tasks_result own_account(tasks_db *db, const tasks_caller *who,
                                tasks_user_row *me, int *has_password)
{
    tasks_user_row by_email;
    tasks_db_rc rc;

    if ((rc = tasks_db_auth_user(db, who, me)) != TASKS_DB_OK)
        return rc == TASKS_DB_NONE ? TASKS_RESULT(TASKS_DENIED, NULL)
                                   : tasks_service_db_failure(rc);
    rc = me->email ? tasks_db_user_by_email(db, me->email, &by_email) : TASKS_DB_NONE;
    if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
        return tasks_service_db_failure(rc);
    *has_password = rc == TASKS_DB_OK && !strcmp(by_email.id, me->id);
    return TASKS_RESULT_DONE;
}

/* A secret that proves who asks (the current password, a reset code),
 * required, and a new password under signup's rules: the field errors, or
 * NULL with both set. */
static apr_array_header_t *secret_and_new_password(tasks_service *s,
                                                   const tasks_value *secret_in,
                                                   const char *secret_field,
                                                   const tasks_value *new_in,
                                                   const char **secret,
                                                   const char **fresh)
{
    apr_array_header_t *errors = NULL;
    int bad;

    if (!(*secret = string_value(secret_in, 0, &bad)))
        tasks_field_error_add(s->pool, &errors, secret_field, "is required");
    *fresh = string_value(new_in, 0, &bad);
    if (!*fresh || !password_ok(*fresh))
        tasks_field_error_add(s->pool, &errors, "new_password",
                              "must be 8-128 characters");
    return errors;
}

/* Promise: see account_service.h. */
tasks_result tasks_account_sign_out_everywhere(tasks_service *s,
                                               const tasks_caller *who)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_sign_out_everywhere(db, who);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    tasks_log(s->log, TASKS_LOG_INFO, "TASKS0306: user %s signed out "
              "everywhere", who->user_id);
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h. The current password is checked as a
 * login is (password_checked: throttled, a wrong one counts as a failed
 * login); the new one follows signup's rules. */
tasks_result tasks_account_change_password(tasks_service *s,
                                           const tasks_caller *who,
                                           const tasks_value *current_in,
                                           const tasks_value *new_in,
                                           const char *addr)
{
    apr_array_header_t *errors = NULL;
    const char *current, *fresh, *hash;
    tasks_user_row me, by_email;
    tasks_result res;
    tasks_db *db;
    tasks_db_rc rc;
    int has_password;

    errors = secret_and_new_password(s, current_in, "current_password", new_in,
                                     &current, &fresh);
    if (errors)
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    res = own_account(db, who, &me, &has_password);
    if (res.outcome != TASKS_DONE)
        return res;
    if (!has_password)
        return TASKS_RESULT(TASKS_FORBIDDEN, "this account signs in elsewhere "
                            "and has no password here");
    res = password_checked(s, db, me.email, current, addr, &by_email);
    if (res.outcome == TASKS_UNAUTHENTICATED)
        res.detail = "the current password is wrong; nothing was changed";
    if (res.outcome != TASKS_DONE)
        return res;
    if (!(hash = hash_password(s, fresh, &res)))
        return res;
    rc = tasks_db_password_change(db, who, hash);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    tasks_log(s->log, TASKS_LOG_INFO, "TASKS0307: user %s changed their "
              "password; their other sessions are signed out", me.id);
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h. 80 random bits from APR's source (the
 * system's), of which only the SHA-256 is stored. */
tasks_result tasks_account_issue_reset_code(tasks_service *s,
                                            const tasks_value *email_in,
                                            const char **code,
                                            tasks_user_row *out)
{
    unsigned char rnd[10];
    const char *email, *hash;
    tasks_db *db;
    tasks_db_rc rc;
    int bad;

    if (!(email = string_value(email_in, 0, &bad)))
        return TASKS_RESULT(TASKS_NOT_FOUND, "no account with a password has this email");
    if (apr_generate_random_bytes(rnd, sizeof rnd) != APR_SUCCESS)
        return TASKS_RESULT(TASKS_FAILED, "no random bytes for a code");
    *code = tasks_reset_code_text(s->pool, rnd, sizeof rnd);
    explicit_bzero(rnd, sizeof rnd);
    hash = tasks_reset_code_hash(s->pool, *code);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_reset_code_issue(db, tasks_trim(s->pool, email), hash, out);
    return account_written(rc);
}

/* Promise: see account_service.h. Attempts are throttled as logins are
 * (attempt_counted), per client address: the throttle's email is a key of
 * the address, since a reset names no account, and one address failing
 * must not block every other's resets. */
tasks_result tasks_account_reset_with_code(tasks_service *s,
                                           const tasks_value *code_in,
                                           const tasks_value *password_in,
                                           const char *addr)
{
    apr_array_header_t *errors = NULL;
    const char *code, *fresh, *code_hash, *key, *hash;
    tasks_user_row user;
    tasks_result res;
    tasks_db *db;
    tasks_db_rc rc;

    errors = secret_and_new_password(s, code_in, "code", password_in, &code, &fresh);
    if (errors)
        return tasks_service_invalid(s->pool, errors, NULL);
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    key = apr_pstrcat(s->pool, "reset code from ", addr ? addr : "-", NULL);
    if ((res = attempt_counted(s, db, key, addr)).outcome != TASKS_DONE)
        return res;
    /* A text that is no code at all is refused as an unknown one; a code
     * that is not there costs no scrypt (the spending statement still
     * decides, should it go in between). */
    code_hash = tasks_reset_code_hash(s->pool, code);
    rc = code_hash ? tasks_db_reset_code_valid(db, code_hash) : TASKS_DB_NONE;
    if (rc == TASKS_DB_OK) {
        if (!(hash = hash_password(s, fresh, &res)))
            return res;
        rc = tasks_db_reset_with_code(db, code_hash, hash, &user);
    }
    if (rc == TASKS_DB_NONE) {
        tasks_log(s->log, TASKS_LOG_NOTICE, "TASKS0309: failed reset code "
                  "from client %s", addr ? addr : "-");
        return TASKS_RESULT(TASKS_MALFORMED, RESET_REFUSED);
    }
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    if ((rc = tasks_db_login_succeeded(db, key, addr)) != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    tasks_log(s->log, TASKS_LOG_INFO, "TASKS0308: user %s set a new password "
              "with a reset code; every session signed out", user.id);
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h. */
tasks_result tasks_account_export(tasks_service *s, const tasks_caller *who,
                                  tasks_user_row *user,
                                  apr_array_header_t **lists,
                                  apr_array_header_t **tasks)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    if ((rc = tasks_db_lists_all(db, who, lists)) == TASKS_DB_OK)
        rc = tasks_db_account_export(db, who, user, tasks);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see account_service.h (own_account says whose password). */
tasks_result tasks_account_delete_self(tasks_service *s, const tasks_caller *who,
                                       const tasks_value *password_in,
                                       const char *addr)
{
    apr_array_header_t *errors = NULL;
    tasks_user_row me, by_email;
    const char *password;
    tasks_result res;
    tasks_db *db;
    tasks_db_rc rc;
    int bad, has_password;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    res = own_account(db, who, &me, &has_password);
    if (res.outcome != TASKS_DONE)
        return res;
    if (has_password) {
        password = string_value(password_in, 0, &bad);
        if (!password) {
            tasks_field_error_add(s->pool, &errors, "password", "is required: "
                                  "the account's password confirms its deletion");
            return tasks_service_invalid(s->pool, errors, NULL);
        }
        res = password_checked(s, db, me.email, password, addr, &by_email);
        if (res.outcome == TASKS_UNAUTHENTICATED)
            res.detail = "the password is wrong; nothing was deleted";
        if (res.outcome != TASKS_DONE)
            return res;
    }
    rc = tasks_db_account_delete(db, who);
    if (rc != TASKS_DB_OK)
        return tasks_service_db_failure(rc);
    tasks_log(s->log, TASKS_LOG_INFO, "TASKS0305: user %s deleted their "
              "account", me.id);
    return TASKS_RESULT_DONE;
}

/* Promise: see account_service.h. */
tasks_result tasks_account_caller(tasks_service *s, const tasks_caller *who,
                                  tasks_user_row *out)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_auth_user(db, who, out);
    if (rc == TASKS_DB_NONE) {
        tasks_log(s->log, TASKS_LOG_DEBUG, "TASKS0202: token of an unknown "
                  "user or revoked");
        return TASKS_RESULT(TASKS_DENIED, NULL);
    }
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_identity(tasks_service *s, const char *issuer,
                                    const char *subject, const char *jti,
                                    long long iat, const char *email,
                                    const char *name, tasks_user_row *out)
{
    tasks_db *db;
    tasks_db_rc rc;

    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    rc = tasks_db_identity_user(db, issuer, subject, jti, iat, email, name, out);
    if (rc == TASKS_DB_NONE)
        return TASKS_RESULT(TASKS_DENIED, NULL);
    return rc == TASKS_DB_OK ? TASKS_RESULT_DONE : tasks_service_db_failure(rc);
}

/* The last second PostgreSQL's timestamps are sent here for
 * (9999-12-31T23:59:59Z): an issuer may set any exp. */
#define REVOKE_UNTIL_MAX 253402300799LL

/* A revocation must last as long as the token could still be accepted:
 * until exp plus the clock-skew leeway (kept only until exp, the row was
 * purged by a later logout while the token still verified), capped at
 * the year 9999. */
static long long revoke_until(const tasks_token_cfg *t, long long exp)
{
    if (exp > REVOKE_UNTIL_MAX - (t->leeway > 0 ? t->leeway : 0))
        return REVOKE_UNTIL_MAX;
    return exp + (t->leeway > 0 ? t->leeway : 0);
}

/* Promise: see account_service.h. */
tasks_result tasks_account_logout(tasks_service *s, const tasks_caller *who,
                                  long long exp, int *revoked)
{
    tasks_db *db;
    tasks_db_rc rc;

    *revoked = 0;
    if (!who->jti && !who->sid)
        return TASKS_RESULT_DONE;
    if (!(db = tasks_service_db(s)))
        return tasks_service_unavailable();
    /* The session ends (its refresh cookie with it), and the token is
     * revoked as well: a token outside a session has only its jti. */
    if (who->sid) {
        rc = tasks_db_session_end(db, who->user_id, who->sid);
        if (rc != TASKS_DB_OK && rc != TASKS_DB_NONE)
            return tasks_service_db_failure(rc);
    }
    if (who->jti) {
        rc = tasks_db_revoke(db, who->jti, revoke_until(s->token, exp));
        if (rc != TASKS_DB_OK)
            return tasks_service_db_failure(rc);
    }
    *revoked = 1;
    return TASKS_RESULT_DONE;
}
