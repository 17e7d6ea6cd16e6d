// A whole Kino cluster on one machine, for `make cluster` (tools/cluster) and for cluster and chaos
// tests: three Kino nodes behind HAProxy, PostgreSQL under Patroni with etcd (tests/lib/pg_cluster.mjs),
// three NATS servers with JetStream, OpenStack Swift with the S3 API (tests/lib/swift.mjs) and two Janus
// nodes. Everything listens on fixed ports of 127.0.0.1, so it must run in a private network namespace
// that has kino0 = 10.77.0.1 for Janus's media (tools/netns-run, or the named namespace tools/cluster
// makes). The layout and ports are in docs/ARCHITECTURE.md, "Cluster".
//
// Contract: startCluster() resolves once HAProxy reports every Kino node up and each node's /readyz
// has the store and Janus ok; `url` is what a browser in the namespace opens. kill(component) SIGKILLs
// one process (a machine lost at once) and resolves once it is gone; restart(component) starts it again
// and resolves once it serves. stop() stops everything (SIGTERM, SIGKILL after a grace) and removes
// `dir` (its logs/ stay with keepLogs; everything stays with KINO_TEST_KEEP=1).
//
// Run directly (`node tests/lib/cluster.mjs serve DIR`, what tools/cluster does inside its namespace):
// starts the cluster in DIR, prints the URL, and stops everything on SIGINT or SIGTERM.
import { spawn } from 'node:child_process';
import {
  chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { kinoBinary } from './kino.mjs';
import { startPgCluster } from './pg_cluster.mjs';
import { startSwift } from './swift.mjs';

/** The interface Janus offers for media; it must exist in the namespace (10.77.0.1). */
export const ICE_INTERFACE = 'kino0';
export const HAPROXY_PORT = 8080;
export const STATS_PORT = 8404;
export const BUCKET = 'kino-media';
/**
 * Failure detection, tuned for a LAN: Patroni's leader key lives 5 s (a lost primary is replaced
 * ~5 s later; loop_wait 1, retry_timeout 2 — with ttl 3 and retry_timeout 1 Patroni could not talk
 * to etcd on a loaded 2-core machine), and a Kino node's room leases 2 s (its rooms move ~2 s after
 * it dies). Both are what the chaos test measures.
 */
export const PATRONI_TTL_S = 5;
export const ROOM_LEASE_MS = 2000;
export const KINO_NODES = [1, 2, 3].map((i) => ({ name: `kino-${i}`, port: 8080 + i }));
export const JANUS_NODES = [1, 2].map((i) => ({
  name: `janus-${i}`, port: 8187 + i, rtpMin: 20000 + (i - 1) * 500, rtpMax: 20499 + (i - 1) * 500,
}));
export const NATS_NODES = [1, 2, 3].map((i) => ({
  name: `nats-${i}`, client: 4221 + i, route: 6221 + i, monitor: 8221 + i,
}));
const SWIFT_SERVERS = ['proxy', 'account', 'container', 'object-1', 'object-2'];
const MARKER = '.kino-cluster';
const BINARIES = ['haproxy', 'nats-server', 'janus', 'etcd', 'patroni', 'swift-proxy-server'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` (async, truthy = done) every 100 ms for at most `ms`; throws `what` on timeout, or at
 * once what `check` throws with `fatal` set.
 */
async function waitFor(what, ms, check) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch (e) { if (e?.fatal) throw e; }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function httpGet(url, timeoutMs = 1000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

const listening = (port) => new Promise((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

function onPath(binary) {
  return (process.env.PATH || '').split(':').some((d) => d && existsSync(path.join(d, binary)))
    || existsSync(path.join('/usr/sbin', binary));
}

/** Why a cluster cannot start here (a reason to skip), or null. */
export function clusterUnavailableReason() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the cluster needs root (PostgreSQL runs as postgres, namespaces)';
  const missing = BINARIES.filter((b) => !onPath(b));
  if (missing.length) return `not installed: ${missing.join(', ')} (tools/install-deps)`;
  if (!existsSync(kinoBinary)) return `no kino binary at ${kinoBinary} (make build)`;
  return null;
}

/** The folder of Janus's plugins and transports (Debian puts it under the multiarch lib dir). */
function janusLibDir() {
  for (const d of readdirSync('/usr/lib')) {
    const candidate = path.join('/usr/lib', d, 'janus');
    if (existsSync(path.join(candidate, 'plugins', 'libjanus_videoroom.so'))) return candidate;
  }
  throw new Error('Janus plugins not found under /usr/lib/*/janus (apt-get install janus)');
}

const jstr = (s) => `"${String(s).replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * Config files of one external Janus node, as Kino's external mode expects it: the WebSocket API on
 * 127.0.0.1 with the API secret, only the VideoRoom plugin (with the admin key Kino sends when it
 * creates rooms), its own RTP port range, and ICE on kino0 only (Kino's embedded mode writes the same,
 * server/src/media/janus_config.cpp).
 */
export function janusConfigFiles(node, dir, secrets) {
  const lib = janusLibDir();
  return {
    'janus.jcfg': `general: {
  configs_folder = ${jstr(dir)}
  plugins_folder = ${jstr(path.join(lib, 'plugins'))}
  transports_folder = ${jstr(path.join(lib, 'transports'))}
  server_name = ${jstr(node.name)}
  debug_level = 3
  debug_timestamps = true
  api_secret = ${jstr(secrets.apiSecret)}
  admin_secret = ${jstr(secrets.adminSecret)}
  session_timeout = 60
  reclaim_session_timeout = 20
  interface = "127.0.0.1"
}
media: {
  rtp_port_range = "${node.rtpMin}-${node.rtpMax}"
  no_media_timer = 2
}
nat: {
  full_trickle = true
  ignore_mdns = true
  ice_enforce_list = ${jstr(ICE_INTERFACE)}
}
plugins: {
  disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
loggers: { disable = "libjanus_jsonlog.so" }
events: { broadcast = false }
`,
    'janus.transport.websockets.jcfg': `general: {
  json = "compact"
  ws = true
  ws_port = ${node.port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
  admin_key = ${jstr(secrets.adminKey)}
}
`,
  };
}

export function natsConfig(node, dir) {
  return `server_name: ${node.name}
listen: 127.0.0.1:${node.client}
http: 127.0.0.1:${node.monitor}
jetstream {
  store_dir: "${path.join(dir, node.name)}"
  max_memory_store: 64MB
  max_file_store: 1GB
}
cluster {
  name: kino
  listen: 127.0.0.1:${node.route}
  routes: [
${NATS_NODES.map((n) => `    nats-route://127.0.0.1:${n.route}`).join('\n')}
  ]
}
`;
}

/**
 * HAProxy in front of the Kino nodes. Room sockets (/api/v1/rooms/<slug>/ws) are placed by a hash
 * of their path, so everyone in a room meets on one node; everything else goes to the least busy
 * node. A node is taken out after two failed /readyz checks a second apart, and back after two good
 * ones. When every node fails its check at once (the database failing over), HAProxy still sends to
 * them (the `backup` lines, which are not checked) and lets Kino's own retries bridge the outage,
 * instead of answering 503 itself.
 */
export function haproxyConfig() {
  const servers = (extra) => [
    ...KINO_NODES.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check${extra}`),
    ...KINO_NODES.map((n) => `  server ${n.name}-unchecked 127.0.0.1:${n.port} backup`),
  ].join('\n');
  const checks = `  option httpchk
  http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1 hdr User-Agent haproxy-check
  http-check expect status 200
  option allbackups
  default-server inter 1s fastinter 500ms fall 2 rise 2`;
  return `global
  log stdout format raw local0 info

defaults
  mode http
  log global
  option httplog
  option dontlognull
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  timeout check 1s
  # An upgraded (WebSocket) connection may stay open this long; Kino pings idle sockets.
  timeout tunnel 1h
  timeout client-fin 5s
  # A connection refused by a node that just died is retried on another node.
  retries 3
  option redispatch 1

frontend kino
  bind 127.0.0.1:${HAPROXY_PORT}
  use_backend kino_rooms if { path_reg ^/api/v1/rooms/[^/]+/ws$ }
  default_backend kino_nodes

backend kino_nodes
  balance leastconn
${checks}
${servers('')}

backend kino_rooms
  balance uri
  hash-type consistent
${checks}
${servers('')}

listen stats
  bind 127.0.0.1:${STATS_PORT}
  stats enable
  stats uri /stats
  stats refresh 2s
`;
}

