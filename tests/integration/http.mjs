// Small HTTP helpers for the integration tests: JSON requests against a running `kino` (see
// tests/lib/kino.mjs), cookie parsing, a raw node:http client for requests fetch() would normalise, and
// assertions for Kino's JSON error shape. Node 20 built-ins only.
import http from 'node:http';
import assert from 'node:assert/strict';

export const CSRF = { 'X-Kino-CSRF': '1' };

/**
 * Env for a server whose tests make many logins and registrations from 127.0.0.1: the login and
 * registration rate limits are raised out of the way (rate_limit.test.mjs tests them with small values).
 */
export const relaxedLimits = {
  KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: '1000',
  KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: '1000',
  KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '1000',
};

/** Realtime budgets lifted for suites that stream floods on purpose (slow consumers, long
 * histories, bad-input tables). The flood limits themselves are tested with their defaults in
 * realtime_floods.test.mjs. */
export const bulkRealtime = {
  KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '1000000',
  KINO_REALTIME_INVALID_MAX_PER_10S: '100000',
  KINO_REALTIME_FRAMES_MAX_PER_10S: '1000000',
};

/**
 * Sends one request and reads the whole body.
 * @param {{url: string}} k  a started server
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, raw?: string|Uint8Array, cookie?: string, headers?: Record<string,string>,
 *   csrf?: boolean}} [opts]  `body` is JSON-encoded; `raw` is sent as is (with a JSON content type);
 *   `csrf` (default true for non-GET/HEAD) adds `X-Kino-CSRF: 1`.
 * @returns {Promise<{status: number, headers: Headers, text: string, json: any, cookies: string[]}>}
 */
export async function request(k, method, path, opts = {}) {
  const headers = {};
  const safe = method === 'GET' || method === 'HEAD';
  if (opts.csrf ?? !safe) Object.assign(headers, CSRF);
  let body;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.cookie) headers.Cookie = opts.cookie;
  Object.assign(headers, opts.headers || {});
  const res = await fetch(k.url + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json, cookies: res.headers.getSetCookie() };
}

export const get = (k, path, opts) => request(k, 'GET', path, opts);
export const post = (k, path, body, opts = {}) => request(k, 'POST', path, { ...opts, body });

/** The parsed `kino_session` Set-Cookie of a response, or undefined. */
export function sessionCookie(res) {
  const line = res.cookies.find((c) => /^\s*kino_session=/i.test(c));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const value = pair.slice(pair.indexOf('=') + 1);
  const attributes = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    const name = (i < 0 ? a : a.slice(0, i)).toLowerCase();
    attributes[name] = i < 0 ? true : a.slice(i + 1);
  }
  return { line, value, attributes };
}

/** `kino_session=<token>` for a Cookie header, from a response that set it (asserts it did). */
export function cookieFrom(res) {
  const c = sessionCookie(res);
  assert.ok(c && c.value, `expected a kino_session cookie, got Set-Cookie: ${JSON.stringify(res.cookies)}`);
  return `kino_session=${c.value}`;
}

