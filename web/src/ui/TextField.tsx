import { forwardRef, type InputHTMLAttributes } from 'react';
import { useFieldFrame } from './use_field_frame';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  /** The rule, shown before anyone gets it wrong. */
  hint?: string;
  /** Shown under the field instead of the hint (so it should restate the rule); marks the input aria-invalid. */
  error?: string | undefined;
}

/** A labelled input with a hint or, when invalid, an inline error in its place; linked with aria-describedby. */
export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, className, ...input },
  ref,
) {
  const { control, frame } = useFieldFrame({ label, hint, error, className });
  return frame(<input {...input} ref={ref} {...control('field-input')} />);
});
