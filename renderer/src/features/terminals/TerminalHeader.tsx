import { useState, type ReactElement } from 'react';
import type { SessionInfo } from '../../../../preload/contract';
import { toAppError } from '../../api/useAsync';
import { Icon } from '../../components/Icon';
import { IconButton } from '../../components/IconButton';
import { formatTimeLeft } from './format';
import { copySshConfig } from './openSession';
import { useNow } from '../../hooks/useNow';

/**
 * The line above a terminal: who and where (user@host, instance, endpoint), how long the
 * endpoint keeps the session, and the tab's actions, with what the last one did or why it failed.
 */
export function TerminalHeader({
  info,
  onSearch,
  onDuplicate,
  onReconnect,
}: {
  info: SessionInfo;
  onSearch: () => void;
  onDuplicate: () => Promise<unknown>;
  onReconnect: () => Promise<unknown>;
}): ReactElement {
  const now = useNow(info.expiresAt !== undefined, 15_000);
  const [note, setNote] = useState<{ text: string; hint?: string } | undefined>();
  const act = <T,>(work: () => Promise<T>, done?: (result: T) => string) => (): void => {
    setNote(undefined);
    work().then(
      (result) => setNote(done ? { text: done(result) } : undefined),
      (e: unknown) => {
        const error = toAppError(e);
        setNote({ text: error.message, hint: error.hint });
      },
    );
  };
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
      {note ? (
        <span className="terminal-header__fact" role="status" title={note.hint || undefined}>
          {note.text}
        </span>
      ) : null}
      <IconButton icon="search" label="Find (Ctrl+Shift+F)" onClick={onSearch} />
      {info.status === 'connected' ? <IconButton icon="plus" label="New tab on this connection" title="New tab on this connection (uses no extra endpoint connection)" onClick={act(onDuplicate)} /> : null}
      {t.hostId ? (
        <IconButton
          icon="copy"
          label="Copy SSH config"
          title="Copy an OpenSSH config block for ssh, scp and VS Code"
          onClick={act(
            () => copySshConfig(t.hostId!),
            ({ alias }) => `Copied: ssh ${alias}`,
          )}
        />
      ) : null}
      {info.status === 'connected' || info.status === 'disconnected' ? <IconButton icon="refresh" label="Reconnect" title="Reconnect (new key and tunnel)" onClick={act(onReconnect)} /> : null}
    </div>
  );
}
