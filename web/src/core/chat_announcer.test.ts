import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChatAnnouncer, spoken } from './chat_announcer';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup() {
  const said: string[] = [];
  const a = createChatAnnouncer({
    announce: (t) => said.push(t),
    one: (m) => `${m.author}: ${m.text}`,
    many: (n, m) => `${n} new, last ${m.author}: ${m.text}`,
    intervalMs: 3000,
  });
  return { a, said };
}

describe('createChatAnnouncer', () => {
  it('says the first message at once and sums up the burst after it', async () => {
    const { a, said } = setup();
    a.push({ author: 'Bo', text: 'hi' });
    expect(said).toEqual(['Bo: hi']);
    a.push({ author: 'Cy', text: 'yo' });
    a.push({ author: 'Bo', text: 'popcorn?' });
    expect(said).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(said).toEqual(['Bo: hi', '2 new, last Bo: popcorn?']);
    await vi.advanceTimersByTimeAsync(3000); // quiet interval: nothing, and the next one is immediate
    a.push({ author: 'Cy', text: 'later' });
    expect(said).toEqual(['Bo: hi', '2 new, last Bo: popcorn?', 'Cy: later']);
  });

  it('a single message inside the interval is said alone at its end', async () => {
    const { a, said } = setup();
    a.push({ author: 'Bo', text: 'a' });
    await vi.advanceTimersByTimeAsync(1000);
    a.push({ author: 'Bo', text: 'b' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(said).toEqual(['Bo: a', 'Bo: b']);
  });

  it('stop() forgets what was waiting', async () => {
    const { a, said } = setup();
    a.push({ author: 'Bo', text: 'a' });
    a.push({ author: 'Bo', text: 'b' });
    a.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(said).toEqual(['Bo: a']);
  });
});

describe('spoken', () => {
  it('flattens whitespace and cuts long text', () => {
    expect(spoken(' a\n\n b ')).toBe('a b');
    expect(spoken('x'.repeat(250))).toBe(`${'x'.repeat(200)}…`);
  });
});
