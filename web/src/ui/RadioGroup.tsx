import { useId } from 'react';
import { FieldError } from './FieldError';

export interface RadioOption<V extends string> {
  value: V;
  label: string;
  /** One line under the label, read after it by screen readers. */
  description?: string;
}

export interface RadioGroupProps<V extends string> {
  legend: string;
  name: string;
  value: V;
  options: readonly RadioOption<V>[];
  onChange(value: V): void;
  error?: string | undefined;
  /** Ref for the first radio (so the form can focus the group). */
  firstRef?: (el: HTMLInputElement | null) => void;
  className?: string;
}

/** Native radios in a fieldset: arrow keys move between options, the legend names the group. */
export function RadioGroup<V extends string>({ legend, name, value, options, onChange, error, firstRef, className }: RadioGroupProps<V>) {
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset
      className={['radio-group', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}
      aria-describedby={errorId}
    >
      <legend className="field-label">{legend}</legend>
      <div className="radio-options">
        {options.map((o, i) => {
          const descId = o.description ? `${id}-${o.value}-desc` : undefined;
          return (
            <label key={o.value} className={['radio-option', o.value === value ? 'radio-option-checked' : ''].filter(Boolean).join(' ')}>
              <input
                ref={i === 0 ? firstRef : undefined}
                type="radio"
                name={name}
                value={o.value}
                checked={o.value === value}
                aria-describedby={descId}
                onChange={() => onChange(o.value)}
              />
              <span className="radio-text">
                <span className="radio-label">{o.label}</span>
                {o.description && (
                  <span className="radio-description" id={descId}>
                    {o.description}
                  </span>
                )}
              </span>
            </label>
          );
        })}
      </div>
      {error && <FieldError id={errorId} message={error} />}
    </fieldset>
  );
}
