import { useState, type ReactElement } from 'react';
import type { SessionInfo } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import { formatTimeLeft } from './format';
import { copySshConfig } from './openSession';
import { useNow } from '../../hooks/useNow';

/**
 * The line above a terminal: who and where (user@host, instance, endpoint), how long the
 * endpoint keeps the session, and the tab's actions.
 */
export function TerminalHeader({
  info,
  onSearch,
  onDuplicate,
  onReconnect,
}: {
  info: SessionInfo;
  onSearch: () => void;
  onDuplicate: () => void;
  onReconnect: () => void;
}): ReactElement {
  const now = useNow(info.expiresAt !== undefined, 15_000);
  const [copied, setCopied] = useState<string | undefined>();
  const t = info.target;
  return (
    <div className="terminal-header">
      <span className={`status-dot status-dot--${info.status === 'connected' ? 'live' : info.status === 'failed' ? 'failed' : info.status === 'connecting' ? 'connecting' : 'closed'}`} />
      <span className="terminal-header__who">{t.osUser ? `${t.osUser}@${info.title}` : info.title}</span>
      {t.instanceId ? <span className="terminal-header__fact">{t.instanceId}</span> : null}
      {t.endpointId ? <span className="terminal-header__fact">via {t.endpointId}</span> : null}
      {info.hostKey ? (
        <span className="terminal-header__fact" title={`Host key ${info.hostKey.algorithm} ${info.hostKey.fingerprint}, trusted since ${info.hostKey.firstSeen}`}>
          <Icon name="shield" size={13} /> {info.hostKey.isNew ? 'new host key trusted' : 'host key verified'}
        </span>
      ) : null}
      <span className="terminal-header__spacer" />
      {info.status === 'connected' && info.expiresAt ? (
        <span className={`terminal-header__time${info.expiresSoon ? ' is-warning' : ''}`} data-testid="time-left" title={`The endpoint ends this session at ${new Date(info.expiresAt).toLocaleTimeString()}.`}>
          {formatTimeLeft(info.expiresAt, now)}
        </span>
      ) : null}
      {copied ? <span className="terminal-header__fact">{copied}</span> : null}
      <button type="button" className="icon-btn" aria-label="Find (Ctrl+Shift+F)" title="Find (Ctrl+Shift+F)" onClick={onSearch}>
        <Icon name="search" size={15} />
      </button>
      {info.status === 'connected' ? (
        <button type="button" className="icon-btn" aria-label="New tab on this connection" title="New tab on this connection (uses no extra endpoint connection)" onClick={onDuplicate}>
          <Icon name="plus" size={15} />
        </button>
      ) : null}
      {t.hostId ? (
        <button
          type="button"
          className="icon-btn"
          aria-label="Copy SSH config"
          title="Copy an OpenSSH config block for ssh, scp and VS Code"
          onClick={() => {
            copySshConfig(t.hostId!).then(
              ({ alias }) => setCopied(`Copied: ssh ${alias}`),
              (e: unknown) => setCopied(e instanceof Error ? e.message : 'Could not copy'),
            );
          }}
        >
          <Icon name="copy" size={15} />
        </button>
      ) : null}
      {info.status === 'connected' || info.status === 'disconnected' ? (
        <button type="button" className="icon-btn" aria-label="Reconnect" title="Reconnect (new key and tunnel)" onClick={onReconnect}>
          <Icon name="refresh" size={15} />
        </button>
      ) : null}
    </div>
  );
}
