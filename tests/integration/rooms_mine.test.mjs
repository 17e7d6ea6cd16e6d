// "My rooms" (GET /api/v1/me/rooms) and a private room's new key (POST /api/v1/rooms/{slug}/key):
// a signed-in person finds every room they created or were let into, private and ended ones
// included; the owner gives a private room a new access key or password, the old one stops working
// and whoever is in stays in.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, post, registerUser, relaxedLimits, createRoom, assertError, guestCookieFrom } from './http.mjs';

let k;
let olga;
let bo;
before(async () => {
  k = await startKino({ env: { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' } });
  olga = await registerUser(k, { display_name: 'Olga' });
  bo = await registerUser(k, { display_name: 'Bo' });
});
after(async () => { await k?.stop(); });

const mine = async (cookie) => {
  const res = await get(k, '/api/v1/me/rooms', { cookie });
  assert.equal(res.status, 200, res.text);
  return res.json.rooms;
};

describe('GET /api/v1/me/rooms', () => {
  it('lists what I created and what I was let into, private and ended ones too, newest first; not others\' rooms', async () => {
    const secret = await createRoom(k, olga.cookie, { title: 'Olga private', visibility: 'private' });
    const ended = await createRoom(k, olga.cookie, { title: 'Olga ended' });
    assert.equal((await post(k, `/api/v1/rooms/${ended.room.slug}/end`, {}, { cookie: olga.cookie })).status, 200);
    const bos = await createRoom(k, bo.cookie, { title: 'Bo private', visibility: 'private', password: 'popcorn-42' });
    await createRoom(k, bo.cookie, { title: 'Bo never visited by Olga' });
    assert.equal((await post(k, `/api/v1/rooms/${bos.room.slug}/join`, { key: 'popcorn-42' }, { cookie: olga.cookie })).status, 200);

    const rooms = await mine(olga.cookie);
    assert.deepEqual(rooms.map((r) => r.title), ['Bo private', 'Olga ended', 'Olga private']);
    assert.deepEqual(rooms.map((r) => [r.is_owner, r.joined, r.status]), [[false, true, 'live'], [true, true, 'ended'], [true, true, 'live']]);
    assert.equal(rooms[2].protected_by, 'access_key');
    assert.equal(rooms[2].url, `${k.url}/r/${secret.room.slug}`);
    assert.ok(!JSON.stringify(rooms).includes('key_hash'));
  });

  it('is for signed-in people only', async () => {
    assertError(await get(k, '/api/v1/me/rooms'), 401, 'not_authenticated');
  });
});

describe('POST /api/v1/rooms/{slug}/key', () => {
  it('gives a new access key (shown once); the old one stops working; a guest already in stays in', async () => {
    const { room, access_key: oldKey } = await createRoom(k, olga.cookie, { visibility: 'private' });
    const gus = await post(k, `/api/v1/rooms/${room.slug}/join`, { key: oldKey, display_name: 'Gus' });
    assert.equal(gus.status, 200, gus.text);

    const res = await post(k, `/api/v1/rooms/${room.slug}/key`, {}, { cookie: olga.cookie });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.access_key, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    assert.notEqual(res.json.access_key, oldKey);
    assert.equal(res.json.url, `${k.url}/r/${room.slug}`);

    assertError(await post(k, `/api/v1/rooms/${room.slug}/join`, { key: oldKey, display_name: 'Late' }), 403, 'wrong_room_key', 'key');
    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/join`, { key: res.json.access_key, display_name: 'New' })).status, 200);
    const stays = await get(k, `/api/v1/rooms/${room.slug}`, { cookie: guestCookieFrom(gus) });
    assert.equal(stays.status, 200, 'Gus is still in');
  });

  it('sets a password instead, checked like at creation; only the owner, only private rooms that have not ended', async () => {
    const { room } = await createRoom(k, olga.cookie, { visibility: 'private' });
    assertError(await post(k, `/api/v1/rooms/${room.slug}/key`, { password: '123' }, { cookie: olga.cookie }), 422, 'invalid_field', 'password');
    const res = await post(k, `/api/v1/rooms/${room.slug}/key`, { password: 'new-popcorn' }, { cookie: olga.cookie });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.access_key, undefined);
    assert.equal(res.json.room.protected_by, 'password');
    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/join`, { key: 'new-popcorn', display_name: 'P' })).status, 200);

    assertError(await post(k, `/api/v1/rooms/${room.slug}/key`, {}, { cookie: bo.cookie }), 403, 'not_owner');
    assertError(await post(k, `/api/v1/rooms/${room.slug}/key`, {}), 401, 'not_authenticated');
    const open = await createRoom(k, olga.cookie);
    assertError(await post(k, `/api/v1/rooms/${open.room.slug}/key`, {}, { cookie: olga.cookie }), 409, 'room_public');
    assert.equal((await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: olga.cookie })).status, 200);
    assertError(await post(k, `/api/v1/rooms/${room.slug}/key`, {}, { cookie: olga.cookie }), 409, 'room_ended');
    assertError(await post(k, '/api/v1/rooms/nosuchroom/key', {}, { cookie: olga.cookie }), 404, 'room_not_found');
  });
});
