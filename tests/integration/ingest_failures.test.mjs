// Ingest failures, each with a message for people: SSRF (loopback refused before any request),
// HTTP 404, a web page, too large (Content-Length, chunked, HLS), not a video, too many redirects,
// download timeout, no disk space; failed assets are not reused; retry (owner only, failed only)
// after the source is fixed. Every video URL points at the local host on 127.0.0.1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { post, get, registerUser, createRoom, assertError, sleep } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, getIngest, waitIngest, waitReady, waitFailed, historyStates,
} from './media_fixtures.mjs';

const retry = (k, slug, cookie, opts = {}) => post(k, `/api/v1/rooms/${slug}/ingest/retry`, undefined, { cookie, ...opts });

/** Asserts a failed job's public shape: not playable, no HLS/poster link, an error text. */
function assertFailedShape(m) {
  assert.equal(m.state, 'failed');
  assert.equal(m.playable, false, `failed is not playable: ${JSON.stringify(m)}`);
  assert.equal(m.hls_url, undefined, 'no hls_url when failed');
  assert.equal(m.poster_url, undefined, 'no poster_url when failed');
  assert.equal(m.eta_s, null, 'no ETA when failed');
  assert.equal(typeof m.error, 'string');
  assert.ok(!/curl|errno|exception|std::|\.cpp/i.test(m.error), `error is text for people, not internals: ${m.error}`);
}

let clips;
let host;
before(async () => {
  clips = await ensureClips(['h264.mp4', 'hls']);
  host = await startMediaHost(clips);
});
after(async () => { await host?.close(); });

describe('SSRF: private addresses refused (allow_private_addresses=false)', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: ingestEnv({ KINO_INGEST_ALLOW_PRIVATE_ADDRESSES: 'false' }) });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  it('a loopback URL fails with a message about loopback, and no request reaches the host', async () => {
    const before = host.requests.length;
    const port = host.port;
    const urls = [
      `http://127.0.0.1:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://127.1:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://2130706433:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://0x7f.0.0.1:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://[::1]:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://[::ffff:127.0.0.1]:${port}/files/h264.mp4?${token('ssrf')}`,
      `http://127.0.0.1:${port}/hop/2/files/h264.mp4?${token('ssrf')}`,
      `http://127.0.0.1:${port}/hls/master.m3u8?${token('ssrf')}`,
    ];
    for (const url of urls) {
      const { room } = await createRoom(k, owner.cookie, { video_url: url });
      const m = await waitFailed(k, room.slug, owner.cookie);
      assertFailedShape(m);
      assert.match(m.error, /loopback/i, `${url}: error mentions loopback: ${m.error}`);
      assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed'], `${url}: ${JSON.stringify(m.history)}`);
    }
    const { room } = await createRoom(k, owner.cookie, { video_url: `http://0.0.0.0:${port}/files/h264.mp4?${token('ssrf')}` });
    const m = await waitFailed(k, room.slug, owner.cookie);
    assert.match(m.error, /loopback|private|reserved|unspecified|public server/i, `0.0.0.0 refused as a non-public address: ${m.error}`);
    await sleep(300);
    assert.deepEqual(host.requests.slice(before), [], 'no request reached the local host');
  });
});

