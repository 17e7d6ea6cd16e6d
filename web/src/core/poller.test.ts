import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller } from './poller';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(opts: { visible?: boolean; run?: () => Promise<void> } = {}) {
  let visible = opts.visible ?? true;
  const run = vi.fn(opts.run ?? (async () => {}));
  const poller = createPoller({ intervalMs: 15_000, run, isVisible: () => visible });
  return { poller, run, setVisible: (v: boolean) => (visible = v) };
}

describe('createPoller', () => {
  it('runs once per interval while visible, and not before the first interval', async () => {
    const { poller, run } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(14_999);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(run).toHaveBeenCalledTimes(3);
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('skips turns while hidden and catches up at once when shown again', async () => {
    const { poller, run, setVisible } = setup({ visible: false });
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run).toHaveBeenCalledTimes(0);
    setVisible(true);
    poller.visibilityChanged();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('does not refresh on becoming visible when no turn was missed', async () => {
    const { poller, run } = setup();
    poller.start();
    poller.visibilityChanged();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(0);
  });

  it('never overlaps a slow run, and keeps going after a failure', async () => {
    let calls = 0;
    const { poller, run } = setup({
      run: () => {
        calls += 1;
        return calls === 1 ? new Promise((resolve) => setTimeout(resolve, 40_000)) : Promise.reject(new Error('offline'));
      },
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(15_000); // first run starts and takes 40 s
    void poller.poke(); // ignored: a run is in flight
    await vi.advanceTimersByTimeAsync(39_999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1 + 15_000); // finished; next turn 15 s later fails
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(run).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('poke runs now and restarts the interval', async () => {
    const { poller, run } = setup();
    poller.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await poller.poke();
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    poller.stop();
  });
});
