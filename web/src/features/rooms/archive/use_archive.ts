import { useCallback, useEffect, useState } from 'react';
import { useServices } from '../../../app/services';
import { errorText, type ErrorText } from '../../../core/error_text';
import type { RoomArchive, Transcript } from '../../../core/rooms_api';

export type ArchiveLoad =
  | { status: 'loading' }
  | { status: 'failed'; error: ErrorText }
  | { status: 'ready'; archive: RoomArchive; transcript: Transcript };

/** Fetches an ended room's archive and chat together; `retry` fetches both again. */
export function useArchive(slug: string): { load: ArchiveLoad; retry(): void } {
  const { rooms } = useServices();
  const [attempt, setAttempt] = useState(0);
  // The outcome of one fetch (this slug, this attempt); a newer one is loading until it settles.
  const [done, setDone] = useState<{ key: string; load: ArchiveLoad } | null>(null);
  const key = `${slug}#${attempt}`;

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([rooms.archive(slug, abort.signal), rooms.transcript(slug, abort.signal)]).then(
      ([archive, transcript]) => {
        if (!abort.signal.aborted) setDone({ key, load: { status: 'ready', archive, transcript } });
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setDone({ key, load: { status: 'failed', error: errorText(e) } });
      },
    );
    return () => abort.abort();
  }, [rooms, slug, key]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { load: done && done.key === key ? done.load : { status: 'loading' }, retry };
}
