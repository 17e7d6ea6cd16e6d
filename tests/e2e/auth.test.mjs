// End-to-end: the web app against a real `kino serve`, driven through Chromium by role and label
// (so accessible names are part of what is tested). Covers register → logout → login → logout,
// a wrong password, the 404 page, the language switch, 360 px layout, and CSP cleanliness.
// Screenshots go to /tmp/kino-shots/ (outside the repo) for a human look.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import {
  AUTOPLAY_ARG, CHROMIUM_ARGS, SHOTS, assertNoSideScroll, launchChromium, problemLog, reportCspViolations, uniqueSuffix,
} from '../lib/e2e.mjs';

const STEP_MS = 30_000; // per action: two slow cores
const TEST_MS = 120_000;

let k;
let browser;
let context;
let page;
const { cspViolations, consoleErrors, pageErrors } = problemLog();

const suffix = uniqueSuffix();
const account = { username: `e2e_${suffix}`, displayName: `Ada ${suffix}`, password: 'correct horse battery' };

/** Watches a page for CSP violations, console errors and uncaught exceptions. */
function watch(p) {
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(text)) cspViolations.push(text);
    consoleErrors.push(text);
  });
  p.on('pageerror', (err) => pageErrors.push(String(err)));
  p.setDefaultTimeout(STEP_MS);
  p.setDefaultNavigationTimeout(STEP_MS);
}

async function newPage(viewport = { width: 1280, height: 800 }) {
  const p = await context.newPage();
  await p.setViewportSize(viewport);
  watch(p);
  return p;
}

const header = (p) => p.getByRole('banner');
const accountNav = (p) => header(p).getByRole('navigation', { name: 'Account' });
const pathOf = (p) => new URL(p.url()).pathname;

async function shot(p, name) {
  await p.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

async function expectLoggedInAs(p, name) {
  await header(p).getByTestId('current-user').filter({ hasText: name }).waitFor();
  await accountNav(p).getByRole('button', { name: 'Log out' }).waitFor();
  assert.equal(await accountNav(p).getByRole('link', { name: 'Log in' }).count(), 0);
}

async function expectLoggedOut(p) {
  await accountNav(p).getByRole('link', { name: 'Log in' }).waitFor();
  await accountNav(p).getByRole('link', { name: 'Register' }).waitFor();
  assert.equal(await header(p).getByTestId('current-user').count(), 0);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  k = await startKino({ timeoutMs: 30_000 });
  browser = await launchChromium([
    ...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', AUTOPLAY_ARG,
  ]);
  context = await browser.newContext({ locale: 'en-US', colorScheme: 'dark' });
  await reportCspViolations(context, cspViolations);
  page = await newPage();
}, { timeout: TEST_MS });

after(async () => {
  await browser?.close();
  const code = await k?.stop();
  if (process.env.KINO_TEST_VERBOSE === '1') console.log(`kino exited with ${code}`);
});

