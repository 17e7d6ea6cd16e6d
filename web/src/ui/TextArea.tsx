import { forwardRef, type TextareaHTMLAttributes } from 'react';
import { useFieldFrame } from './use_field_frame';

export interface TextAreaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: string;
  hint?: string;
  error?: string | undefined;
}

/** A labelled multi-line input; the same hint/error behaviour as TextField. */
export const TextArea = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextArea({ label, hint, error, className, ...input }, ref) {
  const { control, frame } = useFieldFrame({ label, hint, error, className });
  return frame(<textarea {...input} ref={ref} {...control('field-input field-textarea')} />);
});
