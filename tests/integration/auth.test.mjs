// Accounts over HTTP: register, login, logout, /me, the session cookie and input validation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import {
  get, post, sessionCookie, cookieFrom, assertError, uniqueName, registerUser, assertBadInput, relaxedLimits,
} from './http.mjs';

let k;
before(async () => { k = await startKino({ env: relaxedLimits }); });
after(async () => { await k?.stop(); });

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('register', () => {
  it('creates the user and answers 201 with the public user object', async () => {
    const username = uniqueName('reg');
    const res = await post(k, '/api/v1/auth/register', { username, password: 'a good password' });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/i);
    const { user } = res.json;
    assert.ok(user, 'body has user');
    assert.ok(user.id !== undefined && user.id !== null && user.id !== '', 'user.id present');
    assert.equal(user.username, username);
    assert.equal(user.display_name, username, 'display_name defaults to the username');
    assert.match(String(user.created_at), RFC3339_UTC);
    const age = Math.abs(Date.now() - Date.parse(user.created_at));
    assert.ok(age < 5 * 60_000, `created_at is now-ish (${user.created_at})`);
  });

  it('never returns the password or its hash', async () => {
    const password = 'leak-canary-password-1';
    const res = await post(k, '/api/v1/auth/register', { username: uniqueName('nolk'), password });
    assert.equal(res.status, 201, res.text);
    assert.ok(!res.text.includes(password), 'password echoed');
    assert.doesNotMatch(res.text, /\$argon2/i, 'hash echoed');
    for (const key of Object.keys(res.json.user)) assert.doesNotMatch(key, /pass|hash|salt/i);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie on Path=/ with a Max-Age and without Secure', async () => {
    const res = await post(k, '/api/v1/auth/register', { username: uniqueName('ck'), password: 'a good password' });
    assert.equal(res.status, 201, res.text);
    const c = sessionCookie(res);
    assert.ok(c, `Set-Cookie: ${JSON.stringify(res.cookies)}`);
    assert.ok(c.value.length >= 22, `session token looks too short to be random: ${c.value}`);
    assert.equal(c.attributes.path, '/');
    assert.equal(c.attributes.httponly, true, c.line);
    assert.equal(String(c.attributes.samesite).toLowerCase(), 'lax', c.line);
    assert.match(String(c.attributes['max-age']), /^\d+$/, c.line);
    assert.ok(Number(c.attributes['max-age']) > 0, c.line);
    assert.equal(c.attributes.secure, undefined, `no Secure on plain http: ${c.line}`);
  });

  it('logs the new user in: the cookie works for /me', async () => {
    const { user, cookie } = await registerUser(k);
    const me = await get(k, '/api/v1/me', { cookie });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json.user, user);
  });

  it('gives every session a different token', async () => {
    const a = await registerUser(k);
    const b = await registerUser(k);
    assert.notEqual(a.cookie, b.cookie);
  });

  it('keeps a given display_name', async () => {
    const { user } = await registerUser(k, { display_name: 'Ada Lovelace 🎬' });
    assert.equal(user.display_name, 'Ada Lovelace 🎬');
  });

  it('accepts a 64-character display_name and rejects 65 with field display_name', async () => {
    await registerUser(k, { display_name: 'd'.repeat(64) });
    const res = await post(k, '/api/v1/auth/register',
      { username: uniqueName('dn'), password: 'a good password', display_name: 'd'.repeat(65) });
    assertError(res, 422, 'invalid_field', 'display_name');
  });

  it('rejects a username that differs only in case with 409 username_taken', async () => {
    const base = uniqueName('Case');
    await registerUser(k, { username: base });
    const res = await post(k, '/api/v1/auth/register', { username: base.toLowerCase(), password: 'a good password' });
    assertError(res, 409, 'username_taken', 'username');
    const again = await post(k, '/api/v1/auth/register', { username: base, password: 'a good password' });
    assertError(again, 409, 'username_taken', 'username');
  });

  it('accepts usernames of 3 and 32 characters from [A-Za-z0-9_.-]', async () => {
    // This file's server has a fresh data dir, so these fixed names are free.
    const three = await registerUser(k, { username: 'a_3' });
    assert.equal(three.user.username, 'a_3');
    const long = 'A.b-C_9'.padEnd(32, 'z');
    const thirtyTwo = await registerUser(k, { username: long });
    assert.equal(thirtyTwo.user.username, long);
  });

  for (const [label, username] of [
    ['2 characters', 'ab'],
    ['33 characters', 'a'.repeat(33)],
    ['a space', 'bad name'],
    ['a slash', 'bad/name'],
    ['an @', 'bad@name'],
    ['non-ASCII letters', 'jürgen'],
    ['an empty string', ''],
  ]) {
    it(`rejects a username with ${label} with 422 field username`, async () => {
      const res = await post(k, '/api/v1/auth/register', { username, password: 'a good password' });
      assertError(res, 422, 'invalid_field', 'username');
    });
  }

  it('accepts passwords of 8 and 128 characters', async () => {
    await registerUser(k, { password: '12345678' });
    await registerUser(k, { password: 'p'.repeat(128) });
  });

  for (const [label, password] of [['7 characters', '1234567'], ['129 characters', 'p'.repeat(129)], ['empty', '']]) {
    it(`rejects a password of ${label} with 422 field password`, async () => {
      const res = await post(k, '/api/v1/auth/register', { username: uniqueName('pw'), password });
      assertError(res, 422, 'invalid_field', 'password');
    });
  }

  it('rejects a missing username or password without a 500', async () => {
    for (const body of [{ password: 'a good password' }, { username: uniqueName('np') }, {}]) {
      const res = await post(k, '/api/v1/auth/register', body);
      assertBadInput(res);
    }
  });

  it('does not create the user when validation fails', async () => {
    const username = uniqueName('nv');
    const bad = await post(k, '/api/v1/auth/register', { username, password: 'short' });
    assertError(bad, 422, 'invalid_field', 'password');
    await registerUser(k, { username });
  });
});

