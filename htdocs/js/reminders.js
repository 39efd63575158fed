// reminders.js - due reminders while the dashboard is open. The server says
// which reminders fire when (GET api/reminders?since=&until=: those with
// since < fires_at <= until, of pending tasks); this asks it every 30
// seconds for the ones that fell due since the last answer, and once more
// at the moment of a reminder it knows is coming sooner. Each shows as a
// notice in the page (a live region; a Dismiss button, or Escape, takes it
// away) and, when the person allowed it, as a system notification too.
// "Enable notifications" asks the browser for that permission, only when
// clicked, never on load; it is hidden where there is nothing to ask.
//
// The first check looks back one minute before the page opened, so a
// reminder that fired while the page was loading or reloading is shown.
// The last check is kept in memory only: the app stores nothing in the
// browser but api.js's notes (security.test.mjs holds every script to that).
import { api, isRedirecting } from './api.js';
import { h } from './dom.js';
import { formatDateTime } from './dates.js';

const POLL_MS = 30_000;
/** How far back the first check looks. */
const LOOK_BACK_MS = 60_000;

/** The `until` of the last check that was answered: the next one asks from there. */
let since = new Date(Date.now() - LOOK_BACK_MS).toISOString();
/** "task_id@fires_at" of every reminder shown, so none shows twice. */
const shown = new Set();
let timer = 0;
let checking = false;
let again = false;
let els = null;

const supported = () => typeof window.Notification === 'function'
    && typeof window.Notification.requestPermission === 'function';

/** The reminders in an answer, or none when it is not a list. */
const listOf = (res) => (Array.isArray(res.data) ? res.data : []);

const reminderQuery = (from, until) => `/reminders?${new URLSearchParams({ since: from, until })}`;

/**
 * Ask the server for the reminders due since the last check and show them,
 * then schedule the next check: in 30 seconds, or at the moment the next
 * known reminder fires when that is sooner. A call while a check runs makes
 * that check run once more when it ends (a write may have added one).
 * Failures are quiet: the next check asks again from the same point.
 */
export async function checkReminders() {
    if (!els) return;
    if (checking) {
        again = true;
        return;
    }
    checking = true;
    clearTimeout(timer);
    let delay = POLL_MS;
    try {
        do {
            again = false;
            const now = Date.now();
            const until = new Date(now).toISOString();
            const [due, soon] = await Promise.all([
                api(reminderQuery(since, until)),
                api(reminderQuery(until, new Date(now + POLL_MS).toISOString())),
            ]);
            since = until;
            for (const r of listOf(due)) show(r);
            const next = Math.min(...listOf(soon).map((r) => Date.parse(r.fires_at)).filter(Number.isFinite));
            delay = Number.isFinite(next) ? Math.max(250, Math.min(POLL_MS, next - Date.now() + 250)) : POLL_MS;
        } while (again);
    } catch {
        // the server or the network failed: the next check covers this one's time too
    } finally {
        checking = false;
    }
    if (!isRedirecting()) timer = setTimeout(checkReminders, delay);
}

/** A reminder as a notice in the page, and as a notification when allowed. */
function show(r) {
    const key = `${r.task_id}@${r.fires_at}`;
    if (shown.has(key)) return;
    shown.add(key);
    const title = String(r.title ?? '');
    const when = r.due_at ? `due ${formatDateTime(r.due_at)}` : '';
    els.list.append(h('li', { class: 'reminder-notice', 'data-task': r.task_id },
        h('p', { class: 'reminder-text' },
            h('strong', { text: 'Reminder: ' }),
            `“${title}”`,
            when ? ` is ${when}` : ''),
        h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'dismiss-reminder' },
            'Dismiss', h('span', { class: 'visually-hidden', text: ` the reminder of “${title}”` }))));
    if (supported() && Notification.permission === 'granted') {
        try {
            const note = new Notification(`Reminder: ${title}`, {
                body: when ? when.charAt(0).toUpperCase() + when.slice(1) : '',
                tag: `tasks-reminder-${key}`,
            });
            note.addEventListener('click', () => {
                window.focus();
                note.close();
            });
        } catch {
            // some browsers (Chrome on Android) only notify from a service worker: the notice in the page remains
        }
    }
}

/** Take a notice away; focus to the next one, else the previous one, else the task list's heading. */
function dismiss(li) {
    const hadFocus = li.contains(document.activeElement);
    const neighbour = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (!hadFocus) return;
    if (neighbour) neighbour.querySelector('[data-role="dismiss-reminder"]').focus();
    else els.fallbackFocus.focus();
}

/** "Enable notifications": shown only while the browser would still ask. */
function setUpPermission() {
    const { enable, state } = els;
    enable.hidden = !supported() || Notification.permission !== 'default';
    enable.addEventListener('click', async () => {
        // the callback form is the older Safari's; the promise is everyone else's
        const answer = await new Promise((resolve) => {
            try {
                const p = Notification.requestPermission(resolve);
                if (p && typeof p.then === 'function') p.then(resolve, () => resolve(Notification.permission));
            } catch {
                resolve(Notification.permission);
            }
        });
        state.textContent = {
            granted: 'Notifications are on: due reminders show outside this page too.',
            denied: 'Notifications are blocked in this browser’s settings: reminders show on this page only.',
        }[answer] || 'Notifications are not on: reminders show on this page while it is open.';
        if (answer !== 'default') {
            enable.hidden = true;
            state.tabIndex = -1;
            state.focus();
        }
    });
}

/**
 * Start showing due reminders: notices go into `list` (a <ul> inside a live
 * region), `enable` is the "Enable notifications" button and `state` the
 * line that says what came of it; focus goes to `fallbackFocus` when the
 * last notice is dismissed.
 */
export function startReminders({ list, enable, state, fallbackFocus }) {
    els = { list, enable, state, fallbackFocus };
    list.addEventListener('click', (event) => {
        const button = event.target.closest('[data-role="dismiss-reminder"]');
        if (button) dismiss(button.closest('li'));
    });
    list.addEventListener('keydown', (event) => {
        if (event.key !== 'Escape') return;
        const li = event.target.closest('li.reminder-notice');
        if (!li) return;
        event.preventDefault();
        dismiss(li);
    });
    setUpPermission();
    checkReminders();
    // a tab brought back to the front catches up at once (background tabs' timers are slowed)
    document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') checkReminders();
    });
}