/** The inode of the network namespace of `pid` ("net:[4026…]"), or null when it is gone. */
export function netnsOf(pid = 'self') {
  try { return readlinkSync(`/proc/${pid}/ns/net`); } catch { return null; }
}

/** Whether `pid` runs (an exited process that is not reaped yet, a zombie, does not). */
function isRunning(pid) {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

/** What a process of the cluster is, from its command line. */
function componentOf(comm, cmdline) {
  if (comm === 'kino') return 'kino';
  if (comm === 'postgres' || /^postgres:/.test(cmdline)) return 'postgres';
  if (/patroni/.test(cmdline)) return 'patroni';
  if (comm === 'etcd') return 'etcd';
  if (/swift-[a-z]+-server/.test(cmdline)) return 'swift';
  if (comm === 'nats-server') return 'nats';
  if (comm === 'janus') return 'janus';
  if (comm === 'haproxy') return 'haproxy';
  return 'other';
}

/**
 * Processes in this network namespace other than this process and its ancestors:
 * [{pid, comm, component, rssKb}].
 */
export function processesInNamespace(netns = netnsOf()) {
  const mine = new Set();
  for (let pid = process.pid; pid > 1;) {
    mine.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { break; }
  }
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || mine.has(Number(d))) continue;
    try {
      if (netnsOf(d) !== netns) continue;
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;  // exited, not yet reaped
      const comm = (status.match(/^Name:\s+(.*)$/m) || [])[1] || '';
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const rssKb = Number((status.match(/^VmRSS:\s+(\d+)/m) || [])[1] || 0);
      out.push({ pid: Number(d), comm, cmdline, component: componentOf(comm, cmdline), rssKb });
    } catch { /* gone */ }
  }
  return out;
}

