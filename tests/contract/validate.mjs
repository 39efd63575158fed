// validate.mjs - checks every exchange of an integration run against the
// OpenAPI document (README, "The document checked against every
// response"), with ajv (JSON Schema 2020-12), independent of the module.
//
//   node validate.mjs DOC LOG BASE...
//   node validate.mjs --expect-fail DOC PLANTED BASE
//
// DOC is htdocs/openapi.json; LOG the run's exchange log (one JSON line per
// exchange, written by tests/integration/client.c); each BASE a URL where
// the module serves, with the path of its prefix if it has one
// (http://127.0.0.1:8080, http://127.0.0.1:8081/tasks). Exchanges with
// other servers, or outside <base>/api, are not the module's and are
// skipped, and so is CalDAV under <base>/api/dav (WebDAV, not JSON). Fails (exit 1) on the first kind of each mismatch, listing
// them all: a path, method, status, header or field the document does not
// describe, a body that breaks its schema, a required header missing, and
// a request the server accepted (2xx) that the document's request schema
// refuses.
//
// --expect-fail checks the checker: each line of PLANTED is an exchange
// with one planted mismatch and an "expect" member, a text that the
// report for that line alone must contain; exit 0 only when every
// planted mismatch was reported.
import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const args = process.argv.slice(2);
const expectFail = args[0] === '--expect-fail';
if (expectFail) args.shift();
const [docPath, logPath, ...bases] = args;
if (!docPath || !logPath || bases.length === 0) {
  console.error('usage: node validate.mjs DOC LOG BASE...');
  process.exit(2);
}
const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(closeResponseObjects(structuredClone(doc)), 'doc');

// A field the server sends must be one the document names: every object
// schema a response uses (followed through $ref, composition, items and
// properties) is closed here, in the validator's copy, unless it says
// itself what else it allows. Request schemas stay open: the server
// ignores members it does not know, as the document says.
function closeResponseObjects(d) {
  const seen = new Set();
  const visit = (schema) => {
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    if (schema.$ref && schema.$ref.startsWith('#/')) {
      visit(schema.$ref.slice(2).split('/').reduce((o, k) =>
        o && o[k.replace(/~1/g, '/').replace(/~0/g, '~')], d));
    }
    if (schema.properties && !('additionalProperties' in schema)
        && !('unevaluatedProperties' in schema)) schema.unevaluatedProperties = false;
    for (const sub of Object.values(schema.properties || {})) visit(sub);
    for (const k of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) (schema[k] || []).forEach(visit);
    for (const k of ['items', 'additionalProperties', 'not', 'if', 'then', 'else']) visit(schema[k]);
  };
  const visitResponse = (resp) => {
    while (resp && resp.$ref) {
      resp = resp.$ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], d);
    }
    for (const media of Object.values((resp && resp.content) || {})) visit(media.schema);
  };
  for (const item of Object.values(d.paths)) {
    for (const op of Object.values(item)) {
      if (op && op.responses) Object.values(op.responses).forEach(visitResponse);
    }
  }
  Object.values(d.components.responses || {}).forEach(visitResponse);
  return d;
}

// Headers of HTTP's framing, which no API document describes.
const FRAMING = new Set(['date', 'server', 'content-length', 'connection',
  'keep-alive', 'transfer-encoding', 'content-type']);
// What httpd answers for any request it finds malformed, whatever its
// path or method (the document's info and these responses say so).
const REFUSED = { 400: 'BadRequest', 414: 'URITooLong' };
const METHODS = ['get', 'head', 'put', 'post', 'delete', 'options', 'patch', 'trace'];

const escape = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const text = (v) => (v == null ? null : typeof v === 'string' ? v
  : Buffer.from(v.b64, 'base64').toString('latin1'));
const bytes = (b64) => (b64 == null ? null : Buffer.from(b64, 'base64'));

