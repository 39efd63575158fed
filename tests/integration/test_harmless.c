/* test_harmless.c - "Safe to run in production", part of the foundation
 * suite: loading the module is harmless to servers that do not serve it
 * (which servers need which directives, `a2enmod tasks` on Debian's own
 * Apache, a site answering exactly as without the module), and the secret
 * file may be 0600 root:root, read by the parent only (also across a
 * graceful restart). */
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

/* ---- which servers need the directives: apache2 -t ------------------- */

#define VHOST(name, body) "<VirtualHost 127.0.0.1:2>\nServerName " name "\n" \
                          body "\n</VirtualHost>\n"
#define API_LOCATION "<Location /api>\nSetHandler tasks\n</Location>\n"
#define SECRET "TasksJWTSecretFile ${STACK_DIR}/jwt.secret\n"

/* Each configuration comes after a base with mod_dbd and mod_tasks loaded
 * and nothing else of ours (configtest_conf). server NULL: configtest
 * passes; else it fails, naming that server, TasksJWTSecretFile and why
 * the server serves the module. */
static const struct {
    const char *what, *conf, *server, *why;
} serving_cases[] = {
    { "the module loaded and used nowhere", "", NULL, NULL },
    { "a main server and a virtual host with other handlers, no Tasks*",
      "<Location /status>\nSetHandler none\n</Location>\n"
      "<Directory /srv/www>\nSetHandler default-handler\n"
      "<Files tasks>\nSetHandler none\n</Files>\n</Directory>\n"
      "<If \"-n %{HTTP:X-Tasks}\">\nSetHandler none\n</If>\n"
      VHOST("plain.example", "DocumentRoot ${STACK_DIR}\n"
            "<LocationMatch \"^/api/\">\nSetHandler tasks-elsewhere\n</LocationMatch>\n"
            "<Location /tasks>\nRequire all granted\n</Location>"),
      NULL, NULL },
    { "the main server without a secret, a virtual host serving with its own",
      VHOST("serving.example", SECRET API_LOCATION)
      VHOST("plain.example", "<Location /api>\nRequire all granted\n</Location>"),
      NULL, NULL },
    { "the main server serving with a secret; a virtual host inherits both",
      SECRET API_LOCATION VHOST("plain.example", ""), NULL, NULL },
    { "SetHandler tasks in a <Location> of a virtual host, no secret",
      VHOST("serving.example", API_LOCATION),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in a <LocationMatch>",
      VHOST("serving.example", "<LocationMatch \"^/api(/|$)\">\nSetHandler tasks\n</LocationMatch>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in a <Directory>",
      VHOST("serving.example", "<Directory /srv/tasks>\nSetHandler tasks\n</Directory>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in a <DirectoryMatch>",
      VHOST("serving.example", "<DirectoryMatch \"^/srv/t\">\nSetHandler tasks\n</DirectoryMatch>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in <Files> inside a <Directory>",
      VHOST("serving.example", "<Directory /srv/www>\n<Files api>\nSetHandler tasks\n"
            "</Files>\n</Directory>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in a <FilesMatch> of the host",
      VHOST("serving.example", "<FilesMatch \"\\.tasks$\">\nSetHandler tasks\n</FilesMatch>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in an <If> inside a <Location>",
      VHOST("serving.example", "<Location /api>\n<If \"-n %{HTTP_HOST}\">\n"
            "SetHandler tasks\n</If>\n</Location>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "in an <Else> of the host",
      VHOST("serving.example", "<If \"-z %{HTTP_HOST}\">\nSetHandler none\n</If>\n"
            "<Else>\nSetHandler tasks\n</Else>"),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "at the host's own level, quoted and in capitals",
      VHOST("serving.example", "SetHandler \"TASKS\""),
      "the virtual host serving.example", "SetHandler tasks at" },
    { "a Tasks* directive in a virtual host, no SetHandler",
      VHOST("serving.example", "TasksSignup Off"),
      "the virtual host serving.example", "TasksSignup at" },
    { "TasksBasePath in a virtual host",
      VHOST("serving.example", "TasksBasePath /tasks/"),
      "the virtual host serving.example", "TasksBasePath at" },
    { "a Tasks* directive in a <Location> of a virtual host",
      VHOST("serving.example", "<Location /x>\nTasksCORSAllowOrigin https://a.example\n</Location>"),
      "the virtual host serving.example", "TasksCORSAllowOrigin at" },
    { "one host serving with a secret, another without",
      VHOST("good.example", SECRET API_LOCATION) VHOST("bad.example", API_LOCATION),
      "the virtual host bad.example", "SetHandler tasks at" },
    { "the main server serving, no secret anywhere", API_LOCATION,
      "the main server main.example", "SetHandler tasks at" },
    { "the main server serving without a secret (a virtual host has one)",
      API_LOCATION VHOST("serving.example", SECRET),
      "the main server main.example", "SetHandler tasks at" },
};

START_TEST(configtest_needs_directives_only_where_served)
{
    const char *what = serving_cases[_i].what;
    const char *server = serving_cases[_i].server, *why = serving_cases[_i].why;
    char *out;
    int rc = configtest_conf(serving_cases[_i].conf, &out);

    if (!server) {
        ck_assert_msg(rc == 0 && strstr(out, "Syntax OK"),
                      "%s: configtest failed (%d): %s", what, rc, out);
    }
    else {
        ck_assert_msg(rc != 0, "%s: configtest passed: %s", what, out);
        ck_assert_msg(strstr(out, "TasksJWTSecretFile is required in"),
                      "%s: %s", what, out);
        ck_assert_msg(strstr(out, server), "%s: does not name '%s': %s",
                      what, server, out);
        ck_assert_msg(strstr(out, why), "%s: does not say '%s': %s", what,
                      why, out);
    }
    free(out);
}
END_TEST

/* Debian's own Apache configuration (a copy of /etc/apache2, with
 * a2enmod's state kept in the copy): it passes configtest; `a2enmod tasks`
 * enables mod_dbd too (# Depends: dbd) and configtest still passes. */
START_TEST(a2enmod_tasks_keeps_debian_apache_passing)
{
    const char *dir = getenv("STACK_DIR"), *root = getenv("TASKS_ROOT");
    char *d = fmt("%s/debian", dir), *script, *path, *status, *log;
    int before = -1, en = -1, after = -1;

    if (access("/etc/apache2/apache2.conf", R_OK) || access("/usr/sbin/a2enmod", X_OK)) {
        printf("SKIP a2enmod_tasks_keeps_debian_apache_passing: no "
               "/etc/apache2/apache2.conf or /usr/sbin/a2enmod here\n");
        free(d);
        return;
    }
    script = fmt(
        "D=%s; rm -rf $D && mkdir -p $D/run $D/lock $D/log $D/state || exit 1\n"
        "cp -a /etc/apache2 $D/etc || exit 1\n"
        "rm -f $D/etc/mods-enabled/dbd.load $D/etc/mods-enabled/tasks.load\n"
        "sed 's#/usr/lib/apache2/modules/mod_tasks.so#%s#' "
        "%s/conf/tasks.load > $D/etc/mods-available/tasks.load || exit 1\n"
        "printf 'export APACHE_RUN_USER=www-data APACHE_RUN_GROUP=www-data "
        "APACHE_PID_FILE=%%s/run/apache2.pid APACHE_RUN_DIR=%%s/run "
        "APACHE_LOCK_DIR=%%s/lock APACHE_LOG_DIR=%%s/log LANG=C\\n' $D $D $D $D "
        "> $D/envvars\n"
        ". $D/envvars\n"
        "export APACHE_CONFDIR=$D/etc APACHE_ENVVARS=$D/envvars "
        "APACHE_STATE_DIRECTORY=$D/state\n"
        "%s -d $D/etc -f $D/etc/apache2.conf -t > $D/before.out 2>&1; b=$?\n"
        "/usr/sbin/a2enmod tasks > $D/a2enmod.out 2>&1; e=$?\n"
        "%s -d $D/etc -f $D/etc/apache2.conf -t > $D/after.out 2>&1; a=$?\n"
        "echo \"$b $e $a\" > $D/status\n", d, module_path(), root,
        apache_binary(), apache_binary());
    ck_assert_int_eq(system(script), 0);
    path = fmt("%s/status", d);
    status = read_text(path);
    ck_assert_ptr_nonnull(status);
    ck_assert_int_eq(sscanf(status, "%d %d %d", &before, &en, &after), 3);
    if (before != 0) {
        free(path);
        path = fmt("%s/before.out", d);
        log = read_text(path);
        printf("SKIP a2enmod_tasks_keeps_debian_apache_passing: this "
               "machine's /etc/apache2 fails configtest without mod_tasks: "
               "%s\n", log ? log : "");
        free(log);
    }
    else {
        free(path);
        path = fmt("%s/a2enmod.out", d);
        log = read_text(path);
        ck_assert_msg(en == 0, "a2enmod tasks: %d: %s", en, log);
        ck_assert_msg(strstr(log, "Enabling module dbd"), "%s", log);
        free(log);
        free(path);
        path = fmt("%s/etc/mods-enabled/dbd.load", d);
        ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
        free(path);
        path = fmt("%s/etc/mods-enabled/tasks.load", d);
        ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
        free(path);
        path = fmt("%s/after.out", d);
        log = read_text(path);
        ck_assert_msg(after == 0 && strstr(log, "Syntax OK"),
                      "configtest after a2enmod tasks: %d: %s", after, log);
        free(log);
    }
    free(path);
    free(status);
    free(script);
    free(d);
}
END_TEST

/* ---- a site served exactly as without the module --------------------- */

/* run.sh serves one site from two httpds: SITE_PLAIN_URL without mod_tasks,
 * SITE_WITH_URL with it loaded (and serving only in a virtual host of its
 * own, SITE_SERVING_URL). The site's /api/health is a file of its own and
 * /private is HTTP Basic checked by mod_authn_dbd against its own
 * database. status: what plain Apache answers (0: not pinned). */
static const struct {
    const char *method, *path, *h1, *h2, *body;
    long status;
} site_requests[] = {
    { "GET", "/api/health", NULL, NULL, NULL, 200 },
    { "HEAD", "/api/health", NULL, NULL, NULL, 200 },
    { "GET", "/api/health", "Authorization: Bearer not.a.token", NULL, NULL, 200 },
    { "GET", "/api/health", "Cookie: tasks_session=x.y.z", NULL, NULL, 200 },
    { "GET", "/api/nope", NULL, NULL, NULL, 404 },
    { "GET", "/api/tasks", "Authorization: Bearer not.a.token", NULL, NULL, 404 },
    { "POST", "/api/auth/login", "Content-Type: application/json", NULL,
      "{\"email\":\"a@example.org\",\"password\":\"x\"}", 0 },
    { "POST", "/api/health", "Content-Type: application/json", NULL, "{}", 0 },
    { "OPTIONS", "/api/health", "Origin: https://app.example.org",
      "Access-Control-Request-Method: DELETE", NULL, 0 },
    { "GET", "/", NULL, NULL, NULL, 200 },
    { "GET", "/odd/x.tasks", NULL, NULL, NULL, 0 },
    { "GET", "/private/", NULL, NULL, NULL, 401 },
    { "GET", "/private/", "Authorization: Basic Ym9iOndyb25n", NULL, NULL, 401 },
    { "GET", "/private/", "Authorization: Basic Ym9iOmJvYi1wYXNzd29yZA==", NULL,
      NULL, 200 },
};

static http_resp *site_request(const char *base, int i)
{
    const char *hs[3] = { site_requests[i].h1, site_requests[i].h2, NULL };
    char *url = fmt("%s%s", base, site_requests[i].path);
    http_resp *r = http(site_requests[i].method, url, site_requests[i].body,
                        site_requests[i].h1 ? hs : NULL);

    free(url);
    return r;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Allow's methods, sorted: httpd lists them in the order of a hash that
 * each process seeds at random. */
static char *sorted_allow(const char *value)
{
    char *copy = strdup(value), *save = NULL, *m, *out = strdup(""), *next;
    char *methods[32];
    size_t n = 0, i;

    for (m = strtok_r(copy, ", ", &save); m && n < 32; m = strtok_r(NULL, ", ", &save))
        methods[n++] = m;
    qsort(methods, n, sizeof(*methods), by_name);
    for (i = 0; i < n; i++) {
        next = fmt("%s%s%s", out, i ? "," : "", methods[i]);
        free(out);
        out = next;
    }
    free(copy);
    return out;
}

/* Server without the module's own version component ("mod_tasks/x"),
 * the one thing a loaded module adds for the whole httpd (the contract
 * asks for it, ap_add_version_component). */
static char *server_without_module(const char *line)
{
    char *out = strdup(line), *m = strstr(out, " mod_tasks/");

    if (m) {
        char *end = m + 1;
        while (*end && *end != ' ')
            end++;
        memmove(m, end, strlen(end) + 1);
    }
    return out;
}

/* Every header but Date, in order (Allow's methods sorted, Server without
 * the module's version component). */
static char *headers_but_date(const http_resp *r)
{
    char *all = strdup(""), *next;
    char **h;

    for (h = r->headers; h && *h; h++) {
        if (!strncasecmp(*h, "Date:", 5))
            continue;
        if (!strncasecmp(*h, "Server:", 7)) {
            char *server = server_without_module(*h);
            next = fmt("%s%s\n", all, server);
            free(server);
            free(all);
            all = next;
            continue;
        }
        if (!strncasecmp(*h, "Allow:", 6)) {
            char *allow = sorted_allow(*h + 6);
            next = fmt("%sAllow: %s\n", all, allow);
            free(allow);
        }
        else
            next = fmt("%s%s\n", all, *h);
        free(all);
        all = next;
    }
    return all;
}

START_TEST(site_answers_as_without_the_module)
{
    const char *plain_url = getenv("SITE_PLAIN_URL"), *with_url = getenv("SITE_WITH_URL");
    const char *what = site_requests[_i].path, *method = site_requests[_i].method;
    http_resp *plain, *with;
    const char *ct;
    char *hp, *hw;

    ck_assert_msg(plain_url && with_url, "run.sh sets SITE_PLAIN_URL and SITE_WITH_URL");
    plain = site_request(plain_url, _i);
    with = site_request(with_url, _i);
    if (site_requests[_i].status)
        ck_assert_msg(plain->status == site_requests[_i].status,
                      "plain Apache: %s %s: %ld", method, what, plain->status);
    ck_assert_msg(with->status == plain->status, "%s %s: %ld with mod_tasks, "
                  "%ld without: %s", method, what, with->status, plain->status,
                  with->body);
    ct = http_header(with, "Content-Type");
    ck_assert_msg(!ct || !strstr(ct, "problem+json"), "%s %s: %s", method, what, ct);
    ck_assert_msg(with->len == plain->len && !memcmp(with->body, plain->body, plain->len),
                  "%s %s: body with mod_tasks:\n%s\nwithout:\n%s", method, what,
                  with->body, plain->body);
    hp = headers_but_date(plain);
    hw = headers_but_date(with);
    ck_assert_msg(!strcmp(hp, hw), "%s %s: headers with mod_tasks:\n%swithout:\n%s",
                  method, what, hw, hp);
    if (!strcmp(method, "GET") && !strcmp(what, "/api/health") && !site_requests[_i].h1)
        ck_assert_str_eq(with->body, "a plain file of this site, not the API\n");
    free(hp);
    free(hw);
    http_free(plain);
    http_free(with);
}
END_TEST

/* ... while the module serves its own virtual host on the same httpd, on
 * its own database: its statements are registered where it serves. */
START_TEST(module_serves_its_virtual_host_beside_the_site)
{
    const char *base = getenv("SITE_SERVING_URL");
    char *url, *body, *auth;
    const char *hs[2];
    http_resp *r;

    ck_assert_ptr_nonnull(base);
    url = fmt("%s/api/auth/signup", base);
    body = fmt("{\"email\":\"beside-%d-%ld@example.org\",\"password\":"
               "\"correct horse battery\"}", (int)getpid(), random());
    r = http("POST", url, body, NULL);
    ck_assert_status(r, 201);
    auth = fmt("Authorization: Bearer %s",
               json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    free(url);
    url = fmt("%s/api/auth/me", base);
    hs[0] = auth;
    hs[1] = NULL;
    r = http("GET", url, NULL, hs);
    ck_assert_status(r, 200);
    http_free(r);
    free(url);
    url = fmt("%s/api/nope", base);
    r = http("GET", url, NULL, NULL);
    assert_problem(r, 404);
    http_free(r);
    free(url);
    free(auth);
    free(body);
}
END_TEST

/* ---- the secret file: 0600 root:root, read by the parent ------------- */

/* The uids of the children of process parent; returns how many (at most
 * max), their pids in pids. */
static int children(long parent, long *pids, unsigned *uids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) && n < max) {
        char *path, *stat_line, *close_paren;
        long ppid;
        struct stat st;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        path = fmt("/proc/%s/stat", e->d_name);
        stat_line = read_text(path);
        free(path);
        if (!stat_line)
            continue;
        close_paren = strrchr(stat_line, ')');
        if (close_paren && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1
            && ppid == parent) {
            path = fmt("/proc/%s", e->d_name);
            if (stat(path, &st) == 0) {
                pids[n] = atol(e->d_name);
                uids[n] = st.st_uid;
                n++;
            }
            free(path);
        }
        free(stat_line);
    }
    closedir(d);
    return n;
}

static long httpd_parent(void)
{
    char *path = fmt("%s/httpd.pid", getenv("STACK_DIR")), *pid = read_text(path);
    long n;

    ck_assert_msg(pid != NULL, "no %s", path);
    n = atol(pid);
    free(pid);
    free(path);
    return n;
}

static long me_status(const char *token)
{
    http_resp *r = http_auth("GET", "/api/auth/me", token, NULL);
    long status = r->status;

    http_free(r);
    return status;
}

START_TEST(secret_0600_root_is_read_by_the_parent_only)
{
    char *secret = fmt("%s/jwt.secret", getenv("STACK_DIR")), *cmd, *email, *body;
    char *token, *token2;
    struct passwd *www;
    struct stat st;
    long parent, before[64], after[64];
    unsigned uids[64];
    int nb, na, i, j, fresh = 0;
    http_resp *r;

    if (geteuid() != 0) {
        printf("SKIP secret_0600_root_is_read_by_the_parent_only: not running "
               "as root, so the stack's secret belongs to this user and "
               "httpd's children run as this user too\n");
        free(secret);
        return;
    }
    ck_assert_int_eq(stat(secret, &st), 0);
    ck_assert_msg((st.st_mode & 07777) == 0600, "%s has mode %04o", secret,
                  (unsigned)(st.st_mode & 07777));
    ck_assert_msg(st.st_uid == 0 && st.st_gid == 0, "%s belongs to %u:%u",
                  secret, (unsigned)st.st_uid, (unsigned)st.st_gid);
    www = getpwnam("www-data");
    ck_assert_ptr_nonnull(www);
    cmd = fmt("runuser -u www-data -- test -r %s", secret);
    ck_assert_msg(WEXITSTATUS(system(cmd)) == 1, "www-data can read %s", secret);
    free(cmd);
    /* The children that answer run as www-data: they cannot read it. */
    parent = httpd_parent();
    nb = children(parent, before, uids, 64);
    ck_assert_int_gt(nb, 0);
    for (i = 0; i < nb; i++)
        ck_assert_msg(uids[i] == www->pw_uid, "child %ld runs as uid %u",
                      before[i], uids[i]);

    email = fmt("secret-%d-%ld@example.org", (int)getpid(), random());
    body = fmt("{\"email\":\"%s\",\"password\":\"correct horse battery\"}", email);
    r = http("POST", "/api/auth/signup", body, NULL);
    ck_assert_status(r, 201);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    ck_assert_int_eq(me_status(token), 200);

    /* A graceful restart: the parent reads the configuration, and with it
     * the secret, again; a new generation of children takes over. */
    ck_assert_int_eq(stack("httpd-graceful"), 0);
    ck_assert_int_eq(httpd_parent(), parent);
    ck_assert_int_eq(me_status(token), 200);
    na = children(parent, after, uids, 64);
    for (i = 0; i < na; i++) {
        int old = 0;
        ck_assert_msg(uids[i] == www->pw_uid, "child %ld runs as uid %u",
                      after[i], uids[i]);
        for (j = 0; j < nb; j++)
            old |= after[i] == before[j];
        fresh += !old;
    }
    ck_assert_msg(fresh > 0, "no new child after the graceful restart");
    r = http("POST", "/api/auth/login", body, NULL);
    ck_assert_status(r, 200);
    token2 = strdup(json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    ck_assert_int_eq(me_status(token2), 200);
    /* ... and still refuses a signature that is not its own. */
    token2[strlen(token2) - 2] = token2[strlen(token2) - 2] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(me_status(token2), 401);
    free(token);
    free(token2);
    free(email);
    free(body);
    free(secret);
}
END_TEST

void harmless_tcases(Suite *s)
{
    TCase *serving = tcase_create("serving");
    TCase *site = tcase_create("site");
    TCase *secret = tcase_create("secret");

    tcase_set_timeout(serving, 60);
    tcase_add_loop_test(serving, configtest_needs_directives_only_where_served, 0,
                        (int)(sizeof(serving_cases) / sizeof(*serving_cases)));
    tcase_add_test(serving, a2enmod_tasks_keeps_debian_apache_passing);
    suite_add_tcase(s, serving);
    tcase_set_timeout(site, 30);
    tcase_add_loop_test(site, site_answers_as_without_the_module, 0,
                        (int)(sizeof(site_requests) / sizeof(*site_requests)));
    tcase_add_test(site, module_serves_its_virtual_host_beside_the_site);
    suite_add_tcase(s, site);
    tcase_set_timeout(secret, 60);
    tcase_add_test(secret, secret_0600_root_is_read_by_the_parent_only);
    suite_add_tcase(s, secret);
}
