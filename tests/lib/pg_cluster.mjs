// A highly available PostgreSQL 15 for tests: three etcd members and two Patroni-managed PostgreSQL
// nodes (synchronous_mode on, pg_rewind on), all on 127.0.0.1 with fixed ports. Fixed ports are only
// safe in a network namespace of the test's own (tools/netns-run), which is where the tests that use
// this run. Measured on a 2-core machine: ready in ~8–11 s; with ttl 5 a killed primary is replaced
// in ~5 s; the old primary rejoins as a sync standby in ~8.5 s.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER_PASSWORD = 'pg-secret';
const nodes = [1, 2].map((i) => ({ name: `pg${i}`, port: 5440 + i, api: 8007 + i }));
const etcd = [1, 2, 3].map((i) => ({ name: `e${i}`, client: 2379 + (i - 1) * 10000, peer: 2380 + (i - 1) * 10000 }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolves after `ms` without keeping the process alive for it (a bound on a wait for exits). */
const timeout = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** Polls `check` (async, truthy = done) every 100 ms for at most `ms`; throws `what` on timeout. */
async function waitFor(what, ms, check) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function status(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** The OS user PostgreSQL runs as: `postgres` when we are root (it refuses root), else ourselves. */
function runAs() {
  if (process.getuid() !== 0) return { wrap: [], uid: process.getuid(), gid: process.getgid() };
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { wrap: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'], uid: id('-u'), gid: id('-g') };
}

function patroniConfig(dir, node, ttl) {
  const d = path.join(dir, node.name);
  return `scope: kino-test
namespace: /service/
name: ${node.name}
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${node.api}
  connect_address: 127.0.0.1:${node.api}
etcd3:
  hosts: ${etcd.map((e) => `127.0.0.1:${e.client}`).join(',')}
bootstrap:
  dcs:
    ttl: ${ttl}
    loop_wait: 1
    retry_timeout: 2
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        fsync: "off"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - auth-local: trust
    - auth-host: scram-sha-256
postgresql:
  listen: 127.0.0.1:${node.port}
  connect_address: 127.0.0.1:${node.port}
  data_dir: ${d}/data
  bin_dir: ${PG_BIN}
  pgpass: ${d}/pgpass
  authentication:
    superuser: {username: postgres, password: ${SUPERUSER_PASSWORD}}
    replication: {username: replicator, password: rep-secret}
    rewind: {username: rewinder, password: rew-secret}
  parameters:
    unix_socket_directories: ${d}
    shared_buffers: 16MB
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
`;
}

/**
 * Starts the cluster and creates `database` on it. `dir` (made if missing; default a new temp dir)
 * holds the data, configs and logs; stop() removes it (kept with KINO_TEST_KEEP=1).
 * @returns {Promise<{conninfo: string, leader: () => Promise<string>, killPrimary: () => Promise<string>,
 *   startNode: (name: string) => void, members: () => Promise<object[]>,
 *   stop: (opts?: {fast?: boolean}) => Promise<void>}>}
 */
export async function startPgCluster({ ttl = 5, database = 'kino', dir: where, log = () => {} } = {}) {
  const dir = where ?? mkdtempSync(path.join(tmpdir(), 'kino-pg-cluster-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const user = runAs();
  const procs = new Map();  // name → child process
  const started = Date.now();

  const etcdCluster = etcd.map((e) => `${e.name}=http://127.0.0.1:${e.peer}`).join(',');
  for (const e of etcd) {
    const out = path.join(dir, `${e.name}.log`);
    const child = spawn('etcd', [
      '--name', e.name, '--data-dir', path.join(dir, e.name),
      '--listen-client-urls', `http://127.0.0.1:${e.client}`, '--advertise-client-urls', `http://127.0.0.1:${e.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${e.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${e.peer}`,
      '--initial-cluster', etcdCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'kino-test',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (c) => writeFileSync(out, c, { flag: 'a' }));
    procs.set(e.name, child);
  }
  for (const e of etcd) {
    await waitFor(`etcd ${e.name}`, 30_000, async () => (await status(`http://127.0.0.1:${e.client}/health`)).body.includes('"health":"true"'));
  }
  log(`etcd ready after ${Date.now() - started} ms`);

  for (const node of nodes) {
    const d = path.join(dir, node.name);
    mkdirSync(d, { mode: 0o700 });
    chownSync(d, user.uid, user.gid);
    writeFileSync(path.join(dir, `${node.name}.yml`), patroniConfig(dir, node, ttl));
  }
  const startNode = (name) => {
    const node = nodes.find((n) => n.name === name);
    const d = path.join(dir, node.name);
    const out = path.join(dir, `patroni-${node.name}.log`);
    const argv = [...user.wrap, 'patroni', path.join(dir, `${node.name}.yml`)];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: d } });
    child.stdout.on('data', (c) => writeFileSync(out, c, { flag: 'a' }));
    child.stderr.on('data', (c) => writeFileSync(out, c, { flag: 'a' }));
    procs.set(node.name, child);
  };
  // One after the other: the first bootstraps the cluster, the second clones it (measured no faster
  // in parallel on two cores).
  startNode('pg1');
  await waitFor('pg1 to lead', 60_000, async () => (await status(`http://127.0.0.1:${nodes[0].api}/primary`)).status === 200);
  startNode('pg2');
  await waitFor('pg2 to be the sync standby', 90_000, async () => (await status(`http://127.0.0.1:${nodes[1].api}/sync`)).status === 200);
  log(`Patroni cluster ready after ${Date.now() - started} ms`);

  const hosts = nodes.map(() => '127.0.0.1').join(',');
  const ports = nodes.map((n) => n.port).join(',');
  const base = `host=${hosts} port=${ports} target_session_attrs=read-write user=postgres password=${SUPERUSER_PASSWORD} connect_timeout=2`;
  execFileSync('psql', [`${base} dbname=postgres`, '-qAtc', `CREATE DATABASE ${database}`], { stdio: 'pipe' });

  const members = async () => {
    for (const n of nodes) {
      const r = await status(`http://127.0.0.1:${n.api}/cluster`);
      if (r.status === 200) return JSON.parse(r.body).members;
    }
    return [];
  };
  const leader = async () => (await members()).find((m) => m.role === 'leader')?.name;

  return {
    conninfo: `${base} dbname=${database}`,
    dir,
    members,
    leader,
    startNode,
    /** SIGKILLs the leader's Patroni and postmaster (a machine lost at once); returns its name. */
    async killPrimary() {
      const name = await leader();
      if (!name) throw new Error('no leader to kill');
      const postmaster = Number(readFileSync(path.join(dir, name, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      procs.get(name).kill('SIGKILL');
      try { process.kill(postmaster, 'SIGKILL'); } catch { /* already gone */ }
      return name;
    },
    /**
     * Stops Patroni, PostgreSQL (a fast shutdown) and etcd. fast, for data nobody keeps: Patroni and
     * etcd are SIGKILLed rather than asked to stop, which takes them ~10 s (Patroni asks the other
     * node whether it could take over, the etcd members hand leadership over as they go).
     */
    async stop({ fast = false } = {}) {
      const exited = (child) => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
      for (const n of nodes) procs.get(n.name)?.kill(fast ? 'SIGKILL' : 'SIGTERM');
      await Promise.race([Promise.all(nodes.map((n) => procs.get(n.name) && exited(procs.get(n.name)))), timeout(15_000)]);
      const postmasters = [];
      for (const n of nodes) {
        const pidFile = path.join(dir, n.name, 'data', 'postmaster.pid');
        if (existsSync(pidFile)) {
          const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
          try { process.kill(pid, 'SIGINT'); postmasters.push(pid); } catch { /* gone */ }
        }
        procs.get(n.name)?.kill('SIGKILL');
      }
      // A process that exited but is not reaped yet (a zombie) counts as gone.
      const alive = (pid) => {
        try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
      };
      for (const end = Date.now() + 10_000; postmasters.some(alive) && Date.now() < end;) await sleep(50);
      for (const e of etcd) procs.get(e.name)?.kill(fast ? 'SIGKILL' : 'SIGTERM');
      await Promise.race([Promise.all(etcd.map((e) => exited(procs.get(e.name)))), timeout(10_000)]);
      await sleep(500);
      if (!process.env.KINO_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}
