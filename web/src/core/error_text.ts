// Turns a failed API call into what the form shows: an error under one field, or one general message.
import { ApiError } from './api';
import type { MessageKey, Params } from './i18n';
import type { AuthField } from './validation';

export interface ErrorText {
  key: MessageKey;
  params?: Params;
}

export interface FormError {
  /** When set, show the message under this field. */
  field?: AuthField;
  text: ErrorText;
}

const FIELD_RULES: Record<AuthField, MessageKey> = {
  username: 'validation.username.rules',
  password: 'validation.password.rules',
  display_name: 'validation.displayName.rules',
};

/** A general, human sentence for any failure (never the raw server text: it is not localised). */
export function errorText(e: unknown): ErrorText {
  if (!(e instanceof ApiError)) return { key: 'error.generic' };
  switch (e.code) {
    case 'rate_limited':
      return e.retryAfterS !== undefined && e.retryAfterS > 0
        ? { key: 'error.rateLimited', params: { seconds: e.retryAfterS } }
        : { key: 'error.rateLimitedSoon' };
    case 'invalid_credentials':
      return { key: 'error.invalidCredentials' };
    case 'username_taken':
      return { key: 'error.usernameTaken' };
    case 'network_error':
      return { key: 'error.network' };
    case 'csrf_rejected':
      return { key: 'error.csrf' };
    case 'payload_too_large':
      return { key: 'error.tooLarge' };
    case 'invalid_field':
      return e.field ? { key: FIELD_RULES[e.field] } : { key: 'error.generic' };
    default:
      return e.status >= 500 ? { key: 'error.server' } : { key: 'error.generic' };
  }
}

/** Like errorText, but says which field the message belongs to when the server named one. */
export function formError(e: unknown): FormError {
  const text = errorText(e);
  if (e instanceof ApiError && e.field && (e.code === 'invalid_field' || e.code === 'username_taken')) {
    return { field: e.field, text };
  }
  return { text };
}
