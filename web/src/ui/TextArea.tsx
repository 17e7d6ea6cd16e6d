import { forwardRef, useId, type TextareaHTMLAttributes } from 'react';
import { FieldError } from './FieldError';

export interface TextAreaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: string;
  hint?: string;
  error?: string | undefined;
}

/** A labelled multi-line input; the same hint/error behaviour as TextField. */
export const TextArea = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextArea({ label, hint, error, className, ...input }, ref) {
  const id = useId();
  const hintId = hint && !error ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <textarea
        {...input}
        ref={ref}
        id={id}
        className="field-input field-textarea"
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
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
