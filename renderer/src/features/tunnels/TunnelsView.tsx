import type { ReactElement } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { workspace } from '../../shell/workspaceStore';

/** Every open tunnel: SSH sessions, RDP listeners and port forwards. */
export function TunnelsView(): ReactElement {
  return (
    <div className="view" aria-labelledby="tunnels-title">
      <header className="view__header">
        <h1 id="tunnels-title">Tunnels</h1>
      </header>
      <EmptyState
        icon="tunnel"
        title="No open tunnels"
        actions={
          <button type="button" className="btn" onClick={() => workspace.showView('hosts')}>
            Go to Hosts
          </button>
        }
      >
        <p>
          Each SSH tab, RDP connection and port forward runs over its own tunnel through an endpoint. An endpoint allows 20 at
          a time, and each lasts at most an hour; this view shows them all, with the time they have left.
        </p>
      </EmptyState>
    </div>
  );
}
