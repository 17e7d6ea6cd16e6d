// Request errors: malformed bodies, unknown routes, wrong methods and oversized bodies, all as JSON errors.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import net from 'node:net';
import { once } from 'node:events';
import { request, post, assertError, assertBadInput, uniqueName, rawRequest, relaxedLimits } from './http.mjs';

let k;
// Bad login and register bodies must not run into the rate limits (rate_limit.test.mjs covers those).
before(async () => { k = await startKino({ env: relaxedLimits }); });
after(async () => { await k?.stop(); });

describe('malformed bodies', () => {
  for (const [label, raw] of [
    ['truncated JSON', '{"username": "x", "password": '],
    ['garbage', 'username=x&password=y'],
    ['a trailing comma', '{"username": "abc", "password": "a good password",}'],
    ['an empty body', ''],
  ]) {
    it(`answers ${label} with 400 malformed_json`, async () => {
      const res = await request(k, 'POST', '/api/v1/auth/register', { raw });
      assertError(res, 400, 'malformed_json');
    });
  }

  for (const [label, raw] of [
    ['an array', '[1, 2]'],
    ['a string', '"username"'],
    ['a number', '42'],
    ['null', 'null'],
    ['invalid UTF-8 in a field', Buffer.concat([Buffer.from('{"username":"ab'), Buffer.from([0xff, 0xfe]),
      Buffer.from('c","password":"a good password"}')])],
  ]) {
    it(`rejects a body that is ${label} (400 or 422, not 500)`, async () => {
      assertBadInput(await request(k, 'POST', '/api/v1/auth/register', { raw }));
      assertBadInput(await request(k, 'POST', '/api/v1/auth/login', { raw }));
    });
  }

  for (const [label, body] of [
    ['a numeric username', { username: 12345, password: 'a good password' }],
    ['a boolean password', { username: 'typed_user', password: true }],
    ['an object password', { username: 'typed_user', password: { x: 1 } }],
    ['an array username', { username: ['abc'], password: 'a good password' }],
    ['a null username', { username: null, password: 'a good password' }],
    ['a numeric display_name', { username: 'typed_user2', password: 'a good password', display_name: 7 }],
  ]) {
    it(`rejects ${label} (400 or 422, not 500)`, async () => {
      assertBadInput(await post(k, '/api/v1/auth/register', body));
    });
  }

  it('rejects wrongly typed login fields (400 or 422, not 500)', async () => {
    assertBadInput(await post(k, '/api/v1/auth/login', { username: 1, password: 2 }));
    assertBadInput(await post(k, '/api/v1/auth/login', { username: 'someone', password: null }));
  });
});

describe('routing errors', () => {
  for (const path of ['/api/v1/nope', '/api/v2/me', '/api/nope', '/api/v1/auth/register/extra']) {
    it(`answers GET ${path} with 404 not_found as JSON`, async () => {
      assertError(await request(k, 'GET', path), 404, 'not_found');
    });
  }

  it('answers POST to an unknown API path with 404 not_found', async () => {
    assertError(await post(k, '/api/v1/nope', {}), 404, 'not_found');
  });

  for (const [method, path] of [
    ['GET', '/api/v1/auth/login'],
    ['GET', '/api/v1/auth/register'],
    ['PUT', '/api/v1/auth/register'],
    ['DELETE', '/api/v1/auth/logout'],
    ['POST', '/api/v1/me'],
    ['PATCH', '/api/v1/me'],
  ]) {
    it(`answers ${method} ${path} with 405 method_not_allowed as JSON`, async () => {
      const res = await request(k, method, path, { body: method === 'GET' ? undefined : {} });
      assertError(res, 405, 'method_not_allowed');
    });
  }

  it('names the allowed methods in an Allow header on 405 (RFC 9110 §15.5.6)', async () => {
    const res = await request(k, 'GET', '/api/v1/auth/login');
    assert.equal(res.status, 405, res.text);
    assert.match(res.headers.get('allow') || '', /\bPOST\b/);
  });
});

/**
 * POSTs a JSON body of about `bytes` bytes with Transfer-Encoding: chunked over a plain socket, stopping as
 * soon as a complete response has arrived; write errors after that are ignored.
 * @returns {Promise<{status: number|undefined, body: string, raw: string, end: string}>}
 */
