/* test_caldav.c - the CalDAV front end through the real httpd and
 * PostgreSQL, request by request: discovery, the Basic sign-in, the
 * preconditions, refusals that write nothing, isolation, and
 * sync-collection. The real clients (python3-caldav, vdirsyncer and
 * todoman, tsdav) have a suite of their own: tests/caldav/. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

/* A person with an app password: the Authorization header that signs a
 * CalDAV client in, and their calendar home. */
typedef struct {
    user u;
    char *email;
    char *auth;                 /* "Authorization: Basic ..." */
    char *home;                 /* /api/dav/<id>/ */
    long long inbox;
} dav_user;

static char *base64(const char *s)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), i, o = 0;
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;

        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static char *basic_header(const char *email, const char *password)
{
    char *pair = fmt("%s:%s", email, password), *b = base64(pair);
    char *h = fmt("Authorization: Basic %s", b);

    free(pair);
    free(b);
    return h;
}

static dav_user dav_sign_up(const char *prefix)
{
    dav_user d;
    json_t *me, *pw, *lists;

    d.u = user_sign_up(prefix);
    me = http_json("GET", "/api/auth/me", d.u.tok, NULL, 200);
    d.email = strdup(jstr(json_object_get(me, "user"), "email"));
    pw = http_json("POST", "/api/auth/app-passwords", d.u.tok,
                   "{\"name\":\"CalDAV test\"}", 201);
    d.auth = basic_header(d.email, jstr(pw, "password"));
    d.home = fmt("/api/dav/%s/", d.u.id);
    lists = http_json("GET", "/api/lists", d.u.tok, NULL, 200);
    d.inbox = jint(json_array_get(lists, 0), "id");
    json_decref(lists);
    json_decref(pw);
    json_decref(me);
    return d;
}

static void dav_user_free(dav_user *d)
{
    free(d->email);
    free(d->auth);
    free(d->home);
    user_free(&d->u);
}

/* A CalDAV request as d (NULL: anonymous), with an extra header or two. */
static http_resp *dav(const dav_user *d, const char *method, const char *url,
                      const char *body, const char *extra1, const char *extra2)
{
    const char *hs[5];
    int n = 0;

    if (d)
        hs[n++] = d->auth;
    if (body && !(extra1 && !strncasecmp(extra1, "Content-Type:", 13)))
        hs[n++] = body[0] == '<' ? "Content-Type: application/xml"
                                 : "Content-Type: text/calendar; charset=utf-8";
    if (extra1)
        hs[n++] = extra1;
    if (extra2)
        hs[n++] = extra2;
    hs[n] = NULL;
    return http(method, url, body, hs);
}

static char *item_url(const dav_user *d, long long list, const char *name)
{
    return fmt("%s%lld/%s", d->home, list, name);
}

/* A VCALENDAR with one VTODO: uid, summary and extra content lines. */
static char *vtodo(const char *uid, const char *summary, const char *extra)
{
    return fmt("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
               "BEGIN:VTODO\r\nUID:%s\r\nDTSTAMP:20261201T100000Z\r\n"
               "SUMMARY:%s\r\n%sEND:VTODO\r\nEND:VCALENDAR\r\n",
               uid, summary, extra ? extra : "");
}

static char *count_tasks(const dav_user *d)
{
    char *sql = fmt("SELECT count(*) FROM tasks WHERE user_id = '%s';", d->u.id);
    char *n = db_query(sql);

    free(sql);
    return n;
}

START_TEST(well_known_caldav_redirects_to_the_dav_root)
{
    http_resp *r = http("GET", "/.well-known/caldav", NULL, NULL);

    ck_assert_status(r, 301);
    ck_assert_str_eq(http_header(r, "Location"), "/api/dav/");
    http_free(r);
}
END_TEST

START_TEST(options_advertises_calendar_access_without_credentials)
{
    http_resp *r = dav(NULL, "OPTIONS", "/api/dav/", NULL, NULL, NULL);

    ck_assert_status(r, 200);
    ck_assert_str_eq(http_header(r, "DAV"), "1, 3, calendar-access");
    ck_assert_ptr_nonnull(strstr(http_header(r, "Allow"), "REPORT"));
    http_free(r);
}
END_TEST

START_TEST(without_credentials_a_basic_challenge)
{
    http_resp *r = dav(NULL, "PROPFIND", "/api/dav/", NULL, "Depth: 0", NULL);

    ck_assert_status(r, 401);
    ck_assert_ptr_nonnull(http_header(r, "WWW-Authenticate"));
    ck_assert_int_eq(strncmp(http_header(r, "WWW-Authenticate"), "Basic ", 6), 0);
    http_free(r);
}
END_TEST

