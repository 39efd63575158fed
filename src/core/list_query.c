/* list_query.c - GET /api/tasks query parameters and the keyset cursor. */
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tasks/core/list_query.h"
#include "tasks/core/b64url.h"
#include "tasks/core/route.h"
#include "tasks/core/validate.h"

#define Q_MAX_CHARS 200
#define TAG_MAX_CHARS 50
#define TAGS_MAX 20
/* Real cursors are about 200 bytes; the cap bounds the work an attacker
 * can make us do before the MAC is checked. */
#define CURSOR_MAX_TEXT 2048
#define FINGERPRINT_BYTES 16
#define MAC_BYTES 32

/* Domain separation: this key may sign other things (tokens), and a MAC
 * made for them must never pass as a cursor MAC. */
static const char mac_context[] = "tasks-cursor:";

static const char *const sort_names[TASKS_SORT_COUNT] = {
    [TASKS_SORT_CREATED_AT] = "created_at",
    [TASKS_SORT_UPDATED_AT] = "updated_at",
    [TASKS_SORT_DUE_AT] = "due_at",
    [TASKS_SORT_PRIORITY] = "priority",
    [TASKS_SORT_TITLE] = "title",
};

static const char *const status_names[] = {
    [TASKS_STATUS_ALL] = "all",
    [TASKS_STATUS_PENDING] = "pending",
    [TASKS_STATUS_COMPLETED] = "completed",
};
#define STATUS_COUNT (int)(sizeof(status_names) / sizeof(status_names[0]))

enum {
    P_STATUS, P_Q, P_PRIORITY, P_TAG, P_DUE_BEFORE, P_DUE_AFTER, P_LIST_ID,
    P_SORT, P_ORDER, P_LIMIT, P_CURSOR, P_COUNT
};

static const char *const param_names[P_COUNT] = {
    [P_STATUS] = "status",
    [P_Q] = "q",
    [P_PRIORITY] = "priority",
    [P_TAG] = "tag",
    [P_DUE_BEFORE] = "due_before",
    [P_DUE_AFTER] = "due_after",
    [P_LIST_ID] = "list_id",
    [P_SORT] = "sort",
    [P_ORDER] = "order",
    [P_LIMIT] = "limit",
    [P_CURSOR] = "cursor",
};

/* Value of a hex digit, -1 for anything else. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes len bytes of one application/x-www-form-urlencoded component
 * into a NUL-terminated string in p: '+' is a space, '%' must be followed
 * by two hex digits. NULL when the encoding is bad, the result is not
 * valid UTF-8, or it holds a NUL (it could not travel as a C string and
 * PostgreSQL text refuses it). */
static const char *form_decode(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, len + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        }
        else if (s[i] == '%') {
            int hi, lo;

            if (len - i < 3 || (hi = hex_value(s[i + 1])) < 0
                || (lo = hex_value(s[i + 2])) < 0 || (hi | lo) == 0)
                return NULL;
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        }
        else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    if (tasks_utf8_length(out, (apr_size_t)(o - out)) < 0)
        return NULL;
    return out;
}

/* Percent-encodes s for a query string: the RFC 3986 unreserved characters
 * stay, every other byte becomes %XX, so the result survives both
 * form-decoding ('+' is encoded) and being put in a Link header. */
static const char *form_encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t len = strlen(s);
    char *out = apr_palloc(p, len * 3 + 1), *o = out;
    const unsigned char *u;

    for (u = (const unsigned char *)s; *u; u++) {
        if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z')
            || (*u >= '0' && *u <= '9') || *u == '-' || *u == '.'
            || *u == '_' || *u == '~') {
            *o++ = (char)*u;
        }
        else {
            *o++ = '%';
            *o++ = hex[*u >> 4];
            *o++ = hex[*u & 15];
        }
    }
    *o = '\0';
    return out;
}

/* The next name=value of the query at *s, decoded, and *s past it:
 * *name NULL for an empty element ("&&"); *value "" when there is no
 * '=', NULL when its encoding is bad. -1 when the name is empty or
 * badly encoded. */
static int next_param(apr_pool_t *p, const char **s, const char **name,
                      const char **value)
{
    const char *end = strchr(*s, '&'), *eq;

    if (end == NULL)
        end = *s + strlen(*s);
    *name = *value = NULL;
    if (end == *s) {
        (*s)++;
        return 0;
    }
    eq = memchr(*s, '=', (size_t)(end - *s));
    *name = form_decode(p, *s, (apr_size_t)((eq ? eq : end) - *s));
    if (*name == NULL || **name == '\0')
        return -1;
    *value = eq ? form_decode(p, eq + 1, (apr_size_t)(end - eq - 1)) : "";
    *s = *end ? end + 1 : end;
    return 0;
}

