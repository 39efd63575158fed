/* config.c - the module's directives: parsing, create/merge of server and
 * directory records, and the start-up checks. Every bad value stops httpd
 * at start-up with a message naming the directive, never at a request. */
#include <string.h>
#include <stdlib.h>
#include <errno.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_lib.h>

#include "tasks/httpd/module.h"
#include "tasks/store/store.h"

APLOG_USE_MODULE(tasks);

#define DEFAULT_LIFETIME 3600
#define DEFAULT_LEEWAY 30
#define DEFAULT_SESSION_LIFETIME (30L * 24 * 3600)
#define SESSION_LIFETIME_MAX (366L * 24 * 3600)
/* Below a minute is only useful to test the app's silent refresh. */
#define LIFETIME_MIN 5
#define DEFAULT_THROTTLE_EMAIL 5
#define DEFAULT_THROTTLE_WINDOW 900
#define DEFAULT_THROTTLE_ADDR 50

void *tasks_create_srv_cfg(apr_pool_t *p, server_rec *s)
{
    tasks_srv_cfg *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    c->token.lifetime = DEFAULT_LIFETIME;
    c->token.leeway = DEFAULT_LEEWAY;
    c->session_lifetime = DEFAULT_SESSION_LIFETIME;
    c->throttle_email = DEFAULT_THROTTLE_EMAIL;
    c->throttle_window = DEFAULT_THROTTLE_WINDOW;
    c->throttle_addr = DEFAULT_THROTTLE_ADDR;
    c->db_pooling = -1;
    return c;
}

/* A virtual host inherits what it does not set itself; but not
 * "directive" (whether one was set in the host itself). */
void *tasks_merge_srv_cfg(apr_pool_t *p, void *basev, void *addv)
{
    tasks_srv_cfg *base = basev, *add = addv;
    tasks_srv_cfg *c = apr_pmemdup(p, add, sizeof(*c));

    c->directive = add->directive;
    if (!add->base_path) {
        c->base_path = base->base_path;
        c->api_path = base->api_path;
    }

    /* The keys come as a whole: a virtual host that lists its own does
     * not add the main server's to them. */
    if (!add->token.keys.n) {
        memcpy(c->secret_files, base->secret_files, sizeof(c->secret_files));
        c->token.keys = base->token.keys;
    }
    if (!add->lifetime_set)
        c->token.lifetime = base->token.lifetime;
    if (!add->leeway_set)
        c->token.leeway = base->token.leeway;
    if (!add->session_lifetime_set)
        c->session_lifetime = base->session_lifetime;
    c->token.issuer = add->token.issuer ? add->token.issuer : base->token.issuer;
    c->token.audience = add->token.audience ? add->token.audience
                                            : base->token.audience;
    if (!add->throttle_set) {
        c->throttle_email = base->throttle_email;
        c->throttle_window = base->throttle_window;
        c->throttle_addr = base->throttle_addr;
    }
    c->issuers = add->issuers ? add->issuers : base->issuers;
    c->db_pooling = add->db_pooling >= 0 ? add->db_pooling : base->db_pooling;
    return c;
}

void *tasks_create_dir_cfg(apr_pool_t *p, char *dir)
{
    tasks_dir_cfg *c = apr_pcalloc(p, sizeof(*c));

    (void)dir;
    c->signup = -1;
    c->max_body = -1;
    c->trust_remote_user = -1;
    return c;
}

void *tasks_merge_dir_cfg(apr_pool_t *p, void *basev, void *addv)
{
    tasks_dir_cfg *base = basev, *add = addv;
    tasks_dir_cfg *c = apr_palloc(p, sizeof(*c));

    c->cors_origins = add->cors_origins ? add->cors_origins : base->cors_origins;
    c->signup = add->signup >= 0 ? add->signup : base->signup;
    c->max_body = add->max_body >= 0 ? add->max_body : base->max_body;
    c->trust_remote_user = add->trust_remote_user >= 0 ? add->trust_remote_user
                                                       : base->trust_remote_user;
    return c;
}

tasks_srv_cfg *tasks_srv(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &tasks_module);
}

/* Promise: see module.h. Directives of any context call it: one in a
 * <Location> of a virtual host is set in that host (cmd->server). */
tasks_srv_cfg *tasks_srv_cmd(cmd_parms *cmd)
{
    tasks_srv_cfg *c = tasks_srv(cmd->server);

    if (!c->directive)
        c->directive = cmd->directive
            ? apr_psprintf(cmd->pool, "%s at %s:%d", cmd->cmd->name,
                           cmd->directive->filename, cmd->directive->line_num)
            : cmd->cmd->name;
    return c;
}

