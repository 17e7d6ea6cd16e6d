// Rooms lifecycle, driven by the injectable clock (KINO_TESTING_CLOCK_CONTROL=true and
// POST /api/v1/testing/clock): scheduled → live at starts_at, live → ended ("empty") after
// KINO_ROOMS_EMPTY_TIMEOUT_MIN without a join, owner edits (PATCH), cancel/end, and who may do them.
// Tests in this file share one server and run in order; each makes its own rooms, and moving the clock
// affects every room, so no test relies on another's rooms.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  get, post, request, assertError, registerUser, relaxedLimits, createRoom, advanceClock, serverNow, serverIso,
  guestCookieFrom,
} from './http.mjs';

const roomsEnv = { ...relaxedLimits, KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000' };
const MIN = 60;

async function getRoom(k, slug, cookie) {
  const res = await get(k, `/api/v1/rooms/${slug}`, { cookie });
  assert.equal(res.status, 200, `GET room ${slug}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json.room;
}
async function listSlugs(k, status) {
  const res = await get(k, `/api/v1/rooms?status=${status}`);
  assert.equal(res.status, 200, res.text);
  return res.json.rooms.map((r) => r.slug);
}
const patch = (k, slug, body, cookie, opts = {}) => request(k, 'PATCH', `/api/v1/rooms/${slug}`, { body, cookie, ...opts });
const end = (k, slug, cookie) => post(k, `/api/v1/rooms/${slug}/end`, {}, { cookie });

describe('testing clock route without KINO_TESTING_CLOCK_CONTROL', () => {
  let k;
  before(async () => { k = await startKino({ env: roomsEnv }); });
  after(async () => { await k?.stop(); });

  it('answers 404 and does not move the clock', async () => {
    const owner = await registerUser(k);
    const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 10 * MIN) });
    for (const body of [{ advance_s: 3600 }, { advance_s: 1 }]) {
      const res = await post(k, '/api/v1/testing/clock', body);
      assert.equal(res.status, 404, `clock route must not exist: ${res.status} ${res.text}`);
    }
    assert.equal((await getRoom(k, room.slug)).status, 'scheduled', 'the clock did not move');
  });

  it('is 404 with the switch explicitly false too', async () => {
    const off = await startKino({ env: { ...roomsEnv, KINO_TESTING_CLOCK_CONTROL: 'false' } });
    try {
      assert.equal((await post(off, '/api/v1/testing/clock', { advance_s: 60 })).status, 404);
    } finally { await off.stop(); }
  });
});

describe('lifecycle with the testing clock', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: { ...roomsEnv, KINO_TESTING_CLOCK_CONTROL: 'true' } });
    owner = await registerUser(k, { display_name: 'Olga Owner' });
  });
  after(async () => { await k?.stop(); });

  describe('the clock route', () => {
    it('needs the CSRF header (403 csrf_rejected, clock unchanged)', async () => {
      const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 10 * MIN) });
      const res = await post(k, '/api/v1/testing/clock', { advance_s: 3600 }, { csrf: false });
      assertError(res, 403, 'csrf_rejected');
      assert.equal((await getRoom(k, room.slug)).status, 'scheduled', 'the clock did not move');
    });

    it('moves the clock forward by advance_s and answers {now}', async () => {
      const before = serverNow(k);
      const now = await advanceClock(k, 90);
      const moved = now - before;
      assert.ok(moved >= 90_000 - 2000 && moved <= 90_000 + 5000, `moved by ${moved} ms, expected about 90 s`);
      const again = await advanceClock(k, 1);
      assert.ok(again - now >= 1000 - 50 && again - now < 5000, `moved by ${again - now} ms, expected about 1 s`);
    });

    it('makes room validation use the moved clock (a starts_at in the real future can be in its past)', async () => {
      await advanceClock(k, 2 * 3600);
      const res = await post(k, '/api/v1/rooms', {
        title: 'Too late', video_url: 'https://example.com/v.mp4', visibility: 'public',
        starts_at: new Date(Date.now() + 3600_000).toISOString(),
      }, { cookie: owner.cookie });
      assertError(res, 422, 'invalid_field', 'starts_at');
      const ok = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
      assert.equal(ok.room.status, 'scheduled');
    });
  });

  describe('scheduled → live', () => {
    it('goes live at starts_at: status, live_at, and the live/upcoming lists follow', async () => {
      const startsAt = serverIso(k, 3600);
      const { room } = await createRoom(k, owner.cookie, { starts_at: startsAt });
      const listedOnly = (await createRoom(k, owner.cookie, { starts_at: startsAt })).room; // only seen via the lists
      const priv = (await createRoom(k, owner.cookie, { starts_at: startsAt, visibility: 'private' })).room;
      assert.equal(room.status, 'scheduled');
      assert.equal(room.live_at, null);
      let upcoming = await listSlugs(k, 'scheduled');
      assert.ok(upcoming.includes(room.slug) && upcoming.includes(listedOnly.slug), 'in upcoming');
      assert.ok(!(await listSlugs(k, 'live')).includes(room.slug), 'not live yet');

      await advanceClock(k, 3500);
      assert.equal((await getRoom(k, room.slug)).status, 'scheduled', '100 s before starts_at: still scheduled');
      assert.ok((await listSlugs(k, 'scheduled')).includes(listedOnly.slug), 'still upcoming');
      assert.ok(!(await listSlugs(k, 'live')).includes(listedOnly.slug), 'still not live');

      await advanceClock(k, 101);
      const live = await listSlugs(k, 'live');
      upcoming = await listSlugs(k, 'scheduled');
      assert.ok(live.includes(listedOnly.slug), 'the list alone shows it live');
      assert.ok(!upcoming.includes(listedOnly.slug), 'and no longer upcoming');
      assert.ok(live.includes(room.slug) && !upcoming.includes(room.slug));
      const now = await getRoom(k, room.slug);
      assert.equal(now.status, 'live');
      assert.equal(Date.parse(now.starts_at), Date.parse(startsAt), 'starts_at unchanged');
      assert.equal(typeof now.live_at, 'string');
      const liveAt = Date.parse(now.live_at);
      assert.ok(liveAt >= Date.parse(startsAt) - 1000 && liveAt <= serverNow(k) + 1000,
        `live_at ${now.live_at} between starts_at ${startsAt} and now`);
      assert.equal(now.ended_at, null);
      assert.equal((await getRoom(k, priv.slug, owner.cookie)).status, 'live', 'private rooms go live too');
    });
  });

  describe('empty timeout (default 30 minutes)', () => {
    it('ends a live room nobody joined 30 minutes after it went live, with ended_reason "empty"', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const listedOnly = (await createRoom(k, owner.cookie)).room;
      await advanceClock(k, 29 * MIN);
      assert.equal((await getRoom(k, room.slug)).status, 'live', 'still live after 29 minutes');
      assert.ok((await listSlugs(k, 'live')).includes(listedOnly.slug));
      await advanceClock(k, 2 * MIN);
      assert.ok(!(await listSlugs(k, 'live')).includes(listedOnly.slug), 'gone from the live list after 31 minutes');
      const ended = await getRoom(k, room.slug);
      assert.equal(ended.status, 'ended');
      assert.equal(ended.ended_reason, 'empty');
      assert.equal(typeof ended.ended_at, 'string');
      assert.ok(Date.parse(ended.ended_at) <= serverNow(k) + 1000, `ended_at not in the future: ${ended.ended_at}`);
      assert.ok(Date.parse(ended.ended_at) >= Date.parse(ended.live_at) + 29 * MIN * 1000,
        `ended_at ${ended.ended_at} is about 30 min after live_at ${ended.live_at}`);
      assert.equal((await getRoom(k, listedOnly.slug)).ended_reason, 'empty');
    });

    it('counts from the last join: a join after 20 minutes postpones the end', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const control = (await createRoom(k, owner.cookie)).room; // same age, nobody joins
      await advanceClock(k, 20 * MIN);
      const joined = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Late Larry' });
      assert.equal(joined.status, 200, joined.text);
      await advanceClock(k, 20 * MIN); // 40 min since live, 20 since the join
      assert.equal((await getRoom(k, control.slug)).status, 'ended', 'the control room ended');
      const still = await getRoom(k, room.slug);
      assert.equal(still.status, 'live', 'the joined room is still live 20 minutes after the join');
      await advanceClock(k, 11 * MIN); // 31 min since the join
      const ended = await getRoom(k, room.slug);
      assert.equal(ended.status, 'ended');
      assert.equal(ended.ended_reason, 'empty');
    });

    it('counts a scheduled room from its start time, not from its creation nor from when it was first seen', async () => {
      const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
      await advanceClock(k, 3600 + 10 * MIN); // nobody looks until 10 minutes after the start
      const live = await getRoom(k, room.slug);
      assert.equal(live.status, 'live');
      assert.equal(Date.parse(live.live_at), Date.parse(room.starts_at), `live_at ${live.live_at} = starts_at ${room.starts_at}`);
      await advanceClock(k, 19 * MIN);
      assert.equal((await getRoom(k, room.slug)).status, 'live', '29 minutes after going live');
      await advanceClock(k, 2 * MIN);
      const ended = await getRoom(k, room.slug);
      assert.equal(ended.status, 'ended');
      assert.equal(ended.ended_reason, 'empty');
    });

    it('does not end a scheduled room that has not started yet', async () => {
      const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 5 * 3600) });
      await advanceClock(k, 60 * MIN);
      const r = await getRoom(k, room.slug);
      assert.equal(r.status, 'scheduled');
      assert.equal(r.ended_reason, null);
    });
  });

  describe('owner edits (PATCH)', () => {
    it('changes title and description of a live room', async () => {
      const { room } = await createRoom(k, owner.cookie, { description: 'old' });
      const res = await patch(k, room.slug, { title: 'New title', description: 'New description' }, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.title, 'New title');
      assert.equal(res.json.room.description, 'New description');
      const r = await getRoom(k, room.slug);
      assert.equal(r.title, 'New title');
      assert.equal(r.description, 'New description');
      assert.equal(r.status, 'live');
    });

    it('changes only the fields given', async () => {
      const { room } = await createRoom(k, owner.cookie, { description: 'keep me' });
      const res = await patch(k, room.slug, { title: 'Only the title' }, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.description, 'keep me');
      assert.equal(res.json.room.title, 'Only the title');
    });

    it('moves starts_at and duration of a scheduled room; the new start time drives the transition', async () => {
      const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600), duration_minutes: 60 });
      const later = serverIso(k, 3 * 3600);
      const res = await patch(k, room.slug, { starts_at: later, duration_minutes: 150 }, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(Date.parse(res.json.room.starts_at), Date.parse(later));
      assert.equal(res.json.room.duration_minutes, 150);
      const r = await getRoom(k, room.slug);
      assert.equal(Date.parse(r.starts_at), Date.parse(later));
      assert.equal(r.duration_minutes, 150);
      await advanceClock(k, 3601); // past the old start, before the new one
      assert.equal((await getRoom(k, room.slug)).status, 'scheduled', 'the old start time no longer applies');
      await advanceClock(k, 2 * 3600);
      assert.equal((await getRoom(k, room.slug)).status, 'live', 'live at the new start time');
    });

    const invalid = [
      ['title empty', { title: '' }, 'title'],
      ['title 121 characters', { title: 't'.repeat(121) }, 'title'],
      ['description 2001 characters', { description: 'd'.repeat(2001) }, 'description'],
      ['duration_minutes 0', { duration_minutes: 0 }, 'duration_minutes'],
      ['duration_minutes 1441', { duration_minutes: 1441 }, 'duration_minutes'],
      ['starts_at 10 minutes in the past', { starts_at: (kk) => serverIso(kk, -600) }, 'starts_at'],
      ['starts_at without a zone', { starts_at: (kk) => serverIso(kk, 7200).slice(0, 19) }, 'starts_at'],
      ['starts_at 367 days ahead', { starts_at: (kk) => serverIso(kk, 367 * 86400) }, 'starts_at'],
    ];
    for (const [label, body, field] of invalid) {
      it(`rejects ${label} with 422 invalid_field (field ${field}) and changes nothing`, async () => {
        const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
        const sent = Object.fromEntries(Object.entries(body).map(([key, v]) => [key, typeof v === 'function' ? v(k) : v]));
        assertError(await patch(k, room.slug, sent, owner.cookie), 422, 'invalid_field', field);
        const r = await getRoom(k, room.slug);
        assert.equal(r.title, room.title);
        assert.equal(r.starts_at, room.starts_at);
        assert.equal(r.duration_minutes, room.duration_minutes);
      });
    }

    it('refuses times once the room is live: 409 room_started (title still allowed)', async () => {
      const unscheduled = (await createRoom(k, owner.cookie)).room;
      const started = (await createRoom(k, owner.cookie, { starts_at: serverIso(k, 600) })).room;
      await advanceClock(k, 601);
      assert.equal((await getRoom(k, started.slug)).status, 'live');
      for (const { slug } of [unscheduled, started]) {
        assertError(await patch(k, slug, { starts_at: serverIso(k, 3600) }, owner.cookie), 409, 'room_started');
        assertError(await patch(k, slug, { duration_minutes: 45 }, owner.cookie), 409, 'room_started');
        const ok = await patch(k, slug, { title: 'Renamed while live' }, owner.cookie);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.room.title, 'Renamed while live');
      }
      assert.notEqual((await getRoom(k, unscheduled.slug)).duration_minutes, 45);
    });

    it('answers 403 not_owner to another user (PATCH and end), and leaves the room as it was', async () => {
      const { room } = await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) });
      const other = await registerUser(k);
      assertError(await patch(k, room.slug, { title: 'Hijacked' }, other.cookie), 403, 'not_owner');
      assertError(await patch(k, room.slug, { starts_at: serverIso(k, 7200) }, other.cookie), 403, 'not_owner');
      assertError(await end(k, room.slug, other.cookie), 403, 'not_owner');
      const r = await getRoom(k, room.slug);
      assert.equal(r.title, room.title);
      assert.equal(r.status, 'scheduled');
      assert.equal(r.starts_at, room.starts_at);
    });

    it('answers 403 not_owner to a user who joined a private room with its key', async () => {
      const { room, access_key: key } = await createRoom(k, owner.cookie, { visibility: 'private' });
      const member = await registerUser(k);
      assert.equal((await post(k, `/api/v1/rooms/${room.slug}/join`, { key }, { cookie: member.cookie })).status, 200);
      assertError(await patch(k, room.slug, { title: 'Mine now' }, member.cookie), 403, 'not_owner');
      assertError(await end(k, room.slug, member.cookie), 403, 'not_owner');
      assert.equal((await getRoom(k, room.slug, owner.cookie)).status, 'live');
    });

    it('refuses a joined guest and an anonymous client (401 or 403), leaving the room as it was', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const guest = await post(k, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Guest' });
      const guestCookie = guestCookieFrom(guest);
      for (const cookie of [guestCookie, undefined]) {
        const p = await patch(k, room.slug, { title: 'Guest edit' }, cookie);
        assert.ok([401, 403].includes(p.status), `PATCH refused: ${p.status} ${p.text}`);
        assertError(p, p.status, p.status === 401 ? 'not_authenticated' : 'not_owner');
        const e = await end(k, room.slug, cookie);
        assert.ok([401, 403].includes(e.status), `end refused: ${e.status} ${e.text}`);
      }
      const r = await getRoom(k, room.slug);
      assert.equal(r.title, room.title);
      assert.equal(r.status, 'live');
    });

    it('answers 404 room_not_found for PATCH and end of an unknown room', async () => {
      assertError(await patch(k, 'zzzzzzzzzz', { title: 'x' }, owner.cookie), 404, 'room_not_found');
      assertError(await end(k, 'zzzzzzzzzz', owner.cookie), 404, 'room_not_found');
    });
  });

  describe('cancel and end', () => {
    it('cancels a scheduled room: ended / "cancelled", out of the upcoming list, never goes live', async () => {
      const startsAt = serverIso(k, 3600);
      const { room } = await createRoom(k, owner.cookie, { starts_at: startsAt });
      const res = await end(k, room.slug, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.status, 'ended');
      assert.equal(res.json.room.ended_reason, 'cancelled');
      assert.equal(typeof res.json.room.ended_at, 'string');
      assert.equal(res.json.room.live_at, null, 'a cancelled room never went live');
      assert.ok(!(await listSlugs(k, 'scheduled')).includes(room.slug));
      await advanceClock(k, 3601);
      const r = await getRoom(k, room.slug);
      assert.equal(r.status, 'ended');
      assert.equal(r.ended_reason, 'cancelled');
      assert.ok(!(await listSlugs(k, 'live')).includes(room.slug), 'not live after its start time');
    });

    it('ends a live room: ended / "owner_ended", out of the live list, still readable', async () => {
      const { room } = await createRoom(k, owner.cookie);
      const res = await end(k, room.slug, owner.cookie);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.room.status, 'ended');
      assert.equal(res.json.room.ended_reason, 'owner_ended');
      assert.ok(Math.abs(Date.parse(res.json.room.ended_at) - serverNow(k)) < 5000,
        `ended_at is the server's now: ${res.json.room.ended_at}`);
      assert.ok(!(await listSlugs(k, 'live')).includes(room.slug));
      const r = await getRoom(k, room.slug);
      assert.equal(r.status, 'ended');
      assert.equal(r.ended_reason, 'owner_ended');
    });

    it('keeps the first ending: an ended room does not end "empty" later', async () => {
      const { room } = await createRoom(k, owner.cookie);
      assert.equal((await end(k, room.slug, owner.cookie)).status, 200);
      await advanceClock(k, 40 * MIN);
      assert.equal((await getRoom(k, room.slug)).ended_reason, 'owner_ended');
    });

    it('refuses edits after the end: 409 room_ended (cancelled, owner_ended and empty rooms)', async () => {
      const cancelled = (await createRoom(k, owner.cookie, { starts_at: serverIso(k, 3600) })).room;
      const ended = (await createRoom(k, owner.cookie)).room;
      const empty = (await createRoom(k, owner.cookie)).room;
      assert.equal((await end(k, cancelled.slug, owner.cookie)).status, 200);
      assert.equal((await end(k, ended.slug, owner.cookie)).status, 200);
      await advanceClock(k, 31 * MIN);
      assert.equal((await getRoom(k, empty.slug)).ended_reason, 'empty');
      for (const { slug, title } of [cancelled, ended, empty]) {
        assertError(await patch(k, slug, { title: 'After the end' }, owner.cookie), 409, 'room_ended');
        assertError(await patch(k, slug, { description: 'After the end' }, owner.cookie), 409, 'room_ended');
        assert.equal((await getRoom(k, slug)).title, title);
      }
      assertError(await patch(k, cancelled.slug, { starts_at: serverIso(k, 7200) }, owner.cookie), 409, 'room_ended');
    });
  });
});
