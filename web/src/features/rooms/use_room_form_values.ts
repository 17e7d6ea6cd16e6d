import { useState } from 'react';
import type { FormState } from '../../ui/use_form';

type TextKeys<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V];

/**
 * A room form's values and the one way to change them, shared by the create and edit forms.
 * `update(key, field, value)` stores the value and clears `field`'s error (`null`: no error belongs to it).
 * `textField(key, field)` wires a text field component (RoomTitleField, StartTimeField, …): the ref that
 * lets the form focus it, the value, the error text, and an onChange that goes through `update`.
 */
export function useRoomFormValues<V extends object, F extends string>(form: FormState<F>, initial: V) {
  const [values, setValues] = useState<V>(initial);

  function update<K extends keyof V>(key: K, field: F | null, value: V[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    if (field) form.clearField(field);
  }

  function textField<K extends TextKeys<V>>(key: K, field: F) {
    return {
      ref: form.bind(field),
      value: values[key] as string,
      error: form.fieldError(field),
      onChange: (value: string) => update(key, field, value as V[K]),
    };
  }

  return { values, update, textField };
}
