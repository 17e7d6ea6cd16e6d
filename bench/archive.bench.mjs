// Archive benchmark (make bench; not a test): how soon an ended room's archive is there, and how the
// archive of a long chat loads. One `kino serve` on 127.0.0.1 (embedded defaults, a temporary data
// directory, ingest on for a clip generated and served on loopback) and the system Chromium.
//
// (a) End to archive, ARCHIVE_END_RUNS times (default 3), each with a new room: the host's page is open
//     in the live room with the film ingested, three messages are written there; the clock starts when
//     POST /api/v1/rooms/{slug}/end is sent and stops when (1) the host's open page shows the archive
//     with the film playable (its <video> has metadata, readyState ≥ 1) and the chat (the three
//     messages in the replay), and (2) a fresh visitor's page, opened as soon as the end is answered,
//     shows the same.
// (b) A long chat: ARCHIVE_MESSAGES messages (default 10,000) written by ARCHIVE_WRITERS guests
//     (default 4) over the WebSocket, in batches each waits to be acknowledged; the room is ended;
//     then ARCHIVE_LOADS fresh pages (default 5, one new context each, nothing cached) load /r/<slug>.
//     Per load, from navigation start (the page's performance.now()): the chat shown (the replay's
//     messages in the DOM) and the film playable; then "Whole chat" and "Last messages" are clicked
//     and the time until the last message is on screen is taken (so it includes two Playwright
//     clicks). Then the JS heap after a garbage collection, the DOM's elements and the chat's rows.
//
// The bench's server raises the chat limits (realtime.chat_max_per_10s and friends, ordinary
// configuration) so the long chat is written in seconds rather than the half hour the defaults
// allow; nothing else differs from `kino serve`'s defaults.
// Prints a table per part and one JSON line starting with `archive-bench `. Medians over the runs.
//   node bench/archive.bench.mjs
import { startKino } from '../tests/lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, FULL_SPEED_BACKGROUND_ARGS, createRoomVia, launchChromium, openPerson, problemLog,
  registerVia, serveTestClip, uniqueSuffix,
} from '../tests/lib/e2e.mjs';
import { connect, joinedGuest } from '../tests/integration/ws_client.mjs';

