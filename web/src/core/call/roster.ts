// Who is in the room's call, as the call engine needs to know it across a reconnect: participant id →
// member id and what they send. Participant ids belong to a socket, so after a reconnect everyone's id
// is new; the member id says which new participant is which old one (handover.ts). Read from the
// socket's frames (`hello`'s snapshot, `participant.joined` / `.left`, `media.state`); malformed
// entries are skipped.
import { isRecord, str, type Frame } from './signalling';

export interface RosterEntry {
  member: string;
  camera: boolean;
  mic: boolean;
}

export class Roster {
  private people = new Map<string, RosterEntry>();
  /** This connection's participant id (null before the first hello). */
  self: string | null = null;

  /** Applies a frame; `hello` replaces everything. */
  apply(f: Frame): void {
    switch (f.type) {
      case 'hello': {
        this.people = new Map();
        this.self = str(f.participant_id) ? f.participant_id : null;
        const snapshot = isRecord(f.snapshot) ? f.snapshot : {};
        if (Array.isArray(snapshot.participants)) for (const p of snapshot.participants) this.add(p);
        return;
      }
      case 'participant.joined':
        this.add(f.participant);
        return;
      case 'participant.left':
        if (str(f.participant_id)) this.people.delete(f.participant_id);
        return;
      case 'media.state': {
        const e = str(f.participant_id) ? this.people.get(f.participant_id) : undefined;
        if (!e) return;
        if (typeof f.camera === 'boolean') e.camera = f.camera;
        if (typeof f.mic === 'boolean') e.mic = f.mic;
        return;
      }
      default:
        return;
    }
  }

  get(participant: string): RosterEntry | undefined {
    return this.people.get(participant);
  }

  /** Everyone but this connection, by participant id. */
  others(): Array<[string, RosterEntry]> {
    return [...this.people].filter(([id]) => id !== this.self);
  }

  /** A copy, frozen at this moment (the previous connection's people, for a handover). */
  snapshot(): Map<string, RosterEntry> {
    return new Map([...this.people].map(([id, e]) => [id, { ...e }]));
  }

  private add(p: unknown): void {
    if (!isRecord(p) || !str(p.id) || !str(p.member_id)) return;
    this.people.set(p.id, { member: p.member_id, camera: p.camera === true, mic: p.mic === true });
  }
}
