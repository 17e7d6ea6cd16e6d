import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import { shownAt } from '../../../core/archive_replay';
import type { TranscriptMessage } from '../../../core/rooms_api';
import { formatClock } from '../../../core/sync/playback_text';
import { buttonClass } from '../../../ui/Button';
import { WholeChat } from './WholeChat';
import { MessageWords } from './MessageWords';

/** The replay shows at most this many of the latest messages reached; older ones are counted. */
export const REPLAY_CAP = 200;

export type PlacedMessage = TranscriptMessage & { film_s: number };

export interface ArchiveChatProps {
  /** Messages in replay order (film position, then seq): `placeMessages`. */
  placed: readonly PlacedMessage[];
  /** Messages in seq order. */
  messages: readonly TranscriptMessage[];
  /** Where the film stands now, in seconds. */
  position: number;
  onJump(film_s: number): void;
}

/** The chat beside the film: what was written up to this point of it, or the whole chat to read. */
export function ArchiveChat({ placed, messages, position, onJump }: ArchiveChatProps) {
  const { t } = useI18n();
  const [view, setView] = useState<'replay' | 'whole'>('replay');
  const shown = shownAt(placed, position);
  const from = Math.max(0, shown - REPLAY_CAP);
  const replayList = useRef<HTMLOListElement>(null);

  // The latest message reached stays in view as the film moves on.
  useEffect(() => {
    const list = replayList.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [shown, view]);

  return (
    <section className="archive-chat" aria-labelledby="archive-chat-title">
      <h3 id="archive-chat-title" className="visually-hidden">
        {view === 'replay' ? t('archive.replay') : t('archive.whole')}
      </h3>
      <div className="archive-chat-views" role="group" aria-label={t('archive.views')}>
        <button type="button" className={buttonClass('secondary', 'md', 'archive-view-button')} aria-pressed={view === 'replay'} onClick={() => setView('replay')}>
          {t('archive.replay')}
        </button>
        <button type="button" className={buttonClass('secondary', 'md', 'archive-view-button')} aria-pressed={view === 'whole'} onClick={() => setView('whole')}>
          {t('archive.whole')}
        </button>
      </div>
      {view === 'replay' ? (
        <>
          {from > 0 && <p className="archive-note">{t('archive.earlier', { count: from })}</p>}
          {shown === 0 ? (
            <p className="archive-note">{t('archive.replayEmpty')}</p>
          ) : (
            <ol className="archive-messages" data-testid="archive-replay" ref={replayList}>
              {placed.slice(from, shown).map((m) => {
                const time = formatClock(m.film_s);
                return (
                  <li key={m.id} className="archive-message">
                    <button
                      type="button"
                      className={buttonClass('ghost', 'md', 'archive-jump')}
                      aria-label={t('archive.jumpLabel', { time, name: m.author.name })}
                      onClick={() => onJump(m.film_s)}
                    >
                      {time}
                    </button>{' '}
                    <MessageWords author={m.author.name} text={m.text} />
                  </li>
                );
              })}
            </ol>
          )}
        </>
      ) : messages.length === 0 ? (
        <p className="archive-note">{t('archive.wholeEmpty')}</p>
      ) : (
        <WholeChat messages={messages} />
      )}
    </section>
  );
}
