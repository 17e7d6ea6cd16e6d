// Login rate limits: failures per account, attempts per IP, 429 rate_limited with Retry-After.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { post, get, assertError, registerUser, cookieFrom, advanceClock } from './http.mjs';

const login = (k, username, password) => post(k, '/api/v1/auth/login', { username, password });

function assertRateLimited(res) {
  assertError(res, 429, 'rate_limited');
  const retryAfter = res.headers.get('retry-after');
  assert.match(retryAfter || '', /^\d+$/, `Retry-After is integer seconds: ${retryAfter}`);
  assert.ok(Number(retryAfter) > 0, `Retry-After > 0: ${retryAfter}`);
  assert.equal(sessionFree(res), true, 'a 429 never sets a session');
  return Number(retryAfter);
}
const sessionFree = (res) => !res.cookies.some((c) => /^kino_session=[^;]+/.test(c));

describe('per-account failure limit', () => {
  const MAX_FAILURES = 3;
  let k;
  before(async () => {
    k = await startKino({
      env: {
        KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: String(MAX_FAILURES),
        KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: '1000',
        KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '1000',
        KINO_ACCOUNTS_LOGIN_WINDOW_S: '600',
      },
    });
  });
  after(async () => { await k?.stop(); });

  it('locks the account after N failures with 429 rate_limited and Retry-After, even for the right password', async () => {
    const victim = await registerUser(k);
    for (let i = 1; i <= MAX_FAILURES; i += 1) {
      assertError(await login(k, victim.username, `wrong password ${i}`), 401, 'invalid_credentials');
    }
    assertRateLimited(await login(k, victim.username, 'wrong password again'));
    assertRateLimited(await login(k, victim.username, victim.password));
  });

  it('counts failures per account regardless of the username case', async () => {
    const victim = await registerUser(k);
    const spellings = [victim.username.toUpperCase(), victim.username.toLowerCase(), victim.username];
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      assertError(await login(k, spellings[i % spellings.length], 'wrong password'), 401, 'invalid_credentials');
    }
    assertRateLimited(await login(k, victim.username, victim.password));
  });

  it('keeps existing sessions of a locked account working', async () => {
    const victim = await registerUser(k);
    for (let i = 0; i < MAX_FAILURES; i += 1) await login(k, victim.username, 'wrong password');
    assertRateLimited(await login(k, victim.username, victim.password));
    const me = await get(k, '/api/v1/me', { cookie: victim.cookie });
    assert.equal(me.status, 200, me.text);
  });

  it('lets another account log in from the same IP while one is locked', async () => {
    const victim = await registerUser(k);
    const bystander = await registerUser(k);
    for (let i = 0; i < MAX_FAILURES; i += 1) await login(k, victim.username, 'wrong password');
    assertRateLimited(await login(k, victim.username, victim.password));
    const res = await login(k, bystander.username, bystander.password);
    assert.equal(res.status, 200, res.text);
    cookieFrom(res);
  });

  it('does not lock an account when failures stay below N', async () => {
    const user = await registerUser(k);
    for (let i = 0; i < MAX_FAILURES - 1; i += 1) {
      assertError(await login(k, user.username, 'wrong password'), 401, 'invalid_credentials');
    }
    const res = await login(k, user.username, user.password);
    assert.equal(res.status, 200, res.text);
  });
});

describe('per-IP attempt limit', () => {
  const IP_MAX = 5;
  let k;
  before(async () => {
    k = await startKino({
      env: {
        KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: '1000',
        KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: String(IP_MAX),
        KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '1000',
        KINO_ACCOUNTS_LOGIN_WINDOW_S: '600',
      },
    });
  });
  after(async () => { await k?.stop(); });

  it('answers 429 with Retry-After once one IP made N attempts, for any account', async () => {
    const users = [];
    for (let i = 0; i < IP_MAX + 1; i += 1) users.push(await registerUser(k));
    // N failed attempts, each against a different account, so no account limit is involved.
    for (let i = 0; i < IP_MAX; i += 1) {
      assertError(await login(k, users[i].username, 'wrong password'), 401, 'invalid_credentials');
    }
    const last = users[IP_MAX];
    assertRateLimited(await login(k, last.username, last.password));
    assertRateLimited(await login(k, 'someone_unknown', 'wrong password'));
  });
});