describe('login', () => {
  it('answers 200 with the user and a new session cookie', async () => {
    const reg = await registerUser(k);
    const res = await post(k, '/api/v1/auth/login', { username: reg.username, password: reg.password });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.user, reg.user);
    const cookie = cookieFrom(res);
    assert.notEqual(cookie, reg.cookie, 'login issues a fresh session');
    const c = sessionCookie(res);
    assert.equal(c.attributes.httponly, true);
    assert.equal(String(c.attributes.samesite).toLowerCase(), 'lax');
    assert.equal(c.attributes.path, '/');
    const me = await get(k, '/api/v1/me', { cookie });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.id, reg.user.id);
  });

  it('matches the username case-insensitively', async () => {
    const reg = await registerUser(k, { username: uniqueName('MiXeD') });
    for (const username of [reg.username.toLowerCase(), reg.username.toUpperCase()]) {
      const res = await post(k, '/api/v1/auth/login', { username, password: reg.password });
      assert.equal(res.status, 200, `${username}: ${res.text}`);
      assert.equal(res.json.user.id, reg.user.id);
      assert.equal(res.json.user.username, reg.username, 'the stored spelling is returned');
    }
  });

  it('checks the password exactly (case-sensitive)', async () => {
    const reg = await registerUser(k, { password: 'CaseSensitive1' });
    const res = await post(k, '/api/v1/auth/login', { username: reg.username, password: 'casesensitive1' });
    assertError(res, 401, 'invalid_credentials');
  });

  it('answers a wrong password and an unknown user alike: 401 invalid_credentials, same message, no cookie', async () => {
    const reg = await registerUser(k);
    const wrong = await post(k, '/api/v1/auth/login', { username: reg.username, password: 'not the password' });
    const unknown = await post(k, '/api/v1/auth/login', { username: uniqueName('ghost'), password: 'not the password' });
    assertError(wrong, 401, 'invalid_credentials');
    assertError(unknown, 401, 'invalid_credentials');
    assert.equal(wrong.json.error.message, unknown.json.error.message);
    assert.equal(wrong.json.error.field, unknown.json.error.field);
    assert.equal(sessionCookie(wrong)?.value || '', '', 'no session on failure');
    assert.equal(sessionCookie(unknown)?.value || '', '', 'no session on failure');
  });
});

