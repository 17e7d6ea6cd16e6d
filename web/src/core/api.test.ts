import { describe, expect, it } from 'vitest';
import { ApiError, createApi, parseRetryAfter, type FetchLike } from './api';

interface Call {
  url: string;
  init: RequestInit;
}

const alice = { id: 'u1', username: 'alice', display_name: 'Alice', created_at: '2025-01-02T03:04:05Z' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** A fake fetch that answers from a queue and records every call. */
function fakeFetch(...responses: Array<Response | Error>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request ' + url);
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, calls };
}

function header(call: Call | undefined, name: string): string | undefined {
  const h = (call?.init.headers ?? {}) as Record<string, string>;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? h[key] : undefined;
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the call to reject');
}

describe('requests', () => {
  it('register POSTs JSON with the CSRF header and same-origin credentials', async () => {
    const { fetch, calls } = fakeFetch(json(201, { user: alice }));
    const user = await createApi({ fetch }).register({ username: 'alice', password: 'hunter22!', display_name: 'Alice' });
    expect(user).toEqual(alice);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('/api/v1/auth/register');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.credentials).toBe('same-origin');
    expect(header(call, 'Content-Type')).toBe('application/json');
    expect(header(call, 'X-Kino-CSRF')).toBe('1');
    expect(JSON.parse(String(call?.init.body))).toEqual({ username: 'alice', password: 'hunter22!', display_name: 'Alice' });
  });

  it('register omits an empty display name so the server defaults it to the username', async () => {
    const { fetch, calls } = fakeFetch(json(201, { user: alice }));
    await createApi({ fetch }).register({ username: 'alice', password: 'hunter22!', display_name: '' });
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ username: 'alice', password: 'hunter22!' });
  });

  it('login sends only username and password', async () => {
    const { fetch, calls } = fakeFetch(json(200, { user: alice }));
    const input = { username: 'alice', password: 'pw12345678', extra: 'no' } as { username: string; password: string };
    await createApi({ fetch, baseUrl: 'http://kino.test' }).login(input);
    expect(calls[0]?.url).toBe('http://kino.test/api/v1/auth/login');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ username: 'alice', password: 'pw12345678' });
    expect(header(calls[0], 'X-Kino-CSRF')).toBe('1');
  });

  it('logout POSTs with the CSRF header and resolves on 204', async () => {
    const { fetch, calls } = fakeFetch(new Response(null, { status: 204 }));
    await expect(createApi({ fetch }).logout()).resolves.toBeUndefined();
    expect(calls[0]?.url).toBe('/api/v1/auth/logout');
    expect(calls[0]?.init.method).toBe('POST');
    expect(header(calls[0], 'X-Kino-CSRF')).toBe('1');
    expect(header(calls[0], 'Content-Type')).toBe('application/json');
    expect(calls[0]?.init.credentials).toBe('same-origin');
  });

  it('me GETs without the CSRF header but with credentials', async () => {
    const { fetch, calls } = fakeFetch(json(200, { user: alice }));
    await expect(createApi({ fetch }).me()).resolves.toEqual(alice);
    expect(calls[0]?.url).toBe('/api/v1/me');
    expect(calls[0]?.init.method).toBe('GET');
    expect(calls[0]?.init.credentials).toBe('same-origin');
    expect(header(calls[0], 'X-Kino-CSRF')).toBeUndefined();
    expect(calls[0]?.init.body).toBeUndefined();
  });

  it('me resolves null on 401 (logged out)', async () => {
    const { fetch } = fakeFetch(json(401, { error: { code: 'not_authenticated', message: 'Log in first' } }));
    await expect(createApi({ fetch }).me()).resolves.toBeNull();
  });

  it('me still rejects on other errors', async () => {
    const { fetch } = fakeFetch(json(500, { error: { code: 'internal_error', message: 'boom' } }));
    const e = await rejection(createApi({ fetch }).me());
    expect(e.status).toBe(500);
    expect(e.code).toBe('internal_error');
  });
});

