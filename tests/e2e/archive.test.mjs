// End-to-end: the archive of an ended room. The host of a room with a real, ingested film plays it,
// pauses, moves it to 0:03 and writes "at three seconds", then ends the room. The ended page shows
// the film (seekable, the browser's own controls) with the chat replayed beside it: at 0:02 the
// message is not there yet, at 0:04 it is, and its "Jump to 0:03" button moves the film to 0:03.
// Who came (with when they joined and left) and what was done to the film are listed too, and
// someone who never joined sees the archive straight away, not a name form. A long
// chat (600 messages) is read in "Whole chat" by keyboard alone, from its first message to its last
// and back, while the page holds only a window of it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startKino } from '../lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, SHOTS, createRoomVia, launchChromium, openPerson, problemLog, registerVia, serveTestClip,
  shotsAtBothWidths, uniqueSuffix,
} from '../lib/e2e.mjs';
import { bulkRealtime } from '../integration/http.mjs';
import { connect, joinedGuest } from '../integration/ws_client.mjs';

const STEP_MS = 20_000;
const TEST_MS = 60_000;
const suffix = uniqueSuffix();
const HOST = `Hanna ${suffix}`;
const LINE = 'at three seconds';

let k;
let browser;
let clips;
const problems = problemLog();

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  clips = await serveTestClip({ seconds: 10, gop: 25 });
  k = await startKino({
    timeoutMs: 30_000,
    // The long chat goes in at once: chat limits raised (their defaults are tested elsewhere).
    env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true', ...bulkRealtime, KINO_REALTIME_CHAT_MAX_PER_10S: '1000' },
  });
  browser = await launchChromium([...CHROMIUM_ARGS, AUTOPLAY_ARG]);
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
  await clips?.close();
});

const main = (p) => p.getByRole('main');
const controls = (p) => p.getByRole('region', { name: 'Player' }).getByRole('group', { name: 'Player controls' });
const replay = (p) => main(p).getByTestId('archive-replay');

/** Moves the archive's film to `s` and waits until the browser has done it. */
async function seekArchive(page, s) {
  await page.evaluate(async (to) => {
    const v = document.querySelector('[data-testid="archive-video"]');
    const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
    v.currentTime = to;
    await seeked;
  }, s);
}

