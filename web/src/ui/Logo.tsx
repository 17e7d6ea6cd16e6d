/** Kino's mark: a play triangle in a rounded screen. Decorative; the link around it carries the name. */
export function LogoMark() {
  return (
    <svg className="logo-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="30" height="30" rx="8" />
      <path d="M12.5 9.5v13l10.5-6.5z" />
    </svg>
  );
}
