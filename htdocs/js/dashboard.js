// dashboard.js - the signed-in page: loads the user and the first page of
// tasks, keeps the status counts, and wires every action to the API: add,
// edit in place, complete, delete, clear completed, filter (status,
// priority, tag), search as you type, sort, and "Load more" pages that
// follow the Link rel="next" header. Filters live in the page's query string.
import { api, nextLink, totalCount, isRedirecting } from './api.js';
import { $, debounce } from './dom.js';
import { clearErrors, setFieldError, showProblem, setBusy, isBusy, focusFirstError, parseTags } from './forms.js';
import { renderTask, renderEditForm, readTaskForm } from './task-item.js';
import { confirmDialog } from './dialog.js';

const PAGE_LIMIT = 50;
const STATUSES = ['all', 'pending', 'completed'];
const SORTS = ['created_at', 'updated_at', 'due_at', 'priority', 'title'];
const PRIORITIES = ['none', 'low', 'medium', 'high'];
const ORDERS = ['desc', 'asc'];

const els = {
    userLabel: $('#user-label'),
    logout: $('#logout'),
    pageError: $('#page-error'),
    pageErrorText: $('#page-error-text'),
    pageErrorClose: $('#page-error-close'),
    addForm: $('#add-form'),
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
};

const number = new Intl.NumberFormat();
const plural = (n, word) => `${number.format(n)} ${word}${n === 1 ? '' : 's'}`;

// ---- state ---------------------------------------------------------------

const state = readState();
/** The tasks in the list, by id. */
const tasks = new Map();
let total = 0;          // X-Total-Count of the current query
let next = null;        // the rel="next" link, when more pages remain
let listGen = 0;        // bumps on each reload; stale answers are dropped
let listAbort = null;
let listFailed = false;
let firstLoadDone = false; // until then the skeleton shows, not the empty state
let loadingMore = false;
const counts = { all: null, pending: null, completed: null };
const pending = new Set(); // ids with a completion toggle in flight

