// Make-before-break across a reconnect (docs/protocol.md, "Clusters"): when the room socket drops, the
// call's connections to Janus are not closed. Janus keeps the sessions of a Kino node that went away
// for a while (`reclaim_session_timeout`), so the old connections go on carrying everyone's audio and
// video while the next socket joins the call again. Until a person's stream in the new call keeps
// showing frames, their tile plays the old one; participant ids belong to a socket, so the old stream is found
// by member id. Then the old connections are closed: the subscriber when every person it carried is
// flowing in the new call (or `CALL.handoverMaxMs` has passed), our old publisher a little later (the
// others switch over to our new one on their own clock).
import type { MediaStreamLike, PeerLike } from './call_types';
import type { Roster, RosterEntry } from './roster';
import type { InboundStat, Subscriber } from './subscriber';

/** What the previous connection said about a person whose tile plays its stream. */
export interface Carried {
  camera: boolean;
  mic: boolean;
}

export interface Composed {
  /** Participant id → the stream its tile plays. */
  remote: Map<string, MediaStreamLike>;
  /** The participants whose stream comes from the previous connection. */
  carried: Map<string, Carried>;
}

/** Reads (CALL.handoverPollMs apart) in a row a new stream must move in before its tile switches to it. */
export const STEADY_READS = 3;

export class Handover {
  /** Old participant id → stream, as the old subscriber last grouped them (it may still update them). */
  remote: Map<string, MediaStreamLike>;
  /** New participant ids whose stream in the new call shows frames (for good: no going back). */
  private readonly flowing = new Set<string>();
  /** New participant id → frames decoded (or audio bytes) at the last read and reads in a row it moved. */
  private progress = new Map<string, { count: number; reads: number }>();
  /** Old participant ids whose stream is on a tile now. */
  private shown = new Set<string>();
  /** The new socket had its hello: the roster holds the new participants. */
  private rejoined = false;

  constructor(
    readonly subscriber: Subscriber,
    private readonly publisherPc: PeerLike | null,
    remote: ReadonlyMap<string, MediaStreamLike>,
    /** The previous connection's people, by their old participant ids. */
    private readonly people: ReadonlyMap<string, RosterEntry>,
  ) {
    this.remote = new Map(remote);
  }

  /** Worth keeping: the old call carried someone's stream. */
  get useful(): boolean {
    return this.remote.size > 0 || this.publisherPc !== null;
  }

  /** The new socket had its hello. */
  rejoin(): void {
    this.rejoined = true;
  }

  /** The new socket dropped (or was replaced) too: what flowed in its call is gone; wait for the next hello. */
  dropped(): void {
    this.rejoined = false;
    this.flowing.clear();
    this.progress.clear();
  }

  /** `live` (the new call's streams) with the old stream on every tile whose new one is not flowing yet. */
  compose(live: ReadonlyMap<string, MediaStreamLike>, roster: Roster): Composed {
    const remote = new Map(live);
    const carried = new Map<string, Carried>();
    this.shown = new Set();
    for (const [id, person] of roster.others()) {
      if (this.flowing.has(id)) continue;
      const old = this.oldStreamOf(person.member);
      if (!old) continue;
      remote.set(id, old.stream);
      carried.set(id, { camera: old.entry.camera, mic: old.entry.mic });
      this.shown.add(old.id);
    }
    return { remote, carried };
  }

  /**
   * Reads the new call's stats: who flows there now. Someone whose camera was on flows once their
   * video has kept decoding for `STEADY_READS` reads in a row (a stream that just started often
   * stalls while its simulcast layers settle); anyone else once their audio kept arriving as long.
   * True when something changed.
   */
  notice(stats: readonly InboundStat[], roster: Roster): boolean {
    let changed = false;
    const seen = new Map<string, { count: number; reads: number }>();
    for (const [id, person] of roster.others()) {
      if (this.flowing.has(id)) continue;
      const mine = stats.filter((s) => s.participant_id === id);
      const wantVideo = this.oldStreamOf(person.member)?.entry.camera ?? person.camera;
      const count = wantVideo
        ? Math.max(0, ...mine.filter((s) => s.kind === 'video').map((s) => s.framesDecoded ?? 0))
        : Math.max(0, ...mine.map((s) => s.bytesReceived));
      if (count === 0) continue;
      const before = this.progress.get(id);
      // Reads in a row in which it moved (the first sighting counts as none).
      const reads = before && count > before.count ? before.reads + 1 : 0;
      if (reads >= STEADY_READS) {
        this.flowing.add(id);
        changed = true;
      } else {
        seen.set(id, { count, reads });
      }
    }
    this.progress = seen;
    return changed;
  }

  /** Everyone the old call carried who sent something is flowing in the new one. */
  complete(roster: Roster): boolean {
    if (!this.rejoined) return false;
    const others = roster.others();
    for (const [oldId] of this.remote) {
      const entry = this.people.get(oldId);
      if (!entry || (!entry.camera && !entry.mic)) continue;
      if (!others.some(([id, p]) => p.member === entry.member && this.flowing.has(id))) return false;
    }
    return true;
  }

  /** The old subscriber's stats of the streams on tiles now. */
  async shownStats(): Promise<InboundStat[]> {
    const shown = this.shown;
    return (await this.subscriber.inboundStats()).filter((s) => shown.has(s.participant_id));
  }

  /** Closes the old subscriber (the old publisher is `closePublisher`'s). */
  closeSubscriber(): void {
    this.subscriber.close();
    this.remote = new Map();
    this.shown = new Set();
  }

  closePublisher(): void {
    this.publisherPc?.close();
  }

  private oldStreamOf(member: string): { id: string; stream: MediaStreamLike; entry: RosterEntry } | null {
    for (const [id, stream] of this.remote) {
      const entry = this.people.get(id);
      if (entry?.member === member) return { id, stream, entry };
    }
    return null;
  }
}
