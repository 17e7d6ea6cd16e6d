// The name a guest last joined under, remembered in this browser so the next room's form is prefilled.
const KEY = 'kino.guestName';

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function recallGuestName(): string {
  try {
    return storage()?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberGuestName(name: string): void {
  try {
    storage()?.setItem(KEY, name);
  } catch {
    // Private mode or full storage: the form just starts empty next time.
  }
}
