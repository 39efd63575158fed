// helpers.mjs - shared pieces of the browser tests: headless Chromium,
// the stack's BASE_URL, API calls from node (with a session token), axe-core,
// screenshots, page-health checks (uncaught errors, CSP violations, requests
// that leave the app's root) and polling.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Where the app is: an origin (the app at /) or an origin and a prefix
 * (http://127.0.0.1:8080/tasks: TasksBasePath /tasks/), no trailing slash.
 */
export const BASE_URL = (process.env.BASE_URL || '').replace(/\/$/, '');
if (!BASE_URL) throw new Error('BASE_URL is not set: run the suite with tests/e2e/run.sh');
/** The app's prefix: '' at /, '/tasks' under TasksBasePath /tasks/. */
export const BASE_PATH = new URL(BASE_URL).pathname.replace(/\/$/, '');
/** The API's path: '/api', '/tasks/api'. */
export const API_PATH = `${BASE_PATH}/api`;
/** A page or file of the app by its path below the app's root: at('/dashboard/'). */
export function at(p) {
    return BASE_URL + p;
}
export const SHOTS = path.join(HERE, 'screenshots');
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
/** What the dashboard asks for per page (js/dashboard.js PAGE_LIMIT). */
export const PAGE_LIMIT = 50;

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic'];

export function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ARGS,
    });
}

/**
 * A fresh context (own cookies) and page. Fixed locale and time zone, so due
 * dates convert predictably; records uncaught errors, CSP violations and
 * dialogs (none may appear unless a test expects them).
 */
export async function openPage(browser, { width = 1280, height = 900, colorScheme = 'light',
    timezoneId = 'Europe/Berlin', reducedMotion = 'reduce', bypassCSP = false } = {}) {
    const context = await browser.newContext({
        // Only for contexts that inject axe-core: addScriptTag adds an inline
        // <script>, which the app's CSP (rightly) refuses.
        bypassCSP,
        baseURL: `${BASE_URL}/`,
        viewport: { width, height },
        colorScheme,
        reducedMotion,
        locale: 'en-US',
        timezoneId,
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = { errors: [], csp: [], dialogs: [], requests: [] };
    // every request of every page of the context (the app's own, and the
    // test's navigations): all must stay under the app's root
    context.on('request', (req) => {
        if (/^https?:/.test(req.url())) problems.requests.push(`${req.method()} ${req.url()}`);
    });
    page.on('pageerror', (err) => problems.errors.push(err.message));
    page.on('console', (msg) => {
        const text = msg.text();
        if (/Content Security Policy|Refused to/i.test(text)) problems.csp.push(text);
    });
    page.on('dialog', async (dialog) => {
        problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        await dialog.dismiss().catch(() => {});
    });
    await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
            window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
    });
    return { context, page, problems };
}

/**
 * No uncaught error, no CSP violation, no alert/confirm/prompt so far, and
 * every request went to the app's root or below (under a prefix: never to
 * /api, /login/ or another page of the site around the app).
 */
export async function assertHealthy(page, problems) {
    const inPage = await page.evaluate(() => window.__cspViolations || []).catch(() => []);
    assert.deepEqual(problems.errors, [], 'uncaught page errors');
    assert.deepEqual([...problems.csp, ...inPage], [], 'CSP violations');
    assert.deepEqual(problems.dialogs, [], 'unexpected dialogs');
    assertUnderRoot(problems.requests);
}

/** Every "METHOD URL" of requests is under BASE_URL/. */
export function assertUnderRoot(requests) {
    const outside = requests.filter((r) => !r.split(' ')[1].startsWith(`${BASE_URL}/`));
    assert.deepEqual(outside, [], `requests outside the app's root ${BASE_URL}/`);
}

