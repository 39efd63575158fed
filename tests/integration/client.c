/* client.c - libcurl-based HTTP client and API helpers for the tests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client.h"

static const char *source_ip;

const char *base_url(void)
{
    const char *b = getenv("BASE_URL");
    return b ? b : "http://127.0.0.1:8080";
}

const char *base_url2(void)
{
    const char *b = getenv("BASE_URL2");
    return b ? b : base_url();
}

void http_set_source(const char *ip)
{
    source_ip = ip;
}

char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    ck_assert_ptr_nonnull(s);
    return s;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    http_resp *r = ud;
    size_t len = size * n;

    r->body = realloc(r->body, r->len + len + 1);
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    http_resp *r = ud;
    size_t len = size * n, count = 0;

    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (!memchr(data, ':', len))
        return size * n;   /* status line or the blank end of headers */
    while (r->headers && r->headers[count])
        count++;
    r->headers = realloc(r->headers, (count + 2) * sizeof(char *));
    r->headers[count] = strndup(data, len);
    r->headers[count + 1] = NULL;
    return size * n;
}

/* ---- the exchange log (README, "The document checked against every
 * response") --------------------------------------------------------- */

/* Base64 of n bytes (malloc'd): bodies may hold any bytes. */
static char *b64(const void *d, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, d, (int)n);
    return out;
}

/* Text as a JSON string, or {"b64": ...} when it is not UTF-8 (the tests
 * send invalid text on purpose). */
static json_t *text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    char *enc;

    if (j)
        return j;
    enc = b64(s, n);
    j = json_pack("{s:s}", "b64", enc);
    free(enc);
    return j;
}

/* One line of JSON appended to $EXCHANGE_LOG with a single write to a
 * file opened O_APPEND, so the tests' processes and threads never
 * interleave their lines. */
static void exchange_append(json_t *line)
{
    const char *path = getenv("EXCHANGE_LOG");
    char *text;
    int fd;

    if (!path || !*path) {
        json_decref(line);
        return;
    }
    text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    ck_assert_ptr_nonnull(text);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    {
        size_t len = strlen(text);
        char *withnl = malloc(len + 1);

        memcpy(withnl, text, len);
        withnl[len] = '\n';
        ck_assert_int_eq(write(fd, withnl, len + 1), (ssize_t)(len + 1));
        free(withnl);
    }
    close(fd);
    free(text);
}

void exchange_record_raw(const char *method, const char *target, size_t target_len,
                         const char *request_body, size_t request_len,
                         const char *response, size_t response_len)
{
    char *t = b64(target, target_len), *resp = b64(response, response_len);
    char *req = request_body ? b64(request_body, request_len) : NULL;

    exchange_append(json_pack("{s:s, s:s, s:s, s:s?, s:s}", "base", base_url(),
                              "method", method, "target", t, "request_body", req,
                              "raw_response", resp));
    free(t);
    free(req);
    free(resp);
}

/* An exchange made through http(): its request headers and body, and the
 * response as libcurl parsed it. */
static void exchange_record(const char *method, const char *url,
                            const struct curl_slist *hl, const char *body,
                            const http_resp *r)
{
    json_t *req_headers = json_array(), *resp_headers = json_array();
    char *req = body ? b64(body, strlen(body)) : NULL, *resp = b64(r->body, r->len);
    char **h;

    for (; hl; hl = hl->next)
        json_array_append_new(req_headers, text(hl->data, strlen(hl->data)));
    for (h = r->headers; h && *h; h++)
        json_array_append_new(resp_headers, text(*h, strlen(*h)));
    exchange_append(json_pack("{s:o, s:s, s:o, s:s?, s:i, s:o, s:s}", "url",
                              text(url, strlen(url)),
                              "method", method, "request_headers", req_headers,
                              "request_body", req, "status", (json_int_t)r->status,
                              "response_headers", resp_headers, "response_body", resp));
    free(req);
    free(resp);
}