const char *tasks_srv_base_path(const server_rec *s)
{
    const tasks_srv_cfg *c = tasks_srv(s);

    return c && c->base_path ? c->base_path : TASKS_DEFAULT_BASE;
}

const char *tasks_srv_api_path(const server_rec *s)
{
    const tasks_srv_cfg *c = tasks_srv(s);

    return c && c->api_path ? c->api_path
                            : TASKS_DEFAULT_BASE TASKS_API_SEGMENT;
}

int tasks_srv_ready(const server_rec *s)
{
    const tasks_srv_cfg *c = tasks_srv(s);

    return c && tasks_keyring_signer(&c->token.keys) && c->dummy_hash;
}

tasks_dir_cfg *tasks_dir(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &tasks_module);
}

int tasks_dir_signup(const tasks_dir_cfg *d)
{
    return d->signup != 0;
}

apr_off_t tasks_dir_max_body(const tasks_dir_cfg *d)
{
    return d->max_body >= 0 ? d->max_body : TASKS_DEFAULT_MAX_BODY;
}

/* Off unless set: trusting r->user is a deliberate choice per location. */
int tasks_dir_trust_remote_user(const tasks_dir_cfg *d)
{
    return d->trust_remote_user == 1;
}

/* Parse a whole decimal number in [min, max]; -1 when it is not one. */
static long parse_long(const char *v, long min, long max)
{
    char *end;
    long n;

    if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
        return -1;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return -1;
    return n;
}

/* TasksJWTSecretFile <file> [kid=<kid>]: one key per line, in order; the
 * first one signs, every one verifies (README, "Rotating the signing
 * key"). Read here, by the parent, while it reads the configuration. */
const char *tasks_set_secret_file(cmd_parms *cmd, void *dc, const char *path,
                                  const char *opt)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    const char *file = ap_server_root_relative(cmd->pool, path);
    const char *kid = NULL, *why;
    apr_file_t *f;
    apr_finfo_t fi;
    char *buf;
    apr_size_t len;
    apr_status_t rv;
    int clash;

    (void)dc;
    if (!file)
        return apr_psprintf(cmd->pool, "%s: invalid path '%s'",
                            cmd->cmd->name, path);
    if (opt) {
        if (strncmp(opt, "kid=", 4))
            return apr_psprintf(cmd->pool, "%s: '%s' is not kid=<kid>",
                                cmd->cmd->name, opt);
        kid = opt + 4;
    }
    if (c->token.keys.n >= TASKS_KEYS_MAX)
        return apr_psprintf(cmd->pool, "%s: '%s': at most %d keys may be "
                            "listed in one server", cmd->cmd->name, file,
                            TASKS_KEYS_MAX);
    rv = apr_file_open(&f, file, APR_FOPEN_READ, 0, cmd->pool);
    if (rv != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %pm",
                            cmd->cmd->name, file, &rv);
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS || fi.size > 65536) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: '%s' is not a small regular file",
                            cmd->cmd->name, file);
    }
    len = (apr_size_t)fi.size;
    buf = apr_palloc(cmd->pool, len + 1);
    rv = apr_file_read_full(f, buf, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %pm",
                            cmd->cmd->name, file, &rv);
    /* The key is the file's bytes less one trailing newline, so the same
     * string can be handed to another issuer (e.g. BETTER_AUTH_SECRET). */
    if (len && buf[len - 1] == '\n')
        len--;
    buf[len] = '\0';
    if (len < TASKS_SECRET_MIN_LEN)
        return apr_psprintf(cmd->pool, "%s: the secret in '%s' is %lu bytes; "
                            "at least %d are required", cmd->cmd->name, file,
                            (unsigned long)len, TASKS_SECRET_MIN_LEN);
    why = tasks_keyring_add(cmd->pool, &c->token.keys,
                            (const unsigned char *)buf, len, kid, &clash);
    if (why)
        return apr_psprintf(cmd->pool, "%s: '%s': %s%s%s%s", cmd->cmd->name,
                            file, why, clash >= 0 ? " ('" : "",
                            clash >= 0 ? c->secret_files[clash] : "",
                            clash >= 0 ? "')" : "");
    c->secret_files[c->token.keys.n - 1] = file;
    return NULL;
}

const char *tasks_set_lifetime(cmd_parms *cmd, void *dc, const char *v)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    long n = parse_long(v, LIFETIME_MIN, 30L * 24 * 3600);

    (void)dc;
    if (n < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of seconds "
                            "between %d and 2592000", cmd->cmd->name, v,
                            LIFETIME_MIN);
    c->token.lifetime = n;
    c->lifetime_set = 1;
    return NULL;
}

