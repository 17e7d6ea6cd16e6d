import { useI18n } from '../../../app/services';
import type { MessageKey, Params } from '../../../core/i18n';
import type { ArchiveAction, RoomArchive, TranscriptMessage } from '../../../core/rooms_api';
import { formatClock } from '../../../core/sync/playback_text';
import { formatTime } from '../../../core/time';
import { ArchivePeople } from './ArchivePeople';

/** The timeline lists at most this many actions. */
export const TIMELINE_CAP = 1000;

/** The sentence for one stored playback action ("Ann paused at 12:34"). */
export function actionSentence(e: ArchiveAction, someone: string): { key: MessageKey; params: Params } {
  const name = e.by?.name ?? someone;
  const time = formatClock(e.position_s);
  switch (e.action) {
    case 'play':
      return { key: 'archive.action.play', params: { name, time } };
    case 'pause':
      return { key: 'archive.action.pause', params: { name, time } };
    case 'seek':
      return { key: 'archive.action.seek', params: { name, time } };
    case 'rate':
      return { key: 'archive.action.rate', params: { name, rate: String(e.rate) } };
    case 'volume':
      return { key: 'archive.action.volume', params: { name, volume: String(Math.round(e.volume * 100)) } };
    case 'mute':
      return { key: e.muted ? 'archive.action.mute' : 'archive.action.unmute', params: { name } };
    default:
      return { key: 'archive.action.other', params: { name, action: e.action, time } };
  }
}

/** Who was there, and what was done to the film when. */
export function ArchiveRecord({ archive, messages }: { archive: RoomArchive; messages: readonly TranscriptMessage[] }) {
  const { t, locale } = useI18n();
  return (
    <div className="archive-record">
      <ArchivePeople archive={archive} messages={messages} />
      <section aria-labelledby="archive-timeline-title">
        <h3 id="archive-timeline-title">{t('archive.timeline')}</h3>
        {archive.timeline.length === 0 ? (
          <p className="archive-note">{t('archive.noTimeline')}</p>
        ) : (
          <ol className="archive-timeline" data-testid="archive-timeline">
            {archive.timeline.slice(0, TIMELINE_CAP).map((e) => {
              const s = actionSentence(e, t('archive.someone'));
              return (
                <li key={e.seq}>
                  <time className="archive-time" dateTime={e.at}>
                    {formatTime(e.at, locale)}
                  </time>{' '}
                  {t(s.key, s.params)}
                </li>
              );
            })}
          </ol>
        )}
      </section>
    </div>
  );
}
