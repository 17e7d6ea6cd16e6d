// End-to-end on a phone (360 × 740, touch): a person watching and chatting at once. The chat tabs come
// right under the player and the video call after them, nothing scrolls sideways, and the player's
// sliders are big enough to tap (44 px). Screenshots go to SHOTS (phone-room.png).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, PHONE, SHOTS, createRoomVia, joinRoomVia, launchChromium, openPerson, problemLog,
  registerVia, serveTestClip, uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 20_000;
const TEST_MS = 120_000;
const suffix = uniqueSuffix();
const problems = problemLog();

let k;
let clips;
let browser;
let room;
let phone;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  clips = await serveTestClip({ seconds: 10, gop: 25 });
  k = await startKino({ timeoutMs: 30_000, env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  browser = await launchChromium([...CHROMIUM_ARGS, AUTOPLAY_ARG]);
  const host = await openPerson(browser, problems, { stepMs: STEP_MS });
  await registerVia(host.context, k.url, { username: `phone_${suffix}`, displayName: 'Host' });
  const body = await createRoomVia(host.context, k.url, { title: `Phone night ${suffix}`, videoUrl: `${clips.url}/clip.mp4`, visibility: 'public' });
  room = { url: body.url, slug: body.room.slug };
  for (const deadline = Date.now() + 60_000; ;) {
    const job = await (await host.context.request.get(`${k.url}/api/v1/rooms/${room.slug}/ingest`)).json();
    if (job.state === 'ready') break;
    assert.notEqual(job.state, 'failed', job.error);
    assert.ok(Date.now() < deadline, `ingest stuck in ${job.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  phone = await browser.newContext({ locale: 'en-US', colorScheme: 'dark', viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await joinRoomVia(phone, k.url, room.slug, 'Pat on a phone');
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
  await clips?.close();
});

describe('a room on a phone', () => {
  it('chat right under the player, the call after it, nothing sideways, sliders 44 px tall', { timeout: TEST_MS }, async () => {
    const p = await phone.newPage();
    p.setDefaultTimeout(STEP_MS);
    await p.goto(room.url);
    const player = p.getByRole('region', { name: 'Player' });
    await player.getByRole('slider', { name: 'Position' }).waitFor();
    const message = p.getByRole('textbox', { name: 'Message' });
    await message.waitFor();
    const call = p.getByRole('region', { name: 'Video call' });
    await call.waitFor();

    const box = async (l) => { const b = await l.boundingBox(); assert.ok(b, 'laid out'); return b; };
    const [playerBox, messageBox, callBox] = [await box(player), await box(message), await box(call)];
    assert.ok(messageBox.y > playerBox.y + playerBox.height - 1, 'the chat is under the player');
    assert.ok(callBox.y > messageBox.y + messageBox.height, 'the call comes after the chat, not between it and the player');
    assert.ok(messageBox.y - (playerBox.y + playerBox.height) < PHONE.height,
      `the message box is within a screen of the player's bottom (${messageBox.y - playerBox.y - playerBox.height} px)`);

    const sideways = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(sideways <= 0, `nothing scrolls sideways (${sideways} px too wide)`);

    assert.equal(await p.evaluate(() => matchMedia('(pointer: coarse)').matches), true, 'a touch screen');
    for (const slider of await player.getByRole('slider').all()) {
      const b = await box(slider);
      assert.ok(b.height >= 44, `${await slider.getAttribute('aria-label') ?? 'a slider'} is ${b.height} px tall`);
    }

    // Chatting while watching.
    await message.fill('Hello from a phone');
    await message.press('Enter');
    await p.getByRole('region', { name: 'Messages' }).getByText('Hello from a phone').waitFor();
    await p.screenshot({ path: path.join(SHOTS, 'phone-room.png'), fullPage: true });
    assert.deepEqual(problems.pageErrors, [], 'uncaught page errors');
  });
});