const char *tasks_set_session_lifetime(cmd_parms *cmd, void *dc, const char *v)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    long n = parse_long(v, LIFETIME_MIN, SESSION_LIFETIME_MAX);

    (void)dc;
    if (n < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of seconds "
                            "between %d and %ld", cmd->cmd->name, v,
                            LIFETIME_MIN, SESSION_LIFETIME_MAX);
    c->session_lifetime = n;
    c->session_lifetime_set = 1;
    return NULL;
}

const char *tasks_set_db_pooling(cmd_parms *cmd, void *dc, const char *v)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);

    (void)dc;
    if (!ap_cstr_casecmp(v, "session"))
        c->db_pooling = TASKS_POOLING_SESSION;
    else if (!ap_cstr_casecmp(v, "transaction"))
        c->db_pooling = TASKS_POOLING_TRANSACTION;
    else
        return apr_psprintf(cmd->pool, "%s: '%s' is neither 'session' (each "
                            "connection is one database session) nor "
                            "'transaction' (a transaction pooler such as "
                            "PgBouncer's pool_mode = transaction)",
                            cmd->cmd->name, v);
    return NULL;
}

int tasks_srv_db_pooling(const server_rec *s)
{
    const tasks_srv_cfg *c = tasks_srv(s);

    return c && c->db_pooling >= 0 ? c->db_pooling : TASKS_POOLING_SESSION;
}

const char *tasks_set_leeway(cmd_parms *cmd, void *dc, const char *v)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    long n = parse_long(v, 0, 3600);

    (void)dc;
    if (n < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of seconds "
                            "between 0 and 3600", cmd->cmd->name, v);
    c->token.leeway = n;
    c->leeway_set = 1;
    return NULL;
}

const char *tasks_set_issuer(cmd_parms *cmd, void *dc, const char *v)
{
    (void)dc;
    if (!*v)
        return apr_psprintf(cmd->pool, "%s: must not be empty", cmd->cmd->name);
    tasks_srv_cmd(cmd)->token.issuer = v;
    return NULL;
}

const char *tasks_set_audience(cmd_parms *cmd, void *dc, const char *v)
{
    (void)dc;
    if (!*v)
        return apr_psprintf(cmd->pool, "%s: must not be empty", cmd->cmd->name);
    tasks_srv_cmd(cmd)->token.audience = v;
    return NULL;
}

/* An origin is scheme://host[:port] exactly as a browser sends it: http or
 * https, a lower-case host, no path, no trailing slash, no wildcard. */
static int valid_origin(const char *o)
{
    const char *h, *c;

    if (!strncmp(o, "https://", 8))
        h = o + 8;
    else if (!strncmp(o, "http://", 7))
        h = o + 7;
    else
        return 0;
    if (!*h)
        return 0;
    for (c = h; *c && *c != ':'; c++)
        if (!(apr_islower(*c) || apr_isdigit(*c) || *c == '-' || *c == '.'
              || *c == '[' || *c == ']'))
            return 0;
    if (*c == ':') {
        if (parse_long(c + 1, 1, 65535) < 0)
            return 0;
    }
    return c > h;
}

const char *tasks_set_cors(cmd_parms *cmd, void *dc, const char *origin)
{
    tasks_dir_cfg *c = dc;

    tasks_srv_cmd(cmd);
    if (!valid_origin(origin))
        return apr_psprintf(cmd->pool, "%s: '%s' is not an origin like "
                            "https://app.example.org (no path, no wildcard, "
                            "lower case)", cmd->cmd->name, origin);
    if (!c->cors_origins)
        c->cors_origins = apr_array_make(cmd->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(c->cors_origins, const char *) = origin;
    return NULL;
}

const char *tasks_set_signup(cmd_parms *cmd, void *dc, int on)
{
    tasks_srv_cmd(cmd);
    ((tasks_dir_cfg *)dc)->signup = on ? 1 : 0;
    return NULL;
}

const char *tasks_set_trust_remote_user(cmd_parms *cmd, void *dc, int on)
{
    tasks_srv_cmd(cmd);
    ((tasks_dir_cfg *)dc)->trust_remote_user = on ? 1 : 0;
    return NULL;
}

const char *tasks_set_max_body(cmd_parms *cmd, void *dc, const char *v)
{
    long n = parse_long(v, 1024, TASKS_MAX_BODY_LIMIT);

    tasks_srv_cmd(cmd);
    if (n < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size in bytes "
                            "between 1024 and %d", cmd->cmd->name, v,
                            TASKS_MAX_BODY_LIMIT);
    ((tasks_dir_cfg *)dc)->max_body = n;
    return NULL;
}

const char *tasks_set_throttle(cmd_parms *cmd, void *dc, int argc,
                               char *const argv[])
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    long email, window, addr;

    (void)dc;
    if (argc != 3)
        return apr_psprintf(cmd->pool, "%s takes three numbers: failures per "
                            "email, window seconds, failures per client "
                            "address", cmd->cmd->name);
    email = parse_long(argv[0], 0, 1000000);
    window = parse_long(argv[1], 1, 7L * 24 * 3600);
    addr = parse_long(argv[2], 0, 1000000);
    if (email < 0 || window < 0 || addr < 0)
        return apr_psprintf(cmd->pool, "%s: '%s %s %s' must be failures per "
                            "email (0 = no limit), a window of 1-604800 "
                            "seconds and failures per address (0 = no limit)",
                            cmd->cmd->name, argv[0], argv[1], argv[2]);
    c->throttle_email = (int)email;
    c->throttle_window = (int)window;
    c->throttle_addr = (int)addr;
    c->throttle_set = 1;
    return NULL;
}

