/* issuers.c - trusted external issuers (TasksJWTTrustIssuer): the
 * directive, their key sets (JWKS from a file or an https URL) and the
 * verification of their tokens. The cryptography is pure code in jwks.c;
 * this file decides which keys a request sees and when they are renewed.
 *
 * Key sets and threads. A file is read when the configuration is read (so
 * a graceful restart re-reads it). A URL is fetched once in the parent at
 * post_config; children inherit that set. In a child, a token whose kid
 * is unknown makes one thread re-fetch the URL (one fetch at a time, at
 * most once per refresh= seconds per issuer and child; others wait for it
 * and then look again). The new set replaces the current one only when
 * its content differs. Sets are reference counted under the issuer's
 * mutex: a request holds a reference only while it verifies one token,
 * and a replaced set is freed by whichever thread drops its last
 * reference. So at most two sets per issuer and child are alive at once
 * (the current one, and the previous one while a verification that
 * started before the swap finishes); nothing is freed under a reader.
 * The mutexes are created per child (child_init); before that (in the
 * parent) there is one thread and no locking is needed.
 *
 * Key sets and children. Each child keeps its own parsed set, but what a
 * fetch brought is also published, as the document's text, in a slot of
 * shared memory (one per URL issuer, created in the parent, guarded by the
 * global mutex "tasks-jwks"). A child meeting an unknown kid first adopts
 * a newer published document, and fetches only when that did not help.
 * So a key one child has seen works in every child, also while the URL
 * is down: without this, children that happened to fetch at different
 * moments would disagree about the same token. */
#include <string.h>
#include <stdlib.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_thread_mutex.h>
#include <apr_global_mutex.h>
#include <apr_shm.h>
#include <apr_atomic.h>
#include <apr_uri.h>
#include <util_mutex.h>
#include <curl/curl.h>

#include "tasks/core/jwks.h"
#include "tasks/httpd/counters.h"
#include "tasks/httpd/module.h"

APLOG_USE_MODULE(tasks);

#define DEFAULT_REFRESH 300
#define MAX_REFRESH (24 * 3600)
#define JWKS_MAX_BYTES (1024 * 1024)
#define FETCH_CONNECT_MS 3000L
#define FETCH_TOTAL_MS 5000L
/* A published document larger than this stays private to its child. */
#define SHARED_DOC_MAX (64 * 1024)
#define JWKS_MUTEX_TYPE "tasks-jwks"

/* One issuer's published JWKS document in shared memory. gen counts the
 * changes (0: nothing published yet); written under the global mutex,
 * read under it too, except for a lock-free "anything new?" look at gen. */
typedef struct {
    apr_uint32_t gen;
    apr_uint32_t len;
    char doc[SHARED_DOC_MAX];
} shared_slot;

/* The segment and mutex of one configuration cycle, shared by all its URL
 * issuers. child_ready: apr_global_mutex_child_init done in this child. */
typedef struct {
    apr_shm_t *shm;
    apr_global_mutex_t *mutex;
    int child_ready;
} jwks_share;

/* One key set and the number of holders (the issuer's "current" slot
 * counts as one). */
typedef struct {
    tasks_jwks *jwks;
    int refs;
} keyset;

struct tasks_issuer {
    const char *iss;
    const char *file;           /* jwks= a file: read at configuration   */
    const char *url;            /* jwks= a URL: fetched, re-fetched       */
    const char *audience;       /* aud= (NULL: not checked)               */
    unsigned algs;              /* alg= (TASKS_ALG_ALL when not given)     */
    apr_interval_time_t refresh;
    server_rec *s;              /* where it was configured (logs)         */
    int fetched;                /* post_config already fetched the URL    */
    /* State below: current under lock; the rest under fetch_lock. */
    keyset *current;            /* may hold zero keys, never NULL after
                                   configuration                           */
    apr_thread_mutex_t *lock;
    apr_thread_mutex_t *fetch_lock;
    apr_time_t last_fetch;      /* last attempt (0: try at once)           */
    int failing;                /* the last attempt failed (logged once)   */
    jwks_share *share;          /* URL issuers: the shared segment, mutex */
    shared_slot *slot;          /* ... and this issuer's slot in it       */
    apr_uint32_t seen_gen;      /* the slot's gen this child has adopted  */
};