http_resp *http_try(const char *method, const char *url, const char *body,
                    const char *const *headers)
{
    http_resp *r = calloc(1, sizeof(*r));
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    char *full = url[0] == '/' ? fmt("%s%s", base_url(), url) : strdup(url);
    int has_ct = 0;
    CURLcode rc;

    r->body = calloc(1, 1);
    for (; headers && *headers; headers++) {
        hl = curl_slist_append(hl, *headers);
        if (!strncasecmp(*headers, "Content-Type:", 13))
            has_ct = 1;
    }
    if (body && !has_ct)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (source_ip)
        curl_easy_setopt(c, CURLOPT_INTERFACE, source_ip);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->seconds);
        if (r->len)
            r->json = json_loadb(r->body, r->len, 0, NULL);
        exchange_record(method, full, hl, body, r);
    }
    else
        r->transport_error = curl_easy_strerror(rc);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    free(full);
    return r;
}

http_resp *http(const char *method, const char *url, const char *body,
                const char *const *headers)
{
    http_resp *r = http_try(method, url, body, headers);

    ck_assert_msg(!r->transport_error, "%s %s: %s", method, url,
                  r->transport_error);
    return r;
}

http_resp *http_auth(const char *method, const char *url, const char *token,
                     const char *body)
{
    char *h = token ? fmt("Authorization: Bearer %s", token) : NULL;
    const char *hs[] = { h, NULL };
    http_resp *r = http(method, url, body, h ? hs : NULL);

    free(h);
    return r;
}

long http_raw(const char *head, const char *const *chunks, size_t nchunks,
              char **resp)
{
    char host[64];
    int port = 0, fd;
    struct sockaddr_in sa;
    struct timeval tv = { 15, 0 };
    size_t cap = 65536, len = 0, i;
    char *buf = malloc(cap + 1);
    long status = -1;
    ssize_t n;

    ck_assert_int_eq(sscanf(base_url(), "http://%63[^:]:%d", host, &port), 2);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    ck_assert_int_eq(inet_pton(AF_INET, host, &sa.sin_addr), 1);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    /* A server that refuses a body may stop reading early: write errors
     * are not failures, the answer is what counts. */
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) >= 0) {
        for (i = 0; i < nchunks; i++) {
            size_t cl = strlen(chunks[i]);
            char *frame = cl ? fmt("%zx\r\n%s\r\n", cl, chunks[i])
                             : strdup("0\r\n\r\n");
            ssize_t sent = send(fd, frame, strlen(frame), MSG_NOSIGNAL);
            free(frame);
            if (sent < 0)
                break;
        }
    }
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    if (len > 12 && !strncmp(buf, "HTTP/1.1 ", 9))
        status = strtol(buf + 9, NULL, 10);
    {
        const char *sp = strchr(head, ' '), *sp2 = sp ? strchr(sp + 1, ' ') : NULL;

        if (sp2 && len) {
            char *method = strndup(head, (size_t)(sp - head));

            exchange_record_raw(method, sp + 1, (size_t)(sp2 - sp - 1), NULL, 0, buf, len);
            free(method);
        }
    }
    if (resp)
        *resp = buf;
    else
        free(buf);
    return status;
}

/* base64url without padding of n bytes (malloc'd). */
static char *b64url(const unsigned char *d, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1), *c;

    EVP_EncodeBlock((unsigned char *)out, d, (int)n);
    for (c = out; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
        else if (*c == '=') {
            *c = '\0';
            break;
        }
    }
    return out;
}

unsigned char *secret_of(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *key = malloc(4096);
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    n = fread(key, 1, 4096, f);
    fclose(f);
    if (n && key[n - 1] == '\n')
        n--;
    *len = n;
    return key;
}

char *kid_of(const char *secret_path)
{
    static const char ctx[] = "tasks-kid:";
    size_t klen;
    unsigned char *key = secret_of(secret_path, &klen);
    unsigned char *in = malloc(sizeof(ctx) - 1 + klen), md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char *kid;

    memcpy(in, ctx, sizeof(ctx) - 1);
    memcpy(in + sizeof(ctx) - 1, key, klen);
    ck_assert_int_eq(EVP_Digest(in, sizeof(ctx) - 1 + klen, md, &md_len,
                                EVP_sha256(), NULL), 1);
    kid = b64url(md, 8);
    free(in);
    free(key);
    return kid;
}

