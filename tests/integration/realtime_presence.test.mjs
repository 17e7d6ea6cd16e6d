// Realtime presence: `participants` in the room list and the room (people connected now, not sockets)
// follows sockets opening and closing; a person with two sockets is one member (connections: 2) and
// leaves only with the last one (member.left seen by the others). docs/protocol.md "Data model".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, relaxedLimits, createRoom, sleep } from './http.mjs';
import { connect, joinedUser, joinedGuest } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

/** participants of `slug` in GET /api/v1/rooms?status=live and in GET /api/v1/rooms/{slug}. */
async function participants(k, slug) {
  const list = await get(k, '/api/v1/rooms?status=live');
  assert.equal(list.status, 200, list.text);
  const inList = list.json.rooms.find((r) => r.slug === slug);
  assert.ok(inList, `room ${slug} in the live list`);
  const one = await get(k, `/api/v1/rooms/${slug}`);
  assert.equal(one.status, 200, one.text);
  return { list: inList.participants, room: one.json.room.participants };
}

/**
 * Waits (bounded) until both views show `n`, then checks they stay at `n` for a moment: the presence
 * registry is updated right after the socket's hello is queued, so the very first read may lag.
 */
async function expectParticipants(k, slug, n, what) {
  const deadline = Date.now() + 3000;
  let p;
  for (;;) {
    p = await participants(k, slug);
    if ((p.list === n && p.room === n) || Date.now() > deadline) break;
    await sleep(25);
  }
  assert.deepEqual(p, { list: n, room: n }, `${what}: participants`);
  await sleep(100);
  assert.deepEqual(await participants(k, slug), { list: n, room: n }, `${what}: participants stay ${n}`);
}

describe('realtime presence', () => {
  const server = serverWithOwnerPerSuite(env);

  it('counts people connected: 0 → 1 → 2 → 1 → 0, with member.joined / member.left to the others', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const slug = room.slug;
    await expectParticipants(k, slug, 0, 'nobody connected');
    const g = await joinedGuest(k, slug, { display_name: 'Gabi' });
    await expectParticipants(k, slug, 0, 'joined but not connected');
    const a = await connect(k, slug, { cookie: owner.cookie, label: 'A' });
    await expectParticipants(k, slug, 1, 'owner connected');
    const b = await connect(k, slug, { cookie: g.cookie, label: 'B' });
    await expectParticipants(k, slug, 2, 'owner and guest connected');
    const joined = await a.waitJoined(b.hello.member_id);
    assert.deepEqual(joined.member, { id: b.hello.member_id, name: 'Gabi', user_id: null, guest: true, connections: 1 });
    await b.close();
    const left = await a.waitLeft(b.hello.member_id);
    assert.ok(left.seq > joined.seq);
    await expectParticipants(k, slug, 1, 'guest left');
    await a.close();
    await expectParticipants(k, slug, 0, 'everyone left');
    // Coming back works and counts again.
    const a2 = await connect(k, slug, { cookie: owner.cookie, label: 'A-again' });
    assert.deepEqual(a2.hello.snapshot.members.map((m) => m.id), [a2.hello.member_id], 'only me in the room now');
    await expectParticipants(k, slug, 1, 'owner back');
    await a2.close();
    await expectParticipants(k, slug, 0, 'owner gone again');
  });

  it('counts a person with two sockets once (connections: 2); member.left only when the last one closes', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const slug = room.slug;
    const u = await joinedUser(k, slug, { display_name: 'Two Tabs' });
    const obs = await connect(k, slug, { cookie: owner.cookie, label: 'observer' });
    const t1 = await connect(k, slug, { cookie: u.cookie, label: 'tab1' });
    await obs.waitJoined(u.memberId);
    const t2 = await connect(k, slug, { cookie: u.cookie, label: 'tab2' });
    assert.notEqual(t2.hello.participant_id, t1.hello.participant_id, 'one participant id per socket');
    assert.equal(t2.hello.member_id, t1.hello.member_id, 'one member id per person');
    const me = t2.hello.snapshot.members.filter((m) => m.id === u.memberId);
    assert.equal(me.length, 1, `one member entry: ${JSON.stringify(t2.hello.snapshot.members)}`);
    assert.equal(me[0].connections, 2);
    assert.equal(t2.hello.snapshot.members.length, 2);
    await expectParticipants(k, slug, 2, 'observer + one person with two tabs');
    await obs.roundTrip();
    assert.equal(obs.frames.filter((f) => f.type === 'member.joined' && f.member.id === u.memberId).length, 1,
      'the second tab is not a second arrival');
    // Closing one tab: still there, no member.left.
    await t1.close();
    await sleep(150);
    await obs.roundTrip();
    assert.ok(!obs.frames.some((f) => f.type === 'member.left' && f.member_id === u.memberId), 'no member.left with a tab open');
    await expectParticipants(k, slug, 2, 'one tab closed');
    const late = await connect(k, slug, { cookie: (await joinedGuest(k, slug, { display_name: 'Late' })).cookie, label: 'late' });
    assert.equal(late.hello.snapshot.members.find((m) => m.id === u.memberId)?.connections, 1, 'connections back to 1');
    await expectParticipants(k, slug, 3, 'a third person');
    // Closing the last tab (abruptly): member.left to the others.
    t2.terminate();
    await obs.waitLeft(u.memberId);
    await late.waitLeft(u.memberId);
    await expectParticipants(k, slug, 2, 'two-tab person gone');
    await Promise.all([obs.close(), late.close()]);
    await expectParticipants(k, slug, 0, 'all gone');
  });
});
