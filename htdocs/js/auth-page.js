// auth-page.js - the login/ and signup/ pages (the form's data-mode says
// which): POST api/auth/login or api/auth/signup, whose answer sets the
// HttpOnly session cookie (the token in the body is ignored), then on to
// the `next` page. A visitor who is already signed in goes on at once.
import { api, safeNext, retryAfterText } from './api.js';
import { $ } from './dom.js';
import { clearErrors, setFieldError, showProblem, setBusy, isBusy, focusFirstError } from './forms.js';

const form = $('#auth-form');
const mode = form.dataset.mode === 'signup' ? 'signup' : 'login';
const params = new URLSearchParams(location.search);
const next = safeNext(params.get('next'));

// Keep `next` when switching between log in and sign up.
if (params.has('next')) {
    const alt = document.getElementById('alt-link');
    if (alt) alt.href = `${new URL(alt.getAttribute('href'), location.href).pathname}?next=${encodeURIComponent(next)}`;
}

// A notice another page left for this one (a fixed text per name: the
// query never puts its own words on the page).
const NOTICES = {
    deleted: 'Your account and all of its tasks were deleted.',
    everywhere: 'You were signed out everywhere. Log in again to go on.',
    reset: 'Your new password is set. Log in with it.',
    ended: 'Your session has ended. Log in again to go on.',
};
const notice = document.getElementById('auth-notice');
if (notice && Object.hasOwn(NOTICES, params.get('notice') || '')) {
    notice.textContent = NOTICES[params.get('notice')];
    notice.hidden = false;
}

// Already signed in? Then this page has nothing to do.
api('/auth/me', { redirectOn401: false })
    .then(() => location.replace(next))
    .catch(() => {});

form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (isBusy(form)) return;
    clearErrors(form);

    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const body = { email, password };
    if (!email) setFieldError(form, 'email', 'Enter your email address.');
    if (!password) setFieldError(form, 'password', 'Enter your password.');
    if (mode === 'signup') {
        const name = form.elements.name.value.trim();
        if (name) body.name = name;
    }
    if (form.querySelector('[aria-invalid="true"]')) {
        focusFirstError(form);
        return;
    }

    setBusy(form, true);
    try {
        await api(`/auth/${mode}`, { method: 'POST', body, redirectOn401: false });
        // replace: Back should not return to a sign-in form
        location.replace(next);
    } catch (err) {
        setBusy(form, false);
        if (err.name === 'AbortError') return;
        const wait = err.status === 429 ? retryAfterText(err.headers) : '';
        showProblem(form, err, wait ? `Try again ${wait}.` : '');
        if (mode === 'login' && err.status === 401) {
            form.elements.password.value = '';
            form.elements.password.focus();
        }
    }
});
