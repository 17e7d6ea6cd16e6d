// Shared by the render tests: server-side markup (no DOM), and the services for a live render.
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
const rooms: RoomsApi = { list: notHere, get: notHere, create: notHere, join: notHere, update: notHere, end: notHere, mine: notHere, rotateKey: notHere, remove: notHere, ingest: notHere, retryIngest: notHere, archive: notHere, transcript: notHere };

/** Services whose every API call rejects; `user` is signed in, English unless `locale`. */
export function testServices(opts: { user?: User | undefined; locale?: Locale } = {}): Services {
  const session = createSessionStore(api);
  if (opts.user) session.signedIn(opts.user);
  return { api, rooms, session, i18n: createI18n({ languages: [opts.locale ?? 'en'] }), announcer: createAnnouncer() };
}

/** `node` as static markup inside `testServices(opts)`. */
export function renderWithServices(node: ReactNode, opts: { user?: User | undefined; locale?: Locale } = {}): string {
  return renderToStaticMarkup(<ServicesProvider services={testServices(opts)}>{node}</ServicesProvider>);
}
