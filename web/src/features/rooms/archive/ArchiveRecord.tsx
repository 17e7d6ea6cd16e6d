import { useI18n } from '../../../app/services';
import type { MessageKey, Params } from '../../../core/i18n';
import type { ArchiveAction, RoomArchive, TranscriptMessage } from '../../../core/rooms_api';
import { formatClock } from '../../../core/sync/playback_text';
import { formatTime } from '../../../core/time';

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

/**
 * Everyone who was there: those who joined (in order), then anyone else who played the film or
 * wrote in the chat (the host has no join of their own). One entry per member id.
 */
export function peopleThere(archive: RoomArchive, messages: readonly TranscriptMessage[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const p of archive.people) if (!seen.has(p.id)) seen.set(p.id, p.name);
  for (const e of archive.timeline) if (e.by && !seen.has(e.by.id)) seen.set(e.by.id, e.by.name);
  for (const m of messages) if (!seen.has(m.author.id)) seen.set(m.author.id, m.author.name);
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** Who was there, and what was done to the film when. */
export function ArchiveRecord({ archive, messages }: { archive: RoomArchive; messages: readonly TranscriptMessage[] }) {
  const { t, locale } = useI18n();
  const people = peopleThere(archive, messages);
  return (
    <div className="archive-record">
      <section aria-labelledby="archive-people-title">
        <h3 id="archive-people-title">{t('archive.people')}</h3>
        {people.length === 0 ? (
          <p className="archive-note">{t('archive.noPeople')}</p>
        ) : (
          <ul className="archive-people" data-testid="archive-people">
            {people.map((p) => (
              <li key={p.id}>{p.name}</li>
            ))}
          </ul>
        )}
      </section>
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
