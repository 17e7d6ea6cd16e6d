import { describe, expect, it } from 'vitest';
import { attachHls, choosePlayback, HLS_MIME, type HlsClass, type HlsErrorData, type HlsInstance, type MediaLike } from './hls_attach';

function fakeMedia(canPlay = '') {
  const calls: string[] = [];
  const media: MediaLike & { calls: string[] } = {
    calls,
    src: '',
    canPlayType: (t) => (t === HLS_MIME ? canPlay : ''),
    removeAttribute: (n) => void calls.push(`removeAttribute ${n}`),
    load: () => void calls.push('load'),
  };
  return media;
}

function fakeHls(supported = true) {
  const instances: (HlsInstance & { calls: string[]; config: Record<string, unknown>; fire(d: HlsErrorData): void })[] = [];
  class FakeHls {
    static isSupported = () => supported;
    static Events = { ERROR: 'hlsError' };
    static ErrorTypes = { NETWORK_ERROR: 'networkError', MEDIA_ERROR: 'mediaError' };
    calls: string[] = [];
    listeners = new Map<string, (e: string, d: HlsErrorData) => void>();
    constructor(public config: Record<string, unknown>) {
      instances.push(this as unknown as (typeof instances)[number]);
    }
    loadSource(u: string) {
      this.calls.push(`loadSource ${u}`);
    }
    attachMedia() {
      this.calls.push('attachMedia');
    }
    on(e: string, l: (e: string, d: HlsErrorData) => void) {
      this.listeners.set(e, l);
    }
    startLoad() {
      this.calls.push('startLoad');
    }
    recoverMediaError() {
      this.calls.push('recoverMediaError');
    }
    destroy() {
      this.calls.push('destroy');
    }
    fire(d: HlsErrorData) {
      this.listeners.get('hlsError')?.('hlsError', d);
    }
  }
  return { Hls: FakeHls as unknown as HlsClass, instances };
}

describe('choosePlayback', () => {
  it('prefers hls.js, then native HLS, else unsupported', () => {
    expect(choosePlayback(fakeHls(true).Hls, fakeMedia('maybe'))).toBe('hls.js');
    expect(choosePlayback(fakeHls(false).Hls, fakeMedia('maybe'))).toBe('native');
    expect(choosePlayback(null, fakeMedia('probably'))).toBe('native');
    expect(choosePlayback(fakeHls(false).Hls, fakeMedia(''))).toBe('unsupported');
  });
});

describe('attachHls', () => {
  it('with hls.js: loads the source, attaches, and destroys on detach', () => {
    const { Hls, instances } = fakeHls();
    const media = fakeMedia();
    const a = attachHls(media, '/media/a/master.m3u8', Hls, { onFatal: () => {}, config: { enableWorker: false } });
    expect(a.mode).toBe('hls.js');
    const hls = instances[0]!;
    expect(hls.config).toMatchObject({ enableWorker: false });
    expect(hls.calls).toEqual(['loadSource /media/a/master.m3u8', 'attachMedia']);
    a.detach();
    a.detach();
    expect(hls.calls.filter((c) => c === 'destroy')).toHaveLength(1);
    expect(media.src).toBe('');
  });

  it('recovers fatal network and media errors a few times, then gives up once', () => {
    const { Hls, instances } = fakeHls();
    const fatal: string[] = [];
    attachHls(fakeMedia(), '/m.m3u8', Hls, { onFatal: (r) => fatal.push(r), maxRecoveries: 2 });
    const hls = instances[0]!;
    hls.fire({ type: 'networkError', fatal: false, details: 'fragLoadError' }); // not fatal: hls.js handles it
    hls.fire({ type: 'networkError', fatal: true });
    hls.fire({ type: 'mediaError', fatal: true });
    hls.fire({ type: 'networkError', fatal: true });
    expect(hls.calls.slice(2)).toEqual(['startLoad', 'recoverMediaError', 'startLoad']);
    hls.fire({ type: 'networkError', fatal: true, details: 'manifestLoadError' });
    hls.fire({ type: 'networkError', fatal: true, details: 'again' });
    expect(fatal).toEqual(['manifestLoadError']);
    expect(hls.calls.at(-1)).toBe('destroy');
  });

  it('other fatal errors end playback at once', () => {
    const { Hls, instances } = fakeHls();
    const fatal: string[] = [];
    attachHls(fakeMedia(), '/m.m3u8', Hls, { onFatal: (r) => fatal.push(r) });
    instances[0]!.fire({ type: 'otherError', fatal: true, details: 'internalException' });
    expect(fatal).toEqual(['internalException']);
  });

  it('falls back to native HLS: sets src, and clears it on detach', () => {
    const media = fakeMedia('maybe');
    const a = attachHls(media, '/m.m3u8', fakeHls(false).Hls, { onFatal: () => {} });
    expect(a.mode).toBe('native');
    expect(media.src).toBe('/m.m3u8');
    a.detach();
    expect(media.calls).toEqual(['removeAttribute src', 'load']);
  });

  it('says when nothing can play HLS here', () => {
    const fatal: string[] = [];
    const a = attachHls(fakeMedia(''), '/m.m3u8', null, { onFatal: (r) => fatal.push(r) });
    expect(a.mode).toBe('unsupported');
    expect(fatal).toEqual(['unsupported']);
  });
});
