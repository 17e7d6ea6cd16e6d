// Ingest on two Kino nodes sharing one PostgreSQL database (and one data directory, standing in for
// shared media storage): each job runs on exactly one node, counted at the video host, though both
// nodes go for the jobs waiting in either's queue; a node that starts leaves the jobs a live node
// runs alone; when the node running a job is killed (SIGKILL), the other node claims the job once
// its lease expires and finishes it from the start. Leases are short here (KINO_INGEST_CLAIM_TTL_S=3, a scan every
// second). Runs on a PostgreSQL this test starts (tests/lib/pg.mjs), whatever KINO_TEST_STORAGE says.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { sharedPostgres } from '../lib/pg.mjs';
import { registerUser, createRoom, sleep } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, waitIngest, waitReady, historyStates, fetchBytes,
} from './media_fixtures.mjs';

const CLAIM_TTL_S = 3;
const CLAIM_SCAN_S = 1;

/** Lines of `k`'s log with this event. */
const events = (k, name) => k.logs().split('\n').filter((l) => l.includes(`"event":"${name}"`));

describe('ingest on two nodes sharing one database', () => {
  let host;
  let url;
  let dataDir;
  const nodes = [];

  /** Starts node `id` on the shared database and data directory. */
  async function startNode(id, extraEnv = {}) {
    const k = await startKino({
      env: ingestEnv({
        KINO_STORAGE_ENGINE: 'postgres',
        KINO_STORAGE_POSTGRES_URL: url,
        KINO_CLUSTER_NODE_ID: id,
        KINO_INGEST_CLAIM_TTL_S: String(CLAIM_TTL_S),
        KINO_INGEST_CLAIM_SCAN_S: String(CLAIM_SCAN_S),
        ...extraEnv,
      }),
      args: ['--data', dataDir],
    });
    nodes.push(k);
    return k;
  }

  before(async () => {
    host = await startMediaHost(await ensureClips(['h264.mp4']));
    const pg = await sharedPostgres();
    url = pg.url(pg.createDatabase());
    dataDir = mkdtempSync(path.join(tmpdir(), 'kino-cluster-'));
  });
  after(async () => {
    for (const k of nodes) await k.stop();
    await host?.close();
    if (!process.env.KINO_TEST_KEEP) rmSync(dataDir, { recursive: true, force: true });
  });

  it('with both nodes alive, every job runs exactly once, wherever it was requested', async () => {
    // One job at a time per node: the others wait in each node's queue, unclaimed, where the other
    // node's scans find them too, so both nodes go for most jobs.
    const a = await startNode('node-a', { KINO_INGEST_DOWNLOAD_CONCURRENCY: '1' });
    const b = await startNode('node-b', { KINO_INGEST_DOWNLOAD_CONCURRENCY: '1' });
    const owner = await registerUser(a);
    const jobs = [];
    for (let i = 0; i < 6; i++) {
      const k = i % 2 === 0 ? a : b;  // requested on either node; each node also scans for the other's
      const key = `/files/h264.mp4?${token(`once${i}`)}`;
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(key) });
      jobs.push({ key, room });
    }
    for (const [i, { key, room }] of jobs.entries()) {
      const media = await waitReady(i % 2 === 0 ? b : a, room.slug, owner.cookie, { timeoutMs: 90_000 });
      assert.deepEqual(historyStates(media), ['queued', 'downloading', 'probing', 'packaging', 'ready'],
        `job ${i} ran once, straight through: ${JSON.stringify(media.history)}`);
      assert.equal(host.count(key, true), 1, `job ${i} downloaded once`);
    }
    const claims = [...events(a, 'ingest_claimed'), ...events(b, 'ingest_claimed')];
    assert.equal(claims.length, jobs.length, `one claim per job:\n${claims.join('\n')}`);
    await a.stop();
    await b.stop();
    nodes.length = 0;
  });

  it("a node that starts leaves a live node's job alone; SIGKILL of that node: the other resumes it after the lease", async () => {
    host.slowBytesPerSec = 64 * 1024; // the 0.55 MB clip takes ~9 s
    const runner = await startNode('node-a');
    const owner = await registerUser(runner);
    const key = `/slow/h264.mp4?${token('kill')}`;
    const { room } = await createRoom(runner, owner.cookie, { video_url: host.url(key) });
    await waitIngest(runner, room.slug, owner.cookie,
      (m) => (m.state === 'downloading' && m.percent >= 10) || (m.state !== 'queued' && m.state !== 'downloading'),
      { timeoutMs: 20_000 });
    const survivor = await startNode('node-b');
    await sleep(2500 * CLAIM_SCAN_S); // its start and two scans see the job, held by node-a
    assert.equal(events(survivor, 'ingest_claimed').length, 0, "node-b did not take a live node's job");
    assert.equal(host.count(key, true), 1);
    const { media: underway } = await waitIngest(survivor, room.slug, owner.cookie, () => true);
    assert.equal(underway.state, 'downloading', `still downloading when killed: ${JSON.stringify(underway)}`);

    await runner.stop('SIGKILL');
    const killedAt = Date.now();
    host.slowBytesPerSec = 0;
    const media = await waitReady(survivor, room.slug, owner.cookie, { timeoutMs: 60_000 });
    assert.deepEqual(historyStates(media),
      ['queued', 'downloading', 'queued', 'downloading', 'probing', 'packaging', 'ready'],
      `started over on the survivor: ${JSON.stringify(media.history)}`);
    const resumedAt = Date.parse(media.history[2].at);
    assert.ok(resumedAt - killedAt <= (CLAIM_TTL_S + CLAIM_SCAN_S + 2) * 1000,
      `resumed within the lease and a scan: ${resumedAt - killedAt} ms`);
    assert.equal(events(survivor, 'ingest_claimed').length, 1, 'the survivor claimed it once');
    assert.equal(events(survivor, 'ingest_resumed').length, 1);
    assert.equal(host.count(key, true), 2, 'downloaded by the dead node, then once more by the survivor');
    const master = await fetchBytes(survivor, media.hls_url);
    assert.equal(master.status, 200, 'the survivor serves what it published');
  });
});
