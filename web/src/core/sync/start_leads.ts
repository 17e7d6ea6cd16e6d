// How late a media element really starts moving after play() or after a seek while playing (the
// decoder and audio output need a moment: ~50–150 ms in Chromium). Without allowing for it every
// player lags the shared position by that much after each action, and the corrector needs seconds of
// ±5 % nudging to catch up. So the session starts playback this much before at_server_ms and seeks
// this much ahead, and learns the leads from what it measures after each start (no React, no DOM).
export interface Leads {
  playS: number;
  seekS: number;
}

export const LEADS_KEY = 'kino.syncLeads';
/** Before anything was measured: what Chromium took on the 2-core build machine (play 70–110 ms, seek 110–150 ms). */
export const DEFAULT_LEADS: Leads = { playS: 0.09, seekS: 0.125 };
const MAX_S = 0.4;
/** The drift is read this long after the start, once the element moves steadily. */
export const MEASURE_AFTER_MS = 150;
/** A measurement is dropped after this long (the element never settled). */
const GIVE_UP_MS = 3_000;
/** How much of the measured error the lead absorbs per measurement. */
const GAIN = 0.7;
/** Larger drift is not a start latency (a stall, a jump): it teaches nothing. */
const PLAUSIBLE_S = 0.3;

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'> | null | undefined;

const clampLead = (v: number) => (Number.isFinite(v) ? Math.min(MAX_S, Math.max(0, v)) : 0);

export class StartLeads {
  private leads: Leads;
  private pending: { kind: 'play' | 'seek'; sinceMs: number; headStartS: number } | null = null;

  constructor(private readonly storage?: Storage) {
    this.leads = { ...DEFAULT_LEADS };
    try {
      const raw = storage?.getItem(LEADS_KEY);
      const v: unknown = raw ? JSON.parse(raw) : null;
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.playS === 'number') this.leads.playS = clampLead(o.playS);
        if (typeof o.seekS === 'number') this.leads.seekS = clampLead(o.seekS);
      }
    } catch {
      // the defaults
    }
  }

  get playS(): number {
    return this.leads.playS;
  }

  get seekS(): number {
    return this.leads.seekS;
  }

  /**
   * The element was started (play) or moved while playing (seek), to be on time from local time
   * `sinceMs`, with `headStartS` of allowance (the lead, or less when the change arrived too late to
   * start a whole lead early).
   */
  started(kind: 'play' | 'seek', sinceMs: number, headStartS: number = kind === 'play' ? this.playS : this.seekS): void {
    this.pending = { kind, sinceMs, headStartS };
  }

  /** Forget a pending measurement (the state changed, the element paused). */
  cancel(): void {
    this.pending = null;
  }

  /**
   * Call on every tick with the current drift (positive: ahead) while the element plays steadily.
   * Returns true when it learned something.
   */
  observe(nowMs: number, driftS: number | null): boolean {
    const p = this.pending;
    if (!p || nowMs - p.sinceMs < MEASURE_AFTER_MS) return false;
    this.pending = null;
    if (driftS === null || nowMs - p.sinceMs > GIVE_UP_MS || Math.abs(driftS) > PLAUSIBLE_S) return false;
    // What this start really took: the allowance it had, plus however late it still was.
    const key = p.kind === 'play' ? 'playS' : 'seekS';
    const took = p.headStartS - driftS;
    this.leads = { ...this.leads, [key]: clampLead(this.leads[key] + GAIN * (took - this.leads[key])) };
    try {
      this.storage?.setItem(LEADS_KEY, JSON.stringify(this.leads));
    } catch {
      // kept for this page only
    }
    return true;
  }
}
