// A small WebSocket client for the realtime integration tests (docs/protocol.md): connects to
// `/api/v1/rooms/{slug}/ws` with a cookie, records every frame it receives, and waits for frames with
// bounded timeouts. Uses the `ws` package from tests/node_modules.
import WebSocket from 'ws';
import assert from 'node:assert/strict';
import { post, guestCookieFrom, registerUser } from './http.mjs';

const open = new Set();

/** The ws:// URL of a room's socket on a started server. */
export function wsUrl(k, slug, query = '') {
  return `${k.url.replace(/^http/, 'ws')}/api/v1/rooms/${slug}/ws${query}`;
}

/** The server's own origin (what a browser on Kino's pages sends). */
export const ownOrigin = (k) => new URL(k.url).origin;

/**
 * Tries to open a socket. Resolves with {status: 101, ws, client} once upgraded (the Client records
 * frames from the first byte on), or {status, headers, body, json} when the server answered with plain
 * HTTP instead (ws's `unexpected-response`). Rejects on a network error or
 * after `timeoutMs`.
 * @param {{url: string}} k
 * @param {string} slug
 * @param {{cookie?: string, origin?: string, query?: string, headers?: Record<string,string>,
 *   wsOptions?: object, timeoutMs?: number}} [opts]
 */
export function tryOpen(k, slug, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.cookie) headers.Cookie = opts.cookie;
  const ws = new WebSocket(wsUrl(k, slug, opts.query || ''), {
    headers, ...(opts.origin !== undefined ? { origin: opts.origin } : {}), ...(opts.wsOptions || {}),
  });
  open.add(ws);
  ws.on('close', () => open.delete(ws));
  // Listeners are attached at once so that no frame can arrive before they exist.
  const client = new Client(ws, opts.label || slug);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`ws to ${slug}: no answer in time`)); },
      opts.timeoutMs ?? 5000);
    ws.once('open', () => { clearTimeout(timer); resolve({ ws, client, status: 101 }); });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        clearTimeout(timer);
        open.delete(ws);
        req.destroy();
        let json;
        try { json = JSON.parse(body); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    ws.once('error', (e) => { clearTimeout(timer); if (ws.readyState !== WebSocket.OPEN) reject(e); });
  });
}

/** Asserts a refused upgrade: this HTTP status and Kino's JSON error with this code. */
export function assertRefused(r, status, code) {
  assert.notEqual(r.status, 101, `expected the upgrade to be refused with ${status} ${code}, but it was accepted`);
  assert.equal(r.status, status, `refusal status (body ${r.body})`);
  assert.match(String(r.headers['content-type'] || ''), /^application\/json\b/i, `refusal content type (body ${r.body})`);
  assert.equal(r.json?.error?.code, code, `refusal code (body ${r.body})`);
  assert.equal(typeof r.json.error.message, 'string');
}

