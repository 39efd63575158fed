// dashboard.js - the signed-in page: loads the user, the lists (the sidebar:
// lists.js) and the first page of tasks of the chosen list (or of all),
// keeps the status counts, and wires every action to the API: add (to the
// chosen list, or another), edit in place (a task's list too), complete,
// delete, clear completed, filter (status, priority, tag), search as you
// type, sort, and "Load more" pages that follow the Link rel="next" header.
// Repeating tasks and reminders: the forms' Repeat and Reminders controls
// (recurrence.js), the toast saying when a repeating task is due next after
// it was ticked off, and due reminders while the page is open (reminders.js).
// The list and the filters live in the page's query string.
// What the list shows, in which order, and every count are the server's
// answers (GET api/tasks, X-Total-Count): after a write the list is asked
// again rather than guessed here. Edits, toggles and deletes are conditional
// (If-Match, see versions.js): a task changed elsewhere is shown as it is now,
// never overwritten; one deleted elsewhere leaves the list.
// Creates carry an Idempotency-Key and are retried when the answer is lost
// (retry.js): a flaky network never makes a task twice. Changes made
// elsewhere are picked up when the person comes back to the tab (sync.js,
// the changes feed): the list is asked again only when something changed
// that this page did not do itself.
import { api, appPath, nextLink, totalCount, isRedirecting, endSession, API_ROOT } from './api.js';
import { $, debounce, h } from './dom.js';
import { clearErrors, setFieldError, showProblem, setBusy, isBusy, focusFirstError, parseTags } from './forms.js';
import {
    renderTask, renderEditForm, readTaskForm, formValues, setFormValues, fillEditForm, showConflict, hideConflict,
} from './task-item.js';
import { confirmDialog } from './dialog.js';
import { ChangedElsewhere, remember, writeTask } from './versions.js';
import { loadLists, listById, listOptions, fillListSelect, mountSidebar, onListsChange } from './lists.js';
import { browserZone, resetRecurrence, updateRepeat, updateReminders, wireRecurrence, zoneNote } from './recurrence.js';
import { checkReminders, startReminders } from './reminders.js';
import { formatDateTime } from './dates.js';
import { creator } from './retry.js';
import { changesFeed } from './sync.js';

const PAGE_LIMIT = 50;
const MAX_LIMIT = 1000; // the API's largest page
const STATUSES = ['all', 'pending', 'completed'];
const SORTS = ['created_at', 'updated_at', 'due_at', 'priority', 'title'];
const PRIORITIES = ['none', 'low', 'medium', 'high'];
const ORDERS = ['desc', 'asc'];
/** How long the first list waits for the changes feed's first token (ms). */
const FEED_WAIT = 1000;

const els = {
    userLabel: $('#user-label'),
    logout: $('#logout'),
    pageError: $('#page-error'),
    pageErrorText: $('#page-error-text'),
    pageErrorClose: $('#page-error-close'),
    addForm: $('#add-form'),
    addList: $('#add-list'),
    listSwitch: $('#list-switch'),
    listsNav: $('#lists-nav'),
    statusFilter: $('#status-filter'),
    counts: Object.fromEntries(STATUSES.map((s) => [s, $(`#count-${s}`)])),
    clear: $('#clear-completed'),
    filters: $('#filters'),
    q: $('#filter-q'),
    priority: $('#filter-priority'),
    tag: $('#filter-tag'),
    sort: $('#sort'),
    order: $('#order'),
    status: $('#list-status'),
    resetFilters: $('#reset-filters'),
    listHeading: $('#list-heading'),
    list: $('#task-list'),
    empty: $('#list-empty'),
    emptyTitle: $('#list-empty-title'),
    emptyText: $('#list-empty-text'),
    emptyReset: $('#empty-reset'),
    listError: $('#list-error'),
    listErrorText: $('#list-error-text'),
    retry: $('#list-retry'),
    loadMore: $('#load-more'),
    toast: $('#toast'),
    addZone: $('#add-due-zone'),
    reminderList: $('#reminder-list'),
    enableNotifications: $('#enable-notifications'),
    notifyState: $('#notify-state'),
};

const number = new Intl.NumberFormat();
const plural = (n, word) => `${number.format(n)} ${word}${n === 1 ? '' : 's'}`;

// ---- state ---------------------------------------------------------------

