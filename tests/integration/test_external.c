/* test_external.c - identity from outside, against the real thing: tokens
 * minted by two real Better Auth servers (EdDSA keys from a JWKS URL,
 * ES256 keys from a JWKS file), users provisioned and linked by (issuer,
 * sub), every kind of refused token, key rotation, a JWKS URL that goes
 * down (or never was up), logout of tokens without jti, and
 * TasksTrustRemoteUser behind mod_auth_basic. run.sh starts Better Auth
 * (tests/integration/betterauth/server.mjs) and configures the issuers. */
#include <pthread.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client.h"
#include "suites.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL, "%s is not set (run through run.sh)", name);
    return v;
}

/* base64url (no padding) of n bytes; malloc'd. */
static char *b64url(const unsigned char *d, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1), *c;

    EVP_EncodeBlock((unsigned char *)out, d, (int)n);
    for (c = out; *c; c++)
        if (*c == '+') *c = '-';
        else if (*c == '/') *c = '_';
        else if (*c == '=') { *c = '\0'; break; }
    return out;
}

/* Decodes base64url text of len characters; malloc'd, *n its size. */
static unsigned char *unb64url(const char *s, size_t len, size_t *n)
{
    char *t = malloc(len + 4);
    unsigned char *out = malloc(len + 4);
    size_t i, pad = (4 - len % 4) % 4;
    int m;

    for (i = 0; i < len; i++)
        t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    for (; pad; pad--)
        t[i++] = '=';
    t[i] = '\0';
    m = EVP_DecodeBlock(out, (unsigned char *)t, (int)i);
    ck_assert_int_ge(m, 0);
    *n = (size_t)m - (len % 4 == 2 ? 2 : len % 4 == 3 ? 1 : 0);
    free(t);
    return out;
}

static char *unique(const char *prefix)
{
    static unsigned counter;
    return fmt("%s-%d-%u-%ld", prefix, (int)getpid(), counter++, random());
}

/* A token signed by Better Auth's jwt plugin (signJWT) with payload (JSON
 * text; the plugin adds iss/aud/exp unless given). new_key: first create a
 * new key (a new kid in the JWKS); kid_out gets the kid (malloc'd). */
static char *ba_mint(const char *ba, const char *payload, int new_key,
                     char **kid_out)
{
    char *url = fmt("%s/api/auth/test/mint", ba);
    char *body = fmt("{\"payload\":%s,\"newKey\":%s}", payload,
                     new_key ? "true" : "false");
    http_resp *r = http("POST", url, body, NULL);
    char *token;

    ck_assert_status(r, 200);
    token = strdup(json_string_value(json_object_get(r->json, "token")));
    if (kid_out)
        *kid_out = strdup(json_string_value(json_object_get(r->json, "kid")));
    http_free(r);
    free(url);
    free(body);
    return token;
}

/* GET /api/auth/me with a bearer token on the main server. */
static http_resp *me(const char *token)
{
    return http_auth("GET", "/api/auth/me", token, NULL);
}

/* The local user id a token maps to (asserts 200); malloc'd. */
static char *me_id(const char *token)
{
    http_resp *r = me(token);
    char *id;

    ck_assert_status(r, 200);
    id = strdup(json_string_value(json_object_get(json_object_get(r->json,
                                                                  "user"), "id")));
    http_free(r);
    return id;
}

static void assert_refused(const char *token)
{
    http_resp *r = me(token);

    assert_problem(r, 401);
    ck_assert_str_eq(http_header(r, "WWW-Authenticate"),
                     "Bearer error=\"invalid_token\"");
    http_free(r);
}

START_TEST(better_auth_eddsa_token_is_accepted)
{
    char *email = fmt("%s@example.org", unique("ba"));
    char *token = ba_token(env("BA1_URL"), email, "Ada Lovelace");
    http_resp *r = me(token);
    json_t *user;
    char *id;

    ck_assert_status(r, 200);
    user = json_object_get(r->json, "user");
    ck_assert_str_eq(json_string_value(json_object_get(user, "email")), email);
    ck_assert_str_eq(json_string_value(json_object_get(user, "name")),
                     "Ada Lovelace");
    /* A local id (a UUID), not Better Auth's 32-character one. */
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(user, "id"))), 36);
    id = strdup(json_string_value(json_object_get(user, "id")));
    http_free(r);
    /* Later requests map to the same user; tasks work as for anyone. */
    ck_assert_str_eq(me_id(token), id);
    make_task(token, "{\"title\":\"from Better Auth\"}");
    r = http_auth("GET", "/api/tasks", token, NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 1);
    http_free(r);
    free(id);
    free(token);
    free(email);
}
END_TEST

