import { useId, type ReactElement, type ReactNode } from 'react';

export type ViewProps = {
  title: ReactNode;
  /** More classes: `view--wide` for tables, the view's own for its styles. */
  className?: string;
  /** What sits in the header after the title: counts, the filter, the view's buttons. */
  header?: ReactNode;
  children?: ReactNode;
} & { [data: `data-${string}`]: string };

/** A page of the workspace (or a session's panel): its title, the header's controls, then the content. */
export function View({ title, className, header, children, ...data }: ViewProps): ReactElement {
  const titleId = useId();
  return (
    <div className={className ? `view ${className}` : 'view'} aria-labelledby={titleId} {...data}>
      <header className="view__header">
        <h1 id={titleId}>{title}</h1>
        {header}
      </header>
      {children}
    </div>
  );
}