/* Index of a parameter name, -1 when unknown. */
static int param_index(const char *name)
{
    int i;

    for (i = 0; i < P_COUNT; i++)
        if (strcmp(name, param_names[i]) == 0)
            return i;
    return -1;
}

/* Index of name in names[0..n), -1 when absent. */
static int name_index(const char *const *names, int n, const char *name)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* 1 when s (valid UTF-8) has between min and max code points. */
static int chars_between(const char *s, long min, long max)
{
    long n = tasks_utf8_length(s, strlen(s));

    return n >= min && n <= max;
}

/* The ILIKE pattern matching q literally anywhere: \, % and _ are escaped
 * with a backslash, which the store names with ESCAPE '\'. */
static const char *like_pattern(apr_pool_t *p, const char *q)
{
    char *out = apr_palloc(p, strlen(q) * 2 + 3), *o = out;

    *o++ = '%';
    for (; *q; q++) {
        if (*q == '\\' || *q == '%' || *q == '_')
            *o++ = '\\';
        *o++ = *q;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* Parses the limit: decimal digits only, 1..TASKS_LIST_MAX_LIMIT. Leading
 * zeros are harmless here (the limit is not part of the fingerprint).
 * Returns the limit or -1. */
static int parse_limit(const char *s)
{
    long v = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > TASKS_LIST_MAX_LIMIT)
            return -1; /* stop before any overflow */
    }
    return v >= 1 ? (int)v : -1;
}

/* qsort comparator for an array of C strings, by bytes. */
static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* tags (n of them) as a compact JSON array in p; NULL if jansson fails. */
static const char *tags_to_json(apr_pool_t *p, const char **tags, int n)
{
    json_t *arr = json_array();
    const char *result = NULL;
    char *text;
    int i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if (json_array_append_new(arr, json_string(tags[i])) != 0)
            goto done;
    text = json_dumps(arr, JSON_COMPACT);
    if (text != NULL) {
        result = apr_pstrdup(p, text);
        free(text);
    }
done:
    json_decref(arr);
    return result;
}

/* The tags of tags_json, sorted, as an array of strings in p (empty for
 * NULL). Returns NULL when tags_json is not an array of strings: the
 * caller then falls back to the text itself, which is still stable. */
static apr_array_header_t *tags_from_json(apr_pool_t *p, const char *tags_json)
{
    apr_array_header_t *tags = apr_array_make(p, 4, sizeof(const char *));
    json_t *arr, *v;
    size_t i;

    if (tags_json == NULL)
        return tags;
    arr = json_loads(tags_json, JSON_REJECT_DUPLICATES, NULL);
    if (arr == NULL)
        return NULL;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return NULL;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            json_decref(arr);
            return NULL;
        }
        APR_ARRAY_PUSH(tags, const char *) = apr_pstrdup(p, json_string_value(v));
    }
    json_decref(arr);
    qsort(tags->elts, (size_t)tags->nelts, sizeof(const char *), cmp_strings);
    return tags;
}

/* Applies one decoded parameter to out. Returns NULL, or the name of the
 * parameter when its value is bad. tags/ntags collect distinct tags. */
