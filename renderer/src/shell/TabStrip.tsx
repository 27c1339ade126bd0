import { useState, type DragEvent, type KeyboardEvent, type ReactElement } from 'react';
import { Icon, type IconName } from '../components/Icon';
import { VIEWS, WORKSPACE_TAB, displayTitle, workspace, useWorkspace, type SessionTab, type TabKind, type TabStatus } from './workspaceStore';

const STATUS_LABEL: Record<TabStatus, string> = {
  connecting: 'Connecting',
  live: 'Connected',
  closed: 'Closed',
  failed: 'Failed',
};

const KIND_ICON: Record<TabKind, IconName> = { ssh: 'terminal', rdp: 'display' };

/** The drag payload type: only our own tabs can be dropped on the strip. */
const TAB_DRAG_TYPE = 'application/x-bastionless-tab';

/**
 * The workspace tab (the current sidebar view) followed by one tab per session. Arrow keys move
 * between tabs (WAI-ARIA tabs pattern); Ctrl+Tab / Ctrl+Shift+Tab cycle from anywhere and
 * Ctrl+Shift+PageUp/PageDown move the active tab. Session tabs can be dragged to reorder,
 * renamed by double-clicking their title, and closed with their button or a middle click.
 */
export function TabStrip(): ReactElement {
  const { view, tabs, active } = useWorkspace();
  const viewLabel = VIEWS.find((v) => v.id === view)?.label ?? 'Home';
  const [renaming, setRenaming] = useState<string | undefined>();
  const [dropAt, setDropAt] = useState<number | undefined>();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (renaming) return;
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    workspace.cycle(e.key === 'ArrowRight' ? 1 : -1);
    requestAnimationFrame(() => {
      (document.querySelector('.tabstrip [role="tab"][aria-selected="true"]') as HTMLElement | null)?.focus();
    });
  };

  const onDragOver = (index: number) => (e: DragEvent<HTMLDivElement>): void => {
    if (!e.dataTransfer.types.includes(TAB_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    const box = e.currentTarget.getBoundingClientRect();
    setDropAt(e.clientX < box.left + box.width / 2 ? index : index + 1);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    const id = e.dataTransfer.getData(TAB_DRAG_TYPE);
    e.preventDefault();
    if (id && dropAt !== undefined) {
      const from = tabs.findIndex((t) => t.id === id);
      workspace.moveTab(id, from >= 0 && from < dropAt ? dropAt - 1 : dropAt);
    }
    setDropAt(undefined);
  };

  return (
    <div className="tabstrip" role="tablist" aria-label="Sessions" onKeyDown={onKeyDown} onDragLeave={() => setDropAt(undefined)}>
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
      {tabs.map((tab, index) => (
        <div
          key={tab.id}
          className={`tab tab--session${tab.id === active ? ' is-active' : ''}${dropAt === index ? ' is-drop-before' : ''}${dropAt === index + 1 && index === tabs.length - 1 ? ' is-drop-after' : ''}`}
          draggable={renaming !== tab.id}
          onDragStart={(e) => {
            e.dataTransfer.setData(TAB_DRAG_TYPE, tab.id);
            e.dataTransfer.effectAllowed = 'move';
          }}
          onDragOver={onDragOver(index)}
          onDrop={onDrop}
          onDragEnd={() => setDropAt(undefined)}
          onAuxClick={(e) => {
            if (e.button === 1) workspace.requestClose(tab.id);
          }}
          data-testid={`tab-${tab.id}`}
        >
          {renaming === tab.id ? (
            <RenameField tab={tab} onDone={() => setRenaming(undefined)} />
          ) : (
            <button
              type="button"
              role="tab"
              id={`tab-${tab.id}`}
              aria-selected={tab.id === active}
              aria-controls={`panel-${tab.id}`}
              tabIndex={tab.id === active ? 0 : -1}
              className="tab__main"
              title={tab.detail ? `${displayTitle(tab)}: ${tab.detail}\nDouble-click to rename` : 'Double-click to rename'}
              onClick={() => workspace.activate(tab.id)}
              onDoubleClick={() => setRenaming(tab.id)}
              onKeyDown={(e) => {
                if (e.key === 'F2') {
                  e.preventDefault();
                  setRenaming(tab.id);
                }
              }}
            >
              <span className={`status-dot status-dot--${tab.status}`} title={STATUS_LABEL[tab.status]} />
              <Icon name={KIND_ICON[tab.kind]} size={15} />
              <span className="tab__title">{displayTitle(tab)}</span>
              {tab.badge ? <span className={`tab__badge tab__badge--${tab.badge.tone}`}>{tab.badge.text}</span> : null}
            </button>
          )}
          <button type="button" className="icon-btn icon-btn--small" aria-label={`Close ${displayTitle(tab)}`} onClick={() => workspace.requestClose(tab.id)}>
            <Icon name="close" size={13} />
          </button>
        </div>
      ))}
      {tabs.length === 0 ? <span className="tabstrip__hint">Double-click a host to open a session here</span> : null}
    </div>
  );
}

/** The inline editor for a tab's name: Enter keeps it, Escape cancels, empty goes back to the default. */
function RenameField({ tab, onDone }: { tab: SessionTab; onDone: () => void }): ReactElement {
  const [value, setValue] = useState(displayTitle(tab));
  return (
    <input
      className="tab__rename"
      aria-label={`Rename ${displayTitle(tab)}`}
      value={value}
      maxLength={80}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => {
        workspace.rename(tab.id, value === tab.title ? '' : value);
        onDone();
      }}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') {
          workspace.rename(tab.id, value === tab.title ? '' : value);
          onDone();
        } else if (e.key === 'Escape') {
          onDone();
        }
      }}
    />
  );
}
