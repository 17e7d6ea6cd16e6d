import type { ButtonHTMLAttributes, Ref } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'md' | 'lg';
  /** Shows the busy state; the button stays focusable but ignores clicks (aria-disabled). */
  busy?: boolean;
  ref?: Ref<HTMLButtonElement>;
}

/** Class names for a button look, also used on links that look like buttons. */
export function buttonClass(variant: ButtonVariant = 'primary', size: 'md' | 'lg' = 'md', extra?: string): string {
  return ['btn', `btn-${variant}`, size === 'lg' ? 'btn-lg' : '', extra ?? ''].filter(Boolean).join(' ');
}

export function Button({ variant = 'primary', size = 'md', busy = false, className, type, onClick, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      className={buttonClass(variant, size, className)}
      aria-disabled={busy || rest['aria-disabled'] ? true : undefined}
      aria-busy={busy || undefined}
      onClick={(e) => {
        if (busy) {
          e.preventDefault();
          return;
        }
        onClick?.(e);
      }}
    />
  );
}
