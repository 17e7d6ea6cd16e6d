import { useId, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { useI18n } from '../../../app/services';
import { CHAT_MAX } from '../../../core/room_socket';
import { charLength } from '../../../core/validation';
import { Button } from '../../../ui/Button';

/** The counter appears when this few characters are left. */
const COUNTER_FROM = 200;

export interface ChatComposerProps {
  draft: string;
  onDraft(text: string): void;
  /** Returns false when the text was not taken (empty, too long). */
  onSend(text: string): boolean;
  /** A sentence to announce and show (e.g. "Your message wasn't sent…"). */
  alert: string | null;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}

/** The message box: Enter sends, Shift+Enter adds a line; a counter near the limit. */
export function ChatComposer({ draft, onDraft, onSend, alert, inputRef }: ChatComposerProps) {
  const { t } = useI18n();
  const id = useId();
  const length = charLength(draft);
  const left = CHAT_MAX - length;
  const over = left < 0;

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (over || draft.trim() === '') {
      inputRef.current?.focus();
      return;
    }
    if (onSend(draft)) onDraft('');
    inputRef.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    submit();
  }

  const describedBy = [`${id}-hint`, left <= COUNTER_FROM ? `${id}-count` : ''].filter(Boolean).join(' ');
  return (
    <form className="chat-composer" onSubmit={submit} noValidate>
      <label className="visually-hidden" htmlFor={`${id}-input`}>
        {t('chat.input')}
      </label>
      <div className="chat-input-row">
        <textarea
          ref={inputRef}
          id={`${id}-input`}
          className="chat-input"
          rows={1}
          value={draft}
          placeholder={t('chat.placeholder')}
          aria-invalid={over || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <Button type="submit" className="chat-send" aria-disabled={over || draft.trim() === '' || undefined}>
          {t('chat.send')}
        </Button>
      </div>
      <div className="chat-composer-notes">
        <p className="chat-hint" id={`${id}-hint`}>
          {t('chat.hint')}
        </p>
        {left <= COUNTER_FROM && (
          <p className={over ? 'chat-counter chat-counter-over' : 'chat-counter'} id={`${id}-count`}>
            {over ? t('chat.tooLong', { max: CHAT_MAX, count: -left }) : t('chat.charsLeft', { count: left })}
          </p>
        )}
      </div>
      <div className="chat-alert" role="alert">
        {alert && <p className="chat-alert-text">{alert}</p>}
      </div>
    </form>
  );
}
