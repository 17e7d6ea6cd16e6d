import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkGuestName,
  checkStart,
  checkVideoUrl,
  roomEditPatch,
  roomFormToInput,
  validateRoomEdit,
  validateRoomForm,
  type RoomFormValues,
} from './room_validation';

const originalTz = process.env.TZ;
beforeEach(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0); // 13:00 in Berlin

const valid: RoomFormValues = {
  title: '  Friday film ',
  video_url: ' https://cdn.test/film.mp4 ',
  visibility: 'public',
  access: 'key',
  password: '',
  starts_local: '',
  duration: '120',
  description: '',
};

describe('validateRoomForm', () => {
  it('accepts a plain public room', () => {
    expect(validateRoomForm(valid, NOW)).toEqual({});
  });

  it('states each broken rule under its field', () => {
    const errors = validateRoomForm(
      { ...valid, title: ' ', video_url: 'ftp://x.test/v', visibility: 'private', access: 'password', password: '12345', duration: '0', description: 'x'.repeat(2001) },
      NOW,
    );
    expect(errors).toEqual({
      title: 'validation.title.rules',
      video_url: 'validation.videoUrl.rules',
      password: 'validation.roomPassword.rules',
      duration_minutes: 'validation.duration.rules',
      description: 'validation.description.rules',
    });
  });

  it('checks the password only when the owner chose to set one', () => {
    expect(validateRoomForm({ ...valid, visibility: 'private', access: 'key', password: '' }, NOW)).toEqual({});
    expect(validateRoomForm({ ...valid, visibility: 'public', access: 'password', password: '' }, NOW)).toEqual({});
    expect(validateRoomForm({ ...valid, visibility: 'private', access: 'password', password: 'секрет' }, NOW)).toEqual({});
  });

  it('counts characters, not UTF-16 units, for the title', () => {
    expect(validateRoomForm({ ...valid, title: '🎬'.repeat(120) }, NOW)).toEqual({});
    expect(validateRoomForm({ ...valid, title: '🎬'.repeat(121) }, NOW).title).toBe('validation.title.rules');
  });
});

describe('checkVideoUrl', () => {
  it('wants an absolute http(s) link with a host', () => {
    expect(checkVideoUrl('https://cdn.test/a.mp4')).toBeUndefined();
    expect(checkVideoUrl('http://192.168.1.5:8000/a.mkv')).toBeUndefined();
    for (const bad of ['', 'cdn.test/a.mp4', 'javascript:alert(1)', 'file:///etc/passwd', 'https://', 'x'.repeat(3000)]) {
      expect(checkVideoUrl(bad), bad).toBe('validation.videoUrl.rules');
    }
  });
});

describe('checkStart', () => {
  it('empty means now; the future up to a year is fine; the past and next year are not', () => {
    expect(checkStart('', NOW)).toBeUndefined();
    expect(checkStart('2026-11-25T15:00', NOW)).toBeUndefined();
    expect(checkStart('2026-11-25T12:00', NOW)).toBe('validation.startsAt.rules'); // 11:00 UTC, an hour ago
    expect(checkStart('2027-11-27T13:00', NOW)).toBe('validation.startsAt.rules');
    expect(checkStart('tomorrow', NOW)).toBe('validation.startsAt.rules');
  });
});

describe('roomFormToInput', () => {
  it('trims, converts the local start to UTC, and leaves out what is empty', () => {
    expect(roomFormToInput({ ...valid, starts_local: '2026-12-01T20:00', description: '  Bring snacks ' })).toEqual({
      title: 'Friday film',
      video_url: 'https://cdn.test/film.mp4',
      visibility: 'public',
      starts_at: '2026-12-01T19:00:00Z',
      duration_minutes: 120,
      description: 'Bring snacks',
    });
    expect(roomFormToInput({ ...valid, duration: '' })).toEqual({ title: 'Friday film', video_url: 'https://cdn.test/film.mp4', visibility: 'public' });
  });
  it('sends the password only for a private room with a chosen password', () => {
    expect(roomFormToInput({ ...valid, visibility: 'private', access: 'password', password: ' spaced ' }).password).toBe(' spaced ');
    expect(roomFormToInput({ ...valid, visibility: 'private', access: 'key', password: 'leftover' })).not.toHaveProperty('password');
  });
});

describe('room edit', () => {
  const before = { title: 'Film', description: '', starts_local: '2026-12-01T20:00', duration: '120' };
  it('sends only what changed', () => {
    expect(roomEditPatch(before, { ...before })).toEqual({});
    expect(roomEditPatch(before, { ...before, title: ' Film 2 ' })).toEqual({ title: 'Film 2' });
    expect(roomEditPatch(before, { ...before, starts_local: '2026-12-01T21:15', duration: '90' })).toEqual({
      starts_at: '2026-12-01T20:15:00Z',
      duration_minutes: 90,
    });
  });
  it('requires a future start and a length', () => {
    expect(validateRoomEdit(before, NOW)).toEqual({});
    expect(validateRoomEdit({ ...before, starts_local: '', duration: '' }, NOW)).toEqual({
      starts_at: 'validation.startsAt.rules',
      duration_minutes: 'validation.duration.rules',
    });
  });
});

describe('checkGuestName', () => {
  it('needs 1–64 characters after trimming', () => {
    expect(checkGuestName('Bob')).toBeUndefined();
    expect(checkGuestName('   ')).toBe('validation.guestName.rules');
    expect(checkGuestName('я'.repeat(64))).toBeUndefined();
    expect(checkGuestName('я'.repeat(65))).toBe('validation.guestName.rules');
  });
});