START_TEST(better_auth_es256_token_from_jwks_file_is_accepted)
{
    char *email = fmt("%s@example.org", unique("es"));
    char *token = ba_token(env("BA2_URL"), email, "Grace");
    const char *dot = strchr(token, '.');
    size_t n;
    unsigned char *hdr = unb64url(token, (size_t)(dot - token), &n);
    http_resp *r;

    ck_assert_msg(strstr((char *)hdr, "\"ES256\"") != NULL, "header %.*s",
                  (int)n, hdr);
    r = me(token);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json,
                     "user"), "email")), email);
    http_free(r);
    free(hdr);
    free(token);
    free(email);
}
END_TEST

/* Linked by (issuer, sub), never by email: the same sub at two issuers is
 * two users, and an external email equal to a local account's is neither
 * that account nor in its way. */
START_TEST(identities_are_linked_by_issuer_and_subject)
{
    char *sub = unique("shared-sub");
    char *email = fmt("%s@example.org", unique("local"));
    char *signup = fmt("{\"email\":\"%s\",\"password\":\"correct horse battery\"}",
                       email);
    char *payload = fmt("{\"sub\":\"%s\",\"email\":\"%s\",\"name\":\"Twin\"}",
                        sub, email);
    http_resp *r = http("POST", "/api/auth/signup", signup, NULL);
    char *local_id, *t1, *t2, *id1, *id2;

    ck_assert_status(r, 201);
    local_id = strdup(json_string_value(json_object_get(json_object_get(r->json,
                                                                "user"), "id")));
    http_free(r);
    t1 = ba_mint(env("BA1_URL"), payload, 0, NULL);
    t2 = ba_mint(env("BA2_URL"), payload, 0, NULL);
    id1 = me_id(t1);
    id2 = me_id(t2);
    ck_assert_str_ne(id1, id2);
    ck_assert_str_ne(id1, local_id);
    ck_assert_str_ne(id2, local_id);
    /* The local account still logs in, as itself. */
    r = http("POST", "/api/auth/login", signup, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json,
                     "user"), "id")), local_id);
    http_free(r);
    /* And signing up again with that email is still a conflict. */
    r = http("POST", "/api/auth/signup", signup, NULL);
    assert_problem(r, 409);
    http_free(r);
    free(local_id); free(t1); free(t2); free(id1); free(id2);
    free(payload); free(signup); free(email); free(sub);
}
END_TEST

START_TEST(identity_without_email_has_null_email)
{
    char *payload = fmt("{\"sub\":\"%s\"}", unique("no-email"));
    char *token = ba_mint(env("BA1_URL"), payload, 0, NULL);
    http_resp *r = me(token);
    json_t *user;

    ck_assert_status(r, 200);
    user = json_object_get(r->json, "user");
    ck_assert(json_is_null(json_object_get(user, "email")));
    ck_assert(json_is_null(json_object_get(user, "name")));
    http_free(r);
    free(token);
    free(payload);
}
END_TEST

/* Concurrent first requests of one new identity: one user, no error. */
struct race { const char *token; long status; char *id; };

static void *race_one(void *arg)
{
    struct race *rc = arg;
    http_resp *r = me(rc->token);

    rc->status = r->status;
    if (r->status == 200)
        rc->id = strdup(json_string_value(json_object_get(json_object_get(
            r->json, "user"), "id")));
    http_free(r);
    return NULL;
}

START_TEST(concurrent_first_requests_make_one_user)
{
    char *payload = fmt("{\"sub\":\"%s\"}", unique("race"));
    char *token = ba_mint(env("BA1_URL"), payload, 0, NULL);
    struct race rs[8];
    pthread_t th[8];
    int i;

    for (i = 0; i < 8; i++) {
        rs[i].token = token;
        rs[i].id = NULL;
        ck_assert_int_eq(pthread_create(&th[i], NULL, race_one, &rs[i]), 0);
    }
    for (i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < 8; i++) {
        ck_assert_int_eq(rs[i].status, 200);
        ck_assert_str_eq(rs[i].id, rs[0].id);
    }
    for (i = 0; i < 8; i++)
        free(rs[i].id);
    free(token);
    free(payload);
}
END_TEST

