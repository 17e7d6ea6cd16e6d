// Replaying an ended room: where each chat message belongs in the film (docs/design/0006). A
// message belongs at the position the shared player stood at when it was written, computed from the
// room's stored playback timeline (GET /api/v1/rooms/{slug}/archive). No React, no DOM, no clock.

/** One stored playback change, in force from `at_ms` (the server's instant it took effect). */
export interface TimelineEvent {
  seq: number;
  at_ms: number;
  playing: boolean;
  position_s: number;
  rate: number;
}

/** What the replay needs of a chat message. */
export interface TimedMessage {
  seq: number;
  sent_at_ms: number;
}

/**
 * The film position the shared player stood at at `t_ms`: from the last change in force then
 * (the latest `at_ms` ≤ `t_ms`; ties by seq), advanced at its rate while playing. 0 before the first
 * change (the film had not started), never below 0, never past `duration_s` when known.
 */
export function filmPositionAt(timeline: readonly TimelineEvent[], t_ms: number, duration_s?: number): number {
  let inForce: TimelineEvent | null = null;
  for (const e of timeline) {
    if (e.at_ms > t_ms) continue;
    if (!inForce || e.at_ms > inForce.at_ms || (e.at_ms === inForce.at_ms && e.seq > inForce.seq)) inForce = e;
  }
  if (!inForce) return 0;
  const moved = inForce.playing ? ((t_ms - inForce.at_ms) / 1000) * inForce.rate : 0;
  const position = Math.max(0, inForce.position_s + moved);
  return duration_s !== undefined ? Math.min(position, duration_s) : position;
}

/** Each message with the film position it belongs at, in replay order (position, then seq). */
export function placeMessages<M extends TimedMessage>(
  timeline: readonly TimelineEvent[],
  messages: readonly M[],
  duration_s?: number,
): Array<M & { film_s: number }> {
  return messages
    .map((m) => ({ ...m, film_s: filmPositionAt(timeline, m.sent_at_ms, duration_s) }))
    .sort((a, b) => a.film_s - b.film_s || a.seq - b.seq);
}

/** How many of the placed messages the replay shows when the film is at `position_s`. */
export function shownAt(placed: readonly { film_s: number }[], position_s: number): number {
  let lo = 0;
  let hi = placed.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (placed[mid]!.film_s <= position_s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
