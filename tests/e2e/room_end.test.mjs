// End-to-end: when the host ends a live room, a guest's open page switches to the ended view at once
// (the server's room.ended event, no reload, no polling), nothing more can be typed, and the page
// does not try to reconnect. A person who logs out in another tab sees that in the room page too, with
// the way back: log in again and return to the room.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  createRoomVia, joinRoomVia, launchChromium, openPerson, PASSWORD, problemLog, registerVia, uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 20_000;
const TEST_MS = 90_000;
const VIDEO = 'https://media.example.test/films/the-end.mp4';
const suffix = uniqueSuffix();

let k;
let browser;
const problems = problemLog();

before(async () => {
  k = await startKino({ timeoutMs: 30_000 });
  browser = await launchChromium();
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
});

const main = (p) => p.getByRole('main');
const composer = (p) => p.getByRole('textbox', { name: /message/i });
const accountNav = (p) => p.getByRole('banner').getByRole('navigation', { name: 'Account' });

/** Counts the page's WebSocket attempts from now on. */
function countSockets(page) {
  const seen = { count: 0 };
  page.on('websocket', () => { seen.count += 1; });
  return seen;
}

describe('web app: the end of a room', { concurrency: false }, () => {
  it('switches a guest’s open page to the ended view within a moment of the host ending it', { timeout: TEST_MS }, async () => {
    const host = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'host' });
    const guest = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'guest' });
    await registerVia(host.context, k.url, { username: `host_${suffix}`, displayName: `Hanna ${suffix}` });
    const body = await createRoomVia(host.context, k.url, { title: `Last show ${suffix}`, videoUrl: VIDEO, visibility: 'public' });
    await joinRoomVia(guest.context, k.url, body.room.slug, 'Gus');
    await Promise.all([host.page.goto(body.url), guest.page.goto(body.url)]);
    await composer(guest.page).waitFor();
    await main(guest.page).getByRole('region', { name: 'Player' }).waitFor();
    await host.page.getByTestId('room-people').filter({ hasText: '2 watching' }).waitFor();

    // Count the guest's socket attempts from here on: an ended room must not be retried.
    const sockets = countSockets(guest.page);

    await host.page.getByRole('button', { name: 'End room' }).click();
    const clickedAt = Date.now();
    await host.page.getByRole('button', { name: 'Yes, end room' }).click();
    await main(guest.page).getByText('This watch party has ended').waitFor({ timeout: 5000 });
    const switchedMs = Date.now() - clickedAt;
    assert.ok(switchedMs < 3000, `the guest saw the end after ${switchedMs} ms (was ~28 s)`);
    console.log(`# guest page switched ${switchedMs} ms after the host confirmed`);
    assert.equal(await composer(guest.page).count(), 0, 'nothing more can be typed');
    assert.equal(await main(guest.page).getByRole('region', { name: 'Player' }).count(), 0, 'the player and its controls are gone');
    await guest.page.waitForTimeout(3000);
    assert.equal(sockets.count, 0, 'the page did not reconnect to an ended room');
    await main(guest.page).getByText('This watch party has ended').waitFor();
    assert.deepEqual(problems.pageErrors, []);
    await Promise.all([host.context.close(), guest.context.close()]);
  });

  it('tells a person who logged out in another tab, in the room page, and the way back in', { timeout: TEST_MS }, async () => {
    const host = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'host' });
    const viewer = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'viewer' });
    await registerVia(host.context, k.url, { username: `host2_${suffix}`, displayName: `Hugo ${suffix}` });
    const username = `viewer_${suffix}`;
    await registerVia(viewer.context, k.url, { username, displayName: `Vera ${suffix}` });
    const body = await createRoomVia(host.context, k.url, { title: `Late show ${suffix}`, videoUrl: VIDEO, visibility: 'public' });
    const room = viewer.page;
    const sockets = countSockets(room);
    await room.goto(body.url); // logged in: joins by itself
    await composer(room).waitFor();
    // The socket is open: the people list has its members (the header counts the visitor even before).
    await main(room).locator('.people-count').filter({ hasText: /^1$/ }).first().waitFor({ state: 'attached' });

    // The same person, another tab: logs out there.
    const other = await viewer.context.newPage();
    await other.goto(k.url);
    const loggedOutAt = Date.now();
    await accountNav(other).getByRole('button', { name: 'Log out' }).click();
    await accountNav(other).getByRole('link', { name: 'Log in' }).waitFor();

    await main(room).getByRole('heading', { level: 1, name: 'You were signed out' }).waitFor({ timeout: 5000 });
    console.log(`# the room page said so ${Date.now() - loggedOutAt} ms after the click in the other tab`);
    await main(room).getByText(`you have left “Late show ${suffix}”`).waitFor();
    assert.equal(await composer(room).count(), 0, 'nothing more can be typed');
    await accountNav(room).getByRole('link', { name: 'Log in' }).waitFor(); // this tab's header knows too
    await room.waitForTimeout(3000);
    assert.equal(sockets.count, 1, 'the page did not reconnect with a revoked session');

    // The next step it offers: log in again, and come straight back to the room.
    await main(room).getByRole('link', { name: 'Log in again' }).click();
    await room.getByLabel('Username', { exact: true }).fill(username);
    await room.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await room.getByRole('button', { name: 'Log in', exact: true }).click();
    await composer(room).waitFor();
    assert.equal(new URL(room.url()).pathname, new URL(body.url).pathname);
    assert.deepEqual(problems.pageErrors, []);
    await Promise.all([host.context.close(), viewer.context.close()]);
  });

  it('lets the host download the chat and delete the ended room for good; a guest cannot', { timeout: TEST_MS }, async () => {
    const host = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'host' });
    const guest = await openPerson(browser, problems, { stepMs: STEP_MS, name: 'guest' });
    await registerVia(host.context, k.url, { username: `host3_${suffix}`, displayName: `Hilde ${suffix}` });
    const body = await createRoomVia(host.context, k.url, { title: `Gone show ${suffix}`, videoUrl: VIDEO, visibility: 'public' });
    await joinRoomVia(guest.context, k.url, body.room.slug, 'Gia');
    await host.page.goto(body.url);
    await composer(host.page).fill('see you');
    await composer(host.page).press('Enter');
    await main(host.page).getByText('see you').waitFor();
    await host.page.getByRole('button', { name: 'End room' }).click();
    await host.page.getByRole('button', { name: 'Yes, end room' }).click();
    await main(host.page).getByText('This watch party has ended').waitFor();

    // The chat stays downloadable from the ended page.
    const asText = main(host.page).getByRole('link', { name: 'the chat as text' });
    const transcript = await host.context.request.get(new URL(await asText.getAttribute('href'), k.url).href);
    assert.equal(transcript.status(), 200);
    assert.match(await transcript.text(), /\] Hilde [^:]*: see you\n$/);

    await guest.page.goto(body.url);
    await main(guest.page).getByText('This watch party has ended').waitFor();
    assert.equal(await main(guest.page).getByRole('button', { name: 'Delete room' }).count(), 0, 'only the host may delete');

    await host.page.getByRole('button', { name: 'Delete room' }).click();
    await host.page.getByRole('button', { name: 'Keep room' }).click();  // changed their mind
    await main(host.page).getByText('This watch party has ended').waitFor();
    await host.page.getByRole('button', { name: 'Delete room' }).click();
    await host.page.getByRole('button', { name: 'Yes, delete room' }).click();
    await host.page.waitForURL(`${k.url}/`);
    await guest.page.reload();
    await main(guest.page).getByText('Room not found').waitFor();
    assert.deepEqual(problems.pageErrors, []);
    await Promise.all([host.context.close(), guest.context.close()]);
  });
});
