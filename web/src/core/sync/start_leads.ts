// How late a media element really starts moving after play() or after a seek while playing (the
// decoder and audio output need a moment), and what a playbackRate trim costs on top of its rate. Without
// allowing for these every player misses each action by tens of ms. So the session starts playback this
// much before at_server_ms, seeks this much ahead, plans trims with the cost included, and learns all of
// them from what it measures afterwards, per browser (kept in storage). No React, no DOM.
//
// What Chromium does (measured on the 2-core build machine, HLS through hls.js, 1–5 players at once):
// - play() of an element that was just loaded, seeked while paused, or paused for more than ~10 s: it
//   moves 70–100 ms later ("cold"); play() shortly after a pause without a seek: 0 ± 20 ms ("warm");
// - a seek while playing: it moves again from the target 80–140 ms later;
// - a playbackRate change away from 1 switches the audio to time-stretching (WSOLA), which sets the
//   media clock back ~20 ms once; changes between rates ≠ 1 cost nothing but their latency.
export interface Leads {
  /** Cold start: play() this much before the instant. */
  playS: number;
  /** Warm resume (paused < SYNC.warmResumeMs ago, no seek since). */
  resumeS: number;
  /** A seek while playing lands this much (× rate) ahead. */
  seekS: number;
  /** What leaving rate 1 costs once (seconds of media, negative: the element falls behind). */
  stretchS: number;
}

export type StartKind = 'play' | 'resume' | 'seek';

export const LEADS_KEY = 'kino.syncLeads';
/** Before anything was measured: Chromium on the build machine (see above). */
export const DEFAULT_LEADS: Leads = { playS: 0.09, resumeS: 0.01, seekS: 0.11, stretchS: -0.02 };
const MAX_S = 0.4;
const MAX_STRETCH_S = 0.08;
/** The drift is read this long after the start at the earliest, once the element moves steadily. */
export const MEASURE_AFTER_MS = 150;
/** A measurement is dropped after this long (the element never settled). */
const GIVE_UP_MS = 3_000;
/**
 * How much of the measured error a lead absorbs per measurement: most of it at first (the default may
 * be far off for this browser), then less — starts vary by ±20–30 ms from one to the next, so a lead
 * follows their mean rather than the last one.
 */
const FIRST_GAINS = [0.7, 0.5];
const GAIN = 0.4;
/** Larger drift is not a start latency (a stall, a jump): it teaches nothing. */
const PLAUSIBLE_S = 0.3;
/**
 * Neither is a start that took this much longer or shorter than a lead learned from a few starts
 * says (a busy machine).
 */
const OUTLIER_S = 0.15;
const OUTLIER_AFTER = 2;

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'> | null | undefined;

const clampLead = (v: number) => (Number.isFinite(v) ? Math.min(MAX_S, Math.max(0, v)) : 0);
const clampStretch = (v: number) => (Number.isFinite(v) ? Math.min(MAX_STRETCH_S, Math.max(-MAX_STRETCH_S, v)) : 0);
const KEYS: Record<StartKind, 'playS' | 'resumeS' | 'seekS'> = { play: 'playS', resume: 'resumeS', seek: 'seekS' };

type Key = keyof Leads;
const gainAfter = (n: number) => FIRST_GAINS[n] ?? GAIN;

export class StartLeads {
  private leads: Leads;
  /** Measurements taken so far per lead (stored with the leads). */
  private counts: Partial<Record<Key, number>> = {};
  private pending: { kind: StartKind; sinceMs: number; headStartS: number } | null = null;

  constructor(private readonly storage?: Storage) {
    this.leads = { ...DEFAULT_LEADS };
    try {
      const raw = storage?.getItem(LEADS_KEY);
      const v: unknown = raw ? JSON.parse(raw) : null;
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        for (const k of ['playS', 'resumeS', 'seekS'] as const) if (typeof o[k] === 'number') this.leads[k] = clampLead(o[k]);
        if (typeof o.stretchS === 'number') this.leads.stretchS = clampStretch(o.stretchS);
        const n = o.n && typeof o.n === 'object' ? (o.n as Record<string, unknown>) : {};
        for (const k of ['playS', 'resumeS', 'seekS', 'stretchS'] as const) {
          const c = n[k];
          if (typeof c === 'number' && Number.isFinite(c) && c >= 0) this.counts[k] = Math.floor(c);
        }
      }
    } catch {
      // the defaults
    }
  }

  get playS(): number {
    return this.leads.playS;
  }

  get resumeS(): number {
    return this.leads.resumeS;
  }

  get seekS(): number {
    return this.leads.seekS;
  }

  get stretchS(): number {
    return this.leads.stretchS;
  }

  lead(kind: StartKind): number {
    return this.leads[KEYS[kind]];
  }

  /**
   * The element was started (play, resume) or moved while playing (seek), to be on time from local
   * time `sinceMs`, with `headStartS` of allowance (the lead, or less when the change arrived too late
   * or the timer fired late).
   */
  started(kind: StartKind, sinceMs: number, headStartS: number = this.lead(kind)): void {
    this.pending = { kind, sinceMs, headStartS };
  }

  /** Forget a pending measurement (the state changed, the element paused). */
  cancel(): void {
    this.pending = null;
  }

  /** A start is waiting to be measured. */
  get measuring(): boolean {
    return this.pending !== null;
  }

  /**
   * Call on every tick with the current drift (positive: ahead) while the element moves steadily.
   * Returns true when it learned something.
   */
  observe(nowMs: number, driftS: number | null): boolean {
    const p = this.pending;
    if (!p || nowMs - p.sinceMs < MEASURE_AFTER_MS) return false;
    this.pending = null;
    if (driftS === null || nowMs - p.sinceMs > GIVE_UP_MS || Math.abs(driftS) > PLAUSIBLE_S) return false;
    // What this start really took: the allowance it had, plus however late it still was.
    const key = KEYS[p.kind];
    const took = p.headStartS - driftS;
    if ((this.counts[key] ?? 0) >= OUTLIER_AFTER && Math.abs(took - this.leads[key]) > OUTLIER_S) return false;
    this.leads = { ...this.leads, [key]: clampLead(this.leads[key] + this.gain(key) * (took - this.leads[key])) };
    this.save();
    return true;
  }

  /** A trim that left rate 1 moved the element by `measuredS` more than its rate explains. */
  learnStretch(measuredS: number): void {
    if (!Number.isFinite(measuredS) || Math.abs(measuredS) > MAX_STRETCH_S) return;
    this.leads = { ...this.leads, stretchS: clampStretch(this.leads.stretchS + this.gain('stretchS') * (measuredS - this.leads.stretchS)) };
    this.save();
  }

  /** The gain for the next measurement of `key` (counted). */
  private gain(key: Key): number {
    const n = this.counts[key] ?? 0;
    this.counts[key] = n + 1;
    return gainAfter(n);
  }

  private save() {
    try {
      this.storage?.setItem(LEADS_KEY, JSON.stringify({ ...this.leads, n: this.counts }));
    } catch {
      // kept for this page only
    }
  }
}
