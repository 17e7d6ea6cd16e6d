// String tables and the locale store. No React: the UI subscribes through `useSyncExternalStore`.
import { en, type MessageKey } from './en';
import { ru } from './ru';

export type { MessageKey };
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const STORAGE_KEY = 'kino.locale';

/** Each locale's own name, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

const TABLES: Record<Locale, Record<MessageKey, string>> = { en, ru };

export type Params = Record<string, string | number>;

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** The first supported locale among BCP 47 tags such as `navigator.languages` ('ru-RU' → 'ru'). */
export function pickLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

/** Looks `key` up in `locale`'s table (falling back to English) and fills `{name}` placeholders. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = TABLES[locale][key] ?? en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * The form of a counted word for `count` in `locale`. `forms` lists the language's plural categories,
 * "one=день|few=дня|many=дней|other=дня"; a category it lacks falls back to `other`, then to the last form.
 */
export function pluralForm(locale: Locale, forms: string, count: number): string {
  const byCategory = new Map<string, string>();
  for (const form of forms.split('|')) {
    const eq = form.indexOf('=');
    if (eq > 0) byCategory.set(form.slice(0, eq), form.slice(eq + 1));
  }
  const category = new Intl.PluralRules(locale).select(count);
  return byCategory.get(category) ?? byCategory.get('other') ?? forms.slice(forms.lastIndexOf('=') + 1);
}

export interface I18nStore {
  getLocale(): Locale;
  /** Switches the language and remembers it in storage. */
  setLocale(locale: Locale): void;
  t(key: MessageKey, params?: Params): string;
  subscribe(listener: () => void): () => void;
}

export interface I18nOptions {
  /** localStorage or a fake; errors (private mode, quota) are ignored. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** navigator.languages (or [navigator.language]). */
  languages?: readonly string[];
}

export function createI18n(opts: I18nOptions = {}): I18nStore {
  let stored: string | null;
  try {
    stored = opts.storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  let locale: Locale = isLocale(stored) ? stored : pickLocale(opts.languages ?? []);
  const listeners = new Set<() => void>();
  return {
    getLocale: () => locale,
    setLocale(next) {
      if (!isLocale(next)) return;
      try {
        opts.storage?.setItem(STORAGE_KEY, next);
      } catch {
        // Storage can be unavailable; the choice then lasts for this page only.
      }
      if (next === locale) return;
      locale = next;
      for (const l of [...listeners]) l();
    },
    t: (key, params) => translate(locale, key, params),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
