// journey.test.mjs - one person's whole way through the app in a browser:
// sign up, add tasks with every field, complete, edit in place, filter,
// search, sort by every key both ways, page with "Load more", delete, clear
// completed, reload, log out, log in again; then a second user sees nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    API_PATH, at, BASE_PATH, BASE_URL, PAGE_LIMIT, apiCall, assertHealthy, assertUnderRoot, createTasks, eventually, expectTitles,
    launch, listIdle, listTitles, openPage, sessionToken, taskItem, textOf, uniqueEmail,
} from './helpers.mjs';

const PASSWORD = 'a good long password';

describe('the journey of one user', () => {
    let browser;
    let context;
    let page;
    let problems;
    let token;
    const email = uniqueEmail('journey');

    before(async () => {
        browser = await launch();
        ({ context, page, problems } = await openPage(browser));
    });
    after(async () => {
        await browser?.close();
    });

    const counts = async () => ({
        all: await textOf(page, '#count-all'),
        pending: await textOf(page, '#count-pending'),
        completed: await textOf(page, '#count-completed'),
    });
    const expectCounts = (all, pending, completed) => eventually(async () => {
        assert.deepEqual(await counts(), { all: String(all), pending: String(pending), completed: String(completed) });
    });
    const apiTasks = async (query = '', limit = 1000) => {
        const res = await apiCall(token, 'GET', `/api/tasks?limit=${limit}${query}`);
        assert.equal(res.status, 200);
        return res.data;
    };
    const byTitle = async (title) => (await apiTasks()).find((t) => t.title === title);

    it('/ sends a visitor who is not signed in to /login/', async () => {
        await page.goto(at('/'));
        await page.waitForURL(`${BASE_URL}/login/`);
        assert.equal(await page.title(), 'Log in · Tasks');
    });

    it('signs up from the login page and lands on an empty dashboard', async () => {
        await page.click('#alt-link');
        await page.waitForURL(`${BASE_URL}/signup/`);
        await page.fill('#name', 'Journey Person');
        await page.fill('#email', email);
        await page.fill('#password', PASSWORD);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        await eventually(async () => assert.equal(await textOf(page, '#user-label'), 'Journey Person'));
        await listIdle(page);
        assert.equal(await textOf(page, '#list-empty-title'), 'No tasks yet');
        await expectCounts(0, 0, 0);
        token = await sessionToken(context);
        // the token stays out of reach of page scripts
        const visible = await page.evaluate(() => ({
            cookie: document.cookie, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage),
        }));
        assert.ok(!visible.cookie.includes('tasks_session'));
        assert.ok(!visible.local.includes(token.slice(0, 20)) && !visible.session.includes(token.slice(0, 20)));
    });

    it('adds tasks with title, description, priority, due date and tags', async () => {
        const add = async ({ title, description = '', priority = 'none', due = '', tags = '' }) => {
            await page.fill('#add-title', title);
            await page.fill('#add-description', description);
            await page.selectOption('#add-priority', priority);
            await page.fill('#add-due', due);
            await page.fill('#add-tags', tags);
            await page.click('#add-form button[type="submit"]');
            await taskItem(page, title).waitFor();
            // the form is cleared and ready for the next one
            await eventually(async () => assert.equal(await page.inputValue('#add-title'), ''));
        };
        await add({ title: 'Buy milk', description: 'Two litres, organic', priority: 'high', due: '2020-01-15T10:00', tags: 'home, errands' });
        await add({ title: 'Write report', description: 'Quarterly numbers', priority: 'medium', due: '2031-07-01T09:30', tags: 'work' });
        await add({ title: 'Call the bank', priority: 'low', tags: 'errands' });
        await add({ title: 'Água e sabão ✓', description: 'unicode works' });

        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write report', 'Buy milk']);
        await expectCounts(4, 4, 0);

        // datetime-local (Europe/Berlin wall time) -> RFC 3339 with the offset of that date
        const milk = await byTitle('Buy milk');
        assert.equal(milk.due_at.replace(/\.0+Z$/, 'Z'), '2020-01-15T09:00:00Z'); // CET, +01:00
        assert.equal(milk.description, 'Two litres, organic');
        assert.equal(milk.priority, 'high');
        assert.deepEqual(milk.tags, ['home', 'errands']);
        const report = await byTitle('Write report');
        assert.equal(report.due_at.replace(/\.0+Z$/, 'Z'), '2031-07-01T07:30:00Z'); // CEST, +02:00
        const bank = await byTitle('Call the bank');
        assert.equal(bank.due_at, null);
        assert.equal(bank.description, null);

        // shown as entered, in local time; overdue stands out
        const milkItem = taskItem(page, 'Buy milk');
        assert.match(await milkItem.locator('.due').textContent(), /Jan 15, 2020, 10:00/);
        assert.match(await milkItem.getAttribute('class'), /\bis-overdue\b/);
        assert.equal(await milkItem.locator('.badge-overdue').textContent(), 'Overdue');
        assert.equal(await milkItem.locator('.prio').textContent(), 'High priority');
        assert.deepEqual(await milkItem.locator('.tag').allTextContents(), ['Show tasks tagged #home', 'Show tasks tagged #errands']);
        assert.doesNotMatch(await taskItem(page, 'Write report').getAttribute('class'), /is-overdue/);
    });

    it('toggles completion', async () => {
        const item = taskItem(page, 'Buy milk');
        await item.locator('input[data-role="toggle"]').check();
        await eventually(async () => assert.match(await taskItem(page, 'Buy milk').getAttribute('class'), /\bis-done\b/));
        await expectCounts(4, 3, 1);
        assert.equal((await byTitle('Buy milk')).completed, true);
        // a completed task is no longer overdue
        assert.doesNotMatch(await taskItem(page, 'Buy milk').getAttribute('class'), /is-overdue/);
        // and back
        await taskItem(page, 'Call the bank').locator('input[data-role="toggle"]').check();
        await expectCounts(4, 2, 2);
        await taskItem(page, 'Call the bank').locator('input[data-role="toggle"]').uncheck();
        await expectCounts(4, 3, 1);
        assert.equal((await byTitle('Call the bank')).completed, false);
    });

    it('edits every field in place', async () => {
        await taskItem(page, 'Write report').locator('[data-role="edit"]').click();
        const form = page.locator('form[data-role="edit-form"]');
        await form.waitFor();
        assert.equal(await form.locator('[name="title"]').inputValue(), 'Write report');
        assert.equal(await form.locator('[name="due_at"]').inputValue(), '2031-07-01T09:30');
        assert.equal(await form.locator('[name="tags"]').inputValue(), 'work');
        await form.locator('[name="title"]').fill('Write the annual report');
        await form.locator('[name="description"]').fill('With charts');
        await form.locator('[name="priority"]').selectOption('high');
        await form.locator('[name="due_at"]').fill('');
        await form.locator('[name="tags"]').fill('work, q4');
        await form.locator('button[type="submit"]').click();
        await taskItem(page, 'Write the annual report').waitFor();
        assert.equal(await page.locator('form[data-role="edit-form"]').count(), 0);
        const t = await byTitle('Write the annual report');
        assert.equal(t.description, 'With charts');
        assert.equal(t.priority, 'high');
        assert.equal(t.due_at, null);
        assert.deepEqual(t.tags, ['work', 'q4']);
        // focus goes back to the task's Edit button
        assert.equal(await page.evaluate(() => document.activeElement?.dataset.role), 'edit');

        // Escape cancels an edit without saving
        await taskItem(page, 'Call the bank').locator('[data-role="edit"]').click();
        await page.locator('form[data-role="edit-form"] [name="title"]').fill('Not saved');
        await page.keyboard.press('Escape');
        await taskItem(page, 'Call the bank').waitFor();
        assert.equal(await byTitle('Not saved'), undefined);

        // description and due date can be set later and cleared again
        await taskItem(page, 'Call the bank').locator('[data-role="edit"]').click();
        await page.locator('form[data-role="edit-form"] [name="due_at"]').fill('2030-03-03T08:15');
        await page.locator('form[data-role="edit-form"] [name="description"]').fill('ask about fees');
        await page.locator('form[data-role="edit-form"] button[type="submit"]').click();
        await eventually(async () => assert.match(await taskItem(page, 'Call the bank').locator('.due').textContent(), /Mar 3, 2030, 8:15/));
        assert.equal((await byTitle('Call the bank')).due_at.replace(/\.0+Z$/, 'Z'), '2030-03-03T07:15:00Z');
    });

    it('filters by status (with counts), priority and tag', async () => {
        await page.click('label.seg:has(input[value="completed"])');
        await expectTitles(page, ['Buy milk']);
        assert.match(page.url(), /status=completed/);
        await page.click('label.seg:has(input[value="pending"])');
        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write the annual report']);
        await page.click('label.seg:has(input[value="all"])');
        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write the annual report', 'Buy milk']);

        await page.selectOption('#filter-priority', 'high');
        await expectTitles(page, ['Write the annual report', 'Buy milk']);
        await page.selectOption('#filter-priority', 'low');
        await expectTitles(page, ['Call the bank']);
        await page.selectOption('#filter-priority', '');

        // a tag on a task filters by it
        await taskItem(page, 'Buy milk').locator('button.tag', { hasText: '#errands' }).click();
        await expectTitles(page, ['Call the bank', 'Buy milk']);
        assert.equal(await page.inputValue('#filter-tag'), 'errands');
        // several tags: a task must carry all
        await page.fill('#filter-tag', 'errands, home');
        await expectTitles(page, ['Buy milk']);
        await page.fill('#filter-tag', 'nosuchtag');
        await expectTitles(page, []);
        assert.equal(await textOf(page, '#list-empty-title'), 'No tasks match your filters');
        await page.click('#empty-reset');
        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write the annual report', 'Buy milk']);
        assert.equal(await page.inputValue('#filter-tag'), '');
    });

    it('searches as you type (title and description, taken literally)', async () => {
        const requests = [];
        const onRequest = (r) => { if (r.url().includes('/api/tasks?') && r.url().includes('q=')) requests.push(r.url()); };
        page.on('request', onRequest);
        await page.click('#filter-q');
        await page.keyboard.type('organic', { delay: 20 });
        await expectTitles(page, ['Buy milk']);
        // debounced: not one request per key
        assert.ok(requests.length < 'organic'.length, `search sent ${requests.length} requests`);
        await page.fill('#filter-q', 'CALL');
        await expectTitles(page, ['Call the bank']);
        await page.fill('#filter-q', '%');
        await expectTitles(page, []);
        await page.fill('#filter-q', '');
        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write the annual report', 'Buy milk']);
        page.off('request', onRequest);
    });

    it('sorts by every key, both ways, as the API does', async () => {
        for (const sort of ['created_at', 'updated_at', 'due_at', 'priority', 'title']) {
            for (const order of ['asc', 'desc']) {
                await page.selectOption('#sort', sort);
                await page.selectOption('#order', order);
                const expected = (await apiTasks(`&sort=${sort}&order=${order}`)).map((t) => t.title);
                await expectTitles(page, expected);
                const params = new URL(page.url()).searchParams;
                assert.equal(params.get('sort'), sort === 'created_at' ? null : sort);
                assert.equal(params.get('order'), order === 'desc' ? null : order);
            }
        }
        // spot checks that do not just mirror the API
        await page.selectOption('#sort', 'priority');
        await page.selectOption('#order', 'desc');
        await eventually(async () => assert.equal((await listTitles(page))[0], 'Write the annual report'));
        await page.selectOption('#sort', 'due_at');
        await page.selectOption('#order', 'asc');
        await eventually(async () => assert.equal((await listTitles(page))[0], 'Buy milk'));
        await page.selectOption('#sort', 'created_at');
        await page.selectOption('#order', 'desc');
        await expectTitles(page, ['Água e sabão ✓', 'Call the bank', 'Write the annual report', 'Buy milk']);
    });

    it('pages through more than one page with "Load more" (Link rel="next")', async () => {
        const extra = 2 * PAGE_LIMIT + 7;
        await createTasks(token, extra, (i) => ({ title: `Bulk ${String(i).padStart(3, '0')}`, tags: ['bulk'] }));
        const total = extra + 4;
        const cursors = [];
        page.on('request', (r) => { if (r.url().includes('cursor=')) cursors.push(r.url()); });
        await page.reload();
        await listIdle(page);
        await eventually(async () => assert.equal((await listTitles(page)).length, PAGE_LIMIT));
        assert.equal(await textOf(page, '#list-status'), `Showing ${PAGE_LIMIT} of ${total} tasks`);
        await expectCounts(total, total - 1, 1);
        await page.click('#load-more');
        await eventually(async () => assert.equal((await listTitles(page)).length, 2 * PAGE_LIMIT));
        await page.click('#load-more');
        await eventually(async () => assert.equal((await listTitles(page)).length, total));
        assert.equal(await page.isHidden('#load-more'), true);
        assert.equal(await textOf(page, '#list-status'), `${total} tasks`);
        assert.equal(cursors.length, 2, 'each further page follows the next link');
        const ids = await page.$$eval('#task-list > li.task', (els) => els.map((e) => e.dataset.id));
        assert.equal(new Set(ids).size, total, 'every task exactly once');
        // newest first: the last ones are the first four added by hand
        assert.deepEqual((await listTitles(page)).slice(-4), ['Água e sabão ✓', 'Call the bank', 'Write the annual report', 'Buy milk']);
    });

    it('deletes a task after confirmation (and keeps it when cancelled)', async () => {
        await page.fill('#filter-tag', 'bulk');
        await eventually(async () => assert.equal(await textOf(page, '#list-status'), `Showing ${PAGE_LIMIT} of ${2 * PAGE_LIMIT + 7} tasks`));
        await page.fill('#filter-tag', '');
        await eventually(async () => assert.ok((await textOf(page, '#list-status')).startsWith('Showing 50 of')));

        const victim = (await byTitle('Água e sabão ✓'));
        await page.fill('#filter-q', 'sabão');
        await expectTitles(page, ['Água e sabão ✓']);
        await taskItem(page, 'Água e sabão ✓').locator('[data-role="delete"]').click();
        await page.locator('#confirm-dialog[open]').waitFor();
        await page.click('#confirm-cancel');
        assert.equal(await page.locator('#confirm-dialog[open]').count(), 0);
        await expectTitles(page, ['Água e sabão ✓']);

        await taskItem(page, 'Água e sabão ✓').locator('[data-role="delete"]').click();
        assert.match(await textOf(page, '#confirm-text'), /Água e sabão ✓/);
        await page.click('#confirm-ok');
        await expectTitles(page, []);
        assert.equal((await apiCall(token, 'GET', `/api/tasks/${victim.id}`)).status, 404);
        await page.fill('#filter-q', '');
        await listIdle(page);
    });

    it('clears completed tasks', async () => {
        await page.fill('#filter-q', 'bank');
        await expectTitles(page, ['Call the bank']);
        await taskItem(page, 'Call the bank').locator('input[data-role="toggle"]').check();
        await eventually(async () => assert.equal(await textOf(page, '#count-completed'), '2'));
        await page.click('#clear-completed');
        assert.match(await textOf(page, '#confirm-text'), /All 2 completed tasks/);
        await page.click('#confirm-ok');
        await eventually(async () => assert.equal(await textOf(page, '#count-completed'), '0'));
        assert.equal(await page.getAttribute('#clear-completed', 'aria-disabled'), 'true');
        assert.equal((await apiTasks('&status=completed')).length, 0);
        await expectTitles(page, []);
        await page.fill('#filter-q', '');
        await listIdle(page);
    });

    it('is still signed in after a reload, and the filters survive it', async () => {
        await page.click('label.seg:has(input[value="pending"])');
        await page.fill('#filter-q', 'annual');
        await expectTitles(page, ['Write the annual report']);
        await page.reload();
        await expectTitles(page, ['Write the annual report']);
        assert.equal(await page.isChecked('input[name="status"][value="pending"]'), true);
        assert.equal(await page.inputValue('#filter-q'), 'annual');
        assert.equal(await textOf(page, '#user-label'), 'Journey Person');
        await page.goto(at('/'));
        await page.waitForURL(`${BASE_URL}/dashboard/`);
    });

    it('logs out, then logs in again and sees the same tasks', async () => {
        await listIdle(page);
        await page.click('#logout');
        await page.waitForURL(`${BASE_URL}/login/`);
        const me = await page.evaluate(async (api) => (await fetch(`${api}/auth/me`, { credentials: 'same-origin' })).status, API_PATH);
        assert.equal(me, 401);
        // the old token is revoked, not just forgotten
        assert.equal((await apiCall(token, 'GET', '/api/auth/me')).status, 401);

        await page.goto(at('/dashboard/'));
        await page.waitForURL(`${BASE_URL}/login/?next=${encodeURIComponent(`${BASE_PATH}/dashboard/`)}`);
        await page.fill('#email', email.toUpperCase());
        await page.fill('#password', PASSWORD);
        await page.press('#password', 'Enter');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        token = await sessionToken(context);
        const expected = (await apiTasks('', PAGE_LIMIT)).map((t) => t.title);
        await expectTitles(page, expected);
        assert.equal(expected.length, PAGE_LIMIT);
        await expectCounts(2 * PAGE_LIMIT + 8, 2 * PAGE_LIMIT + 8, 0);
        assert.ok(await taskItem(page, 'Write the annual report').count() <= 1);
        await assertHealthy(page, problems);
    });

    it('made every request under the app’s root (and its API under the API path)', async () => {
        const paths = problems.requests.map((r) => new URL(r.split(' ')[1]).pathname);
        assert.ok(paths.filter((p) => p.startsWith(`${API_PATH}/tasks`)).length > 20, paths.join('\n'));
        assert.ok(paths.some((p) => p === `${BASE_PATH}/js/dashboard.js`), 'the scripts');
        assertUnderRoot(problems.requests);
    });

    it('a second user sees none of the first user’s tasks', async () => {
        const other = await openPage(browser, { width: 390 });
        try {
            await other.page.goto(at('/signup/'));
            await other.page.fill('#email', uniqueEmail('second'));
            await other.page.fill('#password', PASSWORD);
            await other.page.click('#auth-form button[type="submit"]');
            await other.page.waitForURL(`${BASE_URL}/dashboard/`);
            await listIdle(other.page);
            assert.deepEqual(await listTitles(other.page), []);
            await eventually(async () => assert.equal(await textOf(other.page, '#count-all'), '0'));
            assert.equal(await textOf(other.page, '#list-empty-title'), 'No tasks yet');
            // nameless account: the header shows the email
            assert.match(await textOf(other.page, '#user-label'), /^second-/);
            // the first user's task does not exist for the second
            const mine = await byTitle('Write the annual report');
            const status = await other.page.evaluate(async ([api, id]) =>
                (await fetch(`${api}/tasks/${id}`, { credentials: 'same-origin' })).status, [API_PATH, mine.id]);
            assert.equal(status, 404);
            await other.page.fill('#filter-q', 'annual');
            await expectTitles(other.page, []);
            await assertHealthy(other.page, other.problems);
        } finally {
            await other.context.close();
        }
    });
});