/** Sum of RSS (MiB) of the processes in this namespace, in all and per component. */
export function rssOfNamespace() {
  const by = {};
  let total = 0;
  for (const p of processesInNamespace()) {
    by[p.component] = (by[p.component] || 0) + p.rssKb;
    total += p.rssKb;
  }
  const mib = (kb) => Math.round(kb / 1024);
  return { totalMiB: mib(total), byComponentMiB: Object.fromEntries(Object.entries(by).map(([k, v]) => [k, mib(v)])) };
}

/** Parses HAProxy's CSV stats: {backend: {server: status}} ("UP", "DOWN", "no check", …). */
function parseStats(csv) {
  const lines = csv.trim().split('\n');
  const head = lines[0].replace(/^# /, '').split(',');
  const col = (name) => head.indexOf(name);
  const out = {};
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const [px, sv, status] = [f[col('pxname')], f[col('svname')], f[col('status')]];
    if (sv === 'FRONTEND' || sv === 'BACKEND') continue;
    (out[px] ??= {})[sv] = status;
  }
  return out;
}

/**
 * Starts the cluster.
 * @param {{dir?: string, log?: (line: string) => void, kinoEnv?: Record<string,string>}} [opts]
 *   dir: where everything lives (default a new temp dir; replaced if it exists);
 *   kinoEnv: extra KINO_* settings for every node (they win over the cluster's own).
 */
