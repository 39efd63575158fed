/* test_keys.c - the signing keys (README, "Rotating the signing key"): the
 * kid in our tokens and cursors, several TasksJWTSecretFile lines and
 * their configuration errors, and a key rotation across graceful restarts
 * of the stack's httpd. Part of the foundation suite (tcases "kids",
 * "keyconfig" and "rotation"). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "correct horse battery"
#define NO_KID_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static char *stack_file(const char *name)
{
    return fmt("%s/%s", getenv("STACK_DIR"), name);
}

/* Writes text to path with mode 0600 (as root: root's own, like the
 * stack's secret); 0 or -1. No ck_assert: fixtures call it too. */
static int write_private(const char *path, const char *text)
{
    FILE *f;
    int ok;

    unlink(path);
    f = fopen(path, "w");
    if (!f)
        return -1;
    ok = fputs(text, f) >= 0;
    ok &= fclose(f) == 0;
    return ok && chmod(path, 0600) == 0 ? 0 : -1;
}

/* A fresh account: its token (malloc'd); *email (malloc'd) and *id
 * (malloc'd) when not NULL. */
static char *signup(const char *prefix, char **email, char **id)
{
    char *e = fmt("%s-%d-%ld@example.org", prefix, (int)getpid(), random());
    char *body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", e);
    http_resp *r = http("POST", "/api/auth/signup", body, NULL);
    char *token;

    ck_assert_status(r, 201);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    if (id)
        *id = strdup(json_string_value(json_object_get(
            json_object_get(r->json, "user"), "id")));
    if (email)
        *email = e;
    else
        free(e);
    http_free(r);
    free(body);
    return token;
}

static char *login(const char *email)
{
    return log_in_as(email, PASSWORD);
}

/* GET /api/auth/me with token: the status. */
static long me(const char *token)
{
    http_resp *r = http_auth("GET", "/api/auth/me", token, NULL);
    long status = r->status;

    http_free(r);
    return status;
}

/* Claims like the module's own for user id, valid for 10 minutes. */
static char *claims_for(const char *id)
{
    long now = (long)time(NULL);

    return fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"jti\":\"keys-%d-%ld\"}",
               id, now, now + 600, (int)getpid(), random());
}

/* The path of the Link rel="next" of a list answer (malloc'd), or NULL. */
static char *next_path(const http_resp *r)
{
    const char *link = http_header(r, "Link"), *lt, *gt;

    if (!link || !(lt = strchr(link, '<')) || !(gt = strchr(lt, '>')))
        return NULL;
    return strndup(lt + 1, (size_t)(gt - lt - 1));
}

/* The cursor parameter of a next path (malloc'd, as sent). */
static char *cursor_in(const char *path)
{
    const char *c = strstr(path, "cursor=");

    ck_assert_msg(c != NULL, "no cursor in %s", path);
    return strndup(c + 7, strcspn(c + 7, "&"));
}

/* GET path with token: the status; *title gets the first task's title
 * (malloc'd) and *next the next page's path (malloc'd or NULL) when not
 * NULL and the answer is 200. */
static long page(const char *token, const char *path, char **title, char **next)
{
    http_resp *r = http_auth("GET", path, token, NULL);
    long status = r->status;

    if (status == 200) {
        json_t *first = json_array_get(r->json, 0);

        ck_assert_msg(first != NULL, "GET %s: an empty page: %s", path, r->body);
        if (title)
            *title = strdup(json_string_value(json_object_get(first, "title")));
        if (next)
            *next = next_path(r);
    }
    else if (status == 400)
        ck_assert_msg(strstr(r->body, "cursor") != NULL, "GET %s: %s", path,
                      r->body);
    http_free(r);
    return status;
}

/* ---- kids in the running stack ---------------------------------------- */

/* Our tokens and cursors name the stack's key by the kid derived from it
 * (computed here independently); a token without a kid (as the module
 * issued before keys had kids) still verifies; a token naming another
 * kid, or a kid that is no kid, does not, whatever its signature. */
