// The video-call signalling relay against a real Janus (docs/protocol.md, "Video chat"): joining the
// call, publishing (Janus answers the offer), being offered everyone else's streams with their
// participant ids, answers accepted, participants' mic/camera state, leaving (streams gone for the
// others), refusals, and a Janus crash (media.closed, then the call works again). Control plane on
// 127.0.0.1; hand-written SDP, so no media flows (the browser side is the e2e test's).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { registerUser, relaxedLimits, createRoom, sleep } from './http.mjs';
import { connect, closeAllSockets, joinedGuest } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';
import { publisherOffer } from './sdp_fixtures.mjs';

const haveJanus = existsSync('/usr/bin/janus');
const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

async function janusReady(k, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const r = await (await fetch(`${k.url}/readyz`)).json();
    if (r.checks.janus === 'ok') return;
    await sleep(200);
  }
  throw new Error('janus never became ready');
}

/** media.join until media.ready (Janus may still be starting): returns the index after it. */
async function joinCall(c, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const from = c.frames.length;
    c.send({ type: 'media.join' });
    const f = await c.waitFor((x) => x.type === 'media.ready' || (x.type === 'error' && x.code.startsWith('media_')), 10_000, 'media.ready', from);
    if (f.type === 'media.ready') return c.frames.length;
    if (Date.now() > until) throw new Error(`media.join kept failing: ${JSON.stringify(f)}`);
    await sleep(300);
  }
}

async function publish(c) {
  const from = c.frames.length;
  c.send({ type: 'media.publish', jsep: { type: 'offer', sdp: publisherOffer(c.label) } });
  const f = await c.waitFor((x) => x.type === 'media.answer' || x.type === 'error', 10_000, 'media.answer', from);
  assert.equal(f.type, 'media.answer', `publish answered: ${JSON.stringify(f)}`);
  assert.equal(f.jsep.type, 'answer');
  assert.match(f.jsep.sdp, /m=audio/);
  assert.match(f.jsep.sdp, /m=video/);
  return f;
}