/** Asserts `res` is Kino's JSON error with this status and code (and field, when given). */
export function assertError(res, status, code, field) {
  const where = `(status ${res.status}, body ${res.text.slice(0, 300)})`;
  assert.equal(res.status, status, `expected status ${status} ${where}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, `error content type ${where}`);
  assert.ok(res.json && typeof res.json.error === 'object' && res.json.error !== null, `error envelope ${where}`);
  if (Array.isArray(code)) assert.ok(code.includes(res.json.error.code), `error code in ${code} ${where}`);
  else assert.equal(res.json.error.code, code, `error code ${where}`);
  assert.equal(typeof res.json.error.message, 'string', `error message ${where}`);
  assert.ok(res.json.error.message.length > 0, `error message non-empty ${where}`);
  if (field !== undefined) assert.equal(res.json.error.field, field, `error field ${where}`);
}

/** Asserts a rejected body: 400 malformed_json or 422 invalid_field (either is allowed), never 500. */
export function assertBadInput(res) {
  if (res.status === 400) assertError(res, 400, 'malformed_json');
  else assertError(res, 422, 'invalid_field');
}

let counter = 0;
/** A fresh valid username (unique within this process and across runs on the same data dir). */
export function uniqueName(prefix = 'u') {
  counter += 1;
  return `${prefix}_${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${counter}`.slice(0, 32);
}

/** Registers a fresh user; returns {user, cookie, username, password}. */
export async function registerUser(k, { username = uniqueName(), password = 'correct horse battery', display_name } = {}) {
  const body = { username, password };
  if (display_name !== undefined) body.display_name = display_name;
  const res = await post(k, '/api/v1/auth/register', body);
  assert.equal(res.status, 201, `register ${username}: ${res.status} ${res.text.slice(0, 300)}`);
  return { user: res.json.user, cookie: cookieFrom(res), username, password };
}

/**
 * A request through node:http, sending `path` byte for byte (fetch would resolve `..` and `%2e%2e`).
 * `onWritten` is called once the request has been handed to the kernel; `agent` defaults to a fresh
 * connection per request.
 * @returns {Promise<{status: number, headers: import('node:http').IncomingHttpHeaders, text: string}>}
 */
export function rawRequest(baseUrl, { method = 'GET', path = '/', headers = {}, body, onWritten, agent = false } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path, headers, agent,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (onWritten) req.on('finish', onWritten);
    req.end(body);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- Rooms helpers (rooms*.test.mjs) ----

/** The 31-letter alphabet of slugs and access keys (no 0/1/i/l/o). */
export const ROOM_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const SLUG_RE = new RegExp(`^[${ROOM_ALPHABET}]{10}$`);
export const ACCESS_KEY_RE = new RegExp(`^[${ROOM_ALPHABET}]{4}(?:-[${ROOM_ALPHABET}]{4}){3}$`);
export const VIDEO_URL = 'https://videos.example.com/movie.mp4';

/** The parsed Set-Cookie named `name` of a response, or undefined (attribute names lower-cased). */
export function namedCookie(res, name) {
  const re = new RegExp(`^\\s*${name}=`, 'i');
  const line = res.cookies.find((c) => re.test(c));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const value = pair.slice(pair.indexOf('=') + 1);
  const attributes = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    attributes[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? true : a.slice(i + 1);
  }
  return { line, value, attributes };
}

/** `kino_guest=<value>` for a Cookie header, from a response that set it (asserts it did). */
export function guestCookieFrom(res) {
  const c = namedCookie(res, 'kino_guest');
  assert.ok(c && c.value, `expected a kino_guest cookie, got Set-Cookie: ${JSON.stringify(res.cookies)}`);
  return `kino_guest=${c.value}`;
}

/** The server's current time in ms, as far as this process has moved it with advanceClock(). */
export const serverNow = (k) => Date.now() + (k.clockOffsetMs || 0);

/** ISO time `seconds` from the server's now. */
export const serverIso = (k, seconds) => new Date(serverNow(k) + seconds * 1000).toISOString();

/** Moves the server's clock (KINO_TESTING_CLOCK_CONTROL=true) forward; returns the server's new now (ms). */
export async function advanceClock(k, seconds) {
  const res = await post(k, '/api/v1/testing/clock', { advance_s: seconds });
  assert.equal(res.status, 200, `advance clock ${seconds}s: ${res.status} ${res.text.slice(0, 300)}`);
  const now = Date.parse(res.json?.now);
  assert.ok(Number.isFinite(now), `clock answer has {now}: ${res.text}`);
  k.clockOffsetMs = now - Date.now();
  // A cluster (KINO_TEST_NODES) shares one testing clock over its bus: wait until every node has it.
  for (const node of k.nodes ?? []) {
    for (let tries = 0; ; tries += 1) {
      const seen = Date.parse((await post(node, '/api/v1/testing/clock', { advance_s: 0 })).json?.now);
      if (seen >= now) break;
      assert.ok(tries < 100, `node ${node.url} did not take the clock move (${new Date(seen).toISOString()})`);
      await sleep(20);
    }
  }
  return now;
}

/** Creates a room as `cookie` (public, live, unless `fields` say otherwise); asserts 201; returns the body. */
export async function createRoom(k, cookie, fields = {}) {
  const body = { title: `Room ${uniqueName('r')}`, video_url: VIDEO_URL, visibility: 'public', ...fields };
  for (const [key, v] of Object.entries(body)) if (v === undefined) delete body[key];
  const res = await post(k, '/api/v1/rooms', body, { cookie });
  assert.equal(res.status, 201, `create room: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

/** Asserts a 429 rate_limited answer with an integer Retry-After > 0; returns Retry-After in seconds. */
export function assertRateLimited(res) {
  assertError(res, 429, 'rate_limited');
  const retryAfter = res.headers.get('retry-after');
  assert.match(retryAfter || '', /^\d+$/, `Retry-After is integer seconds: ${retryAfter}`);
  assert.ok(Number(retryAfter) > 0, `Retry-After > 0: ${retryAfter}`);
  return Number(retryAfter);
}
