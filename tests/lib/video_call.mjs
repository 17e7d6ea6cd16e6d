// Helpers for tests and benchmarks that carry real video-chat media (Kino + embedded Janus + Chromium).
// Media only flows inside a private network namespace (tools/netns-run): Janus gathers no ICE candidates
// on loopback, and tests never use this machine's real addresses. Inside it, kino0 = 10.77.0.1.
import { existsSync } from 'node:fs';
import { inNetns, netnsRun, runInNetns } from './netns.mjs';

export { inNetns, netnsRun, runInNetns };

export const janusBinary = process.env.KINO_MEDIA_JANUS_BINARY || '/usr/bin/janus';

/** Why media tests cannot run here (a reason to skip), or null. */
export function mediaUnavailableReason() {
  if (!existsSync(janusBinary)) return `janus is not installed (${janusBinary})`;
  if (!inNetns && typeof process.getuid === 'function' && process.getuid() !== 0) return 'tools/netns-run needs root';
  return null;
}

/** Environment for startKino(): the embedded Janus, offering only the namespace's kino0 for media. */
export const MEDIA_ENV = { KINO_MEDIA_MODE: 'embedded', KINO_MEDIA_ICE_INTERFACE: 'kino0' };

export const CALL_CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  // A fake camera (640x480 test pattern) and microphone (a beep), granted without a prompt.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  // Real host candidates (10.77.0.1), not mDNS names: Janus runs with ignore_mdns.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // Five pages in one browser: background ones keep running at full speed.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];

/** Waits until /readyz reports Janus ok. */
export async function waitForJanus(url, ms = 30_000) {
  const until = Date.now() + ms;
  let last = null;
  while (Date.now() < until) {
    try {
      last = await (await fetch(`${url}/readyz`)).json();
      if (last.checks?.janus === 'ok') return last;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Janus never became ready: ${JSON.stringify(last)}`);
}

/**
 * A public room with `n` people, each in its own browser context (one browser): person 0 registers and
 * creates the room, the others join it as guests. Pages are not opened yet. Every context has
 * localStorage['kino.callDebug'] = '1' (window.__kinoCall) and camera/microphone permission.
 * @returns {Promise<{slug: string, url: string, people: {name: string, context: import('playwright-core').BrowserContext}[]}>}
 */
export async function callRoom(browser, baseUrl, n, { title = 'Video call', prefix = 'call', initScript } = {}) {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const headers = { 'X-Kino-CSRF': '1' };
  const people = [];
  for (let i = 0; i < n; i++) {
    const context = await browser.newContext({
      locale: 'en-US', timezoneId: 'Europe/Berlin', viewport: { width: 1024, height: 700 },
      permissions: ['camera', 'microphone'],
    });
    await context.addInitScript(() => localStorage.setItem('kino.callDebug', '1'));
    if (initScript) await context.addInitScript(initScript);
    people.push({ name: i === 0 ? `Host ${suffix}` : `Guest ${i}`, context });
  }
  const reg = await people[0].context.request.post(`${baseUrl}/api/v1/auth/register`, {
    headers, data: { username: `${prefix}_${suffix}`, password: 'correct horse battery', display_name: people[0].name },
  });
  if (reg.status() !== 201) throw new Error(`register: ${reg.status()} ${await reg.text()}`);
  // Ingest is off in tests: the (made-up) video is never fetched; the player shows it as queued.
  const res = await people[0].context.request.post(`${baseUrl}/api/v1/rooms`, {
    headers, data: { title: `${title} ${suffix}`, video_url: 'https://media.example.test/films/call-night.mp4', visibility: 'public' },
  });
  if (res.status() !== 201) throw new Error(`create room: ${res.status()} ${await res.text()}`);
  const body = await res.json();
  for (const p of people.slice(1)) {
    const j = await p.context.request.post(`${baseUrl}/api/v1/rooms/${body.room.slug}/join`, { headers, data: { display_name: p.name } });
    if (j.status() !== 200) throw new Error(`join: ${j.status()} ${await j.text()}`);
  }
  return { slug: body.room.slug, url: body.url, title: `${title} ${suffix}`, people };
}

// The video-call UI (web/src/features/call): see docs/protocol.md "Video chat".
export const callGrid = (page) => page.getByRole('region', { name: 'Video call' });
export const callButton = (page, name) => page.getByRole('button', { name, exact: true });
export const tiles = (page) => page.locator('[data-testid="call-tile"]');
export const tileOf = (page, participantId) => page.locator(`[data-testid="call-tile"][data-participant-id="${participantId}"]`);

/** This page's own participant id (its tile with data-self="true"). */
export async function selfId(page, timeout = 30_000) {
  const self = page.locator('[data-testid="call-tile"][data-self="true"]');
  await self.waitFor({ timeout });
  return self.getAttribute('data-participant-id');
}

/** Presses a toggle ("Camera", "Microphone") until aria-pressed is `on`. */
export async function setToggle(page, name, on, timeout = 20_000) {
  const b = callButton(page, name);
  if ((await b.getAttribute('aria-pressed')) !== String(on)) await b.click({ timeout });
  await page.getByRole('button', { name, exact: true, pressed: on }).waitFor({ timeout });
}

/** window.__kinoCall.inboundStats() grouped: {[participant_id]: {audio?: stat, video?: stat}}. */
export async function inbound(page) {
  const list = await page.evaluate(() => window.__kinoCall.inboundStats());
  const by = {};
  for (const s of list) (by[s.participant_id] ??= {})[s.kind] = s;
  return by;
}

/** Processes: pid → {ppid, comm, ticks (utime+stime)} from /proc. */
export async function processTable() {
  const { readdirSync, readFileSync } = await import('node:fs');
  const table = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] = state (field 3)
      table.set(Number(d), { ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone */ }
  }
  return table;
}

/** pid and all its descendants in `table`. */
export function subtree(table, pid) {
  const out = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, v] of table) if (!out.has(p) && out.has(v.ppid)) { out.add(p); grew = true; }
  }
  return out;
}
