// Health endpoints, security headers, request ids, the SPA with its history fallback, path traversal
// and the access log.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { get, post, request, rawRequest, registerUser, uniqueName, sleep, relaxedLimits } from './http.mjs';

let k;
// The web app is only served when it was built into build/bin/web; otherwise `/` is a 500 HTML page.
let webBuilt;
let indexPage;
before(async () => {
  k = await startKino({ env: relaxedLimits });
  indexPage = await get(k, '/');
  webBuilt = !(indexPage.status === 500 && /unavailable|not available|could not be loaded|not built/i.test(indexPage.text));
});
after(async () => { await k?.stop(); });

describe('health', () => {
  it('GET /healthz answers 200', async () => {
    const res = await get(k, '/healthz');
    assert.equal(res.status, 200, res.text);
  });

  it('GET /readyz answers 200 with JSON checks', async () => {
    const res = await get(k, '/readyz');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') || '', /^application\/json\b/i);
    assert.ok(res.json && typeof res.json === 'object', res.text);
    assert.ok(res.json.checks && typeof res.json.checks === 'object', `readyz has checks: ${res.text}`);
  });
});

// One request of each kind: JSON success, JSON errors of several statuses, a POST, HTML and health.
const probes = [
  ['GET /healthz', () => get(k, '/healthz')],
  ['GET /readyz', () => get(k, '/readyz')],
  ['GET /api/v1/me (401)', () => get(k, '/api/v1/me')],
  ['GET /api/v1/nope (404)', () => get(k, '/api/v1/nope')],
  ['GET /api/v1/auth/login (405)', () => get(k, '/api/v1/auth/login')],
  ['POST register without CSRF (403)', () => post(k, '/api/v1/auth/register', {}, { csrf: false })],
  ['POST malformed JSON (400)', () => request(k, 'POST', '/api/v1/auth/login', { raw: '{' })],
  ['POST register (201)', () => post(k, '/api/v1/auth/register', { username: uniqueName('hdr'), password: 'a good password' })],
  ['GET / (HTML)', () => get(k, '/')],
  ['GET /some/client/route (HTML)', () => get(k, '/some/client/route')],
];

