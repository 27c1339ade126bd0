import type { KeyboardEvent, ReactElement } from 'react';
import { Icon } from '../components/Icon';
import { VIEWS, WORKSPACE_TAB, workspace, useWorkspace, type TabStatus } from './workspaceStore';

const STATUS_LABEL: Record<TabStatus, string> = {
  connecting: 'Connecting',
  live: 'Connected',
  closed: 'Closed',
  failed: 'Failed',
};

/**
 * The workspace tab (the current sidebar view) followed by one tab per session. Arrow keys move
 * between tabs (WAI-ARIA tabs pattern); Ctrl+Tab / Ctrl+Shift+Tab cycle from anywhere.
 */
export function TabStrip(): ReactElement {
  const { view, tabs, active } = useWorkspace();
  const viewLabel = VIEWS.find((v) => v.id === view)?.label ?? 'Home';

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    workspace.cycle(e.key === 'ArrowRight' ? 1 : -1);
    requestAnimationFrame(() => {
      (document.querySelector('.tabstrip [role="tab"][aria-selected="true"]') as HTMLElement | null)?.focus();
    });
  };

  return (
    <div className="tabstrip" role="tablist" aria-label="Sessions" onKeyDown={onKeyDown}>
      <button
        type="button"
        role="tab"
        id={`tab-${WORKSPACE_TAB}`}
        aria-selected={active === WORKSPACE_TAB}
        aria-controls="panel-workspace"
        tabIndex={active === WORKSPACE_TAB ? 0 : -1}
        className="tab tab--workspace"
        onClick={() => workspace.activate(WORKSPACE_TAB)}
      >
        <Icon name={VIEWS.find((v) => v.id === view)?.icon ?? 'server'} size={15} />
        <span className="tab__title">{viewLabel}</span>
      </button>
      {tabs.map((tab) => (
        <div key={tab.id} className={`tab tab--session${tab.id === active ? ' is-active' : ''}`}>
          <button
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={tab.id === active}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === active ? 0 : -1}
            className="tab__main"
            onClick={() => workspace.activate(tab.id)}
          >
            <span className={`status-dot status-dot--${tab.status}`} title={STATUS_LABEL[tab.status]} />
            <Icon name="terminal" size={15} />
            <span className="tab__title">{tab.title}</span>
          </button>
          <button type="button" className="tab__close" aria-label={`Close ${tab.title}`} onClick={() => workspace.closeTab(tab.id)}>
            <Icon name="close" size={13} />
          </button>
        </div>
      ))}
      {tabs.length === 0 ? <span className="tabstrip__hint">Double-click a host to open a session here</span> : null}
    </div>
  );
}
