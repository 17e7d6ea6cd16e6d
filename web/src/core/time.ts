// Dates and times: converting `<input type="datetime-local">` values (the viewer's own time zone) to
// the API's RFC 3339 UTC strings and back, the countdown breakdown, and locale-aware formatting.
// Everything uses the JS runtime's time zone (the browser's; `TZ` in tests).

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * `2026-12-01T18:30` read in the local time zone → `2026-12-01T17:30:00Z` (seconds precision, no
 * milliseconds). Returns null for an empty, malformed or impossible value (Feb 30, hour 24). A local
 * time skipped by a daylight-saving jump is moved forward, as the browser does.
 */
export function localInputToUtc(value: string): string | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((p) => (p === undefined ? 0 : Number(p))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  // Day overflow (Feb 30 → Mar 2) is a calendar question, independent of the time zone.
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  const local = new Date(0); // set field by field: the Date(y, m, …) constructor maps years 0–99 to 19xx
  local.setFullYear(year, month - 1, day);
  local.setHours(hour, minute, second, 0);
  const t = local.getTime();
  if (Number.isNaN(t)) return null;
  return toRfc3339(t);
}

/** Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ`. */
export function toRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An RFC 3339 time → the `datetime-local` value (minutes precision) in the local time zone; '' if invalid. */
export function utcToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = new Date(t);
  const year = d.getFullYear();
  if (year < 0 || year > 9999) return '';
  return `${String(year).padStart(4, '0')}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** The IANA name of the local time zone ("Europe/Berlin"), or its UTC offset when unknown. */
export function timeZoneName(): string {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) return zone;
  } catch {
    // Fall through to the offset.
  }
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `UTC${sign}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
}

export interface Remaining {
  /** True once the start time is reached (all parts are then 0). */
  done: boolean;
  /** Whole seconds left, rounded up so "0 s" only shows when it is time. */
  totalSeconds: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** The countdown from `nowMs` to `startMs`, broken into days, hours, minutes and seconds. */
export function remaining(nowMs: number, startMs: number): Remaining {
  const diff = startMs - nowMs;
  if (!Number.isFinite(diff) || diff <= 0) {
    return { done: true, totalSeconds: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  }
  const total = Math.ceil(diff / 1000);
  return {
    done: false,
    totalSeconds: total,
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

/** Formatters made so far, by kind, locale and zone: making one costs far more than using it, and
 * its ICU data lives outside the JS heap, so a page that made one per message per render grew by
 * gigabytes before the garbage collector noticed. Bounded: cleared when it passes `FORMATTERS_MAX`. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_MAX = 64;
const LONG: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};
const SHORT: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' };
const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

/** The formatter for `kind` in `locale` and `timeZone` (the runtime's zone when first asked, if none). */
function formatter(kind: string, opts: Intl.DateTimeFormatOptions, locale: string, timeZone?: string): Intl.DateTimeFormat {
  const key = `${kind}|${locale}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    f = new Intl.DateTimeFormat(locale, timeZone ? { ...opts, timeZone } : opts);
    formatters.set(key, f);
  }
  return f;
}

/** "Saturday, 1 December 2026 at 18:30 CET" in the viewer's locale and zone; '' for an invalid time. */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return formatter('long', LONG, locale, timeZone).format(t);
}

/**
 * `formatDateTime` followed by the zone's name when the short zone it prints is not that name already:
 * "… 8:00 PM UTC", "… 9:00 PM GMT+1 (Europe/Berlin)". `zone` defaults to the runtime's zone.
 */
export function formatDateTimeWithZone(iso: string | null | undefined, locale: string, zone?: string): string {
  const formatted = formatDateTime(iso, locale, zone);
  if (!formatted) return '';
  const name = zone ?? timeZoneName();
  return formatted.endsWith(name) ? formatted : `${formatted} (${name})`;
}

/** A compact form for cards: "Sat, 1 Dec, 18:30". */
export function formatShortDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return formatter('short', SHORT, locale, timeZone).format(t);
}

/** A message's local time of day: "6:05 PM", "18:05". '' for an invalid time. */
export function formatTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return formatter('time', TIME, locale, timeZone).format(t);
}