/* A set in a fresh holder with one reference (the caller's). */
static keyset *keyset_new(tasks_jwks *jwks)
{
    keyset *k = calloc(1, sizeof(*k));

    if (k == NULL) {
        tasks_jwks_free(jwks);
        return NULL;
    }
    k->jwks = jwks;
    k->refs = 1;
    return k;
}

/* Drops one reference; the last one frees the set. Called under the
 * issuer's lock (or with no other thread around). */
static void keyset_unref(keyset *k)
{
    if (k != NULL && --k->refs == 0) {
        tasks_jwks_free(k->jwks);
        free(k);
    }
}

/* Locks m; no-op without one (the parent, before child_init). */
static void lock(apr_thread_mutex_t *m)
{
    if (m != NULL)
        apr_thread_mutex_lock(m);
}

/* Unlocks m; no-op without one. */
static void unlock(apr_thread_mutex_t *m)
{
    if (m != NULL)
        apr_thread_mutex_unlock(m);
}

/* The current set with a reference for the caller (release with
 * release()); never NULL after configuration. */
static keyset *acquire(tasks_issuer *is)
{
    keyset *k;

    lock(is->lock);
    k = is->current;
    if (k != NULL)
        k->refs++;
    unlock(is->lock);
    return k;
}

/* Gives back a reference taken by acquire(); NULL is fine. */
static void release(tasks_issuer *is, keyset *k)
{
    lock(is->lock);
    keyset_unref(k);
    unlock(is->lock);
}

/* Makes jwks the current set unless it has the same content; takes
 * ownership of jwks. Returns 1 when the set changed. */
static int install(tasks_issuer *is, tasks_jwks *jwks)
{
    keyset *k, *old;

    /* Only refetch() calls this, under fetch_lock: current cannot change
     * between the two locked sections. */
    lock(is->lock);
    old = is->current;
    if (old != NULL && tasks_jwks_equal(old->jwks, jwks)) {
        unlock(is->lock);
        tasks_jwks_free(jwks);
        return 0;
    }
    unlock(is->lock);
    if ((k = keyset_new(jwks)) == NULL)
        return 0;
    lock(is->lock);
    old = is->current;
    is->current = k;
    keyset_unref(old);   /* freed now, or by the last reader */
    unlock(is->lock);
    return 1;
}

/* Pool cleanup: drop the current set of every issuer (configuration pool
 * in the parent, the child's pool in a child). Idempotent. */
static apr_status_t issuer_cleanup(void *data)
{
    tasks_issuer *is = data;

    lock(is->lock);
    keyset_unref(is->current);
    is->current = NULL;
    unlock(is->lock);
    return APR_SUCCESS;
}

/* Is the URL's host a loopback one (127.0.0.0/8, localhost, ::1)? The
 * only hosts a plain http:// JWKS URL may name: the keys must not be
 * changeable by anyone on the network path. */
static int loopback_host(const char *host)
{
    if (host == NULL)
        return 0;
    if (!strcasecmp(host, "localhost") || !strcmp(host, "::1"))
        return 1;
    if (!strncmp(host, "127.", 4)) {
        const char *c;
        int dots = 0;
        for (c = host; *c; c++) {
            if (*c == '.')
                dots++;
            else if (*c < '0' || *c > '9')
                return 0;
        }
        return dots == 3;
    }
    return 0;
}

/* Everything a fetch collects, capped at JWKS_MAX_BYTES. */
typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
    int too_big;
} fetch_buf;

/* libcurl write callback: appends to the buffer, stops at the cap. */
static size_t fetch_write(char *data, size_t size, size_t n, void *arg)
{
    fetch_buf *b = arg;
    apr_size_t add = size * n;

    if (b->len + add > JWKS_MAX_BYTES) {
        b->too_big = 1;
        return 0;
    }
    if (b->len + add + 1 > b->cap) {
        apr_size_t cap = b->cap ? b->cap : 4096;
        char *nb;
        while (cap < b->len + add + 1)
            cap *= 2;
        nb = apr_palloc(b->p, cap);
        if (b->len)
            memcpy(nb, b->buf, b->len);
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, add);
    b->len += add;
    b->buf[b->len] = '\0';
    return add;
}

