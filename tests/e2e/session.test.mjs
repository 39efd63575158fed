// session.test.mjs - staying signed in, in a browser, on the virtual host
// whose tokens live 5 seconds (TasksJWTLifetime 5, TasksJWTLeeway 0) and
// whose sessions end after 12 idle seconds (TasksSessionLifetime 12): a
// person who keeps working past the token's lifetime is never sent to the
// login page (the app refreshes silently), two tabs whose token expired
// refresh one at a time and both go on (a refresh value works once), and a
// person idle past the session lifetime lands on the login page with a
// notice, then comes back to where they were.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
    API_PATH, BASE_URL, assertHealthy, at, eventually, expectTitles, launch, listIdle, openPage, uniqueEmail,
} from './helpers.mjs';

const PASSWORD = 'a good long password';
// Longer than the token's life (its cookie's Max-Age is the same 5 s).
const TOKEN_GONE_MS = 6_000;
// Longer than the session's 12 idle seconds.
const SESSION_GONE_MS = 13_000;

describe('staying signed in', () => {
    let browser;
    let context;
    let page;
    let problems;
    // Every answer to POST auth/refresh, from every page of the context.
    const refreshes = [];

    before(async () => {
        browser = await launch();
        ({ context, page, problems } = await openPage(browser));
        context.on('response', (res) => {
            if (new URL(res.url()).pathname === `${API_PATH}/auth/refresh`) refreshes.push(res.status());
        });
    });
    after(async () => {
        await browser?.close();
    });

    async function addTask(p, title) {
        await p.fill('#add-title', title);
        await p.click('#add-form button[type="submit"]');
    }

    it('keeps a person who goes on working signed in past the token\'s lifetime', async () => {
        await page.goto(at('/signup/'));
        await page.fill('#name', 'Session Person');
        await page.fill('#email', uniqueEmail('session'));
        await page.fill('#password', PASSWORD);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        await listIdle(page);
        await addTask(page, 'before the token expired');
        await expectTitles(page, ['before the token expired']);

        await sleep(TOKEN_GONE_MS);
        await addTask(page, 'after the token expired');
        await expectTitles(page, ['after the token expired', 'before the token expired']);
        assert.equal(page.url(), `${BASE_URL}/dashboard/`);
        assert.deepEqual(refreshes, [200]);

        // A page loaded with an expired token renews it too.
        await sleep(TOKEN_GONE_MS);
        await page.reload();
        await expectTitles(page, ['after the token expired', 'before the token expired']);
        assert.equal(page.url(), `${BASE_URL}/dashboard/`);
        assert.deepEqual(refreshes, [200, 200]);

        // What the app keeps in the browser is no secret: that it signed
        // in, and when a tab last refreshed; never a token.
        const kept = await page.evaluate(() => ({ ...localStorage }));
        assert.deepEqual(Object.keys(kept).sort(), [`${API_PATH}:refreshed-at`, `${API_PATH}:signed-in`]);
        assert.equal(kept[`${API_PATH}:signed-in`], '1');
        assert.match(kept[`${API_PATH}:refreshed-at`], /^\d{13}$/);
    });

    it('lets two tabs whose token expired refresh one at a time, and both go on', async () => {
        const second = await context.newPage();
        await second.goto(at('/dashboard/'));
        await expectTitles(second, ['after the token expired', 'before the token expired']);
        refreshes.length = 0;

        await sleep(TOKEN_GONE_MS);
        await Promise.all([page.reload(), second.reload()]);
        await expectTitles(page, ['after the token expired', 'before the token expired']);
        await expectTitles(second, ['after the token expired', 'before the token expired']);
        // Both tabs wanted a new token. One at a time, the second either
        // finds the first's (usually) or spends the value the first got
        // (its localStorage note can reach the other tab late): never the
        // value already spent, which would have ended the session (401).
        assert.ok(refreshes.length >= 1 && refreshes.every((st) => st === 200),
            `refreshes: ${refreshes.join(', ')}`);
        await addTask(second, 'from the second tab');
        await expectTitles(second, ['from the second tab', 'after the token expired', 'before the token expired']);
        assert.equal(page.url(), `${BASE_URL}/dashboard/`);
        assert.equal(second.url(), `${BASE_URL}/dashboard/`);
        await second.close();
    });

    it('sends a person idle past the session lifetime to the login page, saying why, and back', async () => {
        const email = await page.evaluate(async (api) => {
            const res = await fetch(`${api}/auth/me`, { credentials: 'same-origin' });
            return (await res.json()).user.email;
        }, API_PATH);
        refreshes.length = 0;

        await sleep(SESSION_GONE_MS);
        await addTask(page, 'too late');
        await page.waitForURL(`${BASE_URL}/login/?next=${encodeURIComponent('/dashboard/')}&notice=ended`);
        await eventually(async () => assert.equal(await page.textContent('#auth-notice'),
            'Your session has ended. Log in again to go on.'));
        assert.deepEqual(refreshes, [401]);

        await page.fill('#email', email);
        await page.fill('#password', PASSWORD);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        await expectTitles(page, ['from the second tab', 'after the token expired', 'before the token expired']);
        await assertHealthy(page, problems);
    });
});
