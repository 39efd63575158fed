/* problem.c - RFC 9457 problem documents and shared JSON helpers. */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "tasks/core/problem.h"

/* Promise: the reason phrase of status (RFC 9110 wording), NULL for a
 * status neither the module nor httpd under the API path sends (as far as
 * the tests have found). The module's own answers, and httpd's that
 * src/httpd/errors.c turns into problem documents. */
const char *tasks_status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default:  return NULL;
    }
}

/* Promise: compact problem JSON in p. "detail" is always a string (clients
 * written for FastAPI read it): the title stands in for a NULL detail. Text
 * that is not valid UTF-8 cannot become a JSON string, so such a detail or
 * field error falls back to the title / is replaced rather than dropping
 * the whole document. Never returns NULL. */
const char *tasks_problem_json(apr_pool_t *p, int status, const char *detail,
                               const apr_array_header_t *errors)
{
    const char *title = tasks_status_title(status) ? tasks_status_title(status)
                                                   : "Error";
    json_t *doc = json_object(), *d;
    const char *out;
    int i;

    if (!doc)
        goto oom;
    d = detail ? json_string(detail) : NULL;
    json_object_set_new(doc, "type", json_string("about:blank"));
    json_object_set_new(doc, "title", json_string(title));
    json_object_set_new(doc, "status", json_integer(status));
    json_object_set_new(doc, "detail", d ? d : json_string(title));
    if (errors && errors->nelts > 0) {
        json_t *list = json_array();
        for (i = 0; i < errors->nelts; i++) {
            const tasks_field_error *e =
                &APR_ARRAY_IDX(errors, i, tasks_field_error);
            json_t *f = json_string(e->field ? e->field : "");
            json_t *m = json_string(e->message ? e->message : "is invalid");
            json_array_append_new(list, json_pack("{s:o?,s:o?}",
                                                  "field", f ? f : json_null(),
                                                  "message",
                                                  m ? m : json_string("is invalid")));
        }
        json_object_set_new(doc, "errors", list);
    }
    out = tasks_json_dump(p, doc);
    json_decref(doc);
    if (out)
        return out;
oom:
    /* Out of memory in jansson: still answer with a valid document. */
    return apr_psprintf(p, "{\"type\":\"about:blank\",\"title\":\"%s\","
                        "\"status\":%d,\"detail\":\"%s\"}", title, status, title);
}

/* Promise: *errors (created in p on first use) gains {field, message}. The
 * strings are not copied: callers pass literals or pool strings that live
 * at least as long as p. */
void tasks_field_error_add(apr_pool_t *p, apr_array_header_t **errors,
                           const char *field, const char *message)
{
    tasks_field_error *e;

    if (!*errors)
        *errors = apr_array_make(p, 4, sizeof(tasks_field_error));
    e = apr_array_push(*errors);
    e->field = field;
    e->message = message;
}

/* Why a body did not parse, in words that never quote the body itself:
 * jansson's own text ends in "near '<input>'", which would echo client data
 * (possibly a password) into a response or a log. */
static const char *parse_reason(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_premature_end_of_input:
        return "unexpected end of input";
    case json_error_end_of_input_expected:
        return "trailing data after the value";
    case json_error_null_character:
        return "\\u0000 is not allowed";
    case json_error_duplicate_key:
        return "duplicate object key";
    case json_error_numeric_overflow:
        return "number out of range";
    case json_error_stack_overflow:
        return "nesting too deep";
    default:
        return "syntax error";
    }
}

/* Promise: NULL and *out = an object owned by p, or a 400 detail (and *out
 * NULL). Refused: invalid UTF-8, NUL bytes and \u0000 escapes (C strings
 * downstream would silently truncate), duplicate keys (which member wins is
 * parser-dependent, so they are ambiguous), and any non-object top level. */
const char *tasks_json_parse_object(apr_pool_t *p, const char *body,
                                    apr_size_t len, json_t **out)
{
    json_error_t err;
    json_t *j;
    const char *nul;

    *out = NULL;
    if (!body) {
        body = "";
        len = 0;
    }
    /* jansson refuses raw NUL too, but the offset makes a clearer message. */
    nul = memchr(body, '\0', len);
    if (nul)
        return apr_psprintf(p, "malformed JSON: NUL byte at offset %"
                            APR_SIZE_T_FMT, (apr_size_t)(nul - body));
    /* DECODE_ANY so that a scalar body gets the clearer "must be a JSON
     * object" message instead of a syntax error. */
    j = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!j)
        return apr_psprintf(p, "malformed JSON: %s at line %d column %d",
                            parse_reason(&err), err.line, err.column);
    if (!json_is_object(j)) {
        json_decref(j);
        return "request body must be a JSON object";
    }
    *out = tasks_json_own(p, j);
    return NULL;
}

/* Promise: j as compact JSON text in p (keys in insertion order, UTF-8 kept
 * as is), or NULL when j is NULL or jansson runs out of memory. */
const char *tasks_json_dump(apr_pool_t *p, const json_t *j)
{
    char *text;
    const char *copy;

    if (!j)
        return NULL;
    text = json_dumps(j, JSON_COMPACT);
    if (!text)
        return NULL;
    copy = apr_pstrdup(p, text);
    free(text);
    return copy;
}

/* Pool cleanup: drops the reference tasks_json_own handed over. */
static apr_status_t json_cleanup(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

/* Promise: j's reference now belongs to p and is dropped when p is cleared
 * or destroyed. NULL is passed through without registering anything. */
json_t *tasks_json_own(apr_pool_t *p, json_t *j)
{
    if (j)
        apr_pool_cleanup_register(p, j, json_cleanup, apr_pool_cleanup_null);
    return j;
}

/* Promise: the C strings of arr as a compact JSON array text in p ("[]"
 * for none); NULL only when a string is not UTF-8 or jansson runs out of
 * memory. */
const char *tasks_json_string_array(apr_pool_t *p,
                                    const apr_array_header_t *arr)
{
    json_t *out = json_array();
    const char *text = NULL;
    int i, failed = !out;

    for (i = 0; !failed && arr && i < arr->nelts; i++)
        failed = json_array_append_new(out, json_string(
                     APR_ARRAY_IDX(arr, i, const char *))) != 0;
    if (!failed)
        text = tasks_json_dump(p, out);
    json_decref(out);
    return text;
}
