// An ended or cancelled room refuses every write, and the people in it learn at once: the open
// sockets get `room.ended` and are closed with 4410; new sockets and guest joins get 409
// room_ended (docs/protocol.md "The end of a room"). A scheduled room's lobby has chat.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { post, get, relaxedLimits, createRoom, assertError, serverIso } from './http.mjs';
import { connect, joinedGuest, tryOpen, assertRefused, newId, ownOrigin } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

describe('ending a live room', () => {
  const server = serverWithOwnerPerSuite(env);

  it('tells every open socket within a moment, closes it for good, and refuses what comes after', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Gleb' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    await host.waitJoined(g.hello.member_id);

    const last = newId('last');
    g.chat(last, 'see you');
    await g.waitAck(last);

    const endedAt = Date.now();
    const res = await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    for (const c of [host, g]) {
      const ended = await c.waitType('room.ended', 3000);
      assert.equal(ended.room.status, 'ended');
      assert.equal(ended.room.ended_reason, 'owner_ended');
      assert.ok(Date.parse(ended.room.ended_at) > 0, ended.room.ended_at);
      assert.ok(ended.seq > c.hello.snapshot.last_seq, 'a seq-ordered room event');
      assert.ok(ended._at - endedAt < 2000, `told ${ended._at - endedAt} ms after the end (was ~28 s)`);
      const closed = await c.waitClosed(3000);
      assert.equal(closed.code, 4410, JSON.stringify(closed));
      assert.equal(closed.reason, 'room_ended');
    }

    // New sockets and new guests are refused with a clear code.
    const again = await tryOpen(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k) });
    assertRefused(again, 409, 'room_ended');
    const join = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Late Lena' });
    assertError(join, 409, 'room_ended');

    // Nothing was stored after the end; the message before it is kept.
    const page = await get(k, `/api/v1/rooms/${room.slug}/messages`, { cookie: owner.cookie });
    assert.deepEqual(page.json.messages.map((m) => m.client_id), [last]);
  });

  it('refuses a write that races the end with room_ended, and never broadcasts it', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Racer' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    await host.waitJoined(g.hello.member_id);
    const res = await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie });
    assert.equal(res.status, 200);
    // Sent before the guest's socket has seen room.ended (it may or may not arrive in time).
    const id = newId('race');
    try { g.chat(id, 'too late'); g.send({ type: 'playback.control', id: newId('c'), action: 'seek', position_s: 5 }); } catch { /* closed already */ }
    await host.waitClosed(3000);
    await g.waitClosed(3000);
    const answer = g.frames.find((f) => f.type === 'error' && f.id === id);
    if (answer) assert.equal(answer.code, 'room_ended');
    assert.ok(!g.frames.some((f) => f.type === 'chat.ack' && f.id === id), 'never acked');
    assert.ok(!host.frames.some((f) => f.type === 'chat.message' && f.message.client_id === id), 'never broadcast');
    assert.ok(!host.frames.some((f) => f.type === 'playback.state'), 'no control after the end');
    const page = await get(k, `/api/v1/rooms/${room.slug}/messages`, { cookie: owner.cookie });
    assert.equal(page.json.messages.length, 0, 'nothing stored');
  });
});

describe('a scheduled room', () => {
  const server = serverWithOwnerPerSuite(env);

  it('has chat in its lobby before it starts', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
    assert.equal(room.status, 'scheduled');
    const guest = await joinedGuest(k, room.slug, { display_name: 'Early Eva' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k) });
    const id = newId('lobby');
    g.chat(id, 'who else is coming?');
    const ack = await g.waitAck(id);
    assert.equal(ack.message.text, 'who else is coming?');
    await g.close();
  });

  it('that is cancelled tells its lobby and refuses from then on', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
    const guest = await joinedGuest(k, room.slug, { display_name: 'Waiting Walt' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k) });
    const res = await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie });
    assert.equal(res.json.room.ended_reason, 'cancelled');
    const ended = await g.waitType('room.ended', 3000);
    assert.equal(ended.room.ended_reason, 'cancelled');
    assert.equal((await g.waitClosed(3000)).code, 4410);
    const join = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Latecomer' });
    assertError(join, 409, 'room_ended');
    assert.match(join.json.error.message, /cancelled/i);
  });
});
