// Process lifecycle: graceful shutdown on SIGTERM (in-flight requests complete, exit code 0) and sessions
// that survive a restart on the same data dir.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { get, post, rawRequest, registerUser, uniqueName, cookieFrom, sleep, relaxedLimits } from './http.mjs';

const withTimeout = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms)),
]);

describe('graceful shutdown', () => {
  it('exits with code 0 on SIGTERM when idle', async () => {
    const k = await startKino();
    assert.equal((await get(k, '/healthz')).status, 200);
    const code = await withTimeout(k.stop('SIGTERM'), 10_000, 'shutdown');
    assert.equal(code, 0, k.logs().slice(-2000));
  });

  it('exits with code 0 on SIGINT', async () => {
    const k = await startKino();
    assert.equal((await get(k, '/healthz')).status, 200);
    const code = await withTimeout(k.stop('SIGINT'), 10_000, 'shutdown');
    assert.equal(code, 0, k.logs().slice(-2000));
  });

  it('exits with code 0 on a SIGTERM sent right after the listening line', async () => {
    // "listening" is the readiness signal (tests/lib/kino.mjs waits for it), so the signal handlers must
    // already be in place when it is logged; otherwise the default action kills the process.
    for (let i = 0; i < 40; i += 1) {
      const k = await startKino();
      const code = await withTimeout(k.stop('SIGTERM'), 10_000, 'shutdown');
      assert.equal(code, 0, `attempt ${i + 1}: exit code ${code}, signal ${k.proc.signalCode}`);
    }
  });

  it('completes requests in flight when SIGTERM arrives, then exits with code 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kino-drain-'));
    try {
      const k = await startKino({ args: ['--data', dir], env: relaxedLimits });
      // Several registrations (argon2 hashing takes tens of ms each), each on its own keep-alive connection
      // that the server has already accepted (warmed up with a GET), so none of them can be caught in the
      // listen backlog. SIGTERM goes out as soon as all of them have been written, i.e. while being handled.
      const N = 4;
      const agent = new http.Agent({ keepAlive: true, maxSockets: N });
      const warm = await Promise.all(Array.from({ length: N }, () => rawRequest(k.url, { path: '/healthz', agent })));
      assert.ok(warm.every((r) => r.status === 200));
      await sleep(10); // the agent parks the sockets as free
      const names = Array.from({ length: N }, () => uniqueName('drain'));
      let written = 0;
      let allWritten;
      const writtenAll = new Promise((r) => { allWritten = r; });
      const responses = names.map((username) => rawRequest(k.url, {
        method: 'POST',
        path: '/api/v1/auth/register',
        agent,
        headers: { 'Content-Type': 'application/json', 'X-Kino-CSRF': '1' },
        body: JSON.stringify({ username, password: 'a good password' }),
        onWritten: () => { written += 1; if (written === N) allWritten(); },
      }).catch((err) => ({ error: err })));
      await writtenAll;
      await sleep(5); // let the server read them off the sockets; hashing has not finished by now
      const exit = k.stop('SIGTERM');
      const results = await withTimeout(Promise.all(responses), 15_000, 'in-flight requests');
      for (const [i, r] of results.entries()) {
        assert.ok(!r.error, `request ${i} failed during shutdown: ${r.error?.code || ''} ${r.error?.message}`);
        assert.equal(r.status, 201, `request ${i}: ${r.status} ${r.text}`);
      }
      const code = await withTimeout(exit, 15_000, 'shutdown');
      agent.destroy();
      assert.equal(code, 0, k.logs().slice(-2000));

      // The drained registrations were committed: they can log in after a restart.
      const k2 = await startKino({ args: ['--data', dir], env: relaxedLimits });
      try {
        for (const username of names) {
          const res = await post(k2, '/api/v1/auth/login', { username, password: 'a good password' });
          assert.equal(res.status, 200, `${username}: ${res.text}`);
        }
      } finally {
        await k2.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('restart on the same data dir', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kino-restart-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps users and sessions, and keeps revoked sessions revoked', async () => {
    const k1 = await startKino({ args: ['--data', dir], env: relaxedLimits });
    let reg;
    let revoked;
    try {
      reg = await registerUser(k1, { display_name: 'Persistent Pat' });
      const second = await post(k1, '/api/v1/auth/login', { username: reg.username, password: reg.password });
      assert.equal(second.status, 200, second.text);
      revoked = cookieFrom(second);
      const out = await post(k1, '/api/v1/auth/logout', undefined, { cookie: revoked });
      assert.equal(out.status, 204, out.text);
    } finally {
      assert.equal(await k1.stop(), 0, k1.logs().slice(-2000));
    }

    const k2 = await startKino({ args: ['--data', dir], env: relaxedLimits });
    try {
      const me = await get(k2, '/api/v1/me', { cookie: reg.cookie });
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(me.json.user, reg.user);
      const gone = await get(k2, '/api/v1/me', { cookie: revoked });
      assert.equal(gone.status, 401, gone.text);
      const login = await post(k2, '/api/v1/auth/login', { username: reg.username, password: reg.password });
      assert.equal(login.status, 200, login.text);
      const dup = await post(k2, '/api/v1/auth/register', { username: reg.username, password: 'a good password' });
      assert.equal(dup.status, 409, dup.text);
    } finally {
      await k2.stop();
    }
  });
});
