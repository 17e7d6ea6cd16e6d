/** The inline error under a field (or a group), with its icon; `id` is what the control's aria-describedby names. */
export function FieldError({ id, message }: { id: string | undefined; message: string }) {
  return (
    <p className="field-error" id={id}>
      <svg className="field-error-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <circle cx="8" cy="8" r="7" />
        <path d="M8 4.5v4M8 11v.5" />
      </svg>
      <span>{message}</span>
    </p>
  );
}
