// concurrency.test.mjs - the app as one front end among several clients of
// the same account: every edit, toggle and delete carries If-Match (the ETag
// of the task as the page last got it); a change another client made
// meanwhile is shown, never overwritten (412, or found before sending); a
// task deleted elsewhere leaves the list with a message; and after a write
// the list and counts are asked again from the server, not filtered here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    BASE_PATH, at, apiCall, apiSignup, assertHealthy, checkA11y, eventually, expectTitles, launch, listIdle,
    openPage, taskItem, textOf, useSession,
} from './helpers.mjs';

const ELSEWHERE = 'elsewhere (in another tab or on another device)';

describe('the app next to other clients of the same account', () => {
    let browser;
    let page;
    let problems;
    let user;
    /** Every answer the page got from /api/tasks…, with what its request carried. */
    const seen = [];

    before(async () => {
        browser = await launch();
        user = await apiSignup('Two Tabs');
        let context;
        ({ context, page, problems } = await openPage(browser, { bypassCSP: true }));
        await useSession(context, user.token);
        page.on('response', (res) => {
            const req = res.request();
            const url = new URL(req.url());
            if (!url.pathname.startsWith(BASE_PATH)) return;
            const path = url.pathname.slice(BASE_PATH.length); // '/api/tasks...' as at /
            if (!/^\/api\/tasks(\/|$)/.test(path)) return;
            seen.push({
                method: req.method(),
                path,
                status: res.status(),
                query: url.searchParams,
                ifMatch: req.headers()['if-match'],
                etag: res.headers().etag,
            });
        });
        await page.goto(at('/dashboard/'));
        await listIdle(page);
    });
    after(async () => {
        await browser?.close();
    });

    /** Another client of the same account (the API with the user's token). */
    const other = async (method, path, body, expected = method === 'POST' ? 201 : 200) => {
        const res = await apiCall(user.token, method, path, body);
        assert.equal(res.status, expected, JSON.stringify(res.data));
        return res;
    };
    const onServer = async (id) => (await apiCall(user.token, 'GET', `/api/tasks/${id}`)).data;
    const serverTitles = async (query) =>
        (await apiCall(user.token, 'GET', `/api/tasks?limit=1000${query}`)).data.map((t) => t.title);
    /** Edits, toggles and deletes the page sent for one task, in order. */
    const writes = (id) => seen.filter((r) => r.method !== 'GET' && r.method !== 'POST'
        && (r.path === `/api/tasks/${id}` || r.path === `/api/tasks/${id}/complete`));
    /** The ETag of the page's POST that created the task. */
    const createdETag = (id) => seen.find((r) => r.method === 'POST' && r.etag?.startsWith(`"${id}.`)).etag;
    const item = (id) => page.locator(`#task-list > li.task[data-id="${id}"]`);
    const banner = () => textOf(page, '#page-error:not([hidden]) #page-error-text');

    async function addInPage(title) {
        await page.fill('#add-title', title);
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, title).waitFor();
        await listIdle(page);
        return Number(await taskItem(page, title).getAttribute('data-id'));
    }

    async function dismissBanner() {
        await page.click('#page-error-close');
        assert.ok(await page.isHidden('#page-error'));
    }

    it('an edit meeting a change made elsewhere gets a 412: the form shows the task as it is now, the typed text is offered, nothing is overwritten', async () => {
        const id = await addInPage('Plan the trip');
        await item(id).locator('[data-role="edit"]').click();
        const form = page.locator('form[data-role="edit-form"]');
        await form.locator('[name="title"]').fill('Plan the trip to Lisbon');
        const theirs = await other('PATCH', `/api/tasks/${id}`, { title: 'Plan the trip to Porto', priority: 'high' });
        await form.locator('button[type="submit"]').click();

        const notice = page.locator('.edit-conflict-text[role="alert"]');
        await notice.waitFor();
        const said = await notice.textContent();
        assert.ok(said.includes(`changed ${ELSEWHERE}`) && said.includes('nothing was overwritten'), said);
        assert.equal(await page.evaluate(() => document.activeElement.className), 'edit-conflict-text');
        // the PATCH was conditional on the ETag of the page's POST, and refused
        const [refused] = writes(id);
        assert.deepEqual([refused.method, refused.ifMatch, refused.status], ['PATCH', createdETag(id), 412]);
        // the form holds the current values; what was typed is listed
        assert.equal(await form.locator('[name="title"]').inputValue(), 'Plan the trip to Porto');
        assert.equal(await form.locator('[name="priority"]').inputValue(), 'high');
        assert.match(await page.locator('.edit-unsaved').textContent(), /Plan the trip to Lisbon/);
        const now = await onServer(id);
        assert.deepEqual([now.title, now.priority], ['Plan the trip to Porto', 'high']);
        await checkA11y(page, 'dashboard edit conflict');

        // putting the typed text back and saving again is a deliberate write
        // on the current version: their priority stays
        await page.click('[data-role="use-mine"]');
        assert.ok(await page.isHidden('.edit-conflict'));
        assert.equal(await form.locator('[name="title"]').inputValue(), 'Plan the trip to Lisbon');
        await form.locator('button[type="submit"]').click();
        await taskItem(page, 'Plan the trip to Lisbon').waitFor();
        const saved = writes(id)[1];
        assert.deepEqual([saved.ifMatch, saved.status], [theirs.headers.get('etag'), 200]);
        const later = await onServer(id);
        assert.deepEqual([later.title, later.priority], ['Plan the trip to Lisbon', 'high']);
        await listIdle(page);
    });

    it('an edit of a task changed elsewhere after the list was loaded is stopped before anything is sent', async () => {
        const { data: task } = await other('POST', '/api/tasks', { title: 'Water the plants' });
        await page.reload();
        await listIdle(page);
        await item(task.id).locator('[data-role="edit"]').click();
        const form = page.locator('form[data-role="edit-form"]');
        await form.locator('[name="title"]').fill('Water the plants twice');
        await other('PATCH', `/api/tasks/${task.id}`, { title: 'Water the garden' });
        await form.locator('button[type="submit"]').click();

        await page.locator('.edit-conflict-text[role="alert"]').waitFor();
        assert.equal(await form.locator('[name="title"]').inputValue(), 'Water the garden');
        assert.match(await page.locator('.edit-unsaved').textContent(), /Water the plants twice/);
        // the page read the task before its first write, saw the change and sent nothing
        assert.deepEqual(writes(task.id), []);
        assert.equal((await onServer(task.id)).title, 'Water the garden');
        // Cancel shows the current state in the list
        await form.locator('[data-role="cancel-edit"]').click();
        await taskItem(page, 'Water the garden').waitFor();
    });

    it('a toggle meeting a change made elsewhere gets a 412: the task shows as it is now, nothing is overwritten', async () => {
        const id = await addInPage('Call the plumber');
        await item(id).locator('[data-role="toggle"]').click();
        await eventually(async () => assert.match(await item(id).getAttribute('class'), /\bis-done\b/));
        await listIdle(page);
        await other('PATCH', `/api/tasks/${id}`, { title: 'Call the plumber about the boiler' });

        await item(id).locator('[data-role="toggle"]').click();
        await eventually(async () => assert.equal(await banner(),
            `“Call the plumber” was changed ${ELSEWHERE}, so it was not marked pending and nothing was overwritten. It now shows its current state.`));
        await eventually(async () => assert.equal(await textOf(page, `li[data-id="${id}"] .task-title`), 'Call the plumber about the boiler'));
        assert.equal(await item(id).locator('[data-role="toggle"]').isChecked(), true);
        assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'toggle');
        const [done, refused] = writes(id);
        assert.deepEqual([done.ifMatch, done.status], [createdETag(id), 200]);
        assert.deepEqual([refused.ifMatch, refused.status], [done.etag, 412]);
        const now = await onServer(id);
        assert.deepEqual([now.title, now.completed], ['Call the plumber about the boiler', true]);
        await dismissBanner();
    });

    it('a delete meeting a change made elsewhere gets a 412: the task stays, shown as it is now', async () => {
        const id = await addInPage('Sell the old bike');
        const theirs = await other('PATCH', `/api/tasks/${id}`, { priority: 'high' });
        await item(id).locator('[data-role="delete"]').click();
        await page.click('#confirm-ok');
        await eventually(async () => assert.equal(await banner(),
            `“Sell the old bike” was changed ${ELSEWHERE}, so it was not deleted and nothing was overwritten. It now shows its current state.`));
        await eventually(async () => assert.equal(await textOf(page, `li[data-id="${id}"] .prio`), 'High priority'));
        const [refused] = writes(id);
        assert.deepEqual([refused.method, refused.ifMatch, refused.status], ['DELETE', createdETag(id), 412]);
        assert.equal((await onServer(id)).priority, 'high');
        await dismissBanner();

        // seen as it is now, it can be deleted
        await item(id).locator('[data-role="delete"]').click();
        await page.click('#confirm-ok');
        await eventually(async () => assert.equal(await item(id).count(), 0));
        const deleted = writes(id)[1];
        assert.deepEqual([deleted.ifMatch, deleted.status], [theirs.headers.get('etag'), 204]);
        assert.equal((await apiCall(user.token, 'GET', `/api/tasks/${id}`)).status, 404);
        await listIdle(page);
    });

    it('a task deleted elsewhere leaves the list with a message, whether toggled, edited or deleted', async () => {
        const { data: edited } = await other('POST', '/api/tasks', { title: 'Gone before the edit' });
        const { data: deleted } = await other('POST', '/api/tasks', { title: 'Gone before the delete' });
        await page.reload();
        await listIdle(page);
        const known = await addInPage('Gone before the toggle');
        const goneElsewhere = (id) => other('DELETE', `/api/tasks/${id}`, undefined, 204);

        // a task the page holds an ETag for: the conditional PATCH finds nothing
        await goneElsewhere(known);
        await item(known).locator('[data-role="toggle"]').click();
        await eventually(async () => assert.equal(await banner(), `“Gone before the toggle” was deleted ${ELSEWHERE}.`));
        assert.equal(await item(known).count(), 0);
        assert.deepEqual(writes(known).map((r) => [r.ifMatch, r.status]), [[createdETag(known), 404]]);
        await listIdle(page);

        await item(edited.id).locator('[data-role="edit"]').click();
        await page.locator('form[data-role="edit-form"] [name="title"]').fill('Edited in vain');
        await goneElsewhere(edited.id);
        await page.click('form[data-role="edit-form"] button[type="submit"]');
        await eventually(async () => assert.equal(await banner(), `“Gone before the edit” was deleted ${ELSEWHERE}.`));
        assert.equal(await item(edited.id).count(), 0);
        await listIdle(page);

        await goneElsewhere(deleted.id);
        await item(deleted.id).locator('[data-role="delete"]').click();
        await page.click('#confirm-ok');
        await eventually(async () => assert.equal(await banner(), `“Gone before the delete” was deleted ${ELSEWHERE}.`));
        assert.equal(await item(deleted.id).count(), 0);
        await expectTitles(page, await serverTitles(''));
        await dismissBanner();
    });

    it('after a toggle in the Pending view the list and counts are the server’s answers, not guessed in the page', async () => {
        await other('POST', '/api/tasks', { title: 'Pending one' });
        await page.click('label.seg:has(input[value="pending"])');
        await expectTitles(page, await serverTitles('&status=pending'));
        // a task only the server knows about yet
        await other('POST', '/api/tasks', { title: 'Added by the other client' });
        const since = seen.length;
        await taskItem(page, 'Pending one').locator('[data-role="toggle"]').click();

        const pending = await eventually(async () => {
            const titles = await serverTitles('&status=pending');
            assert.ok(titles.includes('Added by the other client') && !titles.includes('Pending one'));
            return titles;
        });
        await expectTitles(page, pending);
        const asked = seen.slice(since).filter((r) => r.method === 'GET' && r.path === '/api/tasks'
            && r.query.get('status') === 'pending' && r.query.get('limit') !== '1');
        assert.ok(asked.length >= 1, 'the list was asked again after the toggle');
        const total = (await apiCall(user.token, 'GET', '/api/tasks?status=pending&limit=1')).headers.get('x-total-count');
        await eventually(async () => assert.equal(await textOf(page, '#count-pending'), total));
        assert.equal(await textOf(page, '#list-status'), `${total} tasks`);
        await page.click('label.seg:has(input[value="all"])');
        await expectTitles(page, await serverTitles(''));
    });

    it('sends every edit, toggle and delete with If-Match: the ETag of the task as the page last got it', async () => {
        const id = await addInPage('Chain of ETags');
        await item(id).locator('[data-role="toggle"]').click();
        await eventually(async () => assert.match(await item(id).getAttribute('class'), /\bis-done\b/));
        await listIdle(page);
        await item(id).locator('[data-role="edit"]').click();
        await page.locator('form[data-role="edit-form"] [name="title"]').fill('Chain of ETags, edited');
        await page.click('form[data-role="edit-form"] button[type="submit"]');
        await taskItem(page, 'Chain of ETags, edited').waitFor();
        await listIdle(page);
        await item(id).locator('[data-role="delete"]').click();
        await page.click('#confirm-ok');
        await eventually(async () => assert.equal(await item(id).count(), 0));

        const chain = writes(id);
        assert.deepEqual(chain.map((r) => `${r.method} ${r.path} ${r.status}`),
            [`PATCH /api/tasks/${id}/complete 200`, `PATCH /api/tasks/${id} 200`, `DELETE /api/tasks/${id} 204`]);
        assert.match(createdETag(id), new RegExp(`^"${id}\\.\\d+"$`));
        assert.deepEqual(chain.map((r) => r.ifMatch), [createdETag(id), chain[0].etag, chain[1].etag]);
        // and every write to one task this page sent, in every test above
        const all = seen.filter((r) => r.method !== 'GET' && r.method !== 'POST');
        assert.ok(all.length >= 10, `${all.length} writes seen`);
        for (const r of all) {
            const taskId = /^\/api\/tasks\/(\d+)/.exec(r.path)[1];
            assert.match(r.ifMatch || '', new RegExp(`^"${taskId}\\.\\d+"$`), `${r.method} ${r.path} carries If-Match`);
        }
        await assertHealthy(page, problems);
    });
});
