// Floods against the real server with its default limits (kino.toml [realtime]): a burst of
// playback changes reaches the others as a handful of broadcasts, pings and camera toggles are
// bounded, a socket far over its budget is closed, and one person or one address cannot open
// sockets without end (429 too_many_connections before the upgrade).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relaxedLimits, createRoom } from './http.mjs';
import { connect, joinedGuest, joinedUser, tryOpen, assertRefused, ownOrigin } from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };

describe('realtime floods', () => {
  const server = serverWithOwnerPerSuite(env);

  it('turns a burst of 500 seeks into a few broadcasts and answers it sparingly', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Seeker' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    await host.waitJoined(g.hello.member_id);
    const started = Date.now();
    for (let i = 0; i < 500; i++) g.send({ type: 'playback.control', action: 'seek', position_s: i });
    await g.roundTrip(10000);
    await new Promise((r) => setTimeout(r, 400));  // the last coalescing window closes
    await host.roundTrip();
    const broadcasts = host.frames.filter((f) => f.type === 'playback.state');
    const elapsed = Date.now() - started;
    assert.ok(broadcasts.length >= 1, 'the change went through');
    assert.ok(broadcasts.length <= 2 + Math.ceil(elapsed / 200), `${broadcasts.length} broadcasts in ${elapsed} ms`);
    const errors = g.frames.filter((f) => f.type === 'error');
    assert.ok(errors.length >= 1 && errors.length <= 5, `${errors.length} error answers (one per run, not per frame)`);
    assert.equal(errors[0].code, 'rate_limited');
    assert.ok(errors[0].retry_after_ms > 0, JSON.stringify(errors[0]));
    assert.equal(g.closed, null, 'a socket within its total frame budget stays open');
  });

  it('cuts off the reported flood (3,000 seeks at once) after its frame budget; the others saw a handful', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Flooder' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    await host.waitJoined(g.hello.member_id);
    for (let i = 0; i < 3000; i++) g.send({ type: 'playback.control', action: 'seek', position_s: i });
    const closed = await g.waitClosed(10000);
    assert.equal(closed.code, 1008, JSON.stringify(closed));
    await new Promise((r) => setTimeout(r, 400));
    await host.roundTrip();
    const broadcasts = host.frames.filter((f) => f.type === 'playback.state').length;
    assert.ok(broadcasts >= 1 && broadcasts <= 5, `${broadcasts} broadcasts (were 3,000)`);
    assert.equal(host.closed, null);
  });

  it('bounds pongs and camera/mic updates per socket', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Pinger' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    await host.waitJoined(g.hello.member_id);
    for (let i = 0; i < 200; i++) g.send({ type: 'ping', t0: i });
    for (let i = 0; i < 200; i++) g.send({ type: 'media.state', mic: i % 2 === 0, camera: false });
    await new Promise((r) => setTimeout(r, 500));
    await host.roundTrip();
    const pongs = g.frames.filter((f) => f.type === 'pong').length;
    assert.ok(pongs <= 62, `${pongs} pongs for 200 pings`);
    const states = host.frames.filter((f) => f.type === 'media.state').length;
    assert.ok(states <= 21, `${states} media.state broadcasts for 200 toggles`);
  });

  it('closes a socket that sends far beyond any client (1008) and keeps the room going', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const guest = await joinedGuest(k, room.slug, { display_name: 'Firehose' });
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k), label: 'host' });
    const g = await connect(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k), label: 'guest' });
    for (let i = 0; i < 1000; i++) g.send({ type: 'clock.report', rtt_ms: 5 });
    const closed = await g.waitClosed(5000);
    assert.equal(closed.code, 1008, JSON.stringify(closed));
    await host.roundTrip();
    assert.equal(host.closed, null);
  });

  it('answers an unrepresentable number with an error, never with invalid JSON', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const host = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k) });
    host.send('{"type":"ping","id":"huge","t0":1e400}');
    const err = await host.waitError('huge');
    assert.equal(err.code, 'invalid_request');
    assert.ok(!host.rawFrames.some((t) => /Infinity|NaN/.test(t)), 'every frame is valid JSON');
  });
});

describe('socket caps per person', () => {
  const server = serverWithOwnerPerSuite(env);

  it('gives one person at most 10 sockets, with a clear refusal, and frees a place when one closes', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const u = await joinedUser(k, room.slug, { display_name: 'Many Tabs' });
    const tabs = [];
    for (let i = 0; i < 10; i++) tabs.push(await connect(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k), label: `tab${i}` }));
    const refused = await tryOpen(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k) });
    assertRefused(refused, 429, 'too_many_connections');
    assert.match(refused.headers['retry-after'] || '', /^\d+$/);
    assert.match(refused.json.error.message, /tabs/);
    // Someone else (same address, another person) still gets in.
    const other = await joinedGuest(k, room.slug, { display_name: 'Other' });
    const o = await connect(k, room.slug, { cookie: other.cookie, origin: ownOrigin(k) });
    assert.equal(o.hello.type, 'hello');
    await tabs.pop().close();
    const again = await connect(k, room.slug, { cookie: u.cookie, origin: ownOrigin(k), label: 'tab-again' });
    assert.equal(again.hello.type, 'hello');
    // The hello stays bounded: 11 sockets, 11 participants.
    assert.ok(again.hello.snapshot.participants.length <= 11, `${again.hello.snapshot.participants.length} participants`);
    for (const t of [...tabs, o, again]) await t.close();
  });

});

describe('socket caps per address', () => {
  const server = serverWithOwnerPerSuite({ ...env, KINO_REALTIME_MAX_SOCKETS_PER_ADDRESS: '14' });

  it('caps one client address across people', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const open = [];
    let refused;
    for (let i = 0; i < 16 && !refused; i++) {
      const guest = await joinedGuest(k, room.slug, { display_name: `Guest ${i}` });
      const r = await tryOpen(k, room.slug, { cookie: guest.cookie, origin: ownOrigin(k) });
      if (r.status === 101) open.push(r.client);
      else refused = r;
    }
    assert.ok(refused, 'an address cap was reached');
    assertRefused(refused, 429, 'too_many_connections');
    assert.equal(open.length, 14);
    for (const c of open) await c.close();
  });
});
