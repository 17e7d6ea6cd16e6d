import type { ReactNode } from 'react';

/** A friendly "nothing here yet" block with an icon, a title and one sentence of what to do. */
export function HomeEmptyState({ icon, title, body, action }: { icon: ReactNode; title: string; body: string; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <div>
        <p className="empty-title">{title}</p>
        <p className="empty-body">{body}</p>
        {action}
      </div>
    </div>
  );
}

export function LiveIcon() {
  return (
    <svg viewBox="0 0 24 24" focusable="false">
      <rect x="3" y="5" width="18" height="12" rx="2" />
      <path d="M8 21h8M12 17v4" />
      <path d="M10.5 8.5v5l4-2.5z" className="fill" />
    </svg>
  );
}

export function CalendarIcon() {
  return (
    <svg viewBox="0 0 24 24" focusable="false">
      <rect x="3.5" y="5" width="17" height="15" rx="2" />
      <path d="M3.5 10h17M8 3v4M16 3v4M12 13.5V16l1.8 1.2" />
    </svg>
  );
}
