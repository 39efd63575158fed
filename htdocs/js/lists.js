// lists.js - the person's lists: what the server says they are (GET
// api/lists), the options of a task form's "List" control, and the
// sidebar of the dashboard: choose a list, make one, rename and recolor it,
// move it up or down (buttons, or dragging it with a pointer), and delete
// it after a confirmation that says what happens to its tasks (deleted, or
// moved to another list). Every change is the server's answer: after a
// write the lists are asked again. A new list's POST carries an
// Idempotency-Key and is retried when its answer is lost (retry.js), so a
// flaky network never makes it twice.
import { api } from './api.js';
import { h } from './dom.js';
import { confirmDialog } from './dialog.js';
import { showProblem, clearErrors, setBusy, isBusy } from './forms.js';
import { creator } from './retry.js';

let lists = [];
const listeners = new Set();

/** The lists, in the server's order (by position). */
export function allLists() {
    return lists;
}

/** The list with this id, or undefined. */
export function listById(id) {
    return lists.find((l) => l.id === Number(id));
}

/** The Inbox (always there once loaded). */
export function inbox() {
    return lists.find((l) => l.inbox);
}

/** Call fn whenever the lists change. */
export function onListsChange(fn) {
    listeners.add(fn);
}

/** Ask the server for the lists again; resolves to them. */
export async function loadLists() {
    const { data } = await api('/lists');
    lists = Array.isArray(data) ? data : [];
    for (const fn of listeners) fn(lists);
    return lists;
}

/** <option>s of a "List" control, `selected` (an id) chosen. */
export function listOptions(selected) {
    return lists.map((l) => h('option', { value: String(l.id), selected: l.id === Number(selected), text: l.name }));
}

/** Fill a <select> with the lists, `wanted` (an id) chosen when it is
 * still a list, else the Inbox. */
export function fillListSelect(select, wanted) {
    const value = listById(wanted) ? String(Number(wanted)) : (inbox() ? String(inbox().id) : '');
    select.replaceChildren(...listOptions(value));
    select.value = value;
}

const number = new Intl.NumberFormat();

/**
 * The sidebar in `root`: "All tasks", then each list (its pending count),
 * the chosen one marked aria-current; an editor under the list being
 * edited; a form that makes a list. `current()` says which is chosen
 * ('' for all), `choose(id)` chooses one, `changed()` runs after a write
 * that may change the tasks shown (a deletion).
 */
