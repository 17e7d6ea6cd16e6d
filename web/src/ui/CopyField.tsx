import { useEffect, useId, useRef, useState } from 'react';
import { useAnnounce, useI18n } from '../app/services';
import { copyText } from './clipboard';

export interface CopyFieldProps {
  label: string;
  value: string;
  /** Completes the button's accessible name: "Copy" + " " + `what` ("short link"). */
  what: string;
  /** Announced after a successful copy ("Link copied."). */
  copiedMessage: string;
  hint?: string;
  className?: string;
}

const COPIED_MS = 2000;

/** A read-only value (link, key) with its own Copy button; selecting the field selects all of it. */
export function CopyField({ label, value, what, copiedMessage, hint, className }: CopyFieldProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), COPIED_MS);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function copy() {
    if (await copyText(value)) {
      setCopied(true);
      announce(copiedMessage);
    } else {
      input.current?.focus();
      input.current?.select();
      announce(t('share.copyFailed'), 'alert');
    }
  }

  return (
    <div className={['field', 'copy-field', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="copy-row">
        <input
          ref={input}
          id={id}
          className="field-input copy-input"
          readOnly
          value={value}
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className={`btn btn-secondary copy-button${copied ? ' copy-button-done' : ''}`} onClick={copy}>
          {copied ? t('share.copied') : t('share.copy')}
          <span className="visually-hidden"> {what}</span>
        </button>
      </div>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
