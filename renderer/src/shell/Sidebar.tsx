import type { ReactElement } from 'react';
import { Icon } from '../components/Icon';
import { VIEWS, WORKSPACE_TAB, workspace, useWorkspace } from './workspaceStore';

/** The left navigation: one button per view, Ctrl+1..4 to jump. */
export function Sidebar(): ReactElement {
  const { view, active } = useWorkspace();
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar__brand">
        <Icon name="shield" size={22} />
        <span>Bastionless</span>
      </div>
      <ul className="sidebar__list">
        {VIEWS.map((v) => {
          const current = v.id === view && active === WORKSPACE_TAB;
          return (
            <li key={v.id}>
              <button
                type="button"
                className={`sidebar__item${current ? ' is-current' : ''}`}
                aria-current={current ? 'page' : undefined}
                onClick={() => workspace.showView(v.id)}
                title={`${v.label} (Ctrl+${v.shortcut})`}
              >
                <Icon name={v.icon} />
                <span>{v.label}</span>
                <kbd>{v.shortcut}</kbd>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
