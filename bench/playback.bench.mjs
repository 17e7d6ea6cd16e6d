// Playback sync benchmark (make bench; not a test): how closely several browsers in one room stay
// together. A generated clip is ingested for a public room; BENCH_PAGES Chromium pages (default 5, one
// browser, one context each) watch it for BENCH_PLAY_S seconds (default 120) while a different page acts
// every BENCH_ACTION_EVERY_S seconds (play, seek, pause/play, speed). Every 250 ms (every 50 ms for 3 s
// after an action) each page's video.currentTime is read with its synchronised server clock
// (window.__kinoSync, enabled by localStorage 'kino.syncDebug'), and the positions are extrapolated to
// one common server instant. Reported: the spread between pages (p50/p95/max, steady state and all
// samples), the time each action takes to converge (spread < 40 ms and every page within 40 ms of the
// shared position, counted from the action's scheduled server instant) and to converge for good (from
// then on within those 40 ms for a whole second), and the corrections (seeks, steady-state rate
// nudges, trims while converging, paused alignments). As diagnostics: each page's clock error (its
// synchronised clock minus the machine's wall clock, which pages and server share here) and the spread
// on the wall clock, which also counts clock-sync errors. BENCH_DEBUG=1 prints every action's per-page
// errors and what each player did (window.__kinoSync.trace()); BENCH_DUMP=<prefix> writes the samples,
// actions and traces to <prefix>.<variant>.json.
//
// Variants: `loopback` (127.0.0.1); `netem` — the whole run inside a new network namespace
// (`unshare -n`, `ip link set lo up`, `tc qdisc add dev lo root netem delay 40ms 20ms`), never on
// the machine's real interfaces; skipped with a note when unshare/tc/netem are unavailable; `proxy` —
// the pages reach Kino through a userspace TCP proxy in this process that delays every chunk by
// 40 ± 20 ms each way (order kept), a stand-in when netem is missing. BENCH_VARIANTS picks
// (default: loopback,netem,proxy).
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startKino } from '../tests/lib/kino.mjs';

// playwright-core is a dependency of tests/ (tools/npm-ci tests).
const { chromium } = createRequire(new URL('../tests/package.json', import.meta.url))('playwright-core');

const PLAY_S = Number(process.env.BENCH_PLAY_S || 120);
const PAGES = Number(process.env.BENCH_PAGES || 5);
const EVERY_S = Number(process.env.BENCH_ACTION_EVERY_S || 20);
const VARIANTS = (process.env.BENCH_VARIANTS || 'loopback,netem,proxy').split(',').map((s) => s.trim()).filter(Boolean);
const CONVERGED_MS = 40;
const STAYS_MS = 1000;
const CLIP_S = Math.ceil(PLAY_S * 1.5 + 90);
const SELF = fileURLToPath(import.meta.url);
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];
const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s.at(-1) ?? NaN };
};
const f0 = (v) => (Number.isFinite(v) ? v.toFixed(0) : '–');

function makeClip(dir) {
  const clip = path.join(dir, 'clip.mp4');
  if (existsSync(clip)) return clip;
  log(`generating a ${CLIP_S} s clip …`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25', '-f', 'lavfi', '-i',
    'sine=frequency=440', '-t', String(CLIP_S), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '25',
    '-c:a', 'aac', '-shortest', clip], { stdio: 'inherit' });
  return clip;
}

function serveFile(file) {
  const size = statSync(file).size;
  return http.createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    res.writeHead(m ? 206 : 200, { 'Content-Type': 'video/mp4', 'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes',
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
    createReadStream(file, { start, end }).pipe(res);
  });
}

/** A TCP proxy that delays every chunk by delay ± jitter ms in each direction, keeping the order. */
function delayProxy(targetPort, delayMs, jitterMs) {
  const pipe = (from, to) => {
    const queue = []; // { at, chunk | null (end) }, in order
    let timer = null;
    let last = 0;
    const drain = () => {
      timer = null;
      while (queue.length > 0 && queue[0].at <= Date.now()) {
        const { chunk } = queue.shift();
        if (to.destroyed) return;
        if (chunk === null) to.end();
        else to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0].at - Date.now()));
    };
    const push = (chunk) => {
      last = Math.max(Date.now() + delayMs + (Math.random() * 2 - 1) * jitterMs, last);
      queue.push({ at: last, chunk });
      if (timer === null) timer = setTimeout(drain, Math.max(0, queue[0].at - Date.now()));
    };
    from.on('data', push);
    from.on('end', () => push(null));
    from.on('error', () => to.destroy());
    from.on('close', () => { if (queue.length === 0) to.destroy(); });
  };
  return net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    pipe(client, upstream);
    pipe(upstream, client);
  });
}

