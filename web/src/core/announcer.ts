// Messages for assistive technology. `polite` ones go to a visually hidden `aria-live` status region;
// `alert` ones are also shown as a visible toast (role="alert") because everyone needs to see them.

export type Tone = 'polite' | 'alert';

export interface Announcement {
  id: number;
  text: string;
  tone: Tone;
}

export interface Announcer {
  announce(text: string, tone?: Tone): void;
  /** Removes the current announcement if it is still `id` (the toast's close button or timer). */
  dismiss(id: number): void;
  getCurrent(): Announcement | null;
  subscribe(listener: () => void): () => void;
}

export function createAnnouncer(): Announcer {
  let current: Announcement | null = null;
  let nextId = 1;
  const listeners = new Set<() => void>();
  const emit = () => {
    for (const l of [...listeners]) l();
  };
  return {
    announce(text, tone = 'polite') {
      // A new id each time, so the same sentence said twice is announced twice.
      current = { id: nextId++, text, tone };
      emit();
    },
    dismiss(id) {
      if (current?.id !== id) return;
      current = null;
      emit();
    },
    getCurrent: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
