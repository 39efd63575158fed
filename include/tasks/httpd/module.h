/* module.h - what the httpd side shares: the configuration records, the
 * per-request state and the entry points mod_tasks.c registers and
 * dispatches to. Only mod_tasks.c and src/httpd/ include this. */
#ifndef TASKS_HTTPD_MODULE_H
#define TASKS_HTTPD_MODULE_H

#include <httpd.h>
#include <http_config.h>
#include <apr_tables.h>
#include <jansson.h>

#include "tasks/core/result.h"
#include "tasks/core/route.h"
#include "tasks/core/token.h"
#include "tasks/service/service.h"

extern module AP_MODULE_DECLARE_DATA tasks_module;

#define TASKS_HANDLER "tasks"
/* TasksBasePath's default: the app at "/", the API under "/api". The API
 * of a server is always its base path followed by "api". */
#define TASKS_DEFAULT_BASE "/"
#define TASKS_API_SEGMENT "api"
#define TASKS_COOKIE "tasks_session"
/* The refresh cookie, sent only to <api>/auth/refresh. */
#define TASKS_REFRESH_COOKIE "tasks_refresh"
#define TASKS_REFRESH_SEGMENT "/auth/refresh"
#define TASKS_DEFAULT_MAX_BODY (64 * 1024)
#define TASKS_MAX_BODY_LIMIT (16 * 1024 * 1024)
/* Concurrent scrypt computations per process (each takes ~32 MiB). */
#define TASKS_MAX_HASHING 4

/* Server (virtual host) configuration: identity and login policy. */
typedef struct {
    /* The first Tasks* directive set in this server's own configuration
     * ("TasksSignup at file:line"), NULL if none; not inherited: it makes
     * this server serve mod_tasks (serving.c). */
    const char *directive;
    /* TasksBasePath: "/" or "/prefix/" (always ending in "/"), and the
     * API under it ("/api", "/prefix/api"); NULL = unset (inherited, else
     * the default). */
    const char *base_path;
    const char *api_path;
    /* TasksJWTSecretFile, in order: the file of each key of token.keys
     * (for messages). */
    const char *secret_files[TASKS_KEYS_MAX];
    tasks_token_cfg token;      /* keys point at the secrets' bytes        */
    int lifetime_set, leeway_set;
    long session_lifetime;      /* TasksSessionLifetime, seconds           */
    int session_lifetime_set;
    int throttle_email;         /* failures per email within the window    */
    int throttle_window;        /* seconds                                 */
    int throttle_addr;          /* failures per client address             */
    int throttle_set;
    /* TasksDBPooling: how DBDParams reaches PostgreSQL (store.h); -1 =
     * unset (inherited, else session). */
    int db_pooling;
    /* Process-wide state (created in post_config, so each child has its
     * own copy): scrypt slots, and when this child last logged that the
     * database is unreachable (and how many such messages it left out). */
    apr_uint32_t *hashing;
    apr_uint32_t *outage_logged_at;
    apr_uint32_t *outage_skipped;
    apr_uint32_t *schema_warned;  /* TASKS0110 was logged by this child   */
    /* The database of this server's mod_dbd configuration, as this child
     * last found it: [0] 1 when it could not be reached, [1] 1 while one
     * request tries it again (glue.c); shared by the servers that share
     * the configuration. */
    apr_uint32_t *db_gate;
    apr_uint64_t *counters;     /* shared by every child (counters.h)      */
    const char *openapi;        /* the OpenAPI document for this server's
                                   TasksBasePath (post_config)             */
    const char *dummy_hash;     /* verified for unknown emails (timing);
                                   NULL when no server serves mod_tasks    */
    /* TasksJWTTrustIssuer: struct tasks_issuer *; NULL = none (a virtual
     * host without its own inherits the main server's list). */
    apr_array_header_t *issuers;
} tasks_srv_cfg;

/* Directory (location) configuration: what one mount point allows. */
typedef struct {
    apr_array_header_t *cors_origins; /* const char *; NULL = unset        */
    int signup;                 /* -1 unset, 0 off, 1 on                   */
    apr_off_t max_body;         /* -1 unset                                */
    int trust_remote_user;      /* TasksTrustRemoteUser: -1 unset, 0, 1    */
} tasks_dir_cfg;

