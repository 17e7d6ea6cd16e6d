// Rooms API: create (validation, shape, access keys), list (public only, live vs scheduled, order), get
// (404 / 403 / owner / anyone), and the CSRF defence on room POSTs and PATCH.
// Joining and grants: rooms_access.test.mjs; clock-driven lifecycle and edits: rooms_lifecycle.test.mjs;
// calendar.ics: rooms_calendar.test.mjs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  get, post, request, rawRequest, assertError, assertRateLimited, advanceClock, assertBadInput, registerUser, relaxedLimits, uniqueName,
  cookieFrom, createRoom, serverIso, serverNow, SLUG_RE, ACCESS_KEY_RE, VIDEO_URL,
} from './http.mjs';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

let k;
let owner;
before(async () => {
  k = await startKino({ env: { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' } });
  owner = await registerUser(k, { display_name: 'Olga Owner' });
});
after(async () => { await k?.stop(); });

const createRaw = (body, opts = {}) => post(k, '/api/v1/rooms', body, { cookie: owner.cookie, ...opts });
const valid = (extra = {}) => ({ title: 'Movie night', video_url: VIDEO_URL, visibility: 'public', ...extra });
const listRooms = async (query = '', cookie) => {
  const res = await get(k, `/api/v1/rooms${query}`, { cookie });
  assert.equal(res.status, 200, `list ${query}: ${res.text.slice(0, 300)}`);
  assert.ok(Array.isArray(res.json?.rooms), `{rooms: [...]}: ${res.text.slice(0, 300)}`);
  return res.json.rooms;
};
const slugs = (rooms) => rooms.map((r) => r.slug);

describe('POST /api/v1/rooms: authentication', () => {
  it('answers 401 not_authenticated when logged out, and creates nothing', async () => {
    const title = `Anonymous ${uniqueName('t')}`;
    const res = await post(k, '/api/v1/rooms', valid({ title }));
    assertError(res, 401, 'not_authenticated');
    assert.ok(!(await listRooms()).some((r) => r.title === title), 'no room was created');
  });

  it('answers 401 with a revoked session', async () => {
    const u = await registerUser(k);
    assert.equal((await post(k, '/api/v1/auth/logout', undefined, { cookie: u.cookie })).status, 204);
    assertError(await createRaw(valid(), { cookie: u.cookie }), 401, 'not_authenticated');
  });
});

describe('POST /api/v1/rooms: validation (422 invalid_field with the field)', () => {
  const longUrl = `https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`;
  const cases = [
    ['title missing', { title: undefined }, 'title'],
    ['title empty', { title: '' }, 'title'],
    ['title 121 characters', { title: 'x'.repeat(121) }, 'title'],
    ['title not a string', { title: 42 }, 'title'],
    ['video_url missing', { video_url: undefined }, 'video_url'],
    ['video_url empty', { video_url: '' }, 'video_url'],
    ['video_url not a URL', { video_url: 'not a url' }, 'video_url'],
    ['video_url ftp scheme', { video_url: 'ftp://example.com/movie.mp4' }, 'video_url'],
    ['video_url javascript scheme', { video_url: 'javascript:alert(1)' }, 'video_url'],
    ['video_url without host', { video_url: 'https:///movie.mp4' }, 'video_url'],
    ['video_url of 2049 characters', { video_url: longUrl }, 'video_url'],
    ['visibility missing', { visibility: undefined }, 'visibility'],
    ['visibility unknown', { visibility: 'secret' }, 'visibility'],
    ['visibility in capitals', { visibility: 'PUBLIC' }, 'visibility'],
    ['password of 5 characters', { visibility: 'private', password: '12345' }, 'password'],
    ['password of 129 characters', { visibility: 'private', password: 'p'.repeat(129) }, 'password'],
    ['password not a string', { visibility: 'private', password: 123456 }, 'password'],
    ['starts_at without a zone', { starts_at: () => serverIso(k, 2 * 86400).slice(0, 19) }, 'starts_at'],
    ['starts_at not a date', { starts_at: 'tomorrow evening' }, 'starts_at'],
    ['starts_at date only', { starts_at: () => serverIso(k, 2 * 86400).slice(0, 10) }, 'starts_at'],
    ['starts_at impossible date', { starts_at: () => `${serverIso(k, 2 * 86400).slice(0, 5)}02-30T10:00:00Z` }, 'starts_at'],
    ['starts_at not a string', { starts_at: 1700000000 }, 'starts_at'],
    ['starts_at 10 minutes in the past', { starts_at: () => serverIso(k, -600) }, 'starts_at'],
    ['starts_at 367 days ahead', { starts_at: () => serverIso(k, 367 * 86400) }, 'starts_at'],
    ['duration_minutes 0', { duration_minutes: 0 }, 'duration_minutes'],
    ['duration_minutes 1441', { duration_minutes: 1441 }, 'duration_minutes'],
    ['duration_minutes negative', { duration_minutes: -5 }, 'duration_minutes'],
    ['duration_minutes fractional', { duration_minutes: 1.5 }, 'duration_minutes'],
    ['duration_minutes a string', { duration_minutes: '60' }, 'duration_minutes'],
    ['description of 2001 characters', { description: 'd'.repeat(2001) }, 'description'],
    ['description not a string', { description: ['a'] }, 'description'],
  ];
  for (const [label, patch, field] of cases) {
    it(`rejects ${label} (field ${field})`, async () => {
      const body = valid({ title: `Invalid ${uniqueName('t')}` });
      for (const [key, v] of Object.entries(patch)) {
        if (v === undefined) delete body[key];
        else body[key] = typeof v === 'function' ? v() : v;
      }
      const res = await createRaw(body);
      assertError(res, 422, 'invalid_field', field);
      if (field !== 'title') assert.ok(!(await listRooms()).some((r) => r.title === body.title), 'nothing created');
    });
  }

  it('rejects a body that is not JSON (400 malformed_json or 422), never 500', async () => {
    assertBadInput(await request(k, 'POST', '/api/v1/rooms', { raw: '{"title": ', cookie: owner.cookie }));
    assertBadInput(await request(k, 'POST', '/api/v1/rooms', { raw: '[]', cookie: owner.cookie }));
  });

  it('accepts the boundaries: 120-character title, 1 and 1440 minutes, 2000-character description, 6/128-character passwords', async () => {
    const t120 = 'é'.repeat(120); // characters, not bytes (240 octets in UTF-8)
    assert.equal((await createRoom(k, owner.cookie, { title: t120 })).room.title, t120);
    assert.equal((await createRoom(k, owner.cookie, { title: 'T' })).room.title, 'T');
    assert.equal((await createRoom(k, owner.cookie, { duration_minutes: 1 })).room.duration_minutes, 1);
    assert.equal((await createRoom(k, owner.cookie, { duration_minutes: 1440 })).room.duration_minutes, 1440);
    const d2000 = 'd'.repeat(2000);
    assert.equal((await createRoom(k, owner.cookie, { description: d2000 })).room.description, d2000);
    for (const password of ['123456', 'p'.repeat(128)]) {
      const created = await createRoom(k, owner.cookie, { visibility: 'private', password });
      assert.equal(created.room.protected_by, 'password');
    }
    const u2048 = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    assert.equal((await createRoom(k, owner.cookie, { video_url: u2048 })).room.video_url, u2048);
    assert.equal((await createRoom(k, owner.cookie, { video_url: 'http://example.com/v' })).room.video_url,
      'http://example.com/v');
  });

  it('accepts starts_at 365 days ahead (scheduled) and 2 minutes in the past (live at once)', async () => {
    const far = serverIso(k, 365 * 86400);
    const a = await createRoom(k, owner.cookie, { starts_at: far });
    assert.equal(a.room.status, 'scheduled');
    assert.equal(Date.parse(a.room.starts_at), Date.parse(far));
    const b = await createRoom(k, owner.cookie, { starts_at: serverIso(k, -120) });
    assert.equal(b.room.status, 'live');
    assert.equal(typeof b.room.live_at, 'string');
  });

  it('accepts starts_at with a numeric zone offset and returns the same instant in UTC', async () => {
    const instant = serverNow(k) + 2 * 86400_000;
    const shifted = new Date(instant + 2 * 3600_000).toISOString().slice(0, 19); // local time at +02:00
    const created = await createRoom(k, owner.cookie, { starts_at: `${shifted}+02:00` });
    assert.match(created.room.starts_at, RFC3339_UTC);
    assert.equal(Date.parse(created.room.starts_at), Math.floor(instant / 1000) * 1000);
    assert.equal(created.room.status, 'scheduled');
  });
});

describe('POST /api/v1/rooms: 201 shape', () => {
  it('returns {room, url} with the full room object for a public live room', async () => {
    const title = `Shape ${uniqueName('t')}`;
    const res = await createRaw(valid({ title, description: 'Bring popcorn', duration_minutes: 95 }));
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/);
    const { room, url } = res.json;
    assert.equal(Object.hasOwn(res.json, 'access_key'), false, 'no access_key for a public room');
    assert.match(room.slug, SLUG_RE);
    assert.equal(room.url, `${k.url}/r/${room.slug}`);
    assert.equal(url, room.url);
    assert.equal(room.title, title);
    assert.equal(room.description, 'Bring popcorn');
    assert.equal(room.visibility, 'public');
    assert.equal(room.status, 'live');
    assert.equal(room.starts_at, null);
    assert.equal(room.duration_minutes, 95);
    assert.deepEqual(room.owner, { id: owner.user.id, username: owner.username, display_name: 'Olga Owner' });
    assert.equal(room.participants, 0);
    // Creating a room queues the video's ingest job (this server runs no ingest workers).
    assert.equal(room.media.state, 'queued');
    assert.equal(room.media.playable, false);
    assert.equal(room.media.hls_url, undefined);
    assert.match(room.created_at, RFC3339_UTC);
    assert.ok(Math.abs(Date.parse(room.created_at) - Date.now()) < 60_000, `created_at is now: ${room.created_at}`);
    assert.match(room.live_at, RFC3339_UTC);
    assert.equal(room.ended_at, null);
    assert.equal(room.ended_reason, null);
    assert.equal(room.is_owner, true);
    assert.equal(room.joined, true, 'the owner counts as joined');
    assert.equal(room.video_url, VIDEO_URL, 'video_url is shown to the (joined) owner');
    assert.equal(Object.hasOwn(room, 'protected_by'), false, 'protected_by only on private rooms');
  });

  it("builds the room url from the request's Host", async () => {
    const { room } = await createRoom(k, owner.cookie);
    const port = new URL(k.url).port;
    const res = await rawRequest(k.url, { path: `/api/v1/rooms/${room.slug}`, headers: { Host: `localhost:${port}` } });
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(res.text).room.url, `http://localhost:${port}/r/${room.slug}`);
  });

  it('uses a default duration within 1..1440 when none is given', async () => {
    const { room } = await createRoom(k, owner.cookie);
    assert.ok(Number.isInteger(room.duration_minutes), `integer: ${room.duration_minutes}`);
    assert.ok(room.duration_minutes >= 1 && room.duration_minutes <= 1440, `${room.duration_minutes}`);
  });

  it('makes a room with a future starts_at scheduled, with live_at null', async () => {
    const startsAt = serverIso(k, 3600);
    const { room } = await createRoom(k, owner.cookie, { starts_at: startsAt });
    assert.equal(room.status, 'scheduled');
    assert.equal(Date.parse(room.starts_at), Date.parse(startsAt));
    assert.match(room.starts_at, RFC3339_UTC);
    assert.equal(room.live_at, null);
  });

  it('gives every room a distinct slug', async () => {
    const seen = new Set();
    for (let i = 0; i < 15; i += 1) {
      const { room } = await createRoom(k, owner.cookie, { visibility: i % 2 ? 'public' : 'private' });
      assert.match(room.slug, SLUG_RE);
      assert.ok(!seen.has(room.slug), `duplicate slug ${room.slug}`);
      seen.add(room.slug);
    }
  });

  it('returns an access_key (xxxx-xxxx-xxxx-xxxx) only for a private room without a password', async () => {
    const keyed = await createRoom(k, owner.cookie, { visibility: 'private' });
    assert.match(keyed.access_key, ACCESS_KEY_RE);
    assert.equal(keyed.room.visibility, 'private');
    assert.equal(keyed.room.protected_by, 'access_key');
    const other = await createRoom(k, owner.cookie, { visibility: 'private' });
    assert.match(other.access_key, ACCESS_KEY_RE);
    assert.notEqual(other.access_key, keyed.access_key, 'each room has its own key');

    const withPassword = await createRoom(k, owner.cookie, { visibility: 'private', password: 'sesame-123' });
    assert.equal(Object.hasOwn(withPassword, 'access_key'), false, 'no access_key when a password is set');
    assert.equal(withPassword.room.protected_by, 'password');
    assert.ok(!JSON.stringify(withPassword).includes('sesame-123'), 'the password is never echoed');
  });

  it('never shows the access key or the password again (GET as owner, join as owner)', async () => {
    const keyed = await createRoom(k, owner.cookie, { visibility: 'private' });
    const bare = keyed.access_key.replaceAll('-', '');
    for (const res of [
      await get(k, `/api/v1/rooms/${keyed.room.slug}`, { cookie: owner.cookie }),
      await post(k, `/api/v1/rooms/${keyed.room.slug}/join`, {}, { cookie: owner.cookie }),
    ]) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.protected_by, 'access_key');
      assert.ok(!res.text.toLowerCase().includes(keyed.access_key), `key leaked: ${res.text}`);
      assert.ok(!res.text.toLowerCase().includes(bare), `key leaked (without dashes): ${res.text}`);
      assert.equal(Object.hasOwn(res.json, 'access_key'), false);
    }
    const pw = await createRoom(k, owner.cookie, { visibility: 'private', password: 'Pa55word-xyz' });
    const res = await get(k, `/api/v1/rooms/${pw.room.slug}`, { cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.text.includes('Pa55word-xyz'), `password leaked: ${res.text}`);
    assert.equal(Object.hasOwn(res.json.room, 'password'), false);
  });
});

