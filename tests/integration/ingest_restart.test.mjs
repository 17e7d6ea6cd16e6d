// Ingest jobs survive the process: a job interrupted mid-download (SIGKILL, or SIGTERM) is queued
// again when Kino starts on the same data dir and runs to ready; a finished job is left alone.
// The source is a throttled route of the local host on 127.0.0.1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startKino } from '../lib/kino.mjs';
import { registerUser, createRoom, sleep } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, waitIngest, waitReady, historyStates, assertHistoryTimes,
  fetchBytes, parseMedia, resolveUri, getIngest,
} from './media_fixtures.mjs';

const RESUMED = ['queued', 'downloading', 'queued', 'downloading', 'probing', 'packaging', 'ready'];

/** Starts Kino on an existing data dir (the last --data wins); its own temp dir is removed on stop. */
const restartOn = (dataDir) => startKino({ env: ingestEnv(), args: ['--data', dataDir] });

/** Kills the process with `signal` without deleting its data dir (k.stop() would); resolves with {code, signal, ms}. */
function kill(k, signal) {
  const started = Date.now();
  return new Promise((resolve) => {
    if (k.proc.exitCode !== null || k.proc.signalCode !== null) return resolve({ code: k.proc.exitCode, signal: k.proc.signalCode, ms: 0 });
    k.proc.once('exit', (code, sig) => resolve({ code, signal: sig, ms: Date.now() - started }));
    k.proc.kill(signal);
  });
}

describe('ingest across restarts', () => {
  let host;
  const dirs = [];
  before(async () => {
    host = await startMediaHost(await ensureClips(['h264.mp4']));
  });
  after(async () => {
    await host?.close();
    if (!process.env.KINO_TEST_KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Starts a download of the throttled clip and waits until it is visibly under way; returns {k, owner, room, key, m}. */
  async function startSlowDownload(label) {
    host.slowBytesPerSec = 64 * 1024; // the 0.55 MB clip takes ~9 s
    const k = await startKino({ env: ingestEnv() });
    dirs.push(k.dataDir);
    const owner = await registerUser(k);
    const key = `/slow/h264.mp4?${token(label)}`;
    const { room } = await createRoom(k, owner.cookie, { video_url: host.url(key) });
    const { media: m } = await waitIngest(k, room.slug, owner.cookie,
      (x) => (x.state === 'downloading' && x.percent >= 10) || x.state === 'failed' || x.state === 'ready', { timeoutMs: 20_000 });
    assert.equal(m.state, 'downloading', `the download is under way: ${JSON.stringify(m)}`);
    assert.ok(m.percent >= 10 && m.percent < 100, `some percent: ${m.percent}`);
    assert.ok(Number.isFinite(m.eta_s) && m.eta_s > 0, `a throttled download with a known size has an ETA: ${JSON.stringify(m)}`);
    assert.equal(m.playable, false);
    assert.equal(host.count(key, true), 1);
    return { k, owner, room, key, m };
  }

  it('SIGKILL during a download: the next start queues the job again and finishes it', async () => {
    const { k, owner, room, key } = await startSlowDownload('kill');
    const { signal } = await kill(k, 'SIGKILL');
    assert.equal(signal, 'SIGKILL');
    host.slowBytesPerSec = 0; // the resumed download runs at full speed

    const k2 = await restartOn(k.dataDir);
    try {
      const media = await waitReady(k2, room.slug, owner.cookie, { timeoutMs: 60_000 });
      assert.deepEqual(historyStates(media), RESUMED, `history: ${JSON.stringify(media.history)}`);
      assertHistoryTimes(media);
      assert.equal(media.percent, 100);
      assert.equal(media.error, null);
      assert.ok(Math.abs(media.duration_s - 6) < 0.5, `duration ≈ 6 s: ${media.duration_s}`);
      assert.equal(host.count(key, true), 2, 'downloaded again after the restart');
      const pl = await fetchBytes(k2, resolveUri(media.hls_url, 'v0/index.m3u8'));
      assert.equal(pl.status, 200);
      const parsed = parseMedia(pl.text);
      assert.ok(parsed.ended && parsed.segments.length >= 3, pl.text);
      for (const s of parsed.segments) {
        const seg = await fetchBytes(k2, resolveUri(resolveUri(media.hls_url, 'v0/index.m3u8'), s.uri));
        assert.equal(seg.status, 200, `segment ${s.uri} after the restart`);
      }
    } finally {
      await k2.stop();
    }
  });

  it('SIGTERM during a download exits promptly; the job resumes on the next start; a ready job is left alone after that', async () => {
    const { k, owner, room, key } = await startSlowDownload('term');
    const { code, ms } = await kill(k, 'SIGTERM');
    assert.equal(code, 0, 'a clean exit on SIGTERM');
    assert.ok(ms < 8000, `the download does not hold the shutdown for long: ${ms} ms`);
    host.slowBytesPerSec = 0;

    const k2 = await restartOn(k.dataDir);
    let ready;
    try {
      ready = await waitReady(k2, room.slug, owner.cookie, { timeoutMs: 60_000 });
      assert.deepEqual(historyStates(ready), RESUMED, `history: ${JSON.stringify(ready.history)}`);
      assert.equal(host.count(key, true), 2);
    } finally {
      await k2.stop();
    }

    const k3 = await restartOn(k.dataDir);
    try {
      await sleep(1000);
      const m = await getIngest(k3, room.slug, owner.cookie);
      assert.equal(m.state, 'ready');
      assert.deepEqual(m.history, ready.history, 'a ready job is not queued again by a restart');
      assert.equal(host.count(key, true), 2, 'nothing downloaded on the third start');
      assert.equal(m.hls_url, ready.hls_url);
      assert.equal((await fetchBytes(k3, m.hls_url)).status, 200, 'still served after a restart');
    } finally {
      await k3.stop();
    }
  });
});
