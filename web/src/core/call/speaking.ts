// "Is this microphone speaking?" from level samples: quick to light up, slow to go out, so the ring
// around a tile doesn't flicker between words. Pure; the clock comes with each sample.

/** A level at or above this (RMS, 0–1) is speech. */
export const SPEAKING_ON = 0.03;
/** Below this the room counts as quiet. */
export const SPEAKING_OFF = 0.015;
/** Quiet for longer than this ends the speaking state. */
export const SPEAKING_HOLD_MS = 800;

export class SpeakingDetector {
  private speaking = false;
  private lastLoud = -Infinity;

  /** Feeds one sample taken at `nowMs`; returns whether the person is speaking. */
  update(level: number, nowMs: number): boolean {
    if (level >= SPEAKING_ON || (this.speaking && level >= SPEAKING_OFF)) this.lastLoud = nowMs;
    if (level >= SPEAKING_ON) this.speaking = true;
    else if (this.speaking && nowMs - this.lastLoud > SPEAKING_HOLD_MS) this.speaking = false;
    return this.speaking;
  }

  reset(): void {
    this.speaking = false;
    this.lastLoud = -Infinity;
  }
}