static const char *apply_param(apr_pool_t *p, int k, const char *value,
                               tasks_list_query *out, const char **tags,
                               int *ntags)
{
    int i, n;

    switch (k) {
    case P_STATUS:
        if ((n = name_index(status_names, STATUS_COUNT, value)) < 0)
            return param_names[k];
        out->status = n;
        break;
    case P_Q:
        /* An empty q is refused rather than ignored: "?q=" is most likely
         * a client bug, and silently listing everything would hide it. */
        if (!chars_between(value, 1, Q_MAX_CHARS))
            return param_names[k];
        out->q = value;
        out->q_like = like_pattern(p, value);
        break;
    case P_PRIORITY:
        if ((n = tasks_priority_rank(value)) < 0)
            return param_names[k];
        out->priority = n;
        break;
    case P_TAG:
        if (!chars_between(value, 1, TAG_MAX_CHARS))
            return param_names[k];
        for (i = 0; i < *ntags; i++)
            if (strcmp(tags[i], value) == 0)
                return NULL; /* folded: AND with itself changes nothing */
        if (*ntags == TAGS_MAX)
            return param_names[k];
        tags[(*ntags)++] = value;
        break;
    case P_DUE_BEFORE:
        if ((out->due_before = tasks_rfc3339_to_utc(p, value)) == NULL)
            return param_names[k];
        break;
    case P_DUE_AFTER:
        if ((out->due_after = tasks_rfc3339_to_utc(p, value)) == NULL)
            return param_names[k];
        break;
    case P_LIST_ID:
        /* An id as a task's: canonical digits, 1..2^63-1 (so one list has
         * one spelling in a cursor's fingerprint). */
        if (!tasks_route_id_valid(value, strlen(value)))
            return param_names[k];
        out->list_id = value;
        break;
    case P_SORT:
        if ((n = name_index(sort_names, TASKS_SORT_COUNT, value)) < 0)
            return param_names[k];
        out->sort = (tasks_sort_key)n;
        break;
    case P_ORDER:
        if (strcmp(value, "asc") == 0)
            out->desc = 0;
        else if (strcmp(value, "desc") == 0)
            out->desc = 1;
        else
            return param_names[k];
        break;
    case P_LIMIT:
        if ((out->limit = parse_limit(value)) < 0)
            return param_names[k];
        break;
    case P_CURSOR:
        /* Checked later by tasks_cursor_decode, which knows user and key. */
        if (*value == '\0')
            return param_names[k];
        out->cursor = value;
        break;
    }
    return NULL;
}

/* See list_query.h. Empty pieces ("a=1&&b=2", a trailing '&') are skipped
 * as browsers produce them; a piece without '=' has the empty value. A
 * name that cannot be decoded is reported as "query". Even on failure
 * *out holds defaults plus whatever was parsed before the bad parameter. */
const char *tasks_list_query_parse(apr_pool_t *p, const char *args,
                                   tasks_list_query *out)
{
    const char *tags[TAGS_MAX];
    int seen[P_COUNT] = { 0 };
    int ntags = 0;
    const char *s = args ? args : "";

    out->status = TASKS_STATUS_ALL;
    out->q = NULL;
    out->q_like = NULL;
    out->priority = -1;
    out->tags_json = NULL;
    out->due_before = NULL;
    out->due_after = NULL;
    out->list_id = NULL;
    out->sort = TASKS_SORT_CREATED_AT;
    out->desc = 1;
    out->limit = TASKS_LIST_DEFAULT_LIMIT;
    out->cursor = NULL;

    while (*s != '\0') {
        const char *name, *value, *bad;
        int k;

        if (next_param(p, &s, &name, &value))
            return "query";
        if (!name)
            continue;
        if ((k = param_index(name)) < 0)
            return name;
        if (value == NULL)
            return param_names[k];
        if (k != P_TAG && seen[k]++)
            return param_names[k];
        if ((bad = apply_param(p, k, value, out, tags, &ntags)) != NULL)
            return bad;
    }

    if (ntags > 0) {
        /* Sorted, so that the same set always gives the same text. */
        qsort(tags, (size_t)ntags, sizeof(tags[0]), cmp_strings);
        if ((out->tags_json = tags_to_json(p, tags, ntags)) == NULL)
            return "tag";
    }
    return NULL;
}

/* Promise: see list_query.h. */
const char *tasks_reminders_query_parse(apr_pool_t *p, const char *args,
                                        const char **since,
                                        const char **until)
{
    const char *s = args ? args : "";

    *since = NULL;
    *until = NULL;
    while (*s != '\0') {
        const char *name, *value, **slot;

        if (next_param(p, &s, &name, &value))
            return "query";
        if (!name)
            continue;
        if (strcmp(name, "since") == 0)
            slot = since;
        else if (strcmp(name, "until") == 0)
            slot = until;
        else
            return name;
        if (*slot || !value || !(*slot = tasks_rfc3339_to_utc(p, value)))
            return slot == since ? "since" : "until";
    }
    return *until ? NULL : "until";
}

/* Promise: see list_query.h. */
const char *tasks_changes_query_parse(apr_pool_t *p, const char *args,
                                      const char **since, int *limit)
{
    const char *s = args ? args : "";
    int seen_limit = 0;

    *since = NULL;
    *limit = TASKS_CHANGES_DEFAULT_LIMIT;
    while (*s != '\0') {
        const char *name, *value;

        if (next_param(p, &s, &name, &value))
            return "query";
        if (!name)
            continue;
        if (strcmp(name, "since") == 0) {
            if (*since || !value || !*value)
                return "since";
            *since = value;
        }
        else if (strcmp(name, "limit") == 0) {
            if (seen_limit++ || !value || (*limit = parse_limit(value)) < 0)
                return "limit";
        }
        else {
            return name;
        }
    }
    return NULL;
}

