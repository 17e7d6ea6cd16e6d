// The chaos test: on the local cluster (tests/lib/cluster.mjs: three Kino nodes behind HAProxy,
// PostgreSQL under Patroni, three NATS servers, Swift with five servers, two Janus nodes), 30 people
// chat without pause over WebSocket in three rooms (tests/lib/chatter.mjs: reconnect at once with
// resume_from, unacknowledged messages sent again with their id), while three Chromium pages in the
// first of those rooms play the film (ingested into the S3 store), show the chat and hold a video
// call with camera and microphone on. One at a time, with recovery in between, kill -9: the Kino
// node running the film room (and then the next one, drained with SIGTERM), the PostgreSQL primary,
// a NATS server, the Janus node carrying the call, and a Swift object server. After each: every
// chatter chats again, every page decodes video from the two others again (and from the call joined
// on its current socket: a page that reconnected plays the old call until the new one flows), and
// the three players agree within 100 ms. At the end every acknowledged message is in its room's
// history exactly once. Prints a table (chat back / media back / call re-formed / players apart) for
// docs/benchmarks.md. The cluster listens on fixed ports, so the test runs itself again inside
// tools/netns-run; to run it directly: `tools/netns-run node --test <this file>`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inNetns, runInNetns } from '../lib/netns.mjs';
import { startCluster, clusterUnavailableReason, processesInNamespace, netnsOf, JANUS_NODES } from '../lib/cluster.mjs';
import { Chatter, assertNothingLost } from '../lib/chatter.mjs';
import { CALL_CHROMIUM_ARGS, setToggle, callGrid } from '../lib/video_call.mjs';
import { launchChromium, serveTestClip } from '../lib/e2e.mjs';
import { registerUser, createRoom, relaxedLimits, post, guestCookieFrom, sleep } from '../integration/http.mjs';
import { closeAllSockets } from '../integration/ws_client.mjs';
import { waitReady } from '../integration/media_fixtures.mjs';

const self = fileURLToPath(import.meta.url);
const skip = clusterUnavailableReason() || false;

/** Targets of the issue: chat works again within 3 s, the call shows video again within 5 s. */
const CHAT_TARGET_MS = 3000;
const MEDIA_TARGET_MS = 5000;
const AGREE_MS = 100;
const PEOPLE_PER_ROOM = 10;
const PAGES = 3;

