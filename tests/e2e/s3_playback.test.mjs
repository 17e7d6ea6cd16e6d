// End-to-end with the media on S3: Kino (storage.blob = "s3") keeps its HLS in a bucket of a real
// OpenStack Swift (tests/lib/swift.mjs, 3 replicas on 127.0.0.1). A private room's video is
// ingested into the bucket, one Swift device's data is wiped, and Chromium plays the video through
// hls.js from Kino's signed /media/s/... origin past 3 s. Screenshot in /tmp/kino-shots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { startSwift, swiftInstalled } from '../lib/swift.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, SHOTS, createRoomVia, launchChromium, openPerson, problemLog, registerVia, serveTestClip,
  uniqueSuffix,
} from '../lib/e2e.mjs';

const BUCKET = 'kino-e2e';
const TEST_MS = 120_000;
const suffix = uniqueSuffix();
const problems = problemLog();

describe('web app: a video kept on S3 plays', { skip: !swiftInstalled() && 'Swift is not installed (tools/install-deps)' }, () => {
  let swift;
  let clip;
  let k;
  let browser;
  let A;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    swift = await startSwift({ buckets: [BUCKET] });
    clip = await serveTestClip({ seconds: 8, gop: 50 });
    k = await startKino({
      timeoutMs: 30_000,
      env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true', ...swift.kinoEnv(BUCKET) },
    });
    browser = await launchChromium([...CHROMIUM_ARGS, AUTOPLAY_ARG]);
    A = await openPerson(browser, problems, { stepMs: 30_000 });
    await registerVia(A.context, k.url, { username: `s3_${suffix}`, displayName: `Sam ${suffix}` });
  }, { timeout: TEST_MS });

  after(async () => {
    await browser?.close();
    await k?.stop();
    await clip?.close();
    await swift?.stop();
  });

  it('ingests into the bucket, and after a lost device the room still plays it from the origin', { timeout: TEST_MS }, async () => {
    const title = `On S3 ${suffix}`;
    const { room } = await createRoomVia(A.context, k.url, { title, videoUrl: `${clip.url}/clip.mp4`, visibility: 'private' });
    const until = Date.now() + 60_000;
    let media = { state: 'queued' };
    while (!['ready', 'failed'].includes(media.state) && Date.now() < until) {
      await new Promise((resolve) => { setTimeout(resolve, 200); });
      media = await (await A.context.request.get(`${k.url}/api/v1/rooms/${room.slug}/ingest`)).json();
    }
    assert.equal(media.state, 'ready', JSON.stringify(media));
    assert.match(media.hls_url, /^\/media\/s\//, 'a private room gets signed media links');
    const asset = media.hls_url.split('/').at(-2);
    const keys = await swift.listKeys(BUCKET, `${asset}/`);
    assert.ok(keys.includes(`${asset}/master.m3u8`) && keys.some((key) => key.endsWith('.ts')), `HLS in the bucket: ${keys}`);

    swift.wipeDevice('d1');
    const p = A.page;
    const mediaAnswers = [];
    p.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/media/')) mediaAnswers.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await p.goto(`${k.url}/r/${room.slug}`);
    await p.getByRole('heading', { level: 1, name: title }).waitFor();
    const player = p.getByRole('region', { name: 'Player' });
    await player.locator('video').waitFor();
    await player.getByRole('button', { name: 'Play', exact: true }).click();
    await p.waitForFunction(() => document.querySelector('.player video')?.currentTime > 3, null, { timeout: 30_000 });
    const info = await player.locator('video').evaluate((v) => ({ src: v.currentSrc, paused: v.paused, error: v.error?.code ?? null }));
    assert.match(info.src, /^blob:/, 'hls.js plays through Media Source Extensions');
    assert.equal(info.paused, false);
    assert.equal(info.error, null);
    await p.screenshot({ path: path.join(SHOTS, 's3-player-playing.png') });
    assert.ok(mediaAnswers.some((a) => /^200 \/media\/s\/.+\.ts$/.test(a)), `segments came from the signed origin: ${mediaAnswers}`);
    assert.deepEqual(mediaAnswers.filter((a) => !/^20[06] /.test(a)), [], 'every media request succeeded');
  });

  it('caused no CSP violations and no console errors; the S3 secret is not in Kino\'s log', () => {
    assert.deepEqual(problems.cspViolations, [], 'CSP violations');
    assert.deepEqual(problems.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(problems.consoleErrors, [], 'console errors');
    assert.ok(!k.logs().includes(swift.secretKey));
  });
});