char *hs256_token_signed(const char *secret_path, const char *header,
                         const char *payload)
{
    unsigned char mac[EVP_MAX_MD_SIZE], *key;
    unsigned int mac_len = 0;
    char *h, *p, *input, *sig, *out, *kid = NULL, *hdr;
    size_t klen;

    if (!header) {
        kid = kid_of(secret_path);
        hdr = fmt("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    }
    else
        hdr = strdup(header);
    key = secret_of(secret_path, &klen);
    h = b64url((const unsigned char *)hdr, strlen(hdr));
    p = b64url((const unsigned char *)payload, strlen(payload));
    input = fmt("%s.%s", h, p);
    ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)klen,
                               (const unsigned char *)input, strlen(input),
                               mac, &mac_len));
    sig = b64url(mac, mac_len);
    out = fmt("%s.%s", input, sig);
    free(h);
    free(p);
    free(input);
    free(sig);
    free(key);
    free(kid);
    free(hdr);
    return out;
}

char *app_token_signed(const char *payload)
{
    static const char ctx[] = "tasks-cursor:";
    char *path = fmt("%s/jwt.secret", getenv("STACK_DIR"));
    char *kid = kid_of(path), *p, *input, *mac_text, *out;
    unsigned char mac[EVP_MAX_MD_SIZE], *key;
    unsigned int mac_len = 0;
    size_t klen;

    key = secret_of(path, &klen);
    p = b64url((const unsigned char *)payload, strlen(payload));
    input = fmt("%s%s.%s", ctx, kid, p);
    ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)klen,
                               (const unsigned char *)input, strlen(input),
                               mac, &mac_len));
    mac_text = b64url(mac, mac_len);
    out = fmt("%s.%s.%s", kid, p, mac_text);
    free(path);
    free(kid);
    free(p);
    free(input);
    free(mac_text);
    free(key);
    return out;
}

char *hs256_token(const char *payload)
{
    char *path = fmt("%s/jwt.secret", getenv("STACK_DIR"));
    char *out = hs256_token_signed(path, NULL, payload);

    free(path);
    return out;
}

char *token_kid(const char *token)
{
    const char *dot = strchr(token, '.');
    unsigned char *raw;
    int n, pad;
    char *b64;
    json_t *h;
    char *kid = NULL;
    size_t len, i;

    ck_assert_ptr_nonnull(dot);
    len = (size_t)(dot - token);
    pad = (int)((4 - len % 4) % 4);
    b64 = malloc(len + (size_t)pad + 1);
    for (i = 0; i < len; i++)
        b64[i] = token[i] == '-' ? '+' : token[i] == '_' ? '/' : token[i];
    memset(b64 + len, '=', (size_t)pad);
    b64[len + (size_t)pad] = '\0';
    raw = malloc(len + 4);
    n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
    ck_assert_int_ge(n, 0);
    h = json_loadb((const char *)raw, (size_t)n - (size_t)pad, 0, NULL);
    ck_assert_msg(h != NULL, "the header of %s is not JSON", token);
    if (json_is_string(json_object_get(h, "kid")))
        kid = strdup(json_string_value(json_object_get(h, "kid")));
    json_decref(h);
    free(raw);
    free(b64);
    return kid;
}

const char *http_header_nth(const http_resp *r, const char *name, int nth)
{
    size_t n = strlen(name);
    char **h;

    for (h = r->headers; h && *h; h++)
        if (!strncasecmp(*h, name, n) && (*h)[n] == ':' && nth-- == 0) {
            const char *v = *h + n + 1;
            while (*v == ' ')
                v++;
            return v;
        }
    return NULL;
}

const char *http_header(const http_resp *r, const char *name)
{
    return http_header_nth(r, name, 0);
}

const char *http_set_cookie(const http_resp *r, const char *cookie)
{
    size_t n = strlen(cookie);
    const char *v;
    int i;

    for (i = 0; (v = http_header_nth(r, "Set-Cookie", i)); i++)
        if (!strncmp(v, cookie, n) && v[n] == '=')
            return v;
    return NULL;
}

char *http_cookie_value(const http_resp *r, const char *cookie)
{
    const char *v = http_set_cookie(r, cookie), *end;

    if (!v)
        return NULL;
    v += strlen(cookie) + 1;
    end = strchr(v, ';');
    return end ? strndup(v, (size_t)(end - v)) : strdup(v);
}

void http_free(http_resp *r)
{
    char **h;

    if (!r)
        return;
    for (h = r->headers; h && *h; h++)
        free(*h);
    free(r->headers);
    json_decref(r->json);
    free(r->body);
    free(r);
}