describe('video-call relay with a real Janus', { skip: !haveJanus && 'janus is not installed' }, () => {
  // ICE limited to lo, which Janus skips: it binds nothing on this machine's other interfaces.
  const server = serverWithOwnerPerSuite({ ...env, KINO_MEDIA_MODE: 'embedded', KINO_MEDIA_ICE_INTERFACE: 'lo' },
    { ownerName: 'Olga' });
  before(() => janusReady(server.k));

  it('relays publish answers, mic/camera state and leaving between three participants', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const g1 = await joinedGuest(k, room.slug, { display_name: 'Bea' });
    const g2 = await joinedGuest(k, room.slug, { display_name: 'Cy' });
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'A' });
    const b = await connect(k, room.slug, { cookie: g1.cookie, label: 'B' });
    const A = a.hello.participant_id;
    const B = b.hello.participant_id;
    assert.ok(A && B && A !== B);
    assert.deepEqual(b.hello.snapshot.participants.map((p) => p.id).sort(), [A, B].sort(), 'snapshot lists participants');
    assert.deepEqual(b.hello.snapshot.participants.find((p) => p.id === A), { id: A, member_id: a.hello.member_id, name: 'Olga', mic: false, camera: false });

    await joinCall(a);
    await joinCall(b);
    await joinCall(b); // joining twice is harmless: ready again
    await publish(a);
    await publish(b);
    // Renegotiating (a second offer) is answered too.
    await publish(a);
    b.send({ type: 'media.trickle', target: 'publisher', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    b.send({ type: 'media.trickle', target: 'publisher', candidate: null });
    b.send({ type: 'media.quality', participant_id: A, quality: 'low' }); // kept for when A's video is offered
    // Subscriptions need a publisher whose PeerConnection is up (real ICE): the browser e2e test
    // (tests/e2e/video_chat.test.mjs) covers offers of others' streams. Here nobody is offered
    // anything, because no hand-written publisher ever connects.
    await sleep(300);
    assert.equal(b.frames.filter((f) => f.type === 'media.offer').length, 0);

    // Mic/camera state is a room event everyone sees, late joiners in the snapshot.
    a.send({ type: 'media.state', mic: true, camera: true });
    const st = await b.waitFor((f) => f.type === 'media.state' && f.participant_id === A);
    assert.equal(st.mic, true);
    assert.equal(st.camera, true);
    assert.equal(typeof st.seq, 'number');
    const before = b.frames.length;
    a.send({ type: 'media.state', mic: true, camera: true }); // no change: no event
    a.send({ type: 'media.state', mic: false, camera: true });
    const st2 = await b.waitFor((f) => f.type === 'media.state', 5000, 'media.state', before);
    assert.deepEqual([st2.mic, st2.camera], [false, true]);

    const c = await connect(k, room.slug, { cookie: g2.cookie, label: 'C' });
    const C = c.hello.participant_id;
    assert.deepEqual(c.hello.snapshot.participants.find((p) => p.id === A), { id: A, member_id: a.hello.member_id, name: 'Olga', mic: false, camera: true });
    await a.waitFor((f) => f.type === 'participant.joined' && f.participant.id === C && f.participant.name === 'Cy');

    // B closes its socket: the others see participant.left at once; B can no longer signal.
    b.ws.close();
    const left = await a.waitFor((f) => f.type === 'participant.left' && f.participant_id === B, 2000);
    assert.ok(left.seq > 0);
    await c.waitFor((f) => f.type === 'participant.left' && f.participant_id === B, 2000);
    // media.leave ends A's call; signalling afterwards is refused until A joins again.
    a.send({ type: 'media.leave' });
    let from = a.frames.length;
    a.send({ type: 'media.publish', jsep: { type: 'offer', sdp: publisherOffer('again') } });
    assert.equal((await a.waitFor((f) => f.type === 'error', 5000, 'error', from)).code, 'media_not_joined');
    await joinCall(a);
    await publish(a);
  });

  it('refuses signalling before joining and malformed offers, with clear errors', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'R' });
    a.send({ type: 'media.publish', jsep: { type: 'offer', sdp: publisherOffer() } });
    const e1 = await a.waitFor((f) => f.type === 'error');
    assert.equal(e1.code, 'media_not_joined');
    let from = a.frames.length;
    a.send({ type: 'media.publish', jsep: { type: 'answer', sdp: 'v=0' } });
    const e2 = await a.waitFor((f) => f.type === 'error', 5000, 'error', from);
    assert.equal(e2.code, 'invalid_request');
    from = a.frames.length;
    a.send({ type: 'media.trickle', target: 'elsewhere', candidate: null });
    assert.equal((await a.waitFor((f) => f.type === 'error', 5000, 'error', from)).code, 'invalid_request');
    from = a.frames.length;
    a.send({ type: 'media.state', mic: 'yes', camera: false });
    assert.equal((await a.waitFor((f) => f.type === 'error', 5000, 'error', from)).code, 'invalid_request');
    // A garbage SDP reaches Janus, which refuses it: media_failed, and the socket stays usable.
    await joinCall(a);
    from = a.frames.length;
    a.send({ type: 'media.publish', jsep: { type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' } });
    const e3 = await a.waitFor((f) => f.type === 'error', 10_000, 'error', from);
    assert.equal(e3.code, 'media_failed');
    assert.match(e3.message, /refused/);
    await publish(a);
    // An answer with no offer to answer.
    from = a.frames.length;
    a.send({ type: 'media.answer', jsep: { type: 'answer', sdp: 'v=0\r\n' } });
    assert.equal((await a.waitFor((f) => f.type === 'error', 5000, 'error', from)).code, 'media_not_joined');
  });

  it('tells everyone in a call when Janus dies, and the call works again after its restart', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const g = await joinedGuest(k, room.slug, { display_name: 'Dee' });
    const a = await connect(k, room.slug, { cookie: owner.cookie, label: 'X' });
    const b = await connect(k, room.slug, { cookie: g.cookie, label: 'Y' });
    await joinCall(a);
    await joinCall(b);
    await publish(a);
    const pids = execFileSync('pgrep', ['-f', path.join(k.dataDir, 'janus')], { encoding: 'utf8' }).trim().split('\n').map(Number);
    process.kill(pids[0], 'SIGKILL');
    const closed = await a.waitType('media.closed', 5000);
    assert.equal(typeof closed.reason, 'string');
    await b.waitType('media.closed', 5000);
    // The chat keeps working meanwhile.
    a.chat('during-outage-1', 'still here');
    await b.waitChat('during-outage-1');
    // Janus is restarted; joining again works and the offers flow again.
    await joinCall(a, 30_000);
    await joinCall(b, 30_000);
    await publish(a);
  });
});

describe('video-call relay without Janus', () => {
  let k;
  before(async () => {
    k = await startKino({ env: { ...env, KINO_MEDIA_MODE: 'external', KINO_MEDIA_EXTERNAL_PORT: '9' } });
  });
  after(async () => { closeAllSockets(); await k?.stop(); });

  it('answers media.join with media_unavailable and keeps chat working', async () => {
    const owner = await registerUser(k);
    const { room } = await createRoom(k, owner.cookie);
    const a = await connect(k, room.slug, { cookie: owner.cookie });
    a.send({ type: 'media.join' });
    const e = await a.waitFor((f) => f.type === 'error');
    assert.equal(e.code, 'media_unavailable');
    assert.match(e.message, /Chat and the film keep working/);
    a.chat('c1', 'hello');
    await a.waitAck('c1');
  });

  it('when video chat is off, says so', async () => {
    const off = await startKino({ env });
    try {
      const owner = await registerUser(off);
      const { room } = await createRoom(off, owner.cookie);
      const a = await connect(off, room.slug, { cookie: owner.cookie });
      a.send({ type: 'media.join' });
      const e = await a.waitFor((f) => f.type === 'error');
      assert.equal(e.code, 'media_disabled');
      assert.match(e.message, /turned off/);
    } finally {
      await off.stop();
    }
  });
});
