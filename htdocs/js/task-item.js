// task-item.js - one task in the list: its read-only view (checkbox, title,
// description, priority, due date with an "Overdue" mark, its list unless
// the Inbox, tags, Edit and Delete) and its in-place edit form (its list
// among the fields), with the notice shown when the task
// changed elsewhere during the edit. User text only goes in as text nodes.
import { h } from './dom.js';
import { formatDateTime, isOverdue, rfc3339ToLocalInput, localInputToRfc3339 } from './dates.js';
import { parseTags } from './forms.js';
import { listById, listOptions } from './lists.js';

export const PRIORITY_LABELS = { none: 'None', low: 'Low', medium: 'Medium', high: 'High' };
/** The controls of a task form, by name, as their labels say. */
const FIELD_LABELS = {
    title: 'Title', priority: 'Priority', description: 'Description', due_at: 'Due', tags: 'Tags', list_id: 'List',
};

/** The <li> showing a task. Controls carry data-role for event delegation. */
export function renderTask(task, now = Date.now()) {
    const overdue = isOverdue(task, now);
    const titleId = `task-${task.id}-title`;
    const li = h('li', {
        class: `task${task.completed ? ' is-done' : ''}${overdue ? ' is-overdue' : ''}`,
        'data-id': task.id,
    });

    const check = h('input', {
        type: 'checkbox',
        class: 'task-check',
        'data-role': 'toggle',
        'aria-labelledby': titleId,
        checked: Boolean(task.completed),
    });

    const body = h('div', { class: 'task-body' },
        h('p', { class: 'task-title', id: titleId, text: task.title }));
    if (task.description) body.append(h('p', { class: 'task-desc', text: task.description }));

    const meta = h('div', { class: 'task-meta' });
    if (task.completed) meta.append(h('span', { class: 'badge badge-done', text: 'Done' }));
    if (overdue) meta.append(h('span', { class: 'badge badge-overdue', text: 'Overdue' }));
    if (task.priority && task.priority !== 'none') {
        meta.append(h('span', {
            class: `badge prio prio-${task.priority}`,
            text: `${PRIORITY_LABELS[task.priority] || task.priority} priority`,
        }));
    }
    const list = listById(task.list_id);
    if (list && !list.inbox) meta.append(h('span', { class: 'badge badge-list', text: `In ${list.name}` }));
    if (task.due_at) {
        meta.append(h('span', { class: 'due' }, 'Due ',
            h('time', { datetime: task.due_at, text: formatDateTime(task.due_at) })));
    }
    if (Array.isArray(task.tags) && task.tags.length) {
        meta.append(h('ul', { class: 'tags', 'aria-label': 'Tags' },
            task.tags.map((tag) => h('li', {},
                h('button', { type: 'button', class: 'tag', 'data-role': 'tag', 'data-tag': tag },
                    h('span', { class: 'visually-hidden', text: 'Show tasks tagged ' }),
                    `#${tag}`)))));
    }
    if (meta.childNodes.length) body.append(meta);

    const actions = h('div', { class: 'task-actions' },
        h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'edit' },
            'Edit', h('span', { class: 'visually-hidden', text: ` “${task.title}”` })),
        h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', 'data-role': 'delete' },
            'Delete', h('span', { class: 'visually-hidden', text: ` “${task.title}”` })));

    li.append(check, body, actions);
    return li;
}

function field(cls, id, labelText, control, hint) {
    const wrap = h('div', { class: `field ${cls}` }, h('label', { for: id, text: labelText }), control);
    if (hint) {
        wrap.append(h('p', { class: 'hint', id: `${id}-hint`, text: hint }));
        control.setAttribute('aria-describedby', `${id}-hint`);
    }
    return wrap;
}

/** The values the controls of an edit form hold for a task. */
export function taskFormValues(task) {
    return {
        title: task.title,
        priority: PRIORITY_LABELS[task.priority] ? task.priority : 'none',
        description: task.description || '',
        due_at: rfc3339ToLocalInput(task.due_at),
        tags: (task.tags || []).join(', '),
        list_id: String(task.list_id),
    };
}

/** What the controls of a task form hold now, by name. */
export function formValues(form) {
    return Object.fromEntries(Object.keys(FIELD_LABELS).map((name) => [name, form.elements[name].value]));
}

/** Set some controls of a task form ({name: value}). */
export function setFormValues(form, values) {
    for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
}

/** Make an open edit form show a task's current state. */
export function fillEditForm(form, task) {
    setFormValues(form, taskFormValues(task));
    form.setAttribute('aria-label', `Edit task “${task.title}”`);
}

/** A form value as a person reads it. */
function readable(name, value) {
    if (!value.trim()) return 'none';
    if (name === 'priority') return PRIORITY_LABELS[value] || value;
    if (name === 'due_at') return formatDateTime(localInputToRfc3339(value));
    if (name === 'list_id') return listById(value) ? listById(value).name : value;
    return value;
}

