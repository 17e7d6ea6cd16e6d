// Realtime reconnecting: `?resume_from=<last seq>` after a dropped socket gets `hello` (resumed: true)
// followed by exactly the events after that seq, in order, no gaps, no duplicates — also while the room
// keeps talking; a resume the server cannot honour (ahead of the room, server restarted) gets
// resumed: false and the snapshot. docs/protocol.md "Reconnecting".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { registerUser, relaxedLimits, createRoom, post, cookieFrom, sleep } from './http.mjs';
import { connect, closeAllSockets, joinedUser, joinedGuest, newId } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000', KINO_REALTIME_CHAT_MAX_PER_10S: '1000' };

/** The frames after hello that carry a seq (room events), without the frame's local timestamp. */
const eventsAfterHello = (c) => c.frames.slice(1).filter((f) => typeof f.seq === 'number' && f.type !== 'chat.ack');
const strip = ({ _at, ...f }) => f;

describe('realtime resume', () => {
  const server = serverWithOwnerPerSuite(env);

  it('replays exactly the missed events after a killed socket (resumed: true), then live events', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Ann' });
    const b = await connect(k, room.slug, { cookie: owner.cookie, label: 'B' });
    const a = await connect(k, room.slug, { cookie: u.cookie, label: 'A' });
    const warm = newId('warm');
    b.chat(warm, 'before the drop');
    await a.waitChat(warm);
    await a.roundTrip();
    await b.waitAck(warm);
    const last = a.lastSeq();

    a.terminate(); // no close frame: the server only learns from the TCP connection going away
    await b.waitLeft(u.memberId, 5000);
    const ids = [newId('gap'), newId('gap'), newId('gap')];
    for (const [i, id] of ids.entries()) {
      b.chat(id, `missed ${i + 1}`);
      await b.waitAck(id);
    }
    const missed = b.events().filter((f) => f.seq > last).map(strip);
    assert.deepEqual(missed.map((f) => f.type), ['participant.left', 'member.left', 'chat.message', 'chat.message', 'chat.message']);

    const a2 = await connect(k, room.slug, { cookie: u.cookie, resumeFrom: last, label: 'A2' });
    assert.equal(a2.hello.resumed, true, 'resumed');
    assert.equal(a2.hello.snapshot.last_seq, missed.at(-1).seq, 'snapshot last_seq = newest event');
    // After hello: the missed events, then my own member.joined and participant.joined (new events).
    const myJoin = await a2.waitJoined(u.memberId);
    const myArrival = await a2.waitFor((f) => f.type === 'participant.joined' && f.participant.id === a2.hello.participant_id);
    await a2.roundTrip();
    const got = eventsAfterHello(a2).map(strip);
    const joinAt = got.findIndex((f) => f.seq === myJoin.seq);
    assert.deepEqual(got.slice(0, joinAt), missed, 'replay = exactly the events B saw after my last seq, in order');
    assert.ok(got[0].seq > last, 'nothing at or before resume_from is replayed');
    assert.deepEqual(got.slice(0, joinAt).map((f) => f.message?.client_id).filter(Boolean), ids);
    assert.equal(got.length, joinAt + 2, `nothing else: ${JSON.stringify(got.slice(joinAt + 1))}`);
    assert.equal(got[joinAt + 1].seq, myArrival.seq);
    assert.ok(myJoin.seq > missed.at(-1).seq);
    // Live again: a new message arrives once.
    const live = newId('live');
    b.chat(live, 'live');
    await a2.waitChat(live);
    await a2.roundTrip();
    assert.equal(a2.chats().filter((f) => f.message.client_id === live).length, 1);
    await Promise.all([a2.close(), b.close()]);
  });

  it('resumes without gaps or duplicates while the room keeps talking (reconnect in the middle of a stream)', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const g = await joinedGuest(k, room.slug, { display_name: 'Gail' });
    const b = await connect(k, room.slug, { cookie: owner.cookie, label: 'B' });
    const a = await connect(k, room.slug, { cookie: g.cookie, label: 'A' });
    await b.waitJoined(a.hello.member_id);
    await a.roundTrip();
    const last = a.lastSeq();
    a.terminate();
    await b.waitLeft(a.hello.member_id);
    const ids = Array.from({ length: 60 }, () => newId('stream'));
    let reconnect;
    for (const [i, id] of ids.entries()) {
      b.chat(id, `stream ${i}`);
      if (i === 20) reconnect = connect(k, room.slug, { cookie: g.cookie, resumeFrom: last, label: 'A2' });
      if (i % 10 === 9) await sleep(2);
    }
    const a2 = await reconnect;
    assert.equal(a2.hello.resumed, true);
    await b.until(() => ids.every((id) => b.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 10000, 'B acks');
    await a2.until(() => ids.every((id) => a2.chats().some((f) => f.message.client_id === id)), 10000, 'all messages at A2');
    await Promise.all([a2.roundTrip(), b.roundTrip()]);
    const got = eventsAfterHello(a2).map(strip);
    const seqs = got.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `A2 seq ${seqs[i]} after ${seqs[i - 1]}`);
    // Everything B saw after A's last seq, exactly once and in order, plus nothing else.
    const expected = b.events().filter((f) => f.seq > last).map(strip);
    assert.deepEqual(got, expected, 'replay + live at A2 = every event after resume_from, exactly once');
    await Promise.all([a2.close(), b.close()]);
  });

  it('resumes with resume_from = the current last seq: resumed true and no replay (other tab kept the person in)', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const a1 = await connect(k, room.slug, { cookie: owner.cookie, label: 'tab1' });
    const a2 = await connect(k, room.slug, { cookie: owner.cookie, label: 'tab2' });
    const id = newId('now');
    a1.chat(id, 'x');
    await a2.waitChat(id);
    await a2.roundTrip();
    a2.terminate();
    // The tab's participant leaves (the person stays: tab1 is open); resume from the newest event.
    await a1.waitFor((f) => f.type === 'participant.left' && f.participant_id === a2.hello.participant_id);
    await a1.roundTrip();
    const last = a1.lastSeq();
    const a3 = await connect(k, room.slug, { cookie: owner.cookie, resumeFrom: last, label: 'tab3' });
    assert.equal(a3.hello.resumed, true);
    assert.equal(a3.hello.snapshot.last_seq, last);
    await a3.roundTrip();
    assert.deepEqual(eventsAfterHello(a3).map((f) => f.type), ['participant.joined'],
      'nothing to replay; no member events for a second tab, only the new tab as a participant');
    await Promise.all([a1.close(), a3.close()]);
  });

  it('answers resume_from ahead of the room with resumed false and the snapshot, and no replay', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const w = await connect(k, room.slug, { cookie: owner.cookie, label: 'W' });
    const id = newId('fut');
    w.chat(id, 'existing');
    await w.waitAck(id);
    const g = await joinedGuest(k, room.slug, { display_name: 'Futura' });
    const c = await connect(k, room.slug, { cookie: g.cookie, resumeFrom: 1_000_000, label: 'future' });
    assert.equal(c.hello.resumed, false);
    assert.deepEqual(c.hello.snapshot.messages.map((m) => m.client_id), [id]);
    assert.ok(c.hello.snapshot.last_seq < 1_000_000);
    await c.roundTrip();
    const ev = eventsAfterHello(c);
    assert.deepEqual(ev.map((f) => f.type), ['member.joined', 'participant.joined'], `only my own arrival follows: ${JSON.stringify(ev)}`);
    await Promise.all([w.close(), c.close()]);
  });
});

