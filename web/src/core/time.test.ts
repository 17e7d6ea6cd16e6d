import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime, formatDateTimeWithZone, formatTime, localInputToUtc, remaining, timeZoneName, toRfc3339, utcToLocalInput } from './time';

const originalTz = process.env.TZ;
function inZone(zone: string) {
  process.env.TZ = zone;
}
beforeEach(() => inZone('UTC'));
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('localInputToUtc', () => {
  it('reads the value in the local time zone and answers in UTC without milliseconds', () => {
    inZone('Europe/Berlin');
    expect(localInputToUtc('2026-12-01T18:30')).toBe('2026-12-01T17:30:00Z'); // CET, UTC+1
    expect(localInputToUtc('2026-07-01T18:30')).toBe('2026-07-01T16:30:00Z'); // CEST, UTC+2
    inZone('America/New_York');
    expect(localInputToUtc('2026-12-01T18:30')).toBe('2026-12-01T23:30:00Z');
    inZone('Asia/Kolkata');
    expect(localInputToUtc('2026-12-01T00:15')).toBe('2026-11-30T18:45:00Z'); // +05:30 crosses the date
    inZone('UTC');
    expect(localInputToUtc('2026-12-01T18:30:45')).toBe('2026-12-01T18:30:45Z');
  });

  it('rejects empty, malformed and impossible values', () => {
    for (const bad of ['', 'soon', '2026-12-01', '2026-12-01 18:30x', '2026-02-30T10:00', '2026-13-01T10:00', '2026-12-01T24:00', '2026-12-01T10:60', '26-12-01T10:00']) {
      expect(localInputToUtc(bad), bad).toBeNull();
    }
    expect(localInputToUtc('2028-02-29T10:00')).toBe('2028-02-29T10:00:00Z'); // a leap day is fine
  });

  it('moves a time skipped by the spring-forward jump to the first real minute after it', () => {
    inZone('Europe/Berlin'); // 2026-03-29 02:00 CET → 03:00 CEST
    expect(localInputToUtc('2026-03-29T02:30')).toBe('2026-03-29T01:30:00Z'); // shown as 03:30 CEST
    expect(localInputToUtc('2026-03-29T03:30')).toBe('2026-03-29T01:30:00Z');
  });

  it('handles years before 100 literally (no 19xx mapping)', () => {
    expect(localInputToUtc('0050-06-01T12:00')).toBe('0050-06-01T12:00:00Z');
  });
});

describe('utcToLocalInput', () => {
  it('shows a UTC instant as local wall-clock time, to the minute', () => {
    inZone('Europe/Berlin');
    expect(utcToLocalInput('2026-12-01T17:30:59Z')).toBe('2026-12-01T18:30');
    inZone('Pacific/Auckland');
    expect(utcToLocalInput('2026-12-31T12:00:00Z')).toBe('2027-01-01T01:00'); // NZDT, UTC+13
  });

  it('round-trips with localInputToUtc in several zones', () => {
    for (const zone of ['UTC', 'Europe/Moscow', 'America/Los_Angeles', 'Australia/Adelaide']) {
      inZone(zone);
      for (const iso of ['2026-01-15T09:05:00Z', '2026-07-04T23:59:00Z', '2027-10-31T01:30:00Z']) {
        expect(localInputToUtc(utcToLocalInput(iso)), `${zone} ${iso}`).toBe(iso);
      }
    }
  });

  it('returns an empty value for nothing or garbage', () => {
    expect(utcToLocalInput(null)).toBe('');
    expect(utcToLocalInput('')).toBe('');
    expect(utcToLocalInput('not a date')).toBe('');
  });
});

describe('toRfc3339 and timeZoneName', () => {
  it('drops milliseconds', () => {
    expect(toRfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 999))).toBe('2026-01-02T03:04:05Z');
  });
  it('names the zone in use', () => {
    inZone('Asia/Tokyo');
    expect(timeZoneName()).toBe('Asia/Tokyo');
  });
});

