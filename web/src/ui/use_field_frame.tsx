import { useId, type ReactNode } from 'react';
import { FieldError } from './FieldError';

export interface FieldFrameProps {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  className?: string | undefined;
}

/**
 * What TextField and TextArea share: `control(cls)` gives the control its class, id and aria (spread it
 * after the control's own props), `frame(control)` puts the label above it and the error, or else the hint, below.
 */
export function useFieldFrame({ label, hint, error, className }: FieldFrameProps) {
  const id = useId();
  const hintId = hint && !error ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const control = (cls: string) => ({
    id,
    className: cls,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
  });
  const frame = (input: ReactNode) => (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {input}
      {error && <FieldError id={errorId} message={error} />}
      {hintId && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
  return { control, frame };
}
