// The publisher side of the call (docs/protocol.md, "Video chat"): the connection that sends our camera
// and microphone to the server. No React, no DOM.
//
// - Created the first time a device is turned on while in the call (and after each `media.ready` while
//   one is on): audio and video transceivers, send-only, video with three simulcast layers, offered
//   once with `media.publish`.
// - Devices go off and on (or switch) with `replaceTrack` on the running connection, never a
//   renegotiation.
// - A connection that fails, a refused offer or answer, or a track that cannot be replaced: the
//   publish is dropped (`media.unpublish`) and made again after CALL.republishMs.
import { CALL, SIMULCAST_ENCODINGS, type MediaTrack, type PeerFactory, type PeerLike, type SessionDescription, type TransceiverLike } from './call_types';
import type { DeviceKind } from './capture';
import { addServerCandidate } from './signalling';

/** What the Publisher needs of its session. */
export interface PublisherHost {
  createPeer: PeerFactory;
  /** Sends a frame on the room socket; false when there is none. */
  send(frame: Record<string, unknown>): boolean;
  /** In the call and not closed: a publish may start. */
  canPublish(): boolean;
  /** The running track of a device; null while it is off. */
  track(kind: DeviceKind): MediaTrack | null;
  /** Shows whether Janus has accepted our publish (CallView.publishing). */
  setPublishing(publishing: boolean): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  log(message: string, error?: unknown): void;
}

/** One publish: a connection and how far its negotiation got. */
interface Publication {
  pc: PeerLike;
  audio: TransceiverLike;
  video: TransceiverLike;
  offerSent: boolean;
  answerSeen: boolean;
  remoteSet: boolean;
  /** Our candidates gathered before the offer went out. */
  localQueue: Array<RTCIceCandidateInit | null>;
  /** Server candidates that came before the answer was applied. */
  remoteQueue: Array<RTCIceCandidateInit | null>;
}

/**
 * At most one publish at a time. Async steps of a publication that was closed or replaced meanwhile
 * change nothing.
 */
export class Publisher {
  private current: Publication | null = null;
  private republishTimer: unknown = null;

  constructor(private readonly host: PublisherHost) {}

  /** A publisher connection exists (negotiated or not). */
  get active(): boolean {
    return this.current !== null;
  }

  /** Publishes when the host allows it, a device is on and there is no publisher connection yet. */
  ensure(): void {
    const { host } = this;
    if (this.current || !host.canPublish() || (!host.track('mic') && !host.track('camera'))) return;
    const p: Publication = {
      pc: null as unknown as PeerLike,
      audio: null as unknown as TransceiverLike,
      video: null as unknown as TransceiverLike,
      offerSent: false,
      answerSeen: false,
      remoteSet: false,
      localQueue: [],
      remoteQueue: [],
    };
    p.pc = host.createPeer('publisher', {
      iceCandidate: (c) => {
        if (this.current !== p) return;
        if (p.offerSent) this.trickle(c);
        else p.localQueue.push(c);
      },
      track() {},
      connectionState: (state) => {
        if (this.current === p && state === 'failed') this.republishLater('the publisher connection failed');
      },
    });
    p.audio = p.pc.addTransceiver('audio', { direction: 'sendonly' });
    p.video = p.pc.addTransceiver('video', { direction: 'sendonly', sendEncodings: SIMULCAST_ENCODINGS.map((e) => ({ ...e })) });
    this.current = p;
    void this.negotiate(p);
  }

  /** Sends `track` (null: nothing) for a device on the running connection; nothing without one. */
  replaceTrack(kind: DeviceKind, track: MediaTrack | null): void {
    const p = this.current;
    if (!p) return;
    (kind === 'camera' ? p.video.sender : p.audio.sender).replaceTrack(track).catch((e: unknown) => {
      if (this.current === p) this.republishLater('a track could not be replaced', e);
    });
  }

  /** Janus's answer to our `media.publish`; applied once, ignored without an offer waiting for it. */
  async onAnswer(jsep: SessionDescription): Promise<void> {
    const p = this.current;
    if (!p || !p.offerSent || p.answerSeen) return;
    p.answerSeen = true;
    try {
      await p.pc.setRemoteDescription(jsep);
      if (this.current !== p) return;
      p.remoteSet = true;
      for (const c of p.remoteQueue.splice(0)) addServerCandidate(p.pc, c, this.host.log);
      this.host.setPublishing(true);
    } catch (e) {
      if (this.current === p) this.republishLater('the publish answer could not be applied', e);
    }
  }

  /** A server candidate (`media.trickle` for the publisher): held until the answer is applied; dropped without a connection. */
  addRemoteCandidate(c: RTCIceCandidateInit | null): void {
    const p = this.current;
    if (!p) return;
    if (p.remoteSet) addServerCandidate(p.pc, c, this.host.log);
    else p.remoteQueue.push(c);
  }

  /** Janus refused a step (`media_failed`): a publish still waiting for its answer is made again later. */
  onRefused(): void {
    const p = this.current;
    if (p && p.offerSent && !p.answerSeen) this.republishLater('Janus refused the publish');
  }

  /** Closes the connection and cancels a pending republish (the session left). CallView.publishing is the caller's. */
  reset(): void {
    if (this.republishTimer !== null) this.host.clearTimer(this.republishTimer);
    this.republishTimer = null;
    this.close();
  }

  /**
   * Gives up the running connection without closing it, if it was negotiated (a handover keeps it
   * sending while the next join publishes again); one still negotiating is closed. Starts afresh.
   */
  detach(): PeerLike | null {
    if (this.republishTimer !== null) this.host.clearTimer(this.republishTimer);
    this.republishTimer = null;
    const p = this.current;
    if (!p?.remoteSet) {
      this.close();
      return null;
    }
    this.current = null;
    return p.pc;
  }

  private close(): void {
    const p = this.current;
    this.current = null;
    p?.pc.close();
  }

  private trickle(candidate: RTCIceCandidateInit | null): void {
    this.host.send({ type: 'media.trickle', target: 'publisher', candidate });
  }

  private async negotiate(p: Publication): Promise<void> {
    const stale = () => this.current !== p;
    try {
      await Promise.all([p.audio.sender.replaceTrack(this.host.track('mic')), p.video.sender.replaceTrack(this.host.track('camera'))]);
      if (stale()) return;
      const offer = await p.pc.createOffer();
      if (stale()) return;
      await p.pc.setLocalDescription(offer);
      if (stale()) return;
      if (!this.host.send({ type: 'media.publish', jsep: { type: 'offer', sdp: offer.sdp } })) {
        this.close(); // the socket is gone: the next media.ready publishes again
        return;
      }
      p.offerSent = true;
      for (const c of p.localQueue.splice(0)) this.trickle(c);
    } catch (e) {
      if (!stale()) this.republishLater('the publish offer failed', e);
    }
  }

  private republishLater(why: string, e?: unknown): void {
    const { host } = this;
    host.log(`call: ${why}; publishing again soon`, e);
    host.send({ type: 'media.unpublish' });
    this.close();
    host.setPublishing(false);
    if (this.republishTimer !== null) host.clearTimer(this.republishTimer);
    this.republishTimer = host.setTimer(() => {
      this.republishTimer = null;
      this.ensure();
    }, CALL.republishMs);
  }
}