describe('GET /api/v1/rooms (list)', () => {
  it('lists public live rooms by default, never private ones (not even to their owner)', async () => {
    const pub = await createRoom(k, owner.cookie, { visibility: 'public' });
    const priv = await createRoom(k, owner.cookie, { visibility: 'private' });
    const privPw = await createRoom(k, owner.cookie, { visibility: 'private', password: 'hunter22' });
    for (const cookie of [undefined, owner.cookie]) {
      for (const query of ['', '?status=live']) {
        const rooms = await listRooms(query, cookie);
        assert.ok(slugs(rooms).includes(pub.room.slug), `public room listed (${query})`);
        assert.ok(!slugs(rooms).includes(priv.room.slug), `private room not listed (${query})`);
        assert.ok(!slugs(rooms).includes(privPw.room.slug), `password room not listed (${query})`);
        for (const r of rooms) {
          assert.equal(r.visibility, 'public', `only public rooms: ${r.slug}`);
          assert.equal(r.status, 'live', `only live rooms: ${r.slug}`);
          assert.equal(typeof r.participants, 'number');
          assert.match(r.slug, SLUG_RE);
        }
      }
    }
  });

  it('does not show video_url, keys or passwords to an anonymous lister', async () => {
    const pub = await createRoom(k, owner.cookie, { visibility: 'public' });
    const rooms = await listRooms('');
    const mine = rooms.find((r) => r.slug === pub.room.slug);
    assert.ok(mine, 'listed');
    assert.equal(Object.hasOwn(mine, 'video_url'), false, 'video_url only when joined');
    assert.equal(mine.is_owner, false);
    assert.equal(mine.joined, false);
  });

  it('separates live from scheduled rooms', async () => {
    const live = await createRoom(k, owner.cookie);
    const scheduled = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 7200) });
    const privScheduled = await createRoom(k, owner.cookie, { visibility: 'private', starts_at: serverIso(k, 7200) });
    const liveList = slugs(await listRooms('?status=live'));
    const upcoming = await listRooms('?status=scheduled');
    assert.ok(liveList.includes(live.room.slug));
    assert.ok(!liveList.includes(scheduled.room.slug), 'a scheduled room is not in the live list');
    assert.ok(slugs(upcoming).includes(scheduled.room.slug));
    assert.ok(!slugs(upcoming).includes(live.room.slug), 'a live room is not in the upcoming list');
    assert.ok(!slugs(upcoming).includes(privScheduled.room.slug), 'private scheduled room not listed');
    for (const r of upcoming) {
      assert.equal(r.status, 'scheduled');
      assert.equal(r.visibility, 'public');
    }
  });

  it('orders upcoming rooms by start time, soonest first', async () => {
    const hours = [5, 3, 9, 4];
    const made = [];
    for (const h of hours) made.push((await createRoom(k, owner.cookie, { starts_at: serverIso(k, h * 3600) })).room);
    const upcoming = await listRooms('?status=scheduled');
    const mine = upcoming.filter((r) => made.some((m) => m.slug === r.slug));
    const expected = [...made].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at)).map((r) => r.slug);
    assert.deepEqual(slugs(mine), expected);
    for (let i = 1; i < upcoming.length; i += 1) {
      assert.ok(Date.parse(upcoming[i - 1].starts_at) <= Date.parse(upcoming[i].starts_at),
        `whole list sorted by starts_at at ${i}: ${upcoming[i - 1].starts_at} > ${upcoming[i].starts_at}`);
    }
  });

  it('drops an ended room from the live list', async () => {
    const { room } = await createRoom(k, owner.cookie);
    assert.ok(slugs(await listRooms()).includes(room.slug));
    const end = await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie });
    assert.equal(end.status, 200, end.text);
    assert.ok(!slugs(await listRooms()).includes(room.slug));
    assert.ok(!slugs(await listRooms('?status=scheduled')).includes(room.slug));
  });

  for (const status of ['ended', 'bogus', 'LIVE', '']) {
    it(`answers 422 invalid_field (field status) for status=${JSON.stringify(status)}`, async () => {
      assertError(await get(k, `/api/v1/rooms?status=${encodeURIComponent(status)}`), 422, 'invalid_field', 'status');
    });
  }
});

