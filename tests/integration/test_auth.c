/* test_auth.c - authentication over real HTTP: signup, login, me, logout,
 * the session cookie, tokens the test signs itself (HMAC-SHA256 with the
 * stack's secret), revocation, login throttling (on BASE_URL2: 3 failures
 * per email or 6 per client address within 60 s, signup off), and that the
 * access phase sets r->user.
 *
 * Throttling state lives in the shared database and counts per client
 * address, so every test that makes logins fail binds the client to its own
 * loopback address (127.0.0.x) and uses fresh emails: no test can throttle
 * another, whatever the order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client.h"
#include "suites.h"

#define PASSWORD "it-Pa55word correct horse"
#define COOKIE_FMT "tasks_session=%s; Path=/api; Max-Age=3600; HttpOnly; SameSite=Strict"
#define CLEARED_COOKIE "tasks_session=; Path=/api; Max-Age=0; HttpOnly; SameSite=Strict"
#define BEARER_CHALLENGE_INVALID "Bearer error=\"invalid_token\""

/* ------------------------------------------------------------------ */
/* Helpers */

/* Every response of this suite passes through here: none may carry a
 * password hash, nor the password the request sent. */
static void assert_clean(const http_resp *r, const char *password)
{
    ck_assert_msg(!strstr(r->body, "$scrypt$"), "a password hash in: %s", r->body);
    if (password && strlen(password) >= 6)
        ck_assert_msg(!strstr(r->body, password), "the password in: %s", r->body);
}

static http_resp *call(const char *method, const char *url, const char *body,
                       const char *const *headers, const char *password)
{
    http_resp *r = http(method, url, body, headers);

    assert_clean(r, password);
    return r;
}

/* GET/POST with a bearer token and/or a Cookie header (either may be NULL). */
static http_resp *with_creds(const char *method, const char *path,
                             const char *bearer, const char *cookie)
{
    char *h1 = bearer ? fmt("Authorization: Bearer %s", bearer) : NULL;
    char *h2 = cookie ? fmt("Cookie: %s", cookie) : NULL;
    const char *hs[3] = { NULL, NULL, NULL };
    int n = 0;
    http_resp *r;

    if (h1)
        hs[n++] = h1;
    if (h2)
        hs[n++] = h2;
    r = call(method, path, NULL, hs, NULL);
    free(h1);
    free(h2);
    return r;
}

static char *fresh_email(const char *prefix)
{
    static unsigned counter;
    return fmt("%s-%d-%u-%ld@example.org", prefix, (int)getpid(), counter++,
               random());
}

/* POST /api/auth/signup on base; name_json is a JSON value or NULL. */
static http_resp *signup_at(const char *base, const char *email,
                            const char *password, const char *name_json)
{
    json_t *o = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *body, *url = fmt("%s/api/auth/signup", base);
    http_resp *r;

    if (name_json)
        json_object_set_new(o, "name", json_loads(name_json, JSON_DECODE_ANY, NULL));
    body = json_dumps(o, JSON_COMPACT);
    r = call("POST", url, body, NULL, password);
    free(body);
    free(url);
    json_decref(o);
    return r;
}

static http_resp *signup(const char *email, const char *password,
                         const char *name_json)
{
    return signup_at(base_url(), email, password, name_json);
}

static http_resp *login_at(const char *base, const char *email,
                           const char *password)
{
    json_t *o = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *body = json_dumps(o, JSON_COMPACT), *url = fmt("%s/api/auth/login", base);
    http_resp *r = call("POST", url, body, NULL, password);

    free(body);
    free(url);
    json_decref(o);
    return r;
}

/* A new user with PASSWORD; returns the signup response (asserted 201). */
static http_resp *new_user(const char *prefix, char **email_out)
{
    char *email = fresh_email(prefix);
    http_resp *r = signup(email, PASSWORD, NULL);

    ck_assert_status(r, 201);
    if (email_out)
        *email_out = email;
    else
        free(email);
    return r;
}

static const char *token_of(const http_resp *r)
{
    return json_string_value(json_object_get(r->json, "token"));
}

static const char *user_id_of(const http_resp *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "user"), "id"));
}

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Lower-case canonical UUID. */
static int is_uuid(const char *s)
{
    int i;

    if (!s || strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        }
        else if (!strchr("0123456789abcdef", s[i]))
            return 0;
    }
    return 1;
}

/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" (the contract's Timestamp: always six
 * fraction digits) within 5 minutes of now. */
static void assert_recent_timestamp(const char *ts)
{
    struct tm tm;
    const char *rest;
    time_t t;
    int i;

    ck_assert_ptr_nonnull(ts);
    memset(&tm, 0, sizeof(tm));
    rest = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
    ck_assert_msg(rest != NULL && strlen(ts) == 27, "not YYYY-MM-DDTHH:MM:SS"
                  ".ffffffZ: %s", ts);
    ck_assert_msg(*rest == '.', "no fraction: %s", ts);
    for (i = 1; i <= 6; i++)
        ck_assert_msg(rest[i] >= '0' && rest[i] <= '9', "bad fraction: %s", ts);
    ck_assert_msg(!strcmp(rest + 7, "Z"), "not UTC with Z: %s", ts);
    t = timegm(&tm);
    ck_assert_msg(labs((long)(t - time(NULL))) < 300, "not recent: %s", ts);
}

/* The object has exactly these keys (NULL-terminated). */
static void assert_keys(const json_t *o, const char *const *keys)
{
    size_t n = 0;

    ck_assert_msg(json_is_object(o), "not an object");
    for (; keys[n]; n++)
        ck_assert_msg(json_object_get(o, keys[n]) != NULL, "no \"%s\"", keys[n]);
    ck_assert_msg(json_object_size(o) == n, "%zu keys, expected %zu",
                  json_object_size(o), n);
}

static void assert_user(const json_t *u, const char *email, const char *name)
{
    static const char *const keys[] = { "id", "email", "name", "created_at", NULL };

    assert_keys(u, keys);
    ck_assert_msg(is_uuid(str_at(u, "id")), "id %s", str_at(u, "id"));
    if (email)
        ck_assert_str_eq(str_at(u, "email"), email);
    if (name)
        ck_assert_str_eq(str_at(u, "name"), name);
    else
        ck_assert(json_is_null(json_object_get(u, "name")));
    assert_recent_timestamp(str_at(u, "created_at"));
}

/* base64url without padding (malloc'd). */
static char *b64url(const unsigned char *d, size_t n)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        *o++ = a[v >> 18 & 63]; *o++ = a[v >> 12 & 63];
        *o++ = a[v >> 6 & 63];  *o++ = a[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)d[i] << 16;
        *o++ = a[v >> 18 & 63]; *o++ = a[v >> 12 & 63];
    }
    else if (n - i == 2) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8;
        *o++ = a[v >> 18 & 63]; *o++ = a[v >> 12 & 63]; *o++ = a[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

static char *b64url_str(const char *s)
{
    return b64url((const unsigned char *)s, strlen(s));
}

/* Decode a base64url segment (no padding) into a NUL-terminated string. */
static char *b64url_decode(const char *s, size_t n)
{
    char *out = calloc(1, n + 1), *o = out;
    unsigned acc = 0;
    int bits = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const char *p = strchr(a, s[i]);
        ck_assert_msg(p && s[i], "not base64url: %.*s", (int)n, s);
        acc = acc << 6 | (unsigned)(p - a);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (char)(acc >> bits & 0xff);
        }
    }
    return out;
}

/* The payload of a compact JWT, parsed. */
static json_t *jwt_part(const char *token, int part)
{
    const char *s = token, *e;
    char *text;
    json_t *j;
    int i;

    for (i = 0; i < part; i++) {
        s = strchr(s, '.');
        ck_assert_ptr_nonnull(s);
        s++;
    }
    e = strchr(s, '.');
    ck_assert_ptr_nonnull(e);
    text = b64url_decode(s, (size_t)(e - s));
    j = json_loads(text, 0, NULL);
    ck_assert_msg(j != NULL, "not JSON: %s", text);
    free(text);
    return j;
}

/* The HS256 key of the stack: its secret file, less one trailing newline. */
static unsigned char *secret(size_t *len)
{
    char *path = fmt("%s/jwt.secret", getenv("STACK_DIR"));
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(4096);
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    n = fread(buf, 1, 4096, f);
    fclose(f);
    free(path);
    if (n && buf[n - 1] == '\n')
        n--;
    ck_assert_uint_ge(n, 32);
    *len = n;
    return buf;
}

/* A compact JWS of header and payload (JSON texts), signed with HMAC(md)
 * and key; md NULL gives an empty signature (alg none). */
