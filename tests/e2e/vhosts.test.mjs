// vhosts.test.mjs - one test server, conf/tasks.conf included per virtual
// host (tests/e2e/run.sh): the host at BASE_URL serves the app (at / or
// under /tasks/); the host at SITE_URL does not include it and is
// untouched: its own pages and its own /api/health file, none of the
// module's answers or headers. Under a prefix, the rest of the app's host is
// that same site too, and a signed-in app stays under its prefix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    API_PATH, at, BASE_PATH, BASE_URL, assertHealthy, assertUnderRoot, launch, listIdle, openPage,
    uniqueEmail,
} from './helpers.mjs';

const SITE_URL = (process.env.SITE_URL || '').replace(/\/$/, '');
const ORIGIN = new URL(BASE_URL).origin;

/** GET url as text: {status, type, body, headers}. */
async function get(url, headers = {}) {
    const res = await fetch(url, { headers, redirect: 'manual' });
    return { status: res.status, type: res.headers.get('content-type') || '', body: await res.text(), headers: res.headers };
}

/** The site's own answer, not the module's: Apache's 404 or the site's file. */
function assertNotModule(res, what) {
    assert.doesNotMatch(res.type, /json/, `${what}: ${res.type} ${res.body}`);
    assert.equal(res.headers.get('www-authenticate'), null, `${what}: WWW-Authenticate`);
    assert.equal(res.headers.get('access-control-allow-origin'), null, `${what}: CORS`);
}

describe('virtual hosts: one serves mod_tasks, the other is untouched', { skip: !SITE_URL && 'SITE_URL is not set' }, () => {
    it('the site without the snippet keeps its own pages and /api', async () => {
        const home = await get(`${SITE_URL}/`);
        assert.equal(home.status, 200);
        assert.match(home.body, /the site beside the app/);
        const file = await get(`${SITE_URL}/api/health`);
        assert.equal(file.status, 200);
        assert.equal(file.body, 'a plain file of this site, not the API\n');
        assertNotModule(file, 'GET /api/health');
        for (const p of ['/api/tasks', '/api/auth/me', '/api/openapi.json', '/tasks/', '/tasks/api/health', '/dashboard/']) {
            const res = await get(`${SITE_URL}${p}`, { Authorization: 'Bearer not.a.token', Origin: 'https://app.example.org' });
            assert.equal(res.status, 404, `${p}: ${res.status} ${res.body}`);
            assertNotModule(res, p);
            assert.match(res.body, /Not Found/, p);
        }
        // and none of the app's headers
        assert.equal(home.headers.get('content-security-policy'), null);
    });

    it('the app\'s host serves the API and the app at its base', async () => {
        const health = await get(`${BASE_URL}/api/health`);
        assert.equal(health.status, 200, health.body);
        assert.equal(JSON.parse(health.body).status, 'ok');
        const app = await get(`${BASE_URL}/`);
        assert.equal(app.status, 200);
        assert.match(app.headers.get('content-security-policy') || '', /script-src 'self'/);
        const doc = JSON.parse((await get(`${BASE_URL}/api/openapi.json`)).body);
        assert.equal(doc.servers[0].url, BASE_PATH || '/');
    });

    it('under a prefix, the rest of the host is the site\'s', { skip: !BASE_PATH && 'the app is at /' }, async () => {
        const home = await get(`${ORIGIN}/`);
        assert.equal(home.status, 200);
        assert.match(home.body, /the site beside the app/);
        const file = await get(`${ORIGIN}/api/health`);
        assert.equal(file.status, 200);
        assert.equal(file.body, 'a plain file of this site, not the API\n');
        assertNotModule(file, 'GET /api/health');
        const tasks = await get(`${ORIGIN}/api/tasks`, { Authorization: 'Bearer not.a.token' });
        assert.equal(tasks.status, 404);
        assertNotModule(tasks, 'GET /api/tasks');
        // the prefix without its slash goes to the app
        const bare = await get(`${ORIGIN}${BASE_PATH}`);
        assert.equal(bare.status, 301);
        assert.equal(new URL(bare.headers.get('location'), ORIGIN).pathname, `${BASE_PATH}/`);
    });

    describe('in a browser', () => {
        let browser;
        before(async () => { browser = await launch(); });
        after(async () => { await browser?.close(); });

        it('signs up, adds a task and logs out without a request outside the app\'s root', async () => {
            const { context, page, problems } = await openPage(browser);
            await page.goto(at('/'));
            await page.waitForURL(`${BASE_URL}/login/`);
            await page.click('#alt-link');
            await page.waitForURL(`${BASE_URL}/signup/`);
            await page.fill('#email', uniqueEmail('vhost'));
            await page.fill('#password', 'a good long password');
            await page.click('#auth-form button[type="submit"]');
            await page.waitForURL(`${BASE_URL}/dashboard/`);
            await listIdle(page);
            // the session cookie belongs to the app's API path only
            const cookies = await context.cookies();
            const session = cookies.find((c) => c.name === 'tasks_session');
            assert.ok(session, 'the session cookie is set');
            assert.equal(session.path, API_PATH);
            await page.fill('#add-title', 'Under the base path');
            await page.click('#add-form button[type="submit"]');
            await page.locator('#task-list .task-title', { hasText: 'Under the base path' }).waitFor();
            await page.click('.topbar .brand');
            await page.waitForURL(`${BASE_URL}/dashboard/`);
            await listIdle(page);
            await page.click('#logout');
            await page.waitForURL(`${BASE_URL}/login/`);
            // the app's requests: the pages, scripts, styles and API calls
            const urls = problems.requests.map((r) => r.split(' ')[1]);
            for (const p of ['/js/api.js', '/css/app.css', '/favicon.svg', '/api/auth/signup', '/api/tasks', '/api/auth/logout']) {
                assert.ok(urls.some((u) => new URL(u).pathname.startsWith(`${BASE_PATH}${p}`)), `a request for ${BASE_PATH}${p}: ${urls.join('\n')}`);
            }
            assertUnderRoot(problems.requests);
            await assertHealthy(page, problems);
            await context.close();
        });
    });
});
