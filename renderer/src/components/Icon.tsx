import type { ReactElement } from 'react';

const PATHS = {
  server: 'M4 5h16v5H4zM4 14h16v5H4zM7 7.5h.01M7 16.5h.01',
  endpoint: 'M12 3v6M8 9h8l-1 5H9zM12 14v7M9 21h6',
  profile: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 3.6-6 8-6s8 2 8 6',
  tunnel: 'M3 12h6M15 12h6M9 8l-4 4 4 4M15 8l4 4-4 4',
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3M12 15h5',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4',
  warning: 'M12 3l9 16H3zM12 9v5M12 17h.01',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7.5h.01',
  error: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9 9l6 6M15 9l-6 6',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z',
  chevron: 'M9 6l6 6-6 6',
  key: 'M15 8a4 4 0 1 1-3.5 6H9v2H7v2H4v-3l6.5-6.5A4 4 0 0 1 15 8zM16 8h.01',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  folder: 'M3 6h6l2 2h10v11H3z',
  upload: 'M12 16V4M7 9l5-5 5 5M4 20h16',
  download: 'M12 4v12M7 11l5 5 5-5M4 20h16',
  display: 'M3 4h18v12H3zM8 20h8M12 16v4',
  edit: 'M4 20h4L18.5 9.5a2.1 2.1 0 0 0-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  pulse: 'M3 12h4l3-7 4 14 3-7h4',
  config: 'M6 3h9l4 4v14H6zM14 3v5h5M10.5 12.5 8.5 15l2 2.5M13.5 12.5l2 2.5-2 2.5',
  bookmark: 'M6 4h12v17l-6-4-6 4z',
} as const;

export type IconName = keyof typeof PATHS;

/** A 24px stroke icon. Decorative unless `label` is given. */
export function Icon({ name, size = 18, label }: { name: IconName; size?: number; label?: string }): ReactElement {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      data-icon={name}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
