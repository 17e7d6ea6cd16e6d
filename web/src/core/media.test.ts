import { describe, expect, it } from 'vitest';
import { etaText, mediaSettled, mediaStep, parseMedia, progressPieces, streamIdentity } from './media';

describe('parseMedia', () => {
  it('reads a working state', () => {
    const m = parseMedia({ state: 'downloading', percent: 45.5, eta_s: 120, error: null, playable: false, duration_s: null });
    expect(m).toEqual({ state: 'downloading', percent: 45.5, eta_s: 120, error: null, playable: false, duration_s: null });
    expect(mediaSettled(m)).toBe(false);
    expect(mediaStep(m)).toBe(1);
  });

  it('reads a bare "none" and a missing object', () => {
    expect(parseMedia({ state: 'none' })).toMatchObject({ state: 'none', percent: 0, playable: false });
    expect(parseMedia(undefined).state).toBe('none');
    expect(mediaSettled(parseMedia({ state: 'none' }))).toBe(true);
  });

  it('keeps same-origin media paths only, and the stream only when playable', () => {
    const ready = parseMedia({ state: 'ready', percent: 100, playable: true, hls_url: '/media/a1/master.m3u8', poster_url: '/media/a1/poster.jpg', history: [{ state: 'queued', at: 't' }] });
    expect(ready).toMatchObject({ hls_url: '/media/a1/master.m3u8', poster_url: '/media/a1/poster.jpg', history: [{ state: 'queued', at: 't' }] });
    const evil = parseMedia({ state: 'ready', playable: true, hls_url: 'https://evil.test/x.m3u8', poster_url: '//evil.test/p.jpg' });
    expect(evil.hls_url).toBeUndefined();
    expect(evil.poster_url).toBeUndefined();
    expect(parseMedia({ state: 'packaging', playable: false, hls_url: '/media/a/master.m3u8' }).hls_url).toBeUndefined();
  });

  it('reads an unknown state as queued, and clamps percent', () => {
    expect(parseMedia({ state: 'teleporting', percent: 140 })).toMatchObject({ state: 'queued', percent: 100 });
  });
});

describe('progress text pieces', () => {
  it('names the state, the percent and the time left while working', () => {
    expect(progressPieces(parseMedia({ state: 'downloading', percent: 45.7, eta_s: 95 }))).toEqual({
      state: { key: 'media.state.downloading' },
      percent: 45,
      eta: { key: 'media.eta.minutes', params: { minutes: 2 } },
    });
    expect(progressPieces(parseMedia({ state: 'queued' }))).toEqual({ state: { key: 'media.state.queued' }, percent: null, eta: null });
    expect(progressPieces(parseMedia({ state: 'failed', error: 'x' })).percent).toBeNull();
  });

  it('formats the time left', () => {
    expect(etaText(null)).toBeNull();
    expect(etaText(0)).toEqual({ key: 'media.eta.seconds', params: { seconds: 1 } });
    expect(etaText(40)).toEqual({ key: 'media.eta.seconds', params: { seconds: 40 } });
    expect(etaText(60)).toEqual({ key: 'media.eta.minutes', params: { minutes: 1 } });
    expect(etaText(3900)).toEqual({ key: 'media.eta.hours', params: { hours: 1, minutes: 5 } });
  });
});

describe('streamIdentity', () => {
  it('ignores the signature and the query', () => {
    expect(streamIdentity('/media/s/tok1/a1/master.m3u8')).toBe('/media/a1/master.m3u8');
    expect(streamIdentity('/media/s/tok2/a1/master.m3u8?x=1')).toBe('/media/a1/master.m3u8');
    expect(streamIdentity('/media/a1/master.m3u8')).toBe('/media/a1/master.m3u8');
    expect(streamIdentity(undefined)).toBeNull();
  });
});
