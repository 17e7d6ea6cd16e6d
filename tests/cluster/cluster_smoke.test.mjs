// The local cluster (tests/lib/cluster.mjs; `make cluster` runs it through tools/cluster): three Kino
// nodes behind HAProxy on PostgreSQL (Patroni, etcd), Swift (S3), NATS and two Janus nodes. Through
// HAProxy: every node ready, a room's chat over WebSocket, requests spread over the nodes; a video
// ingested on one node is served by the others (shared bucket, shared media-link key) and a guest
// cookie made by one node admits on another; a node killed with SIGKILL is taken out within seconds
// while requests keep succeeding, and comes back. Then everything stops and nothing is left running.
// Prints the start time and the RSS of the whole cluster. A second test runs tools/cluster itself:
// nothing it started outlives it when it is killed; after a crash that left servers running the next
// run stops them first; it prints a URL that answers inside its namespace, and Ctrl-C leaves nothing. The cluster listens on fixed ports, so the first test runs itself again inside
// tools/netns-run; to run it directly: `tools/netns-run node --test <this file>`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../lib/kino.mjs';
import { inNetns, runInNetns } from '../lib/netns.mjs';
import {
  startCluster, clusterUnavailableReason, processesInNamespace, rssOfNamespace, netnsOf, BUCKET,
} from '../lib/cluster.mjs';
import { get, post, registerUser, createRoom, relaxedLimits, guestCookieFrom, sleep } from '../integration/http.mjs';
import { connect, tryOpen, closeAllSockets } from '../integration/ws_client.mjs';
import { ensureClips, startMediaHost, token, waitReady, fetchBytes, prefixOf } from '../integration/media_fixtures.mjs';

const self = fileURLToPath(import.meta.url);
const skip = clusterUnavailableReason() || false;

/** Lines of a node's log that are access-log entries with this User-Agent. */
const accessLines = (text, ua) => text.split('\n').filter((l) => l.includes('"event":"access"') && l.includes(`"ua":"${ua}"`));

