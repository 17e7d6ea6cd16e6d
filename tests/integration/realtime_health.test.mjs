// Realtime connection health: a socket that stops answering is dropped after
// KINO_REALTIME_IDLE_TIMEOUT_S (an idle one that answers pings is not); a client that does not read is
// disconnected once its queue passes KINO_REALTIME_MAX_OUTBOUND_BYTES without slowing the room; SIGTERM
// closes open sockets with 1001 and exits 0. docs/protocol.md "Connecting".
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, registerUser, relaxedLimits, bulkRealtime, createRoom, sleep } from './http.mjs';
import { connect, closeAllSockets, joinedUser, joinedGuest, newId } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const baseEnv = { ...relaxedLimits, ...bulkRealtime, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };
/** A small outbound queue limit, and no chat rate limit in the way of a flood. */
const slowConsumerEnv = { ...baseEnv, KINO_REALTIME_MAX_OUTBOUND_BYTES: '65536', KINO_REALTIME_CHAT_MAX_PER_10S: '100000' };

describe('realtime dead sockets', () => {
  const server = serverWithOwnerPerSuite({ ...baseEnv, KINO_REALTIME_IDLE_TIMEOUT_S: '2' });

  it('drops a socket that stops reading and answering pings within a few seconds; keeps an idle healthy one', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const dead = await joinedUser(k, room.slug, { display_name: 'Gone Quiet' });
    const idle = await joinedGuest(k, room.slug, { display_name: 'Just Idle' });
    const obs = await connect(k, room.slug, { cookie: owner.cookie, label: 'observer' });
    // autoPong off: this client never answers the server's pings; and its TCP socket stops reading.
    const d = await connect(k, room.slug, { cookie: dead.cookie, label: 'dead', wsOptions: { autoPong: false } });
    const i = await connect(k, room.slug, { cookie: idle.cookie, label: 'idle' });
    await obs.waitJoined(i.hello.member_id);
    let pingsToIdle = 0;
    i.ws.on('ping', () => { pingsToIdle += 1; });
    const t0 = Date.now();
    d.ws._socket.pause();
    const left = await obs.waitLeft(dead.memberId, 10000);
    const elapsed = left._at - t0;
    assert.ok(elapsed < 10000, `dropped after ${elapsed} ms`);
    assert.ok(elapsed >= 1000, `not dropped before the idle timeout could pass (${elapsed} ms)`);
    // The idle client that answers pings is still there after well over the idle timeout.
    const waitMore = 5000 - (Date.now() - t0);
    if (waitMore > 0) await sleep(waitMore);
    assert.equal(i.closed, null, 'the idle client is still connected');
    assert.ok(pingsToIdle >= 1, `the server pinged the quiet client (${pingsToIdle})`);
    assert.ok(!obs.frames.some((f) => f.type === 'member.left' && f.member_id === i.hello.member_id), 'no member.left for the idle one');
    const id = newId('alive');
    i.chat(id, 'still here');
    await i.waitAck(id);
    await obs.waitChat(id);
    assert.equal(obs.closed, null);
    d.terminate();
    await Promise.all([obs.close(), i.close()]);
  });
});

// Sizes: loopback TCP buffers absorb ~4 MB for a client that stops reading (tcp_wmem max) before anything
// waits in the server's queue, so 400 messages of 1900 ASCII characters (~0.8 MB) would never reach it;
// the flood uses 2000 four-byte characters (~8 KB a frame) and gets there in ~550 messages.
describe('realtime slow consumers', () => {
  const server = serverWithOwnerPerSuite(slowConsumerEnv);

  it('disconnects a client that does not read while the room streams; the sender keeps getting prompt acks', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const slowUser = await joinedUser(k, room.slug, { display_name: 'Slow Reader' });
    const readerGuest = await joinedGuest(k, room.slug, { display_name: 'Fast Reader' });
    const sender = await connect(k, room.slug, { cookie: owner.cookie, label: 'sender' });
    const reader = await connect(k, room.slug, { cookie: readerGuest.cookie, label: 'reader' });
    const slow = await connect(k, room.slug, { cookie: slowUser.cookie, label: 'slow' });
    await sender.waitJoined(slowUser.memberId);
    await reader.waitJoined(slowUser.memberId);
    slow.ws._socket.pause(); // reads nothing from now on (node stops reading once its buffer is full)

    const text = '😀'.repeat(2000); // 2000 characters, 8000 bytes
    const MAX = 1500; // bound: ~12 MB for the slow client, about three times what it takes
    const WINDOW = 5; // messages in flight at a time
    const sentAt = new Map();
    const ids = [];
    let left = null;
    const t0 = Date.now();
    while (ids.length < MAX && !left) {
      const batch = [];
      for (let j = 0; j < WINDOW; j++) {
        const id = newId('flood');
        ids.push(id); batch.push(id);
        sentAt.set(id, Date.now());
        sender.chat(id, text);
      }
      await sender.waitAck(batch.at(-1), 5000, 0);
      left = sender.frames.find((f) => f.type === 'member.left' && f.member_id === slowUser.memberId) ?? null;
    }
    assert.ok(left, `the slow client was not dropped after ${ids.length} messages (${Date.now() - t0} ms)`);
    // A few more after the drop: the room goes on at the same pace.
    for (let j = 0; j < 4; j++) {
      const batch = [];
      for (let m = 0; m < WINDOW; m++) {
        const id = newId('after'); ids.push(id); batch.push(id); sentAt.set(id, Date.now()); sender.chat(id, text);
      }
      await sender.waitAck(batch.at(-1), 5000, 0);
    }
    await sender.until(() => ids.every((id) => sender.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 10000, 'all acks');
    const total = Date.now() - t0;
    assert.equal(sender.closed, null, 'the sender is still connected');
    const acks = new Map(sender.frames.filter((f) => f.type === 'chat.ack').map((f) => [f.id, f]));
    const latencies = ids.map((id) => acks.get(id)._at - sentAt.get(id));
    const worst = Math.max(...latencies);
    assert.ok(worst < 2500, `worst ack latency ${worst} ms`);
    assert.ok(total < 25000, `${ids.length} messages took ${total} ms`);
    // The fast reader got everything, in order, and was not dropped.
    await reader.until(() => reader.chats().length >= ids.length, 10000, 'reader got all');
    assert.deepEqual(reader.chats().map((f) => f.message.client_id), ids);
    assert.equal(reader.closed, null, 'the reading client is still connected');
    assert.deepEqual(reader.frames.filter((f) => f.type === 'member.left').map((f) => f.member_id), [slowUser.memberId]);
    // The slow client's connection really is gone: once it reads again it reaches the end early.
    slow.ws._socket.resume();
    await slow.waitClosed(10000);
    assert.ok(slow.chats().length < ids.length, `the slow client got ${slow.chats().length} of ${ids.length}`);
    await Promise.all([sender.close(), reader.close()]);
  });
});