const state = readState();
/** The tasks in the list, by id. */
const tasks = new Map();
/** Open edit forms: id -> the state of the task the form started from. */
const editing = new Map();
/** Edit forms whose save met a change made elsewhere: id -> the values typed. */
const unsaved = new Map();
let total = 0;          // X-Total-Count of the current query
let next = null;        // the rel="next" link, when more pages remain
let pages = 1;          // pages loaded, so that a refresh asks for as many tasks
let listGen = 0;        // bumps on each reload; stale answers are dropped
let listAbort = null;
let listFailed = false;
let firstLoadDone = false; // until then the skeleton shows, not the empty state
let loadingMore = false;
const counts = { all: null, pending: null, completed: null };
const pending = new Set(); // ids with a completion toggle in flight
/**
 * Every task state this page has shown or written: id -> updated_at, or
 * null once it deleted the task. A change in the feed that is one of these
 * is no news (updated_at changes on every write, so a write made elsewhere
 * never matches).
 */
const knownStates = new Map();

function know(task) {
    if (task && task.id !== undefined) knownStates.set(task.id, task.updated_at);
}

/** Whether a change of the feed is already shown here (or was made here). */
function isKnown(change) {
    if (!knownStates.has(change.id)) return false;
    const state = knownStates.get(change.id);
    return change.deleted ? state === null : state === change.updated_at;
}

function readState() {
    const p = new URLSearchParams(location.search);
    const pick = (name, allowed, fallback) => (allowed.includes(p.get(name)) ? p.get(name) : fallback);
    return {
        list: /^[1-9][0-9]{0,18}$/.test(p.get('list') || '') ? p.get('list') : '',
        status: pick('status', STATUSES, 'all'),
        q: (p.get('q') || '').trim(),
        priority: pick('priority', PRIORITIES, ''),
        tags: p.getAll('tag').map((t) => t.trim()).filter(Boolean),
        sort: pick('sort', SORTS, 'created_at'),
        order: pick('order', ORDERS, 'desc'),
    };
}

/** Mirror the filters into the address bar (so reload and ?next= keep them). */
function writeState() {
    const p = new URLSearchParams();
    if (state.list) p.set('list', state.list);
    if (state.status !== 'all') p.set('status', state.status);
    if (state.q) p.set('q', state.q);
    if (state.priority) p.set('priority', state.priority);
    for (const t of state.tags) p.append('tag', t);
    if (state.sort !== 'created_at') p.set('sort', state.sort);
    if (state.order !== 'desc') p.set('order', state.order);
    const qs = p.toString();
    history.replaceState(null, '', location.pathname + (qs ? `?${qs}` : ''));
}

function syncControls() {
    for (const radio of els.statusFilter.querySelectorAll('input[name="status"]')) {
        radio.checked = radio.value === state.status;
    }
    els.q.value = state.q;
    els.priority.value = state.priority;
    els.tag.value = state.tags.join(', ');
    els.sort.value = state.sort;
    els.order.value = state.order;
}

function filtersActive() {
    return Boolean(state.q || state.priority || state.tags.length);
}

function listQuery(limit) {
    const p = new URLSearchParams();
    p.set('status', state.status);
    if (state.list) p.set('list_id', state.list);
    if (state.q) p.set('q', state.q);
    if (state.priority) p.set('priority', state.priority);
    for (const t of state.tags) p.append('tag', t);
    p.set('sort', state.sort);
    p.set('order', state.order);
    p.set('limit', String(limit));
    return p.toString();
}

/**
 * The rel="next" link of a list answer, asking for PAGE_LIMIT tasks: a
 * refresh asks for all loaded pages at once, and a cursor is not bound to
 * `limit` (openapi.json, parameter cursor), so "Load more" keeps its size.
 */
function pageLink(headers) {
    const link = nextLink(headers.get('Link'));
    if (!link) return null;
    const url = new URL(API_ROOT + link, location.origin);
    if (url.searchParams.get('limit') === String(PAGE_LIMIT)) return link;
    url.searchParams.set('limit', String(PAGE_LIMIT));
    return url.pathname.slice(API_ROOT.length) + url.search;
}

// ---- messages ------------------------------------------------------------

function showPageError(err) {
    if (isRedirecting() || (err && err.name === 'AbortError')) return;
    showPageMessage((err && err.message) || 'Something went wrong.');
}