START_TEST(wrong_audience_and_issuer_are_refused)
{
    char *sub = unique("aud");
    char *p1 = fmt("{\"sub\":\"%s\",\"aud\":\"https://some-other-api.example\"}", sub);
    char *p2 = fmt("{\"sub\":\"%s\",\"aud\":[\"x\",\"%s\"]}", sub, env("BA1_URL"));
    char *p3 = fmt("{\"sub\":\"%s\",\"iss\":\"https://evil.example\"}", sub);
    char *p4 = fmt("{\"sub\":\"%s\",\"iss\":\"%s\"}", sub, env("BA2_URL"));
    char *t;

    t = ba_mint(env("BA1_URL"), p1, 0, NULL);
    assert_refused(t);
    free(t);
    /* aud as an array naming us is fine. */
    t = ba_mint(env("BA1_URL"), p2, 0, NULL);
    free(me_id(t));
    free(t);
    /* An issuer nobody trusts goes the module's own HS256 path: refused. */
    t = ba_mint(env("BA1_URL"), p3, 0, NULL);
    assert_refused(t);
    free(t);
    /* Claiming to be the other trusted issuer: its keys do not verify it. */
    t = ba_mint(env("BA1_URL"), p4, 0, NULL);
    assert_refused(t);
    free(t);
    free(p1); free(p2); free(p3); free(p4); free(sub);
}
END_TEST

START_TEST(expired_tampered_and_unknown_kid_are_refused)
{
    char *sub = unique("bad");
    long now = (long)time(NULL);
    char *p_exp = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld}", sub,
                      now - 7200, now - 3600);
    char *p_good = fmt("{\"sub\":\"%s\"}", sub);
    char *good = ba_mint(env("BA1_URL"), p_good, 0, NULL);
    char *t = ba_mint(env("BA1_URL"), p_exp, 0, NULL);
    const char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
    char *other, *forged, *hdr_b64;
    size_t n;
    unsigned char *hdr;

    assert_refused(t);
    free(t);
    /* Tampered payload: another sub under the original signature. */
    other = b64url((const unsigned char *)"{\"sub\":\"someone-else\"}", 22);
    forged = fmt("%.*s.%s%s", (int)(dot1 - good), good, other, dot2);
    assert_refused(forged);
    free(forged);
    free(other);
    /* A kid the JWKS does not have (the module refetches, still unknown). */
    hdr = unb64url(good, (size_t)(dot1 - good), &n);
    hdr_b64 = b64url((const unsigned char *)"{\"alg\":\"EdDSA\",\"kid\":\"no-such-kid\"}", 35);
    forged = fmt("%s%s", hdr_b64, dot1);
    assert_refused(forged);
    free(forged);
    free(hdr_b64);
    free(hdr);
    free(good);
    free(p_good);
    free(p_exp);
    free(sub);
}
END_TEST

/* HS256 "signed" with the published key's bytes (the raw x, and the JWK
 * text): the algorithm confusion attack. */