describe('realtime slow-consumer limit and bursts', () => {
  const server = serverWithOwnerPerSuite(slowConsumerEnv);

  // docs/protocol.md "Slow readers": a prompt reader may take bursts above the limit; the limit only
  // drops a client whose queue stays over it with no write progress for 2 s (or passes 4× the limit).
  it('keeps a client that reads promptly when one burst of frames passes max_outbound_bytes', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const sender = await connect(k, room.slug, { cookie: owner.cookie, label: 'sender' });
    const ids = [];
    for (let round = 0; round < 5; round++) {
      for (let j = 0; j < 20; j++) { const id = newId('burst'); ids.push(id); sender.chat(id, 'x'.repeat(1900)); }
      await sender.waitAck(ids.at(-1), 5000, 0);
    }
    await sender.roundTrip();
    assert.equal(sender.closed, null, 'the prompt reader is still connected');
    assert.equal(sender.frames.filter((f) => f.type === 'chat.ack').length, ids.length, 'every message acked once');
    assert.ok(!/ws_slow_consumer/.test(k.logs()), 'nobody was dropped as a slow consumer');
    await sender.close();
  });

  /** A room whose 50 latest messages have `text`; then a newcomer connects and chats. */
  async function enterAfter50(text) {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const w = await connect(k, room.slug, { cookie: owner.cookie, label: 'writer' });
    for (let round = 0; round < 10; round++) {
      let last;
      for (let j = 0; j < 5; j++) { last = newId('long'); w.chat(last, text); }
      await w.waitAck(last);
    }
    const g = await joinedGuest(k, room.slug, { display_name: 'Newcomer' });
    const c = await connect(k, room.slug, { cookie: g.cookie, label: 'newcomer' });
    assert.equal(c.hello.snapshot.messages.length, 50);
    const helloBytes = Buffer.byteLength(c.rawFrames[0]);
    const id = newId('newcomer');
    c.chat(id, 'made it in');
    await c.waitAck(id);
    await w.waitChat(id);
    await w.close();
    await c.close();
    return helloBytes;
  }

  // An empty queue accepts any single frame: a hello bigger than the limit (its snapshot holds up to
  // 50 messages of up to 2000 characters) still reaches a newcomer.
  it('delivers a hello larger than max_outbound_bytes (the room stays enterable)', async () => {
    const helloBytes = await enterAfter50('y'.repeat(1900));
    assert.ok(helloBytes > 65536, `the hello is bigger than the limit (${helloBytes} bytes)`);
  });

  // Regression: the frame being written (the hello, ~410 KB here: 50 messages of 2000 four-byte
  // characters, limit 64 KiB) once counted against the hard bound and dropped every newcomer.
  it('delivers a hello larger than 4 × max_outbound_bytes (the room stays enterable)', async () => {
    const helloBytes = await enterAfter50('😀'.repeat(2000));
    assert.ok(helloBytes > 4 * 65536, `the hello is bigger than 4× the limit (${helloBytes} bytes)`);
  });
});

describe('realtime graceful shutdown', () => {
  let k;
  after(async () => { closeAllSockets(); await k?.stop(); });

  it('closes open sockets with 1001 on SIGTERM and exits 0', async () => {
    k = await startKino({ env: baseEnv });
    const owner = await registerUser(k, { display_name: 'Olga Owner' });
    const { room } = await createRoom(k, owner.cookie);
    const g = await joinedGuest(k, room.slug, { display_name: 'Stayer' });
    const other = await createRoom(k, owner.cookie);
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'A' });
    const b = await connect(k, room.slug, { cookie: g.cookie, label: 'B' });
    const c = await connect(k, other.room.slug, { cookie: owner.cookie, label: 'C (other room)' });
    const id = newId('bye');
    a.chat(id, 'last words');
    await b.waitChat(id);
    const t0 = Date.now();
    const code = await k.stop('SIGTERM');
    k = undefined;
    assert.equal(code, 0, 'exit code');
    for (const cl of [a, b, c]) {
      const closed = await cl.waitClosed(5000);
      assert.equal(closed.code, 1001, `${cl.label} close code: ${JSON.stringify(closed)}`);
      assert.ok(closed.at - t0 < 10000);
    }
  });
});
