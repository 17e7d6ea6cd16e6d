// End-to-end: rooms in the web app against a real `kino serve`, in Chromium. Separate browser contexts
// are separate people: A (owner, Berlin), B (a guest), C (another account), D (a guest on the home page,
// New York). Covers the create form and share panel, the private room's door (403 for crawlers) and key form, the
// link with the key in the fragment, the home lists, the lobby with its countdown and calendar file,
// owner edit/cancel, and 360 px layouts. Screenshots go to /tmp/kino-shots/ for a human look.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startKino } from '../lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, SHOTS, createRoomVia, launchChromium, openPerson,
  problemLog, registerVia, shotsAtBothWidths, uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 30_000;
const TEST_MS = 120_000;
const suffix = uniqueSuffix();
const VIDEO = 'https://media.example.test/films/night-of-the-living-test.mp4';

let k;
let browser;
const contexts = [];
const problems = problemLog();
const { cspViolations, consoleErrors, pageErrors } = problems;

/** One person: a context with its own cookies and storage, and one page. */
async function person({ timezoneId = 'Europe/Berlin', clipboard = false } = {}) {
  const one = await openPerson(browser, problems, {
    stepMs: STEP_MS, timezoneId, permissions: clipboard ? ['clipboard-read', 'clipboard-write'] : undefined,
  });
  contexts.push(one.context);
  return one;
}

const main = (p) => p.getByRole('main');
const h1 = (p, name) => p.getByRole('heading', { level: 1, name });

/** Full-page screenshots at desktop width and at 360 px (checking for sideways scrolling). */
async function shots(p, name) {
  await shotsAtBothWidths(p, name, { settleMs: 100 });
}

/** The local `datetime-local` value `hours` from now in the page's own time zone (minutes precision). */
function localInputIn(p, hours) {
  return p.evaluate((h) => {
    const d = new Date(Date.now() + h * 3600_000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, hours);
}

/** Fills and submits the create form; waits for the share panel. */
async function createRoom(p, { title, visibility = 'public', startsLocal = '' }) {
  await p.goto(`${k.url}/new`);
  await h1(p, 'Create a room').waitFor();
  await p.getByLabel('Title', { exact: true }).fill(title);
  await p.getByLabel('Video link').fill(VIDEO);
  if (visibility === 'private') await p.getByRole('radio', { name: 'Private' }).check();
  if (startsLocal) await p.getByLabel('Start time (optional)').fill(startsLocal);
  await p.getByRole('button', { name: 'Create room' }).click();
  await h1(p, 'Your room is ready').waitFor();
  return {
    url: await p.getByLabel('Short link').inputValue(),
    key: (await p.getByLabel('Access key').count()) ? await p.getByLabel('Access key').inputValue() : null,
    linkWithKey: (await p.getByLabel('Link with key').count()) ? await p.getByLabel('Link with key').inputValue() : null,
  };
}

let A; // owner
let B; // guest
let C; // another account
let D; // guest watching the home page
const privateTitle = `Secret screening ${suffix}`;
const publicTitle = `Open movie night ${suffix}`;
const scheduledTitle = `Late show ${suffix}`;
let privateRoom;
let scheduledUrl;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  k = await startKino({ timeoutMs: 30_000 });
  browser = await launchChromium([...CHROMIUM_ARGS, AUTOPLAY_ARG]);
  [A, B, C, D] = await Promise.all([
    person({ clipboard: true }),
    person(),
    person(),
    person({ timezoneId: 'America/New_York' }),
  ]);
  await Promise.all([
    registerVia(A.context, k.url, { username: `owner_${suffix}`, displayName: `Anna ${suffix}` }),
    registerVia(C.context, k.url, { username: `friend_${suffix}`, displayName: `Carl ${suffix}` }),
  ]);
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  await k?.stop();
});

