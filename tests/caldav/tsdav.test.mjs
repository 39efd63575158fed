// tsdav.test.mjs - tsdav (npm, the CalDAV client of many JavaScript apps)
// against the module: service discovery from the server's root, the
// calendars of an account (one per list, with sync tokens), tasks
// fetched with a VTODO filter, and a webdav sync after changes made
// through the JSON API. Each test makes its own account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDAVClient } from 'tsdav';

import { API, call, signUp } from '../tools/api.mjs';

const ORIGIN = new URL(API).origin;

async function account(prefix) {
  const up = await signUp(prefix);
  const pw = await call('POST', '/auth/app-passwords', up.token, { name: 'tsdav' });
  assert.equal(pw.status, 201);
  return { ...up, password: pw.json.password };
}

// As tsdav's README shows, with discovery from the server's root:
// /.well-known/caldav leads to the module's CalDAV root.
async function client(a) {
  return createDAVClient({
    serverUrl: ORIGIN,
    credentials: { username: a.email, password: a.password },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
}

const VTODO_FILTER = [{
  'comp-filter': { _attributes: { name: 'VCALENDAR' },
                   'comp-filter': { _attributes: { name: 'VTODO' } } },
}];

test('discovery finds one task calendar per list, each with a sync token', async () => {
  const a = await account('tsdav-discover');
  await call('POST', '/lists', a.token, { name: 'Errands' });
  const c = await client(a);
  const calendars = await c.fetchCalendars();
  assert.deepEqual(calendars.map((cal) => cal.displayName).sort(), ['Errands', 'Inbox']);
  for (const cal of calendars) {
    assert.deepEqual(cal.components, ['VTODO']);
    assert.match(cal.syncToken, /^urn:x-mod-tasks:sync:/);
    assert.ok(cal.url.startsWith(`${API}/dav/${a.id}/`), cal.url);
  }
});

test('a task made with tsdav is in the app, and one made in the app is fetched', async () => {
  const a = await account('tsdav-create');
  const c = await client(a);
  const [inbox] = await c.fetchCalendars();
  const made = await c.createCalendarObject({
    calendar: inbox,
    filename: 'from-tsdav.ics',
    iCalString: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tsdav test//EN\r\nBEGIN:VTODO\r\n'
      + 'UID:from-tsdav\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:From tsdav\r\nEND:VTODO\r\n'
      + 'END:VCALENDAR\r\n',
  });
  assert.equal(made.status, 201);
  const tasks = await call('GET', '/tasks', a.token);
  assert.deepEqual(tasks.json.map((t) => t.title), ['From tsdav']);
  await call('POST', '/tasks', a.token, { title: 'From the app' });
  const objects = await c.fetchCalendarObjects({ calendar: inbox, filters: VTODO_FILTER });
  assert.deepEqual(objects.map((o) => /SUMMARY:(.*)\r\n/.exec(o.data)[1]).sort(),
                   ['From the app', 'From tsdav']);
});

test('a webdav sync brings what changed in the app, and what was deleted', async () => {
  const a = await account('tsdav-sync');
  const keep = await call('POST', '/tasks', a.token, { title: 'Keep' });
  const drop = await call('POST', '/tasks', a.token, { title: 'Drop' });
  const c = await client(a);
  const [inbox] = await c.fetchCalendars();
  inbox.objects = await c.fetchCalendarObjects({ calendar: inbox, filters: VTODO_FILTER });
  assert.equal(inbox.objects.length, 2);
  await call('PATCH', `/tasks/${keep.json.id}`, a.token, { title: 'Kept, renamed' });
  assert.equal((await call('DELETE', `/tasks/${drop.json.id}`, a.token)).status, 204);
  const synced = await c.smartCollectionSync({
    collection: { ...inbox, objectMultiGet: c.calendarMultiGet },
    method: 'webdav',
    detailedResult: true,
  });
  const { created, updated, deleted } = synced.objects;
  assert.equal(created.length, 0);
  assert.deepEqual(updated.map((o) => /SUMMARY:(.*)\r\n/.exec(o.data)[1]), ['Kept\\, renamed']);
  assert.equal(deleted.length, 1);
  assert.notEqual(synced.syncToken, inbox.syncToken);
});
