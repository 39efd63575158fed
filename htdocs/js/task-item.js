// task-item.js - one task in the list: its read-only view (checkbox, title,
// description, priority, due date with an "Overdue" mark, its rule in
// words and how many reminders it has, its list unless the Inbox, tags,
// Edit and Delete) and its in-place edit form (its list, rule and
// reminders among the fields), with the notice shown when the task
// changed elsewhere during the edit. User text only goes in as text nodes.
import { h } from './dom.js';
import { formatDateTime, isOverdue, rfc3339ToLocalInput, localInputToRfc3339 } from './dates.js';
import { parseTags } from './forms.js';
import { listById, listOptions } from './lists.js';
import {
    browserZone, fillReminders, fillRepeat, readReminders, readRepeat, reminderWords, remindersText, repeatFields,
    repeatsText, ruleInWords, sameReminders, shownRule, updateRepeat, zoneNote,
} from './recurrence.js';

export const PRIORITY_LABELS = { none: 'None', low: 'Low', medium: 'Medium', high: 'High' };
/** The controls of a task form, by name, as their labels say. */
const FIELD_LABELS = {
    title: 'Title', priority: 'Priority', description: 'Description', due_at: 'Due', tags: 'Tags', list_id: 'List',
    recurrence: 'Repeat', time_zone: 'Time zone', reminders: 'Reminders',
};
/** The controls whose value is the field's value as it is. */
const PLAIN_FIELDS = ['title', 'priority', 'description', 'due_at', 'tags', 'list_id'];

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
    if (task.recurrence) meta.append(h('span', { class: 'repeats', text: repeatsText(task) }));
    if (remindersText(task)) {
        meta.append(h('span', { class: 'badge badge-reminders', title: task.reminders.map(reminderWords).join('; '), text: remindersText(task) }));
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
        recurrence: task.recurrence || '',
        reminders: JSON.stringify(task.reminders || []),
    };
}

/**
 * What the controls of a task form hold now, by field name: the rule its
 * Repeat controls build ('' for none), its reminders as JSON, and the time
 * zone a save would send (the browser's).
 */
export function formValues(form) {
    const values = Object.fromEntries(PLAIN_FIELDS.map((name) => [name, form.elements[name].value]));
    const repeat = readRepeat(form);
    values.recurrence = repeat.error ? form.elements.rrule.value : (repeat.rule || '');
    values.time_zone = browserZone();
    values.reminders = JSON.stringify(readReminders(form));
    return values;
}

/** Set some controls of a task form ({name: value}, as formValues gives them). */
export function setFormValues(form, values) {
    for (const [name, value] of Object.entries(values)) {
        if (name === 'recurrence') fillRepeat(form, value || null);
        else if (name === 'reminders') fillReminders(form, JSON.parse(value || '[]'));
        else if (name !== 'time_zone') form.elements[name].value = value; // the zone is no control
    }
    updateRepeat(form); // the rule in words follows the due date
}

/** Make an open edit form show a task's current state. */
export function fillEditForm(form, task) {
    setFormValues(form, taskFormValues(task));
    const zone = form.querySelector('.f-due .hint');
    if (zone) zone.textContent = zoneNote(task);
    form.setAttribute('aria-label', `Edit task “${task.title}”`);
}

/** A form value as a person reads it. */
function readable(name, value) {
    if (!value.trim()) return 'none';
    if (name === 'priority') return PRIORITY_LABELS[value] || value;
    if (name === 'due_at') return formatDateTime(localInputToRfc3339(value));
    if (name === 'list_id') return listById(value) ? listById(value).name : value;
    if (name === 'recurrence') return ruleInWords(value) || value;
    if (name === 'reminders') {
        const list = JSON.parse(value);
        return list.length ? list.map(reminderWords).join('; ') : 'none';
    }
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
        h('input', { id: `${p}-due`, name: 'due_at', type: 'datetime-local', value: v.due_at }), zoneNote(task)),
    field('f-tags', `${p}-tags`, 'Tags',
        h('input', { id: `${p}-tags`, name: 'tags', type: 'text', autocomplete: 'off', spellcheck: 'false', value: v.tags }),
        'Separate tags with commas.'),
    field('f-list', `${p}-list`, 'List',
        h('select', { id: `${p}-list`, name: 'list_id' }, listOptions(v.list_id))),
    ...repeatFields(p),
    h('div', { class: 'f-submit edit-actions' },
        h('button', { type: 'button', class: 'btn', 'data-role': 'cancel-edit', text: 'Cancel' }),
        h('button', { type: 'submit', class: 'btn btn-primary', text: 'Save' })));
    const conflict = h('div', { class: 'edit-conflict', hidden: true },
        h('p', { class: 'edit-conflict-text', role: 'alert' }),
        h('p', { text: 'Your unsaved changes:' }),
        h('dl', { class: 'edit-unsaved' }),
        h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'use-mine', text: 'Use my changes' }));
    setFormValues(form, { recurrence: v.recurrence, reminders: v.reminders });
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
 * The browser's time zone goes with a due date or a rule that is sent (the
 * times in the form are its wall times; the server computes occurrences in
 * it). Returns {body} or {errors: [{field, message}]} for what can be
 * checked here.
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
    const repeat = readRepeat(form);
    if (repeat.error) errors.push(repeat.error);
    const rule = repeat.rule ?? null;
    if (rule && !dueInput) errors.push({ field: 'due_at', message: 'Set a due date: a repeating task needs one.' });
    const reminders = readReminders(form);
    if (errors.length) return { errors };
    const zone = browserZone();

    if (!original) {
        const body = { title, priority, tags };
        if (description.trim()) body.description = description;
        if (due) body.due_at = due;
        if (listId) body.list_id = listId;
        if (rule) body.recurrence = rule;
        if (due || rule) body.time_zone = zone;
        if (reminders.length) body.reminders = reminders;
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
    if (rule !== shownRule(original.recurrence || null)) body.recurrence = rule;
    if ((body.due_at || body.recurrence) && original.time_zone !== zone) body.time_zone = zone;
    if (!sameReminders(reminders, original.reminders || [])) body.reminders = reminders;
    return { body };
}
