import { useId } from 'react';
import { useI18n } from '../../../app/services';
import type { Room } from '../../../core/rooms_api';
import { IngestProgress } from './IngestProgress';
import { useIngest } from './use_ingest';

/** On the share panel: how far Kino is with the new room's video. */
export function ShareIngest({ room }: { room: Room }) {
  const { t } = useI18n();
  const id = useId();
  const ingest = useIngest(room.slug, room.media);
  return (
    <section className="share-ingest" aria-labelledby={id}>
      <h2 className="share-ingest-title" id={id}>
        {t('media.progress')}
      </h2>
      <IngestProgress
        media={ingest.media}
        isOwner={room.is_owner}
        onRetry={() => void ingest.retry()}
        retrying={ingest.retrying}
        retryError={ingest.retryError}
        place="share"
      />
    </section>
  );
}
