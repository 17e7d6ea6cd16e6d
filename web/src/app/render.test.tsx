// Server-side renders of pages and widgets (no DOM needed): what a person and a screen reader get.
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { createAnnouncer } from '../core/announcer';
import type { KinoApi, User } from '../core/api';
import { createI18n, type Locale } from '../core/i18n';
import type { RoomsApi } from '../core/rooms_api';
import { createSessionStore } from '../core/session';
import { ErrorBoundary } from '../features/errors/ErrorBoundary';
import { ForbiddenPage } from '../features/errors/ForbiddenPage';
import { ServerErrorPage } from '../features/errors/ServerErrorPage';
import { unnamedControls } from '../test/accessible_names';
import { Layout } from '../ui/Layout';
import { AppRoutes } from './App';
import { ServicesProvider, type Services } from './services';

const ada: User = { id: 'u1', username: 'ada', display_name: 'Ada Lovelace', created_at: '2025-01-01T00:00:00Z' };

const unusedApi: KinoApi = {
  register: () => Promise.reject(new Error('not in this test')),
  login: () => Promise.reject(new Error('not in this test')),
  logout: () => Promise.resolve(),
  me: () => Promise.resolve(null),
};

const notHere = () => Promise.reject(new Error('not in this test'));
const unusedRooms: RoomsApi = { list: notHere, get: notHere, create: notHere, join: notHere, update: notHere, end: notHere, mine: notHere, rotateKey: notHere, remove: notHere, ingest: notHere, retryIngest: notHere, archive: notHere, transcript: notHere };

function services(opts: { user?: User | null; locale?: Locale } = {}): Services {
  const session = createSessionStore(unusedApi);
  if (opts.user) session.signedIn(opts.user);
  else if (opts.user === null) void session.refresh(); // settles to anonymous asynchronously
  const i18n = createI18n({ languages: [opts.locale ?? 'en'] });
  return { api: unusedApi, rooms: unusedRooms, session, i18n, announcer: createAnnouncer() };
}

async function render(path: string, s: Services, node = <AppRoutes />): Promise<string> {
  await Promise.resolve(); // let a pending session refresh settle
  await Promise.resolve();
  return renderToStaticMarkup(
    <ServicesProvider services={s}>
      <MemoryRouter initialEntries={[path]}>
        <Layout>{node}</Layout>
      </MemoryRouter>
    </ServicesProvider>,
  );
}

describe('home', () => {
  it('logged out: "Create a room" goes through login, and both lists start loading', async () => {
    const html = await render('/', services({ user: null }));
    expect(html).toContain('<h1 class="page-heading" tabindex="-1" data-page-heading="">Watch together</h1>');
    expect(html).toMatch(/<a[^>]*href="\/login\?next=%2Fnew"[^>]*>.*Create a room<\/a>/);
    expect(html).toMatch(/<section id="live-now" tabindex="-1" class="home-section home-section-live card" aria-labelledby="([^"]+)" aria-busy="true"><h2 id="\1"[^>]*>.*Live now<\/h2><p class="loading" role="status">/);
    expect(html).toMatch(/aria-busy="true"><h2 id="[^"]+" class="section-title">Upcoming<\/h2><p class="loading" role="status">/);
    expect(html).toContain('>Log in</a>');
    expect(html).toContain('>Register</a>');
    expect(html).not.toContain('data-testid="current-user"');
  });

  it('the hero\'s play button is a named link to the live rooms, and every control has a name', async () => {
    const html = await render('/', services({ user: null }));
    expect(html).toMatch(/<a class="hero-screen" href="#live-now" aria-label="See the rooms live now"><span class="hero-play" aria-hidden="true"><\/span><\/a>/);
    expect(html).toContain('<section id="live-now"');
    expect(unnamedControls(html)).toEqual([]);
    const ru = await render('/', services({ user: null, locale: 'ru' }));
    expect(ru).toContain('aria-label="Посмотреть, какие комнаты сейчас в эфире"');
  });

  it('logged in: "Create a room" goes to /new and the header shows the name and Log out', async () => {
    const html = await render('/', services({ user: ada }));
    expect(html).toMatch(/<a[^>]*href="\/new"[^>]*>.*Create a room<\/a>/);
    expect(html).toMatch(/data-testid="current-user"[^>]*>Ada Lovelace<\/span>/);
    expect(html).toContain('Signed in as');
    expect(html).toMatch(/<button[^>]*>Log out<\/button>/);
    expect(html).not.toContain('>Log in</a>');
  });

  it('shows neither login links nor a name until the session is known', async () => {
    const html = await render('/', services());
    expect(html).not.toContain('>Log in</a>');
    expect(html).not.toContain('current-user');
  });

  it('speaks Russian when asked', async () => {
    const html = await render('/', services({ user: null, locale: 'ru' }));
    expect(html).toContain('Смотрим вместе');
    expect(html).toContain('Создать комнату');
    expect(html).toContain('>Войти</a>');
  });
});