/** A message in the page's alert banner. */
function showPageMessage(text) {
    els.pageErrorText.textContent = text;
    els.pageError.hidden = false;
}

function hidePageError() {
    els.pageError.hidden = true;
    els.pageErrorText.textContent = '';
}

let toastTimer = 0;
function toast(message) {
    clearTimeout(toastTimer);
    els.toast.textContent = '';
    // emptied first and refilled a moment later, so screen readers announce repeats too
    toastTimer = setTimeout(() => {
        els.toast.textContent = message;
        toastTimer = setTimeout(() => { els.toast.textContent = ''; }, 4000);
    }, 30);
}

// ---- the list ------------------------------------------------------------

function elementFor(id) {
    return els.list.querySelector(`li.task[data-id="${Number(id)}"]`);
}

function idOf(el) {
    const li = el.closest('li.task[data-id]');
    return li ? Number(li.dataset.id) : null;
}

/**
 * Where focus is in the list: the control, its task, what finds the same
 * control in a redrawn <li>, and the ids of the tasks around it (nearest
 * first), for when its own task is gone. Null when focus is elsewhere.
 */
function focusSpot() {
    const el = document.activeElement;
    const li = el && els.list.contains(el) ? el.closest('li.task[data-id]') : null;
    if (!li) return null;
    const ids = (step) => {
        const out = [];
        for (let s = li[step]; s; s = s[step]) out.push(Number(s.dataset.id));
        return out;
    };
    const role = el.dataset.role;
    return {
        el,
        id: Number(li.dataset.id),
        selector: role && `[data-role="${role}"]${el.dataset.tag ? `[data-tag="${CSS.escape(el.dataset.tag)}"]` : ''}`,
        near: [...ids('nextElementSibling'), ...ids('previousElementSibling')],
    };
}

/**
 * Put focus back after the list was redrawn (moving or replacing a focused
 * node drops focus to <body>): the same control when it is still in the
 * page, else its match in the task's new <li>, else the nearest task still
 * shown, else the list's heading.
 */
function restoreFocus(spot) {
    if (!spot) return;
    if (spot.el.isConnected) {
        spot.el.focus();
        return;
    }
    const li = elementFor(spot.id);
    const same = li && spot.selector && li.querySelector(spot.selector);
    if (same) {
        same.focus();
        return;
    }
    const near = spot.near.map(elementFor).find(Boolean);
    const target = near && near.querySelector('[data-role="toggle"], input');
    (target || els.listHeading).focus();
}

/**
 * Show the tasks of a list answer in the server's order. Open edit forms are
 * kept for tasks still listed; on a refresh also the others (at the end): a
 * write elsewhere must not throw away what someone is typing.
 */
function showTasks(list, keepEveryForm) {
    const spot = focusSpot();
    const forms = new Map([...els.list.querySelectorAll('li.is-editing')].map((li) => [Number(li.dataset.id), li]));
    const now = Date.now();
    tasks.clear();
    const items = list.map((task) => {
        tasks.set(task.id, task);
        know(task);
        return forms.get(task.id) || renderTask(task, now);
    });
    for (const [id, li] of forms) {
        if (tasks.has(id)) continue;
        if (keepEveryForm) items.push(li);
        else stopEditing(id);
    }
    els.list.replaceChildren(...items);
    restoreFocus(spot);
}

/** Append tasks not shown yet; returns the first new <li>. */
function appendTasks(list) {
    const frag = document.createDocumentFragment();
    const now = Date.now();
    let first = null;
    for (const task of list) {
        if (tasks.has(task.id)) continue;
        tasks.set(task.id, task);
        know(task);
        if (elementFor(task.id)) continue; // an edit form a refresh kept
        const li = renderTask(task, now);
        frag.append(li);
        first = first || li;
    }
    els.list.append(frag);
    return first;
}

/**
 * Ask the server for the list under the current filters. A refresh (after a
 * write, here or found elsewhere) asks for as many tasks as the loaded pages
 * hold, without the loading state, and on failure keeps what is shown.
 */
