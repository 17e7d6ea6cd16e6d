import { useEffect, useId, useRef, useState } from 'react';
import { Button, type ButtonVariant } from './Button';

export interface ConfirmButtonProps {
  /** The first button ("Cancel room"). */
  label: string;
  /** The sentence asked before acting ("Cancel this watch party for everyone?"). */
  question: string;
  confirmLabel: string;
  keepLabel: string;
  busyLabel: string;
  /** Runs after confirmation; it reports its own errors. */
  onConfirm(): Promise<void>;
  variant?: ButtonVariant;
}

/**
 * A destructive action that asks first, inline (no modal): the button turns into the question with
 * "Yes" and "Keep" buttons. Focus moves to the safe choice; Escape or "Keep" backs out.
 */
export function ConfirmButton({ label, question, confirmLabel, keepLabel, busyLabel, onConfirm, variant = 'secondary' }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  const id = useId();

  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <Button ref={opener} variant={variant} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <div
      className="confirm"
      role="group"
      aria-labelledby={`${id}-q`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) setAsking(false);
      }}
    >
      <p id={`${id}-q`} className="confirm-question">
        {question}
      </p>
      <div className="confirm-actions">
        <Button
          variant="danger"
          busy={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? busyLabel : confirmLabel}
        </Button>
        <Button ref={keep} variant="ghost" onClick={() => !busy && setAsking(false)}>
          {keepLabel}
        </Button>
      </div>
    </div>
  );
}
