/* client.h - a small real HTTP client (libcurl) for the integration tests,
 * and helpers to make users and tasks through the API. */
#ifndef TASKS_IT_CLIENT_H
#define TASKS_IT_CLIENT_H

#include <stddef.h>
#include <check.h>
#include <jansson.h>
#include <pthread.h>

typedef struct {
    long status;
    char *body;            /* NUL-terminated */
    size_t len;
    json_t *json;          /* parsed body, or NULL */
    char **headers;        /* "Name: value" lines, NULL-terminated */
    double seconds;        /* total time of the exchange */
    const char *transport_error; /* http_try: no answer (libcurl's words) */
} http_resp;

/* Base URLs from the environment: BASE_URL (main), BASE_URL2 (the virtual
 * host with tight throttling and signup off). */
const char *base_url(void);
const char *base_url2(void);

/* One request. url is absolute, or a path on base_url(). headers is a
 * NULL-terminated list of "Name: value" (may be NULL). body may be NULL;
 * with a body and no Content-Type header, application/json is sent. */
http_resp *http(const char *method, const char *url, const char *body,
                const char *const *headers);
/* The same without asserting, for threads of the tests' own: no answer
 * at all (refused, reset, timed out) is status 0 with transport_error
 * set, and is not recorded. */
http_resp *http_try(const char *method, const char *url, const char *body,
                    const char *const *headers);
/* The same with a bearer token (NULL = none). */
http_resp *http_auth(const char *method, const char *url, const char *token,
                     const char *body);
/* Bind the client to another loopback source address for the next
 * requests (NULL = default), to act as another client. */
void http_set_source(const char *ip);

/* A raw HTTP/1.1 exchange with base_url()'s host and port, for what
 * libcurl's easy API will not send (a chunked body exactly as given, a
 * Content-Length without its body): head is sent as is, then each of the
 * nchunks chunks framed as a chunk ("" is the last-chunk). Returns the
 * status (-1 without one); *resp gets the whole response (malloc'd) when
 * not NULL. */
long http_raw(const char *head, const char *const *chunks, size_t nchunks,
              char **resp);

/* A compact JWS (HS256) over the JSON text payload, signed with the
 * stack's secret ($STACK_DIR/jwt.secret less one trailing newline), as
 * the module signs its own tokens (its kid in the header); malloc'd. */
char *hs256_token(const char *payload);
/* A cursor or changes token as the module signs them (kid.payload.mac
 * with the stack's signing key), for payload, a compact JSON object
 * (malloc'd): to make what the server would only make in a month. */
char *app_token_signed(const char *payload);
/* The same with the key in secret_path and the JSON text header (NULL:
 * {"alg":"HS256","typ":"JWT","kid":<the key's kid>}). */
char *hs256_token_signed(const char *secret_path, const char *header,
                         const char *payload);
/* The bytes of a secret file less one trailing newline, as
 * TasksJWTSecretFile reads them (malloc'd, *len set). */
unsigned char *secret_of(const char *path, size_t *len);
/* The kid the module derives for the key in secret_path, computed here
 * (base64url of the first 8 bytes of SHA-256("tasks-kid:" key)); malloc'd. */
char *kid_of(const char *secret_path);
/* The "kid" of a compact token's header, or NULL (malloc'd). */
char *token_kid(const char *token);

/* Every exchange of http() and http_raw() goes to $EXCHANGE_LOG (one
 * JSON line each), which run.sh then checks against the OpenAPI document.
 * Exchanges on sockets of a test's own are recorded with this: the
 * method, the request target as sent (any bytes), the body sent (NULL:
 * none), and the response as read, all against base_url(). */
void exchange_record_raw(const char *method, const char *target, size_t target_len,
                         const char *request_body, size_t request_len,
                         const char *response, size_t response_len);

/* The first value of a header (case-insensitive name), or NULL. */
const char *http_header(const http_resp *r, const char *name);
/* Its value number nth (0: the first), or NULL. */
const char *http_header_nth(const http_resp *r, const char *name, int nth);
/* The Set-Cookie header value that sets cookie (its name, exactly), or
 * NULL: "tasks_refresh=...; Path=...". */
