import { describe, expect, it, vi } from 'vitest';
import { createAnnouncer } from './announcer';

describe('announcer', () => {
  it('gives each announcement a new id, even for the same text', () => {
    const a = createAnnouncer();
    const listener = vi.fn();
    a.subscribe(listener);
    a.announce('Logged out');
    const first = a.getCurrent();
    a.announce('Logged out');
    const second = a.getCurrent();
    expect(first).toMatchObject({ text: 'Logged out', tone: 'polite' });
    expect(second?.id).not.toBe(first?.id);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('dismiss only clears the announcement it names', () => {
    const a = createAnnouncer();
    a.announce('old', 'alert');
    const old = a.getCurrent()!;
    a.announce('new', 'alert');
    a.dismiss(old.id);
    expect(a.getCurrent()?.text).toBe('new');
    a.dismiss(a.getCurrent()!.id);
    expect(a.getCurrent()).toBeNull();
  });
});
