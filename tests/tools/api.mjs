// api.mjs - the JSON API as the Node test clients (tests/mcp, tests/caldav)
// drive it around the client under test: one request, and a new account.
import assert from 'node:assert/strict';

// API_URL: http://127.0.0.1:PORT/api (the run.sh that starts the stack
// sets it).
export const API = process.env.API_URL;

// One request with an optional bearer token and JSON body: its status
// and parsed body (null when empty).
export async function call(method, path, token, body) {
  const res = await fetch(API + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}),
               ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// A new account with a unique e-mail from prefix: its e-mail, token and id.
export async function signUp(prefix) {
  const email = `${prefix}-${Math.random().toString(36).slice(2)}@example.org`;
  const up = await call('POST', '/auth/signup', null, { email, password: 'correct horse battery' });
  assert.equal(up.status, 201);
  return { email, token: up.json.token, id: up.json.user.id };
}
