// api.js - the one place that talks to the JSON API under <app root>api.
// fetch with the HttpOnly session cookie (credentials 'same-origin'; the
// token in JSON bodies is never kept), RFC 9457 problem documents turned into
// ApiError, Link/X-Total-Count helpers, the silent refresh (a 401 is answered
// by one POST auth/refresh with the HttpOnly refresh cookie, then the request
// is sent again) and, when the session is over, the 401 -> login/?next=
// redirect.
//
// The app runs under any prefix (TasksBasePath, e.g. /tasks/) without a
// build step: its root is where this file's folder (js/) lives, so every
// page, link and request is built from APP_ROOT; the HTML and CSS use
// relative URLs only.

/** The app's root path: "/" or the prefix it is served under ("/tasks/"). */
export const APP_ROOT = new URL('../', import.meta.url).pathname;
/** The API's root path: "/api", "/tasks/api". */
export const API_ROOT = `${APP_ROOT}api`;

/** A page of the app by its path below the root: appPath('login/'). */
export function appPath(page = '') {
    return APP_ROOT + page;
}

/** An error answer from the API (or a network failure, status 0). */
export class ApiError extends Error {
    constructor(status, problem, headers) {
        const p = problem && typeof problem === 'object' ? problem : {};
        super(typeof p.detail === 'string' && p.detail ? p.detail
            : (p.title || `The server answered with status ${status}.`));
        this.name = 'ApiError';
        this.status = status;
        this.problem = p;
        this.headers = headers || new Headers();
        /** [{field, message}] from a 422 */
        this.fieldErrors = Array.isArray(p.errors)
            ? p.errors.filter((e) => e && typeof e.field === 'string')
            : [];
    }
}

let redirecting = false;

// Keys of this app's notes in localStorage (the origin may serve more than
// one app, under other prefixes). Neither holds a secret: whether this
// browser has a session to refresh, and when a tab last refreshed it.
const SIGNED_IN_KEY = `${API_ROOT}:signed-in`;
const REFRESHED_KEY = `${API_ROOT}:refreshed-at`;

function note(key, value) {
    try {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
    } catch {
        /* storage disabled: refreshes still work, the notice is plainer */
    }
}

function noted(key) {
    try {
        return localStorage.getItem(key);
    } catch {
        return null;
    }
}

/** This browser's session is over (logout, deletion): nothing to refresh. */
export function forgetSession() {
    note(SIGNED_IN_KEY, null);
}

/**
 * End this browser's session with a call that does so (logout, sign out
 * everywhere): a 401 means it had ended already, which is as good; any
 * other failure is thrown and the session is kept.
 */
export async function endSession(path) {
    try {
        await api(path, { method: 'POST', redirectOn401: false });
    } catch (err) {
        if (err.status !== 401) throw err;
    }
    forgetSession();
}

// Calls whose 401 is about what they send (a password, a code, the refresh
// cookie itself), never about an expired access token.
const NO_REFRESH = /^\/auth\/(login|signup|refresh|reset)(\?|$)/;
// Calls whose success begins or renews a session.
const SESSION_STARTS = /^\/auth\/(login|signup)(\?|$)/;

let refreshing = null;
// Set when this tab's refresh was refused: the session it had is over.
let sessionEnded = false;

/**
 * Renew the access token with the refresh cookie: one request per tab at a
 * time and, where the browser has Web Locks, one tab at a time (a refresh
 * value works once; two tabs spending it at once would end the session).
 * A tab that waited finds the refresh another tab made after `since` and
 * sends nothing; a browser that never signed in here sends nothing either.
 * Resolves to true when the session goes on.
 */
function refreshSession(since) {
    if (!refreshing) {
        const run = async () => {
            if (Number(noted(REFRESHED_KEY)) > since) return true;
            if (noted(SIGNED_IN_KEY) === null) return false;
            const res = await fetch(`${API_ROOT}/auth/refresh`, {
                method: 'POST', credentials: 'same-origin', cache: 'no-store',
                headers: { Accept: 'application/json, application/problem+json' },
            });
            if (!res.ok) {
                sessionEnded = res.status === 401;
                if (sessionEnded) forgetSession();
                return false;
            }
            note(REFRESHED_KEY, String(Date.now()));
            return true;
        };
        refreshing = (navigator.locks ? navigator.locks.request('tasks-refresh:' + API_ROOT, run) : run())
            .catch(() => false)
            .finally(() => { refreshing = null; });
    }
    return refreshing;
}

/**
 * Make sure the access token is good before a call whose 401 would mean a
 * wrong password (a retry would count it twice): a cheap request that
 * refreshes when needed, and goes to the login page when the session is over.
 */
export async function ensureSession() {
    await api('/auth/me');
}

/** True once a 401 has started the trip to the login page. */
export function isRedirecting() {
    return redirecting;
}

