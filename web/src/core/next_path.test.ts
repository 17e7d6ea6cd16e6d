import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next_path';

describe('safeNextPath', () => {
  it.each([
    ['/new', '/new'],
    ['/rooms/abc?x=1#chat', '/rooms/abc?x=1#chat'],
    ['/a/../b', '/b'],
  ])('accepts %j', (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });

  it.each([
    [null],
    [''],
    ['new'],
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\t/evil.example'],
    ['/x\n'],
    [' /new'],
  ])('rejects %j', (input) => {
    expect(safeNextPath(input)).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeNextPath('//x', '/home')).toBe('/home');
  });
});
