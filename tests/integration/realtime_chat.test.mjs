// Realtime chat: ordered delivery to several clients (same order everywhere, increasing seq, one ack per
// id, history = broadcast), idempotent resends (same id never stored twice), and text kept byte for
// byte (XSS payloads are data, not markup). docs/protocol.md "Data model", "Client → server".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, relaxedLimits, createRoom, sleep } from './http.mjs';
import { connect, joinedUser, joinedGuest, newId } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000', KINO_REALTIME_CHAT_MAX_PER_10S: '1000' };

/** All stored messages of a room, oldest first, paging back through the history endpoint. */
async function history(k, slug, cookie) {
  const all = [];
  let before = '';
  for (let page = 0; page < 50; page++) {
    const res = await get(k, `/api/v1/rooms/${slug}/messages?limit=100${before}`, { cookie });
    assert.equal(res.status, 200, `history: ${res.status} ${res.text.slice(0, 300)}`);
    all.unshift(...res.json.messages);
    if (!res.json.has_more) return all;
    before = `&before=${res.json.messages[0].seq}`;
  }
  throw new Error('history did not end');
}

describe('realtime chat between several clients', () => {
  const server = serverWithOwnerPerSuite(env);

  it('delivers messages of two senders to three clients in the same order, seq strictly increasing, one ack per id', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Uma' });
    const g = await joinedGuest(k, room.slug, { display_name: 'Gus' });
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'A' });
    const b = await connect(k, room.slug, { cookie: u.cookie, label: 'B' });
    const c = await connect(k, room.slug, { cookie: g.cookie, label: 'C' });
    // C is the last to arrive: once A and B saw C's member.joined, everyone's socket is in the room.
    await a.waitJoined(c.hello.member_id);
    await b.waitJoined(c.hello.member_id);
    const start = { a: a.frames.length, b: b.frames.length, c: c.frames.length };

    const N = 25;
    const aIds = [];
    const bIds = [];
    // Interleaved, without waiting for acks, so the server sees concurrent senders.
    for (let i = 0; i < N; i++) {
      const ia = newId('A'); aIds.push(ia); a.chat(ia, `from A #${i}`);
      const ib = newId('B'); bIds.push(ib); b.chat(ib, `from B #${i}`);
      if (i % 5 === 4) await sleep(5);
    }
    const allIds = new Set([...aIds, ...bIds]);
    const gotAll = (cl, from) => () => cl.frames.slice(from).filter((f) => f.type === 'chat.message' && allIds.has(f.message.client_id)).length >= 2 * N;
    await a.until(gotAll(a, start.a), 10000, 'all messages at A');
    await b.until(gotAll(b, start.b), 10000, 'all messages at B');
    await c.until(gotAll(c, start.c), 10000, 'all messages at C');
    await a.until(() => aIds.every((id) => a.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 10000, 'A acks');
    await b.until(() => bIds.every((id) => b.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 10000, 'B acks');
    // Let anything extra (a duplicate, a second ack) arrive before counting.
    await Promise.all([a.roundTrip(), b.roundTrip(), c.roundTrip()]);

    const seen = (cl, from) => cl.frames.slice(from).filter((f) => f.type === 'chat.message').map((f) => f.message);
    const ma = seen(a, start.a);
    const mb = seen(b, start.b);
    const mc = seen(c, start.c);
    assert.equal(ma.length, 2 * N, 'A: every message exactly once');
    assert.deepEqual(mb, ma, 'B saw the same messages in the same order as A');
    assert.deepEqual(mc, ma, 'C saw the same messages in the same order as A');
    assert.equal(new Set(ma.map((m) => m.client_id)).size, 2 * N, 'no duplicates');
    // Each sender's own messages keep their sending order.
    assert.deepEqual(ma.filter((m) => m.author.id === a.hello.member_id).map((m) => m.client_id), aIds);
    assert.deepEqual(ma.filter((m) => m.author.id === b.hello.member_id).map((m) => m.client_id), bIds);
    // Every event frame (member and chat) arrives with a strictly increasing seq, at every client.
    for (const cl of [a, b, c]) {
      const seqs = cl.events().map((f) => f.seq);
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `${cl.label}: seq ${seqs[i]} after ${seqs[i - 1]}`);
      for (const f of cl.chats()) assert.equal(f.seq, f.message.seq, 'frame seq = message seq');
    }
    // Exactly one ack per id, after the chat.message, carrying the same message.
    for (const [cl, ids] of [[a, aIds], [b, bIds]]) {
      for (const id of ids) {
        const acks = cl.frames.map((f, i) => [f, i]).filter(([f]) => f.type === 'chat.ack' && f.id === id);
        assert.equal(acks.length, 1, `${cl.label}: one ack for ${id}`);
        const [ack, ackAt] = acks[0];
        const msgAt = cl.frames.findIndex((f) => f.type === 'chat.message' && f.message.client_id === id);
        assert.ok(msgAt >= 0 && msgAt < ackAt, `${cl.label}: ack of ${id} after its chat.message`);
        assert.equal(ack.seq, cl.frames[msgAt].seq);
        assert.deepEqual(ack.message, cl.frames[msgAt].message);
      }
    }
    // Nobody gets an ack for someone else's message.
    assert.equal(c.frames.filter((f) => f.type === 'chat.ack').length, 0, 'C sent nothing: no acks');
    assert.ok(!a.frames.some((f) => f.type === 'chat.ack' && bIds.includes(f.id)), 'A got no ack of B');
    // Authors, texts.
    const first = ma.find((m) => m.client_id === aIds[0]);
    assert.deepEqual(first.author, { id: `u${owner.user.id}`, name: 'Olga Owner' });
    assert.equal(first.text, 'from A #0');
    assert.equal(ma.find((m) => m.client_id === bIds[3]).text, 'from B #3');
    // The stored history is what was broadcast, field for field.
    const stored = await history(k, room.slug, owner.cookie);
    assert.deepEqual(stored, ma, 'history (REST) equals the broadcast');
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('realtime chat resends (idempotency)', () => {
  const server = serverWithOwnerPerSuite(env);

  it('stores a message once when its id is sent again later, on the same socket and on a new one; acks each time', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Uma' });
    const a = await connect(k, room.slug, { cookie: u.cookie, label: 'A' });
    const obs = await connect(k, room.slug, { cookie: owner.cookie, label: 'observer' });
    await a.waitJoined(obs.hello.member_id);
    const id = newId('dup');
    a.chat(id, 'hello once');
    const ack1 = await a.waitAck(id);
    await obs.waitChat(id);
    // Again after the ack, same socket (even with another text: the stored one wins).
    let mark = a.frames.length;
    a.chat(id, 'hello once');
    const ack2 = await a.waitAck(id, 5000, mark);
    mark = a.frames.length;
    a.chat(id, 'a different text with the same id');
    const ack3 = await a.waitAck(id, 5000, mark);
    // Again on a new socket of the same person (a retry after reconnecting).
    const a2 = await connect(k, room.slug, { cookie: u.cookie, label: 'A2' });
    a2.chat(id, 'hello once');
    const ack4 = await a2.waitAck(id);
    for (const ack of [ack2, ack3, ack4]) {
      assert.equal(ack.seq, ack1.seq, 'the stored seq');
      assert.deepEqual(ack.message, ack1.message, 'the stored message');
    }
    assert.equal(ack1.message.text, 'hello once');
    await Promise.all([a.roundTrip(), a2.roundTrip(), obs.roundTrip()]);
    for (const cl of [a, a2, obs]) {
      const copies = cl.chats().filter((f) => f.message.client_id === id);
      assert.equal(copies.length, cl === a2 ? 0 : 1, `${cl.label}: chat.message ${id} seen ${copies.length} times`);
    }
    assert.equal(a2.hello.snapshot.messages.filter((m) => m.client_id === id).length, 1, 'once in the snapshot');
    assert.equal(a.frames.filter((f) => f.type === 'chat.ack' && f.id === id).length, 3, 'A: one ack per send');
    const stored = await history(k, room.slug, owner.cookie);
    assert.equal(stored.filter((m) => m.client_id === id).length, 1, 'stored once');
    assert.equal(stored.length, 1);
    // A message sent after the resends gets a fresh seq and is delivered normally.
    const next = newId('after');
    a2.chat(next, 'next');
    const ackNext = await a2.waitAck(next);
    assert.ok(ackNext.seq > ack1.seq);
    await obs.waitChat(next);
    await Promise.all([a.close(), a2.close(), obs.close()]);
  });

  it('acks both copies of an immediate double send (second copy while the first is being stored) and stores it once', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'A' });
    const g = await joinedGuest(k, room.slug, { display_name: 'Obs' });
    const obs = await connect(k, room.slug, { cookie: g.cookie, label: 'observer' });
    await a.waitJoined(obs.hello.member_id);
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const id = newId('twice');
      ids.push(id);
      a.send(JSON.stringify({ type: 'chat.send', id, text: `twice ${i}` }));
      a.send(JSON.stringify({ type: 'chat.send', id, text: `twice ${i}` }));
    }
    await a.until(() => ids.every((id) => a.frames.filter((f) => f.type === 'chat.ack' && f.id === id).length >= 2), 5000, 'two acks per id');
    await Promise.all([a.roundTrip(), obs.roundTrip()]);
    await sleep(200);
    await Promise.all([a.roundTrip(), obs.roundTrip()]);
    for (const id of ids) {
      for (const cl of [a, obs]) {
        assert.equal(cl.chats().filter((f) => f.message.client_id === id).length, 1, `${cl.label}: ${id} delivered once`);
      }
      const acks = a.frames.filter((f) => f.type === 'chat.ack' && f.id === id);
      assert.equal(acks.length, 2, `${id}: one ack per send`);
      for (const ack of acks) assert.deepEqual(ack.message, acks[0].message, 'every ack names the one stored message');
    }
    const stored = await history(k, room.slug, owner.cookie);
    assert.deepEqual(stored.map((m) => m.client_id), ids, 'each id stored once, in order');
    await Promise.all([a.close(), obs.close()]);
  });

  it('treats ids per person: the same client id from someone else is a different message', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const g = await joinedGuest(k, room.slug, { display_name: 'Other' });
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'A' });
    const b = await connect(k, room.slug, { cookie: g.cookie, label: 'B' });
    const id = newId('shared');
    a.chat(id, 'from A');
    const ackA = await a.waitAck(id);
    b.chat(id, 'from B');
    const ackB = await b.waitAck(id);
    assert.notEqual(ackA.seq, ackB.seq);
    assert.notEqual(ackA.message.id, ackB.message.id);
    assert.equal(ackB.message.text, 'from B');
    const stored = await history(k, room.slug, owner.cookie);
    assert.deepEqual(stored.map((m) => [m.client_id, m.text]), [[id, 'from A'], [id, 'from B']]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('realtime chat text is data', () => {
  const server = serverWithOwnerPerSuite(env);

  it('stores and returns XSS payloads and unusual text byte for byte (socket, snapshot, history)', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const evilName = '<img src=x onerror=alert("name")>';
    const g = await joinedGuest(k, room.slug, { display_name: evilName });
    const a = await connect(k, room.slug, { cookie: g.cookie, label: 'A' });
    const obs = await connect(k, room.slug, { cookie: owner.cookie, label: 'observer' });
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      'javascript:alert(1)',
      '"><svg/onload=alert(1)>',
      "it's &amp; &lt;b&gt; \"quoted\" \\ back\\slash",
      '{{constructor.constructor("alert(1)")()}}',
      'Привет 🎬 مرحبا ‮rtl‬ e\u0301',
      'line one\nline two\r\nline three',
      '  leading and trailing spaces  ',
      '</script><script>alert(document.cookie)</script>',
    ];
    const ids = payloads.map(() => newId('x'));
    payloads.forEach((p, i) => a.chat(ids[i], p));
    await a.until(() => ids.every((id) => a.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 5000, 'acks');
    for (let i = 0; i < payloads.length; i++) {
      const at = await obs.waitChat(ids[i]);
      assert.equal(at.message.text, payloads[i], `broadcast text ${i}`);
      assert.equal(at.message.author.name, evilName, 'author name unchanged');
      const ack = a.frames.find((f) => f.type === 'chat.ack' && f.id === ids[i]);
      assert.equal(ack.message.text, payloads[i], `ack text ${i}`);
    }
    const stored = await history(k, room.slug, owner.cookie);
    assert.deepEqual(stored.map((m) => m.text), payloads, 'history texts byte for byte');
    assert.ok(stored.every((m) => m.author.name === evilName));
    const res = await get(k, `/api/v1/rooms/${room.slug}/messages`, { cookie: owner.cookie });
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/i, 'history is JSON, never HTML');
    const late = await connect(k, room.slug, { cookie: owner.cookie, label: 'late' });
    assert.deepEqual(late.hello.snapshot.messages.map((m) => m.text), payloads, 'snapshot texts byte for byte');
    await Promise.all([a.close(), obs.close(), late.close()]);
  });
});
