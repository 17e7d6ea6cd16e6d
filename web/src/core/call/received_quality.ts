// Which simulcast layer of each person's video we receive (`media.quality`). The UI says what it wants
// (by tile size); only the differences from what the server already has are sent. No React, no DOM.
import type { Quality } from './call_view';

export interface ReceivedQualityHost {
  /** In the call and not closed: requests can be sent. */
  inCall(): boolean;
  /** Sends a frame on the room socket; false when there is none. */
  send(frame: Record<string, unknown>): boolean;
}

export class ReceivedQuality {
  private wanted: ReadonlyMap<string, Quality> = new Map();
  /** What the server has for this call session (absent = its default, high). */
  private readonly sent = new Map<string, Quality>();

  constructor(private readonly host: ReceivedQualityHost) {}

  /** The layer wanted per participant; those not listed are forgotten. Sent at once when in the call. */
  want(wanted: ReadonlyMap<string, Quality>): void {
    this.wanted = wanted;
    this.send();
  }

  /** Sends what differs from what the server has (nothing outside the call; stops when the socket is gone). */
  send(): void {
    if (!this.host.inCall()) return;
    for (const id of [...this.sent.keys()]) if (!this.wanted.has(id)) this.sent.delete(id);
    for (const [id, quality] of this.wanted) {
      if ((this.sent.get(id) ?? 'high') === quality) continue;
      if (!this.host.send({ type: 'media.quality', participant_id: id, quality })) return;
      this.sent.set(id, quality);
    }
  }

  /** The call session ended: the server forgot every request (the next `send` starts from its defaults). */
  forget(): void {
    this.sent.clear();
  }
}
