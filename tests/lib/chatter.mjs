// People chatting in a room the way the web app does (docs/protocol.md, "Reconnecting"), for
// failover and chaos tests: a Chatter sends a message every few hundred ms, reconnects at once after
// any drop with resume_from and sends its unacknowledged messages again with the same id, and
// records every ack and under which seq it saw each message. assertNothingLost() checks the room's
// whole history against what was acknowledged.
import assert from 'node:assert/strict';
import { get, sleep } from '../integration/http.mjs';
import { connect } from '../integration/ws_client.mjs';

/**
 * One person in the room, as the web app behaves: sends a chat message every `everyMs`, and after a
 * drop reconnects through the balancer at once with resume_from, then sends every unacknowledged
 * message again with its id.
 */
export class Chatter {
  constructor(k, slug, cookie, label) {
    Object.assign(this, { k, slug, cookie, label });
    this.sent = new Map();    // id → first send time
    this.acked = new Map();   // id → ack time
    this.seqOfId = new Map(); // client_id → set of seqs it was delivered under
    this.sockets = [];
    this.lastSeq = 0;
    this.counter = 0;
    this.running = false;
  }

  async open() {
    for (const end = Date.now() + 60_000; ;) {
      try {
        const c = await connect(this.k, this.slug, {
          cookie: this.cookie, label: `${this.label}#${this.sockets.length}`, timeoutMs: 3000,
          ...(this.lastSeq ? { resumeFrom: this.lastSeq } : {}),
        });
        this.attach(c);
        return c;
      } catch (e) {
        if (Date.now() > end) throw e;
        await sleep(100);
      }
    }
  }

  attach(c) {
    this.client = c;
    this.sockets.push(c);
    const seen = (f) => {
      if (typeof f.seq === 'number' && f.type !== 'chat.ack') this.lastSeq = Math.max(this.lastSeq, f.seq);
      const messages = f.type === 'hello' ? f.snapshot.messages : f.type === 'chat.message' ? [f.message] : [];
      for (const m of messages) {
        if (!this.seqOfId.has(m.client_id)) this.seqOfId.set(m.client_id, new Set());
        this.seqOfId.get(m.client_id).add(m.seq);
      }
      if (f.type === 'hello') this.lastSeq = Math.max(this.lastSeq, f.snapshot.last_seq);
      if (f.type === 'chat.ack' && !this.acked.has(f.id)) this.acked.set(f.id, Date.now());
      // Refused for now (a limit): sent again when the server says it fits.
      if (f.type === 'error' && f.code === 'rate_limited' && this.sent.has(f.id)) {
        setTimeout(() => { if (this.running && !this.acked.has(f.id)) this.trySend(f.id); }, f.retry_after_ms ?? 1000);
      }
    };
    let done = 0;
    const catchUp = () => { while (done < c.frames.length) seen(c.frames[done++]); };
    catchUp();
    c.ws.on('message', catchUp);  // after the Client's own listener: the frame is recorded
    c.ws.on('close', () => { if (this.running) this.reconnect(); });
    // What was sent but not acknowledged goes again, with the same id.
    for (const id of this.sent.keys()) if (!this.acked.has(id)) this.trySend(id);
  }

  async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try { await this.open(); } finally { this.reconnecting = false; }
  }

  trySend(id) {
    try { if (this.client.ws.readyState === 1) this.client.chat(id, `${this.label} says ${id}`); } catch { /* resent later */ }
  }

  start(everyMs) {
    this.running = true;
    this.timer = setInterval(() => {
      const id = `${this.label}-${++this.counter}`;
      this.sent.set(id, Date.now());
      this.trySend(id);
    }, everyMs);
  }

  stop() { this.running = false; clearInterval(this.timer); }

  /** Until every message sent so far is acknowledged. */
  async settle(timeoutMs = 15_000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const missing = [...this.sent.keys()].filter((id) => !this.acked.has(id));
      if (missing.length === 0) return;
      if (Date.now() > end) throw new Error(`${this.label}: never acknowledged ${missing.join(', ')}`);
      for (const id of missing) this.trySend(id);
      await sleep(300);
    }
  }

  /** How long after `t` the first message sent after `t` was acknowledged. */
  chatBackAfter(t) {
    const after = [...this.sent].filter(([, at]) => at >= t).map(([id]) => this.acked.get(id)).filter(Boolean);
    return after.length ? Math.min(...after) - t : Infinity;
  }
}

/** The whole history of the room, paged back to message 1 (oldest first). */
export async function fullHistory(k, slug, cookie) {
  const pages = [];
  let before = '';
  for (;;) {
    const res = await get(k, `/api/v1/rooms/${slug}/messages?limit=50${before}`, { cookie });
    assert.equal(res.status, 200, res.text);
    pages.unshift(...res.json.messages);
    if (!res.json.has_more) return pages;
    before = `&before=${res.json.messages[0].seq}`;
  }
}

/**
 * Stops the chatters, waits until each has every message acknowledged, and asserts: every
 * acknowledged message is in the room's history (paged back to message 1) exactly once, in seq
 * order, and no chatter saw one message under two seqs. Returns how many were acknowledged.
 */
export async function assertNothingLost(k, slug, owner, chatters) {
  for (const c of chatters) c.stop();
  await Promise.all(chatters.map((c) => c.settle()));
  const history = await fullHistory(k, slug, owner.cookie);
  const count = new Map();
  for (const m of history) count.set(m.client_id, (count.get(m.client_id) ?? 0) + 1);
  let acked = 0;
  for (const c of chatters) {
    for (const id of c.acked.keys()) {
      acked += 1;
      assert.equal(count.get(id), 1, `acknowledged ${id} is in the history exactly once`);
    }
    for (const [id, seqs] of c.seqOfId) assert.equal(seqs.size, 1, `${c.label} saw ${id} under one seq, not ${[...seqs]}`);
  }
  const seqs = history.map((m) => m.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'history in seq order');
  assert.equal(new Set(seqs).size, seqs.length, 'no seq used twice');
  return acked;
}