let seq = 0;
export function uniqueEmail(prefix = 'user') {
    seq += 1;
    return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq}@example.org`;
}

/** Call the API from node at urlPath below the app's root ('/api/tasks'). `token` is sent as a Bearer token. */
export async function apiCall(token, method, urlPath, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(BASE_URL + urlPath, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    return { status: res.status, headers: res.headers, data };
}

/** Sign up through the API; returns {token, user, email, password}. */
export async function apiSignup(name = 'Test User') {
    const email = uniqueEmail('api');
    const password = 'correct horse battery staple';
    const res = await apiCall(null, 'POST', '/api/auth/signup', { email, password, name });
    assert.equal(res.status, 201, JSON.stringify(res.data));
    return { token: res.data.token, user: res.data.user, email, password };
}

/** Create many tasks quickly (a few requests in flight at a time). */
export async function createTasks(token, count, make, concurrency = 8) {
    const out = new Array(count);
    let next = 0;
    async function worker() {
        while (next < count) {
            const i = next++;
            const res = await apiCall(token, 'POST', '/api/tasks', make(i));
            assert.equal(res.status, 201, JSON.stringify(res.data));
            out[i] = res.data;
        }
    }
    await Promise.all(Array.from({ length: concurrency }, worker));
    return out;
}

/** The session cookie's value (the browser holds it; page scripts cannot read it). */
export async function sessionToken(context) {
    const cookie = (await context.cookies()).find((c) => c.name === 'tasks_session');
    assert.ok(cookie, 'tasks_session cookie is set');
    return cookie.value;
}

/** Put an API session into a browser context, as login would. */
export async function useSession(context, token) {
    const { hostname } = new URL(BASE_URL);
    await context.addCookies([{
        name: 'tasks_session', value: token, domain: hostname, path: API_PATH,
        httpOnly: true, sameSite: 'Strict', secure: false,
    }]);
}

/** Poll fn until it stops throwing (assertions inside), or rethrow after timeout. */
export async function eventually(fn, timeout = 8000, interval = 50) {
    const end = Date.now() + timeout;
    for (;;) {
        try {
            return await fn();
        } catch (err) {
            if (Date.now() > end) throw err;
            await new Promise((r) => setTimeout(r, interval));
        }
    }
}

/** Titles shown in the task list, in order. */
export function listTitles(page) {
    return page.$$eval('#task-list > li.task:not(.skeleton) .task-title', (els) => els.map((e) => e.textContent));
}

/** Wait until the list is loaded and idle. */
export async function listIdle(page) {
    await page.waitForSelector('#task-list[aria-busy="false"]', { state: 'attached' });
}

/** Wait until the list shows exactly these titles (in order). */
export async function expectTitles(page, expected, timeout) {
    await eventually(async () => {
        await listIdle(page);
        assert.deepEqual(await listTitles(page), expected);
    }, timeout);
}

/** The <li> of the task with this exact title. */
export function taskItem(page, title) {
    return page.locator('#task-list > li.task').filter({
        has: page.locator('.task-title', { hasText: new RegExp(`^${escapeRe(title)}$`) }),
    });
}

export function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text of an element, trimmed, or null when it is missing. */
export async function textOf(page, selector) {
    const el = await page.$(selector);
    return el ? (await el.textContent()).trim() : null;
}

/**
 * Run axe-core on the page; fail on serious or critical violations.
 * The page's context must be opened with {bypassCSP: true}.
 * Returns all violations for reporting.
 */
export async function checkA11y(page, label) {
    const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await page.addScriptTag({ path: AXE_PATH });
    const result = await page.evaluate(async () => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
    }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const describe = (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`;
    assert.equal(bad.length, 0, `axe on ${label}:\n  ${bad.map(describe).join('\n  ')}`);
    return result.violations;
}

/**
 * Save a full-page screenshot at 390 and 1280 px as screenshots/<name>-<width>.png;
 * at those widths and at 360 px the page must not scroll sideways.
 */
export async function screenshots(page, name, { shoot = true } = {}) {
    mkdirSync(SHOTS, { recursive: true });
    const original = page.viewportSize();
    for (const width of [360, 390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} at ${width}px scrolls sideways by ${overflow}px`);
        if (shoot && width !== 360) {
            await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
        }
    }
    await page.setViewportSize(original);
}

/** Hide a pending toast, so screenshots show the page itself. */
export async function clearToast(page) {
    await page.evaluate(() => {
        const t = document.getElementById('toast');
        if (t) t.textContent = '';
    });
}
