import type { ReactElement } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { workspace } from '../../shell/workspaceStore';

/** EC2 Instance Connect Endpoints per profile and Region. */
export function EndpointsView(): ReactElement {
  return (
    <div className="view" aria-labelledby="endpoints-title">
      <header className="view__header">
        <h1 id="endpoints-title">Endpoints</h1>
      </header>
      <EmptyState
        icon="endpoint"
        title="No endpoints to show"
        actions={
          <button type="button" className="btn btn--primary" onClick={() => workspace.showView('profiles')}>
            Add an AWS profile first
          </button>
        }
      >
        <p>
          An EC2 Instance Connect Endpoint lets you reach instances that have only private addresses: no bastion host and no
          public IPv4 (which costs $3.65 a month each). One endpoint serves a whole VPC; each Region allows five.
        </p>
        <p>Once a profile is added, this view lists your endpoints and sets up new ones step by step.</p>
      </EmptyState>
    </div>
  );
}
