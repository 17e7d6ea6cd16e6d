// End-to-end: the live room's chat and people list over the room WebSocket, in Chromium against a real
// `kino serve`. A (owner, account) and B (guest with the key of a private room) chat both ways and see
// each other in People; hostile text stays text; B's connection drops and comes back without losing or
// doubling messages; 120 more messages later, C joins and pages back to the first one. Screenshots go
// to /tmp/kino-shots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import {
  DESKTOP, PHONE, SHOTS, createRoomVia, launchChromium, openPerson, problemLog, registerVia, shotsAtBothWidths, uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 20_000;
const TEST_MS = 90_000;
const suffix = uniqueSuffix();
const VIDEO = 'https://media.example.test/films/chat-night.mp4';
const BULK = 120;

const XSS = [
  '<img src=x onerror=window.__xss=1>',
  '<script>window.__xss=1</script>',
  'javascript:window.__xss=1',
  '<a href="javascript:alert(1)">x</a>',
  '"><svg onload=window.__xss=1>',
];

let k;
let browser;
const problems = problemLog();
const { cspViolations, consoleErrors, pageErrors } = problems;

const person = () => openPerson(browser, problems, { stepMs: STEP_MS });

async function shots(p, name) {
  await shotsAtBothWidths(p, name, { settleMs: 150, restoreMs: 150 });
}

