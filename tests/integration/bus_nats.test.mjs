// Kino with the bus on NATS (bus.engine = "nats", storage on PostgreSQL as a cluster needs): it
// connects to a 3-server NATS cluster this test starts (tests/lib/nats.mjs), /readyz reports the bus,
// says "unavailable" (status "degraded", still 200) while every NATS server is down and "ok" again
// once they are back; the node id is generated or taken from the configuration; bad settings and an
// unreachable cluster stop the start with a message naming the key or the servers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kinoBinary, startKino } from '../lib/kino.mjs';
import { freePort, startNatsCluster } from '../lib/nats.mjs';
import { sharedPostgres } from '../lib/pg.mjs';
import { get } from './http.mjs';

/** `kino serve` that is expected to stop by itself: resolves to {status, output}. */
function serveUntilExit(env, timeoutMs = 30_000) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kino-bus-'));
  return new Promise((resolve, reject) => {
    const proc = spawn(kinoBinary, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir], {
      env: { ...process.env, KINO_MEDIA_MODE: 'off', KINO_INGEST_ENABLED: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => { output += d; });
    proc.stderr.setEncoding('utf8').on('data', (d) => { output += d; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`kino kept running:\n${output}`)); }, timeoutMs);
    proc.on('exit', (status) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ status, output });
    });
  });
}

/** Polls /readyz until `want(body)` holds; returns the last response. */
async function readyzUntil(k, want, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await get(k, '/readyz');
    if (want(last.json)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/readyz never matched: ${last?.text}`);
}

describe('kino serve with bus.engine = "nats"', () => {
  let nats;
  let pg;
  before(async () => {
    [nats, pg] = await Promise.all([startNatsCluster(), sharedPostgres()]);
  });
  after(() => nats?.stop());

  const natsEnv = (extra = {}) => ({
    KINO_STORAGE_ENGINE: 'postgres',
    KINO_STORAGE_POSTGRES_URL: pg.url(pg.createDatabase()),
    KINO_BUS_ENGINE: 'nats',
    KINO_BUS_NATS_URLS: nats.urls.join(','),
    ...extra,
  });

  it('reports the bus in /readyz: ok, unavailable (degraded) while NATS is down, ok again', async () => {
    const k = await startKino({ env: natsEnv() });
    try {
      const node = k.logs().match(/"event":"node","node_id":"(n-[a-z0-9]{8})","generated":true/);
      assert.ok(node, `a generated node id is logged:\n${k.logs()}`);
      assert.ok((await nats.connectionNames()).includes(`kino-${node[1]}`), 'NATS sees the node by its id');
      const ready = await get(k, '/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.json.status, 'ready');
      assert.deepEqual(ready.json.checks, { store: 'ok', janus: 'off', bus: 'ok' });

      for (let i = 0; i < nats.urls.length; i++) await nats.kill(i);
      const down = await readyzUntil(k, (b) => b.checks.bus === 'unavailable');
      assert.equal(down.status, 200, 'the node still serves its own rooms');
      assert.equal(down.json.status, 'degraded');
      assert.equal(down.json.checks.store, 'ok');

      await nats.ensureAllRunning();
      const back = await readyzUntil(k, (b) => b.checks.bus === 'ok');
      assert.equal(back.json.status, 'ready');
    } finally {
      await nats.ensureAllRunning();
      assert.equal(await k.stop(), 0, 'a clean shutdown');
    }
  });

  it('names the node after cluster.node_id when it is set', async () => {
    const k = await startKino({ env: natsEnv({ KINO_CLUSTER_NODE_ID: 'kino-a' }) });
    try {
      assert.match(k.logs(), /"event":"node","node_id":"kino-a","generated":false/);
      assert.ok((await nats.connectionNames()).includes('kino-kino-a'));
    } finally {
      await k.stop();
    }
  });

  it('refuses bad bus settings, naming the key', async () => {
    const malformed = await serveUntilExit(natsEnv({ KINO_BUS_NATS_URLS: 'http://127.0.0.1:4222' }));
    assert.equal(malformed.status, 1);
    assert.match(malformed.output, /bus\.nats_urls: 'http:\/\/127\.0\.0\.1:4222' is not a NATS URL/);
    const missing = await serveUntilExit(natsEnv({ KINO_BUS_NATS_URLS: '' }));
    assert.equal(missing.status, 1);
    assert.match(missing.output, /bus\.nats_urls: needed when bus\.engine is nats/);
    const sqlite = await serveUntilExit({ KINO_BUS_ENGINE: 'nats', KINO_BUS_NATS_URLS: nats.urls.join(',') });
    assert.equal(sqlite.status, 1);
    assert.match(sqlite.output, /storage\.engine = \\?"postgres\\?"/);
    const unknown = await serveUntilExit(natsEnv({ KINO_BUS_ENGINE: 'kafka' }));
    assert.equal(unknown.status, 1);
    assert.match(unknown.output, /bus\.engine: local or nats/);
  });

  it('stops with a message naming the servers when none of them answers', async () => {
    const closed = `nats://127.0.0.1:${await freePort()}`;
    const r = await serveUntilExit(natsEnv({ KINO_BUS_NATS_URLS: closed }));
    assert.equal(r.status, 1);
    assert.ok(r.output.includes(`no NATS server answered at ${closed}`), r.output);
    assert.doesNotMatch(r.output, /"event":"listening"/);
  });
});
