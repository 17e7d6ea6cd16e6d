// The subscriber side of one call session (docs/protocol.md, "Video chat"): the connection on which the
// server sends everyone else's audio and video. No React, no DOM.
//
// - The server's `media.offer`s are applied strictly one at a time, in order, each answered with
//   `media.answer`. The connection is created with the first offer.
// - Each offer's `streams` maps transceiver mids to participants; the remote tracks are grouped into one
//   MediaStream per participant (a stream object is replaced only when its tracks change).
// - Server candidates that arrive before the remote description are queued; ours are trickled
//   (`target: "subscriber"`) once the first answer went out.
import type { MediaStreamLike, MediaTrack, PeerFactory, PeerLike, SessionDescription } from './call_types';
import { addServerCandidate, num, str, type StreamSlot } from './signalling';

export interface InboundStat {
  participant_id: string;
  kind: 'audio' | 'video';
  framesDecoded?: number;
  totalSamplesReceived?: number;
  bytesReceived: number;
}

/** What a Subscriber needs of its session. */
export interface SubscriberHost {
  createPeer: PeerFactory;
  createStream(tracks: MediaTrack[]): MediaStreamLike;
  /** Sends a frame on the room socket; false when there is none. */
  send(frame: Record<string, unknown>): boolean;
  /** The remote streams in the view, and their replacement. */
  remote(): ReadonlyMap<string, MediaStreamLike>;
  setRemote(remote: Map<string, MediaStreamLike>): void;
  /** The connection broke: the session leaves and joins again (and closes this subscriber). */
  restart(why: string, error?: unknown): void;
  log(message: string, error?: unknown): void;
}

/**
 * The subscriber of one join: made when the session joins, closed (for good) when it leaves. After
 * `close()` nothing it started touches the session any more.
 */
export class Subscriber {
  private pc: PeerLike | null = null;
  /** mid → whose stream it carries, from the latest offer. */
  private layout = new Map<string, StreamSlot>();
  /** A remote description is set: server candidates can be added directly. */
  private remoteSet = false;
  /** Our first answer went out: our candidates can follow it. */
  private answered = false;
  private closed = false;
  /** The offers, chained: each starts when the one before it is done. */
  private offers: Promise<void> = Promise.resolve();
  /** Our candidates gathered before the first answer. */
  private readonly localQueue: Array<RTCIceCandidateInit | null> = [];
  /** Server candidates that came before the remote description. */
  private readonly remoteQueue: Array<RTCIceCandidateInit | null> = [];

  constructor(private readonly host: SubscriberHost) {}

  /**
   * Queues a `media.offer` after the ones before it (the connection is created now if there is none).
   * A failure to apply it calls `host.restart`.
   */
  offer(jsep: SessionDescription, streams: StreamSlot[]): void {
    const pc = this.pc ?? this.open();
    this.offers = this.offers.then(() => this.apply(pc, jsep, streams));
  }

  /** A server candidate (`media.trickle` for the subscriber); held until the remote description is set. */
  addRemoteCandidate(c: RTCIceCandidateInit | null): void {
    if (this.pc && this.remoteSet) addServerCandidate(this.pc, c, this.host.log);
    else this.remoteQueue.push(c);
  }

  /** The connection's `inbound-rtp` stats, by participant; [] before the first offer. */
  async inboundStats(): Promise<InboundStat[]> {
    const pc = this.pc;
    if (!pc) return [];
    const report = await pc.getStats();
    const midOfTrack = new Map<string, string>();
    for (const t of pc.getTransceivers()) if (t.mid !== null && t.receiver.track) midOfTrack.set(t.receiver.track.id, t.mid);
    const out: InboundStat[] = [];
    report.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      const mid = str(r.mid) ? r.mid : str(r.trackIdentifier) ? midOfTrack.get(r.trackIdentifier) : undefined;
      const slot = mid !== undefined ? this.layout.get(mid) : undefined;
      if (!slot) return;
      const kind = r.kind === 'audio' || r.kind === 'video' ? r.kind : slot.kind;
      const stat: InboundStat = { participant_id: slot.participant_id, kind, bytesReceived: num(r.bytesReceived) ? r.bytesReceived : 0 };
      if (num(r.framesDecoded)) stat.framesDecoded = r.framesDecoded;
      if (num(r.totalSamplesReceived)) stat.totalSamplesReceived = r.totalSamplesReceived;
      out.push(stat);
    });
    return out;
  }

  /** Closes the connection; offers still in the queue and late events are dropped. The view is the session's to clear. */
  close(): void {
    this.closed = true;
    this.pc?.close();
  }

  private open(): PeerLike {
    const pc = this.host.createPeer('subscriber', {
      iceCandidate: (c) => {
        if (this.closed) return;
        if (this.answered) this.trickle(c);
        else this.localQueue.push(c);
      },
      track: () => {
        if (!this.closed) this.rebuildRemote();
      },
      connectionState: (state) => {
        if (!this.closed && state === 'failed') this.host.restart('the subscriber connection failed');
      },
    });
    this.pc = pc;
    return pc;
  }

  private trickle(candidate: RTCIceCandidateInit | null): void {
    this.host.send({ type: 'media.trickle', target: 'subscriber', candidate });
  }

  private async apply(pc: PeerLike, jsep: SessionDescription, streams: StreamSlot[]): Promise<void> {
    if (this.closed) return;
    // The layout first: tracks are reported while the offer is applied.
    this.layout = new Map(streams.map((x) => [x.mid, x]));
    try {
      await pc.setRemoteDescription(jsep);
      if (this.closed) return;
      this.remoteSet = true;
      for (const c of this.remoteQueue.splice(0)) addServerCandidate(pc, c, this.host.log);
      const answer = await pc.createAnswer();
      if (this.closed) return;
      await pc.setLocalDescription(answer);
      if (this.closed) return;
      this.host.send({ type: 'media.answer', jsep: { type: 'answer', sdp: answer.sdp } });
      if (!this.answered) {
        this.answered = true;
        for (const c of this.localQueue.splice(0)) this.trickle(c);
      }
      this.rebuildRemote();
    } catch (e) {
      if (!this.closed) this.host.restart('an offer could not be applied', e);
    }
  }

  /** Groups the live transceivers by participant; a stream object changes only with its tracks. */
  private rebuildRemote(): void {
    const pc = this.pc;
    if (!pc) return;
    const byParticipant = new Map<string, MediaTrack[]>();
    for (const t of pc.getTransceivers()) {
      const slot = t.mid !== null ? this.layout.get(t.mid) : undefined;
      const track = t.receiver.track;
      if (!slot || !track) continue;
      const list = byParticipant.get(slot.participant_id) ?? [];
      list.push(track);
      byParticipant.set(slot.participant_id, list);
    }
    const current = this.host.remote();
    const next = new Map<string, MediaStreamLike>();
    let changed = byParticipant.size !== current.size;
    for (const [id, list] of byParticipant) {
      const old = current.get(id);
      const oldTracks = old?.getTracks() ?? [];
      if (old && oldTracks.length === list.length && list.every((t) => oldTracks.includes(t))) {
        next.set(id, old);
      } else {
        next.set(id, this.host.createStream(list));
        changed = true;
      }
    }
    if (changed) this.host.setRemote(next);
  }
}
