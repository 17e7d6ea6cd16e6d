// The media origin streams: a file of any size is served whole (no "use Range" refusal), slow readers
// cost Kino one chunk each instead of the whole file, and one client address may only have a few
// media bodies in flight at once (429 too_many_media_streams, freed when a reader finishes or leaves).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startKino } from '../lib/kino.mjs';
import { registerUser, createRoom, sleep } from './http.mjs';
import { ensureClips, startMediaHost, ingestEnv, token, waitReady, fetchBytes, prefixOf } from './media_fixtures.mjs';

const BIG_MIB = 64;
const READERS = 6;

const rssKib = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

// Sends a GET on a raw socket and reads only the response head; the body stays unread (paused)
// until resume() — a client that has stopped reading.
function slowReader(baseUrl, p) {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  let head = '';
  let bodyBytes = 0;
  const hash = createHash('sha256');
  const headSeen = new Promise((resolve, reject) => {
    socket.on('error', reject);
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      head = head.slice(0, end);
      bodyBytes += rest.length;
      hash.update(rest);
      resolve(head);
    };
    socket.on('data', onData);
  });
  socket.write(`GET ${p} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
  return {
    headSeen,
    // Reads the rest of the body; resolves with its byte count and SHA-256.
    async drain() {
      await new Promise((resolve) => {
        socket.on('data', (c) => { bodyBytes += c.length; hash.update(c); });
        socket.on('end', resolve);
        socket.resume();
      });
      return { bytes: bodyBytes, sha256: hash.digest('hex') };
    },
    destroy: () => socket.destroy(),
  };
}

describe('media origin streaming', () => {
  let k;
  let host;
  let bigPath;
  let bigSha;

  before(async () => {
    const clips = await ensureClips(['h264.mp4']);
    host = await startMediaHost(clips);
    k = await startKino({ env: ingestEnv({ KINO_SERVER_MEDIA_STREAMS_PER_ADDRESS: String(READERS) }) });
    const owner = await registerUser(k);
    const created = await createRoom(k, owner.cookie, {
      video_url: host.url(`/files/h264.mp4?${token('big')}`), visibility: 'public',
    });
    const media = await waitReady(k, created.room.slug, owner.cookie);
    const prefix = prefixOf(media.hls_url);
    // A segment far larger than any the packager makes, planted beside the real ones.
    const big = randomBytes(BIG_MIB << 20);
    bigSha = createHash('sha256').update(big).digest('hex');
    writeFileSync(path.join(k.dataDir, 'media', prefix.split('/').pop(), 'v0', 'big.ts'), big);
    bigPath = `${prefix}/v0/big.ts`;
  });
  after(async () => {
    await k?.stop();
    await host?.close();
  });

  it(`serves a ${BIG_MIB} MiB file whole, and any range of it`, async () => {
    const r = await fetchBytes(k, bigPath);
    assert.equal(r.status, 200);
    assert.equal(Number(r.headers.get('content-length')), BIG_MIB << 20);
    assert.equal(createHash('sha256').update(r.body).digest('hex'), bigSha);
    const tail = await fetchBytes(k, bigPath, { Range: `bytes=${(BIG_MIB << 20) - 1000}-` });
    assert.equal(tail.status, 206);
    assert.equal(tail.body.length, 1000);
    assert.deepEqual(tail.body, r.body.subarray(r.body.length - 1000));
  });

  it(`${READERS} readers that stop reading keep Kino's memory flat; a reader past the cap gets 429`, async () => {
    await sleep(300);
    const before = rssKib(k.proc.pid);
    const readers = [];
    for (let i = 0; i < READERS; i += 1) {
      const reader = slowReader(k.url, bigPath);
      readers.push(reader);
      assert.match(await reader.headSeen, /^HTTP\/1\.1 200 /);
    }
    await sleep(1500);  // let every stream fill its socket buffers and stop on backpressure
    const grown = rssKib(k.proc.pid) - before;
    console.log(`# RSS grew by ${grown} KiB with ${READERS} stalled readers of a ${BIG_MIB} MiB file`);
    // Buffering each body whole would take READERS × BIG_MIB MiB (384 MiB); streaming takes a chunk each.
    assert.ok(grown < 32 * 1024, `RSS grew by ${grown} KiB`);

    const refused = await fetchBytes(k, bigPath);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(JSON.parse(refused.text).error.code, 'too_many_media_streams');

    // A reader that resumes gets every byte, exactly; its slot is then free again.
    const done = await readers[0].drain();
    assert.equal(done.bytes, BIG_MIB << 20);
    assert.equal(done.sha256, bigSha);
    const again = await fetchBytes(k, bigPath, { Range: 'bytes=0-99' });
    assert.equal(again.status, 206);

    // Readers that go away free their slots too.
    for (const reader of readers.slice(1)) reader.destroy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i += 1) {
      await sleep(100);
      const slots = await Promise.all(Array.from({ length: READERS }, () => fetchBytes(k, bigPath, { Range: 'bytes=0-0' })));
      status = slots.every((s) => s.status === 206) ? 200 : 0;
    }
    assert.equal(status, 200, `${READERS} requests at once succeed after the stalled readers left`);
  });
});