describe('security headers', () => {
  for (const [label, send] of probes) {
    it(`are on ${label}`, async () => {
      const res = await send();
      const csp = res.headers.get('content-security-policy') || '';
      assert.match(csp, /(^|;)\s*default-src 'self'(\s|;|$)/, `CSP on ${label}: ${csp}`);
      assert.match(csp, /(^|;)\s*frame-ancestors 'none'(\s|;|$)/, `CSP on ${label}: ${csp}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(res.headers.get('referrer-policy'), 'Referrer-Policy present');
      assert.ok(res.headers.get('x-request-id'), 'X-Request-Id present');
    });
  }
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id', async () => {
    for (const [label, send] of [
      ['GET', (h) => get(k, '/healthz', { headers: h })],
      ['error', (h) => get(k, '/api/v1/me', { headers: h })],
      ['POST', (h) => post(k, '/api/v1/auth/login', { username: 'nobody_here', password: 'whatever1' }, { headers: h })],
    ]) {
      const id = `test-123-${label}`;
      const res = await send({ 'X-Request-Id': id });
      assert.equal(res.headers.get('x-request-id'), id, label);
    }
  });

  it('generates a different id for each request that brings none', async () => {
    const a = (await get(k, '/healthz')).headers.get('x-request-id');
    const b = (await get(k, '/healthz')).headers.get('x-request-id');
    assert.ok(a && b);
    assert.notEqual(a, b);
  });

  it('replaces an insane X-Request-Id instead of echoing it', async () => {
    for (const bad of ['x'.repeat(1000), '<script>alert(1)</script>', 'a b"c\'d']) {
      const res = await get(k, '/healthz', { headers: { 'X-Request-Id': bad } });
      const id = res.headers.get('x-request-id');
      assert.ok(id, 'an id is still present');
      assert.notEqual(id, bad, `echoed ${JSON.stringify(bad.slice(0, 40))}`);
    }
  });
});

describe('SPA', () => {
  it('answers / with HTML (a 500 HTML page when the web app is not built)', async () => {
    const res = await get(k, '/');
    assert.match(res.headers.get('content-type') || '', /^text\/html\b/i);
    assert.match(res.text, /<html|<!doctype html/i);
    if (webBuilt) assert.equal(res.status, 200, res.text.slice(0, 300));
    else assert.equal(res.status, 500);
  });

  it('GET / serves the app index', async (t) => {
    if (!webBuilt) { t.skip('web app not built into build/bin/web'); return; }
    const res = await get(k, '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^text\/html\b/i);
    assert.match(res.text, /<!doctype html/i);
  });

  it('GET of a path the app does not have serves the app (its 404 page) with status 404', async (t) => {
    if (!webBuilt) { t.skip('web app not built into build/bin/web'); return; }
    const index = await get(k, '/');
    const script = index.text.match(/<script[^>]+src="([^"]+)"/)?.[1];
    assert.ok(script, 'the index loads the app');
    for (const path of ['/some/client/route', '/r/abc123', '/rooms/new?x=1']) {
      const res = await get(k, path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') || '', /^text\/html\b/i, path);
      assert.ok(res.text.includes(script), `${path} serves the app, which shows its not-found page`);
      assert.match(res.text, /<meta name="robots" content="noindex"/, path);
    }
  });
});

describe('path traversal', () => {
  for (const path of [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/assets/../../../../etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%5c..%5c..%5cetc%5cpasswd',
    '/assets/%252e%252e/%252e%252e/etc/passwd',
    '//etc/passwd',
    '/assets//etc/passwd',
  ]) {
    it(`never serves a file outside the web root for ${path}`, async () => {
      const res = await rawRequest(k.url, { path });
      assert.doesNotMatch(res.text, /root:.*:0:0:/, `file contents leaked for ${path}`);
      if ([400, 403, 404].includes(res.status)) return;
      // Otherwise it must be the SPA fallback: the index page (or, without a web build, its 500 page).
      assert.equal(res.status, webBuilt ? 200 : 500, `status ${res.status} for ${path}`);
      assert.match(res.headers['content-type'] || '', /^text\/html\b/i, path);
      assert.equal(res.text, indexPage.text, `${path} must be refused or be the SPA index`);
    });
  }
});

describe('a web root with a planted secret next to it (server.web_root)', () => {
  // <tmp>/secret.txt sits one level above the web root <tmp>/web; nothing may reach it.
  const SECRET = `TOPSECRET-${process.pid}`;
  const INDEX = '<!doctype html><html><head><title>test index</title></head><body>index</body></html>';
  let dir;
  let w;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kino-webroot-'));
    mkdirSync(path.join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'web', 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'web', 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    writeFileSync(path.join(dir, 'secret'), SECRET);
    w = await startKino({ env: { KINO_SERVER_WEB_ROOT: path.join(dir, 'web') } });
  });
  after(async () => {
    await w?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files inside the root', async () => {
    const js = await rawRequest(w.url, { path: '/assets/app.js' });
    assert.equal(js.status, 200);
    assert.equal(js.text, 'console.log("app")');
    assert.match(js.headers['content-type'] || '', /javascript/);
    const index = await rawRequest(w.url, { path: '/' });
    assert.equal(index.text, INDEX);
  });

  for (const p of [
    '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt',
    '/assets/../../secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/..%5c..%5csecret.txt', '/..%5csecret.txt', '/assets/%252e%252e/%252e%252e/secret.txt',
    '/../secret', '/assets/..%2f..%2fsecret', '/.%2e/secret', '/assets/.%2e/.%2e/secret',
    '/..%00/secret.txt', '/secret.txt%00.html', '/%c0%ae%c0%ae/secret.txt',
  ]) {
    it(`does not serve the file above the root for ${p}`, async () => {
      const res = await rawRequest(w.url, { path: p });
      assert.ok(!res.text.includes(SECRET), `secret leaked for ${p} (status ${res.status})`);
      assert.ok([400, 403, 404].includes(res.status) || (res.status === 200 && res.text === INDEX),
        `status ${res.status} for ${p}: ${res.text.slice(0, 100)}`);
    });
  }
});

describe('without a web build (empty server.web_root)', () => {
  let dir;
  let w;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kino-noweb-'));
    w = await startKino({ env: { KINO_SERVER_WEB_ROOT: dir } });
  });
  after(async () => {
    await w?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers / and client routes with a 500 HTML page carrying the security headers', async () => {
    for (const p of ['/', '/some/client/route']) {
      const res = await get(w, p);
      assert.equal(res.status, 500, p);
      assert.match(res.headers.get('content-type') || '', /^text\/html\b/i, p);
      assert.match(res.text, /<!doctype html/i, p);
      const csp = res.headers.get('content-security-policy') || '';
      // default-src 'none' is tighter than the contract's 'self' and accepted for this static page.
      assert.match(csp, /(^|;)\s*default-src '(self|none)'(\s|;|$)/, `${p}: ${csp}`);
      assert.match(csp, /(^|;)\s*frame-ancestors 'none'(\s|;|$)/, `${p}: ${csp}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(res.headers.get('referrer-policy'));
      assert.ok(res.headers.get('x-request-id'));
    }
  });

  it('keeps the API and health endpoints working', async () => {
    assert.equal((await get(w, '/healthz')).status, 200);
    const me = await get(w, '/api/v1/me');
    assert.equal(me.status, 401);
    assert.match(me.headers.get('content-type') || '', /^application\/json\b/i);
  });

  it('never serves /etc/passwd through traversal', async () => {
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const res = await rawRequest(w.url, { path: p });
      assert.doesNotMatch(res.text, /root:.*:0:0:/, p);
    }
  });
});