function readState() {
    const p = new URLSearchParams(location.search);
    const pick = (name, allowed, fallback) => (allowed.includes(p.get(name)) ? p.get(name) : fallback);
    return {
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

/** Would the server list this task under the current filters? */
function matches(task) {
    if (state.status === 'pending' && task.completed) return false;
    if (state.status === 'completed' && !task.completed) return false;
    if (state.priority && task.priority !== state.priority) return false;
    if (state.tags.some((t) => !(task.tags || []).includes(t))) return false;
    if (state.q) {
        const q = state.q.toLowerCase();
        const inTitle = task.title.toLowerCase().includes(q);
        const inDesc = (task.description || '').toLowerCase().includes(q);
        if (!inTitle && !inDesc) return false;
    }
    return true;
}

function listQuery() {
    const p = new URLSearchParams();
    p.set('status', state.status);
    if (state.q) p.set('q', state.q);
    if (state.priority) p.set('priority', state.priority);
    for (const t of state.tags) p.append('tag', t);
    p.set('sort', state.sort);
    p.set('order', state.order);
    p.set('limit', String(PAGE_LIMIT));
    return p.toString();
}

// ---- messages ------------------------------------------------------------

function showPageError(err) {
    if (isRedirecting() || (err && err.name === 'AbortError')) return;
    els.pageErrorText.textContent = (err && err.message) || 'Something went wrong.';
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

/** Append tasks not shown yet; returns the first new <li>. */
function appendTasks(list) {
    const frag = document.createDocumentFragment();
    const now = Date.now();
    let first = null;
    for (const task of list) {
        if (tasks.has(task.id)) continue;
        tasks.set(task.id, task);
        const li = renderTask(task, now);
        frag.append(li);
        first = first || li;
    }
    els.list.append(frag);
    return first;
}

async function loadList() {
    const gen = ++listGen;
    if (listAbort) listAbort.abort();
    const ctrl = new AbortController();
    listAbort = ctrl;
    loadingMore = false;
    els.list.setAttribute('aria-busy', 'true');
    els.list.classList.add('is-loading');
    els.status.textContent = 'Loading tasks…';
    try {
        const res = await api(`/api/tasks?${listQuery()}`, { signal: ctrl.signal });
        if (gen !== listGen) return;
        const data = Array.isArray(res.data) ? res.data : [];
        listFailed = false;
        tasks.clear();
        els.list.replaceChildren();
        total = totalCount(res.headers) ?? data.length;
        next = nextLink(res.headers.get('Link'));
        appendTasks(data);
    } catch (err) {
        if (gen !== listGen || err.name === 'AbortError' || isRedirecting()) return;
        listFailed = true;
        tasks.clear();
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
        next = nextLink(res.headers.get('Link'));
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

/** Show a changed task where it is, or take it out when it no longer fits the filters. */
function updateTask(task, focusRole) {
    const old = elementFor(task.id);
    if (!old) return false;
    const hadFocus = old.contains(document.activeElement);
    if (!matches(task)) {
        removeTask(task.id, hadFocus);
        return false;
    }
    tasks.set(task.id, task);
    const li = renderTask(task);
    old.replaceWith(li);
    if (hadFocus && focusRole) li.querySelector(`[data-role="${focusRole}"]`).focus();
    return true;
}

function removeTask(id, moveFocus) {
    const li = elementFor(id);
    if (tasks.delete(id)) total = Math.max(0, total - 1);
    if (li) {
        const neighbour = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        if (moveFocus) {
            const target = neighbour && neighbour.querySelector('[data-role="toggle"], input');
            (target || els.listHeading).focus();
        }
    }
    updateChrome();
}

function insertTop(task) {
    const li = renderTask(task);
    li.classList.add('is-new');
    const old = elementFor(task.id);
    if (old) old.replaceWith(li);
    else {
        els.list.prepend(li);
        total += 1;
    }
    tasks.set(task.id, task);
    listFailed = false;
    updateChrome();
}

// ---- counts --------------------------------------------------------------

let countGen = 0;
async function refreshCounts() {
    const gen = ++countGen;
    const results = await Promise.allSettled(
        STATUSES.map((s) => api(`/api/tasks?status=${s}&limit=1`)));
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
    try {
        const { data } = await api('/api/tasks', { method: 'POST', body });
        form.reset();
        if (matches(data)) {
            insertTop(data);
            toast(`Added “${data.title}”`);
        } else {
            toast(`Added “${data.title}”. The current filters hide it.`);
        }
        refreshCountsSoon();
        form.elements.title.focus();
    } catch (err) {
        if (!isRedirecting()) showProblem(form, err);
    } finally {
        setBusy(form, false);
    }
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
        const { data } = await api(`/api/tasks/${id}/complete`, {
            method: 'PATCH', body: { completed: want },
        });
        const kept = updateTask(data, 'toggle');
        const what = data.completed ? `Completed “${data.title}”` : `“${data.title}” is pending again`;
        toast(kept ? what : `${what}; it left this view.`);
        refreshCountsSoon();
    } catch (err) {
        if (err.status === 404) removeTask(id, true);
        else if (checkbox.isConnected) checkbox.checked = task.completed;
        showPageError(err);
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
    const formLi = renderEditForm(task);
    li.replaceWith(formLi);
    const title = formLi.querySelector('[name="title"]');
    title.focus();
    title.select();
}

function cancelEdit(id) {
    const task = tasks.get(id);
    const li = elementFor(id);
    if (!task || !li) return;
    const view = renderTask(task);
    li.replaceWith(view);
    view.querySelector('[data-role="edit"]').focus();
}

async function saveEdit(id, form) {
    if (isBusy(form)) return;
    clearErrors(form);
    const original = tasks.get(id);
    if (!original) return;
    const { body, errors } = readTaskForm(form, original);
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
    try {
        const { data } = await api(`/api/tasks/${id}`, { method: 'PATCH', body });
        const kept = updateTask(data, 'edit');
        toast(kept ? `Saved “${data.title}”` : `Saved “${data.title}”; it no longer matches the filters.`);
    } catch (err) {
        if (isRedirecting()) return;
        setBusy(form, false);
        if (err.status === 404) {
            removeTask(id, true);
            showPageError(err);
            return;
        }
        showProblem(form, err);
    }
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
        await api(`/api/tasks/${id}`, { method: 'DELETE' });
    } catch (err) {
        if (err.status !== 404) {
            showPageError(err);
            return;
        }
    }
    removeTask(id, true);
    toast(`Deleted “${task.title}”`);
    refreshCountsSoon();
}

async function clearCompleted() {
    if (els.clear.getAttribute('aria-disabled') === 'true') return;
    const n = counts.completed;
    const ok = await confirmDialog({
        title: 'Clear completed tasks?',
        text: n ? `All ${plural(n, 'completed task')} will be deleted for good.`
            : 'All completed tasks will be deleted for good.',
        confirmLabel: 'Delete completed',
    });
    if (!ok) return;
    try {
        const { data } = await api('/api/tasks?status=completed', { method: 'DELETE' });
        const deleted = data && Number.isFinite(data.deleted) ? data.deleted : 0;
        toast(`Deleted ${plural(deleted, 'completed task')}`);
    } catch (err) {
        showPageError(err);
        return;
    }
    await Promise.all([loadList(), refreshCounts()]);
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
        const { data } = await api('/api/auth/me');
        const user = data && data.user ? data.user : {};
        els.userLabel.textContent = user.name || user.email || '';
        if (user.name && user.email) els.userLabel.title = user.email;
    } catch (err) {
        showPageError(err);
    }
}

async function logout() {
    try {
        await api('/api/auth/logout', { method: 'POST', redirectOn401: false });
    } catch (err) {
        if (err.status !== 401) {
            showPageError(err);
            return;
        }
    }
    location.replace('/login/');
}

// ---- wiring --------------------------------------------------------------

els.addForm.addEventListener('submit', addTask);
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
    const form = event.target.closest('form[data-role="edit-form"]');
    if (!form) return;
    event.preventDefault();
    cancelEdit(idOf(form));
});

syncControls();
writeState();
loadUser();
loadList();
refreshCounts();