static char *sign_jwt(const char *header, const char *payload,
                      const EVP_MD *md, const unsigned char *key, size_t key_len)
{
    char *h = b64url_str(header), *p = b64url_str(payload);
    char *input = fmt("%s.%s", h, p), *sig, *out;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    if (md) {
        ck_assert_ptr_nonnull(HMAC(md, key, (int)key_len,
                                   (const unsigned char *)input, strlen(input),
                                   mac, &mac_len));
        sig = b64url(mac, mac_len);
    }
    else
        sig = strdup("");
    out = fmt("%s.%s", input, sig);
    free(h);
    free(p);
    free(input);
    free(sig);
    return out;
}

#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* HS256 with the stack's secret. */
static char *sign_hs256(const char *payload)
{
    size_t klen;
    unsigned char *key = secret(&klen);
    char *t = sign_jwt(HS256_HEADER, payload, EVP_sha256(), key, klen);

    free(key);
    return t;
}

/* A claims set like the module's own, for sub, valid from now on. */
static char *claims(const char *sub, long exp_offset)
{
    long now = (long)time(NULL);
    return fmt("{\"sub\":\"%s\",\"email\":\"someone@example.org\",\"iat\":%ld,"
               "\"exp\":%ld,\"jti\":\"it-%d-%ld\"}",
               sub, now, now + exp_offset, (int)getpid(), random());
}

/* A 401 from the access phase: problem+json and the Bearer challenge. */
static void assert_401(const http_resp *r, const char *challenge, const char *what)
{
    const char *www = http_header(r, "WWW-Authenticate");

    ck_assert_msg(r->status == 401, "%s: expected 401, got %ld: %s", what,
                  r->status, r->body);
    assert_problem(r, 401);
    ck_assert_msg(www && !strcmp(www, challenge), "%s: WWW-Authenticate %s",
                  what, www ? www : "(none)");
}

/* GET /api/auth/me with this bearer token must be a 401 invalid_token. */
static void assert_token_refused(const char *token, const char *what)
{
    http_resp *r = with_creds("GET", "/api/auth/me", token, NULL);

    assert_401(r, BEARER_CHALLENGE_INVALID, what);
    http_free(r);
}

/* GET /api/auth/me with this bearer token must answer the user id. */
static void assert_token_accepted(const char *token, const char *user_id,
                                  const char *what)
{
    http_resp *r = with_creds("GET", "/api/auth/me", token, NULL);

    ck_assert_msg(r->status == 200, "%s: expected 200, got %ld: %s", what,
                  r->status, r->body);
    ck_assert_str_eq(str_at(json_object_get(r->json, "user"), "id"), user_id);
    http_free(r);
}

static int has_error_field(const http_resp *r, const char *field)
{
    json_t *errs = json_object_get(r->json, "errors"), *e;
    size_t i;

    json_array_foreach(errs, i, e)
        if (!strcmp(str_at(e, "field") ? str_at(e, "field") : "", field))
            return 1;
    return 0;
}

static char *repeat(const char *unit, int n)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * (size_t)n + 1);
    int i;

    for (i = 0; i < n; i++)
        memcpy(s + ul * (size_t)i, unit, ul);
    s[ul * (size_t)n] = '\0';
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------------ */
/* Signup */

START_TEST(signup_returns_user_token_and_session_cookie)
{
    static const char *const keys[] = { "user", "token", "token_type",
                                        "expires_in", NULL };
    char *email = fresh_email("signup"), *cookie;
    http_resp *r = signup(email, PASSWORD, "\"Ada Lovelace\"");
    json_t *hdr, *pl, *u;
    const char *token;
    long now = (long)time(NULL);

    ck_assert_status(r, 201);
    ck_assert_str_eq(http_header(r, "Content-Type"), "application/json");
    ck_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
    assert_keys(r->json, keys);
    u = json_object_get(r->json, "user");
    assert_user(u, email, "Ada Lovelace");
    ck_assert_str_eq(str_at(r->json, "token_type"), "Bearer");
    ck_assert(json_is_integer(json_object_get(r->json, "expires_in")));
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "expires_in")), 3600);

    /* The token is an HS256 JWT for this user, living expires_in seconds. */
    token = token_of(r);
    ck_assert_ptr_nonnull(token);
    hdr = jwt_part(token, 0);
    pl = jwt_part(token, 1);
    ck_assert_str_eq(str_at(hdr, "alg"), "HS256");
    ck_assert_str_eq(str_at(pl, "sub"), str_at(u, "id"));
    ck_assert_str_eq(str_at(pl, "email"), email);
    ck_assert_int_eq(json_integer_value(json_object_get(pl, "exp"))
                     - json_integer_value(json_object_get(pl, "iat")), 3600);
    ck_assert_msg(labs((long)json_integer_value(json_object_get(pl, "iat")) - now) < 60,
                  "iat far from now");
    ck_assert_msg(str_at(pl, "jti") && strlen(str_at(pl, "jti")) >= 16, "jti");

    /* The session cookie: exactly the contract's attributes, no Secure
     * over plain http. */
    cookie = fmt(COOKIE_FMT, token);
    ck_assert_str_eq(http_header(r, "Set-Cookie"), cookie);

    /* And the token works. */
    assert_token_accepted(token, str_at(u, "id"), "the signup token");
    json_decref(hdr);
    json_decref(pl);
    free(cookie);
    free(email);
    http_free(r);
}
END_TEST

START_TEST(signup_without_name_gives_null_name)
{
    char *email = fresh_email("noname");
    http_resp *r = signup(email, PASSWORD, NULL);

    ck_assert_status(r, 201);
    assert_user(json_object_get(r->json, "user"), email, NULL);
    http_free(r);
    free(email);
}
END_TEST

START_TEST(signup_trims_email_and_compares_case_insensitively)
{
    char *local = fmt("Norm-%d-%ld", (int)getpid(), random());
    char *spaced = fmt("  %s@Ex.org ", local), *trimmed = fmt("%s@Ex.org", local);
    char *lower = fmt("%s@ex.org", local), *upper = fmt("\t%s@EX.ORG", local);
    http_resp *r = signup(spaced, PASSWORD, NULL), *r2;
    const char *stored;
    size_t i;

    ck_assert_status(r, 201);
    stored = str_at(json_object_get(r->json, "user"), "email");
    /* Trimmed, case kept (User.email in the OpenAPI document). */
    ck_assert_msg(stored && !strcmp(stored, trimmed), "stored email \"%s\", "
                  "want \"%s\"", stored ? stored : "(none)", trimmed);

    for (i = 0; lower[i]; i++)
        lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ? lower[i] + 32 : lower[i]);
    r2 = signup(lower, "another password 1", NULL);
    assert_problem(r2, 409);
    http_free(r2);
    r2 = signup(upper, "another password 2", NULL);
    assert_problem(r2, 409);
    http_free(r2);

    /* Login with any spelling reaches the one account. */
    r2 = login_at(base_url(), lower, PASSWORD);
    ck_assert_status(r2, 200);
    ck_assert_str_eq(user_id_of(r2), user_id_of(r));
    http_free(r2);
    http_free(r);
    free(local);
    free(spaced);
    free(trimmed);
    free(lower);
    free(upper);
}
END_TEST

START_TEST(signup_rejects_invalid_fields_with_422)
{
    const char *bad_emails[] = { "", "   ", "plainaddress", "@example.org",
                                 "a@@example.org", "a@b@example.org",
                                 "nodot@localhost", "a@.example.org",
                                 "a@example..org", "a@example.org.",
                                 "a b@example.org" };
    char *email = fresh_email("invalid"), *long_name, *body;
    http_resp *r;
    size_t i;

    for (i = 0; i < sizeof(bad_emails) / sizeof(*bad_emails); i++) {
        r = signup(bad_emails[i], PASSWORD, NULL);
        ck_assert_msg(r->status == 422, "email \"%s\": %ld %s", bad_emails[i],
                      r->status, r->body);
        assert_problem(r, 422);
        ck_assert_msg(has_error_field(r, "email"), "%s", r->body);
        ck_assert_msg(!has_error_field(r, "password"), "%s", r->body);
        http_free(r);
    }
    /* Missing or non-string email and password. */
    r = call("POST", "/api/auth/signup", "{\"password\":\"" PASSWORD "\"}", NULL, PASSWORD);
    assert_problem(r, 422);
    ck_assert(has_error_field(r, "email"));
    http_free(r);
    body = fmt("{\"email\":\"%s\"}", email);
    r = call("POST", "/api/auth/signup", body, NULL, NULL);
    assert_problem(r, 422);
    ck_assert(has_error_field(r, "password"));
    http_free(r);
    free(body);
    body = fmt("{\"email\":\"%s\",\"password\":12345678}", email);
    r = call("POST", "/api/auth/signup", body, NULL, NULL);
    assert_problem(r, 422);
    ck_assert(has_error_field(r, "password"));
    http_free(r);
    free(body);
    body = fmt("{\"email\":\"%s\",\"password\":\"" PASSWORD "\",\"name\":42}", email);
    r = call("POST", "/api/auth/signup", body, NULL, PASSWORD);
    assert_problem(r, 422);
    ck_assert(has_error_field(r, "name"));
    http_free(r);
    free(body);

    /* Every broken field is listed at once. */
    long_name = repeat("n", 101);
    body = fmt("{\"email\":\"not-an-email\",\"password\":\"short\",\"name\":\"%s\"}",
               long_name);
    r = call("POST", "/api/auth/signup", body, NULL, NULL);
    assert_problem(r, 422);
    ck_assert_msg(has_error_field(r, "email") && has_error_field(r, "password")
                  && has_error_field(r, "name"), "%s", r->body);
    ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 3);
    http_free(r);
    free(body);

    /* None of those created the account. */
    r = signup(email, PASSWORD, NULL);
    ck_assert_status(r, 201);
    http_free(r);
    free(long_name);
    free(email);
}
END_TEST

