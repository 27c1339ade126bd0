import type { ReactElement } from 'react';
import { getApi } from '../api';
import { useAsync } from '../api/useAsync';
import { useTunnels } from '../features/tunnels/tunnelsStore';
import { liveSummary } from './liveSummary';
import { useWorkspace, workspace } from './workspaceStore';

/** The bottom line: what runs through endpoints (a click shows it in Tunnels), and what build and data folder this is. */
export function StatusBar(): ReactElement {
  const info = useAsync(() => getApi().app.info(), []);
  const { tabs } = useWorkspace();
  const tunnels = useTunnels();
  const summary = liveSummary(tunnels.loaded && !tunnels.error ? tunnels.tunnels : undefined, tabs.filter((t) => t.status === 'live').length);
  return (
    <footer className="statusbar" aria-label="Status">
      <button type="button" className="statusbar__item statusbar__link" data-testid="status-sessions" title={summary.detail} onClick={() => workspace.showView('tunnels')}>
        <span className={`status-dot status-dot--${summary.live ? 'live' : 'closed'}`} />
        {summary.text}
      </button>
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