const env = (name, def) => Number(process.env[name] ?? def);
const END_RUNS = env('ARCHIVE_END_RUNS', 3);
const MESSAGES = env('ARCHIVE_MESSAGES', 10_000);
const WRITERS = env('ARCHIVE_WRITERS', 4);
const LOADS = env('ARCHIVE_LOADS', 5);
const BATCH = 100;
const STEP_MS = 60_000;
const CSRF = { 'X-Kino-CSRF': '1' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => Math.round(x);

function table(title, rows) {
  console.log(`\n${title}`);
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(width[i])).join('  ');
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

/** Waits until the room's film is ingested (ready). */
async function ingested(context, k, slug) {
  for (const end = Date.now() + 120_000; ;) {
    const job = await (await context.request.get(`${k.url}/api/v1/rooms/${slug}/ingest`)).json();
    if (job.state === 'ready') return;
    if (job.state === 'failed') throw new Error(`ingest failed: ${job.error}`);
    if (Date.now() > end) throw new Error(`ingest stuck in ${job.state}`);
    await sleep(250);
  }
}

/**
 * In the page: the archive shows the film playable and at least `n` messages in the replay. Resolves
 * with the page's Date.now() then (`clock: 'wall'`) or its performance.now() (`clock: 'page'`).
 */
function archiveShown(page, n, clock) {
  return page.waitForFunction(({ n: want, clock: c }) => {
    const v = document.querySelector('[data-testid="archive-video"]');
    const rows = document.querySelectorAll('[data-testid="archive-replay"] li').length;
    if (!v || v.readyState < 1 || rows < want) return false;
    return c === 'wall' ? Date.now() : performance.now();
  }, { n, clock }, { polling: 'raf', timeout: STEP_MS }).then((h) => h.jsonValue());
}

async function newHost(browser, problems, k, suffix) {
  const host = await openPerson(browser, problems, { stepMs: STEP_MS });
  await registerVia(host.context, k.url, { username: `bench_${suffix}`, displayName: `Host ${suffix}` });
  return host;
}

async function endToArchive(browser, problems, k, clipUrl, run) {
  const suffix = `${uniqueSuffix()}${run}`;
  const host = await newHost(browser, problems, k, suffix);
  const body = await createRoomVia(host.context, k.url, { title: `Archive bench ${suffix}`, videoUrl: clipUrl, visibility: 'public' });
  const slug = body.room.slug;
  await ingested(host.context, k, slug);
  const page = host.page;
  await page.goto(body.url);
  const composer = page.getByRole('textbox', { name: 'Message' });
  const lines = ['first line', 'second line', 'third line'];
  for (const line of lines) {
    await composer.fill(line);
    await composer.press('Enter');
    await page.getByRole('main').getByText(line, { exact: true }).waitFor();
  }
  const visitor = await openPerson(browser, problems, { stepMs: STEP_MS });
  const t0 = Date.now();
  const openShown = archiveShown(page, lines.length, 'wall');
  const res = await host.context.request.post(`${k.url}/api/v1/rooms/${slug}/end`, { headers: CSRF });
  if (res.status() !== 200) throw new Error(`end: ${res.status()} ${await res.text()}`);
  const answered = Date.now();
  await visitor.page.goto(`${k.url}/r/${slug}`, { waitUntil: 'commit' });
  const [openAt, freshAt] = await Promise.all([openShown, archiveShown(visitor.page, lines.length, 'wall')]);
  await visitor.context.close();
  await host.context.close();
  return { run: run + 1, end_answered_ms: answered - t0, open_page_ms: openAt - t0, fresh_visitor_ms: freshAt - t0 };
}

/** Writes `total` messages into the room from `writers` guests, each batch acknowledged before the next. */
async function writeLongChat(k, slug, total, writers) {
  const clients = [];
  for (let w = 0; w < writers; w += 1) {
    const g = await joinedGuest(k, slug, { display_name: `Writer ${w + 1}` });
    const c = await connect(k, slug, { cookie: g.cookie, label: `writer${w + 1}`, timeoutMs: 10_000 });
    c.acked = 0;
    c.ws.on('message', (data) => {
      const f = JSON.parse(data.toString('utf8'));
      if (f.type === 'chat.ack') c.acked += 1;
      else if (f.type === 'error') c.failure = `${f.code}: ${f.message}`;
      c.wake();  // the Client's own listener, which wakes `until`, ran before this one
    });
    clients.push(c);
  }
  const share = Math.ceil(total / writers);
  await Promise.all(clients.map(async (c, w) => {
    const mine = Math.min(share, total - w * share);
    for (let sent = 0; sent < mine;) {
      const batch = Math.min(BATCH, mine - sent);
      for (let i = 0; i < batch; i += 1) {
        sent += 1;
        c.chat(`w${w + 1}-${sent}`, `Writer ${w + 1}, line ${sent}: what a scene, did you see the light on the water?`);
      }
      await c.until(() => c.failure || c.acked >= sent, 60_000, `acks up to ${sent}`);
      if (c.failure) throw new Error(`writer ${w + 1}: ${c.failure}`);
    }
  }));
  for (const c of clients) await c.close();
}

async function loadLongArchive(browser, problems, k, slug, lastText, run) {
  const visitor = await openPerson(browser, problems, { stepMs: STEP_MS });
  const page = visitor.page;
  await page.goto(`${k.url}/r/${slug}`, { waitUntil: 'commit' });
  const chatAt = await page.waitForFunction(
    () => document.querySelector('[data-testid="archive-replay"] li') && performance.now(),
    null, { polling: 'raf', timeout: STEP_MS },
  ).then((h) => h.jsonValue());
  const filmAt = await archiveShown(page, 1, 'page');
  const main = page.getByRole('main');
  await main.getByRole('button', { name: 'Whole chat' }).click();
  await main.getByRole('button', { name: 'Last messages' }).click();
  const lastAt = await page.waitForFunction((text) => {
    const rows = document.querySelectorAll('[data-testid="archive-whole"] li');
    const last = rows[rows.length - 1];
    return last?.textContent?.includes(text) && performance.now();
  }, lastText, { polling: 'raf', timeout: STEP_MS }).then((h) => h.jsonValue());
  const sizes = await page.evaluate(() => {
    globalThis.gc?.();
    return {
      heap_mb: Math.round(performance.memory.usedJSHeapSize / 1e5) / 10,
      dom_elements: document.getElementsByTagName('*').length,
      chat_rows: document.querySelectorAll('[data-testid="archive-whole"] li').length,
    };
  });
  await visitor.context.close();
  return { run: run + 1, chat_shown_ms: ms(chatAt), film_playable_ms: ms(filmAt), last_message_ms: ms(lastAt), ...sizes };
}

const clips = await serveTestClip({ seconds: 10, gop: 25 });
const k = await startKino({
  timeoutMs: 30_000,
  env: {
    KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',
    KINO_REALTIME_CHAT_MAX_PER_10S: '1000000', KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '1000000',
    KINO_REALTIME_FRAMES_MAX_PER_10S: '1000000',
  },
});
const browser = await launchChromium([
  ...CHROMIUM_ARGS, ...FULL_SPEED_BACKGROUND_ARGS, AUTOPLAY_ARG, '--enable-precise-memory-info', '--js-flags=--expose-gc',
]);
const problems = problemLog();
let failed = false;
try {
  const clipUrl = `${clips.url}/clip.mp4`;
  const ends = [];
  for (let run = 0; run < END_RUNS; run += 1) ends.push(await endToArchive(browser, problems, k, clipUrl, run));
  table('End to archive (ms from POST …/end)', ends);

  const suffix = uniqueSuffix();
  const host = await newHost(browser, problems, k, `long${suffix}`);
  const body = await createRoomVia(host.context, k.url, { title: `Long chat ${suffix}`, videoUrl: clipUrl, visibility: 'public' });
  const slug = body.room.slug;
  await ingested(host.context, k, slug);
  const w0 = Date.now();
  await writeLongChat(k, slug, MESSAGES, WRITERS);
  const writeMs = Date.now() - w0;
  const ended = await host.context.request.post(`${k.url}/api/v1/rooms/${slug}/end`, { headers: CSRF });
  if (ended.status() !== 200) throw new Error(`end: ${ended.status()}`);
  const f0 = Date.now();
  const transcript = await host.context.request.get(`${k.url}/api/v1/rooms/${slug}/transcript.json`);
  const bytes = (await transcript.body()).length;
  const transcriptMs = Date.now() - f0;
  const { messages } = JSON.parse((await transcript.body()).toString('utf8'));
  if (messages.length !== MESSAGES) throw new Error(`transcript has ${messages.length} messages, not ${MESSAGES}`);
  await host.context.close();
  const loads = [];
  for (let run = 0; run < LOADS; run += 1) loads.push(await loadLongArchive(browser, problems, k, slug, messages.at(-1).text, run));
  table(`Archive page of a room with ${MESSAGES.toLocaleString('en')} messages (ms from navigation start)`, loads);
  console.log(`\nwrote ${MESSAGES} messages in ${writeMs} ms; transcript.json ${Math.round(bytes / 1024)} KiB in ${transcriptMs} ms`);

  const pick = (rows, key) => median(rows.map((r) => r[key]));
  const result = {
    end_to_archive: {
      runs: ends.length,
      open_page_ms_median: pick(ends, 'open_page_ms'), open_page_ms_max: Math.max(...ends.map((r) => r.open_page_ms)),
      fresh_visitor_ms_median: pick(ends, 'fresh_visitor_ms'), fresh_visitor_ms_max: Math.max(...ends.map((r) => r.fresh_visitor_ms)),
    },
    long_archive: {
      messages: MESSAGES, loads: loads.length, transcript_kib: Math.round(bytes / 1024), transcript_fetch_ms: transcriptMs,
      chat_shown_ms_median: pick(loads, 'chat_shown_ms'), film_playable_ms_median: pick(loads, 'film_playable_ms'),
      last_message_ms_median: pick(loads, 'last_message_ms'), heap_mb_median: pick(loads, 'heap_mb'),
      dom_elements_median: pick(loads, 'dom_elements'), chat_rows: loads[0].chat_rows,
    },
    page_errors: problems.pageErrors.length,
  };
  console.log(`\narchive-bench ${JSON.stringify(result)}`);
  if (problems.pageErrors.length) console.log(`page errors: ${problems.pageErrors.join(' | ')}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  await k.stop();
  await clips.close();
}
process.exit(failed ? 1 : 0);