describe('GET /api/v1/rooms/{slug}', () => {
  it('answers 404 room_not_found for an unknown slug', async () => {
    for (const slug of ['zzzzzzzzzz', '2345678923', 'nope', 'a'.repeat(40)]) {
      assertError(await get(k, `/api/v1/rooms/${slug}`), 404, 'room_not_found');
      assertError(await get(k, `/api/v1/rooms/${slug}`, { cookie: owner.cookie }), 404, 'room_not_found');
    }
  });

  it('shows a public room to anyone, anonymous or logged in, without video_url until joined', async () => {
    const { room } = await createRoom(k, owner.cookie, { description: 'Public details' });
    const stranger = await registerUser(k);
    for (const cookie of [undefined, stranger.cookie]) {
      const res = await get(k, `/api/v1/rooms/${room.slug}`, { cookie });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.slug, room.slug);
      assert.equal(res.json.room.title, room.title);
      assert.equal(res.json.room.description, 'Public details');
      assert.equal(res.json.room.url, room.url);
      assert.equal(res.json.room.is_owner, false);
      assert.equal(res.json.room.joined, false);
      assert.equal(res.json.room.display_name, null);
      assert.equal(Object.hasOwn(res.json.room, 'video_url'), false, 'video_url only when joined');
    }
  });

  it('answers 403 room_private for a private room without a grant (anonymous or another user), with only its door', async () => {
    const keyed = await createRoom(k, owner.cookie, { visibility: 'private', description: 'Secret plans' });
    const pw = await createRoom(k, owner.cookie, { visibility: 'private', password: 'letmein!', description: 'Secret plans' });
    const stranger = await registerUser(k);
    for (const [{ room }, kind] of [[keyed, 'access_key'], [pw, 'password']]) {
      for (const cookie of [undefined, stranger.cookie]) {
        const res = await get(k, `/api/v1/rooms/${room.slug}`, { cookie });
        assertError(res, 403, 'room_private');
        // The door invites the visitor in (title, host, kind of key) and shows nothing else.
        assert.deepEqual(res.json.door, { title: room.title, host: { display_name: room.owner.display_name }, protected_by: kind });
        assert.deepEqual(Object.keys(res.json).sort(), ['door', 'error']);
        for (const hidden of ['Secret plans', VIDEO_URL, 'media', 'participants']) assert.ok(!res.text.includes(hidden), `no ${hidden}`);
      }
    }
  });

  it('shows a private room to its owner, with is_owner and video_url', async () => {
    const { room } = await createRoom(k, owner.cookie, { visibility: 'private' });
    const res = await get(k, `/api/v1/rooms/${room.slug}`, { cookie: owner.cookie });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.room.is_owner, true);
    assert.equal(res.json.room.joined, true);
    assert.equal(res.json.room.video_url, VIDEO_URL);
    assert.equal(res.json.room.protected_by, 'access_key');
  });

  it('shows the owner as the owner after logging out and in again', async () => {
    const u = await registerUser(k);
    const { room } = await createRoom(k, u.cookie, { visibility: 'private' });
    await post(k, '/api/v1/auth/logout', undefined, { cookie: u.cookie });
    assertError(await get(k, `/api/v1/rooms/${room.slug}`, { cookie: u.cookie }), 403, 'room_private');
    const login = await post(k, '/api/v1/auth/login', { username: u.username, password: u.password });
    assert.equal(login.status, 200, login.text);
    const res = await get(k, `/api/v1/rooms/${room.slug}`, { cookie: cookieFrom(login) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.room.is_owner, true);
  });
});