describe('per-IP limit and per-account limit together', () => {
  const MAX_FAILURES = 2;
  const IP_MAX = 6;
  let k;
  before(async () => {
    k = await startKino({
      env: {
        KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: String(MAX_FAILURES),
        KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: String(IP_MAX),
        KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '1000',
        KINO_ACCOUNTS_LOGIN_WINDOW_S: '600',
      },
    });
  });
  after(async () => { await k?.stop(); });

  it('another account works after one is locked, until the IP limit is reached', async () => {
    const victim = await registerUser(k);
    const others = [await registerUser(k), await registerUser(k), await registerUser(k)];
    let attempts = 0;
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      assertError(await login(k, victim.username, 'wrong password'), 401, 'invalid_credentials');
      attempts += 1;
    }
    assertRateLimited(await login(k, victim.username, victim.password));
    attempts += 1;
    // Every attempt so far, including the refused one, is within the IP limit: other accounts still work.
    const ok = await login(k, others[0].username, others[0].password);
    attempts += 1;
    assert.equal(ok.status, 200, ok.text);
    // Spend the rest of the IP budget with failures on accounts that are not locked. Whether the server
    // counts every attempt, only the ones it did not refuse, or only failures, the 429 comes by attempt
    // IP_MAX + 3 here (2 failures, 1 refused, 1 success, then failures).
    let limited;
    for (let i = 0; i < IP_MAX + 3 && !limited; i += 1) {
      const res = await login(k, others[1 + (i % 2)].username, 'wrong password');
      attempts += 1;
      if (res.status === 429) limited = res;
      else assertError(res, 401, 'invalid_credentials');
    }
    assert.ok(limited, `no 429 after ${attempts} attempts with an IP limit of ${IP_MAX}`);
    assert.ok(attempts <= IP_MAX + 3, `IP limit of ${IP_MAX} enforced only after ${attempts} attempts`);
    assertRateLimited(limited);
    assertRateLimited(await login(k, others[0].username, others[0].password));
  });
});

describe('lockout window', () => {
  const WINDOW_S = 60;
  let k;
  before(async () => {
    k = await startKino({
      env: {
        KINO_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES: '2',
        KINO_ACCOUNTS_LOGIN_IP_MAX_ATTEMPTS: '1000',
        KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '1000',
        KINO_ACCOUNTS_LOGIN_WINDOW_S: String(WINDOW_S),
        KINO_TESTING_CLOCK_CONTROL: 'true',
      },
    });
  });
  after(async () => { await k?.stop(); });

  it('keeps the account locked until Retry-After has passed, then lets the right password in', async () => {
    const user = await registerUser(k);
    await login(k, user.username, 'wrong password');
    await login(k, user.username, 'wrong password');
    const retryAfter = assertRateLimited(await login(k, user.username, user.password));
    assert.ok(retryAfter <= WINDOW_S + 1, `Retry-After ${retryAfter}s with a ${WINDOW_S}s window`);
    await advanceClock(k, retryAfter - 2);
    assertRateLimited(await login(k, user.username, user.password));
    await advanceClock(k, 3);
    const res = await login(k, user.username, user.password);
    assert.equal(res.status, 200, res.text);
  });
});

describe('registration limit per IP (accounts.register_ip_max_per_hour)', () => {
  const MAX = 3;
  let k;
  before(async () => {
    k = await startKino({ env: { KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: String(MAX) } });
  });
  after(async () => { await k?.stop(); });

  it('answers 429 rate_limited with Retry-After once one IP registered N accounts', async () => {
    for (let i = 0; i < MAX; i += 1) await registerUser(k);
    const res = await post(k, '/api/v1/auth/register', { username: 'one_too_many', password: 'a good password' });
    assertRateLimited(res);
  });
});
