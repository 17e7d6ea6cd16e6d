import { describe, expect, it } from 'vitest';
import { keyFromHash, linkWithKey } from './share';

describe('linkWithKey', () => {
  it('puts the key in the fragment, percent-encoded', () => {
    expect(linkWithKey('http://kino.test/r/abcdefghjk', 'k7m2-x9pq-r4tz-w8hn')).toBe('http://kino.test/r/abcdefghjk#key=k7m2-x9pq-r4tz-w8hn');
    expect(linkWithKey('http://kino.test/r/abcdefghjk', 'pa ss+w&rd#1')).toBe('http://kino.test/r/abcdefghjk#key=pa%20ss%2Bw%26rd%231');
  });
  it('replaces a fragment the link already had, and trims the key', () => {
    expect(linkWithKey('http://kino.test/r/x#old', '  abc  ')).toBe('http://kino.test/r/x#key=abc');
  });
});

describe('keyFromHash', () => {
  it('reads the key back from what linkWithKey wrote', () => {
    for (const key of ['k7m2-x9pq-r4tz-w8hn', 'pa ss+w&rd#1', 'пароль=ключ', '100%']) {
      const hash = new URL(linkWithKey('http://kino.test/r/x', key)).hash;
      expect(keyFromHash(hash), key).toBe(key);
    }
  });
  it('keeps a literal + (not form encoding) and finds key among other parameters', () => {
    expect(keyFromHash('#key=a+b')).toBe('a+b');
    expect(keyFromHash('#t=10&key=abc&x=1')).toBe('abc');
    expect(keyFromHash('key=abc')).toBe('abc');
  });
  it('returns null when there is no usable key', () => {
    for (const hash of [null, undefined, '', '#', '#key=', '#key=%20', '#keys=abc', '#mykey=abc', '#key=%E0%A4%A', '#other']) {
      expect(keyFromHash(hash), String(hash)).toBeNull();
    }
  });
});
