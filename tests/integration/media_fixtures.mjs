// Media fixtures for the ingest and media-origin tests: tiny clips made with ffmpeg (cached in a temp
// dir keyed by the recipes, so every test file makes them at most once), a local node:http "video
// host" on 127.0.0.1:0 that serves them with a request log, and helpers to drive and inspect ingest
// (poll a room's job, fetch origin bytes, ffprobe a segment, parse playlists). Node 20 built-ins only.
//
// Network rule: every video URL a test hands to Kino comes from `mediaHost.url(...)`, i.e. points at
// 127.0.0.1 — tests never name a real host.
import http from 'node:http';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { get, relaxedLimits, sleep } from './http.mjs';

const run = promisify(execFile);
export const FFMPEG = process.env.KINO_TEST_FFMPEG || 'ffmpeg';
export const FFPROBE = process.env.KINO_TEST_FFPROBE || 'ffprobe';

// ---------------------------------------------------------------------------------------------
// Clips

const lavfi = (video, audio) => ['-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', audio];

/**
 * The clip recipes (ffmpeg arguments after the inputs, output name last). `aq-strength=0.77` marks
 * the H.264 source: x264 writes its options (`aq=1:0.77`) into an SEI of the first frame, so a
 * segment that still carries that text was stream-copied, not re-encoded (Kino encodes with aq 1.00).
 */
const RECIPES = {
  'h264.mp4': [
    ...lavfi('testsrc2=size=640x360:rate=25:duration=6', 'sine=frequency=440:sample_rate=48000:duration=6'),
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-x264-params', 'aq-strength=0.77',
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart',
  ],
  'vp9.webm': [
    ...lavfi('testsrc2=size=640x360:rate=25:duration=4', 'sine=frequency=330:sample_rate=48000:duration=4'),
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k',
    '-c:a', 'libopus', '-shortest',
  ],
  // 720p and long enough that Kino's 3-rendition x264 transcode takes several seconds on 2 cores.
  'vp9_720.webm': [
    ...lavfi('testsrc2=size=1280x720:rate=25:duration=12', 'sine=frequency=550:sample_rate=48000:duration=12'),
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k',
    '-c:a', 'libopus', '-shortest',
  ],
};
/** Expected facts about the clips (what the recipes produce). */
export const CLIP_INFO = {
  'h264.mp4': { duration: 6, width: 640, height: 360, type: 'video/mp4' },
  'vp9.webm': { duration: 4, width: 640, height: 360, type: 'video/webm' },
  'vp9_720.webm': { duration: 12, width: 1280, height: 720, type: 'video/webm' },
};
/** The marker x264 wrote into h264.mp4 (see RECIPES). */
export const H264_SOURCE_MARKER = 'aq=1:0.77';

const cacheKey = createHash('sha256').update(JSON.stringify(RECIPES)).update('hls-v1').digest('hex').slice(0, 12);
export const clipDir = process.env.KINO_TEST_CLIP_DIR || path.join(tmpdir(), `kino-test-clips-${cacheKey}`);