if (!inNetns) {
  describe('local cluster', { skip }, () => {
    it('passes inside a private network namespace, which is gone afterwards', { timeout: 300_000 }, async () => {
      const { code, output } = await runInNetns(self);
      assert.equal(code, 0, `the run inside tools/netns-run failed (exit ${code}):\n${output.split('\n').slice(-60).join('\n')}`);
      const ns = output.match(/# cluster namespace (net:\[\d+\])/)?.[1];
      assert.ok(ns, 'the inner run named its namespace');
      assert.deepEqual(processesInNamespace(ns).map((p) => `${p.pid} ${p.cmdline}`), [], 'no process is left in it');
    });

    it('tools/cluster (make cluster): nothing outlives it, it cleans up after a crash, serves its URL inside its namespace, Ctrl-C leaves nothing', { timeout: 300_000 }, async () => {
      const ns = `kino-cluster-test-${process.pid}`;
      const dir = mkdtempSync(path.join(tmpdir(), 'kino-cluster-cli-'));
      chmodSync(dir, 0o755);  // PostgreSQL (user postgres) works in a folder below
      const env = { ...process.env, KINO_CLUSTER_NETNS: ns, KINO_CLUSTER_DIR: path.join(dir, 'cluster') };
      const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]);
      const inside = (...cmd) => execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' });
      const t00 = Date.now();
      const mark = (what) => console.log(`# ${((Date.now() - t00) / 1000).toFixed(1)} s: ${what}`);
      const run = () => {
        // Its own process group, as a terminal's foreground job: Ctrl-C is SIGINT to the group.
        const child = spawn(path.join(repoRoot, 'tools', 'cluster'), [], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (c) => { output += c; });
        child.stderr.setEncoding('utf8').on('data', (c) => { output += c; });
        const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
        const waitOutput = async (re, ms) => {
          for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
            const m = output.match(re);
            if (m) return m;
            if (child.exitCode !== null) break;
          }
          throw new Error(`tools/cluster never printed ${re}:\n${output}`);
        };
        return { child, exited, waitOutput, output: () => output };
      };
      try {
        // kill -9 of the script while it starts: what it started dies with it.
        const crashed = run();
        await crashed.waitOutput(/starting in namespace/, 30_000);
        await sleep(4000);
        const crashedNs = inside('readlink', '/proc/self/ns/net').trim();
        process.kill(-crashed.child.pid, 'SIGKILL');
        await crashed.exited;
        for (const end = Date.now() + 5000; processesInNamespace(crashedNs).length > 0 && Date.now() < end;) await sleep(100);
        assert.deepEqual(processesInNamespace(crashedNs).map((p) => p.cmdline), [], 'nothing outlives a killed tools/cluster');
        mark('a killed tools/cluster took everything with it');

        // The script and its node process killed at once (kill -9 of all of them): the servers stay.
        const wrecked = run();
        await wrecked.waitOutput(/cleaning up/, 30_000);
        await wrecked.waitOutput(/starting in namespace/, 30_000);
        await sleep(4000);
        const wreckedNs = inside('readlink', '/proc/self/ns/net').trim();
        const driver = processesInNamespace(wreckedNs).find((p) => p.cmdline.includes('cluster.mjs serve'));
        process.kill(-wrecked.child.pid, 'SIGKILL');
        process.kill(driver.pid, 'SIGKILL');
        await wrecked.exited;
        await sleep(500);
        assert.ok(processesInNamespace(wreckedNs).length > 0, 'servers of the wrecked run are left behind');
        mark('a wrecked run left its servers');

        const t0 = Date.now();
        const cli = run();
        const [, url] = await cli.waitOutput(/Kino: (http:\/\/\S+)/, 180_000);
        console.log(`# tools/cluster: URL after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        assert.match(cli.output(), /stopping what is left in namespace/, 'the next run stopped what the wrecked one left');
        assert.deepEqual(processesInNamespace(wreckedNs).map((p) => p.cmdline), [], 'nothing of the wrecked run is left');
        assert.match(cli.output(), new RegExp(`ip netns exec ${ns} curl`), 'it says how to reach the URL');
        const ready = JSON.parse(inside('curl', '-s', '--max-time', '5', `${url}/readyz`));
        assert.equal(ready.status, 'ready', JSON.stringify(ready));
        const nsId = inside('readlink', '/proc/self/ns/net').trim();

        mark('the URL answers inside the namespace');
        process.kill(-cli.child.pid, 'SIGINT');  // Ctrl-C
        let timer;
        const code = await Promise.race([cli.exited, new Promise((r) => { timer = setTimeout(r, 90_000, 'still running'); })]);
        clearTimeout(timer);
        mark('stopped by Ctrl-C');
        assert.equal(code, 130, `exit after Ctrl-C:\n${cli.output()}`);
        assert.ok(!namespaces().includes(ns), 'the namespace is deleted');
        assert.deepEqual(processesInNamespace(nsId).map((p) => p.cmdline), [], 'no process is left');
        assert.ok(existsSync(path.join(dir, 'cluster', 'logs', 'kino-1.log')), 'the logs stay');
      } finally {
        if (namespaces().includes(ns)) {
          for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
            try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
          }
          await sleep(500);
          execFileSync('ip', ['netns', 'del', ns]);
        }
        if (!process.env.KINO_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
      }
    });
  });
} else {
  describe('local cluster: three Kino nodes behind HAProxy', { skip }, () => {
    let cluster;
    let host;
    const lb = {};  // {url} of HAProxy, for the http.mjs helpers
    const node = (i) => ({ url: cluster.kinoNodes[i].url });
    let room;  // a public room made through HAProxy

    before(async () => {
      console.log(`# cluster namespace ${netnsOf()}`);
      host = await startMediaHost(await ensureClips(['h264.mp4']));
      cluster = await startCluster({
        log: (line) => console.log(`# ${line}`),
        kinoEnv: {
          ...relaxedLimits,
          KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',  // the video comes from the test's 127.0.0.1
          KINO_INGEST_SEGMENT_SECONDS: '2',
          KINO_INGEST_MIN_FREE_MB: '16',
        },
      });
      lb.url = cluster.url;
      const rss = rssOfNamespace();
      console.log(`# cluster started in ${(cluster.startMs / 1000).toFixed(1)} s; RSS ${rss.totalMiB} MiB `
        + `(${Object.entries(rss.byComponentMiB).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    }, { timeout: 180_000 });
    after(async () => {
      closeAllSockets();
      await host?.close();
      await cluster?.stop();
    }, { timeout: 90_000 });

    it('starts every component, and every node is ready behind HAProxy', async () => {
      const counts = {};
      for (const p of processesInNamespace()) counts[p.component] = (counts[p.component] || 0) + 1;
      for (const [component, n] of Object.entries({ kino: 3, nats: 3, janus: 2, etcd: 3, patroni: 2, haproxy: 1 })) {
        assert.equal(counts[component], n, `${n} ${component} processes: ${JSON.stringify(counts)}`);
      }
      assert.ok(counts.swift >= 5 && counts.postgres >= 2, JSON.stringify(counts));
      for (const [i, n] of cluster.kinoNodes.entries()) {
        const r = await get(node(i), '/readyz');
        assert.equal(r.status, 200, `${n.name}: ${r.text}`);
        assert.equal(r.json.status, 'ready', `${n.name}: ${r.text}`);
        assert.equal(r.json.checks.store, 'ok', `${n.name} store: ${r.text}`);
        assert.equal(r.json.checks.janus, 'ok', `${n.name} janus: ${r.text}`);
        if ('bus' in r.json.checks) assert.equal(r.json.checks.bus, 'ok', `${n.name} bus: ${r.text}`);
      }
      const b = await cluster.backends();
      for (const n of cluster.kinoNodes) assert.equal(b.kino_nodes[n.name], 'UP', JSON.stringify(b));
      const r = await get(lb, '/readyz');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'ready');
    });

    it('registers, creates a room and chats over WebSocket through HAProxy', async () => {
      const owner = await registerUser(lb);
      ({ room } = await createRoom(lb, owner.cookie, { title: 'Cluster night' }));
      const join = await post(lb, `/api/v1/rooms/${room.slug}/join`, { display_name: 'Guest' });
      assert.equal(join.status, 200, join.text);
      const guest = guestCookieFrom(join);
      // Both sockets of the room land on one node (HAProxy hashes the socket path), so they meet.
      const a = await connect(lb, room.slug, { cookie: owner.cookie });
      const b = await connect(lb, room.slug, { cookie: guest });
      a.chat('c1', 'hello through the balancer');
      await a.waitAck('c1', 10_000);
      const got = await b.waitChat('c1', 10_000);
      assert.equal(got.message.text, 'hello through the balancer');
      // The history is in the shared database: every node answers it.
      for (let i = 0; i < 3; i += 1) {
        const h = await get(node(i), `/api/v1/rooms/${room.slug}/messages?limit=10`, { cookie: owner.cookie });
        assert.equal(h.status, 200, h.text);
        assert.deepEqual(h.json.messages.map((m) => m.client_id), ['c1'], `history on ${cluster.kinoNodes[i].name}`);
      }
      await a.close();
      await b.close();
    });

    it('spreads requests over the nodes (their access logs)', async () => {
      const ua = `cluster-spread-${token()}`;
      for (let i = 0; i < 12; i += 1) {
        const r = await get(lb, `/api/v1/rooms/${room.slug}`, { headers: { 'User-Agent': ua } });
        assert.equal(r.status, 200, r.text);
      }
      await sleep(200);
      const served = cluster.kinoNodes.map((n) => accessLines(cluster.logOf(n.name), ua).length);
      console.log(`# 12 requests through HAProxy served per node: ${served.join(', ')}`);
      assert.equal(served.reduce((x, y) => x + y, 0), 12, 'every request is in one access log');
      assert.ok(served.filter((n) => n > 0).length >= 2, `more than one node served them: ${served}`);
    });

    it('a video ingested on one node is served by the others; a guest cookie of one node admits on another', { timeout: 120_000 }, async () => {
      const owner = await registerUser(node(0));
      const { room: priv } = await createRoom(node(0), owner.cookie, {
        visibility: 'private', video_url: host.url(`/files/h264.mp4?${token('cluster')}`),
      });
      const media = await waitReady(node(0), priv.slug, owner.cookie, { timeoutMs: 90_000 });
      const asset = prefixOf(media.hls_url).split('/').pop();
      assert.match(media.hls_url, /^\/media\/s\//, 'a private room\'s media path is signed');
      assert.match(cluster.logOf('kino-1'), new RegExp(`"event":"ingest_ready".*"asset":"${asset}"|"asset":"${asset}".*"event":"ingest_ready"`));
      for (const n of ['kino-2', 'kino-3']) assert.doesNotMatch(cluster.logOf(n), new RegExp(`ingest_ready.*${asset}`), `${n} did not ingest it`);
      assert.ok((await cluster.swift.listKeys(BUCKET, `${asset}/`)).length > 2, 'the files are in the bucket');
      const original = await fetchBytes(node(0), media.hls_url);
      assert.equal(original.status, 200);
      for (const i of [1, 2]) {
        const r = await fetchBytes(node(i), media.hls_url);
        assert.equal(r.status, 200, `${cluster.kinoNodes[i].name} serves the link kino-1 signed: ${r.text}`);
        assert.ok(r.body.equals(original.body), 'the same playlist');
        assert.equal((await fetchBytes(node(i), `/media/${asset}/master.m3u8`)).status, 403, 'unsigned: refused');
      }
      const poster = await fetchBytes(node(2), media.poster_url);
      assert.equal(poster.status, 200, poster.text);

      const join = await post(node(1), `/api/v1/rooms/${room.slug}/join`, { display_name: 'Wanderer' });
      assert.equal(join.status, 200, join.text);
      const opened = await tryOpen(node(2), room.slug, { cookie: guestCookieFrom(join) });
      assert.equal(opened.status, 101, `kino-3 admits the guest of kino-2: ${opened.status} ${opened.body}`);
      await opened.client.close();
    });

    it('a Kino node killed with SIGKILL is taken out within seconds, requests keep succeeding, and it comes back', { timeout: 120_000 }, async () => {
      const ua = `cluster-kill-${token()}`;
      const results = [];  // {at, status}
      let run = true;
      const load = (async () => {
        while (run) {
          const at = Date.now();
          const status = await fetch(`${lb.url}/api/v1/rooms/${room.slug}`, { headers: { 'User-Agent': ua }, signal: AbortSignal.timeout(5000) })
            .then((r) => r.status, () => 0);
          results.push({ at, status });
          await sleep(50);
        }
      })();
      await sleep(1000);
      const killedAt = Date.now();
      await cluster.kill('kino-2');
      const gone = Date.now();
      const servedBefore = accessLines(cluster.logOf('kino-2'), ua).length;
      await cluster.waitBackend('kino-2', 'DOWN', 15_000);
      const downMs = Date.now() - killedAt;
      console.log(`# HAProxy took kino-2 out ${downMs} ms after the SIGKILL`);
      assert.ok(downMs < 5000, `taken out within 5 s (${downMs} ms)`);
      await sleep(1500);
      const t0 = Date.now();
      await cluster.restart('kino-2');
      console.log(`# kino-2 back in HAProxy ${Date.now() - t0} ms after its restart`);
      await sleep(1500);
      run = false;
      await load;
      const after = results.filter((r) => r.at >= gone);
      const failed = after.filter((r) => r.status !== 200);
      console.log(`# ${after.length} requests after the kill, ${failed.length} failed`);
      assert.ok(after.length > 40, `the load ran (${after.length} requests)`);
      assert.deepEqual(failed, [], 'every request after the kill succeeded');
      const servedAgain = accessLines(cluster.logOf('kino-2'), ua).length - servedBefore;
      assert.ok(servedAgain > 0, 'kino-2 serves requests again after its restart');
    });

    it('stops everything and leaves no process behind', { timeout: 90_000 }, async () => {
      await cluster.stop();
      cluster = null;
      assert.deepEqual(processesInNamespace().map((p) => `${p.pid} ${p.cmdline}`), []);
    });
  });
}
