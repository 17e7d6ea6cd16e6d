// Share links for private rooms. The access key travels in the URL fragment (`#key=…`), which browsers
// never send to the server, so it stays out of access logs and Referer headers.

/** `url` (any fragment dropped) + `#key=<key, percent-encoded>`. */
export function linkWithKey(url: string, key: string): string {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  return `${base}#key=${encodeURIComponent(key.trim())}`;
}

/**
 * The key from a location hash such as `#key=k7m2-x9pq` (also `key=` among other `&`-separated
 * parameters). `+` stays a plus (keys and passwords are not form-encoded). Returns null when there is
 * no non-empty key or its percent-encoding is broken.
 */
export function keyFromHash(hash: string | null | undefined): string | null {
  if (!hash) return null;
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== 'key') continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1));
    } catch {
      return null;
    }
    value = value.trim();
    return value === '' ? null : value;
  }
  return null;
}
