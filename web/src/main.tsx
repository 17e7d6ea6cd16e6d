import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import type { Services } from './app/services';
import { createAnnouncer } from './core/announcer';
import { createApi } from './core/api';
import { createI18n } from './core/i18n';
import { createRoomsApi } from './core/rooms_api';
import { createSessionStore } from './core/session';
import './styles/base.css';
import './ui/ui.css';

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const fetchFn = (input: string, init?: RequestInit) => window.fetch(input, init);
const api = createApi({ fetch: fetchFn });
const rooms = createRoomsApi({ fetch: fetchFn });
const i18n = createI18n({
  storage: safeLocalStorage(),
  languages: navigator.languages?.length ? navigator.languages : [navigator.language],
});
const services: Services = { api, rooms, i18n, session: createSessionStore(api), announcer: createAnnouncer() };

// Keep <html lang> in step with the chosen language (screen readers pick their voice from it).
const syncLang = () => {
  document.documentElement.lang = i18n.getLocale();
};
syncLang();
i18n.subscribe(syncLang);

void services.session.refresh();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);
