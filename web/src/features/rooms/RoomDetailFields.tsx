import { forwardRef } from 'react';
import { useI18n } from '../../app/services';
import { DESCRIPTION_MAX, DURATION_MAX, DURATION_MIN, TITLE_MAX } from '../../core/room_validation';
import { TextArea } from '../../ui/TextArea';
import { TextField } from '../../ui/TextField';

/**
 * What the create and edit forms hand each room text field: its current value, its error text (shown
 * instead of the hint) and a callback with the new text. The ref reaches the input, for focusing it.
 */
export interface RoomTextFieldProps {
  value: string;
  error: string | undefined;
  onChange(value: string): void;
}

/** The room's title, with its length rule as the hint. */
export const RoomTitleField = forwardRef<HTMLInputElement, RoomTextFieldProps>(function RoomTitleField(field, ref) {
  const { t } = useI18n();
  return (
    <TextField
      ref={ref}
      label={t('field.title')}
      hint={t('field.title.hint')}
      name="title"
      autoComplete="off"
      required
      maxLength={TITLE_MAX * 2}
      {...inputProps(field)}
    />
  );
});

/** The expected length in whole minutes, with the allowed range as the hint. */
export const DurationField = forwardRef<HTMLInputElement, RoomTextFieldProps>(function DurationField(field, ref) {
  const { t } = useI18n();
  return (
    <TextField
      ref={ref}
      className="field-narrow"
      label={t('field.duration')}
      hint={t('field.duration.hint', { min: DURATION_MIN, max: DURATION_MAX })}
      name="duration_minutes"
      type="number"
      inputMode="numeric"
      min={DURATION_MIN}
      max={DURATION_MAX}
      step={1}
      {...inputProps(field)}
    />
  );
});

/** The optional description; `rows` is the only difference between the create and edit forms. */
export const DescriptionField = forwardRef<HTMLTextAreaElement, RoomTextFieldProps & { rows: number }>(function DescriptionField(
  { rows, ...field },
  ref,
) {
  const { t } = useI18n();
  return (
    <TextArea
      ref={ref}
      label={t('field.description')}
      hint={t('field.description.hint', { max: DESCRIPTION_MAX })}
      name="description"
      rows={rows}
      maxLength={DESCRIPTION_MAX * 2}
      {...inputProps(field)}
    />
  );
});

/** The value, error and change callback a form hands a field, as the last props of its input. */
function inputProps({ value, error, onChange }: RoomTextFieldProps) {
  return { value, error, onChange: (e: { target: { value: string } }) => onChange(e.target.value) };
}
