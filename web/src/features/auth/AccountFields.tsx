import { forwardRef } from 'react';
import { useI18n } from '../../app/services';
import { DISPLAY_NAME_MAX, PASSWORD_MAX, USERNAME_MAX } from '../../core/validation';
import { TextField } from '../../ui/TextField';

/**
 * What the login and register forms hand an account field: its value, its error text (shown instead of
 * any hint) and a callback with the new text. The ref reaches the input, for focusing it.
 */
export interface AccountFieldProps {
  value: string;
  error: string | undefined;
  onChange(value: string): void;
}

/**
 * The username input. Registering (`withRules`) states the rule as a hint and caps the length;
 * logging in shows neither, so an existing account is never second-guessed.
 */
export const UsernameField = forwardRef<HTMLInputElement, AccountFieldProps & { withRules?: boolean }>(function UsernameField(
  { withRules = false, ...field },
  ref,
) {
  const { t } = useI18n();
  const hint = withRules ? t('field.username.hint') : undefined;
  return (
    <TextField
      ref={ref}
      label={t('field.username')}
      hint={hint}
      name="username"
      autoComplete="username"
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      required
      maxLength={withRules ? USERNAME_MAX * 2 : undefined}
      {...inputProps(field)}
    />
  );
});

/**
 * The password input. `new` (registering) asks the password manager for a new password and states the
 * rule; `current` (logging in) asks for the saved one, with no hint and no cap.
 */
export const PasswordField = forwardRef<HTMLInputElement, AccountFieldProps & { purpose: 'current' | 'new' }>(function PasswordField(
  { purpose, ...field },
  ref,
) {
  const { t } = useI18n();
  const isNew = purpose === 'new';
  return (
    <TextField
      ref={ref}
      label={t('field.password')}
      hint={isNew ? t('field.password.hint') : undefined}
      name="password"
      type="password"
      autoComplete={isNew ? 'new-password' : 'current-password'}
      required
      maxLength={isNew ? PASSWORD_MAX * 2 : undefined}
      {...inputProps(field)}
    />
  );
});

/** The display name input (registering): the name others see, with its rule as a hint. */
export const DisplayNameField = forwardRef<HTMLInputElement, AccountFieldProps>(function DisplayNameField(field, ref) {
  const { t } = useI18n();
  return (
    <TextField
      ref={ref}
      label={t('field.displayName')}
      hint={t('field.displayName.hint')}
      name="display_name"
      autoComplete="nickname"
      maxLength={DISPLAY_NAME_MAX * 2}
      {...inputProps(field)}
    />
  );
});

/** The value, error and change callback a form hands a field, as the last props of its input. */
function inputProps({ value, error, onChange }: AccountFieldProps) {
  return { value, error, onChange: (e: { target: { value: string } }) => onChange(e.target.value) };
}