START_TEST(hs256_with_public_key_bytes_is_refused)
{
    char *url = fmt("%s/api/auth/jwks", env("BA1_URL"));
    http_resp *r = http("GET", url, NULL, NULL);
    json_t *key;
    const char *x, *kid;
    char *jwk_text, *hdr, *payload, *input, *tok, *sig;
    unsigned char *xb, mac[EVP_MAX_MD_SIZE];
    size_t xn;
    unsigned int mn;
    long now = (long)time(NULL);

    ck_assert_status(r, 200);
    key = json_array_get(json_object_get(r->json, "keys"), 0);
    x = json_string_value(json_object_get(key, "x"));
    kid = json_string_value(json_object_get(key, "kid"));
    jwk_text = json_dumps(key, JSON_COMPACT);
    xb = unb64url(x, strlen(x), &xn);
    {
        char *h = fmt("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
        char *p = fmt("{\"sub\":\"%s\",\"iss\":\"%s\",\"aud\":\"%s\",\"iat\":%ld,"
                      "\"exp\":%ld}", unique("hs"), env("BA1_URL"),
                      env("BA1_URL"), now, now + 600);
        hdr = b64url((unsigned char *)h, strlen(h));
        payload = b64url((unsigned char *)p, strlen(p));
        free(h);
        free(p);
    }
    input = fmt("%s.%s", hdr, payload);
    HMAC(EVP_sha256(), xb, (int)xn, (unsigned char *)input, strlen(input), mac, &mn);
    sig = b64url(mac, mn);
    tok = fmt("%s.%s", input, sig);
    assert_refused(tok);
    free(tok);
    free(sig);
    HMAC(EVP_sha256(), jwk_text, (int)strlen(jwk_text), (unsigned char *)input,
         strlen(input), mac, &mn);
    sig = b64url(mac, mn);
    tok = fmt("%s.%s", input, sig);
    assert_refused(tok);
    free(tok);
    free(sig);
    free(input); free(hdr); free(payload); free(xb); free(jwk_text);
    http_free(r);
    free(url);
}
END_TEST

/* Better Auth adds a key (a new kid in its JWKS): the module re-fetches the
 * JWKS URL on the unknown kid and accepts the token. */
START_TEST(new_key_in_jwks_is_fetched)
{
    char *payload = fmt("{\"sub\":\"%s\"}", unique("rotate"));
    char *kid, *token;

    sleep(2);   /* past refresh=1 since any earlier fetch */
    token = ba_mint(env("BA1_URL"), payload, 1, &kid);
    free(me_id(token));
    free(kid);
    free(token);
    free(payload);
}
END_TEST

/* The issuer configured with a JWKS URL nothing listens on: httpd started
 * anyway (logging it), and its tokens are refused, not an error. */
START_TEST(unreachable_jwks_url_at_start_up)
{
    char *payload = fmt("{\"sub\":\"%s\",\"iss\":\"%s\",\"aud\":\"%s\"}",
                        unique("dead"), env("DEAD_ISSUER"), env("DEAD_ISSUER"));
    char *token = ba_mint(env("BA1_URL"), payload, 0, NULL);
    char *cmd = fmt("grep -q 'TASKS0401: JWKS of %s' %s/error.log",
                    env("DEAD_ISSUER"), env("STACK_DIR"));
    http_resp *r = me(token);

    assert_problem(r, 401);
    ck_assert_str_eq(http_header(r, "WWW-Authenticate"),
                     "Bearer error=\"invalid_token\"");
    ck_assert_msg(r->seconds < 4.0, "took %.1f s", r->seconds);
    http_free(r);
    ck_assert_msg(system(cmd) == 0, "no TASKS0401 for the dead JWKS URL");
    free(cmd);
    free(token);
    free(payload);
}
END_TEST

/* The JWKS URL goes down: known keys keep working, a new kid cannot be
 * learnt until it is back. */
START_TEST(jwks_url_down_keeps_old_keys)
{
    char *down = fmt("%s/test/jwks-down", env("BA1_URL"));
    char *up = fmt("%s/test/jwks-up", env("BA1_URL"));
    char *sub = fmt("{\"sub\":\"%s\"}", unique("down"));
    char *old_token = ba_mint(env("BA1_URL"), sub, 0, NULL);
    char *new_token, *kid;
    http_resp *r;

    free(me_id(old_token));
    r = http("POST", down, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    sleep(2);
    new_token = ba_mint(env("BA1_URL"), sub, 1, &kid);
    assert_refused(new_token);
    free(me_id(old_token));
    r = http("POST", up, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    sleep(2);
    free(me_id(new_token));
    free(me_id(old_token));
    free(kid);
    free(new_token);
    free(old_token);
    free(sub);
    free(up);
    free(down);
}
END_TEST

/* httpd runs two children, each with its own parsed keys; a key one child
 * fetched is published in shared memory for the others. With the JWKS URL
 * down, a token signed with it must pass whichever child answers: twenty
 * requests, each on a new connection, reach both children. */
START_TEST(key_fetched_by_one_child_works_in_every_child)
{
    char *down = fmt("%s/test/jwks-down", env("BA1_URL"));
    char *up = fmt("%s/test/jwks-up", env("BA1_URL"));
    char *sub = fmt("{\"sub\":\"%s\"}", unique("shared"));
    char *kid, *token = ba_mint(env("BA1_URL"), sub, 1, &kid);
    http_resp *r;
    int i;

    sleep(2);                  /* past refresh=1 s since any child fetched */
    free(me_id(token));        /* one child fetches the new key */
    r = http("POST", down, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    for (i = 0; i < 20; i++)
        free(me_id(token));
    r = http("POST", up, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    free(kid);
    free(token);
    free(sub);
    free(up);
    free(down);
}
END_TEST

START_TEST(logout_of_token_without_jti_is_honest)
{
    char *payload = fmt("{\"sub\":\"%s\"}", unique("logout"));
    char *token = ba_mint(env("BA1_URL"), payload, 0, NULL);
    char *with_jti = fmt("{\"sub\":\"%s\",\"jti\":\"%s\"}", unique("logout"),
                         unique("jti"));
    char *t2 = ba_mint(env("BA1_URL"), with_jti, 0, NULL);
    http_resp *r = http_auth("POST", "/api/auth/logout", token, NULL);

    ck_assert_status(r, 200);
    ck_assert(json_is_false(json_object_get(r->json, "revoked")));
    ck_assert(json_is_string(json_object_get(r->json, "detail")));
    http_free(r);
    free(me_id(token));   /* still valid: nothing could revoke it */
    /* With a jti, logout revokes it like one of ours. */
    r = http_auth("POST", "/api/auth/logout", t2, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    assert_refused(t2);
    free(t2); free(with_jti); free(token); free(payload);
}
END_TEST

/* Basic credentials header for alice (from run.sh's htpasswd). */
static char *basic(const char *user, const char *pw)
{
    char *up = fmt("%s:%s", user, pw);
    char *b = malloc(4 * ((strlen(up) + 2) / 3) + 1);
    char *h;

    EVP_EncodeBlock((unsigned char *)b, (unsigned char *)up, (int)strlen(up));
    h = fmt("Authorization: Basic %s", b);
    free(b);
    free(up);
    return h;
}

START_TEST(trust_remote_user_behind_basic_auth)
{
    char *alice = basic("alice", "alice-password");
    char *wrong = basic("alice", "nope");
    const char *hs[] = { alice, NULL }, *hw[] = { wrong, NULL };
    char *me_url = fmt("%s/api/auth/me", env("BASE_URL3"));
    char *tasks_url = fmt("%s/api/tasks", env("BASE_URL3"));
    char *out_url = fmt("%s/api/auth/logout", env("BASE_URL3"));
    char *id, *local_id, *local_token;
    http_resp *r = http("GET", me_url, NULL, hs);
    json_t *user;

    ck_assert_status(r, 200);
    user = json_object_get(r->json, "user");
    ck_assert_str_eq(json_string_value(json_object_get(user, "name")), "alice");
    ck_assert(json_is_null(json_object_get(user, "email")));
    id = strdup(json_string_value(json_object_get(user, "id")));
    http_free(r);
    r = http("GET", me_url, NULL, hs);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json,
                     "user"), "id")), id);
    http_free(r);
    r = http("POST", tasks_url, "{\"title\":\"via Basic\"}", hs);
    ck_assert_status(r, 201);
    http_free(r);
    r = http("GET", tasks_url, NULL, hs);
    ck_assert_status(r, 200);
    ck_assert_int_ge(json_array_size(r->json), 1);
    http_free(r);
    /* No or wrong credentials: Apache's own 401 with its challenge. */
    r = http("GET", me_url, NULL, NULL);
    ck_assert_status(r, 401);
    ck_assert_ptr_nonnull(strstr(http_header(r, "WWW-Authenticate"), "Basic"));
    http_free(r);
    r = http("GET", me_url, NULL, hw);
    ck_assert_status(r, 401);
    http_free(r);
    /* A bearer token still wins (and needs no Basic login). */
    local_token = make_user("sso", &local_id);
    r = http_auth("GET", me_url, local_token, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json,
                     "user"), "id")), local_id);
    http_free(r);
    r = http_auth("GET", me_url, "not.a.token", NULL);
    assert_problem(r, 401);
    http_free(r);
    /* Nothing to revoke for a user Apache authenticated. */
    r = http("POST", out_url, NULL, hs);
    ck_assert_status(r, 200);
    ck_assert(json_is_false(json_object_get(r->json, "revoked")));
    http_free(r);
    /* Off (the default) on the main port: Basic is not a bearer token. */
    r = http("GET", "/api/auth/me", NULL, hs);
    assert_problem(r, 401);
    http_free(r);
    free(local_token); free(local_id); free(id);
    free(out_url); free(tasks_url); free(me_url); free(wrong); free(alice);
}
END_TEST

