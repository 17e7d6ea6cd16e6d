// Chat memory probe (not a test, not in `make bench`): what a busy chat costs a page. One `kino serve`,
// CHAT_PAGES Chromium pages (default 1) in a room, CHAT_PEOPLE people (default 10) chatting over WebSocket
// at CHAT_RATE messages per second in all (default 10) for CHAT_SECONDS (default 90). Every
// CHAT_SAMPLE_S seconds (default 10) prints, per page, the JS heap (performance.memory.usedJSHeapSize),
// the DOM element count, the chat's <li> count, the log's scroll height and how long one page.evaluate
// took; and the PSS (RSS where PSS is unreadable) and CPU seconds of Chromium's whole process tree
// (CHAT_PER_PROCESS=1: also by process).
// CHAT_DEBUG=1 sets localStorage 'kino.callDebug' and 'kino.syncDebug' in the pages first;
// CHAT_RATE=0 measures the same room without chat.
//   node bench/chat_memory.bench.mjs
import { startKino } from '../tests/lib/kino.mjs';
import { Chatter } from '../tests/lib/chatter.mjs';
import { chromiumProcesses } from '../tests/lib/proc_memory.mjs';
import { CHROMIUM_ARGS, FULL_SPEED_BACKGROUND_ARGS, launchChromium, openPerson, problemLog, uniqueSuffix } from '../tests/lib/e2e.mjs';
import { createRoom, registerUser, relaxedLimits, bulkRealtime, sleep } from '../tests/integration/http.mjs';
import { joinedUser } from '../tests/integration/ws_client.mjs';

const env = (name, def) => Number(process.env[name] ?? def);
const PAGES = env('CHAT_PAGES', 1);
const PEOPLE = env('CHAT_PEOPLE', 10);
const RATE = env('CHAT_RATE', 10);
const SECONDS = env('CHAT_SECONDS', 90);
const SAMPLE_S = env('CHAT_SAMPLE_S', 10);
const DEBUG = process.env.CHAT_DEBUG === '1';

/** Chromium's memory (MB, PSS summed over its processes) and CPU seconds; `per` by process type. */
function chromiumUsage() {
  const procs = chromiumProcesses();
  return {
    mb: procs.reduce((n, p) => n + p.mb, 0),
    cpuS: Math.round(procs.reduce((n, p) => n + p.cpuS, 0)),
    per: procs.map((p) => `${p.type}:${p.mb}`).join(','),
  };
}

async function pageSample(page) {
  const t0 = Date.now();
  const s = await page.evaluate(() => ({
    heapMb: Math.round(performance.memory.usedJSHeapSize / 1e6),
    dom: document.getElementsByTagName('*').length,
    items: document.querySelectorAll('.chat-list li').length,
    logScrollH: document.querySelector('.chat-log')?.scrollHeight,
  }));
  return { ...s, evalMs: Date.now() - t0 };
}

const k = await startKino({
  timeoutMs: 30_000,
  env: { ...relaxedLimits, ...bulkRealtime, KINO_REALTIME_CHAT_MAX_PER_10S: '1000', KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '100000' },
});
const browser = await launchChromium([...CHROMIUM_ARGS, ...FULL_SPEED_BACKGROUND_ARGS, '--enable-precise-memory-info']);
try {
  const owner = await registerUser(k);
  const room = await createRoom(k, owner.cookie, { title: `Chat memory ${uniqueSuffix()}` });
  const slug = room.room.slug;
  const problems = problemLog();
  const pages = [];
  for (let i = 0; i < PAGES; i += 1) {
    const p = await openPerson(browser, problems, {
      stepMs: 60_000,
      initScript: DEBUG ? () => { localStorage.setItem('kino.callDebug', '1'); localStorage.setItem('kino.syncDebug', '1'); } : undefined,
    });
    const res = await p.context.request.post(`${k.url}/api/v1/rooms/${slug}/join`, { headers: { 'X-Kino-CSRF': '1' }, data: { display_name: `Viewer ${i}` } });
    if (res.status() !== 200) throw new Error(`join: ${res.status()}`);
    await p.page.goto(`${k.url}/r/${slug}`);
    await p.page.getByRole('textbox', { name: 'Message' }).waitFor();
    pages.push(p.page);
  }
  const chatters = [];
  if (RATE > 0) {
    for (let i = 0; i < PEOPLE; i += 1) {
      const u = await joinedUser(k, slug, { display_name: `Talker ${i}` });
      const c = new Chatter(k, slug, u.cookie, `t${i}`);
      await c.open();
      chatters.push(c);
    }
    for (const c of chatters) c.start(Math.round((1000 * PEOPLE) / RATE));
  }
  console.log(`pages=${PAGES} people=${PEOPLE} rate=${RATE}/s debug=${DEBUG} seconds=${SECONDS}`);
  const start = Date.now();
  for (;;) {
    const t = Math.round((Date.now() - start) / 1000);
    const samples = [];
    for (const p of pages) samples.push(await pageSample(p).catch((e) => ({ error: String(e).slice(0, 80) })));
    const sent = chatters.reduce((n, c) => n + c.acked.size, 0);
    const u = chromiumUsage();
    console.log(`t=${t}s acked=${sent} chromium=${u.mb}MB cpu=${u.cpuS}s ${process.env.CHAT_PER_PROCESS === '1' ? `[${u.per}] ` : ''}${samples.map((s) => JSON.stringify(s)).join(' ')}`);
    if (t >= SECONDS) break;
    await sleep(SAMPLE_S * 1000);
  }
  for (const c of chatters) c.stop();
} finally {
  await browser.close();
  await k.stop();
  process.exit(0);
}