describe('download and probe failures', () => {
  let k;
  let owner;
  before(async () => {
    k = await startKino({ env: ingestEnv() });
    owner = await registerUser(k);
  });
  after(async () => { await k?.stop(); });

  const failWith = async (url) => {
    const { room } = await createRoom(k, owner.cookie, { video_url: url });
    const m = await waitFailed(k, room.slug, owner.cookie);
    assertFailedShape(m);
    return { room, m };
  };

  it('HTTP 404 → failed, the error mentions 404', async () => {
    const t = token('nf');
    const { m } = await failWith(host.url(`/missing.mp4?${t}`));
    assert.match(m.error, /\b404\b/, m.error);
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed']);
    assert.equal(host.count(`/missing.mp4?${t}`, true), 1, 'one request, no retries behind the scenes');
  });

  it('a text/html page → failed, "web page, not a video"', async () => {
    const { m } = await failWith(host.url(`/page.html?${token('html')}`));
    assert.match(m.error, /web page, not a video/i, m.error);
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed']);
  });

  it('random bytes served as video/mp4 → failed after probing, "not a video" / "No playable video"', async () => {
    const { m } = await failWith(host.url(`/noise.mp4?${token('noise')}`));
    assert.match(m.error, /not a video|no playable video/i, m.error);
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'probing', 'failed']);
    assert.equal(m.duration_s, null, 'no duration for a non-video');
  });

  it('redirects: 2 and 5 hops are followed to ready; 6 hops are refused before the file is reached', async () => {
    for (const hops of [2, 5]) {
      const t = token(`hop${hops}`);
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/hop/${hops}/files/h264.mp4?${t}`) });
      const m = await waitReady(k, room.slug, owner.cookie);
      assert.equal(m.state, 'ready');
      assert.equal(host.count(`/files/h264.mp4?${t}`, true), 1, `${hops} hops reach the file`);
    }
    const t = token('hop6');
    const { m } = await failWith(host.url(`/hop/6/files/h264.mp4?${t}`));
    assert.match(m.error, /redirect/i, m.error);
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed']);
    assert.equal(host.count(`/files/h264.mp4?${t}`, true), 0, 'the file behind the 6th redirect was never requested');
    const hopRequests = host.requests.filter((r) => r.url.startsWith('/hop/') && r.url.endsWith(t)).length;
    assert.ok(hopRequests <= 6, `at most 6 requests along the chain: ${hopRequests}`);
  });

  it('HLS segments go through the same checks: a 404, a web page or 6 redirects in a playlist fail the job', async () => {
    const cases = [
      ['missing', /\b404\b/],
      ['html', /web page, not a video/i],
      ['redirects', /redirect/i],
      ['master', /\b404\b/], // the master's only variant playlist is missing
    ];
    for (const [kind, message] of cases) {
      const before = host.requests.length;
      const { m } = await failWith(host.url(`/badhls/${kind}.m3u8?${token(kind)}`));
      assert.match(m.error, message, `${kind}: ${m.error}`);
      assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed'], kind);
      const paths = host.requests.slice(before).map((r) => r.path);
      if (kind !== 'master') {
        assert.ok(paths.includes('/hls/seg_000.ts'), `${kind}: the first segment was fetched: ${paths}`);
        assert.ok(!paths.includes('/hls/seg_002.ts'), `${kind}: stopped at the bad segment: ${paths}`);
      }
    }
  });

  it('a non-http(s) link is refused (422 at creation, or a failed job) and never read', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/movie.mp4', 'gopher://127.0.0.1:70/_x']) {
      const res = await post(k, '/api/v1/rooms', { title: 'Bad link', video_url: url, visibility: 'public' }, { cookie: owner.cookie });
      if (res.status === 422) {
        assertError(res, 422, 'invalid_field', 'video_url');
        continue;
      }
      assert.equal(res.status, 201, `${url}: 422 or 201: ${res.status} ${res.text.slice(0, 200)}`);
      const m = await waitFailed(k, res.json.room.slug, owner.cookie);
      assert.ok(!/root:/.test(m.error), `no file content in the error: ${m.error}`);
    }
  });

  it('credentials in a source URL never reach the log: userinfo and token-like parameters are redacted', async () => {
    const t = token('creds');
    const url = `http://alice:s3cretPw@127.0.0.1:${host.port}/missing.mp4?${t}&token=tok3nValue&X-Amz-Signature=s1gValue`;
    const { m } = await failWith(url);
    assert.match(m.error, /\b404\b/, m.error);
    const line = k.logs().split('\n').find((l) => l.includes('"event":"ingest_failed"') && l.includes(t));
    assert.ok(line, `an ingest_failed line for the job: ${k.logs().slice(-2000)}`);
    assert.ok(line.includes('REDACTED@127.0.0.1') && line.includes('token=REDACTED') && line.includes('X-Amz-Signature=REDACTED'),
      `the URL is logged redacted: ${line}`);
    for (const secret of ['alice', 's3cretPw', 'tok3nValue', 's1gValue']) {
      assert.ok(!k.logs().includes(secret), `${secret} is nowhere in the log`);
    }
  });

  it('a failed asset is not reused: a new room with the same URL starts a new download', async () => {
    const t = token('again');
    const url = host.url(`/missing.mp4?${t}`);
    const first = await failWith(url);
    assert.equal(host.count(`/missing.mp4?${t}`, true), 1);
    const { room } = await createRoom(k, owner.cookie, { video_url: url });
    assert.notEqual(room.media.state, 'failed', `the new room does not inherit the failure: ${JSON.stringify(room.media)}`);
    const m = await waitFailed(k, room.slug, owner.cookie);
    assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed'], 'a fresh job');
    assert.equal(host.count(`/missing.mp4?${t}`, true), 2, 'downloaded again');
    assert.deepEqual(historyStates(await getIngest(k, first.room.slug, owner.cookie)), ['queued', 'downloading', 'failed'],
      'the first room keeps its own failed job');
  });

  describe('retry', () => {
    it('only the owner may retry (403 not_owner), with CSRF, signed in; a job that has not failed gives 409 not_failed', async () => {
      const name = token('flaky');
      const { room, m } = await failWith(host.url(`/flaky/${name}`));
      assert.match(m.error, /404/);

      const other = await registerUser(k);
      assertError(await retry(k, room.slug, other.cookie), 403, 'not_owner');
      const anon = await retry(k, room.slug, undefined);
      assert.equal(anon.status, 401, `retry signed out: ${anon.status} ${anon.text.slice(0, 200)}`);
      assertError(await retry(k, room.slug, owner.cookie, { csrf: false }), 403, 'csrf_rejected');
      await sleep(300);
      const still = await getIngest(k, room.slug, owner.cookie);
      assert.equal(still.state, 'failed', 'refused retries changed nothing');
      assert.deepEqual(historyStates(still), ['queued', 'downloading', 'failed']);

      // The source is fixed; the owner retries.
      host.fixed.add(name);
      const res = await retry(k, room.slug, owner.cookie);
      assert.ok([200, 202].includes(res.status), `owner retry: ${res.status} ${res.text.slice(0, 300)}`);
      const media = res.json.media ?? res.json;
      assert.ok(['queued', 'downloading', 'probing', 'packaging', 'ready'].includes(media.state),
        `retry answers the re-queued job: ${res.text.slice(0, 300)}`);
      assert.equal(media.error, null, 'the old error is cleared');
      const ready = await waitReady(k, room.slug, owner.cookie);
      assert.deepEqual(historyStates(ready),
        ['queued', 'downloading', 'failed', 'queued', 'downloading', 'probing', 'packaging', 'ready']);
      assert.equal(ready.error, null);
      assert.equal(ready.playable, true);
      assert.equal((await get(k, ready.hls_url)).status, 200, 'the retried asset is served');

      // Ready now: retrying again is a conflict, and the owner/non-owner order of checks holds.
      assertError(await retry(k, room.slug, owner.cookie), 409, 'not_failed');
      assertError(await retry(k, room.slug, other.cookie), 403, 'not_owner');
      assert.deepEqual(historyStates(await getIngest(k, room.slug, owner.cookie)), historyStates(ready), 'no new job');
    });

    it('retry of a job that is still running is 409 not_failed', async () => {
      host.slowBytesPerSec = 64 * 1024;
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/slow/h264.mp4?${token('busy')}`) });
      await waitIngest(k, room.slug, owner.cookie, (m) => m.state === 'downloading' || m.state === 'failed' || m.state === 'ready');
      assertError(await retry(k, room.slug, owner.cookie), 409, 'not_failed');
      host.slowBytesPerSec = 0;
      await waitReady(k, room.slug, owner.cookie);
    });

    it('retry of an unknown room is 404', async () => {
      const res = await retry(k, 'zzzzzzzzzz', owner.cookie);
      assert.equal(res.status, 404, res.text);
    });
  });
});

describe('size, time and disk limits', () => {
  it('KINO_INGEST_MAX_BYTES=100000: a file, a chunked download and an HLS source over it fail with "larger than"', async () => {
    const k = await startKino({ env: ingestEnv({ KINO_INGEST_MAX_BYTES: '100000' }) });
    try {
      const owner = await registerUser(k);
      for (const p of [`/files/h264.mp4?${token('big')}`, `/chunked/h264.mp4?${token('bigc')}`, `/hls/master.m3u8?${token('bigh')}`]) {
        const { room } = await createRoom(k, owner.cookie, { video_url: host.url(p) });
        const m = await waitFailed(k, room.slug, owner.cookie);
        assertFailedShape(m);
        assert.match(m.error, /larger than/i, `${p}: ${m.error}`);
        assert.deepEqual(historyStates(m), ['queued', 'downloading', 'failed'], p);
      }
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/noise.mp4?${token('noise')}`) });
      const m = await waitFailed(k, room.slug, owner.cookie);
      assert.match(m.error, /larger than/i, `200 000 random bytes are over the 100 000 byte limit too: ${m.error}`);
    } finally {
      await k.stop();
    }
  });

  it('KINO_INGEST_DOWNLOAD_TIMEOUT_S=2: a download that takes longer fails with a message about time', async () => {
    const k = await startKino({ env: ingestEnv({ KINO_INGEST_DOWNLOAD_TIMEOUT_S: '2' }) });
    try {
      const owner = await registerUser(k);
      host.slowBytesPerSec = 32 * 1024; // ~17 s for the clip
      const started = Date.now();
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/slow/h264.mp4?${token('slow')}`) });
      const m = await waitFailed(k, room.slug, owner.cookie, { timeoutMs: 15_000 });
      const took = Date.now() - started;
      assertFailedShape(m);
      assert.match(m.error, /too long|timed? ?out|time limit/i, m.error);
      assert.ok(took >= 1500 && took < 10_000, `stopped after about 2 s: ${took} ms`);
    } finally {
      host.slowBytesPerSec = 64 * 1024;
      await k.stop();
    }
  });

  it('KINO_INGEST_MIN_FREE_MB larger than the disk: the download is refused for lack of disk space', async () => {
    const k = await startKino({ env: ingestEnv({ KINO_INGEST_MIN_FREE_MB: String(1024 * 1024 * 1024) }) });
    try {
      const owner = await registerUser(k);
      const { room } = await createRoom(k, owner.cookie, { video_url: host.url(`/files/h264.mp4?${token('disk')}`) });
      const m = await waitFailed(k, room.slug, owner.cookie);
      assertFailedShape(m);
      assert.match(m.error, /disk/i, m.error);
    } finally {
      await k.stop();
    }
  });
});
