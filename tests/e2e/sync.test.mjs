// sync.test.mjs - retries and clients that were away, in a browser. A create
// (a task from the add form, a list from the sidebar) carries an
// Idempotency-Key; when its answer is lost on the way back (the server made
// it, the browser saw a network error) the app sends the same request with
// the same key again and the server's replay is shown like a first answer:
// one task, one list. A 409 for a key still being worked on is asked again;
// a 409 about the request itself is shown at once. When every attempt fails,
// sending the same task again is still the same create. The dashboard keeps
// a token of the changes feed: coming back to the tab with nothing changed
// is one request to the feed and no reload of the list; a change made by
// another client shows on return without a page load; a token the server
// refuses is dropped and the list loaded anew.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    API_PATH, apiCall, apiSignup, assertHealthy, at, eventually, expectTitles, launch, listIdle, listTitles, openPage,
    textOf, useSession,
} from './helpers.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const isPath = (p) => (url) => url.pathname === `${API_PATH}${p}`;

describe('retries and changes made elsewhere', () => {
    let browser;
    let context;
    let page;
    let problems;
    let person;
    /** Requests the page made since the last reset: the list (GET api/tasks), the feed. */
    const asked = { list: 0, changes: [] };
    /** Requests of the page not answered yet. */
    let inflight = 0;

    before(async () => {
        browser = await launch();
        ({ context, page, problems } = await openPage(browser));
        person = await apiSignup('Sync Person');
        await useSession(context, person.token);
        page.on('request', (req) => {
            const url = new URL(req.url());
            if (req.method() === 'GET' && url.pathname === `${API_PATH}/tasks`) asked.list += 1;
            if (url.pathname === `${API_PATH}/tasks/changes`) asked.changes.push(url.searchParams);
            inflight += 1;
        });
        page.on('requestfinished', () => { inflight -= 1; });
        page.on('requestfailed', () => { inflight -= 1; });
    });
    after(async () => {
        await browser?.close();
    });

    const apiTasks = async () => (await apiCall(person.token, 'GET', '/api/tasks?limit=1000')).data;
    const apiLists = async () => (await apiCall(person.token, 'GET', '/api/lists')).data;
    const listNames = () => page.$$eval('#lists li.list-item[data-list] .list-name', (els) => els.map((e) => e.textContent));
    const feedAnswer = () => page.waitForResponse((res) => isPath('/tasks/changes')(new URL(res.url())));
    /** The tab comes back: shown again, and its window focused. */
    const comeBack = () => page.evaluate(() => {
        document.dispatchEvent(new Event('visibilitychange'));
        window.dispatchEvent(new Event('focus'));
    });
    /** Wait until the page has had no request in flight for a moment. */
    async function settled() {
        await eventually(async () => {
            assert.equal(inflight, 0);
            await page.waitForTimeout(300);
            assert.equal(inflight, 0);
        }, 10_000);
    }
    /** Load the dashboard; resolves once its list, counts and feed token are in. */
    async function openDashboard() {
        const token = feedAnswer();
        await page.goto(at('/dashboard/'));
        await token;
        await listIdle(page);
        await eventually(async () => assert.match(await textOf(page, '#count-all'), /^\d+$/));
        // the three counts (limit=1) are list requests too: let them land
        await settled();
    }
    function resetAsked() {
        asked.list = 0;
        asked.changes = [];
    }
    /**
     * A route for POSTs to `p` that records each attempt's Idempotency-Key and
     * lets `answer(n, route)` (n from 1) decide what the browser gets.
     */
    async function interceptPosts(p, answer) {
        const attempts = [];
        const handler = async (route) => {
            const req = route.request();
            if (req.method() !== 'POST') {
                await route.fallback();
                return;
            }
            attempts.push({ key: req.headers()['idempotency-key'], body: req.postData() });
            await answer(attempts.length, route);
        };
        await page.route(isPath(p), handler);
        return { attempts, stop: () => page.unroute(isPath(p), handler) };
    }
    /** The server does the request; the browser gets a network error instead. */
    async function loseAnswer(route, seen) {
        const res = await route.fetch();
        seen.push({ status: res.status(), replayed: res.headers()['idempotent-replayed'] ?? null });
        await route.abort('connectionreset');
    }
    /** The server's answer goes to the browser as it is. */
    async function passOn(route, seen) {
        const res = await route.fetch();
        seen.push({ status: res.status(), replayed: res.headers()['idempotent-replayed'] ?? null });
        await route.fulfill({ response: res });
    }

    it('a create retried after a network error makes one task', async () => {
        await openDashboard();
        const title = 'Sent once, answered twice';
        const server = [];
        const posts = await interceptPosts('/tasks', (n, route) => (n === 1 ? loseAnswer(route, server) : passOn(route, server)));
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await expectTitles(page, [title]);
        await posts.stop();

        assert.equal(posts.attempts.length, 2);
        assert.match(posts.attempts[0].key, UUID);
        assert.equal(posts.attempts[1].key, posts.attempts[0].key, 'the retry carries the same Idempotency-Key');
        assert.equal(posts.attempts[1].body, posts.attempts[0].body, 'the retry sends the same body');
        // The first attempt made the task; the retry got the replay of its answer.
        assert.deepEqual(server, [{ status: 201, replayed: null }, { status: 201, replayed: 'true' }]);
        assert.equal((await apiTasks()).filter((t) => t.title === title).length, 1);
        // Shown as a success: the form is cleared, no error, the toast says so.
        assert.equal(await page.inputValue('#add-title'), '');
        assert.equal(await page.isVisible('#add-form .form-error'), false);
        await eventually(async () => assert.equal(await textOf(page, '#toast'), `Added “${title}”`));
    });

    it('a list made in the sidebar and retried after a network error is made once', async () => {
        const server = [];
        const posts = await interceptPosts('/lists', (n, route) => (n === 1 ? loseAnswer(route, server) : passOn(route, server)));
        await page.fill('#list-add-name', 'Errands');
        await page.click('#list-add-form button[type="submit"]');
        await eventually(async () => assert.deepEqual(await listNames(), ['Inbox', 'Errands']));
        await posts.stop();

        assert.equal(posts.attempts.length, 2);
        assert.match(posts.attempts[0].key, UUID);
        assert.equal(posts.attempts[1].key, posts.attempts[0].key, 'the retry carries the same Idempotency-Key');
        assert.deepEqual(server, [{ status: 201, replayed: null }, { status: 201, replayed: 'true' }]);
        assert.deepEqual((await apiLists()).map((l) => l.name), ['Inbox', 'Errands']);
        // The new list is chosen, as after a first answer.
        assert.equal(await page.$eval('#lists [aria-current="true"] .list-name', (e) => e.textContent), 'Errands');
        assert.equal(await page.inputValue('#list-add-name'), '');
    });

    it('a 409 while the first attempt is still running is asked again with the same key', async () => {
        const title = 'Asked again after a 409';
        const server = [];
        const posts = await interceptPosts('/tasks', async (n, route) => {
            if (n === 1) return loseAnswer(route, server);
            // What the server answers while the first request with the key
            // is still being processed (not producible on demand here).
            if (n === 2) {
                return route.fulfill({
                    status: 409,
                    contentType: 'application/problem+json',
                    body: JSON.stringify({
                        type: 'about:blank', title: 'Conflict', status: 409,
                        detail: 'a request with this Idempotency-Key is still being processed; try again in a moment',
                    }),
                });
            }
            return passOn(route, server);
        });
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await eventually(async () => assert.ok((await listTitles(page)).includes(title)));
        await posts.stop();

        assert.equal(posts.attempts.length, 3);
        assert.deepEqual(new Set(posts.attempts.map((a) => a.key)).size, 1, 'one key for all three attempts');
        assert.deepEqual(server, [{ status: 201, replayed: null }, { status: 201, replayed: 'true' }]);
        assert.equal((await apiTasks()).filter((t) => t.title === title).length, 1);
        assert.equal(await page.isVisible('#add-form .form-error'), false);
    });

    it('a 409 about the request itself (a list name taken) is shown at once, not retried', async () => {
        const posts = await interceptPosts('/lists', (n, route) => route.continue());
        await page.fill('#list-add-name', 'errands');
        await page.click('#list-add-form button[type="submit"]');
        await page.locator('#list-add-form .form-error').waitFor({ state: 'visible' });
        await posts.stop();
        assert.equal(posts.attempts.length, 1);
        assert.match(posts.attempts[0].key, UUID);
        assert.deepEqual((await apiLists()).map((l) => l.name), ['Inbox', 'Errands']);
        await page.fill('#list-add-name', '');
    });

    it('when every attempt fails, sending the same task again does not make a second one', async () => {
        const title = 'Never answered';
        const server = [];
        let posts = await interceptPosts('/tasks', (n, route) => loseAnswer(route, server));
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await page.locator('#add-form .form-error').waitFor({ state: 'visible', timeout: 15_000 });
        await posts.stop();
        assert.equal(await textOf(page, '#add-form .form-error'),
            'Could not reach the server. Check your connection and try again.');
        const tried = posts.attempts.length;
        assert.equal(tried, 4, 'the first attempt and three retries');
        const key = posts.attempts[0].key;
        assert.ok(posts.attempts.every((a) => a.key === key), 'every attempt carries the same key');
        assert.deepEqual(server.map((s) => s.replayed), [null, 'true', 'true', 'true']);

        // The person sends it again, unchanged: the same create, answered by a replay.
        posts = await interceptPosts('/tasks', (n, route) => passOn(route, server));
        await page.click('#add-form button[type="submit"]');
        await eventually(async () => assert.ok((await listTitles(page)).includes(title)));
        await posts.stop();
        assert.deepEqual(posts.attempts.map((a) => a.key), [key]);
        assert.deepEqual(server.at(-1), { status: 201, replayed: 'true' });
        assert.equal((await apiTasks()).filter((t) => t.title === title).length, 1);

        // Another task afterwards is another action: a new key.
        posts = await interceptPosts('/tasks', (n, route) => route.continue());
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await eventually(async () => assert.equal((await apiTasks()).filter((t) => t.title === title).length, 2));
        await posts.stop();
        assert.equal(posts.attempts.length, 1);
        assert.notEqual(posts.attempts[0].key, key);
    });

    it('focus with no changes does not reload the list', async () => {
        await openDashboard();
        const before = await listTitles(page);
        resetAsked();
        const answered = feedAnswer();
        await comeBack();
        const res = await answered;
        assert.equal(res.status(), 200);
        assert.deepEqual((await res.json()).changes, []);
        // give a reload every chance to start
        await page.waitForTimeout(500);
        assert.equal(asked.changes.length, 1, 'one request to the changes feed');
        assert.ok(asked.changes[0].get('since'), 'it asks from the token it kept');
        assert.equal(asked.list, 0, 'no request for the list or its counts');
        assert.deepEqual(await listTitles(page), before);
    });

    it('focus after this page\'s own writes does not reload the list either', async () => {
        const title = 'Added here';
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await eventually(async () => assert.equal(await textOf(page, '#toast'), `Added “${title}”`));
        await settled();
        resetAsked();
        const answered = feedAnswer();
        await comeBack();
        const res = await answered;
        // The feed has the new task; the page knows it as it is.
        assert.deepEqual((await res.json()).changes.map((c) => c.title), [title]);
        await page.waitForTimeout(500);
        assert.equal(asked.changes.length, 1);
        assert.equal(asked.list, 0, 'no request for the list or its counts');
    });

    it('a change made elsewhere shows on focus', async () => {
        await page.evaluate(() => { window.notReloaded = true; });
        const shown = await listTitles(page);
        const made = await apiCall(person.token, 'POST', '/api/tasks', { title: 'Made on the phone' });
        assert.equal(made.status, 201);
        const gone = (await apiTasks()).find((t) => t.title === 'Added here');
        assert.equal((await apiCall(person.token, 'DELETE', `/api/tasks/${gone.id}`)).status, 204);
        // Nothing happens until the person comes back.
        await page.waitForTimeout(300);
        assert.deepEqual(await listTitles(page), shown);

        resetAsked();
        await comeBack();
        await expectTitles(page, ['Made on the phone', ...shown.filter((t) => t !== 'Added here')]);
        assert.equal(asked.changes.length, 1);
        assert.ok(asked.list >= 1, 'the list was asked again');
        assert.equal(await page.evaluate(() => window.notReloaded), true, 'without loading the page again');
        const total = (await apiTasks()).length;
        await eventually(async () => assert.equal(await textOf(page, '#count-all'), String(total)));
    });

    it('a token the server no longer accepts (410) is dropped: a new one, and the list loaded anew', async () => {
        await settled();
        const feed = async (route) => {
            if (!new URL(route.request().url()).searchParams.get('since')) {
                await route.fallback();
                return;
            }
            await route.fulfill({
                status: 410,
                contentType: 'application/problem+json',
                body: JSON.stringify({ type: 'about:blank', title: 'Gone', status: 410, detail: 'this changes token is too old' }),
            });
        };
        await page.route(isPath('/tasks/changes'), feed, { times: 1 });
        resetAsked();
        await comeBack();
        await eventually(() => assert.ok(asked.list >= 1, 'the list was asked again'));
        await settled();
        assert.deepEqual(asked.changes.map((q) => Boolean(q.get('since'))), [true, false],
            'the refused token, then a new one from the start');

        // The new token works: back again with nothing changed, nothing reloads.
        resetAsked();
        const answered = feedAnswer();
        await comeBack();
        assert.equal((await answered).status(), 200);
        await page.waitForTimeout(500);
        assert.equal(asked.changes.length, 1);
        assert.equal(asked.list, 0);
        await assertHealthy(page, problems);
    });
});
