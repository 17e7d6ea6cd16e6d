// Runs a refresh every `intervalMs` while the page is visible. Hidden tabs do not poll; when the page
// becomes visible again after missing a turn, it refreshes at once. Runs never overlap. No DOM: the
// visibility check and the timer functions are injected.

export interface PollerOptions {
  intervalMs: number;
  run(): Promise<unknown> | unknown;
  isVisible(): boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Poller {
  /** Schedules the first run one interval from now. */
  start(): void;
  stop(): void;
  /** Call on `visibilitychange`. */
  visibilityChanged(): void;
  /** Runs now (unless a run is in flight) and restarts the interval. */
  poke(): Promise<void>;
}

export function createPoller(opts: PollerOptions): Poller {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let timer: unknown = null;
  let running = false;
  let active = false;
  let missed = false;

  function schedule() {
    if (timer !== null) clearTimer(timer);
    timer = active ? setTimer(tick, opts.intervalMs) : null;
  }

  async function runNow() {
    if (running) return;
    running = true;
    try {
      await opts.run();
    } catch {
      // The caller records its own errors; polling goes on.
    } finally {
      running = false;
    }
  }

  function tick() {
    timer = null;
    if (!active) return;
    if (!opts.isVisible()) {
      missed = true; // wait for the page to be seen again
      return;
    }
    void runNow().then(schedule);
  }

  return {
    start() {
      active = true;
      missed = false;
      schedule();
    },
    stop() {
      active = false;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
    visibilityChanged() {
      if (!active || !missed || !opts.isVisible()) return;
      missed = false;
      void runNow().then(schedule);
    },
    async poke() {
      await runNow();
      schedule();
    },
  };
}
