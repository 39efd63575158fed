// app-passwords.test.mjs - app passwords on the account page, for CalDAV
// apps: the page shows the server address (the page's origin, the app's
// root, api/dav/) and the e-mail to sign in with; creating one shows its
// password this once (43 characters, with a Copy button that fills the
// clipboard), lists it by name as never used, and after a reload the
// password is nowhere on the page; the API lists it without a password; a
// name of 101 characters is refused at the name field and nothing is made;
// the 51st is refused with a message on the form; revoking asks first,
// then it leaves the list and the API. The address and password shown
// work: a CalDAV client signed in with them finds a task added in the
// page, and a task it PUTs shows in the page. axe-clean with a new
// password shown; created and revoked with the keyboard alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    BASE_PATH, apiCall, apiSignup, assertHealthy, at, checkA11y, eventually, launch, listIdle, openPage,
    screenshots, taskItem, textOf, useSession,
} from './helpers.mjs';

const PASSWORD_LENGTH = 43;

describe('app passwords on the account page', () => {
    let browser;
    let context;
    let page;
    let problems;
    let person;

    before(async () => {
        browser = await launch();
        ({ context, page, problems } = await openPage(browser, { bypassCSP: false }));
        person = await apiSignup('Calendar Person');
        await useSession(context, person.token);
    });
    after(async () => {
        await browser?.close();
    });

    /** The account's app passwords, as the API lists them. */
    const apiPasswords = async () => {
        const res = await apiCall(person.token, 'GET', '/api/auth/app-passwords');
        assert.equal(res.status, 200, JSON.stringify(res.data));
        return res.data;
    };
    /** The names the page lists, in order. */
    const names = (p = page) => p.$$eval('#apppw-list > li .apppw-name', (els) => els.map((e) => e.textContent));
    /** The list item of the app password with this exact name. */
    const item = (name, p = page) => p.locator('#apppw-list > li').filter({
        has: p.locator('.apppw-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    });
    /** Open the account page and wait for its list of app passwords. */
    const openAccount = async (p = page) => {
        await p.goto(at('/account/'));
        await p.waitForSelector('#apppw-list[aria-busy="false"]', { state: 'attached' });
    };
    /** Everything the page holds: its markup, and every field's value. */
    const everything = (p = page) => p.evaluate(() => document.documentElement.outerHTML
        + [...document.querySelectorAll('input, textarea')].map((e) => e.value).join('\n'));
    /** Press Tab until fn(document.activeElement) holds; how many presses it took. */
    const tabUntil = async (fn, arg, max = 40) => {
        for (let n = 1; n <= max; n += 1) {
            await page.keyboard.press('Tab');
            if (await page.evaluate(fn, arg)) return n;
        }
        throw new Error(`not reached with ${max} presses of Tab`);
    };

    let created;   // {name, password} of the one made in the browser

    it('shows the CalDAV address (the page\'s origin, ending in /api/dav/) and the e-mail as user name', async () => {
        await openAccount();
        const origin = new URL(page.url()).origin;
        const url = await textOf(page, '#caldav-url');
        assert.equal(url, `${origin}${BASE_PATH}/api/dav/`);
        await eventually(async () => assert.equal(await textOf(page, '#caldav-user'), person.email));
        // none yet: the empty state says so
        assert.deepEqual(await names(), []);
        assert.equal(await page.isVisible('#apppw-empty'), true);
        assert.match(await textOf(page, '#apppw-empty'), /no app passwords/);
    });

    it('creates one: shows its password once (43 characters) and lists it by name as never used', async () => {
        await page.fill('#apppw-name', 'Thunderbird on my laptop');
        await page.click('#apppw-form button[type="submit"]');
        await page.locator('#apppw-new').waitFor({ state: 'visible' });
        const password = await page.inputValue('#apppw-secret');
        assert.equal(password.length, PASSWORD_LENGTH);
        assert.equal(await page.getAttribute('#apppw-secret', 'readonly'), '');
        assert.match(await textOf(page, '#apppw-secret-note'), /will not be shown again/);
        assert.match(await textOf(page, '#apppw-secret-label'), /Thunderbird on my laptop/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'apppw-secret');
        await eventually(async () => assert.deepEqual(await names(), ['Thunderbird on my laptop']));
        assert.match(await item('Thunderbird on my laptop').locator('.apppw-meta').textContent(), /never used/);
        assert.equal(await page.isVisible('#apppw-empty'), false);
        // the form is ready for the next one
        assert.equal(await page.inputValue('#apppw-name'), '');
        created = { name: 'Thunderbird on my laptop', password };
    });

    it('copies the new password to the clipboard with the Copy button', async () => {
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
        await page.click('#apppw-copy');
        await eventually(async () => assert.equal(await textOf(page, '#apppw-copy-status'), 'Copied.'));
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), created.password);
        await page.evaluate(() => navigator.clipboard.writeText(''));
    });

    it('after a reload the password is nowhere on the page', async () => {
        await page.reload();
        await page.waitForSelector('#apppw-list[aria-busy="false"]', { state: 'attached' });
        await eventually(async () => assert.deepEqual(await names(), [created.name]));
        assert.equal(await page.isVisible('#apppw-new'), false);
        assert.equal(await page.inputValue('#apppw-secret'), '');
        assert.ok(!(await everything()).includes(created.password), 'the password is not on the page');
    });

    it('the API lists it without a password member', async () => {
        const list = await apiPasswords();
        assert.equal(list.length, 1);
        assert.equal(list[0].name, created.name);
        assert.equal(list[0].last_used_at, null);
        assert.ok(!('password' in list[0]), JSON.stringify(list[0]));
        assert.ok(!JSON.stringify(list).includes(created.password));
    });

    it('the address and password it shows sign a CalDAV client in: a task added in the page is there, one PUT there is in the page', async () => {
        await openAccount();
        const url = await textOf(page, '#caldav-url');
        const auth = `Basic ${Buffer.from(`${person.email}:${created.password}`).toString('base64')}`;
        const dav = async (method, target, body, headers = {}) => {
            const res = await fetch(new URL(target, url), {
                method, body, headers: { Authorization: auth, ...headers },
            });
            return { status: res.status, text: await res.text() };
        };
        // As a client discovers it: the principal, then the Inbox's collection.
        const root = await dav('PROPFIND', url, '<d:propfind xmlns:d="DAV:"><d:prop>'
            + '<d:current-user-principal/></d:prop></d:propfind>', { Depth: '0' });
        assert.equal(root.status, 207, root.text);
        const principal = /<D:current-user-principal><D:href>([^<]+)</.exec(root.text)[1];
        const home = await dav('PROPFIND', principal, '<d:propfind xmlns:d="DAV:"><d:prop>'
            + '<d:displayname/></d:prop></d:propfind>', { Depth: '1' });
        const inbox = /<D:href>([^<]+)<\/D:href><D:propstat><D:prop><D:displayname>Inbox</.exec(home.text)[1];

        // The dashboard in a tab of its own: this one stays on the account page.
        const tab = await context.newPage();
        await tab.goto(at('/'));
        await listIdle(tab);
        await tab.fill('#add-title', 'Added in the page');
        await tab.click('#add-form button[type="submit"]');
        await taskItem(tab, 'Added in the page').waitFor();
        const query = await dav('REPORT', inbox, '<c:calendar-query xmlns:d="DAV:" '
            + 'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop>'
            + '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/>'
            + '</c:comp-filter></c:filter></c:calendar-query>', { Depth: '1' });
        assert.equal(query.status, 207, query.text);
        assert.match(query.text, /SUMMARY:Added in the page\r\n/);

        const put = await dav('PUT', `${inbox}from-a-calendar-app.ics`,
            'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VTODO\r\n'
            + 'UID:from-a-calendar-app\r\nDTSTAMP:20261201T100000Z\r\n'
            + 'SUMMARY:Put by a calendar app\r\nEND:VTODO\r\nEND:VCALENDAR\r\n',
            { 'Content-Type': 'text/calendar', 'If-None-Match': '*' });
        assert.equal(put.status, 201, put.text);
        await tab.reload();
        await taskItem(tab, 'Put by a calendar app').waitFor();
        await tab.close();
    });

    it('refuses a name of 101 characters at the name field, and makes nothing', async () => {
        const before = await apiPasswords();
        await page.fill('#apppw-name', 'x'.repeat(101));
        await page.click('#apppw-form button[type="submit"]');
        await eventually(async () => assert.equal(await page.getAttribute('#apppw-name', 'aria-invalid'), 'true'));
        const error = await textOf(page, '#apppw-name-error');
        assert.match(error, /100 characters/, 'the server’s reason, at the name field');
        assert.match(await page.getAttribute('#apppw-name', 'aria-describedby'), /\bapppw-name-error\b/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'apppw-name');
        assert.equal(await page.isVisible('#apppw-new'), false);
        assert.deepEqual(await apiPasswords(), before);
        assert.deepEqual(await names(), [created.name]);
        // a name that is only spaces is refused before anything is sent
        await page.fill('#apppw-name', '   ');
        await page.click('#apppw-form button[type="submit"]');
        await eventually(async () => assert.match(await textOf(page, '#apppw-name-error'), /Enter a name/));
        assert.deepEqual(await apiPasswords(), before);
        await page.fill('#apppw-name', '');
    });

    it('revoking asks first, then it leaves the list and the API', async () => {
        const revoke = item(created.name).locator('[data-role="revoke"]');
        await revoke.click();
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        assert.match(await textOf(page, '#confirm-title'), /Revoke “Thunderbird on my laptop”\?/);
        // Cancel keeps it
        await page.click('#confirm-cancel');
        await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
        assert.deepEqual(await names(), [created.name]);
        assert.equal((await apiPasswords()).length, 1);
        // the confirmation revokes it
        await revoke.click();
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        await page.click('#confirm-ok');
        await eventually(async () => assert.deepEqual(await names(), []));
        assert.deepEqual(await apiPasswords(), []);
        assert.match(await textOf(page, '#apppw-status'), /was revoked/);
        assert.equal(await page.isVisible('#apppw-empty'), true);
        // the password is refused from now on where it worked: the list of
        // the API knows it no more (CalDAV itself is the server's to test)
    });

    it('passes axe with a new password shown, and with the revoke confirmation open', async () => {
        const shot = await openPage(browser, { bypassCSP: true });
        await useSession(shot.context, person.token);
        await openAccount(shot.page);
        await eventually(async () => assert.equal(await textOf(shot.page, '#caldav-user'), person.email));
        await checkA11y(shot.page, 'account page, no app passwords');
        await shot.page.fill('#apppw-name', 'Phone (tasks.org via DAVx5)');
        await shot.page.click('#apppw-form button[type="submit"]');
        await shot.page.locator('#apppw-new').waitFor({ state: 'visible' });
        await eventually(async () => assert.deepEqual(await names(shot.page), ['Phone (tasks.org via DAVx5)']));
        await checkA11y(shot.page, 'account page, a new app password shown');
        await screenshots(shot.page, 'account-app-passwords');
        await item('Phone (tasks.org via DAVx5)', shot.page).locator('[data-role="revoke"]').click();
        await shot.page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        await checkA11y(shot.page, 'account page, revoke confirmation');
        await shot.page.keyboard.press('Escape');
        await shot.page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
        assert.equal((await apiPasswords()).length, 1);
        await shot.context.close();
    });

    it('creates and revokes one with the keyboard alone', async () => {
        await openAccount();
        await eventually(async () => assert.deepEqual(await names(), ['Phone (tasks.org via DAVx5)']));
        // From the top of the page to the name field, with Tab.
        await page.evaluate(() => document.activeElement?.blur());
        await tabUntil(() => document.activeElement.id === 'apppw-name');
        await page.keyboard.type('Apple Reminders');
        await page.keyboard.press('Enter');
        await page.locator('#apppw-new').waitFor({ state: 'visible' });
        assert.equal(await page.evaluate(() => document.activeElement.id), 'apppw-secret');
        assert.equal((await page.inputValue('#apppw-secret')).length, PASSWORD_LENGTH);
        await eventually(async () => assert.deepEqual(await names(), ['Apple Reminders', 'Phone (tasks.org via DAVx5)']));
        // "Done" hides it; focus goes back to the name field.
        await tabUntil(() => document.activeElement.id === 'apppw-done', undefined, 5);
        await page.keyboard.press('Enter');
        assert.equal(await page.isVisible('#apppw-new'), false);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'apppw-name');
        // On to its Revoke button, Enter, then past Cancel to the confirmation.
        await tabUntil((name) => {
            const el = document.activeElement;
            return el.dataset.role === 'revoke' && el.closest('li').querySelector('.apppw-name').textContent === name;
        }, 'Apple Reminders', 10);
        await page.keyboard.press('Enter');
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-cancel');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await eventually(async () => assert.deepEqual(await names(), ['Phone (tasks.org via DAVx5)']));
        assert.deepEqual((await apiPasswords()).map((p) => p.name), ['Phone (tasks.org via DAVx5)']);
        // focus is not lost: on the Revoke button now in its place
        assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'revoke');
    });

    it('refuses the 51st with a message on the form', async () => {
        for (let i = (await apiPasswords()).length; i < 50; i += 1) {
            const res = await apiCall(person.token, 'POST', '/api/auth/app-passwords', { name: `app ${i}` });
            assert.equal(res.status, 201, JSON.stringify(res.data));
        }
        await openAccount();
        await eventually(async () => assert.equal((await names()).length, 50));
        await page.fill('#apppw-name', 'one too many');
        await page.click('#apppw-form button[type="submit"]');
        await eventually(async () => assert.equal(await page.isVisible('#apppw-form .form-error'), true));
        assert.match(await textOf(page, '#apppw-form .form-error'), /as many app passwords as an account can keep: revoke one you no longer use/);
        assert.equal(await page.isVisible('#apppw-new'), false);
        assert.equal((await apiPasswords()).length, 50);
        await assertHealthy(page, problems);
    });
});
