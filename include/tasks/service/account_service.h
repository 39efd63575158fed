/* account_service.h - the account operations: sign up, log in (with
 * throttling), resolve a token's caller, log out, export and delete one's
 * own account. Results as in
 * core/result.h: DONE, INVALID, CONFLICT (email taken), FORBIDDEN (signup
 * off), UNAUTHENTICATED (wrong email or password), DENIED (a token that
 * no longer stands), THROTTLED, BUSY, UNAVAILABLE, FAILED. */
#ifndef TASKS_SERVICE_ACCOUNT_SERVICE_H
#define TASKS_SERVICE_ACCOUNT_SERVICE_H

#include "tasks/core/task.h"
#include "tasks/service/service.h"

/* A signed-in session: the user, an access token of ours for them, and
 * the value the session's refresh cookie gets (it changes at every
 * refresh). */
typedef struct {
    tasks_user_row user;
    const char *token;
    long expires_in;            /* seconds                                */
    const char *refresh;
    long refresh_max_age;       /* seconds: the session lifetime          */
} tasks_session;

/* Whether accounts may be created here: DONE, or FORBIDDEN. */
tasks_result tasks_account_signup_open(const tasks_service *s);

/* Create an account (email and password required, name may be null) and
 * sign it in. */
tasks_result tasks_account_signup(tasks_service *s, const tasks_value *email,
                                  const tasks_value *password,
                                  const tasks_value *name,
                                  tasks_session *out);

/* Create an account as tasks_account_signup does (the same rules),
 * whether or not signing up is open, and without a session: for an
 * administrator (mod-tasks create-user). CONFLICT when the email is
 * taken. */
tasks_result tasks_account_create(tasks_service *s, const tasks_value *email,
                                  const tasks_value *password,
                                  const tasks_value *name,
                                  tasks_user_row *out);

/* A new password (signup's rules, scrypt) for the account with a
 * password at email: DONE with the user, NOT_FOUND, INVALID. The account
 * is signed out everywhere in the same statement (whoever knew the old
 * password may hold a session). */
tasks_result tasks_account_reset_password(tasks_service *s,
                                          const tasks_value *email,
                                          const tasks_value *password,
                                          tasks_user_row *out);

/* Delete the account with a password at email, with its tasks (the
 * schema cascades; its tokens are refused from then on): DONE with the
 * user and *tasks, how many tasks it had; NOT_FOUND. */
tasks_result tasks_account_delete(tasks_service *s, const tasks_value *email,
                                  tasks_user_row *out, long long *tasks);

/* A single-use reset code for the account with a password at email,
 * valid for 30 minutes (an earlier one stops working): DONE with *code
 * (the text to hand over; only its hash is stored) and *out, or
 * NOT_FOUND. For an administrator (mod-tasks reset-code). */
tasks_result tasks_account_issue_reset_code(tasks_service *s,
                                            const tasks_value *email,
                                            const char **code,
                                            tasks_user_row *out);

/* A new password with a reset code: INVALID (code missing, new_password
 * against signup's rules), MALFORMED with one message for a code that is
 * unknown, used or expired (it is spent either way), THROTTLED as logins
 * are (per client_addr), or DONE: the account has the new password and
 * every session of it is signed out, in one statement. */
tasks_result tasks_account_reset_with_code(tasks_service *s,
                                           const tasks_value *code,
                                           const tasks_value *new_password,
                                           const char *client_addr);

/* Sign out everywhere: every token of the caller's user issued so far
 * stops working, this one included. DENIED when it no longer stands. */
tasks_result tasks_account_sign_out_everywhere(tasks_service *s,
                                               const tasks_caller *who);

/* A new password for the caller: current_password checked as a login is
 * (under the throttle from client_addr; a wrong one counts as a failed
 * login: UNAUTHENTICATED, nothing changes), new_password under signup's
 * rules (INVALID). Every other token of the account stops working in
 * the same statement that stores the new hash; the caller's own goes on.
 * FORBIDDEN for an account that signs in elsewhere (no password here);
 * DENIED when the token no longer stands. */
tasks_result tasks_account_change_password(tasks_service *s,
                                           const tasks_caller *who,
                                           const tasks_value *current_password,
                                           const tasks_value *new_password,
                                           const char *client_addr);

/* Everything of the caller's: *user (no hash), *lists (tasks_list_row,
 * by position) and *tasks (tasks_task_row, in id order; user and tasks
 * read in one snapshot, the lists just before). DENIED when the token no
 * longer stands. */
tasks_result tasks_account_export(tasks_service *s, const tasks_caller *who,
                                  tasks_user_row *user,
                                  apr_array_header_t **lists,
                                  apr_array_header_t **tasks);

/* The caller deletes their own account: the user, their tasks and
 * identities and the failed logins kept for their email, in one
 * statement. An account with a password needs it (password, checked
 * under the login throttle from client_addr: a wrong one counts as a
 * failed login; INVALID when absent, UNAUTHENTICATED when wrong, and
 * nothing is deleted); one signed in elsewhere (an external identity)
 * has none to give. DENIED when the token no longer stands. */
tasks_result tasks_account_delete_self(tasks_service *s, const tasks_caller *who,
                                       const tasks_value *password,
                                       const char *client_addr);

/* HTTP Basic of a CalDAV client: the caller (*who, no session) whose
 * e-mail (any case) and app password these are, from addr (for
 * throttling: a failure counts as a failed login, THROTTLED with
 * retry_after once the failures reach the limit; a success counts for
 * nothing, so a client's parallel requests never throttle each other).
 * The account's own password is never
 * taken here: UNAUTHENTICATED, as for a wrong or revoked app password. */
tasks_result tasks_account_app_sign_in(tasks_service *s, const char *email,
                                       const char *app_password,
                                       const char *addr, tasks_caller *who);

/* Sign in with email and password from client_addr (for throttling):
 * a new session (tasks_session). */
tasks_result tasks_account_login(tasks_service *s, const tasks_value *email,
                                 const tasks_value *password,
                                 const char *client_addr,
                                 tasks_session *out);

/* Stay signed in: value (a refresh cookie's, may be NULL) must be the
 * current refresh value of a session used within the session lifetime.
 * DONE: it is spent, and *out has a new access token and the next value.
 * UNAUTHENTICATED with one message otherwise; a value that had been
 * spent before (used twice: the chain may be in two hands) or whose
 * session was idle too long ends its session, and the first is logged
 * (TASKS0310, with client_addr). */
tasks_result tasks_account_refresh(tasks_service *s, const char *value,
                                   const char *client_addr,
                                   tasks_session *out);

/* The user one of our verified tokens names (who: its sub, jti and iat):
 * DENIED when the user is gone, the jti was revoked or the user signed
 * out everywhere since iat. */
tasks_result tasks_account_caller(tasks_service *s, const tasks_caller *who,
                                  tasks_user_row *out);

/* The local user of an external identity (issuer, subject), created on
 * first sight with email and name (either may be NULL); jti (namespaced,
 * may be NULL) revoked, or the user signed out everywhere since iat (0:
 * the token had none): DENIED. */
tasks_result tasks_account_identity(tasks_service *s, const char *issuer,
                                    const char *subject, const char *jti,
                                    long long iat, const char *email,
                                    const char *name, tasks_user_row *out);

/* Log out: the caller's session ends (every token issued in it, and its
 * refresh value), and its token (jti, valid until exp) is revoked for
 * as long as it could still be accepted. A caller with neither a session
 * nor a jti has nothing to end: DONE with *revoked = 0. */
tasks_result tasks_account_logout(tasks_service *s, const tasks_caller *who,
                                  long long exp, int *revoked);

#endif
