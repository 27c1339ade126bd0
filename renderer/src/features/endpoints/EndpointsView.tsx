import { useEffect, useState, type ReactElement } from 'react';
import type { EndpointRow, Profile } from '../../../../preload/contract';
import { AppError } from '../../api';
import { ACTIONS_COLUMN, DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { RowActions } from '../../components/RowActions';
import { View } from '../../components/View';
import { workspace } from '../../shell/workspaceStore';
import { useProfiles } from '../profiles/profilesStore';
import { DeleteEndpointDialog } from './DeleteEndpointDialog';
import { EndpointCard } from './EndpointCard';
import { endpointsStore, useEndpoints } from './endpointsStore';
import { formatWhen } from './format';
import { MoveEndpointDialog } from './MoveEndpointDialog';
import { OpenPathPanel } from './OpenPathPanel';
import { OperationCard } from './OperationCard';
import { ScopePicker } from './ScopePicker';
import { SetupWizard } from './SetupWizard';

/** The profile (and its Region) the view starts with: the default profile, else the first. */
function defaultScope(profiles: readonly Profile[]): { profileId: string; region: string } | undefined {
  const p = profiles.find((x) => x.isDefault && x.problems.length === 0) ?? profiles.find((x) => x.problems.length === 0) ?? profiles[0];
  return p ? { profileId: p.id, region: p.region ?? 'us-east-1' } : undefined;
}

/**
 * EC2 Instance Connect Endpoints per profile and Region: each endpoint's state, AZ and its
 * health, groups, DNS names, connections in use out of 20, and the saved hosts that depend on
 * it; the Region's quota; every VPC without one, with "Set up endpoint"; the operations in
 * progress (create, delete, move), which live in main and survive a reload.
 */
export function EndpointsView(): ReactElement {
  const { profiles } = useProfiles();
  const state = useEndpoints();
  const [deleting, setDeleting] = useState<EndpointRow | undefined>();
  const [moving, setMoving] = useState<EndpointRow | undefined>();

  useEffect(() => {
    if (state.scope || !profiles) return;
    const scope = defaultScope(profiles);
    if (scope) endpointsStore.setScope(scope);
  }, [profiles, state.scope]);

  const scope = state.scope;
  const overview = state.overview && scope && state.overview.profileId === scope.profileId && state.overview.region === scope.region ? state.overview : undefined;
  const unfinished = state.operations.filter((o) => o.status === 'running' || o.status === 'interrupted');
  const finished = state.operations.filter((o) => o.status !== 'running' && o.status !== 'interrupted' && scope && o.profileId === scope.profileId && o.region === scope.region);
  const busyEndpoints = new Set(unfinished.flatMap((o) => [o.endpointId, o.previousEndpointId]).filter((x): x is string => !!x));
  const busyVpcs = new Set(unfinished.map((o) => o.vpcId));

  if (profiles && profiles.length === 0) {
    return (
      <View title="Endpoints">
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
            An EC2 Instance Connect Endpoint lets you reach instances that have only private addresses: no bastion host and no public IPv4 (which costs $3.65 a month each). One endpoint
            serves a whole VPC; each Region allows five.
          </p>
          <p>Once a profile is added, this view lists your endpoints and sets up new ones step by step.</p>
        </EmptyState>
      </View>
    );
  }

  const panel = state.panel;
  return (
    <View
      title="Endpoints"
      className="view--endpoints"
      header={
        panel.kind === 'list' ? (
          <>
            <button type="button" className="btn" disabled={!scope || state.loading} onClick={() => void endpointsStore.refresh()}>
              <Icon name="refresh" size={14} /> {state.loading ? 'Refreshing…' : 'Refresh'}
            </button>
            <button type="button" className="btn btn--primary" disabled={!scope} onClick={() => endpointsStore.showPanel({ kind: 'wizard' })}>
              <Icon name="plus" size={14} /> Set up endpoint
            </button>
          </>
        ) : null
      }
    >
      {panel.kind === 'list' && scope && profiles ? (
        <div className="ep-toolbar">
          <ScopePicker profiles={profiles} profileId={scope.profileId} region={scope.region} onChange={(s) => endpointsStore.setScope(s)} />
          {overview ? (
            <span className={`ep-quota${overview.quota.used >= overview.quota.limit ? ' ep-quota--full' : ''}`} data-testid="region-quota" title="AWS allows five endpoints per Region; the quota cannot be raised">
              <meter min={0} max={overview.quota.limit} low={overview.quota.limit - 2} high={overview.quota.limit - 1} optimum={0} value={overview.quota.used} aria-label="Endpoints used in the Region" />
              {overview.quota.used} of {overview.quota.limit} in {overview.region}
            </span>
          ) : null}
        </div>
      ) : null}

      {panel.kind === 'wizard' && scope && profiles ? (
        <SetupWizard
          key={panel.key}
          profiles={profiles}
          initial={{ ...scope, ...(panel.vpcId ? { vpcId: panel.vpcId } : {}) }}
          onClose={() => {
            endpointsStore.showPanel({ kind: 'list' });
            void endpointsStore.refresh();
          }}
        />
      ) : null}
      {panel.kind === 'openPath' && scope ? (
        <section className="ep-wizard" aria-label="Open the path">
          <header className="ep-wizard__head">
            <h2>Open the path through {panel.endpointId}</h2>
          </header>
          <div className="ep-wizard__body">
            <OpenPathPanel key={panel.key} scope={scope} endpointId={panel.endpointId} onDone={() => endpointsStore.showPanel({ kind: 'list' })} />
          </div>
        </section>
      ) : null}

      {panel.kind === 'list' ? (
        <>
          {unfinished.length > 0 || finished.length > 0 ? (
            <section className="ep-operations" aria-label="Operations">
              {[...unfinished, ...finished].map((op) => (
                <OperationCard key={op.operationId} operation={op} compact={op.status === 'succeeded'} onOpenPath={(endpointId) => endpointsStore.showPanel({ kind: 'openPath', endpointId })} />
              ))}
            </section>
          ) : null}
          {state.error ? <ErrorNotice error={state.error} onRetry={() => void endpointsStore.refresh()} /> : null}
          {!overview && state.loading ? <p className="muted">Reading the endpoints of {scope?.region}…</p> : null}
          {overview ? (
            <>
              {overview.warnings.map((w) => (
                <ErrorNotice key={`${w.code}-${w.message}`} error={AppError.fromJSON(w)} />
              ))}
              <section aria-label="Endpoints" className="ep-list">
                {overview.endpoints.length === 0 ? (
                  <p className="muted ep-none">
                    No EC2 Instance Connect Endpoint in {overview.region} for {overview.profileName} yet. Set one up for a VPC below: it takes a few minutes and costs nothing.
                  </p>
                ) : null}
                {overview.endpoints.map((e) => (
                  <EndpointCard
                    key={e.id}
                    endpoint={e}
                    {...(state.liveConnections[e.id] !== undefined ? { liveConnections: state.liveConnections[e.id] } : {})}
                    busy={busyEndpoints.has(e.id)}
                    onDelete={() => setDeleting(e)}
                    onMove={() => setMoving(e)}
                    onOpenPath={() => endpointsStore.showPanel({ kind: 'openPath', endpointId: e.id })}
                  />
                ))}
              </section>
              <section aria-labelledby="vpcs-without" className="ep-vpcs">
                <h2 id="vpcs-without">VPCs of {overview.region}</h2>
                <DataTable columns={['VPC', 'CIDR', { label: 'Instances', className: 'num' }, 'Endpoint', ACTIONS_COLUMN]}>
                  {overview.vpcs.map((v) => (
                    <tr key={v.vpcId} data-vpc-id={v.vpcId}>
                      <th scope="row">
                        {v.name ?? <span className="mono">{v.vpcId}</span>}
                        {v.name ? <div className="mono muted">{v.vpcId}</div> : null}
                      </th>
                      <td className="mono">{v.cidr}</td>
                      <td className="num">{v.instanceCount}</td>
                      <td>{v.endpointId ? <span className="mono">{v.endpointId}</span> : <span className="muted">none</span>}</td>
                      <RowActions label={`Actions for ${v.name ?? v.vpcId}`}>
                        {!v.endpointId ? (
                          <button
                            type="button"
                            className="btn btn--small"
                            disabled={busyVpcs.has(v.vpcId) || overview.quota.used >= overview.quota.limit}
                            title={overview.quota.used >= overview.quota.limit ? `${overview.region} already has the five endpoints AWS allows.` : 'Create an endpoint for this VPC, step by step'}
                            onClick={() => endpointsStore.showPanel({ kind: 'wizard', vpcId: v.vpcId })}
                          >
                            Set up endpoint
                          </button>
                        ) : null}
                      </RowActions>
                    </tr>
                  ))}
                </DataTable>
                <p className="muted ep-fetched">Read from AWS {formatWhen(overview.fetchedAt)}.</p>
              </section>
            </>
          ) : null}
        </>
      ) : null}
      {deleting && scope ? <DeleteEndpointDialog endpoint={deleting} scope={scope} onClose={() => setDeleting(undefined)} /> : null}
      {moving && scope ? <MoveEndpointDialog endpoint={moving} scope={scope} onClose={() => setMoving(undefined)} /> : null}
    </View>
  );
}
