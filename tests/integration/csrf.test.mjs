// CSRF defence: state-changing requests need `X-Kino-CSRF: 1` and, when an Origin is sent, Kino's own origin.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, post, request, assertError, uniqueName, registerUser, relaxedLimits } from './http.mjs';

let k;
let ownOrigin;
before(async () => {
  k = await startKino({ env: relaxedLimits });
  ownOrigin = new URL(k.url).origin; // fetch sends Host: 127.0.0.1:PORT, so this is http:// + Host
});
after(async () => { await k?.stop(); });

const register = (headers, opts = {}) => post(k, '/api/v1/auth/register',
  { username: opts.username ?? uniqueName('csrf'), password: 'a good password' }, { headers, csrf: false });

describe('CSRF header', () => {
  it('rejects a POST without X-Kino-CSRF with 403 csrf_rejected', async () => {
    assertError(await register({}), 403, 'csrf_rejected');
  });

  it('rejects X-Kino-CSRF with a value other than 1', async () => {
    for (const value of ['0', 'true', '']) {
      const res = await register({ 'X-Kino-CSRF': value });
      assertError(res, 403, 'csrf_rejected');
    }
  });

  it('does not run the handler of a rejected request (no user is created)', async () => {
    const username = uniqueName('nocsrf');
    assertError(await register({}, { username }), 403, 'csrf_rejected');
    const ok = await register({ 'X-Kino-CSRF': '1' }, { username });
    assert.equal(ok.status, 201, `user must not exist yet: ${ok.text}`);
  });

  it('rejects before checking credentials (403, not 401, for a bad login without the header)', async () => {
    const res = await post(k, '/api/v1/auth/login', { username: uniqueName('x'), password: 'wrong password' },
      { csrf: false });
    assertError(res, 403, 'csrf_rejected');
  });

  it('protects logout: without the header the session stays valid', async () => {
    const { cookie } = await registerUser(k);
    const res = await post(k, '/api/v1/auth/logout', undefined, { cookie, csrf: false });
    assertError(res, 403, 'csrf_rejected');
    const me = await get(k, '/api/v1/me', { cookie });
    assert.equal(me.status, 200, me.text);
  });

  it('does not require the header for GET', async () => {
    const { cookie } = await registerUser(k);
    const me = await request(k, 'GET', '/api/v1/me', { cookie, csrf: false });
    assert.equal(me.status, 200, me.text);
  });
});

describe('Origin check', () => {
  it("accepts a request whose Origin is Kino's own origin", async () => {
    const res = await register({ 'X-Kino-CSRF': '1', Origin: ownOrigin });
    assert.equal(res.status, 201, res.text);
  });

  it('accepts a request without Origin (non-browser client)', async () => {
    const res = await register({ 'X-Kino-CSRF': '1' });
    assert.equal(res.status, 201, res.text);
  });

  for (const [label, origin] of [
    ['a foreign site', 'http://evil.example'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['https instead of http', () => ownOrigin.replace(/^http:/, 'https:')],
    ['localhost instead of 127.0.0.1', () => ownOrigin.replace('127.0.0.1', 'localhost')],
    ['a suffix trick', () => `${ownOrigin}.evil.example`],
    ['the opaque origin null', 'null'],
  ]) {
    it(`rejects an Origin of ${label} with 403 csrf_rejected even with the header`, async () => {
      const value = typeof origin === 'function' ? origin() : origin;
      const res = await register({ 'X-Kino-CSRF': '1', Origin: value });
      assertError(res, 403, 'csrf_rejected');
    });
  }

  it('rejects a cross-origin logout and keeps the session', async () => {
    const { cookie } = await registerUser(k);
    const res = await post(k, '/api/v1/auth/logout', undefined,
      { cookie, headers: { Origin: 'http://evil.example' } });
    assertError(res, 403, 'csrf_rejected');
    const me = await get(k, '/api/v1/me', { cookie });
    assert.equal(me.status, 200, me.text);
  });

  it('accepts a same-origin logout', async () => {
    const { cookie } = await registerUser(k);
    const res = await post(k, '/api/v1/auth/logout', undefined, { cookie, headers: { Origin: ownOrigin } });
    assert.equal(res.status, 204, res.text);
  });
});