async function loadList({ refresh = false } = {}) {
    const gen = ++listGen;
    if (listAbort) listAbort.abort();
    const ctrl = new AbortController();
    listAbort = ctrl;
    loadingMore = false;
    if (!refresh) pages = 1;
    els.list.setAttribute('aria-busy', 'true');
    if (!refresh) {
        els.list.classList.add('is-loading');
        els.status.textContent = 'Loading tasks…';
    }
    try {
        const limit = Math.min(MAX_LIMIT, pages * PAGE_LIMIT);
        const res = await api(`/tasks?${listQuery(limit)}`, { signal: ctrl.signal });
        if (gen !== listGen) return;
        const data = Array.isArray(res.data) ? res.data : [];
        listFailed = false;
        total = totalCount(res.headers) ?? data.length;
        next = pageLink(res.headers);
        showTasks(data, refresh);
    } catch (err) {
        if (gen !== listGen || err.name === 'AbortError' || isRedirecting()) return;
        if (refresh) {
            showPageError(err);
            return;
        }
        listFailed = true;
        tasks.clear();
        editing.clear();
        unsaved.clear();
        els.list.replaceChildren();
        next = null;
        total = 0;
        els.listErrorText.textContent = `Could not load your tasks: ${err.message}`;
    } finally {
        if (gen === listGen) {
            firstLoadDone = true;
            els.list.setAttribute('aria-busy', 'false');
            els.list.classList.remove('is-loading');
            updateChrome();
        }
    }
}

async function loadMore() {
    if (!next || loadingMore) return;
    loadingMore = true;
    const gen = listGen;
    els.loadMore.setAttribute('aria-busy', 'true');
    els.loadMore.textContent = 'Loading…';
    try {
        const res = await api(next);
        if (gen !== listGen) return;
        pages += 1;
        next = pageLink(res.headers);
        const t = totalCount(res.headers);
        if (t !== null) total = t;
        const first = appendTasks(Array.isArray(res.data) ? res.data : []);
        // The button goes away with the last page: keep focus in the list.
        if (!next && first && document.activeElement === els.loadMore) {
            first.querySelector('[data-role="toggle"]').focus();
        }
    } catch (err) {
        if (gen === listGen) showPageError(err);
    } finally {
        if (gen === listGen) loadingMore = false;
        els.loadMore.removeAttribute('aria-busy');
        els.loadMore.textContent = 'Load more';
        updateChrome();
    }
}

/** Status line, empty state, error state, "Load more" and reset buttons. */
function updateChrome() {
    if (!firstLoadDone) return;
    const shown = tasks.size;
    els.listError.hidden = !listFailed;
    els.empty.hidden = listFailed || shown > 0;
    els.loadMore.hidden = listFailed || !next;
    els.resetFilters.hidden = !filtersActive();

    if (listFailed) {
        els.status.textContent = 'Your tasks could not be loaded.';
    } else if (!shown) {
        els.status.textContent = 'No tasks to show.';
    } else if (next || shown < total) {
        els.status.textContent = `Showing ${number.format(shown)} of ${plural(total, 'task')}`;
    } else {
        els.status.textContent = plural(shown, 'task');
    }

    if (!shown && !listFailed) {
        let title;
        let text;
        els.emptyReset.hidden = !filtersActive();
        if (filtersActive()) {
            title = 'No tasks match your filters';
            text = 'Try another search, or reset the filters.';
        } else if (state.status === 'pending' && counts.all) {
            title = 'Nothing pending';
            text = 'Every task is done. Nice work!';
        } else if (state.status === 'completed' && counts.all) {
            title = 'No completed tasks';
            text = 'Tasks you tick off show up here.';
        } else {
            title = 'No tasks yet';
            text = 'Add your first task with the form above.';
        }
        els.emptyTitle.textContent = title;
        els.emptyText.textContent = text;
    }
}

/**
 * Show a task's new state where it is; the next answer of the list decides
 * whether and where it belongs. Focus inside it goes to `focusRole`.
 */
function showTaskInPlace(task, focusRole) {
    know(task);
    const old = elementFor(task.id);
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    tasks.set(task.id, task);
    const li = renderTask(task);
    old.replaceWith(li);
    if (hadFocus) li.querySelector(`[data-role="${focusRole}"]`).focus();
}

/** Take a task's <li> out of the list, focus to a neighbour when asked. */
function removeTask(id, moveFocus) {
    const li = elementFor(id);
    tasks.delete(id);
    stopEditing(id);
    if (!li) return;
    const neighbour = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (moveFocus) {
        const target = neighbour && neighbour.querySelector('[data-role="toggle"], input');
        (target || els.listHeading).focus();
    }
}