describe('web app: rooms', { concurrency: false }, () => {
  it('sends a logged-out visitor of /new to log in first', { timeout: TEST_MS }, async () => {
    await D.page.goto(`${k.url}/new`);
    await D.page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/new');
    await h1(D.page, 'Log in to Kino').waitFor();
  });

  it('A creates a private room with a generated key and gets the share panel', { timeout: TEST_MS }, async () => {
    const p = A.page;
    await p.goto(`${k.url}/new`);
    await h1(p, 'Create a room').waitFor();
    // Rules and the time zone are stated before anyone fails them.
    await main(p).getByText('1–120 characters. Everyone in the room sees it.').waitFor();
    await main(p).getByText('Times are in your time zone: Europe/Berlin.').waitFor();
    await shots(p, 'create-room');

    // A broken rule shows inline, next to its field, without a request.
    await p.getByLabel('Title', { exact: true }).fill(privateTitle);
    await p.getByLabel('Video link').fill('not a link');
    await p.getByRole('radio', { name: 'Private' }).check();
    assert.equal(await p.getByRole('radio', { name: 'Generate an access key' }).isChecked(), true, 'a generated key is the default');
    await p.getByRole('button', { name: 'Create room' }).click();
    await main(p).getByText('Paste a full video link starting with http:// or https://.').waitFor();
    assert.equal(await p.getByLabel('Video link').getAttribute('aria-invalid'), 'true');
    await shots(p, 'create-room-error');

    await p.getByLabel('Video link').fill(VIDEO);
    await p.getByRole('button', { name: 'Create room' }).click();
    await h1(p, 'Your room is ready').waitFor();
    const url = await p.getByLabel('Short link').inputValue();
    const key = await p.getByLabel('Access key').inputValue();
    const withKey = await p.getByLabel('Link with key').inputValue();
    assert.match(url, new RegExp(`^${k.url}/r/[23456789abcdefghjkmnpqrstuvwxyz]{10}$`));
    assert.match(key, /^[23456789abcdefghjkmnpqrstuvwxyz]{4}(-[23456789abcdefghjkmnpqrstuvwxyz]{4}){3}$/);
    assert.equal(withKey, `${url}#key=${encodeURIComponent(key)}`);
    await main(p).getByText('Save this key now.').waitFor();
    privateRoom = { url, key, withKey };

    // Copy puts the exact link on the clipboard.
    await p.getByRole('button', { name: 'Copy link with key' }).click();
    await p.getByRole('button', { name: 'Copied link with key' }).waitFor();
    assert.equal(await p.evaluate(() => navigator.clipboard.readText()), withKey);
    await shots(p, 'share-panel');

    await p.getByRole('link', { name: 'Open room' }).click();
    await p.waitForURL(url);
    await h1(p, privateTitle).waitFor();
    await p.getByRole('region', { name: 'Player' }).getByRole('heading', { name: privateTitle }).waitFor();
    await p.getByRole('button', { name: 'End room' }).waitFor(); // the owner's control
    await p.evaluate(() => navigator.clipboard.writeText(''));
    await p.getByRole('button', { name: 'Share' }).click();
    await p.waitForFunction((u) => navigator.clipboard.readText().then((t) => t === u), url);
    await shots(p, 'room-live');
  });

  it('B, a guest without the key, gets the room\'s door; a wrong key errs inline; the right key lets B in for good', { timeout: TEST_MS }, async () => {
    const p = B.page;
    const answer = await p.goto(privateRoom.url);
    assert.equal(answer.status(), 403, 'crawlers and monitors see a refusal');
    // The person sees an invitation: the room's title and host, what to enter; no error code.
    await h1(p, privateTitle).waitFor();
    await main(p).getByText(/Hosted by /).waitFor();
    await main(p).getByText('This room is private — enter the access key to join.').waitFor();
    assert.doesNotMatch(await main(p).textContent(), /403/);
    const form = p.getByRole('form', { name: 'Join the private room' });
    const keyField = form.getByLabel('Access key', { exact: true });
    assert.equal(await keyField.getAttribute('type'), 'password');
    await form.getByLabel('Show access key').check();
    assert.equal(await keyField.getAttribute('type'), 'text', 'the toggle shows what was typed');
    await keyField.fill('wron-gkey-0000-0000');
    await form.getByLabel('Your name').fill('Bob the guest');
    await form.getByRole('button', { name: 'Join room' }).click();
    await form.getByText('That password or access key is not right. Check it and try again.').waitFor();
    assert.equal(await keyField.getAttribute('aria-invalid'), 'true');
    const describedBy = await keyField.getAttribute('aria-describedby');
    assert.match(await p.locator(`[id="${describedBy}"]`).textContent(), /not right/, 'the error is tied to the key field');
    await shots(p, 'room-403');

    // Case, dashes and spaces do not matter.
    await keyField.fill(privateRoom.key.toUpperCase().replaceAll('-', ' '));
    await form.getByRole('button', { name: 'Join room' }).click();
    await h1(p, privateTitle).waitFor();
    await p.getByRole('region', { name: 'Player' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'End room' }).count(), 0, 'only the owner may end it');

    await p.reload();
    await h1(p, privateTitle).waitFor();
    assert.equal(await p.getByLabel('Access key', { exact: true }).count(), 0, 'no re-asking after a reload');
  });

  it('C, logged in, follows the link with the key straight into the room, and the key leaves the address bar', { timeout: TEST_MS }, async () => {
    const p = C.page;
    await p.goto(privateRoom.withKey);
    await h1(p, privateTitle).waitFor();
    await p.getByRole('region', { name: 'Player' }).waitFor();
    const u = new URL(p.url());
    assert.equal(u.hash, '');
    assert.ok(!p.url().includes(privateRoom.key), 'the key is gone from the URL');
    assert.equal(u.pathname, new URL(privateRoom.url).pathname);
    assert.equal(await p.getByLabel('Access key', { exact: true }).count(), 0);
  });

  it('A finds the private room under My rooms, gets its link again and gives it a new access key; the old key is refused', { timeout: TEST_MS }, async () => {
    const p = A.page;
    await p.goto(`${k.url}/`);
    await p.getByRole('link', { name: 'My rooms' }).click();
    await h1(p, 'My rooms').waitFor();
    const live = p.getByRole('region', { name: /Live now/ });
    const card = live.getByRole('listitem').filter({ hasText: privateTitle });
    await card.getByText('Private', { exact: true }).waitFor();
    await card.getByText('You host').waitFor();
    assert.equal(await card.getByLabel('Short link').inputValue(), privateRoom.url, 'the link, shown again');
    await card.getByRole('button', { name: `New access key: ${privateTitle}` }).click();
    const fresh = await card.getByLabel('Access key', { exact: true }).inputValue();
    assert.match(fresh, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    assert.notEqual(fresh, privateRoom.key);
    await shots(p, 'my-rooms');

    // The old key no longer opens the room for a newcomer; the new one does.
    const join = (key) => D.context.request.post(`${k.url}/api/v1/rooms/${new URL(privateRoom.url).pathname.split('/').pop()}/join`, {
      headers: { 'X-Kino-CSRF': '1' }, data: { key, display_name: 'Dora' },
    });
    assert.equal((await join(privateRoom.key)).status(), 403);
    assert.equal((await join(fresh)).status(), 200);
  });

  it('an unknown room shows the 404 page with a room sentence', { timeout: TEST_MS }, async () => {
    await C.page.goto(`${k.url}/r/zzzzzzzzzz`);
    await h1(C.page, 'Room not found').waitFor();
    await main(C.page).getByText(/There is no room at this link/).waitFor();
  });

  it('a public room shows up under "Live now" on D’s home page and opens from there', { timeout: TEST_MS }, async () => {
    const created = await createRoom(A.page, { title: publicTitle });
    assert.equal(created.key, null, 'no key for a public room');

    const p = D.page;
    await p.goto(`${k.url}/`);
    const live = p.getByRole('region', { name: 'Live now' });
    const card = live.getByRole('listitem').filter({ hasText: publicTitle });
    await card.waitFor();
    await card.getByText('Live', { exact: true }).waitFor();
    await card.getByText(/^\d+ watching$/).waitFor();
    await card.getByText(`Hosted by Anna ${suffix}`).waitFor();
    await live.getByRole('link', { name: publicTitle, exact: true }).click();
    await p.waitForURL(created.url);
    await h1(p, publicTitle).waitFor();
    const join = p.getByRole('form', { name: 'Join the room' });
    await join.getByText('Enter your name to join.').waitFor();
    await join.getByLabel('Your name').fill('Dee');
    await shots(p, 'room-join');
    await join.getByRole('button', { name: 'Join room' }).click();
    await p.getByRole('region', { name: 'Player' }).waitFor();
    await h1(p, publicTitle).waitFor();
  });

  it('a scheduled room shows under "Upcoming", and opens to a lobby with a countdown and a calendar file', { timeout: TEST_MS }, async () => {
    const startsLocal = await localInputIn(A.page, 2);
    const created = await createRoom(A.page, { title: scheduledTitle, startsLocal });
    scheduledUrl = created.url;
    await main(A.page).getByText(/starts .* Share the link below/).waitFor();

    const p = D.page;
    await p.goto(`${k.url}/`);
    const upcoming = p.getByRole('region', { name: 'Upcoming' });
    const card = upcoming.getByRole('listitem').filter({ hasText: scheduledTitle });
    await card.waitFor();
    const datetime = await card.locator('time').getAttribute('datetime');
    // The time A typed in Berlin is the same instant D sees in New York.
    const expected = await A.page.evaluate((v) => new Date(v).getTime(), startsLocal);
    assert.equal(Date.parse(datetime), expected);
    assert.match(await card.getByRole('link', { name: /^Add to calendar/ }).getAttribute('href'), /\/calendar\.ics$/);
    await p.getByRole('region', { name: 'Live now' }).getByRole('link', { name: publicTitle }).waitFor();
    await shots(p, 'home-lists');

    await upcoming.getByRole('link', { name: scheduledTitle, exact: true }).click();
    await p.waitForURL(created.url);
    const join = p.getByRole('form', { name: 'Join the room' });
    assert.equal(await join.getByLabel('Your name').inputValue(), 'Dee', 'the last guest name is remembered');
    await join.getByRole('button', { name: 'Join room' }).click();

    const timer = p.getByRole('timer', { name: 'Starts in' });
    await timer.waitFor();
    const first = await timer.textContent();
    assert.match(first, /^0 days1 hour5\d minutes\d\d? seconds?$|^0 days2 hours0 minutes\d\d? seconds?$/);
    await p.waitForFunction((before) => document.querySelector('[role="timer"]')?.textContent !== before, first, { timeout: 3000 });
    const calendar = p.getByRole('link', { name: 'Add to calendar' });
    const href = await calendar.getAttribute('href');
    assert.match(href, /\/calendar\.ics$/);
    const ics = await p.request.get(new URL(href, k.url).href);
    assert.equal(ics.status(), 200);
    assert.match(ics.headers()['content-type'], /^text\/calendar/);
    assert.match(await ics.text(), /BEGIN:VCALENDAR/);
    await main(p).getByText('(America/New_York)').waitFor(); // the local start names the viewer's zone
    assert.equal(await p.getByRole('button', { name: 'Cancel room' }).count(), 0, 'guests get no host tools');
    await shots(p, 'lobby');
  });

  it('the owner edits the scheduled room, then cancels it, and everyone sees that it was cancelled', { timeout: TEST_MS }, async () => {
    const p = A.page;
    await p.goto(scheduledUrl);
    await p.getByRole('timer', { name: 'Starts in' }).waitFor();
    await p.getByRole('button', { name: 'Edit room' }).click();
    const renamed = `${scheduledTitle} (director’s cut)`;
    await p.getByLabel('Title', { exact: true }).fill(renamed);
    await p.getByRole('button', { name: 'Save changes' }).click();
    await h1(p, renamed).waitFor();

    await p.getByRole('button', { name: 'Cancel room' }).click();
    const confirm = p.getByRole('group', { name: /Cancel this watch party\?/ });
    await confirm.waitFor();
    await shots(p, 'lobby-owner-confirm');
    await confirm.getByRole('button', { name: 'Yes, cancel room' }).click();
    await main(p).getByText('This watch party has ended').waitFor();
    await main(p).getByText('It was cancelled before it started.').waitFor();

    await D.page.reload();
    await main(D.page).getByText('It was cancelled before it started.').waitFor();
    await shots(D.page, 'room-ended');
  });
});

