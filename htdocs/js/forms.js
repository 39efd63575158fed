// forms.js - error display shared by every form: the problem's `detail` in
// the form's alert box, 422 field errors (errors[].field) next to their
// inputs with aria-invalid / aria-describedby, and a busy flag for submits.

function describedBy(input, id, add) {
    const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
        .filter((x) => x !== id);
    if (add) ids.push(id);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
}

function formAlert(form) {
    return form.querySelector('.form-error');
}

/** Remove every error shown in the form. */
export function clearErrors(form) {
    for (const p of form.querySelectorAll('.field-error')) {
        const input = form.querySelector(`[aria-describedby~="${p.id}"]`);
        if (input) {
            describedBy(input, p.id, false);
            input.removeAttribute('aria-invalid');
        }
        p.remove();
    }
    const alert = formAlert(form);
    if (alert) {
        alert.hidden = true;
        alert.textContent = '';
    }
}

/** Remove the error shown at the control named `name`, if any. */
export function clearFieldError(form, name) {
    const input = form.elements.namedItem(name);
    if (!(input instanceof HTMLElement) || !input.id) return;
    const p = form.querySelector(`#${CSS.escape(`${input.id}-error`)}`);
    if (!p) return;
    p.remove();
    describedBy(input, p.id, false);
    input.removeAttribute('aria-invalid');
}

/**
 * Show message next to the form control named `name` (for "tags[2]" or
 * "user.email", the control "tags" / "user"); false when there is none.
 */
export function setFieldError(form, name, message) {
    let input = form.elements.namedItem(name);
    if (!input) input = form.elements.namedItem(String(name).split(/[.[]/)[0]);
    if (!(input instanceof HTMLElement) || !input.id) return false;
    const id = `${input.id}-error`;
    let p = form.querySelector(`#${CSS.escape(id)}`);
    if (!p) {
        p = document.createElement('p');
        p.className = 'field-error';
        p.id = id;
        const field = input.closest('.field') || input.parentElement;
        field.append(p);
    }
    const text = String(message || 'is not valid');
    p.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    input.setAttribute('aria-invalid', 'true');
    describedBy(input, id, true);
    return true;
}

/** Put a message in the form's alert box. */
export function setFormError(form, message) {
    const alert = formAlert(form);
    if (!alert) return false;
    alert.textContent = message;
    alert.hidden = false;
    return true;
}

/**
 * Show an ApiError in a form: the detail on top, each field error at its
 * field (those naming no control of the form are added to the top message),
 * then focus the first invalid control (or the alert).
 */
export function showProblem(form, err, extra = '') {
    clearErrors(form);
    const stray = [];
    for (const { field, message } of err.fieldErrors || []) {
        if (!setFieldError(form, field, message)) stray.push(`${field}: ${message}`);
    }
    let text = err.message || 'Something went wrong.';
    if (extra) text += ` ${extra}`;
    if (stray.length) text += ` (${stray.join('; ')})`;
    setFormError(form, text);
    focusFirstError(form);
}

/** Focus the first control marked invalid, else the form's alert. */
export function focusFirstError(form) {
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
        bad.focus();
        return;
    }
    const alert = formAlert(form);
    if (alert && !alert.hidden) {
        alert.tabIndex = -1;
        alert.focus();
    }
}

/**
 * Mark a form busy while a request runs. Buttons get aria-disabled rather
 * than `disabled`, so a focused button keeps keyboard focus.
 */
export function setBusy(form, busy) {
    form.dataset.busy = busy ? '1' : '';
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    for (const b of form.querySelectorAll('button[type="submit"]')) {
        if (busy) b.setAttribute('aria-disabled', 'true');
        else b.removeAttribute('aria-disabled');
    }
}

export function isBusy(form) {
    return form.dataset.busy === '1';
}

/** "home, Errands ,home" -> ["home", "Errands"]: trimmed, distinct, no empties. */
export function parseTags(text) {
    const out = [];
    for (const raw of String(text || '').split(',')) {
        const t = raw.trim();
        if (t && !out.includes(t)) out.push(t);
    }
    return out;
}