/* Each bad issuer setting stops httpd at start-up, with a message that
 * says why. {DIR} is the stack's folder, {BA1}/{BA2} the Better Auth
 * issuers already configured. */
static const struct { const char *line, *expect; } bad_issuers[] = {
    { "TasksJWTTrustIssuer https://i.example jwks=http://idp.example.org/jwks",
      "loopback" },
    { "TasksJWTTrustIssuer https://i.example jwks=/nonexistent/x.jwks",
      "cannot read" },
    { "TasksJWTTrustIssuer https://i.example jwks=https://i.example/jwks alg=HS256",
      "never" },
    { "TasksJWTTrustIssuer https://i.example aud=x", "jwks=" },
    { "TasksJWTTrustIssuer apache:Tasks jwks=https://i.example/jwks", "reserved" },
    { "TasksJWTTrustIssuer https://i.example jwks=https://i.example/jwks refresh=0",
      "refresh" },
    { "TasksJWTTrustIssuer https://i.example jwks=https://i.example/jwks x=1",
      "unknown option" },
    { "TasksTrustRemoteUser maybe", "TasksTrustRemoteUser" },
    { "TasksJWTTrustIssuer https://o.example jwks={DIR}/oct.jwks", "no usable" },
    { "TasksJWTTrustIssuer {BA2} jwks={DIR}/es256.jwks", "twice" },
    { "TasksJWTIssuer {BA1}", "own TasksJWTIssuer" },
};

