// Client-side checks of the room rules (the server's limits), run before a request so people see the
// rule without a round trip. The server stays the authority; its `invalid_field` answers land on the
// same fields.
import type { MessageKey } from './i18n';
import type { CreateRoomInput, RoomPatch, Visibility } from './rooms_api';
import { localInputToUtc } from './time';
import { charLength } from './validation';

export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 2000;
export const ROOM_PASSWORD_MIN = 6;
export const ROOM_PASSWORD_MAX = 128;
export const DURATION_MIN = 1;
export const DURATION_MAX = 24 * 60;
export const DEFAULT_DURATION = 120;
export const GUEST_NAME_MAX = 64;
export const VIDEO_URL_MAX = 2048;
/** The server accepts start times at most a year ahead (366 days). */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;
/** The server treats a start time up to 5 minutes in the past as "now"; we ask for the future. */
const PAST_TOLERANCE_MS = 60 * 1000;

export type RoomField = 'title' | 'video_url' | 'visibility' | 'password' | 'starts_at' | 'duration_minutes' | 'description';
export type RoomFieldErrors = Partial<Record<RoomField, MessageKey>>;

/** What an `invalid_field` from the server means for each room field: the rule, restated. */
export const ROOM_FIELD_RULES: Record<RoomField, MessageKey> = {
  title: 'validation.title.rules',
  video_url: 'validation.videoUrl.rules',
  visibility: 'validation.visibility.rules',
  password: 'validation.roomPassword.rules',
  starts_at: 'validation.startsAt.rules',
  duration_minutes: 'validation.duration.rules',
  description: 'validation.description.rules',
};

export type AccessMode = 'password' | 'key';

/** The create form's raw values (strings, as the inputs hold them). */
export interface RoomFormValues {
  title: string;
  video_url: string;
  visibility: Visibility;
  access: AccessMode;
  password: string;
  /** `datetime-local` value or ''. */
  starts_local: string;
  /** Minutes as typed; '' means the default. */
  duration: string;
  description: string;
}

export function checkTitle(title: string): MessageKey | undefined {
  const t = title.trim();
  return t === '' || charLength(t) > TITLE_MAX ? 'validation.title.rules' : undefined;
}

/** An absolute http(s) link with a host. */
export function checkVideoUrl(url: string): MessageKey | undefined {
  const u = url.trim();
  if (u === '' || u.length > VIDEO_URL_MAX) return 'validation.videoUrl.rules';
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return 'validation.videoUrl.rules';
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return 'validation.videoUrl.rules';
  return undefined;
}

export function checkRoomPassword(password: string): MessageKey | undefined {
  const n = charLength(password);
  return n < ROOM_PASSWORD_MIN || n > ROOM_PASSWORD_MAX ? 'validation.roomPassword.rules' : undefined;
}

/** '' is fine (the default); otherwise a whole number of minutes within the limits. */
export function parseDuration(text: string): number | null | undefined {
  const v = text.trim();
  if (v === '') return undefined;
  if (!/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= DURATION_MIN && n <= DURATION_MAX ? n : null;
}

/** '' is "start now"; otherwise a valid local time in the future and at most a year ahead. */
export function checkStart(local: string, nowMs: number): MessageKey | undefined {
  if (local.trim() === '') return undefined;
  const utc = localInputToUtc(local);
  if (!utc) return 'validation.startsAt.rules';
  const t = Date.parse(utc);
  if (t < nowMs - PAST_TOLERANCE_MS || t > nowMs + MAX_SCHEDULE_AHEAD_MS) return 'validation.startsAt.rules';
  return undefined;
}

export function checkDescription(description: string): MessageKey | undefined {
  return charLength(description.trim()) > DESCRIPTION_MAX ? 'validation.description.rules' : undefined;
}

/** The name a guest joins under: 1–64 characters. */
export function checkGuestName(name: string): MessageKey | undefined {
  const n = charLength(name.trim());
  return n < 1 || n > GUEST_NAME_MAX ? 'validation.guestName.rules' : undefined;
}

export function validateRoomForm(v: RoomFormValues, nowMs: number): RoomFieldErrors {
  const errors: RoomFieldErrors = {};
  const set = (field: RoomField, key: MessageKey | undefined) => {
    if (key) errors[field] = key;
  };
  set('title', checkTitle(v.title));
  set('video_url', checkVideoUrl(v.video_url));
  if (v.visibility === 'private' && v.access === 'password') set('password', checkRoomPassword(v.password));
  set('starts_at', checkStart(v.starts_local, nowMs));
  if (parseDuration(v.duration) === null) errors.duration_minutes = 'validation.duration.rules';
  set('description', checkDescription(v.description));
  return errors;
}

/** The request body for valid form values (trimmed; defaults left to the server). */
export function roomFormToInput(v: RoomFormValues): CreateRoomInput {
  const input: CreateRoomInput = { title: v.title.trim(), video_url: v.video_url.trim(), visibility: v.visibility };
  if (v.visibility === 'private' && v.access === 'password') input.password = v.password;
  const starts = localInputToUtc(v.starts_local);
  if (starts) input.starts_at = starts;
  const duration = parseDuration(v.duration);
  if (typeof duration === 'number') input.duration_minutes = duration;
  const description = v.description.trim();
  if (description) input.description = description;
  return input;
}

/** The edit form of a scheduled room. */
export interface RoomEditValues {
  title: string;
  description: string;
  starts_local: string;
  duration: string;
}

export function validateRoomEdit(v: RoomEditValues, nowMs: number): RoomFieldErrors {
  const errors: RoomFieldErrors = {};
  const title = checkTitle(v.title);
  if (title) errors.title = title;
  const description = checkDescription(v.description);
  if (description) errors.description = description;
  if (v.starts_local.trim() === '' || checkStart(v.starts_local, nowMs)) errors.starts_at = 'validation.startsAt.rules';
  if (typeof parseDuration(v.duration) !== 'number') errors.duration_minutes = 'validation.duration.rules';
  return errors;
}

/** Only what changed compared with `before`, so an untouched start time is not re-validated. */
export function roomEditPatch(before: RoomEditValues, after: RoomEditValues): RoomPatch {
  const patch: RoomPatch = {};
  if (after.title.trim() !== before.title.trim()) patch.title = after.title.trim();
  if (after.description.trim() !== before.description.trim()) patch.description = after.description.trim();
  if (after.starts_local !== before.starts_local) {
    const utc = localInputToUtc(after.starts_local);
    if (utc) patch.starts_at = utc;
  }
  const d = parseDuration(after.duration);
  if (typeof d === 'number' && d !== parseDuration(before.duration)) patch.duration_minutes = d;
  return patch;
}
