import { describe, expect, it } from 'vitest';
import { checkDisplayName, checkNewPassword, checkUsername, validateLogin, validateRegistration } from './validation';

describe('username', () => {
  it.each([
    ['abc', undefined],
    ['a'.repeat(32), undefined],
    ['A_b.c-9', undefined],
    ['', 'validation.username.required'],
    ['ab', 'validation.username.rules'],
    ['a'.repeat(33), 'validation.username.rules'],
    ['has space', 'validation.username.rules'],
    ['semi;colon', 'validation.username.rules'],
    ['emoji😀x', 'validation.username.rules'],
    ['jürgen', 'validation.username.rules'],
    ['bad/name', 'validation.username.rules'],
    ['bad@name', 'validation.username.rules'],
  ])('%j → %s', (input, expected) => {
    expect(checkUsername(input)).toBe(expected);
  });
});

describe('password', () => {
  it.each([
    ['', 'validation.password.required'],
    ['1234567', 'validation.password.rules'],
    ['12345678', undefined],
    ['x'.repeat(128), undefined],
    ['x'.repeat(129), 'validation.password.rules'],
    // 8 characters that are 16 UTF-16 units: counted as characters.
    ['😀'.repeat(8), undefined],
  ])('%j → %s', (input, expected) => {
    expect(checkNewPassword(input)).toBe(expected);
  });
});

describe('display name', () => {
  it('is optional and up to 64 characters', () => {
    expect(checkDisplayName('')).toBeUndefined();
    expect(checkDisplayName('ж'.repeat(64))).toBeUndefined();
    expect(checkDisplayName('ж'.repeat(65))).toBe('validation.displayName.rules');
  });
});

describe('forms', () => {
  it('registration reports every bad field', () => {
    expect(validateRegistration({ username: 'a', password: 'short', display_name: 'x'.repeat(70) })).toEqual({
      username: 'validation.username.rules',
      password: 'validation.password.rules',
      display_name: 'validation.displayName.rules',
    });
    expect(validateRegistration({ username: 'alice', password: 'long enough', display_name: '' })).toEqual({});
    // Empty fields get the whole rule too (the error replaces the hint).
    expect(validateRegistration({ username: '', password: '', display_name: '' })).toEqual({
      username: 'validation.username.rules',
      password: 'validation.password.rules',
    });
  });
  it('login only requires both fields', () => {
    expect(validateLogin({ username: '', password: '' })).toEqual({
      username: 'validation.username.required',
      password: 'validation.password.required',
    });
    expect(validateLogin({ username: 'al', password: 'x' })).toEqual({});
  });
});