/* Per-request state, created on first use. */
typedef struct {
    tasks_route route;
    int route_done;
    int ours;                   /* SetHandler tasks here: 1, no: -1, unknown: 0 */
    const char *user_id;        /* authenticated caller, or NULL           */
    const char *email;
    const char *name;           /* NULL when the user has none             */
    const char *created_at;
    const char *jti;
    const char *sid;            /* the token's session, or NULL            */
    long long iat;              /* the token's (a tokenless caller: now)     */
    long long exp;
    const char *token;          /* the caller's own token                   */
    tasks_service *service;     /* created on first use (glue.c)           */
    tasks_db_rc db_rc;          /* how opening the store went              */
    int token_refused;          /* counted as a token refusal (auth.c)     */
    const char *identity;       /* NULL: our own token; else the external
                                   issuer ("apache:<AuthName>" for a user
                                   Apache authenticated)                   */
    int deferred;               /* TasksTrustRemoteUser: no token; the
                                   caller is r->user, taken at fixups      */
} tasks_req;

/* config.c */
void *tasks_create_srv_cfg(apr_pool_t *p, server_rec *s);
void *tasks_merge_srv_cfg(apr_pool_t *p, void *base, void *add);
void *tasks_create_dir_cfg(apr_pool_t *p, char *dir);
void *tasks_merge_dir_cfg(apr_pool_t *p, void *base, void *add);
const char *tasks_set_secret_file(cmd_parms *cmd, void *dc, const char *path,
                                  const char *opt);