describe('logout', () => {
  it('answers 204, clears the cookie and revokes the session server-side', async () => {
    const { cookie } = await registerUser(k);
    const res = await post(k, '/api/v1/auth/logout', undefined, { cookie });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '', '204 has no body');
    const c = sessionCookie(res);
    assert.ok(c, `logout clears the cookie: ${JSON.stringify(res.cookies)}`);
    assert.equal(c.attributes['max-age'], '0', c.line);
    assert.equal(c.attributes.path, '/', c.line);
    const me = await get(k, '/api/v1/me', { cookie });
    assertError(me, 401, 'not_authenticated');
  });

  it('revokes only that session: another login of the same user keeps working', async () => {
    const reg = await registerUser(k);
    const login = await post(k, '/api/v1/auth/login', { username: reg.username, password: reg.password });
    assert.equal(login.status, 200, login.text);
    const other = cookieFrom(login);
    const out = await post(k, '/api/v1/auth/logout', undefined, { cookie: reg.cookie });
    assert.equal(out.status, 204, out.text);
    assertError(await get(k, '/api/v1/me', { cookie: reg.cookie }), 401, 'not_authenticated');
    const me = await get(k, '/api/v1/me', { cookie: other });
    assert.equal(me.status, 200, me.text);
  });
});

describe('/me', () => {
  it('answers 401 not_authenticated without a cookie', async () => {
    assertError(await get(k, '/api/v1/me'), 401, 'not_authenticated');
  });

  it('answers 401 for an unknown or tampered token', async () => {
    const { cookie } = await registerUser(k);
    const token = cookie.slice('kino_session='.length);
    const flipped = token.slice(0, -1) + (token.at(-1) === 'A' ? 'B' : 'A');
    for (const bad of ['kino_session=not-a-real-token', `kino_session=${flipped}`, 'kino_session=',
      `kino_session=${token}x`]) {
      assertError(await get(k, '/api/v1/me', { cookie: bad }), 401, 'not_authenticated');
    }
  });

  it('finds the session cookie among other cookies', async () => {
    const { cookie, user } = await registerUser(k);
    const me = await get(k, '/api/v1/me', { cookie: `theme=dark; ${cookie}; other=1` });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.id, user.id);
  });
});

describe('session cookie configuration', () => {
  it('makes the cookie Secure when server.public_origin is https', async () => {
    const origin = 'https://kino.example';
    const k2 = await startKino({ env: { ...relaxedLimits, KINO_SERVER_PUBLIC_ORIGIN: origin } });
    try {
      const res = await post(k2, '/api/v1/auth/register', { username: uniqueName('sec'), password: 'a good password' },
        { headers: { Origin: origin } });
      assert.equal(res.status, 201, res.text);
      const c = sessionCookie(res);
      assert.equal(c.attributes.secure, true, c.line);
      assert.equal(c.attributes.httponly, true, c.line);
    } finally {
      await k2.stop();
    }
  });

  it('sets Max-Age from accounts.session_ttl_hours', async () => {
    const k2 = await startKino({ env: { ...relaxedLimits, KINO_ACCOUNTS_SESSION_TTL_HOURS: '2' } });
    try {
      const res = await post(k2, '/api/v1/auth/register', { username: uniqueName('ttl'), password: 'a good password' });
      assert.equal(res.status, 201, res.text);
      assert.equal(sessionCookie(res).attributes['max-age'], String(2 * 3600));
    } finally {
      await k2.stop();
    }
  });
});
