// dialog.js - a confirmation question in the page's <dialog id="confirm-dialog">
// (a real modal: focus stays inside, Escape cancels). Resolves true or false.
import { $ } from './dom.js';

export function confirmDialog({ title, text, confirmLabel }) {
    const dialog = $('#confirm-dialog');
    const ok = $('#confirm-ok', dialog);
    const cancel = $('#confirm-cancel', dialog);
    $('#confirm-title', dialog).textContent = title;
    $('#confirm-text', dialog).textContent = text;
    ok.textContent = confirmLabel;
    const opener = document.activeElement;

    return new Promise((resolve) => {
        const done = (answer) => {
            ok.removeEventListener('click', onOk);
            cancel.removeEventListener('click', onCancel);
            dialog.removeEventListener('close', onClose);
            if (dialog.open) dialog.close();
            if (!answer && opener instanceof HTMLElement && opener.isConnected) opener.focus();
            resolve(answer);
        };
        const onOk = () => done(true);
        const onCancel = () => done(false);
        const onClose = () => done(false);
        ok.addEventListener('click', onOk);
        cancel.addEventListener('click', onCancel);
        dialog.addEventListener('close', onClose);
        dialog.showModal();
        cancel.focus();
    });
}