/** Waits until the room's film is ingested. */
async function ingested(context, slug) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await (await context.request.get(`${k.url}/api/v1/rooms/${slug}/ingest`)).json();
    if (job.state === 'ready') return;
    assert.notEqual(job.state, 'failed', job.error);
    assert.ok(Date.now() < deadline, `ingest stuck in ${job.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('web app: the archive of an ended room', { concurrency: false }, () => {
  it('replays the chat beside the film at the moment each message was written, and jumps to it', { timeout: TEST_MS }, async () => {
    const host = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'host' });
    await registerVia(host.context, k.url, { username: `arch_${suffix}`, displayName: HOST });
    const body = await createRoomVia(host.context, k.url, { title: `Archive show ${suffix}`, videoUrl: `${clips.url}/clip.mp4`, visibility: 'public' });
    await ingested(host.context, body.room.slug);

    // The live room: play, pause, move to 0:03, and say something there.
    const page = host.page;
    await page.goto(body.url);
    await controls(page).getByRole('button', { name: 'Play', exact: true }).click();
    await controls(page).getByRole('button', { name: 'Pause', exact: true }).click();
    await controls(page).getByRole('button', { name: 'Play', exact: true }).waitFor();
    await controls(page).getByRole('slider', { name: 'Position' }).fill('3');
    await page.getByTestId('player-toast').filter({ hasText: 'jumped to 0:03' }).waitFor();
    // A change takes effect a short lead after the click (docs/design/0006): write once it has.
    await page.waitForFunction(() => {
      const v = document.querySelector('.player video');
      return v && Math.abs(v.currentTime - 3) < 0.05 && !v.seeking;
    });
    const { timeline } = await (await host.context.request.get(`${k.url}/api/v1/rooms/${body.room.slug}/archive`)).json();
    const seekAt = Date.parse(timeline.at(-1).at);
    assert.equal(timeline.at(-1).action, 'seek');
    while (Date.now() <= seekAt + 50) await page.waitForTimeout(50);
    const composer = page.getByRole('textbox', { name: /message/i });
    await composer.fill(LINE);
    await composer.press('Enter');
    await main(page).getByText(LINE).waitFor();
    await page.getByRole('button', { name: 'End room' }).click();
    await page.getByRole('button', { name: 'Yes, end room' }).click();
    await main(page).getByText('This watch party has ended').waitFor();

    // The archive, as anyone opening the page later sees it.
    await page.reload();
    await main(page).getByLabel(`The film of “Archive show ${suffix}”`).waitFor();
    assert.equal(await main(page).getByTestId('archive-video').getAttribute('controls'), '', 'the browser’s own controls');
    await page.waitForFunction(() => document.querySelector('[data-testid="archive-video"]')?.readyState >= 1);

    await seekArchive(page, 2);
    await main(page).getByText('No messages before this point of the film.').waitFor();
    assert.equal(await replay(page).getByText(LINE).count(), 0, 'not yet at 0:02');

    await seekArchive(page, 4);
    await replay(page).getByText(LINE).waitFor();

    await seekArchive(page, 9);
    const jump = replay(page).getByRole('button', { name: `Jump to 0:03: message from ${HOST}` });
    await jump.click();
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="archive-video"]');
      return Math.abs(v.currentTime - 3) < 0.3 && !v.seeking;
    });

    // Who came, and what was done to the film.
    const people = main(page).getByTestId('archive-people');
    await people.getByText(HOST, { exact: true }).waitFor();
    const visit = people.getByRole('list', { name: `When ${HOST} was there` }).getByRole('listitem');
    assert.match(await visit.first().textContent(), /^joined \d{1,2}:\d\d(\s?[AP]M)?, left \d{1,2}:\d\d(\s?[AP]M)?$/,
      'the host’s join and leave, in local time');
    const actions = main(page).getByTestId('archive-timeline');
    await actions.getByText(`${HOST} played at 0:00`).waitFor();
    await actions.getByText(`${HOST} seeked to 0:03`).waitFor();

    // Desktop and 360 px wide (stacked, nothing wider than the screen).
    await shotsAtBothWidths(page, 'archive', { settleMs: 200, restoreMs: 150 });

    // Reading the whole chat without playing.
    await main(page).getByRole('button', { name: 'Whole chat' }).click();
    await main(page).getByTestId('archive-whole').getByText(LINE).waitFor();

    // Someone who never joined arrives after the end: the archive, not a form asking their name.
    const late = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'late visitor' });
    await late.page.goto(body.url);
    await main(late.page).getByLabel(`The film of “Archive show ${suffix}”`).waitFor();
    await main(late.page).getByTestId('archive-people').getByText(HOST, { exact: true }).waitFor();
    assert.equal(await late.page.getByRole('textbox', { name: /name/i }).count(), 0, 'no name form');
    await late.context.close();
    assert.deepEqual(problems.pageErrors, []);
    await host.context.close();
  });

  it('reads a long chat by keyboard from its first message to its last, a window at a time', { timeout: TEST_MS }, async () => {
    const COUNT = 600;
    const WINDOW_MAX = 200;
    const host = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'reader' });
    await registerVia(host.context, k.url, { username: `arch2_${suffix}`, displayName: `Rita ${suffix}` });
    const body = await createRoomVia(host.context, k.url, { title: `Long talk ${suffix}`, videoUrl: `${clips.url}/clip.mp4`, visibility: 'public' });
    const slug = body.room.slug;
    await ingested(host.context, slug);
    const guest = await joinedGuest(k, slug, { display_name: 'Talker' });
    const ws = await connect(k, slug, { cookie: guest.cookie });
    for (let i = 1; i <= COUNT; i += 1) ws.chat(`long-${i}`, `line ${i}`);
    await ws.until(() => ws.frames.filter((f) => f.type === 'chat.ack').length === COUNT, 30_000, 'every message acknowledged');
    await ws.close();
    const ended = await host.context.request.post(`${k.url}/api/v1/rooms/${slug}/end`, { headers: { 'X-Kino-CSRF': '1' } });
    assert.equal(ended.status(), 200);

    const page = host.page;
    await page.goto(body.url);
    await main(page).getByRole('button', { name: 'Whole chat' }).click();
    const range = main(page).getByTestId('archive-whole-range');
    const rows = main(page).getByTestId('archive-whole').locator('li');
    await range.getByText(`Messages 1–${WINDOW_MAX} of ${COUNT}`).waitFor();
    assert.match(await rows.first().textContent(), /Talker line 1$/);

    // The log is one focusable region: End, again and again, reaches the last message.
    const log = main(page).getByRole('region', { name: 'Messages', exact: true });
    await log.focus();
    /** Whether `row` is rendered and wholly inside the log's visible part. */
    const inView = async (row) => {
      if ((await row.count()) === 0) return false;
      const [r, l] = [await row.boundingBox(), await log.boundingBox()];
      return r !== null && r.y >= l.y - 1 && r.y + r.height <= l.y + l.height + 1;
    };
    const lastRow = rows.filter({ hasText: `line ${COUNT}` });
    for (let i = 0; i < 20 && !(await inView(lastRow)); i += 1) {
      await page.keyboard.press('End');
      await page.waitForTimeout(100);
    }
    await range.getByText(`of ${COUNT}`).waitFor();
    assert.match(await range.textContent(), new RegExp(`–${COUNT} of ${COUNT}$`));
    assert.ok(await inView(lastRow), 'the last message is on screen');
    assert.ok(await rows.count() <= WINDOW_MAX, `at most ${WINDOW_MAX} rows in the DOM`);

    // Home, again and again, goes back to the first.
    const firstRow = rows.filter({ hasText: /Talker line 1$/ });
    for (let i = 0; i < 20 && !(await inView(firstRow)); i += 1) {
      await page.keyboard.press('Home');
      await page.waitForTimeout(100);
    }
    assert.ok(await inView(firstRow), 'the first message is on screen again');
    assert.ok(await rows.count() <= WINDOW_MAX, `at most ${WINDOW_MAX} rows in the DOM`);

    // The buttons do the same in one step.
    await main(page).getByRole('button', { name: 'Last messages' }).click();
    await lastRow.waitFor();
    assert.ok(await inView(lastRow), 'Last messages shows the last one');
    assert.deepEqual(problems.pageErrors, []);
    await host.context.close();
  });
});