/* Pool cleanups: libcurl's handle and header list die with the pool. */
static apr_status_t curl_cleanup(void *h)
{
    curl_easy_cleanup(h);
    return APR_SUCCESS;
}

static apr_status_t slist_cleanup(void *l)
{
    curl_slist_free_all(l);
    return APR_SUCCESS;
}

/* GETs url (https, or http to a loopback host; no redirects; 5 s at most)
 * and parses the body as a JWKS. Returns the set and the document's text
 * (*doc, *doc_len, in p), or NULL with a reason in *err (in p).
 * Everything libcurl allocates dies with p. */
static tasks_jwks *fetch_jwks(apr_pool_t *p, const char *url, const char **err,
                              const char **doc, apr_size_t *doc_len)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    fetch_buf b = { p, NULL, 0, 0, 0 };
    char errbuf[CURL_ERROR_SIZE] = "";
    char perr[200];
    long status = 0;
    CURLcode rc;
    tasks_jwks *ks;
    int skipped = 0;

    if (c == NULL) {
        *err = "cannot create a libcurl handle";
        return NULL;
    }
    apr_pool_cleanup_register(p, c, curl_cleanup, apr_pool_cleanup_null);
    hdrs = curl_slist_append(NULL, "Accept: application/jwk-set+json, application/json");
    if (hdrs != NULL)
        apr_pool_cleanup_register(p, hdrs, slist_cleanup, apr_pool_cleanup_null);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    /* Threads: no signals for timeouts. */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, FETCH_CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, FETCH_TOTAL_MS);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)JWKS_MAX_BYTES);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mod_tasks");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        *err = b.too_big ? "the document is larger than 1 MiB"
               : apr_pstrdup(p, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return NULL;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        *err = apr_psprintf(p, "HTTP status %ld", status);
        return NULL;
    }
    *doc = b.buf ? b.buf : "";
    *doc_len = b.len;
    ks = tasks_jwks_parse(*doc, *doc_len, &skipped, perr, sizeof(perr));
    if (ks == NULL)
        *err = apr_pstrdup(p, perr);
    return ks;
}

/* Reads a JWKS file (at most 1 MiB). NULL with *err on failure. */
static tasks_jwks *read_jwks_file(apr_pool_t *p, const char *file,
                                  const char **err)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t len;
    char *buf, perr[200];
    tasks_jwks *ks;

    rv = apr_file_open(&f, file, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot read '%s': %pm", file, &rv);
        return NULL;
    }
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS || fi.size > JWKS_MAX_BYTES) {
        apr_file_close(f);
        *err = apr_psprintf(p, "'%s' is not a regular file of at most 1 MiB", file);
        return NULL;
    }
    len = (apr_size_t)fi.size;
    buf = apr_palloc(p, len + 1);
    rv = apr_file_read_full(f, buf, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        *err = apr_psprintf(p, "cannot read '%s': %pm", file, &rv);
        return NULL;
    }
    ks = tasks_jwks_parse(buf, len, NULL, perr, sizeof(perr));
    if (ks == NULL)
        *err = apr_psprintf(p, "'%s': %s", file, perr);
    return ks;
}

/* Parses a decimal number of seconds in [1, MAX_REFRESH]; -1 otherwise. */
static long parse_seconds(const char *v)
{
    char *end;
    long n;

    if (*v < '0' || *v > '9')
        return -1;
    n = strtol(v, &end, 10);
    return (*end || n < 1 || n > MAX_REFRESH) ? -1 : n;
}

/* TasksJWTTrustIssuer <iss> jwks=<file|URL> [aud=<audience>]
 * [alg=<list>] [refresh=<seconds>]. A file is read (and parsed into keys)
 * here, so a mistake stops httpd at start-up and `apachectl configtest`
 * shows it. */
