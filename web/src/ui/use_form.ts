import { useRef, useState } from 'react';
import { useI18n } from '../app/services';
import { fieldFormError, type ErrorText } from '../core/error_text';
import type { MessageKey } from '../core/i18n';

export type FieldErrorKeys<F extends string> = Partial<Record<F, MessageKey>>;

/** Anything focusable: inputs, textareas, the first radio of a group. */
type Focusable = { focus(): void };

/**
 * Shared state of a form: per-field errors (message keys, so they follow a language switch), one
 * general error, the busy flag, and focusing the first bad field. `order` lists the form's fields in
 * tab order; `rules` restates this form's rule when the server rejects a field as invalid.
 */
export function useForm<F extends string>(order: readonly F[], rules: Partial<Record<F, MessageKey>> = {}) {
  const { t } = useI18n();
  const [fieldErrors, setFieldErrors] = useState<FieldErrorKeys<F>>({});
  const [general, setGeneral] = useState<ErrorText | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = useRef<Partial<Record<F, Focusable | null>>>({});
  const busyRef = useRef(false);

  function focusFirst(errors: FieldErrorKeys<F>) {
    const first = order.find((f) => errors[f]);
    if (first) refs.current[first]?.focus();
  }

  return {
    busy,
    /** The ref callback for a field's input (or the first control of a group). */
    bind: (field: F) => (el: Focusable | null) => {
      refs.current[field] = el;
    },
    fieldError: (field: F): string | undefined => {
      const key = fieldErrors[field];
      return key ? t(key) : undefined;
    },
    generalError: general ? t(general.key, general.params) : null,
    /** Clears a field's error as soon as the person edits it. */
    clearField(field: F) {
      if (fieldErrors[field]) setFieldErrors((prev) => ({ ...prev, [field]: undefined }));
    },
    /** Shows a general message (e.g. after a failure handled outside `submit`). */
    setGeneralError(text: ErrorText | null) {
      setGeneral(text);
    },
    /**
     * Runs `send` unless `localErrors` has entries. On failure shows the server's error under its field
     * (or as the general error) and focuses it.
     */
    async submit(localErrors: FieldErrorKeys<F>, send: () => Promise<void>) {
      if (busyRef.current) return;
      setGeneral(null);
      setFieldErrors(localErrors);
      if (Object.values(localErrors).some(Boolean)) {
        focusFirst(localErrors);
        return;
      }
      busyRef.current = true;
      setBusy(true);
      try {
        await send();
      } catch (e) {
        const fe = fieldFormError(e, order, rules);
        if (fe.field) {
          const errors = { [fe.field]: fe.text.key } as FieldErrorKeys<F>;
          setFieldErrors(errors);
          focusFirst(errors);
        } else {
          setGeneral(fe.text);
        }
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
  };
}

export type FormState<F extends string> = ReturnType<typeof useForm<F>>;