async function makeClip(name) {
  const out = path.join(clipDir, name);
  if (existsSync(out)) return out;
  mkdirSync(clipDir, { recursive: true });
  const partial = path.join(clipDir, `.${process.pid}.${Date.now()}.${name}`);
  try {
    await run(FFMPEG, ['-nostdin', '-v', 'error', '-y', ...RECIPES[name], partial], { timeout: 120_000 });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  renameSync(partial, out); // atomic: another test file making the same clip sees all or nothing
  return out;
}

async function makeHls(h264) {
  const dir = path.join(clipDir, 'hls');
  if (existsSync(path.join(dir, 'master.m3u8'))) return dir;
  const partial = mkdtempSync(path.join(clipDir, '.hls-'));
  await run(FFMPEG, ['-nostdin', '-v', 'error', '-y', '-i', h264, '-c', 'copy', '-f', 'hls', '-hls_time', '2',
    '-hls_playlist_type', 'vod', '-hls_segment_filename', path.join(partial, 'seg_%03d.ts'),
    path.join(partial, 'index.m3u8')], { timeout: 60_000 });
  writeFileSync(path.join(partial, 'master.m3u8'),
    '#EXTM3U\n#EXT-X-VERSION:3\n'
    + '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\nindex.m3u8\n');
  try { renameSync(partial, dir); } catch { rmSync(partial, { recursive: true, force: true }); }
  return dir;
}

/**
 * Makes (or finds in the cache) the clips named; returns {name: absolute path}. `hls` gives a folder
 * with `master.m3u8` → `index.m3u8` (VOD, 2 s segments `seg_NNN.ts`, stream copy of h264.mp4).
 * @param {string[]} names  keys of RECIPES and/or 'hls'
 */
export async function ensureClips(names) {
  const out = {};
  for (const name of names) {
    if (name === 'hls') out.hls = await makeHls(await makeClip('h264.mp4'));
    else out[name] = await makeClip(name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The local video host

const TYPES = { '.mp4': 'video/mp4', '.webm': 'video/webm', '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t' };
const typeOf = (file) => TYPES[path.extname(file)] || 'application/octet-stream';

/** 200 000 bytes of seeded pseudo-random noise (never valid media). */
function noise(size = 200_000) {
  const b = Buffer.alloc(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
  return b;
}

/**
 * Starts the local video host on 127.0.0.1:0. Query strings are ignored for routing (tests add
 * `?t=...` to make distinct URLs, hence distinct Kino assets) but kept in the request log.
 *
 * Routes:
 *  - `/files/<clip>`            the clip, with Content-Length
 *  - `/chunked/<clip>`          the clip without Content-Length (chunked)
 *  - `/slow/<clip>`             the clip at `host.slowBytesPerSec` (0 = full speed; changeable live)
 *  - `/hop/<n>/<rest>`          n redirects (302 to `/hop/<n-1>/<rest>`, `/hop/1/<rest>` → `/<rest>`)
 *  - `/hls/<file>`              the HLS VOD (master.m3u8, index.m3u8, seg_NNN.ts)
 *  - `/badhls/<kind>.m3u8`     a VOD playlist whose 2nd segment is `/missing.mp4` (missing), `/page.html`
 *                               (html) or 6 redirects away (redirects); `master` lists a 404 variant
 *  - `/flaky/<name>`            404 until `host.fixed.add(name)`, then h264.mp4
 *  - `/missing.mp4`             404
 *  - `/page.html`               a text/html page
 *  - `/noise.mp4`               random bytes as video/mp4
 *  - `/trickle/<rate>/<rest>`   `/<rest>` (a clip, an HLS file or a `host.bodies` entry) sent at
 *                               <rate> bytes/s in small writes; `/trickle/<rate>/forever` never ends
 *  - any path in `host.bodies`  (Map path → {type, body}) that body with that Content-Type
 * @param {Record<string,string>} clips  from ensureClips
 */
export async function startMediaHost(clips) {
  const random = noise();
  const host = {
    /** every request: {method, url (path + query), path, at} */
    requests: [],
    slowBytesPerSec: 64 * 1024,
    fixed: new Set(),
    /** Extra routes a test registers: path → {type, body (Buffer or string)}. */
    bodies: new Map(),
    url: (p) => `${host.base}${p}`,
    /** Requests whose path+query starts with `prefix` (or equals it when `exact`). */
    count: (prefix, exact = false) => host.requests.filter((r) => (exact ? r.url === prefix : r.url.startsWith(prefix))).length,
  };
  const clipFile = (name) => (Object.hasOwn(CLIP_INFO, name) ? clips[name] : undefined);
  const notFound = (res) => { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found'); };

  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    const p = u.pathname;
    host.requests.push({ method: req.method, url: p + u.search, path: p, at: Date.now() });
    const sendFile = (file, { chunked = false } = {}) => {
      if (!file || !existsSync(file)) return notFound(res);
      const body = readFileSync(file);
      const headers = { 'Content-Type': typeOf(file) };
      if (!chunked) headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      if (!chunked) return res.end(body);
      for (let i = 0; i < body.length; i += 16384) res.write(body.subarray(i, i + 16384));
      return res.end();
    };
    let m;
    if (host.bodies.has(p)) {
      const { type, body } = host.bodies.get(p);
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      return res.end(body);
    }
    if ((m = p.match(/^\/trickle\/(\d+)\/(.+)$/))) {
      const rate = Number(m[1]);
      const rest = `/${m[2]}`;
      let body = null;
      let type = 'video/mp2t';
      if (host.bodies.has(rest)) ({ type, body } = host.bodies.get(rest));
      else if ((m = rest.match(/^\/files\/([\w.-]+)$/)) && clipFile(m[1])) body = readFileSync(clipFile(m[1]));
      else if ((m = rest.match(/^\/hls\/([\w.-]+)$/)) && clips.hls && existsSync(path.join(clips.hls, m[1]))) {
        body = readFileSync(path.join(clips.hls, m[1]));
      } else if (rest !== '/forever') return notFound(res);
      body = body === null ? null : Buffer.from(body);
      res.writeHead(200, body ? { 'Content-Type': type, 'Content-Length': body.length } : { 'Content-Type': type });
      const tick = 100; // ms
      const step = Math.max(1, Math.round((rate * tick) / 1000));
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const n = body ? Math.min(step, body.length - sent) : step;
        res.write(body ? body.subarray(sent, sent + n) : Buffer.alloc(n, 0x47));
        sent += n;
        if (body && sent >= body.length) { clearInterval(timer); res.end(); }
      }, tick);
      res.on('close', () => clearInterval(timer));
      return undefined;
    }
    if ((m = p.match(/^\/files\/([\w.-]+)$/))) return sendFile(clipFile(m[1]));
    if ((m = p.match(/^\/chunked\/([\w.-]+)$/))) return sendFile(clipFile(m[1]), { chunked: true });
    if ((m = p.match(/^\/hls\/([\w.-]+)$/))) return sendFile(clips.hls && path.join(clips.hls, m[1]));
    if ((m = p.match(/^\/hop\/(\d+)\/(.+)$/))) {
      const n = Number(m[1]);
      const next = n > 1 ? `/hop/${n - 1}/${m[2]}` : `/${m[2]}`;
      res.writeHead(302, { Location: next + u.search, 'Content-Length': 0 });
      return res.end();
    }
    if ((m = p.match(/^\/flaky\/([\w.-]+)$/))) {
      if (!host.fixed.has(m[1])) return notFound(res);
      return sendFile(clips['h264.mp4']);
    }
    if ((m = p.match(/^\/badhls\/([\w-]+)\.m3u8$/))) {
      const second = { missing: '/missing.mp4', html: '/page.html', redirects: '/hop/6/hls/seg_001.ts' }[m[1]];
      if (m[1] === 'master') {
        const text = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360\n/missing.m3u8\n';
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' });
        return res.end(text);
      }
      if (!second) return notFound(res);
      const text = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n'
        + `#EXTINF:2.0,\n/hls/seg_000.ts\n#EXTINF:2.0,\n${second}\n#EXTINF:2.0,\n/hls/seg_002.ts\n#EXT-X-ENDLIST\n`;
      res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' });
      return res.end(text);
    }
    if (p === '/missing.mp4') return notFound(res);
    if (p === '/page.html') {
      const html = '<!doctype html><html><head><title>My video</title></head><body><video src="x.mp4"></video></body></html>';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
      return res.end(html);
    }
    if (p === '/noise.mp4') {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': random.length });
      return res.end(random);
    }
    if ((m = p.match(/^\/slow\/([\w.-]+)$/))) {
      const file = clipFile(m[1]);
      if (!file) return notFound(res);
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': typeOf(file), 'Content-Length': body.length });
      let sent = 0;
      let timer;
      const chunk = 8192;
      const pump = () => {
        if (res.destroyed) return;
        const rate = host.slowBytesPerSec;
        const n = rate > 0 ? chunk : body.length - sent;
        res.write(body.subarray(sent, sent + n));
        sent += n;
        if (sent >= body.length) return res.end();
        timer = setTimeout(pump, rate > 0 ? (chunk / rate) * 1000 : 0);
      };
      res.on('close', () => clearTimeout(timer));
      res.on('error', () => clearTimeout(timer));
      return pump();
    }
    return notFound(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.port = server.address().port;
  host.base = `http://127.0.0.1:${host.port}`;
  host.close = () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); });
  return host;
}

// ---------------------------------------------------------------------------------------------
// Kino with ingest

let uniq = 0;
/** A token that makes a URL distinct (and so a distinct Kino asset). */
export const token = (label = 't') => `${label}${process.pid.toString(36)}${Date.now().toString(36)}${++uniq}`;

/** Env for a Kino that ingests from 127.0.0.1 (private addresses allowed, one job packaging at a time, 2 s segments). */
export function ingestEnv(extra = {}) {
  return {
    ...relaxedLimits,
    KINO_ROOMS_CREATE_USER_MAX_PER_HOUR: '1000',
    KINO_INGEST_ENABLED: 'true',
    KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'true',
    KINO_INGEST_CONCURRENCY: '1',
    KINO_INGEST_SEGMENT_SECONDS: '2',
    KINO_INGEST_MIN_FREE_MB: '16',
    ...extra,
  };
}

export const MEDIA_STATES = ['queued', 'downloading', 'probing', 'packaging', 'ready', 'failed'];

/** GET /api/v1/rooms/{slug}/ingest; asserts 200 and a sane media shape; returns the JSON. */
export async function getIngest(k, slug, cookie) {
  const res = await get(k, `/api/v1/rooms/${slug}/ingest`, { cookie });
  assert.equal(res.status, 200, `GET ingest ${slug}: ${res.status} ${res.text.slice(0, 300)}`);
  assertMediaShape(res.json, `ingest ${slug}`);
  return res.json;
}

/** Asserts the `media` object shape from the brief. */
export function assertMediaShape(m, where = 'media') {
  const s = JSON.stringify(m);
  assert.ok(m && typeof m === 'object', `${where}: an object: ${s}`);
  assert.ok(MEDIA_STATES.includes(m.state), `${where}: state in ${MEDIA_STATES}: ${s}`);
  assert.equal(typeof m.percent, 'number', `${where}: percent is a number: ${s}`);
  assert.ok(m.percent >= 0 && m.percent <= 100, `${where}: 0 <= percent <= 100: ${s}`);
  assert.ok(m.eta_s === null || (Number.isFinite(m.eta_s) && m.eta_s >= 0), `${where}: eta_s null or >= 0: ${s}`);
  assert.ok(m.error === null || typeof m.error === 'string', `${where}: error null or text: ${s}`);
  assert.equal(typeof m.playable, 'boolean', `${where}: playable boolean: ${s}`);
  assert.ok(m.duration_s === null || (typeof m.duration_s === 'number' && m.duration_s > 0), `${where}: duration_s: ${s}`);
  if (m.playable) assert.equal(typeof m.hls_url, 'string', `${where}: hls_url when playable: ${s}`);
  else assert.equal(m.hls_url, undefined, `${where}: no hls_url before playable: ${s}`);
  if (m.state === 'ready') assert.equal(typeof m.poster_url, 'string', `${where}: poster_url when ready: ${s}`);
  if (m.state === 'failed') assert.ok(m.error && m.error.length > 0, `${where}: failed has an error text: ${s}`);
}

/**
 * Polls the room's ingest until `until(media)` holds; returns {media, seen} (`seen`: every polled
 * media object, in order). Throws with the last answer on timeout.
 */
export async function waitIngest(k, slug, cookie, until = (m) => m.state === 'ready' || m.state === 'failed',
  { timeoutMs = 60_000, intervalMs = 100, onPoll } = {}) {
  const seen = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await getIngest(k, slug, cookie);
    seen.push(m);
    if (onPoll) await onPoll(m);
    if (until(m)) return { media: m, seen };
    if (Date.now() > deadline) {
      throw new Error(`ingest of ${slug} did not reach the wanted state in ${timeoutMs} ms; last: ${JSON.stringify(m)}`);
    }
    await sleep(intervalMs);
  }
}

/** Waits for ready (asserting it did not fail); returns the media. */
export async function waitReady(k, slug, cookie, opts) {
  const { media } = await waitIngest(k, slug, cookie, undefined, opts);
  assert.equal(media.state, 'ready', `ingest of ${slug} should be ready: ${JSON.stringify(media)}`);
  return media;
}

/** Waits for failed (asserting it did not become ready); returns the media. */
export async function waitFailed(k, slug, cookie, opts) {
  const { media } = await waitIngest(k, slug, cookie, undefined, opts);
  assert.equal(media.state, 'failed', `ingest of ${slug} should fail: ${JSON.stringify(media)}`);
  return media;
}

export const historyStates = (m) => (m.history || []).map((h) => h.state);

/** Asserts history entries are {state, at} with RFC 3339 times in non-decreasing order. */
export function assertHistoryTimes(m) {
  const h = m.history;
  assert.ok(Array.isArray(h) && h.length > 0, `history is a non-empty array: ${JSON.stringify(m)}`);
  let last = -Infinity;
  for (const e of h) {
    const t = Date.parse(e.at);
    assert.ok(Number.isFinite(t) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(e.at), `history time RFC 3339 UTC: ${JSON.stringify(e)}`);
    assert.ok(t >= last, `history times in order: ${JSON.stringify(h)}`);
    last = t;
  }
}

/** GET of a path on Kino as bytes (fetch; no redirects followed). */
export async function fetchBytes(k, p, headers = {}) {
  const res = await fetch(k.url + p, { headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
}

/** `/media/.../master.m3u8` → the prefix without the file name. */
export const prefixOf = (hlsUrl) => hlsUrl.replace(/\/master\.m3u8$/, '');

/** Parses a master playlist: [{bandwidth, width, height, uri}]. */
export function parseMaster(text) {
  assert.match(text, /^#EXTM3U/, `master playlist starts with #EXTM3U: ${text.slice(0, 200)}`);
  const lines = text.split(/\r?\n/);
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const attrs = lines[i].slice('#EXT-X-STREAM-INF:'.length);
    const bw = attrs.match(/(?:^|,)BANDWIDTH=(\d+)/);
    const res = attrs.match(/(?:^|,)RESOLUTION=(\d+)x(\d+)/);
    let j = i + 1;
    while (j < lines.length && (lines[j] === '' || lines[j].startsWith('#'))) j++;
    out.push({ bandwidth: bw ? Number(bw[1]) : undefined, width: res ? Number(res[1]) : undefined,
      height: res ? Number(res[2]) : undefined, uri: lines[j] });
  }
  return out;
}

/** Parses a media playlist: {segments: [{duration, uri}], ended, type}. */
export function parseMedia(text) {
  assert.match(text, /^#EXTM3U/, `media playlist starts with #EXTM3U: ${text.slice(0, 200)}`);
  const lines = text.split(/\r?\n/);
  const segments = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^#EXTINF:([\d.]+)/);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && (lines[j] === '' || lines[j].startsWith('#'))) j++;
    segments.push({ duration: Number(m[1]), uri: lines[j] });
  }
  const type = (text.match(/^#EXT-X-PLAYLIST-TYPE:(\w+)/m) || [])[1];
  return { segments, ended: /^#EXT-X-ENDLIST\s*$/m.test(text), type };
}

/** Resolves a playlist-relative URI against the Kino path of its playlist. */
export const resolveUri = (playlistPath, uri) => new URL(uri, `http://x${playlistPath}`).pathname;

const probeDir = mkdtempSync(path.join(tmpdir(), 'kino-probe-'));
process.on('exit', () => { try { rmSync(probeDir, { recursive: true, force: true }); } catch { /* ignore */ } });

/** ffprobe of some bytes (a segment): the streams [{codec_type, codec_name, width, height, ...}]. */
export async function probeStreams(bytes, ext = '.ts') {
  const file = path.join(probeDir, `${++uniq}${ext}`);
  writeFileSync(file, bytes);
  try {
    const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
    const j = JSON.parse(stdout);
    return { streams: j.streams || [], format: j.format || {} };
  } finally {
    rmSync(file, { force: true });
  }
}