/** The path (with query) of this page, as a `next` value. */
export function currentPath() {
    return location.pathname + location.search;
}

/**
 * Leave for the login page, coming back to this page afterwards; when this
 * tab's session was refused a refresh, the login page says it ended.
 */
export function goToLogin() {
    if (redirecting) return;
    redirecting = true;
    location.assign(appPath('login/') + '?next=' + encodeURIComponent(currentPath())
        + (sessionEnded ? '&notice=ended' : ''));
}

/**
 * A `next` parameter made safe: only a page of this app (a path under
 * APP_ROOT on this origin: never //host, a scheme or another site's page),
 * never back to the sign-in pages or the API; else the dashboard.
 */
export function safeNext(value) {
    const fallback = appPath('dashboard/');
    if (typeof value !== 'string' || !value.startsWith(APP_ROOT) || value.startsWith('//')
        || value.includes('\\')) return fallback;
    let url;
    try {
        url = new URL(value, location.origin);
    } catch {
        return fallback;
    }
    if (url.origin !== location.origin || !url.pathname.startsWith(APP_ROOT)) return fallback;
    if (/^(login|signup|api)(\/|$)/.test(url.pathname.slice(APP_ROOT.length))) return fallback;
    return url.pathname + url.search + url.hash;
}

/**
 * Call the API at `path`, a path below API_ROOT as the OpenAPI document
 * names them without their /api ('/tasks?status=pending', '/auth/me').
 * Resolves to {data, headers, status}; rejects with ApiError (or an
 * AbortError). A 401 is first answered by a silent refresh and the request
 * sent once more (unless `refresh` is false, or the call is one of the
 * sign-in calls); a 401 that stays sends the browser to the login page
 * unless `redirectOn401` is false. `headers` adds request headers (If-Match).
 */
export async function api(path, { method = 'GET', body, signal, redirectOn401 = true, refresh = true, headers: extra = {} } = {}) {
    const headers = { Accept: 'application/json, application/problem+json', ...extra };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    let res;
    try {
        const sent = Date.now();
        res = await fetch(API_ROOT + path, init);
        // A 401 here was decided before anything was done (the token is
        // checked first), so sending the request again is safe.
        if (res.status === 401 && refresh && !NO_REFRESH.test(path)
            && await refreshSession(sent)) {
            res = await fetch(API_ROOT + path, init);
        }
    } catch (err) {
        if (err && err.name === 'AbortError') throw err;
        throw new ApiError(0, {
            title: 'Network error',
            detail: 'Could not reach the server. Check your connection and try again.',
        });
    }
    if (res.ok && SESSION_STARTS.test(path)) note(SIGNED_IN_KEY, '1');
    let data = null;
    if (res.status !== 204 && res.status !== 304) {
        const text = await res.text();
        if (text) {
            try {
                data = JSON.parse(text);
            } catch {
                data = null;
            }
        }
    }
    if (res.status === 401 && redirectOn401) {
        goToLogin();
    }
    if (!res.ok) {
        const problem = data && typeof data === 'object' && !Array.isArray(data) ? data
            : { title: res.statusText, detail: `The server answered with status ${res.status}.` };
        throw new ApiError(res.status, problem, res.headers);
    }
    return { data, headers: res.headers, status: res.status };
}

/**
 * The rel="next" target of a Link header, as a path for api() (below
 * API_ROOT, on this origin), or null.
 */
export function nextLink(header) {
    if (!header) return null;
    for (const part of header.split(/,(?=\s*<)/)) {
        const m = /^\s*<([^>]*)>(.*)$/.exec(part);
        if (!m) continue;
        const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]);
        const rels = rel ? (rel[1] ?? rel[2]).toLowerCase().split(/\s+/) : [];
        if (!rels.includes('next')) continue;
        try {
            const url = new URL(m[1], location.href);
            if (url.origin === location.origin && url.pathname.startsWith(`${API_ROOT}/`)) {
                return url.pathname.slice(API_ROOT.length) + url.search;
            }
        } catch {
            /* ignore a malformed link */
        }
    }
    return null;
}

/** X-Total-Count as a number, or null. */
export function totalCount(headers) {
    const v = headers.get('X-Total-Count');
    if (v === null || !/^\d+$/.test(v.trim())) return null;
    return Number(v);
}

/** A Retry-After header as a sentence fragment ("in 3 minutes"), or ''. */
export function retryAfterText(headers) {
    const v = headers && headers.get('Retry-After');
    if (!v) return '';
    let secs = /^\d+$/.test(v.trim()) ? Number(v) : Math.round((Date.parse(v) - Date.now()) / 1000);
    if (!Number.isFinite(secs) || secs <= 0) return '';
    if (secs < 60) return `in ${secs} second${secs === 1 ? '' : 's'}`;
    secs = Math.ceil(secs / 60);
    return `in ${secs} minute${secs === 1 ? '' : 's'}`;
}