/** The <li> holding the edit form of a task, and room for a conflict notice above it. */
export function renderEditForm(task) {
    const p = `edit-${task.id}`;
    const v = taskFormValues(task);
    const priority = h('select', { id: `${p}-priority`, name: 'priority' },
        Object.entries(PRIORITY_LABELS).map(([value, label]) =>
            h('option', { value, selected: v.priority === value, text: label })));
    priority.value = v.priority;
    const form = h('form', {
        class: 'task-form edit-form',
        novalidate: true,
        'aria-label': `Edit task “${task.title}”`,
        'data-role': 'edit-form',
    },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    field('f-title', `${p}-title`, 'Title',
        h('input', { id: `${p}-title`, name: 'title', type: 'text', autocomplete: 'off', required: true, value: v.title })),
    field('f-priority', `${p}-priority`, 'Priority', priority),
    field('f-desc', `${p}-description`, 'Description',
        h('textarea', { id: `${p}-description`, name: 'description', rows: '2', value: v.description })),
    field('f-due', `${p}-due`, 'Due',
        h('input', { id: `${p}-due`, name: 'due_at', type: 'datetime-local', value: v.due_at })),
    field('f-tags', `${p}-tags`, 'Tags',
        h('input', { id: `${p}-tags`, name: 'tags', type: 'text', autocomplete: 'off', spellcheck: 'false', value: v.tags }),
        'Separate tags with commas.'),
    field('f-list', `${p}-list`, 'List',
        h('select', { id: `${p}-list`, name: 'list_id' }, listOptions(v.list_id))),
    h('div', { class: 'f-submit edit-actions' },
        h('button', { type: 'button', class: 'btn', 'data-role': 'cancel-edit', text: 'Cancel' }),
        h('button', { type: 'submit', class: 'btn btn-primary', text: 'Save' })));
    const conflict = h('div', { class: 'edit-conflict', hidden: true },
        h('p', { class: 'edit-conflict-text', role: 'alert' }),
        h('p', { text: 'Your unsaved changes:' }),
        h('dl', { class: 'edit-unsaved' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'use-mine', text: 'Use my changes' }));
    return h('li', { class: 'task is-editing', 'data-id': task.id }, conflict, form);
}

/**
 * Tell the person in an edit form that the task changed elsewhere while
 * they edited it. The form already shows the current state; `unsaved`
 * ({name: value}) is what they had typed, listed for them to put back.
 */
export function showConflict(li, unsaved) {
    const box = li.querySelector('.edit-conflict');
    const text = box.querySelector('.edit-conflict-text');
    box.querySelector('.edit-unsaved').replaceChildren(...Object.entries(unsaved).flatMap(([name, value]) => [
        h('dt', { text: FIELD_LABELS[name] }),
        h('dd', { text: readable(name, value) }),
    ]));
    text.textContent = 'This task was changed elsewhere (in another tab or on another device). '
        + 'Your changes were not saved, so nothing was overwritten: the form now shows the task as it is now.';
    box.hidden = false;
    text.tabIndex = -1;
    text.focus();
}

export function hideConflict(li) {
    const box = li.querySelector('.edit-conflict');
    box.hidden = true;
    box.querySelector('.edit-conflict-text').textContent = '';
}

/**
 * The fields of a task form as an API body. With `original`, only the fields
 * that changed (a PATCH body); without, a POST body leaving out empty fields.
 * Returns {body} or {errors: [{field, message}]} for what can be checked here.
 */
export function readTaskForm(form, original = null) {
    const el = form.elements;
    const title = el.title.value.trim();
    const description = el.description.value;
    const priority = el.priority.value;
    const dueInput = el.due_at.value;
    const tags = parseTags(el.tags.value);
    const listId = el.list_id && el.list_id.value ? Number(el.list_id.value) : null;
    const errors = [];
    if (!title) errors.push({ field: 'title', message: 'Enter a title.' });
    const due = localInputToRfc3339(dueInput);
    if (due === undefined) errors.push({ field: 'due_at', message: 'Enter a complete date and time.' });
    if (errors.length) return { errors };

    if (!original) {
        const body = { title, priority, tags };
        if (description.trim()) body.description = description;
        if (due) body.due_at = due;
        if (listId) body.list_id = listId;
        return { body };
    }
    const body = {};
    if (title !== original.title) body.title = title;
    const desc = description.trim() ? description : null;
    if (desc !== (original.description ?? null)) body.description = desc;
    if (priority !== original.priority) body.priority = priority;
    if (dueInput !== rfc3339ToLocalInput(original.due_at)) body.due_at = due;
    const before = original.tags || [];
    if (tags.length !== before.length || tags.some((t, i) => t !== before[i])) body.tags = tags;
    if (listId && listId !== original.list_id) body.list_id = listId;
    return { body };
}
