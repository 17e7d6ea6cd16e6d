// Kino manages its Janus: an embedded child process with a generated loopback config, restarted when
// it dies, reported by /readyz, and gone when Kino stops. Control plane on 127.0.0.1 only.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';

const haveJanus = existsSync('/usr/bin/janus');

async function readyz(k) {
  const res = await fetch(`${k.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

async function waitFor(k, predicate, ms) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    last = await readyz(k);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`readyz never matched: ${JSON.stringify(last)}`);
}

function janusPids(dataDir) {
  try {
    return execFileSync('pgrep', ['-f', path.join(dataDir, 'janus')], { encoding: 'utf8' })
      .trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('embedded Janus', { skip: !haveJanus && 'janus is not installed' }, () => {
  const servers = [];
  after(async () => { for (const k of servers) await k.stop(); });

  it('starts, is reported ready, is restarted after a crash, and stops with Kino', async () => {
    const k = await startKino({ env: { KINO_MEDIA_MODE: 'embedded' } });
    servers.push(k);
    const ready = await waitFor(k, (r) => r.body.checks.janus === 'ok', 20_000);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    const pids = janusPids(k.dataDir);
    assert.equal(pids.length, 1, `one janus child: ${pids}`);
    process.kill(pids[0], 'SIGKILL');
    const again = await waitFor(k, (r) => r.body.checks.janus === 'ok' && janusPids(k.dataDir)[0] !== pids[0], 30_000);
    assert.equal(again.body.status, 'ready');
    const dataDir = k.dataDir;
    servers.pop();
    assert.equal(await k.stop(), 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(janusPids(dataDir), [], 'no janus left behind');
  });

  it('without Janus the node is degraded but still serves', async () => {
    const k = await startKino({ env: { KINO_MEDIA_MODE: 'embedded', KINO_MEDIA_JANUS_BINARY: '/nonexistent/janus' } });
    servers.push(k);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await readyz(k);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'degraded');
    assert.equal(r.body.checks.janus, 'unavailable');
    assert.equal((await fetch(`${k.url}/healthz`)).status, 200);
  });

  it('is reported as off when disabled', async () => {
    const k = await startKino();
    servers.push(k);
    const r = await readyz(k);
    assert.equal(r.body.checks.janus, 'off');
    assert.equal(r.body.status, 'ready');
  });
});
