// Which tiles the call grid shows, in which order, and how big: pure, so the rules are tested without
// rendering. You first, then everyone else in the order they joined; from three people on, the person
// who spoke last (not you) gets a larger tile.
import type { CallView, Quality } from '../../../core/call/call_session';
import type { MediaStreamLike } from '../../../core/call/call_types';
import type { Participant } from '../../../core/room_protocol';

export interface TileModel {
  id: string;
  name: string;
  self: boolean;
  camera: boolean;
  mic: boolean;
  talking: boolean;
  featured: boolean;
  /** Yours: the camera preview; others': their incoming audio and video. */
  stream: MediaStreamLike | null;
}

/** Tile size steps: `l` for one or two people, down to `xs` for a full room. */
export type GridSize = 'l' | 'm' | 's' | 'xs';

export function gridSize(count: number): GridSize {
  if (count <= 2) return 'l';
  if (count <= 6) return 'm';
  if (count <= 12) return 's';
  return 'xs';
}

/** Up to two initials: "Anna Karenina" → "AK", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (w: string | undefined) => (w ? ([...w][0] ?? '') : '');
  const out = first(words[0]) + (words.length > 1 ? first(words[words.length - 1]) : '');
  return out.toLocaleUpperCase() || '?';
}

/**
 * The simulcast layer to receive for each other person: the featured tile and big tiles `high`, medium
 * tiles `medium`, small ones `low` (a quarter of the size, a ninth of the bits).
 */
export function tileQualities(tiles: readonly TileModel[]): Map<string, Quality> {
  const size = gridSize(tiles.length);
  const base: Quality = size === 'l' ? 'high' : size === 'm' ? 'medium' : 'low';
  const out = new Map<string, Quality>();
  for (const t of tiles) if (!t.self) out.set(t.id, t.featured ? 'high' : base);
  return out;
}

export interface TileInput {
  participants: readonly Participant[];
  /** This connection's participant id (null before the first hello). */
  selfId: string | null;
  /** Your name, for your tile while the participant list doesn't have you yet. */
  selfName: string;
  view: CallView;
}

export function callTiles({ participants, selfId, selfName, view }: TileInput): TileModel[] {
  const tiles: TileModel[] = [];
  if (selfId !== null) {
    const me = participants.find((p) => p.id === selfId);
    tiles.push({
      id: selfId,
      name: me?.name ?? selfName,
      self: true,
      camera: view.camera.live,
      mic: view.mic.live,
      talking: view.mic.live && (view.localTalking || view.talking.has(selfId)),
      featured: false,
      stream: view.camera.live ? view.localStream : null,
    });
  }
  for (const p of participants) {
    if (p.id === selfId) continue;
    // Their stream still comes from before a reconnect: show it as it was until the new one flows.
    const carried = view.carried.get(p.id);
    tiles.push({
      id: p.id,
      name: p.name,
      self: false,
      camera: p.camera || carried?.camera === true,
      mic: p.mic || carried?.mic === true,
      talking: view.talking.has(p.id),
      featured: false,
      stream: view.remote.get(p.id) ?? null,
    });
  }
  if (tiles.length >= 3 && view.activeSpeaker !== null) {
    const speaker = tiles.find((t) => t.id === view.activeSpeaker && !t.self);
    if (speaker) speaker.featured = true;
  }
  return tiles;
}
