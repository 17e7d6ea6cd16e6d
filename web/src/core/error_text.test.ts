import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { errorText, fieldFormError, formError } from './error_text';

const err = (status: number, code: string, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ status, code, message: 'server text', ...extra });

describe('errorText', () => {
  it('rate limit shows the seconds from Retry-After', () => {
    expect(errorText(err(429, 'rate_limited', { retryAfterS: 30 }))).toEqual({ key: 'error.rateLimited', params: { seconds: 30 } });
    expect(errorText(err(429, 'rate_limited'))).toEqual({ key: 'error.rateLimitedSoon' });
  });
  it('maps known codes to sentences', () => {
    expect(errorText(err(401, 'invalid_credentials')).key).toBe('error.invalidCredentials');
    expect(errorText(err(0, 'network_error')).key).toBe('error.network');
    expect(errorText(err(403, 'csrf_rejected')).key).toBe('error.csrf');
    expect(errorText(err(413, 'payload_too_large')).key).toBe('error.tooLarge');
    expect(errorText(err(500, 'internal_error')).key).toBe('error.server');
    expect(errorText(err(503, 'whatever')).key).toBe('error.server');
    expect(errorText(err(400, 'malformed_json')).key).toBe('error.generic');
    expect(errorText(new Error('x')).key).toBe('error.generic');
  });
});

describe('formError', () => {
  it('puts invalid_field under the named field with that field’s rule', () => {
    expect(formError(err(422, 'invalid_field', { field: 'password' }))).toEqual({
      field: 'password',
      text: { key: 'validation.password.rules' },
    });
  });
  it('puts username_taken under the username', () => {
    expect(formError(err(409, 'username_taken', { field: 'username' }))).toEqual({
      field: 'username',
      text: { key: 'error.usernameTaken' },
    });
  });
  it('keeps bad credentials general, since it must not say which part was wrong', () => {
    expect(formError(err(401, 'invalid_credentials')).field).toBeUndefined();
  });
});

describe('room errors', () => {
  it('gives each room code its own sentence', () => {
    expect(errorText(err(403, 'wrong_room_key', { field: 'key' })).key).toBe('error.wrongRoomKey');
    expect(errorText(err(403, 'room_key_required', { field: 'key' })).key).toBe('error.roomKeyRequired');
    expect(errorText(err(409, 'room_started')).key).toBe('error.roomStarted');
    expect(errorText(err(403, 'not_owner')).key).toBe('error.notOwner');
    expect(errorText(err(401, 'account_required')).key).toBe('error.accountRequired');
    expect(errorText(err(422, 'invalid_field', { field: 'video_url' })).key).toBe('validation.videoUrl.rules');
  });

  it('fieldFormError places key errors under the key field, and uses the form’s own rule for a field', () => {
    const fields = ['key', 'display_name'] as const;
    expect(fieldFormError(err(403, 'wrong_room_key', { field: 'key' }), fields)).toEqual({ field: 'key', text: { key: 'error.wrongRoomKey' } });
    expect(fieldFormError(err(422, 'invalid_field', { field: 'display_name' }), fields, { display_name: 'validation.guestName.rules' })).toEqual({
      field: 'display_name',
      text: { key: 'validation.guestName.rules' },
    });
    // A room password is 6–128, not the account rule.
    expect(fieldFormError(err(422, 'invalid_field', { field: 'password' }), ['password'] as const, { password: 'validation.roomPassword.rules' }).text.key).toBe(
      'validation.roomPassword.rules',
    );
  });

  it('keeps an error general when its field is not on this form, or the code is not about a field', () => {
    expect(fieldFormError(err(422, 'invalid_field', { field: 'title' }), ['key'] as const)).toEqual({ text: { key: 'validation.title.rules' } });
    expect(fieldFormError(err(429, 'rate_limited', { retryAfterS: 9 }), ['key'] as const)).toEqual({
      text: { key: 'error.rateLimited', params: { seconds: 9 } },
    });
  });
});
