// The room's video-call participants (docs/protocol.md, "Video chat"): the hello snapshot's list kept
// current by the seq'd room events `participant.joined`, `participant.left` and `media.state`. Pure: the
// room socket feeds it frames and publishes `list()` in its state.
import { parseList, parseParticipant, type Participant } from './room_protocol';

const str = (v: unknown): v is string => typeof v === 'string';

/**
 * Participants in the order they joined (the snapshot's order first). The events are set operations,
 * so a resume that replays events the snapshot already contains ends in the same state.
 */
export class ParticipantList {
  private readonly byId = new Map<string, Participant>();
  private cached: readonly Participant[] = [];

  /** Replaces everything with a snapshot's `participants`. */
  reset(snapshot: unknown): void {
    this.byId.clear();
    for (const p of parseList(snapshot, parseParticipant)) this.byId.set(p.id, p);
    this.cached = [...this.byId.values()];
  }

  /**
   * Applies one room frame. Returns whether the list changed; frames of other types are ignored.
   * A `participant.joined` for someone already known (a replay) keeps the known mic/camera: the
   * snapshot is newer than the event, and any later `media.state` is replayed after it.
   */
  apply(f: Record<string, unknown> & { type: string }): boolean {
    switch (f.type) {
      case 'participant.joined': {
        const p = parseParticipant(f.participant);
        if (!p) return false;
        const known = this.byId.get(p.id);
        this.byId.set(p.id, known ? { ...p, mic: known.mic, camera: known.camera } : p);
        break;
      }
      case 'participant.left':
        if (!str(f.participant_id) || !this.byId.delete(f.participant_id)) return false;
        break;
      case 'media.state': {
        // The server's event carries a seq; the same type is also what we send (without one).
        const known = str(f.participant_id) ? this.byId.get(f.participant_id) : undefined;
        if (!known) return false;
        const mic = typeof f.mic === 'boolean' ? f.mic : known.mic;
        const camera = typeof f.camera === 'boolean' ? f.camera : known.camera;
        if (mic === known.mic && camera === known.camera) return false;
        this.byId.set(known.id, { ...known, mic, camera });
        break;
      }
      default:
        return false;
    }
    this.cached = [...this.byId.values()];
    return true;
  }

  /** The current list; the same array until something changes. */
  list(): readonly Participant[] {
    return this.cached;
  }
}
