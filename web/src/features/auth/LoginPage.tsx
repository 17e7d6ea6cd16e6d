import type { FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useAnnounce, useDocumentTitle, useI18n, useServices, useSession } from '../../app/services';
import { safeNextPath } from '../../core/next_path';
import { validateLogin } from '../../core/validation';
import { Button } from '../../ui/Button';
import { PasswordField, UsernameField } from './AccountFields';
import { AuthCard, FormAlert } from './AuthCard';
import { useAuthForm } from './use_auth_form';

const ORDER = ['username', 'password'] as const;

export function LoginPage() {
  const { t } = useI18n();
  const { api, session: store } = useServices();
  const session = useSession();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const rawNext = params.get('next');
  const next = safeNextPath(rawNext);
  const form = useAuthForm(ORDER);
  const { username, password } = form.values;
  useDocumentTitle(t('auth.login.docTitle'));

  if (session.status === 'authenticated' && !form.busy) return <Navigate to={next} replace />;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const name = username.trim();
    void form.submit(validateLogin({ username: name, password }), async () => {
      const user = await api.login({ username: name, password });
      store.signedIn(user);
      announce(t('announce.loggedIn', { name: user.display_name }));
      navigate(next, { replace: true });
    });
  }

  const toRegister = rawNext ? `/register?next=${encodeURIComponent(next)}` : '/register';
  return (
    <AuthCard
      title={t('auth.login.title')}
      lead={t('auth.login.lead')}
      footer={
        <>
          {t('auth.login.noAccount')} <Link to={toRegister}>{t('auth.login.toRegister')}</Link>
        </>
      }
    >
      <form className="auth-form" noValidate onSubmit={onSubmit}>
        <UsernameField {...form.field('username')} />
        <PasswordField purpose="current" {...form.field('password')} />
        <FormAlert message={form.generalError} />
        <Button type="submit" size="lg" className="auth-submit" busy={form.busy}>
          {form.busy ? t('auth.login.submitting') : t('auth.login.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}