/* The name of a sort key, NULL when out of range. */
const char *tasks_sort_name(tasks_sort_key k)
{
    if ((int)k < 0 || k >= TASKS_SORT_COUNT)
        return NULL;
    return sort_names[k];
}

/* A field of the fingerprint text: "-" for NULL, otherwise the length
 * before the bytes, so that no two different queries serialise alike
 * whatever characters their strings hold. */
static const char *fp_field(apr_pool_t *p, const char *name, const char *v)
{
    if (v == NULL)
        return apr_pstrcat(p, name, "-\n", NULL);
    return apr_psprintf(p, "%s%" APR_SIZE_T_FMT ":%s\n", name, strlen(v), v);
}

/* See list_query.h. The digest is a truncated SHA-256 of a versioned,
 * length-prefixed serialisation; tags are sorted so their order in the
 * query does not matter; desc is normalised to 0/1. 128 bits are plenty:
 * the fingerprint is an equality check inside a MAC-protected cursor,
 * not a secret. */
const char *tasks_list_query_fingerprint(apr_pool_t *p,
                                         const tasks_list_query *q)
{
    apr_array_header_t *parts = apr_array_make(p, 16, sizeof(const char *));
    apr_array_header_t *tags = tags_from_json(p, q->tags_json);
    unsigned char md[SHA256_DIGEST_LENGTH];
    const char *text;
    int i;

    APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(p,
        "tasks-list-v1\nstatus=%d\npriority=%d\nsort=%d\ndesc=%d\n",
        q->status, q->priority, (int)q->sort, q->desc != 0);
    APR_ARRAY_PUSH(parts, const char *) = fp_field(p, "q=", q->q);
    APR_ARRAY_PUSH(parts, const char *) = fp_field(p, "due_before=",
                                                   q->due_before);
    APR_ARRAY_PUSH(parts, const char *) = fp_field(p, "due_after=",
                                                   q->due_after);
    /* Only when set: a query without one keeps the fingerprint it had
     * before lists, and so do its cursors. */
    if (q->list_id != NULL)
        APR_ARRAY_PUSH(parts, const char *) = fp_field(p, "list_id=", q->list_id);
    if (tags != NULL) {
        APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(p, "tags=%d\n",
                                                           tags->nelts);
        for (i = 0; i < tags->nelts; i++)
            APR_ARRAY_PUSH(parts, const char *) =
                fp_field(p, "tag=", APR_ARRAY_IDX(tags, i, const char *));
    }
    else {
        APR_ARRAY_PUSH(parts, const char *) = fp_field(p, "tags_json=",
                                                       q->tags_json);
    }
    text = apr_array_pstrcat(p, parts, 0);
    SHA256((const unsigned char *)text, strlen(text), md);
    return tasks_b64url_encode(p, md, FINGERPRINT_BYTES);
}

/* HMAC-SHA256 with k over mac_context, then kid and a '.' when kid is
 * not NULL, then payload, into md. Returns 0, or -1 when k is not usable
 * or OpenSSL fails. A cursor without a kid (made before keys had kids)
 * was signed over mac_context and payload alone; a payload never holds a
 * '.', so the two forms can never be taken for one another. */
static int cursor_mac(apr_pool_t *p, const tasks_key *k, const char *kid,
                      const char *payload, unsigned char md[MAC_BYTES])
{
    const char *data = kid ? apr_pstrcat(p, mac_context, kid, ".", payload, NULL)
                           : apr_pstrcat(p, mac_context, payload, NULL);

    return tasks_key_hmac(k, data, strlen(data), md);
}

/* Non-zero when mac (mac_len bytes) is the MAC k makes over kid and
 * payload; the comparison takes constant time. */
static int cursor_mac_ok(apr_pool_t *p, const tasks_key *k, const char *kid,
                         const char *payload, const unsigned char *mac,
                         apr_size_t mac_len)
{
    unsigned char expected[MAC_BYTES];
    int ok = mac_len == MAC_BYTES && cursor_mac(p, k, kid, payload, expected) == 0
             && CRYPTO_memcmp(mac, expected, MAC_BYTES) == 0;

    OPENSSL_cleanse(expected, sizeof(expected));
    return ok;
}