START_TEST(the_accounts_own_password_is_refused_over_basic)
{
    dav_user d = dav_sign_up("dav-own-pw");
    char *own = basic_header(d.email, "correct horse battery");
    const char *hs[] = { own, "Depth: 0", NULL };
    http_resp *r = http("PROPFIND", d.home, NULL, hs);

    ck_assert_status(r, 401);
    http_free(r);
    free(own);
    dav_user_free(&d);
}
END_TEST

START_TEST(another_auth_scheme_gets_the_basic_challenge)
{
    const char *hs[] = { "Authorization: Digest username=\"x\"", "Depth: 0", NULL };
    http_resp *r = http("PROPFIND", "/api/dav/", NULL, hs);

    ck_assert_status(r, 401);
    ck_assert_int_eq(strncmp(http_header(r, "WWW-Authenticate"), "Basic ", 6), 0);
    http_free(r);
}
END_TEST

START_TEST(a_revoked_app_password_is_refused_at_the_next_request)
{
    dav_user d = dav_sign_up("dav-revoked");
    json_t *list = http_json("GET", "/api/auth/app-passwords", d.u.tok, NULL, 200);
    char *url = fmt("/api/auth/app-passwords/%lld", jint(json_array_get(list, 0), "id"));
    http_resp *r = dav(&d, "PROPFIND", d.home, NULL, "Depth: 0", NULL);

    ck_assert_status(r, 207);
    http_free(r);
    r = http_auth("DELETE", url, d.u.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = dav(&d, "PROPFIND", d.home, NULL, "Depth: 0", NULL);
    ck_assert_status(r, 401);
    ck_assert_int_eq(strncmp(http_header(r, "WWW-Authenticate"), "Basic ", 6), 0);
    http_free(r);
    free(url);
    json_decref(list);
    dav_user_free(&d);
}
END_TEST

START_TEST(the_root_names_the_callers_principal_and_home)
{
    dav_user d = dav_sign_up("dav-discover");
    const char *body = "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\""
        " xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><d:prop>"
        "<d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>";
    http_resp *r = dav(&d, "PROPFIND", "/api/dav/", body, "Depth: 0", NULL);
    char *want = fmt("<D:current-user-principal><D:href>%s</D:href>", d.home);
    char *home = fmt("<C:calendar-home-set><D:href>%s</D:href>", d.home);

    ck_assert_status(r, 207);
    ck_assert_ptr_nonnull(strstr(r->body, want));
    ck_assert_ptr_nonnull(strstr(r->body, home));
    free(want);
    free(home);
    http_free(r);
    dav_user_free(&d);
}
END_TEST

START_TEST(the_home_holds_each_list_as_a_task_calendar)
{
    dav_user d = dav_sign_up("dav-home");
    json_t *list = http_json("POST", "/api/lists", d.u.tok, "{\"name\":\"Errands\"}", 201);
    const char *body = "<d:propfind xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
        "<d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/>"
        "</d:prop></d:propfind>";
    http_resp *r = dav(&d, "PROPFIND", d.home, body, "Depth: 1", NULL);
    char *inbox = fmt("<D:href>%s%lld/</D:href><D:propstat><D:prop><D:resourcetype>"
                      "<D:collection/><C:calendar/></D:resourcetype><D:displayname>Inbox",
                      d.home, d.inbox);
    char *errands = fmt("<D:href>%s%lld/</D:href><D:propstat><D:prop><D:resourcetype>"
                        "<D:collection/><C:calendar/></D:resourcetype><D:displayname>Errands",
                        d.home, jint(list, "id"));

    ck_assert_status(r, 207);
    ck_assert_ptr_nonnull(strstr(r->body, inbox));
    ck_assert_ptr_nonnull(strstr(r->body, errands));
    ck_assert_ptr_nonnull(strstr(r->body, "<C:comp name=\"VTODO\"/>"));
    free(inbox);
    free(errands);
    http_free(r);
    json_decref(list);
    dav_user_free(&d);
}
END_TEST

START_TEST(a_put_task_keeps_the_clients_name_and_uid)
{
    dav_user d = dav_sign_up("dav-put");
    char *url = item_url(&d, d.inbox, "a%20name.ics");
    char *body = vtodo("uid-not-the-name@example.com", "Call the bank", NULL);
    http_resp *r = dav(&d, "PUT", url, body, "If-None-Match: *", NULL);
    json_t *tasks;
    char *etag;

    ck_assert_status(r, 201);
    http_free(r);
    r = dav(&d, "GET", url, NULL, NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "\r\nUID:uid-not-the-name@example.com\r\n"));
    ck_assert_ptr_nonnull(strstr(r->body, "\r\nSUMMARY:Call the bank\r\n"));
    tasks = http_json("GET", "/api/tasks", d.u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(tasks), 1);
    ck_assert_str_eq(jstr(json_array_get(tasks, 0), "title"), "Call the bank");
    /* The ETag is the task's, as the JSON API gives it. */
    etag = fmt("\"%lld.1\"", jint(json_array_get(tasks, 0), "id"));
    ck_assert_str_eq(http_header(r, "ETag"), etag);
    free(etag);
    json_decref(tasks);
    http_free(r);
    free(url);
    free(body);
    dav_user_free(&d);
}
END_TEST

