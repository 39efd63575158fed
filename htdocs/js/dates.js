// dates.js - due dates between <input type="datetime-local"> (the browser's
// local wall time, no zone) and the API's RFC 3339 timestamps, plus display.

const pad = (n) => String(n).padStart(2, '0');

/**
 * "2026-11-25T14:30" (local time) -> "2026-11-25T14:30:00+01:00", using the
 * browser's UTC offset at that moment (so daylight-saving time is right).
 * '' -> null; an unparseable value -> undefined.
 */
export function localInputToRfc3339(value) {
    if (!value) return null;
    const m = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (!m) return undefined;
    const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    if (Number.isNaN(d.getTime())) return undefined;
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    const abs = Math.abs(off);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
        + `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
        + `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An RFC 3339 timestamp -> the value a datetime-local input takes, or ''. */
export function rfc3339ToLocalInput(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
        + `T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp for people, in their locale and time zone. */
export function formatDateTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : dateTimeFormat.format(d);
}

/** Due in the past and not completed. */
export function isOverdue(task, now = Date.now()) {
    if (!task.due_at || task.completed) return false;
    const t = Date.parse(task.due_at);
    return Number.isFinite(t) && t < now;
}
