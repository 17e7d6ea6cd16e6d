import { ApiError } from '../../core/api';
import type { JoinResult } from '../../core/rooms_api';

/** Runs a join; resolves null when the server answers 401 `account_required` (guests may not join here). */
export async function joinOrAccountRequired(join: () => Promise<JoinResult>): Promise<JoinResult | null> {
  try {
    return await join();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'account_required') return null;
    throw e;
  }
}

/** Whether a failed call says the room has ended (409 `room_ended`). */
export function isRoomEnded(e: unknown): boolean {
  return e instanceof ApiError && e.code === 'room_ended';
}