async function runVariant(name, clip) {
  log(`\n== ${name}: ${PAGES} pages, ${PLAY_S} s, an action every ${EVERY_S} s ==`);
  const files = serveFile(clip);
  await new Promise((r) => files.listen(0, '127.0.0.1', r));
  const kino = await startKino({ timeoutMs: 30_000, env: { KINO_INGEST_ENABLED: 'true', KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',
    KINO_ACCOUNTS_REGISTER_IP_MAX_PER_HOUR: '100' } });
  let proxy = null;
  let base = kino.url;
  if (name === 'proxy') {
    proxy = delayProxy(Number(new URL(kino.url).port), 40, 20);
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${proxy.address().port}`;
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const headers = { 'X-Kino-CSRF': '1' };
    const contexts = [];
    for (let i = 0; i < PAGES; i++) {
      const c = await browser.newContext({ viewport: { width: 960, height: 640 }, locale: 'en-US' });
      await c.addInitScript(() => localStorage.setItem('kino.syncDebug', '1'));
      contexts.push(c);
    }
    const reg = await contexts[0].request.post(`${base}/api/v1/auth/register`, { headers,
      data: { username: `bench${Date.now().toString(36)}`, password: 'bench-password-1', display_name: 'Host' } });
    if (reg.status() !== 201) throw new Error(`register: ${reg.status()} ${await reg.text()}`);
    const created = await (await contexts[0].request.post(`${base}/api/v1/rooms`, { headers,
      data: { title: `Bench ${name}`, video_url: `http://127.0.0.1:${files.address().port}/clip.mp4`, visibility: 'public' } })).json();
    const slug = created.room.slug;
    for (let i = 1; i < PAGES; i++) {
      const j = await contexts[i].request.post(`${base}/api/v1/rooms/${slug}/join`, { headers, data: { display_name: `Guest ${i}` } });
      if (j.status() !== 200) throw new Error(`join: ${j.status()}`);
    }
    for (const deadline = Date.now() + 120_000; ;) {
      const job = await (await contexts[0].request.get(`${base}/api/v1/rooms/${slug}/ingest`)).json();
      if (job.state === 'ready') break;
      if (job.state === 'failed' || Date.now() > deadline) throw new Error(`ingest: ${job.state} ${job.error ?? ''}`);
      await sleep(250);
    }
    const pages = [];
    for (const c of contexts) {
      const p = await c.newPage();
      p.setDefaultTimeout(60_000);
      await p.goto(`${base}/r/${slug}`);
      pages.push(p);
    }
    try {
      await Promise.all(pages.map((p) => p.waitForFunction(() => window.__kinoSync && window.__kinoSync.stats().clockSamples >= 8
        && document.querySelector('.player video')?.readyState >= 3, null, { timeout: 60_000 })));
    } catch (e) {
      for (const p of pages) {
        log(`  page not ready: ${JSON.stringify(await p.evaluate(() => ({ sync: window.__kinoSync?.stats() ?? null,
          readyState: document.querySelector('.player video')?.readyState ?? null, url: location.href, text: document.body?.innerText.slice(0, 300) })))}`);
      }
      throw e;
    }
    const controls = (p) => p.getByRole('group', { name: 'Player controls' });

    const samples = [];
    const sample = async () => {
      const s = await Promise.all(pages.map((p) => p.evaluate(() => window.__kinoSync.sample())));
      const at = Math.max(...s.map((x) => x.serverNow));
      const moving = (x) => !x.paused && !x.seeking;
      const pos = s.map((x) => (moving(x) ? x.currentTime + ((at - x.serverNow) / 1000) * x.rate : x.currentTime));
      const exp = s.map((x) => (x.expected === null ? NaN : x.expected + (x.state?.status === 'playing' ? ((at - x.serverNow) / 1000) * x.state.rate : 0)));
      const spreadMs = (Math.max(...pos) - Math.min(...pos)) * 1000;
      const errMs = Math.max(...pos.map((p, i) => Math.abs(p - exp[i]))) * 1000;
      const stateAt = s.map((x) => x.state?.at_server_ms ?? 0);
      // The same on the machine's one wall clock (pages and server share it): clock-sync errors show here.
      const atTrue = Math.max(...s.map((x) => x.dateNow));
      const posTrue = s.map((x) => (moving(x) ? x.currentTime + ((atTrue - x.dateNow) / 1000) * x.rate : x.currentTime));
      const trueSpreadMs = (Math.max(...posTrue) - Math.min(...posTrue)) * 1000;
      const clockErrs = s.map((x) => x.serverNow - x.dateNow);
      samples.push({ at, spreadMs, errMs, stateAt, errs: pos.map((p, i) => (p - exp[i]) * 1000), trueSpreadMs, clockErrs });
    };

    // The actions, from a different page each time.
    const plan = [
      { what: 'play', run: (p) => controls(p).getByRole('button', { name: 'Play', exact: true }).click() },
      { what: 'seek +30 s', run: async (p) => controls(p).getByRole('slider', { name: 'Position' }).fill(String(await position(p) + 30)) },
      { what: 'pause', run: (p) => controls(p).getByRole('button', { name: 'Pause', exact: true }).click() },
      { what: 'play', run: (p) => controls(p).getByRole('button', { name: 'Play', exact: true }).click() },
      { what: 'speed 1.25×', run: (p) => controls(p).getByRole('combobox', { name: 'Speed' }).selectOption('1.25') },
      { what: 'seek −20 s', run: async (p) => controls(p).getByRole('slider', { name: 'Position' }).fill(String(Math.max(0, await position(p) - 20))) },
      { what: 'speed 1×', run: (p) => controls(p).getByRole('combobox', { name: 'Speed' }).selectOption('1') },
      { what: 'pause', run: (p) => controls(p).getByRole('button', { name: 'Pause', exact: true }).click() },
    ];
    const position = (p) => p.evaluate(() => window.__kinoSync.position());
    const actions = [];
    const t0 = Date.now();
    const end = t0 + PLAY_S * 1000;
    let next = t0 + 1000;
    let fastUntil = 0;
    let k = 0;
    while (Date.now() < end) {
      if (Date.now() >= next) {
        const step = plan[k % plan.length];
        const page = pages[k % PAGES];
        const before = (await page.evaluate(() => window.__kinoSync.sample().state))?.at_server_ms ?? 0;
        const sentAt = await page.evaluate(() => window.__kinoSync.serverNow());
        await step.run(page);
        // The state it caused: its server instant.
        await page.waitForFunction((b) => (window.__kinoSync.sample().state?.at_server_ms ?? 0) > b, before, { timeout: 10_000 });
        const effect = (await page.evaluate(() => window.__kinoSync.sample().state)).at_server_ms;
        actions.push({ what: step.what, page: k % PAGES, sentAt, effect });
        k += 1;
        next += EVERY_S * 1000;
        fastUntil = Date.now() + 3000;
      }
      await sample();
      await sleep(Date.now() < fastUntil ? 50 : 250);
    }
    const stats = await Promise.all(pages.map((p) => p.evaluate(() => window.__kinoSync.stats())));
    const traces = await Promise.all(pages.map((p) => p.evaluate(() => window.__kinoSync.trace?.() ?? [])));

    // Convergence: from the action's server instant to the first sample where everyone agrees.
    for (const a of actions) {
      const after = samples.filter((s) => s.at >= a.effect && s.stateAt.every((t) => t >= a.effect));
      const within = (s) => s.spreadMs < CONVERGED_MS && s.errMs < CONVERGED_MS;
      const ok = after.find(within);
      // Stricter: together from then on for STAYS_MS (a play is "converged" at its instant, while
      // everyone still stands on the same frame, and may drift apart as the players start).
      const stays = after.find((s, i) => after.slice(i).filter((x) => x.at <= s.at + STAYS_MS).every(within));
      a.leadMs = a.effect - a.sentAt;
      a.convergeMs = ok ? Math.max(0, ok.at - a.effect) : NaN;
      a.stableMs = stays ? Math.max(0, stays.at - a.effect) : NaN;
      a.convergedBy = ok ? ok.at : Infinity;
    }
    if (process.env.BENCH_DEBUG) {
      for (const a of actions) {
        log(`  -- ${a.what} (page ${a.page}), scheduled ${f0(a.effect - a.sentAt)} ms ahead; per-page error (ms) from the shared position:`);
        for (const s of samples.filter((x) => x.at >= a.effect - 100 && x.at <= a.effect + 2500)) log(`     ${f0(s.at - a.effect)} ms: ${s.errs.map(f0).join(' ')}`);
        traces.forEach((t, i) => {
          const ev = t.filter((e) => e.at >= a.sentAt - 50 && e.at <= a.effect + 3000);
          if (ev.length > 0) log(`     page ${i}: ${ev.map((e) => `${f0(e.at - a.effect)}:${e.what}${e.driftMs !== undefined ? `(${e.driftMs})` : ''}${e.detail ? `[${e.detail}]` : ''}`).join(' ')}`);
        });
      }
    }
    if (process.env.BENCH_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${process.env.BENCH_DUMP}.${name}.json`, JSON.stringify({ samples, actions, traces, stats }));
    }
    // Steady state: samples outside [sent, converged] of every action.
    const steady = samples.filter((s) => !actions.some((a) => s.at >= a.sentAt && s.at <= a.convergedBy) && s.at > (actions[0]?.convergedBy ?? 0));
    const result = {
      name,
      pages: PAGES,
      playS: PLAY_S,
      samples: samples.length,
      steady: summary(steady.map((s) => s.spreadMs)),
      all: summary(samples.map((s) => s.spreadMs)),
      converge: summary(actions.map((a) => a.convergeMs).filter(Number.isFinite)),
      convergeStable: summary(actions.map((a) => a.stableMs).filter(Number.isFinite)),
      unconverged: actions.filter((a) => !Number.isFinite(a.convergeMs)).length,
      actions: actions.map(({ what, page, leadMs, convergeMs, stableMs }) => ({ what, page, leadMs, convergeMs, stableMs })),
      seeks: stats.reduce((n, s) => n + s.seeks, 0),
      aligns: stats.reduce((n, s) => n + s.aligns, 0),
      trims: stats.reduce((n, s) => n + s.trims, 0),
      nudges: stats.reduce((n, s) => n + s.nudges, 0),
      rttMs: summary(stats.map((s) => s.rttMs)),
      leads: stats.map((s) => `${f0(s.playLeadMs)}/${f0(s.resumeLeadMs)}/${f0(s.seekLeadMs)}/${f0(s.stretchMs)}`).join(' '),
    };
    result.steadyTrue = summary(steady.map((s) => s.trueSpreadMs));
    const clockErr = pages.map((_, i) => summary(samples.map((s) => s.clockErrs[i])));
    log(`  clock: each page's server clock − the machine's wall clock, p50 [min..max] (ms): ${clockErr.map((c, i) => `${c.p50.toFixed(1)} [${Math.min(...samples.map((s) => s.clockErrs[i])).toFixed(1)}..${c.max.toFixed(1)}]`).join(' ')}`);
    log(`  spread on the wall clock, steady p50/p95/max ${f0(result.steadyTrue.p50)}/${f0(result.steadyTrue.p95)}/${f0(result.steadyTrue.max)} ms`);
    const bias = pages.map((_, i) => summary(steady.map((s) => s.errs[i])));
    result.biasMs = bias.map((b) => Math.round(b.p50));
    log(`  per-page offset from the shared position, steady p50 (ms): ${result.biasMs.join(' ')}; p95 |offset| (ms): ${pages.map((_, i) => f0(summary(steady.map((s) => Math.abs(s.errs[i]))).p95)).join(' ')}`);
    for (const a of result.actions) log(`  ${a.what.padEnd(12)} page ${a.page}: scheduled ${f0(a.leadMs)} ms ahead, converged ${f0(a.convergeMs)} ms after, for good (${STAYS_MS} ms) ${f0(a.stableMs)} ms after`);
    log(`  spread steady p50/p95/max ${f0(result.steady.p50)}/${f0(result.steady.p95)}/${f0(result.steady.max)} ms (${result.steady.n} samples); `
      + `all ${f0(result.all.p50)}/${f0(result.all.p95)}/${f0(result.all.max)} ms (${result.all.n})`);
    log(`  converge p50/p95/max ${f0(result.converge.p50)}/${f0(result.converge.p95)}/${f0(result.converge.max)} ms, not converged: ${result.unconverged}; `
      + `staying converged ${STAYS_MS} ms: p50/max ${f0(result.convergeStable.p50)}/${f0(result.convergeStable.max)} ms`);
    log(`  corrections: ${result.seeks} seeks, ${result.nudges} rate nudges, ${result.trims} trims while converging, ${result.aligns} paused alignments (all pages); best RTT p50 ${result.rttMs.p50?.toFixed?.(1)} ms; learned play/resume/seek leads and stretch cost (ms): ${result.leads}`);
    return result;
  } finally {
    await browser.close();
    await kino.stop();
    proxy?.close();
    files.close();
  }
}

const row = (r) => `| ${r.name} | ${r.pages} | ${r.playS} s | ${f0(r.steady.p50)} / ${f0(r.steady.p95)} / ${f0(r.steady.max)} | `
  + `${f0(r.all.p50)} / ${f0(r.all.p95)} / ${f0(r.all.max)} | ${f0(r.converge.p50)} / ${f0(r.converge.max)}${r.unconverged ? ` (${r.unconverged} never)` : ''} | `
  + `${f0(r.convergeStable.p50)} / ${f0(r.convergeStable.max)} | `
  + `${r.seeks} / ${r.nudges} / ${r.trims} / ${r.aligns} | ${r.rttMs.p50?.toFixed?.(1)} |`;

if (process.env.KINO_BENCH_NETNS === '1') {
  // Inside `unshare -n`: a private loopback with delay and jitter, then the netem run.
  try {
    execFileSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    execFileSync('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '40ms', '20ms'], { stdio: 'pipe' });
  } catch (e) {
    console.log(`NETEM-UNAVAILABLE ${String(e.stderr || e.message).trim()}`);
    process.exit(3);
  }
  const r = await runVariant('netem', process.env.KINO_BENCH_CLIP);
  console.log(`NETEM-RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}

const dir = mkdtempSync(path.join(tmpdir(), 'kino-pbench-'));
const results = [];
const notes = [];
try {
  const clip = makeClip(dir);
  for (const v of VARIANTS) {
    if (v === 'loopback' || v === 'proxy') {
      results.push(await runVariant(v, clip));
    } else if (v === 'netem') {
      const child = spawnSync('unshare', ['-n', process.execPath, SELF], {
        env: { ...process.env, KINO_BENCH_NETNS: '1', KINO_BENCH_CLIP: clip }, encoding: 'utf8', maxBuffer: 64 << 20,
      });
      const out = `${child.stdout || ''}${child.stderr || ''}`;
      const res = /NETEM-RESULT (.+)/.exec(out);
      if (res) {
        process.stdout.write(out.replace(/NETEM-RESULT .+\n?/, ''));
        results.push(JSON.parse(res[1]));
      } else {
        const why = /NETEM-UNAVAILABLE (.+)/.exec(out)?.[1] || child.error?.message || out.trim().split('\n').slice(-3).join(' ') || `exit ${child.status}`;
        const note = `netem variant skipped: ${why} (unshare -n + tc netem on the namespace's own lo; nothing is changed outside it)`;
        notes.push(note);
        log(`\n== netem ==\n  NOTE: ${note}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

log('\n| variant | pages | played | steady spread p50 / p95 / max (ms) | all samples p50 / p95 / max (ms) | converge p50 / max (ms) | converge for good p50 / max (ms) | seeks / nudges / trims / aligns | best RTT (ms) |');
log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) log(row(r));
for (const n of notes) log(`\n${n}`);