const char *tasks_set_trust_issuer(cmd_parms *cmd, void *dc, int argc,
                                   char *const argv[])
{
    tasks_srv_cfg *sc = tasks_srv_cmd(cmd);
    const char *name = cmd->cmd->name, *jwks = NULL, *err;
    tasks_issuer *is;
    tasks_jwks *ks = NULL;
    int i;

    (void)dc;
    if (argc < 2)
        return apr_psprintf(cmd->pool, "%s <iss> jwks=<file or URL> "
                            "[aud=<audience>] [alg=<list>] [refresh=<seconds>]",
                            name);
    is = apr_pcalloc(cmd->pool, sizeof(*is));
    is->iss = argv[0];
    is->algs = TASKS_ALG_ALL;
    is->refresh = apr_time_from_sec(DEFAULT_REFRESH);
    is->s = cmd->server;
    if (!*is->iss)
        return apr_psprintf(cmd->pool, "%s: the issuer must not be empty", name);
    /* That namespace belongs to users Apache authenticated. */
    if (!strncmp(is->iss, "apache:", 7))
        return apr_psprintf(cmd->pool, "%s: issuers starting with 'apache:' "
                            "are reserved for TasksTrustRemoteUser", name);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "jwks=", 5) && a[5])
            jwks = a + 5;
        else if (!strncmp(a, "aud=", 4) && a[4])
            is->audience = a + 4;
        else if (!strncmp(a, "alg=", 4)) {
            if (!(is->algs = tasks_jwa_parse_list(a + 4)))
                return apr_psprintf(cmd->pool, "%s: alg='%s' must be a comma "
                                    "list of EdDSA, ES256, ES384, ES512, RS256, "
                                    "RS384, RS512, PS256, PS384, PS512 (never "
                                    "HS*)", name, a + 4);
        }
        else if (!strncmp(a, "refresh=", 8)) {
            long n = parse_seconds(a + 8);
            if (n < 0)
                return apr_psprintf(cmd->pool, "%s: refresh='%s' must be "
                                    "1-%d seconds", name, a + 8, MAX_REFRESH);
            is->refresh = apr_time_from_sec(n);
        }
        else
            return apr_psprintf(cmd->pool, "%s: unknown option '%s' (jwks=, "
                                "aud=, alg=, refresh=)", name, a);
    }
    if (!jwks)
        return apr_psprintf(cmd->pool, "%s %s: jwks=<file or URL> is required",
                            name, is->iss);
    if (!strncasecmp(jwks, "https://", 8) || !strncasecmp(jwks, "http://", 7)) {
        apr_uri_t u;
        if (apr_uri_parse(cmd->pool, jwks, &u) != APR_SUCCESS || !u.hostname)
            return apr_psprintf(cmd->pool, "%s: '%s' is not a URL", name, jwks);
        if (!strncasecmp(jwks, "http://", 7) && !loopback_host(u.hostname))
            return apr_psprintf(cmd->pool, "%s: '%s': plain http:// is only "
                                "allowed to a loopback host (127.0.0.0/8, "
                                "localhost, [::1]); use https://", name, jwks);
        is->url = jwks;
    }
    else {
        is->file = ap_server_root_relative(cmd->pool, jwks);
        if (!is->file)
            return apr_psprintf(cmd->pool, "%s: invalid path '%s'", name, jwks);
        if (!(ks = read_jwks_file(cmd->temp_pool, is->file, &err)))
            return apr_psprintf(cmd->pool, "%s %s: %s", name, is->iss, err);
        if (tasks_jwks_count(ks) == 0) {
            tasks_jwks_free(ks);
            return apr_psprintf(cmd->pool, "%s %s: '%s' holds no usable "
                                "signature key", name, is->iss, is->file);
        }
    }
    /* Even an empty set (a URL not fetched yet): "current" is never NULL. */
    if (!ks && !(ks = tasks_jwks_parse("{\"keys\":[]}", 11, NULL, NULL, 0)))
        return "out of memory";
    if (!(is->current = keyset_new(ks)))
        return "out of memory";
    apr_pool_cleanup_register(cmd->pool, is, issuer_cleanup,
                              apr_pool_cleanup_null);
    if (!sc->issuers)
        sc->issuers = apr_array_make(cmd->pool, 2, sizeof(tasks_issuer *));
    for (i = 0; i < sc->issuers->nelts; i++)
        if (!strcmp(APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *)->iss, is->iss))
            return apr_psprintf(cmd->pool, "%s: '%s' is configured twice",
                                name, is->iss);
    APR_ARRAY_PUSH(sc->issuers, tasks_issuer *) = is;
    return NULL;
}

