import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../../../app/services';
import type { RoomSocket, RoomSocketState } from '../../../core/room_socket';
import type { Room } from '../../../core/rooms_api';
import { ChatPanel } from './ChatPanel';
import { PeopleList } from './PeopleList';

type Tab = 'chat' | 'people';

export interface RoomPanelsProps {
  room: Room;
  socket: RoomSocket | null;
  state: RoomSocketState;
  /** Phones: tabs under the player instead of a column beside it. */
  compact: boolean;
}

/** Chat and People: side by side with the player on wide screens, as two tabs on phones. */
export function RoomPanels({ room, socket, state, compact }: RoomPanelsProps) {
  const { t } = useI18n();
  const id = useId();
  const [tab, setTab] = useState<Tab>('chat');
  const tabs = useRef<Record<Tab, HTMLButtonElement | null>>({ chat: null, people: null });
  function onKeyDown(e: KeyboardEvent) {
    const order: Tab[] = ['chat', 'people'];
    let next: Tab | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') next = order[(order.indexOf(tab) + 1) % 2] ?? 'chat';
    else if (e.key === 'Home') next = 'chat';
    else if (e.key === 'End') next = 'people';
    if (!next) return;
    e.preventDefault();
    setTab(next);
    tabs.current[next]?.focus();
  }

  const tabButton = (name: Tab, label: string, count?: number) => (
    <button
      type="button"
      role="tab"
      id={`${id}-tab-${name}`}
      ref={(el) => {
        tabs.current[name] = el;
      }}
      className="room-tab"
      aria-selected={tab === name}
      aria-controls={`${id}-panel-${name}`}
      tabIndex={tab === name ? 0 : -1}
      onClick={() => setTab(name)}
    >
      {label}
      {count !== undefined && <span className="room-tab-count">{count}</span>}
    </button>
  );

  // One tree for both layouts, so the chat (its draft, its scroll) survives a rotation or a resize.
  const panel = (name: Tab) =>
    compact ? { role: 'tabpanel', id: `${id}-panel-${name}`, 'aria-labelledby': `${id}-tab-${name}`, hidden: tab !== name } : {};
  return (
    <div className={compact ? 'room-panels room-tabs' : 'room-panels room-side'}>
      {compact && (
        <div className="room-tablist" role="tablist" aria-label={t('chat.panels')} onKeyDown={onKeyDown}>
          {tabButton('chat', t('chat.title'))}
          {tabButton('people', t('people.title'), state.ready ? state.members.length : undefined)}
        </div>
      )}
      <div className="room-panel room-panel-people" {...panel('people')}>
        <PeopleList
          room={room}
          members={state.members}
          memberId={state.memberId}
          ready={state.ready}
          participants={state.participants}
          headingId={`${id}-people`}
          quietHeading={compact}
        />
      </div>
      <div className="room-panel room-panel-chat" {...panel('chat')}>
        <ChatPanel socket={socket} state={state} visible={!compact || tab === 'chat'} headingId={`${id}-chat`} quietHeading={compact} />
      </div>
    </div>
  );
}
