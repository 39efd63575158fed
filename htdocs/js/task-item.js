// task-item.js - one task in the list: its read-only view (checkbox, title,
// description, priority, due date with an "Overdue" mark, tags, Edit and
// Delete) and its in-place edit form. User text only goes in as text nodes.
import { h } from './dom.js';
import { formatDateTime, isOverdue, rfc3339ToLocalInput, localInputToRfc3339 } from './dates.js';
import { parseTags } from './forms.js';

export const PRIORITY_LABELS = { none: 'None', low: 'Low', medium: 'Medium', high: 'High' };

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

/** The <li> holding the edit form of a task. */
export function renderEditForm(task) {
    const p = `edit-${task.id}`;
    const priority = h('select', { id: `${p}-priority`, name: 'priority' },
        Object.entries(PRIORITY_LABELS).map(([value, label]) =>
            h('option', { value, selected: task.priority === value, text: label })));
    priority.value = PRIORITY_LABELS[task.priority] ? task.priority : 'none';
    const form = h('form', {
        class: 'task-form edit-form',
        novalidate: true,
        'aria-label': `Edit task “${task.title}”`,
        'data-role': 'edit-form',
    },
    h('div', { class: 'form-error', role: 'alert', hidden: true }),
    field('f-title', `${p}-title`, 'Title',
        h('input', { id: `${p}-title`, name: 'title', type: 'text', autocomplete: 'off', required: true, value: task.title })),
    field('f-priority', `${p}-priority`, 'Priority', priority),
    field('f-desc', `${p}-description`, 'Description',
        h('textarea', { id: `${p}-description`, name: 'description', rows: '2', value: task.description || '' })),
    field('f-due', `${p}-due`, 'Due',
        h('input', { id: `${p}-due`, name: 'due_at', type: 'datetime-local', value: rfc3339ToLocalInput(task.due_at) })),
    field('f-tags', `${p}-tags`, 'Tags',
        h('input', { id: `${p}-tags`, name: 'tags', type: 'text', autocomplete: 'off', spellcheck: 'false', value: (task.tags || []).join(', ') }),
        'Separate tags with commas.'),
    h('div', { class: 'f-submit edit-actions' },
        h('button', { type: 'button', class: 'btn', 'data-role': 'cancel-edit', text: 'Cancel' }),
        h('button', { type: 'submit', class: 'btn btn-primary', text: 'Save' })));
    return h('li', { class: 'task is-editing', 'data-id': task.id }, form);
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
    const errors = [];
    if (!title) errors.push({ field: 'title', message: 'Enter a title.' });
    const due = localInputToRfc3339(dueInput);
    if (due === undefined) errors.push({ field: 'due_at', message: 'Enter a complete date and time.' });
    if (errors.length) return { errors };

    if (!original) {
        const body = { title, priority, tags };
        if (description.trim()) body.description = description;
        if (due) body.due_at = due;
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
    return { body };
}
