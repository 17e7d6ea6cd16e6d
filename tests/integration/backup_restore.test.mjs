// `kino backup DIR` while the server runs, then `kino restore DIR` into a new data directory: the
// restored installation has every row of every table and every media file, byte for byte, and a
// Kino started on it serves the same accounts (the old password logs in), rooms, chat, film and
// guest cookies. Bad uses fail with a clear message and change nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kinoBinary, startKino } from '../lib/kino.mjs';
import { get, post, registerUser, createRoom, cookieFrom } from './http.mjs';
import { connect, joinedGuest, closeAllSockets, newId } from './ws_client.mjs';
import { ensureClips, startMediaHost, ingestEnv, token, waitReady, fetchBytes, prefixOf } from './media_fixtures.mjs';

const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const TABLES = ['users', 'rooms', 'room_grants', 'messages', 'assets', 'playback_events', 'room_id_floor'];

/** `kino ARGS...` with the test's environment; returns {status, stderr}. */
function kino(args, env = {}) {
  const r = spawnSync(kinoBinary, args, { env: { ...process.env, KINO_LOG_LEVEL: 'info', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}
const sqlite = (db, sql) => spawnSync('sqlite3', [db, sql], { encoding: 'utf8' }).stdout;
/**
 * Every row of `table`, as sqlite3 prints them (sorted by rowid). rooms.last_active_at is left
 * out: the old server still marks its rooms active after the backup (people leaving as it stops).
 */
function rows(db, table) {
  const columns = sqlite(db, `SELECT name FROM pragma_table_info('${table}')`).trim().split('\n')
    .filter((c) => !(table === 'rooms' && c === 'last_active_at'));
  return sqlite(db, `SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`);
}
/** Every file under `dir`: relative path → SHA-256 (dotfiles skipped, as the blob store does). */
function filesOf(dir) {
  const out = new Map();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const full = path.join(e.parentPath ?? e.path, e.name);
    out.set(path.relative(dir, full), sha(readFileSync(full)));
  }
  return out;
}

describe('backup and restore of the embedded installation', () => {
  let host;
  let old;
  let restored;
  const scratch = mkdtempSync(path.join(tmpdir(), 'kino-backup-'));
  const backupDir = path.join(scratch, 'backup');
  const newData = path.join(scratch, 'data');
  const seen = {};

  before(async () => {
    host = await ensureClips(['h264.mp4']).then(startMediaHost);
    old = await startKino({ env: ingestEnv(), keepData: true });
    seen.owner = await registerUser(old, { password: 'kept for years' });
    const { room } = await createRoom(old, seen.owner.cookie, { title: 'Saved night', video_url: host.url(`/files/h264.mp4?${token('bk')}`) });
    seen.room = room;
    seen.media = await waitReady(old, room.slug, seen.owner.cookie);
    const { room: secret, access_key: key } = await createRoom(old, seen.owner.cookie, { title: 'Private', visibility: 'private' });
    seen.secret = secret;
    seen.guest = await joinedGuest(old, secret.slug, { display_name: 'Guest', key });
    const ann = await connect(old, room.slug, { cookie: seen.owner.cookie });
    for (const text of ['first', 'second', 'третье']) {
      const id = newId('b');
      ann.chat(id, text);
      await ann.waitAck(id);
    }
    ann.send({ type: 'playback.control', action: 'play', position_s: 1 });
    await ann.waitType('playback.state');
    seen.transcript = (await get(old, `/api/v1/rooms/${room.slug}/transcript.json`, { cookie: seen.owner.cookie })).json.messages;
  });
  after(async () => {
    closeAllSockets();
    await restored?.stop();
    await old?.stop();
    await host?.close();
    rmSync(scratch, { recursive: true, force: true });
    if (old) rmSync(old.dataDir, { recursive: true, force: true });
  });

  it('backs up while the server runs, and restores every row and every media file', async () => {
    const b = kino(['backup', backupDir, '--data', old.dataDir]);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /"event":"backup_done"/);
    const manifest = JSON.parse(readFileSync(path.join(backupDir, 'kino-backup.json'), 'utf8'));
    assert.equal(manifest.format, 1);
    assert.ok(manifest.media_files > 3, JSON.stringify(manifest));
    assert.equal((statSync(path.join(backupDir, 'secrets', 'guest.key')).mode & 0o777), 0o600, 'the keys stay private');

    await old.stop();  // nothing changes the old data any more: compare it whole
    old.stop = async () => {};
    const r = kino(['restore', backupDir, '--data', newData]);
    assert.equal(r.status, 0, r.stderr);
    for (const table of TABLES) {
      const before = rows(path.join(old.dataDir, 'kino.db'), table);
      assert.ok(table === 'room_id_floor' || before.length > 0, `${table} has rows`);
      assert.equal(rows(path.join(newData, 'kino.db'), table), before, `every row of ${table}`);
    }
    const media = filesOf(path.join(old.dataDir, 'media'));
    assert.ok(media.size > 3);
    assert.deepEqual(filesOf(path.join(newData, 'media')), media, 'every media file, byte for byte');
  });

  it('a Kino on the restored data serves the same account, rooms, chat, film and guest cookies', async () => {
    restored = await startKino({ env: ingestEnv(), args: ['--data', newData] });
    const login = await post(restored, '/api/v1/auth/login', { username: seen.owner.username, password: 'kept for years' });
    assert.equal(login.status, 200, login.text);
    const cookie = cookieFrom(login);
    const room = await get(restored, `/api/v1/rooms/${seen.room.slug}`, { cookie });
    assert.equal(room.status, 200);
    assert.equal(room.json.room.title, 'Saved night');
    const transcript = (await get(restored, `/api/v1/rooms/${seen.room.slug}/transcript.json`, { cookie })).json.messages;
    assert.deepEqual(transcript, seen.transcript);
    const hls = room.json.room.media.hls_url;
    const master = await fetchBytes(restored, hls);
    assert.equal(master.status, 200, 'the film plays from the restored media');
    assert.equal((await get(restored, `/api/v1/rooms/${seen.secret.slug}`, { cookie: seen.guest.cookie })).status, 200,
      'a guest cookie from before the backup still opens the private room (the keys came along)');
    assert.ok(prefixOf(hls).length > 0);
  });

  it('refuses a folder that is not empty, a folder that is not a backup, and a data directory that has a database', () => {
    const busy = path.join(scratch, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    const notEmpty = kino(['backup', busy, '--data', newData]);
    assert.notEqual(notEmpty.status, 0);
    assert.match(notEmpty.stderr, /kino: .*busy is not empty: back up into a new folder/);
    assert.deepEqual(readdirSync(busy), ['notes.txt'], 'nothing written');

    const noBackup = kino(['restore', busy, '--data', path.join(scratch, 'data2')]);
    assert.notEqual(noBackup.status, 0);
    assert.match(noBackup.stderr, /is not a complete Kino backup/);
    assert.ok(!existsSync(path.join(scratch, 'data2', 'kino.db')));

    const over = kino(['restore', backupDir, '--data', newData]);
    assert.notEqual(over.status, 0);
    assert.match(over.stderr, /already holds a database: restore into a new, empty data directory/);

    const pg = kino(['backup', path.join(scratch, 'pg'), '--data', newData], { KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: 'dbname=none' });
    assert.notEqual(pg.status, 0);
    assert.match(pg.stderr, /docs\/operations\.md/);

    const missing = kino(['backup']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /backup needs a folder: kino backup DIR/);
  });
});