// ---- counts --------------------------------------------------------------

let countGen = 0;
async function refreshCounts() {
    const gen = ++countGen;
    const results = await Promise.allSettled(
        STATUSES.map((s) => api(`/tasks?status=${s}${state.list ? `&list_id=${state.list}` : ''}&limit=1`)));
    if (gen !== countGen) return;
    results.forEach((r, i) => {
        const s = STATUSES[i];
        counts[s] = r.status === 'fulfilled' ? totalCount(r.value.headers) : null;
        els.counts[s].textContent = counts[s] === null ? '–' : number.format(counts[s]);
    });
    const none = counts.completed === 0;
    els.clear.setAttribute('aria-disabled', none ? 'true' : 'false');
    els.clear.title = none ? 'There are no completed tasks' : '';
    if (!tasks.size) updateChrome();
}
const refreshCountsSoon = debounce(refreshCounts, 120);

// ---- actions -------------------------------------------------------------

/**
 * Ask the list and the counts again, after a write changed what they
 * answer; and the reminders (a write may have added one that is due soon).
 */
function refreshAfterWrite() {
    refreshCountsSoon();
    loadLists().catch(showPageError);
    checkReminders();
    return loadList({ refresh: true });
}

/**
 * A failed save in a task form. The time zone is no control of the form
 * (the browser's is sent with the due date), so an error about it is
 * shown at the due date.
 */
function showFormProblem(form, err) {
    for (const e of err.fieldErrors || []) {
        if (e.field === 'time_zone') {
            e.field = 'due_at';
            e.message = `Your time zone (${browserZone()}): ${e.message}`;
        }
    }
    showProblem(form, err);
}

/** The toast for a new task, by where the server's list put it. */
function addedMessage(task, shown) {
    if (shown) return `Added “${task.title}”`;
    if (!next) return `Added “${task.title}”. The current filters hide it.`;
    return `Added “${task.title}”. It is not among the tasks shown so far.`;
}

/** The add form's creates: one Idempotency-Key per task added (retry.js). */
const createTask = creator('/tasks');

async function addTask(event) {
    event.preventDefault();
    const form = els.addForm;
    if (isBusy(form)) return;
    clearErrors(form);
    const { body, errors } = readTaskForm(form);
    if (errors) {
        for (const e of errors) setFieldError(form, e.field, e.message);
        focusFirstError(form);
        return;
    }
    setBusy(form, true);
    let created;
    try {
        const { data, headers } = await createTask(body);
        remember(data, headers);
        know(data);
        created = data;
        form.reset();
        resetRecurrence(form);
        fillListSelect(els.addList, state.list);
        form.elements.title.focus();
    } catch (err) {
        if (!isRedirecting()) showFormProblem(form, err);
        return;
    } finally {
        setBusy(form, false);
    }
    await refreshAfterWrite();
    const li = elementFor(created.id);
    if (li) li.classList.add('is-new');
    toast(addedMessage(created, Boolean(li)));
}

/**
 * A write that did not happen. Changed elsewhere: the task is shown as it is
 * now, kept in view even if it no longer fits the filters so that the
 * person sees what happened to it. Deleted elsewhere: it leaves the list.
 * `notDone` says what did not happen ("it was not deleted").
 */
function writeFailed(err, task, notDone, focusRole) {
    if (err instanceof ChangedElsewhere) {
        showTaskInPlace(err.current, focusRole);
        showPageMessage(`“${task.title}” was changed elsewhere (in another tab or on another device), so ${notDone}`
            + ' and nothing was overwritten. It now shows its current state.');
        refreshCountsSoon();
    } else if (err.status === 404) {
        deletedElsewhere(task);
    } else {
        showPageError(err);
    }
}

function deletedElsewhere(task) {
    removeTask(task.id, true);
    showPageMessage(`“${task.title}” was deleted elsewhere (in another tab or on another device).`);
    refreshAfterWrite();
}

