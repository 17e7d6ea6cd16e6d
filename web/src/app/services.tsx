// The app's services (API client, stores) handed to React through one context, plus the hooks that read
// the stores with useSyncExternalStore. Components never construct services themselves.
import { createContext, useCallback, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import type { KinoApi } from '../core/api';
import type { Announcer, Announcement, Tone } from '../core/announcer';
import { translate, type I18nStore, type Locale, type MessageKey, type Params } from '../core/i18n';
import type { RoomsApi } from '../core/rooms_api';
import type { SessionState, SessionStore } from '../core/session';

export interface Services {
  api: KinoApi;
  rooms: RoomsApi;
  session: SessionStore;
  i18n: I18nStore;
  announcer: Announcer;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices outside <ServicesProvider>');
  return s;
}

export function useSession(): SessionState {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.getState, session.getState);
}

export interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, params?: Params): string;
}

/** The current language; components using it re-render when it changes. */
export function useI18n(): I18n {
  const { i18n } = useServices();
  const locale = useSyncExternalStore(i18n.subscribe, i18n.getLocale, i18n.getLocale);
  // `t` translates into the locale of this render, and changes identity with it so memoised children
  // notice the switch.
  const t = useCallback((key: MessageKey, params?: Params) => translate(locale, key, params), [locale]);
  return { locale, setLocale: i18n.setLocale, t };
}

export function useAnnouncement(): Announcement | null {
  const { announcer } = useServices();
  return useSyncExternalStore(announcer.subscribe, announcer.getCurrent, announcer.getCurrent);
}

export function useAnnounce(): (text: string, tone?: Tone) => void {
  return useServices().announcer.announce;
}

/** Sets `document.title` to "<title> · Kino" while the component is shown. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Kino` : 'Kino';
  }, [title]);
}

/**
 * Who the server sees: the user's id, 'guest' when logged out (or when the session could not be
 * checked), or null while that is still unknown. Pages that depend on it wait for a non-null value.
 */
export function useVisitorKey(): string | null {
  const session = useSession();
  if (session.status === 'authenticated') return session.user.id;
  if (session.status === 'anonymous' || session.error) return 'guest';
  return null;
}