describe('layout', () => {
  it('has a skip link, a labelled language switcher and a polite live region', async () => {
    const html = await render('/', services({ user: null }));
    expect(html).toContain('href="#main"');
    expect(html).toMatch(/<label for="([^"]+)" class="visually-hidden">Language<\/label>.*<select id="\1"/);
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain('<main id="main"');
  });
});

describe('auth pages', () => {
  it('register: every input has a label; the rules are stated up front', async () => {
    const html = await render('/register', services({ user: null }));
    for (const label of ['Username', 'Display name (optional)', 'Password']) {
      expect(html).toMatch(new RegExp(`<label class="field-label" for="([^"]+)">${label.replace(/[()]/g, '\\$&')}</label><input[^>]*id="\\1"`));
    }
    expect(html).toContain('3–32 characters: Latin letters, digits,\u00a0_\u00a0.\u00a0-');
    expect(html).toContain('8–128 characters.');
    expect(html).toMatch(/autocomplete="new-password"/i);
    expect(html).toMatch(/href="\/login"[^>]*>Log in<\/a>/);
    expect(html).toContain('role="alert"');
  });

  it('login keeps a ?next= target in the link to register', async () => {
    const html = await render('/login?next=%2Fnew', services({ user: null }));
    expect(html).toContain('Log in to Kino');
    expect(html).toContain('href="/register?next=%2Fnew"');
    expect(html).toMatch(/autocomplete="current-password"/i);
  });
});

describe('error pages', () => {
  it('an unknown path shows the 404 page with a way home', async () => {
    const html = await render('/no/such/page', services({ user: null }));
    expect(html).toContain('>Page not found</h1>');
    expect(html).toMatch(/<a[^>]*href="\/"[^>]*>Go to the home page<\/a>/);
  });


  it('the 403 page takes extra content (the room password form, later)', async () => {
    const html = await render('/x', services({ user: null }), <ForbiddenPage><form aria-label="Room password" /></ForbiddenPage>);
    expect(html).toContain('You don’t have access here');
    expect(html).toContain('aria-label="Room password"');
  });
});

describe('500 page', () => {
  it('offers Reload and a plain link home', async () => {
    const html = await render('/', services({ user: null }), <ServerErrorPage />);
    expect(html).toContain('>Something went wrong</h1>');
    expect(html).toMatch(/<button type="button"[^>]*>Reload<\/button>/);
    expect(html).toMatch(/<a class="btn btn-secondary" href="\/">Go to the home page<\/a>/);
  });
});

describe('ErrorBoundary', () => {
  it('turns a render error into the error state, and a new resetKey clears it', () => {
    const errorState = ErrorBoundary.getDerivedStateFromError(new Error('boom'));
    expect(errorState.error).toBeInstanceOf(Error);
    const state = { error: new Error('boom'), resetKey: '/a' };
    expect(ErrorBoundary.getDerivedStateFromProps({ children: null, resetKey: '/a' }, state)).toBeNull();
    expect(ErrorBoundary.getDerivedStateFromProps({ children: null, resetKey: '/b' }, state)).toEqual({ error: null, resetKey: '/b' });
  });

  it('renders children when nothing failed', () => {
    expect(renderToStaticMarkup(<ErrorBoundary><p>fine</p></ErrorBoundary>)).toBe('<p>fine</p>');
  });
});