async function toggleTask(id, checkbox) {
    const task = tasks.get(id);
    if (!task) return;
    if (pending.has(id)) {
        checkbox.checked = task.completed;
        return;
    }
    pending.add(id);
    const want = checkbox.checked;
    const li = elementFor(id);
    li.setAttribute('aria-busy', 'true');
    try {
        const { data } = await writeTask(task, `/tasks/${id}/complete`, {
            method: 'PATCH', body: { completed: want },
        });
        showTaskInPlace(data, 'toggle');
        await refreshAfterWrite();
        // A repeating task with another occurrence stays pending, due then.
        const advanced = want && !data.completed && data.recurrence && data.due_at;
        const what = advanced ? `Done — “${data.title}” is next due ${formatDateTime(data.due_at)}`
            : data.completed ? `Completed “${data.title}”` : `“${data.title}” is pending again`;
        toast(tasks.has(id) ? what : `${what}; it left this view.`);
    } catch (err) {
        if (isRedirecting()) return;
        if (checkbox.isConnected) checkbox.checked = task.completed;
        writeFailed(err, task, want ? 'it was not marked done' : 'it was not marked pending', 'toggle');
    } finally {
        pending.delete(id);
        const now = elementFor(id);
        if (now) now.removeAttribute('aria-busy');
    }
}

function startEdit(id) {
    const task = tasks.get(id);
    const li = elementFor(id);
    if (!task || !li) return;
    editing.set(id, task);
    const formLi = renderEditForm(task);
    li.replaceWith(formLi);
    const title = formLi.querySelector('[name="title"]');
    title.focus();
    title.select();
}

function stopEditing(id) {
    editing.delete(id);
    unsaved.delete(id);
}

/** Close an edit form; a task that left this view meanwhile goes with it. */
function cancelEdit(id) {
    const li = elementFor(id);
    const task = tasks.get(id);
    stopEditing(id);
    if (!li) return;
    if (!task) {
        removeTask(id, true);
        updateChrome();
        return;
    }
    const view = renderTask(task);
    li.replaceWith(view);
    view.querySelector('[data-role="edit"]').focus();
}

/**
 * The task changed elsewhere while it was edited. The form now shows its
 * current state, so that a Save builds on it and not on the stale one; what
 * the person had changed stays visible next to the notice, with "Use my
 * changes" to put it back: nothing typed is lost, and nothing is overwritten
 * without a second, informed Save.
 */
function editConflict(id, form, body, current) {
    const typed = formValues(form);
    const mine = Object.fromEntries(Object.keys(body).map((name) => [name, typed[name]]));
    editing.set(id, current);
    unsaved.set(id, mine);
    if (tasks.has(id)) tasks.set(id, current);
    know(current);
    fillEditForm(form, current);
    showConflict(form.closest('li'), mine);
    refreshCountsSoon();
}

function useMyChanges(id) {
    const li = elementFor(id);
    const mine = unsaved.get(id);
    if (!li || !mine) return;
    const form = li.querySelector('form[data-role="edit-form"]');
    setFormValues(form, mine);
    unsaved.delete(id);
    hideConflict(li);
    // the first changed field that is a control (the time zone is none)
    Object.keys(mine).map((name) => form.elements.namedItem(name)).find((el) => el instanceof HTMLElement).focus();
}

async function saveEdit(id, form) {
    if (isBusy(form)) return;
    clearErrors(form);
    const base = editing.get(id);
    if (!base) return;
    const { body, errors } = readTaskForm(form, base);
    if (errors) {
        for (const e of errors) setFieldError(form, e.field, e.message);
        focusFirstError(form);
        return;
    }
    if (!Object.keys(body).length) {
        cancelEdit(id);
        return;
    }
    setBusy(form, true);
    let saved;
    try {
        ({ data: saved } = await writeTask(base, `/tasks/${id}`, { method: 'PATCH', body }));
    } catch (err) {
        if (isRedirecting()) return;
        setBusy(form, false);
        if (err instanceof ChangedElsewhere) editConflict(id, form, body, err.current);
        else if (err.status === 404) deletedElsewhere(base);
        else showFormProblem(form, err);
        return;
    }
    stopEditing(id);
    showTaskInPlace(saved, 'edit');
    await refreshAfterWrite();
    toast(tasks.has(id) ? `Saved “${saved.title}”` : `Saved “${saved.title}”; it left this view.`);
}

