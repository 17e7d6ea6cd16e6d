// Video chat benchmark (make bench; not a test): five people in one room, each sending a fake camera and
// microphone through Kino's embedded Janus (VideoRoom) to the other four. Runs inside a private network
// namespace (tools/netns-run; this script starts itself again there), so media goes over the namespace's
// kino0 (10.77.0.1) and never leaves it.
//
// Measured, per run (BENCH_RUNS runs, default 2, each with a fresh Kino and browser):
// - join to first remote frame: the pages turn their camera on one after another (each once the previous
//   one reached everyone); for every (sender, viewer) pair, the time from just before the sender's click
//   on "Camera" until the viewer's first decoded frame of it (framesDecoded > 0 in
//   window.__kinoCall.inboundStats(), polled in the page every BENCH_SAMPLE_MS, default 20 ms). The same
//   for "Microphone" and the first received audio. p50 / p95 / max over all pairs of all runs.
// - with all five sending audio and video: CPU of Janus, Kino and Chromium (all its processes) over a
//   steady window of BENCH_STEADY_S seconds (default 30), from utime+stime in /proc/<pid>/stat, as % of
//   one core; Janus RSS; decoded fps per video subscription; streams forwarded (inbound audio and video
//   streams whose bytes grew during the window: 5 publishers × 4 subscribers × 2 = 40).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startKino } from '../tests/lib/kino.mjs';
import {
  CALL_CHROMIUM_ARGS, MEDIA_ENV, callGrid, callRoom, inNetns, mediaUnavailableReason, processTable, runInNetns, selfId,
  setToggle, subtree, waitForJanus,
} from '../tests/lib/video_call.mjs';

// playwright-core is a dependency of tests/ (tools/npm-ci tests).
const { chromium } = createRequire(new URL('../tests/package.json', import.meta.url))('playwright-core');

const SELF = fileURLToPath(import.meta.url);
const PAGES = Number(process.env.BENCH_PAGES || 5);
const RUNS = Number(process.env.BENCH_RUNS || 2);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS || 20);
const STEADY_S = Number(process.env.BENCH_STEADY_S || 30);
const SETTLE_S = 5;
const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!inNetns) {
  const why = mediaUnavailableReason();
  if (why) {
    log(`video benchmark skipped: ${why}`);
    process.exit(0);
  }
  const { code } = await runInNetns(SELF, { test: false });
  process.exit(code === 0 ? 0 : 1);
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s.at(-1) ?? NaN, min: s[0] ?? NaN };
};
const f0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '–');
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');

/** In the page: polls inboundStats every `ms` and keeps, per participant and kind, when data first arrived. */
function startFirstArrivals(ms) {
  const first = { video: {}, audio: {} };
  let busy = false;
  window.__benchFirst = first;
  window.__benchTimer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const list = await window.__kinoCall.inboundStats();
      const now = Date.now();
      for (const s of list) {
        const got = s.kind === 'video' ? s.framesDecoded > 0 : (s.totalSamplesReceived ?? s.bytesReceived) > 0;
        if (got && first[s.kind][s.participant_id] === undefined) first[s.kind][s.participant_id] = now;
      }
    } finally {
      busy = false;
    }
  }, ms);
}

/** Waits until every viewer has a first arrival of `kind` from `id`; returns their times. */
async function arrivals(viewers, kind, id, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const got = await Promise.all(viewers.map((v) => v.page.evaluate(([k, p]) => window.__benchFirst[k][p] ?? null, [kind, id])));
    if (got.every((t) => t !== null)) return got;
    if (Date.now() > until) throw new Error(`${kind} from ${id} never reached ${viewers.filter((_, i) => got[i] === null).map((v) => v.name).join(', ')}`);
    await sleep(100);
  }
}

/** Every viewer's inbound stats, flattened to `viewer|participant|kind` → stat. */
async function allInbound(people) {
  const out = new Map();
  await Promise.all(people.map(async (p, i) => {
    for (const s of await p.page.evaluate(() => window.__kinoCall.inboundStats())) out.set(`${i}|${s.participant_id}|${s.kind}`, s);
  }));
  return out;
}

