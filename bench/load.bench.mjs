// make bench-load: Kino under many people in many rooms, measured by the C++ load generator
// (bench/load/, build/bin/kino_load). Starts one `kino serve` (the release build when it is there:
// KINO_BIN or build/release/bin/kino), creates the rooms, pins Kino to CPU 0 and the generator to
// CPU 1 (two cores or more), and prints the generator's JSON lines and a table for docs/benchmarks.md.
//
//   LOAD_SCENARIO=quick|seed|stress|idle node bench/load.bench.mjs
//
// quick: 10 rooms × 30, chat 1 then 10 per second per room, 15 s each (a check that it all works);
// seed: 100 × 30, 1 chat/s/room, a control every 10 s, 1 person leaving and coming back per minute
// per room, 10 min; stress: 100 × 30 at 10, 20, 40, 80 chat/s/room, 60 s each; idle: 100 × 200
// sockets doing nothing but pings, 30 s. LOAD_ROOMS, LOAD_GUESTS, LOAD_RATES (comma-separated),
// LOAD_PHASE_S override a scenario.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { repoRoot, startKino } from '../tests/lib/kino.mjs';
import { bulkRealtime, createRoom, registerUser, relaxedLimits } from '../tests/integration/http.mjs';

const scenarios = {
  quick: { rooms: 10, guests: 30, rates: [1, 10], phaseS: 15, controlEveryS: 10, churnPerMin: 1 },
  seed: { rooms: 100, guests: 30, rates: [1], phaseS: 600, controlEveryS: 10, churnPerMin: 1 },
  stress: { rooms: 100, guests: 30, rates: [10, 20, 40, 80], phaseS: 60, controlEveryS: 10, churnPerMin: 0 },
  idle: { rooms: 100, guests: 200, rates: [0], phaseS: 30, controlEveryS: 0, churnPerMin: 0 },
};
const name = process.env.LOAD_SCENARIO || 'quick';
const s = { ...scenarios[name] };
if (!scenarios[name]) throw new Error(`LOAD_SCENARIO: one of ${Object.keys(scenarios).join(', ')}`);
if (process.env.LOAD_ROOMS) s.rooms = Number(process.env.LOAD_ROOMS);
if (process.env.LOAD_GUESTS) s.guests = Number(process.env.LOAD_GUESTS);
if (process.env.LOAD_RATES) s.rates = process.env.LOAD_RATES.split(',').map(Number);
if (process.env.LOAD_PHASE_S) s.phaseS = Number(process.env.LOAD_PHASE_S);

const release = path.join(repoRoot, 'build', 'release', 'bin', 'kino');
if (!process.env.KINO_BIN && existsSync(release)) process.env.KINO_BIN = release;
const generator = path.join(repoRoot, 'build', 'bin', 'kino_load');
const build = process.env.KINO_BIN ? 'release' : 'dev (no build/release/bin/kino: `cmake --preset release && cmake --build --preset release --target kino`)';

const k = await startKino({
  env: {
    ...relaxedLimits, ...bulkRealtime,
    KINO_LOG_ACCESS_LOG: 'false',
    KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '100000',
    KINO_REALTIME_MAX_SOCKETS_PER_ADDRESS: '1000000',
    KINO_REALTIME_MAX_SOCKETS_PER_ROOM: '100000',
    KINO_REALTIME_CHAT_MAX_PER_10S: '1000000',
    KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '1000000',
    KINO_REALTIME_CONTROL_MAX_PER_10S: '1000000',
    KINO_REALTIME_ROOM_PLAYBACK_MAX_PER_MIN: '1000000',
    KINO_REALTIME_IDLE_TIMEOUT_S: '30',  // the most allowed; every socket pings about every 5 s
  },
});
try {
  const owner = await registerUser(k);
  const slugs = [];
  for (let i = 0; i < s.rooms; i += 1) slugs.push((await createRoom(k, owner.cookie, { title: `Load ${i}` })).room.slug);
  const twoCores = cpus().length >= 2;
  if (twoCores) spawnSync('taskset', ['-a', '-pc', '0', String(k.proc.pid)], { stdio: 'ignore' });
  const args = ['--url', k.url, '--slugs', slugs.join(','), '--guests', String(s.guests),
    '--chat-rates', s.rates.join(','), '--phase-s', String(s.phaseS), '--control-every-s', String(s.controlEveryS),
    '--churn-per-min', String(s.churnPerMin), '--kino-pid', String(k.proc.pid)];
  const command = twoCores ? ['taskset', ['-c', '1', generator, ...args]] : [generator, args];
  console.log(`# scenario ${name}: ${s.rooms} rooms × ${s.guests}, chat ${s.rates.join(' / ')} per s per room, ${s.phaseS} s each; Kino ${build}${twoCores ? ', Kino on CPU 0 and the generator on CPU 1' : ''}`);
  const lines = await new Promise((resolve, reject) => {
    const child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out = [];
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      for (let i; (i = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(i + 1)) {
        const line = buffer.slice(0, i);
        console.log(`load ${line}`);
        out.push(JSON.parse(line));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) console.log(`# kino_load exited ${code} (some people could not join or connect: see above)`);
      resolve(out);
    });
  });
  console.log('');
  for (const l of lines.filter((x) => x.phase === 'connect')) {
    console.log(`connect: ${l.sockets} sockets (${l.sockets_failed} failed) in ${l.join_s} s of joins + ${l.connect_s} s of sockets; Kino RSS ${Math.round(l.kino_rss_kib / 1024)} MiB`);
  }
  console.log('\n| chat/s/room | sockets | frames/s | p50 / p99 / max ms | lost / dup | Kino CPU µs/frame user + system | Kino RSS | generator CPU |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const l of lines.filter((x) => x.phase === 'chat')) {
    const sys = l.kino_total_us_per_frame - l.kino_user_us_per_frame;
    console.log(`| ${l.rate_per_room} | ${l.sockets} | ${l.frames_per_s} | ${l.p50_ms} / ${l.p99_ms} / ${l.max_ms} | ${l.lost} / ${l.duplicates} | ${l.kino_user_us_per_frame.toFixed(1)} + ${sys.toFixed(1)} | ${Math.round(l.kino_rss_kib / 1024)} MiB | ${((l.gen_cpu_user_s + l.gen_cpu_system_s) / l.seconds * 100).toFixed(0)} % |`);
  }
} finally {
  await k.stop();
}
