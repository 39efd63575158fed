// retry.js - creates that survive a flaky network without making doubles.
// A POST that creates something (a task, a list) carries an
// Idempotency-Key, made once per action of the person (API.md "Idempotent
// writes"). When the answer is lost (the network failed, a gateway said
// 502/503/504) the task may or may not exist: the same request, same key
// and same bytes, is sent again a few times after short pauses, and the
// server answers a repeat with the first answer (Idempotent-Replayed: true)
// instead of creating again; that answer is used like any first one. A 409
// on a key already sent means the first attempt is still running: asked
// again a moment later. Other answers (4xx) are final and shown at once.
//
// When every attempt failed, the outcome is still unknown: the key is kept,
// so that submitting the very same thing again (the person's own retry) is
// the same create too, never a second one. Anything else gets a new key.
// Keys live in memory only (security.test.mjs: nothing is stored in the
// browser but api.js's notes).
import { api, ApiError, isRedirecting } from './api.js';

/** Pauses before the 2nd, 3rd and 4th attempt (ms); a little jitter is added. */
const PAUSES = [300, 1000, 2500];
/** Gateway answers that say nothing about whether the create happened. */
const GATEWAY = new Set([502, 503, 504]);
/** The longest a Retry-After is honoured for, before the next attempt (ms). */
const MAX_WAIT = 5000;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * A new key: a random UUID. crypto.randomUUID needs a secure context; an
 * app served over plain HTTP on another host has getRandomValues only.
 */
export function newKey() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The answer was lost or came from a gateway: the create may have happened. */
function unknownOutcome(err) {
    return err instanceof ApiError && (err.status === 0 || err.status >= 500);
}

/** Worth sending again with the same key (a key already sent: 409 too). */
function retryable(err, keySent) {
    if (!(err instanceof ApiError)) return false;
    return err.status === 0 || GATEWAY.has(err.status) || (err.status === 409 && keySent);
}

/** How long to wait before attempt `n` (1-based retries), Retry-After honoured. */
function pause(n, err) {
    let ms = PAUSES[n - 1] * (0.8 + Math.random() * 0.4);
    const after = err.headers && err.headers.get('Retry-After');
    if (after && /^\d+$/.test(after.trim())) ms = Math.max(ms, Math.min(MAX_WAIT, Number(after) * 1000));
    return ms;
}

/**
 * A create at `path` ('/tasks', '/lists'): a function (body) => api()'s
 * answer {data, headers, status}, rejecting with the last ApiError. One
 * creator per form: it remembers the key of an action whose outcome is
 * unknown, for a resubmission of the same body.
 */
export function creator(path) {
    /** {key, json, sent} of the last action when its outcome is unknown. */
    let open = null;
    return async function create(body) {
        // Sent as these very bytes each time: the server matches a repeat
        // by method, path and body.
        const json = JSON.stringify(body);
        if (!open || open.json !== json) open = { key: newKey(), json, sent: false };
        const action = open;
        for (let attempt = 0; ; attempt += 1) {
            try {
                const res = await api(path, {
                    method: 'POST', body: JSON.parse(json), headers: { 'Idempotency-Key': action.key },
                });
                if (open === action) open = null;
                return res;
            } catch (err) {
                const keySent = action.sent;
                action.sent = true;
                if (attempt < PAUSES.length && retryable(err, keySent) && !isRedirecting()) {
                    await sleep(pause(attempt + 1, err));
                    continue;
                }
                // A final answer (4xx; a 409 on a new key is about the body,
                // a list's name taken) means nothing was made with this key.
                const stillOpen = unknownOutcome(err) || (err.status === 409 && keySent);
                if (open === action && !stillOpen) open = null;
                throw err;
            }
        }
    };
}
