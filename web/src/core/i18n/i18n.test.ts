import { describe, expect, it, vi } from 'vitest';
import { en } from './en';
import { ru } from './ru';
import { createI18n, pickLocale, pluralForm, STORAGE_KEY, translate } from './index';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

describe('pickLocale', () => {
  it('takes the first supported primary subtag', () => {
    expect(pickLocale(['ru-RU', 'en-US'])).toBe('ru');
    expect(pickLocale(['de-DE', 'EN-gb'])).toBe('en');
    expect(pickLocale(['uk', 'ru'])).toBe('ru');
  });
  it('falls back to English', () => {
    expect(pickLocale([])).toBe('en');
    expect(pickLocale(['fr', 'de'])).toBe('en');
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'error.rateLimited', { seconds: 42 })).toBe('Too many attempts, try again in 42 s.');
    expect(translate('ru', 'error.rateLimited', { seconds: 5 })).toBe('Слишком много попыток, попробуйте через 5 с.');
  });
  it('leaves unknown placeholders visible rather than inventing text', () => {
    expect(translate('en', 'announce.loggedIn', {})).toBe('Logged in as {name}.');
  });
  it('Russian has every English key, and no empty strings', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(ru)) expect(v, k).not.toBe('');
  });
  it('leaving a room and logging out read differently in every language', () => {
    for (const locale of ['en', 'ru'] as const) expect(translate(locale, 'room.leave')).not.toBe(translate(locale, 'nav.logout'));
    expect(translate('ru', 'room.leave')).toBe('Покинуть комнату');
  });
  it('placeholders match between languages', () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>) expect(names(ru[k]), k).toEqual(names(en[k]));
  });
});

describe('createI18n', () => {
  it('uses the browser language when nothing is stored', () => {
    const i18n = createI18n({ storage: memoryStorage(), languages: ['ru-RU'] });
    expect(i18n.getLocale()).toBe('ru');
    expect(i18n.t('nav.login')).toBe('Войти');
  });

  it('a stored choice wins over the browser language', () => {
    const i18n = createI18n({ storage: memoryStorage({ [STORAGE_KEY]: 'en' }), languages: ['ru'] });
    expect(i18n.getLocale()).toBe('en');
  });

  it('ignores a stored value that is not a supported locale', () => {
    const i18n = createI18n({ storage: memoryStorage({ [STORAGE_KEY]: 'xx' }), languages: ['ru'] });
    expect(i18n.getLocale()).toBe('ru');
  });

  it('setLocale switches, persists and notifies once', () => {
    const storage = memoryStorage();
    const i18n = createI18n({ storage, languages: ['en'] });
    const listener = vi.fn();
    i18n.subscribe(listener);
    i18n.setLocale('ru');
    i18n.setLocale('ru');
    expect(i18n.getLocale()).toBe('ru');
    expect(storage.data.get(STORAGE_KEY)).toBe('ru');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(i18n.t('home.create')).toBe('Создать комнату');
  });

  it('works when storage throws (private mode)', () => {
    const storage = {
      getItem: () => { throw new Error('denied'); },
      setItem: () => { throw new Error('denied'); },
    };
    const i18n = createI18n({ storage, languages: ['ru'] });
    expect(i18n.getLocale()).toBe('ru');
    i18n.setLocale('en');
    expect(i18n.getLocale()).toBe('en');
  });
});

describe('pluralForm', () => {
  it('picks the Russian form by number', () => {
    const days = translate('ru', 'countdown.days');
    expect([1, 2, 5, 11, 21, 22, 25, 0].map((n) => `${n} ${pluralForm('ru', days, n)}`)).toEqual([
      '1 день', '2 дня', '5 дней', '11 дней', '21 день', '22 дня', '25 дней', '0 дней',
    ]);
  });
  it('picks the English form by number', () => {
    const days = translate('en', 'countdown.days');
    expect([1, 2, 0].map((n) => `${n} ${pluralForm('en', days, n)}`)).toEqual(['1 day', '2 days', '0 days']);
  });
  it('falls back to other, then to the last form', () => {
    expect(pluralForm('ru', 'one=x|other=y', 5)).toBe('y');
    expect(pluralForm('ru', 'one=x|few=z', 5)).toBe('z');
  });
});