/* A trusted issuer may not be the module itself: its own tokens must
 * never be looked up among public keys, nor foreign ones among its own. */
const char *tasks_issuers_check(apr_pool_t *p, server_rec *s)
{
    tasks_srv_cfg *sc = tasks_srv(s);
    int i;

    for (i = 0; sc->issuers && i < sc->issuers->nelts; i++) {
        tasks_issuer *is = APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *);
        if (sc->token.issuer && !strcmp(sc->token.issuer, is->iss))
            return apr_psprintf(p, "TasksJWTTrustIssuer %s is also this "
                                "server's own TasksJWTIssuer", is->iss);
    }
    return NULL;
}

/* Takes the global mutex of is's slot; 0 when it cannot (then the slot is
 * left alone: sharing is an optimisation, never a reason to refuse). */
static int share_lock(tasks_issuer *is)
{
    apr_status_t rv = apr_global_mutex_lock(is->share->mutex);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, is->s, "TASKS0406: "
                     "cannot take the " JWKS_MUTEX_TYPE " mutex");
        return 0;
    }
    return 1;
}

/* Publishes a fetched document in is's slot for the other children (no-op
 * without a slot or for a document over SHARED_DOC_MAX); a document equal
 * to the published one changes nothing. Caller holds fetch_lock. */
static void publish(tasks_issuer *is, const char *doc, apr_size_t len)
{
    shared_slot *sl = is->slot;

    if (sl == NULL || len > SHARED_DOC_MAX || !share_lock(is))
        return;
    if (sl->gen == 0 || sl->len != len || memcmp(sl->doc, doc, len)) {
        memcpy(sl->doc, doc, len);
        sl->len = (apr_uint32_t)len;
        apr_atomic_inc32(&sl->gen);
    }
    is->seen_gen = apr_atomic_read32(&sl->gen);
    apr_global_mutex_unlock(is->share->mutex);
}

/* Adopts the document another child published, if it is newer than the
 * last one this child saw. Returns 1 when the current set changed. Caller
 * holds fetch_lock. */
static int adopt_published(apr_pool_t *p, tasks_issuer *is)
{
    shared_slot *sl = is->slot;
    apr_uint32_t gen;
    apr_size_t len;
    char *doc;
    tasks_jwks *ks;

    if (sl == NULL || apr_atomic_read32(&sl->gen) == is->seen_gen
        || !share_lock(is))
        return 0;
    gen = sl->gen;
    len = sl->len;
    doc = apr_pmemdup(p, sl->doc, len);
    apr_global_mutex_unlock(is->share->mutex);
    is->seen_gen = gen;
    /* Another child already parsed it; a failure here is not expected. */
    if (!(ks = tasks_jwks_parse(doc, len, NULL, NULL, 0)))
        return 0;
    if (!install(is, ks))
        return 0;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, is->s, "TASKS0407: JWKS of %s: "
                 "adopted the %d key(s) another child fetched", is->iss,
                 tasks_jwks_count(is->current->jwks));
    return 1;
}

/* One fetch attempt for is (caller holds fetch_lock); logs a failure only
 * when the previous attempt succeeded, and the recovery. A fetched set is
 * published for the other children. */
static void refetch(apr_pool_t *p, server_rec *s, tasks_issuer *is)
{
    const char *err = NULL, *doc = NULL;
    apr_size_t doc_len = 0;
    tasks_jwks *ks;

    is->last_fetch = apr_time_now();
    ks = fetch_jwks(p, is->url, &err, &doc, &doc_len);
    tasks_count(s, ks ? TASKS_COUNT_JWKS_FETCHED : TASKS_COUNT_JWKS_FAILED);
    if (ks == NULL) {
        if (!is->failing)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "TASKS0401: JWKS of "
                         "%s from %s: %s; keeping the %d key(s) known so far "
                         "(retried at most every %ld s while unknown keys "
                         "arrive)", is->iss, is->url, err,
                         tasks_jwks_count(is->current ? is->current->jwks : NULL),
                         (long)apr_time_sec(is->refresh));
        is->failing = 1;
        return;
    }
    if (is->failing)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "TASKS0402: JWKS of %s "
                     "from %s is reachable again", is->iss, is->url);
    is->failing = 0;
    publish(is, doc, doc_len);
    if (install(is, ks))
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, "TASKS0403: JWKS of %s: "
                     "%d key(s) loaded from %s", is->iss,
                     tasks_jwks_count(is->current->jwks), is->url);
}