/* Lengths are in code points: a byte count would accept seven 2-byte
 * characters (14 bytes) and refuse 128 3-byte characters (384 bytes). */
START_TEST(signup_counts_password_and_name_in_code_points)
{
    struct { const char *unit; int n; int want; } pw[] = {
        { "a", 7, 422 },          /* too short */
        { "\xc3\xa9", 7, 422 },   /* 7 x e-acute: 14 bytes, 7 characters */
        { "a", 129, 422 },        /* too long */
        { "\xe2\x82\xac", 129, 422 },
        { "\xe2\x82\xac", 8, 201 },   /* 8 x euro sign: 24 bytes */
        { "\xe2\x82\xac", 128, 201 }, /* 128 x euro sign: 384 bytes */
        { "a", 8, 201 },
        { "a", 128, 201 },
    };
    struct { const char *unit; int n; int want; } names[] = {
        { "x", 101, 422 },
        { "\xc3\xa9", 101, 422 },
        { "\xc3\xa9", 100, 201 },      /* 200 bytes */
        { "\xf0\x9f\x98\x80", 100, 201 }, /* 100 emoji: 400 bytes */
    };
    size_t i;

    for (i = 0; i < sizeof(pw) / sizeof(*pw); i++) {
        char *email = fresh_email("pwlen"), *p = repeat(pw[i].unit, pw[i].n);
        http_resp *r = signup(email, p, NULL);

        ck_assert_msg(r->status == pw[i].want, "password of %d x '%s': %ld %s",
                      pw[i].n, pw[i].unit, r->status, r->body);
        if (pw[i].want == 422) {
            assert_problem(r, 422);
            ck_assert(has_error_field(r, "password"));
        }
        else {
            /* The password works for login, byte for byte. */
            http_resp *l = login_at(base_url(), email, p);
            ck_assert_status(l, 200);
            http_free(l);
        }
        http_free(r);
        free(email);
        free(p);
    }
    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        char *email = fresh_email("namelen"), *n = repeat(names[i].unit, names[i].n);
        char *nj = fmt("\"%s\"", n);
        http_resp *r = signup(email, PASSWORD, nj);

        ck_assert_msg(r->status == names[i].want, "name of %d x '%s': %ld %s",
                      names[i].n, names[i].unit, r->status, r->body);
        if (names[i].want == 422) {
            assert_problem(r, 422);
            ck_assert(has_error_field(r, "name"));
        }
        else
            ck_assert_str_eq(str_at(json_object_get(r->json, "user"), "name"), n);
        http_free(r);
        free(email);
        free(n);
        free(nj);
    }
}
END_TEST

START_TEST(signup_conflict_is_409_problem)
{
    char *email;
    http_resp *first = new_user("dup", &email), *r;

    r = signup(email, "a different password", NULL);
    assert_problem(r, 409);
    ck_assert_ptr_null(http_header(r, "Set-Cookie"));
    ck_assert_ptr_null(json_object_get(r->json, "token"));
    http_free(r);
    /* The original password still holds: the 409 changed nothing. */
    r = login_at(base_url(), email, PASSWORD);
    ck_assert_status(r, 200);
    ck_assert_str_eq(user_id_of(r), user_id_of(first));
    http_free(r);
    r = login_at(base_url(), email, "a different password");
    assert_problem(r, 401);
    http_free(r);
    http_free(first);
    free(email);
}
END_TEST

START_TEST(signup_is_forbidden_when_disabled)
{
    char *email = fresh_email("disabled");
    http_resp *r = signup_at(base_url2(), email, PASSWORD, NULL);

    assert_problem(r, 403);
    ck_assert_ptr_null(http_header(r, "Set-Cookie"));
    http_free(r);
    /* Nothing was created: the same email signs up on the main server. */
    r = signup(email, PASSWORD, NULL);
    ck_assert_status(r, 201);
    http_free(r);
    /* Login still works on the server where signup is off. */
    r = login_at(base_url2(), email, PASSWORD);
    ck_assert_status(r, 200);
    http_free(r);
    free(email);
}
END_TEST

/* Four racers: the module runs at most 4 scrypt hashes at once per process
 * and answers 503 "busy" (Retry-After) to a request that waited 2 s for a
 * slot; with 8 racers on a loaded 2-CPU machine some got that 503 before
 * ever reaching the database. Four always get a slot at once, so every
 * one of them reaches the INSERT. */
#define RACERS 4

struct racer {
    pthread_barrier_t *start;
    const char *email;
    long status;
    char *body;
    char *user_id;
};

static void *race_signup(void *arg)
{
    struct racer *rc = arg;
    http_resp *r;

    pthread_barrier_wait(rc->start);
    r = signup(rc->email, PASSWORD, NULL);
    rc->status = r->status;
    rc->body = strdup(r->body);
    if (r->status == 201)
        rc->user_id = strdup(user_id_of(r));
    http_free(r);
    return NULL;
}

/* Signups of one email (spelled differently) at the same moment:
 * exactly one account, the others a clean 409, never a 500. */
START_TEST(concurrent_signups_with_one_email_create_one_user)
{
    char *local = fmt("race-%d-%ld", (int)getpid(), random());
    char *emails[RACERS];
    struct racer rc[RACERS];
    pthread_t th[RACERS];
    pthread_barrier_t start;
    int i, created = 0;
    const char *winner = NULL;
    http_resp *r;

    pthread_barrier_init(&start, NULL, RACERS);
    for (i = 0; i < RACERS; i++) {
        emails[i] = fmt(i % 2 ? "%s@Example.ORG" : " %s@example.org", local);
        rc[i].start = &start;
        rc[i].email = emails[i];
        rc[i].status = 0;
        rc[i].user_id = NULL;
        rc[i].body = NULL;
        ck_assert_int_eq(pthread_create(&th[i], NULL, race_signup, &rc[i]), 0);
    }
    for (i = 0; i < RACERS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    /* Every racer is a 201 or a 409, and exactly one a 201: so all the
     * others are 409s. */
    for (i = 0; i < RACERS; i++) {
        ck_assert_msg(rc[i].status == 201 || rc[i].status == 409,
                      "racer %d got %ld: %s", i, rc[i].status, rc[i].body);
        if (rc[i].status == 201) {
            created++;
            winner = rc[i].user_id;
        }
    }
    ck_assert_int_eq(created, 1);
    r = login_at(base_url(), emails[0], PASSWORD);
    ck_assert_status(r, 200);
    ck_assert_str_eq(user_id_of(r), winner);
    http_free(r);
    for (i = 0; i < RACERS; i++) {
        free(emails[i]);
        free(rc[i].body);
        free(rc[i].user_id);
    }
    free(local);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Login */

START_TEST(login_returns_same_body_and_cookie_as_signup)
{
    static const char *const keys[] = { "user", "token", "token_type",
                                        "expires_in", NULL };
    char *email, *cookie, *spelled;
    http_resp *s = new_user("login", &email), *r;
    json_t *pl, *pl0;

    spelled = fmt("  %s ", email);
    for (char *c = spelled; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 32);
    r = login_at(base_url(), spelled, PASSWORD);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(r, "Content-Type"), "application/json");
    ck_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
    assert_keys(r->json, keys);
    ck_assert_msg(json_equal(json_object_get(r->json, "user"),
                             json_object_get(s->json, "user")),
                  "login user %s differs from signup's", r->body);
    ck_assert_str_eq(str_at(r->json, "token_type"), "Bearer");
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "expires_in")), 3600);
    ck_assert_str_ne(token_of(r), token_of(s));
    pl = jwt_part(token_of(r), 1);
    ck_assert_str_eq(str_at(pl, "sub"), user_id_of(s));
    pl0 = jwt_part(token_of(s), 1);
    ck_assert_str_ne(str_at(pl, "jti"), str_at(pl0, "jti"));
    json_decref(pl);
    json_decref(pl0);
    cookie = fmt(COOKIE_FMT, token_of(r));
    ck_assert_str_eq(http_header(r, "Set-Cookie"), cookie);
    assert_token_accepted(token_of(r), user_id_of(s), "the login token");
    /* The signup token stays valid next to the new one. */
    assert_token_accepted(token_of(s), user_id_of(s), "the signup token");
    free(cookie);
    free(spelled);
    free(email);
    http_free(r);
    http_free(s);
}
END_TEST