describe('access log', () => {
  const values = (obj) => (obj && typeof obj === 'object' ? Object.values(obj).flatMap(values) : [obj]);
  const accessLines = () => k.logs().split('\n').flatMap((line) => {
    try { const o = JSON.parse(line); return o && o.event === 'access' ? [o] : []; } catch { return []; }
  });
  async function waitForAccessLine(requestId) {
    for (let i = 0; i < 40; i += 1) {
      const line = accessLines().find((o) => values(o).includes(requestId));
      if (line) return line;
      await sleep(50);
    }
    return undefined;
  }

  it('writes a JSON access line with method, path, status and request id', async () => {
    const id = `access-probe-${process.pid}`;
    const res = await get(k, '/api/v1/me', { headers: { 'X-Request-Id': id } });
    assert.equal(res.status, 401);
    const line = await waitForAccessLine(id);
    assert.ok(line, `no "event":"access" line with ${id} in:\n${k.logs().slice(-2000)}`);
    const v = values(line);
    assert.ok(v.includes('GET'), `method in ${JSON.stringify(line)}`);
    assert.ok(v.some((x) => x === '/api/v1/me' || String(x).startsWith('/api/v1/me?')), `path in ${JSON.stringify(line)}`);
    assert.ok(v.includes(401) || v.includes('401'), `status in ${JSON.stringify(line)}`);
  });

  it('logs a POST with its status too', async () => {
    const id = `access-post-${process.pid}`;
    const res = await post(k, '/api/v1/auth/login', { username: 'nobody_here', password: 'whatever1' },
      { headers: { 'X-Request-Id': id } });
    assert.equal(res.status, 401);
    const line = await waitForAccessLine(id);
    assert.ok(line, `no access line with ${id}`);
    const v = values(line);
    assert.ok(v.includes('POST'));
    assert.ok(v.includes('/api/v1/auth/login'));
    assert.ok(v.includes(401) || v.includes('401'));
  });

  it('never writes passwords or session tokens to the log', async () => {
    const password = `log-canary-${process.pid}-pw`;
    const { cookie, username } = await registerUser(k, { password });
    const login = await post(k, '/api/v1/auth/login', { username, password });
    assert.equal(login.status, 200);
    const token2 = login.cookies.join(';').match(/kino_session=([^;]+)/)[1];
    await get(k, '/api/v1/me', { cookie });
    await post(k, '/api/v1/auth/login', { username, password: `${password}-wrong` });
    await sleep(200);
    const logs = k.logs();
    assert.ok(!logs.includes(password), 'password in logs');
    assert.ok(!logs.includes(cookie.slice('kino_session='.length)), 'register session token in logs');
    assert.ok(!logs.includes(token2), 'login session token in logs');
  });
});