/* Pool cleanup pairing the curl_global_init of a configuration cycle. */
static apr_status_t curl_global_done(void *unused)
{
    (void)unused;
    curl_global_cleanup();
    return APR_SUCCESS;
}

/* pre_config: the mutex type guarding the shared key documents, so that
 * "Mutex <mechanism> tasks-jwks" can choose its mechanism. */
void tasks_issuers_pre_config(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, JWKS_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

/* The URL issuers of all servers, each once (virtual hosts may share). */
static apr_array_header_t *url_issuers(apr_pool_t *p, server_rec *s)
{
    apr_array_header_t *all = apr_array_make(p, 4, sizeof(tasks_issuer *));
    server_rec *sp;
    int i, j;

    for (sp = s; sp; sp = sp->next) {
        tasks_srv_cfg *sc = tasks_srv(sp);
        for (i = 0; sc->issuers && i < sc->issuers->nelts; i++) {
            tasks_issuer *is = APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *);
            int seen = 0;
            if (!is->url)
                continue;
            for (j = 0; j < all->nelts && !seen; j++)
                seen = APR_ARRAY_IDX(all, j, tasks_issuer *) == is;
            if (!seen)
                APR_ARRAY_PUSH(all, tasks_issuer *) = is;
        }
    }
    return all;
}

/* Creates the shared segment (one slot per URL issuer) and its mutex for
 * this configuration cycle. Returns 0 (logged) on failure: httpd then
 * refuses to start, as for any other resource it cannot create. */
static int create_share(apr_pool_t *pconf, server_rec *s,
                        apr_array_header_t *urls)
{
    jwks_share *sh = apr_pcalloc(pconf, sizeof(*sh));
    apr_status_t rv;
    shared_slot *slots;
    int i;

    rv = apr_shm_create(&sh->shm, sizeof(shared_slot) * (apr_size_t)urls->nelts,
                        NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "TASKS0408: cannot create "
                     "the shared memory for JWKS documents");
        return 0;
    }
    rv = ap_global_mutex_create(&sh->mutex, NULL, JWKS_MUTEX_TYPE, NULL, s,
                                pconf, 0);
    if (rv != APR_SUCCESS)
        return 0;   /* ap_global_mutex_create logged why */
    slots = apr_shm_baseaddr_get(sh->shm);
    memset(slots, 0, sizeof(shared_slot) * (apr_size_t)urls->nelts);
    for (i = 0; i < urls->nelts; i++) {
        tasks_issuer *is = APR_ARRAY_IDX(urls, i, tasks_issuer *);
        is->share = sh;
        is->slot = &slots[i];
    }
    return 1;
}

/* Fetches every URL's JWKS once per configuration cycle (see module.h). */
int tasks_issuers_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                              server_rec *s)
{
    apr_array_header_t *urls;
    int i;

    /* httpd reads its configuration twice at start; fetch on the real one. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return 1;
    urls = url_issuers(ptemp, s);
    if (urls->nelts == 0)
        return 1;
    if (!create_share(pconf, s, urls))
        return 0;
    /* Once, while the process has one thread; libcurl keeps a count, so
     * each configuration cycle pairs init/cleanup. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "TASKS0404: cannot "
                     "initialise libcurl");
        return 1;   /* tokens of these issuers are refused, others work */
    }
    apr_pool_cleanup_register(pconf, NULL, curl_global_done,
                              apr_pool_cleanup_null);
    for (i = 0; i < urls->nelts; i++) {
        tasks_issuer *is = APR_ARRAY_IDX(urls, i, tasks_issuer *);
        if (is->fetched)
            continue;
        is->fetched = 1;
        refetch(ptemp, is->s, is);
        /* Keys found: renew only after refresh seconds. None: the first
         * token of this issuer may try again at once. */
        if (is->failing || tasks_jwks_count(is->current->jwks) == 0)
            is->last_fetch = 0;
    }
    return 1;
}

/* child_init: per issuer, the lock guarding its current set and the lock
 * that lets one thread at a time fetch (created once per issuer even when
 * virtual hosts share it); and the shared mutex, attached once. */
