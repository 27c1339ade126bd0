import type { ReactElement, ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export interface EmptyStateProps {
  icon: IconName;
  title: string;
  children: ReactNode;
  /** The first thing to do, as buttons or steps. */
  actions?: ReactNode;
}

/** What a view shows before it has anything: what it is for and what to do first. */
export function EmptyState({ icon, title, children, actions }: EmptyStateProps): ReactElement {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-state__icon">
        <Icon name={icon} size={40} />
      </div>
      <h2>{title}</h2>
      <div className="empty-state__body">{children}</div>
      {actions ? <div className="empty-state__actions">{actions}</div> : null}
    </section>
  );
}
