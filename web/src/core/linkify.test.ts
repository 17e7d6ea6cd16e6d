import { describe, expect, it } from 'vitest';
import { safeHref, splitLinks } from './linkify';

describe('splitLinks', () => {
  it('keeps plain text as one part', () => {
    expect(splitLinks('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
    expect(splitLinks('')).toEqual([]);
  });

  it('turns http(s) URLs into links and leaves sentence punctuation outside', () => {
    expect(splitLinks('see https://example.com/a?b=1&c=2#x, then http://kino.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1&c=2#x', href: 'https://example.com/a?b=1&c=2#x' },
      { kind: 'text', text: ', then ' },
      { kind: 'link', text: 'http://kino.test', href: 'http://kino.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('links a bare www. address as https, with sentence punctuation outside', () => {
    expect(splitLinks('go to www.example.org, or www.kino.test/r/abc!')).toEqual([
      { kind: 'text', text: 'go to ' },
      { kind: 'link', text: 'www.example.org', href: 'https://www.example.org/' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'www.kino.test/r/abc', href: 'https://www.kino.test/r/abc' },
      { kind: 'text', text: '!' },
    ]);
    expect(splitLinks('https://www.example.org.')).toEqual([
      { kind: 'link', text: 'https://www.example.org', href: 'https://www.example.org/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('leaves www. without a real host, or glued to a word, as text', () => {
    for (const s of ['www.<script>alert(1)</script>', 'www.', 'www.x', 'awww.example.org', 'www..org', 'www.example']) {
      expect(splitLinks(s), s).toEqual([{ kind: 'text', text: s }]);
    }
  });

  it('keeps balanced brackets and drops an unbalanced closing one', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Film_(genre))')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'https://en.wikipedia.org/wiki/Film_(genre)', href: 'https://en.wikipedia.org/wiki/Film_(genre)' },
      { kind: 'text', text: ')' },
    ]);
  });

  it('never links other schemes or markup; all of it stays text', () => {
    for (const s of [
      'javascript:window.__xss=1',
      '<a href="javascript:alert(1)">x</a>',
      '<img src=x onerror=window.__xss=1>',
      '<script>window.__xss=1</script>',
      '"><svg onload=window.__xss=1>',
      'data:text/html,<b>x</b>',
      'ftp://example.com/file',
      'http://',
    ]) {
      expect(splitLinks(s), s).toEqual([{ kind: 'text', text: s }]);
    }
  });

  it('stops a link at quotes and angle brackets', () => {
    expect(splitLinks('<a href="https://evil.test/x">y</a>')).toEqual([
      { kind: 'text', text: '<a href="' },
      { kind: 'link', text: 'https://evil.test/x', href: 'https://evil.test/x' },
      { kind: 'text', text: '">y</a>' },
    ]);
  });

  it('links uppercase schemes with a normalised href', () => {
    expect(splitLinks('HTTPS://Example.COM/Path')).toEqual([{ kind: 'link', text: 'HTTPS://Example.COM/Path', href: 'https://example.com/Path' }]);
  });
});

describe('safeHref', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(safeHref('https://a.test/x')).toBe('https://a.test/x');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref('mailto:a@b.c')).toBeNull();
  });
});
