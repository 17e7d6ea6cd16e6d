import { useEffect } from 'react';
import { useAnnounce, useI18n } from '../../../app/services';
import { createChatAnnouncer } from '../../../core/chat_announcer';
import type { RoomSocket } from '../../../core/room_socket';

/** Reads other people's new messages out through the page's polite live region, throttled. */
export function useChatAnnouncements(socket: RoomSocket | null): void {
  const announce = useAnnounce();
  const { t } = useI18n();
  useEffect(() => {
    if (!socket) return;
    const announcer = createChatAnnouncer({
      announce: (text) => announce(text),
      one: (m) => t('chat.announce.one', { name: m.author, text: m.text }),
      many: (count, m) => t('chat.announce.many', { count, name: m.author, text: m.text }),
    });
    const off = socket.onLiveMessage((m) => {
      if (m.author.id !== socket.getState().memberId) announcer.push({ author: m.author.name, text: m.text });
    });
    return () => {
      off();
      announcer.stop();
    };
  }, [socket, announce, t]);
}
