// GET /api/v1/rooms/{slug}/transcript.txt and .json: the whole chat as a download, from message 1
// (more than one store page of it), in order, for whoever may see the room — also after it ended —
// and for nobody else. GET /api/v1/rooms/{slug}/archive: who came and every playback action.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, post, assertError, registerUser, relaxedLimits, bulkRealtime, createRoom, sleep } from './http.mjs';
import { connect, joinedGuest, closeAllSockets, newId } from './ws_client.mjs';

const COUNT = 620; // more than one store page (500)

describe('chat transcript export', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: { ...relaxedLimits, ...bulkRealtime, KINO_REALTIME_CHAT_MAX_PER_10S: '100000' } });
    owner = await registerUser(k, { display_name: 'Ann' });
  });
  after(async () => {
    closeAllSockets();
    await k?.stop();
  });

  /** Sends `texts` one after another (each acknowledged before the next). */
  async function chat(client, texts) {
    for (const text of texts) {
      const id = newId('t');
      const from = client.frames.length;
      client.chat(id, text);
      await client.waitAck(id, 5000, from);
    }
  }

  it('has every message from the first, in order, as text and as JSON; still there after the room ended', async () => {
    const { room } = await createRoom(k, owner.cookie, { title: 'Friday film' });
    const guest = await joinedGuest(k, room.slug, { display_name: 'Борис' });
    const ann = await connect(k, room.slug, { cookie: owner.cookie });
    const boris = await connect(k, room.slug, { cookie: guest.cookie });
    const texts = Array.from({ length: COUNT }, (_, i) => `message ${i + 1}`);
    await chat(ann, texts.slice(0, COUNT - 2));
    await chat(boris, ['привет 👋', 'two lines\n[2020-01-01 00:00:00 UTC] Ann: forged']);
    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie })).status, 200);

    const txt = await get(k, `/api/v1/rooms/${room.slug}/transcript.txt`, { cookie: guest.cookie });
    assert.equal(txt.status, 200, txt.text);
    assert.equal(txt.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(txt.headers.get('content-disposition'), `attachment; filename="kino-${room.slug}-chat.txt"`);
    assert.equal(txt.headers.get('x-content-type-options'), 'nosniff');
    const [head, body] = txt.text.split('\n\n');
    assert.match(head, new RegExp(`^Friday film\\n.*/r/${room.slug}\\nStarted: .* UTC\\nEnded: .* UTC\\nMessages: ${COUNT}$`));
    const entries = body.trimEnd().split(/\n(?=\[)/);
    assert.equal(entries.length, COUNT, 'one entry per message, none forged by a message');
    assert.match(entries[0], /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Ann: message 1$/);
    assert.match(entries[COUNT - 3], /\] Ann: message 618$/);
    assert.match(entries[COUNT - 2], /\] Борис: привет 👋$/);
    assert.match(entries[COUNT - 1], /\] Борис: two lines\n {4}\[2020-01-01 00:00:00 UTC\] Ann: forged$/);

    const json = await get(k, `/api/v1/rooms/${room.slug}/transcript.json`, { cookie: owner.cookie });
    assert.equal(json.status, 200, json.text);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(json.json.room.slug, room.slug);
    assert.equal(json.json.room.status, 'ended');
    const messages = json.json.messages;
    assert.equal(messages.length, COUNT);
    assert.deepEqual(messages.map((m) => m.text), [...texts.slice(0, COUNT - 2), 'привет 👋', 'two lines\n[2020-01-01 00:00:00 UTC] Ann: forged']);
    assert.ok(messages.every((m, i) => i === 0 || m.seq > messages[i - 1].seq), 'in seq order');
    assert.deepEqual(Object.keys(messages[0]).sort(), ['author', 'client_id', 'id', 'sent_at', 'seq', 'text']);
  });

  it('a private room: 403 room_private without a grant; the key holder gets it; an unknown room is 404', async () => {
    const { room, access_key: key } = await createRoom(k, owner.cookie, { visibility: 'private', title: 'Secret' });
    const ann = await connect(k, room.slug, { cookie: owner.cookie });
    await chat(ann, ['only for us']);
    const stranger = await registerUser(k);
    for (const ext of ['txt', 'json']) {
      assertError(await get(k, `/api/v1/rooms/${room.slug}/transcript.${ext}`), 403, 'room_private');
      assertError(await get(k, `/api/v1/rooms/${room.slug}/transcript.${ext}`, { cookie: stranger.cookie }), 403, 'room_private');
      assertError(await get(k, `/api/v1/rooms/zzzzzzzzzz/transcript.${ext}`, { cookie: owner.cookie }), 404, 'room_not_found');
    }
    const guest = await joinedGuest(k, room.slug, { display_name: 'Friend', key });
    const txt = await get(k, `/api/v1/rooms/${room.slug}/transcript.txt`, { cookie: guest.cookie });
    assert.equal(txt.status, 200);
    assert.match(txt.text, /\] Ann: only for us\n$/);
  });

  it('the archive lists who came and every playback action with who did it, in order', async () => {
    const { room, access_key: key } = await createRoom(k, owner.cookie, { title: 'Timeline', visibility: 'private' });
    const guest = await joinedGuest(k, room.slug, { display_name: 'Gus', key });
    const ann = await connect(k, room.slug, { cookie: owner.cookie });
    const gus = await connect(k, room.slug, { cookie: guest.cookie });
    const controls = [
      [ann, { action: 'play', position_s: 0 }],
      [gus, { action: 'pause', position_s: 12.5 }],
      [ann, { action: 'seek', position_s: 754 }],
      [gus, { action: 'volume', volume: 0.4 }],
    ];
    for (const [who, control] of controls) {
      const from = who.frames.length;
      who.send({ type: 'playback.control', ...control });
      await who.waitFor((f) => f.type === 'playback.state' && f.state?.action === control.action, 5000, control.action, from);
      await sleep(300);  // apart from the next (closer ones are merged into one state)
    }
    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie })).status, 200);

    const res = await get(k, `/api/v1/rooms/${room.slug}/archive`, { cookie: guest.cookie });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.room.status, 'ended');
    assert.deepEqual(res.json.people.map((p) => p.name), ['Gus', 'Ann'], 'the grant holder, then the owner who came in');
    assert.match(res.json.people[0].joined_at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(res.json.people.every((p) => p.visits.length === 1 && p.visits[0].left_at), 'each was there once, until the end');
    const actions = res.json.timeline.filter((e) => e.by);
    assert.deepEqual(actions.map((e) => [e.action, e.by.name]), [['play', 'Ann'], ['pause', 'Gus'], ['seek', 'Ann'], ['volume', 'Gus']]);
    assert.equal(actions[2].position_s, 754);
    assert.equal(actions[3].volume, 0.4);
    assert.ok(actions.every((e, i) => i === 0 || (e.seq > actions[i - 1].seq && Date.parse(e.at) >= Date.parse(actions[i - 1].at))));
    assertError(await get(k, `/api/v1/rooms/${room.slug}/archive`), 403, 'room_private');
  });

  it('an empty chat is an empty transcript, not an error', async () => {
    const { room } = await createRoom(k, owner.cookie, { title: 'Quiet' });
    const json = await get(k, `/api/v1/rooms/${room.slug}/transcript.json`, { cookie: owner.cookie });
    assert.equal(json.status, 200);
    assert.deepEqual(json.json.messages, []);
    const txt = await get(k, `/api/v1/rooms/${room.slug}/transcript.txt`, { cookie: owner.cookie });
    assert.match(txt.text, /Messages: 0\n\n$/);
  });
});
