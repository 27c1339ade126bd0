import { useId, type ReactElement, type ReactNode } from 'react';

export interface FieldProps {
  label: ReactNode;
  /** Muted words after the label: "(optional)", "(comma separated)". */
  hint?: ReactNode;
  /** A short control (a port number) beside others in a row. */
  narrow?: boolean;
  /** The control (and anything under it), given the id its label points to. */
  children: (id: string) => ReactNode;
}

/** A labelled form control: the label above, tied to the control by a generated id. */
export function Field({ label, hint, narrow, children }: FieldProps): ReactElement {
  const id = useId();
  return (
    <div className={narrow ? 'field field--narrow' : 'field'}>
      <label htmlFor={id}>
        {label}
        {hint ? (
          <>
            {' '}
            <span className="muted">{hint}</span>
          </>
        ) : null}
      </label>
      {children(id)}
    </div>
  );
}