export async function startCluster({ dir: where, log = () => {}, kinoEnv = {} } = {}) {
  const reason = clusterUnavailableReason();
  if (reason) throw new Error(`cannot start the cluster: ${reason}`);
  if (!networkInterfaces()[ICE_INTERFACE]) {
    throw new Error(`no ${ICE_INTERFACE} interface here: run inside tools/netns-run or tools/cluster (a private network namespace)`);
  }
  const dir = where ?? mkdtempSync(path.join(tmpdir(), 'kino-cluster-'));
  // PostgreSQL runs as the postgres user (it refuses root) and must reach its folder inside `dir`.
  for (let up = path.dirname(path.resolve(dir)); up !== path.dirname(up); up = path.dirname(up)) {
    if ((statSync(up).mode & 0o001) === 0) throw new Error(`${up} is closed to other users, so PostgreSQL (user postgres) cannot reach ${dir}: choose a folder under /tmp`);
  }
  // A folder a cluster ran in before is replaced; anything else is left alone.
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(path.join(dir, MARKER))) {
    throw new Error(`${dir} is not empty and was not made by a cluster: choose another folder`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  writeFileSync(path.join(dir, MARKER), 'made by tests/lib/cluster.mjs; replaced by the next cluster started here\n');
  chmodSync(dir, 0o755);
  const logs = path.join(dir, 'logs');
  const started = Date.now();
  const procs = new Map();  // component → child process (ours; Patroni's and Swift's are theirs)
  const exits = new Map();  // component → promise of its exit
  const secrets = {
    apiSecret: randomBytes(18).toString('base64url'),
    adminSecret: randomBytes(18).toString('base64url'),
    adminKey: randomBytes(18).toString('base64url'),
  };
  let pg;
  let swift;
  let stopping = false;

  /** Starts one of our processes with stdout and stderr appended to logs/<name>.log. */
  const spawnLogged = (name, argv, env = process.env) => {
    const fd = openSync(path.join(logs, `${name}.log`), 'a');
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    procs.set(name, child);
    exits.set(name, new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (!stopping && procs.get(name) === child) log(`${name} exited (${signal ?? code})`);
        resolve();
      });
      child.on('error', (e) => { log(`${name} failed to start: ${e.message}`); resolve(); });
    }));
    return child;
  };

  // ---- NATS, Janus, HAProxy, Kino: how each starts and when it is ready.
  const natsDir = path.join(dir, 'nats');
  mkdirSync(natsDir);
  for (const n of NATS_NODES) writeFileSync(path.join(natsDir, `${n.name}.conf`), natsConfig(n, natsDir));
  const startNats = async (n) => {
    spawnLogged(n.name, ['nats-server', '-c', path.join(natsDir, `${n.name}.conf`)]);
  };
  // /healthz is ok once the node is up and JetStream's meta group is current.
  const natsReady = (n) => waitFor(`${n.name} /healthz`, 30_000,
    async () => (await httpGet(`http://127.0.0.1:${n.monitor}/healthz`)).body.includes('"ok"'));

  for (const n of JANUS_NODES) {
    const d = path.join(dir, n.name);
    mkdirSync(d, { mode: 0o700 });
    for (const [file, text] of Object.entries(janusConfigFiles(n, d, secrets))) {
      writeFileSync(path.join(d, file), text, { mode: 0o600 });
    }
  }
  const startJanus = async (n) => {
    const d = path.join(dir, n.name);
    spawnLogged(n.name, ['janus', '-F', d, '-C', path.join(d, 'janus.jcfg'), '-o']);
  };
  const janusReady = (n) => waitFor(`${n.name} on port ${n.port}`, 30_000, () => listening(n.port));

  writeFileSync(path.join(dir, 'haproxy.cfg'), haproxyConfig());
  const startHaproxy = async () => spawnLogged('haproxy', ['haproxy', '-db', '-f', path.join(dir, 'haproxy.cfg')]);

  // One media-link key and one guest-identity key for all nodes: a signed media path or a guest
  // cookie made by one node must hold on every other. Kino reads them from <data_dir>/secrets/
  // (32 random bytes each; made when missing), so each node gets a copy before its first start.
  const keys = { 'media.key': randomBytes(32), 'guest.key': randomBytes(32) };
  const kinoBase = (node) => ({
    KINO_LOG_LEVEL: 'info',
    KINO_LOG_ACCESS_LOG: 'true',
    KINO_CLUSTER_NODE_ID: node.name,
    KINO_STORAGE_ENGINE: 'postgres',
    KINO_STORAGE_POSTGRES_URL: pg.conninfo,
    // Patroni promotes the standby about PATRONI_TTL_S after the primary is lost.
    KINO_STORAGE_POSTGRES_RETRY_S: '20',
    KINO_CLUSTER_ROOM_LEASE_MS: String(ROOM_LEASE_MS),
    ...swift.kinoEnv(BUCKET),
    KINO_BUS_ENGINE: 'nats',
    KINO_BUS_NATS_URLS: NATS_NODES.map((n) => `nats://127.0.0.1:${n.client}`).join(','),
    KINO_MEDIA_MODE: 'external',
    KINO_MEDIA_EXTERNAL_NODES: JANUS_NODES.map((n) => `127.0.0.1:${n.port}`).join(','),
    KINO_MEDIA_EXTERNAL_API_SECRET: secrets.apiSecret,
    KINO_MEDIA_EXTERNAL_ADMIN_KEY: secrets.adminKey,
    KINO_MEDIA_ICE_INTERFACE: ICE_INTERFACE,
    ...kinoEnv,
  });
  const dataDirOf = (node) => path.join(dir, node.name);
  for (const node of KINO_NODES) {
    mkdirSync(path.join(dataDirOf(node), 'secrets'), { recursive: true, mode: 0o700 });
    for (const [file, bytes] of Object.entries(keys)) {
      writeFileSync(path.join(dataDirOf(node), 'secrets', file), bytes, { mode: 0o600 });
    }
  }
  const startKinoNode = async (node) => {
    spawnLogged(node.name, [kinoBinary, 'serve', '--listen', `127.0.0.1:${node.port}`, '--data', dataDirOf(node)],
      { ...process.env, ...kinoBase(node) });
  };
  const kinoReady = (node, ms = 60_000) => waitFor(`${node.name} /readyz (store and janus ok)`, ms, async () => {
    const child = procs.get(node.name);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw Object.assign(new Error(`${node.name} exited; see ${path.join(logs, `${node.name}.log`)}`), { fatal: true });
    }
    const r = await httpGet(`http://127.0.0.1:${node.port}/readyz`);
    if (r.status !== 200) return false;
    const checks = JSON.parse(r.body).checks || {};
    return checks.store === 'ok' && checks.janus === 'ok';
  });

  const backends = async () => {
    const r = await httpGet(`http://127.0.0.1:${STATS_PORT}/stats;csv`);
    if (r.status !== 200) throw new Error(`HAProxy stats answered ${r.status}`);
    return parseStats(r.body);
  };
  /**
   * Resolves once HAProxy's checks say `name` is `state` in both backends: "UP" (checked and in
   * use; not "UP 1/2", which is also what a server shows before its first check) or "DOWN" (out of
   * use, "DOWN 1/2" included).
   */
  const waitBackend = (name, state, ms = 20_000) => waitFor(`HAProxy to see ${name} ${state}`, ms, async () => {
    const b = await backends();
    const is = (s) => (state === 'UP' ? s === 'UP' : String(s).startsWith(state));
    return ['kino_nodes', 'kino_rooms'].every((px) => is(b[px]?.[name]));
  });

  const components = {};
  for (const n of NATS_NODES) components[n.name] = { start: () => startNats(n), ready: () => natsReady(n) };
  for (const n of JANUS_NODES) components[n.name] = { start: () => startJanus(n), ready: () => janusReady(n) };
  for (const n of KINO_NODES) {
    components[n.name] = { start: () => startKinoNode(n), ready: async () => { await kinoReady(n); await waitBackend(n.name, 'UP'); } };
  }
  components.haproxy = { start: startHaproxy, ready: () => waitFor('HAProxy', 10_000, () => listening(HAPROXY_PORT)) };

  const cluster = {
    url: `http://127.0.0.1:${HAPROXY_PORT}`,
    statsUrl: `http://127.0.0.1:${STATS_PORT}/stats`,
    dir,
    logsDir: logs,
    kinoNodes: KINO_NODES.map((n) => ({ ...n, url: `http://127.0.0.1:${n.port}`, dataDir: dataDirOf(n) })),
    startMs: 0,
    /** The PostgreSQL cluster (tests/lib/pg_cluster.mjs) and Swift (tests/lib/swift.mjs). */
    get pg() { return pg; },
    get swift() { return swift; },
    /** What kill() and restart() accept. */
    components: () => [...Object.keys(components), 'pg-primary', 'pg1', 'pg2', ...SWIFT_SERVERS.map((s) => `swift-${s}`)],
    /** HAProxy's view: {kino_nodes: {"kino-1": "UP", …}, kino_rooms: {…}}. */
    backends,
    waitBackend,
    /** The log of one of our processes (kino-N, nats-N, janus-N, haproxy). */
    logOf: (name) => readFileSync(path.join(logs, `${name}.log`), 'utf8'),
    /**
     * SIGKILLs `name` and resolves with what was killed once it is gone: kino-N, nats-N, janus-N,
     * haproxy, swift-<server> (proxy, account, container, object-1, object-2), pg1/pg2 or pg-primary
     * (the current leader's Patroni and postmaster; resolves with its name, pg1 or pg2). A process
     * component (kino-N, nats-N, janus-N, haproxy) may get another `signal` (SIGTERM: a Kino drain).
     */
    async kill(name, signal = 'SIGKILL') {
      if (name === 'pg-primary' || name === 'pg1' || name === 'pg2') {
        if (name !== 'pg-primary' && name !== await pg.leader()) throw new Error(`${name} is not the primary; kill('pg-primary')`);
        return pg.killPrimary();
      }
      if (name.startsWith('swift-')) {
        const server = name.slice(6);
        if (!SWIFT_SERVERS.includes(server)) throw new Error(`unknown Swift server ${server}`);
        const pid = Number(readFileSync(path.join(swift.dir, 'run', `${server}.pid`), 'utf8'));
        process.kill(pid, 'SIGKILL');
        await waitFor(`${name} to exit`, 10_000, () => !isRunning(pid));
        return name;
      }
      const child = procs.get(name);
      if (!child) throw new Error(`unknown component ${name} (${cluster.components().join(', ')})`);
      child.kill(signal);
      await exits.get(name);
      return name;
    },
    /** Starts `name` again (after kill) and resolves once it serves (a Kino node: HAProxy has it UP). */
    async restart(name) {
      if (name === 'pg1' || name === 'pg2') {
        pg.startNode(name);
        // Running on the leader's timeline: rewound and following the new primary, if there was a failover.
        await waitFor(`${name} to run again`, 90_000, async () => {
          const members = await pg.members();
          const me = members.find((m) => m.name === name);
          const leader = members.find((m) => m.role === 'leader');
          return me?.state === 'running' && leader && (me === leader || me.timeline === leader.timeline);
        });
        return;
      }
      if (name.startsWith('swift-')) {
        await swift.startServer(name.slice(6));
        return;
      }
      const c = components[name];
      if (!c) throw new Error(`unknown component ${name} (${cluster.components().join(', ')})`);
      const child = procs.get(name);
      if (child && child.exitCode === null && child.signalCode === null) throw new Error(`${name} is running`);
      await c.start();
      await c.ready();
    },
    /** Stops everything; the logs stay in `dir`/logs when keepLogs. */
    async stop({ keepLogs = false } = {}) {
      stopping = true;
      const term = async (names, graceMs) => {
        const alive = names.filter((n) => procs.get(n) && procs.get(n).exitCode === null && procs.get(n).signalCode === null);
        for (const n of alive) procs.get(n).kill('SIGTERM');
        const all = Promise.all(alive.map((n) => exits.get(n)));
        if (await Promise.race([all.then(() => true), sleep(graceMs).then(() => false)])) return;
        for (const n of alive) procs.get(n).kill('SIGKILL');
        await all;
      };
      await term(['haproxy'], 5000);
      await term(KINO_NODES.map((n) => n.name), 15_000);
      await Promise.all([
        term([...JANUS_NODES, ...NATS_NODES].map((n) => n.name), 10_000),
        swift?.stop(),
        pg?.stop({ fast: true }),
      ]);
      if (process.env.KINO_TEST_KEEP) return;
      if (!keepLogs) {
        rmSync(dir, { recursive: true, force: true });
        return;
      }
      for (const entry of readdirSync(dir)) {
        if (entry !== 'logs' && entry !== MARKER) rmSync(path.join(dir, entry), { recursive: true, force: true });
      }
    },
  };

  try {
    // PostgreSQL (the slowest: ~10 s), Swift, NATS and Janus start side by side; then the Kino nodes
    // (they need all four), then HAProxy.
    const stamp = (what) => log(`${what} ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await Promise.all([
      startPgCluster({ ttl: PATRONI_TTL_S, dir: path.join(dir, 'postgres') }).then((p) => { pg = p; stamp('PostgreSQL (Patroni, etcd)'); }),
      startSwift({ buckets: [BUCKET], dir: path.join(dir, 'swift') }).then((s) => { swift = s; stamp('Swift'); }),
      (async () => {
        for (const n of NATS_NODES) await startNats(n);
        await Promise.all(NATS_NODES.map(natsReady));
        stamp('NATS');
      })(),
      (async () => {
        for (const n of JANUS_NODES) await startJanus(n);
        await Promise.all(JANUS_NODES.map(janusReady));
        stamp('Janus');
      })(),
    ]);
    for (const n of KINO_NODES) await startKinoNode(n);
    await Promise.all(KINO_NODES.map((n) => kinoReady(n)));
    stamp('Kino nodes');
    await startHaproxy();
    await components.haproxy.ready();
    await Promise.all(KINO_NODES.map((n) => waitBackend(n.name, 'UP')));
    cluster.startMs = Date.now() - started;
    stamp('HAProxy with every node up:');
  } catch (e) {
    log(`start failed: ${e.message}; stopping what started (logs in ${logs})`);
    await cluster.stop({ keepLogs: true }).catch(() => {});
    throw e;
  }
  return cluster;
}

// ---- `node tests/lib/cluster.mjs serve DIR`: what tools/cluster runs inside its namespace.
async function main() {
  const [verb, dir] = process.argv.slice(2);
  if (verb !== 'serve' || !dir) {
    console.error('usage: node tests/lib/cluster.mjs serve DIR   (inside a namespace with kino0; tools/cluster does this)');
    process.exit(2);
  }
  const say = (line) => console.log(`cluster: ${line}`);
  let cluster;
  let stopping = null;
  const stop = (signal) => {
    if (stopping) {
      say(`${signal} again: leaving at once (tools/cluster kills what is left)`);
      process.exit(130);
    }
    say(`${signal}: stopping everything…`);
    stopping = (cluster ? cluster.stop({ keepLogs: true }) : Promise.resolve())
      .then(() => { say('stopped'); process.exit(0); }, (e) => { say(`stop failed: ${e.message}`); process.exit(1); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // tools/cluster gone without stopping us (kill -9): nothing may outlive it. Everything in this
  // namespace is the cluster's, so kill it all at once and leave.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    // Again until none is left: one of them may have been starting another.
    for (const end = Date.now() + 5000; Date.now() < end;) {
      const left = processesInNamespace();
      if (left.length === 0) break;
      for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    process.exit(1);
  }, 500).unref();
  const kinoEnv = Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => k.startsWith('KINO_') && !['KINO_NETNS', 'KINO_CLUSTER_NETNS', 'KINO_CLUSTER_DIR'].includes(k)));
  try {
    cluster = await startCluster({ dir: path.resolve(dir), log: say, kinoEnv });
  } catch (e) {
    say(`failed: ${e.message}`);
    process.exit(1);
  }
  if (stopping) return;
  const rss = rssOfNamespace();
  say(`started in ${(cluster.startMs / 1000).toFixed(1)} s, ${rss.totalMiB} MiB RSS in all `
    + `(${Object.entries(rss.byComponentMiB).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  const ns = process.env.KINO_CLUSTER_NETNS || '<namespace>';
  console.log(`
  Kino: ${cluster.url}   (inside the network namespace ${ns})

  From this machine, run programs inside the namespace:
    ip netns exec ${ns} curl -s ${cluster.url}/readyz
    ip netns exec ${ns} chromium --no-sandbox --user-data-dir=/tmp/kino-cluster-chromium \\
        --use-fake-device-for-media-stream --use-fake-ui-for-media-stream ${cluster.url}
    ip netns exec ${ns} bash        # a shell inside; HAProxy's page: ${cluster.statsUrl}
  Logs: ${cluster.logsDir}
  Ctrl-C stops everything.
`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
