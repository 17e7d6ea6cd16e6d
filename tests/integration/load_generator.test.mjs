// The load generator (bench/load/, `make bench-load`) against a real Kino, at a size that takes
// seconds: its guests join over REST, open their sockets, chat and ping, and its accounting says
// every message reached every socket once. Keeps the benchmark tool from rotting between runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, startKino } from '../lib/kino.mjs';
import { createRoom, registerUser, relaxedLimits } from './http.mjs';

const generator = path.join(repoRoot, 'build', 'bin', 'kino_load');

describe('load generator', () => {
  let k;
  before(async () => {
    k = await startKino({ env: { ...relaxedLimits, KINO_REALTIME_MAX_SOCKETS_PER_ADDRESS: '1000' } });
  });
  after(async () => { await k?.stop(); });

  it('joins, connects and chats in two rooms; every message reaches every socket once, and Kino\'s CPU is read', async () => {
    const owner = await registerUser(k);
    const slugs = [];
    for (const title of ['Load A', 'Load B']) slugs.push((await createRoom(k, owner.cookie, { title })).room.slug);
    const run = spawnSync(generator, ['--url', k.url, '--slugs', slugs.join(','), '--guests', '6', '--chat-rates', '3',
      '--phase-s', '3', '--settle-s', '1', '--control-every-s', '1', '--churn-per-min', '0', '--kino-pid', String(k.proc.pid)],
    { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const [connect, chat] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(connect.phase, 'connect');
    assert.equal(connect.sockets, 12);
    assert.equal(connect.sockets_failed, 0);
    assert.equal(chat.phase, 'chat');
    assert.ok(chat.sent >= 12, `two rooms at 3/s for 3 s sent ${chat.sent}`);
    assert.ok(chat.expected >= chat.sent * 5, `each message was expected at the room's sockets (${chat.expected})`);
    assert.equal(chat.delivered, chat.expected, 'every message reached every socket');
    assert.equal(chat.lost, 0);
    assert.equal(chat.duplicates, 0);
    assert.equal(chat.errors, 0, 'nothing was refused');
    assert.ok(chat.controls > 0, 'playback controls were sent');
    assert.ok(chat.p99_ms > 0 && chat.p99_ms < 5000, `latency was measured (${chat.p99_ms} ms)`);
    assert.ok(chat.kino_cpu_user_s + chat.kino_cpu_system_s > 0, 'Kino\'s CPU was read');
  });

  it('refuses to start without a URL and rooms, saying how to call it', () => {
    const run = spawnSync(generator, [], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /usage: kino_load --url/);
  });
});
