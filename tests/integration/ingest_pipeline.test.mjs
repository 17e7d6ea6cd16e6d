// Ingest pipeline, end to end against a local video host on 127.0.0.1: H.264/AAC stream copy,
// VP9/Opus transcode, HLS sources (master and media playlists), asset reuse, and a transcode that
// becomes playable while still packaging. One Kino, one ingest job at a time, 2 s segments.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKino } from '../lib/kino.mjs';
import { get, registerUser, createRoom, sleep } from './http.mjs';
import {
  ensureClips, startMediaHost, ingestEnv, token, getIngest, waitIngest, waitReady, historyStates,
  assertHistoryTimes, assertMediaShape, fetchBytes, prefixOf, parseMaster, parseMedia, resolveUri, probeStreams,
  CLIP_INFO, H264_SOURCE_MARKER,
} from './media_fixtures.mjs';

const FULL_HISTORY = ['queued', 'downloading', 'probing', 'packaging', 'ready'];

describe('ingest pipeline', () => {
  let k;
  let host;
  let owner;
  before(async () => {
    const clips = await ensureClips(['h264.mp4', 'vp9.webm', 'vp9_720.webm', 'hls']);
    host = await startMediaHost(clips);
    k = await startKino({ env: ingestEnv() });
    owner = await registerUser(k);
  });
  after(async () => {
    await k?.stop();
    await host?.close();
  });

  const newRoom = async (videoUrl, fields = {}) => (await createRoom(k, owner.cookie, { video_url: videoUrl, ...fields })).room;

  /** Fetches every segment of a media playlist; asserts 200 video/mp2t with TS sync bytes; returns the bodies. */
  async function fetchSegments(playlistPath, playlist) {
    const out = [];
    for (const seg of playlist.segments) {
      const p = resolveUri(playlistPath, seg.uri);
      const r = await fetchBytes(k, p);
      assert.equal(r.status, 200, `GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.headers.get('content-type'), 'video/mp2t', `segment type ${p}`);
      assert.ok(r.body.length > 188 && r.body[0] === 0x47 && r.body[188] === 0x47, `MPEG-TS sync bytes in ${p}`);
      out.push(r.body);
    }
    return out;
  }

  it('H.264/AAC mp4: queued → downloading → probing → packaging → ready, stream-copied to one rendition', async () => {
    const src = host.url(`/files/h264.mp4?${token('copy')}`);
    const room = await newRoom(src);
    assertMediaShape(room.media, 'room.media at creation');
    assert.ok(['queued', 'downloading', 'probing', 'packaging'].includes(room.media.state),
      `a new job is under way at creation: ${JSON.stringify(room.media)}`);

    const { media, seen } = await waitIngest(k, room.slug, owner.cookie);
    assert.equal(media.state, 'ready', JSON.stringify(media));
    assert.deepEqual(historyStates(media), FULL_HISTORY, `history: ${JSON.stringify(media.history)}`);
    assertHistoryTimes(media);
    // The states seen while polling come in history order (no state goes backwards).
    const order = seen.map((m) => FULL_HISTORY.indexOf(m.state));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), `polled states in order: ${seen.map((m) => m.state)}`);
    assert.equal(media.percent, 100);
    assert.equal(media.error, null);
    assert.equal(media.eta_s, null, 'no ETA once ready');
    assert.equal(media.playable, true);
    assert.ok(Math.abs(media.duration_s - CLIP_INFO['h264.mp4'].duration) < 0.5, `duration ≈ 6 s: ${media.duration_s}`);
    assert.match(media.hls_url, /^\/media\/[A-Za-z0-9_-]+\/master\.m3u8$/, 'public room: unsigned /media/<asset>/master.m3u8');
    assert.equal(media.poster_url, `${prefixOf(media.hls_url)}/poster.jpg`);
    assert.equal(host.count(new URL(src).pathname + new URL(src).search, true), 1, 'the source was downloaded once');

    // The room JSON carries the same media (without the history).
    const roomRes = await get(k, `/api/v1/rooms/${room.slug}`, { cookie: owner.cookie });
    assert.equal(roomRes.status, 200);
    const rm = roomRes.json.room.media;
    assertMediaShape(rm, 'room.media when ready');
    for (const key of ['state', 'percent', 'playable', 'duration_s', 'hls_url', 'poster_url', 'error', 'eta_s']) {
      assert.deepEqual(rm[key], media[key], `room.media.${key} equals the ingest answer`);
    }

    const master = await fetchBytes(k, media.hls_url);
    assert.equal(master.status, 200, master.text);
    const variants = parseMaster(master.text);
    assert.equal(variants.length, 1, `one rendition for a stream copy: ${master.text}`);
    assert.equal(variants[0].uri, 'v0/index.m3u8');
    assert.equal(variants[0].height, 360, `RESOLUTION height of the source: ${master.text}`);
    assert.equal(variants[0].width, 640, `RESOLUTION width of the source: ${master.text}`);
    assert.ok(variants[0].bandwidth > 0, 'BANDWIDTH');

    const playlistPath = resolveUri(media.hls_url, variants[0].uri);
    const pl = await fetchBytes(k, playlistPath);
    assert.equal(pl.status, 200, pl.text);
    const playlist = parseMedia(pl.text);
    assert.ok(playlist.ended, `#EXT-X-ENDLIST once ready:\n${pl.text}`);
    assert.ok(playlist.segments.length >= 3, `6 s in 2 s segments gives ≥ 3 segments:\n${pl.text}`);
    for (const s of playlist.segments) assert.ok(s.duration <= 2.6, `segments ≈ 2 s (KINO_INGEST_SEGMENT_SECONDS=2): ${s.duration}`);
    const total = playlist.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(Math.abs(total - 6) < 0.5, `segment durations add up to ≈ 6 s: ${total}`);
    assert.match(playlist.segments[0].uri, /^seg_\d{5}\.ts$/, 'segments are named seg_%05d.ts');

    const bodies = await fetchSegments(playlistPath, playlist);
    const { streams } = await probeStreams(bodies[0]);
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    assert.equal(v?.codec_name, 'h264', `video h264: ${JSON.stringify(streams)}`);
    assert.equal(v.width, 640);
    assert.equal(v.height, 360);
    assert.equal(a?.codec_name, 'aac', `audio aac: ${JSON.stringify(streams)}`);
    assert.ok(bodies[0].includes(H264_SOURCE_MARKER),
      `the first segment keeps the source encoder's SEI (${H264_SOURCE_MARKER}): stream copy, not a re-encode`);

    const poster = await fetchBytes(k, media.poster_url);
    assert.equal(poster.status, 200);
    assert.equal(poster.headers.get('content-type'), 'image/jpeg');
    assert.ok(poster.body[0] === 0xff && poster.body[1] === 0xd8, 'poster is a JPEG');
  });

  it('VP9/Opus webm: transcoded to H.264/AAC, one rendition no taller than the 360p source', async () => {
    const room = await newRoom(host.url(`/files/vp9.webm?${token('vp9')}`));
    const media = await waitReady(k, room.slug, owner.cookie);
    assert.deepEqual(historyStates(media), FULL_HISTORY);
    assert.equal(media.percent, 100);
    assert.ok(Math.abs(media.duration_s - CLIP_INFO['vp9.webm'].duration) < 0.5, `duration ≈ 4 s: ${media.duration_s}`);

    const master = await fetchBytes(k, media.hls_url);
    assert.equal(master.status, 200);
    const variants = parseMaster(master.text);
    assert.equal(variants.length, 1, `a 360p source gives one rendition: ${master.text}`);
    assert.ok(variants[0].height <= 360, `no taller than the source: ${master.text}`);
    const playlistPath = resolveUri(media.hls_url, variants[0].uri);
    const pl = await fetchBytes(k, playlistPath);
    const playlist = parseMedia(pl.text);
    assert.ok(playlist.ended && playlist.segments.length >= 2, `finished playlist with ≥ 2 segments:\n${pl.text}`);
    const bodies = await fetchSegments(playlistPath, playlist);
    const { streams } = await probeStreams(bodies[0]);
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    assert.equal(v?.codec_name, 'h264', `transcoded video is h264: ${JSON.stringify(streams)}`);
    assert.ok(v.height <= 360, `segment height ≤ source: ${v.height}`);
    assert.equal(v.height, variants[0].height, 'segment height matches the master RESOLUTION');
    assert.equal(a?.codec_name, 'aac', `transcoded audio is aac: ${JSON.stringify(streams)}`);
    assert.ok(!bodies[0].includes(H264_SOURCE_MARKER), 'sanity: not the H.264 fixture');
  });

  it('HLS source via a master playlist: master, media playlist and every segment fetched once, then ready', async () => {
    const before = host.requests.length;
    const room = await newRoom(host.url('/hls/master.m3u8'));
    const media = await waitReady(k, room.slug, owner.cookie);
    assert.deepEqual(historyStates(media), FULL_HISTORY);
    assert.ok(Math.abs(media.duration_s - 6) < 0.6, `duration ≈ 6 s: ${media.duration_s}`);
    const got = host.requests.slice(before).map((r) => r.path);
    assert.equal(got.filter((p) => p === '/hls/master.m3u8').length, 1, `master fetched once: ${got}`);
    assert.equal(got.filter((p) => p === '/hls/index.m3u8').length, 1, `media playlist fetched once: ${got}`);
    for (const seg of ['seg_000.ts', 'seg_001.ts', 'seg_002.ts']) {
      assert.equal(got.filter((p) => p === `/hls/${seg}`).length, 1, `${seg} fetched once: ${got}`);
    }
    const master = await fetchBytes(k, media.hls_url);
    const variants = parseMaster(master.text);
    assert.ok(variants.length >= 1, master.text);
    const playlistPath = resolveUri(media.hls_url, variants[0].uri);
    const playlist = parseMedia((await fetchBytes(k, playlistPath)).text);
    assert.ok(playlist.ended && playlist.segments.length >= 3, 'a finished playlist of ≥ 3 segments');
    const bodies = await fetchSegments(playlistPath, playlist);
    const { streams } = await probeStreams(bodies[0]);
    assert.equal(streams.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
  });

  it('HLS source given as a media playlist (no master) is ingested to ready', async () => {
    const t = token('media');
    const room = await newRoom(host.url(`/hls/index.m3u8?${t}`));
    const media = await waitReady(k, room.slug, owner.cookie);
    assert.deepEqual(historyStates(media), FULL_HISTORY);
    assert.ok(Math.abs(media.duration_s - 6) < 0.6, `duration ≈ 6 s: ${media.duration_s}`);
    assert.equal(host.count(`/hls/index.m3u8?${t}`, true), 1, 'the playlist was fetched once');
    const master = await fetchBytes(k, media.hls_url);
    assert.equal(master.status, 200);
    assert.equal(parseMaster(master.text).length, 1);
  });

  it('reuse: a second room with the same URL gets the same asset and nothing is downloaded again', async () => {
    const t = token('reuse');
    const src = host.url(`/files/h264.mp4?${t}`);
    const first = await newRoom(src);
    const m1 = await waitReady(k, first.slug, owner.cookie);
    const key = `/files/h264.mp4?${t}`;
    assert.equal(host.count(key, true), 1);

    const other = await registerUser(k);
    const second = (await createRoom(k, other.cookie, { video_url: src })).room;
    assert.equal(second.media.state, 'ready', `the second room is ready at once: ${JSON.stringify(second.media)}`);
    assert.equal(second.media.hls_url, m1.hls_url, 'same asset: same HLS prefix');
    assert.equal(second.media.poster_url, m1.poster_url);
    const m2 = await getIngest(k, second.slug, other.cookie);
    assert.deepEqual(historyStates(m2), FULL_HISTORY, 'the shared job was not run again');
    await sleep(1500);
    assert.equal(host.count(key, true), 1, 'the source was not downloaded again');
    assert.deepEqual(historyStates(await getIngest(k, first.slug, owner.cookie)), FULL_HISTORY);
  });

  it('reuse while the first job is still running: both rooms share one job and one download', async () => {
    const t = token('busy');
    const key = `/files/vp9.webm?${t}`;
    const a = await newRoom(host.url(key));
    const b = await newRoom(host.url(key));
    const [ma, mb] = [await waitReady(k, a.slug, owner.cookie), await waitReady(k, b.slug, owner.cookie)];
    assert.equal(ma.hls_url, mb.hls_url, 'same asset');
    assert.deepEqual(historyStates(mb), FULL_HISTORY);
    assert.equal(host.count(key, true), 1, 'downloaded once');
  });

  it('a 720p VP9 transcode is playable while still packaging: EVENT playlist without ENDLIST, then ENDLIST when ready', async () => {
    const room = await newRoom(host.url(`/files/vp9_720.webm?${token('live')}`));
    let during; // what the origin served while the job was packaging
    const packagingPercents = [];
    await waitIngest(k, room.slug, owner.cookie, (m) => m.state === 'ready' || m.state === 'failed' || during !== undefined, {
      intervalMs: 100,
      timeoutMs: 120_000,
      onPoll: async (m) => {
        if (m.state === 'packaging') packagingPercents.push(m.percent);
        if (m.state !== 'packaging' || !m.playable || during) return;
        const master = await fetchBytes(k, m.hls_url);
        const playlistPath = resolveUri(m.hls_url, 'v0/index.m3u8');
        const pl = await fetchBytes(k, playlistPath);
        const parsed = pl.status === 200 ? parseMedia(pl.text) : { segments: [] };
        const seg = parsed.segments.length ? await fetchBytes(k, resolveUri(playlistPath, parsed.segments[0].uri)) : undefined;
        // Only an observation made entirely while the job was still packaging counts.
        const after = await getIngest(k, room.slug, owner.cookie);
        if (after.state === 'packaging') during = { m, master, pl, parsed, seg };
      },
    });
    assert.ok(during, 'observed playable: true (with the playlist and a segment) while the state was still packaging');
    assert.ok(during.m.hls_url, 'hls_url is given once playable');
    assert.equal(during.m.poster_url, undefined, 'no poster_url before ready');
    assert.equal(during.master.status, 200, `master served during packaging: ${during.master.text}`);
    assert.equal(during.pl.status, 200, `v0/index.m3u8 served during packaging: ${during.pl.text}`);
    assert.equal(during.parsed.type, 'EVENT', `a growing playlist is an EVENT playlist:\n${during.pl.text}`);
    assert.equal(during.parsed.ended, false, `no #EXT-X-ENDLIST while packaging:\n${during.pl.text}`);
    assert.ok(during.parsed.segments.length >= 1, 'at least one segment listed');
    assert.equal(during.pl.headers.get('cache-control'), 'no-cache', 'a growing playlist is not cached');
    assert.equal(during.seg?.status, 200, 'the first listed segment is served during packaging');
    assert.ok(packagingPercents.some((p) => p > 0 && p < 100),
      `packaging reports progress between 0 and 100: ${packagingPercents}`);

    const media = await waitReady(k, room.slug, owner.cookie, { timeoutMs: 120_000 });
    assert.deepEqual(historyStates(media), FULL_HISTORY);
    assert.equal(media.hls_url, during.m.hls_url, 'the HLS URL does not change');
    const master = parseMaster((await fetchBytes(k, media.hls_url)).text);
    assert.deepEqual(master.map((v) => v.height), [720, 480, 360], `a 720p source gets the 720/480/360 ladder: ${JSON.stringify(master)}`);
    for (const v of master) assert.ok(v.height <= 720, 'no rendition taller than the source');
    const playlistPath = resolveUri(media.hls_url, 'v0/index.m3u8');
    const pl = await fetchBytes(k, playlistPath);
    const parsed = parseMedia(pl.text);
    assert.ok(parsed.ended, `#EXT-X-ENDLIST once ready:\n${pl.text}`);
    assert.ok(parsed.segments.length >= 5, `12 s in 2 s segments:\n${pl.text}`);
    assert.ok(parsed.segments.length > during.parsed.segments.length, 'the playlist grew after the first look');
    assert.equal(pl.headers.get('cache-control'), 'public, max-age=60', 'a finished playlist is cacheable');
    assert.notEqual(pl.headers.get('etag'), during.pl.headers.get('etag'), 'the playlist ETag changes as it grows');
    const revalidated = await fetchBytes(k, playlistPath, { 'If-None-Match': during.pl.headers.get('etag') });
    assert.equal(revalidated.status, 200, 'revalidating with the ETag of the growing playlist gets the new one, not 304');
    assert.ok(parseMedia(revalidated.text).ended);
    const lowest = resolveUri(media.hls_url, master[2].uri);
    const low = parseMedia((await fetchBytes(k, lowest)).text);
    const seg = await fetchBytes(k, resolveUri(lowest, low.segments[0].uri));
    const { streams } = await probeStreams(seg.body);
    const v = streams.find((s) => s.codec_type === 'video');
    assert.equal(v?.codec_name, 'h264');
    assert.equal(v.height, 360, 'the third rendition is 360p');
    assert.equal(streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  });
});