START_TEST(login_failures_share_one_message)
{
    char *email, *unknown = fresh_email("nobody");
    http_resp *s, *wrong, *nouser;

    http_set_source("127.0.0.50");
    s = new_user("onemsg", &email);
    wrong = login_at(base_url(), email, "not the password");
    nouser = login_at(base_url(), unknown, PASSWORD);
    assert_problem(wrong, 401);
    assert_problem(nouser, 401);
    ck_assert_str_eq(str_at(wrong->json, "detail"), str_at(nouser->json, "detail"));
    ck_assert_str_eq(str_at(wrong->json, "title"), str_at(nouser->json, "title"));
    ck_assert_int_eq((int)wrong->len, (int)nouser->len);
    ck_assert_ptr_null(http_header(wrong, "Set-Cookie"));
    ck_assert_ptr_null(http_header(nouser, "Set-Cookie"));
    ck_assert_ptr_null(json_object_get(wrong->json, "token"));
    http_free(wrong);
    http_free(nouser);
    http_free(s);
    free(email);
    free(unknown);
    http_set_source(NULL);
}
END_TEST

/* Both an unknown email and a wrong password cost one scrypt: their median
 * times are within a factor of 3 (skipping the hash for unknown emails
 * would make them an order of magnitude faster). */
START_TEST(login_timing_does_not_reveal_unknown_emails)
{
    enum { N = 6 };
    double known[N], unknown[N], mk, mu;
    char *emails[2];
    http_resp *r;
    int i;

    http_set_source("127.0.0.60");
    for (i = 0; i < 2; i++)
        http_free(new_user("timing", &emails[i]));
    /* Warm up the connection pool and the caches. */
    for (i = 0; i < 2; i++) {
        char *e = fresh_email("warm");
        http_free(login_at(base_url(), e, PASSWORD));
        free(e);
    }
    for (i = 0; i < N; i++) {
        char *e = fresh_email("ghost");

        r = login_at(base_url(), e, PASSWORD);
        assert_problem(r, 401);
        unknown[i] = r->seconds;
        http_free(r);
        free(e);
        /* 3 failures per account stay below the main server's 5. */
        r = login_at(base_url(), emails[i % 2], "wrong password!");
        assert_problem(r, 401);
        known[i] = r->seconds;
        http_free(r);
    }
    mk = median(known, N);
    mu = median(unknown, N);
    ck_assert_msg(mu * 3 >= mk && mk * 3 >= mu,
                  "median wrong password %.1f ms, unknown email %.1f ms",
                  mk * 1000, mu * 1000);
    free(emails[0]);
    free(emails[1]);
    http_set_source(NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The session: me, bearer and cookie */

START_TEST(me_answers_user_with_bearer)
{
    static const char *const keys[] = { "user", NULL };
    http_resp *s = new_user("me", NULL), *r;

    r = with_creds("GET", "/api/auth/me", token_of(s), NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(r, "Content-Type"), "application/json");
    ck_assert_str_eq(http_header(r, "Cache-Control"), "no-store");
    assert_keys(r->json, keys);
    ck_assert_msg(json_equal(json_object_get(r->json, "user"),
                             json_object_get(s->json, "user")), "%s", r->body);
    ck_assert_ptr_null(http_header(r, "Set-Cookie"));
    http_free(r);
    /* The scheme name is case-insensitive (RFC 9110). */
    {
        char *h = fmt("Authorization: bearer %s", token_of(s));
        const char *hs[] = { h, NULL };
        r = call("GET", "/api/auth/me", NULL, hs, NULL);
        ck_assert_status(r, 200);
        http_free(r);
        free(h);
    }
    http_free(s);
}
END_TEST

START_TEST(me_answers_user_with_cookie_only)
{
    http_resp *s = new_user("cookie", NULL), *r;
    char *c1 = fmt("tasks_session=%s", token_of(s));
    char *c2 = fmt("theme=dark; tasks_session=%s; lang=en", token_of(s));
    char *c3 = fmt("xtasks_session=%s", token_of(s));

    r = with_creds("GET", "/api/auth/me", NULL, c1);
    ck_assert_status(r, 200);
    ck_assert_msg(json_equal(json_object_get(r->json, "user"),
                             json_object_get(s->json, "user")), "%s", r->body);
    http_free(r);
    r = with_creds("GET", "/api/auth/me", NULL, c2);
    ck_assert_status(r, 200);
    ck_assert_str_eq(str_at(json_object_get(r->json, "user"), "id"), user_id_of(s));
    http_free(r);
    /* The cookie also authenticates the task API. */
    r = with_creds("GET", "/api/tasks", NULL, c1);
    ck_assert_status(r, 200);
    http_free(r);
    /* Only a cookie of exactly that name counts. */
    r = with_creds("GET", "/api/auth/me", NULL, c3);
    assert_401(r, "Bearer", "a cookie with another name");
    http_free(r);
    free(c1);
    free(c2);
    free(c3);
    http_free(s);
}
END_TEST

START_TEST(bearer_wins_over_cookie)
{
    http_resp *a = new_user("bearer-a", NULL), *b = new_user("bearer-b", NULL), *r;
    char *cookie_b = fmt("tasks_session=%s", token_of(b));
    char *bad_bearer = strdup(token_of(a));

    /* Two valid credentials: the bearer's user. */
    r = with_creds("GET", "/api/auth/me", token_of(a), cookie_b);
    ck_assert_status(r, 200);
    ck_assert_str_eq(str_at(json_object_get(r->json, "user"), "id"), user_id_of(a));
    http_free(r);
    /* A valid bearer and a garbage cookie. */
    r = with_creds("GET", "/api/auth/me", token_of(a), "tasks_session=garbage.not.jwt");
    ck_assert_status(r, 200);
    ck_assert_str_eq(str_at(json_object_get(r->json, "user"), "id"), user_id_of(a));
    http_free(r);
    /* A bad bearer is not rescued by a valid cookie. */
    bad_bearer[strlen(bad_bearer) - 2] ^= 1;   /* flip a signature bit */
    r = with_creds("GET", "/api/auth/me", bad_bearer, cookie_b);
    assert_401(r, BEARER_CHALLENGE_INVALID, "bad bearer + valid cookie");
    http_free(r);
    r = with_creds("GET", "/api/tasks", "garbage", cookie_b);
    assert_401(r, BEARER_CHALLENGE_INVALID, "garbage bearer + valid cookie");
    http_free(r);
    /* Nor is a non-Bearer Authorization header. */
    {
        char *h1 = strdup("Authorization: Basic dXNlcjpwYXNz");
        char *h2 = fmt("Cookie: %s", cookie_b);
        const char *hs[] = { h1, h2, NULL };
        r = call("GET", "/api/auth/me", NULL, hs, NULL);
        assert_401(r, BEARER_CHALLENGE_INVALID, "Basic credentials + valid cookie");
        http_free(r);
        free(h1);
        free(h2);
    }
    free(cookie_b);
    free(bad_bearer);
    http_free(a);
    http_free(b);
}
END_TEST

/* BASE_URL2 names the handler "SetHandler TASKS" for /api/auth/me: the
 * auth hook applies there too (no token: 401; a token: its user). */
START_TEST(handler_named_in_upper_case_is_still_authenticated)
{
    char *url = fmt("%s/api/auth/me", base_url2()), *id = NULL;
    char *token = make_user("upper", &id);
    http_resp *r = http("GET", url, NULL, NULL);

    assert_problem(r, 401);
    http_free(r);
    r = http_auth("GET", url, token, NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json,
                     "user"), "id")), id);
    http_free(r);
    free(url);
    free(token);
    free(id);
}
END_TEST

