// Several Kino nodes (tests/lib/kino.mjs startKinoCluster: three `kino serve` on one PostgreSQL
// database and a three-server NATS cluster, behind a round-robin balancer): people in one room chat
// without pause while the node that runs the room is killed with SIGKILL. Every client reconnects
// through the balancer with resume_from and sends its unacknowledged messages again with the same
// id (docs/protocol.md, "Several servers"). Then: another node holds the room's lease, every
// acknowledged message is in the room's history exactly once (paged back to message 1), no client
// saw one message under two seqs, the shared playback went on from where it would be, and every
// client chats again. A drain (SIGTERM of the owner) hands the room over with 1012 the same way.
// Prints how long the room was without an owner and until each client's chat worked again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startKinoCluster } from '../lib/kino.mjs';
import { Chatter, assertNothingLost } from '../lib/chatter.mjs';
import { registerUser, relaxedLimits, createRoom, sleep } from './http.mjs';
import { connect, closeAllSockets, joinedGuest } from './ws_client.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000', KINO_REALTIME_CHAT_MAX_PER_10S: '1000', KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '100000' };

/** The node id that holds the room's lease now (null when none holds a live one). */
function ownerOf(cluster, slug) {
  const out = execFileSync('psql', [cluster.postgresUrl, '-Atqc',
    `SELECT l.holder FROM leases l JOIN rooms r ON l.name = 'room:' || r.id
      WHERE r.slug = '${slug}' AND l.expires_at > ${Date.now()}`], { encoding: 'utf8' }).trim();
  return out || null;
}

describe('a room survives the loss of the node that runs it', { timeout: 180_000 }, () => {
  let cluster;
  before(async () => { cluster = await startKinoCluster(3, { env }); });
  after(async () => { closeAllSockets(); await cluster?.stop('SIGKILL'); });

  it('SIGKILL of the owner: another node takes the room, no acknowledged message lost or doubled, playback goes on', async () => {
    const k = cluster;
    const owner = await registerUser(k, { display_name: 'Olga' });
    const { room } = await createRoom(k, owner.cookie);
    const people = [{ cookie: owner.cookie, label: 'owner' }];
    for (let i = 1; i <= 5; i += 1) people.push({ ...(await joinedGuest(k, room.slug, { display_name: `G${i}` })), label: `g${i}` });
    const chatters = people.map((p) => new Chatter(k, room.slug, p.cookie, p.label));
    await Promise.all(chatters.map((c) => c.open()));
    // The film plays from 100 s.
    chatters[0].client.send({ type: 'playback.control', action: 'play', position_s: 100 });
    const playing = await chatters[1].client.waitFor((f) => f.type === 'playback.state' && f.state.status === 'playing');
    const positionAt = (t) => playing.state.position_s + (t - playing.state.at_server_ms) / 1000;  // rate 1
    chatters.forEach((c) => c.start(150));
    await sleep(1500);

    const before = ownerOf(k, room.slug);
    assert.ok(before, 'a node holds the room');
    const victim = k.nodeIds.indexOf(before);
    const killedAt = Date.now();
    k.nodes[victim].proc.kill('SIGKILL');
    let after = null;
    while (Date.now() - killedAt < 15_000) {
      after = ownerOf(k, room.slug);
      if (after && after !== before) break;
      await sleep(50);
    }
    const takeover = Date.now() - killedAt;
    assert.ok(after && after !== before, `another node took the room (holder ${after})`);
    // The lease lasts 3 s from its last renewal (every second); the room moves just after.
    assert.ok(takeover < 4000, `the room moved ${takeover} ms after its owner died`);
    await sleep(2000);  // chat on the new owner for a while
    const acked = await assertNothingLost(k, room.slug, owner, chatters);
    const back = chatters.map((c) => c.chatBackAfter(killedAt));
    assert.ok(back.every(Number.isFinite), `every client chats again: ${back}`);
    console.log(`# owner ${before} killed; ${after} took the room after ${takeover} ms; chat back after ` +
      `${Math.min(...back)}–${Math.max(...back)} ms; ${acked} acknowledged messages, none lost or doubled`);

    // Playback went on: the new owner's state is the stored one, still playing from 100 s.
    const fresh = await connect(k, room.slug, { cookie: owner.cookie });
    const pb = fresh.hello.snapshot.playback;
    assert.equal(pb.status, 'playing');
    const now = fresh.hello.server_time;
    const position = pb.position_s + (now - pb.at_server_ms) / 1000 * pb.rate;
    assert.ok(Math.abs(position - positionAt(now)) < 0.1,
      `the film is at ${position.toFixed(3)} s, where it would be without the failover (${positionAt(now).toFixed(3)} s)`);
    await fresh.close();
  });

  it('SIGTERM of the owner drains: sockets get 1012, reconnect elsewhere at once, nothing lost', async () => {
    const k = cluster;
    const live = k.nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
    assert.ok(live.length >= 2, 'two nodes left');
    k.balancer.setTargets(live.map((n) => n.url));
    const owner = await registerUser(k, { display_name: 'Dora' });
    const { room } = await createRoom(k, owner.cookie);
    const people = [{ cookie: owner.cookie, label: 'host' }];
    for (let i = 1; i <= 3; i += 1) people.push({ ...(await joinedGuest(k, room.slug, { display_name: `D${i}` })), label: `d${i}` });
    const chatters = people.map((p) => new Chatter(k, room.slug, p.cookie, p.label));
    await Promise.all(chatters.map((c) => c.open()));
    chatters.forEach((c) => c.start(150));
    await sleep(1000);
    const before = ownerOf(k, room.slug);
    const victim = k.nodes[k.nodeIds.indexOf(before)];
    const drainedAt = Date.now();
    victim.proc.kill('SIGTERM');
    await new Promise((resolve) => { if (victim.proc.exitCode !== null) resolve(); else victim.proc.on('exit', resolve); });
    assert.equal(victim.proc.exitCode, 0, 'a drained node exits 0');
    await sleep(1500);
    const codes = chatters.flatMap((c) => c.sockets.map((s) => s.closed?.code)).filter(Boolean);
    assert.ok(codes.includes(1012), `sockets closed with 1012: ${codes}`);
    assert.ok(!codes.includes(1006), `no socket just dropped: ${codes}`);
    const acked = await assertNothingLost(k, room.slug, owner, chatters);
    const back = chatters.map((c) => c.chatBackAfter(drainedAt));
    console.log(`# owner ${before} drained; chat back after ${Math.min(...back)}–${Math.max(...back)} ms; ${acked} acknowledged`);
    assert.ok(back.every(Number.isFinite));
  });
});