describe('errors', () => {
  it('maps the JSON error body, including the field', async () => {
    const { fetch } = fakeFetch(
      json(409, { error: { code: 'username_taken', message: 'That username is taken', field: 'username' } }),
    );
    const e = await rejection(createApi({ fetch }).register({ username: 'alice', password: 'hunter22!' }));
    expect(e).toMatchObject({ status: 409, code: 'username_taken', message: 'That username is taken', field: 'username' });
    expect(e.retryAfterS).toBeUndefined();
  });

  it('422 invalid_field carries the field', async () => {
    const { fetch } = fakeFetch(json(422, { error: { code: 'invalid_field', message: 'too short', field: 'password' } }));
    const e = await rejection(createApi({ fetch }).register({ username: 'alice', password: 'x' }));
    expect(e).toMatchObject({ status: 422, code: 'invalid_field', field: 'password' });
  });

  it('ignores a field name the client does not know', async () => {
    const { fetch } = fakeFetch(json(422, { error: { code: 'invalid_field', message: 'bad', field: 'shoe_size' } }));
    const e = await rejection(createApi({ fetch }).register({ username: 'alice', password: 'hunter22!' }));
    expect(e.field).toBeUndefined();
  });

  it('401 invalid_credentials from login rejects (it is not treated as logged out)', async () => {
    const { fetch } = fakeFetch(json(401, { error: { code: 'invalid_credentials', message: 'Wrong username or password' } }));
    const e = await rejection(createApi({ fetch }).login({ username: 'alice', password: 'wrong-pass' }));
    expect(e).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('429 reads Retry-After in seconds', async () => {
    const { fetch } = fakeFetch(
      json(429, { error: { code: 'rate_limited', message: 'Slow down' } }, { 'Retry-After': '17' }),
    );
    const e = await rejection(createApi({ fetch }).login({ username: 'alice', password: 'hunter22!' }));
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', retryAfterS: 17 });
  });

  it('429 without a JSON body is still rate_limited', async () => {
    const { fetch } = fakeFetch(new Response('Too Many Requests', { status: 429, headers: { 'Retry-After': '3' } }));
    const e = await rejection(createApi({ fetch }).login({ username: 'alice', password: 'hunter22!' }));
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', retryAfterS: 3 });
  });

  it('a non-JSON 502 from a proxy becomes internal_error', async () => {
    const { fetch } = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    const e = await rejection(createApi({ fetch }).me());
    expect(e).toMatchObject({ status: 502, code: 'internal_error' });
  });

  it('a non-JSON 404 becomes http_error', async () => {
    const { fetch } = fakeFetch(new Response('nope', { status: 404 }));
    const e = await rejection(createApi({ fetch }).logout());
    expect(e).toMatchObject({ status: 404, code: 'http_error' });
  });

  it('a network failure becomes network_error with status 0', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    const e = await rejection(createApi({ fetch }).login({ username: 'alice', password: 'hunter22!' }));
    expect(e).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('a caller abort is passed through, not turned into network_error', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const abortErr = new DOMException('aborted', 'AbortError');
    const { fetch } = fakeFetch(abortErr);
    await expect(createApi({ fetch }).me(ctrl.signal)).rejects.toBe(abortErr);
  });

  it('a 200 without a valid user is bad_response', async () => {
    const { fetch } = fakeFetch(json(200, { user: { id: 7 } }));
    const e = await rejection(createApi({ fetch }).login({ username: 'alice', password: 'hunter22!' }));
    expect(e.code).toBe('bad_response');
  });

  it('a 200 with invalid JSON is bad_response', async () => {
    const { fetch } = fakeFetch(new Response('{not json', { status: 200 }));
    const e = await rejection(createApi({ fetch }).me());
    expect(e.code).toBe('bad_response');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 120 ')).toBe(120);
  });
  it('reads an HTTP date relative to now, rounding up', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores missing or junk values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});