// Follows a $ref within the document; returns [object, its JSON pointer].
function deref(obj, pointer) {
  while (obj && obj.$ref) {
    if (!obj.$ref.startsWith('#/')) throw new Error(`external $ref ${obj.$ref}`);
    pointer = obj.$ref.slice(1);
    obj = pointer.split('/').slice(1).reduce((o, k) =>
      o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return [obj, pointer];
}

function validator(pointer) {
  const v = ajv.getSchema(`doc#${pointer}`);
  if (!v) throw new Error(`no schema at ${pointer}`);
  return v;
}

// Path templates, literal ones first (/api/tasks/{id} must not take a
// literal sibling's requests).
const templates = Object.keys(doc.paths).map((t) => ({
  template: t,
  literal: !t.includes('{'),
  re: new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{[^}]+\}/g, '([^/]+)')}$`),
})).sort((a, b) => b.literal - a.literal);

// One HTTP/1.1 response as read from a socket: status, header lines, body.
function parseRaw(buf) {
  const end = buf.indexOf('\r\n\r\n');
  const head = buf.subarray(0, end < 0 ? buf.length : end).toString('latin1');
  const lines = head.split('\r\n');
  const status = Number((lines[0].match(/^HTTP\/1\.1 (\d{3})/) || [])[1] || -1);
  const headers = lines.slice(1);
  let body = end < 0 ? Buffer.alloc(0) : buf.subarray(end + 4);
  const header = (n) => headers.find((h) => h.toLowerCase().startsWith(`${n}:`));
  if (/chunked/i.test(header('transfer-encoding') || '')) {
    const parts = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      if (nl < 0) break;
      const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (header('content-length')) {
    body = body.subarray(0, Number(header('content-length').split(':')[1]));
  }
  return { status, headers, body };
}

function exchangeOf(line) {
  if (line.raw_response) {
    const r = parseRaw(bytes(line.raw_response));
    return {
      method: line.method, url: line.base + bytes(line.target).toString('latin1'),
      requestHeaders: [], requestBody: bytes(line.request_body),
      status: r.status, headers: r.headers, body: r.body,
    };
  }
  return {
    method: line.method, url: text(line.url),
    requestHeaders: line.request_headers.map(text), requestBody: bytes(line.request_body),
    status: line.status, headers: line.response_headers.map(text),
    body: bytes(line.response_body),
  };
}

// The document's path for a URL of the module, or null when the URL is
// not the module's.
function apiPath(url) {
  for (const base of bases) {
    if (!url.startsWith(base)) continue;
    let rest = url.slice(base.length);
    if (rest !== '' && !'/?'.includes(rest[0])) continue;
    rest = rest.split('?')[0];
    // CalDAV (<api>/dav and below) is WebDAV, not this JSON API: RFC 4791
    // describes it, not the document, and its own suites test it
    // (tests/integration/test_caldav.c, tests/caldav/).
    if (rest === '/api/dav' || rest.startsWith('/api/dav/')) return null;
    if (rest === '/api' || rest.startsWith('/api/')) return rest;
  }
  return null;
}

const problems = new Map();   // message -> first example
const seen = new Map();       // "METHOD template status" -> count
let checked = 0;

function problem(x, message) {
  const url = x.url.length > 160 ? `${x.url.slice(0, 160)}...` : x.url;
  if (!problems.has(message)) problems.set(message, `${x.method} ${url} -> ${x.status}`);
}

const schemaErrors = (v) => v.errors.map((e) => `${e.instancePath || '/'} ${e.message}`
  + (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : '')).join('; ');

function checkResponse(x, where, response, pointer) {
  const [resp, at] = deref(response, pointer);
  const declared = new Map(Object.entries(resp.headers || {})
    .map(([name, h]) => [name.toLowerCase(), deref(h, `${at}/headers/${escape(name)}`)]));
  const present = new Map();
  for (const line of x.headers) {
    const colon = line.indexOf(':');
    present.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  for (const [name, value] of present) {
    if (FRAMING.has(name)) continue;
    if (!declared.has(name)) {
      problem(x, `${where}: header ${name} is not in the document`);
      continue;
    }
    const [h, hat] = declared.get(name);
    if (h.schema) {
      const v = validator(`${hat}/schema`);
      const want = h.schema.type === 'integer' ? Number(value) : value;
      if (!v(want)) problem(x, `${where}: header ${name} '${value}' breaks its schema: ${schemaErrors(v)}`);
    }
  }
  for (const [name, [h]] of declared) {
    if (h.required && !present.has(name)) problem(x, `${where}: required header ${name} is missing`);
  }
  const type = (present.get('content-type') || '').split(';')[0].trim();
  const empty = !x.body || x.body.length === 0;
  if (x.method === 'HEAD' || empty) {
    if (!empty) problem(x, `${where}: a body where none is allowed`);
    if (!resp.content && type && x.method !== 'HEAD') problem(x, `${where}: Content-Type ${type} on a response without content`);
    if (resp.content && type && !resp.content[type]) problem(x, `${where}: Content-Type ${type} is not in the document`);
    return;
  }
  if (!resp.content || !resp.content[type]) {
    problem(x, `${where}: a body of type '${type}' the document does not describe`);
    return;
  }
  if (!resp.content[type].schema) return;
  let body;
  try {
    body = JSON.parse(x.body.toString('utf8'));
  } catch {
    problem(x, `${where}: the ${type} body is not JSON`);
    return;
  }
  const v = validator(`${at}/content/${escape(type)}/schema`);
  if (!v(body)) problem(x, `${where}: the body breaks its schema: ${schemaErrors(v)}`);
}

// A request the server accepted must be one the document allows: its body
// and its query parameters.
function checkAcceptedRequest(x, where, op, opPointer, pathItem, pathPointer) {
  if (x.requestBody && x.requestBody.length && op.requestBody) {
    const [rb, at] = deref(op.requestBody, `${opPointer}/requestBody`);
    const json = rb.content && rb.content['application/json'];
    if (json && json.schema) {
      let body;
      try {
        body = JSON.parse(x.requestBody.toString('utf8'));
      } catch {
        problem(x, `${where}: accepted a body that is not JSON`);
        body = undefined;
      }
      if (body !== undefined) {
        const v = validator(`${at}/content/application~1json/schema`);
        if (!v(body)) problem(x, `${where}: accepted a request body its schema refuses: ${schemaErrors(v)}`);
      }
    }
  }
  const query = x.url.includes('?') ? x.url.slice(x.url.indexOf('?') + 1) : '';
  const params = new Map();
  for (const [list, base] of [[pathItem.parameters || [], `${pathPointer}/parameters`],
    [op.parameters || [], `${opPointer}/parameters`]]) {
    list.forEach((p, i) => {
      const [param, at] = deref(p, `${base}/${i}`);
      if (param.in === 'query') params.set(param.name, [param, at]);
    });
  }
  // Declared parameters only (the server ignores others where the
  // document says so); form style, exploded: a repeated name is an array.
  const values = new Map();
  for (const pair of query ? query.split('&') : []) {
    const eq = pair.indexOf('=');
    const decode = (t) => {
      try { return decodeURIComponent(t.replace(/\+/g, ' ')); } catch { return t; }
    };
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (!values.has(name)) values.set(name, []);
    values.get(name).push(decode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  const coerce = (schema, value) => {
    const t = schema && schema.type;
    if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (t === 'boolean' && /^(true|false)$/.test(value)) return value === 'true';
    return value;
  };
  for (const [name, list] of values) {
    if (!params.has(name)) continue;
    const [param, at] = params.get(name);
    if (!param.schema) continue;
    const [schema] = deref(param.schema, `${at}/schema`);
    const v = validator(`${at}/schema`);
    if (schema.type === 'array') {
      const [items] = deref(schema.items || {}, '');
      const want = list.map((value) => coerce(items, value));
      if (!v(want)) problem(x, `${where}: accepted query parameter ${name}=${JSON.stringify(list)} its schema refuses: ${schemaErrors(v)}`);
      continue;
    }
    for (const value of list) {
      if (!v(coerce(schema, value))) problem(x, `${where}: accepted query parameter ${name}='${value}' its schema refuses: ${schemaErrors(v)}`);
    }
  }
}

// Checks one exchange, recording what does not match in problems.
function checkLine(x) {
  const path = apiPath(x.url);
  if (path === null || x.status < 100) return;
  checked++;
  const match = templates.find((t) => t.re.test(path));
  if (!match) {
    const key = `(no path) ${x.status}`;
    seen.set(key, (seen.get(key) || 0) + 1);
    // Not a path of the API: the document's NotFound answer, unless httpd
    // refused the request as malformed first.
    const answer = { 404: 'NotFound', ...REFUSED }[x.status];
    if (!answer) problem(x, `a path the document does not list answered ${x.status}, not 404`);
    else checkResponse(x, `unlisted path ${x.status}`, { $ref: `#/components/responses/${answer}` }, '');
    return;
  }
  const pathPointer = `/paths/${escape(match.template)}`;
  const pathItem = doc.paths[match.template];
  const method = x.method.toLowerCase();
  const op = METHODS.includes(method) ? pathItem[method] : undefined;
  if (!op) {
    // A method the path does not have: the document's MethodNotAllowed.
    const key = `${x.method} ${match.template} (no operation) ${x.status}`;
    seen.set(key, (seen.get(key) || 0) + 1);
    // (On protected paths authentication comes first: 401.)
    const answer = { 405: 'MethodNotAllowed', 401: 'Unauthorized', ...REFUSED }[x.status];
    if (!answer) problem(x, `${x.method} ${match.template}: no such operation, yet ${x.status} and not 405`);
    else checkResponse(x, `${x.method} ${match.template} ${x.status}`, { $ref: `#/components/responses/${answer}` }, '');
    return;
  }
  const opPointer = `${pathPointer}/${method}`;
  const where = `${x.method} ${match.template} ${x.status}`;
  seen.set(where, (seen.get(where) || 0) + 1);
  const status = String(x.status);
  const key = op.responses[status] ? status
    : op.responses[`${status[0]}XX`] ? `${status[0]}XX` : op.responses.default ? 'default' : null;
  if (!key) {
    problem(x, `${x.method} ${match.template}: status ${x.status} is not in the document`);
    return;
  }
  checkResponse(x, where, op.responses[key], `${opPointer}/responses/${key}`);
  if (x.status >= 200 && x.status < 300) checkAcceptedRequest(x, where, op, opPointer, pathItem, pathPointer);
}

