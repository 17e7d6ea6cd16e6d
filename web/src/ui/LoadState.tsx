import { useI18n } from '../app/services';
import { Button } from './Button';

/** A quiet "Loading…" line, announced politely. */
export function Loading({ label, className }: { label?: string; className?: string }) {
  const { t } = useI18n();
  return (
    <p className={['loading', className ?? ''].filter(Boolean).join(' ')} role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('app.loading')}
    </p>
  );
}

/** A failure with the next step: the sentence says what to do, the button retries. */
export function LoadError({ message, onRetry, className }: { message: string; onRetry?: () => void; className?: string }) {
  const { t } = useI18n();
  return (
    <div className={['load-error', className ?? ''].filter(Boolean).join(' ')} role="alert">
      <p>{message}</p>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          {t('app.retry')}
        </Button>
      )}
    </div>
  );
}
