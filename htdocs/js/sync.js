// sync.js - what changed elsewhere, from the changes feed (API.md "Changes
// feed": GET api/tasks/changes?since=<token>). The dashboard used to be
// current only until another tab or device wrote; reloading its list every
// time the tab comes back would be a request and a redraw for nothing most
// of the time. Instead this keeps a token of the feed: when the person
// comes back (the tab shown again, the window focused, the network back)
// one small request asks what changed since, and the page is asked to
// reload only when something did that it did not do itself.
//
// The token is taken before the list is first loaded (the dashboard waits
// for it, up to a moment), so nothing that changes between the two is
// missed: whatever the token does not cover, the list already shows. It
// lives in memory only; a token too old (410) or refused (400) is dropped
// and a new one taken, and the page reloads as if opened anew.
import { api } from './api.js';

/** The feed's largest page: the first token means reading every task once. */
const PAGE = 1000;
/** Events this close to a check that is still running are covered by it. */
const COALESCE_MS = 1000;

/**
 * Every page of the feed from `since` (null: the listing of every current
 * task, whose entries are not kept: only its token matters).
 * Resolves to {changes, next}; rejects with ApiError.
 */
async function readFeed(since) {
    const changes = [];
    let token = since;
    for (;;) {
        const q = new URLSearchParams({ limit: String(PAGE) });
        if (token) q.set('since', token);
        const { data } = await api(`/tasks/changes?${q}`);
        if (!data || typeof data.next !== 'string' || !Array.isArray(data.changes)) {
            throw new Error('The changes feed answered something else.');
        }
        if (since) changes.push(...data.changes);
        token = data.next;
        if (!data.more) return { changes, next: token };
    }
}

/**
 * The feed for the dashboard. `known(change)` says whether the page already
 * shows a change (its own write, or a state a list answer had);
 * `changed(changes)` asks it to load again (changes is empty when what
 * changed is unknown: after a token was dropped). Returns
 * {start, check, watch}: start() takes the first token (resolves true when
 * it got one), check() asks what changed, watch() checks whenever the
 * person comes back to the page.
 */
export function changesFeed({ known, changed }) {
    let token = null;
    // A server without the feed (404, 405): the page stays as it was before.
    let supported = true;
    let started = false;
    let running = null;
    let runningSince = 0;
    let again = false;

    const unsupported = (err) => err && (err.status === 404 || err.status === 405);

    async function baseline() {
        try {
            ({ next: token } = await readFeed(null));
        } catch (err) {
            if (unsupported(err)) supported = false;
            throw err;
        }
    }

    /** Take the first token. A check meanwhile waits for it. */
    function start() {
        started = true;
        const first = baseline().then(() => true, () => false);
        track(first);
        return first;
    }

    async function run() {
        if (token === null) {
            // The first token failed (or was dropped): take one now, and
            // load again, as nobody knows what changed meanwhile.
            await baseline();
            changed([]);
            return;
        }
        let page;
        try {
            page = await readFeed(token);
        } catch (err) {
            if (err && (err.status === 410 || err.status === 400)) {
                token = null;
                await baseline();
                changed([]);
                return;
            }
            throw err;
        }
        // Kept before the page reloads: the reload shows at least up to it.
        token = page.next;
        const news = page.changes.filter((c) => !known(c));
        if (news.length) changed(news);
    }

    /** One request (chain) at a time; a call after it began runs once more. */
    function track(promise) {
        runningSince = Date.now();
        running = promise.finally(() => {
            running = null;
            if (again) {
                again = false;
                check();
            }
        });
    }

    /** Ask what changed; events close together share one request. */
    function check() {
        if (!started || !supported) return Promise.resolve();
        if (running) {
            if (Date.now() - runningSince > COALESCE_MS) again = true;
            return running;
        }
        // Failures are quiet (offline, the server away): the next return asks again.
        track(run().catch(() => {}));
        return running;
    }

    function watch() {
        document.addEventListener('visibilitychange', () => {
            if (document.visibilityState === 'visible') check();
        });
        window.addEventListener('focus', () => check());
        window.addEventListener('online', () => check());
    }

    return { start, check, watch };
}