if (!inNetns) {
  describe('chaos on the local cluster', { skip }, () => {
    it('passes inside a private network namespace, which is gone afterwards', { timeout: 1_200_000 }, async () => {
      const { code, output } = await runInNetns(self);
      assert.equal(code, 0, `the run inside tools/netns-run failed (exit ${code}):\n${output.split('\n').slice(-80).join('\n')}`);
      const ns = output.match(/# cluster namespace (net:\[\d+\])/)?.[1];
      assert.ok(ns, 'the inner run named its namespace');
      assert.deepEqual(processesInNamespace(ns).map((p) => `${p.pid} ${p.cmdline}`), [], 'no process is left in it');
    });
  });
} else {
  describe('chaos: kill -9 one part at a time under chat, playback and a video call', { skip }, () => {
    let cluster;
    let clip;
    let browser;
    const lb = {};
    const rooms = [];     // {slug, chatters}: the three chat rooms
    let film;             // {slug, url, host}: the first of them, which the pages watch, in a call
    const pages = [];     // {name, page}
    const table = [];     // one row per kill

    const psql = (sql) => execFileSync('psql', [cluster.pg.conninfo, '-Atqc', sql], { encoding: 'utf8' }).trim();
    const roomId = (slug) => psql(`SELECT id FROM rooms WHERE slug = '${slug}'`);
    /** The Kino node running the room now (its lease), e.g. "kino-2". */
    const ownerOf = (slug) => psql(`SELECT holder FROM leases WHERE name = 'room:${roomId(slug)}' AND expires_at > ${Date.now()}`);
    /** The Janus node carrying the room's call, e.g. "janus-1". */
    const janusOf = (slug) => {
      const node = psql(`SELECT janus_node FROM media_placements WHERE room_id = ${roomId(slug)}`);
      return JANUS_NODES.find((n) => node.endsWith(`:${n.port}`))?.name;
    };
    /** The 30 in the chat rooms (the film room's host among them). */
    const everyChatter = () => rooms.flatMap((r) => r.chatters);
    /** page.evaluate, failing after 10 s (a page that stopped answering fails the test, not hangs it). */
    const ask = (page, fn, arg) => Promise.race([page.evaluate(fn, arg),
      sleep(10_000).then(() => { throw new Error(`a page did not answer in 10 s (browser memory: ${chromiumRssMiB()} MiB)`); })]);
    const chromiumRssMiB = () => Math.round(processesInNamespace()
      .filter((p) => p.cmdline.includes('chromium')).reduce((kb, p) => kb + (p.rssKb || 0), 0) / 1024);

    /** Per page: the participants whose video frames it decoded, with counts. */
    /** Debug only: each page keeps when its PeerConnections were made, negotiated and connected. */
    function logPeerConnections() {
      const log = [];
      window.__pcLog = log;
      const Native = window.RTCPeerConnection;
      let n = 0;
      window.RTCPeerConnection = function (...args) {
        const pc = new Native(...args);
        const id = ++n;
        const note = (what) => log.push({ t: Date.now(), pc: id, what });
        note('new');
        for (const m of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) {
          const f = pc[m].bind(pc);
          pc[m] = (...a) => { note(m); return f(...a).then((r) => { note(`${m} done`); return r; }); };
        }
        pc.addEventListener('connectionstatechange', () => note(`connection ${pc.connectionState}`));
        pc.addEventListener('iceconnectionstatechange', () => note(`ice ${pc.iceConnectionState}`));
        pc.addEventListener('track', () => note('track'));
        return pc;
      };
      window.RTCPeerConnection.prototype = Native.prototype;
    }

    /**
     * Each page samples, every 100 ms on its own clock, how many video frames it decoded from each
     * participant: the recovery is read from what the page saw when, not from when a busy page
     * got round to answering the test (a round trip to three pages can take seconds on two cores).
     */
    const STILL_MS = 500;
    const startVideoSamplers = () => Promise.all(pages.map(({ page }) => ask(page, () => {
      if (window.__chaosVideo) return;
      const samples = [];
      window.__chaosVideo = samples;
      let busy = false;
      setInterval(async () => {
        if (busy || !window.__kinoCall) return;
        busy = true;
        try {
          const list = await window.__kinoCall.inboundStats();
          const frames = Object.fromEntries(list.filter((x) => x.kind === 'video').map((x) => [x.participant_id, x.framesDecoded ?? 0]));
          // carried: tiles still playing the previous socket's call (a handover after a reconnect).
          samples.push({ t: Date.now(), frames, carried: window.__kinoCall.state().carried });
          if (samples.length > 2000) samples.splice(0, samples.length - 2000);
        } catch { /* a call being torn down: the next sample */ } finally {
          busy = false;
        }
      }, 100);
    })));
    const videoSamples = (since) => Promise.all(pages.map(({ page }) =>
      ask(page, (from) => (window.__chaosVideo ?? []).filter((x) => x.t >= from), since - 1000)));
    /**
     * When one page's video from the PAGES-1 others came back for good: after the last sample
     * since `since` where some of it stood still (no new frame for STILL_MS: a stall a person
     * notices, not a stutter of a starved renderer), the first sample where all of it moved, once
     * it has kept moving for `steadyMs`. Null while that is not known yet. With `fresh`, video the
     * page still plays from its previous socket's call (a handover) does not count: that is when
     * the call re-formed on the new connections.
     */
    function backAt(samples, since, steadyMs, fresh = false) {
      let back = null;
      let last = null;
      for (let k = 0; k < samples.length; k += 1) {
        const { t, frames } = samples[k];
        let j = k - 1;
        while (j >= 0 && samples[j].t > t - STILL_MS) j -= 1;
        if (j < 0 || t < since) continue;
        const moving = Object.entries(frames).filter(([id, n]) => n > (samples[j].frames[id] ?? 0)).length >= PAGES - 1
          && !(fresh && samples[k].carried > 0);
        if (!moving) back = null;
        else if (back === null) back = t;
        last = t;
      }
      if (back === null || last - back < steadyMs) return null;
      return back;
    }
    /**
     * Resolves with the time when every page shows video from every other page again, for good
     * (with `fresh`: from the call joined on its current socket).
     */
    async function mediaFlowing(timeoutMs, since = Date.now(), fresh = false) {
      await startVideoSamplers();
      const end = Date.now() + timeoutMs;
      let backs = [];
      while (Date.now() < end) {
        await sleep(300);
        const all = await videoSamples(since);
        backs = all.map((samples) => backAt(samples, since, 1000, fresh));
        if (process.env.KINO_CHAOS_DEBUG) console.log(`# ${new Date().toISOString()} ${fresh ? 'call re-formed' : 'video back'} at ${backs.map((b) => (b === null ? '-' : `+${b - since} ms`)).join(' / ')}`);
        if (backs.every((b) => b !== null)) return Math.max(...backs);
      }
      throw new Error(`the call did not show video on every page within ${timeoutMs} ms: ${JSON.stringify(backs)}`);
    }

    /** How far apart the three players are at one server instant (ms), as the playback e2e test reads it. */
    async function spreadMs() {
      const asked = Date.now();
      const s = await Promise.all(pages.map(({ page }) => ask(page, () => ({ ...window.__kinoSync.sample(), stats: window.__kinoSync.stats(), state: undefined }))));
      const at = Math.max(...s.map((x) => x.serverNow));
      const pos = s.map((x) => (x.paused || x.seeking ? x.currentTime : x.currentTime + ((at - x.serverNow) / 1000) * x.rate));
      return { spread: (Math.max(...pos) - Math.min(...pos)) * 1000, playing: s.every((x) => !x.paused), pos, samples: s, tookMs: Date.now() - asked };
    }
    /** Waits until the players agree within AGREE_MS three samples in a row; returns the last spread. */
    async function playersAgree(timeoutMs) {
      const end = Date.now() + timeoutMs;
      let streak = 0;
      let last;
      while (Date.now() < end) {
        last = await spreadMs().catch((e) => ({ spread: Infinity, error: String(e) }));
        streak = last.playing && last.spread <= AGREE_MS ? streak + 1 : 0;
        if (streak >= 3) return last.spread;
        await sleep(300);
      }
      throw new Error(`the players did not agree within ${AGREE_MS} ms: ${JSON.stringify(last)}`);
    }

    /** Every chatter had a message sent after `t` acknowledged; resolves with the slowest delay. */
    async function chatBack(t, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const back = everyChatter().map((c) => c.chatBackAfter(t));
        if (back.every(Number.isFinite)) return Math.max(...back);
        if (Date.now() > end) throw new Error(`${back.filter((b) => !Number.isFinite(b)).length} chatters never chatted again`);
        await sleep(100);
      }
    }

    before(async () => {
      console.log(`# cluster namespace ${netnsOf()}`);
      // Small and slow-paced: three pages decode it next to the call on two cores.
      clip = await serveTestClip({ seconds: 400, gop: 30, size: '320x180', rate: 15 });
      cluster = await startCluster({
        log: (line) => console.log(`# ${line}`),
        kinoEnv: {
          ...relaxedLimits,
          KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000',
          KINO_REALTIME_CHAT_MAX_PER_10S: '1000', KINO_REALTIME_ROOM_CHAT_MAX_PER_MIN: '100000',
          KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',  // the film comes from the test's 127.0.0.1
          KINO_INGEST_SEGMENT_SECONDS: '2',
          KINO_INGEST_MIN_FREE_MB: '16',
        },
      });
      lb.url = cluster.url;
      const t0 = Date.now();
      const phase = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what} (load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
      console.log(`# cluster started in ${(cluster.startMs / 1000).toFixed(1)} s`);
      const owner = await registerUser(lb, { display_name: 'Host' });
      for (let r = 0; r < 3; r += 1) {
        const { room } = await createRoom(lb, owner.cookie, { title: `Chaos ${r + 1}`, video_url: `${clip.url}/clip.mp4` });
        const chatters = [new Chatter(lb, room.slug, owner.cookie, `r${r}-host`)];
        for (let i = 1; i < PEOPLE_PER_ROOM; i += 1) {
          const join = await post(lb, `/api/v1/rooms/${room.slug}/join`, { display_name: `P${r}.${i}` });
          assert.equal(join.status, 200, join.text);
          chatters.push(new Chatter(lb, room.slug, guestCookieFrom(join), `r${r}-p${i}`));
        }
        rooms.push({ slug: room.slug, url: `${lb.url}/r/${room.slug}`, chatters });
      }
      // The pages watch the first room, with its ten people's chat beside the film and the call.
      film = { slug: rooms[0].slug, url: rooms[0].url, host: rooms[0].chatters[0] };
      await waitReady(lb, film.slug, owner.cookie, { timeoutMs: 240_000 });
      phase('the film is ready');
      for (const c of rooms.flatMap((r) => r.chatters)) await c.open();
      phase('30 chatters connected');

      // Three people watch the first room in Chromium, camera and microphone on.
      browser = await launchChromium(CALL_CHROMIUM_ARGS);
      for (let i = 0; i < PAGES; i += 1) {
        const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 700 }, permissions: ['camera', 'microphone'] });
        await context.addInitScript(() => { localStorage.setItem('kino.callDebug', '1'); localStorage.setItem('kino.syncDebug', '1'); });
        if (process.env.KINO_CHAOS_DEBUG) await context.addInitScript(logPeerConnections);
        const join = await context.request.post(`${lb.url}/api/v1/rooms/${film.slug}/join`, { headers: { 'X-Kino-CSRF': '1' }, data: { display_name: `Viewer ${i + 1}` } });
        assert.equal(join.status(), 200, await join.text());
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        await page.goto(film.url);
        await callGrid(page).waitFor();
        await page.waitForFunction(() => window.__kinoCall?.state().joined === true);
        await setToggle(page, 'Camera', true);
        await setToggle(page, 'Microphone', true);
        pages.push({ name: `Viewer ${i + 1}`, page });
        phase(`page ${i + 1} in the call, camera and microphone on`);
      }
      film.host.client.send({ type: 'playback.control', action: 'play', position_s: 5 });
      rooms.flatMap((r) => r.chatters).forEach((c) => c.start(1000));
      await mediaFlowing(60_000);
      phase(`every page decodes the two others; Chromium uses ${chromiumRssMiB()} MiB`);
      console.log(`# everyone in: ${everyChatter().length} chatters, ${PAGES} pages playing with the call; players ${(await playersAgree(30_000)).toFixed(0)} ms apart`);
    }, { timeout: 600_000 });

    after(async () => {
      for (const c of everyChatter()) c.stop();
      closeAllSockets();
      await browser?.close();
      await clip?.close();
      if (table.length) {
        console.log('# | stopped (kill -9 unless said) | chat back (slowest of 30) | call video back (3 pages) | call re-formed (3 pages) | players apart after |');
        console.log('# |---|---|---|---|---|');
        for (const r of table) console.log(`# | ${r.what} | ${r.chat} ms | ${r.media} ms | ${r.reformed} ms | ${r.spread} ms |`);
      }
      const keepLogs = Boolean(process.env.KINO_CHAOS_DEBUG);
      if (keepLogs && cluster) console.log(`# logs kept in ${cluster.logsDir}`);
      await cluster?.stop({ keepLogs });
    }, { timeout: 120_000 });

    /** Kills `component` (a name, or a function choosing one), measures recovery, restarts it. */
    async function chaos(label, choose, signal = 'SIGKILL') {
      const name = typeof choose === 'function' ? choose() : choose;
      assert.ok(name, `${label}: found which one to kill`);
      await sleep(2000);
      const killedAt = Date.now();
      const killed = await cluster.kill(name, signal);
      // Measured side by side: the call may come back before the chat does (or never have stopped:
      // after a reconnect the pages play the old call's streams until the new call flows).
      const [chat, mediaAt, reformedAt] = await Promise.all([chatBack(killedAt, 60_000), mediaFlowing(60_000, killedAt),
        mediaFlowing(60_000, killedAt, true)]);
      const media = Math.max(0, mediaAt - killedAt);
      const reformed = Math.max(0, reformedAt - killedAt);
      if (process.env.KINO_CHAOS_DEBUG) {
        for (const [i, { page }] of pages.entries()) {
          const log = await ask(page, () => window.__pcLog ?? []).catch(() => []);
          console.log(`# page ${i + 1}: ${log.filter((e) => e.t >= killedAt).map((e) => `+${e.t - killedAt} pc${e.pc} ${e.what}`).join(', ')}`);
        }
      }
      const spread = await playersAgree(30_000);
      table.push({ what: `${label} (${killed})`, chat, media, reformed, spread: spread.toFixed(0) });
      console.log(`# Chromium uses ${chromiumRssMiB()} MiB`);
      console.log(`# ${label} ${killed}: chat back after ${chat} ms, call video after ${media} ms, re-formed after ${reformed} ms, players ${spread.toFixed(0)} ms apart`);
      await cluster.restart(killed);
      return { chat, media, reformed };
    }

    it('a Kino node running a room', { timeout: 300_000 }, async () => {
      const r = await chaos('Kino node running the film room', () => ownerOf(film.slug));
      // The call re-forms on the new owner (the old sessions Janus kept are only a bridge).
      assert.ok(r.chat <= 2 * CHAT_TARGET_MS && r.media <= 4 * MEDIA_TARGET_MS && r.reformed <= 4 * MEDIA_TARGET_MS, JSON.stringify(r));
    });

    it('a Kino node running a room, drained (SIGTERM)', { timeout: 300_000 }, async () => {
      const r = await chaos('Kino node running the film room, drained (SIGTERM)', () => ownerOf(film.slug), 'SIGTERM');
      assert.ok(r.chat <= 2 * CHAT_TARGET_MS && r.media <= 4 * MEDIA_TARGET_MS && r.reformed <= 4 * MEDIA_TARGET_MS, JSON.stringify(r));
    });

    it('the PostgreSQL primary', { timeout: 300_000 }, async () => {
      await chaos('PostgreSQL primary', 'pg-primary');
    });

    it('a NATS server', { timeout: 300_000 }, async () => {
      await chaos('NATS server', 'nats-2');
    });

    it('the Janus node carrying the call', { timeout: 300_000 }, async () => {
      const r = await chaos('Janus node with the call', () => janusOf(film.slug));
      assert.ok(r.media <= 4 * MEDIA_TARGET_MS, JSON.stringify(r));
    });

    it('a Swift object server', { timeout: 300_000 }, async () => {
      await chaos('Swift object server', 'swift-object-1');
    });

    it('lost no acknowledged message and doubled none, in any room', { timeout: 120_000 }, async () => {
      let acked = 0;
      for (const r of rooms) acked += await assertNothingLost(lb, r.slug, { cookie: r.chatters[0].cookie }, r.chatters);
      console.log(`# ${acked} acknowledged messages in 3 rooms, every one in its room's history exactly once`);
      assert.ok(acked > 1000, `the chat ran (${acked} messages)`);
    });
  });
}
