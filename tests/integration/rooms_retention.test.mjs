// What the archive stops keeping. An owner deletes a room (DELETE /api/v1/rooms/{slug}): its people
// are told at once, then the room, its chat and — once no other room shows it — its film's media are
// gone. The upkeep deletes rooms that ended more than retention.min_years (3) ago, moved there with
// the testing clock (never by waiting); a room that ended later stays.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { get, post, request, assertError, registerUser, createRoom, advanceClock, sleep } from './http.mjs';
import { connect, joinedGuest, closeAllSockets, newId } from './ws_client.mjs';
import { ensureClips, startMediaHost, ingestEnv, token, waitReady } from './media_fixtures.mjs';

const YEAR_S = 365.2425 * 24 * 3600;
const del = (k, slug, opts) => request(k, 'DELETE', `/api/v1/rooms/${slug}`, opts);

describe('deleting rooms and retention', () => {
  let k;
  let host;
  let owner;
  before(async () => {
    host = await ensureClips(['h264.mp4']).then(startMediaHost);
    k = await startKino({ env: ingestEnv({ KINO_TESTING_CLOCK_CONTROL: 'true' }) });
    owner = await registerUser(k, { display_name: 'Ann' });
  });
  after(async () => {
    closeAllSockets();
    await k?.stop();
    await host?.close();
  });

  const mediaDir = (assetId) => path.join(k.dataDir, 'media', assetId);
  /** Until GET /api/v1/rooms/{slug} answers `status` (the upkeep runs on its own thread). */
  async function roomAnswers(slug, status) {
    for (let i = 0; ; i += 1) {
      const res = await get(k, `/api/v1/rooms/${slug}`);
      if (res.status === status) return res;
      assert.ok(i < 100, `room ${slug} answered ${res.status}, not ${status}`);
      await sleep(50);
    }
  }

  it('the owner deletes a live room: everyone in it is told, the room and its chat are gone; the film stays while another room shows it', async () => {
    const films = () => (existsSync(path.join(k.dataDir, 'media')) ? readdirSync(path.join(k.dataDir, 'media')) : []);
    const before = new Set(films());
    const video_url = host.url(`/files/h264.mp4?${token('del')}`);
    const { room } = await createRoom(k, owner.cookie, { title: 'To delete', video_url });
    await waitReady(k, room.slug, owner.cookie);
    const { room: other } = await createRoom(k, owner.cookie, { title: 'Same film', video_url });
    await waitReady(k, other.slug, owner.cookie);
    const added = films().filter((f) => !before.has(f) && !f.startsWith('.'));
    assert.equal(added.length, 1, `one film, shown in two rooms: ${added}`);
    const assetId = added[0];

    const guest = await joinedGuest(k, room.slug, { display_name: 'Bob' });
    const bob = await connect(k, room.slug, { cookie: guest.cookie });
    const ann = await connect(k, room.slug, { cookie: owner.cookie });
    const id = newId('d');
    ann.chat(id, 'soon gone');
    await ann.waitAck(id);

    assertError(await del(k, room.slug, { cookie: guest.cookie }), 401, 'not_authenticated');
    const stranger = await registerUser(k);
    assertError(await del(k, room.slug, { cookie: stranger.cookie }), 403, 'not_owner');
    assertError(await del(k, room.slug, { cookie: owner.cookie, csrf: false }), 403, 'csrf_rejected');

    const res = await del(k, room.slug, { cookie: owner.cookie });
    assert.equal(res.status, 204, res.text);
    const ended = await bob.waitType('room.ended');
    assert.equal(ended.room.ended_reason, 'deleted');
    assert.equal((await bob.waitClosed()).code, 4410);
    assertError(await get(k, `/api/v1/rooms/${room.slug}`, { cookie: owner.cookie }), 404, 'room_not_found');
    assertError(await get(k, `/api/v1/rooms/${room.slug}/messages`, { cookie: owner.cookie }), 404, 'room_not_found');
    assertError(await del(k, room.slug, { cookie: owner.cookie }), 404, 'room_not_found');
    assert.ok(existsSync(mediaDir(assetId)), 'the other room still shows the film');
    assert.equal((await get(k, `/api/v1/rooms/${other.slug}`, { cookie: owner.cookie })).status, 200);

    assert.equal((await del(k, other.slug, { cookie: owner.cookie })).status, 204);
    assert.ok(!existsSync(mediaDir(assetId)), `nobody shows the film: its media is gone (${readdirSync(path.join(k.dataDir, 'media'))})`);
  });

  it('the upkeep deletes rooms that ended more than three years ago, and keeps one that ended later', async () => {
    const { room: old } = await createRoom(k, owner.cookie, { title: 'Long ago' });
    const ann = await connect(k, old.slug, { cookie: owner.cookie });
    const id = newId('r');
    ann.chat(id, 'a memory');
    await ann.waitAck(id);
    assert.equal((await post(k, `/api/v1/rooms/${old.slug}/end`, {}, { cookie: owner.cookie })).status, 200);
    await advanceClock(k, Math.round(2 * YEAR_S));
    const host2 = await registerUser(k);  // two years on, Ann's session has long expired
    const { room: recent } = await createRoom(k, host2.cookie, { title: 'Later' });
    assert.equal((await post(k, `/api/v1/rooms/${recent.slug}/end`, {}, { cookie: host2.cookie })).status, 200);

    await advanceClock(k, Math.round(0.9 * YEAR_S));  // 2.9 years after the first ended: kept
    await sleep(300);  // the upkeep ran after the move (nothing to assert about time here)
    const kept = await get(k, `/api/v1/rooms/${old.slug}/transcript.txt`);
    assert.equal(kept.status, 200, 'still in the archive before three years');
    assert.match(kept.text, /Ann: a memory/);

    await advanceClock(k, Math.round(0.2 * YEAR_S));  // 3.1 years
    await roomAnswers(old.slug, 404);
    assertError(await get(k, `/api/v1/rooms/${old.slug}/transcript.txt`), 404, 'room_not_found');
    assert.equal((await get(k, `/api/v1/rooms/${recent.slug}`)).status, 200,
      'ended 1.1 years ago: kept');
  });
});
