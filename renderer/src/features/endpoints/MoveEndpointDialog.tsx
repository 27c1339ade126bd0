import { useState, type ReactElement } from 'react';
import type { EndpointRow } from '../../../../preload/contract';
import { getApi } from '../../api';
import { useAsync } from '../../api/useAsync';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { endpointsStore } from './endpointsStore';
import { SubnetChoices } from './SubnetChoices';

/** "Move to another AZ": picks a subnet in another AZ (healthy ones first), explains the downtime, and starts the move. */
export function MoveEndpointDialog({ endpoint, scope, onClose }: { endpoint: EndpointRow; scope: { profileId: string; region: string }; onClose: () => void }): ReactElement {
  const options = useAsync(() => getApi().endpoints.moveOptions({ ...scope, endpointId: endpoint.id }), [scope.profileId, scope.region, endpoint.id]);
  const [picked, setPicked] = useState<string | undefined>();
  const subnetId = picked ?? options.data?.recommended?.subnetId;
  return (
    <ConfirmDialog
      title={`Move ${endpoint.id} to another AZ`}
      description={`It is in ${endpoint.availabilityZone ?? 'one AZ'} (${endpoint.availabilityZoneState}). Pick a subnet of ${endpoint.vpcId} in another Availability Zone.`}
      wide
      confirmLabel="Delete and re-create in the new AZ"
      busyLabel="Starting…"
      disabled={!subnetId}
      onConfirm={async () => {
        if (subnetId) endpointsStore.noteOperation(await getApi().endpoints.move({ ...scope, endpointId: endpoint.id, subnetId }));
      }}
      onClose={onClose}
    >
      {options.error ? <ErrorNotice error={options.error} onRetry={options.reload} /> : null}
      {options.loading && !options.data ? <p className="muted">Reading the VPC’s subnets and the AZs’ health…</p> : null}
      {options.data ? (
        <>
          {options.data.candidates.length === 0 ? (
            <p className="inline-notice">The VPC has no subnet in another Availability Zone. Create one (VPC console), then try again.</p>
          ) : (
            <SubnetChoices name="move-subnet" subnets={options.data.candidates} selected={subnetId} recommended={options.data.recommended} onSelect={setPicked} />
          )}
          <p className="move-downtime" data-testid="move-downtime">
            {options.data.downtime}
          </p>
        </>
      ) : null}
    </ConfirmDialog>
  );
}
