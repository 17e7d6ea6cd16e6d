import { forwardRef } from 'react';
import { useI18n } from '../../app/services';
import { timeZoneName, utcToLocalInput, toRfc3339 } from '../../core/time';
import { TextField } from '../../ui/TextField';

export interface StartTimeFieldProps {
  value: string;
  error: string | undefined;
  onChange(value: string): void;
  /** The edit form requires a time; the create form treats empty as "start now". */
  required?: boolean;
}

/** A `datetime-local` input in the viewer's time zone, whose name the hint states. */
export const StartTimeField = forwardRef<HTMLInputElement, StartTimeFieldProps>(function StartTimeField(
  { value, error, onChange, required = false },
  ref,
) {
  const { t } = useI18n();
  const zone = timeZoneName();
  return (
    <TextField
      ref={ref}
      className="field-narrow"
      label={required ? t('field.startsAtRequired') : t('field.startsAt')}
      hint={required ? t('field.startsAtRequired.hint', { zone }) : t('field.startsAt.hint', { zone })}
      name="starts_at"
      type="datetime-local"
      min={utcToLocalInput(toRfc3339(Date.now()))}
      required={required}
      value={value}
      error={error}
      onChange={(e) => onChange(e.target.value)}
    />
  );
});
