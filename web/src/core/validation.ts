// Client-side checks of the account rules, run before a request so people see the rule without a round
// trip. The server stays the authority: its `invalid_field` answers are shown the same way.
import type { MessageKey } from './i18n';

export type AuthField = 'username' | 'password' | 'display_name';
export type FieldErrors = Partial<Record<AuthField, MessageKey>>;

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const DISPLAY_NAME_MAX = 64;

// The server's rule: ASCII letters, digits, '_', '.', '-'.
const USERNAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/** Length in characters (code points), not UTF-16 units. */
export function charLength(s: string): number {
  return [...s].length;
}

export function checkUsername(username: string): MessageKey | undefined {
  if (username === '') return 'validation.username.required';
  const n = charLength(username);
  if (n < USERNAME_MIN || n > USERNAME_MAX || !USERNAME_CHARS.test(username)) return 'validation.username.rules';
  return undefined;
}

export function checkNewPassword(password: string): MessageKey | undefined {
  if (password === '') return 'validation.password.required';
  const n = charLength(password);
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) return 'validation.password.rules';
  return undefined;
}

export function checkDisplayName(displayName: string): MessageKey | undefined {
  return charLength(displayName.trim()) > DISPLAY_NAME_MAX ? 'validation.displayName.rules' : undefined;
}

/** On the register form an error replaces the field's hint, so even an empty field gets the full rule. */
export function validateRegistration(v: { username: string; password: string; display_name: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (checkUsername(v.username)) errors.username = 'validation.username.rules';
  if (checkNewPassword(v.password)) errors.password = 'validation.password.rules';
  const d = checkDisplayName(v.display_name);
  if (d) errors.display_name = d;
  return errors;
}

/** Login only checks presence: the rules may have changed since the account was made. */
export function validateLogin(v: { username: string; password: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (v.username === '') errors.username = 'validation.username.required';
  if (v.password === '') errors.password = 'validation.password.required';
  return errors;
}
