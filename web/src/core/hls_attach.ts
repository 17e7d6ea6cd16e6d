// Attaches an HLS stream to a <video>: hls.js where Media Source Extensions exist, otherwise the
// browser's own HLS (Safari, iOS), otherwise a clear "cannot play". No React; the Hls class and the
// media element are passed in, so tests use fakes.

/** The part of an hls.js instance we use. */
export interface HlsInstance {
  loadSource(url: string): void;
  attachMedia(media: unknown): void;
  on(event: string, listener: (event: string, data: HlsErrorData) => void): void;
  startLoad(): void;
  recoverMediaError(): void;
  destroy(): void;
}

export interface HlsErrorData {
  type: string;
  details?: string;
  fatal: boolean;
}

/** The part of the hls.js class we use. */
export interface HlsClass {
  new (config: Record<string, unknown>): HlsInstance;
  isSupported(): boolean;
  Events: { ERROR: string };
  ErrorTypes: { NETWORK_ERROR: string; MEDIA_ERROR: string };
}

/** The part of HTMLVideoElement we use. */
export interface MediaLike {
  canPlayType(type: string): string;
  src: string;
  removeAttribute(name: string): void;
  load(): void;
}

export type PlaybackMode = 'hls.js' | 'native' | 'unsupported';

export const HLS_MIME = 'application/vnd.apple.mpegurl';

/** hls.js when it works here; else native HLS when the browser plays it; else nothing. */
export function choosePlayback(Hls: HlsClass | null, media: MediaLike): PlaybackMode {
  if (Hls && Hls.isSupported()) return 'hls.js';
  if (media.canPlayType(HLS_MIME) !== '') return 'native';
  return 'unsupported';
}

export interface AttachOptions {
  /** Called once when playback cannot go on (after the recoveries were used up). */
  onFatal(reason: string): void;
  /** Extra hls.js settings. */
  config?: Record<string, unknown>;
  /** Fatal network/media errors recovered this many times each before giving up. */
  maxRecoveries?: number;
}

export interface Attachment {
  mode: PlaybackMode;
  detach(): void;
}

/**
 * Base hls.js settings. Its transmuxing worker runs from a blob: URL, which Kino's CSP allows
 * (`worker-src 'self' blob:`); pass `enableWorker: false` where a stricter policy forbids it.
 */
export const HLS_CONFIG: Record<string, unknown> = { enableWorker: true, lowLatencyMode: false, backBufferLength: 90 };

export function attachHls(media: MediaLike, src: string, Hls: HlsClass | null, opts: AttachOptions): Attachment {
  const mode = choosePlayback(Hls, media);
  if (mode === 'unsupported') {
    opts.onFatal('unsupported');
    return { mode, detach() {} };
  }
  if (mode === 'native' || !Hls) {
    media.src = src;
    return {
      mode,
      detach() {
        media.removeAttribute('src');
        media.load();
      },
    };
  }
  const max = opts.maxRecoveries ?? 3;
  const hls = new Hls({ ...HLS_CONFIG, ...(opts.config ?? {}) });
  let network = 0;
  let decode = 0;
  let dead = false;
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal || dead) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && network < max) {
      network += 1;
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && decode < max) {
      decode += 1;
      hls.recoverMediaError();
    } else {
      dead = true;
      hls.destroy();
      opts.onFatal(data.details ?? data.type);
    }
  });
  hls.loadSource(src);
  hls.attachMedia(media);
  return {
    mode,
    detach() {
      if (!dead) hls.destroy();
      dead = true;
    },
  };
}
