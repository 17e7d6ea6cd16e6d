// Realtime: who may open a room's WebSocket (owner, joined users and guests; refusals as plain HTTP
// answers before the upgrade: origin, not joined, private, unknown room, bad resume_from) and what the
// first frame (`hello`) carries. docs/protocol.md "Connecting", "Server → client".
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { post, registerUser, relaxedLimits, createRoom } from './http.mjs';
import {
  tryOpen, assertRefused, connect, joinedUser, joinedGuest, ownOrigin, newId,
} from './ws_client.mjs';
import { serverWithOwnerPerSuite } from './suite_server.mjs';

const env = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000', KINO_REALTIME_CHAT_MAX_PER_10S: '1000' };

describe('realtime admission', () => {
  const server = serverWithOwnerPerSuite(env);
  let room;
  before(async () => {
    const { k, owner } = server;
    ({ room } = await createRoom(k, owner.cookie));
  });

  it('accepts the owner without a join (101, hello)', async () => {
    const { k, owner } = server;
    const c = await connect(k, room.slug, { cookie: owner.cookie });
    assert.equal(c.hello.member_id, `u${owner.user.id}`);
    await c.close();
  });

  it('accepts a user who joined, and a guest who joined (kino_guest cookie)', async () => {
    const { k } = server;
    const u = await joinedUser(k, room.slug, { display_name: 'Uma' });
    const cu = await connect(k, room.slug, { cookie: u.cookie });
    assert.equal(cu.hello.member_id, u.memberId);
    const g = await joinedGuest(k, room.slug, { display_name: 'Gina' });
    const cg = await connect(k, room.slug, { cookie: g.cookie });
    assert.match(cg.hello.member_id, /^g[0-9a-f]{12}$/);
    await cu.close();
    await cg.close();
  });

  it('refuses a signed-in user who did not join a public room: 403 not_joined', async () => {
    const { k } = server;
    const u = await registerUser(k);
    assertRefused(await tryOpen(k, room.slug, { cookie: u.cookie }), 403, 'not_joined');
  });

  it('refuses an anonymous visitor (no cookie) and a bogus guest cookie: 403 not_joined', async () => {
    const { k } = server;
    assertRefused(await tryOpen(k, room.slug), 403, 'not_joined');
    assertRefused(await tryOpen(k, room.slug, { cookie: 'kino_guest=not-a-real-guest-token-0000000000' }), 403, 'not_joined');
  });

  it('refuses a private room without a grant (403 room_private), admits with the key', async () => {
    const { k, owner } = server;
    const priv = await createRoom(k, owner.cookie, { visibility: 'private' });
    const slug = priv.room.slug;
    const u = await registerUser(k);
    assertRefused(await tryOpen(k, slug, { cookie: u.cookie }), 403, 'room_private');
    assertRefused(await tryOpen(k, slug), 403, 'room_private');
    // A guest of another room gets nothing here either.
    const other = await joinedGuest(k, room.slug, { display_name: 'Elsewhere' });
    assertRefused(await tryOpen(k, slug, { cookie: other.cookie }), 403, 'room_private');
    const g = await joinedGuest(k, slug, { display_name: 'Kim', key: priv.access_key });
    const c = await connect(k, slug, { cookie: g.cookie });
    assert.equal(c.hello.snapshot.room.slug, slug);
    const owned = await connect(k, slug, { cookie: owner.cookie });
    assert.equal(owned.hello.type, 'hello');
    await c.close();
    await owned.close();
  });

  it('answers 404 room_not_found for an unknown slug (even to a signed-in user)', async () => {
    const { k, owner } = server;
    assertRefused(await tryOpen(k, 'zzzzzzzzzz', { cookie: owner.cookie }), 404, 'room_not_found');
    assertRefused(await tryOpen(k, 'zzzzzzzzzz'), 404, 'room_not_found');
  });

  it('refuses a foreign Origin with 403 origin_rejected, even for the owner', async () => {
    const { k, owner } = server;
    for (const origin of ['http://evil.example', 'null', `${ownOrigin(k)}.evil.example`, ownOrigin(k).replace('http:', 'https:')]) {
      const r = await tryOpen(k, room.slug, { cookie: owner.cookie, origin });
      assertRefused(r, 403, 'origin_rejected');
    }
  });

  it("accepts Kino's own origin and a missing Origin", async () => {
    const { k, owner } = server;
    const a = await connect(k, room.slug, { cookie: owner.cookie, origin: ownOrigin(k) });
    const b = await connect(k, room.slug, { cookie: owner.cookie });
    assert.equal(a.hello.type, 'hello');
    assert.equal(b.hello.type, 'hello');
    await a.close();
    await b.close();
  });

  it('refuses a bad resume_from with 400 invalid_query', async () => {
    const { k, owner } = server;
    for (const q of ['-1', 'abc', '1.5', '12abc', '0x10', '99999999999999999999999']) {
      const r = await tryOpen(k, room.slug, { cookie: owner.cookie, query: `?resume_from=${q}` });
      assertRefused(r, 400, 'invalid_query');
    }
  });

  it('refuses the foreign origin before looking at the visitor (no room data to a cross-site page)', async () => {
    const { k } = server;
    const r = await tryOpen(k, 'zzzzzzzzzz', { origin: 'http://evil.example' });
    assertRefused(r, 403, 'origin_rejected');
  });
});

