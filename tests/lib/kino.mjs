// Starts an isolated `kino serve` for a test: its own data dir, port 0, the built web app.
// Contract: startKino() resolves once the server logged its `listening` line; stop() sends SIGTERM and
// resolves with the exit code. Logs are kept in memory (`logs()`) and printed when KINO_TEST_VERBOSE=1.
// KINO_TEST_STORAGE=postgres: the store is a fresh database on a PostgreSQL this Node process starts
// once (tests/lib/pg.mjs); a restart on the same data dir (`args: ['--data', dir]`) gets the same
// database again.
// KINO_TEST_NODES=N (N ≥ 2): a cluster instead — N nodes on one fresh PostgreSQL database, a NATS
// cluster this Node process starts once (tests/lib/nats.mjs), one data directory (keys, media), and
// a round-robin balancer in front (tests/lib/round_robin.mjs) whose URL is the server's URL, so the
// same test runs with every new connection landing on the next node.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsCluster } from './nats.mjs';
import { sharedPostgres } from './pg.mjs';
import { startRoundRobin } from './round_robin.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const kinoBinary = process.env.KINO_BIN || path.join(repoRoot, 'build', 'bin', 'kino');

/**
 * @param {{env?: Record<string,string>, args?: string[], timeoutMs?: number, keepData?: boolean}} [opts]
 *   keepData: stop() leaves the data directory (e.g. to start another Kino on it); the caller removes it.
 * @returns {Promise<{url: string, dataDir: string, proc: import('node:child_process').ChildProcess,
 *   logs: () => string, stop: (signal?: string) => Promise<number|null>}>}
 */
export async function startKino(opts = {}) {
  const nodes = Number(process.env.KINO_TEST_NODES || 1);
  if (nodes > 1 && !opts.args?.includes('--data')) return startKinoCluster(nodes, opts);
  return startNode(opts);
}

let sharedNats;

/**
 * N nodes behind a round-robin balancer (see the header); the same contract as one server, plus
 * `nodes` (each node's own handle, ids `nodeIds`) and `postgresUrl` (the shared database).
 */
export async function startKinoCluster(count, opts = {}) {
  const pg = await sharedPostgres();
  sharedNats ??= startNatsCluster({ nodes: 3, shared: true });
  const nats = await sharedNats;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kino-test-cluster-'));
  const postgresUrl = pg.url(pg.createDatabase());
  const env = {
    KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: postgresUrl,
    KINO_BUS_ENGINE: 'nats', KINO_BUS_NATS_URLS: nats.urls.join(','), ...(opts.env || {}),
  };
  const started = [];
  const nodeIds = [];
  try {
    // One after the other: the first creates the data directory's keys the others then read.
    for (let i = 1; i <= count; i += 1) {
      nodeIds.push(`t${process.pid}-${i}`);
      started.push(await startNode({
        ...opts, keepData: true, args: [...(opts.args || []), '--data', dataDir],
        env: { ...env, KINO_CLUSTER_NODE_ID: nodeIds.at(-1) },
      }));
    }
  } catch (e) {
    await Promise.all(started.map((n) => n.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const balancer = await startRoundRobin(started.map((n) => n.url));
  return {
    url: balancer.url, dataDir, proc: started[0].proc, nodes: started, nodeIds, balancer, postgresUrl,
    logs: () => started.map((n) => n.logs()).join(''),
    async stop(signal = 'SIGTERM') {
      await balancer.close();
      const codes = await Promise.all(started.map((n) => n.stop(signal)));
      if (!process.env.KINO_TEST_KEEP && !opts.keepData) rmSync(dataDir, { recursive: true, force: true });
      return codes.find((c) => c !== 0) ?? codes[0];
    },
  };
}

async function startNode(opts) {
  if (!existsSync(kinoBinary)) throw new Error(`kino binary not found at ${kinoBinary}: run 'make build'`);
  const given = opts.args?.includes('--data');  // the caller's directory (a restart, a cluster)
  const dataDir = given ? path.resolve(opts.args[opts.args.lastIndexOf('--data') + 1])
    : mkdtempSync(path.join(tmpdir(), 'kino-test-'));
  const args = ['serve', '--listen', '127.0.0.1:0', ...(given ? [] : ['--data', dataDir]), ...(opts.args || [])];
  const proc = spawn(kinoBinary, args, {
    // Ingest is off unless a test turns it on: room tests use made-up video links, and a download
    // attempt would look their host names up outside this machine.
    // Janus (video chat) is off unless a test turns it on: an embedded Janus per test server costs time.
    env: { ...process.env, KINO_LOG_LEVEL: 'info', KINO_INGEST_ENABLED: 'false', KINO_MEDIA_MODE: 'off',
      ...(await storageEnv(args, opts.env || {})), ...(opts.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const verbose = process.env.KINO_TEST_VERBOSE === '1';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kino did not start in time:\n${output}`)),
      opts.timeoutMs ?? 15000);
    const onData = (chunk) => {
      output += chunk;
      if (verbose) process.stderr.write(chunk);
      const m = output.match(/"event":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.setEncoding('utf8').on('data', onData);
    proc.stderr.setEncoding('utf8').on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kino exited (${code}) before listening:\n${output}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    url, dataDir, proc,
    logs: () => output,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await exited;
      if (!process.env.KINO_TEST_KEEP && !opts.keepData && !given) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

const databaseOfDataDir = new Map();

/** KINO_STORAGE_* for a server started with `args`: PostgreSQL when KINO_TEST_STORAGE=postgres. */
async function storageEnv(args, env) {
  if (process.env.KINO_TEST_STORAGE !== 'postgres' || env.KINO_STORAGE_ENGINE) return {};
  const pg = await sharedPostgres();
  const dataDir = path.resolve(args[args.lastIndexOf('--data') + 1]);  // the last --data wins
  if (!databaseOfDataDir.has(dataDir)) databaseOfDataDir.set(dataDir, pg.createDatabase());
  return { KINO_STORAGE_ENGINE: 'postgres', KINO_STORAGE_POSTGRES_URL: pg.url(databaseOfDataDir.get(dataDir)) };
}