void tasks_issuers_child_init(apr_pool_t *pchild, server_rec *s)
{
    server_rec *sp;
    int i;

    for (sp = s; sp; sp = sp->next) {
        tasks_srv_cfg *sc = tasks_srv(sp);
        for (i = 0; sc->issuers && i < sc->issuers->nelts; i++) {
            tasks_issuer *is = APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *);
            if (is->lock)
                continue;
            if (apr_thread_mutex_create(&is->lock, APR_THREAD_MUTEX_DEFAULT,
                                        pchild) != APR_SUCCESS
                || apr_thread_mutex_create(&is->fetch_lock,
                                           APR_THREAD_MUTEX_DEFAULT,
                                           pchild) != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, sp, "TASKS0405: "
                             "cannot create the key set locks");
                exit(APEXIT_CHILDFATAL);
            }
            /* Registered after the mutexes, so it runs before they go. */
            apr_pool_cleanup_register(pchild, is, issuer_cleanup,
                                      apr_pool_cleanup_null);
            if (is->share && !is->share->child_ready) {
                apr_status_t rv = apr_global_mutex_child_init(
                    &is->share->mutex,
                    apr_global_mutex_lockfile(is->share->mutex), pchild);
                if (rv != APR_SUCCESS) {
                    ap_log_error(APLOG_MARK, APLOG_CRIT, rv, sp, "TASKS0409: "
                                 "cannot attach the " JWKS_MUTEX_TYPE " mutex");
                    exit(APEXIT_CHILDFATAL);
                }
                is->share->child_ready = 1;
            }
        }
    }
}

/* The issuer whose iss equals the token's unverified "iss" (see module.h). */
tasks_issuer *tasks_issuer_for_token(request_rec *r, const char *token)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    const char *iss;
    int i;

    if (!sc->issuers)
        return NULL;
    if (!(iss = tasks_jws_peek_issuer(r->pool, token)))
        return NULL;
    for (i = 0; i < sc->issuers->nelts; i++) {
        tasks_issuer *is = APR_ARRAY_IDX(sc->issuers, i, tasks_issuer *);
        if (!strcmp(is->iss, iss))
            return is;
    }
    return NULL;
}

/* The configured iss (immutable, lives as long as the configuration). */
const char *tasks_issuer_name(const tasks_issuer *is)
{
    return is->iss;
}

/* One verification with is's current set (held for its duration). */
static tasks_token_status verify_current(request_rec *r, tasks_issuer *is,
                                         const tasks_token_cfg *cfg,
                                         const char *token,
                                         tasks_claims *claims)
{
    keyset *k = acquire(is);
    tasks_token_status st;

    st = tasks_jwks_verify(r->pool, k ? k->jwks : NULL, is->algs, cfg, token,
                           r->request_time, claims);
    release(is, k);
    return st;
}

/* Verifies with the current keys; an unknown kid (URL issuers) first
 * adopts a set another child published, then, if the kid is still
 * unknown, re-fetches (at most once per refresh seconds) and tries again. */
tasks_token_status tasks_issuer_verify(request_rec *r, tasks_issuer *is,
                                       const char *token, tasks_claims *claims)
{
    tasks_srv_cfg *sc = tasks_srv(r->server);
    tasks_token_cfg cfg = { .issuer = is->iss, .audience = is->audience,
                            .leeway = sc->token.leeway };
    tasks_token_status st;
    apr_pool_t *p;
    int changed;

    st = verify_current(r, is, &cfg, token, claims);
    if (st != TASKS_TOKEN_UNKNOWN_KEY || !is->url)
        return st;
    apr_pool_create(&p, r->pool);
    lock(is->fetch_lock);
    changed = adopt_published(p, is);
    if (changed)
        st = verify_current(r, is, &cfg, token, claims);
    if (st == TASKS_TOKEN_UNKNOWN_KEY
        && apr_time_now() - is->last_fetch >= is->refresh) {
        refetch(p, r->server, is);
        changed = 1;
    }
    unlock(is->fetch_lock);
    apr_pool_destroy(p);
    if (changed && st == TASKS_TOKEN_UNKNOWN_KEY)
        st = verify_current(r, is, &cfg, token, claims);
    return st;
}