const lines = fs.readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
if (expectFail) {
  let missed = 0;
  for (const raw of lines) {
    const line = JSON.parse(raw);
    problems.clear();
    checkLine(exchangeOf(line));
    const found = [...problems.keys()].some((m) => m.includes(line.expect));
    console.log(`contract self-test: ${found ? 'caught' : 'MISSED'}: ${line.expect}`);
    if (!found) missed++;
  }
  process.exit(missed ? 1 : 0);
}
for (const raw of lines) checkLine(exchangeOf(JSON.parse(raw)));

console.log(`contract: ${checked} exchanges with the module checked against ${docPath} (${lines.length} recorded)`);
// What the run exercised, and which documented answers it never saw.
const documented = [];
for (const [template, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    for (const s of Object.keys(item[m].responses)) {
      if (![...seen.keys()].some((k) => k === `${m.toUpperCase()} ${template} ${s}`)) documented.push(`${m.toUpperCase()} ${template} ${s}`);
    }
  }
}
if (process.env.CONTRACT_VERBOSE) {
  console.log(`contract: documented answers no exchange produced (${documented.length}):`);
  for (const d of documented) console.log(`    ${d}`);
}
if (problems.size) {
  console.error(`contract: ${problems.size} mismatch(es) between the server and the document:`);
  for (const [message, example] of problems) console.error(`  - ${message}\n      e.g. ${example}`);
  process.exit(1);
}
console.log('contract: every exchange matches the document');
