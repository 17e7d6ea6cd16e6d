// Shared by the server-side render tests (no DOM).
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ServicesProvider, type Services } from '../app/services';
import { createAnnouncer } from '../core/announcer';
import type { KinoApi, User } from '../core/api';
import { createI18n, type Locale } from '../core/i18n';
import type { RoomsApi } from '../core/rooms_api';
import { createSessionStore } from '../core/session';

const notHere = () => Promise.reject(new Error('not in this test'));
const api: KinoApi = { register: notHere, login: notHere, logout: () => Promise.resolve(), me: () => Promise.resolve(null) };
const rooms: RoomsApi = { list: notHere, get: notHere, create: notHere, join: notHere, update: notHere, end: notHere, remove: notHere, ingest: notHere, retryIngest: notHere };

/** `node` as static markup inside services whose every API call rejects; `user` is signed in, English unless `locale`. */
export function renderWithServices(node: ReactNode, opts: { user?: User | undefined; locale?: Locale } = {}): string {
  const session = createSessionStore(api);
  if (opts.user) session.signedIn(opts.user);
  const services: Services = { api, rooms, session, i18n: createI18n({ languages: [opts.locale ?? 'en'] }), announcer: createAnnouncer() };
  return renderToStaticMarkup(<ServicesProvider services={services}>{node}</ServicesProvider>);
}
