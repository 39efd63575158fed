// security.test.mjs - what must never go wrong: user text stays text (XSS
// payloads render literally, no dialog, no injected element), errors show
// where they belong (422 at the field, problem detail on top), a 401 goes to
// /login/?next= and back, `next` cannot leave the site, and the sources keep
// to the CSP (no innerHTML, inline scripts, style attributes or handlers).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
    at, BASE_PATH, BASE_URL, apiCall, apiSignup, assertHealthy, createTasks, escapeRe, eventually, expectTitles, launch,
    listIdle, openPage, taskItem, textOf, uniqueEmail, useSession,
} from './helpers.mjs';

const HTDOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../htdocs');

const PAYLOADS = [
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '<script>window.__xss=2;alert(2)</script>',
    '"><svg onload="window.__xss=3;alert(3)"></svg>',
    '</p><iframe src="javascript:alert(4)"></iframe>',
];

describe('security and error handling', () => {
    let browser;
    before(async () => { browser = await launch(); });
    after(async () => { await browser?.close(); });

    it('renders XSS payloads as plain text everywhere', async () => {
        const { context, page, problems } = await openPage(browser);
        const user = await apiSignup('<b>Mallory</b><img src=x onerror=alert(9)>');
        await useSession(context, user.token);
        await createTasks(user.token, PAYLOADS.length - 1, (i) => ({
            title: PAYLOADS[i + 1], description: PAYLOADS[i], tags: [PAYLOADS[i].slice(0, 50)],
        }), 1);
        await page.goto(at('/dashboard/'));
        await listIdle(page);
        // and one typed into the form
        await page.fill('#add-title', PAYLOADS[0]);
        await page.fill('#add-description', PAYLOADS[1]);
        await page.fill('#add-tags', '<i>tag</i>');
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, PAYLOADS[0]).waitFor();
        await page.reload();
        await expectTitles(page, [PAYLOADS[0], PAYLOADS[3], PAYLOADS[2], PAYLOADS[1]]);

        assert.equal(await textOf(page, '#user-label'), '<b>Mallory</b><img src=x onerror=alert(9)>');
        const injected = await page.evaluate(() => ({
            xss: window.__xss,
            elements: document.querySelectorAll('#task-list img, #task-list script, #task-list svg, #task-list iframe, #task-list b, #task-list i, header img, header b').length,
            descriptions: [...document.querySelectorAll('.task-desc')].map((e) => e.textContent),
            tags: [...document.querySelectorAll('.tag')].map((e) => e.textContent),
        }));
        assert.equal(injected.xss, undefined);
        assert.equal(injected.elements, 0);
        assert.ok(injected.descriptions.includes(PAYLOADS[1]));
        assert.ok(injected.tags.includes('Show tasks tagged #<i>tag</i>'));

        // the edit form holds them as values, and search / tag filter take them literally
        await taskItem(page, PAYLOADS[2]).locator('[data-role="edit"]').click();
        assert.equal(await page.inputValue('form[data-role="edit-form"] [name="title"]'), PAYLOADS[2]);
        await page.keyboard.press('Escape');
        // PAYLOADS[2] is one task's title and the next one's description
        await page.fill('#filter-q', '<svg onload');
        await expectTitles(page, [PAYLOADS[3], PAYLOADS[2]]);
        await page.fill('#filter-q', '');
        await taskItem(page, PAYLOADS[0]).locator('button.tag').click();
        await expectTitles(page, [PAYLOADS[0]]);
        await page.waitForTimeout(200);
        assert.equal(await page.evaluate(() => window.__xss), undefined);
        await assertHealthy(page, problems);
        await context.close();
    });

    it('shows a 422 next to the field the server names', async () => {
        const { context, page, problems } = await openPage(browser);
        const user = await apiSignup();
        await useSession(context, user.token);
        await page.goto(at('/dashboard/'));
        await listIdle(page);

        // 201 characters: the browser lets it through, the server refuses it
        await page.fill('#add-title', 'x'.repeat(201));
        await page.click('#add-form button[type="submit"]');
        await page.locator('#add-title-error').waitFor();
        assert.match(await textOf(page, '#add-title-error'), /^Must be 1-200 characters/i);
        assert.equal(await page.getAttribute('#add-title', 'aria-invalid'), 'true');
        assert.match(await page.getAttribute('#add-title', 'aria-describedby'), /\badd-title-error\b/);
        assert.match(await textOf(page, '#add-form .form-error'), /title must be 1-200 characters/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'add-title');
        // nothing else is marked
        assert.equal(await page.locator('#add-form [aria-invalid="true"]').count(), 1);

        // 200 code points are fine even when they are 400 UTF-16 units
        const emoji = '😀'.repeat(200);
        await page.fill('#add-title', emoji);
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, emoji).waitFor();
        assert.equal(await page.locator('#add-title-error').count(), 0);
        assert.equal(await page.getAttribute('#add-title', 'aria-invalid'), null);

        // several fields at once: each at its own place
        await page.fill('#add-title', 'Fine title');
        await page.fill('#add-description', 'd'.repeat(1001));
        await page.fill('#add-tags', 't'.repeat(51));
        await page.click('#add-form button[type="submit"]');
        await page.locator('#add-tags-error').waitFor();
        assert.ok(await page.isVisible('#add-description-error'));
        assert.equal(await page.locator('#add-title-error').count(), 0);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'add-description');

        // a client-side check for an empty title, shown the same way
        await page.fill('#add-title', '   ');
        await page.fill('#add-description', '');
        await page.fill('#add-tags', '');
        await page.click('#add-form button[type="submit"]');
        assert.equal(await textOf(page, '#add-title-error'), 'Enter a title.');

        // in the edit form too
        await taskItem(page, emoji).locator('[data-role="edit"]').click();
        const form = page.locator('form[data-role="edit-form"]');
        await form.locator('[name="title"]').fill('y'.repeat(201));
        await form.locator('button[type="submit"]').click();
        await form.locator('.field-error').waitFor();
        assert.match(await form.locator('.field-error').textContent(), /1-200 characters/);
        assert.equal(await form.locator('[name="title"]').getAttribute('aria-invalid'), 'true');
        assert.match(await form.locator('.form-error').textContent(), /title must be 1-200 characters/);
        await form.locator('[data-role="cancel-edit"]').click();
        await taskItem(page, emoji).waitFor();
        await assertHealthy(page, problems);
        await context.close();
    });

    it('shows sign-up and login problems where they belong', async () => {
        const { context, page, problems } = await openPage(browser);
        await page.goto(at('/signup/'));
        await page.fill('#email', 'not-an-email');
        await page.fill('#password', 'short');
        await page.click('#auth-form button[type="submit"]');
        await page.locator('#password-error').waitFor();
        assert.ok(await page.isVisible('#email-error'));
        assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
        assert.match(await page.getAttribute('#password', 'aria-describedby'), /password-hint password-error/);
        assert.ok((await textOf(page, '#auth-form .form-error')).length > 0);

        // 409: the problem's detail on top
        const taken = await apiSignup();
        await page.fill('#email', taken.email);
        await page.fill('#password', 'long enough password');
        await page.click('#auth-form button[type="submit"]');
        await eventually(async () => assert.equal(await page.locator('#auth-form .field-error').count(), 0));
        const detail409 = (await apiCall(null, 'POST', '/api/auth/signup', { email: taken.email, password: 'long enough password' })).data.detail;
        await eventually(async () => assert.equal(await textOf(page, '#auth-form .form-error'), detail409));
        assert.equal(page.url(), `${BASE_URL}/signup/`);

        // 401 on login: the detail, no redirect loop, password cleared
        await page.goto(at('/login/'));
        await page.fill('#email', taken.email);
        await page.fill('#password', 'wrong password!');
        await page.click('#auth-form button[type="submit"]');
        await page.locator('#auth-form .form-error:not([hidden])').waitFor();
        const detail401 = (await apiCall(null, 'POST', '/api/auth/login', { email: uniqueEmail('nobody'), password: 'whatever123' })).data.detail;
        assert.equal(await textOf(page, '#auth-form .form-error'), detail401);
        assert.equal(await page.inputValue('#password'), '');
        assert.equal(page.url(), `${BASE_URL}/login/`);
        // 429 after repeated failures: the detail and when to try again
        let throttled = null;
        for (let i = 0; i < 10 && !throttled; i++) {
            const res = await apiCall(null, 'POST', '/api/auth/login', { email: taken.email, password: `wrong ${i}` });
            if (res.status === 429) throttled = res;
            else assert.equal(res.status, 401);
        }
        assert.ok(throttled, 'login is throttled after repeated failures');
        await page.fill('#password', 'wrong password!');
        await page.click('#auth-form button[type="submit"]');
        await eventually(async () => assert.match(await textOf(page, '#auth-form .form-error'),
            new RegExp(`^${escapeRe(throttled.data.detail)} Try again in \\d+ (minute|second)s?\\.$`)));

        // empty fields are caught before sending
        await page.fill('#email', '');
        await page.click('#auth-form button[type="submit"]');
        assert.equal(await textOf(page, '#email-error'), 'Enter your email address.');
        await assertHealthy(page, problems);
        await context.close();
    });

    it('a 401 sends the user to /login/?next=… and back after login', async () => {
        const { context, page, problems } = await openPage(browser);
        const user = await apiSignup();
        await createTasks(user.token, 2, (i) => ({ title: `Task ${i}` }), 1);
        await useSession(context, user.token);
        await page.goto(at('/dashboard/?status=pending&q=Task'));
        await expectTitles(page, ['Task 1', 'Task 0']);
        // the session goes away (expired, revoked, cleared)
        await context.clearCookies();
        await page.fill('#add-title', 'lost on the way');
        await page.click('#add-form button[type="submit"]');
        await page.waitForURL(/\/login\/\?next=/);
        assert.equal(new URL(page.url()).searchParams.get('next'), `${BASE_PATH}/dashboard/?status=pending&q=Task`);
        assert.equal(await page.getAttribute('#alt-link', 'href'), `${BASE_PATH}/signup/?next=${encodeURIComponent(`${BASE_PATH}/dashboard/?status=pending&q=Task`)}`);
        await page.fill('#email', user.email);
        await page.fill('#password', user.password);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/?status=pending&q=Task`);
        await expectTitles(page, ['Task 1', 'Task 0']);
        assert.equal(await page.isChecked('input[name="status"][value="pending"]'), true);

        // signed in, the sign-in pages and / go straight on
        await page.goto(at('/login/'));
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        await page.goto(at(`/signup/?next=${BASE_PATH}/dashboard/%3Fstatus%3Dcompleted`));
        await page.waitForURL(`${BASE_URL}/dashboard/?status=completed`);
        await assertHealthy(page, problems);
        await context.close();
    });

    it('never follows a `next` that leaves the site', async () => {
        const user = await apiSignup();
        const evil = ['//evil.example.org/x', 'https://evil.example.org/', 'javascript:alert(1)',
            '/\\evil.example.org', `${BASE_PATH}/api/auth/me`, `${BASE_PATH}/login/`,
            // under a prefix: the site's own pages around the app are not the app's
            ...(BASE_PATH ? ['/', '/dashboard/', `${BASE_PATH}x/dashboard/`] : [])];
        const { context, page, problems } = await openPage(browser);
        // logging in ...
        await page.goto(at(`/login/?next=${encodeURIComponent(evil[0])}`));
        await page.fill('#email', user.email);
        await page.fill('#password', user.password);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        // ... and when already signed in
        for (const next of evil.slice(1)) {
            await page.goto(at(`/login/?next=${encodeURIComponent(next)}`));
            await page.waitForURL(`${BASE_URL}/dashboard/`);
        }
        await assertHealthy(page, problems);
        await context.close();
    });

    it('pages are served with the CSP, and no source needs it loosened', async () => {
        for (const p of ['/', '/login/', '/signup/', '/dashboard/', '/js/dashboard.js', '/css/app.css']) {
            const res = await fetch(BASE_URL + p);
            assert.equal(res.status, 200, p);
            assert.match(res.headers.get('content-security-policy') || '', /script-src 'self'/, p);
            if (p.endsWith('.js')) assert.match(res.headers.get('content-type'), /javascript/);
        }
        const files = [];
        const walk = (dir) => {
            for (const name of readdirSync(dir)) {
                const full = path.join(dir, name);
                if (statSync(full).isDirectory()) walk(full);
                else if (name !== 'openapi.json') files.push(full);
            }
        };
        walk(HTDOCS);
        assert.ok(files.length >= 10);
        for (const file of files) {
            const rel = path.relative(HTDOCS, file);
            const src = readFileSync(file, 'utf8');
            const head = src.replace(/^<!doctype html>\s*/i, '').replace(/^<svg[^>]*>/, '');
            assert.match(head, /^(\/\/|\/\*|<!--)/, `${rel} starts with a comment saying what it is for`);
            assert.doesNotMatch(src, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, `${rel}: no HTML strings or eval`);
            assert.doesNotMatch(src, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${rel}: no external URLs (offline, no CDN)`);
            if (rel.endsWith('.html')) {
                assert.doesNotMatch(src, /<script(?![^>]*\bsrc=)[^>]*>/i, `${rel}: no inline <script>`);
                assert.doesNotMatch(src, /\sstyle\s*=|<style/i, `${rel}: no inline styles`);
                assert.doesNotMatch(src, /\son[a-z]+\s*=/i, `${rel}: no on* handler attributes`);
            }
            // the app works under any prefix (TasksBasePath): the HTML and
            // CSS name files relatively, the scripts build every page and
            // API path from APP_ROOT / API_ROOT (js/api.js)
            if (rel.endsWith('.html')) {
                assert.doesNotMatch(src, /\s(?:src|href)\s*=\s*["']?\/(?!\/)/, `${rel}: relative URLs only`);
            }
            if (rel.endsWith('.css')) {
                assert.doesNotMatch(src, /url\(\s*["']?\//, `${rel}: relative URLs only`);
            }
            if (rel.endsWith('.js')) {
                const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
                assert.doesNotMatch(code, /['"`]\/(api|login|signup|dashboard|js|css)\b/, `${rel}: no root-absolute app paths`);
                assert.doesNotMatch(src, /setAttribute\(\s*['"](on[a-z]+|style)['"]/, `${rel}: no handler/style attributes`);
                assert.doesNotMatch(src, /sessionStorage|document\.cookie/, `${rel}: the token is never stored`);
                // Only api.js keeps notes (no secret: whether this browser
                // signed in, when a tab last refreshed); session.test.mjs
                // checks what they hold.
                if (rel !== 'js/api.js') assert.doesNotMatch(src, /localStorage/, `${rel}: the token is never stored`);
            }
        }
    });
});
