import { useState, type ReactElement } from 'react';
import type { TunnelInfo } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ACTIONS_COLUMN, DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { RowActions } from '../../components/RowActions';
import { View } from '../../components/View';
import { workspace } from '../../shell/workspaceStore';
import { showRdpSession, useRdpSessions } from '../rdp/rdpStore';
import { formatCountdown, useNow } from '../../hooks/useNow';
import { formatBytes } from './formatBytes';
import { tunnelsStore, useTunnels } from './tunnelsStore';

const KIND_LABEL: Record<TunnelInfo['kind'], string> = { ssh: 'SSH', rdp: 'RDP', forward: 'Forward' };

/** Every open tunnel: SSH sessions, RDP listeners and port forwards, live. */
export function TunnelsView(): ReactElement {
  const { tunnels, loaded, error } = useTunnels();
  const [stopError, setStopError] = useState<AppError | undefined>();
  const now = useNow(tunnels.length > 0);
  const rdpSessions = useRdpSessions();

  const stop = async (tunnel: TunnelInfo): Promise<void> => {
    setStopError(undefined);
    try {
      await getApi().tunnels.stop({ tunnelId: tunnel.tunnelId });
      tunnelsStore.removeLocally(tunnel.tunnelId);
    } catch (e) {
      setStopError(toAppError(e));
    }
  };

  const active = tunnels.reduce((sum, t) => sum + t.connections.active, 0);
  return (
    <View
      title="Tunnels"
      header={
        tunnels.length > 0 ? (
          <span className="muted" data-testid="tunnels-summary">
            {tunnels.length} open · {active} connection{active === 1 ? '' : 's'} through endpoints
          </span>
        ) : null
      }
    >
      {error ? <ErrorNotice error={error} /> : null}
      {stopError ? <ErrorNotice error={stopError} /> : null}
      {loaded && tunnels.length === 0 && !error ? (
        <EmptyState
          icon="tunnel"
          title="No open tunnels"
          actions={
            <button type="button" className="btn" onClick={() => workspace.showView('hosts')}>
              Go to Hosts
            </button>
          }
        >
          <p>
            Each SSH tab, RDP connection and port forward runs over its own tunnel through an endpoint. An endpoint allows 20 at a
            time, and each lasts at most an hour; this view shows them all, with the time they have left.
          </p>
        </EmptyState>
      ) : null}
      {tunnels.length > 0 ? (
        <DataTable
          label="Open tunnels"
          className="tunnels-table"
          columns={['Host', 'Target', 'Endpoint', 'Local', { label: 'Sent / received', className: 'num' }, { label: 'Connections', className: 'num' }, 'Time left', ACTIONS_COLUMN]}
        >
          {tunnels.map((t) => {
            const session = t.kind === 'rdp' ? rdpSessions.find((s) => s.local?.port === t.local?.port && s.instanceId === t.target.instanceId) : undefined;
            return (
              <tr key={t.tunnelId} data-tunnel-id={t.tunnelId}>
                <th scope="row">
                  <span className={`kind-badge kind-badge--${t.kind}`}>{KIND_LABEL[t.kind]}</span>
                  {session ? (
                    <button type="button" className="tunnels-table__label link-button" onClick={() => showRdpSession(session)} title="Show the RDP session">
                      {t.label}
                    </button>
                  ) : (
                    <span className="tunnels-table__label">{t.label}</span>
                  )}
                </th>
                <td>
                  <div className="mono">{t.target.instanceId ?? '—'}</div>
                  <div className="muted mono">
                    {t.target.privateIp}:{t.target.port}
                  </div>
                </td>
                <td className="mono" title={t.endpoint.dnsName}>
                  {t.endpoint.endpointId}
                </td>
                <td className="mono">{t.local ? `${t.local.address}:${t.local.port}` : <span className="muted">in app</span>}</td>
                <td className="num mono">
                  <span title="Sent to the instance">↑ {formatBytes(t.bytesToInstance)}</span>
                  <br />
                  <span title="Received from the instance">↓ {formatBytes(t.bytesFromInstance)}</span>
                </td>
                <td className="num">
                  {t.connections.active}
                  {t.connections.max !== undefined ? ` / ${t.connections.max}` : ''}
                  <div className="muted">{t.connections.total} so far</div>
                </td>
                <td>
                  <TimeLeft tunnel={t} now={now} />
                </td>
                <RowActions label={`Actions for ${t.label}`}>
                  <button type="button" className="btn btn--small btn--danger" aria-label={`Stop tunnel to ${t.label}`} title="Close the tunnel and its connections" onClick={() => void stop(t)}>
                    <Icon name="close" size={13} /> Stop
                  </button>
                </RowActions>
              </tr>
            );
          })}
        </DataTable>
      ) : null}
    </View>
  );
}

function TimeLeft({ tunnel, now }: { tunnel: TunnelInfo; now: number }): ReactElement {
  if (tunnel.expiresAt) {
    const left = Date.parse(tunnel.expiresAt) - now;
    const cap = tunnel.durationCapSeconds;
    return (
      <>
        <span className={left < 5 * 60_000 ? 'time-left time-left--soon' : 'time-left'} title={`The endpoint ends it at ${new Date(tunnel.expiresAt).toLocaleTimeString()}`}>
          {formatCountdown(left)}
        </span>
        {cap !== undefined ? (
          <div className="muted" title="An IAM policy (ec2-instance-connect:maxTunnelDuration) allows each connection less than the hour an endpoint gives">
            IAM cap: {formatCountdown(cap * 1000)}
          </div>
        ) : null}
      </>
    );
  }
  if (tunnel.idleClosesAt) {
    return (
      <>
        <div className="muted">idle, closes in</div>
        <span className="time-left">{formatCountdown(Date.parse(tunnel.idleClosesAt) - now)}</span>
      </>
    );
  }
  return <span className="muted">{tunnel.local ? 'waiting for a client' : '—'}</span>;
}
