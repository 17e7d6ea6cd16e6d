import { useEffect, useState } from 'react';
import { useAnnounce, useI18n } from '../../app/services';
import { Button } from '../../ui/Button';
import { copyText } from '../../ui/clipboard';

/** How long the button says "Copied" before it reads "Share" again. */
export const SHARE_COPIED_MS = 2000;

export interface ShareButtonProps {
  url: string;
  /** Copies `text`, resolving whether it worked; the clipboard by default (a fake in tests). */
  copy?: (text: string) => Promise<boolean>;
}

/**
 * The room header's "Share": copies the room's link; the button then reads "Copied" with a tick for
 * `SHARE_COPIED_MS` and "Link copied." is announced (the page's role="status" region). A failed copy
 * shows the link in an alert instead.
 */
export function ShareButton({ url, copy = copyText }: ShareButtonProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), SHARE_COPIED_MS);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function share() {
    if (await copy(url)) {
      setCopied(true);
      announce(t('share.linkCopied'));
    } else {
      announce(t('share.copyFailedUrl', { url }), 'alert');
    }
  }

  return (
    <Button variant="secondary" className={copied ? 'share-button-done' : undefined} onClick={share}>
      <svg className="btn-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        {copied ? (
          <path d="M4 10.5l4 4 8-9" />
        ) : (
          <path d="M8.5 11.5a3.5 3.5 0 0 0 5 0l2.5-2.5a3.5 3.5 0 0 0-5-5l-1 1M11.5 8.5a3.5 3.5 0 0 0-5 0L4 11a3.5 3.5 0 0 0 5 5l1-1" />
        )}
      </svg>
      {copied ? t('share.copied') : t('room.share')}
    </Button>
  );
}
