// recurrence.test.mjs - repeating tasks and reminders in a browser: a
// weekly task (Mondays and Wednesdays, 09:00) is added through the add
// form and shown in words; completing it twice keeps it pending and moves
// it to each next occurrence (the API agrees, and keeps one completion per
// tick), with a toast saying when it is due next; a rule that runs out
// completes for good; a rule needs a due date; the rule is changed in the
// edit form; reminders are added and removed there (at most 10: Add is
// disabled at the tenth) and stored; due reminders show in the page, are
// dismissed by keyboard, and go to the Notification API once the person
// allowed it (asked on click only). Keyboard reach and axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
    apiCall, apiSignup, assertHealthy, at, checkA11y, clearToast, eventually, launch, listIdle, openPage, screenshots,
    taskItem, textOf, useSession,
} from './helpers.mjs';

const ZONE = 'Europe/Berlin'; // openPage's time zone

describe('repeating tasks and reminders', () => {
    let browser;
    let context;
    let page;
    let problems;
    let person;
    /** The weekly task, as the API has it. */
    let weekly;
    /** Its first due date as the add form took it ("2026-12-07T09:00"), and the dates after it, as instants. */
    let firstDue;
    let occurrences;

    before(async () => {
        browser = await launch();
        // axe-core is injected as an inline script: the CSP is the security
        // suite's to check.
        ({ context, page, problems } = await openPage(browser, { bypassCSP: true }));
        person = await apiSignup('Repeat Person');
        await useSession(context, person.token);
    });
    after(async () => {
        await browser?.close();
    });

    const getTask = async (id) => {
        const res = await apiCall(person.token, 'GET', `/api/tasks/${id}`);
        assert.equal(res.status, 200, JSON.stringify(res.data));
        return res.data;
    };
    const completions = async (id) => {
        const res = await apiCall(person.token, 'GET', `/api/tasks/${id}/completions`);
        assert.equal(res.status, 200, JSON.stringify(res.data));
        return res.data;
    };
    const createTask = async (body) => {
        const res = await apiCall(person.token, 'POST', '/api/tasks', body);
        assert.equal(res.status, 201, JSON.stringify(res.data));
        return res.data;
    };
    const toast = () => textOf(page, '#toast');
    const editForm = () => page.locator('form[data-role="edit-form"]');
    const day = (form, name) => form.getByRole('checkbox', { name, exact: true });
    const checkedDays = (form) => form.locator('input[name="byday"]:checked')
        .evaluateAll((boxes) => boxes.map((b) => b.value));

    it('adds a weekly task on Mondays and Wednesdays and says so in words', async () => {
        await page.goto(at('/dashboard/'));
        await listIdle(page);
        // next Monday 09:00 in the browser's zone, and the two occurrences
        // after it (Wednesday, then Monday again), as instants
        ({ firstDue, occurrences } = await page.evaluate(() => {
            const d = new Date();
            d.setHours(9, 0, 0, 0);
            do d.setDate(d.getDate() + 1); while (d.getDay() !== 1);
            const pad = (n) => String(n).padStart(2, '0');
            const at9 = (plus) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + plus, 9, 0).toISOString();
            return {
                firstDue: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`,
                occurrences: [at9(0), at9(2), at9(7)],
            };
        }));
        const form = page.locator('#add-form');
        assert.equal(await textOf(page, '#add-due-zone'), `Times in ${ZONE}.`);
        await page.fill('#add-title', 'Water the garden');
        await page.fill('#add-due', firstDue);
        await page.selectOption('#add-repeat', 'WEEKLY');
        // the due date's weekday is chosen already
        assert.deepEqual(await checkedDays(form), ['MO']);
        await day(form, 'Wednesday').check();
        assert.equal(await textOf(page, '#add-repeat-summary'), 'Repeats every Monday and Wednesday.');
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, 'Water the garden').waitFor();
        assert.equal(await taskItem(page, 'Water the garden').locator('.repeats').textContent(),
            'Repeats every Monday and Wednesday');
        // the add form is back to no rule
        assert.equal(await page.inputValue('#add-repeat'), '');
        assert.ok(await page.isHidden('#add-form .repeat-days'));

        const list = (await apiCall(person.token, 'GET', '/api/tasks')).data;
        weekly = list.find((t) => t.title === 'Water the garden');
        assert.equal(weekly.recurrence, 'FREQ=WEEKLY;BYDAY=MO,WE');
        assert.equal(weekly.time_zone, ZONE);
        assert.equal(Date.parse(weekly.due_at), Date.parse(occurrences[0]));
        assert.deepEqual(weekly.reminders, []);
    });

    it('completes it twice: each time it stays pending, due at its next occurrence, one more completion kept', async () => {
        const box = taskItem(page, 'Water the garden').locator('[data-role="toggle"]');
        for (const n of [1, 2]) {
            await clearToast(page);
            await box.click();
            await eventually(async () => assert.match(await toast(),
                /^Done — “Water the garden” is next due /));
            const t = await getTask(weekly.id);
            assert.equal(t.completed, false);
            assert.equal(Date.parse(t.due_at), Date.parse(occurrences[n]));
            assert.equal((await completions(weekly.id)).length, n);
            // the list shows it pending, due then
            await eventually(async () => assert.equal(
                await taskItem(page, 'Water the garden').locator('.due time').getAttribute('datetime'), t.due_at));
            assert.equal(await box.isChecked(), false);
            assert.doesNotMatch(await taskItem(page, 'Water the garden').getAttribute('class'), /is-done/);
            weekly = t;
        }
    });

    it('completes for good a task whose rule has run out', async () => {
        await createTask({
            title: 'Take the pills', due_at: new Date(Date.now() + 3600_000).toISOString(), time_zone: ZONE,
            recurrence: 'FREQ=DAILY;COUNT=2',
        });
        await page.reload();
        const item = () => taskItem(page, 'Take the pills');
        await eventually(async () => assert.equal(await item().locator('.repeats').textContent(),
            'Repeats every day, 2 times'));
        await item().locator('[data-role="toggle"]').click();
        await eventually(async () => assert.match(await toast(), /^Done — “Take the pills” is next due /));
        await clearToast(page);
        await item().locator('[data-role="toggle"]').click();
        await eventually(async () => assert.equal(await toast(), 'Completed “Take the pills”'));
        await eventually(async () => assert.match(await item().getAttribute('class'), /is-done/));
        assert.equal(await item().locator('[data-role="toggle"]').isChecked(), true);
    });

    it('says next to the Repeat control that a rule needs a due date, and sends nothing without one', async () => {
        const before = (await apiCall(person.token, 'GET', '/api/tasks')).data.length;
        await page.fill('#add-title', 'Stretch');
        await page.fill('#add-due', '');
        await page.selectOption('#add-repeat', 'DAILY');
        assert.equal(await textOf(page, '#add-repeat-needs-due'), 'A repeating task needs a due date.');
        assert.match(await page.getAttribute('#add-repeat', 'aria-describedby'), /add-repeat-needs-due/);
        await page.click('#add-form button[type="submit"]');
        await page.locator('#add-due-error').waitFor();
        assert.equal(await textOf(page, '#add-due-error'), 'Set a due date: a repeating task needs one.');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'add-due');
        assert.equal((await apiCall(person.token, 'GET', '/api/tasks')).data.length, before);
        // with a due date the note goes
        await page.fill('#add-due', '2031-05-04T08:00');
        assert.equal(await textOf(page, '#add-repeat-needs-due'), '');
        await page.selectOption('#add-repeat', '');
        await page.fill('#add-due', '');
        await page.fill('#add-title', '');
    });

    it('changes the rule in the edit form, and takes a custom rule', async () => {
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        const form = editForm();
        await form.waitFor();
        // the controls show the rule
        assert.equal(await form.locator('[name="recurrence"]').inputValue(), 'WEEKLY');
        assert.deepEqual(await checkedDays(form), ['MO', 'WE']);
        assert.equal(await form.locator('.repeat-summary').textContent(), 'Repeats every Monday and Wednesday.');
        await day(form, 'Wednesday').uncheck();
        await day(form, 'Friday').check();
        await form.locator('[name="interval"]').fill('2');
        assert.equal(await form.locator('.repeat-summary').textContent(), 'Repeats every 2 weeks on Monday and Friday.');
        await form.locator('button[type="submit"]').click();
        await eventually(async () => assert.equal(
            await taskItem(page, 'Water the garden').locator('.repeats').textContent(),
            'Repeats every 2 weeks on Monday and Friday'));
        assert.equal((await getTask(weekly.id)).recurrence, 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR');

        // a rule the controls do not make is Custom, its text kept
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        await form.locator('[name="recurrence"]').selectOption('CUSTOM');
        await form.locator('[name="rrule"]').fill('FREQ=MONTHLY;BYDAY=-1FR');
        assert.equal(await form.locator('.repeat-summary').textContent(), 'Repeats every month on the last Friday.');
        await form.locator('button[type="submit"]').click();
        await eventually(async () => assert.equal(
            await taskItem(page, 'Water the garden').locator('.repeats').textContent(),
            'Repeats every month on the last Friday'));
        assert.equal((await getTask(weekly.id)).recurrence, 'FREQ=MONTHLY;BYDAY=-1FR');
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        assert.equal(await form.locator('[name="recurrence"]').inputValue(), 'CUSTOM');
        assert.equal(await form.locator('[name="rrule"]').inputValue(), 'FREQ=MONTHLY;BYDAY=-1FR');
        await page.keyboard.press('Escape');
        await eventually(async () => assert.equal(await editForm().count(), 0));
    });

    it('adds and removes reminders in the edit form, and the API stores them', async () => {
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        const form = editForm();
        const items = () => form.locator('.reminder-list > li .reminder-words').allTextContents();
        await form.locator('[name="reminders"]').selectOption('PT15M');
        await form.locator('[data-role="add-reminder"]').click();
        await form.locator('[name="reminders"]').selectOption('P1D');
        await form.locator('[data-role="add-reminder"]').click();
        await form.locator('[name="reminders"]').selectOption('at');
        await form.locator('[name="reminder_at"]').fill('2031-01-02T08:30');
        await form.locator('[data-role="add-reminder"]').click();
        assert.deepEqual(await items(), ['15 minutes before due', '1 day before due', 'At Jan 2, 2031, 8:30 AM']);
        assert.equal(await form.locator('.reminder-count').textContent(), '3 reminders.');
        // Remove, by keyboard: focus goes to the next reminder's Remove
        await form.getByRole('button', { name: 'Remove reminder “1 day before due”' }).focus();
        await page.keyboard.press('Enter');
        assert.deepEqual(await items(), ['15 minutes before due', 'At Jan 2, 2031, 8:30 AM']);
        assert.equal(await page.evaluate(() => document.activeElement.textContent),
            'Remove reminder “At Jan 2, 2031, 8:30 AM”');
        await form.locator('button[type="submit"]').click();
        await eventually(async () => assert.equal(
            await taskItem(page, 'Water the garden').locator('.badge-reminders').textContent(), '2 reminders'));
        const t = await getTask(weekly.id);
        assert.equal(t.reminders.length, 2);
        assert.deepEqual(t.reminders[0], { before: 'PT15M' });
        assert.equal(Date.parse(t.reminders[1].at), Date.parse('2031-01-02T08:30:00+01:00'));
        // the edit form shows them again
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        assert.deepEqual(await items(), ['15 minutes before due', 'At Jan 2, 2031, 8:30 AM']);
        await page.keyboard.press('Escape');
    });

    it('takes at most 10 reminders in the add form: Add is disabled at the tenth', async () => {
        const add = page.locator('#add-form [data-role="add-reminder"]');
        await page.fill('#add-title', 'Renew the insurance');
        await page.fill('#add-due', '2031-06-01T12:00');
        for (const before of ['PT5M', 'PT15M', 'PT30M', 'PT1H', 'P1D', 'P1W']) {
            await page.selectOption('#add-reminder', before);
            await add.click();
        }
        await page.selectOption('#add-reminder', 'at');
        for (const d of ['01', '02', '03', '04']) {
            assert.equal(await add.getAttribute('aria-disabled'), 'false');
            await page.fill('#add-reminder-at', `2031-05-${d}T09:00`);
            await add.click();
        }
        assert.equal(await page.locator('#add-form .reminder-list > li').count(), 10);
        assert.equal(await add.getAttribute('aria-disabled'), 'true');
        assert.equal(await textOf(page, '#add-form .reminder-count'), '10 reminders (the most a task can have).');
        // Playwright will not click a control marked disabled: forced, the click adds nothing
        await page.fill('#add-reminder-at', '2031-05-05T09:00');
        await add.click({ force: true });
        assert.equal(await page.locator('#add-form .reminder-list > li').count(), 10);
        await page.click('#add-form button[type="submit"]');
        await taskItem(page, 'Renew the insurance').waitFor();
        assert.equal(await taskItem(page, 'Renew the insurance').locator('.badge-reminders').textContent(), '10 reminders');
        const list = (await apiCall(person.token, 'GET', '/api/tasks')).data;
        const t = list.find((x) => x.title === 'Renew the insurance');
        assert.deepEqual(t.reminders.slice(0, 6), ['PT5M', 'PT15M', 'PT30M', 'PT1H', 'P1D', 'P1W'].map((b) => ({ before: b })));
        assert.equal(t.reminders.length, 10);
        // the form is empty again
        assert.equal(await page.locator('#add-form .reminder-list > li').count(), 0);
        assert.equal(await add.getAttribute('aria-disabled'), 'false');
    });

    it('reaches the Repeat control, the day checkboxes and the reminder controls by Tab', async () => {
        const active = () => page.evaluate(() => {
            const el = document.activeElement;
            return el.id || el.getAttribute('aria-label') || `[${el.dataset.role}]`;
        });
        await page.fill('#add-title', 'By keyboard');
        await page.fill('#add-due', '2031-06-02T07:00'); // a Monday
        await page.focus('#add-list');
        await page.keyboard.press('Tab');
        assert.equal(await active(), 'add-repeat');
        await page.keyboard.press('w'); // type-to-select: Weekly
        assert.equal(await page.inputValue('#add-repeat'), 'WEEKLY');
        await page.keyboard.press('Tab');
        assert.equal(await active(), 'add-interval');
        for (const name of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
            await page.keyboard.press('Tab');
            assert.equal(await active(), name);
            if (name === 'Thursday') await page.keyboard.press('Space');
        }
        assert.equal(await textOf(page, '#add-repeat-summary'), 'Repeats every Monday and Thursday.');
        await page.keyboard.press('Tab');
        assert.equal(await active(), 'add-reminder');
        await page.keyboard.press('Tab');
        assert.equal(await active(), '[add-reminder]');
        await page.keyboard.press('Enter');
        assert.equal(await textOf(page, '#add-form .reminder-count'), '1 reminder.');
        await page.focus('#add-title');
        await page.keyboard.press('Enter');
        await taskItem(page, 'By keyboard').waitFor();
        const t = (await apiCall(person.token, 'GET', '/api/tasks')).data.find((x) => x.title === 'By keyboard');
        assert.equal(t.recurrence, 'FREQ=WEEKLY;BYDAY=MO,TH');
        assert.deepEqual(t.reminders, [{ before: 'PT5M' }]);
    });

    it('passes axe with the repeat and reminder controls open', async () => {
        await page.selectOption('#add-repeat', 'WEEKLY');
        await page.selectOption('#add-reminder', 'P1D');
        await page.click('#add-form [data-role="add-reminder"]');
        await page.selectOption('#add-reminder', 'at');
        await taskItem(page, 'Water the garden').locator('[data-role="edit"]').click();
        await editForm().locator('[name="recurrence"]').selectOption('CUSTOM');
        await clearToast(page);
        await checkA11y(page, 'the dashboard with repeat controls open');
        await screenshots(page, 'recurrence');
        await page.keyboard.press('Escape');
        await page.selectOption('#add-repeat', '');
        await assertHealthy(page, problems);
    });

    it('shows reminders that fell due just before the page opened, dismissed by keyboard', async () => {
        const now = Date.now();
        const dueAt = new Date(now + 10 * 60_000).toISOString();
        await createTask({ title: 'Call the plumber', due_at: dueAt, reminders: [{ at: new Date(now - 5000).toISOString() }] });
        await createTask({ title: 'Book the table', reminders: [{ at: new Date(now - 3000).toISOString() }] });
        const fresh = await openPage(browser, { bypassCSP: true });
        await useSession(fresh.context, person.token);
        const p = fresh.page;
        await p.goto(at('/dashboard/'));
        const notices = p.locator('#reminder-list > li');
        await eventually(async () => assert.deepEqual(await notices.locator('.reminder-text').allTextContents(), [
            `Reminder: “Call the plumber” is due ${await p.evaluate((d) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(d)), dueAt)}`,
            'Reminder: “Book the table”',
        ]));
        assert.equal(await p.getAttribute('#reminder-notices', 'role'), 'status');
        await listIdle(p);
        await checkA11y(p, 'the dashboard with due reminders');
        // Enter on Dismiss; focus goes to the next notice's Dismiss; Escape dismisses that one
        await notices.first().getByRole('button', { name: 'Dismiss the reminder of “Call the plumber”' }).focus();
        await p.keyboard.press('Enter');
        assert.equal(await notices.count(), 1);
        assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Dismiss the reminder of “Book the table”');
        await p.keyboard.press('Escape');
        assert.equal(await notices.count(), 0);
        assert.ok(await p.isHidden('#reminder-notices'));
        assert.equal(await p.evaluate(() => document.activeElement.id), 'list-heading');
        await assertHealthy(p, fresh.problems);
        await fresh.context.close();
    });

    it('shows a reminder when it falls due with the page open, as a notification too once allowed on click', async () => {
        // someone else, so that the reminders of the test before stay out of it
        const other = await apiSignup('Notified Person');
        const fresh = await openPage(browser);
        // A stand-in for the browser's Notification API: headless Chromium
        // has no one to ask. It records what the page asks and shows.
        await fresh.context.addInitScript(() => {
            window.__asked = 0;
            window.__shown = [];
            class FakeNotification extends EventTarget {
                static permission = 'default';
                static async requestPermission() {
                    window.__asked += 1;
                    FakeNotification.permission = 'granted';
                    return 'granted';
                }
                constructor(title, options = {}) {
                    super();
                    window.__shown.push({ title, body: options.body });
                }
                close() {}
            }
            window.Notification = FakeNotification;
        });
        await useSession(fresh.context, other.token);
        const fires = Date.now() + 6000;
        const dueAt = new Date(fires + 15 * 60_000).toISOString();
        const res = await apiCall(other.token, 'POST', '/api/tasks',
            { title: 'Feed the cat', due_at: dueAt, reminders: [{ before: 'PT15M' }] });
        assert.equal(res.status, 201, JSON.stringify(res.data));
        const p = fresh.page;
        await p.goto(at('/dashboard/'));
        await listIdle(p);
        // never asked on load
        assert.ok(await p.isVisible('#enable-notifications'));
        assert.equal(await p.evaluate(() => window.__asked), 0);
        await p.click('#enable-notifications');
        await eventually(async () => assert.ok(await p.isHidden('#enable-notifications')));
        assert.equal(await p.evaluate(() => window.__asked), 1);
        assert.equal(await textOf(p, '#notify-state'), 'Notifications are on: due reminders show outside this page too.');
        assert.equal(await p.locator('#reminder-list > li').count(), 0, 'nothing before it fires');
        await eventually(async () => assert.equal(await p.locator('#reminder-list > li').count(), 1), 15_000, 100);
        assert.ok(Date.now() >= fires, 'not before it fires');
        assert.match(await p.locator('#reminder-list .reminder-text').textContent(), /^Reminder: “Feed the cat” is due /);
        const shown = await p.evaluate(() => window.__shown);
        assert.equal(shown.length, 1);
        assert.equal(shown[0].title, 'Reminder: Feed the cat');
        assert.match(shown[0].body, /^Due /);
        await assertHealthy(p, fresh.problems);
        await fresh.context.close();
    });
});