/* A signed token: "kid.payload.mac", the payload the base64url text of
 * {"u": user, "f": what it is for, "v": value or null, "i": id}. NULL
 * when an argument is missing, there is no usable key, a string is not
 * valid UTF-8 (JSON could not carry it), OpenSSL/jansson fail, or the
 * token would be longer than open_token takes. */
static const char *seal_token(apr_pool_t *p, const tasks_keyring *keys,
                              const char *user_id, const char *f,
                              const char *value, const char *id)
{
    unsigned char md[MAC_BYTES];
    const tasks_key *signer = tasks_keyring_signer(keys);
    const char *payload, *kid;
    json_t *obj;
    char *json;

    if (signer == NULL || user_id == NULL || f == NULL || id == NULL)
        return NULL;
    obj = json_pack("{s:s, s:s, s:s?, s:s}", "u", user_id, "f", f,
                    "v", value, "i", id);
    if (obj == NULL)
        return NULL;
    json = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (json == NULL)
        return NULL;
    payload = tasks_b64url_encode(p, (const unsigned char *)json, strlen(json));
    free(json);
    kid = tasks_key_kid(p, signer);
    if (cursor_mac(p, signer, kid, payload, md) != 0)
        return NULL;
    payload = apr_pstrcat(p, kid, ".", payload, ".",
                          tasks_b64url_encode(p, md, MAC_BYTES), NULL);
    /* Never a token that open_token refuses for its length (the longest
     * real cursor, a 200-character title of control characters and a
     * 64-character kid, is about 1850 bytes). */
    return strlen(payload) <= CURSOR_MAX_TEXT ? payload : NULL;
}

/* A token seal_token made for user_id and f: 0 with *value (NULL for
 * null) and *id in p, else -1. The MAC is checked (in constant time)
 * before the payload is even base64-decoded, so nothing an attacker
 * forges reaches the JSON parser. "kid.payload.mac" is checked with the
 * key kid names only; "payload.mac" (made before keys had kids) with
 * each key in turn, at most TASKS_KEYS_MAX. The payload must be exactly
 * {u, f, v, i}. */
static int open_token(apr_pool_t *p, const tasks_keyring *keys,
                      const char *user_id, const char *f_expected,
                      const char *text, const char **value, const char **id)
{
    unsigned char *mac, *raw;
    apr_size_t text_len, mac_len, raw_len;
    const char *dot, *dot2, *payload, *kid = NULL, *u, *f, *i;
    const tasks_key *k;
    json_t *obj, *v;
    int rc = -1, n, ok = 0;

    if (text == NULL || keys == NULL || user_id == NULL || f_expected == NULL)
        return -1;
    text_len = strlen(text);
    if (text_len > CURSOR_MAX_TEXT)
        return -1;
    dot = strchr(text, '.');
    if (dot == NULL || dot == text)
        return -1;
    dot2 = strchr(dot + 1, '.');
    if (dot2 != NULL) {             /* kid.payload.mac */
        if (dot2 == dot + 1 || strchr(dot2 + 1, '.') != NULL
            || !tasks_kid_valid(text, (apr_size_t)(dot - text)))
            return -1;
        kid = apr_pstrmemdup(p, text, (apr_size_t)(dot - text));
        payload = apr_pstrmemdup(p, dot + 1, (apr_size_t)(dot2 - dot - 1));
        dot = dot2;
    }
    else
        payload = apr_pstrmemdup(p, text, (apr_size_t)(dot - text));
    if (tasks_b64url_decode(p, dot + 1, strlen(dot + 1), &mac, &mac_len) != 0
        || mac_len != MAC_BYTES)
        return -1;
    if (kid != NULL) {
        k = tasks_keyring_find(p, keys, kid, strlen(kid));
        ok = k != NULL && cursor_mac_ok(p, k, kid, payload, mac, mac_len);
    }
    else {
        for (n = 0; n < keys->n && n < TASKS_KEYS_MAX && !ok; n++)
            ok = tasks_key_usable(&keys->keys[n])
                 && cursor_mac_ok(p, &keys->keys[n], NULL, payload, mac,
                                  mac_len);
    }
    if (!ok)
        return -1;
    if (tasks_b64url_decode(p, payload, strlen(payload), &raw, &raw_len) != 0)
        return -1;

    obj = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    if (obj == NULL)
        return -1;
    if (!json_is_object(obj) || json_object_size(obj) != 4)
        goto done;
    u = json_string_value(json_object_get(obj, "u"));
    f = json_string_value(json_object_get(obj, "f"));
    i = json_string_value(json_object_get(obj, "i"));
    v = json_object_get(obj, "v");
    if (u == NULL || f == NULL || i == NULL || v == NULL
        || (!json_is_string(v) && !json_is_null(v)))
        goto done;
    if (strcmp(u, user_id) != 0 || strcmp(f, f_expected) != 0)
        goto done;
    *id = apr_pstrdup(p, i);
    *value = json_is_string(v) ? apr_pstrdup(p, json_string_value(v)) : NULL;
    rc = 0;
done:
    json_decref(obj);
    return rc;
}

