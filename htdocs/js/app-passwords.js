// app-passwords.js - the "App passwords" card of the account/ page: what a
// CalDAV app (Thunderbird, tasks.org through DAVx5, Apple Reminders) is to
// be given (the server address <origin><app root>api/dav/ and the account's
// e-mail as its user name), a form that creates an app password
// (POST api/auth/app-passwords) and shows it this once, with a Copy button,
// and the list of the account's app passwords (GET, newest first), each
// revoked after a confirmation (DELETE api/auth/app-passwords/{id}).
//
// The password lives only in the read-only field until "Done", another
// create or leaving the page: it is never stored, logged or put anywhere
// else in the page. Creates carry no Idempotency-Key (the server refuses
// one: what it answers cannot be replayed), so a lost answer is never sent
// again; the list, refreshed after every create, shows what happened.
import { api, appPath } from './api.js';
import { $, h } from './dom.js';
import { clearErrors, setFieldError, setFormError, showProblem, setBusy, isBusy, focusFirstError } from './forms.js';
import { confirmDialog } from './dialog.js';

const els = {
    url: $('#caldav-url'),
    user: $('#caldav-user'),
    form: $('#apppw-form'),
    fresh: $('#apppw-new'),
    secret: $('#apppw-secret'),
    secretLabel: $('#apppw-secret-label'),
    copy: $('#apppw-copy'),
    copyStatus: $('#apppw-copy-status'),
    done: $('#apppw-done'),
    list: $('#apppw-list'),
    empty: $('#apppw-empty'),
    status: $('#apppw-status'),
    error: $('#apppw-error'),
};

/** The id of the password on show, or null. */
let shownId = null;
let items = [];

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The CalDAV server address for this app: origin, app root, api/dav/ (the CalDAV root). */
export function caldavUrl() {
    return location.origin + appPath('api/dav/');
}

/** Fill in the user name the apps sign in with (the account's e-mail). */
export function showCaldavUser(email) {
    els.user.textContent = email || '—';
}

function time(iso, format) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return h('span', {}, '—');
    return h('time', { datetime: iso }, format.format(d));
}

function showListError(err) {
    els.error.textContent = (err && err.message) || 'Something went wrong.';
    els.error.hidden = false;
}

function clearListError() {
    els.error.hidden = true;
    els.error.textContent = '';
}

function render() {
    els.list.replaceChildren(...items.map((p) => h('li', { class: 'apppw-item', 'data-id': p.id },
        h('div', { class: 'apppw-info' },
            h('span', { class: 'apppw-name' }, p.name),
            h('span', { class: 'apppw-meta' },
                'Created ', time(p.created_at, dateFormat), ' · ',
                p.last_used_at ? ['Last used ', time(p.last_used_at, dateTimeFormat)] : 'never used')),
        h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', 'data-role': 'revoke' },
            'Revoke', h('span', { class: 'visually-hidden' }, ` “${p.name}”`)))));
    els.empty.hidden = items.length > 0;
}

/** Load the list again; false when it could not be loaded. */
async function load() {
    els.list.setAttribute('aria-busy', 'true');
    try {
        const { data } = await api('/auth/app-passwords');
        items = Array.isArray(data) ? data : [];
        clearListError();
        render();
        return true;
    } catch (err) {
        showListError(err);
        return false;
    } finally {
        els.list.setAttribute('aria-busy', 'false');
    }
}

function hideSecret() {
    els.fresh.hidden = true;
    els.secret.value = '';
    els.copyStatus.textContent = '';
    shownId = null;
}

function showSecret(created) {
    shownId = created.id;
    els.secretLabel.textContent = `New app password for “${created.name}”`;
    els.secret.value = created.password;
    els.copyStatus.textContent = '';
    els.fresh.hidden = false;
    els.secret.focus();
    els.secret.select();
}

async function create(event) {
    event.preventDefault();
    const form = els.form;
    if (isBusy(form)) return;
    clearErrors(form);
    els.status.textContent = '';
    const name = form.elements.name.value.trim();
    if (!name) {
        setFieldError(form, 'name', 'Enter a name, such as the app it is for.');
        focusFirstError(form);
        return;
    }
    hideSecret();
    setBusy(form, true);
    let created;
    try {
        ({ data: created } = await api('/auth/app-passwords', { method: 'POST', body: { name } }));
    } catch (err) {
        setBusy(form, false);
        if (err.status === 409) {
            // the account has the most it may keep (50)
            clearErrors(form);
            setFormError(form, 'You have as many app passwords as an account can keep: '
                + 'revoke one you no longer use, then create the new one.');
            focusFirstError(form);
        } else {
            showProblem(form, err);     // a 422's errors at the name field
        }
        // Lost on the way (no answer, a gateway's): it may have been made.
        if (err.status === 0 || err.status >= 500) load();
        return;
    }
    setBusy(form, false);
    form.reset();
    if (created && typeof created.password === 'string') showSecret(created);
    await load();
}

async function copySecret() {
    const value = els.secret.value;
    if (!value) return;
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
        try {
            await navigator.clipboard.writeText(value);
            copied = true;
        } catch {
            /* refused (no permission): the selection below */
        }
    }
    els.secret.focus();
    els.secret.select();
    els.copyStatus.textContent = copied ? 'Copied.'
        : 'Your browser did not let this page copy it: it is selected, copy it with Ctrl+C (⌘C on a Mac).';
}

async function revoke(id) {
    const p = items.find((x) => x.id === id);
    if (!p) return;
    const sure = await confirmDialog({
        title: `Revoke “${p.name}”?`,
        text: 'Apps that sign in with this app password can no longer reach your tasks. This cannot be undone.',
        confirmLabel: 'Revoke',
    });
    if (!sure) return;
    const index = items.indexOf(p);
    clearListError();
    els.status.textContent = '';
    try {
        await api(`/auth/app-passwords/${encodeURIComponent(id)}`, { method: 'DELETE' });
    } catch (err) {
        // 404: not there any more (revoked in another tab): as good.
        if (err.status !== 404) {
            showListError(err);
            const btn = els.list.querySelector(`li[data-id="${CSS.escape(String(id))}"] [data-role="revoke"]`);
            if (btn) btn.focus();
            return;
        }
    }
    if (shownId === id) hideSecret();
    await load();
    els.status.textContent = `“${p.name}” was revoked.`;
    // Focus to the item now in its place, else the one before, else the form.
    const buttons = els.list.querySelectorAll('[data-role="revoke"]');
    const next = buttons[Math.min(index, buttons.length - 1)];
    if (next) next.focus();
    else els.form.elements.name.focus();
}

/** Set the card up: the address, the form, the list. */
export function startAppPasswords() {
    els.url.textContent = caldavUrl();
    els.form.addEventListener('submit', create);
    // Never kept beyond the page: not in the back/forward cache either.
    window.addEventListener('pagehide', hideSecret);
    els.copy.addEventListener('click', copySecret);
    els.done.addEventListener('click', () => {
        hideSecret();
        els.form.elements.name.focus();
    });
    els.list.addEventListener('click', (event) => {
        const btn = event.target.closest('button[data-role="revoke"]');
        const li = btn && btn.closest('li[data-id]');
        if (li) revoke(Number(li.dataset.id));
    });
    load();
}
