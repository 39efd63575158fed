/* serving.c - which servers (the main server, each virtual host) serve
 * mod_tasks. Only those need its directives, get its statements registered
 * with mod_dbd and are checked at start-up; loading the module changes
 * nothing for the others (README, "Configuration").
 *
 * The rule. A server serves mod_tasks when
 *   1. "SetHandler tasks" (the literal word, in any case, as the core
 *      lower-cases it) applies in its configuration: at server level or in
 *      any <Location>, <LocationMatch>, <Directory>, <DirectoryMatch>,
 *      <Files>, <FilesMatch> or <If>/<ElseIf>/<Else> section, nested ones
 *      included, its own or inherited from the main server (a virtual host
 *      inherits every section of the main server, so a "SetHandler tasks"
 *      there makes every virtual host serve); or
 *   2. a Tasks* directive is set in its own configuration (for a virtual
 *      host: inside its <VirtualHost>; for the main server: outside any).
 * A handler named any other way (AddHandler, a RewriteRule's H= flag, a
 * SetHandler expression, .htaccess) is not seen here: such a server needs
 * rule 2 (its TasksJWTSecretFile); without a signing key the handler
 * declines its requests (TASKS0003, tasks_srv_ready).
 *
 * How. After httpd has merged the virtual hosts (post_config, test_config),
 * each server's core configuration holds its sections: core_server_config's
 * sec_url (<Location*>) and sec_dir (<Directory*>), the main server's
 * appended before the host's own, and s->lookup_defaults (server level);
 * each section's core_dir_config holds its nested <Files*> (sec_file) and
 * <If> (sec_if) sections and its SetHandler, parsed into an expression
 * (expr_handler) whose text httpd does not keep. The expression records
 * the file and line of its SetHandler directive, so the directives in the
 * configuration tree (ap_conftree) that name "tasks" literally are
 * collected first, by file and line, and a section's expression is ours
 * when it comes from one of them. */
#include <string.h>
#include <strings.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <util_cfgtree.h>
#include <ap_expr.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "tasks/httpd/module.h"

typedef struct {
    apr_pool_t *p;
    apr_hash_t *ours;   /* "line:file" of each SetHandler tasks -> "" */
} walk;

static const char *where(apr_pool_t *p, const char *file, int line)
{
    return apr_psprintf(p, "%d:%s", line, file ? file : "");
}

/* Every SetHandler of the configuration tree whose value is the word
 * "tasks" (quoted or not, any case). */
static void collect(walk *w, const ap_directive_t *d)
{
    for (; d; d = d->next) {
        if (d->directive && !strcasecmp(d->directive, "SetHandler") && d->args) {
            const char *args = d->args;
            const char *value = ap_getword_conf(w->p, &args);
            if (!strcasecmp(value, TASKS_HANDLER) && !*args)
                apr_hash_set(w->ours, where(w->p, d->filename, d->line_num),
                             APR_HASH_KEY_STRING, "");
        }
        if (d->first_child)
            collect(w, d->first_child);
    }
}

/* Where a "SetHandler tasks" applies in the section v or a section
 * nested in it (<Files*>, <If>); NULL when none does. */
static const char *section(walk *w, const ap_conf_vector_t *v)
{
    const core_dir_config *d = v ? ap_get_core_module_config(v) : NULL;
    const char *found = NULL;
    int i;

    if (!d)
        return NULL;
    if (d->expr_handler
        && apr_hash_get(w->ours, where(w->p, d->expr_handler->filename,
                                       (int)d->expr_handler->line_number),
                        APR_HASH_KEY_STRING))
        return apr_psprintf(w->p, "SetHandler tasks at %s:%u",
                            d->expr_handler->filename,
                            d->expr_handler->line_number);
    /* "handler" is a handler forced by a module rather than SetHandler. */
    if (!d->expr_handler && d->handler && !strcasecmp(d->handler, TASKS_HANDLER))
        return apr_psprintf(w->p, "the handler of <%s> is tasks",
                            d->d ? d->d : "?");
    for (i = 0; !found && d->sec_file && i < d->sec_file->nelts; i++)
        found = section(w, APR_ARRAY_IDX(d->sec_file, i, ap_conf_vector_t *));
    for (i = 0; !found && d->sec_if && i < d->sec_if->nelts; i++)
        found = section(w, APR_ARRAY_IDX(d->sec_if, i, ap_conf_vector_t *));
    return found;
}

static const char *sections(walk *w, const apr_array_header_t *a)
{
    const char *found = NULL;
    int i;

    for (i = 0; !found && a && i < a->nelts; i++)
        found = section(w, APR_ARRAY_IDX(a, i, ap_conf_vector_t *));
    return found;
}

/* Rule 1 for s: its server level, then its <Location*> and <Directory*>
 * sections (each with the sections nested in it). */
static const char *handler_applies(walk *w, const server_rec *s)
{
    const core_server_config *c = ap_get_core_module_config(s->module_config);
    const char *found = section(w, s->lookup_defaults);

    if (!found && c)
        found = sections(w, c->sec_url);
    if (!found && c)
        found = sections(w, c->sec_dir);
    return found;
}

/* Rule 2 for s. A virtual host without a Tasks* directive of its own has
 * no record of its own either: httpd hands it the main server's. */
static const char *directive_set(const server_rec *s, const server_rec *main_s)
{
    const tasks_srv_cfg *c = tasks_srv(s);

    if (!c || (s != main_s && c == tasks_srv(main_s)))
        return NULL;
    return c->directive;
}

apr_hash_t *tasks_servers_serving(apr_pool_t *p, server_rec *main_s)
{
    apr_hash_t *serving = apr_hash_make(p);
    const server_rec *s;
    walk w;

    w.p = p;
    w.ours = apr_hash_make(p);
    collect(&w, ap_conftree);
    for (s = main_s; s; s = s->next) {
        const char *why = directive_set(s, main_s);
        if (!why && apr_hash_count(w.ours))
            why = handler_applies(&w, s);
        if (why)
            apr_hash_set(serving, apr_pmemdup(p, &s, sizeof(s)), sizeof(s), why);
    }
    return serving;
}

const char *tasks_serves(apr_hash_t *serving, const server_rec *s)
{
    return apr_hash_get(serving, &s, sizeof(s));
}

const char *tasks_server_name(apr_pool_t *p, const server_rec *s)
{
    const char *name = s->server_hostname ? s->server_hostname : "?";
    const char *addrs = "";
    const server_addr_rec *a;

    if (s->port)
        name = apr_psprintf(p, "%s:%u", name, s->port);
    if (!s->is_virtual)
        return apr_psprintf(p, "the main server %s", name);
    for (a = s->addrs; a; a = a->next) {
        const char *h = a->virthost ? a->virthost : "*";
        const char *one = apr_psprintf(p, strchr(h, ':') ? " [%s]:%s" : " %s:%s",
                                       h, a->host_port ? apr_itoa(p, a->host_port)
                                                       : "*");
        if (!strstr(addrs, one))    /* "*:80" stands for IPv4 and IPv6 */
            addrs = apr_pstrcat(p, addrs, one, NULL);
    }
    return apr_psprintf(p, "the virtual host %s (<VirtualHost%s> at %s:%d)",
                        name, addrs, s->defn_name ? s->defn_name : "?",
                        s->defn_line_number);
}
