// The shared-playback part of the room protocol (docs/protocol.md, "Shared playback and clock sync"):
// the state and policy shapes with their tolerant parsers, and the control intents. No React, no DOM.
import { isRecord } from '../api';
import type { SharedPlayback } from './drift_corrector';

/** `playback.state`'s `state` (and hello's `snapshot.playback`). */
export interface PlaybackState extends SharedPlayback {
  /** Shared room volume, 0–1. */
  volume: number;
  muted: boolean;
  /** What made this state: play, pause, seek, rate, volume, mute, buffering, resume, … */
  action: string;
  /** Who did it; null for the server itself (`resume`). For `buffering`: the one who stalled (id ''). */
  by: { id: string; name: string } | null;
}

export type ControlPolicy = 'everyone' | 'host';
export type BufferingPolicy = 'catch_up' | 'wait_for_all';

export interface PlaybackPolicy {
  control: ControlPolicy;
  buffering: BufferingPolicy;
}

export const DEFAULT_POLICY: PlaybackPolicy = { control: 'everyone', buffering: 'catch_up' };

export type ControlAction = 'play' | 'pause' | 'seek' | 'rate' | 'volume' | 'mute';

export interface ControlFields {
  position_s?: number;
  rate?: number;
  volume?: number;
  muted?: boolean;
}

/** The speeds the server accepts (`rate` 0.25–4). */
export const RATE_MIN = 0.25;
export const RATE_MAX = 4;

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';

export function parsePlaybackState(v: unknown): PlaybackState | null {
  if (!isRecord(v) || !num(v.position_s) || !num(v.at_server_ms)) return null;
  if (v.status !== 'playing' && v.status !== 'paused') return null;
  const by = isRecord(v.by) && str(v.by.name) ? { id: str(v.by.id) ? v.by.id : '', name: v.by.name } : null;
  return {
    status: v.status,
    position_s: Math.max(0, v.position_s),
    rate: num(v.rate) && v.rate > 0 ? v.rate : 1,
    at_server_ms: v.at_server_ms,
    volume: num(v.volume) ? Math.min(1, Math.max(0, v.volume)) : 1,
    muted: v.muted === true,
    action: str(v.action) ? v.action : '',
    by,
  };
}

export function parsePolicy(v: unknown, fallback: PlaybackPolicy = DEFAULT_POLICY): PlaybackPolicy {
  if (!isRecord(v)) return fallback;
  return {
    control: v.control === 'host' || v.control === 'everyone' ? v.control : fallback.control,
    buffering: v.buffering === 'wait_for_all' || v.buffering === 'catch_up' ? v.buffering : fallback.buffering,
  };
}
