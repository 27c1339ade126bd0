import type { ReactElement } from 'react';
import { getApi } from '../api';
import { useAsync } from '../api/useAsync';
import { useWorkspace } from './workspaceStore';

/** The bottom line: live sessions, and what build and data folder this is. */
export function StatusBar(): ReactElement {
  const info = useAsync(() => getApi().app.info(), []);
  const { tabs } = useWorkspace();
  const live = tabs.filter((t) => t.status === 'live').length;
  return (
    <footer className="statusbar" aria-label="Status">
      <span className="statusbar__item" data-testid="status-sessions">
        <span className={`status-dot status-dot--${live > 0 ? 'live' : 'closed'}`} />
        {live === 0 ? 'No live sessions' : `${live} live session${live === 1 ? '' : 's'}`}
      </span>
      <span className="statusbar__spacer" />
      {info.error ? <span className="statusbar__item statusbar__item--error">{info.error.message}</span> : null}
      {info.data ? (
        <>
          {info.data.isHarness ? <span className="statusbar__item statusbar__badge">Demo harness</span> : null}
          <span className="statusbar__item" title={`Data folder: ${info.data.dataDir}`} data-testid="status-version">
            Bastionless {info.data.version} · {info.data.platform}
          </span>
        </>
      ) : null}
    </footer>
  );
}
