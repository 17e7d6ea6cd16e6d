// Realtime bad input: malformed, unknown, incomplete, too large, binary and invalid frames get an error
// frame with the right code (and the client id when known) and the socket stays usable (a 2 MiB frame
// too: read and dropped); a message over 64 MiB closes the socket with 1009 and the server stays
// healthy. The per-person chat rate limit
// (KINO_REALTIME_CHAT_MAX_PER_10S). docs/protocol.md "Server → client", "Connecting".
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { get, relaxedLimits, bulkRealtime, createRoom } from './http.mjs';
import { connect, joinedUser, joinedGuest, newId } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const baseEnv = { ...relaxedLimits, ...bulkRealtime, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

describe('realtime bad input', () => {
  const server = serverWithOwnerPerSuite({ ...baseEnv, KINO_REALTIME_CHAT_MAX_PER_10S: '1000' });
  let room;
  let a;
  let obs;
  let hugeClose; // how the over-64-MiB socket was closed
  before(async () => {
    const { k, owner } = server;
    ({ room } = await createRoom(k, owner.cookie));
    const u = await joinedUser(k, room.slug, { display_name: 'Bad Input' });
    obs = await connect(k, room.slug, { cookie: owner.cookie, label: 'observer' });
    a = await connect(k, room.slug, { cookie: u.cookie, label: 'A' });
  });

  /**
   * Sends `raw` on A and expects exactly one error frame with `code` and `id` (no id when null; not
   * checked when undefined);
   * then checks the socket still works: a valid message is acked and broadcast.
   */
  async function expectError(raw, code, id, opts = {}) {
    const mark = a.frames.length;
    if (opts.binary) a.ws.send(raw, { binary: true });
    else a.send(raw);
    const err = await a.waitFor((f) => f.type === 'error', 5000, `error ${code}`, mark);
    assert.equal(err.code, code, `code for ${String(raw).slice(0, 60)}: ${JSON.stringify(err)}`);
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0, 'human message');
    if (id === null) assert.equal(Object.hasOwn(err, 'id'), false, `no id: ${JSON.stringify(err)}`);
    else if (id !== undefined) assert.equal(err.id, id, `error id: ${JSON.stringify(err)}`);
    const ok = newId('ok');
    a.chat(ok, 'still here');
    const ack = await a.waitAck(ok, 5000, mark);
    await obs.waitChat(ok);
    const between = a.frames.slice(mark).filter((f) => f.type === 'error');
    assert.equal(between.length, 1, `exactly one error frame: ${JSON.stringify(between)}`);
    assert.equal(a.closed, null, 'socket still open');
    return { err, ack };
  }

  it('answers malformed JSON and non-objects with malformed_frame (no id), socket usable', async () => {
    await expectError('{"type":"chat.send","id":"m1","text":', 'malformed_frame', null);
    await expectError('not json at all', 'malformed_frame', null);
    await expectError('[{"type":"ping"}]', 'malformed_frame', null);
    await expectError('"chat.send"', 'malformed_frame', null);
    await expectError('42', 'malformed_frame', null);
    await expectError('', 'malformed_frame', null);
  });

  it('answers an unknown type with unknown_type and the id', async () => {
    await expectError(JSON.stringify({ type: 'dance', id: 'u-1' }), 'unknown_type', 'u-1');
    await expectError(JSON.stringify({ type: 'chat.delete', id: 'u-2', text: 'x' }), 'unknown_type', 'u-2');
    await expectError(JSON.stringify({ type: 'dance' }), 'unknown_type', null);
  });

  it('answers missing or ill-typed fields with invalid_request (id when known)', async () => {
    await expectError(JSON.stringify({ type: 'chat.send', text: 'no id' }), 'invalid_request', null);
    await expectError(JSON.stringify({ type: 'chat.send', id: 'r-1' }), 'invalid_request', 'r-1');
    await expectError(JSON.stringify({ type: 'chat.send', id: 'r-2', text: 42 }), 'invalid_request', 'r-2');
    await expectError(JSON.stringify({ id: 'r-3', text: 'no type' }), 'invalid_request', 'r-3');
    await expectError(JSON.stringify({ type: 7, id: 'r-4' }), 'invalid_request', 'r-4');
    await expectError(JSON.stringify({ type: 'ping', id: 'r-5', t0: 'yesterday' }), 'invalid_request', 'r-5');
    // Bad ids: not a string, empty, too long, characters outside A-Z a-z 0-9 - _ . :
    for (const id of [5, '', 'x'.repeat(65), 'has space', 'semi;colon', 'ünï', '<script>']) {
      // The id is not valid, so it is not echoed as "the client id".
      await expectError(JSON.stringify({ type: 'chat.send', id, text: 'bad id' }), 'invalid_request', null);
    }
    // A 64-character id of every allowed class is fine.
    const longId = ('Az09-_.:'.repeat(8)).slice(0, 64);
    a.chat(longId, 'long id');
    const ack = await a.waitAck(longId);
    assert.equal(ack.message.client_id, longId);
  });

  it('answers a frame over 128 KiB with frame_too_large; exactly 128 KiB is accepted', async () => {
    const id = newId('big');
    const frameOf = (bytes, cid) => {
      const base = JSON.stringify({ type: 'chat.send', id: cid, text: 'padded', pad: '' });
      return JSON.stringify({ type: 'chat.send', id: cid, text: 'padded', pad: 'p'.repeat(bytes - base.length) });
    };
    const big = frameOf(129 * 1024, id);
    assert.equal(Buffer.byteLength(big), 129 * 1024);
    // The server need not parse an oversized frame, so the id is optional here; if given, it is the client id.
    const { err } = await expectError(big, 'frame_too_large', undefined);
    assert.ok(err.id === undefined || err.id === id, `id, when given, is the client id: ${JSON.stringify(err)}`);
    const overId = newId('over');
    const over = frameOf(128 * 1024 + 1, overId);
    assert.equal(Buffer.byteLength(over), 128 * 1024 + 1);
    const { err: err2 } = await expectError(over, 'frame_too_large', undefined);
    assert.ok(err2.id === undefined || err2.id === overId);
    assert.ok(!a.frames.some((f) => f.type === 'chat.ack' && (f.id === id || f.id === overId)), 'oversized frames not applied');
    const exactId = newId('exact');
    const exact = frameOf(128 * 1024, exactId);
    assert.equal(Buffer.byteLength(exact), 128 * 1024);
    a.send(exact);
    const ack = await a.waitAck(exactId);
    assert.equal(ack.message.text, 'padded');
  });

  it('answers a binary frame with malformed_frame', async () => {
    await expectError(Buffer.from(JSON.stringify({ type: 'chat.send', id: 'bin-1', text: 'binary' })), 'malformed_frame', null, { binary: true });
    await expectError(Buffer.from([0, 1, 2, 255]), 'malformed_frame', null, { binary: true });
  });

  it('counts characters, not bytes: 2000 accepted (also 4-byte ones), 2001 → message_too_long with the id', async () => {
    const tooLong = newId('long');
    await expectError(JSON.stringify({ type: 'chat.send', id: tooLong, text: 'a'.repeat(2001) }), 'message_too_long', tooLong);
    const tooLongEmoji = newId('long');
    await expectError(JSON.stringify({ type: 'chat.send', id: tooLongEmoji, text: '😀'.repeat(2001) }), 'message_too_long', tooLongEmoji);
    for (const text of ['a'.repeat(2000), 'é'.repeat(2000), '😀'.repeat(2000)]) {
      const id = newId('max');
      a.chat(id, text);
      const ack = await a.waitAck(id);
      assert.equal(ack.message.text, text, 'stored as sent');
    }
  });

  it('answers empty, blank and control-character text with invalid_message and the id', async () => {
    for (const text of ['', ' ', '   \n  ', '\r\n', 'bell\u0007', 'nul\u0000byte', 'esc\u001b[31m', 'del\u007f']) {
      const id = newId('inv');
      await expectError(JSON.stringify({ type: 'chat.send', id, text }), 'invalid_message', id);
    }
  });

  it('stored none of the refused messages', async () => {
    const { k, owner } = server;
    await a.roundTrip();
    await obs.roundTrip();
    const res = await get(k, `/api/v1/rooms/${room.slug}/messages?limit=100`, { cookie: owner.cookie });
    assert.equal(res.status, 200);
    const texts = res.json.messages.map((m) => m.text);
    assert.ok(texts.every((t) => t === 'still here' || t === 'padded' || t === 'long id' || /^(a|é|😀)+$/u.test(t)),
      `only valid messages stored: ${JSON.stringify(texts.filter((t) => t !== 'still here').map((t) => t.slice(0, 40)))}`);
    const broadcastTexts = obs.chats().map((f) => f.message.text);
    assert.deepEqual(texts, broadcastTexts, 'stored = broadcast');
    assert.ok(!obs.frames.some((f) => f.type === 'error'), 'the observer got none of A\'s errors');
  });

  it('answers a 2 MiB frame with frame_too_large and keeps the socket (read and dropped, not buffered)', async () => {
    const { k } = server;
    const id = newId('two-mib');
    const { err } = await expectError(JSON.stringify({ type: 'chat.send', id, text: 'x'.repeat(2 * 1024 * 1024) }),
      'frame_too_large', undefined);
    assert.ok(err.id === undefined || err.id === id);
    assert.ok(!a.frames.some((f) => f.type === 'chat.ack' && f.id === id), 'not applied');
    assert.equal((await get(k, '/healthz')).status, 200);
  });

  it('closes a socket that sends a message over 64 MiB with 1009; the server stays healthy', async () => {
    const { k } = server;
    const g = await joinedGuest(k, room.slug, { display_name: 'Huge' });
    const h = await connect(k, room.slug, { cookie: g.cookie, label: 'huge' });
    await obs.waitJoined(h.hello.member_id);
    h.ws.send(Buffer.alloc(64 * 1024 * 1024 + 1024, 0x78), { binary: false }, () => {});
    const closed = await h.waitClosed(15000);
    hugeClose = closed;
    assert.ok(!h.frames.some((f) => f.type === 'chat.ack'), 'nothing applied');
    await obs.waitLeft(h.hello.member_id);
    const health = await get(k, '/healthz');
    assert.equal(health.status, 200, health.text);
    // Others are unaffected and new sockets work.
    const id = newId('after-huge');
    a.chat(id, 'after the huge frame');
    await a.waitAck(id);
    await obs.waitChat(id);
    const h2 = await connect(k, room.slug, { cookie: g.cookie, label: 'huge-again' });
    const id2 = newId('again');
    h2.chat(id2, 'back');
    await h2.waitAck(id2);
    await h2.close();
  });

  // Contract mismatch (reported to the lead): the server logs ws_message_too_big and drops the
  // connection, but the client usually (about 2 runs in 3 here) never reads the 1009 close frame — it
  // sees 1006 and its write fails with EPIPE: the server closes the TCP connection with the rest of
  // the message unread (a reset), which races with the close frame.
  it('tells the sender of the over-64-MiB message why: close code 1009', {
    todo: 'server often closes before the client can read its 1009 (client sees 1006; racy)',
  }, () => {
    assert.ok(hugeClose, 'the previous test closed the socket');
    assert.equal(hugeClose.code, 1009, `close code: ${JSON.stringify(hugeClose)}`);
  });
});

