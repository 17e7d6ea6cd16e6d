// Splits chat text into plain text and http(s) links (and bare `www.host.tld` addresses, linked as
// https), for rendering as React text nodes and <a> elements. Nothing else in a message is ever
// interpreted: no HTML, no other URL schemes.

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
/** A bare address's host: `www.` then at least one more label and a top-level domain. */
const WWW_HOST = /^www\.(?:[a-z0-9-]+\.)+[a-z0-9-]{2,}$/i;
const TRAILING = /[.,;:!?'"»”’]$/;

/** Drops punctuation that ends a sentence rather than the link, and an unbalanced closing bracket. */
function trimLink(s: string): string {
  let out = s;
  for (;;) {
    if (TRAILING.test(out)) {
      out = out.slice(0, -1);
      continue;
    }
    const last = out[out.length - 1];
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const open = last ? pairs[last] : undefined;
    if (open && count(out, last!) > count(out, open)) {
      out = out.slice(0, -1);
      continue;
    }
    return out;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** The link's target when `s` is an absolute http(s) URL with a host, else null. */
export function safeHref(s: string): string | null {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') return null;
  return u.href;
}

/** The https target of a bare `www.` address with a plausible host, else null. */
function wwwHref(s: string): string | null {
  const href = safeHref(`https://${s}`);
  return href && WWW_HOST.test(new URL(href).hostname) ? href : null;
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plain = '';
  let at = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index ?? 0;
    const link = trimLink(m[0]);
    const href = /^www\./i.test(link) ? wwwHref(link) : safeHref(link);
    if (!href) continue;
    plain += text.slice(at, start);
    if (plain) parts.push({ kind: 'text', text: plain });
    plain = '';
    parts.push({ kind: 'link', text: link, href });
    at = start + link.length;
  }
  plain += text.slice(at);
  if (plain) parts.push({ kind: 'text', text: plain });
  return parts;
}
