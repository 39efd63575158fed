// account.test.mjs - the account page in a browser: reached from the
// dashboard, it names the person, downloads everything of theirs as the
// file the server names, changes the password (this session stays, another
// one ends), signs out everywhere after a confirmation (the login page says
// so), refuses a deletion with a wrong password (nothing lost), and deletes
// the account after a confirmation that says how many tasks go, landing on
// the login page with a notice; the old session is refused from then on.
// axe-clean, and usable without a mouse. Then the reset page, with a code
// from the admin command: reached from the login page, it refuses a wrong
// code at its field and sets the new password with the right one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
    BASE_URL, apiCall, apiSignup, assertHealthy, at, checkA11y, createTasks, eventually, launch, openPage,
    screenshots, textOf, useSession,
} from './helpers.mjs';

describe('the account page', () => {
    let browser;
    let context;
    let page;
    let problems;
    let person;

    before(async () => {
        browser = await launch();
        ({ context, page, problems } = await openPage(browser, { bypassCSP: false }));
        person = await apiSignup('Account Person');
        await createTasks(person.token, 3, (i) => ({ title: `mine ${i}`, tags: ['keep'] }));
        await useSession(context, person.token);
    });
    after(async () => {
        await browser?.close();
    });

    it('is reached from the dashboard and names the person', async () => {
        await page.goto(at('/dashboard/'));
        await page.click('#account-link');
        await page.waitForURL(`${BASE_URL}/account/`);
        assert.equal(await page.title(), 'Your account · Tasks');
        await eventually(async () => assert.equal(await textOf(page, '#account-name'), 'Account Person'));
        assert.equal(await textOf(page, '#account-email'), person.email);
    });

    it('downloads everything of the person as the file the server names', async () => {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
        assert.match(download.suggestedFilename(), /^tasks-export-\d{4}-\d{2}-\d{2}\.json$/);
        const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
        assert.equal(data.user.id, person.user.id);
        assert.deepEqual(data.tasks.map((t) => t.title).sort(), ['mine 0', 'mine 1', 'mine 2']);
        assert.deepEqual(data.lists.map((l) => [l.name, l.inbox, l.task_count]), [['Inbox', true, 3]]);
        await eventually(async () => assert.match(await textOf(page, '#export-status'), /3 tasks/));
    });

    it('changes the password: this session stays, another one ends', async () => {
        const other = await apiCall(null, 'POST', '/api/auth/login', { email: person.email, password: person.password });
        assert.equal(other.status, 200);
        await page.fill('#current-password', 'not my password');
        await page.fill('#new-password', 'a brand new passphrase');
        await page.click('#password-form button[type="submit"]');
        await eventually(async () => assert.match(await textOf(page, '#password-form .form-error'),
            /current password is wrong/));
        await page.fill('#current-password', person.password);
        await page.fill('#new-password', 'a brand new passphrase');
        await page.click('#password-form button[type="submit"]');
        await eventually(async () => assert.match(await textOf(page, '#password-status'), /password was changed/));
        person.password = 'a brand new passphrase';
        assert.equal((await apiCall(other.data.token, 'GET', '/api/auth/me')).status, 401);
        await page.reload();
        await eventually(async () => assert.equal(await textOf(page, '#account-name'), 'Account Person'));
    });

    it('signs out everywhere after a confirmation, then logs in again', async () => {
        await page.click('#logout-all');
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        await page.click('#confirm-ok');
        await page.waitForURL(`${BASE_URL}/login/?notice=everywhere`);
        await eventually(async () => assert.match(await textOf(page, '#auth-notice'), /signed out everywhere/));
        assert.equal((await apiCall(person.token, 'GET', '/api/auth/me')).status, 401);
        // At once: the new login's session is new.
        await page.fill('#email', person.email);
        await page.fill('#password', person.password);
        await page.click('#auth-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/dashboard/`);
        await page.goto(at('/account/'));
        await eventually(async () => assert.equal(await textOf(page, '#account-name'), 'Account Person'));
    });

    it('keeps everything when the password is wrong', async () => {
        await page.fill('#delete-password', 'not my password');
        await page.click('#delete-form button[type="submit"]');
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        assert.match(await textOf(page, '#confirm-text'), /3 tasks/);
        await page.click('#confirm-ok');
        await eventually(async () => assert.match(await textOf(page, '#delete-form .form-error'),
            /password is wrong; nothing was deleted/));
        assert.equal((await apiCall(null, 'POST', '/api/auth/login',
            { email: person.email, password: person.password })).status, 200);
        await screenshots(page, 'account');
    });

    it('passes axe, with the confirmation open too', async () => {
        const shot = await openPage(browser, { bypassCSP: true });
        const login = await apiCall(null, 'POST', '/api/auth/login', { email: person.email, password: person.password });
        await useSession(shot.context, login.data.token);
        await shot.page.goto(at('/account/'));
        await eventually(async () => assert.equal(await textOf(shot.page, '#account-name'), 'Account Person'));
        await checkA11y(shot.page, 'account page');
        await shot.page.click('#delete-form button[type="submit"]');
        await shot.page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        await checkA11y(shot.page, 'account page, deletion confirmation');
        await shot.page.keyboard.press('Escape');
        await shot.context.close();
    });

    it('deletes the account with the keyboard and says so on the login page', async () => {
        await page.fill('#delete-password', person.password);
        await page.focus('#delete-password');
        await page.keyboard.press('Enter');
        await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
        // Cancel has the focus; the confirm button is one Tab away.
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await page.waitForURL(`${BASE_URL}/login/?notice=deleted`);
        await eventually(async () => assert.equal(await textOf(page, '#auth-notice'),
            'Your account and all of its tasks were deleted.'));
        const login = await apiCall(null, 'POST', '/api/auth/login', { email: person.email, password: person.password });
        assert.equal(login.status, 401);
        await assertHealthy(page, problems);
    });
});

/** A reset code for email from the admin command, as an administrator runs it. */
function resetCode(email) {
    const out = execFileSync('bash', ['-c',
        `. "$E2E_STACK_DIR/pg.env"; "$TASKS_ROOT/build/mod-tasks" reset-code --db `
        + `"host=$PGHOST port=$PGPORT dbname=tasks user=$TASKS_DB_OWNER" "$1"`, 'reset', email],
    { encoding: 'utf8' });
    const m = /valid for 30 minutes: (\S+)/.exec(out);
    assert.ok(m, out);
    return m[1];
}

describe('the reset page', () => {
    let browser;

    before(async () => {
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
    });

    it('sets a new password with a code from the administrator', async () => {
        const { page, problems } = await openPage(browser);
        const person = await apiSignup('Reset Person');
        const code = resetCode(person.email);
        await page.goto(at('/login/'));
        await page.click('#reset-link');
        await page.waitForURL(`${BASE_URL}/reset/`);
        await page.fill('#code', '0000-0000-0000-0000');
        await page.fill('#new-password', 'a reset passphrase');
        await page.click('#reset-form button[type="submit"]');
        await eventually(async () => assert.match(await textOf(page, '#reset-form .form-error'),
            /unknown, used or expired/));
        assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
        await page.fill('#code', code.toLowerCase());
        await page.click('#reset-form button[type="submit"]');
        await page.waitForURL(`${BASE_URL}/login/?notice=reset`);
        await eventually(async () => assert.equal(await textOf(page, '#auth-notice'),
            'Your new password is set. Log in with it.'));
        assert.equal((await apiCall(person.token, 'GET', '/api/auth/me')).status, 401);
        const login = await apiCall(null, 'POST', '/api/auth/login', { email: person.email, password: 'a reset passphrase' });
        assert.equal(login.status, 200);
        await assertHealthy(page, problems);
    });

    it('passes axe', async () => {
        const { page } = await openPage(browser, { bypassCSP: true });
        await page.goto(at('/reset/'));
        await checkA11y(page, 'reset page');
        await screenshots(page, 'reset');
    });
});
