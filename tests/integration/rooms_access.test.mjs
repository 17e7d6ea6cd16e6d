// Rooms API: joining (guests and users), grants (bound to the guest cookie or to the account), room keys
// (access keys normalised, passwords exact), the wrong-key rate limits (per IP and per room, from env),
// and KINO_ROOMS_GUESTS_ALLOWED=false.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  get, post, assertError, registerUser, relaxedLimits, cookieFrom, namedCookie, guestCookieFrom,
  createRoom, assertRateLimited, sleep, VIDEO_URL,
} from './http.mjs';

const roomsEnv = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };
const join = (k, slug, body = {}, cookie) => post(k, `/api/v1/rooms/${slug}/join`, body, { cookie });
const getRoom = (k, slug, cookie) => get(k, `/api/v1/rooms/${slug}`, { cookie });
const hasGuestCookie = (res) => res.cookies.some((c) => /^\s*kino_guest=[^;]+/i.test(c));

/** Joins as a guest and asserts success; returns {res, cookie}. */
async function joinAsGuest(k, slug, body) {
  const res = await join(k, slug, body);
  assert.equal(res.status, 200, `guest join ${slug}: ${res.status} ${res.text.slice(0, 300)}`);
  return { res, cookie: guestCookieFrom(res) };
}

describe('joining', () => {
  let k;
  let owner;
  before(async () => {
    // Many wrong keys on purpose below: the join limits are raised out of the way here.
    k = await startKino({
      env: { ...roomsEnv, KINO_ROOMS_JOIN_IP_MAX_FAILURES: '1000', KINO_ROOMS_JOIN_ROOM_MAX_FAILURES: '1000' },
    });
    owner = await registerUser(k, { display_name: 'Olga Owner' });
  });
  after(async () => { await k?.stop(); });

  describe('public rooms', () => {
    it('lets a guest join with a display name: 200 {grant, room} and an HttpOnly SameSite=Lax kino_guest cookie', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const res = await join(k, room.slug, { display_name: 'Gina Guest' });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.grant, { room: room.slug, display_name: 'Gina Guest', guest: true });
      assert.equal(res.json.room.slug, room.slug);
      assert.equal(res.json.room.joined, true);
      assert.equal(res.json.room.is_owner, false);
      assert.equal(res.json.room.display_name, 'Gina Guest');
      assert.equal(res.json.room.video_url, VIDEO_URL, 'video_url once joined');
      const c = namedCookie(res, 'kino_guest');
      assert.ok(c && c.value.length >= 16, `a kino_guest cookie with an unguessable value: ${res.cookies}`);
      assert.equal(c.attributes.httponly, true, `HttpOnly: ${c.line}`);
      assert.equal(String(c.attributes.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${c.line}`);
      assert.equal(c.attributes.path, '/', `Path=/: ${c.line}`);
      assert.equal(namedCookie(res, 'kino_session'), undefined, 'a guest gets no session');
    });

    it('remembers the guest: a later GET with the cookie shows joined, display_name and video_url', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const { cookie } = await joinAsGuest(k, room.slug, { display_name: 'Greta' });
      const mine = await getRoom(k, room.slug, cookie);
      assert.equal(mine.status, 200, mine.text);
      assert.equal(mine.json.room.joined, true);
      assert.equal(mine.json.room.display_name, 'Greta');
      assert.equal(mine.json.room.video_url, VIDEO_URL);
      const anon = await getRoom(k, room.slug);
      assert.equal(anon.json.room.joined, false);
      assert.equal(Object.hasOwn(anon.json.room, 'video_url'), false);
    });

    it('requires a display name from a guest (422 invalid_field display_name), without setting a cookie', async () => {
      const { room } = await createRoom(k, owner.cookie);
      for (const body of [{}, { display_name: '' }, { display_name: 42 }]) {
        const res = await join(k, room.slug, body);
        assertError(res, 422, 'invalid_field', 'display_name');
        assert.equal(hasGuestCookie(res), false, `no guest cookie on 422: ${res.cookies}`);
      }
    });

    it('answers 404 room_not_found when joining an unknown room', async () => {
      assertError(await join(k, 'zzzzzzzzzz', { display_name: 'Lost' }), 404, 'room_not_found');
    });

    it('lets a user join without a display name: grant with guest false and the account display name', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const u = await registerUser(k, { display_name: 'Uma User' });
      const res = await join(k, room.slug, {}, u.cookie);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.grant, { room: room.slug, display_name: 'Uma User', guest: false });
      assert.equal(res.json.room.joined, true);
      assert.equal(res.json.room.video_url, VIDEO_URL);
    });
  });

  describe('private rooms with an access key', () => {
    let keyed;
    before(async () => { keyed = await createRoom(k, owner.cookie, { visibility: 'private' }); });

    it('answers 403 room_key_required without a key', async () => {
      for (const body of [{ display_name: 'G' }, { display_name: 'G', key: '' }]) {
        const res = await join(k, keyed.room.slug, body);
        assertError(res, 403, 'room_key_required');
        assert.equal(hasGuestCookie(res), false);
      }
    });

    it('answers 403 wrong_room_key (field key) for a wrong key, without a grant', async () => {
      const flipped = keyed.access_key.slice(0, -1) + (keyed.access_key.endsWith('z') ? 'y' : 'z');
      const other = await createRoom(k, owner.cookie, { visibility: 'private' });
      for (const key of [flipped, other.access_key, 'not-the-key', keyed.access_key.slice(0, 14)]) {
        const res = await join(k, keyed.room.slug, { display_name: 'G', key });
        assertError(res, 403, 'wrong_room_key', 'key');
        assert.equal(hasGuestCookie(res), false, `no guest cookie on a wrong key (${key})`);
      }
    });

    it('admits a guest with the right key; the same cookie then sees the room, another guest does not', async () => {
      const { room } = keyed;
      const { res, cookie } = await joinAsGuest(k, room.slug, { display_name: 'Kim', key: keyed.access_key });
      assert.deepEqual(res.json.grant, { room: room.slug, display_name: 'Kim', guest: true });
      assert.equal(res.json.room.video_url, VIDEO_URL);
      const again = await getRoom(k, room.slug, cookie);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.room.joined, true);
      assert.equal(again.json.room.display_name, 'Kim');
      assert.equal(again.json.room.title, room.title);
      const bare = keyed.access_key.replaceAll('-', '');
      for (const text of [res.text.toLowerCase(), again.text.toLowerCase()]) {
        assert.ok(!text.includes(keyed.access_key) && !text.includes(bare), `the key is never echoed: ${text}`);
      }

      // A guest with a valid cookie from another (public) room has no grant for this one.
      const pub = await createRoom(k, owner.cookie);
      const other = await joinAsGuest(k, pub.room.slug, { display_name: 'Otto' });
      assertError(await getRoom(k, room.slug, other.cookie), 403, 'room_private');
      assertError(await getRoom(k, room.slug), 403, 'room_private');
      assertError(await getRoom(k, room.slug, 'kino_guest=forged-value-0123456789abcdef'), 403, 'room_private');
      // The key holder's grant is not for other private rooms either.
      const second = await createRoom(k, owner.cookie, { visibility: 'private' });
      assertError(await getRoom(k, second.room.slug, cookie), 403, 'room_private');
    });

    it('matches access keys ignoring case, dashes and spaces', async () => {
      const key = keyed.access_key;
      const bare = key.replaceAll('-', '');
      const variants = [
        key.toUpperCase(),
        bare,
        bare.toUpperCase(),
        key.replaceAll('-', ' '),
        ` ${key} `,
        `${bare.slice(0, 8)}-${bare.slice(8)}`,
        bare.split('').join(' '),
      ];
      for (const variant of variants) {
        const res = await join(k, keyed.room.slug, { display_name: 'Norma', key: variant });
        assert.equal(res.status, 200, `key ${JSON.stringify(variant)}: ${res.status} ${res.text}`);
        const cookie = guestCookieFrom(res);
        assert.equal((await getRoom(k, keyed.room.slug, cookie)).status, 200);
      }
    });

    it('accepts the key under the names access_key and password too', async () => {
      for (const name of ['access_key', 'password']) {
        const res = await join(k, keyed.room.slug, { display_name: 'Alias', [name]: keyed.access_key });
        assert.equal(res.status, 200, `${name}: ${res.text}`);
      }
      const wrong = await join(k, keyed.room.slug, { display_name: 'Alias', access_key: 'aaaa-bbbb-cccc-dddd' });
      assertError(wrong, 403, 'wrong_room_key', 'key');
    });

    it('lets the owner join without a key', async () => {
      const res = await join(k, keyed.room.slug, {}, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.grant.guest, false);
      assert.equal(res.json.grant.display_name, 'Olga Owner');
      assert.equal(res.json.room.is_owner, true);
    });

    it("binds a user's grant to the account: it survives logout and login, and is not another user's", async () => {
      const room = (await createRoom(k, owner.cookie, { visibility: 'private' }));
      const u = await registerUser(k);
      assertError(await getRoom(k, room.room.slug, u.cookie), 403, 'room_private');
      const res = await join(k, room.room.slug, { key: room.access_key }, u.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.grant.guest, false);
      assert.equal((await getRoom(k, room.room.slug, u.cookie)).status, 200);

      assert.equal((await post(k, '/api/v1/auth/logout', undefined, { cookie: u.cookie })).status, 204);
      assertError(await getRoom(k, room.room.slug, u.cookie), 403, 'room_private');
      const login = await post(k, '/api/v1/auth/login', { username: u.username, password: u.password });
      assert.equal(login.status, 200, login.text);
      const fresh = await getRoom(k, room.room.slug, cookieFrom(login));
      assert.equal(fresh.status, 200, `grant survives a new session: ${fresh.text}`);
      assert.equal(fresh.json.room.joined, true);

      const stranger = await registerUser(k);
      assertError(await getRoom(k, room.room.slug, stranger.cookie), 403, 'room_private');
    });
  });

  describe('private rooms with a password', () => {
    const PASSWORD = 'Open-Sesame 42';
    let room;
    before(async () => { ({ room } = await createRoom(k, owner.cookie, { visibility: 'private', password: PASSWORD })); });

    it('answers 403 room_key_required without a password', async () => {
      assertError(await join(k, room.slug, { display_name: 'P' }), 403, 'room_key_required');
    });

    it('admits with the exact password (as key, password or access_key)', async () => {
      for (const name of ['key', 'password', 'access_key']) {
        const res = await join(k, room.slug, { display_name: 'Pat', [name]: PASSWORD });
        assert.equal(res.status, 200, `${name}: ${res.text}`);
        assert.equal((await getRoom(k, room.slug, guestCookieFrom(res))).status, 200);
      }
    });

    it('matches passwords exactly: case, dashes and spaces count', async () => {
      for (const attempt of [PASSWORD.toLowerCase(), PASSWORD.toUpperCase(), 'OpenSesame42', 'Open-Sesame42',
        `${PASSWORD} `, ` ${PASSWORD}`]) {
        const res = await join(k, room.slug, { display_name: 'Pat', key: attempt });
        assertError(res, 403, 'wrong_room_key', 'key');
        assert.equal(hasGuestCookie(res), false);
      }
    });
  });
});

describe('wrong-key rate limit per IP (KINO_ROOMS_JOIN_IP_MAX_FAILURES)', () => {
  const IP_MAX = 3;
  let k;
  let owner;
  before(async () => {
    k = await startKino({
      env: {
        ...roomsEnv,
        KINO_ROOMS_JOIN_IP_MAX_FAILURES: String(IP_MAX),
        KINO_ROOMS_JOIN_ROOM_MAX_FAILURES: '1000',
        KINO_ROOMS_JOIN_WINDOW_S: '600',
      },
    });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('counts wrong keys across rooms from one IP, then answers 429 + Retry-After even for the right key', async () => {
    const a = await createRoom(k, owner.cookie, { visibility: 'private' });
    const b = await createRoom(k, owner.cookie, { visibility: 'private', password: 'b-password' });
    const c = await createRoom(k, owner.cookie, { visibility: 'private' });
    // IP_MAX failures spread over two rooms (and over two kinds of protection), each answered 403.
    assertError(await join(k, a.room.slug, { display_name: 'G1', key: 'wrong-1' }), 403, 'wrong_room_key', 'key');
    assertError(await join(k, b.room.slug, { display_name: 'G2', key: 'wrong-2' }), 403, 'wrong_room_key', 'key');
    assertError(await join(k, a.room.slug, { display_name: 'G3', key: 'wrong-3' }), 403, 'wrong_room_key', 'key');
    const limited = await join(k, c.room.slug, { display_name: 'G4', key: c.access_key });
    const retryAfter = assertRateLimited(limited);
    assert.ok(retryAfter <= 600, `Retry-After within the window: ${retryAfter}`);
    assert.equal(hasGuestCookie(limited), false, 'a 429 grants nothing');
    assertRateLimited(await join(k, a.room.slug, { display_name: 'G5', key: a.access_key }));
    assertRateLimited(await join(k, b.room.slug, { display_name: 'G6', key: 'b-password' }));
    assertRateLimited(await join(k, c.room.slug, { display_name: 'G7', key: 'still-wrong' }));
  });
});

describe('wrong-key rate limit per IP: below the limit', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({
      env: { ...roomsEnv, KINO_ROOMS_JOIN_IP_MAX_FAILURES: '3', KINO_ROOMS_JOIN_ROOM_MAX_FAILURES: '1000' },
    });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('lets the right key through after N-1 failures', async () => {
    const a = await createRoom(k, owner.cookie, { visibility: 'private' });
    for (let i = 0; i < 2; i += 1) {
      assertError(await join(k, a.room.slug, { display_name: 'G', key: `wrong-${i}` }), 403, 'wrong_room_key');
    }
    const res = await join(k, a.room.slug, { display_name: 'G', key: a.access_key });
    assert.equal(res.status, 200, res.text);
  });
});

describe('wrong-key rate limit per room (KINO_ROOMS_JOIN_ROOM_MAX_FAILURES)', () => {
  const ROOM_MAX = 3;
  let k;
  let owner;
  before(async () => {
    k = await startKino({
      env: {
        ...roomsEnv,
        KINO_ROOMS_JOIN_IP_MAX_FAILURES: '1000',
        KINO_ROOMS_JOIN_ROOM_MAX_FAILURES: String(ROOM_MAX),
        KINO_ROOMS_JOIN_WINDOW_S: '600',
      },
    });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('limits one room after N failures by different guests and users, even for the right key; other rooms stay open', async () => {
    const target = await createRoom(k, owner.cookie, { visibility: 'private' });
    const spare = await createRoom(k, owner.cookie, { visibility: 'private' });
    const user = await registerUser(k);
    // Two different guests (separate cookies) and a user; every attempt from a fresh client.
    const g1 = await join(k, target.room.slug, { display_name: 'Guest one', key: 'aaaa-aaaa-aaaa-aaaa' });
    assertError(g1, 403, 'wrong_room_key', 'key');
    const g2 = await join(k, target.room.slug, { display_name: 'Guest two', key: 'bbbb-bbbb-bbbb-bbbb' });
    assertError(g2, 403, 'wrong_room_key', 'key');
    assertError(await join(k, target.room.slug, { key: 'cccc-cccc-cccc-cccc' }, user.cookie), 403, 'wrong_room_key');

    const limited = await join(k, target.room.slug, { display_name: 'Guest three', key: target.access_key });
    const retryAfter = assertRateLimited(limited);
    assert.ok(retryAfter <= 600, `Retry-After within the window: ${retryAfter}`);
    assert.equal(hasGuestCookie(limited), false);
    assertRateLimited(await join(k, target.room.slug, { key: target.access_key }, (await registerUser(k)).cookie));

    // Not an IP limit: the same client still joins another private room with its key.
    const ok = await join(k, spare.room.slug, { display_name: 'Guest four', key: spare.access_key });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('wrong-key rate limit window (KINO_ROOMS_JOIN_WINDOW_S)', () => {
  const WINDOW_S = 3;
  let k;
  let owner;
  before(async () => {
    k = await startKino({
      env: {
        ...roomsEnv,
        KINO_ROOMS_JOIN_IP_MAX_FAILURES: '2',
        KINO_ROOMS_JOIN_ROOM_MAX_FAILURES: '1000',
        KINO_ROOMS_JOIN_WINDOW_S: String(WINDOW_S),
      },
    });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('lifts the limit after Retry-After seconds (at most the window)', async () => {
    const a = await createRoom(k, owner.cookie, { visibility: 'private' });
    for (let i = 0; i < 2; i += 1) await join(k, a.room.slug, { display_name: 'G', key: `wrong-${i}` });
    const retryAfter = assertRateLimited(await join(k, a.room.slug, { display_name: 'G', key: a.access_key }));
    assert.ok(retryAfter <= WINDOW_S, `Retry-After ${retryAfter} <= window ${WINDOW_S}`);
    await sleep(retryAfter * 1000 + 300);
    const res = await join(k, a.room.slug, { display_name: 'G', key: a.access_key });
    assert.equal(res.status, 200, `after Retry-After: ${res.status} ${res.text}`);
  });
});

describe('guests disabled (KINO_ROOMS_GUESTS_ALLOWED=false)', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: { ...roomsEnv, KINO_ROOMS_GUESTS_ALLOWED: 'false' } });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('answers 401 account_required to a guest, for public and private rooms, without a guest cookie', async () => {
    const pub = await createRoom(k, owner.cookie);
    const priv = await createRoom(k, owner.cookie, { visibility: 'private' });
    for (const [slug, body] of [[pub.room.slug, { display_name: 'Guest' }],
      [priv.room.slug, { display_name: 'Guest', key: priv.access_key }]]) {
      const res = await join(k, slug, body);
      assertError(res, 401, 'account_required');
      assert.equal(hasGuestCookie(res), false);
    }
    assertError(await getRoom(k, priv.room.slug), 403, 'room_private');
  });

  it('still lets users join', async () => {
    const pub = await createRoom(k, owner.cookie);
    const priv = await createRoom(k, owner.cookie, { visibility: 'private' });
    const u = await registerUser(k);
    const a = await join(k, pub.room.slug, {}, u.cookie);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.grant.guest, false);
    const b = await join(k, priv.room.slug, { key: priv.access_key }, u.cookie);
    assert.equal(b.status, 200, b.text);
    assert.equal((await getRoom(k, priv.room.slug, u.cookie)).status, 200);
  });
});
