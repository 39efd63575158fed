// recurrence.js - repeating tasks and their reminders, on the browser side:
// the rule (an RRULE value as the API takes it, "FREQ=WEEKLY;BYDAY=MO,WE")
// built from a task form's Repeat controls and read back into them, the
// rule in words ("every Monday and Wednesday") for the list and the forms,
// and the reminders editor (before due / at a date and time, at most 10).
// The server is the judge of a rule (it answers 422 on "recurrence"); here
// only what the controls can get wrong is checked. Occurrences are never
// computed here: after a completion the server says when the task is due.
//
// The add form's controls are written out in dashboard/index.html (they
// are there before the script runs, so nothing shifts while the page
// loads); an edit form's are built by repeatFields() with the same names,
// which is all that the functions below rely on.
import { h } from './dom.js';
import { formatDateTime, localInputToRfc3339 } from './dates.js';
import { clearFieldError, setFieldError } from './forms.js';

/** The API's limit of reminders per task. */
export const MAX_REMINDERS = 10;

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const DAY_NAMES = {
    MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday',
};
/** Date#getDay() (0 = Sunday) -> BYDAY code. */
const BY_GETDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const UNITS = { DAILY: ['day', 'days'], WEEKLY: ['week', 'weeks'], MONTHLY: ['month', 'months'], YEARLY: ['year', 'years'] };
const FREQ_LABELS = { DAILY: 'Daily', WEEKLY: 'Weekly', MONTHLY: 'Monthly', YEARLY: 'Yearly' };
/** The "before due" choices of the reminders editor: ISO 8601 durations. */
export const BEFORE_CHOICES = [
    ['PT5M', '5 minutes before'], ['PT15M', '15 minutes before'], ['PT30M', '30 minutes before'],
    ['PT1H', '1 hour before'], ['P1D', '1 day before'], ['P1W', '1 week before'],
];
/** Shown at the Repeat control while a rule is chosen without a due date. */
export const NEEDS_DUE = 'A repeating task needs a due date.';

/** The browser's IANA time zone ("Europe/Berlin"); "UTC" when it names none. */
export function browserZone() {
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch {
        return 'UTC';
    }
}

// ---- rules ---------------------------------------------------------------

/**
 * An RRULE value as a Map of its parts (names and values upper case), or
 * null when it is not KEY=VALUE;... with a FREQ. Nothing else is checked.
 */
export function parseRule(rule) {
    if (typeof rule !== 'string' || !rule.trim()) return null;
    const parts = new Map();
    for (const piece of rule.trim().replace(/^RRULE:/i, '').split(';')) {
        const m = /^([A-Za-z]+)=(.+)$/.exec(piece.trim());
        if (!m || parts.has(m[1].toUpperCase())) return null;
        parts.set(m[1].toUpperCase(), m[2].trim().toUpperCase());
    }
    return parts.has('FREQ') ? parts : null;
}

