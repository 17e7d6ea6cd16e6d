import { useId } from 'react';
import { useI18n } from '../app/services';
import { isLocale, LOCALE_NAMES, LOCALES } from '../core/i18n';

/**
 * A native select (keyboard and screen-reader friendly) labelled "Language" (visually hidden). Options
 * show the short codes (EN, RU) so the header fits a 360 px phone; the full names are their titles.
 */
export function LanguageSwitcher() {
  const { locale, setLocale, t } = useI18n();
  const id = useId();
  return (
    <div className="lang-switcher">
      <label htmlFor={id} className="visually-hidden">
        {t('nav.language')}
      </label>
      <svg className="lang-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <circle cx="10" cy="10" r="7.5" />
        <path d="M2.5 10h15M10 2.5c2.2 2.2 3 4.6 3 7.5s-.8 5.3-3 7.5M10 2.5C7.8 4.7 7 7.1 7 10s.8 5.3 3 7.5" />
      </svg>
      <select
        id={id}
        className="lang-select"
        value={locale}
        onChange={(e) => {
          if (isLocale(e.target.value)) setLocale(e.target.value);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l} title={LOCALE_NAMES[l]}>
            {l.toUpperCase()}
          </option>
        ))}
      </select>
    </div>
  );
}
