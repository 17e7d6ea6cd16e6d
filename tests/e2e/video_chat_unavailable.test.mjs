// End-to-end: video chat with its media server down. Kino runs with media mode "external" pointed at a
// closed loopback port (no Janus answers there), so /readyz says "degraded". A room still works: the
// player region and the chat are there, a message goes through, and the video-call area says
// "Video chat is unavailable…". With video chat turned off in the config instead, the call area says so
// and offers no device buttons. No media flows, so this runs on loopback without a network namespace.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startKino } from '../lib/kino.mjs';
import { launchChromium } from '../lib/e2e.mjs';
import { CALL_CHROMIUM_ARGS, callRoom } from '../lib/video_call.mjs';

const STEP_MS = 20_000;
const TEST_MS = 90_000;

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

let k;
let browser;
let room;
const pageErrors = [];

before(async () => {
  const port = await closedPort();
  k = await startKino({ timeoutMs: 30_000, env: {
    KINO_MEDIA_MODE: 'external', KINO_MEDIA_EXTERNAL_HOST: '127.0.0.1', KINO_MEDIA_EXTERNAL_PORT: String(port),
  } });
  browser = await launchChromium(CALL_CHROMIUM_ARGS);
  room = await callRoom(browser, k.url, 2, { title: 'No Janus', prefix: 'nojanus' });
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
});

describe('video chat: media server down', () => {
  it('the node is degraded; the room still has the player and the chat, and says video chat is unavailable', { timeout: TEST_MS }, async () => {
    const ready = await (await fetch(`${k.url}/readyz`)).json();
    assert.equal(ready.status, 'degraded', JSON.stringify(ready));
    assert.notEqual(ready.checks.janus, 'ok');

    const [a, b] = await Promise.all(room.people.map(async (p) => {
      const page = await p.context.newPage();
      page.setDefaultTimeout(STEP_MS);
      page.on('pageerror', (err) => pageErrors.push(`${p.name}: ${err}`));
      await page.goto(room.url);
      return page;
    }));
    for (const page of [a, b]) {
      await page.getByRole('heading', { level: 1, name: room.title }).waitFor();
      await page.getByRole('region', { name: 'Player' }).waitFor();
      await page.getByRole('region', { name: 'Messages' }).waitFor();
      await page.getByRole('status').filter({ hasText: /^\s*Video chat is unavailable/ }).first().waitFor();
    }
    // Chat works as usual.
    const input = a.getByRole('textbox', { name: 'Message' });
    await input.fill('Still here without video');
    await input.press('Enter');
    await b.getByRole('region', { name: 'Messages' }).getByText('Still here without video').waitFor();
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
  });
});

describe('video chat: turned off on this server', () => {
  it('the call area says it is turned off, with no device buttons and no tiles', { timeout: TEST_MS }, async () => {
    const off = await startKino({ timeoutMs: 30_000 }); // KINO_MEDIA_MODE=off
    try {
      const offRoom = await callRoom(browser, off.url, 1, { title: 'No video chat', prefix: 'offmedia' });
      const page = await offRoom.people[0].context.newPage();
      page.setDefaultTimeout(STEP_MS);
      page.on('pageerror', (err) => pageErrors.push(`off: ${err}`));
      await page.goto(offRoom.url);
      const call = page.getByRole('region', { name: 'Video call' });
      await call.getByRole('status').filter({ hasText: /^\s*Video chat is turned off on this server/ }).waitFor();
      assert.equal(await call.getByRole('button').count(), 0, 'no Microphone, Camera or Devices buttons');
      assert.equal(await call.locator('[data-testid="call-tile"]').count(), 0);
      assert.equal(await call.getByText('Video chat is unavailable').count(), 0, 'off is not "unavailable, reconnecting"');
      assert.deepEqual(pageErrors, [], 'uncaught page errors');
    } finally {
      await off.stop();
    }
  });
});
