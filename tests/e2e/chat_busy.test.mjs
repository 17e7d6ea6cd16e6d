// End-to-end: a busy chat does not eat the page. Four people pour 3,000 messages into a room (about
// 200 a second) while a viewer's Chromium page has it open. Regression for the chaos test's pages
// that grew from 2 GB to over 6 GB within a minute of chat and stopped answering: the log re-rendered
// every message on each new one, and each render made two new Intl.DateTimeFormat objects per message
// whose ICU memory lives outside the JS heap, so the garbage collector rarely ran while the renderer
// grew by gigabytes. Throughout, the page must answer within a second and its renderer stay under
// RENDERER_MAX_MB; at the end the log shows the last message, holds at most a window of list items
// (core/chat_window.ts), and scrolling back still reaches older messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { CHROMIUM_ARGS, joinRoomVia, launchChromium, openPerson, problemLog, uniqueSuffix } from '../lib/e2e.mjs';
import { largestRendererMb } from '../lib/proc_memory.mjs';
import { bulkRealtime, createRoom, registerUser, relaxedLimits, sleep } from '../integration/http.mjs';
import { connect, joinedUser } from '../integration/ws_client.mjs';

const TEST_MS = 60_000;
const SENDERS = 4;
const MESSAGES = 3000;
const PER_SECOND = 200;
/** Measured: the windowed log's renderer stays at 160–180 MB; the old log's was 2 GB after 217 messages. */
const RENDERER_MAX_MB = 600;
/** The JS heap stays at 5–20 MB either way (the old log's growth was native memory); a guard, not the catch. */
const HEAP_MAX_MB = 60;
/** The chat's list items: the window's cap (CHAT_WINDOW.max) plus a few unsent ones. */
const ITEMS_MAX = 310;
/** Measured: ≤ 60 ms; the old log's page took 6 s to answer after 217 messages. */
const RESPONSE_MAX_MS = 1000;

let k;
let browser;
let viewer;
const problems = problemLog();

before(async () => {
  k = await startKino({
    timeoutMs: 30_000,
    env: { ...relaxedLimits, ...bulkRealtime, KINO_REALTIME_CHAT_MAX_PER_10S: '1000', KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '100000' },
  });
  browser = await launchChromium([...CHROMIUM_ARGS, '--enable-precise-memory-info']);
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
});

/** The page's JS heap (MB), element count and chat list items, and how long asking took (ms). */
async function sample(page) {
  const t0 = Date.now();
  const s = await Promise.race([
    page.evaluate(() => ({
      heapMb: performance.memory.usedJSHeapSize / 1e6,
      elements: document.getElementsByTagName('*').length,
      items: document.querySelectorAll('.chat-list li').length,
    })),
    sleep(10_000).then(() => null),
  ]);
  return { ...s, ms: Date.now() - t0, rendererMb: largestRendererMb() };
}