describe('remaining', () => {
  const start = Date.UTC(2026, 11, 1, 18, 0, 0);

  it('breaks the time left into days, hours, minutes and seconds', () => {
    const now = start - ((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000;
    expect(remaining(now, start)).toEqual({ done: false, totalSeconds: 183_845, days: 2, hours: 3, minutes: 4, seconds: 5 });
  });

  it('rounds partial seconds up, so zero shows only at the start', () => {
    expect(remaining(start - 1, start)).toEqual({ done: false, totalSeconds: 1, days: 0, hours: 0, minutes: 0, seconds: 1 });
    expect(remaining(start - 1500, start).seconds).toBe(2);
    expect(remaining(start - 60_000, start)).toMatchObject({ minutes: 1, seconds: 0 });
  });

  it('is done at and after the start, and for an unknown start', () => {
    const zero = { done: true, totalSeconds: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
    expect(remaining(start, start)).toEqual(zero);
    expect(remaining(start + 10_000, start)).toEqual(zero);
    expect(remaining(start, Number.NaN)).toEqual(zero);
  });
});

describe('formatDateTime', () => {
  it('formats in the given locale and zone, with the zone shown', () => {
    const en = formatDateTime('2026-12-01T17:30:00Z', 'en-GB', 'Europe/Berlin');
    expect(en).toContain('18:30');
    expect(en).toContain('December');
    expect(en).toMatch(/CET|GMT\+1/);
    const ru = formatDateTime('2026-12-01T17:30:00Z', 'ru', 'Europe/Moscow');
    expect(ru).toContain('20:30');
    expect(ru).toContain('декабря');
  });
  it('is empty for a missing time', () => {
    expect(formatDateTime(null, 'en')).toBe('');
    expect(formatDateTime('nope', 'en')).toBe('');
  });
});

describe('formatTime', () => {
  it('gives the local time of day', () => {
    expect(formatTime('2026-12-01T17:05:00Z', 'en-US', 'America/New_York')).toBe('12:05 PM');
    expect(formatTime('2026-12-01T17:05:00Z', 'ru', 'Europe/Moscow')).toBe('20:05');
    expect(formatTime('', 'en')).toBe('');
  });
});

describe('formatters', () => {
  // Regression: the chat log formatted every message's time on each new message with a new
  // Intl.DateTimeFormat, whose native memory grew a busy room's page by gigabytes.
  it('are made once per locale and zone, however many times they format', () => {
    const made = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      for (let i = 0; i < 1000; i += 1) {
        const iso = new Date(Date.UTC(2026, 11, 1, 17, 5) + i * 60_000).toISOString();
        formatTime(iso, 'de-CH', 'Europe/Zurich');
        formatDateTime(iso, 'de-CH', 'Europe/Zurich');
      }
      expect(made).toHaveBeenCalledTimes(2);
      expect(formatTime('2026-12-01T17:05:00Z', 'de-CH', 'Europe/Zurich')).toBe('18:05');
      expect(formatTime('2026-12-01T17:05:00Z', 'de-CH', 'Asia/Tokyo')).toBe('2:05');
      expect(made).toHaveBeenCalledTimes(3);
    } finally {
      made.mockRestore();
    }
  });
});

describe('formatDateTimeWithZone', () => {
  it('names the zone once when the formatted time already ends with it', () => {
    expect(formatDateTimeWithZone('2026-12-01T20:00:00Z', 'en', 'UTC')).toBe('Tuesday, December 1, 2026 at 8:00 PM UTC');
  });
  it('adds the place when the formatted time shows only an offset', () => {
    expect(formatDateTimeWithZone('2026-12-01T20:00:00Z', 'en', 'Europe/Berlin')).toBe('Tuesday, December 1, 2026 at 9:00 PM GMT+1 (Europe/Berlin)');
  });
  it('is empty for no time', () => {
    expect(formatDateTimeWithZone(null, 'en', 'UTC')).toBe('');
  });
});
