// The PostgreSQL runbook's base backup (docs/operations.md, "PostgreSQL"), the part that runs on one
// machine: while a Kino on PostgreSQL serves a live room and an ended one, `pg_basebackup -X stream
// -c fast` copies the database server; a second PostgreSQL started from the copy on another loopback
// port, and a second Kino on it with a copy of the first one's data directory (its secrets), serve
// the same rooms, the same chat (every message acknowledged before the backup, nothing written
// after it) and the same account. WAL archiving and recovery to a point in time are not run here.
// Runs on a PostgreSQL this test starts (tests/lib/pg.mjs), whatever KINO_TEST_STORAGE says.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { sharedPostgres, startFromBaseBackup } from '../lib/pg.mjs';
import { cookieFrom, createRoom, get, post, registerUser } from './http.mjs';
import { closeAllSockets, connect, joinedGuest, newId } from './ws_client.mjs';

const PSQL = '/usr/lib/postgresql/15/bin/psql';
const psql = (url, sql) => execFileSync(PSQL, [url, '-v', 'ON_ERROR_STOP=1', '-XAtc', sql], { encoding: 'utf8' }).trim();

/** Writes `texts` into the room as a guest and waits until each is acknowledged. */
async function chat(k, slug, name, texts) {
  const guest = await joinedGuest(k, slug, { display_name: name });
  const ws = await connect(k, slug, { cookie: guest.cookie });
  for (const text of texts) {
    const id = newId('bb');
    ws.chat(id, text);
    await ws.waitAck(id);
  }
  await ws.close();
}

describe('a PostgreSQL base backup of a running Kino', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'kino-basebackup-'));
  const oldData = path.join(scratch, 'old');
  const newData = path.join(scratch, 'new');
  let pg;
  let copy;
  let old;
  let restored;
  let database;
  const seen = {};

  before(async () => {
    pg = await sharedPostgres();
    database = pg.createDatabase();
    old = await startKino({
      args: ['--data', oldData],
      env: { KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: pg.url(database) },
    });
    seen.owner = await registerUser(old, { password: 'kept through the restore' });
    const ended = (await createRoom(old, seen.owner.cookie, { title: 'Finished night' })).room;
    const live = (await createRoom(old, seen.owner.cookie, { title: 'Still going' })).room;
    seen.ended = ended.slug;
    seen.live = live.slug;
    await chat(old, ended.slug, 'Ada', ['first of the night', 'the second', 'and the last one']);
    const end = await post(old, `/api/v1/rooms/${ended.slug}/end`, {}, { cookie: seen.owner.cookie });
    assert.equal(end.status, 200, end.text);
    await chat(old, live.slug, 'Bo', ['before the backup']);
    seen.transcript = (await get(old, `/api/v1/rooms/${ended.slug}/transcript.json`)).json.messages;
    seen.liveBefore = (await get(old, `/api/v1/rooms/${live.slug}/transcript.json`)).json.messages;

    // The backup is taken while the server runs; the chat goes on after it.
    copy = await startFromBaseBackup(pg);
    await chat(old, live.slug, 'Bo', ['after the backup']);

    cpSync(oldData, newData, { recursive: true });
    restored = await startKino({
      args: ['--data', newData],
      env: { KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: copy.url(database) },
    });
  });

  after(async () => {
    closeAllSockets();
    await restored?.stop();
    await old?.stop();
    copy?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the copy is a second server on another loopback port holding the chat as of the backup', () => {
    assert.notEqual(copy.port, pg.port);
    const count = (url) => Number(psql(url, 'SELECT count(*) FROM messages'));
    assert.equal(count(pg.url(database)), seen.transcript.length + seen.liveBefore.length + 1);
    assert.equal(count(copy.url(database)), seen.transcript.length + seen.liveBefore.length);
    const rooms = (url) => psql(url, 'SELECT slug, status FROM rooms ORDER BY slug');
    assert.equal(rooms(copy.url(database)), rooms(pg.url(database)));
  });

  it('a Kino on the copy serves the same rooms and the same chat', async () => {
    const ended = await get(restored, `/api/v1/rooms/${seen.ended}`);
    assert.equal(ended.status, 200, ended.text);
    assert.equal(ended.json.status ?? ended.json.room?.status, 'ended');
    const transcript = await get(restored, `/api/v1/rooms/${seen.ended}/transcript.json`);
    assert.equal(transcript.status, 200, transcript.text);
    assert.deepEqual(transcript.json.messages, seen.transcript);
    assert.deepEqual(transcript.json.messages.map((m) => m.text), ['first of the night', 'the second', 'and the last one']);

    const live = await get(restored, `/api/v1/rooms/${seen.live}/transcript.json`);
    assert.deepEqual(live.json.messages, seen.liveBefore, 'nothing written after the backup');
    const listed = await get(restored, '/api/v1/rooms?status=live');
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.rooms.map((r) => r.slug), [seen.live], 'the room list: the live room');
  });

  it('the account logs in on the copy with its old password', async () => {
    const login = await post(restored, '/api/v1/auth/login', { username: seen.owner.username, password: 'kept through the restore' });
    assert.equal(login.status, 200, login.text);
    const mine = await get(restored, `/api/v1/rooms/${seen.live}`, { cookie: cookieFrom(login) });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.is_owner ?? mine.json.room?.is_owner, true, 'the restored account owns its room');
  });
});
