// Kino on PostgreSQL (storage.engine = "postgres"): `kino migrate` creates the schema and is
// idempotent, bad storage settings are refused with a clear message, and two Kino nodes on one
// database see the same accounts and chat history. Runs on a PostgreSQL this test starts
// (tests/lib/pg.mjs), whatever KINO_TEST_STORAGE says.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kinoBinary, startKino } from '../lib/kino.mjs';
import { sharedPostgres } from '../lib/pg.mjs';
import { get, post, registerUser, relaxedLimits, createRoom } from './http.mjs';
import { closeAllSockets, connect, newId } from './ws_client.mjs';

/** Runs `kino migrate` with `env`; returns {status, stderr}. */
function migrate(env) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kino-migrate-'));
  try {
    const r = spawnSync(kinoBinary, ['migrate', '--data', dataDir], {
      env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000,
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('kino migrate on PostgreSQL', () => {
  let pg;
  before(async () => { pg = await sharedPostgres(); });

  it('creates the schema, then finds nothing to do', () => {
    // One migration list for both engines: PostgreSQL ends at the version SQLite ends at.
    const sqlite = migrate({ KINO_STORAGE_ENGINE: 'sqlite' });
    const latest = Number(/"event":"store_ready","engine":"sqlite","schema_version":(\d+)/.exec(sqlite.stderr)?.[1]);
    assert.ok(latest >= 10, `SQLite migrated to the latest version: ${sqlite.stderr}`);
    const env = { KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: pg.url(pg.createDatabase()) };
    for (let run = 0; run < 2; run++) {
      const r = migrate(env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`"event":"store_ready","engine":"postgres","schema_version":${latest}\\b`));
    }
  });

  it('refuses the postgres engine without a URL, naming the key', () => {
    const r = migrate({ KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: '' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /storage\.postgres_url/);
  });

  it('refuses an unparsable URL without repeating its password', () => {
    const r = migrate({ KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: 'postgresql://kino:s3cret@[db/kino' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /storage\.postgres_url/);
    assert.doesNotMatch(r.stderr, /s3cret/);
  });

  it('refuses an unknown engine', () => {
    const r = migrate({ KINO_STORAGE_ENGINE: 'mysql' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /storage\.engine/);
  });
});

describe('two Kino nodes on one PostgreSQL database', () => {
  let a;
  let b;
  before(async () => {
    const pg = await sharedPostgres();
    const env = { ...relaxedLimits, KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: pg.url(pg.createDatabase()) };
    a = await startKino({ env });
    b = await startKino({ env });
  });
  after(async () => { await a?.stop(); await b?.stop(); });

  it('an account registered on one node logs in on the other', async () => {
    const user = await registerUser(a);
    const res = await post(b, '/api/v1/auth/login', { username: user.username, password: user.password });
    assert.equal(res.status, 200, res.text);
  });

  it("chat stored through one node is in the other node's room history", async () => {
    const owner = await registerUser(a);
    const { room } = await createRoom(a, owner.cookie);
    const ws = await connect(a, room.slug, { cookie: owner.cookie, label: 'A' });
    const id = newId();
    ws.chat(id, 'stored once, seen everywhere');
    await ws.waitAck(id);
    closeAllSockets();
    const history = await get(b, `/api/v1/rooms/${room.slug}/messages?limit=10`, { cookie: owner.cookie });
    assert.equal(history.status, 200, history.text);
    assert.deepEqual(history.json.messages.map((m) => m.text), ['stored once, seen everywhere']);
  });
});
