// A private PostgreSQL 15 for Node tests, the twin of tests/lib/pg_server.hpp: initdb into a new
// temporary directory (a copy of a cluster initialized once and kept in the temporary directory),
// listening on 127.0.0.1 at a free port with its socket in that directory, fsync off. PostgreSQL
// refuses to run as root: as root it runs as the Debian user `postgres` (setpriv), else as the
// tests' own user. sharedPostgres() starts one per Node process and stops it (pg_ctl stop -m fast)
// and removes its directory when the process exits; a watchdog does the same if the process dies
// without doing so.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.mjs';

const BIN = '/usr/lib/postgresql/15/bin';
const RUN_AS = process.getuid() === 0 ? 'postgres' : '';

/** argv prefixed with setpriv when PostgreSQL must run as another user. */
function as(argv) {
  return RUN_AS ? ['setpriv', `--reuid=${RUN_AS}`, `--regid=${RUN_AS}`, '--init-groups', ...argv] : argv;
}

function run(argv) {
  const [cmd, ...args] = as(argv);
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function uidOf(user) {
  return user ? Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()) : process.getuid();
}


/** The cluster initdb made once, kept for later runs (the same cache as the C++ harness). */
function initializedCluster() {
  const uid = uidOf(RUN_AS);
  const cache = path.join(tmpdir(), `kino-pg15-initdb-w1-${uid}`);
  try {
    const st = statSync(cache);
    if (st.uid === uid && (st.mode & 0o077) === 0 && existsSync(path.join(cache, 'PG_VERSION'))) return cache;
  } catch { /* not there yet */ }
  const work = mkdtempSync(path.join(tmpdir(), 'kino-pg-initdb-'));
  if (RUN_AS) chownSync(work, uid, -1);
  run([`${BIN}/initdb`, '-D', path.join(work, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8',
    '--locale=C.UTF-8', '--no-sync', '--wal-segsize=1']);
  try { renameSync(path.join(work, 'data'), cache); } catch { /* another process was first */ }
  rmSync(work, { recursive: true, force: true });
  return cache;
}

/**
 * Starts a server. Resolves to {port, url(database), createDatabase(), stop()}.
 * @returns {Promise<{port: number, url: (db?: string) => string, createDatabase: () => string, stop: () => void}>}
 */
export async function startPostgres() {
  if (!existsSync(`${BIN}/initdb`)) throw new Error(`PostgreSQL 15 is not installed (${BIN}): run tools/install-deps`);
  const { dir, data, watchdog } = clusterDir();
  run(['cp', '-a', initializedCluster(), data]);
  const { port, url, stop } = await startCluster(dir, data, watchdog);
  let databases = 0;
  return {
    port,
    url,
    /** Creates an empty database with a name not used before; returns the name. */
    createDatabase() {
      const name = `kino_test_${process.pid}_${++databases}`;
      execFileSync(`${BIN}/psql`, [url(), '-v', 'ON_ERROR_STOP=1', '-qc',
        `CREATE DATABASE ${name} TEMPLATE template0 STRATEGY FILE_COPY`], { stdio: ['ignore', 'pipe', 'pipe'] });
      return name;
    },
    stop,
  };
}

/** A new directory for a cluster, owned by the user PostgreSQL runs as, and its watchdog (see the header). */
function clusterDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kino-pg-'));
  if (RUN_AS) chownSync(dir, uidOf(RUN_AS), -1);
  const data = path.join(dir, 'data');
  const stopArgv = as([`${BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'immediate']);
  const watchdog = spawn('sh', ['-c',
    'while kill -0 "$0" 2>/dev/null; do sleep 1; done; dir=$1; shift; "$@"; rm -rf "$dir"',
    String(process.pid), dir, ...stopArgv], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return { dir, data, watchdog };
}

/**
 * Starts the cluster in `data` on 127.0.0.1 at a free port, its socket in `dir`. Resolves to {port,
 * url(database), stop()}; stop() stops it and removes `dir` (synchronous: usable in an 'exit' handler).
 */
async function startCluster(dir, data, watchdog) {
  let port = 0;
  let lastError;
  for (let tries = 0; tries < 3 && !port; tries++) {
    const candidate = await freePort();
    try {
      run([`${BIN}/pg_ctl`, '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', '-o',
        `-p ${candidate} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=200` +
        ' -c shared_buffers=32MB -c fsync=off -c synchronous_commit=off', 'start']);
      port = candidate;
    } catch (e) { lastError = e; }
  }
  if (!port) throw new Error(`PostgreSQL did not start: ${lastError?.stderr || lastError}`);
  let stopped = false;
  return {
    port,
    url: (db = 'postgres') => `host=127.0.0.1 port=${port} user=postgres dbname=${db}`,
    stop() {
      if (stopped) return;
      stopped = true;
      const [cmd, ...args] = as([`${BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'fast', '-w']);
      spawnSync(cmd, args, { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
      try { process.kill(watchdog.pid); } catch { /* already gone */ }
    },
  };
}

/**
 * An online base backup of the running server `source` (`pg_basebackup -X stream -c fast` over a
 * replication connection to 127.0.0.1, as the operations runbook takes it), started as a second
 * server on another loopback port. Resolves to {port, url(database), stop()}, like startPostgres().
 */
export async function startFromBaseBackup(source) {
  const { dir, data, watchdog } = clusterDir();
  try {
    run([`${BIN}/pg_basebackup`, '-h', '127.0.0.1', '-p', String(source.port), '-U', 'postgres', '-D', data,
      '-X', 'stream', '-c', 'fast', '--no-sync']);
    return await startCluster(dir, data, watchdog);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    try { process.kill(watchdog.pid); } catch { /* already gone */ }
    throw new Error(`base backup of port ${source.port}: ${e.stderr || e}`);
  }
}

let shared;

/** The one server of this Node process, started on first use and stopped when the process exits. */
export function sharedPostgres() {
  if (!shared) {
    shared = startPostgres();
    shared.then((pg) => { process.on('exit', () => pg.stop()); }, () => {});
  }
  return shared;
}