function sendChunked(baseUrl, path, bytes) {
  const u = new URL(baseUrl);
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: u.hostname, port: Number(u.port) });
    let raw = '';
    let done = false;
    const parse = () => {
      const sep = raw.indexOf('\r\n\r\n');
      if (sep < 0) return undefined;
      const head = raw.slice(0, sep);
      const body = raw.slice(sep + 4);
      const status = Number(head.match(/^HTTP\/1\.[01] (\d{3})/)?.[1]);
      const length = head.match(/\r\ncontent-length:\s*(\d+)/i)?.[1];
      return { status, body, complete: length !== undefined && Buffer.byteLength(body) >= Number(length) };
    };
    const finish = (end) => {
      if (done) return;
      done = true;
      sock.destroy();
      const r = parse();
      resolve({ status: r?.status, body: r?.body ?? '', raw, end });
    };
    sock.setEncoding('utf8');
    sock.on('data', (d) => { raw += d; if (parse()?.complete) finish('response complete'); });
    sock.on('error', (e) => finish(e.code || e.message));
    sock.on('close', () => finish('closed by server'));
    sock.setTimeout(10_000, () => finish('timeout'));
    const closed = new Promise((r) => sock.once('close', r));
    sock.on('connect', async () => {
      sock.write(`POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nX-Kino-CSRF: 1\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const piece = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
      sock.write(piece('{"username":"big_body","password":"'));
      const chunk = 'x'.repeat(64 * 1024);
      // Yield between chunks so a response that arrived early stops the upload.
      for (let sent = 0; sent < bytes && !done && raw === ''; sent += chunk.length) {
        if (!sock.write(piece(chunk))) await Promise.race([once(sock, 'drain'), closed]);
        await new Promise(setImmediate);
      }
      if (!done && raw === '') sock.write(`${piece('"}')}0\r\n\r\n`);
    });
  });
}

describe('body size limit', () => {
  const big = (bytes) => JSON.stringify({ username: 'big_body', password: 'x'.repeat(bytes) });

  it('answers a 2 MiB body (default limit 1 MiB) with 413 payload_too_large', async () => {
    const raw = big(2 * 1024 * 1024);
    let res;
    try {
      res = await request(k, 'POST', '/api/v1/auth/register', { raw, headers: { 'Content-Length': String(raw.length) } });
    } catch (err) {
      assert.fail(`expected a 413 response, the request failed instead: ${err.cause?.code || ''} ${err.message}`);
    }
    assertError(res, 413, 'payload_too_large');
  });

  it('answers a 2 MiB chunked body (no Content-Length) with 413 payload_too_large', async () => {
    // fetch() gives up on the whole exchange when the server answers early and closes while the body is
    // still being uploaded (EPIPE), so this one speaks HTTP/1.1 over a socket and keeps what it read.
    const res = await sendChunked(k.url, '/api/v1/auth/register', 2 * 1024 * 1024);
    assert.equal(res.status, 413, `got ${JSON.stringify(res.raw.slice(0, 300))} (socket ended by: ${res.end})`);
    assert.equal(JSON.parse(res.body).error.code, 'payload_too_large');
  });

  it('answers normally after a 413 (the server is still healthy)', async () => {
    const raw = big(2 * 1024 * 1024);
    await request(k, 'POST', '/api/v1/auth/register', { raw }).catch(() => {});
    const res = await request(k, 'GET', '/healthz');
    assert.equal(res.status, 200);
  });
});

describe('body size limit from KINO_SERVER_MAX_BODY_BYTES', () => {
  let small;
  before(async () => { small = await startKino({ env: { KINO_SERVER_MAX_BODY_BYTES: '2048' } }); });
  after(async () => { await small?.stop(); });

  it('accepts a body under the configured limit', async () => {
    const body = { username: uniqueName('lim'), password: 'p'.repeat(100), display_name: 'd'.repeat(60) };
    const res = await post(small, '/api/v1/auth/register', body);
    assert.ok(JSON.stringify(body).length < 2048);
    assert.equal(res.status, 201, res.text);
  });

  it('answers a body over the configured limit with 413 payload_too_large', async () => {
    const raw = JSON.stringify({ username: uniqueName('lim'), password: 'p'.repeat(3000) });
    const res = await request(small, 'POST', '/api/v1/auth/register', { raw });
    assertError(res, 413, 'payload_too_large');
  });

  it('answers a Content-Length over the limit with 413 before the body arrives', async () => {
    // Only the headers are sent: a server that waits for the whole body would hang here.
    const u = new URL(small.url);
    const text = await new Promise((resolve, reject) => {
      const sock = net.createConnection({ host: u.hostname, port: Number(u.port) }, () => {
        sock.write(`POST /api/v1/auth/register HTTP/1.1\r\nHost: ${u.host}\r\nX-Kino-CSRF: 1\r\n` +
          'Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"a":');
      });
      let out = '';
      sock.setEncoding('utf8');
      sock.on('data', (d) => { out += d; if (out.includes('\r\n\r\n')) { sock.destroy(); resolve(out); } });
      sock.on('error', reject);
      sock.setTimeout(5000, () => { sock.destroy(); resolve(out); });
    });
    assert.match(text, /^HTTP\/1\.1 413 /, `got: ${JSON.stringify(text.slice(0, 200))}`);
  });
});

describe('raw HTTP robustness', () => {
  it('answers a request line with a garbage method without crashing', async () => {
    const res = await rawRequest(k.url, { method: 'BREW', path: '/api/v1/me' }).catch((e) => ({ error: e }));
    if (!res.error) assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    const health = await request(k, 'GET', '/healthz');
    assert.equal(health.status, 200);
  });
});
