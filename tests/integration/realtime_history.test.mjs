// Chat history over REST: GET /api/v1/rooms/{slug}/messages?before=SEQ&limit=N pages back from the newest
// message to message 1 (oldest first within a page, has_more exact), with the room's access rule and
// validation of before/limit. docs/protocol.md "Reconnecting", docs/api/openapi.yaml.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { get, registerUser, relaxedLimits, bulkRealtime, createRoom, assertError } from './http.mjs';
import { connect, joinedUser, joinedGuest, newId } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, ...bulkRealtime, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000', KINO_REALTIME_CHAT_MAX_PER_10S: '100000' };
const messages = (k, slug, query = '', cookie) => get(k, `/api/v1/rooms/${slug}/messages${query}`, { cookie });

/** Sends `n` messages on `c` (10 in flight at a time); returns the acks' messages in order. */
async function sendMany(c, n, prefix) {
  const ids = [];
  for (let i = 0; i < n; i += 10) {
    for (let j = i; j < Math.min(n, i + 10); j++) {
      const id = newId(prefix);
      ids.push(id);
      c.chat(id, `${prefix} message ${j + 1}`);
    }
    await c.waitAck(ids.at(-1), 5000);
  }
  await c.until(() => ids.every((id) => c.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 5000, 'acks');
  return ids.map((id) => c.frames.find((f) => f.type === 'chat.ack' && f.id === id).message);
}

describe('chat history endpoint', () => {
  const server = serverWithOwnerPerSuite(env);
  let room;
  let sent; // the 120 stored messages, oldest first
  before(async () => {
    const { k, owner } = server;
    ({ room } = await createRoom(k, owner.cookie));
    const c = await connect(k, room.slug, { cookie: owner.cookie, label: 'writer' });
    sent = await sendMany(c, 120, 'hist');
    await c.close();
  });

  it('pages back 50 at a time to message 1: oldest first, has_more false only at the end', async () => {
    const { k, owner } = server;
    const pages = [];
    let query = '?limit=50';
    for (let i = 0; i < 10; i++) {
      const res = await messages(k, room.slug, query, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') || '', /^application\/json\b/i);
      assert.equal(typeof res.json.has_more, 'boolean');
      pages.push(res.json);
      if (!res.json.has_more) break;
      query = `?limit=50&before=${res.json.messages[0].seq}`;
    }
    assert.deepEqual(pages.map((p) => p.messages.length), [50, 50, 20]);
    assert.deepEqual(pages.map((p) => p.has_more), [true, true, false]);
    for (const p of pages) {
      for (let i = 1; i < p.messages.length; i++) assert.ok(p.messages[i].seq > p.messages[i - 1].seq, 'oldest first');
    }
    const all = pages.reverse().flatMap((p) => p.messages);
    assert.deepEqual(all, sent, 'the pages together are exactly the stored messages, field for field');
    assert.equal(all[0].text, 'hist message 1');
    assert.equal(all.at(-1).text, 'hist message 120');
  });

  it('defaults to the latest 50; has_more is exact on a page boundary (limit 20 × 6)', async () => {
    const { k, owner } = server;
    const res = await messages(k, room.slug, '', owner.cookie);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.messages, sent.slice(70));
    assert.equal(res.json.has_more, true);
    const flags = [];
    let query = '?limit=20';
    const got = [];
    for (let i = 0; i < 10; i++) {
      const r = await messages(k, room.slug, query, owner.cookie);
      assert.equal(r.status, 200);
      got.unshift(...r.json.messages);
      flags.push(r.json.has_more);
      if (!r.json.has_more) break;
      query = `?limit=20&before=${r.json.messages[0].seq}`;
    }
    assert.deepEqual(flags, [true, true, true, true, true, false], 'the sixth page of 20 is the last');
    assert.deepEqual(got, sent);
    const max = await messages(k, room.slug, '?limit=100', owner.cookie);
    assert.equal(max.status, 200);
    assert.deepEqual(max.json.messages, sent.slice(20));
    assert.equal(max.json.has_more, true);
  });

  it('returns only messages with a smaller seq than before', async () => {
    const { k, owner } = server;
    const pivot = sent[60];
    const res = await messages(k, room.slug, `?before=${pivot.seq}&limit=5`, owner.cookie);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.messages, sent.slice(55, 60));
    assert.equal(res.json.has_more, true);
    const first = await messages(k, room.slug, `?before=${sent[0].seq}`, owner.cookie);
    assert.deepEqual(first.json, { messages: [], has_more: false }, 'nothing before message 1');
    const zero = await messages(k, room.slug, '?before=0', owner.cookie);
    assert.deepEqual(zero.json, { messages: [], has_more: false });
    const beyond = await messages(k, room.slug, `?before=${sent.at(-1).seq + 1000}&limit=3`, owner.cookie);
    assert.deepEqual(beyond.json.messages, sent.slice(117));
  });

  it('follows the room access rule: public readable, private needs a grant (403), unknown 404', async () => {
    const { k, owner } = server;
    assert.equal((await messages(k, room.slug)).status, 200, 'public room: anonymous may read');
    const priv = await createRoom(k, owner.cookie, { visibility: 'private' });
    const w = await connect(k, priv.room.slug, { cookie: owner.cookie, label: 'private-writer' });
    const privSent = await sendMany(w, 3, 'secret');
    await w.close();
    const stranger = await registerUser(k);
    for (const cookie of [undefined, stranger.cookie]) {
      const res = await messages(k, priv.room.slug, '', cookie);
      assertError(res, 403, 'room_private');
      assert.ok(!res.text.includes('secret message'), 'no message text leaks');
    }
    const other = await joinedGuest(k, room.slug, { display_name: 'Wrong Room' });
    assertError(await messages(k, priv.room.slug, '', other.cookie), 403, 'room_private');
    const g = await joinedGuest(k, priv.room.slug, { display_name: 'Keyholder', key: priv.access_key });
    const ok = await messages(k, priv.room.slug, '', g.cookie);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json.messages, privSent);
    const own = await messages(k, priv.room.slug, '', owner.cookie);
    assert.equal(own.status, 200);
    assertError(await messages(k, 'zzzzzzzzzz'), 404, 'room_not_found');
    const u = await joinedUser(k, priv.room.slug, { key: priv.access_key });
    assert.equal((await messages(k, priv.room.slug, '?limit=1', u.cookie)).status, 200);
  });

  it('refuses limit outside 1..100 with 422 invalid_field (limit)', async () => {
    const { k, owner } = server;
    for (const limit of ['0', '101', '-1', '1000000']) {
      assertError(await messages(k, room.slug, `?limit=${limit}`, owner.cookie), 422, 'invalid_field', 'limit');
    }
  });

  it('refuses non-numeric before/limit with 400 invalid_query', async () => {
    const { k, owner } = server;
    for (const q of ['?before=abc', '?limit=abc', '?before=x1', '?before=99999999999999999999999']) {
      assertError(await messages(k, room.slug, q, owner.cookie), 400, 'invalid_query');
    }
  });

  // Regression: the route once stopped parsing at the first non-digit ("12abc" read as 12).
  it('refuses numbers with trailing garbage (12abc, 1e2, 2.5) with 400 invalid_query', async () => {
    const { k, owner } = server;
    for (const q of ['?before=1.5', '?limit=2.5', '?before=12abc', '?limit=10x', '?limit=1e2']) {
      const res = await messages(k, room.slug, q, owner.cookie);
      assertError(res, 400, 'invalid_query');
    }
  });
});
