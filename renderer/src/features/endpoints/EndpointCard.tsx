import type { ReactElement } from 'react';
import type { EndpointRow } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import { formatWhen, stateBadge, stateWords } from './format';

export interface EndpointCardProps {
  endpoint: EndpointRow;
  /** Live tunnels through it (the Tunnels feed), when newer than the list. */
  liveConnections?: number;
  /** An operation of this app is working on it. */
  busy: boolean;
  onDelete: () => void;
  onMove: () => void;
  onOpenPath: () => void;
}

/** One endpoint: state (and AWS's StateMessage), where it lives and how healthy its AZ is, its groups and DNS names, and the connections it carries. */
export function EndpointCard({ endpoint: e, liveConnections, busy, onDelete, onMove, onOpenPath }: EndpointCardProps): ReactElement {
  const gone = e.state === 'delete-complete';
  const connections = liveConnections ?? e.connectionsInUse;
  const azTrouble = !gone && (e.availabilityZoneState === 'impaired' || e.availabilityZoneState === 'unavailable');
  return (
    <article className={`endpoint-card${gone ? ' endpoint-card--gone' : ''}`} aria-label={`Endpoint ${e.id}`} data-endpoint-id={e.id} data-state={e.state}>
      <header className="endpoint-card__head">
        <Icon name="endpoint" size={18} />
        <h3 className="mono">{e.id}</h3>
        <span className={`badge ${stateBadge(e.state)}`} title={e.state}>
          {stateWords(e.state)}
        </span>
        {e.createdByBastionless ? <span className="badge">made by Bastionless</span> : null}
        <span className="endpoint-card__connections" title="Live tunnels this app holds through the endpoint, out of the 20 it allows at once">
          <meter min={0} max={e.connectionLimit} value={connections} low={e.connectionLimit * 0.6} high={e.connectionLimit * 0.85} optimum={0} aria-label="Connections in use" />
          <span>
            {connections} of {e.connectionLimit} connections
          </span>
        </span>
      </header>
      {e.stateMessage ? (
        <p className="endpoint-card__message">
          <Icon name="warning" size={14} /> AWS says: <q>{e.stateMessage}</q>
        </p>
      ) : null}
      {azTrouble ? (
        <p className="endpoint-card__message endpoint-card__message--az">
          <Icon name="warning" size={14} /> {e.availabilityZone} is {e.availabilityZoneState}
          {e.availabilityZoneMessage ? `: ${e.availabilityZoneMessage.replace(/\.\s*$/, '')}` : ''}. One endpoint serves the whole VPC from one AZ, so moving it restores access.
        </p>
      ) : null}
      <dl className="facts">
        <div>
          <dt>VPC</dt>
          <dd>
            <span className="mono">{e.vpcId}</span>
            {e.vpcName ? <span className="muted"> {e.vpcName}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Subnet and AZ</dt>
          <dd>
            <span className="mono">{e.subnetId}</span>
            {e.subnetName ? <span className="muted"> {e.subnetName}</span> : null}
            <br />
            {e.availabilityZone ?? '—'} <span className={`badge badge--az badge--az-${e.availabilityZoneState}`}>{e.availabilityZoneState}</span>
          </dd>
        </div>
        <div>
          <dt>Security groups</dt>
          <dd>
            {e.securityGroups.map((g) => (
              <span key={g.id} className="endpoint-card__group">
                <span className="mono">{g.id}</span>
                {g.name ? <span className="muted"> {g.name}</span> : null}
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt>Client IP</dt>
          <dd>{e.preserveClientIp ? 'Preserved: instances see your public IPv4' : 'Not preserved: instances see the endpoint’s private IP'}</dd>
        </div>
        <div className="facts__wide">
          <dt>DNS names</dt>
          <dd>
            <span className="mono">{e.dnsName ?? '—'}</span>
            {e.fipsDnsName ? (
              <>
                <br />
                <span className="mono">{e.fipsDnsName}</span> <span className="muted">(FIPS)</span>
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatWhen(e.createdAt)}</dd>
        </div>
        <div>
          <dt>Saved hosts using it</dt>
          <dd>{e.dependentHosts.length > 0 ? e.dependentHosts.map((h) => h.label).join(', ') : <span className="muted">none</span>}</dd>
        </div>
      </dl>
      {!gone ? (
        <div className="card__actions">
          <button type="button" className="btn" disabled={busy || !e.usable} onClick={onOpenPath} title="Check which instances the endpoint can reach and add the missing inbound rules">
            Open the path…
          </button>
          <button type="button" className={`btn${azTrouble ? ' btn--primary' : ''}`} disabled={busy || e.state.endsWith('in-progress')} onClick={onMove}>
            Move to another AZ…
          </button>
          <button type="button" className="btn btn--danger" disabled={busy || e.state === 'delete-in-progress'} onClick={onDelete}>
            Delete…
          </button>
          {busy ? <span className="muted">An operation is working on it (see above).</span> : null}
        </div>
      ) : null}
    </article>
  );
}
