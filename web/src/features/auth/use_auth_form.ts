import type { AuthField } from '../../core/validation';
import { useForm } from '../../ui/use_form';

/** The account forms: the shared form state over the account fields. */
export function useAuthForm(order: readonly AuthField[]) {
  return useForm(order);
}
