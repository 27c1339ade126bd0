import type { ReactElement } from 'react';
import type { Instance } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';

/** "EIC-ready", or what is missing (no endpoint, stopped, package missing...), with the fix on hover and for screen readers. */
export function EicStatus({ instance, auth = 'eic' }: { instance: Instance; auth?: 'eic' | 'keyPair' | 'password' }): ReactElement {
  const { eic } = instance;
  // The ec2-instance-connect package matters only for the ephemeral key; a key pair or password gets in without it.
  const blockers = auth === 'eic' ? eic.blockers : eic.blockers.filter((b) => b.code !== 'packageMissing' && b.code !== 'packageUnknown');
  const blocking = blockers.filter((b) => b.blocking);
  const notes = blockers.filter((b) => !b.blocking);
  if (blocking.length === 0) {
    return (
      <div className="eic-status">
        <span className="badge badge--ready" title={eic.endpointId ? `Through ${eic.endpointId}` : undefined}>
          <Icon name="check" size={12} /> EIC-ready
        </span>
        {notes.map((b) => (
          <p key={b.code} className="eic-status__note" title={b.hint}>
            {b.message}
          </p>
        ))}
      </div>
    );
  }
  return (
    <ul className="eic-status eic-status--blocked" aria-label="What is missing">
      {blocking.map((b) => (
        <li key={b.code} title={b.hint}>
          <Icon name="warning" size={13} /> <span>{shortBlocker(b.code, b.message)}</span>
          <span className="visually-hidden"> {b.hint}</span>
        </li>
      ))}
    </ul>
  );
}

function shortBlocker(code: string, message: string): string {
  switch (code) {
    case 'notRunning':
      return message.replace(/^The instance is /, '').replace(/\.$/, '').replace(/^./, (c) => c.toUpperCase());
    case 'noEndpoint':
      return message.startsWith('No EC2') ? 'No endpoint in its VPC' : message;
    case 'endpointNotReady':
      return 'Endpoint not ready yet';
    case 'packageMissing':
      return 'No ec2-instance-connect package';
    case 'noPrivateIp':
      return 'No private IP';
    default:
      return message;
  }
}
