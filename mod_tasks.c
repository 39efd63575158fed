/* mod_tasks.c - the module record, its directives, hook registration and
 * the dispatch of /api requests to their handlers. All logic lives in
 * src/: core/ (pure: the task model, validation, JSON, tokens, passwords,
 * cursors, problems), store/ (every SQL statement), service/ (task and
 * account operations) and httpd/ (directives, hooks, the JSON front end). */
#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <apr_escape.h>
#include <apr_hash.h>
#include <mod_status.h>

#include "tasks/core/password.h"
#include "tasks/core/version.h"
#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"

extern module AP_MODULE_DECLARE_DATA dbd_module;

static const command_rec tasks_cmds[] = {
    AP_INIT_TAKE12("TasksJWTSecretFile", tasks_set_secret_file, NULL, RSRC_CONF,
                   "<file> [kid=<kid>]: an HS256 key (at least 32 bytes); "
                   "repeatable: the first signs, every one verifies"),
    AP_INIT_TAKE1("TasksJWTLifetime", tasks_set_lifetime, NULL, RSRC_CONF,
                  "lifetime of issued tokens in seconds, 5 or more "
                  "(default 3600)"),
    AP_INIT_TAKE1("TasksSessionLifetime", tasks_set_session_lifetime, NULL,
                  RSRC_CONF, "seconds a signed-in session lasts since its "
                  "last use: its refresh cookie (default 2592000, 30 days)"),
    AP_INIT_TAKE1("TasksDBPooling", tasks_set_db_pooling, NULL, RSRC_CONF,
                  "session (default: each connection of DBDParams is one "
                  "database session) or transaction (a transaction pooler: "
                  "nothing is kept in a session)"),
    AP_INIT_TAKE1("TasksJWTLeeway", tasks_set_leeway, NULL, RSRC_CONF,
                  "seconds of clock skew accepted (default 30)"),
    AP_INIT_TAKE1("TasksJWTIssuer", tasks_set_issuer, NULL, RSRC_CONF,
                  "'iss' to issue and require (optional)"),
    AP_INIT_TAKE1("TasksJWTAudience", tasks_set_audience, NULL, RSRC_CONF,
                  "'aud' to issue and require (optional)"),
    AP_INIT_ITERATE("TasksCORSAllowOrigin", tasks_set_cors, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "origins allowed to call the API cross-origin"),
    AP_INIT_FLAG("TasksSignup", tasks_set_signup, NULL, RSRC_CONF | ACCESS_CONF,
                 "whether POST /api/auth/signup creates accounts (default On)"),
    AP_INIT_TAKE1("TasksMaxBodySize", tasks_set_max_body, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "largest request body in bytes (default 65536)"),
    AP_INIT_TAKE_ARGV("TasksLoginThrottle", tasks_set_throttle, NULL, RSRC_CONF,
                      "failures per email, window seconds, failures per "
                      "client address (default 5 900 50)"),
    AP_INIT_TAKE_ARGV("TasksJWTTrustIssuer", tasks_set_trust_issuer, NULL,
                      RSRC_CONF, "<iss> jwks=<file or URL> [aud=<audience>] "
                      "[alg=<list>] [refresh=<seconds>]: accept this issuer's "
                      "tokens (repeatable)"),
    AP_INIT_TAKE1("TasksBasePath", tasks_set_base_path, NULL, RSRC_CONF,
                  "URL path the app and the API answer under: the API at "
                  "<path>api (default /)"),
    AP_INIT_FLAG("TasksTrustRemoteUser", tasks_set_trust_remote_user, NULL,
                 RSRC_CONF | ACCESS_CONF, "accept the user another Apache "
                 "authentication module set when no token is sent (default Off)"),
    { NULL }
};

typedef int (*route_handler)(request_rec *r);

static const route_handler handlers[TASKS_ROUTE_COUNT] = {
    [TASKS_ROUTE_HEALTH] = tasks_handle_health,
    [TASKS_ROUTE_OPENAPI] = tasks_handle_openapi,
    [TASKS_ROUTE_SIGNUP] = tasks_handle_signup,
    [TASKS_ROUTE_LOGIN] = tasks_handle_login,
    [TASKS_ROUTE_ME] = tasks_handle_me,
    [TASKS_ROUTE_EXPORT] = tasks_handle_export,
    [TASKS_ROUTE_LOGOUT_ALL] = tasks_handle_logout_all,
    [TASKS_ROUTE_PASSWORD] = tasks_handle_password,
    [TASKS_ROUTE_RESET] = tasks_handle_reset,
    [TASKS_ROUTE_REFRESH] = tasks_handle_refresh,
    [TASKS_ROUTE_LOGOUT] = tasks_handle_logout,
    [TASKS_ROUTE_TASKS] = tasks_handle_tasks,
    [TASKS_ROUTE_TASK] = tasks_handle_task,
    [TASKS_ROUTE_TASK_COMPLETE] = tasks_handle_task_complete,
    [TASKS_ROUTE_TASK_COMPLETIONS] = tasks_handle_task_completions,
    [TASKS_ROUTE_REMINDERS] = tasks_handle_reminders,
    [TASKS_ROUTE_TASK_CHANGES] = tasks_handle_task_changes,
    [TASKS_ROUTE_APP_PASSWORDS] = tasks_handle_app_passwords,
    [TASKS_ROUTE_APP_PASSWORD] = tasks_handle_app_passwords,
    [TASKS_ROUTE_LISTS] = tasks_handle_lists,
    [TASKS_ROUTE_LIST] = tasks_handle_list,
    [TASKS_ROUTE_MCP] = tasks_handle_mcp,
    [TASKS_ROUTE_DAV] = tasks_handle_dav,
};

