import { useState } from 'react';
import { Navigate } from 'react-router-dom';
import { useDocumentTitle, useI18n, useServices, useSession } from '../../app/services';
import type { CreatedRoom } from '../../core/rooms_api';
import { LoadError, Loading } from '../../ui/LoadState';
import { CreateRoomForm } from './CreateRoomForm';
import { SharePanel } from './SharePanel';
import './rooms.css';

export const CREATE_PATH = '/new';

/** `/new`: the create-room form, then the share panel for the room just made. Logged-in people only. */
export function CreateRoomPage() {
  const { t } = useI18n();
  const session = useSession();
  const { session: store } = useServices();
  const [created, setCreated] = useState<CreatedRoom | null>(null);
  useDocumentTitle(created ? t('share.docTitle') : t('create.docTitle'));

  if (session.status === 'anonymous') return <Navigate to={`/login?next=${encodeURIComponent(CREATE_PATH)}`} replace />;
  if (session.status === 'unknown') {
    return session.error ? (
      <LoadError message={t('error.network')} onRetry={() => void store.refresh()} />
    ) : (
      <Loading />
    );
  }
  return (
    <div className="create-page">
      {created ? <SharePanel created={created} onAnother={() => setCreated(null)} /> : <CreateRoomForm onCreated={setCreated} />}
    </div>
  );
}
