// Media on S3: the real kino binary with storage.blob = "s3" against a real OpenStack Swift (s3api,
// 3 replicas over 3 devices, started by tests/lib/swift.mjs on 127.0.0.1). Ingested HLS lands in the
// bucket (not on disk) and the media origin serves it from there with Range, ETag/304, immutable
// caching and signed private links; playback survives a wiped device and a stopped object server;
// a storage outage fails the job visibly and a retry after the outage makes the room ready.
// Start-up refuses a missing bucket and wrong credentials with a clear message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { startSwift, swiftInstalled } from '../lib/swift.mjs';
import { get, post, registerUser, createRoom } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, waitIngest, waitReady, waitFailed, historyStates, fetchBytes,
  prefixOf, parseMaster, parseMedia, resolveUri,
} from './media_fixtures.mjs';

const BUCKET = 'kino-media';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const retry = (k, slug, cookie) => post(k, `/api/v1/rooms/${slug}/ingest/retry`, undefined, { cookie });

/** Every file under `dir` (relative paths), or [] when it does not exist. */
const filesUnder = (dir) => (existsSync(dir)
  ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name)
  : []);

const skip = !swiftInstalled() && 'Swift is not installed (tools/install-deps)';
let swift; // one Swift for the whole file
before(async () => { if (!skip) swift = await startSwift({ buckets: [BUCKET] }); });
after(async () => { await swift?.stop(); });

