// versions.js - optimistic concurrency for writes to one task (edit, toggle,
// delete): each is sent with If-Match, the ETag of the very state the person
// saw, so a change made elsewhere (another tab, device or client) is never
// overwritten unseen. List pages carry no ETags and no version (only
// single-task responses have an ETag), so the ETag of each task is kept from
// its last single-task response, together with the updated_at of the state
// it names; a task known only from a list is read (GET) before its first write.
import { api, ApiError } from './api.js';

/** The task changed since the page showed it; `current` is its state now. */
export class ChangedElsewhere extends Error {
    constructor(current) {
        super('The task was changed elsewhere.');
        this.name = 'ChangedElsewhere';
        this.current = current;
    }
}

/** id -> {etag, updatedAt}: the last ETag seen for a task and the state it names. */
const known = new Map();

/** Keep the ETag of a single-task response (POST, GET, PATCH). */
export function remember(task, headers) {
    const etag = headers.get('ETag');
    if (task && etag) known.set(task.id, { etag, updatedAt: task.updated_at });
}

/** The task as the server has it now. Rejects with ApiError (404: it is gone). */
export async function fetchTask(id) {
    const { data, headers } = await api(`/tasks/${id}`);
    remember(data, headers);
    return data;
}

/**
 * The ETag of `shown`, the state of the task the person acted on. When none
 * is kept for that state, the task is read: its updated_at strictly increases
 * on every modification (openapi.json, Task.updated_at), so another
 * updated_at means it changed after the page showed it, and its ETag would
 * name a state the person never saw.
 */
async function etagOf(shown) {
    const kept = known.get(shown.id);
    if (kept && kept.updatedAt === shown.updated_at) return kept.etag;
    const current = await fetchTask(shown.id);
    if (current.updated_at !== shown.updated_at) throw new ChangedElsewhere(current);
    return known.get(shown.id).etag;
}

/**
 * Write to one task on condition that it is still as `shown`: `method` (and
 * `body`) to `path` with If-Match. Resolves like api(), the new ETag kept;
 * rejects with ChangedElsewhere (a 412, or a change found before sending),
 * or with ApiError (404: deleted elsewhere).
 */
export async function writeTask(shown, path, { method, body } = {}) {
    const etag = await etagOf(shown);
    try {
        const res = await api(path, { method, body, headers: { 'If-Match': etag } });
        if (res.data) remember(res.data, res.headers);
        else known.delete(shown.id);
        return res;
    } catch (err) {
        if (err instanceof ApiError && err.status === 412) throw new ChangedElsewhere(await fetchTask(shown.id));
        throw err;
    }
}