START_TEST(properties_without_a_field_come_back_as_sent)
{
    dav_user d = dav_sign_up("dav-keep");
    char *url = item_url(&d, d.inbox, "kept.ics");
    const char *extra =
        "X-APPLE-SORT-ORDER:12\r\n"
        "RELATED-TO;RELTYPE=PARENT:parent-uid\r\n"
        "GEO:48.85;2.35\r\n"
        "BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n";
    char *body = vtodo("kept-uid", "Keep my extras", extra);
    http_resp *r = dav(&d, "PUT", url, body, NULL, NULL);

    ck_assert_status(r, 201);
    http_free(r);
    r = dav(&d, "GET", url, NULL, NULL, NULL);
    ck_assert_status(r, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "\r\nX-APPLE-SORT-ORDER:12\r\n"));
    ck_assert_ptr_nonnull(strstr(r->body, "\r\nRELATED-TO;RELTYPE=PARENT:parent-uid\r\n"));
    ck_assert_ptr_nonnull(strstr(r->body, "\r\nGEO:48.85;2.35\r\n"));
    ck_assert_ptr_nonnull(strstr(r->body, "BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n"));
    http_free(r);
    free(url);
    free(body);
    dav_user_free(&d);
}
END_TEST

START_TEST(a_broken_field_rule_is_403_valid_calendar_data_and_nothing_written)
{
    dav_user d = dav_sign_up("dav-403");
    char long_title[302];
    char *url = item_url(&d, d.inbox, "long.ics"), *body, *n;
    http_resp *r;

    memset(long_title, 'x', 300);
    long_title[300] = '\0';
    body = vtodo("long-uid", long_title, NULL);
    r = dav(&d, "PUT", url, body, NULL, NULL);
    ck_assert_status(r, 403);
    ck_assert_ptr_nonnull(strstr(r->body, "<C:valid-calendar-data/>"));
    ck_assert_ptr_nonnull(strstr(r->body, "title"));
    http_free(r);
    n = count_tasks(&d);
    ck_assert_str_eq(n, "0");
    free(n);
    free(url);
    free(body);
    dav_user_free(&d);
}
END_TEST

START_TEST(a_vevent_is_403_supported_calendar_component)
{
    dav_user d = dav_sign_up("dav-vevent");
    char *url = item_url(&d, d.inbox, "event.ics"), *n;
    const char *body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20261201T100000Z\r\n"
        "DTSTART:20261201T100000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    http_resp *r = dav(&d, "PUT", url, body, NULL, NULL);

    ck_assert_status(r, 403);
    ck_assert_ptr_nonnull(strstr(r->body, "<C:supported-calendar-component/>"));
    http_free(r);
    n = count_tasks(&d);
    ck_assert_str_eq(n, "0");
    free(n);
    free(url);
    dav_user_free(&d);
}
END_TEST

START_TEST(if_none_match_star_on_an_existing_task_is_412)
{
    dav_user d = dav_sign_up("dav-inm");
    char *url = item_url(&d, d.inbox, "once.ics");
    char *one = vtodo("once", "First", NULL), *two = vtodo("once", "Second", NULL);
    http_resp *r = dav(&d, "PUT", url, one, "If-None-Match: *", NULL);
    json_t *tasks;

    ck_assert_status(r, 201);
    http_free(r);
    r = dav(&d, "PUT", url, two, "If-None-Match: *", NULL);
    ck_assert_status(r, 412);
    http_free(r);
    tasks = http_json("GET", "/api/tasks", d.u.tok, NULL, 200);
    ck_assert_str_eq(jstr(json_array_get(tasks, 0), "title"), "First");
    json_decref(tasks);
    free(one);
    free(two);
    free(url);
    dav_user_free(&d);
}
END_TEST

