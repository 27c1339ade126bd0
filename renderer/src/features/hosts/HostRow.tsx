import type { KeyboardEvent, ReactElement, ReactNode } from 'react';

export type HostRowProps = {
  /** What the row is, for screen readers: "web-1, running, Amazon Linux 2023". */
  description: string;
  onConnect: () => void;
  children: ReactNode;
} & { [data: `data-${string}`]: string };

/**
 * A saved host's or a discovered instance's row: focusable, and Enter or a double-click
 * connects (Enter on one of its buttons is the button's own).
 */
export function HostRow({ description, onConnect, children, ...data }: HostRowProps): ReactElement {
  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>): void => {
    if (e.key === 'Enter' && e.target === e.currentTarget) {
      e.preventDefault();
      onConnect();
    }
  };
  return (
    <tr tabIndex={0} className="instance-row" aria-label={`${description}. Press Enter to connect.`} onDoubleClick={onConnect} onKeyDown={onKeyDown} {...data}>
      {children}
    </tr>
  );
}