/** 1 -> "1st", 22 -> "22nd", 13 -> "13th". */
function ordinal(n) {
    const teen = n % 100 >= 11 && n % 100 <= 13;
    return `${n}${teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
}

/** The n-th weekday of a month in words: 1 -> "first", -1 -> "last". */
const NTH = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth' };
function nth(n) {
    if (n > 0) return NTH[n];
    return n === -1 ? 'last' : `${NTH[-n]} to last`;
}

/** ["a", "b", "c"] -> "a, b and c". */
function joinWords(words) {
    return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** An UNTIL value (YYYYMMDD or YYYYMMDDTHHMMSSZ) as a date for people, or null. */
function untilWords(value) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(value);
    if (!m) return null;
    if (m[4] === undefined) {
        // a date without a time: that calendar day, wherever the reader is
        const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
        return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
    }
    return formatDateTime(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/**
 * The weekday (a BYDAY code) and the day of the month of an instant in a
 * time zone (the task's: that is where the server computes occurrences);
 * the browser's zone when that one is unknown here. Null without a date.
 */
export function dueParts(iso, zone) {
    const d = iso ? new Date(iso) : null;
    if (!d || Number.isNaN(d.getTime())) return null;
    try {
        const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone || undefined, weekday: 'short', day: 'numeric' })
            .formatToParts(d);
        const get = (type) => parts.find((p) => p.type === type).value;
        return { weekday: get('weekday').slice(0, 2).toUpperCase(), day: Number(get('day')) };
    } catch {
        return { weekday: BY_GETDAY[d.getDay()], day: d.getDate() };
    }
}

/**
 * A rule in words ("every Monday and Wednesday", "every 2 weeks on
 * Friday", "every month on the last Friday"), or null for a shape this
 * does not say in words. `due` ({weekday, day}, from dueParts) fills in
 * what a rule takes from its due date (the day of a weekly or monthly rule
 * without BYDAY / BYMONTHDAY).
 */
export function ruleInWords(rule, due = null) {
    const p = parseRule(rule);
    if (!p) return null;
    for (const key of p.keys()) {
        if (!['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL'].includes(key)) return null;
    }
    const freq = p.get('FREQ');
    const unit = UNITS[freq];
    if (!unit) return null;
    let interval = 1;
    if (p.has('INTERVAL')) {
        if (!/^[1-9]\d{0,3}$/.test(p.get('INTERVAL'))) return null;
        interval = Number(p.get('INTERVAL'));
    }
    const period = interval === 1 ? unit[0] : `${interval} ${unit[1]}`;
    const byday = p.has('BYDAY') ? p.get('BYDAY').split(',') : null;
    const bymonthday = p.has('BYMONTHDAY') ? p.get('BYMONTHDAY').split(',') : null;
    let words;
    if (freq === 'DAILY' || freq === 'YEARLY') {
        if (byday || bymonthday) return null;
        words = `every ${period}`;
    } else if (freq === 'WEEKLY') {
        if (bymonthday) return null;
        const given = byday || (due ? [due.weekday] : null);
        if (given && !given.every((d) => DAYS.includes(d))) return null;
        const days = given ? DAYS.filter((d) => given.includes(d)) : null;
        const names = days && joinWords(days.map((d) => DAY_NAMES[d]));
        if (!days) words = `every ${period}`;
        else if (interval > 1) words = `every ${period} on ${names}`;
        else if (days.length === 7) words = 'every day';
        else if (days.join() === 'MO,TU,WE,TH,FR') words = 'every weekday';
        else words = `every ${names}`;
    } else {
        // MONTHLY: on one day of the month, or one n-th weekday
        let on = null;
        if (byday && bymonthday) return null;
        if (byday) {
            const m = byday.length === 1 && /^([+-]?)([1-5])(MO|TU|WE|TH|FR|SA|SU)$/.exec(byday[0]);
            if (!m) return null;
            on = `the ${nth(Number(m[1] + m[2]))} ${DAY_NAMES[m[3]]}`;
        } else if (bymonthday) {
            const n = bymonthday.length === 1 && /^-?\d{1,2}$/.test(bymonthday[0]) ? Number(bymonthday[0]) : 0;
            if (n >= 1 && n <= 31) on = `the ${ordinal(n)}`;
            else if (n === -1) on = 'the last day';
            else if (n <= -2 && n >= -5) on = `the ${nth(n)} day`;
            else return null;
        } else if (due) {
            on = `the ${ordinal(due.day)}`;
        }
        words = on ? `every ${period} on ${on}` : `every ${period}`;
    }
    if (p.has('COUNT') && p.has('UNTIL')) return null;
    if (p.has('COUNT')) {
        if (!/^[1-9]\d{0,3}$/.test(p.get('COUNT'))) return null;
        const n = Number(p.get('COUNT'));
        words += `, ${n} time${n === 1 ? '' : 's'}`;
    }
    if (p.has('UNTIL')) {
        const until = untilWords(p.get('UNTIL'));
        if (!until) return null;
        words += `, until ${until}`;
    }
    return words;
}

/** What the list says about a task's rule: "Repeats every day", or the rule itself. */
export function repeatsText(task) {
    if (!task.recurrence) return '';
    const words = ruleInWords(task.recurrence, dueParts(task.due_at, task.time_zone));
    return words ? `Repeats ${words}` : `Repeats: ${task.recurrence}`;
}

/**
 * The Repeat controls' state for a rule: {kind ('' never, DAILY, WEEKLY,
 * MONTHLY, YEARLY or CUSTOM), interval, days, text}. The plain shapes the
 * controls build (FREQ, INTERVAL, and BYDAY of weekdays for WEEKLY) fill
 * them; any other rule is Custom, its text kept as it is.
 */
export function ruleControls(rule) {
    const state = { kind: '', interval: '1', days: [], text: '' };
    if (!rule) return state;
    const p = parseRule(rule);
    const plain = p && UNITS[p.get('FREQ')]
        && [...p.keys()].every((k) => ['FREQ', 'INTERVAL', 'BYDAY'].includes(k))
        && (!p.has('INTERVAL') || (/^[1-9]\d{0,3}$/.test(p.get('INTERVAL')) && Number(p.get('INTERVAL')) <= 1000))
        && (!p.has('BYDAY') || (p.get('FREQ') === 'WEEKLY' && p.get('BYDAY').split(',').every((d) => DAYS.includes(d))));
    if (!plain) return { ...state, kind: 'CUSTOM', text: rule };
    return {
        kind: p.get('FREQ'),
        interval: p.get('INTERVAL') || '1',
        days: p.has('BYDAY') ? DAYS.filter((d) => p.get('BYDAY').split(',').includes(d)) : [],
        text: '',
    };
}

/**
 * The rule a Repeat state stands for: {rule} (null for Never) or
 * {error: {field, message}} naming the control that is wrong.
 */
export function buildRule(state) {
    if (!state.kind) return { rule: null };
    if (state.kind === 'CUSTOM') {
        const text = state.text.trim().replace(/^RRULE:/i, '');
        if (!text) return { error: { field: 'rrule', message: 'Enter a rule, such as FREQ=MONTHLY;BYDAY=-1FR.' } };
        return { rule: text };
    }
    const raw = String(state.interval).trim() || '1';
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
        return { error: { field: 'interval', message: 'Enter a whole number from 1 to 1000.' } };
    }
    const parts = [`FREQ=${state.kind}`];
    if (Number(raw) > 1) parts.push(`INTERVAL=${Number(raw)}`);
    if (state.kind === 'WEEKLY' && state.days.length) parts.push(`BYDAY=${DAYS.filter((d) => state.days.includes(d)).join(',')}`);
    return { rule: parts.join(';') };
}

// ---- reminders -----------------------------------------------------------

/** "PT15M" -> "15 minutes", "P1DT2H" -> "1 day 2 hours"; anything else as it is. */
export function durationWords(value) {
    const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(String(value));
    if (!m || value === 'P' || /T$/.test(value)) return String(value);
    const names = ['week', 'day', 'hour', 'minute', 'second'];
    return m.slice(1).map((n, i) => (n === undefined ? null : `${Number(n)} ${names[i]}${Number(n) === 1 ? '' : 's'}`))
        .filter(Boolean).join(' ');
}

/** A reminder for people: "15 minutes before due", "At Dec 7, 2026, 9:00 AM". */
export function reminderWords(r) {
    if (r && r.before) return `${durationWords(r.before)} before due`;
    if (r && r.at) return `At ${formatDateTime(r.at)}`;
    return 'Reminder';
}

/** "2 reminders", "1 reminder", '' for none. */
export function remindersText(task) {
    const n = Array.isArray(task.reminders) ? task.reminders.length : 0;
    return n ? `${n} reminder${n === 1 ? '' : 's'}` : '';
}

/** Two reminder lists are the same (an "at" compared as an instant). */
export function sameReminders(a, b) {
    const key = (r) => (r.before ? `before ${r.before}` : `at ${Date.parse(r.at)}`);
    return a.length === b.length && a.every((r, i) => key(r) === key(b[i]));
}

// ---- the controls of a task form -------------------------------------------

/** The Repeat state a form's controls hold. */
function controlsState(form) {
    const el = form.elements;
    return {
        kind: el.recurrence.value,
        interval: el.interval.value,
        days: [...form.querySelectorAll('input[name="byday"]:checked')].map((b) => b.value),
        text: el.rrule.value,
    };
}

/** The rule of a form's Repeat controls: {rule} or {error: {field, message}}. */
export function readRepeat(form) {
    return buildRule(controlsState(form));
}

/** The rule a form's controls show for a task's rule (to tell an edit from none). */
export function shownRule(rule) {
    const built = buildRule(ruleControls(rule));
    return built.error ? rule : built.rule;
}

/** The reminders a form lists, as the API takes them. */
export function readReminders(form) {
    return [...form.querySelectorAll('.reminder-list > li')].map((li) => (
        li.dataset.before ? { before: li.dataset.before } : { at: li.dataset.at }));
}

/** Put a rule into a form's Repeat controls. */
export function fillRepeat(form, rule) {
    const s = ruleControls(rule);
    const el = form.elements;
    el.recurrence.value = s.kind;
    el.interval.value = s.interval;
    el.rrule.value = s.text;
    for (const box of form.querySelectorAll('input[name="byday"]')) box.checked = s.days.includes(box.value);
    delete form.dataset.daysAuto;
    updateRepeat(form);
}

/** Put reminders into a form's list. */
export function fillReminders(form, reminders) {
    const list = form.querySelector('.reminder-list');
    list.replaceChildren(...(reminders || []).map(reminderItem));
    updateReminders(form);
}

/** Back to no rule and no reminders (after the add form's reset()). */
export function resetRecurrence(form) {
    fillRepeat(form, null);
    fillReminders(form, []);
    if (form.elements.reminder_at) form.elements.reminder_at.value = '';
}

/** The weekday (BYDAY code) of the form's due date, or of today without one. */
function dueWeekday(form) {
    const m = /^(\d{4,})-(\d{2})-(\d{2})/.exec(form.elements.due_at.value);
    const d = m ? new Date(+m[1], +m[2] - 1, +m[3]) : new Date();
    return BY_GETDAY[d.getDay()];
}

/**
 * Show the controls the chosen kind needs (every N, the days of a weekly
 * rule, the rule text of Custom), the rule in words, and the note that a
 * rule needs a due date when there is none.
 */
export function updateRepeat(form) {
    const kind = form.elements.recurrence.value;
    const due = form.elements.due_at.value;
    const q = (sel) => form.querySelector(sel);
    q('.repeat-every').hidden = !UNITS[kind];
    q('.repeat-days').hidden = kind !== 'WEEKLY';
    q('.repeat-custom').hidden = kind !== 'CUSTOM';
    if (UNITS[kind]) {
        const n = Number(form.elements.interval.value);
        q('.repeat-unit').textContent = n === 1 || !form.elements.interval.value ? UNITS[kind][0] : UNITS[kind][1];
    }
    const built = readRepeat(form);
    let words = '';
    if (built.rule) {
        const local = localInputToRfc3339(due);
        const w = ruleInWords(built.rule, local ? dueParts(local) : null);
        words = w ? `Repeats ${w}.` : '';
    }
    q('.repeat-summary').textContent = words;
    // empty (and so not shown, nor read with the control) unless it applies
    q('.repeat-needs-due').textContent = kind && !due ? NEEDS_DUE : '';
}

/** One reminder of a form's list, with its Remove button. */
function reminderItem(r) {
    const words = reminderWords(r);
    return h('li', { 'data-before': r.before || null, 'data-at': r.before ? null : r.at },
        h('span', { class: 'reminder-words', text: words }),
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-role': 'remove-reminder' },
            'Remove', h('span', { class: 'visually-hidden', text: ` reminder “${words}”` })));
}

/** The count line, the "at" input shown for "At a date and time", Add disabled at the limit. */
export function updateReminders(form) {
    const n = form.querySelectorAll('.reminder-list > li').length;
    const full = n >= MAX_REMINDERS;
    const add = form.querySelector('[data-role="add-reminder"]');
    add.setAttribute('aria-disabled', full ? 'true' : 'false');
    form.querySelector('.reminder-list').hidden = n === 0;
    form.querySelector('.reminder-count').textContent = n === 0 ? 'No reminders.'
        : `${n} reminder${n === 1 ? '' : 's'}${full ? ` (the most a task can have)` : ''}.`;
    form.querySelector('.reminder-at').hidden = form.elements.reminders.value !== 'at';
}

/** Add the reminder the controls describe; field errors at its controls. */
function addReminder(form) {
    const add = form.querySelector('[data-role="add-reminder"]');
    if (add.getAttribute('aria-disabled') === 'true') return;
    const choice = form.elements.reminders.value;
    clearFieldError(form, 'reminders');
    clearFieldError(form, 'reminder_at');
    let r;
    if (choice === 'at') {
        const at = localInputToRfc3339(form.elements.reminder_at.value);
        if (!at) {
            setFieldError(form, 'reminder_at', 'Enter the date and time of the reminder.');
            return;
        }
        r = { at };
    } else {
        r = { before: choice };
    }
    const list = form.querySelector('.reminder-list');
    if (readReminders(form).some((x) => sameReminders([x], [r]))) {
        setFieldError(form, 'reminders', 'This reminder is in the list already.');
        return;
    }
    list.append(reminderItem(r));
    if (choice === 'at') form.elements.reminder_at.value = '';
    updateReminders(form);
}

/** Remove a reminder; focus to the next one's Remove, else the previous one's, else the choice. */
function removeReminder(form, li) {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    updateReminders(form);
    (next ? next.querySelector('[data-role="remove-reminder"]') : form.elements.reminders).focus();
}

/**
 * Make the Repeat and Reminders controls of every task form inside `root`
 * work (delegated, so edit forms added later are covered).
 */
export function wireRecurrence(root) {
    const formOf = (target) => {
        const form = target.form || target.closest('form');
        return form && form.elements.recurrence && form.querySelector('.repeat-summary') ? form : null;
    };
    const onChange = (event) => {
        const form = formOf(event.target);
        if (!form) return;
        const name = event.target.name;
        if (name === 'recurrence' && event.target.value === 'WEEKLY'
            && !form.querySelector('input[name="byday"]:checked')) {
            // a weekly rule starts on its due date's weekday
            form.querySelector(`input[name="byday"][value="${dueWeekday(form)}"]`).checked = true;
            form.dataset.daysAuto = '1';
        } else if (name === 'byday') {
            delete form.dataset.daysAuto;
        } else if (name === 'due_at' && form.dataset.daysAuto) {
            // the day chosen for them follows the due date until they choose one
            const day = dueWeekday(form);
            for (const box of form.querySelectorAll('input[name="byday"]')) box.checked = box.value === day;
        }
        if (['recurrence', 'interval', 'byday', 'rrule', 'due_at'].includes(name)) updateRepeat(form);
        if (name === 'reminders') updateReminders(form);
    };
    root.addEventListener('change', onChange);
    root.addEventListener('input', onChange);
    root.addEventListener('click', (event) => {
        const button = event.target.closest('button[data-role]');
        const form = button && formOf(button);
        if (!form) return;
        if (button.dataset.role === 'add-reminder') addReminder(form);
        else if (button.dataset.role === 'remove-reminder') removeReminder(form, button.closest('li'));
    });
}

// ---- an edit form's controls ---------------------------------------------

/** The time zone note under a Due field. */
export function zoneNote(task = null) {
    const zone = browserZone();
    let text = `Times in ${zone}.`;
    if (task && task.recurrence && task.time_zone && task.time_zone !== zone) {
        text += ` It repeats by ${task.time_zone} time until its rule or due date is saved here.`;
    }
    return text;
}

/**
 * The Repeat field and the Reminders fieldset of an edit form, ids
 * beginning with `p`: the same controls (and names) as the add form's in
 * dashboard/index.html, empty; fillRepeat / fillReminders fill them.
 */
export function repeatFields(p) {
    const repeat = h('div', { class: 'field f-repeat' },
        h('label', { for: `${p}-repeat`, text: 'Repeat' }),
        h('select', { id: `${p}-repeat`, name: 'recurrence', 'aria-describedby': `${p}-repeat-summary ${p}-repeat-needs-due` },
            h('option', { value: '', text: 'Never' }),
            Object.entries(FREQ_LABELS).map(([value, label]) => h('option', { value, text: label })),
            h('option', { value: 'CUSTOM', text: 'Custom rule' })),
        h('div', { class: 'repeat-every', hidden: true },
            h('label', { for: `${p}-interval`, text: 'Every' }),
            h('input', {
                id: `${p}-interval`, name: 'interval', type: 'number', min: '1', max: '1000', step: '1',
                inputmode: 'numeric', value: '1', 'aria-describedby': `${p}-interval-unit`,
            }),
            h('span', { class: 'repeat-unit', id: `${p}-interval-unit` })),
        h('fieldset', { class: 'repeat-days', hidden: true },
            h('legend', { text: 'On' }),
            DAYS.map((d) => h('label', { class: 'day' },
                h('input', { type: 'checkbox', name: 'byday', value: d, 'aria-label': DAY_NAMES[d] }),
                h('span', { text: DAY_NAMES[d].slice(0, 3) })))),
        h('div', { class: 'repeat-custom', hidden: true },
            h('label', { for: `${p}-rrule`, text: 'Rule' }),
            h('input', {
                id: `${p}-rrule`, name: 'rrule', type: 'text', autocomplete: 'off', spellcheck: 'false',
                'aria-describedby': `${p}-rrule-hint`,
            }),
            h('p', { class: 'hint', id: `${p}-rrule-hint`, text: 'An iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=-1FR for the last Friday of each month.' })),
        h('p', { class: 'repeat-summary', id: `${p}-repeat-summary`, 'aria-live': 'polite' }),
        h('p', { class: 'repeat-needs-due', id: `${p}-repeat-needs-due`, 'aria-live': 'polite' }));

    const reminders = h('fieldset', { class: 'field f-reminders' },
        h('legend', { text: 'Reminders' }),
        h('ul', { class: 'reminder-list', 'aria-label': 'Reminders of this task', hidden: true }),
        h('p', { class: 'hint reminder-count', role: 'status', text: 'No reminders.' }),
        h('div', { class: 'reminder-add' },
            h('div', { class: 'reminder-choice' },
                h('label', { for: `${p}-reminder`, text: 'Remind me' }),
                h('select', { id: `${p}-reminder`, name: 'reminders' },
                    BEFORE_CHOICES.map(([value, label]) => h('option', { value, text: label })),
                    h('option', { value: 'at', text: 'At a date and time…' }))),
            h('div', { class: 'reminder-at', hidden: true },
                h('label', { for: `${p}-reminder-at`, text: 'Date and time' }),
                h('input', { id: `${p}-reminder-at`, name: 'reminder_at', type: 'datetime-local' })),
            h('button', { type: 'button', class: 'btn btn-small', 'data-role': 'add-reminder', text: 'Add reminder' })));
    return [repeat, reminders];
}
