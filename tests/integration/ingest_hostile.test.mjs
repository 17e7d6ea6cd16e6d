// Hostile sources that try to make ffmpeg read files of the Kino machine (regression for the
// "ID3 tag + HLS playlist with local paths" report). A canary video sits in a local folder; every
// source below points at it one way or another, is served from 127.0.0.1, and must fail with a
// clear error, publish nothing, and leave no trace of the canary anywhere in Kino's data folder,
// its API answers or its logs. The canary carries a marker text in its H.264 stream, so a stream
// copy of it would carry the marker into published segments.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { get, post, registerUser, createRoom } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, waitFailed, waitReady, historyStates, FFMPEG,
} from './media_fixtures.mjs';

const run = promisify(execFile);

/** Every regular file under `dir`. */
function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

const FORMAT_REFUSED = /playlist or a format Kino does not open/;
const NOT_A_VIDEO = /not a video Kino can read/;

describe('hostile sources cannot make ffmpeg read local files', () => {
  let k;
  let host;
  let owner;
  let canaryDir;
  let canary;
  let marker;

  before(async () => {
    const clips = await ensureClips(['h264.mp4', 'hls']);
    host = await startMediaHost(clips);
    canaryDir = mkdtempSync(path.join(tmpdir(), 'kino-canary-'));
    canary = path.join(canaryDir, 'canary.ts');
    marker = `KINO_CANARY_${token('m')}`;
    await run(FFMPEG, ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-bsf:v',
      `h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+${marker}`, '-f', 'mpegts', canary]);
    assert.ok(readFileSync(canary).includes(marker), 'the canary carries its marker');
    k = await startKino({ env: ingestEnv() });
    owner = await registerUser(k);
  });
  after(async () => {
    await k?.stop();
    await host?.close();
    if (canaryDir) rmSync(canaryDir, { recursive: true, force: true });
  });

  const id3 = () => Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1');
  const playlist = (uri) => `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n${uri}\n#EXT-X-ENDLIST\n`;

  /** The hostile sources: [name, served path, Content-Type, body, expected error]. */
  const sources = () => [
    ['HLS with an absolute path behind an ID3 tag', '/hostile/id3.ts', 'video/mp2t',
      Buffer.concat([id3(), Buffer.from(playlist(canary))]), FORMAT_REFUSED],
    ['HLS with a file:// URL behind an ID3 tag', '/hostile/id3url.ts', 'video/mp2t',
      Buffer.concat([id3(), Buffer.from(playlist(`file://${canary}`))]), FORMAT_REFUSED],
    ['HLS behind a UTF-8 byte order mark', '/hostile/bom.mp4', 'video/mp4',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(playlist(canary))]), /does not open|not a video/],
    ['HLS behind white space', '/hostile/space.mp4', 'application/octet-stream',
      Buffer.from(` \n\t${playlist(canary)}`), /does not open|not a video/],
    ['an ffconcat script', '/hostile/list.txt', 'text/plain',
      Buffer.from(`ffconcat version 1.0\nfile ${canary}\nfile canary.ts\n`), FORMAT_REFUSED],
    ['a DASH manifest with file:// URLs', '/hostile/manifest.mpd', 'application/dash+xml',
      Buffer.from('<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
        + 'mediaPresentationDuration="PT2S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">'
        + '<Period><AdaptationSet mimeType="video/mp2t"><Representation id="0" bandwidth="100000" codecs="avc1.42c00a" '
        + `width="160" height="120"><BaseURL>file://${canary}</BaseURL></Representation></AdaptationSet></Period></MPD>\n`),
      FORMAT_REFUSED],
    ['an HLS playlist with a data: URI behind an ID3 tag', '/hostile/data.ts', 'video/mp2t',
      Buffer.concat([id3(), Buffer.from(playlist(`data:video/mp2t;base64,${readFileSync(canary).toString('base64')}`))]),
      FORMAT_REFUSED],
    ['an image named like an image2 pattern', '/hostile/frame%25d.png', 'image/png',
      Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201b6d64c5a0000000049454e44ae426082', 'hex'),
      /does not open|not a video|no playable video/i],
  ];

  /** Asserts the failure is clean: failed with the expected text, nothing published, no canary. */
  async function assertCleanFailure(m, expected, what) {
    assert.equal(m.state, 'failed', `${what}: ${JSON.stringify(m)}`);
    assert.match(m.error, expected, `${what}: ${m.error}`);
    assert.equal(m.playable, false, what);
    assert.equal(m.hls_url, undefined, what);
    assert.ok(!m.error.includes(canaryDir) && !m.error.includes(marker), `${what}: no local path in the error: ${m.error}`);
    assert.ok(!/\/tmp\/|file:/.test(m.error), `${what}: no local path in the error: ${m.error}`);
  }

  it('every hostile source fails with a clear error and publishes nothing', async () => {
    for (const [, p, type, body] of sources()) host.bodies.set(p, { type, body });
    for (const [what, p, , , expected] of sources()) {
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`${p}?${token('h')}`) });
      const m = await waitFailed(k, room.slug, owner.cookie);
      await assertCleanFailure(m, expected, what);
      assert.deepEqual(historyStates(m), ['queued', 'downloading', 'probing', 'failed'], `${what}: ${JSON.stringify(m.history)}`);
    }
  });

  it('an HLS source whose first segment is itself a hostile playlist fails the same way (Kino joins the segments; ffmpeg reads one file)', async () => {
    host.bodies.set('/hostile/inner.ts', { type: 'video/mp2t', body: Buffer.concat([id3(), Buffer.from(playlist(canary))]) });
    host.bodies.set('/hostile/outer.m3u8', {
      type: 'application/vnd.apple.mpegurl',
      body: '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/hostile/inner.ts\n#EXTINF:2,\n/hls/seg_000.ts\n#EXT-X-ENDLIST\n',
    });
    const before = host.requests.length;
    const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/hostile/outer.m3u8?${token('outer')}`) });
    const m = await waitFailed(k, room.slug, owner.cookie);
    await assertCleanFailure(m, FORMAT_REFUSED, 'nested');
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'probing', 'failed']);
    const paths = host.requests.slice(before).map((r) => r.path);
    assert.ok(paths.includes('/hostile/inner.ts') && paths.includes('/hls/seg_000.ts'), `Kino fetched both segments itself: ${paths}`);
  });

  it('an HLS playlist parsed by Kino may only lead to http(s): local paths are fetched from the same host, file:// and data: are refused', async () => {
    host.bodies.set('/hostile/local.m3u8', { type: 'application/vnd.apple.mpegurl', body: playlist(canary) });
    host.bodies.set('/hostile/fileurl.m3u8', { type: 'application/vnd.apple.mpegurl', body: playlist(`file://${canary}`) });
    host.bodies.set('/hostile/datauri.m3u8', {
      type: 'application/vnd.apple.mpegurl', body: playlist(`data:video/mp2t;base64,${readFileSync(canary).toString('base64')}`),
    });
    const before = host.requests.length;
    const local = await waitFailed(k, (await createRoom(k, owner.cookie, { video_url: host.url(`/hostile/local.m3u8?${token('l')}`) })).room.slug, owner.cookie);
    assert.match(local.error, /\b404\b/, `the absolute path was asked of the video host, which has no such file: ${local.error}`);
    assert.ok(host.requests.slice(before).some((r) => r.path === canary), 'fetched over http from 127.0.0.1');
    for (const p of ['/hostile/fileurl.m3u8', '/hostile/datauri.m3u8']) {
      const m = await waitFailed(k, (await createRoom(k, owner.cookie, { video_url: host.url(`${p}?${token('u')}`) })).room.slug, owner.cookie);
      assert.match(m.error, /only link to http\(s\)/, `${p}: ${m.error}`);
      assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed'], p);
    }
  });

  it('a data: URI as the video link is refused and never read', async () => {
    const url = `data:video/mp2t;base64,${readFileSync(canary).toString('base64').slice(0, 200)}`;
    const res = await post(k, '/api/v1/rooms', { title: 'Data link', video_url: url, visibility: 'public' }, { cookie: owner.cookie });
    if (res.status !== 422) {
      assert.equal(res.status, 201, `422 or 201: ${res.status} ${res.text.slice(0, 200)}`);
      const m = await waitFailed(k, res.json.room.slug, owner.cookie);
      assert.equal(m.playable, false);
    }
  });

  it('a real video still ingests (the whitelists let Kino\'s own sources through)', async () => {
    const file = await waitReady(k, (await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('ok')}`) })).room.slug, owner.cookie);
    assert.equal(file.playable, true);
    const hls = await waitReady(k, (await createRoom(k, owner.cookie, { video_url: host.url(`/hls/master.m3u8?${token('okh')}`) })).room.slug, owner.cookie);
    assert.equal((await get(k, hls.hls_url)).status, 200);
  });

  it('the canary text is nowhere in Kino\'s data folder (blob store, work files, database) nor in its logs', async () => {
    const files = filesUnder(k.dataDir);
    assert.ok(files.some((f) => f.includes(`${path.sep}media${path.sep}`)), `the blob store has files (the real videos): ${files.length}`);
    for (const f of files) {
      assert.ok(!readFileSync(f).includes(marker), `canary marker found in ${path.relative(k.dataDir, f)}`);
    }
    assert.ok(!k.logs().includes(marker), 'canary marker in the logs');
  });
});