START_TEST(tokens_and_cursors_carry_the_kid_of_the_key)
{
    char *secret = stack_file("jwt.secret"), *kid = kid_of(secret), *id;
    char *token = signup("kid", NULL, &id), *got = token_kid(token);
    char *claims = claims_for(id), *t, *next, *cursor, *hdr;

    ck_assert_msg(got && !strcmp(got, kid), "token kid %s, want %s",
                  got ? got : "(none)", kid);
    ck_assert_int_eq(me(token), 200);
    /* hs256_token signs as the module does, kid included. */
    t = hs256_token(claims);
    ck_assert_int_eq(me(t), 200);
    free(t);
    t = hs256_token_signed(secret, NO_KID_HEADER, claims);
    ck_assert_int_eq(me(t), 200);
    free(t);
    /* A kid of no key we have; the right key makes no difference. */
    t = hs256_token_signed(secret, "{\"alg\":\"HS256\",\"kid\":\"retired-key\"}",
                           claims);
    ck_assert_int_eq(me(t), 401);
    free(t);
    t = hs256_token_signed(secret, "{\"alg\":\"HS256\",\"kid\":42}", claims);
    ck_assert_int_eq(me(t), 401);
    free(t);
    t = hs256_token_signed(secret, "{\"alg\":\"HS256\",\"kid\":\"../x\"}", claims);
    ck_assert_int_eq(me(t), 401);
    free(t);
    /* Our kid over another key's signature. */
    {
        char *other = stack_file("other-kid.secret");

        ck_assert_int_eq(write_private(other,
            "not the stack's key, but long enough: 0123456789\n"), 0);
        hdr = fmt("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
        t = hs256_token_signed(other, hdr, claims);
        ck_assert_int_eq(me(t), 401);
        free(t);
        free(hdr);
        unlink(other);
        free(other);
    }

    make_task(token, "{\"title\":\"kid 1\"}");
    make_task(token, "{\"title\":\"kid 2\"}");
    ck_assert_int_eq(page(token, "/api/tasks?limit=1", NULL, &next), 200);
    ck_assert_ptr_nonnull(next);
    cursor = cursor_in(next);
    ck_assert_msg(!strncmp(cursor, kid, strlen(kid)) && cursor[strlen(kid)] == '.',
                  "cursor %s does not start with %s.", cursor, kid);
    ck_assert_int_eq(page(token, next, NULL, NULL), 200);
    free(cursor);
    free(next);
    free(claims);
    free(got);
    free(token);
    free(id);
    free(kid);
    free(secret);
}
END_TEST

/* ---- configuration ------------------------------------------------------ */

/* conf/tasks.conf lists the stack's key; each line is added after it. */
static const struct { const char *line, *expect; } second_keys_bad[] = {
    { "TasksJWTSecretFile ${STACK_DIR}/keys-missing.secret", "cannot read" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-short.secret", "at least 32" },
    { "TasksJWTSecretFile ${STACK_DIR}/jwt.secret", "already" },
    { "TasksJWTSecretFile ${STACK_DIR}/jwt.secret kid=again", "the same key" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-b.secret kid=a.b", "kid is 1 to 64" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-b.secret kid=", "kid is 1 to 64" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-b.secret id=b", "is not kid=" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-b.secret\n"
      "TasksJWTSecretFile ${STACK_DIR}/keys-c.secret kid=2BwDinKFRio\n"
      "TasksJWTSecretFile ${STACK_DIR}/keys-d.secret kid=2BwDinKFRio",
      "kid '2BwDinKFRio' is already used by key 3" },
    { "TasksJWTSecretFile ${STACK_DIR}/keys-b.secret a b", "TasksJWTSecretFile" },
    { "<VirtualHost 127.0.0.1:1>\n"
      "TasksJWTSecretFile ${STACK_DIR}/keys-short.secret\n"
      "</VirtualHost>", "at least 32" },
};

static void make_key_files(void)
{
    static const char *const names[] = {
        "keys-b.secret", "keys-c.secret", "keys-d.secret", "keys-e.secret",
        "keys-f.secret", "keys-g.secret", "keys-h.secret", "keys-i.secret",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        char *path = stack_file(names[i]);
        char *text = fmt("key %c of the key configuration tests, 0123456789\n",
                         (char)('b' + i));

        ck_assert_int_eq(write_private(path, text), 0);
        free(text);
        free(path);
    }
    {
        char *path = stack_file("keys-short.secret");

        /* 31 bytes and a newline that does not count. */
        ck_assert_int_eq(write_private(path, "short-secret-of-31-bytes-123456\n"), 0);
        free(path);
    }
}

/* An unreadable, short, repeated or badly named second key stops httpd
 * at start-up, naming the directive. */
START_TEST(a_bad_second_key_stops_startup_naming_the_directive)
{
    char *out;

    make_key_files();
    ck_assert_msg(configtest(second_keys_bad[_i].line, &out) != 0,
                  "'%s' passed configtest", second_keys_bad[_i].line);
    ck_assert_msg(strstr(out, "TasksJWTSecretFile") != NULL, "'%s': %s",
                  second_keys_bad[_i].line, out);
    ck_assert_msg(strstr(out, second_keys_bad[_i].expect) != NULL, "'%s': %s",
                  second_keys_bad[_i].line, out);
    free(out);
}
END_TEST

/* Up to 8 keys pass, with or without kids; a ninth does not. */
START_TEST(up_to_eight_keys_pass_configtest)
{
    char *out, *lines = strdup(""), *t;
    char c;

    make_key_files();
    /* The stack's key and b..h: 8. */
    for (c = 'b'; c <= 'h'; c++) {
        t = fmt("%sTasksJWTSecretFile ${STACK_DIR}/keys-%c.secret%s\n", lines, c,
                c == 'c' ? " kid=2026-05_c" : "");
        free(lines);
        lines = t;
    }
    ck_assert_msg(configtest(lines, &out) == 0, "8 keys: %s", out);
    free(out);
    t = fmt("%sTasksJWTSecretFile ${STACK_DIR}/keys-i.secret\n", lines);
    ck_assert_int_ne(configtest(t, &out), 0);
    ck_assert_msg(strstr(out, "TasksJWTSecretFile") && strstr(out, "at most 8"),
                  "%s", out);
    free(out);
    free(t);
    free(lines);
}
END_TEST

/* ---- a rotation across graceful restarts -------------------------------- */

/* The children of the stack's httpd that are alive (not zombies): their
 * pids, at most max. */
static int live_children(long parent, long *pids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while (n < max && (e = readdir(d))) {
        char path[300], buf[512], state, *paren;
        long ppid;
        FILE *st;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (!(st = fopen(path, "r")))
            continue;
        if (fgets(buf, sizeof buf, st) && (paren = strrchr(buf, ')'))
            && sscanf(paren + 1, " %c %ld", &state, &ppid) == 2
            && ppid == parent && state != 'Z')
            pids[n++] = atol(e->d_name);
        fclose(st);
    }
    closedir(d);
    return n;
}

static long httpd_parent(void)
{
    char *path = stack_file("httpd.pid"), *text = read_text(path);
    long pid = text ? atol(text) : -1;

    free(text);
    free(path);
    return pid;
}

/* A graceful restart (the parent reads the configuration and the keys
 * again), then until every child of the generation before has gone: from
 * then on every request meets the new keys. 0, or -1 (also when httpd did
 * not come back). No ck_assert: the fixture's teardown calls it. */
static int graceful_and_settle(void)
{
    long parent = httpd_parent(), before[64], now[64];
    int n = live_children(parent, before, 64), i, j, tries, old;

    if (parent <= 0 || n < 0 || stack("httpd-graceful") != 0)
        return -1;
    for (tries = 0; tries < 300; tries++) {
        int m = live_children(parent, now, 64);

        for (old = 0, i = 0; i < m; i++)
            for (j = 0; j < n; j++)
                old += now[i] == before[j];
        if (m > 0 && old == 0)
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

/* Writes the stack's httpd.conf from the copy saved by the fixture: first
 * becomes TASKS_SECRET_FILE (the key conf/tasks.conf lists, which signs)
 * and each of more (NULL-terminated) a TasksJWTSecretFile line at the end
 * (keys that verify only). */
static void configure_keys(const char *first, const char *const *more)
{
    char *saved = stack_file("httpd.conf.keys-saved"), *conf = stack_file("httpd.conf");
    char *text = read_text(saved), *line, *end, *out;
    FILE *f;

    ck_assert_ptr_nonnull(text);
    line = strstr(text, "Define TASKS_SECRET_FILE ");
    ck_assert_ptr_nonnull(line);
    end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    out = fmt("%.*sDefine TASKS_SECRET_FILE %s%s", (int)(line - text), text,
              first, end);
    f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    fputs(out, f);
    for (; more && *more; more++)
        fprintf(f, "\nTasksJWTSecretFile %s\n", *more);
    ck_assert_int_eq(fclose(f), 0);
    free(out);
    free(text);
    free(conf);
    free(saved);
}

/* The fixture: the stack's configuration is saved before and put back
 * after the rotation (graceful restart included), even when the test
 * fails: later tests sign with the stack's key. */
static void rotation_setup(void)
{
    char *conf = stack_file("httpd.conf"), *saved = stack_file("httpd.conf.keys-saved");
    char *b = stack_file("jwt-b.secret");
    char *cmd = fmt("cp -p %s %s", conf, saved);
    char key[97];
    unsigned char raw[48];
    FILE *r = fopen("/dev/urandom", "rb");
    int i;

    if (!r || fread(raw, 1, sizeof raw, r) != sizeof raw)
        abort();
    fclose(r);
    for (i = 0; i < 48; i++)
        snprintf(key + 2 * i, 3, "%02x", raw[i]);
    if (system(cmd) != 0 || write_private(b, key) != 0)
        abort();
    free(cmd);
    free(b);
    free(saved);
    free(conf);
}

static void rotation_teardown(void)
{
    char *conf = stack_file("httpd.conf"), *saved = stack_file("httpd.conf.keys-saved");

    if (access(saved, F_OK) == 0) {
        if (rename(saved, conf) != 0 || graceful_and_settle() != 0)
            fprintf(stderr, "test_keys: could not restore %s\n", conf);
    }
    free(saved);
    free(conf);
}

/* Lines of the stack's error log that hold both a and b (b may be NULL)
 * and not c (may be NULL). */
static int log_lines(const char *a, const char *b, const char *c)
{
    char *path = stack_file("error.log"), *text = read_text(path), *line, *save;
    int n = 0;

    ck_assert_ptr_nonnull(text);
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        n += strstr(line, a) && (!b || strstr(line, b)) && (!c || !strstr(line, c));
    free(text);
    free(path);
    return n;
}

/* README, "Rotating the signing key": a token and a page cursor made
 * under key A; then [B, A] after a graceful restart: both still work, new
 * tokens and cursors name B; then [B]: the old token is 401, the old
 * cursor 400, B's still work. */
START_TEST(rotation_keeps_old_tokens_and_cursors_while_their_key_is_listed)
{
    char *a = stack_file("jwt.secret"), *b = stack_file("jwt-b.secret");
    char *kid_a = kid_of(a), *kid_b = kid_of(b), *email, *id;
    char *token_a = signup("rotate", &email, &id), *token_b, *legacy, *claims;
    char *next_a, *next_b, *title, *kid, *cursor, *signs, *accepts;
    const char *const a_second[] = { a, NULL };
    const char *first_page = "/api/tasks?limit=1&sort=title&order=asc";
    int before;

    ck_assert_str_ne(kid_a, kid_b);
    kid = token_kid(token_a);
    ck_assert_msg(kid && !strcmp(kid, kid_a), "kid %s, want %s", kid, kid_a);
    free(kid);
    claims = claims_for(id);
    legacy = hs256_token_signed(a, NO_KID_HEADER, claims);
    make_task(token_a, "{\"title\":\"rotation 1\"}");
    make_task(token_a, "{\"title\":\"rotation 2\"}");
    make_task(token_a, "{\"title\":\"rotation 3\"}");
    ck_assert_int_eq(page(token_a, first_page, NULL, &next_a), 200);
    ck_assert_ptr_nonnull(next_a);
    cursor = cursor_in(next_a);
    ck_assert_int_eq(strncmp(cursor, kid_a, strlen(kid_a)), 0);
    free(cursor);
    ck_assert_int_eq(me(token_a), 200);
    ck_assert_int_eq(me(legacy), 200);

    /* [B, A]: B signs, A still verifies. */
    signs = fmt("signs with kid %s ('%s')", kid_b, b);
    accepts = fmt("also accepts kid %s ('%s')", kid_a, a);
    before = log_lines(signs, accepts, NULL);
    configure_keys(b, a_second);
    ck_assert_int_eq(graceful_and_settle(), 0);
    ck_assert_msg(log_lines(signs, accepts, NULL) > before,
                  "no TASKS0005 line saying the new keys");
    ck_assert_int_eq(me(token_a), 200);
    ck_assert_int_eq(me(legacy), 200);
    ck_assert_int_eq(page(token_a, next_a, &title, NULL), 200);
    ck_assert_str_eq(title, "rotation 2");
    free(title);
    token_b = login(email);
    kid = token_kid(token_b);
    ck_assert_msg(kid && !strcmp(kid, kid_b), "new token's kid %s, want %s "
                  "(the first key's)", kid ? kid : "(none)", kid_b);
    free(kid);
    ck_assert_int_eq(me(token_b), 200);
    ck_assert_int_eq(page(token_b, first_page, NULL, &next_b), 200);
    ck_assert_ptr_nonnull(next_b);
    cursor = cursor_in(next_b);
    ck_assert_msg(!strncmp(cursor, kid_b, strlen(kid_b)), "new cursor %s", cursor);
    free(cursor);
    /* A's cursor is good with B's token: the same user and query. */
    ck_assert_int_eq(page(token_b, next_a, NULL, NULL), 200);

    /* [B]: A's token and cursor are refused; B's work. */
    before = log_lines(signs, NULL, "also accepts");
    configure_keys(b, NULL);
    ck_assert_int_eq(graceful_and_settle(), 0);
    ck_assert_msg(log_lines(signs, NULL, "also accepts") > before,
                  "no TASKS0005 line saying B alone");
    ck_assert_int_eq(me(token_a), 401);
    ck_assert_int_eq(me(legacy), 401);
    ck_assert_int_eq(page(token_b, next_a, NULL, NULL), 400);
    ck_assert_int_eq(me(token_b), 200);
    ck_assert_int_eq(page(token_b, next_b, &title, NULL), 200);
    ck_assert_str_eq(title, "rotation 2");
    free(title);

    free(signs);
    free(accepts);
    free(next_a);
    free(next_b);
    free(legacy);
    free(claims);
    free(token_a);
    free(token_b);
    free(email);
    free(id);
    free(kid_a);
    free(kid_b);
    free(a);
    free(b);
}
END_TEST

void keys_tcases(Suite *s)
{
    TCase *kids = tcase_create("kids");
    TCase *config = tcase_create("keyconfig");
    TCase *rotation = tcase_create("rotation");

    tcase_set_timeout(kids, 30);
    tcase_add_test(kids, tokens_and_cursors_carry_the_kid_of_the_key);
    suite_add_tcase(s, kids);
    tcase_set_timeout(config, 60);
    tcase_add_loop_test(config, a_bad_second_key_stops_startup_naming_the_directive,
                        0, (int)(sizeof(second_keys_bad) / sizeof(*second_keys_bad)));
    tcase_add_test(config, up_to_eight_keys_pass_configtest);
    suite_add_tcase(s, config);
    tcase_set_timeout(rotation, 90);
    tcase_add_unchecked_fixture(rotation, rotation_setup, rotation_teardown);
    tcase_add_test(rotation, rotation_keeps_old_tokens_and_cursors_while_their_key_is_listed);
    suite_add_tcase(s, rotation);
}