describe('web app: a busy chat', { concurrency: false }, () => {
  it('3,000 messages at 200/s keep the page answering and its memory and DOM bounded', { timeout: TEST_MS }, async () => {
    const owner = await registerUser(k);
    const { room } = await createRoom(k, owner.cookie, { title: `Busy chat ${uniqueSuffix()}` });
    viewer = await openPerson(browser, problems, { stepMs: 20_000 });
    await joinRoomVia(viewer.context, k.url, room.slug, 'Quiet viewer');
    await viewer.page.goto(`${k.url}/r/${room.slug}`);
    const input = viewer.page.getByRole('textbox', { name: 'Message' });
    await input.waitFor();

    const senders = [];
    for (let i = 0; i < SENDERS; i += 1) {
      const u = await joinedUser(k, room.slug, { display_name: `Talker ${i}` });
      senders.push(await connect(k, room.slug, { cookie: u.cookie, label: `talker${i}` }));
    }
    const samples = [];
    let worst = null;
    let sent = 0;
    const start = Date.now();
    let nextSample = start;
    while (sent < MESSAGES) {
      const due = Math.min(MESSAGES, Math.floor(((Date.now() - start) / 1000) * PER_SECOND) + 1);
      for (; sent < due; sent += 1) senders[sent % SENDERS].chat(`busy-${sent}`, `message ${sent + 1} of ${MESSAGES}`);
      if (Date.now() >= nextSample) {
        const s = await sample(viewer.page);
        samples.push({ sent, ...s });
        if (s.rendererMb > RENDERER_MAX_MB || s.ms > RESPONSE_MAX_MS) { worst = samples.at(-1); break; }
        nextSample = Date.now() + 1000;
      }
      await sleep(20);
    }
    const table = () => samples.map((s) => `${s.sent} sent: ${s.rendererMb} MB renderer, ${s.heapMb?.toFixed(1)} MB heap, ${s.elements} elements, ${s.items} items, answered in ${s.ms} ms`).join('\n');
    assert.equal(worst, null, `the page stays answering and bounded while the chat floods:\n${table()}`);

    // Every message arrives and the newest is on screen.
    await viewer.page.locator('.chat-list .chat-text', { hasText: `message ${MESSAGES} of ${MESSAGES}` }).waitFor({ timeout: 20_000 }).catch(async (e) => {
      const log = await viewer.page.evaluate(() => {
        const el = document.querySelector('.chat-log');
        const shown = [...document.querySelectorAll('.chat-list .chat-text')].map((p) => p.textContent);
        return { scrollTop: el.scrollTop, scrollHeight: el.scrollHeight, items: shown.length, first: shown[0], last: shown.at(-1) };
      });
      throw new Error(`the newest message never showed (${e.message.split('\n')[0]}); the log: ${JSON.stringify(log)}\n${table()}`);
    });
    const messages = viewer.page.getByRole('region', { name: 'Messages' });
    const below = await messages.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(below <= 48, `the log follows the newest (${below} px below the view)`);
    const end = await sample(viewer.page);
    samples.push({ sent, ...end });
    console.log(`busy chat:\n${table()}`);
    assert.ok(end.ms <= RESPONSE_MAX_MS, `answers within ${RESPONSE_MAX_MS} ms: ${end.ms}`);
    assert.ok(end.rendererMb <= RENDERER_MAX_MB, `renderer ≤ ${RENDERER_MAX_MB} MB: ${end.rendererMb}`);
    assert.ok(end.heapMb <= HEAP_MAX_MB, `JS heap ≤ ${HEAP_MAX_MB} MB: ${end.heapMb}`);
    assert.ok(end.items <= ITEMS_MAX, `at most ${ITEMS_MAX} chat items rendered: ${end.items}`);
    for (const s of senders) {
      const acks = s.frames.filter((f) => f.type === 'chat.ack').length;
      assert.equal(acks, MESSAGES / SENDERS, `${s.label}: every message acknowledged`);
    }

    // The reader can still scroll back through what the window no longer renders.
    const olderText = `message ${MESSAGES - 200} of ${MESSAGES}`;
    assert.equal(await messages.getByText(olderText, { exact: true }).count(), 0, 'older messages are not all rendered');
    for (let i = 0; i < 4 && (await messages.getByText(olderText, { exact: true }).count()) === 0; i += 1) {
      await messages.getByRole('button', { name: 'Load earlier messages' }).click();
    }
    await messages.getByText(olderText, { exact: true }).waitFor();
    // And back down to the newest, with the window trimmed again.
    await messages.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await messages.getByText(`message ${MESSAGES} of ${MESSAGES}`, { exact: true }).waitFor();
    await viewer.page.waitForFunction(() => document.querySelectorAll('.chat-list li').length <= 100);

    assert.deepEqual(problems.pageErrors, []);
    // Expected: 401 (GET /me for a guest).
    assert.deepEqual(problems.consoleErrors.filter((t) => !/^Failed to load resource: the server responded with a status of 401\b/.test(t)), []);
    assert.deepEqual(problems.cspViolations, []);
  });
});
