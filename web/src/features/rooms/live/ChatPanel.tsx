import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../../app/services';
import type { PendingMessage, RoomSocket, RoomSocketState } from '../../../core/room_socket';
import { chatErrorText } from './chat_errors';
import { ChatComposer } from './ChatComposer';
import { ChatLog } from './ChatLog';

export interface ChatPanelProps {
  socket: RoomSocket | null;
  state: RoomSocketState;
  /** False while another tab panel is shown (phones). */
  visible?: boolean;
  /** Id for the heading, so a region or tab panel can point at it. */
  headingId: string;
  /** Hide the heading visually (a tab names the panel already). */
  quietHeading?: boolean;
}

/** The room's chat: the log, and the message box. Messages typed while disconnected wait and go later. */
export function ChatPanel({ socket, state, visible = true, headingId, quietHeading = false }: ChatPanelProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [alert, setAlert] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  // A message that just failed is announced once, with what to do next.
  const failed = useRef(new Set<string>());
  useEffect(() => {
    const now = new Set(state.pending.filter((p) => p.state === 'failed').map((p) => p.id));
    const fresh = state.pending.find((p) => p.state === 'failed' && !failed.current.has(p.id));
    failed.current = now;
    if (fresh) {
      const reason = chatErrorText(fresh.error);
      setAlert(t('chat.failedAlert', { reason: t(reason.key, reason.params) }));
    } else if (now.size === 0) {
      setAlert(null);
    }
  }, [state.pending, t]);

  const send = useCallback((text: string) => socket?.send(text).ok === true, [socket]);
  const loadOlder = useCallback(() => void socket?.loadOlder(), [socket]);
  const retry = useCallback((id: string) => socket?.retry(id), [socket]);
  const edit = useCallback(
    (p: PendingMessage) => {
      socket?.discard(p.id);
      setDraft((d) => (d.trim() === '' ? p.text : `${p.text}\n${d}`));
      inputRef.current?.focus();
    },
    [socket],
  );

  return (
    <section className="chat-panel" aria-labelledby={headingId}>
      <h2 id={headingId} className={quietHeading ? 'visually-hidden' : 'side-title'}>
        {t('chat.title')}
      </h2>
      {!state.ready && state.status !== 'closed' && (
        <p className="chat-connecting" role="status">
          <span className="spinner" aria-hidden="true" />
          {t('chat.connecting')}
        </p>
      )}
      <ChatLog state={state} visible={visible} onLoadOlder={loadOlder} onRetry={retry} onEdit={edit} />
      <ChatComposer draft={draft} onDraft={setDraft} onSend={send} alert={alert} inputRef={inputRef} />
    </section>
  );
}
