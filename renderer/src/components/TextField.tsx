import type { InputHTMLAttributes, ReactElement, ReactNode } from 'react';
import { Field } from './Field';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> {
  label: ReactNode;
  hint?: ReactNode;
  narrow?: boolean;
  value: string;
  onChange: (value: string) => void;
  /** Suggestions shown as the person types (a <datalist>): value and an optional description. */
  suggestions?: readonly { value: string; label?: string }[];
}

/** A labelled text input (or password, number, search) whose change hands back the new text. */
export function TextField({ label, hint, narrow, value, onChange, suggestions, type = 'text', ...input }: TextFieldProps): ReactElement {
  return (
    <Field label={label} hint={hint} narrow={narrow}>
      {(id) => (
        <>
          <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} list={suggestions ? `${id}-list` : undefined} {...input} />
          {suggestions ? (
            <datalist id={`${id}-list`}>
              {suggestions.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </datalist>
          ) : null}
        </>
      )}
    </Field>
  );
}