describe('CSRF on room requests', () => {
  it('refuses POST /api/v1/rooms without X-Kino-CSRF (403 csrf_rejected) and creates nothing', async () => {
    const title = `No CSRF ${uniqueName('t')}`;
    const res = await post(k, '/api/v1/rooms', valid({ title }), { cookie: owner.cookie, csrf: false });
    assertError(res, 403, 'csrf_rejected');
    assert.ok(!(await listRooms()).some((r) => r.title === title), 'no room was created');
  });

  it('refuses POST /api/v1/rooms from a foreign Origin', async () => {
    const res = await post(k, '/api/v1/rooms', valid(), { cookie: owner.cookie, headers: { Origin: 'https://evil.example' } });
    assertError(res, 403, 'csrf_rejected');
  });

  it('refuses join without X-Kino-CSRF: no grant, no guest cookie', async () => {
    const { room } = await createRoom(k, owner.cookie);
    const res = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Sneaky' }, { csrf: false });
    assertError(res, 403, 'csrf_rejected');
    assert.ok(!res.cookies.some((c) => /^kino_guest=[^;]+/.test(c)), `no guest cookie: ${res.cookies}`);
    const foreign = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Sneaky' },
      { headers: { Origin: 'http://evil.example' } });
    assertError(foreign, 403, 'csrf_rejected');
  });

  it('refuses end without X-Kino-CSRF; the room stays live', async () => {
    const { room } = await createRoom(k, owner.cookie);
    assertError(await post(k, `/api/v1/rooms/${room.slug}/end`, {}, { cookie: owner.cookie, csrf: false }),
      403, 'csrf_rejected');
    assert.equal((await get(k, `/api/v1/rooms/${room.slug}`)).json.room.status, 'live');
  });

  it('refuses PATCH without X-Kino-CSRF; the title is unchanged', async () => {
    const { room } = await createRoom(k, owner.cookie);
    const res = await request(k, 'PATCH', `/api/v1/rooms/${room.slug}`,
      { body: { title: 'Changed' }, cookie: owner.cookie, csrf: false });
    assertError(res, 403, 'csrf_rejected');
    assert.equal((await get(k, `/api/v1/rooms/${room.slug}`)).json.room.title, room.title);
  });
});