describe('web app: room key rate limit', { concurrency: false }, () => {
  let limited;
  before(async () => {
    limited = await startKino({ timeoutMs: 30_000, env: { KINO_ROOMS_JOIN_IP_MAX_FAILURES: '1' } });
  }, { timeout: TEST_MS });
  after(async () => { await limited?.stop(); });

  it('says how long to wait once wrong keys are rate limited', { timeout: TEST_MS }, async () => {
    const owner = await person();
    const guest = await person();
    await registerVia(owner.context, limited.url, { username: `rl_${suffix}` });
    const { url } = await createRoomVia(owner.context, limited.url, { title: 'Rate limited', videoUrl: VIDEO, visibility: 'private' });

    const p = guest.page;
    await p.goto(url);
    const form = p.getByRole('form', { name: 'Join the private room' });
    await form.getByLabel('Access key', { exact: true }).fill('aaaa-bbbb-cccc-dddd');
    await form.getByLabel('Your name').fill('Mallory');
    await form.getByRole('button', { name: 'Join room' }).click();
    await form.getByText('That password or access key is not right. Check it and try again.').waitFor();
    await form.getByRole('button', { name: 'Join room' }).click();
    await form.getByRole('alert').filter({ hasText: /^Too many attempts, try again in \d+ s\.$/ }).waitFor();
  });
});

describe('web app: rooms hygiene', () => {
  it('caused no CSP violations and no unexpected console errors', () => {
    assert.deepEqual(cspViolations, [], 'CSP violations');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    // Expected answers that Chromium logs as console errors: 401 (GET /me logged out), 403 (a private
    // room, a wrong key), 404 (an unknown room), 429 (too many wrong keys).
    const unexpected = consoleErrors.filter(
      (t) => !/^Failed to load resource: the server responded with a status of (401|403|404|429)\b/.test(t),
    );
    assert.deepEqual(unexpected, [], 'console errors');
  });
});
