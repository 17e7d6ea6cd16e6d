import { useCallback, useRef } from 'react';
import { useI18n } from '../../../app/services';
import type { ChatMessage, PendingMessage, RoomSocketState, TimelineEntry } from '../../../core/room_socket';
import { Button } from '../../../ui/Button';
import { chatErrorText, retryable } from './chat_errors';
import { ChatEntry } from './ChatEntry';
import { ChatText } from './ChatText';
import { useChatScroll } from './use_chat_scroll';

/** Messages closer than this from the same author share one name line. */
const GROUP_MS = 5 * 60_000;

export interface ChatLogProps {
  state: RoomSocketState;
  visible: boolean;
  onLoadOlder(): void;
  onRetry(id: string): void;
  onEdit(p: PendingMessage): void;
}

function startsGroup(prev: TimelineEntry | undefined, m: ChatMessage): boolean {
  if (!prev || prev.kind !== 'message' || prev.message.author.id !== m.author.id) return true;
  return Date.parse(m.sent_at) - Date.parse(prev.message.sent_at) > GROUP_MS;
}

/** The scrolling list of messages, join/leave notes and this tab's unsent messages. */
export function ChatLog({ state, visible, onLoadOlder, onRetry, onEdit }: ChatLogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const { timeline, pending, older, memberId } = state;
  const needOlder = useCallback(
    (fromButton: boolean) => {
      if (older.hasMore && !older.loading && (fromButton || !older.error)) onLoadOlder();
    },
    [older, onLoadOlder],
  );
  const { entries, first, hasBefore, onScroll, unseen, toBottom, showEarlier } = useChatScroll(ref, {
    timeline,
    pending,
    visible,
    onNeedOlder: needOlder,
  });
  const me = (id: string) => id === memberId;
  const myName = state.members.find((m) => m.id === memberId)?.name ?? t('chat.you');

  return (
    <div className="chat-log-wrap">
      <div className="chat-log" ref={ref} onScroll={onScroll} tabIndex={0} role="region" aria-label={t('chat.messages')}>
        <div className="chat-log-top">
          {hasBefore || older.hasMore ? (
            <Button variant="ghost" className="chat-older" busy={older.loading} onClick={showEarlier}>
              {older.loading ? t('chat.loadingEarlier') : t('chat.loadEarlier')}
            </Button>
          ) : (
            state.ready && timeline.some((e) => e.kind === 'message') && <p className="chat-start">{t('chat.start')}</p>
          )}
          {older.error && (
            <p className="chat-older-error" role="alert">
              {t('chat.loadEarlierFailed')}
            </p>
          )}
        </div>
        {state.ready && timeline.length === 0 && pending.length === 0 && <p className="chat-empty">{t('chat.empty')}</p>}
        <ol className="chat-list">
          {entries.map((e, i) => {
            const prev = i > 0 ? entries[i - 1] : timeline[first - 1];
            const mine = e.kind === 'message' && me(e.message.author.id);
            return <ChatEntry key={e.key} entry={e} first={e.kind === 'message' && startsGroup(prev, e.message)} mine={mine} />;
          })}
          {pending.map((p) => (
            <li key={p.id} className={`chat-msg chat-msg-first chat-msg-mine chat-pending chat-pending-${p.state}`}>
              <p className="chat-meta">
                <span className="chat-author">{myName}</span>
                <span className="chat-time">{p.state === 'sending' ? t('chat.sending') : t('chat.notSent')}</span>
              </p>
              <p className="chat-text">
                <ChatText text={p.text} />
              </p>
              {p.state === 'failed' && (
                <div className="chat-failed">
                  <p className="chat-failed-reason">{t(chatErrorText(p.error).key, chatErrorText(p.error).params)}</p>
                  <div className="chat-failed-actions">
                    {retryable(p.error) && (
                      <Button variant="secondary" onClick={() => onRetry(p.id)}>
                        {t('chat.retry')}
                      </Button>
                    )}
                    <Button variant="ghost" onClick={() => onEdit(p)}>
                      {t('chat.edit')}
                    </Button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ol>
      </div>
      {unseen && (
        <button type="button" className="chat-jump" onClick={toBottom}>
          {t('chat.jumpToLatest')} <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