START_TEST(missing_token_is_401_with_bare_challenge)
{
    struct { const char *method, *path; } eps[] = {
        { "GET", "/api/auth/me" }, { "POST", "/api/auth/logout" },
        { "GET", "/api/tasks" }, { "GET", "/api/tasks/1" },
    };
    size_t i;

    for (i = 0; i < sizeof(eps) / sizeof(*eps); i++) {
        http_resp *r = with_creds(eps[i].method, eps[i].path, NULL, NULL);
        char *what = fmt("%s %s without a token", eps[i].method, eps[i].path);

        assert_401(r, "Bearer", what);
        ck_assert_msg(!strstr(r->body, "<html") && !strstr(r->body, "<!DOCTYPE"),
                      "HTML body: %s", r->body);
        http_free(r);
        free(what);
    }
    /* An empty cookie is no token either. */
    {
        http_resp *r = with_creds("GET", "/api/auth/me", NULL, "tasks_session=");
        assert_401(r, "Bearer", "an empty session cookie");
        http_free(r);
    }
}
END_TEST

START_TEST(bad_token_is_401_with_invalid_token_challenge)
{
    const char *bad[] = { "garbage", "a.b.c", "", "eyJhbGciOiJIUzI1NiJ9.e30." };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char *what = fmt("bearer \"%s\"", bad[i]);
        http_resp *r = with_creds("GET", "/api/tasks", bad[i], NULL);

        assert_401(r, BEARER_CHALLENGE_INVALID, what);
        http_free(r);
        free(what);
    }
    /* The same through the cookie. */
    {
        http_resp *r = with_creds("GET", "/api/auth/me", NULL, "tasks_session=garbage");
        assert_401(r, BEARER_CHALLENGE_INVALID, "a garbage cookie");
        http_free(r);
    }
}
END_TEST

/* Read the access log until a line containing probe shows up. */
static char *access_log_line(const char *probe)
{
    char *path = fmt("%s/access.log", getenv("STACK_DIR"));
    char line[4096];
    int tries;

    for (tries = 0; tries < 40; tries++) {
        FILE *f = fopen(path, "r");
        if (f) {
            while (fgets(line, sizeof(line), f))
                if (strstr(line, probe)) {
                    fclose(f);
                    free(path);
                    return strdup(line);
                }
            fclose(f);
        }
        usleep(50000);
    }
    free(path);
    ck_abort_msg("no access log line for %s", probe);
    return NULL;
}

/* The third field of "%h %l %u ..." */
static char *log_user(const char *line)
{
    char host[256], ident[256], user[256];

    ck_assert_int_eq(sscanf(line, "%255s %255s %255s", host, ident, user), 3);
    return strdup(user);
}

START_TEST(access_log_shows_user_id_of_authenticated_requests)
{
    http_resp *s = new_user("acclog", NULL), *r;
    char *probe = fmt("itprobe=%d-%ld", (int)getpid(), random());
    char *probe2 = fmt("itprobe=%d-%ld", (int)getpid(), random());
    char *p1 = fmt("/api/auth/me?%s", probe), *p2 = fmt("/api/tasks?%s", probe2);
    char *line, *user;

    r = with_creds("GET", p1, token_of(s), NULL);
    ck_assert_status(r, 200);
    http_free(r);
    line = access_log_line(probe);
    user = log_user(line);
    ck_assert_msg(!strcmp(user, user_id_of(s)), "log user %s in: %s", user, line);
    free(line);
    free(user);
    /* A refused request has no user. */
    r = with_creds("GET", p2, "garbage", NULL);
    assert_problem(r, 401);
    http_free(r);
    line = access_log_line(probe2);
    user = log_user(line);
    ck_assert_msg(!strcmp(user, "-"), "log user %s in: %s", user, line);
    free(line);
    free(user);
    free(probe);
    free(probe2);
    free(p1);
    free(p2);
    http_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tokens the test signs itself */

START_TEST(handmade_token_for_a_real_user_is_accepted)
{
    http_resp *s = new_user("handmade", NULL);
    char *c = claims(user_id_of(s), 600), *t = sign_hs256(c);
    char *c2, *t2;
    long now = (long)time(NULL);

    assert_token_accepted(t, user_id_of(s), "a valid hand-made token");
    /* Expired 10 s ago: inside the 30 s leeway. */
    c2 = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"jti\":\"lw-%ld\"}",
             user_id_of(s), now - 3600, now - 10, random());
    t2 = sign_hs256(c2);
    assert_token_accepted(t2, user_id_of(s), "exp 10 s ago, within leeway");
    free(c2);
    free(t2);
    /* nbf 10 s ahead: inside the leeway too. */
    c2 = fmt("{\"sub\":\"%s\",\"nbf\":%ld,\"exp\":%ld,\"jti\":\"nb-%ld\"}",
             user_id_of(s), now + 10, now + 600, random());
    t2 = sign_hs256(c2);
    assert_token_accepted(t2, user_id_of(s), "nbf 10 s ahead, within leeway");
    free(c2);
    free(t2);
    free(c);
    free(t);
    http_free(s);
}
END_TEST

START_TEST(tokens_with_a_wrong_algorithm_are_refused)
{
    http_resp *s = new_user("alg", NULL);
    char *c = claims(user_id_of(s), 600), *t;
    unsigned char *key;
    size_t klen;

    key = secret(&klen);
    t = sign_jwt("{\"alg\":\"none\",\"typ\":\"JWT\"}", c, NULL, NULL, 0);
    assert_token_refused(t, "alg none, no signature");
    free(t);
    t = sign_jwt("{\"alg\":\"none\",\"typ\":\"JWT\"}", c, EVP_sha256(), key, klen);
    assert_token_refused(t, "alg none with an HS256 signature");
    free(t);
    t = sign_jwt("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", c, EVP_sha256(), key, klen);
    assert_token_refused(t, "alg hs256 (lower case)");
    free(t);
    t = sign_jwt("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", c, EVP_sha384(), key, klen);
    assert_token_refused(t, "HS384 with the same secret");
    free(t);
    t = sign_jwt("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", c, EVP_sha512(), key, klen);
    assert_token_refused(t, "HS512 with the same secret");
    free(t);
    t = sign_jwt("{\"typ\":\"JWT\"}", c, EVP_sha256(), key, klen);
    assert_token_refused(t, "no alg");
    free(t);
    t = sign_jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", c, EVP_sha256(), key, klen);
    assert_token_refused(t, "RS256 header with an HMAC signature");
    free(t);
    free(key);
    free(c);
    http_free(s);
}
END_TEST

START_TEST(tokens_with_a_wrong_signature_are_refused)
{
    http_resp *s = new_user("sig", NULL), *o = new_user("sig-other", NULL);
    const char *other_key = "another-secret-of-more-than-32-bytes-0123456789";
    char *c = claims(user_id_of(s), 600), *t, *forged, *dot, *hp;
    json_t *pl;

    t = sign_jwt(HS256_HEADER, c, EVP_sha256(), (const unsigned char *)other_key,
                 strlen(other_key));
    assert_token_refused(t, "signed with another key");
    free(t);

    /* A genuine token whose payload names another user, old signature. */
    pl = jwt_part(token_of(s), 1);
    json_object_set_new(pl, "sub", json_string(user_id_of(o)));
    {
        char *pj = json_dumps(pl, JSON_COMPACT);
        hp = b64url_str(pj);
        free(pj);
    }
    dot = strchr(token_of(s), '.');
    forged = fmt("%.*s.%s%s", (int)(dot - token_of(s)), token_of(s), hp,
                 strrchr(token_of(s), '.'));
    assert_token_refused(forged, "payload swapped, signature kept");
    free(forged);
    free(hp);
    json_decref(pl);

    /* The signature truncated, or missing. */
    t = strdup(token_of(s));
    t[strlen(t) - 4] = '\0';
    assert_token_refused(t, "truncated signature");
    *strrchr(t, '.') = '\0';
    assert_token_refused(t, "no signature part");
    free(t);
    free(c);
    http_free(s);
    http_free(o);
}
END_TEST

START_TEST(tokens_outside_their_lifetime_are_refused)
{
    http_resp *s = new_user("time", NULL);
    const char *id = user_id_of(s);
    long now = (long)time(NULL);
    char *c, *t;

    c = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"jti\":\"x-%ld\"}",
            id, now - 7200, now - 120, random());
    t = sign_hs256(c);
    assert_token_refused(t, "expired 120 s ago (leeway 30 s)");
    free(c);
    free(t);
    c = fmt("{\"sub\":\"%s\",\"nbf\":%ld,\"exp\":%ld,\"jti\":\"x-%ld\"}",
            id, now + 300, now + 900, random());
    t = sign_hs256(c);
    assert_token_refused(t, "nbf 300 s in the future");
    free(c);
    free(t);
    c = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"jti\":\"x-%ld\"}", id, now, random());
    t = sign_hs256(c);
    assert_token_refused(t, "no exp");
    free(c);
    free(t);
    c = fmt("{\"sub\":\"%s\",\"exp\":\"%ld\",\"jti\":\"x-%ld\"}", id, now + 600, random());
    t = sign_hs256(c);
    assert_token_refused(t, "exp as a string");
    free(c);
    free(t);
    c = fmt("{\"sub\":\"%s\",\"exp\":null,\"jti\":\"x-%ld\"}", id, random());
    t = sign_hs256(c);
    assert_token_refused(t, "exp null");
    free(c);
    free(t);
    http_free(s);
}
END_TEST

