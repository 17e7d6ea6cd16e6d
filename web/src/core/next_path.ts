// Validates the `?next=` target after login: only a same-origin relative path, never another site.

/**
 * Returns `next` normalised to `/path?query#hash` when it is a same-origin relative path
 * (starts with a single '/'), otherwise `fallback`. Rejects `//host`, `/\host`, schemes, and
 * control characters, which browsers may strip to turn a path into another origin.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (hasControlOrBackslash(next)) return fallback;
  const origin = 'https://kino.invalid';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return url.pathname + url.search + url.hash;
}

/** Whether `s` has a control character (U+0000–U+001F, U+007F) or a backslash. */
function hasControlOrBackslash(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}
