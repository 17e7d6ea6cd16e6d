import type { FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useAnnounce, useDocumentTitle, useI18n, useServices, useSession } from '../../app/services';
import { safeNextPath } from '../../core/next_path';
import { validateRegistration } from '../../core/validation';
import { Button } from '../../ui/Button';
import { DisplayNameField, PasswordField, UsernameField } from './AccountFields';
import { AuthCard, FormAlert } from './AuthCard';
import { useAuthForm } from './use_auth_form';

const ORDER = ['username', 'display_name', 'password'] as const;

export function RegisterPage() {
  const { t } = useI18n();
  const { api, session: store } = useServices();
  const session = useSession();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const rawNext = params.get('next');
  const next = safeNextPath(rawNext);
  const form = useAuthForm(ORDER);
  const { username, password, display_name: displayName } = form.values;
  useDocumentTitle(t('auth.register.docTitle'));

  if (session.status === 'authenticated' && !form.busy) return <Navigate to={next} replace />;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const values = { username: username.trim(), password, display_name: displayName.trim() };
    void form.submit(validateRegistration(values), async () => {
      const user = await api.register(values);
      store.signedIn(user);
      announce(t('announce.registered', { name: user.display_name }));
      navigate(next, { replace: true });
    });
  }

  const toLogin = rawNext ? `/login?next=${encodeURIComponent(next)}` : '/login';
  return (
    <AuthCard
      title={t('auth.register.title')}
      lead={t('auth.register.lead')}
      footer={
        <>
          {t('auth.register.haveAccount')} <Link to={toLogin}>{t('auth.register.toLogin')}</Link>
        </>
      }
    >
      <form className="auth-form" noValidate onSubmit={onSubmit}>
        <UsernameField withRules {...form.field('username')} />
        <DisplayNameField {...form.field('display_name')} />
        <PasswordField purpose="new" {...form.field('password')} />
        <FormAlert message={form.generalError} />
        <Button type="submit" size="lg" className="auth-submit" busy={form.busy}>
          {form.busy ? t('auth.register.submitting') : t('auth.register.submit')}
        </Button>
      </form>
    </AuthCard>
  );
}
