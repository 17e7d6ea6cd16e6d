import { useEffect, useId, useRef } from 'react';
import { useI18n } from '../../../app/services';
import type { MessageKey } from '../../../core/i18n';

const ROWS: [keys: (MessageKey | string)[], what: MessageKey][] = [
  [['player.key.space'], 'player.key.playPause'],
  [['player.key.left'], 'player.key.back'],
  [['player.key.right'], 'player.key.forward'],
  [['M'], 'player.key.mute'],
  [['F'], 'player.key.fullscreen'],
  [['?'], 'player.key.help'],
];

/** The list of shortcuts, as a modal dialog (Escape or Close shut it; focus goes back). */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<Element | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement;
      d.showModal();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const closed = () => {
      onClose();
      if (returnTo.current instanceof HTMLElement) returnTo.current.focus();
    };
    d.addEventListener('close', closed);
    return () => d.removeEventListener('close', closed);
  }, [onClose]);

  const label = (k: string) => (k.startsWith('player.') ? t(k as MessageKey) : k);
  return (
    <dialog ref={ref} className="shortcuts" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="shortcuts-title">
        {t('player.shortcuts')}
      </h2>
      <dl className="shortcuts-list">
        {ROWS.map(([keys, what]) => (
          <div key={what} className="shortcuts-row">
            <dt>
              {keys.map((k) => (
                <kbd key={k}>{label(k)}</kbd>
              ))}
            </dt>
            <dd>{t(what)}</dd>
          </div>
        ))}
      </dl>
      <p className="shortcuts-note">{t('player.shortcuts.note')}</p>
      <form method="dialog">
        <button type="submit" className="btn btn-secondary">
          {t('player.shortcuts.close')}
        </button>
      </form>
    </dialog>
  );
}
