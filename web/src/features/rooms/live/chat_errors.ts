import type { MessageKey, Params } from '../../../core/i18n';
import type { ChatError } from '../../../core/room_socket';

const KEYS: Record<string, MessageKey> = {
  message_too_long: 'chat.error.message_too_long',
  invalid_message: 'chat.error.invalid_message',
  chat_unavailable: 'chat.error.chat_unavailable',
};

/** What went wrong with a message and what to do next, in the visitor's language. */
export function chatErrorText(e: ChatError | null): { key: MessageKey; params?: Params } {
  if (!e) return { key: 'chat.error.generic' };
  if (e.code === 'rate_limited') {
    return e.retryAfterS !== undefined && e.retryAfterS > 0
      ? { key: 'chat.error.rate_limited', params: { seconds: e.retryAfterS } }
      : { key: 'chat.error.rate_limitedSoon' };
  }
  return { key: KEYS[e.code] ?? 'chat.error.generic' };
}

/** Whether sending the same text again can work (otherwise the person has to edit it). */
export function retryable(e: ChatError | null): boolean {
  return !e || (e.code !== 'message_too_long' && e.code !== 'invalid_message');
}