export function mountSidebar(root, { current, choose, changed, showError }) {
    const nav = root.querySelector('#lists');
    const addForm = root.querySelector('#list-add-form');
    let editingId = null;
    let dragId = null;
    const createList = creator('/lists');

    const render = () => {
        const chosen = current();
        const items = [h('li', { class: 'list-item' },
            h('button', {
                type: 'button', class: 'list-choose', 'data-role': 'choose', 'data-list': '',
                'aria-current': chosen === '' ? 'true' : false,
            }, h('span', { class: 'list-name', text: 'All tasks' })))];
        lists.forEach((l, i) => {
            const li = h('li', { class: 'list-item', 'data-list': l.id, draggable: 'true' },
                h('button', {
                    type: 'button', class: 'list-choose', 'data-role': 'choose', 'data-list': l.id,
                    'aria-current': chosen === String(l.id) ? 'true' : false,
                },
                h('span', { class: 'list-dot', 'aria-hidden': 'true', 'data-color': l.color || '' }),
                h('span', { class: 'list-name', text: l.name }),
                h('span', { class: 'list-count', text: number.format(l.pending_count) },
                    h('span', { class: 'visually-hidden', text: ` pending of ${number.format(l.task_count)}` }))),
                h('button', {
                    type: 'button', class: 'btn btn-small btn-ghost list-edit', 'data-role': 'edit-list',
                    'aria-expanded': editingId === l.id ? 'true' : 'false',
                }, 'Edit', h('span', { class: 'visually-hidden', text: ` list “${l.name}”` })));
            if (editingId === l.id) li.append(editor(l, i));
            items.push(li);
        });
        nav.replaceChildren(...items);
        for (const dot of nav.querySelectorAll('.list-dot[data-color]')) {
            if (dot.dataset.color) dot.style.backgroundColor = dot.dataset.color;
        }
    };

    const editor = (l, i) => {
        const p = `list-${l.id}`;
        const others = lists.filter((o) => o.id !== l.id);
        const form = h('form', { class: 'list-editor', 'data-role': 'list-form', novalidate: true, 'aria-label': `Edit list “${l.name}”` },
            h('div', { class: 'form-error', role: 'alert', hidden: true }),
            h('div', { class: 'field' }, h('label', { for: `${p}-name`, text: 'Name' }),
                h('input', { id: `${p}-name`, name: 'name', type: 'text', autocomplete: 'off', value: l.name, maxlength: '100' })),
            h('div', { class: 'field' }, h('label', { for: `${p}-color`, text: 'Color' }),
                h('input', { id: `${p}-color`, name: 'color', type: 'color', value: l.color || '#6b7280' })),
            h('div', { class: 'list-editor-row' },
                h('button', { type: 'submit', class: 'btn btn-small btn-primary', text: 'Save' }),
                h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'move-up', disabled: i === 0 },
                    'Move up', h('span', { class: 'visually-hidden', text: ` “${l.name}”` })),
                h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'move-down', disabled: i === lists.length - 1 },
                    'Move down', h('span', { class: 'visually-hidden', text: ` “${l.name}”` }))));
        if (!l.inbox) {
            form.append(h('div', { class: 'field' },
                h('label', { for: `${p}-move-to`, text: 'Its tasks, when deleted' }),
                h('select', { id: `${p}-move-to`, name: 'move_to' },
                    h('option', { value: '', text: 'Delete them with the list' }),
                    others.map((o) => h('option', { value: String(o.id), text: `Move them to “${o.name}”` })))),
            h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', 'data-role': 'delete-list' },
                'Delete list', h('span', { class: 'visually-hidden', text: ` “${l.name}”` })));
        }
        return form;
    };

    const patch = async (id, body) => {
        await api(`/lists/${id}`, { method: 'PATCH', body });
        await loadLists();
    };

    const move = async (id, delta, focusRole) => {
        const i = lists.findIndex((l) => l.id === id);
        const to = i + delta;
        if (i < 0 || to < 0 || to >= lists.length) return;
        try {
            await patch(id, { position: to });
        } catch (err) {
            showError(err);
            return;
        }
        const again = nav.querySelector(`li[data-list="${id}"] [data-role="${focusRole}"]:not([disabled])`)
            || nav.querySelector(`li[data-list="${id}"] [data-role="edit-list"]`);
        if (again) again.focus();
    };

    const remove = async (l, form) => {
        const to = form.elements.move_to.value;
        const target = to ? listById(to) : null;
        const n = l.task_count;
        const what = n === 0 ? 'It has no tasks.'
            : target ? `Its ${n === 1 ? 'task moves' : `${number.format(n)} tasks move`} to “${target.name}”.`
                : `Its ${n === 1 ? 'task is' : `${number.format(n)} tasks are`} deleted with it. This cannot be undone.`;
        const sure = await confirmDialog({ title: `Delete the list “${l.name}”?`, text: what, confirmLabel: 'Delete list' });
        if (!sure) return;
        try {
            await api(`/lists/${l.id}${to ? `?move_to=${encodeURIComponent(to)}` : ''}`, { method: 'DELETE' });
        } catch (err) {
            showProblem(form, err);
            return;
        }
        editingId = null;
        if (current() === String(l.id)) choose('');
        await loadLists();
        changed();
        const all = nav.querySelector('[data-role="choose"][data-list=""]');
        if (all) all.focus();
    };

    nav.addEventListener('click', async (event) => {
        const btn = event.target.closest('button[data-role]');
        if (!btn || btn.disabled) return;
        const li = btn.closest('li.list-item');
        const id = li && li.dataset.list ? Number(li.dataset.list) : null;
        const l = id ? listById(id) : null;
        switch (btn.dataset.role) {
        case 'choose':
            choose(btn.dataset.list);
            render();
            break;
        case 'edit-list':
            editingId = editingId === id ? null : id;
            render();
            if (editingId) nav.querySelector(`#list-${id}-name`).focus();
            else nav.querySelector(`li[data-list="${id}"] [data-role="edit-list"]`).focus();
            break;
        case 'move-up':
            await move(id, -1, 'move-up');
            break;
        case 'move-down':
            await move(id, 1, 'move-down');
            break;
        case 'delete-list':
            if (l) await remove(l, btn.closest('form'));
            break;
        default:
        }
    });

    nav.addEventListener('submit', async (event) => {
        event.preventDefault();
        const form = event.target;
        const id = Number(form.closest('li.list-item').dataset.list);
        const l = listById(id);
        if (!l || isBusy(form)) return;
        clearErrors(form);
        const body = {};
        const name = form.elements.name.value.trim();
        if (name !== l.name) body.name = name;
        if (form.elements.color.value !== (l.color || '#6b7280')) body.color = form.elements.color.value;
        setBusy(form, true);
        try {
            if (Object.keys(body).length) await patch(id, body);
            editingId = null;
            render();
            nav.querySelector(`li[data-list="${id}"] [data-role="edit-list"]`).focus();
        } catch (err) {
            setBusy(form, false);
            showProblem(form, err);
        }
    });

    // Pointer reordering: drop a list on another to take its place.
    nav.addEventListener('dragstart', (event) => {
        const li = event.target.closest && event.target.closest('li.list-item[data-list]');
        if (!li) return;
        dragId = Number(li.dataset.list);
        event.dataTransfer.effectAllowed = 'move';
        event.dataTransfer.setData('text/plain', li.dataset.list);
    });
    nav.addEventListener('dragover', (event) => {
        if (dragId !== null && event.target.closest('li.list-item[data-list]')) event.preventDefault();
    });
    nav.addEventListener('drop', async (event) => {
        const li = event.target.closest('li.list-item[data-list]');
        if (dragId === null || !li) return;
        event.preventDefault();
        const from = lists.findIndex((l) => l.id === dragId);
        const to = lists.findIndex((l) => l.id === Number(li.dataset.list));
        const id = dragId;
        dragId = null;
        if (from < 0 || to < 0 || from === to) return;
        try {
            await patch(id, { position: to });
        } catch (err) {
            showError(err);
        }
    });
    nav.addEventListener('dragend', () => { dragId = null; });

    addForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (isBusy(addForm)) return;
        clearErrors(addForm);
        const name = addForm.elements.name.value.trim();
        if (!name) {
            showProblem(addForm, { message: 'Enter a name for the list.', fieldErrors: [{ field: 'name', message: 'Enter a name for the list.' }] });
            return;
        }
        setBusy(addForm, true);
        try {
            const { data } = await createList({ name });
            addForm.reset();
            await loadLists();
            choose(String(data.id));
            render();
        } catch (err) {
            showProblem(addForm, err);
        } finally {
            setBusy(addForm, false);
        }
    });

    onListsChange(render);
    return { render };
}
