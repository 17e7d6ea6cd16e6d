import { forwardRef, useId, type InputHTMLAttributes } from 'react';
import { FieldError } from './FieldError';

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
  const id = useId();
  const hintId = hint && !error ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        {...input}
        ref={ref}
        id={id}
        className="field-input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error && <FieldError id={errorId} message={error} />}
      {hintId && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
});
