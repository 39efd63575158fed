// account.js - the account/ page: who is signed in (api/auth/me), a
// password change (api/auth/password: this session stays), app passwords
// for CalDAV apps (js/app-passwords.js), signing out everywhere
// (api/auth/logout-all, after a confirmation), a download of
// everything that is theirs (api/auth/export, saved as the file the server
// names), and the deletion of the account (DELETE api/auth/me with the
// password, after a confirmation that says how many tasks go with it);
// the last two end on the login page with a notice.
import { api, appPath, totalCount, ensureSession, forgetSession, endSession } from './api.js';
import { $ } from './dom.js';
import { clearErrors, setFieldError, showProblem, setBusy, isBusy, focusFirstError } from './forms.js';
import { confirmDialog } from './dialog.js';
import { startAppPasswords, showCaldavUser } from './app-passwords.js';

const els = {
    name: $('#account-name'),
    email: $('#account-email'),
    since: $('#account-since'),
    exportButton: $('#export'),
    exportStatus: $('#export-status'),
    deleteForm: $('#delete-form'),
    passwordForm: $('#password-form'),
    passwordStatus: $('#password-status'),
    logoutAll: $('#logout-all'),
    pageError: $('#page-error'),
    pageErrorText: $('#page-error-text'),
};

function showPageError(err) {
    els.pageErrorText.textContent = err.message || 'Something went wrong.';
    els.pageError.hidden = false;
}

async function loadUser() {
    try {
        const { data } = await api('/auth/me');
        const user = (data && data.user) || {};
        els.name.textContent = user.name || '—';
        els.email.textContent = user.email || '—';
        showCaldavUser(user.email);
        els.since.textContent = user.created_at
            ? new Date(user.created_at).toLocaleDateString(undefined, { dateStyle: 'long' }) : '—';
    } catch (err) {
        showPageError(err);
    }
}

/** The file name of a Content-Disposition header, or a default. */
function fileName(headers) {
    const m = /filename="([^"]+)"/.exec(headers.get('Content-Disposition') || '');
    return m ? m[1] : 'tasks-export.json';
}

async function download() {
    if (els.exportButton.getAttribute('aria-disabled') === 'true') return;
    els.exportButton.setAttribute('aria-disabled', 'true');
    els.exportStatus.textContent = 'Preparing your download…';
    try {
        const { data, headers } = await api('/auth/export');
        const blob = new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' });
        const url = URL.createObjectURL(blob);
        const link = document.createElement('a');
        link.href = url;
        link.download = fileName(headers);
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        const n = Array.isArray(data.tasks) ? data.tasks.length : 0;
        els.exportStatus.textContent = `Downloaded ${link.download}: your account and ${n} ${n === 1 ? 'task' : 'tasks'}.`;
    } catch (err) {
        els.exportStatus.textContent = '';
        showPageError(err);
    } finally {
        els.exportButton.removeAttribute('aria-disabled');
    }
}

async function taskCount() {
    try {
        const { headers } = await api('/tasks?limit=1');
        return totalCount(headers);
    } catch {
        return null;
    }
}

async function deleteAccount(event) {
    event.preventDefault();
    const form = els.deleteForm;
    if (isBusy(form)) return;
    clearErrors(form);
    const password = form.elements.password.value;
    const n = await taskCount();
    const what = n === null ? 'all of your tasks' : `${n} ${n === 1 ? 'task' : 'tasks'}`;
    const sure = await confirmDialog({
        title: 'Delete your account?',
        text: `Your account and ${what} will be deleted for good. This cannot be undone.`,
        confirmLabel: 'Delete my account',
    });
    if (!sure) return;
    setBusy(form, true);
    try {
        // A 401 below is a wrong password: no refresh and retry (it
        // would count twice), so the token is made good first.
        await ensureSession();
        await api('/auth/me', {
            method: 'DELETE',
            body: password ? { password } : undefined,
            redirectOn401: false,
            refresh: false,
        });
        forgetSession();
        location.replace(`${appPath('login/')}?notice=deleted`);
    } catch (err) {
        setBusy(form, false);
        if (err.status === 401 && !password) setFieldError(form, 'password', 'Enter your password.');
        showProblem(form, err);
    }
}

async function changePassword(event) {
    event.preventDefault();
    const form = els.passwordForm;
    if (isBusy(form)) return;
    clearErrors(form);
    els.passwordStatus.textContent = '';
    const current = form.elements.current_password.value;
    const fresh = form.elements.new_password.value;
    if (!current) setFieldError(form, 'current_password', 'Enter your current password.');
    if (!fresh) setFieldError(form, 'new_password', 'Enter a new password.');
    if (!current || !fresh) {
        focusFirstError(form);
        return;
    }
    setBusy(form, true);
    try {
        await ensureSession();      // as for the deletion
        await api('/auth/password', {
            method: 'POST',
            body: { current_password: current, new_password: fresh },
            redirectOn401: false,
            refresh: false,
        });
        form.reset();
        els.passwordStatus.textContent = 'Your password was changed. Your other sessions were signed out.';
    } catch (err) {
        showProblem(form, err);
    } finally {
        setBusy(form, false);
    }
}

async function signOutEverywhere() {
    const sure = await confirmDialog({
        title: 'Sign out everywhere?',
        text: 'Every session of your account ends, on every device, this one too.',
        confirmLabel: 'Sign out everywhere',
    });
    if (!sure) return;
    try {
        await endSession('/auth/logout-all');
    } catch (err) {
        showPageError(err);
        return;
    }
    location.replace(`${appPath('login/')}?notice=everywhere`);
}

els.passwordForm.addEventListener('submit', changePassword);
els.logoutAll.addEventListener('click', signOutEverywhere);
els.exportButton.addEventListener('click', download);
els.deleteForm.addEventListener('submit', deleteAccount);
startAppPasswords();
loadUser();
