// The media origin (/media/...): content types, ETag/304, byte ranges, cache headers, signed URLs
// for private rooms (unsigned and tampered links refused), and path traversal / dotfiles never
// serving a file. The videos come from a local host on 127.0.0.1, ingested by the Kino under test.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { get, registerUser, createRoom, rawRequest, post, advanceClock } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, waitReady, fetchBytes, prefixOf, parseMaster, parseMedia,
  resolveUri,
} from './media_fixtures.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PLANTED = 'PLANTED-SECRET-do-not-serve';

describe('media origin', () => {
  let k;
  let host;
  let owner;
  let pub; // {room, media, prefix, asset, files: {master, playlist, segment, poster}}
  let priv; // same, private room
  let priv2;

  async function ingestRoom(fields) {
    const created = await createRoom(k, owner.cookie, fields);
    const media = await waitReady(k, created.room.slug, owner.cookie);
    const prefix = prefixOf(media.hls_url);
    const asset = prefix.split('/').pop();
    const variants = parseMaster((await fetchBytes(k, media.hls_url)).text);
    const playlist = resolveUri(media.hls_url, variants[0].uri);
    const segs = parseMedia((await fetchBytes(k, playlist)).text).segments;
    return {
      room: created.room, media, prefix, asset, src: fields.video_url,
      files: { master: media.hls_url, playlist, segment: resolveUri(playlist, segs[0].uri), poster: media.poster_url },
    };
  }

  before(async () => {
    const clips = await ensureClips(['h264.mp4']);
    host = await startMediaHost(clips);
    k = await startKino({ env: ingestEnv({ KINO_TESTING_CLOCK_CONTROL: 'true' }) });
    owner = await registerUser(k);
    pub = await ingestRoom({ video_url: host.url(`/files/h264.mp4?${token('pub')}`), visibility: 'public' });
    priv = await ingestRoom({ video_url: host.url(`/files/h264.mp4?${token('priv')}`), visibility: 'private' });
    priv2 = await ingestRoom({ video_url: host.url(`/files/h264.mp4?${token('priv2')}`), visibility: 'private' });
  });
  after(async () => {
    await k?.stop();
    await host?.close();
  });

  describe('public room files', () => {
    it('are under /media/<asset>/ with the right content types, ETag and Accept-Ranges', async () => {
      assert.match(pub.media.hls_url, /^\/media\/[A-Za-z0-9_-]+\/master\.m3u8$/);
      const want = {
        master: 'application/vnd.apple.mpegurl',
        playlist: 'application/vnd.apple.mpegurl',
        segment: 'video/mp2t',
        poster: 'image/jpeg',
      };
      assert.equal(pub.files.playlist, `${pub.prefix}/v0/index.m3u8`);
      assert.equal(pub.files.segment, `${pub.prefix}/v0/seg_00000.ts`);
      assert.equal(pub.files.poster, `${pub.prefix}/poster.jpg`);
      for (const [name, type] of Object.entries(want)) {
        const r = await fetchBytes(k, pub.files[name]);
        assert.equal(r.status, 200, `${name} ${pub.files[name]}: ${r.status}`);
        assert.equal(r.headers.get('content-type'), type, `${name} Content-Type`);
        assert.ok(r.headers.get('etag'), `${name} has an ETag`);
        assert.equal(r.headers.get('accept-ranges'), 'bytes', `${name} Accept-Ranges`);
        assert.equal(Number(r.headers.get('content-length')), r.body.length, `${name} Content-Length`);
        assert.ok(r.body.length > 0, `${name} not empty`);
      }
    });

    it("the room page's link preview shows the poster frame (og:image), and only a public room's", async () => {
      const page = await get(k, `/r/${pub.room.slug}`);
      assert.equal(page.status, 200);
      const image = page.text.match(/<meta property="og:image" content="([^"]+)"/)?.[1];
      assert.equal(image, `${k.url}${pub.files.poster}`);
      const r = await fetchBytes(k, new URL(image).pathname);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/jpeg');
      const privPage = await get(k, `/r/${priv.room.slug}`, { cookie: owner.cookie });
      assert.equal(privPage.status, 200, 'its owner opens it');
      assert.doesNotMatch(privPage.text, /og:image|og:title/, 'no preview of a private room');
    });

    it('Cache-Control: immutable for segments and the poster, public max-age=60 for finished playlists', async () => {
      for (const name of ['segment', 'poster']) {
        const r = await fetchBytes(k, pub.files[name]);
        assert.equal(r.headers.get('cache-control'), IMMUTABLE, `${name} Cache-Control`);
      }
      for (const name of ['master', 'playlist']) {
        const r = await fetchBytes(k, pub.files[name]);
        assert.equal(r.headers.get('cache-control'), 'public, max-age=60', `${name} Cache-Control once ready`);
      }
    });

    it('If-None-Match with the ETag gives 304 without a body; another ETag gives 200', async () => {
      for (const name of ['segment', 'playlist', 'poster']) {
        const first = await fetchBytes(k, pub.files[name]);
        const etag = first.headers.get('etag');
        const again = await fetchBytes(k, pub.files[name], { 'If-None-Match': etag });
        assert.equal(again.status, 304, `${name}: 304 for its own ETag`);
        assert.equal(again.body.length, 0, `${name}: 304 has no body`);
        assert.equal(again.headers.get('etag'), etag, `${name}: 304 repeats the ETag`);
        const other = await fetchBytes(k, pub.files[name], { 'If-None-Match': '"not-the-etag"' });
        assert.equal(other.status, 200, `${name}: 200 for a different ETag`);
        assert.deepEqual(other.body, first.body);
      }
      const seg = await fetchBytes(k, pub.files.segment);
      const poster = await fetchBytes(k, pub.files.poster);
      assert.notEqual(seg.headers.get('etag'), poster.headers.get('etag'), 'different files, different ETags');
    });

    it('Range: bytes=0-99 → 206 with exactly those 100 bytes; suffix bytes=-10 → the last 10 bytes', async () => {
      const full = await fetchBytes(k, pub.files.segment);
      const size = full.body.length;
      assert.ok(size > 200);
      const r = await fetchBytes(k, pub.files.segment, { Range: 'bytes=0-99' });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), `bytes 0-99/${size}`);
      assert.equal(r.body.length, 100);
      assert.deepEqual(r.body, full.body.subarray(0, 100));
      assert.equal(r.headers.get('content-type'), 'video/mp2t');

      const mid = await fetchBytes(k, pub.files.segment, { Range: 'bytes=100-187' });
      assert.equal(mid.status, 206);
      assert.equal(mid.headers.get('content-range'), `bytes 100-187/${size}`);
      assert.deepEqual(mid.body, full.body.subarray(100, 188));

      const tail = await fetchBytes(k, pub.files.segment, { Range: 'bytes=-10' });
      assert.equal(tail.status, 206);
      assert.equal(tail.headers.get('content-range'), `bytes ${size - 10}-${size - 1}/${size}`);
      assert.deepEqual(tail.body, full.body.subarray(size - 10));

      const open = await fetchBytes(k, pub.files.segment, { Range: `bytes=${size - 5}-` });
      assert.equal(open.status, 206);
      assert.equal(open.headers.get('content-range'), `bytes ${size - 5}-${size - 1}/${size}`);
      assert.equal(open.body.length, 5);

      const past = await fetchBytes(k, pub.files.segment, { Range: `bytes=0-${size + 1000}` });
      assert.equal(past.status, 206, 'a range past the end is clipped');
      assert.equal(past.headers.get('content-range'), `bytes 0-${size - 1}/${size}`);
      assert.equal(past.body.length, size);
    });

    it('Range starting at the size → 416 with Content-Range: bytes */<size>', async () => {
      const full = await fetchBytes(k, pub.files.segment);
      const size = full.body.length;
      const r = await fetchBytes(k, pub.files.segment, { Range: `bytes=${size}-` });
      assert.equal(r.status, 416);
      assert.equal(r.headers.get('content-range'), `bytes */${size}`);
      assert.ok(r.body.length < size, 'no file body with a 416');
      const poster = await fetchBytes(k, pub.files.poster);
      const r2 = await fetchBytes(k, pub.files.poster, { Range: `bytes=${poster.body.length + 10}-${poster.body.length + 20}` });
      assert.equal(r2.status, 416);
      assert.equal(r2.headers.get('content-range'), `bytes */${poster.body.length}`);
    });

    it('unknown files and assets are 404, not 500', async () => {
      for (const p of [`${pub.prefix}/v0/seg_99999.ts`, `${pub.prefix}/v9/index.m3u8`, `${pub.prefix}/nothing.jpg`]) {
        const r = await fetchBytes(k, p);
        assert.equal(r.status, 404, `${p}: ${r.status}`);
      }
      const r = await fetchBytes(k, '/media/nosuchasset000000000/master.m3u8');
      assert.ok([403, 404].includes(r.status), `unknown asset: ${r.status}`);
    });
  });

  describe('private room files', () => {
    const parts = (prefix) => {
      const m = prefix.match(/^\/media\/s\/(\d+)\.([^/]+)\/([^/]+)$/);
      assert.ok(m, `private rooms get a signed prefix /media/s/<exp>.<sig>/<asset>: ${prefix}`);
      return { exp: m[1], sig: m[2], asset: m[3] };
    };

    it('get a signed prefix whose expiry is in the future, and every file is served through it', async () => {
      const { exp } = parts(priv.prefix);
      assert.ok(Number(exp) > Date.now() / 1000, `expiry ${exp} in the future`);
      assert.match(priv.media.poster_url, /^\/media\/s\/\d+\.[^/]+\/[^/]+\/poster\.jpg$/);
      for (const [name, p] of Object.entries(priv.files)) {
        assert.ok(p.startsWith(`${priv.prefix}/`), `${name} under the signed prefix: ${p}`);
        const r = await fetchBytes(k, p);
        assert.equal(r.status, 200, `${name} ${p}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      const r = await fetchBytes(k, priv.files.segment, { Range: 'bytes=0-99' });
      assert.equal(r.status, 206, 'ranges work on signed URLs too');
      assert.equal(r.body.length, 100);
    });

    it('the access log shows signed paths without their signature', async () => {
      const { sig, asset } = parts(priv.prefix);
      await fetchBytes(k, priv.files.poster);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(k.logs().includes(`"path":"/media/s/REDACTED/${asset}/poster.jpg"`), 'the request is logged');
      assert.ok(!k.logs().includes(sig), 'the signature never reaches the log');
    });

    it('the unsigned path answers 403 for every file of a private-only asset', async () => {
      const { asset } = parts(priv.prefix);
      for (const f of ['master.m3u8', 'v0/index.m3u8', 'v0/seg_00000.ts', 'poster.jpg']) {
        const r = await fetchBytes(k, `/media/${asset}/${f}`);
        assert.equal(r.status, 403, `/media/${asset}/${f}: ${r.status}`);
        assert.ok(!r.body.includes(Buffer.from('#EXTM3U')) && r.body[0] !== 0x47, 'no media in the 403 body');
      }
    });

    it('a tampered signature or expiry answers 403', async () => {
      const { exp, sig, asset } = parts(priv.prefix);
      const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const bad = [
        `/media/s/${exp}.${flip(sig, 0)}/${asset}`,
        `/media/s/${exp}.${flip(sig, sig.length - 1)}/${asset}`,
        `/media/s/${Number(exp) + 3600}.${sig}/${asset}`,
        `/media/s/${exp}.${sig.slice(0, -2)}/${asset}`,
        `/media/s/${exp}./${asset}`,
        `/media/s/${exp}/${asset}`,
        `/media/s/1.${sig}/${asset}`,
      ];
      for (const prefix of bad) {
        for (const f of ['master.m3u8', 'v0/seg_00000.ts']) {
          const r = await fetchBytes(k, `${prefix}/${f}`);
          assert.equal(r.status, 403, `${prefix}/${f}: ${r.status}`);
        }
      }
    });

    it("one asset's signature does not open another asset", async () => {
      const a = parts(priv.prefix);
      const b = parts(priv2.prefix);
      assert.notEqual(a.asset, b.asset);
      const r = await fetchBytes(k, `/media/s/${a.exp}.${a.sig}/${b.asset}/master.m3u8`);
      assert.equal(r.status, 403, `signature of ${a.asset} on ${b.asset}: ${r.status}`);
      const ok = await fetchBytes(k, `/media/s/${b.exp}.${b.sig}/${b.asset}/master.m3u8`);
      assert.equal(ok.status, 200);
    });

    it('a visitor without access to the private room gets no signed link from the API', async () => {
      const stranger = await registerUser(k);
      for (const p of [`/api/v1/rooms/${priv.room.slug}`, `/api/v1/rooms/${priv.room.slug}/ingest`]) {
        const r = await get(k, p, { cookie: stranger.cookie });
        assert.ok(!r.text.includes(priv.prefix.split('/')[3]), `${p} leaks no signature: ${r.status} ${r.text.slice(0, 300)}`);
        assert.ok(!r.text.includes('/media/'), `${p} leaks no media link: ${r.text.slice(0, 300)}`);
      }
    });

    it('the unsigned path opens once a public room uses the same asset', async () => {
      const { asset } = parts(priv2.prefix);
      const before = await fetchBytes(k, `/media/${asset}/master.m3u8`);
      assert.equal(before.status, 403);
      const again = await createRoom(k, owner.cookie, { video_url: priv2.src, visibility: 'public' });
      assert.equal(again.room.media.hls_url, `/media/${asset}/master.m3u8`, 'the public room gets the shared asset unsigned');
      const after = await fetchBytes(k, `/media/${asset}/master.m3u8`);
      assert.equal(after.status, 200, 'a public room now uses the asset');
    });
  });

  describe('path traversal and dotfiles', () => {
    before(() => {
      // Files a broken origin could leak: next to the asset, in the media root and in the data dir.
      const media = path.join(k.dataDir, 'media');
      writeFileSync(path.join(k.dataDir, 'planted.txt'), PLANTED);
      writeFileSync(path.join(media, 'planted.txt'), PLANTED);
      writeFileSync(path.join(media, pub.asset, '.planted'), PLANTED);
      mkdirSync(path.join(media, pub.asset, 'v0'), { recursive: true });
      writeFileSync(path.join(media, pub.asset, 'v0', '.planted'), PLANTED);
    });

    it('never serves a file outside the asset, nor a dotfile', async () => {
      const a = pub.asset;
      const sp = priv.prefix; // /media/s/<token>/<asset>
      const token = sp.split('/')[3];
      const pa = priv.asset;
      const paths = [
        `/media/${a}/..%2f..%2fkino.db`,
        `/media/${a}/..%2f..%2fplanted.txt`,
        `/media/${a}/..%2fplanted.txt`,
        `/media/${a}/%2e%2e%2f%2e%2e%2fplanted.txt`,
        `/media/${a}/%2e%2e/planted.txt`,
        `/media/${a}/v0/..%2f..%2f..%2fplanted.txt`,
        `/media/${a}/..%5c..%5cplanted.txt`,
        `/media/${a}/../../planted.txt`,
        `/media/${a}/v0/../../planted.txt`,
        `/media/..%2f/planted.txt`,
        `/media/..%2f..%2f/planted.txt`,
        `/media/%2e%2e/planted.txt`,
        `/media/%2e%2e/%2e%2e/planted.txt`,
        `/media/..%2f..%2fsecrets/media.key`,
        `/media/${a}/.planted`,
        `/media/${a}/v0/.planted`,
        `/media/${a}/%2eplanted`,
        `/media/${a}/v0/%2eplanted`,
        `/media/s/${token}/${pa}/..%2f..%2fplanted.txt`,
        `/media/s/${token}/${pa}/..%2f..%2fkino.db`,
        `/media/s/${token}/..%2f/planted.txt`,
        `/media/s/${token}/%2e%2e/planted.txt`,
        `/media/${a}/master.m3u8%00.jpg`,
      ];
      for (const p of paths) {
        const r = await rawRequest(k.url, { path: p });
        const where = `${p}: ${r.status} ${r.text.slice(0, 120)}`;
        assert.ok(r.status >= 400 && r.status < 500, `refused with a 4xx: ${where}`);
        assert.ok(!r.text.includes(PLANTED), `did not serve the planted file: ${where}`);
        assert.ok(!r.text.startsWith('SQLite format 3'), `did not serve the database: ${where}`);
      }
    });

    it('sanity: the planted files are where a naive origin would find them, and real files are still served', async () => {
      for (const p of ['planted.txt', 'media/planted.txt', `media/${pub.asset}/.planted`, `media/${pub.asset}/v0/.planted`]) {
        assert.equal(readFileSync(path.join(k.dataDir, p), 'utf8'), PLANTED, p);
      }
      assert.ok(existsSync(path.join(k.dataDir, 'kino.db')), 'the database is <data>/kino.db');
      const r = await fetchBytes(k, pub.files.segment);
      assert.equal(r.status, 200);
    });
  });

  it('POST to a media file is not allowed (read-only origin)', async () => {
    const r = await post(k, pub.files.master, {});
    assert.ok([404, 405].includes(r.status), `POST ${pub.files.master}: ${r.status}`);
  });

  // HTTP semantics beyond the brief (RFC 9110 §13.1.2 and §9.1).
  it('If-None-Match with a list of ETags, a weak ETag or * gives 304', async () => {
    const etag = (await fetchBytes(k, pub.files.segment)).headers.get('etag');
    for (const inm of [`"other", ${etag}`, `W/${etag}`, '*']) {
      const r = await fetchBytes(k, pub.files.segment, { 'If-None-Match': inm });
      assert.equal(r.status, 304, `If-None-Match: ${inm} → ${r.status}`);
    }
  });

  it('HEAD on a media file answers like GET without a body', async () => {
    const full = await fetchBytes(k, pub.files.segment);
    const r = await rawRequest(k.url, { method: 'HEAD', path: pub.files.segment });
    assert.equal(r.status, 200, `HEAD ${pub.files.segment}: ${r.status}`);
    assert.equal(r.headers['content-type'], 'video/mp2t');
    assert.equal(Number(r.headers['content-length']), full.body.length);
  });

  // Last: moves the server's clock.
  describe('signed links expire', () => {
    it('after the expiry a signed link answers 403, and the room then hands out a fresh one that works', async () => {
      const old = priv.files.segment;
      assert.equal((await fetchBytes(k, old)).status, 200);
      const exp = Number(priv.prefix.match(/^\/media\/s\/(\d+)\./)[1]);
      const now = await advanceClock(k, Math.ceil(exp - Date.now() / 1000) + 60);
      assert.ok(now / 1000 > exp, 'the server clock is past the expiry');
      const expired = await fetchBytes(k, old);
      assert.equal(expired.status, 403, `an expired signed link: ${expired.status}`);
      assert.equal((await fetchBytes(k, priv.files.master)).status, 403);

      const res = await get(k, `/api/v1/rooms/${priv.room.slug}/ingest`, { cookie: owner.cookie });
      assert.equal(res.status, 200, res.text);
      const fresh = prefixOf(res.json.hls_url);
      assert.notEqual(fresh, priv.prefix, 'a new signature');
      const freshExp = Number(fresh.match(/^\/media\/s\/(\d+)\./)[1]);
      assert.ok(freshExp > now / 1000, `the new link expires after the server's now: ${freshExp}`);
      assert.equal((await fetchBytes(k, `${fresh}/v0/seg_00000.ts`)).status, 200, 'the fresh link works');
      assert.equal((await fetchBytes(k, `${fresh}/poster.jpg`)).status, 200);
    });
  });
});