/** One connected client: every frame it got (`frames`, parsed JSON), helpers to send and wait. */
export class Client {
  constructor(ws, label) {
    this.ws = ws;
    this.label = label;
    this.frames = [];
    this.rawFrames = [];
    this.closed = null; // {code, reason} once closed
    this.waiters = new Set();
    ws.on('message', (data, isBinary) => {
      const text = data.toString('utf8');
      this.rawFrames.push(text);
      let frame;
      try { frame = JSON.parse(text); } catch { frame = { type: '<unparsable>', text, isBinary }; }
      frame._at = Date.now();
      this.frames.push(frame);
      this.wake();
    });
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString(), at: Date.now() }; this.wake(); });
    ws.on('error', (e) => { this.error = e; this.wake(); });
  }

  wake() { for (const w of [...this.waiters]) w(); }

  get hello() { return this.frames[0]; }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

  chat(id, text) { this.send({ type: 'chat.send', id, text }); }

  /** Resolves when `check()` returns a truthy value (re-checked on every frame / close); rejects after timeoutMs. */
  until(check, timeoutMs = 5000, what = 'condition') {
    return new Promise((resolve, reject) => {
      const tryNow = () => {
        let v;
        try { v = check(); } catch (e) { done(); reject(e); return true; }
        if (v) { done(); resolve(v); return true; }
        if (this.closed) {
          // Nothing more can arrive: fail at once instead of waiting for the timeout.
          done();
          reject(new Error(`${this.label}: socket closed (${JSON.stringify(this.closed)}) while waiting for ${what}; ` +
            `frames: ${JSON.stringify(this.frames.slice(-8).map(shortFrame))}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}; frames: ` +
          JSON.stringify(this.frames.slice(-8).map(shortFrame)) + `; closed: ${JSON.stringify(this.closed)}`));
      }, timeoutMs);
      const waiter = () => { tryNow(); };
      const done = () => { clearTimeout(timer); this.waiters.delete(waiter); };
      if (tryNow()) return;
      this.waiters.add(waiter);
    });
  }

  /** The first frame (from index `from`) matching `pred`, waiting for it. */
  waitFor(pred, timeoutMs = 5000, what = 'a frame', from = 0) {
    return this.until(() => this.frames.slice(from).find(pred), timeoutMs, what);
  }

  waitType(type, timeoutMs, from = 0) { return this.waitFor((f) => f.type === type, timeoutMs, type, from); }

  /** The chat.ack for client id `id` (first one after index `from`). */
  waitAck(id, timeoutMs = 5000, from = 0) {
    return this.waitFor((f) => f.type === 'chat.ack' && f.id === id, timeoutMs, `chat.ack ${id}`, from);
  }

  /** The error frame with this id (or, when id is null, the first error) after index `from`. */
  waitError(id, timeoutMs = 5000, from = 0) {
    return this.waitFor((f) => f.type === 'error' && (id === null || f.id === id), timeoutMs, `error ${id}`, from);
  }

  waitChat(clientId, timeoutMs = 5000, from = 0) {
    return this.waitFor((f) => f.type === 'chat.message' && f.message?.client_id === clientId, timeoutMs,
      `chat.message ${clientId}`, from);
  }

  /** The member.joined frame for member `memberId` (first one after index `from`). */
  waitJoined(memberId, timeoutMs = 5000, from = 0) {
    return this.waitFor((f) => f.type === 'member.joined' && f.member.id === memberId, timeoutMs,
      `member.joined ${memberId}`, from);
  }

  waitLeft(memberId, timeoutMs = 5000, from = 0) {
    return this.waitFor((f) => f.type === 'member.left' && f.member_id === memberId, timeoutMs,
      `member.left ${memberId}`, from);
  }

  waitClosed(timeoutMs = 5000) { return this.until(() => this.closed, timeoutMs, 'close'); }

  /** Sends a ping and waits for its pong: afterwards every frame the server sent before is here. */
  async roundTrip(timeoutMs = 5000) {
    const id = `rt-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'ping', id, t0: Date.now() });
    return this.waitFor((f) => f.type === 'pong' && f.id === id, timeoutMs, `pong ${id}`);
  }

  /** Frames carrying a seq (room events), in arrival order. */
  events() { return this.frames.filter((f) => typeof f.seq === 'number' && f.type !== 'chat.ack'); }

  chats() { return this.frames.filter((f) => f.type === 'chat.message'); }

  lastSeq() {
    const ev = this.events();
    return ev.length ? ev[ev.length - 1].seq : this.hello.snapshot.last_seq;
  }

  close() { if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000); return this.waitClosed().catch(() => this.ws.terminate()); }

  terminate() { this.ws.terminate(); }
}

function shortFrame(f) {
  const s = JSON.stringify(f);
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/**
 * Connects and waits for `hello`; asserts the upgrade succeeded. Returns a Client.
 * @param {{url: string}} k
 * @param {string} slug
 * @param {{cookie?: string, origin?: string, query?: string, resumeFrom?: number, label?: string,
 *   wsOptions?: object, timeoutMs?: number}} [opts]
 */
export async function connect(k, slug, opts = {}) {
  const query = opts.query ?? (opts.resumeFrom !== undefined ? `?resume_from=${opts.resumeFrom}` : '');
  const r = await tryOpen(k, slug, { ...opts, query });
  assert.equal(r.status, 101, `upgrade to ${slug}: ${r.status} ${r.body}`);
  const c = r.client;
  const hello = await c.waitFor(() => true, opts.timeoutMs ?? 5000, 'hello');
  assert.equal(hello.type, 'hello', `first frame is hello: ${JSON.stringify(hello)}`);
  return c;
}

/** Closes every socket the helpers opened (for `after`). */
export function closeAllSockets() {
  for (const ws of open) ws.terminate();
  open.clear();
}

/** Registers a user and joins the room as them; returns {user, cookie, memberId}. */
export async function joinedUser(k, slug, { display_name, key } = {}) {
  const u = await registerUser(k, display_name !== undefined ? { display_name } : {});
  const body = key !== undefined ? { key } : {};
  const res = await post(k, `/api/v1/rooms/${slug}/join`, body, { cookie: u.cookie });
  assert.equal(res.status, 200, `join ${slug}: ${res.status} ${res.text.slice(0, 300)}`);
  return { ...u, memberId: `u${u.user.id}` };
}

/** Joins the room as a guest; returns {cookie, name}. */
export async function joinedGuest(k, slug, { display_name = 'Guest', key } = {}) {
  const body = { display_name };
  if (key !== undefined) body.key = key;
  const res = await post(k, `/api/v1/rooms/${slug}/join`, body);
  assert.equal(res.status, 200, `guest join ${slug}: ${res.status} ${res.text.slice(0, 300)}`);
  return { cookie: guestCookieFrom(res), name: display_name };
}

/** A unique client message id. */
let idCounter = 0;
export const newId = (prefix = 'm') => `${prefix}-${process.pid}-${++idCounter}`;
