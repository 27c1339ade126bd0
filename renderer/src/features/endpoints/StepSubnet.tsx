import type { ReactElement } from 'react';
import type { SubnetOptions } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SubnetChoices } from './SubnetChoices';

/** Step 2: the subnet, with why one endpoint is enough for the VPC and why its AZ matters. */
export function StepSubnet({ options, loading, error, onRetry, subnetId, onSubnet }: { options: SubnetOptions | undefined; loading: boolean; error: AppError | undefined; onRetry: () => void; subnetId: string | undefined; onSubnet: (id: string) => void }): ReactElement {
  return (
    <div className="ep-step" data-step="subnet">
      <p className="ep-step__lead">
        One endpoint serves every subnet of the VPC, so you only choose where it lives. It lives in one Availability Zone: if that AZ has trouble, the whole VPC is unreachable through it
        until you move it (the Endpoints view can). Putting it where most of your instances run keeps their traffic inside one AZ, which AWS does not bill as cross-AZ transfer. A private
        subnet is fine: the endpoint needs no internet route.
      </p>
      {error ? <ErrorNotice error={error} onRetry={onRetry} /> : null}
      {loading && !options ? <p className="muted">Reading the subnets, their route tables and the AZs’ health…</p> : null}
      {options ? (
        <>
          {options.instancesByZone.length > 0 ? (
            <p className="muted" data-testid="instances-by-zone">
              Instances of {options.vpc.name ?? options.vpc.vpcId}: {options.instancesByZone.map((z) => `${z.count} in ${z.availabilityZone}`).join(', ')}.
            </p>
          ) : null}
          <SubnetChoices name="wizard-subnet" subnets={options.subnets} selected={subnetId} recommended={options.recommended} onSelect={onSubnet} />
        </>
      ) : null}
    </div>
  );
}