describe('realtime hello', () => {
  const server = serverWithOwnerPerSuite(env);

  it('sends hello first: protocol 1, ids, server time, resumed false, room, members with me, last_seq', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie, { title: 'Friday Film Club' });
    const u = await joinedUser(k, room.slug, { display_name: 'Uma User' });
    const before = Date.now();
    const c = await connect(k, room.slug, { cookie: u.cookie });
    const h = c.hello;
    assert.equal(h.type, 'hello');
    assert.equal(h.protocol, 1);
    assert.equal(typeof h.participant_id, 'string');
    assert.ok(h.participant_id.length > 0);
    assert.equal(h.member_id, u.memberId);
    assert.equal(typeof h.server_time, 'number');
    assert.ok(Math.abs(h.server_time - before) < 5000, `server_time ${h.server_time} near ${before}`);
    assert.equal(h.resumed, false);
    const s = h.snapshot;
    assert.equal(s.room.slug, room.slug);
    assert.equal(s.room.title, 'Friday Film Club');
    assert.deepEqual(s.messages, []);
    assert.equal(typeof s.last_seq, 'number');
    const me = s.members.find((m) => m.id === u.memberId);
    assert.deepEqual(me, { id: u.memberId, name: 'Uma User', user_id: String(u.user.id), guest: false, connections: 1 },
      `me in members: ${JSON.stringify(s.members)}`);
    assert.equal(s.members.length, 1, `only me: ${JSON.stringify(s.members)}`);
    // My own member.joined follows hello, with a seq above the snapshot's last_seq.
    const joined = await c.waitFor((f) => f.type === 'member.joined' && f.member?.id === u.memberId);
    assert.ok(joined.seq > s.last_seq, `member.joined seq ${joined.seq} > last_seq ${s.last_seq}`);
    // Two sockets of different people: each has distinct participant_id; the second sees both members.
    const g = await joinedGuest(k, room.slug, { display_name: 'Gus Guest' });
    const c2 = await connect(k, room.slug, { cookie: g.cookie });
    assert.notEqual(c2.hello.participant_id, h.participant_id);
    const ids = c2.hello.snapshot.members.map((m) => m.id).sort();
    assert.deepEqual(ids, [u.memberId, c2.hello.member_id].sort());
    const gm = c2.hello.snapshot.members.find((m) => m.id === c2.hello.member_id);
    assert.deepEqual(gm, { id: c2.hello.member_id, name: 'Gus Guest', user_id: null, guest: true, connections: 1 });
    assert.ok(c2.hello.snapshot.last_seq >= joined.seq, 'the second snapshot includes the first member.joined');
    await c.close();
    await c2.close();
  });

  it('snapshot carries the latest 50 messages oldest first and last_seq = the newest event', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const w = await connect(k, room.slug, { cookie: owner.cookie, label: 'writer' });
    const ids = [];
    for (let i = 1; i <= 55; i++) {
      const id = newId('h');
      ids.push(id);
      w.chat(id, `message number ${i}`);
    }
    await w.until(() => ids.every((id) => w.frames.some((f) => f.type === 'chat.ack' && f.id === id)), 10000, 'all acks');
    const lastAck = w.frames.filter((f) => f.type === 'chat.ack').at(-1);
    const writerSaw = w.lastSeq(); // before the reader arrives (its own events come after its hello)
    const g = await joinedGuest(k, room.slug, { display_name: 'Late' });
    const r = await connect(k, room.slug, { cookie: g.cookie, label: 'reader' });
    const s = r.hello.snapshot;
    assert.equal(s.messages.length, 50);
    assert.deepEqual(s.messages.map((m) => m.client_id), ids.slice(5), 'the latest 50, oldest first');
    assert.deepEqual(s.messages.map((m) => m.text), ids.slice(5).map((_, i) => `message number ${i + 6}`));
    for (let i = 1; i < s.messages.length; i++) assert.ok(s.messages[i].seq > s.messages[i - 1].seq);
    assert.equal(s.last_seq, writerSaw, 'last_seq is the newest event the writer saw');
    assert.equal(s.messages.at(-1).seq, lastAck.seq);
    // The snapshot's messages are the ones that were broadcast, field for field.
    const broadcast = w.chats().map((f) => f.message);
    assert.deepEqual(s.messages, broadcast.slice(5));
    const m = s.messages[0];
    assert.deepEqual(Object.keys(m).sort(), ['author', 'client_id', 'id', 'sent_at', 'seq', 'text']);
    assert.deepEqual(m.author, { id: `u${owner.user.id}`, name: 'Olga Owner' });
    assert.match(m.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    await w.close();
    await r.close();
  });

  it('answers ping with pong: t0 echoed, id echoed, server_time', async () => {
    const { k, owner } = server;
    const { room } = await createRoom(k, owner.cookie);
    const c = await connect(k, room.slug, { cookie: owner.cookie });
    c.send({ type: 'ping', id: 'p1', t0: 123456.5 });
    const p = await c.waitFor((f) => f.type === 'pong');
    assert.equal(p.id, 'p1');
    assert.equal(p.t0, 123456.5);
    assert.ok(Math.abs(p.server_time - Date.now()) < 5000);
    await c.close();
  });
});