describe('media on S3 (OpenStack Swift)', { skip }, () => {
  let host;
  let k;
  let owner;
  let pub; // {room, media, asset, files: [origin paths of master, playlists, segments, poster]}

  /** Every origin path of a ready asset: master, each rendition's playlist and segments, the poster. */
  async function originFiles(media) {
    const files = [media.hls_url, media.poster_url];
    for (const v of parseMaster((await fetchBytes(k, media.hls_url)).text)) {
      const playlist = resolveUri(media.hls_url, v.uri);
      files.push(playlist);
      for (const s of parseMedia((await fetchBytes(k, playlist)).text).segments) files.push(resolveUri(playlist, s.uri));
    }
    return files;
  }

  /** Asserts that every origin path answers 200 with the bytes stored in the bucket. */
  async function assertServedFromBucket(files, where) {
    for (const p of files) {
      const r = await fetchBytes(k, p);
      assert.equal(r.status, 200, `${where}: GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
      const key = p.replace(/^\/media\/(s\/[^/]+\/)?/, '');
      const stored = await swift.s3('GET', `/${BUCKET}/${key}`);
      assert.equal(stored.status, 200, `${where}: ${key} is in the bucket`);
      assert.ok(r.body.equals(stored.body), `${where}: ${p} is served byte for byte from the bucket`);
    }
  }

  before(async () => {
    host = await startMediaHost(await ensureClips(['h264.mp4']));
    k = await startKino({ env: ingestEnv(swift.kinoEnv(BUCKET)) });
    owner = await registerUser(k);
    const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('s3pub')}`), visibility: 'public' });
    const media = await waitReady(k, room.slug, owner.cookie);
    pub = { room, media, asset: prefixOf(media.hls_url).split('/').pop() };
    pub.files = await originFiles(media);
  });
  after(async () => {
    await k?.stop();
    await host?.close();
  });

  it('the ingested HLS is in the bucket, three replicas each, and nothing of it on the local disk', async () => {
    const keys = await swift.listKeys(BUCKET, `${pub.asset}/`);
    for (const name of ['master.m3u8', 'poster.jpg', 'v0/index.m3u8', 'v0/seg_00000.ts']) {
      assert.ok(keys.includes(`${pub.asset}/${name}`), `${name} in the bucket: ${keys}`);
    }
    assert.equal(keys.length, pub.files.length, `one object per served file: ${keys}`);
    assert.deepEqual(filesUnder(path.join(k.dataDir, 'media')), [], 'no media files on the local disk');
    for (const device of ['d1', 'd2', 'd3']) {
      assert.ok(swift.dataFiles(device) >= keys.length, `device ${device} holds a replica of every object`);
    }
  });

  it('the origin serves it from the bucket: content types, Range, ETag/304 and cache headers', async () => {
    await assertServedFromBucket(pub.files, 'public');
    const segment = pub.files.find((p) => p.endsWith('.ts'));
    const full = await fetchBytes(k, segment);
    assert.equal(full.headers.get('content-type'), 'video/mp2t');
    assert.equal(full.headers.get('cache-control'), IMMUTABLE);
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    const ranged = await fetchBytes(k, segment, { Range: 'bytes=100-299' });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 100-299/${full.body.length}`);
    assert.ok(ranged.body.equals(full.body.subarray(100, 300)));
    const etag = full.headers.get('etag');
    assert.ok(etag, 'an ETag');
    const again = await fetchBytes(k, segment, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const master = await fetchBytes(k, pub.media.hls_url);
    assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(master.headers.get('cache-control'), 'public, max-age=60', 'a finished playlist');
  });

  it('a file larger than one S3 read (1 MiB) streams whole, and ranges across reads are exact', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 123);
    const put = await swift.s3('PUT', `/${BUCKET}/${pub.asset}/v0/big_test.ts`, big);
    assert.equal(put.status, 200);
    const p = `/media/${pub.asset}/v0/big_test.ts`;
    const whole = await fetchBytes(k, p);
    assert.equal(whole.status, 200);
    assert.equal(Number(whole.headers.get('content-length')), big.length);
    assert.ok(whole.body.equals(big), 'the whole file, byte for byte');
    for (const [first, last] of [[1048000, 1049999], [0, 2097152], [3145000, big.length - 1]]) {
      const r = await fetchBytes(k, p, { Range: `bytes=${first}-${last}` });
      assert.equal(r.status, 206, `${first}-${last}`);
      assert.ok(r.body.equals(big.subarray(first, last + 1)), `bytes ${first}-${last}`);
    }
    assert.equal((await swift.s3('DELETE', `/${BUCKET}/${pub.asset}/v0/big_test.ts`)).status, 204);
  });

  it('a private room serves its media only under a signed path', async () => {
    const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('s3priv')}`), visibility: 'private' });
    const media = await waitReady(k, room.slug, owner.cookie);
    assert.match(media.hls_url, /^\/media\/s\/[^/]+\/[A-Za-z0-9_-]+\/master\.m3u8$/);
    const asset = prefixOf(media.hls_url).split('/').pop();
    assert.equal((await fetchBytes(k, `/media/${asset}/master.m3u8`)).status, 403, 'unsigned: refused');
    const tampered = media.hls_url.replace(/\/media\/s\/([^/]+)\//, (_m, t) => `/media/s/${t.slice(0, -2)}xx/`);
    assert.equal((await fetchBytes(k, tampered)).status, 403, 'tampered token: refused');
    await assertServedFromBucket(await originFiles(media), 'private');
  });

  it('playback survives a wiped device, then a stopped object server too; new videos still publish', async () => {
    swift.wipeDevice('d1');
    assert.equal(swift.dataFiles('d1'), 0, 'the replicas on d1 are gone');
    await assertServedFromBucket(pub.files, 'd1 wiped');
    await swift.stopServer('object-2'); // device d3: only d2 still has every object
    try {
      await assertServedFromBucket(pub.files, 'd1 wiped and object-2 stopped');
      // Writes need 2 of 3 replicas: object-1 (d1, d2) takes them.
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('s3degraded')}`) });
      const media = await waitReady(k, room.slug, owner.cookie);
      await assertServedFromBucket(await originFiles(media), 'ingested while object-2 was stopped');
    } finally {
      await swift.startServer('object-2');
    }
  });

  it('Swift stopped mid-ingest: the job fails with a storage error and nothing playable; retry after the outage makes the room ready', async () => {
    host.slowBytesPerSec = 64 * 1024; // the download takes ~9 s: time to stop Swift under it
    const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/slow/h264.mp4?${token('s3outage')}`) });
    await waitIngest(k, room.slug, owner.cookie, (m) => m.state === 'downloading' && m.percent > 0, { timeoutMs: 20_000 });
    await swift.stopServer('proxy');
    let failed;
    try {
      host.slowBytesPerSec = 0;
      failed = await waitFailed(k, room.slug, owner.cookie, { timeoutMs: 60_000 });
    } finally {
      await swift.startServer('proxy');
    }
    assert.match(failed.error, /media storage/i, failed.error);
    assert.equal(failed.playable, false);
    assert.equal(failed.hls_url, undefined, 'no link to a half-published video');
    assert.deepEqual(historyStates(failed), ['queued', 'downloading', 'probing', 'packaging', 'failed']);
    assert.match(k.logs(), /"event":"media_store_failed"[^\n]*"code":"s3_unavailable"/, 'the log has the cause');
    assert.equal((await get(k, '/readyz')).status, 200, 'Kino itself stays up');

    const res = await retry(k, room.slug, owner.cookie);
    assert.equal(res.status, 200, res.text);
    const ready = await waitReady(k, room.slug, owner.cookie);
    assert.deepEqual(historyStates(ready).slice(-6), ['failed', 'queued', 'downloading', 'probing', 'packaging', 'ready']);
    await assertServedFromBucket(await originFiles(ready), 'after the retry');
  });

  it('the S3 secret never appears in Kino\'s log', () => {
    assert.ok(!k.logs().includes(swift.secretKey));
  });
});

describe('start-up with a bad S3 configuration', { skip }, () => {
  it('a missing bucket stops the start with a message naming it', async () => {
    await assert.rejects(startKino({ env: swift.kinoEnv('kino-no-such-bucket') }),
      (e) => /exited \(1\)/.test(e.message) && /kino-no-such-bucket' at http:\/\/127\.0\.0\.1:\d+ does not exist/.test(e.message));
  });

  it('a wrong secret stops the start with "refused access", without printing the secret', async () => {
    const env = { ...swift.kinoEnv(BUCKET), KINO_STORAGE_S3_SECRET_KEY: 'wrong-secret-d41d8cd98f' };
    await assert.rejects(startKino({ env }),
      (e) => /refused access/.test(e.message) && !e.message.includes('wrong-secret-d41d8cd98f'));
  });

  it('storage.blob = "s3" without its keys is a configuration error naming the key', async () => {
    await assert.rejects(startKino({ env: { KINO_STORAGE_BLOB: 's3' } }), (e) => /storage\.s3_endpoint/.test(e.message));
  });
});
