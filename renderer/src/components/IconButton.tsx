import type { ReactElement } from 'react';
import { Icon, type IconName } from './Icon';

export interface IconButtonProps {
  icon: IconName;
  /** What it does, for screen readers (and the tooltip unless `title` says more). */
  label: string;
  title?: string;
  onClick: () => void;
  disabled?: boolean;
  /** `danger` turns it red on hover: it removes or stops something. */
  tone?: 'danger';
}

/** A small button that shows only an icon; its name and tooltip say what it does. */
export function IconButton({ icon, label, title, onClick, disabled, tone }: IconButtonProps): ReactElement {
  return (
    <button type="button" className={tone ? `icon-btn icon-btn--${tone}` : 'icon-btn'} aria-label={label} title={title ?? label} onClick={onClick} disabled={disabled}>
      <Icon name={icon} size={15} />
    </button>
  );
}
