import type { ReactElement } from 'react';
import type { Instance } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';

/** "EIC-ready", or what is missing (no endpoint, stopped, package missing...), with the fix on hover and for screen readers. */
export function EicStatus({ instance }: { instance: Instance }): ReactElement {
  const { eic } = instance;
  const blocking = eic.blockers.filter((b) => b.blocking);
  const notes = eic.blockers.filter((b) => !b.blocking);
  if (eic.ready) {
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
