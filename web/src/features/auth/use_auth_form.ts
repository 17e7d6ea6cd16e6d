import { useState } from 'react';
import type { AuthField } from '../../core/validation';
import { useForm } from '../../ui/use_form';

const EMPTY: Record<AuthField, string> = { username: '', display_name: '', password: '' };

/**
 * The account forms: the shared form state over the account fields, plus the text typed into each.
 * `field(name)` wires one input component: the ref that lets the form focus it, its value, its error
 * text, and an onChange that stores the text and clears that field's error.
 */
export function useAuthForm<F extends AuthField>(order: readonly F[]) {
  const form = useForm(order);
  const [values, setValues] = useState(EMPTY);
  return {
    ...form,
    values,
    field: (name: F) => ({
      ref: form.bind(name),
      value: values[name],
      error: form.fieldError(name),
      onChange: (value: string) => {
        setValues((v) => ({ ...v, [name]: value }));
        form.clearField(name);
      },
    }),
  };
}
