import type { ReactElement } from 'react';
import type { EndpointRow } from '../../../../preload/contract';
import { getApi } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { endpointsStore } from './endpointsStore';
import { plural } from '../hosts/format';

/** Asks before deleting an endpoint, naming the saved hosts that connect through it and the tunnels that will drop. */
export function DeleteEndpointDialog({ endpoint, scope, onClose }: { endpoint: EndpointRow; scope: { profileId: string; region: string }; onClose: () => void }): ReactElement {
  const hosts = endpoint.dependentHosts;
  return (
    <ConfirmDialog
      title={`Delete ${endpoint.id}?`}
      description={`The only EC2 Instance Connect Endpoint of ${endpoint.vpcId}${endpoint.vpcName ? ` (${endpoint.vpcName})` : ''}.`}
      confirmLabel={`Delete ${endpoint.id}`}
      busyLabel="Deleting…"
      cancelLabel="Keep it"
      tone="danger"
      onConfirm={async () => endpointsStore.noteOperation(await getApi().endpoints.delete({ ...scope, endpointId: endpoint.id }))}
      onClose={onClose}
    >
      {hosts.length > 0 ? (
        <>
          <p>
            {plural(hosts.length, 'saved host')} {hosts.length === 1 ? 'connects' : 'connect'} through it and will not connect until the VPC has an endpoint again:
          </p>
          <ul className="dependent-hosts" aria-label="Saved hosts that depend on it">
            {hosts.map((h) => (
              <li key={h.hostId}>
                <strong>{h.label}</strong> <span className="muted mono">{h.instanceId}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>No saved host connects through it. Instances of {endpoint.vpcId} will not be reachable through an endpoint until you set one up again.</p>
      )}
      {endpoint.connectionsInUse > 0 ? <p className="inline-notice">{plural(endpoint.connectionsInUse, 'live connection')} through it will drop.</p> : null}
      <p className="muted">Its security groups are kept. Deleting takes about a minute; the Region’s quota slot frees up when it is gone.</p>
    </ConfirmDialog>
  );
}