static int tasks_handler(request_rec *r)
{
    const tasks_route *route;

    if (!r->handler || strcmp(r->handler, TASKS_HANDLER))
        return DECLINED;
    /* A handler set in a way serving.c cannot see (AddHandler, a
     * RewriteRule's H=, .htaccess) on a server without a signing key:
     * httpd answers as it would without the module. */
    if (!tasks_srv_ready(r->server)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "TASKS0003: the tasks "
                      "handler is set for this request, but its server does "
                      "not serve mod_tasks (no TasksJWTSecretFile): declined");
        return DECLINED;
    }
    /* Outside this server's API path (TasksBasePath): not ours, even if a
     * <Location> of the main server names the handler here. */
    if (!tasks_in_api(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "TASKS0006: the tasks "
                      "handler is set for this request, but it is outside "
                      "this server's API path %s (TasksBasePath): declined",
                      tasks_srv_api_path(r->server));
        return DECLINED;
    }
    route = tasks_req_route(r);
    if (route->id == TASKS_ROUTE_NOT_FOUND)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_NOT_FOUND,
                                                  "no such endpoint"));
    /* CalDAV has methods and an OPTIONS of its own. */
    if (route->id == TASKS_ROUTE_DAV)
        return tasks_handle_dav(r);
    if (r->method_number == M_OPTIONS) {
        apr_table_setn(r->headers_out, "Allow",
                       apr_pstrcat(r->pool, tasks_route_allow(route->id),
                                   ", OPTIONS", NULL));
        return tasks_send_empty(r, HTTP_NO_CONTENT);
    }
    if (!tasks_route_allows(route->id, r->method)) {
        apr_table_setn(r->err_headers_out, "Allow", tasks_route_allow(route->id));
        return tasks_send_problem(r, HTTP_METHOD_NOT_ALLOWED, apr_psprintf(
            r->pool, "%s is not allowed here; allowed: %s",
            ap_escape_html(r->pool, r->method), tasks_route_allow(route->id)),
            NULL);
    }
    if (route->bad_id)
        return tasks_send_result(r, &TASKS_RESULT(TASKS_MALFORMED,
            "the task id in the path must be a positive integer"));
    return handlers[route->id](r);
}

/* Checks every server that serves mod_tasks (src/httpd/serving.c): a
 * server that does not needs none of its directives. Used at start-up
 * and by -t. */
static int check_config(apr_pool_t *p, server_rec *s, apr_hash_t *serving)
{
    server_rec *sp;

    for (sp = s; sp; sp = sp->next) {
        const char *why = tasks_serves(serving, sp), *err;
        if (!why)
            continue;
        err = tasks_check_srv_cfg(p, sp, why);
        if (!err)
            err = tasks_issuers_check(p, sp);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sp, "TASKS0001: %s", err);
            return 0;
        }
    }
    return 1;
}

static void tasks_test_config(apr_pool_t *pconf, server_rec *s)
{
    if (!check_config(pconf, s, tasks_servers_serving(pconf, s)))
        exit(1);
}

/* Only servers that serve mod_tasks cost anything: with none (the module
 * loaded, say by `a2enmod tasks`, but used nowhere) nothing is set up.
 * Statements are registered only with the mod_dbd configurations of
 * serving servers: another site's own DBDParams (another database, even
 * another driver, used by mod_authn_dbd say) must not be asked to prepare
 * them. */
