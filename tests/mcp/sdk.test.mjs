// sdk.test.mjs - the official TypeScript SDK (@modelcontextprotocol/sdk,
// Client + StreamableHTTPClientTransport, pinned in package-lock.json)
// against POST /api/mcp: initialize and the negotiated version, the five
// tools and their schemas, each tool's effect seen through the JSON API,
// refusals as tool results a model can act on, isolation between two
// people, and what a client without a token is told. Each test makes its
// own accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

import { API, call, signUp as person } from '../tools/api.mjs';

const MCP = `${API}/mcp`;

async function connect(token) {
  const client = new Client({ name: 'mod-tasks-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(MCP), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  // The SDK checks results against the output schemas it has seen.
  await client.listTools();
  return client;
}

const text = (result) => result.content.map((c) => c.text).join('\n');

test('initialize negotiates 2025-11-25 and lists the five tools with schemas that compile', async () => {
  const p = await person('mcp-tools');
  const client = await connect(p.token);
  assert.equal(client.getServerVersion().name, 'mod_tasks');
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(),
                   ['add_task', 'complete_task', 'delete_task', 'list_tasks', 'update_task']);
  const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
  for (const t of tools) {
    assert.ok(t.description.length > 20, `${t.name} has a description`);
    assert.doesNotThrow(() => ajv.compile(t.inputSchema), `${t.name} inputSchema`);
    assert.doesNotThrow(() => ajv.compile(t.outputSchema), `${t.name} outputSchema`);
  }
  const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
  assert.equal(hints.list_tasks.readOnlyHint, true);
  assert.equal(hints.delete_task.destructiveHint, true);
  assert.equal(hints.add_task.idempotentHint, false);
  // completing a recurring task twice moves it on twice
  assert.equal(hints.complete_task.idempotentHint, false);
  await client.close();
});

test('each tool acts on the tasks the JSON API shows', async () => {
  const p = await person('mcp-each');
  const client = await connect(p.token);

  const added = await client.callTool({ name: 'add_task', arguments: {
    title: 'Buy milk', priority: 'high', tags: ['errands'], due_at: '2027-01-05T09:00:00Z' } });
  assert.equal(added.isError, undefined, text(added));
  const id = added.structuredContent.task.id;
  let seen = await call('GET', `/tasks/${id}`, p.token);
  assert.equal(seen.status, 200);
  assert.equal(seen.json.title, 'Buy milk');
  assert.equal(seen.json.priority, 'high');
  assert.deepEqual(JSON.parse(text(added)), added.structuredContent);

  const listed = await client.callTool({ name: 'list_tasks', arguments: { status: 'pending', tag: 'errands' } });
  assert.deepEqual(listed.structuredContent.tasks.map((t) => t.id), [id]);
  assert.equal(listed.structuredContent.total, 1);

  const updated = await client.callTool({ name: 'update_task', arguments: { task_id: id, title: 'Buy oat milk' } });
  assert.equal(updated.structuredContent.task.title, 'Buy oat milk');
  seen = await call('GET', `/tasks/${id}`, p.token);
  assert.equal(seen.json.title, 'Buy oat milk');

  const done = await client.callTool({ name: 'complete_task', arguments: { task_id: id } });
  assert.equal(done.structuredContent.task.completed, true);
  seen = await call('GET', `/tasks/${id}`, p.token);
  assert.equal(seen.json.completed, true);

  const gone = await client.callTool({ name: 'delete_task', arguments: { task_id: id } });
  assert.deepEqual(gone.structuredContent, { deleted: true, task_id: id });
  seen = await call('GET', `/tasks/${id}`, p.token);
  assert.equal(seen.status, 404);
  await client.close();
});

test('list_tasks pages with next_cursor', async () => {
  const p = await person('mcp-pages');
  for (const title of ['one', 'two', 'three']) await call('POST', '/tasks', p.token, { title });
  const client = await connect(p.token);
  const first = await client.callTool({ name: 'list_tasks', arguments: { limit: 2, sort: 'title', order: 'asc' } });
  assert.deepEqual(first.structuredContent.tasks.map((t) => t.title), ['one', 'three']);
  assert.equal(typeof first.structuredContent.next_cursor, 'string');
  const second = await client.callTool({ name: 'list_tasks', arguments: {
    limit: 2, sort: 'title', order: 'asc', cursor: first.structuredContent.next_cursor } });
  assert.deepEqual(second.structuredContent.tasks.map((t) => t.title), ['two']);
  assert.equal(second.structuredContent.next_cursor, null);
  await client.close();
});

test('a broken rule, a missing task and a foreign user_id are tool errors a model can read', async () => {
  const p = await person('mcp-refused');
  const client = await connect(p.token);
  const long = await client.callTool({ name: 'add_task', arguments: { title: 'x'.repeat(201) } });
  assert.equal(long.isError, true);
  assert.match(text(long), /title/);
  assert.equal(long.structuredContent, undefined);
  const missing = await client.callTool({ name: 'complete_task', arguments: { task_id: 999999999 } });
  assert.equal(missing.isError, true);
  assert.match(text(missing), /no task 999999999/);
  const other = await client.callTool({ name: 'list_tasks', arguments: {
    user_id: '00000000-0000-4000-8000-000000000000' } });
  assert.equal(other.isError, true);
  assert.match(text(other), /user_id/);
  const own = await client.callTool({ name: 'list_tasks', arguments: { user_id: p.id } });
  assert.equal(own.isError, undefined);
  const unknownArg = await client.callTool({ name: 'delete_task', arguments: { task_id: 1, force: true } });
  assert.equal(unknownArg.isError, true);
  assert.match(text(unknownArg), /force/);
  const tasks = await call('GET', '/tasks', p.token);
  assert.deepEqual(tasks.json, []);
  await assert.rejects(client.callTool({ name: 'drop_table', arguments: {} }),
                       (e) => e instanceof McpError && e.code === -32602);
  await client.close();
});

test('one person cannot reach another\'s tasks', async () => {
  const a = await person('mcp-iso-a');
  const b = await person('mcp-iso-b');
  const made = await call('POST', '/tasks', a.token, { title: 'private' });
  const client = await connect(b.token);
  const listed = await client.callTool({ name: 'list_tasks', arguments: {} });
  assert.deepEqual(listed.structuredContent.tasks, []);
  for (const [name, args] of [['complete_task', {}], ['update_task', { title: 'mine now' }], ['delete_task', {}]]) {
    const r = await client.callTool({ name, arguments: { task_id: made.json.id, ...args } });
    assert.equal(r.isError, true, name);
  }
  const still = await call('GET', `/tasks/${made.json.id}`, a.token);
  assert.equal(still.json.title, 'private');
  assert.equal(still.json.completed, false);
  await client.close();
});

test('without a token: 401 naming the protected resource metadata, which names the authorization server', async () => {
  const client = new Client({ name: 'anonymous', version: '1.0.0' });
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(MCP))), /401/);
  const res = await fetch(MCP, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate');
  const metadata = /^Bearer resource_metadata="([^"]+)"$/.exec(challenge)[1];
  assert.equal(new URL(metadata).pathname, `/.well-known/oauth-protected-resource${new URL(MCP).pathname}`);
  const doc = await (await fetch(metadata)).json();
  assert.equal(doc.resource, MCP);
  assert.ok(doc.authorization_servers.length >= 1);
  assert.deepEqual(doc.bearer_methods_supported, ['header']);
});
