import { useRef, useState } from 'react';
import { useI18n } from '../../app/services';
import { formError } from '../../core/error_text';
import type { AuthField, FieldErrors } from '../../core/validation';
import type { MessageKey } from '../../core/i18n';

type Refs = Partial<Record<AuthField, HTMLInputElement | null>>;

/**
 * Shared state of the auth forms: per-field errors (message keys, so they follow a language switch),
 * one general error, the busy flag, and focusing the first bad field.
 */
export function useAuthForm(order: readonly AuthField[]) {
  const { t } = useI18n();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<{ key: MessageKey; params?: Record<string, string | number> } | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = useRef<Refs>({});

  function focusFirst(errors: FieldErrors) {
    const first = order.find((f) => errors[f]);
    if (first) refs.current[first]?.focus();
  }

  return {
    busy,
    /** The ref callback for a field's input. */
    bind: (field: AuthField) => (el: HTMLInputElement | null) => {
      refs.current[field] = el;
    },
    fieldError: (field: AuthField) => (fieldErrors[field] ? t(fieldErrors[field]) : undefined),
    generalError: general ? t(general.key, general.params) : null,
    /** Clears a field's error as soon as the person edits it. */
    clearField(field: AuthField) {
      if (fieldErrors[field]) setFieldErrors((prev) => ({ ...prev, [field]: undefined }));
    },
    /**
     * Runs `send` unless `localErrors` has entries. On failure shows the server's error under its field
     * (or as the general error) and focuses it.
     */
    async submit(localErrors: FieldErrors, send: () => Promise<void>) {
      if (busy) return;
      setGeneral(null);
      setFieldErrors(localErrors);
      if (Object.values(localErrors).some(Boolean)) {
        focusFirst(localErrors);
        return;
      }
      setBusy(true);
      try {
        await send();
      } catch (e) {
        const fe = formError(e);
        if (fe.field) {
          const errors = { [fe.field]: fe.text.key };
          setFieldErrors(errors);
          focusFirst(errors);
        } else {
          setGeneral(fe.text.params ? { key: fe.text.key, params: fe.text.params } : { key: fe.text.key });
        }
      } finally {
        setBusy(false);
      }
    },
  };
}