START_TEST(tokens_without_a_real_subject_are_refused)
{
    http_resp *s = new_user("subj", NULL);
    long now = (long)time(NULL);
    char *c, *t;

    c = fmt("{\"iat\":%ld,\"exp\":%ld,\"jti\":\"x-%ld\"}", now, now + 600, random());
    t = sign_hs256(c);
    assert_token_refused(t, "no sub");
    free(c);
    free(t);
    c = claims("", 600);
    t = sign_hs256(c);
    assert_token_refused(t, "empty sub");
    free(c);
    free(t);
    c = fmt("{\"sub\":null,\"exp\":%ld}", now + 600);
    t = sign_hs256(c);
    assert_token_refused(t, "sub null");
    free(c);
    free(t);
    c = claims("0b6f4b47-6a1e-4c53-9d2f-3f8a5e1c7d90", 600);
    t = sign_hs256(c);
    assert_token_refused(t, "sub of a user that does not exist");
    free(c);
    free(t);
    c = claims("not-a-uuid", 600);
    t = sign_hs256(c);
    assert_token_refused(t, "sub that is not a user id");
    free(c);
    free(t);
    c = claims("' OR '1'='1", 600);
    t = sign_hs256(c);
    assert_token_refused(t, "sub with SQL");
    free(c);
    free(t);
    /* The control: the same claims with the real id are accepted. */
    c = claims(user_id_of(s), 600);
    t = sign_hs256(c);
    assert_token_accepted(t, user_id_of(s), "the control token");
    free(c);
    free(t);
    http_free(s);
}
END_TEST

START_TEST(malformed_tokens_are_refused)
{
    http_resp *s = new_user("malformed", NULL);
    char *c = claims(user_id_of(s), 600), *t, *h, *p, *input, *sig;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    unsigned char *key;
    size_t klen;
    const char *shapes[] = { "abc", "abc.def", "a.b.c.d", "..", ".e30.sig",
                             "eyJ!!!.eyJ.abc", "e30.e30.e30" };
    size_t i;

    for (i = 0; i < sizeof(shapes) / sizeof(*shapes); i++)
        assert_token_refused(shapes[i], shapes[i]);

    /* A real token with a character outside base64url in each part. */
    for (i = 0; i < 3; i++) {
        char *copy = strdup(token_of(s)), *part = copy;
        int k;
        for (k = 0; k < (int)i; k++)
            part = strchr(part, '.') + 1;
        part[1] = '*';
        assert_token_refused(copy, "a '*' in a part");
        free(copy);
    }

    /* Correctly signed, but the payload is not JSON / not an object, or
     * the header is not JSON. */
    key = secret(&klen);
    t = sign_jwt(HS256_HEADER, "{\"sub\":", EVP_sha256(), key, klen);
    assert_token_refused(t, "payload not JSON");
    free(t);
    t = sign_jwt(HS256_HEADER, "[1,2]", EVP_sha256(), key, klen);
    assert_token_refused(t, "payload an array");
    free(t);
    t = sign_jwt("{alg:HS256}", c, EVP_sha256(), key, klen);
    assert_token_refused(t, "header not JSON");
    free(t);

    /* Standard base64 padding on a correctly signed token. */
    h = b64url_str(HS256_HEADER);
    p = b64url_str(c);
    input = fmt("%s==.%s", h, p);
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)input,
         strlen(input), mac, &mac_len);
    sig = b64url(mac, mac_len);
    t = fmt("%s.%s", input, sig);
    assert_token_refused(t, "padded header segment");
    free(t);
    free(sig);
    free(input);
    free(h);
    free(p);
    free(key);
    free(c);
    http_free(s);
}
END_TEST

/* A correctly signed token for a real user, made longer than 8 KiB by a
 * padding claim. */
static char *oversized_token(const char *user_id)
{
    long now = (long)time(NULL);
    char *pad = repeat("x", 6300), *c, *t;

    c = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"jti\":\"big-%ld\",\"pad\":\"%s\"}",
            user_id, now, now + 600, random(), pad);
    t = sign_hs256(c);
    ck_assert_uint_gt(strlen(t), 8192);
    free(pad);
    free(c);
    return t;
}

/* The contract: an oversized token is a 401 (problem+json, invalid_token
 * challenge), like any other bad token - not an HTML error page. (With
 * httpd's default LimitRequestFieldSize of 8190 bytes, a header this long
 * is refused by httpd itself with an HTML 400 before the module runs; the
 * module's own 8 KiB cap cannot be reached over HTTP.) */
