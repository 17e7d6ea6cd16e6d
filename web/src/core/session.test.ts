import { describe, expect, it, vi } from 'vitest';
import { ApiError, type User } from './api';
import { createSessionStore } from './session';

const bob: User = { id: 'u2', username: 'bob', display_name: 'Bob', created_at: '2025-01-01T00:00:00Z' };

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('session store', () => {
  it('starts unknown, then authenticated when /me returns a user', async () => {
    const store = createSessionStore({ me: async () => bob, logout: async () => {} });
    expect(store.getState().status).toBe('unknown');
    const listener = vi.fn();
    store.subscribe(listener);
    await store.refresh();
    expect(store.getState()).toEqual({ status: 'authenticated', user: bob });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('becomes anonymous when /me says 401 (null)', async () => {
    const store = createSessionStore({ me: async () => null, logout: async () => {} });
    await store.refresh();
    expect(store.getState()).toEqual({ status: 'anonymous', user: null });
  });

  it('stays unknown with the error when the server cannot be reached', async () => {
    const err = new ApiError({ status: 0, code: 'network_error', message: 'offline' });
    const store = createSessionStore({ me: async () => { throw err; }, logout: async () => {} });
    await store.refresh();
    expect(store.getState()).toEqual({ status: 'unknown', user: null, error: err });
  });

  it('keeps a known state when a later refresh fails', async () => {
    let fail = false;
    const store = createSessionStore({
      me: async () => {
        if (fail) throw new ApiError({ status: 0, code: 'network_error', message: 'offline' });
        return bob;
      },
      logout: async () => {},
    });
    await store.refresh();
    fail = true;
    await store.refresh();
    expect(store.getState()).toEqual({ status: 'authenticated', user: bob });
  });

  it('a slow /me does not overwrite a login that happened meanwhile', async () => {
    const me = deferred<User | null>();
    const store = createSessionStore({ me: () => me.promise, logout: async () => {} });
    const pending = store.refresh();
    store.signedIn(bob);
    me.resolve(null);
    await pending;
    expect(store.getState()).toEqual({ status: 'authenticated', user: bob });
  });

  it('logout calls the server and then clears the user', async () => {
    const logout = vi.fn(async () => {});
    const store = createSessionStore({ me: async () => bob, logout });
    store.signedIn(bob);
    await store.logout();
    expect(logout).toHaveBeenCalledOnce();
    expect(store.getState()).toEqual({ status: 'anonymous', user: null });
  });

  it('logout treats 401 as already logged out', async () => {
    const store = createSessionStore({
      me: async () => bob,
      logout: async () => { throw new ApiError({ status: 401, code: 'not_authenticated', message: 'x' }); },
    });
    store.signedIn(bob);
    await store.logout();
    expect(store.getState().status).toBe('anonymous');
  });

  it('a failed logout keeps the user and rejects', async () => {
    const err = new ApiError({ status: 0, code: 'network_error', message: 'offline' });
    const store = createSessionStore({ me: async () => bob, logout: async () => { throw err; } });
    store.signedIn(bob);
    await expect(store.logout()).rejects.toBe(err);
    expect(store.getState()).toEqual({ status: 'authenticated', user: bob });
  });

  it('unsubscribe stops notifications', () => {
    const store = createSessionStore({ me: async () => bob, logout: async () => {} });
    const listener = vi.fn();
    const off = store.subscribe(listener);
    off();
    store.signedIn(bob);
    expect(listener).not.toHaveBeenCalled();
  });
});
