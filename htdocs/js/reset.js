// reset.js - the reset/ page: POST api/auth/reset with the code an
// administrator gave (mod-tasks reset-code) and a new password; every
// session of the account ends, so it goes on to the login page with a
// notice.
import { api, appPath, retryAfterText } from './api.js';
import { $ } from './dom.js';
import { clearErrors, setFieldError, showProblem, setBusy, isBusy, focusFirstError } from './forms.js';

const form = $('#reset-form');

form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (isBusy(form)) return;
    clearErrors(form);
    const code = form.elements.code.value.trim();
    const fresh = form.elements.new_password.value;
    if (!code) setFieldError(form, 'code', 'Enter the code you were given.');
    if (!fresh) setFieldError(form, 'new_password', 'Enter a new password.');
    if (!code || !fresh) {
        focusFirstError(form);
        return;
    }
    setBusy(form, true);
    try {
        await api('/auth/reset', {
            method: 'POST', body: { code, new_password: fresh }, redirectOn401: false,
        });
        location.replace(`${appPath('login/')}?notice=reset`);
    } catch (err) {
        setBusy(form, false);
        const wait = err.status === 429 ? retryAfterText(err.headers) : '';
        showProblem(form, err, wait ? `Try again ${wait}.` : '');
        if (err.status === 400 && !err.fieldErrors.length) setFieldError(form, 'code', 'Check the code, or ask for a new one.');
    }
});
