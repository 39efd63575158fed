/* app_password_service.h - app passwords, the credentials CalDAV clients
 * sign in with (HTTP Basic: the account's e-mail and one of these): made
 * with a name and shown once, listed, revoked. */
#ifndef TASKS_APP_PASSWORD_SERVICE_H
#define TASKS_APP_PASSWORD_SERVICE_H

#include "tasks/core/app_password.h"
#include "tasks/service/service.h"

/* A new app password of the caller's named by name (a string, 1-100
 * characters after trimming: INVALID on "name" otherwise): *out, and
 * *password, its only copy (256 random bits as 43 characters of
 * base64url; only its SHA-256 is kept). CONFLICT when the caller has
 * TASKS_APP_PASSWORDS_MAX already. */
tasks_result tasks_app_password_create(tasks_service *s, const tasks_caller *who,
                                       const tasks_value *name,
                                       tasks_app_password_row *out,
                                       const char **password);

/* The caller's app passwords, newest first (rows of
 * tasks_app_password_row; never a secret). */
tasks_result tasks_app_passwords_list(tasks_service *s, const tasks_caller *who,
                                      apr_array_header_t **rows);

/* Revoke the caller's app password id (canonical digits): NOT_FOUND when
 * it is not theirs. A client using it is refused from its next request. */
tasks_result tasks_app_password_revoke(tasks_service *s, const tasks_caller *who,
                                       const char *id);

#endif
