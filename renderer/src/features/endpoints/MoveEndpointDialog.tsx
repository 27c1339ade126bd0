import { useState, type ReactElement } from 'react';
import type { EndpointRow } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError, useAsync } from '../../api/useAsync';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { endpointsStore } from './endpointsStore';
import { SubnetChoices } from './SubnetChoices';

/** "Move to another AZ": picks a subnet in another AZ (healthy ones first), explains the downtime, and starts the move. */
export function MoveEndpointDialog({ endpoint, scope, onClose }: { endpoint: EndpointRow; scope: { profileId: string; region: string }; onClose: () => void }): ReactElement {
  const options = useAsync(() => getApi().endpoints.moveOptions({ ...scope, endpointId: endpoint.id }), [scope.profileId, scope.region, endpoint.id]);
  const [picked, setPicked] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | undefined>();
  const subnetId = picked ?? options.data?.recommended?.subnetId;
  const move = async (): Promise<void> => {
    if (!subnetId) return;
    setBusy(true);
    setError(undefined);
    try {
      endpointsStore.noteOperation(await getApi().endpoints.move({ ...scope, endpointId: endpoint.id, subnetId }));
      onClose();
    } catch (e) {
      setError(toAppError(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Move ${endpoint.id} to another AZ`} description={`It is in ${endpoint.availabilityZone ?? 'one AZ'} (${endpoint.availabilityZoneState}). Pick a subnet of ${endpoint.vpcId} in another Availability Zone.`} onClose={onClose} wide>
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
      {error ? <ErrorNotice error={error} /> : null}
      <div className="card__actions form__actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" disabled={busy || !subnetId} onClick={() => void move()}>
          {busy ? 'Starting…' : 'Delete and re-create in the new AZ'}
        </button>
      </div>
    </Dialog>
  );
}
