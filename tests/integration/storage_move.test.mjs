// Moving a single-node installation onto the cluster adapters: a Kino on SQLite and the disk store
// holds accounts, a public and a private room, chat and an ingested video; `kino migrate --from
// sqlite:… --to postgres:…` and `--from disk:… --to s3` copy it; the SQLite file and the media
// folder are then deleted, and a Kino on PostgreSQL and S3 serves the same accounts, rooms, chat
// history and every media file, byte for byte. Bad moves fail with a clear message and copy nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { kinoBinary, startKino } from '../lib/kino.mjs';
import { sharedPostgres } from '../lib/pg.mjs';
import { startSwift, swiftInstalled } from '../lib/swift.mjs';
import { get, post, registerUser, createRoom, cookieFrom } from './http.mjs';
import { ensureClips, startMediaHost, ingestEnv, token, waitReady, fetchBytes, prefixOf } from './media_fixtures.mjs';
import { closeAllSockets, connect, joinedGuest, newId } from './ws_client.mjs';

const BUCKET = 'kino-moved';
const sha = (buf) => createHash('sha256').update(buf).digest('hex');

/** `kino migrate --data DIR ARGS...` with `env`; returns {status, stderr}. */
function migrate(dataDir, args, env = {}) {
  const r = spawnSync(kinoBinary, ['migrate', '--data', dataDir, ...args], {
    env: { ...process.env, KINO_LOG_LEVEL: 'info', ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

/** Every file under `dir`: relative path → SHA-256 of its bytes (dotfiles skipped, as Kino does). */
function filesOf(dir) {
  const out = new Map();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const full = path.join(e.parentPath ?? e.path, e.name);
    out.set(path.relative(dir, full), sha(readFileSync(full)));
  }
  return out;
}

const skip = !swiftInstalled() && 'Swift is not installed (tools/install-deps)';

describe('moving an installation to PostgreSQL and S3', { skip }, () => {
  let swift;
  let pg;
  let host;
  let old;  // the single-node Kino (SQLite + disk); its data directory outlives it
  let moved;  // the Kino on PostgreSQL + S3
  let pgUrl;
  const before_ = {};  // what the old Kino showed

  before(async () => {
    [swift, pg, host] = await Promise.all([
      startSwift({ buckets: [BUCKET] }), sharedPostgres(), ensureClips(['h264.mp4']).then(startMediaHost),
    ]);
    pgUrl = pg.url(pg.createDatabase());
    old = await startKino({ env: ingestEnv({ KINO_STORAGE_ENGINE: 'sqlite', KINO_STORAGE_BLOB: 'disk' }), keepData: true });
    before_.owner = await registerUser(old, { password: 'moving day password' });
    const pub = await createRoom(old, before_.owner.cookie, {
      title: 'Moving night', video_url: host.url(`/files/h264.mp4?${token('move')}`), visibility: 'public',
    });
    before_.media = await waitReady(old, pub.room.slug, before_.owner.cookie);
    before_.room = pub.room;
    // Every room of this Kino gets a video from the local host: ingest is on, and no test may look
    // up an outside name.
    const priv = await createRoom(old, before_.owner.cookie, {
      title: 'Behind a key', video_url: host.url(`/files/h264.mp4?${token('move-priv')}`), visibility: 'private',
    });
    before_.privSlug = priv.room.slug;
    const guest = await joinedGuest(old, pub.room.slug, { display_name: 'Gus' });
    const c = await connect(old, pub.room.slug, { cookie: guest.cookie });
    for (const text of ['first!', 'the film starts', 'ünïcödé 🎬']) {
      const id = newId('mv');
      c.chat(id, text);
      await c.waitAck(id);
    }
    closeAllSockets();
    before_.history = (await get(old, `/api/v1/rooms/${pub.room.slug}/messages?limit=100`)).json.messages;
    assert.equal(before_.history.length, 3);
    before_.files = filesOf(path.join(old.dataDir, 'media'));
    assert.ok(before_.files.size >= 4, `the old node holds the HLS on disk (${before_.files.size} files)`);
    await old.stop();
  }, { timeout: 120_000 });

  after(async () => {
    closeAllSockets();
    await moved?.stop();
    await host?.close();
    await swift?.stop();
    if (old) rmSync(old.dataDir, { recursive: true, force: true });
  });

  it('copies every row and every media file, verified, then refuses to copy into a database that is not empty', () => {
    const db = migrate(old.dataDir, ['--from', `sqlite:${path.join(old.dataDir, 'kino.db')}`, '--to', `postgres:${pgUrl}`]);
    assert.equal(db.status, 0, db.stderr);
    assert.match(db.stderr, /"event":"database_copied"/);
    assert.match(db.stderr, /"messages":3\b/);
    const media = migrate(old.dataDir, ['--from', `disk:${path.join(old.dataDir, 'media')}`, '--to', 's3'],
      { ...swift.kinoEnv(BUCKET) });
    assert.equal(media.status, 0, media.stderr);
    assert.match(media.stderr, new RegExp(`"event":"media_copied".*"files":${before_.files.size}\\b`));

    const again = migrate(old.dataDir, ['--from', `sqlite:${path.join(old.dataDir, 'kino.db')}`, '--to', `postgres:${pgUrl}`]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds .* import into a new, empty database/);
  });

  it('bad moves fail with a clear message', () => {
    const missing = migrate(old.dataDir, ['--from', 'disk:/nonexistent/kino-media', '--to', 's3'], swift.kinoEnv(BUCKET));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /is not a folder/);
    const wrong = migrate(old.dataDir, ['--from', 'mysql:x', '--to', 'postgres:y']);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /migrate copies --from sqlite:PATH --to postgres:URL, or --from disk:DIR --to s3/);
    const half = spawnSync(kinoBinary, ['migrate', '--from', 'sqlite:x'], { encoding: 'utf8' });
    assert.equal(half.status, 2, half.stderr);
  });

  it('a Kino on PostgreSQL and S3 serves the same accounts, rooms, chat and media once the old files are gone', async () => {
    rmSync(path.join(old.dataDir, 'kino.db'), { force: true });
    rmSync(path.join(old.dataDir, 'media'), { recursive: true, force: true });
    moved = await startKino({
      args: ['--data', old.dataDir],
      env: ingestEnv({ KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: pgUrl, ...swift.kinoEnv(BUCKET) }),
    });
    const login = await post(moved, '/api/v1/auth/login', { username: before_.owner.username, password: 'moving day password' });
    assert.equal(login.status, 200, `the old password still logs in: ${login.text}`);
    const room = await get(moved, `/api/v1/rooms/${before_.room.slug}`);
    assert.equal(room.status, 200, room.text);
    assert.equal(room.json.room.title, 'Moving night');
    const history = (await get(moved, `/api/v1/rooms/${before_.room.slug}/messages?limit=100`)).json.messages;
    assert.deepEqual(history, before_.history, 'the same chat history, message for message');
    const priv = await get(moved, `/api/v1/rooms/${before_.privSlug}`, { cookie: cookieFrom(login) });
    assert.equal(priv.status, 200, `the owner still opens the private room: ${priv.text}`);
    assert.equal(priv.json.room.visibility, 'private');

    const asset = prefixOf(before_.media.hls_url).split('/').pop();
    for (const [rel, digest] of before_.files) {
      const r = await fetchBytes(moved, `/media/${rel}`);
      assert.equal(r.status, 200, `/media/${rel}: ${r.status}`);
      assert.equal(sha(r.body), digest, `/media/${rel} is byte for byte the file the old node had`);
      assert.ok(rel.startsWith(`${asset}/`));
    }
    const keys = await swift.listKeys(BUCKET, `${asset}/`);
    assert.deepEqual(keys.sort(), [...before_.files.keys()].sort(), 'the bucket holds exactly the files of the folder');
  });
});
