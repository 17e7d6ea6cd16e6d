import { useI18n } from '../../app/services';
import { linkWithKey } from '../../core/share';
import { CopyField } from '../../ui/CopyField';

/**
 * A generated access key, shown this once (Kino keeps only its hash): a warning that says so, the key,
 * and a link that carries it in the fragment. After creating a room and after giving it a new key.
 */
export function KeyShare({ url, accessKey }: { url: string; accessKey: string }) {
  const { t } = useI18n();
  return (
    <div className="share-key">
      <div className="key-warning" role="note">
        <svg className="key-warning-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <path d="M10 2.5 18 17H2z" />
          <path d="M10 8v4M10 14.5v.5" />
        </svg>
        <p>
          <strong>{t('share.keyWarning.title')}</strong> {t('share.keyWarning.body')}
        </p>
      </div>
      <CopyField label={t('share.accessKey')} what={t('share.accessKey.what')} value={accessKey} copiedMessage={t('share.keyCopied')} className="copy-key" />
      <CopyField
        label={t('share.linkWithKey')}
        what={t('share.linkWithKey.what')}
        value={linkWithKey(url, accessKey)}
        copiedMessage={t('share.linkCopied')}
        hint={t('share.linkWithKey.hint')}
      />
    </div>
  );
}