describe('realtime resume across a server restart', () => {
  let dataDir;
  let k1;
  let k2;
  before(() => { dataDir = mkdtempSync(path.join(tmpdir(), 'kino-rt-restart-')); });
  after(async () => {
    closeAllSockets();
    await k1?.stop();
    await k2?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // docs/protocol.md: a seq is never used twice, also not across restarts (numbers jump ahead), and a
  // restarted server cannot replay what happened before: resume_from from before it → resumed false.
  it('answers resumed false after a restart (the event history is gone), with the stored messages in the snapshot', async () => {
    // Pre-restart: messages and member events; the observer's last seq is a member event.
    k1 = await startKino({ env, args: ['--data', dataDir] });
    const o = await registerUser(k1, { display_name: 'Olga' });
    const { room } = await createRoom(k1, o.cookie);
    const obs = await connect(k1, room.slug, { cookie: o.cookie, label: 'obs' });
    const m1 = newId('pre');
    obs.chat(m1, 'before restart');
    await obs.waitAck(m1);
    const g = await joinedGuest(k1, room.slug, { display_name: 'Passer' });
    const p = await connect(k1, room.slug, { cookie: g.cookie, label: 'passer' });
    await obs.waitJoined(p.hello.member_id);
    p.terminate();
    await obs.waitLeft(p.hello.member_id);
    await obs.roundTrip();
    const last = obs.lastSeq();
    assert.equal(await k1.stop(), 0);
    k1 = undefined;

    // Post-restart: new activity in the same room before the observer comes back.
    k2 = await startKino({ env, args: ['--data', dataDir] });
    const login = await post(k2, '/api/v1/auth/login', { username: o.username, password: o.password });
    assert.equal(login.status, 200, login.text);
    const oc = cookieFrom(login);
    const g2 = await joinedGuest(k2, room.slug, { display_name: 'Newcomer' });
    const n = await connect(k2, room.slug, { cookie: g2.cookie, label: 'newcomer' });
    const after1 = newId('post');
    const after2 = newId('post');
    n.chat(after1, 'after restart 1');
    await n.waitAck(after1);
    n.chat(after2, 'after restart 2');
    await n.waitAck(after2);

    const back = await connect(k2, room.slug, { cookie: oc, resumeFrom: last, label: 'obs-again' });
    await back.roundTrip();
    const replayed = eventsAfterHello(back).filter((f) => f.type === 'chat.message').map((f) => f.message.client_id);
    assert.equal(back.hello.resumed, false,
      `resume_from=${last} (seen before the restart) answered resumed:${back.hello.resumed}, ` +
      `snapshot last_seq ${back.hello.snapshot.last_seq}, replayed chat ${JSON.stringify(replayed)}; ` +
      `the post-restart messages were ${JSON.stringify([after1, after2])}`);
    assert.deepEqual(back.hello.snapshot.messages.map((m) => m.client_id), [m1, after1, after2]);
    assert.deepEqual(replayed, [], 'no replay without resumed');
    // No seq is reused: everything after the restart is numbered above what the observer saw before.
    const postRestart = n.events();
    assert.ok(postRestart.length >= 3);
    for (const f of postRestart) assert.ok(f.seq > last, `post-restart ${f.type} seq ${f.seq} > pre-restart ${last}`);
    await Promise.all([n.close(), back.close()]);
  });
});