START_TEST(a_stale_if_match_is_412_and_a_current_one_writes)
{
    dav_user d = dav_sign_up("dav-im");
    char *url = item_url(&d, d.inbox, "edit.ics");
    char *one = vtodo("edit", "First", NULL), *two = vtodo("edit", "Second", NULL);
    char *stale, *current;
    http_resp *r = dav(&d, "PUT", url, one, NULL, NULL);
    json_t *tasks;
    long long id;

    ck_assert_status(r, 201);
    http_free(r);
    tasks = http_json("GET", "/api/tasks", d.u.tok, NULL, 200);
    id = jint(json_array_get(tasks, 0), "id");
    json_decref(tasks);
    stale = fmt("If-Match: \"%lld.7\"", id);
    current = fmt("If-Match: \"%lld.1\"", id);
    r = dav(&d, "PUT", url, two, stale, NULL);
    ck_assert_status(r, 412);
    http_free(r);
    r = dav(&d, "GET", url, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(r->body, "SUMMARY:First\r\n"));
    http_free(r);
    r = dav(&d, "PUT", url, two, current, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    r = dav(&d, "GET", url, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(r->body, "SUMMARY:Second\r\n"));
    http_free(r);
    free(stale);
    free(current);
    free(one);
    free(two);
    free(url);
    dav_user_free(&d);
}
END_TEST

START_TEST(one_uid_at_another_name_is_409_no_uid_conflict)
{
    dav_user d = dav_sign_up("dav-uid");
    char *a = item_url(&d, d.inbox, "a.ics"), *b = item_url(&d, d.inbox, "b.ics");
    char *body = vtodo("same-uid", "Once", NULL), *n;
    http_resp *r = dav(&d, "PUT", a, body, NULL, NULL);

    ck_assert_status(r, 201);
    http_free(r);
    r = dav(&d, "PUT", b, body, NULL, NULL);
    ck_assert_status(r, 409);
    ck_assert_ptr_nonnull(strstr(r->body, "<C:no-uid-conflict><D:href>"));
    ck_assert_ptr_nonnull(strstr(r->body, a));
    http_free(r);
    n = count_tasks(&d);
    ck_assert_str_eq(n, "1");
    free(n);
    free(body);
    free(a);
    free(b);
    dav_user_free(&d);
}
END_TEST

START_TEST(one_uid_in_two_lists_and_a_move_that_meets_it)
{
    dav_user d = dav_sign_up("dav-uid-move");
    json_t *other = http_json("POST", "/api/lists", d.u.tok, "{\"name\":\"Other\"}", 201);
    char *a = item_url(&d, d.inbox, "a.ics"), *b = item_url(&d, jint(other, "id"), "b.ics");
    char *body = vtodo("same-uid", "Twice", NULL), *sql, *uids, *patch, *url;
    http_resp *r = dav(&d, "PUT", a, body, NULL, NULL);

    ck_assert_status(r, 201);
    http_free(r);
    /* Another collection may hold the UID (a client moving a task PUTs
     * it there before it deletes the old one). */
    r = dav(&d, "PUT", b, body, NULL, NULL);
    ck_assert_status(r, 201);
    http_free(r);
    /* The app moves the second into the first's list: it takes a fresh
     * UID and name there rather than failing. */
    sql = fmt("SELECT '/api/tasks/' || id FROM tasks WHERE user_id = '%s' AND list_id = %lld;",
              d.u.id, jint(other, "id"));
    url = db_query(sql);
    free(sql);
    patch = fmt("{\"list_id\":%lld}", d.inbox);
    json_decref(http_json("PATCH", url, d.u.tok, patch, 200));
    /* Two tasks in the Inbox: the first as it was, the moved one with
     * neither the UID nor its old name. */
    sql = fmt("SELECT count(*) || ' ' || count(*) FILTER (WHERE dav_uid = 'same-uid'"
              " AND dav_name = 'a.ics') || ' ' || count(*) FILTER (WHERE dav_uid = 'same-uid'"
              " OR dav_name = 'b.ics') FROM tasks WHERE user_id = '%s' AND list_id = %lld;",
              d.u.id, d.inbox);
    uids = db_query(sql);
    ck_assert_str_eq(uids, "2 1 1");
    free(uids);
    free(sql);
    free(url);
    free(patch);
    free(body);
    free(a);
    free(b);
    json_decref(other);
    dav_user_free(&d);
}
END_TEST

START_TEST(another_persons_paths_are_not_found)
{
    dav_user a = dav_sign_up("dav-iso-a"), b = dav_sign_up("dav-iso-b");
    char *url = item_url(&a, a.inbox, "mine.ics");
    char *body = vtodo("mine", "Private", NULL), *coll = fmt("%s%lld/", a.home, a.inbox);
    char *b_in_a = item_url(&a, b.inbox, "x.ics");
    http_resp *r = dav(&a, "PUT", url, body, NULL, NULL);

    ck_assert_status(r, 201);
    http_free(r);
    /* b, signed in, on a's home, collection and task. */
    r = dav(&b, "PROPFIND", a.home, NULL, "Depth: 1", NULL);
    ck_assert_status(r, 404);
    http_free(r);
    r = dav(&b, "PROPFIND", coll, NULL, "Depth: 1", NULL);
    ck_assert_status(r, 404);
    http_free(r);
    r = dav(&b, "GET", url, NULL, NULL, NULL);
    ck_assert_status(r, 404);
    http_free(r);
    r = dav(&b, "DELETE", url, NULL, NULL, NULL);
    ck_assert_status(r, 404);
    http_free(r);
    /* a naming b's list under a's own home: no such collection of a's. */
    r = dav(&a, "PUT", b_in_a, body, NULL, NULL);
    ck_assert_status(r, 409);
    http_free(r);
    r = dav(&a, "GET", url, NULL, NULL, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    free(url);
    free(body);
    free(coll);
    free(b_in_a);
    dav_user_free(&a);
    dav_user_free(&b);
}
END_TEST

START_TEST(a_json_edit_shows_in_caldav_with_the_same_etag)
{
    dav_user d = dav_sign_up("dav-json");
    long long id = make_task(d.u.tok, "{\"title\":\"From the app\"}");
    char *patch_url = fmt("/api/tasks/%lld", id);
    json_t *t = http_json("PATCH", patch_url, d.u.tok, "{\"title\":\"Renamed\"}", 200);
    const char *body = "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:getetag/></d:prop></d:propfind>";
    char *etag = fmt("<D:getetag>\"%lld.2\"</D:getetag>", id);
    char *coll = fmt("%s%lld/", d.home, d.inbox);
    http_resp *r = dav(&d, "PROPFIND", coll, body, "Depth: 1", NULL);

    ck_assert_status(r, 207);
    ck_assert_ptr_nonnull(strstr(r->body, etag));
    http_free(r);
    json_decref(t);
    free(etag);
    free(coll);
    free(patch_url);
    dav_user_free(&d);
}
END_TEST

/* The hrefs of a multistatus, one per line, and its sync-token. */
static int has_response(const char *body, const char *href, const char *status)
{
    char *want = fmt("<D:href>%s</D:href>", href);
    const char *at = strstr(body, want), *end;
    int ok = 0;

    if (at && (end = strstr(at, "</D:response>"))) {
        const char *st = strstr(at, status);

        ok = st && st < end;
    }
    free(want);
    return ok;
}

static char *sync_token_of(const char *body)
{
    const char *s = strstr(body, "<D:sync-token>"), *e;

    if (!s)
        return NULL;
    s += strlen("<D:sync-token>");
    e = strstr(s, "</D:sync-token>");
    return e ? strndup(s, (size_t)(e - s)) : NULL;
}

static http_resp *sync_report(const dav_user *d, long long list, const char *token)
{
    char *coll = fmt("%s%lld/", d->home, list);
    char *body = fmt("<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>%s</d:sync-token>"
                     "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>"
                     "</d:sync-collection>", token ? token : "");
    http_resp *r = dav(d, "REPORT", coll, body, NULL, NULL);

    free(coll);
    free(body);
    return r;
}

START_TEST(sync_collection_reports_changes_deletions_and_moves)
{
    dav_user d = dav_sign_up("dav-sync");
    json_t *other = http_json("POST", "/api/lists", d.u.tok, "{\"name\":\"Other\"}", 201);
    long long keep = make_task(d.u.tok, "{\"title\":\"keep\"}");
    long long edit = make_task(d.u.tok, "{\"title\":\"edit\"}");
    long long drop = make_task(d.u.tok, "{\"title\":\"drop\"}");
    long long move = make_task(d.u.tok, "{\"title\":\"move\"}");
    char *names[4], *token, *url, *body;
    long long ids[4] = { keep, edit, drop, move };
    http_resp *r = sync_report(&d, d.inbox, NULL);
    int i;

    ck_assert_status(r, 207);
    token = sync_token_of(r->body);
    ck_assert_ptr_nonnull(token);
    for (i = 0; i < 4; i++) {
        char *sql = fmt("SELECT dav_name FROM tasks WHERE id = %lld;", ids[i]);

        names[i] = db_query(sql);
        free(sql);
        url = item_url(&d, d.inbox, names[i]);
        ck_assert_msg(has_response(r->body, url, "200 OK"), "%s in %s", url, r->body);
        free(url);
    }
    http_free(r);
    url = fmt("/api/tasks/%lld", edit);
    json_decref(http_json("PATCH", url, d.u.tok, "{\"title\":\"edited\"}", 200));
    free(url);
    url = fmt("/api/tasks/%lld", drop);
    r = http_auth("DELETE", url, d.u.tok, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    free(url);
    url = fmt("/api/tasks/%lld", move);
    body = fmt("{\"list_id\":%lld}", jint(other, "id"));
    json_decref(http_json("PATCH", url, d.u.tok, body, 200));
    free(body);
    free(url);

    r = sync_report(&d, d.inbox, token);
    ck_assert_status(r, 207);
    url = item_url(&d, d.inbox, names[0]);
    ck_assert_ptr_null(strstr(r->body, url));       /* unchanged: absent */
    free(url);
    url = item_url(&d, d.inbox, names[1]);
    ck_assert(has_response(r->body, url, "200 OK"));
    free(url);
    url = item_url(&d, d.inbox, names[2]);
    ck_assert(has_response(r->body, url, "404 Not Found"));
    free(url);
    url = item_url(&d, d.inbox, names[3]);
    ck_assert(has_response(r->body, url, "404 Not Found"));
    free(url);
    http_free(r);
    /* The moved task arrives in the other list. */
    r = sync_report(&d, jint(other, "id"), token);
    url = item_url(&d, jint(other, "id"), names[3]);
    ck_assert(has_response(r->body, url, "200 OK"));
    free(url);
    http_free(r);
    for (i = 0; i < 4; i++)
        free(names[i]);
    free(token);
    json_decref(other);
    dav_user_free(&d);
}
END_TEST

START_TEST(a_sync_token_not_ours_is_403_valid_sync_token)
{
    dav_user d = dav_sign_up("dav-badtok"), e = dav_sign_up("dav-badtok-e");
    http_resp *r = sync_report(&d, d.inbox, "urn:x-mod-tasks:sync:forged");
    char *theirs;

    ck_assert_status(r, 403);
    ck_assert_ptr_nonnull(strstr(r->body, "<D:valid-sync-token/>"));
    http_free(r);
    /* Another person's token is not one of d's. */
    r = sync_report(&e, e.inbox, NULL);
    theirs = sync_token_of(r->body);
    http_free(r);
    r = sync_report(&d, d.inbox, theirs);
    ck_assert_status(r, 403);
    ck_assert_ptr_nonnull(strstr(r->body, "<D:valid-sync-token/>"));
    http_free(r);
    free(theirs);
    dav_user_free(&d);
    dav_user_free(&e);
}
END_TEST

START_TEST(calendar_query_filters_on_completed_and_component)
{
    dav_user d = dav_sign_up("dav-query");
    char *coll = fmt("%s%lld/", d.home, d.inbox);
    char *open = item_url(&d, d.inbox, "open.ics"), *done = item_url(&d, d.inbox, "done.ics");
    char *b1 = vtodo("open", "Open", NULL);
    char *b2 = vtodo("done", "Done", "STATUS:COMPLETED\r\nCOMPLETED:20261201T120000Z\r\n");
    const char *pending = "<c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
        "<d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\">"
        "<c:comp-filter name=\"VTODO\"><c:prop-filter name=\"COMPLETED\"><c:is-not-defined/>"
        "</c:prop-filter><c:prop-filter name=\"STATUS\"><c:text-match negate-condition=\"yes\">"
        "CANCELLED</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter>"
        "</c:calendar-query>";
    const char *events = "<c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
        "<d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\">"
        "<c:comp-filter name=\"VEVENT\"/></c:comp-filter></c:filter></c:calendar-query>";
    http_resp *r;

    http_free(dav(&d, "PUT", open, b1, NULL, NULL));
    http_free(dav(&d, "PUT", done, b2, NULL, NULL));
    r = dav(&d, "REPORT", coll, pending, "Depth: 1", NULL);
    ck_assert_status(r, 207);
    ck_assert(has_response(r->body, open, "200 OK"));
    ck_assert_ptr_null(strstr(r->body, done));
    http_free(r);
    r = dav(&d, "REPORT", coll, events, "Depth: 1", NULL);
    ck_assert_status(r, 207);
    ck_assert_ptr_null(strstr(r->body, "<D:response>"));
    http_free(r);
    free(coll);
    free(open);
    free(done);
    free(b1);
    free(b2);
    dav_user_free(&d);
}
END_TEST

START_TEST(multiget_answers_404_for_an_href_it_does_not_hold)
{
    dav_user d = dav_sign_up("dav-multiget");
    char *coll = fmt("%s%lld/", d.home, d.inbox);
    char *have = item_url(&d, d.inbox, "have.ics"), *missing = item_url(&d, d.inbox, "missing.ics");
    char *b = vtodo("have", "Have", NULL);
    char *q = fmt("<c:calendar-multiget xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">"
                  "<d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>%s</d:href>"
                  "<d:href>%s</d:href></c:calendar-multiget>", have, missing);
    http_resp *r;

    http_free(dav(&d, "PUT", have, b, NULL, NULL));
    r = dav(&d, "REPORT", coll, q, NULL, NULL);
    ck_assert_status(r, 207);
    ck_assert(has_response(r->body, have, "200 OK"));
    ck_assert_ptr_nonnull(strstr(r->body, "SUMMARY:Have"));
    ck_assert(has_response(r->body, missing, "404 Not Found"));
    http_free(r);
    free(q);
    free(b);
    free(coll);
    free(have);
    free(missing);
    dav_user_free(&d);
}
END_TEST

START_TEST(completing_a_recurring_task_by_put_moves_it_to_the_next_occurrence)
{
    dav_user d = dav_sign_up("dav-recur");
    char *url = item_url(&d, d.inbox, "weekly.ics");
    char *b1 = vtodo("weekly", "Weekly", "DUE:20261207T090000Z\r\nRRULE:FREQ=WEEKLY\r\n");
    char *b2 = vtodo("weekly", "Weekly", "DUE:20261207T090000Z\r\nRRULE:FREQ=WEEKLY\r\n"
                     "STATUS:COMPLETED\r\nCOMPLETED:20261207T100000Z\r\n");
    http_resp *r;
    json_t *tasks;

    http_free(dav(&d, "PUT", url, b1, NULL, NULL));
    r = dav(&d, "PUT", url, b2, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    tasks = http_json("GET", "/api/tasks", d.u.tok, NULL, 200);
    ck_assert_int_eq(json_array_size(tasks), 1);
    ck_assert(json_is_false(json_object_get(json_array_get(tasks, 0), "completed")));
    ck_assert_str_eq(jstr(json_array_get(tasks, 0), "due_at"), "2026-12-14T09:00:00.000000Z");
    json_decref(tasks);
    free(url);
    free(b1);
    free(b2);
    dav_user_free(&d);
}
END_TEST

START_TEST(delete_removes_the_task_and_then_is_404)
{
    dav_user d = dav_sign_up("dav-delete");
    char *url = item_url(&d, d.inbox, "gone.ics"), *b = vtodo("gone", "Gone", NULL), *n;
    http_resp *r;

    http_free(dav(&d, "PUT", url, b, NULL, NULL));
    r = dav(&d, "DELETE", url, NULL, NULL, NULL);
    ck_assert_status(r, 204);
    http_free(r);
    n = count_tasks(&d);
    ck_assert_str_eq(n, "0");
    free(n);
    r = dav(&d, "DELETE", url, NULL, NULL, NULL);
    ck_assert_status(r, 404);
    http_free(r);
    free(url);
    free(b);
    dav_user_free(&d);
}
END_TEST

/* PROPPATCH body of a new list of d's named name: the answer, and the
 * list as the JSON API then shows it (*after, a new reference). */
static http_resp *proppatch_new_list(const dav_user *d, const char *name,
                                     const char *body, json_t **after)
{
    char *made = fmt("{\"name\":\"%s\"}", name);
    json_t *list = http_json("POST", "/api/lists", d->u.tok, made, 201);
    char *coll = fmt("%s%lld/", d->home, jint(list, "id"));
    char *url = fmt("/api/lists/%lld", jint(list, "id"));
    http_resp *r = dav(d, "PROPPATCH", coll, body, NULL, NULL);

    *after = http_json("GET", url, d->u.tok, NULL, 200);
    free(url);
    free(coll);
    free(made);
    json_decref(list);
    return r;
}

START_TEST(proppatch_renames_and_colors_the_list)
{
    dav_user d = dav_sign_up("dav-proppatch");
    const char *body = "<d:propertyupdate xmlns:d=\"DAV:\" xmlns:a=\"http://apple.com/ns/ical/\">"
        "<d:set><d:prop><d:displayname>Garden</d:displayname>"
        "<a:calendar-color>#2E8B57FF</a:calendar-color></d:prop></d:set></d:propertyupdate>";
    json_t *got;
    http_resp *r = proppatch_new_list(&d, "Old", body, &got);

    ck_assert_status(r, 207);
    ck_assert_ptr_nonnull(strstr(r->body, "HTTP/1.1 200 OK"));
    ck_assert_ptr_null(strstr(r->body, "403"));
    ck_assert_str_eq(jstr(got, "name"), "Garden");
    ck_assert_str_eq(jstr(got, "color"), "#2e8b57");
    json_decref(got);
    http_free(r);
    dav_user_free(&d);
}
END_TEST

START_TEST(proppatch_with_a_property_we_do_not_keep_changes_nothing)
{
    dav_user d = dav_sign_up("dav-proppatch-no");
    const char *body = "<d:propertyupdate xmlns:d=\"DAV:\" xmlns:x=\"urn:example\">"
        "<d:set><d:prop><d:displayname>Changed</d:displayname><x:mood>sunny</x:mood>"
        "</d:prop></d:set></d:propertyupdate>";
    json_t *got;
    http_resp *r = proppatch_new_list(&d, "Keep", body, &got);

    ck_assert_status(r, 207);
    ck_assert_ptr_nonnull(strstr(r->body, "<D:displayname/></D:prop><D:status>HTTP/1.1 424 Failed Dependency"));
    ck_assert_ptr_nonnull(strstr(r->body, "mood xmlns:X=\"urn:example\"/></D:prop><D:status>HTTP/1.1 403 Forbidden"));
    ck_assert_str_eq(jstr(got, "name"), "Keep");
    json_decref(got);
    http_free(r);
    dav_user_free(&d);
}
END_TEST

/* One PROPFIND of the home in a thread of its own. */
typedef struct {
    const dav_user *d;
    long status;
} parallel_probe;

static void *probe(void *arg)
{
    parallel_probe *pp = arg;
    const char *hs[] = { pp->d->auth, "Depth: 0", NULL };
    http_resp *r = http_try("PROPFIND", pp->d->home, NULL, hs);

    pp->status = r->status;
    http_free(r);
    return NULL;
}

START_TEST(parallel_requests_of_one_client_are_never_throttled)
{
    dav_user d = dav_sign_up("dav-parallel");
    parallel_probe probes[12];
    pthread_t th[12];
    int i;

    /* More at once than the 5 failures an e-mail may have: a success is
     * not counted while it runs. */
    for (i = 0; i < 12; i++) {
        probes[i].d = &d;
        pthread_create(&th[i], NULL, probe, &probes[i]);
    }
    for (i = 0; i < 12; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(probes[i].status, 207);
    }
    dav_user_free(&d);
}
END_TEST

START_TEST(wrong_app_passwords_are_throttled_by_email)
{
    dav_user d = dav_sign_up("dav-throttle");
    char *wrong = basic_header(d.email, "not-the-app-password");
    const char *bad[] = { wrong, "Depth: 0", NULL }, *good[] = { d.auth, "Depth: 0", NULL };
    http_resp *r;
    int i;

    http_set_source("127.0.0.93");
    for (i = 0; i < 5; i++) {
        r = http("PROPFIND", d.home, NULL, bad);
        ck_assert_status(r, 401);
        http_free(r);
    }
    /* The e-mail has its 5 failures (conf/tasks.conf): even the right
     * app password waits. */
    r = http("PROPFIND", d.home, NULL, good);
    ck_assert_status(r, 429);
    ck_assert_ptr_nonnull(http_header(r, "Retry-After"));
    http_free(r);
    http_set_source(NULL);
    free(wrong);
    dav_user_free(&d);
}
END_TEST

Suite *caldav_suite(void)
{
    Suite *s = suite_create("caldav");
    TCase *tc = tcase_create("caldav");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, well_known_caldav_redirects_to_the_dav_root);
    tcase_add_test(tc, options_advertises_calendar_access_without_credentials);
    tcase_add_test(tc, without_credentials_a_basic_challenge);
    tcase_add_test(tc, the_accounts_own_password_is_refused_over_basic);
    tcase_add_test(tc, another_auth_scheme_gets_the_basic_challenge);
    tcase_add_test(tc, a_revoked_app_password_is_refused_at_the_next_request);
    tcase_add_test(tc, the_root_names_the_callers_principal_and_home);
    tcase_add_test(tc, the_home_holds_each_list_as_a_task_calendar);
    tcase_add_test(tc, a_put_task_keeps_the_clients_name_and_uid);
    tcase_add_test(tc, properties_without_a_field_come_back_as_sent);
    tcase_add_test(tc, a_broken_field_rule_is_403_valid_calendar_data_and_nothing_written);
    tcase_add_test(tc, a_vevent_is_403_supported_calendar_component);
    tcase_add_test(tc, if_none_match_star_on_an_existing_task_is_412);
    tcase_add_test(tc, a_stale_if_match_is_412_and_a_current_one_writes);
    tcase_add_test(tc, one_uid_at_another_name_is_409_no_uid_conflict);
    tcase_add_test(tc, one_uid_in_two_lists_and_a_move_that_meets_it);
    tcase_add_test(tc, another_persons_paths_are_not_found);
    tcase_add_test(tc, a_json_edit_shows_in_caldav_with_the_same_etag);
    tcase_add_test(tc, sync_collection_reports_changes_deletions_and_moves);
    tcase_add_test(tc, a_sync_token_not_ours_is_403_valid_sync_token);
    tcase_add_test(tc, calendar_query_filters_on_completed_and_component);
    tcase_add_test(tc, multiget_answers_404_for_an_href_it_does_not_hold);
    tcase_add_test(tc, completing_a_recurring_task_by_put_moves_it_to_the_next_occurrence);
    tcase_add_test(tc, delete_removes_the_task_and_then_is_404);
    tcase_add_test(tc, proppatch_renames_and_colors_the_list);
    tcase_add_test(tc, proppatch_with_a_property_we_do_not_keep_changes_nothing);
    tcase_add_test(tc, parallel_requests_of_one_client_are_never_throttled);
    tcase_add_test(tc, wrong_app_passwords_are_throttled_by_email);
    suite_add_tcase(s, tc);
    return s;
}
