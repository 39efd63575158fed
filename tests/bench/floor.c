/* floor.c - make bench's floors (never installed, never in a release):
 * an httpd module that does, per request, exactly what the cheapest
 * possible task API must do and nothing else. It takes a connection from
 * the same mod_dbd pool as mod_tasks (same DBDParams, DBDMax, MPM), runs
 * one prepared SELECT and writes the rows as JSON. No token, no caller
 * check, no validation, no counters.
 *
 *   GET /bench-floor/one/<user_id>/<id>   one task by (user_id, id)
 *   GET /bench-floor/page/<user_id>       the user's first 50 tasks by
 *                                         created_at desc, id desc
 *
 * The columns are the task's, read as mod_tasks reads them (timestamps as
 * epoch seconds); the JSON is written by hand, with only the escaping
 * JSON requires. Built by tests/bench/run.sh with apxs. */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_dbd.h>
#include <apr_strings.h>
#include <mod_dbd.h>

#define COLS "t.id, t.user_id, t.title, t.description, t.completed, t.priority," \
    " extract(epoch FROM t.due_at), array_to_json(t.tags), t.list_id," \
    " t.recurrence, t.time_zone, array_to_json(t.reminders)," \
    " extract(epoch FROM t.created_at), extract(epoch FROM t.updated_at)," \
    " extract(epoch FROM t.completed_at), t.version"
#define NCOLS 16

/* How each column is written: a JSON string, a number or JSON text as it
 * is, a boolean ("t"/"f"). */
static const char col_kind[NCOLS] = "nsssbnnjnssjnnnn";
static const char *const col_name[NCOLS] = {
    "id", "user_id", "title", "description", "completed", "priority",
    "due_at", "tags", "list_id", "recurrence", "time_zone", "reminders",
    "created_at", "updated_at", "completed_at", "version",
};

static const char one_sql[] = "SELECT " COLS " FROM tasks t"
    " WHERE t.user_id = %s::uuid AND t.id = %lld::bigint";
static const char page_sql[] = "SELECT " COLS " FROM tasks t"
    " WHERE t.user_id = %s::uuid ORDER BY t.created_at DESC, t.id DESC LIMIT 50";

module AP_MODULE_DECLARE_DATA bench_floor_module;

static void put_string(apr_bucket_brigade *bb, request_rec *r, const char *s)
{
    const char *run = s;

    ap_fputc(r->output_filters, bb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ap_fwrite(r->output_filters, bb, run, (apr_size_t)(s - run));
        ap_fprintf(r->output_filters, bb, "\\u%04x", c);
        run = s + 1;
    }
    ap_fwrite(r->output_filters, bb, run, (apr_size_t)(s - run));
    ap_fputc(r->output_filters, bb, '"');
}

static void put_row(apr_bucket_brigade *bb, request_rec *r,
                    const apr_dbd_driver_t *d, apr_dbd_row_t *row)
{
    int c;

    for (c = 0; c < NCOLS; c++) {
        char *v = NULL;

        /* NULL for SQL NULL (apr_dbd_get_entry would give "") */
        if (apr_dbd_datum_get(d, row, c, APR_DBD_TYPE_STRING, &v) != APR_SUCCESS)
            v = NULL;

        ap_fputs(r->output_filters, bb, c ? ",\"" : "{\"");
        ap_fputs(r->output_filters, bb, col_name[c]);
        ap_fputs(r->output_filters, bb, "\":");
        if (!v)
            ap_fputs(r->output_filters, bb, "null");
        else if (col_kind[c] == 's')
            put_string(bb, r, v);
        else if (col_kind[c] == 'b')
            ap_fputs(r->output_filters, bb, *v == 't' ? "true" : "false");
        else
            ap_fputs(r->output_filters, bb, v);
    }
    ap_fputc(r->output_filters, bb, '}');
}

static int floor_handler(request_rec *r)
{
    const char *path = r->uri + sizeof("/bench-floor/") - 1, *args[2];
    apr_dbd_prepared_t *st;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    apr_bucket_brigade *bb;
    ap_dbd_t *dbd;
    int page, n;

    if (!r->handler || strcmp(r->handler, "bench-floor"))
        return DECLINED;
    page = !strncmp(path, "page/", 5);
    if (!page && strncmp(path, "one/", 4))
        return HTTP_NOT_FOUND;
    args[0] = apr_pstrdup(r->pool, path + (page ? 5 : 4));
    args[1] = NULL;
    if (!page) {
        char *slash = strchr((char *)args[0], '/');

        if (!slash)
            return HTTP_NOT_FOUND;
        *slash = '\0';
        args[1] = slash + 1;
    }
    if (!(dbd = ap_dbd_acquire(r)))
        return HTTP_SERVICE_UNAVAILABLE;
    st = apr_hash_get(dbd->prepared, page ? "bench_floor_page" : "bench_floor_one",
                      APR_HASH_KEY_STRING);
    if (!st || apr_dbd_pselect(dbd->driver, r->pool, dbd->handle, &res, st, 1,
                               page ? 1 : 2, args))
        return HTTP_INTERNAL_SERVER_ERROR;
    n = apr_dbd_num_tuples(dbd->driver, res);
    if (!page && n != 1)
        return HTTP_NOT_FOUND;
    ap_set_content_type(r, "application/json");
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    if (page)
        ap_fputc(r->output_filters, bb, '[');
    for (n = 1; apr_dbd_get_row(dbd->driver, r->pool, res, &row, n) == 0; n++) {
        if (n > 1)
            ap_fputc(r->output_filters, bb, ',');
        put_row(bb, r, dbd->driver, row);
    }
    if (page)
        ap_fputc(r->output_filters, bb, ']');
    ap_fflush(r->output_filters, bb);
    return OK;
}

/* The two statements, prepared by mod_dbd on each of its connections. */
static int floor_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    ap_dbd_prepare(s, one_sql, "bench_floor_one");
    ap_dbd_prepare(s, page_sql, "bench_floor_page");
    return OK;
}

static void floor_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(floor_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(floor_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(bench_floor) = {
    STANDARD20_MODULE_STUFF, NULL, NULL, NULL, NULL, NULL, floor_hooks
};
