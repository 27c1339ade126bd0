import type { ReactElement } from 'react';
import type { EndpointsOverview, Profile } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { ScopePicker } from './ScopePicker';

export interface StepWhereProps {
  profiles: readonly Profile[];
  profileId: string;
  region: string;
  vpcId: string | undefined;
  overview: EndpointsOverview | undefined;
  loading: boolean;
  error: AppError | undefined;
  onRetry: () => void;
  onScope: (scope: { profileId: string; region: string }) => void;
  onVpc: (vpcId: string) => void;
}

/** Step 1: which profile, Region and VPC; which VPCs already have their one endpoint, and how many of the Region's five are used. */
export function StepWhere({ profiles, profileId, region, vpcId, overview, loading, error, onRetry, onScope, onVpc }: StepWhereProps): ReactElement {
  const full = overview ? overview.quota.used >= overview.quota.limit : false;
  return (
    <div className="ep-step" data-step="where">
      <p className="ep-step__lead">
        An EC2 Instance Connect Endpoint lets Bastionless reach instances that have only private addresses, with no bastion host and no public IP. It is free; AWS allows one per VPC and
        five per Region. Choose where it goes.
      </p>
      <ScopePicker profiles={profiles} profileId={profileId} region={region} onChange={onScope} />
      {error ? <ErrorNotice error={error} onRetry={onRetry} /> : null}
      {loading && !overview ? <p className="muted">Reading the VPCs and endpoints of {region}…</p> : null}
      {overview ? (
        <>
          <p className={`ep-quota${full ? ' ep-quota--full' : ''}`} data-testid="wizard-quota">
            <meter min={0} max={overview.quota.limit} low={overview.quota.limit - 2} high={overview.quota.limit - 1} optimum={0} value={overview.quota.used} aria-label="Endpoints used in the Region" />
            <span>
              {overview.quota.used} of {overview.quota.limit} endpoints used in {region}
            </span>
          </p>
          {full ? (
            <p className="inline-notice">
              <Icon name="warning" size={14} /> {region} has no room for another endpoint ({overview.endpoints.filter((e) => e.state !== 'delete-complete').map((e) => e.id).join(', ')}). Delete one you no longer need,
              or pick another Region.
            </p>
          ) : null}
          <div className="ep-options" role="radiogroup" aria-label="VPCs">
            {overview.vpcs.length === 0 ? <p className="muted">This Region has no VPC.</p> : null}
            {overview.vpcs.map((v) => {
              const taken = !!v.endpointId;
              return (
                <label key={v.vpcId} className={`ep-option${vpcId === v.vpcId ? ' is-selected' : ''}${taken || full ? ' is-disabled' : ''}`} data-vpc-id={v.vpcId}>
                  <input type="radio" name="wizard-vpc" value={v.vpcId} checked={vpcId === v.vpcId} disabled={taken || full} onChange={() => onVpc(v.vpcId)} />
                  <span className="ep-option__body">
                    <span className="ep-option__title">
                      <strong>{v.name ?? v.vpcId}</strong>
                      {v.name ? <span className="mono muted">{v.vpcId}</span> : null}
                      {v.isDefault ? <span className="badge">default VPC</span> : null}
                    </span>
                    <span className="ep-option__meta">
                      <span className="mono">{v.cidr}</span>
                      <span>
                        {v.instanceCount} instance{v.instanceCount === 1 ? '' : 's'}
                      </span>
                      <span>
                        {v.subnetCount} subnet{v.subnetCount === 1 ? '' : 's'}
                      </span>
                    </span>
                    {taken ? (
                      <span className="ep-option__why">
                        <Icon name="check" size={13} /> Already has its endpoint, <span className="mono">{v.endpointId}</span>
                      </span>
                    ) : null}
                  </span>
                </label>
              );
            })}
          </div>
        </>
      ) : null}
    </div>
  );
}
