import type { ReactElement } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { workspace } from '../../shell/workspaceStore';

/** Saved and discovered hosts. Before any profile exists, it says how to get started. */
export function HostsView(): ReactElement {
  return (
    <div className="view" aria-labelledby="hosts-title">
      <header className="view__header">
        <h1 id="hosts-title">Hosts</h1>
      </header>
      <EmptyState
        icon="server"
        title="No hosts yet"
        actions={
          <button type="button" className="btn btn--primary" onClick={() => workspace.showView('profiles')}>
            Add an AWS profile
          </button>
        }
      >
        <ol className="steps">
          <li>
            <strong>Add an AWS profile</strong>: one from your <code>~/.aws</code> config, or keys kept in your OS keychain.
          </li>
          <li>
            <strong>Discover instances</strong>: Bastionless lists the EC2 instances in your Regions, with or without a public IP.
          </li>
          <li>
            <strong>Double-click one</strong> to open a terminal through its EC2 Instance Connect Endpoint, or RDP for Windows.
          </li>
        </ol>
      </EmptyState>
    </div>
  );
}
