// Reads new chat messages out through the polite live region without flooding it: the first message
// is announced at once, the ones that follow within `intervalMs` are summed up in one sentence at the
// end of the interval. No DOM: `announce` and the timers are injected.

export interface AnnouncedMessage {
  author: string;
  text: string;
}

export interface ChatAnnouncerOptions {
  announce(text: string): void;
  /** The sentence for one message, and for several (the latest given). */
  one(m: AnnouncedMessage): string;
  many(count: number, latest: AnnouncedMessage): string;
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface ChatAnnouncer {
  push(m: AnnouncedMessage): void;
  stop(): void;
}

/** Long messages are cut for speech; the whole text is on screen. */
export const SPOKEN_MAX = 200;

export function spoken(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > SPOKEN_MAX ? `${chars.slice(0, SPOKEN_MAX).join('')}…` : flat;
}

export function createChatAnnouncer(opts: ChatAnnouncerOptions): ChatAnnouncer {
  const intervalMs = opts.intervalMs ?? 3000;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let waiting: AnnouncedMessage[] = [];
  let timer: unknown = null;

  function flush() {
    const latest = waiting[waiting.length - 1];
    if (!latest) return;
    const m = { author: latest.author, text: spoken(latest.text) };
    opts.announce(waiting.length === 1 ? opts.one(m) : opts.many(waiting.length, m));
    waiting = [];
  }

  function tick() {
    timer = null;
    if (waiting.length === 0) return;
    flush();
    timer = setTimer(tick, intervalMs);
  }

  return {
    push(m) {
      waiting.push(m);
      if (timer !== null) return;
      flush();
      timer = setTimer(tick, intervalMs);
    },
    stop() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      waiting = [];
    },
  };
}