describe('realtime chat rate limit', () => {
  const server = serverWithOwnerPerSuite({ ...baseEnv, KINO_REALTIME_CHAT_MAX_PER_10S: '3' });

  it('refuses the 4th message in 10 s with rate_limited and its id; nothing stored; others unaffected', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Chatty' });
    const g = await joinedGuest(k, room.slug, { display_name: 'Calm' });
    const a = await connect(k, room.slug, { cookie: u.cookie, label: 'A' });
    const b = await connect(k, room.slug, { cookie: g.cookie, label: 'B' });
    await a.waitJoined(b.hello.member_id);
    const ids = [newId('r'), newId('r'), newId('r'), newId('r')];
    for (const id of ids) a.chat(id, `msg ${id}`);
    for (const id of ids.slice(0, 3)) await a.waitAck(id);
    const err = await a.waitError(ids[3]);
    assert.equal(err.code, 'rate_limited', JSON.stringify(err));
    assert.match(err.message, /\d/, 'says how long to wait');
    assert.ok(!a.frames.some((f) => f.type === 'chat.ack' && f.id === ids[3]), 'the 4th is not acked');

    // Per person, not per socket: a second tab of A is limited too.
    const a2 = await connect(k, room.slug, { cookie: u.cookie, label: 'A-tab2' });
    const tab = newId('r');
    a2.chat(tab, 'from the other tab');
    const err2 = await a2.waitError(tab);
    assert.equal(err2.code, 'rate_limited');
    // A retry of an already stored message is still acked (it creates nothing).
    const mark = a.frames.length;
    a.chat(ids[0], `msg ${ids[0]}`);
    const reack = await a.waitFor((f) => (f.type === 'chat.ack' || f.type === 'error') && f.id === ids[0], 5000, 'resend answer', mark);
    assert.equal(reack.type, 'chat.ack', `a resend of a stored message while limited: ${JSON.stringify(reack)}`);

    // B is not affected by A's limit.
    const bIds = [newId('b'), newId('b'), newId('b')];
    for (const id of bIds) b.chat(id, 'calm message');
    for (const id of bIds) await b.waitAck(id);
    assert.ok(!b.frames.some((f) => f.type === 'error'), 'B got no error');

    await Promise.all([a.roundTrip(), b.roundTrip()]);
    const seenByB = b.chats().map((f) => f.message.client_id);
    assert.deepEqual(seenByB, [...ids.slice(0, 3), ...bIds], 'the refused messages were never broadcast');
    const res = await get(k, `/api/v1/rooms/${room.slug}/messages`, { cookie: owner.cookie });
    assert.deepEqual(res.json.messages.map((m) => m.client_id), [...ids.slice(0, 3), ...bIds], 'nor stored');
    assert.equal(a.closed, null, 'a rate-limited socket stays open');
    await Promise.all([a.close(), a2.close(), b.close()]);
  });
});
