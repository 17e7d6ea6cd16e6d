// Slow sources cannot hold ingest: a download under the minimum rate is stopped (source_too_slow)
// and the job queued behind it completes; with more than one download slot a slow source does not
// delay other jobs at all, and the job time limit stops a source that stays just above the minimum
// rate; an HLS source's segments share one download time limit. Sources trickle from 127.0.0.1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { registerUser, createRoom } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, getIngest, waitIngest, waitFailed, waitReady, historyStates,
} from './media_fixtures.mjs';

const at = (m, state) => Date.parse(m.history.find((h) => h.state === state)?.at);

let host;
before(async () => {
  host = await startMediaHost(await ensureClips(['h264.mp4', 'hls']));
});
after(async () => { await host?.close(); });

describe('slow sources', () => {
  it('one download slot: a source under the minimum rate fails with "too slow" after the window, and the job queued behind it completes', async () => {
    const k = await startKino({ env: ingestEnv({ KINO_INGEST_DOWNLOAD_CONCURRENCY: '1', KINO_INGEST_MIN_RATE_WINDOW_S: '2' }) });
    try {
      const owner = await registerUser(k);
      const started = Date.now();
      const slow = (await createRoom(k, owner.cookie, { video_url: host.url(`/trickle/2048/forever?${token('slow')}`) })).room;
      await waitIngest(k, slow.slug, owner.cookie, (m) => m.state !== 'queued');
      const next = (await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('next')}`) })).room;
      assert.equal((await getIngest(k, next.slug, owner.cookie)).state, 'queued', 'the only slot is taken by the slow source');

      const failed = await waitFailed(k, slow.slug, owner.cookie, { timeoutMs: 20_000 });
      const took = Date.now() - started;
      assert.match(failed.error, /sent less than 32 KB\/s for 2 s/, failed.error);
      assert.deepEqual(historyStates(failed), ['queued', 'downloading', 'failed']);
      assert.ok(took >= 1500 && took < 12_000, `stopped after about the 2 s window: ${took} ms`);

      const ready = await waitReady(k, next.slug, owner.cookie);
      assert.ok(at(ready, 'downloading') >= at(failed, 'failed'), 'the second job started when the slow one was stopped');
      assert.match(k.logs(), /"event":"ingest_failed"[^\n]*"code":"source_too_slow"/, 'the log names the reason');
    } finally {
      await k.stop();
    }
  });

  it('several download slots: a source just above the minimum rate does not delay another job, and the job time limit stops it', async () => {
    const k = await startKino({ env: ingestEnv({
      KINO_INGEST_DOWNLOAD_CONCURRENCY: '2', KINO_INGEST_MIN_RATE_BYTES_PER_S: '1000', KINO_INGEST_MIN_RATE_WINDOW_S: '2',
      KINO_INGEST_JOB_TIMEOUT_S: '8',
    }) });
    try {
      const owner = await registerUser(k);
      const slow = (await createRoom(k, owner.cookie, { video_url: host.url(`/trickle/4096/forever?${token('crawl')}`) })).room;
      await waitIngest(k, slow.slug, owner.cookie, (m) => m.state !== 'queued');
      const started = Date.now();
      const other = (await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('other')}`) })).room;
      await waitReady(k, other.slug, owner.cookie);
      const stillSlow = await getIngest(k, slow.slug, owner.cookie);
      assert.equal(stillSlow.state, 'downloading', `the other job finished while the slow source still downloads: ${JSON.stringify(stillSlow)}`);

      const failed = await waitFailed(k, slow.slug, owner.cookie, { timeoutMs: 20_000 });
      assert.match(failed.error, /longer than this server's limit of 8 seconds/, failed.error);
      assert.deepEqual(historyStates(failed), ['queued', 'downloading', 'failed']);
      assert.ok(Date.now() - started < 15_000, 'stopped by the 8 s job limit');
    } finally {
      await k.stop();
    }
  });

  it('an HLS source\'s segments share one download time limit: each is quick enough alone, all together are not', async () => {
    const k = await startKino({ env: ingestEnv({ KINO_INGEST_DOWNLOAD_TIMEOUT_S: '2' }) });
    try {
      const owner = await registerUser(k);
      // ~0.8 s per segment at 250 kB/s (the clip's 2 s segments are ~200 kB): ~2.4 s for all three.
      const segments = ['seg_000.ts', 'seg_001.ts', 'seg_002.ts'];
      host.bodies.set('/slowhls/index.m3u8', {
        type: 'application/vnd.apple.mpegurl',
        body: `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${segments.map((s) => `#EXTINF:2,\n/trickle/250000/hls/${s}\n`).join('')}#EXT-X-ENDLIST\n`,
      });
      const t = token('slowhls');
      const started = Date.now();
      const room = (await createRoom(k, owner.cookie, { video_url: host.url(`/slowhls/index.m3u8?${t}`) })).room;
      const failed = await waitFailed(k, room.slug, owner.cookie, { timeoutMs: 20_000 });
      assert.match(failed.error, /took too long/, failed.error);
      assert.ok(Date.now() - started < 8000, `stopped after about 2 s in all: ${Date.now() - started} ms`);
      assert.ok(host.count('/trickle/250000/hls/seg_001.ts') >= 1, 'it was past the first segment');
    } finally {
      await k.stop();
    }
  });
});