async function deleteTask(id) {
    const task = tasks.get(id);
    if (!task) return;
    const ok = await confirmDialog({
        title: 'Delete this task?',
        text: `“${task.title}” will be deleted for good.`,
        confirmLabel: 'Delete task',
    });
    if (!ok) return;
    try {
        await writeTask(task, `/tasks/${id}`, { method: 'DELETE' });
    } catch (err) {
        if (!isRedirecting()) writeFailed(err, task, 'it was not deleted', 'delete');
        return;
    }
    knownStates.set(id, null);
    removeTask(id, true);
    toast(`Deleted “${task.title}”`);
    refreshAfterWrite();
}

async function clearCompleted() {
    if (els.clear.getAttribute('aria-disabled') === 'true') return;
    const n = counts.completed;
    const list = state.list ? listById(state.list) : null;
    const where = list ? ` in “${list.name}”` : '';
    const ok = await confirmDialog({
        title: list ? `Clear completed tasks in “${list.name}”?` : 'Clear completed tasks?',
        text: n ? `All ${plural(n, 'completed task')}${where} will be deleted for good.`
            : `All completed tasks${where} will be deleted for good.`,
        confirmLabel: 'Delete completed',
    });
    if (!ok) return;
    try {
        const { data } = await api(`/tasks?status=completed${state.list ? `&list_id=${state.list}` : ''}`,
            { method: 'DELETE' });
        const deleted = data && Number.isFinite(data.deleted) ? data.deleted : 0;
        // the completed tasks shown are gone by this page's hand (others
        // it did not show come as news from the feed: the list is asked again)
        for (const t of tasks.values()) if (t.completed) knownStates.set(t.id, null);
        toast(`Deleted ${plural(deleted, 'completed task')}`);
    } catch (err) {
        showPageError(err);
        return;
    }
    await Promise.all([loadList(), refreshCounts(), loadLists().catch(showPageError)]);
}

function applyFilters() {
    writeState();
    loadList();
}

const searchSoon = debounce(() => {
    const q = els.q.value.trim();
    if (q === state.q) return;
    state.q = q;
    applyFilters();
}, 300);

const tagSoon = debounce(() => {
    const tags = parseTags(els.tag.value);
    if (tags.join('\n') === state.tags.join('\n')) return;
    state.tags = tags;
    applyFilters();
}, 400);

function filterByTag(tag) {
    state.tags = [tag];
    els.tag.value = tag;
    tagSoon.cancel();
    applyFilters();
    els.tag.focus();
}

function resetFilters() {
    state.q = '';
    state.priority = '';
    state.tags = [];
    searchSoon.cancel();
    tagSoon.cancel();
    syncControls();
    applyFilters();
    els.q.focus();
}

async function loadUser() {
    try {
        const { data } = await api('/auth/me');
        const user = data && data.user ? data.user : {};
        els.userLabel.textContent = user.name || user.email || '';
        if (user.name && user.email) els.userLabel.title = user.email;
    } catch (err) {
        showPageError(err);
    }
}

async function logout() {
    try {
        await endSession('/auth/logout');
    } catch (err) {
        showPageError(err);
        return;
    }
    location.replace(appPath('login/'));
}

// ---- wiring --------------------------------------------------------------

els.addForm.addEventListener('submit', addTask);
wireRecurrence(els.addForm);
wireRecurrence(els.list);
els.logout.addEventListener('click', logout);
els.pageErrorClose.addEventListener('click', hidePageError);
els.clear.addEventListener('click', clearCompleted);
els.loadMore.addEventListener('click', loadMore);
els.retry.addEventListener('click', () => {
    loadList();
    refreshCounts();
});
els.resetFilters.addEventListener('click', resetFilters);
els.emptyReset.addEventListener('click', resetFilters);

els.statusFilter.addEventListener('change', (event) => {
    const radio = event.target.closest('input[name="status"]');
    if (!radio || !STATUSES.includes(radio.value)) return;
    state.status = radio.value;
    applyFilters();
});
els.filters.addEventListener('submit', (event) => {
    // Enter in the search or tag box: apply now rather than after the pause.
    event.preventDefault();
    searchSoon.cancel();
    tagSoon.cancel();
    state.q = els.q.value.trim();
    state.tags = parseTags(els.tag.value);
    applyFilters();
});
els.q.addEventListener('input', searchSoon);
els.tag.addEventListener('input', tagSoon);
els.priority.addEventListener('change', () => {
    state.priority = PRIORITIES.includes(els.priority.value) ? els.priority.value : '';
    applyFilters();
});
els.sort.addEventListener('change', () => {
    state.sort = SORTS.includes(els.sort.value) ? els.sort.value : 'created_at';
    applyFilters();
});
els.order.addEventListener('change', () => {
    state.order = ORDERS.includes(els.order.value) ? els.order.value : 'desc';
    applyFilters();
});