const char *http_set_cookie(const http_resp *r, const char *cookie);
/* The value cookie gets in r's Set-Cookie (malloc'd), or NULL. */
char *http_cookie_value(const http_resp *r, const char *cookie);
void http_free(http_resp *r);

/* Assert the status, showing the body when it differs. */
#define ck_assert_status(resp, want) \
    ck_assert_msg((resp)->status == (want), "expected %d, got %ld: %s", \
                  (int)(want), (resp)->status, (resp)->body)

/* A fresh user (unique email from prefix); returns its token (malloc'd)
 * and, when id_out is not NULL, its id (malloc'd). */
char *make_user(const char *prefix, char **id_out);
/* A user made by make_user: token and id (both malloc'd). */
typedef struct {
    char *tok;
    char *id;
} user;
user user_sign_up(const char *prefix);
void user_free(user *u);
/* POST /api/auth/login for email and password, asserting 200: the token
 * (malloc'd). */
char *log_in_as(const char *email, const char *password);
/* Members of a JSON object: a string (NULL when not one), an integer. */
const char *jstr(const json_t *o, const char *k);
long long jint(const json_t *o, const char *k);
/* A request with the token whose answer must have this status: its JSON
 * body (a new reference; NULL when it had none). */
json_t *http_json(const char *method, const char *url, const char *token,
                  const char *body, int status);
/* Create a task from a JSON body; returns its id (asserts 201). */
long long make_task(const char *token, const char *json_body);

/* A Better Auth token for a new account (email, name) of the Better Auth
 * server at ba (its real flow: sign-up, then GET /api/auth/token with the
 * session cookie); malloc'd. */
char *ba_token(const char *ba, const char *email, const char *name);

/* Assert a problem+json document with this status and a string detail. */
void assert_problem(const http_resp *r, int status);

/* printf into a static-free malloc'd string (caller frees). */
char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Seconds on the monotonic clock (for durations). */
double monotonic_seconds(void);

/* Sleep s seconds (fractions too). */
void sleep_s(double s);

/* Health (base_url()) answers 200 within seconds: how long it took, or
 * -1. */
double wait_healthy(double seconds);

/* Does httpd reach PostgreSQL through the stack's PgBouncer (POOLER)? */
int behind_pooler(void);

/* The httpd binary the tests run ($APACHE, else /usr/sbin/apache2) and
 * the module it loads ($MODULE): run.sh sets both, to a wrapper that
 * preloads the sanitizers' runtime and the sanitized build under
 * make integration SANITIZE=1. */
const char *apache_binary(void);
const char *module_path(void);

/* Run `apache2 -t` on the stack's httpd.conf plus extra lines; returns
 * its exit status and its output in *out (malloc'd). */
int configtest(const char *extra, char **out);

/* Run `apache2 -t` on a configuration of its own: ServerRoot, a Listen,
 * the event MPM, mod_authz_core, mod_dbd and mod_tasks loaded (no Tasks*
 * directive, no SetHandler), then conf. ${STACK_DIR} is defined in it.
 * Returns the exit status, the output in *out (malloc'd). */
int configtest_conf(const char *conf, char **out);

/* The file's contents (malloc'd), or NULL. */
char *read_text(const char *path);

/* Run sql (one statement, or several) in the stack's database as the
 * cluster's superuser; psql's unaligned output less its last newline
 * (malloc'd). Asserts that psql succeeded. */
char *db_query(const char *sql);

/* A lock held in the stack's database by a transaction of its own, in a
 * thread: db_lock_hold runs "BEGIN; <lock_sql>" and returns once the lock
 * is held, the transaction ends after seconds; db_lock_join waits for
 * that. For tests that need requests to overlap for sure. */
typedef struct {
    pthread_t thread;
    char *sql;
    char *marker;
} db_lock;
void db_lock_hold(db_lock *l, const char *lock_sql, int seconds);
void db_lock_join(db_lock *l);

/* Run a shell command of the test stack (e.g. "pg-down"); returns its
 * exit status. */
int stack(const char *subcommand);

#endif