START_TEST(oversized_bearer_token_is_refused_with_401_problem)
{
    http_resp *s = new_user("big", NULL), *r;
    char *t = oversized_token(user_id_of(s));

    r = with_creds("GET", "/api/auth/me", t, NULL);
    assert_401(r, BEARER_CHALLENGE_INVALID, "a bearer token over 8 KiB");
    http_free(r);
    free(t);
    http_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Logout */

START_TEST(logout_revokes_the_token_and_clears_the_cookie)
{
    char *email;
    http_resp *s = new_user("logout", &email), *other, *r;
    const char *token = token_of(s);

    /* A second session of the same user, which logout must not end. */
    other = login_at(base_url(), email, PASSWORD);
    ck_assert_status(other, 200);
    make_task(token, "{\"title\":\"before logout\"}");

    r = with_creds("POST", "/api/auth/logout", token, NULL);
    ck_assert_status(r, 204);
    ck_assert_int_eq((int)r->len, 0);
    ck_assert_str_eq(http_header(r, "Set-Cookie"), CLEARED_COOKIE);
    http_free(r);

    r = with_creds("GET", "/api/auth/me", token, NULL);
    assert_401(r, BEARER_CHALLENGE_INVALID, "me with a logged-out token");
    http_free(r);
    r = with_creds("GET", "/api/tasks", token, NULL);
    assert_401(r, BEARER_CHALLENGE_INVALID, "tasks with a logged-out token");
    http_free(r);
    r = with_creds("POST", "/api/auth/logout", token, NULL);
    assert_401(r, BEARER_CHALLENGE_INVALID, "logout twice");
    http_free(r);
    /* Revocation is of that token only. */
    assert_token_accepted(token_of(other), user_id_of(s), "the other session");
    r = with_creds("GET", "/api/tasks", token_of(other), NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 1);
    http_free(r);
    free(email);
    http_free(other);
    http_free(s);
}
END_TEST

/* Task statements check the caller themselves (the access hook does not
 * ask the database on task routes): a revoked token neither reads nor
 * writes a task, on any task route and method, and each answer is the
 * hook's 401. The other session then sees everything unchanged. */
START_TEST(revoked_token_neither_reads_nor_writes_tasks)
{
    char *email;
    http_resp *s = new_user("revoked-tasks", &email), *other, *r;
    const char *token = token_of(s);
    long long id = make_task(token, "{\"title\":\"keep me\"}");
    long long done = make_task(token, "{\"title\":\"done\",\"completed\":true}");
    char *one = fmt("/api/tasks/%lld", id), *complete = fmt("%s/complete", one);
    char *seed = fmt("/api/%s/tasks/%lld", user_id_of(s), done);
    char *before;
    static const struct { const char *method, *path, *body; } calls[] = {
        { "GET", "ONE", NULL }, { "PUT", "ONE", "{\"title\":\"changed\"}" },
        { "PATCH", "ONE", "{\"title\":\"changed\"}" }, { "DELETE", "ONE", NULL },
        { "PATCH", "COMPLETE", NULL }, { "PATCH", "COMPLETE", "{\"completed\":true}" },
        { "GET", "/api/tasks", NULL }, { "GET", "/api/tasks?q=keep&limit=1", NULL },
        { "POST", "/api/tasks", "{\"title\":\"new\"}" },
        { "DELETE", "/api/tasks?status=completed", NULL }, { "DELETE", "SEED", NULL },
    };
    size_t i;

    other = login_at(base_url(), email, PASSWORD);
    ck_assert_status(other, 200);
    r = with_creds("GET", one, token_of(other), NULL);
    ck_assert_status(r, 200);
    before = strdup(r->body);
    http_free(r);
    r = with_creds("POST", "/api/auth/logout", token, NULL);
    ck_assert_status(r, 204);
    http_free(r);

    for (i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
        const char *path = !strcmp(calls[i].path, "ONE") ? one
                         : !strcmp(calls[i].path, "COMPLETE") ? complete
                         : !strcmp(calls[i].path, "SEED") ? seed : calls[i].path;
        char *what = fmt("%s %s with a revoked token", calls[i].method, path);
        r = http_auth(calls[i].method, path, token, calls[i].body);
        assert_401(r, BEARER_CHALLENGE_INVALID, what);
        http_free(r);
        free(what);
    }

    /* Nothing moved: the task as it was, both tasks still there. */
    r = with_creds("GET", one, token_of(other), NULL);
    ck_assert_status(r, 200);
    ck_assert_str_eq(r->body, before);
    http_free(r);
    r = with_creds("GET", "/api/tasks", token_of(other), NULL);
    ck_assert_status(r, 200);
    ck_assert_int_eq(json_array_size(r->json), 2);
    ck_assert_str_eq(http_header(r, "X-Total-Count"), "2");
    http_free(r);
    free(before);
    free(seed);
    free(complete);
    free(one);
    free(email);
    http_free(other);
    http_free(s);
}
END_TEST

START_TEST(logout_with_the_cookie_revokes_it)
{
    http_resp *s = new_user("logout-cookie", NULL), *r;
    char *cookie = fmt("tasks_session=%s", token_of(s));

    r = with_creds("POST", "/api/auth/logout", NULL, cookie);
    ck_assert_status(r, 204);
    ck_assert_str_eq(http_header(r, "Set-Cookie"), CLEARED_COOKIE);
    http_free(r);
    r = with_creds("GET", "/api/auth/me", NULL, cookie);
    assert_401(r, BEARER_CHALLENGE_INVALID, "me with a logged-out cookie");
    http_free(r);
    /* The same token as a bearer is refused too. */
    assert_token_refused(token_of(s), "the logged-out token as bearer");
    free(cookie);
    http_free(s);
}
END_TEST

START_TEST(logout_without_token_is_401)
{
    http_resp *r = with_creds("POST", "/api/auth/logout", NULL, NULL);

    assert_401(r, "Bearer", "logout without a token");
    ck_assert_ptr_null(http_header(r, "Set-Cookie"));
    http_free(r);
    r = with_creds("POST", "/api/auth/logout", "garbage", NULL);
    assert_401(r, BEARER_CHALLENGE_INVALID, "logout with a bad token");
    http_free(r);
}
END_TEST

/* A logged-out token stays refused for as long as it would be accepted:
 * exp plus the 30 s leeway. Here the token expires 2 s after issue; once
 * exp has passed (still inside the leeway), another user's logout purges
 * expired revocations - the first token must still be refused. */
START_TEST(logged_out_token_stays_refused_during_the_leeway)
{
    http_resp *s = new_user("revoke-leeway", NULL), *o = new_user("revoke-other", NULL), *r;
    long now = (long)time(NULL);
    char *c = fmt("{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"jti\":\"rl-%d-%ld\"}",
                  user_id_of(s), now, now + 2, (int)getpid(), random());
    char *t = sign_hs256(c);

    assert_token_accepted(t, user_id_of(s), "the short-lived token");
    r = with_creds("POST", "/api/auth/logout", t, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    while (time(NULL) <= now + 3)
        usleep(100000);
    /* exp has passed, but it is within the leeway: without the revocation
     * the token would still be accepted. */
    r = with_creds("POST", "/api/auth/logout", token_of(o), NULL);
    ck_assert_status(r, 204);
    http_free(r);
    assert_token_refused(t, "a logged-out token after exp, inside the leeway");
    free(c);
    free(t);
    http_free(s);
    http_free(o);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Throttling on BASE_URL2: TasksLoginThrottle 3 60 6 */

static void assert_throttled(const http_resp *r, const char *what)
{
    const char *ra = http_header(r, "Retry-After");
    char *end;
    long v;

    ck_assert_msg(r->status == 429, "%s: expected 429, got %ld: %s", what,
                  r->status, r->body);
    assert_problem(r, 429);
    ck_assert_msg(ra != NULL, "%s: no Retry-After", what);
    v = strtol(ra, &end, 10);
    ck_assert_msg(*ra && !*end && v > 0 && v <= 60, "%s: Retry-After \"%s\"", what, ra);
    ck_assert_ptr_null(http_header(r, "Set-Cookie"));
}

START_TEST(throttle_after_three_failures_for_one_email)
{
    char *email, *other_email, *variants[3];
    http_resp *s, *o, *r;
    int i;

    s = new_user("thr-email", &email);
    o = new_user("thr-email-other", &other_email);
    variants[0] = strdup(email);
    variants[1] = fmt("  %s", email);
    variants[2] = strdup(email);
    for (i = 0; variants[2][i]; i++)
        if (variants[2][i] >= 'a' && variants[2][i] <= 'z')
            variants[2][i] = (char)(variants[2][i] - 32);

    http_set_source("127.0.0.20");
    /* Three failures, each spelled differently: the email is one. */
    for (i = 0; i < 3; i++) {
        r = login_at(base_url2(), variants[i], "wrong password");
        assert_problem(r, 401);
        http_free(r);
    }
    r = login_at(base_url2(), email, "wrong password");
    assert_throttled(r, "4th attempt, wrong password");
    http_free(r);
    r = login_at(base_url2(), email, PASSWORD);
    assert_throttled(r, "the right password");
    http_free(r);
    /* Per email: another address is throttled for it as well ... */
    http_set_source("127.0.0.21");
    r = login_at(base_url2(), email, PASSWORD);
    assert_throttled(r, "the right password from another address");
    http_free(r);
    /* ... while another email from the first address still logs in. */
    http_set_source("127.0.0.20");
    r = login_at(base_url2(), other_email, PASSWORD);
    ck_assert_status(r, 200);
    http_free(r);
    http_set_source(NULL);
    for (i = 0; i < 3; i++)
        free(variants[i]);
    free(email);
    free(other_email);
    http_free(s);
    http_free(o);
}
END_TEST

START_TEST(throttle_after_six_failures_from_one_address)
{
    char *email;
    http_resp *s = new_user("thr-addr", &email), *r;
    int i;

    http_set_source("127.0.0.30");
    /* Six failures, each for a different email (never 3 for one). */
    for (i = 0; i < 6; i++) {
        char *e = fresh_email("thr-addr-ghost");
        r = login_at(base_url2(), e, "wrong password");
        assert_problem(r, 401);
        http_free(r);
        free(e);
    }
    r = login_at(base_url2(), email, PASSWORD);
    assert_throttled(r, "the right password from a throttled address");
    http_free(r);
    /* Another client address is not affected. */
    http_set_source("127.0.0.31");
    r = login_at(base_url2(), email, PASSWORD);
    ck_assert_status(r, 200);
    http_free(r);
    http_set_source(NULL);
    free(email);
    http_free(s);
}
END_TEST

/* Client B fails twice for an email, client A then logs in to it: B's
 * failures stay (its third failure throttles it), while A's success does
 * reset A's own. */
START_TEST(successful_login_does_not_reset_other_clients_failures)
{
    char *email;
    http_resp *s = new_user("thr-reset", &email), *r;
    int i;

    http_set_source("127.0.0.41");           /* client B */
    for (i = 0; i < 2; i++) {
        r = login_at(base_url2(), email, "wrong password");
        assert_problem(r, 401);
        http_free(r);
    }
    http_set_source("127.0.0.40");           /* client A */
    r = login_at(base_url2(), email, PASSWORD);
    ck_assert_status(r, 200);
    http_free(r);
    http_set_source("127.0.0.41");           /* B: 3rd failure, then locked */
    r = login_at(base_url2(), email, "wrong password");
    assert_problem(r, 401);
    http_free(r);
    r = login_at(base_url2(), email, PASSWORD);
    assert_throttled(r, "B after A's success");
    http_free(r);
    http_set_source(NULL);
    free(email);
    http_free(s);
}
END_TEST

START_TEST(successful_login_resets_own_failures)
{
    char *email;
    http_resp *s = new_user("thr-own", &email), *r;
    int round, i;

    http_set_source("127.0.0.45");
    /* Two failures then a success, twice: without the reset the 4th
     * failure would already be a 429. */
    for (round = 0; round < 2; round++) {
        for (i = 0; i < 2; i++) {
            r = login_at(base_url2(), email, "wrong password");
            ck_assert_msg(r->status == 401, "round %d failure %d: %ld %s",
                          round, i, r->status, r->body);
            http_free(r);
        }
        r = login_at(base_url2(), email, PASSWORD);
        ck_assert_status(r, 200);
        http_free(r);
    }
    http_set_source(NULL);
    free(email);
    http_free(s);
}
END_TEST

#define PARALLEL_FAILURES 4

struct failer {
    pthread_barrier_t *start;
    const char *email;
    long status;
};

static void *fail_login(void *arg)
{
    struct failer *f = arg;
    http_resp *r;

    pthread_barrier_wait(f->start);
    r = login_at(base_url2(), f->email, "wrong password");
    f->status = r->status;
    http_free(r);
    return NULL;
}

/* The limit holds for failures sent at once too: of 4 simultaneous wrong
 * passwords for one email (limit 3), at most 3 are even tried (401); the
 * rest are 429. Otherwise parallel requests give unlimited guesses (4, not
 * more, so that all of them get a scrypt slot at once: see RACERS). */
START_TEST(parallel_failed_logins_cannot_exceed_the_email_limit)
{
    char *email;
    http_resp *s = new_user("thr-parallel", &email), *r;
    struct failer f[PARALLEL_FAILURES];
    pthread_t th[PARALLEL_FAILURES];
    pthread_barrier_t start;
    int i, tried = 0, throttled = 0;

    http_set_source("127.0.0.70");
    pthread_barrier_init(&start, NULL, PARALLEL_FAILURES);
    for (i = 0; i < PARALLEL_FAILURES; i++) {
        f[i].start = &start;
        f[i].email = email;
        f[i].status = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, fail_login, &f[i]), 0);
    }
    for (i = 0; i < PARALLEL_FAILURES; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    for (i = 0; i < PARALLEL_FAILURES; i++) {
        ck_assert_msg(f[i].status == 401 || f[i].status == 429,
                      "attempt %d: %ld", i, f[i].status);
        tried += f[i].status == 401;
        throttled += f[i].status == 429;
    }
    ck_assert_msg(tried <= 3, "%d of %d simultaneous wrong passwords were "
                  "tried (limit 3), %d throttled", tried, PARALLEL_FAILURES,
                  throttled);
    /* Throttled attempts were never tried and do not count: the right
     * password is refused only when the limit was used up by real tries. */
    r = login_at(base_url2(), email, PASSWORD);
    if (tried == 3)
        assert_throttled(r, "the right password after 3 tried failures");
    else
        ck_assert_msg(r->status == 200, "the right password after %d tried "
                      "failures: %ld %s", tried, r->status, r->body);
    http_free(r);
    http_set_source(NULL);
    free(email);
    http_free(s);
}
END_TEST

/* The error log's lines that name client addr and carry one of the
 * login tags, written to path; their number. */
static int login_log_lines(const char *addr, const char *path)
{
    char *log = fmt("%s/error.log", getenv("STACK_DIR")), line[4096];
    char *needle = fmt("client %s\n", addr);
    FILE *in = fopen(log, "r"), *out = fopen(path, "w");
    int n = 0;

    ck_assert_msg(in != NULL, "cannot read %s", log);
    ck_assert_ptr_nonnull(out);
    while (fgets(line, sizeof line, in))
        if ((strstr(line, "TASKS0303") || strstr(line, "TASKS0304"))
            && strlen(line) > strlen(needle)
            && !strcmp(line + strlen(line) - strlen(needle), needle)) {
            fputs(line, out);
            n++;
        }
    fclose(in);
    fclose(out);
    free(log);
    free(needle);
    return n;
}

/* Failed and throttled logins are logged at notice with the client's
 * address, and the shipped fail2ban filter (conf/fail2ban) finds every
 * one of them, as Debian's fail2ban-regex reads them. */
START_TEST(failed_and_throttled_logins_are_logged_for_fail2ban)
{
    char *email, *path = fmt("%s/f2b-lines.log", getenv("STACK_DIR")), *cmd;
    char addr[32], *out = NULL;
    http_resp *s, *r;
    FILE *p;
    size_t n = 0;
    int i, lines, matched = -1, total = -1;

    snprintf(addr, sizeof addr, "127.0.0.%d", 100 + (int)(random() % 150));
    s = new_user("f2b", &email);
    http_free(s);
    http_set_source(addr);
    /* 3 failures on BASE_URL2 (TasksLoginThrottle 3 60 6), then one that
     * is throttled. */
    for (i = 0; i < 3; i++) {
        r = login_at(base_url2(), email, "wrong password");
        assert_problem(r, 401);
        http_free(r);
    }
    r = login_at(base_url2(), email, "wrong password");
    assert_throttled(r, "fourth failure");
    http_free(r);
    http_set_source(NULL);
    lines = login_log_lines(addr, path);
    ck_assert_msg(lines == 4, "%d log lines for client %s, want 3 failed + "
                  "1 throttled", lines, addr);
    cmd = fmt("fail2ban-regex %s %s/conf/fail2ban/filter.d/mod-tasks.conf 2>&1",
              path, getenv("TASKS_ROOT"));
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (getline(&out, &n, p) > 0)
        if (sscanf(out, "Lines: %d lines, %*d ignored, %d matched", &total,
                   &matched) == 2)
            break;
    pclose(p);
    ck_assert_msg(total == 4 && matched == 4, "fail2ban-regex matched %d of "
                  "%d lines", matched, total);
    free(out);
    free(cmd);
    free(path);
    free(email);
}
END_TEST

Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *su = tcase_create("signup");
    TCase *li = tcase_create("login");
    TCase *se = tcase_create("session");
    TCase *tk = tcase_create("tokens");
    TCase *lo = tcase_create("logout");
    TCase *th = tcase_create("throttle");

    tcase_set_timeout(su, 30);
    tcase_add_test(su, signup_returns_user_token_and_session_cookie);
    tcase_add_test(su, signup_without_name_gives_null_name);
    tcase_add_test(su, signup_trims_email_and_compares_case_insensitively);
    tcase_add_test(su, signup_rejects_invalid_fields_with_422);
    tcase_add_test(su, signup_counts_password_and_name_in_code_points);
    tcase_add_test(su, signup_conflict_is_409_problem);
    tcase_add_test(su, signup_is_forbidden_when_disabled);
    tcase_add_test(su, concurrent_signups_with_one_email_create_one_user);
    suite_add_tcase(s, su);

    tcase_set_timeout(li, 30);
    tcase_add_test(li, login_returns_same_body_and_cookie_as_signup);
    tcase_add_test(li, login_failures_share_one_message);
    tcase_add_test(li, login_timing_does_not_reveal_unknown_emails);
    suite_add_tcase(s, li);

    tcase_set_timeout(se, 30);
    tcase_add_test(se, me_answers_user_with_bearer);
    tcase_add_test(se, me_answers_user_with_cookie_only);
    tcase_add_test(se, bearer_wins_over_cookie);
    tcase_add_test(se, missing_token_is_401_with_bare_challenge);
    tcase_add_test(se, handler_named_in_upper_case_is_still_authenticated);
    tcase_add_test(se, bad_token_is_401_with_invalid_token_challenge);
    tcase_add_test(se, access_log_shows_user_id_of_authenticated_requests);
    suite_add_tcase(s, se);

    tcase_set_timeout(tk, 30);
    tcase_add_test(tk, handmade_token_for_a_real_user_is_accepted);
    tcase_add_test(tk, tokens_with_a_wrong_algorithm_are_refused);
    tcase_add_test(tk, tokens_with_a_wrong_signature_are_refused);
    tcase_add_test(tk, tokens_outside_their_lifetime_are_refused);
    tcase_add_test(tk, tokens_without_a_real_subject_are_refused);
    tcase_add_test(tk, malformed_tokens_are_refused);
    tcase_add_test(tk, oversized_bearer_token_is_refused_with_401_problem);
    suite_add_tcase(s, tk);

    tcase_set_timeout(lo, 30);
    tcase_add_test(lo, logout_revokes_the_token_and_clears_the_cookie);
    tcase_add_test(lo, logout_with_the_cookie_revokes_it);
    tcase_add_test(lo, revoked_token_neither_reads_nor_writes_tasks);
    tcase_add_test(lo, logout_without_token_is_401);
    tcase_add_test(lo, logged_out_token_stays_refused_during_the_leeway);
    suite_add_tcase(s, lo);

    tcase_set_timeout(th, 30);
    tcase_add_test(th, throttle_after_three_failures_for_one_email);
    tcase_add_test(th, throttle_after_six_failures_from_one_address);
    tcase_add_test(th, successful_login_does_not_reset_other_clients_failures);
    tcase_add_test(th, successful_login_resets_own_failures);
    tcase_add_test(th, parallel_failed_logins_cannot_exceed_the_email_limit);
    tcase_add_test(th, failed_and_throttled_logins_are_logged_for_fail2ban);
    suite_add_tcase(s, th);
    return s;
}
