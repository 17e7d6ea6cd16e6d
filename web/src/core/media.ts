// A room's video as Kino's ingest pipeline reports it (`room.media`, `GET …/ingest`): the state, the
// progress of that state, and once playable the HLS address. No React, no DOM.
import { isRecord } from './api';
import type { MessageKey, Params } from './i18n';

export type MediaState = 'none' | 'queued' | 'downloading' | 'probing' | 'packaging' | 'ready' | 'failed';
export const MEDIA_STATES: readonly MediaState[] = ['none', 'queued', 'downloading', 'probing', 'packaging', 'ready', 'failed'];

export interface Media {
  state: MediaState;
  /** Progress of the current state, 0–100. */
  percent: number;
  /** Seconds left in the current state, when the server can tell. */
  eta_s: number | null;
  /** Why it failed (the server's sentence), for `failed`. */
  error: string | null;
  /** Whether the HLS stream can be played (possibly before `ready`). */
  playable: boolean;
  duration_s: number | null;
  /** Same-origin path of the master playlist (signed for private rooms), when playable. */
  hls_url?: string;
  /** Same-origin path of the poster, when ready. */
  poster_url?: string;
  history?: { state: string; at: string }[];
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Only same-origin paths are used as media sources. */
function localPath(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') ? v : undefined;
}

/** Tolerant: a `none` media object is just `{state}`; unknown states read as `queued`. */
export function parseMedia(v: unknown): Media {
  const o = isRecord(v) ? v : {};
  const state = typeof o.state === 'string' && (MEDIA_STATES as readonly string[]).includes(o.state) ? (o.state as MediaState) : o.state === undefined ? 'none' : 'queued';
  const media: Media = {
    state,
    percent: num(o.percent) ? Math.min(100, Math.max(0, o.percent)) : state === 'ready' ? 100 : 0,
    eta_s: num(o.eta_s) && o.eta_s >= 0 ? o.eta_s : null,
    error: typeof o.error === 'string' && o.error !== '' ? o.error : null,
    playable: o.playable === true,
    duration_s: num(o.duration_s) ? o.duration_s : null,
  };
  const hls = localPath(o.hls_url);
  if (hls && media.playable) media.hls_url = hls;
  const poster = localPath(o.poster_url);
  if (poster) media.poster_url = poster;
  if (Array.isArray(o.history)) {
    media.history = o.history.filter(isRecord).map((h) => ({ state: String(h.state ?? ''), at: String(h.at ?? '') }));
  }
  return media;
}

/** Nothing will change without someone acting: stop polling. */
export function mediaSettled(m: Media): boolean {
  return m.state === 'ready' || m.state === 'failed' || m.state === 'none';
}

/** The three working steps, in order, for "step n of 3". */
const STEPS: Partial<Record<MediaState, number>> = { downloading: 1, probing: 2, packaging: 3 };
export const MEDIA_STEPS = 3;

export function mediaStep(m: Media): number | null {
  return STEPS[m.state] ?? null;
}

const STATE_KEYS: Record<MediaState, MessageKey> = {
  none: 'media.state.none',
  queued: 'media.state.queued',
  downloading: 'media.state.downloading',
  probing: 'media.state.probing',
  packaging: 'media.state.packaging',
  ready: 'media.state.ready',
  failed: 'media.state.failed',
};

export interface TextPiece {
  key: MessageKey;
  params?: Params;
}

/** "about 2 min left" (minutes rounded up), "about 40 s left", "about 1 h 5 min left". */
export function etaText(seconds: number | null): TextPiece | null {
  if (seconds === null) return null;
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return { key: 'media.eta.seconds', params: { seconds: s } };
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return { key: 'media.eta.minutes', params: { minutes } };
  return { key: 'media.eta.hours', params: { hours: Math.floor(minutes / 60), minutes: minutes % 60 } };
}

/**
 * The pieces of the progress sentence: the state's name, the percent while working, and the time
 * left when known. The UI joins them ("Downloading — 45% · about 2 min left").
 */
export function progressPieces(m: Media): { state: TextPiece; percent: number | null; eta: TextPiece | null } {
  const working = STEPS[m.state] !== undefined;
  return {
    state: { key: STATE_KEYS[m.state] },
    percent: working ? Math.floor(m.percent) : null,
    eta: working ? etaText(m.eta_s) : null,
  };
}

/**
 * What the playlist address points at, without its signature (`/media/s/<token>/<asset>/…` for private
 * rooms) or query: a signature renewed by the next poll does not make a new video.
 */
export function streamIdentity(hlsUrl: string | undefined): string | null {
  if (!hlsUrl) return null;
  const path = hlsUrl.split(/[?#]/)[0] ?? hlsUrl;
  return path.replace(/^\/media\/s\/[^/]+\//, '/media/');
}
