import { useMemo, useRef } from 'react';
import { useI18n } from '../../../app/services';
import type { TranscriptMessage } from '../../../core/rooms_api';
import { formatTime } from '../../../core/time';
import { buttonClass } from '../../../ui/Button';
import { MessageWords } from './MessageWords';
import { useTranscriptWindow } from './use_transcript_window';

/**
 * The whole chat of an ended room, from its first message, to read without playing. Only a window
 * of it is in the DOM (a busy evening has tens of thousands of messages); scrolling towards either
 * end moves the window, and the buttons reach both ends and every message between by keyboard.
 */
export function WholeChat({ messages }: { messages: readonly TranscriptMessage[] }) {
  const { t, locale } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const keyed = useMemo(() => messages.map((m) => ({ key: m.id, message: m })), [messages]);
  const { entries, first, hasBefore, hasAfter, onScroll, toFirst, toLast, showEarlier, showLater } = useTranscriptWindow(ref, keyed);
  const total = messages.length;
  const count = (n: number) => n.toLocaleString(locale);
  const nav = (label: string, onClick: () => void, enabled: boolean) => (
    <button type="button" className={buttonClass('ghost', 'md', 'archive-whole-step')} aria-disabled={!enabled} onClick={enabled ? onClick : undefined}>
      {label}
    </button>
  );

  return (
    <div className="archive-whole">
      <div className="archive-whole-nav" role="group" aria-label={t('archive.wholeNav')}>
        {nav(t('archive.firstMessages'), toFirst, true)}
        {nav(t('archive.earlierMessages'), showEarlier, hasBefore)}
        {nav(t('archive.laterMessages'), showLater, hasAfter)}
        {nav(t('archive.lastMessages'), toLast, true)}
      </div>
      <p className="archive-note" data-testid="archive-whole-range" aria-live="polite">
        {t('archive.range', { from: count(first + 1), to: count(first + entries.length), total: count(total) })}
      </p>
      <div className="archive-whole-log" ref={ref} onScroll={onScroll} tabIndex={0} role="region" aria-label={t('chat.messages')}>
        <ol className="archive-messages" data-testid="archive-whole" start={first + 1}>
          {entries.map(({ message: m }, i) => (
            <li key={m.id} className="archive-message" aria-posinset={first + i + 1} aria-setsize={total}>
              <time className="archive-time" dateTime={m.sent_at}>
                {formatTime(m.sent_at, locale)}
              </time>{' '}
              <MessageWords author={m.author.name} text={m.text} />
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
