// The current session: who is logged in. A tiny observable store, no React; the UI reads it through
// `useSyncExternalStore`.
import type { KinoApi, User } from './api';
import { ApiError } from './api';

/**
 * `unknown`: not asked the server yet (or the last attempt failed without an answer);
 * `anonymous`: the server said 401; `authenticated`: `user` is set.
 */
export type SessionState =
  | { status: 'unknown'; user: null; error?: ApiError }
  | { status: 'anonymous'; user: null }
  | { status: 'authenticated'; user: User };

export interface SessionStore {
  getState(): SessionState;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Asks the server (`GET /me`). Never rejects: a failure leaves `unknown` with `error` set. */
  refresh(): Promise<SessionState>;
  /** Records a user the server just returned (after register or login). */
  signedIn(user: User): void;
  /** Logs out on the server, then locally. A 401 counts as already logged out. Rejects with ApiError otherwise. */
  logout(): Promise<void>;
}

export function createSessionStore(api: Pick<KinoApi, 'me' | 'logout'>): SessionStore {
  let state: SessionState = { status: 'unknown', user: null };
  const listeners = new Set<() => void>();
  let generation = 0; // bumps on every local change so a slow /me cannot overwrite a newer login/logout

  function set(next: SessionState): void {
    state = next;
    generation += 1;
    for (const l of [...listeners]) l();
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async refresh() {
      const started = generation;
      let next: SessionState;
      try {
        const user = await api.me();
        next = user ? { status: 'authenticated', user } : { status: 'anonymous', user: null };
      } catch (e) {
        const error = e instanceof ApiError ? e : new ApiError({ status: 0, code: 'network_error', message: String(e) });
        next = state.status === 'unknown' ? { status: 'unknown', user: null, error } : state;
      }
      if (generation === started && next !== state) set(next);
      return state;
    },
    signedIn(user) {
      set({ status: 'authenticated', user });
    },
    async logout() {
      try {
        await api.logout();
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) throw e;
      }
      set({ status: 'anonymous', user: null });
    },
  };
}