/** All CPUs' ticks from /proc/stat (first line): busy, total, interrupts (irq + softirq: packets on the veth) and steal. */
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((n, x) => n + (x || 0), 0);
  return { busy: total - f[3] - (f[4] || 0), total, irq: (f[5] || 0) + (f[6] || 0), steal: f[7] || 0 };
}

function cpuTicks(table, kinoPid) {
  const kinoTree = subtree(table, kinoPid);
  const janus = [...kinoTree].filter((p) => p !== kinoPid && table.get(p)?.comm.startsWith('janus'));
  const browser = [...subtree(table, process.pid)].filter((p) => p !== process.pid && !kinoTree.has(p));
  const sum = (pids) => pids.reduce((n, p) => n + (table.get(p)?.ticks ?? 0), 0);
  return { kino: sum([kinoPid]), janus: sum(janus), chromium: sum(browser), node: sum([process.pid]), janusPids: janus, chromiumProcs: browser.length };
}

async function run(r) {
  log(`\n== run ${r + 1}/${RUNS}: ${PAGES} pages (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}) ==`);
  const kino = await startKino({ timeoutMs: 30_000, env: MEDIA_ENV });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CALL_CHROMIUM_ARGS });
  try {
    await waitForJanus(kino.url);
    const room = await callRoom(browser, kino.url, PAGES, { title: 'Video bench', prefix: 'vbench' });
    const people = room.people;
    for (const p of people) {
      p.page = await p.context.newPage();
      p.page.setDefaultTimeout(60_000);
      await p.page.goto(room.url);
      await callGrid(p.page).waitFor();
      p.id = await selfId(p.page, 60_000);
      await p.page.waitForFunction(() => window.__kinoCall?.state().joined === true, null, { timeout: 60_000 });
      await p.page.evaluate(startFirstArrivals, SAMPLE_MS);
    }
    const video = [];
    const audio = [];
    for (const p of people) {
      const others = people.filter((q) => q !== p);
      let t0 = Date.now();
      await setToggle(p.page, 'Camera', true);
      for (const t of await arrivals(others, 'video', p.id)) video.push(t - t0);
      t0 = Date.now();
      await setToggle(p.page, 'Microphone', true);
      for (const t of await arrivals(others, 'audio', p.id)) audio.push(t - t0);
      log(`  ${p.name}: camera → first frame at the others ${video.slice(-others.length).map(f0).join(', ')} ms; `
        + `microphone → first audio ${audio.slice(-others.length).map(f0).join(', ')} ms`);
    }
    await Promise.all(people.map((p) => p.page.evaluate(() => clearInterval(window.__benchTimer))));

    // Steady state: everyone sends audio and video.
    await sleep(SETTLE_S * 1000);
    const s0 = await allInbound(people);
    const p0 = await processTable();
    const m0 = machineTicks();
    const t0 = Date.now();
    await sleep(STEADY_S * 1000);
    const m1 = machineTicks();
    const p1 = await processTable();
    const secs = (Date.now() - t0) / 1000;
    const s1 = await allInbound(people);
    const c0 = cpuTicks(p0, kino.proc.pid);
    const c1 = cpuTicks(p1, kino.proc.pid);
    const pct = (k) => ((c1[k] - c0[k]) / CLK_TCK / secs) * 100;
    // The whole machine (all cores, as % of one core), and what ran besides this benchmark.
    const share = (k) => ((m1[k] - m0[k]) / (m1.total - m0.total)) * cpus().length * 100;
    const machine = share('busy');
    const outside = machine - pct('janus') - pct('kino') - pct('chromium') - pct('node') - share('irq') - share('steal');
    // The busiest processes that are not this benchmark's (other work on the machine skews the numbers).
    const ours = new Set([...subtree(p1, process.pid)]);
    const others = [...p1].filter(([pid]) => !ours.has(pid))
      .map(([pid, v]) => ({ pid, comm: v.comm, pct: ((v.ticks - (p0.get(pid)?.ticks ?? 0)) / CLK_TCK / secs) * 100 }))
      .filter((x) => x.pct >= 1).sort((x, y) => y.pct - x.pct).slice(0, 5);
    let forwarded = 0;
    const fps = [];
    let bytes = 0;
    for (const [key, b] of s1) {
      const a = s0.get(key);
      if (!a || !(b.bytesReceived > a.bytesReceived)) continue;
      forwarded += 1;
      bytes += b.bytesReceived - a.bytesReceived;
      if (b.kind === 'video') fps.push((b.framesDecoded - a.framesDecoded) / secs);
    }
    const rss = c1.janusPids.length ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${c1.janusPids[0]}/status`, 'utf8'))?.[1] ?? NaN) / 1024 : NaN;
    const result = {
      run: r + 1, video, audio,
      cpu: { janus: pct('janus'), kino: pct('kino'), chromium: pct('chromium'), node: pct('node'), machine, irq: share('irq'), steal: share('steal'), outside },
      chromiumProcs: c1.chromiumProcs, janusRssMb: rss, forwarded, fps: summary(fps), mbps: (bytes * 8) / secs / 1e6, windowS: secs,
    };
    log(`  steady ${secs.toFixed(1)} s: CPU janus ${f1(result.cpu.janus)} %, kino ${f1(result.cpu.kino)} %, chromium ${f1(result.cpu.chromium)} % `
      + `(${result.chromiumProcs} processes) of one core; machine ${f0(machine)} % of ${cpus().length * 100} % `
      + `(this script ${f0(pct('node'))} %, irq+softirq ${f0(share('irq'))} %, steal ${f0(share('steal'))} %, other processes ${f0(outside)} %); janus RSS ${f1(rss)} MB; ${forwarded} streams received `
      + `(${f1(result.mbps)} Mbit/s in total); video fps per subscription min ${f1(result.fps.min)} / median ${f1(result.fps.p50)}`);
    if (others.length) log(`  busiest other processes: ${others.map((x) => `${x.comm} (${x.pid}) ${f0(x.pct)} %`).join(', ')}`);
    return result;
  } finally {
    await browser.close();
    await kino.stop();
  }
}

const results = [];
for (let r = 0; r < RUNS; r++) results.push(await run(r));

const v = summary(results.flatMap((x) => x.video));
const a = summary(results.flatMap((x) => x.audio));
const mean = (f) => results.reduce((n, x) => n + f(x), 0) / results.length;
const janus = mean((x) => x.cpu.janus);
const forwarded = mean((x) => x.forwarded);
log(`\n${PAGES} pages, ${RUNS} run(s), stats sampled every ${SAMPLE_MS} ms in the page`);
log('\n| measure | n | p50 | p95 | max |');
log('|---|---|---|---|---|');
log(`| camera on → first remote frame (ms) | ${v.n} | ${f0(v.p50)} | ${f0(v.p95)} | ${f0(v.max)} |`);
log(`| microphone on → first remote audio (ms) | ${a.n} | ${f0(a.p50)} | ${f0(a.p95)} | ${f0(a.max)} |`);
log(`\n| run | window | Janus CPU | Kino CPU | Chromium CPU | irq+softirq / other processes | Janus RSS | streams forwarded | video fps per subscription min / median | total Mbit/s |`);
log('|---|---|---|---|---|---|---|---|---|---|');
for (const x of results) {
  log(`| ${x.run} | ${f0(x.windowS)} s | ${f1(x.cpu.janus)} % | ${f1(x.cpu.kino)} % | ${f1(x.cpu.chromium)} % | ${f0(x.cpu.irq)} % / ${f0(x.cpu.outside)} % | ${f1(x.janusRssMb)} MB | ${x.forwarded} | `
    + `${f1(x.fps.min)} / ${f1(x.fps.p50)} | ${f1(x.mbps)} |`);
}
const mbps = mean((x) => x.mbps);
log(`\nJanus: ${f0(forwarded)} streams (${f1(mbps)} Mbit/s) forwarded at ${f1(janus)} % of one core ≈ ${f0(forwarded / (janus / 100))} `
  + `forwarded streams (${f0(mbps / (janus / 100))} Mbit/s) per core, at this bitrate mix (Chromium saturates the same 2 cores).`);