describe('room creation rate limit (KINO_ROOMS_CREATE_USER_MAX_PER_HOUR)', () => {
  const MAX = 3;
  let kl;
  before(async () => {
    kl = await startKino({
      env: { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: String(MAX), KINO_TESTING_CLOCK_CONTROL: 'true' },
    });
  });
  after(async () => { await kl?.stop(); });

  it('answers 429 rate_limited with Retry-After after N rooms per user; other users are not affected; an hour later it works again', async () => {
    const u = await registerUser(kl);
    for (let i = 0; i < MAX; i += 1) await createRoom(kl, u.cookie, { visibility: i === 1 ? 'private' : 'public' });
    const title = `One too many ${uniqueName('t')}`;
    const limited = await post(kl, '/api/v1/rooms', valid({ title }), { cookie: u.cookie });
    const retryAfter = assertRateLimited(limited);
    assert.ok(retryAfter <= 3600, `Retry-After within the hour: ${retryAfter}`);
    const live = await get(kl, '/api/v1/rooms');
    assert.ok(!live.json.rooms.some((r) => r.title === title), 'the refused room was not created');

    const other = await registerUser(kl);
    await createRoom(kl, other.cookie);

    await advanceClock(kl, 3601);
    const again = await post(kl, '/api/v1/rooms', valid(), { cookie: u.cookie });
    assert.equal(again.status, 201, `an hour later: ${again.status} ${again.text}`);
  });
});