const h1 = (p, name) => p.getByRole('heading', { level: 1, name });
const messages = (p) => p.getByRole('region', { name: 'Messages' });
const people = (p) => p.getByRole('region', { name: /^People/ });
const messageInput = (p) => p.getByRole('textbox', { name: 'Message' });
/** The list items of the chat log whose text is exactly `text` (author lines aside). */
const chatItems = (p, text) => messages(p).locator('li.chat-msg').filter({ has: p.locator('.chat-text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

async function say(p, text) {
  await messageInput(p).fill(text);
  await messageInput(p).press('Enter');
}

let A; // owner
let B; // guest with the key
let C; // joins late
let room; // { url, key, slug }
const anna = `Anna ${suffix}`;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // A quick burst of 120 messages from one person is part of the test; the default limit is 10 per 10 s.
  k = await startKino({ timeoutMs: 30_000, env: { KINO_REALTIME_CHAT_MAX_PER_10S: '1000' } });
  browser = await launchChromium();
  [A, B, C] = await Promise.all([person(), person(), person()]);
  await registerVia(A.context, k.url, { username: `chat_${suffix}`, displayName: anna });
  const body = await createRoomVia(A.context, k.url, { title: `Chat night ${suffix}`, videoUrl: VIDEO, visibility: 'private' });
  room = { url: body.url, key: body.access_key, slug: body.room.slug };
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
});

describe('web app: live room chat', { concurrency: false }, () => {
  it('A and B chat both ways and see each other in People', { timeout: TEST_MS }, async () => {
    await A.page.goto(room.url);
    await h1(A.page, `Chat night ${suffix}`).waitFor();
    await people(A.page).getByText(anna, { exact: true }).waitFor();
    await messages(A.page).getByText('No messages yet. Say hello!').waitFor();

    // B follows the link with the key, gives a name, and is in.
    await B.page.goto(`${room.url}#key=${encodeURIComponent(room.key)}`);
    const form = B.page.getByRole('form', { name: 'Join the private room' });
    await form.getByLabel('Your name').fill('Bob the guest');
    await form.getByRole('button', { name: 'Join room' }).click();
    await people(B.page).getByText('Bob the guest', { exact: true }).waitFor();
    await people(B.page).getByText(anna, { exact: true }).waitFor();
    await people(A.page).getByText('Bob the guest', { exact: true }).waitFor();
    await messages(A.page).getByText('Bob the guest joined').waitFor();
    // The header counts live presence.
    await A.page.getByTestId('room-people').filter({ hasText: '2 watching' }).waitFor();
    await B.page.getByTestId('room-people').filter({ hasText: '2 watching' }).waitFor();
    assert.match(await people(A.page).getByRole('heading').textContent(), /People\s*2/);

    await say(A.page, 'Hello Bob, popcorn is ready');
    await chatItems(B.page, 'Hello Bob, popcorn is ready').waitFor();
    assert.match(await chatItems(B.page, 'Hello Bob, popcorn is ready').textContent(), new RegExp(anna));
    // Read out to B through the page's polite live region.
    await B.page.locator('[role="status"][aria-live="polite"]').filter({ hasText: `${anna}: Hello Bob, popcorn is ready` }).waitFor();
    await say(B.page, 'Hi Anna! Trailer: https://example.com/trailer?x=1.');
    const item = chatItems(A.page, 'Hi Anna! Trailer: https://example.com/trailer?x=1.');
    await item.waitFor();
    assert.match(await item.textContent(), /Bob the guest/);
    const link = item.getByRole('link', { name: 'https://example.com/trailer?x=1' });
    assert.equal(await link.getAttribute('href'), 'https://example.com/trailer?x=1');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    // Local time on every first line of a run: 24 h or 12 h, whatever the locale says.
    assert.match(await item.locator('time').textContent(), /^\d{1,2}:\d\d( [AP]M)?$/);
    // Shift+Enter makes a new line instead of sending.
    await messageInput(B.page).fill('two');
    await messageInput(B.page).press('Shift+Enter');
    await messageInput(B.page).pressSequentially('lines');
    assert.equal(await messageInput(B.page).inputValue(), 'two\nlines');
    await messageInput(B.page).press('Enter');
    await chatItems(A.page, 'two\nlines').waitFor();
    await shots(A.page, 'chat-desktop');
  });

  it('hostile text is shown as text, never run or turned into elements', { timeout: TEST_MS }, async () => {
    for (const payload of XSS) await say(B.page, payload);
    for (const p of [A.page, B.page]) {
      for (const payload of XSS) await chatItems(p, payload).waitFor();
      const found = await p.evaluate(() => {
        const log = document.querySelector('.chat-log');
        return {
          xss: window.__xss,
          elements: log.querySelectorAll('img, script, svg, iframe, object').length,
          jsLinks: [...log.querySelectorAll('a')].filter((a) => !/^https?:/.test(a.getAttribute('href') || '')).length,
        };
      });
      assert.deepEqual(found, { xss: undefined, elements: 0, jsLinks: 0 });
    }
  });

  it('B’s connection drops: "Reconnecting…" shows, messages typed meanwhile arrive once after it is back', { timeout: TEST_MS }, async () => {
    const p = B.page;
    await B.context.setOffline(true);
    const banner = p.getByRole('status').filter({ hasText: 'Reconnecting…' });
    await banner.waitFor();
    await say(p, 'typed while offline 1');
    await say(p, 'typed while offline 2');
    await messageInput(p).waitFor(); // still usable
    const pending = chatItems(p, 'typed while offline 2');
    await pending.waitFor();
    assert.match(await pending.getAttribute('class'), /chat-pending-sending/);
    assert.match(await pending.textContent(), /Sending…/);
    await A.page.waitForTimeout(1000);
    assert.equal(await chatItems(A.page, 'typed while offline 1').count(), 0, 'nothing went out while offline');
    await p.screenshot({ path: path.join(SHOTS, 'chat-reconnecting.png') });

    await B.context.setOffline(false);
    await banner.waitFor({ state: 'detached' });
    for (const text of ['typed while offline 1', 'typed while offline 2']) {
      await chatItems(A.page, text).waitFor();
      await p.locator('li.chat-msg:not(.chat-pending)').filter({ has: p.locator('.chat-text', { hasText: new RegExp(`^${text}$`) }) }).waitFor();
      await A.page.waitForTimeout(300); // a resend would have arrived by now
      assert.equal(await chatItems(A.page, text).count(), 1, `${text}: once for A`);
      assert.equal(await chatItems(p, text).count(), 1, `${text}: once for B`);
    }
    // Order kept.
    const texts = await messages(A.page).locator('.chat-text').allTextContents();
    assert.ok(texts.indexOf('typed while offline 1') < texts.indexOf('typed while offline 2'));
  });

  it(`after ${BULK} more messages, C joins, sees the latest and pages back to message 1`, { timeout: TEST_MS }, async () => {
    // A burst through a second socket of A's, as fast as the server takes them.
    const acked = await A.page.evaluate(async ({ slug, n }) => {
      const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/rooms/${slug}/ws`);
      const done = new Set();
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${done.size} acks`)), 15000);
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.type === 'hello') for (let i = 1; i <= n; i++) ws.send(JSON.stringify({ type: 'chat.send', id: `bulk-${i}`, text: `Bulk message ${i}` }));
          if (f.type === 'chat.ack') done.add(f.id);
          if (f.type === 'error') reject(new Error(`${f.code}: ${f.message}`));
          if (done.size === n) {
            clearTimeout(timer);
            resolve();
          }
        };
        ws.onerror = () => reject(new Error('socket error'));
      });
      ws.close();
      return done.size;
    }, { slug: room.slug, n: BULK });
    assert.equal(acked, BULK);
    await chatItems(A.page, `Bulk message ${BULK}`).waitFor();

    const p = C.page;
    await p.goto(`${room.url}#key=${encodeURIComponent(room.key)}`);
    const form = p.getByRole('form', { name: 'Join the private room' });
    await form.getByLabel('Your name').fill('Cleo');
    await form.getByRole('button', { name: 'Join room' }).click();
    const log = messages(p);
    await chatItems(p, `Bulk message ${BULK}`).waitFor();
    await people(p).getByText('Cleo', { exact: true }).waitFor();
    // The log opens at the bottom, on the latest message.
    const atBottom = await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 60);
    assert.ok(atBottom, 'the log starts at the latest message');
    assert.ok(await chatItems(p, `Bulk message ${BULK}`).isVisible());
    assert.equal(await chatItems(p, 'Bulk message 1').count(), 0, 'message 1 is not in the first snapshot');

    // Scrolling up near the top loads the page before; the reader's place is kept.
    const firstBefore = await log.locator('li.chat-msg .chat-text').first().textContent();
    const before = await log.locator('li.chat-msg').count();
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await p.waitForFunction((n) => document.querySelectorAll('.chat-log li.chat-msg').length > n, before);
    const kept = await log.evaluate((el, text) => {
      const line = [...el.querySelectorAll('li.chat-msg .chat-text')].find((x) => x.textContent === text);
      return line.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, firstBefore);
    assert.ok(kept > 0 && kept < 120, `the old first message stays near the top of the view (at ${kept}px)`);

    // The button does the same for keyboard and screen-reader users, all the way to the first message.
    const older = p.getByRole('button', { name: 'Load earlier messages' });
    for (let i = 0; i < 10 && (await older.count()); i++) {
      const n = await log.locator('li.chat-msg').count();
      await older.click();
      await p.waitForFunction((m) => document.querySelectorAll('.chat-log li.chat-msg').length > m || !document.querySelector('.chat-older'), n);
    }
    await log.getByText('This is the start of the chat.').waitFor();
    await chatItems(p, 'Bulk message 1').waitFor();
    await chatItems(p, 'Hello Bob, popcorn is ready').waitFor();
    const bulk = (await log.locator('.chat-text').allTextContents()).filter((t) => /^Bulk message \d+$/.test(t));
    assert.equal(bulk.length, BULK, 'every bulk message once');
    assert.deepEqual(bulk, Array.from({ length: BULK }, (_, i) => `Bulk message ${i + 1}`), 'in order');
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    await p.screenshot({ path: path.join(SHOTS, 'chat-history-start.png') });
  });

  it('on a phone, Chat and People are tabs under the player', { timeout: TEST_MS }, async () => {
    const p = A.page;
    await p.setViewportSize(PHONE);
    const tabs = p.getByRole('tablist', { name: 'Chat and people' });
    await tabs.waitFor();
    assert.equal(await tabs.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected'), 'true');
    await messageInput(p).waitFor();
    await p.screenshot({ path: path.join(SHOTS, 'chat-phone-360.png'), fullPage: true });
    await tabs.getByRole('tab', { name: /^People/ }).click();
    const panel = p.getByRole('tabpanel', { name: /^People/ });
    await panel.getByText('Cleo', { exact: true }).waitFor();
    await panel.getByText('Bob the guest', { exact: true }).waitFor();
    assert.match(await tabs.getByRole('tab', { name: /^People/ }).textContent(), /People\s*3/);
    await p.screenshot({ path: path.join(SHOTS, 'people-phone-360.png'), fullPage: true });
    // Arrow keys move between the tabs.
    await p.keyboard.press('ArrowLeft');
    assert.equal(await tabs.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected'), 'true');
    await p.setViewportSize(DESKTOP);
  });

  it('leaving the page closes the socket: the others see the person leave', { timeout: TEST_MS }, async () => {
    await C.page.getByRole('button', { name: 'Leave' }).click();
    await C.page.waitForURL(`${k.url}/`);
    await people(A.page).getByText('Cleo', { exact: true }).waitFor({ state: 'detached' });
    await messages(A.page).getByText('Cleo left').waitFor();
  });
});

describe('web app: chat hygiene', () => {
  it('caused no CSP violations and no unexpected console errors', () => {
    assert.deepEqual(cspViolations, [], 'CSP violations');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    // Expected: 401 (GET /me for guests), 403 (the private room before joining), and B's requests
    // and socket attempts while offline.
    const unexpected = consoleErrors.filter(
      (t) =>
        !/^Failed to load resource: the server responded with a status of (401|403)\b/.test(t) &&
        !/^Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(t) &&
        !/^WebSocket connection to .* failed/.test(t),
    );
    assert.deepEqual(unexpected, [], 'console errors');
  });
});
