// lists.test.mjs - lists in a browser: the sidebar shows the Inbox first
// with its pending count; a list is made from the sidebar and chosen; a
// task added while it is chosen goes into it (the add form's List control
// follows the choice), another into the Inbox by choosing it there; a
// task moves to another list in its edit form; a list is renamed and
// recolored, moved by keyboard (Move up / Move down, focus kept) and by
// pointer (dragged onto another); deleting a list asks first and says what
// happens to its tasks, and "move them to" keeps them. axe-clean.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    apiCall, apiSignup, assertHealthy, at, checkA11y, eventually, expectTitles, launch, listIdle, openPage, screenshots,
    taskItem, textOf, useSession,
} from './helpers.mjs';

describe('lists', () => {
    let browser;
    let context;
    let page;
    let problems;
    let person;

    before(async () => {
        browser = await launch();
        // axe-core is injected as an inline script: the CSP is the security
        // suite's to check.
        ({ context, page, problems } = await openPage(browser, { bypassCSP: true }));
        person = await apiSignup('List Person');
        await useSession(context, person.token);
    });
    after(async () => {
        await browser?.close();
    });

    const names = () => page.$$eval('#lists li.list-item[data-list] .list-name', (els) => els.map((e) => e.textContent));
    const chosen = () => page.$eval('#lists [aria-current="true"] .list-name', (e) => e.textContent);
    const apiLists = async () => (await apiCall(person.token, 'GET', '/api/lists')).data;
    const item = (name) => page.locator('#lists li.list-item[data-list]').filter({
        has: page.locator('.list-name', { hasText: new RegExp(`^${name}$`) }),
    });
    /** The pending count a list shows (its visible number). */
    const pendingShown = (name) => item(name).locator('.list-count').evaluate((e) => e.firstChild.textContent);

    it('shows the Inbox first, and makes and chooses a new list', async () => {
        await page.goto(at('/dashboard/'));
        await listIdle(page);
        await eventually(async () => assert.deepEqual(await names(), ['Inbox']));
        assert.equal(await chosen(), 'All tasks');
        await page.fill('#list-add-name', 'Work');
        await page.click('#list-add-form button[type="submit"]');
        await eventually(async () => assert.deepEqual(await names(), ['Inbox', 'Work']));
        assert.equal(await chosen(), 'Work');
        assert.match(page.url(), /[?&]list=\d+/);
        assert.equal(await page.$eval('#add-list option:checked', (o) => o.textContent), 'Work');
    });

    it('adds a task to the chosen list, and to another by choosing it', async () => {
        await page.fill('#add-title', 'Write the report');
        await page.click('#add-form button[type="submit"]');
        await expectTitles(page, ['Write the report']);
        await page.fill('#add-title', 'Buy milk');
        await page.selectOption('#add-list', { label: 'Inbox' });
        await page.click('#add-form button[type="submit"]');
        // Still Work's tasks only; the Inbox counts one pending.
        await expectTitles(page, ['Write the report']);
        await eventually(async () => assert.equal(await pendingShown('Inbox'), '1'));
        const lists = await apiLists();
        assert.deepEqual(lists.map((l) => [l.name, l.task_count]), [['Inbox', 1], ['Work', 1]]);
    });

    it('moves a task to another list in its edit form', async () => {
        await taskItem(page, 'Write the report').locator('[data-role="edit"]').click();
        const form = page.locator('form[data-role="edit-form"]');
        await form.locator('[name="list_id"]').selectOption({ label: 'Inbox' });
        await form.locator('button[type="submit"]').click();
        await expectTitles(page, []);
        await item('Inbox').locator('[data-role="choose"]').click();
        await expectTitles(page, ['Buy milk', 'Write the report']);
        const lists = await apiLists();
        assert.deepEqual(lists.map((l) => [l.name, l.task_count]), [['Inbox', 2], ['Work', 0]]);
    });

    it('renames and recolors a list', async () => {
        await item('Work').locator('[data-role="edit-list"]').click();
        const editor = page.locator('form[data-role="list-form"]');
        await editor.locator('[name="name"]').fill('Office');
        await editor.locator('[name="color"]').fill('#3366cc');
        await editor.locator('button[type="submit"]').click();
        await eventually(async () => assert.deepEqual(await names(), ['Inbox', 'Office']));
        const office = (await apiLists())[1];
        assert.equal(office.color, '#3366cc');
        // Focus goes back to the list's Edit button.
        assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'edit-list');
    });

    it('moves lists by keyboard, keeping focus, and by pointer', async () => {
        await apiCall(person.token, 'POST', '/api/lists', { name: 'Home' });
        await page.reload();
        await eventually(async () => assert.deepEqual(await names(), ['Inbox', 'Office', 'Home']));
        await item('Home').locator('[data-role="edit-list"]').focus();
        await page.keyboard.press('Enter');
        await page.locator('form[data-role="list-form"] [data-role="move-up"]').focus();
        await page.keyboard.press('Enter');
        await eventually(async () => assert.deepEqual(await names(), ['Inbox', 'Home', 'Office']));
        assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'move-up');
        await page.keyboard.press('Enter');
        await eventually(async () => assert.deepEqual(await names(), ['Home', 'Inbox', 'Office']));
        // Dragging Office onto Home puts it first.
        await item('Office').dragTo(item('Home'));
        await eventually(async () => assert.deepEqual(await names(), ['Office', 'Home', 'Inbox']));
        assert.deepEqual((await apiLists()).map((l) => [l.name, l.position]),
            [['Office', 0], ['Home', 1], ['Inbox', 2]]);
    });

    it('deletes a list after saying what happens to its tasks, moving them when asked', async () => {
        const lists = await apiLists();
        const home = lists.find((l) => l.name === 'Home');
        await apiCall(person.token, 'POST', '/api/tasks', { title: 'Water the plants', list_id: home.id });
        await page.reload();
        await eventually(async () => assert.equal(await pendingShown('Home'), '1'));
        await item('Home').locator('[data-role="edit-list"]').click();
        const editor = page.locator('form[data-role="list-form"]');
        await editor.locator('[name="move_to"]').selectOption({ label: 'Move them to “Inbox”' });
        await editor.locator('[data-role="delete-list"]').click();
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        assert.equal(await textOf(page, '#confirm-text'), 'Its task moves to “Inbox”.');
        await page.click('#confirm-ok');
        await eventually(async () => assert.deepEqual(await names(), ['Office', 'Inbox']));
        const after = await apiLists();
        assert.equal(after.find((l) => l.inbox).task_count, 3);
        // The Inbox's editor has no delete.
        await item('Inbox').locator('[data-role="edit-list"]').click();
        assert.equal(await page.locator('form[data-role="list-form"] [data-role="delete-list"]').count(), 0);
    });

    it('on a phone, a List control above the tasks chooses the list', async () => {
        const phone = await openPage(browser, { width: 390, bypassCSP: true });
        await useSession(phone.context, person.token);
        await phone.page.goto(at('/dashboard/'));
        await listIdle(phone.page);
        assert.ok(await phone.page.isVisible('#list-switch'));
        await eventually(async () => assert.deepEqual(
            await phone.page.$$eval('#list-switch option', (os) => os.map((o) => o.textContent)),
            ['All tasks', 'Office', 'Inbox']));
        await phone.page.selectOption('#list-switch', { label: 'Inbox' });
        await phone.page.waitForURL(/[?&]list=\d+/);
        await expectTitles(phone.page, ['Water the plants', 'Buy milk', 'Write the report']);
        assert.equal(await phone.page.$eval('#add-list option:checked', (o) => o.textContent), 'Inbox');
        // The sidebar is there too, below the tasks, and agrees.
        assert.equal(await phone.page.$eval('#lists [aria-current="true"] .list-name', (e) => e.textContent), 'Inbox');
        await checkA11y(phone.page, 'the dashboard on a phone');
        await phone.context.close();
        // On a wide screen the sidebar does it, and the control is hidden.
        assert.equal(await page.isVisible('#list-switch'), false);
    });

    it('passes axe with the sidebar and a list editor open', async () => {
        await checkA11y(page, 'the dashboard with lists');
        await screenshots(page, 'lists');
        await assertHealthy(page, problems);
    });
});