#define MAX_BASE_PATH 256

/* TasksBasePath: a URL path that starts with "/"; "/tasks" and "/tasks/"
 * are the same. Its segments are plain words (letters, digits, "-", ".",
 * "_", "~"; not "." or ".."), so the path is the same percent-decoded
 * (r->uri) or not, and safe as it is in a cookie's Path and a header. */
const char *tasks_set_base_path(cmd_parms *cmd, void *dc, const char *v)
{
    tasks_srv_cfg *c = tasks_srv_cmd(cmd);
    const char *seg, *e;
    size_t len = strlen(v);

    (void)dc;
    if (*v != '/')
        return apr_psprintf(cmd->pool, "%s: '%s' must start with '/' (a URL "
                            "path such as /tasks/, or / for the whole host)",
                            cmd->cmd->name, v);
    if (len > MAX_BASE_PATH)
        return apr_psprintf(cmd->pool, "%s: the path is longer than %d bytes",
                            cmd->cmd->name, MAX_BASE_PATH);
    for (seg = v + 1; *seg; seg = *e ? e + 1 : e) {
        for (e = seg; *e && *e != '/'; e++)
            if (!apr_isalnum(*e) && !strchr("-._~", *e))
                return apr_psprintf(cmd->pool, "%s: '%s' may contain only "
                                    "letters, digits, '-', '.', '_', '~' and "
                                    "'/'", cmd->cmd->name, v);
        if (e == seg && *e)
            return apr_psprintf(cmd->pool, "%s: '%s' has an empty segment "
                                "('//')", cmd->cmd->name, v);
        if ((e - seg == 1 && seg[0] == '.')
            || (e - seg == 2 && seg[0] == '.' && seg[1] == '.'))
            return apr_psprintf(cmd->pool, "%s: '%s' has a '.' or '..' "
                                "segment", cmd->cmd->name, v);
    }
    c->base_path = v[len - 1] == '/' ? apr_pstrdup(cmd->pool, v)
                                     : apr_pstrcat(cmd->pool, v, "/", NULL);
    c->api_path = apr_pstrcat(cmd->pool, c->base_path, TASKS_API_SEGMENT, NULL);
    return NULL;
}

const char *tasks_check_srv_cfg(apr_pool_t *p, server_rec *s, const char *why)
{
    tasks_srv_cfg *c = tasks_srv(s);

    if (!tasks_keyring_signer(&c->token.keys))
        return apr_psprintf(p, "TasksJWTSecretFile is required in %s: it "
                            "serves mod_tasks (%s), which will not run "
                            "without a signing key", tasks_server_name(p, s),
                            why);
    return NULL;
}

/* Promise: see module.h. */
const char *tasks_keys_describe(apr_pool_t *p, const tasks_srv_cfg *c)
{
    const char *text;
    int i;

    if (!c->token.keys.n)
        return "no key";
    text = apr_psprintf(p, "signs with kid %s ('%s')",
                        tasks_key_kid(p, &c->token.keys.keys[0]),
                        c->secret_files[0]);
    for (i = 1; i < c->token.keys.n; i++)
        text = apr_psprintf(p, "%s%s kid %s ('%s')", text,
                            i == 1 ? "; also accepts" : ",",
                            tasks_key_kid(p, &c->token.keys.keys[i]),
                            c->secret_files[i]);
    return text;
}
