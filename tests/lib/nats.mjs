// A private NATS cluster for Node tests, the twin of tests/lib/nats_cluster.hpp: `nodes`
// nats-server processes (Debian's nats-server) with JetStream, named n1..nN, on 127.0.0.1 at free
// ports (client, cluster routes, monitoring), each with its own store directory inside one new
// temporary directory. Ready once every server's /healthz says ok. A watchdog kills the servers
// and removes the directory if the Node process dies without doing so; stop() also runs when the
// process exits.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.mjs';

export { freePort };


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the servers and waits until all are ready (throws with their logs after 30 s).
 * shared: the servers do not keep the Node process alive (one cluster for a whole test file; they
 * stop when it exits).
 * @returns {Promise<{urls: string[], kill: (i: number) => Promise<void>,
 *   ensureAllRunning: () => Promise<void>, monitor: (i: number, path: string) => Promise<any>,
 *   connectionNames: () => Promise<string[]>, stop: () => void}>}
 */
export async function startNatsCluster({ nodes = 3, shared = false } = {}) {
  if (spawnSync('sh', ['-c', 'command -v nats-server']).status !== 0) {
    throw new Error('nats-server is not installed: run tools/install-deps');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kino-nats-'));
  const watchdog = spawn('sh', ['-c',
    'while kill -0 "$0" 2>/dev/null; do sleep 1; done; ' +
    'for f in "$1"/n*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")"; done; rm -rf "$1"',
    String(process.pid), dir], { detached: true, stdio: 'ignore' });
  watchdog.unref();

  const taken = new Set();
  const port = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) { taken.add(p); return p; }
    }
  };
  const servers = [];
  for (let i = 0; i < nodes; i++) {
    servers.push({ name: `n${i + 1}`, client: await port(), cluster: await port(), http: await port(), proc: null });
  }
  for (const s of servers) {
    writeFileSync(path.join(dir, `${s.name}.conf`), [
      `server_name: ${s.name}`,
      `listen: 127.0.0.1:${s.client}`,
      `http: 127.0.0.1:${s.http}`,
      `pid_file: "${path.join(dir, `${s.name}.pid`)}"`,
      `jetstream { store_dir: "${path.join(dir, `store-${s.name}`)}", max_memory_store: 64MB, max_file_store: 1GB }`,
      'cluster {',
      '  name: kino-test',
      `  listen: 127.0.0.1:${s.cluster}`,
      `  routes: [${servers.map((o) => `nats-route://127.0.0.1:${o.cluster}`).join(', ')}]`,
      '}', ''].join('\n'));
  }

  const start = (s) => {
    const log = openSync(path.join(dir, `${s.name}.log`), 'a');
    s.proc = spawn('nats-server', ['-c', path.join(dir, `${s.name}.conf`)], { stdio: ['ignore', log, log] });
    if (shared) s.proc.unref();  // lives as long as the Node process needs it, not longer
    closeSync(log);
    const proc = s.proc;
    s.exited = new Promise((resolve) => proc.on('exit', resolve));
  };
  const running = (s) => s.proc && s.proc.exitCode === null && s.proc.signalCode === null;
  const logs = () => servers.map((s) => {
    let text = '';
    try { text = readFileSync(path.join(dir, `${s.name}.log`), 'utf8'); } catch { /* none yet */ }
    return `--- ${s.name}\n${text}`;
  }).join('\n');

  async function monitor(i, urlPath) {
    try {
      const res = await fetch(`http://127.0.0.1:${servers[i].http}${urlPath}`, { signal: AbortSignal.timeout(2000) });
      return await res.json();
    } catch { return null; }
  }

  async function ensureAllRunning() {
    for (const s of servers) if (!running(s)) start(s);
    const end = Date.now() + 30_000;
    for (let i = 0; i < servers.length; i++) {
      while ((await monitor(i, '/healthz'))?.status !== 'ok') {
        if (!running(servers[i]) || Date.now() > end) throw new Error(`NATS ${servers[i].name} is not ready:\n${logs()}`);
        await sleep(50);
      }
    }
  }

  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    for (const s of servers) if (running(s)) s.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    try { process.kill(watchdog.pid); } catch { /* already gone */ }
  }
  process.on('exit', stop);

  await ensureAllRunning();
  return {
    urls: servers.map((s) => `nats://127.0.0.1:${s.client}`),
    /** SIGKILL server i and wait until it is gone. */
    async kill(i) {
      const s = servers[i];
      if (!running(s)) return;
      s.proc.kill('SIGKILL');
      await s.exited;
      rmSync(path.join(dir, `${s.name}.pid`), { force: true });  // the watchdog never kills a reused pid
    },
    /** Starts every server that is not running and waits until all are ready. */
    ensureAllRunning,
    /** GET http://127.0.0.1:<monitoring port of i><path> as JSON (null when it does not answer). */
    monitor,
    /** The names of the client connections every running server sees. */
    async connectionNames() {
      const names = [];
      for (let i = 0; i < servers.length; i++) {
        for (const c of (await monitor(i, '/connz'))?.connections ?? []) names.push(c.name);
      }
      return names;
    },
    stop,
  };
}
