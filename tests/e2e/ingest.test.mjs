// End-to-end: a room's video from link to player. A short H.264/AAC clip made with ffmpeg is served
// from a local HTTP server; kino (ingest on, private addresses allowed) downloads and packages it while
// the share panel shows the progress; then the room plays it through hls.js from Kino's origin. A link
// that answers 404 fails with the reason and the owner's "Try again". Screenshots go to /tmp/kino-shots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startKino } from '../lib/kino.mjs';

const SHOTS = process.env.KINO_SHOTS_DIR || '/tmp/kino-shots';
const STEP_MS = 30_000;
const TEST_MS = 120_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

let k;
let browser;
let clipDir;
let source; // the local video server
let sourceUrl;
let A;
const cspViolations = [];
const consoleErrors = [];
const pageErrors = [];

/** Serves clip.mp4 (with byte ranges) and 404 for everything else. */
function serveClip(file) {
  const size = statSync(file).size;
  return http.createServer((req, res) => {
    if (!req.url.startsWith('/clip.mp4')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'Content-Type': 'video/mp4',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
}

async function person() {
  const context = await browser.newContext({ locale: 'en-US', colorScheme: 'dark', timezoneId: 'Europe/Berlin', viewport: DESKTOP });
  await context.exposeBinding('__kinoReportCsp', (_src, v) => cspViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__kinoReportCsp(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);
  return { context, page };
}

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
  clipDir = mkdtempSync(path.join(tmpdir(), 'kino-clip-'));
  const clip = path.join(clipDir, 'clip.mp4');
  const ff = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
    '-t', '8', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '50', '-c:a', 'aac', '-shortest', clip,
  ], { encoding: 'utf8' });
  assert.equal(ff.status, 0, ff.stderr);
  source = serveClip(clip);
  await new Promise((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${source.address().port}`;

  k = await startKino({ timeoutMs: 30_000, env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  A = await person();
  const reg = await A.context.request.post(`${k.url}/api/v1/auth/register`, {
    headers: { 'X-Kino-CSRF': '1' },
    data: { username: `ingest_${suffix}`, password: 'correct horse battery', display_name: `Ida ${suffix}` },
  });
  assert.equal(reg.status(), 201, await reg.text());
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
  await new Promise((resolve) => (source ? source.close(resolve) : resolve()));
  if (clipDir) rmSync(clipDir, { recursive: true, force: true });
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