describe('web app: accounts', { concurrency: false }, () => {
  it('shows the home page with its empty states while logged out', { timeout: TEST_MS }, async () => {
    await page.goto(`${k.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Watch together' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Live now' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Upcoming' }).waitFor();
    await expectLoggedOut(page);
    const create = page.getByRole('main').getByRole('link', { name: 'Create a room' });
    assert.equal(await create.getAttribute('href'), '/login?next=%2Fnew');
    assert.match(await page.title(), /Watch together/);
    await shot(page, 'home.png');
  });

  it('registers a new account through the form and shows the name in the header', { timeout: TEST_MS }, async () => {
    await accountNav(page).getByRole('link', { name: 'Register' }).click();
    await page.waitForURL((u) => u.pathname === '/register');
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
    // The rules are on the form before anyone gets them wrong.
    await page.getByText('3–32 characters: Latin letters, digits, _ . -').waitFor();
    await page.getByText('8–128 characters.').waitFor();
    await shot(page, 'register.png');

    // A rule broken on the client shows inline, next to the field, without a request.
    await page.getByLabel('Username', { exact: true }).fill(account.username);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Password must be 8–128 characters.').waitFor();
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(page, 'register-error.png');

    await page.getByLabel(/Display name/).fill(account.displayName);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expectLoggedInAs(page, account.displayName);
    await page.getByRole('heading', { level: 1, name: 'Watch together' }).waitFor();
    assert.equal(await page.getByRole('main').getByRole('link', { name: 'Create a room' }).getAttribute('href'), '/new');
    await shot(page, 'home-logged-in.png');
  });

  it('shows that a taken username is taken, under the username field', { timeout: TEST_MS }, async () => {
    const other = await browser.newContext({ locale: 'en-US' }); // logged out: its own cookies
    try {
      const q = await other.newPage();
      watch(q);
      await q.goto(`${k.url}/register`);
      await q.getByLabel('Username', { exact: true }).fill(account.username.toUpperCase());
      await q.getByLabel('Password', { exact: true }).fill('another good password');
      await q.getByRole('button', { name: 'Create account' }).click();
      await q.getByText('That username is taken. Try another one.').waitFor();
      assert.equal(await q.getByLabel('Username', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(pathOf(q), '/register');
    } finally {
      await other.close();
    }
  });

  it('keeps the session across a reload, then logs out', { timeout: TEST_MS }, async () => {
    await page.reload();
    await expectLoggedInAs(page, account.displayName);
    await accountNav(page).getByRole('button', { name: 'Log out' }).click();
    await expectLoggedOut(page);
    const me = await page.request.get(`${k.url}/api/v1/me`);
    assert.equal(me.status(), 401, 'the session is gone on the server');
  });

  it('logs in again through the form, going where "Create a room" pointed', { timeout: TEST_MS }, async () => {
    await page.goto(`${k.url}/`);
    await page.getByRole('main').getByRole('link', { name: 'Create a room' }).click();
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/new');
    await page.getByRole('heading', { level: 1, name: 'Log in to Kino' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).waitFor(); // the link between the two forms
    await page.getByLabel('Username', { exact: true }).fill(account.username);
    await page.getByLabel('Password', { exact: true }).fill(account.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/new');
    await expectLoggedInAs(page, account.displayName);
  });

  it('logs out, and a reload keeps the logged-out state', { timeout: TEST_MS }, async () => {
    await page.goto(`${k.url}/`);
    await expectLoggedInAs(page, account.displayName);
    await accountNav(page).getByRole('button', { name: 'Log out' }).click();
    await expectLoggedOut(page);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Watch together' }).waitFor();
    await expectLoggedOut(page);
  });

  it('shows a wrong password as an error on the form, without saying which part was wrong', { timeout: TEST_MS }, async () => {
    await page.goto(`${k.url}/login`);
    await page.getByLabel('Username', { exact: true }).fill(account.username);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    assert.equal(pathOf(page), '/login');
    await expectLoggedOut(page);
    await shot(page, 'login-wrong-password.png');
  });

  it('shows the 404 page for an unknown address, with a way home', { timeout: TEST_MS }, async () => {
    const res = await page.goto(`${k.url}/no/such/page`);
    assert.equal(res?.status(), 404, 'the app, answered with 404 so crawlers and monitors see the truth');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    assert.match(await page.title(), /Page not found/);
    await shot(page, 'not-found.png');
    await page.getByRole('link', { name: 'Go to the home page' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByRole('heading', { level: 1, name: 'Watch together' }).waitFor();
  });

  it('switches to Russian, remembers it across a reload, and back', { timeout: TEST_MS }, async () => {
    await page.goto(`${k.url}/`);
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { level: 1, name: 'Смотрим вместе' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Смотрим вместе' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    await page.getByRole('banner').getByRole('link', { name: 'Войти' }).waitFor();
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Watch together' }).waitFor();
  });

  it('fits a 360 px wide phone without sideways scrolling', { timeout: TEST_MS }, async () => {
    const p = await newPage({ width: 360, height: 740 });
    try {
      for (const [route, heading, file] of [
        ['/', 'Watch together', 'home-360.png'],
        ['/register', 'Create your account', 'register-360.png'],
        ['/login', 'Log in to Kino', 'login-360.png'],
        ['/no/such/page', 'Page not found', 'not-found-360.png'],
      ]) {
        await p.goto(`${k.url}${route}`);
        await p.getByRole('heading', { level: 1, name: heading }).waitFor();
        await accountNav(p).getByRole('link', { name: 'Log in' }).waitFor();
        await shot(p, file);
        await assertNoSideScroll(p, route);
      }
      // Russian labels are longer.
      await p.goto(`${k.url}/`);
      await p.getByLabel('Language').selectOption('ru');
      await p.getByRole('heading', { level: 1, name: 'Смотрим вместе' }).waitFor();
      await shot(p, 'home-360-ru.png');
      await assertNoSideScroll(p, '/ in Russian');
      await p.getByLabel('Язык').selectOption('en');
    } finally {
      await p.close();
    }
  });

});

describe('web app: login rate limit', { concurrency: false }, () => {
  let limited;
  before(async () => {
    limited = await startKino({
      timeoutMs: 30_000,
      env: { KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: '2', KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: '1000' },
    });
  }, { timeout: TEST_MS });
  after(async () => { await limited?.stop(); });

  it('says how long to wait once the server answers 429', { timeout: TEST_MS }, async () => {
    const p = await newPage();
    try {
      await p.goto(`${limited.url}/register`);
      await p.getByLabel('Username', { exact: true }).fill(`rl_${suffix}`);
      await p.getByLabel('Password', { exact: true }).fill(account.password);
      await p.getByRole('button', { name: 'Create account' }).click();
      await p.waitForURL((u) => u.pathname === '/');
      await accountNav(p).getByRole('button', { name: 'Log out' }).click();
      await expectLoggedOut(p);
      await p.goto(`${limited.url}/login`);
      await p.getByLabel('Username', { exact: true }).fill(`rl_${suffix}`);
      await p.getByLabel('Password', { exact: true }).fill('not the password');
      for (let i = 0; i < 2; i += 1) {
        await p.getByRole('button', { name: 'Log in', exact: true }).click();
        await p.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
      }
      await p.getByRole('button', { name: 'Log in', exact: true }).click();
      const alert = p.getByRole('alert').filter({ hasText: /Too many attempts, try again in \d+ s\./ });
      await alert.waitFor();
      await shot(p, 'login-rate-limited.png');
      assert.equal(pathOf(p), '/login');
    } finally {
      await p.close();
    }
  });
});

describe('web app: hygiene', () => {
  it('caused no CSP violations and no unexpected console errors', () => {
    assert.deepEqual(cspViolations, [], 'CSP violations');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    // 401 (GET /me while logged out, a wrong password), 409 (a taken name) and 429 (the rate limit) are
    // expected answers; Chromium logs every 4xx fetch as a console error, and the page of an unknown
    // address (answered 404), visited twice above, too.
    const unexpected = consoleErrors.filter(
      (t) => !/^Failed to load resource: the server responded with a status of (401|409|429)\b/.test(t),
    );
    const notFound = unexpected.filter((t) => /^Failed to load resource: the server responded with a status of 404\b/.test(t));
    assert.equal(notFound.length, 2, 'a 404 for each visit of /no/such/page, and none other');
    assert.deepEqual(unexpected.filter((t) => !notFound.includes(t)), [], 'console errors');
  });
});