char *make_user(const char *prefix, char **id_out)
{
    static unsigned counter;
    char *body = fmt("{\"email\":\"%s-%d-%u-%ld@example.org\","
                     "\"password\":\"correct horse battery\"}",
                     prefix, (int)getpid(), counter++, random());
    http_resp *r = http("POST", "/api/auth/signup", body, NULL);
    char *token;

    ck_assert_status(r, 201);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    if (id_out)
        *id_out = strdup(json_string_value(json_object_get(
            json_object_get(r->json, "user"), "id")));
    http_free(r);
    free(body);
    return token;
}

user user_sign_up(const char *prefix)
{
    user u;

    u.tok = make_user(prefix, &u.id);
    return u;
}

void user_free(user *u)
{
    free(u->tok);
    free(u->id);
}

char *log_in_as(const char *email, const char *password)
{
    char *body = fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    http_resp *r = http("POST", "/api/auth/login", body, NULL);
    char *token;

    ck_assert_status(r, 200);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    free(body);
    return token;
}

const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

long long jint(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

json_t *http_json(const char *method, const char *url, const char *token,
                  const char *body, int status)
{
    http_resp *r = http_auth(method, url, token, body);
    json_t *j;

    ck_assert_status(r, status);
    j = r->json ? json_incref(r->json) : NULL;
    http_free(r);
    return j;
}

long long make_task(const char *token, const char *json_body)
{
    http_resp *r = http_auth("POST", "/api/tasks", token, json_body);
    long long id;

    ck_assert_status(r, 201);
    id = json_integer_value(json_object_get(r->json, "id"));
    http_free(r);
    return id;
}

void assert_problem(const http_resp *r, int status)
{
    const char *ct = http_header(r, "Content-Type");

    ck_assert_status(r, status);
    ck_assert_msg(ct && !strncmp(ct, "application/problem+json", 24),
                  "Content-Type %s", ct ? ct : "(none)");
    ck_assert_ptr_nonnull(r->json);
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "status")),
                     status);
    ck_assert(json_is_string(json_object_get(r->json, "detail")));
    ck_assert(json_is_string(json_object_get(r->json, "title")));
    ck_assert_str_eq(json_string_value(json_object_get(r->json, "type")),
                     "about:blank");
}

static void *db_lock_run(void *arg)
{
    db_lock *l = arg;

    free(db_query(l->sql));
    return NULL;
}

void db_lock_hold(db_lock *l, const char *lock_sql, int seconds)
{
    static int serial;
    int i;

    l->marker = fmt("%s/lock.%d.%d", getenv("STACK_DIR"), (int)getpid(),
                    __sync_add_and_fetch(&serial, 1));
    unlink(l->marker);
    l->sql = fmt("BEGIN; %s;\n\\! touch %s\nSELECT pg_sleep(%d); COMMIT;",
                 lock_sql, l->marker, seconds);
    ck_assert_int_eq(pthread_create(&l->thread, NULL, db_lock_run, l), 0);
    for (i = 0; i < 250 && access(l->marker, F_OK) != 0; i++)
        usleep(20000);
    ck_assert_msg(access(l->marker, F_OK) == 0, "the lock was not taken: %s", lock_sql);
}

void db_lock_join(db_lock *l)
{
    pthread_join(l->thread, NULL);
    unlink(l->marker);
    free(l->marker);
    free(l->sql);
}

int stack(const char *subcommand)
{
    char *cmd = fmt("%s/scripts/stack.sh %s %s >/dev/null 2>&1",
                    getenv("TASKS_ROOT"), subcommand, getenv("STACK_DIR"));
    int rc = system(cmd);

    free(cmd);
    return rc;
}

double monotonic_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *apache_binary(void)
{
    const char *a = getenv("APACHE");
    return a && *a ? a : "/usr/sbin/apache2";
}

const char *module_path(void)
{
    const char *m = getenv("MODULE");

    ck_assert_msg(m && *m, "run.sh sets MODULE");
    return m;
}

char *db_query(const char *sql)
{
    const char *dir = getenv("STACK_DIR");
    char *file = fmt("%s/query.%ld.sql", dir, (long)getpid());
    char *out = fmt("%s/query.%ld.out", dir, (long)getpid()), *cmd, *text;
    FILE *f = fopen(file, "w");
    size_t len;
    int rc;

    ck_assert_ptr_nonnull(f);
    fputs(sql, f);
    fclose(f);
    cmd = fmt(". %s/pg.env; psql -X -q -At -v ON_ERROR_STOP=1 -h \"$PGHOST\" "
              "-p \"$PGPORT\" -U tasks -d tasks -f %s > %s 2>&1", dir, file, out);
    rc = system(cmd);
    text = read_text(out);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(rc == 0, "psql failed on %s: %s", sql, text);
    len = strlen(text);
    if (len && text[len - 1] == '\n')
        text[len - 1] = '\0';
    unlink(file);
    unlink(out);
    free(cmd);
    free(file);
    free(out);
    return text;
}

