// End-to-end: a room's video from link to player. A short H.264/AAC clip made with ffmpeg is served
// from a local HTTP server; kino (ingest on, private addresses allowed) downloads and packages it while
// the share panel shows the progress; then the room plays it through hls.js from Kino's origin. A link
// that answers 404 fails with the reason and the owner's "Try again". Screenshots go to /tmp/kino-shots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, DESKTOP, PHONE, SHOTS, launchChromium, openPerson, problemLog, registerVia, serveTestClip,
  uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 30_000;
const TEST_MS = 120_000;
const suffix = uniqueSuffix();

let k;
let browser;
let clips; // the local video server
let sourceUrl;
let A;
const problems = problemLog();
const { cspViolations, consoleErrors, pageErrors } = problems;

const h1 = (p, name) => p.getByRole('heading', { level: 1, name });
const player = (p) => p.getByRole('region', { name: 'Player' });

/** Fills and submits the create form; the share panel follows. */
async function createRoom(p, { title, video, visibility = 'public' }) {
  await p.goto(`${k.url}/new`);
  await h1(p, 'Create a room').waitFor();
  await p.getByLabel('Title', { exact: true }).fill(title);
  await p.getByLabel('Video link').fill(video);
  if (visibility === 'private') await p.getByRole('radio', { name: 'Private' }).check();
  await p.getByRole('button', { name: 'Create room' }).click();
  await h1(p, 'Your room is ready').waitFor();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  clips = await serveTestClip({ seconds: 8, gop: 50 });
  sourceUrl = clips.url;

  k = await startKino({ timeoutMs: 30_000, env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  browser = await launchChromium([...CHROMIUM_ARGS, AUTOPLAY_ARG]);
  A = await openPerson(browser, problems, { stepMs: STEP_MS });
  await registerVia(A.context, k.url, { username: `ingest_${suffix}`, displayName: `Ida ${suffix}` });
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
  await clips?.close();
});

describe('web app: video ingest and player', { concurrency: false }, () => {
  it('the share panel shows the progress advancing to ready; the room plays the video past 2 s, with its poster', { timeout: TEST_MS }, async () => {
    const p = A.page;
    // Record every state the progress bar passes through, from the moment it appears.
    await p.addInitScript(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]');
        const text = bar?.getAttribute('aria-valuetext');
        if (text && window.__progress.at(-1) !== text) window.__progress.push(text);
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuetext'] });
    });
    const title = `Test pattern ${suffix}`;
    await createRoom(p, { title, video: `${sourceUrl}/clip.mp4`, visibility: 'private' });
    const bar = p.getByRole('progressbar', { name: 'Video preparation' });
    await bar.waitFor();
    assert.equal(await bar.getAttribute('aria-valuemin'), '0');
    assert.equal(await bar.getAttribute('aria-valuemax'), '100');
    await p.screenshot({ path: path.join(SHOTS, 'ingest-share-progress.png'), fullPage: true });
    await p.waitForFunction(() => document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuetext') === 'Ready to watch', null, { timeout: 60_000 });
    assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    await p.getByText('The video is ready: open the room to watch.').waitFor();
    const seen = await p.evaluate(() => window.__progress);
    assert.ok(seen.length >= 2 && seen[0] !== 'Ready to watch', `the bar moved: ${seen.join(' → ')}`);
    for (const s of seen) assert.match(s, /^(Queued|(Downloading|Checking the video|Preparing for streaming) — \d+%( · about .+ left)?|Ready to watch)$/, s);
    await p.screenshot({ path: path.join(SHOTS, 'ingest-share-ready.png'), fullPage: true });

    await p.getByRole('link', { name: 'Open room' }).click();
    await h1(p, title).waitFor();
    await player(p).locator('video').waitFor();
    assert.equal(await player(p).locator('video').getAttribute('aria-label'), `Video: ${title}`);
    assert.equal(await p.getByRole('progressbar').count(), 0, 'no progress once playable');
    // Kino's own controls: Play is a shared action (this room has one person in it).
    assert.equal(await player(p).locator('video').getAttribute('controls'), null);
    await player(p).getByRole('button', { name: 'Play', exact: true }).click();
    await p.waitForFunction(() => document.querySelector('.player video')?.currentTime > 2, null, { timeout: 20_000 });
    const info = await player(p).locator('video').evaluate(async (v) => {
      const img = new Image();
      img.src = v.poster;
      await img.decode();
      return { poster: v.poster, width: img.naturalWidth, src: v.currentSrc, paused: v.paused, time: v.currentTime };
    });
    assert.match(info.poster, /\/media\/.+\/poster\.jpg$/);
    assert.ok(info.width > 0, 'the poster image loaded');
    assert.match(info.src, /^blob:/, 'hls.js feeds the video through Media Source Extensions');
    assert.equal(info.paused, false);
    await p.screenshot({ path: path.join(SHOTS, 'player-playing.png'), fullPage: true });
    await p.setViewportSize(PHONE);
    await p.waitForTimeout(200);
    await p.screenshot({ path: path.join(SHOTS, 'player-playing-360.png'), fullPage: true });
    await p.setViewportSize(DESKTOP);
  });

  it('a link that answers 404 fails with the reason, and the owner can try again', { timeout: TEST_MS }, async () => {
    const p = A.page;
    const title = `Missing film ${suffix}`;
    await createRoom(p, { title, video: `${sourceUrl}/missing.mp4` });
    const panel = p.getByRole('region', { name: 'Video preparation' });
    const reason = panel.getByText(/answered HTTP 404/);
    await reason.waitFor({ timeout: 30_000 });
    await panel.getByText('Couldn’t prepare the video').waitFor();
    await p.screenshot({ path: path.join(SHOTS, 'ingest-share-failed.png'), fullPage: true });
    await panel.getByRole('button', { name: 'Try again' }).click();
    // Queued again, then the same failure: the button comes back.
    await panel.getByRole('button', { name: 'Try again' }).waitFor();
    await reason.waitFor();

    await p.getByRole('link', { name: 'Open room' }).click();
    await h1(p, title).waitFor();
    await player(p).getByText(/answered HTTP 404/).waitFor();
    await player(p).getByRole('button', { name: 'Try again' }).waitFor();
    await p.screenshot({ path: path.join(SHOTS, 'player-failed.png'), fullPage: true });
  });
});

describe('web app: ingest hygiene', () => {
  it('caused no CSP violations and no unexpected console errors', () => {
    assert.deepEqual(cspViolations, [], 'CSP violations');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    const unexpected = consoleErrors.filter((t) => !/^Failed to load resource: the server responded with a status of (401)\b/.test(t));
    assert.deepEqual(unexpected, [], 'console errors');
  });
});
