// Typed client for Kino's REST API v1 (see docs/api/openapi.yaml). No React, no DOM: the only
// dependency is a `fetch` function, injected so tests can pass a fake.

/** A Kino account as the server returns it. `created_at` is an RFC 3339 UTC string. */
export interface User {
  id: string;
  username: string;
  display_name: string;
  created_at: string;
}

/** Fields the server may name in an error (`error.field`): account fields, room fields, and a room's `key`. */
export type ErrorField =
  | 'username'
  | 'password'
  | 'display_name'
  | 'title'
  | 'video_url'
  | 'visibility'
  | 'starts_at'
  | 'duration_minutes'
  | 'description'
  | 'key';

/**
 * Codes the server documents, plus the client-side ones: `network_error` (no response at all),
 * `bad_response` (a response we could not understand) and `http_error` (an error status without a
 * JSON error body, e.g. from a proxy).
 */
export type ErrorCode =
  | 'malformed_json'
  | 'invalid_field'
  | 'username_taken'
  | 'invalid_credentials'
  | 'not_authenticated'
  | 'csrf_rejected'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limited'
  | 'room_not_found'
  | 'room_private'
  | 'room_key_required'
  | 'wrong_room_key'
  | 'account_required'
  | 'not_owner'
  | 'room_started'
  | 'room_ended'
  | 'internal_error'
  | 'network_error'
  | 'bad_response'
  | 'http_error'
  | (string & {});

export interface ApiErrorInit {
  status: number;
  code: ErrorCode;
  message: string;
  field?: ErrorField;
  retryAfterS?: number;
  body?: Record<string, unknown>;
}

/** Every failed call rejects with this. `status` is 0 when no HTTP response arrived. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field?: ErrorField;
  /** Seconds to wait before retrying (from `Retry-After`), when the server said so. */
  readonly retryAfterS?: number;
  /** The whole error body, for the few errors that say more beside `error` (a private room's `door`). */
  readonly body?: Record<string, unknown>;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    if (init.field !== undefined) this.field = init.field;
    if (init.retryAfterS !== undefined) this.retryAfterS = init.retryAfterS;
    if (init.body !== undefined) this.body = init.body;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export interface RegisterInput {
  username: string;
  password: string;
  display_name?: string;
}

export interface LoginInput {
  username: string;
  password: string;
}

export interface KinoApi {
  /** 201 → the new user; the server sets the session cookie. */
  register(input: RegisterInput, signal?: AbortSignal): Promise<User>;
  /** 200 → the user; 401 `invalid_credentials` rejects. */
  login(input: LoginInput, signal?: AbortSignal): Promise<User>;
  /** 204; the server revokes the session. */
  logout(signal?: AbortSignal): Promise<void>;
  /** The logged-in user, or `null` when the server answers 401 (not logged in). */
  me(signal?: AbortSignal): Promise<User | null>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiOptions {
  fetch: FetchLike;
  /** Prefix for every path; '' (same origin) in the browser. */
  baseUrl?: string;
}

const FIELDS: readonly string[] = [
  'username',
  'password',
  'display_name',
  'title',
  'video_url',
  'visibility',
  'starts_at',
  'duration_minutes',
  'description',
  'key',
] satisfies readonly ErrorField[];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns whole seconds (≥ 0, rounded
 * up), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number.parseInt(v, 10);
  if (!/^[A-Za-z]{3}, /.test(v)) return undefined; // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT"
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  return JSON.parse(text) as unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function toApiError(res: Response): Promise<ApiError> {
  const retryAfterS = parseRetryAfter(res.headers.get('Retry-After'));
  let body: unknown;
  try {
    body = await readJson(res);
  } catch {
    body = undefined;
  }
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (err && typeof err.code === 'string') {
    const init: ApiErrorInit = {
      status: res.status,
      code: err.code,
      message: typeof err.message === 'string' ? err.message : err.code,
    };
    if (typeof err.field === 'string' && FIELDS.includes(err.field)) init.field = err.field as ErrorField;
    if (retryAfterS !== undefined) init.retryAfterS = retryAfterS;
    if (isRecord(body)) init.body = body;
    return new ApiError(init);
  }
  const init: ApiErrorInit = {
    status: res.status,
    code: res.status === 429 ? 'rate_limited' : res.status >= 500 ? 'internal_error' : 'http_error',
    message: `HTTP ${res.status}`,
  };
  if (retryAfterS !== undefined) init.retryAfterS = retryAfterS;
  return new ApiError(init);
}

function parseUser(body: unknown): User {
  const u = isRecord(body) ? body.user : undefined;
  if (
    isRecord(u) &&
    typeof u.id === 'string' &&
    typeof u.username === 'string' &&
    typeof u.display_name === 'string' &&
    typeof u.created_at === 'string'
  ) {
    return { id: u.id, username: u.username, display_name: u.display_name, created_at: u.created_at };
  }
  throw new ApiError({ status: 200, code: 'bad_response', message: 'The server sent an unexpected user object' });
}

/** One JSON request/response exchange with the server; shared by every part of the API client. */
export interface Transport {
  /** Sends one request; resolves with the response when its status is 2xx, rejects with ApiError. */
  send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response>;
  /** The response body as JSON (undefined when empty); rejects with `bad_response` when it is not JSON. */
  json(res: Response): Promise<unknown>;
}

export function createTransport(opts: ApiOptions): Transport {
  const base = opts.baseUrl ?? '';
  return {
    async send(method, path, body, signal) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (body !== undefined || UNSAFE_METHODS.has(method)) headers['Content-Type'] = 'application/json';
      if (UNSAFE_METHODS.has(method)) headers['X-Kino-CSRF'] = '1';
      const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
      if (body !== undefined) init.body = JSON.stringify(body);
      if (signal) init.signal = signal;
      let res: Response;
      try {
        res = await opts.fetch(base + path, init);
      } catch (e) {
        if (signal?.aborted) throw e; // the caller cancelled; let them see their AbortError
        throw new ApiError({ status: 0, code: 'network_error', message: e instanceof Error ? e.message : String(e) });
      }
      if (res.ok) return res;
      throw await toApiError(res);
    },
    async json(res) {
      try {
        return await readJson(res);
      } catch {
        throw new ApiError({ status: res.status, code: 'bad_response', message: 'The server sent invalid JSON' });
      }
    },
  };
}

export function createApi(opts: ApiOptions): KinoApi {
  const { send, json } = createTransport(opts);

  async function userFrom(res: Response): Promise<User> {
    return parseUser(await json(res));
  }

  return {
    async register(input, signal) {
      const payload: RegisterInput = { username: input.username, password: input.password };
      if (input.display_name !== undefined && input.display_name !== '') payload.display_name = input.display_name;
      return userFrom(await send('POST', '/api/v1/auth/register', payload, signal));
    },
    async login(input, signal) {
      return userFrom(await send('POST', '/api/v1/auth/login', { username: input.username, password: input.password }, signal));
    },
    async logout(signal) {
      await send('POST', '/api/v1/auth/logout', undefined, signal);
    },
    async me(signal) {
      try {
        return await userFrom(await send('GET', '/api/v1/me', undefined, signal));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
  };
}
