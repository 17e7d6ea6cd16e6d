import { useEffect } from 'react';
import { useAnnouncement, useI18n, useServices } from '../app/services';

const ALERT_MS = 8000;

/**
 * The page's announcements: a visually hidden polite status region, and a visible toast (role="alert")
 * for problems. Both regions are always in the DOM so screen readers notice when their text changes.
 */
export function LiveRegion() {
  const current = useAnnouncement();
  const { announcer } = useServices();
  const { t } = useI18n();
  const alert = current?.tone === 'alert' ? current : null;

  useEffect(() => {
    if (!alert) return;
    const timer = window.setTimeout(() => announcer.dismiss(alert.id), ALERT_MS);
    return () => window.clearTimeout(timer);
  }, [alert, announcer]);

  return (
    <>
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {current?.tone === 'polite' ? current.text : ''}
      </div>
      <div className="toast-region" role="alert" aria-atomic="true">
        {alert && (
          <div className="toast" key={alert.id}>
            <span>{alert.text}</span>
            <button type="button" className="toast-close" onClick={() => announcer.dismiss(alert.id)}>
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">{t('app.dismiss')}</span>
            </button>
          </div>
        )}
      </div>
    </>
  );
}
