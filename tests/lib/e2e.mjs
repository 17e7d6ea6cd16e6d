// Shared setup for the Chromium end-to-end tests (tests/e2e): the browser, people (a context and a page
// each, watched for CSP violations and errors), API shortcuts for accounts and rooms, a local video
// source, and the 360 px layout check. Helpers that call the API assert its status like the tests do.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const SHOTS = process.env.KINO_SHOTS_DIR || '/tmp/kino-shots';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
export const PASSWORD = 'correct horse battery';
const CSRF = { 'X-Kino-CSRF': '1' };

/** Chromium flags every e2e browser uses: headless-friendly, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
/** Lets a video play without a click. */
export const AUTOPLAY_ARG = '--autoplay-policy=no-user-gesture-required';
/** Several pages playing at once: background ones keep running at full speed. */
export const FULL_SPEED_BACKGROUND_ARGS = [
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];

/** Launches the system Chromium headless with `args`. */
export function launchChromium(args = CHROMIUM_ARGS) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

/** A suffix that keeps this run's user names and titles apart from any other run's. */
export function uniqueSuffix() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Empty lists a test fills with what its pages reported, and checks in its hygiene test. */
export function problemLog() {
  return { cspViolations: [], consoleErrors: [], pageErrors: [] };
}

/** Reports the context's CSP violations (every page, across navigations) into `cspViolations`. */
export async function reportCspViolations(context, cspViolations) {
  // Runs before any page script; not subject to the page's CSP.
  await context.exposeBinding('__kinoReportCsp', (_src, v) => cspViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__kinoReportCsp(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

/**
 * One person: a context of its own (cookies, storage; en-US, dark) with CSP reporting and one page whose
 * console errors and uncaught errors go to `problems` (prefixed with `name` when given), step timeouts `stepMs`.
 * `initScript` runs in every page before the CSP listener is added.
 * @returns {Promise<{name?: string, context: import('playwright-core').BrowserContext, page: import('playwright-core').Page}>}
 */
export async function openPerson(browser, problems, {
  stepMs, name, timezoneId = 'Europe/Berlin', viewport = DESKTOP, permissions, initScript,
} = {}) {
  const context = await browser.newContext({
    locale: 'en-US', colorScheme: 'dark', timezoneId, viewport, ...(permissions ? { permissions } : {}),
  });
  if (initScript) await context.addInitScript(initScript);
  await reportCspViolations(context, problems.cspViolations);
  const page = await context.newPage();
  const prefix = name === undefined ? '' : `${name}: `;
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(`${prefix}${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.pageErrors.push(`${prefix}${err}`));
  page.setDefaultTimeout(stepMs);
  page.setDefaultNavigationTimeout(stepMs);
  return name === undefined ? { context, page } : { name, context, page };
}

/** Registers an account through the API (asserts 201); the context keeps the session cookie. */
export async function registerVia(context, baseUrl, { username, displayName }) {
  const res = await context.request.post(`${baseUrl}/api/v1/auth/register`, {
    headers: CSRF,
    data: { username, password: PASSWORD, display_name: displayName },
  });
  assert.equal(res.status(), 201, await res.text());
}

/** Creates a room through the API as the context's account (asserts 201); resolves with the response body. */
export async function createRoomVia(context, baseUrl, { title, videoUrl, visibility }) {
  const res = await context.request.post(`${baseUrl}/api/v1/rooms`, {
    headers: CSRF,
    data: { title, video_url: videoUrl, visibility },
  });
  assert.equal(res.status(), 201, await res.text());
  return res.json();
}

/** Joins a public room as a guest named `displayName` through the API (asserts 200). */
export async function joinRoomVia(context, baseUrl, slug, displayName) {
  const res = await context.request.post(`${baseUrl}/api/v1/rooms/${slug}/join`, { headers: CSRF, data: { display_name: displayName } });
  assert.equal(res.status(), 200, await res.text());
}

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

/**
 * A `seconds` long H.264/AAC test clip (`size`, keyframe every `gop` frames at `rate` fps, made with ffmpeg; asserts it
 * was made) served on loopback as `${url}/clip.mp4`. close() stops the server and deletes the clip.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function serveTestClip({ seconds, gop, size = '640x360', rate = 25 }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kino-clip-'));
  let server;
  const close = async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const clip = path.join(dir, 'clip.mp4');
    const ff = spawnSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-f', 'lavfi', '-i', 'sine=frequency=440',
      '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(gop),
      '-c:a', 'aac', '-shortest', clip,
    ], { encoding: 'utf8' });
    assert.equal(ff.status, 0, ff.stderr);
    server = serveClip(clip);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (e) {
    await close();
    throw e;
  }
  return { url: `http://127.0.0.1:${server.address().port}`, close };
}

/** Nothing may scroll sideways (UX: 360 px wide phones). */
export async function assertNoSideScroll(p, label) {
  const { scroll, client } = await p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${label}: page is ${scroll}px wide in a ${client}px viewport`);
}

/**
 * Screenshots `${name}.png` at the desktop width and `${name}-360.png` (full page) at 360 px, checking at
 * 360 px that nothing scrolls sideways; waits `settleMs` for the narrow layout and `restoreMs` after going back.
 */
export async function shotsAtBothWidths(p, name, { desktopFullPage = true, settleMs, restoreMs = 0 }) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: desktopFullPage });
  await p.setViewportSize(PHONE);
  await p.waitForTimeout(settleMs); // let layout settle
  await p.screenshot({ path: path.join(SHOTS, `${name}-360.png`), fullPage: true });
  await assertNoSideScroll(p, name);
  await p.setViewportSize(DESKTOP);
  if (restoreMs) await p.waitForTimeout(restoreMs);
}