/* A JWKS file whose only key is a symmetric one (unusable). */
static void write_oct_jwks(void)
{
    char *oct = fmt("printf '{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}' "
                    "> %s/oct.jwks", env("STACK_DIR"));

    ck_assert_int_eq(system(oct), 0);
    free(oct);
}

/* s with every {key} replaced by value (s is freed; malloc'd). */
static char *subst(char *s, const char *key, const char *value)
{
    char *at, *out;

    while ((at = strstr(s, key))) {
        out = fmt("%.*s%s%s", (int)(at - s), s, value, at + strlen(key));
        free(s);
        s = out;
    }
    return s;
}

START_TEST(bad_issuer_configuration_stops_startup)
{
    char *line = strdup(bad_issuers[_i].line), *out;

    line = subst(line, "{DIR}", env("STACK_DIR"));
    line = subst(line, "{BA1}", env("BA1_URL"));
    line = subst(line, "{BA2}", env("BA2_URL"));
    ck_assert_msg(configtest(line, &out) != 0, "'%s' passed configtest", line);
    ck_assert_msg(strstr(out, bad_issuers[_i].expect), "'%s': %s", line, out);
    free(out);
    free(line);
}
END_TEST

/* http:// to loopback and several algorithms are fine. */
START_TEST(loopback_jwks_url_passes_configtest)
{
    char *out;
    int rc = configtest("TasksJWTTrustIssuer https://i.example "
                        "jwks=http://localhost:1/jwks alg=EdDSA,ES256", &out);

    ck_assert_msg(rc == 0, "%s", out);
    free(out);
}
END_TEST

Suite *external_suite(void)
{
    Suite *s = suite_create("external");
    TCase *tc = tcase_create("external");
    TCase *config = tcase_create("config");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, better_auth_eddsa_token_is_accepted);
    tcase_add_test(tc, better_auth_es256_token_from_jwks_file_is_accepted);
    tcase_add_test(tc, identities_are_linked_by_issuer_and_subject);
    tcase_add_test(tc, identity_without_email_has_null_email);
    tcase_add_test(tc, concurrent_first_requests_make_one_user);
    tcase_add_test(tc, wrong_audience_and_issuer_are_refused);
    tcase_add_test(tc, expired_tampered_and_unknown_kid_are_refused);
    tcase_add_test(tc, hs256_with_public_key_bytes_is_refused);
    tcase_add_test(tc, logout_of_token_without_jti_is_honest);
    tcase_add_test(tc, trust_remote_user_behind_basic_auth);
    tcase_add_test(tc, unreachable_jwks_url_at_start_up);
    tcase_add_test(tc, new_key_in_jwks_is_fetched);
    tcase_add_test(tc, jwks_url_down_keeps_old_keys);
    tcase_add_test(tc, key_fetched_by_one_child_works_in_every_child);
    suite_add_tcase(s, tc);

    tcase_set_timeout(config, 30);
    tcase_add_unchecked_fixture(config, write_oct_jwks, NULL);
    tcase_add_loop_test(config, bad_issuer_configuration_stops_startup, 0,
                        (int)(sizeof(bad_issuers) / sizeof(*bad_issuers)));
    tcase_add_test(config, loopback_jwks_url_passes_configtest);
    suite_add_tcase(s, config);
    return s;
}
