import { memo } from 'react';
import { useI18n } from '../../../app/services';
import type { TimelineEntry } from '../../../core/room_socket';
import { formatDateTime, formatTime } from '../../../core/time';
import { ChatText } from './ChatText';

export interface ChatEntryProps {
  entry: TimelineEntry;
  /** Whether a message starts a run (shows the name line) rather than continuing the one above. */
  first: boolean;
  /** Whether this visitor wrote it. */
  mine: boolean;
}

/**
 * One list item of the chat log: a message or a join/leave note. Memoised: a new message renders its
 * own item, not every item above it.
 */
export const ChatEntry = memo(function ChatEntry({ entry, first, mine }: ChatEntryProps) {
  const { t, locale } = useI18n();
  if (entry.kind !== 'message') {
    return (
      <li className="chat-event">
        {t(entry.kind === 'joined' ? 'chat.event.joined' : 'chat.event.left', { name: entry.name })}
      </li>
    );
  }
  const m = entry.message;
  const time = formatTime(m.sent_at, locale);
  const who = mine ? t('chat.you') : m.author.name;
  return (
    <li className={['chat-msg', first ? 'chat-msg-first' : '', mine ? 'chat-msg-mine' : ''].filter(Boolean).join(' ')}>
      {first ? (
        <p className="chat-meta">
          <span className="chat-author">{m.author.name}</span>
          <time className="chat-time" dateTime={m.sent_at} title={formatDateTime(m.sent_at, locale)}>
            {time}
          </time>
        </p>
      ) : (
        <span className="visually-hidden">{`${who}, ${time}: `}</span>
      )}
      <p className="chat-text">
        <ChatText text={m.text} />
      </p>
    </li>
  );
});