const char *tasks_set_lifetime(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_leeway(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_session_lifetime(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_db_pooling(cmd_parms *cmd, void *dc, const char *v);
/* This server's TasksDBPooling (tasks_db_pooling of store.h). */
int tasks_srv_db_pooling(const server_rec *s);
const char *tasks_set_issuer(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_audience(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_cors(cmd_parms *cmd, void *dc, const char *origin);
const char *tasks_set_signup(cmd_parms *cmd, void *dc, int on);
const char *tasks_set_max_body(cmd_parms *cmd, void *dc, const char *v);
const char *tasks_set_throttle(cmd_parms *cmd, void *dc, int argc,
                               char *const argv[]);
const char *tasks_set_trust_remote_user(cmd_parms *cmd, void *dc, int on);
const char *tasks_set_base_path(cmd_parms *cmd, void *dc, const char *v);
/* The record of the server a directive is set in, noting the directive
 * there (tasks_srv_cfg.directive); every Tasks* directive calls it. */
tasks_srv_cfg *tasks_srv_cmd(cmd_parms *cmd);
/* Start-up checks of the directives of s, a server that serves mod_tasks
 * (why: how, from tasks_serves); returns an error or NULL. */
const char *tasks_check_srv_cfg(apr_pool_t *p, server_rec *s, const char *why);
tasks_srv_cfg *tasks_srv(const server_rec *s);
/* For the start-up log: which kid signs and which others verify, with
 * their files ("signs with kid K ('file'); also accepts kid L ('file2')"). */
const char *tasks_keys_describe(apr_pool_t *p, const tasks_srv_cfg *c);
/* The server's TasksBasePath ("/" by default, else "/prefix/", always
 * with a trailing slash) and its API path (base + "api": "/api",
 * "/prefix/api", never with one): routes, Location, the cookie's Path and
 * the OpenAPI servers URL follow them. */
const char *tasks_srv_base_path(const server_rec *s);
const char *tasks_srv_api_path(const server_rec *s);
/* Is r->uri the server's API path or below it (at a "/")? Only such
 * requests are the module's, whatever handler is set for others. */
int tasks_in_api(const request_rec *r);
/* May mod_tasks answer requests of this server: it has a signing key and
 * start-up prepared it. Not so: its handler declines (TASKS0003). */
int tasks_srv_ready(const server_rec *s);
tasks_dir_cfg *tasks_dir(const request_rec *r);
/* Effective values with defaults applied. */
int tasks_dir_signup(const tasks_dir_cfg *d);
apr_off_t tasks_dir_max_body(const tasks_dir_cfg *d);
int tasks_dir_trust_remote_user(const tasks_dir_cfg *d);

/* serving.c - which servers serve mod_tasks (the rule is there and in
 * README, "Configuration"). Worked out after the virtual hosts are merged
 * (post_config, test_config): server_rec * -> why it serves (for
 * messages); servers that do not serve are absent. */
apr_hash_t *tasks_servers_serving(apr_pool_t *p, server_rec *main_server);
/* Why s serves mod_tasks, or NULL when it does not. */
const char *tasks_serves(apr_hash_t *serving, const server_rec *s);
/* For messages: "the main server NAME[:PORT]", "the virtual host
 * NAME[:PORT] (<VirtualHost ADDRESSES> at FILE:LINE)". */
const char *tasks_server_name(apr_pool_t *p, const server_rec *s);

/* issuers.c - trusted external issuers (TasksJWTTrustIssuer): their JWKS,
 * loaded at start-up and re-fetched (URLs) when an unknown kid arrives. */
typedef struct tasks_issuer tasks_issuer;
const char *tasks_set_trust_issuer(cmd_parms *cmd, void *dc, int argc,
                                   char *const argv[]);
/* Start-up checks of s's issuers against its own token settings. */
const char *tasks_issuers_check(apr_pool_t *p, server_rec *s);
/* pre_config: registers the "tasks-jwks" mutex type (Mutex directive). */
void tasks_issuers_pre_config(apr_pool_t *pconf);
/* Fetch every URL-based JWKS (parent, post_config) and create the shared
 * memory that lets children share what they fetch later. An unreachable
 * URL never fails start-up (no keys yet, retried on demand); returns 0
 * (logged) only when the shared memory or its mutex cannot be created. */
int tasks_issuers_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s);
/* Per child: the locks that guard each issuer's key set. */
void tasks_issuers_child_init(apr_pool_t *pchild, server_rec *s);
/* The trusted issuer a token's (unverified) "iss" names, or NULL. */
tasks_issuer *tasks_issuer_for_token(request_rec *r, const char *token);
const char *tasks_issuer_name(const tasks_issuer *is);
/* Verify token with the issuer's keys (refetching once, rate-limited,
 * when its kid is unknown); fills *claims on TASKS_TOKEN_OK. */
tasks_token_status tasks_issuer_verify(request_rec *r, tasks_issuer *is,
                                       const char *token, tasks_claims *claims);

/* glue.c - the service as httpd gives it: a connection from mod_dbd's
 * pool (ap_dbd_acquire) opened for the store, messages to the request's
 * error log, settings from the directives. */
/* Register every statement with mod_dbd (ap_dbd_prepare) for server s;
 * called at post_config for each mod_dbd configuration. */
void tasks_dbd_register(server_rec *s);
/* The request's store connection (acquired once per request); NULL when
 * the pool has none to give (logged). */
tasks_db *tasks_req_db(request_rec *r);
/* The request's service context (created once per request). */
tasks_service *tasks_req_service(request_rec *r);
/* The request's caller as the service takes it. */
tasks_caller tasks_req_caller(request_rec *r);

/* http.c - request plumbing shared by all handlers */
tasks_req *tasks_req_get(request_rec *r);
/* Is this request for the tasks handler (SetHandler tasks)? */
int tasks_is_ours(request_rec *r);
/* translate_name and map_to_storage: no file system walk for our
 * locations (they name no files). */
int tasks_translate_name(request_rec *r);
int tasks_map_to_storage(request_rec *r);

/* errors.c: httpd's own error pages for requests under a serving server's
 * API path (a malformed request, an encoded NUL or slash, a body over
 * LimitRequestBody, TRACE turned off, another module's 401) go out as
 * problem documents of the same status; registers its filter and hook. */
void tasks_errors_register_hooks(void);
const tasks_route *tasks_req_route(request_rec *r);
/* Write text as the whole body with its Content-Type and Cache-Control;
 * returns OK for the handler. */
int tasks_send_body(request_rec *r, int status, const char *type,
                    const char *cache_control, const char *text);
int tasks_send_json(request_rec *r, int status, const char *json_text);
int tasks_send_json_value(request_rec *r, int status, json_t *j);
/* Write a problem document; errors may be NULL. Returns OK. */
int tasks_send_problem(request_rec *r, int status, const char *detail,
                       const apr_array_header_t *errors);
/* The one mapping of a service result to HTTP: its status, a problem
 * document (422 with every field error), and the headers it needs
 * (WWW-Authenticate on 401, Retry-After on 429 and 503). DONE is 204 and
 * NOT_MODIFIED 304 (bodiless). Returns OK for the handler. */
int tasks_send_result(request_rec *r, const tasks_result *res);
/* 204 or another status without a body. */
int tasks_send_empty(request_rec *r, int status);
/* Read the request body as JSON object (Content-Type, size cap, parse).
 * On failure the problem response has been written (or httpd's input
 * filter sent its own: *done is then AP_FILTER_ERROR), *done is set to the
 * handler's return value and NULL is returned. may_be_empty: an absent
 * body returns NULL with *done = -1 (nothing written). */
json_t *tasks_read_json_body(request_rec *r, int may_be_empty, int *done);
/* Read the whole body into r->pool (NUL-terminated), at most cap bytes:
 * 0, the HTTP status to answer (400, 413), or AP_FILTER_ERROR when httpd
 * has answered already. */
int tasks_read_raw_body(request_rec *r, apr_off_t cap, char **out,
                        apr_size_t *len);
/* The request's Idempotency-Key and fingerprint (SHA-256 of its method,
 * path and body, read by tasks_read_json_body first) in *once (key NULL:
 * none); 0, or 1 with *done when the key is malformed (answered: 400). */
int tasks_req_once(request_rec *r, tasks_once *once, int *done);
/* The headers of a 201: Location <api path><collection>/<id>, and
 * Idempotent-Replayed: true when the answer is a replay. */
void tasks_set_created(request_rec *r, const char *collection, const char *id,
                       int replayed);
/* The request's If-Match and If-None-Match for the row with this id (a
 * task's or a list's: their ETags are "<id>.<version>"). */
void tasks_req_preconditions(request_rec *r, const char *id,
                             tasks_precondition *pre);
/* Is origin one of TasksCORSAllowOrigin's here? */
int tasks_origin_allowed(request_rec *r, const char *origin);
/* CORS for an allowed Origin (header_parser hook); answers preflights. */
int tasks_cors_hook(request_rec *r);

/* auth.c - the one place where a request gets its caller */
int tasks_auth_hook(request_rec *r);
/* TasksTrustRemoteUser: check_authn (a token already won: satisfy the
 * authn phase) and fixups (map r->user set by another module). */
int tasks_authn_hook(request_rec *r);
int tasks_auth_fixups(request_rec *r);
/* Set-Cookie for a fresh token, or one that clears the session. */
void tasks_set_session_cookie(request_rec *r, const char *token, long max_age);
/* Set-Cookie for a session's next refresh value (sent only to
 * <api>/auth/refresh), or one that clears it (value NULL). */
void tasks_set_refresh_cookie(request_rec *r, const char *value, long max_age);
/* The value of cookie name in the request's Cookie header, or NULL. */
const char *tasks_cookie_value(request_rec *r, const char *name);

/* Handlers: each returns what the content handler returns. */
int tasks_handle_health(request_rec *r);
/* rest_service.c - the OpenAPI document with its servers URL at base
 * (the compiled-in one for "/"), made once per server at start-up. */
const char *tasks_openapi_for_base(apr_pool_t *p, const char *base);
int tasks_handle_openapi(request_rec *r);
int tasks_handle_signup(request_rec *r);
int tasks_handle_login(request_rec *r);
int tasks_handle_me(request_rec *r);
int tasks_handle_export(request_rec *r);
int tasks_handle_logout_all(request_rec *r);
int tasks_handle_password(request_rec *r);
int tasks_handle_reset(request_rec *r);
int tasks_handle_refresh(request_rec *r);
int tasks_handle_logout(request_rec *r);
int tasks_handle_tasks(request_rec *r);         /* /tasks collection    */
int tasks_handle_lists(request_rec *r);         /* /lists collection    */
int tasks_handle_list(request_rec *r);          /* /lists/{id}          */
int tasks_handle_task(request_rec *r);          /* /tasks/{id}          */
int tasks_handle_task_complete(request_rec *r); /* /tasks/{id}/complete */
int tasks_handle_task_completions(request_rec *r); /* /tasks/{id}/completions */
int tasks_handle_reminders(request_rec *r);     /* /reminders           */
int tasks_handle_task_changes(request_rec *r);  /* /tasks/changes       */
int tasks_handle_app_passwords(request_rec *r); /* /auth/app-passwords[/{id}] */
/* mcp.c - the MCP front end: POST <api>/mcp (JSON-RPC over Streamable
 * HTTP, JSON answers only, no sessions). */
int tasks_handle_mcp(request_rec *r);
/* The absolute URL of <api>/mcp's protected resource metadata (RFC 9728:
 * /.well-known/oauth-protected-resource<api>/mcp), for the 401's
 * WWW-Authenticate. */
const char *tasks_mcp_metadata_url(request_rec *r);
/* translate_name and handler of that document (and of the bare
 * /.well-known/oauth-protected-resource) on a server that serves the
 * module: public, no token, no database. */
#define TASKS_PRM_HANDLER "tasks-oauth-protected-resource"
int tasks_mcp_metadata_translate(request_rec *r);
int tasks_mcp_metadata_handler(request_rec *r);
/* caldav.c - the CalDAV front end: /dav and below (every method). Its
 * 401s carry this challenge: clients send credentials only after one. */
#define TASKS_DAV_CHALLENGE "Basic realm=\"mod_tasks CalDAV\", charset=\"UTF-8\""
int tasks_handle_dav(request_rec *r);
/* translate_name: /.well-known/caldav (RFC 6764) on a server that serves
 * mod_tasks redirects to the CalDAV root, <api path>/dav/. */
int tasks_dav_well_known(request_rec *r);

#endif