/* See list_query.h. */
const char *tasks_cursor_encode(apr_pool_t *p, const tasks_keyring *keys,
                                const char *user_id,
                                const tasks_list_query *q,
                                const tasks_cursor *c)
{
    if (q == NULL || c == NULL)
        return NULL;
    return seal_token(p, keys, user_id, tasks_list_query_fingerprint(p, q),
                      c->value, c->id);
}

/* See list_query.h. The id must be a task id in canonical form. */
int tasks_cursor_decode(apr_pool_t *p, const tasks_keyring *keys,
                        const char *user_id, const tasks_list_query *q,
                        const char *text, tasks_cursor *c)
{
    const char *value, *id;

    if (q == NULL || c == NULL
        || open_token(p, keys, user_id, tasks_list_query_fingerprint(p, q),
                      text, &value, &id) != 0
        || !tasks_route_id_valid(id, strlen(id)))
        return -1;
    c->id = id;
    c->value = value;
    return 0;
}

/* What a changes token is for (never a list query's fingerprint, which
 * is a query string). */
#define CHANGES_TOKEN "changes feed"

/* See list_query.h. */
const char *tasks_changes_token_encode(apr_pool_t *p,
                                       const tasks_keyring *keys,
                                       const char *user_id, long long seq,
                                       long long issued_at)
{
    if (seq < 0 || issued_at < 0)
        return NULL;
    return seal_token(p, keys, user_id, CHANGES_TOKEN,
                      apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)issued_at),
                      apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)seq));
}

/* Non-negative decimal digits that fit 63 bits, in *out; -1 otherwise. */
static int whole_number(const char *s, long long *out)
{
    long long v = 0;

    if (!s || !*s || strlen(s) > 18)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

/* See list_query.h. */
int tasks_changes_token_decode(apr_pool_t *p, const tasks_keyring *keys,
                               const char *user_id, const char *text,
                               long long *seq, long long *issued_at)
{
    const char *value, *id;

    if (open_token(p, keys, user_id, CHANGES_TOKEN, text, &value, &id) != 0
        || whole_number(id, seq) != 0 || whole_number(value, issued_at) != 0)
        return -1;
    return 0;
}

/* See list_query.h. Parameters come in a fixed order and defaults are
 * left out, so that one query has one spelling; parsing the result gives
 * back a query with the same fingerprint. */
const char *tasks_list_query_next_args(apr_pool_t *p,
                                       const tasks_list_query *q,
                                       const char *cursor)
{
    apr_array_header_t *parts = apr_array_make(p, 12, sizeof(const char *));
    apr_array_header_t *tags = tags_from_json(p, q->tags_json);
    int i;

    if (q->status > TASKS_STATUS_ALL && q->status < STATUS_COUNT)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "status=", status_names[q->status], NULL);
    if (q->q != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "q=", form_encode(p, q->q), NULL);
    if (q->priority >= 0)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "priority=", tasks_priority_name(q->priority), NULL);
    for (i = 0; tags != NULL && i < tags->nelts; i++)
        APR_ARRAY_PUSH(parts, const char *) = apr_pstrcat(p, "tag=",
            form_encode(p, APR_ARRAY_IDX(tags, i, const char *)), NULL);
    if (q->due_before != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "due_before=", form_encode(p, q->due_before), NULL);
    if (q->due_after != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "due_after=", form_encode(p, q->due_after), NULL);
    if (q->list_id != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "list_id=", q->list_id, NULL);
    if (q->sort != TASKS_SORT_CREATED_AT && tasks_sort_name(q->sort) != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "sort=", tasks_sort_name(q->sort), NULL);
    if (!q->desc)
        APR_ARRAY_PUSH(parts, const char *) = "order=asc";
    APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(p, "limit=%d", q->limit);
    if (cursor != NULL)
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(p, "cursor=", form_encode(p, cursor), NULL);
    return apr_array_pstrcat(p, parts, '&');
}
