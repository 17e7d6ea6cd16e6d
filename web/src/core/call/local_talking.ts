// "Am I speaking?" for our own tile, measured here with no round trip: the microphone's LevelMeter is
// read every CALL.meterIntervalMs and fed to the SpeakingDetector. No React, no DOM.
import { CALL, type LevelMeter, type MediaTrack } from './call_types';
import { SpeakingDetector } from './speaking';

export interface LocalTalkingHost {
  /** A loudness meter for a microphone track; absent or null: nothing is measured. */
  meter?: ((track: MediaTrack) => LevelMeter | null) | undefined;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  now(): number;
  /** The view's `localTalking`, and setting it (called only on a change). */
  talking(): boolean;
  setTalking(talking: boolean): void;
}

/** Measures one microphone track at a time. */
export class LocalTalking {
  private meter: LevelMeter | null = null;
  private timer: unknown = null;
  private readonly speaking = new SpeakingDetector();

  constructor(private readonly host: LocalTalkingHost) {}

  /** Measures `track` (instead of the one before). */
  start(track: MediaTrack): void {
    const { host } = this;
    this.stop();
    this.meter = host.meter?.(track) ?? null;
    if (!this.meter) return;
    const tick = () => {
      this.timer = null;
      if (!this.meter) return;
      const talking = this.speaking.update(this.meter.level(), host.now());
      if (talking !== host.talking()) host.setTalking(talking);
      this.timer = host.setTimer(tick, CALL.meterIntervalMs);
    };
    this.timer = host.setTimer(tick, CALL.meterIntervalMs);
  }

  /** Stops measuring and closes the meter; we are not speaking any more. */
  stop(): void {
    if (this.timer !== null) this.host.clearTimer(this.timer);
    this.timer = null;
    this.meter?.close();
    this.meter = null;
    this.speaking.reset();
    if (this.host.talking()) this.host.setTalking(false);
  }
}
