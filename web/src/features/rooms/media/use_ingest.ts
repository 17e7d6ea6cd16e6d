import { useCallback, useRef, useState } from 'react';
import { useServices } from '../../../app/services';
import { ApiError } from '../../../core/api';
import type { MessageKey } from '../../../core/i18n';
import { mediaSettled, type Media } from '../../../core/media';
import { usePolling } from '../../../ui/use_polling';

/** How often the preparation is re-read while it is under way. */
export const INGEST_POLL_MS = 1000;

export interface IngestState {
  media: Media;
  retry(): Promise<void>;
  retrying: boolean;
  /** A failed retry, as a sentence to show. */
  retryError: MessageKey | null;
}

/**
 * The room's video preparation: starts from what the room said, re-reads `GET …/ingest` every second
 * while it is under way (not while the page is hidden), and lets the owner try again.
 */
export function useIngest(slug: string, initial: Media): IngestState {
  const { rooms } = useServices();
  const [media, setMedia] = useState(initial);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<MessageKey | null>(null);
  const latest = useRef(0);

  // A newer room (the page's own refresh, an edit) brings newer media.
  const [initialSeen, setInitialSeen] = useState(initial);
  if (initial !== initialSeen) {
    setInitialSeen(initial);
    setMedia(initial);
  }

  const poll = useCallback(async () => {
    const mine = ++latest.current;
    const next = await rooms.ingest(slug);
    if (mine === latest.current) setMedia(next);
  }, [rooms, slug]);
  usePolling(poll, INGEST_POLL_MS, !mediaSettled(media));

  const retry = useCallback(async () => {
    setRetrying(true);
    setRetryError(null);
    const mine = ++latest.current;
    try {
      const next = await rooms.retryIngest(slug);
      if (mine === latest.current) setMedia(next);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not_failed') {
        setRetryError('media.retry.notFailed');
        await poll().catch(() => {});
      } else {
        setRetryError('media.retry.failed');
      }
    } finally {
      setRetrying(false);
    }
  }, [rooms, slug, poll]);

  return { media, retry, retrying, retryError };
}