els.list.addEventListener('change', (event) => {
    const box = event.target.closest('[data-role="toggle"]');
    if (box) toggleTask(idOf(box), box);
});
els.list.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-role]');
    if (!button) return;
    const id = idOf(button);
    switch (button.dataset.role) {
    case 'edit': startEdit(id); break;
    case 'delete': deleteTask(id); break;
    case 'cancel-edit': cancelEdit(id); break;
    case 'use-mine': useMyChanges(id); break;
    case 'tag': filterByTag(button.dataset.tag); break;
    default: break;
    }
});
els.list.addEventListener('submit', (event) => {
    const form = event.target.closest('form[data-role="edit-form"]');
    if (!form) return;
    event.preventDefault();
    saveEdit(idOf(form), form);
});
els.list.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const li = event.target.closest('li.is-editing');
    if (!li) return;
    event.preventDefault();
    cancelEdit(idOf(li));
});

/** The narrow screens' List control: all tasks, then each list. */
function fillListSwitch() {
    els.listSwitch.replaceChildren(h('option', { value: '', text: 'All tasks' }), ...listOptions(state.list));
    els.listSwitch.value = state.list;
}

/** Show another list's tasks ('' for all), and add to it by default. */
function chooseList(id) {
    state.list = id ? String(id) : '';
    fillListSelect(els.addList, state.list);
    fillListSwitch();
    applyFilters();
    refreshCounts();
}

const sidebar = mountSidebar(els.listsNav, {
    current: () => state.list,
    choose: chooseList,
    changed: refreshAfterWrite,
    showError: showPageError,
});
els.listSwitch.addEventListener('change', () => {
    chooseList(els.listSwitch.value);
    sidebar.render();
});
// The lists' names as last drawn: tasks show their list's name, so they
// are redrawn when one changes, not on every reload of the lists (which
// follows every write, for the counts).
let listNames = '';
onListsChange((lists) => {
    // Keep what the person chose in the add form, if that list is still there.
    fillListSelect(els.addList, els.addList.value || state.list);
    fillListSwitch();
    const names = JSON.stringify(lists.map((l) => [l.id, l.name]));
    if (names === listNames) return;
    listNames = names;
    if (firstLoadDone && tasks.size) showTasks([...tasks.values()], true);
});

/**
 * Something changed elsewhere (the feed said so, or could not say what):
 * the list, the counts and the lists' counts are asked again, as after a
 * write here; a list that failed to load is loaded anew.
 */
function changedElsewhere() {
    if (isRedirecting()) return;
    if (listFailed) {
        loadList();
        refreshCounts();
        loadLists().catch(showPageError);
        return;
    }
    refreshAfterWrite();
}

const feed = changesFeed({ known: isKnown, changed: changedElsewhere });

async function start() {
    syncControls();
    // the browser may have put back what the add form held before a reload
    els.addZone.textContent = zoneNote();
    updateRepeat(els.addForm);
    updateReminders(els.addForm);
    startReminders({
        list: els.reminderList,
        enable: els.enableNotifications,
        state: els.notifyState,
        fallbackFocus: els.listHeading,
    });
    loadUser();
    // The feed's first token, taken before the list is loaded: whatever
    // changes after it is news at the next check, whatever changed before
    // is in the list. A slow token (many tasks) does not hold the list up
    // for long: the list is then asked once more when the token is there.
    const token = feed.start();
    const tokenInTime = Promise.race([token.then(() => true),
        new Promise((resolve) => { setTimeout(resolve, FEED_WAIT, false); })]);
    try {
        await loadLists();
    } catch (err) {
        showPageError(err);
    }
    const inTime = await tokenInTime;
    // A list that is gone (deleted elsewhere) or never was: all tasks.
    if (state.list && !listById(state.list)) state.list = '';
    sidebar.render();
    fillListSelect(els.addList, state.list);
    writeState();
    const first = loadList();
    refreshCounts();
    await first;
    feed.watch();
    if (!inTime && await token) changedElsewhere();
}
start();