int configtest(const char *extra, char **out)
{
    const char *dir = getenv("STACK_DIR");
    char *conf = fmt("%s/configtest.conf", dir), *log = fmt("%s/configtest.out", dir);
    char *cmd = fmt("cp %s/httpd.conf %s && cat >> %s <<'X'\n%s\nX\n", dir,
                    conf, conf, extra);
    char buf[8192];
    FILE *f;
    size_t n;
    int rc;

    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    cmd = fmt("%s -t -f %s > %s 2>&1", apache_binary(), conf, log);
    rc = system(cmd);
    f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    *out = strdup(buf);
    free(cmd);
    free(conf);
    free(log);
    return WEXITSTATUS(rc);
}

char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, n;
    char chunk[4096];

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        buf = realloc(buf, len + n + 1);
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    buf[len] = '\0';
    return buf;
}

int configtest_conf(const char *conf, char **out)
{
    const char *dir = getenv("STACK_DIR");
    char *path = fmt("%s/own.conf", dir), *log = fmt("%s/own.out", dir);
    char *cmd;
    FILE *f = fopen(path, "w");
    int rc;

    ck_assert_ptr_nonnull(f);
    fprintf(f, "Define STACK_DIR %s\n"
               "ServerRoot /usr/lib/apache2\n"
               "ServerName main.example\n"
               "Listen 127.0.0.1:1\n"
               "PidFile ${STACK_DIR}/own.pid\n"
               "ErrorLog /dev/stderr\n"
               "LoadModule mpm_event_module modules/mod_mpm_event.so\n"
               "LoadModule authz_core_module modules/mod_authz_core.so\n"
               "LoadModule dbd_module modules/mod_dbd.so\n"
               "LoadModule tasks_module %s\n"
               "%s\n", dir, module_path(), conf);
    fclose(f);
    cmd = fmt("%s -t -f %s > %s 2>&1", apache_binary(), path, log);
    rc = system(cmd);
    *out = read_text(log);
    ck_assert_ptr_nonnull(*out);
    free(cmd);
    free(path);
    free(log);
    return WEXITSTATUS(rc);
}

/* The real Better Auth flow: sign up (email + password), then GET
 * /api/auth/token with the session cookie. Returns the JWT (malloc'd). */
char *ba_token(const char *ba, const char *email, const char *name)
{
    char *url = fmt("%s/api/auth/sign-up/email", ba);
    char *body = fmt("{\"email\":\"%s\",\"password\":\"password-1234\","
                     "\"name\":\"%s\"}", email, name);
    http_resp *r = http("POST", url, body, NULL);
    const char *set_cookie;
    char *cookie, *hdr, *token;
    const char *hs[2];

    ck_assert_status(r, 200);
    set_cookie = http_header(r, "Set-Cookie");
    ck_assert_ptr_nonnull(set_cookie);
    cookie = strndup(set_cookie, strcspn(set_cookie, ";"));
    http_free(r);
    free(url);
    free(body);
    url = fmt("%s/api/auth/token", ba);
    hdr = fmt("Cookie: %s", cookie);
    hs[0] = hdr;
    hs[1] = NULL;
    r = http("GET", url, NULL, hs);
    ck_assert_status(r, 200);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    http_free(r);
    free(url);
    free(hdr);
    free(cookie);
    return token;
}

/* Health answers 200 within seconds; how long it took, or -1. */
double wait_healthy(double seconds)
{
    double t0 = monotonic_seconds();

    while (monotonic_seconds() - t0 < seconds) {
        http_resp *r = http("GET", "/api/health", NULL, NULL);
        long status = r->status;

        http_free(r);
        if (status == 200)
            return monotonic_seconds() - t0;
        sleep_s(0.05);
    }
    return -1;
}

void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

    nanosleep(&ts, NULL);
}

int behind_pooler(void)
{
    const char *p = getenv("POOLER");

    return p && *p;
}