static int tasks_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    apr_uint32_t *hashing, *outage;
    apr_hash_t *registered, *serving, *keys_logged;
    const char *dummy;
    unsigned char noise[24];
    server_rec *sp, *first;

    (void)plog;
    serving = tasks_servers_serving(ptemp, s);
    if (!check_config(ptemp, s, serving))
        return HTTP_INTERNAL_SERVER_ERROR;
    if (apr_hash_count(serving) == 0)
        return OK;
    /* One slot counter per process; one hash, of a password nobody
     * knows, that logins for unknown emails verify against. */
    hashing = apr_pcalloc(pconf, sizeof(*hashing));
    outage = apr_pcalloc(pconf, 3 * sizeof(*outage));
    if (apr_generate_random_bytes(noise, sizeof(noise)) != APR_SUCCESS
        || !(dummy = tasks_password_hash(pconf, apr_pescape_hex(ptemp, noise,
                                         sizeof(noise), 0), &tasks_scrypt_default))) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "TASKS0002: cannot "
                     "initialise password hashing");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    registered = apr_hash_make(ptemp);
    keys_logged = apr_hash_make(ptemp);
    for (sp = s; sp; sp = sp->next) {
        tasks_srv_cfg *sc = tasks_srv(sp);
        void *dbd_cfg = ap_get_module_config(sp->module_config, &dbd_module);
        sc->hashing = hashing;
        sc->dummy_hash = dummy;
        sc->outage_logged_at = &outage[0];
        sc->outage_skipped = &outage[1];
        sc->schema_warned = &outage[2];
        if (!tasks_serves(serving, sp))
            continue;
        sc->openapi = tasks_openapi_for_base(pconf, tasks_srv_base_path(sp));
        /* Which key signs: once per list of keys (virtual hosts that
         * inherit the main server's are not named again). */
        if (!apr_hash_get(keys_logged, &sc->token.keys.keys[0].secret,
                          sizeof(void *))) {
            apr_hash_set(keys_logged, &sc->token.keys.keys[0].secret,
                         sizeof(void *), sp);
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, sp, "TASKS0005: %s %s",
                         tasks_server_name(ptemp, sp),
                         tasks_keys_describe(ptemp, sc));
        }
        /* Virtual hosts without DBD directives share the main server's
         * mod_dbd record, and its connections: they must agree on
         * TasksDBPooling. The statements are registered once per record,
         * under session pooling only (a PREPARE on a new connection
         * would be left in whichever server session a transaction pooler
         * handed it). */
        if ((first = apr_hash_get(registered, &dbd_cfg, sizeof(dbd_cfg)))) {
            sc->db_gate = tasks_srv(first)->db_gate;
            if (tasks_srv_db_pooling(first) != tasks_srv_db_pooling(sp)) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sp, "TASKS0007: %s "
                             "shares its database connections (DBDParams) "
                             "with %s but not its TasksDBPooling: set the "
                             "same in both, or give this one DBD "
                             "directives of its own",
                             tasks_server_name(ptemp, sp),
                             tasks_server_name(ptemp, first));
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            continue;
        }
        apr_hash_set(registered, apr_pmemdup(ptemp, &dbd_cfg, sizeof(dbd_cfg)),
                     sizeof(dbd_cfg), sp);
        /* Not reached yet: each new child's first request tries alone. */
        sc->db_gate = apr_pcalloc(pconf, 2 * sizeof(*sc->db_gate));
        sc->db_gate[0] = 1;
        if (tasks_srv_db_pooling(sp) == TASKS_POOLING_SESSION)
            tasks_dbd_register(sp);
    }
    ap_add_version_component(pconf, "mod_tasks/" TASKS_VERSION);
    if (!tasks_counters_post_config(pconf, s))
        return HTTP_INTERNAL_SERVER_ERROR;
    /* Issuers are set by a Tasks* directive, which makes its server serve. */
    if (!tasks_issuers_post_config(pconf, ptemp, s))
        return HTTP_INTERNAL_SERVER_ERROR;
    return OK;
}

static int tasks_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    tasks_issuers_pre_config(pconf);
    return OK;
}

static void tasks_child_init(apr_pool_t *pchild, server_rec *s)
{
    tasks_issuers_child_init(pchild, s);
}

static void tasks_register_hooks(apr_pool_t *p)
{
    /* Statements are handed to mod_dbd before its post_config builds the
     * connection groups that prepare them. */
    static const char *const before_dbd[] = { "mod_dbd.c", NULL };

    (void)p;
    ap_hook_pre_config(tasks_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_test_config(tasks_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(tasks_post_config, NULL, before_dbd, APR_HOOK_MIDDLE);
    ap_hook_translate_name(tasks_translate_name, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_translate_name(tasks_dav_well_known, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_translate_name(tasks_mcp_metadata_translate, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(tasks_map_to_storage, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(tasks_cors_hook, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(tasks_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* TasksTrustRemoteUser: a token that already won satisfies authn before
     * any provider runs; r->user is mapped once authn/authz are done. */
    ap_hook_check_authn(tasks_authn_hook, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_URI);
    ap_hook_fixups(tasks_auth_fixups, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_check_access(tasks_auth_hook, NULL, NULL, APR_HOOK_MIDDLE,
                         AP_AUTH_INTERNAL_PER_URI);
    ap_hook_handler(tasks_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(tasks_mcp_metadata_handler, NULL, NULL, APR_HOOK_MIDDLE);
    tasks_errors_register_hooks();
    ap_hook_log_transaction(tasks_counters_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
    /* Shown by mod_status when it is loaded; otherwise kept unseen. */
    APR_OPTIONAL_HOOK(ap, status_hook, tasks_counters_status, NULL, NULL,
                      APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(tasks) = {
    STANDARD20_MODULE_STUFF,
    tasks_create_dir_cfg,
    tasks_merge_dir_cfg,
    tasks_create_srv_cfg,
    tasks_merge_srv_cfg,
    tasks_cmds,
    tasks_register_hooks,
    AP_MODULE_FLAG_NONE
};
