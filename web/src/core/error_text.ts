// Turns a failed API call into what the form shows: an error under one field, or one general message.
import { ApiError, type ErrorField } from './api';
import type { MessageKey, Params } from './i18n';
import { ROOM_FIELD_RULES } from './room_validation';
import type { AuthField } from './validation';

export interface ErrorText {
  key: MessageKey;
  params?: Params;
}

export interface FormError<F extends string = AuthField> {
  /** When set, show the message under this field. */
  field?: F;
  text: ErrorText;
}

/** The rule to restate for an `invalid_field` naming each field (account forms' meaning of `password`). */
const FIELD_RULES: Record<ErrorField, MessageKey> = {
  ...ROOM_FIELD_RULES,
  username: 'validation.username.rules',
  password: 'validation.password.rules',
  display_name: 'validation.displayName.rules',
  key: 'error.roomKeyRequired',
};

const AUTH_FIELDS: readonly AuthField[] = ['username', 'password', 'display_name'];

/** Codes that belong under the field the server names. */
const FIELD_CODES = new Set(['invalid_field', 'username_taken', 'wrong_room_key', 'room_key_required']);

const SIMPLE: Record<string, MessageKey> = {
  invalid_credentials: 'error.invalidCredentials',
  username_taken: 'error.usernameTaken',
  network_error: 'error.network',
  csrf_rejected: 'error.csrf',
  payload_too_large: 'error.tooLarge',
  not_authenticated: 'error.notAuthenticated',
  room_not_found: 'error.roomNotFound',
  room_private: 'error.roomKeyRequired',
  room_key_required: 'error.roomKeyRequired',
  wrong_room_key: 'error.wrongRoomKey',
  account_required: 'error.accountRequired',
  not_owner: 'error.notOwner',
  room_started: 'error.roomStarted',
  room_ended: 'error.roomEnded',
};

/** A general, human sentence for any failure (never the raw server text: it is not localised). */
export function errorText(e: unknown): ErrorText {
  if (!(e instanceof ApiError)) return { key: 'error.generic' };
  if (e.code === 'rate_limited') {
    return e.retryAfterS !== undefined && e.retryAfterS > 0
      ? { key: 'error.rateLimited', params: { seconds: e.retryAfterS } }
      : { key: 'error.rateLimitedSoon' };
  }
  if (e.code === 'invalid_field') return e.field ? { key: FIELD_RULES[e.field] } : { key: 'error.generic' };
  const simple = SIMPLE[e.code];
  if (simple) return { key: simple };
  return e.status >= 500 ? { key: 'error.server' } : { key: 'error.generic' };
}

/**
 * Like errorText, but says which of the form's `fields` the message belongs to when the server named
 * one. `rules` overrides the sentence for an `invalid_field` on a field whose rule differs on this form
 * (a room password is 6–128 characters, an account password 8–128).
 */
export function fieldFormError<F extends string>(
  e: unknown,
  fields: readonly F[],
  rules: Partial<Record<F, MessageKey>> = {},
): FormError<F> {
  const text = errorText(e);
  if (e instanceof ApiError && e.field && FIELD_CODES.has(e.code) && (fields as readonly string[]).includes(e.field)) {
    const field = e.field as F;
    const rule = e.code === 'invalid_field' ? rules[field] : undefined;
    return { field, text: rule ? { key: rule } : text };
  }
  return { text };
}

/** The account forms' version of fieldFormError. */
export function formError(e: unknown): FormError<AuthField> {
  return fieldFormError(e, AUTH_FIELDS);
}
