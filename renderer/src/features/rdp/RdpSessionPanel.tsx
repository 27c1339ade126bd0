import { useState, type ReactElement } from 'react';
import type { RdpSession, RdpStep } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import type { MarkState } from '../../components/StatusMark';
import { Steps, type StepView } from '../../components/Steps';
import { View } from '../../components/View';
import { useAction } from '../../hooks/useAction';
import { workspace } from '../../shell/workspaceStore';
import { diagnoseRdpSession } from '../diagnose/requests';
import { useDiagnoseAvailable } from '../terminals/diagnoseHook';
import { KeyPrompt } from './KeyPrompt';
import { launchRdp, rdpTabId, targetOf } from './rdpStore';
import { formatCountdown, formatDuration, useNow } from '../../hooks/useNow';

const STATE_LABEL: Record<RdpSession['state'], string> = {
  starting: 'Starting',
  needsKey: 'Needs the key',
  ready: 'Tunnel open',
  connected: 'Connected',
  closed: 'Closed',
  failed: 'Failed',
};

const CLOSED_REASON: Record<NonNullable<RdpSession['closedReason']>, string> = {
  stopped: 'You stopped this session.',
  idle: 'The tunnel closed after the RDP client had been gone for a while.',
  tunnelClosed: 'The tunnel was closed (from the Tunnels view, or by the endpoint).',
  shutdown: 'Bastionless was shutting down.',
};

const STEP_MARK: Record<RdpStep['status'], MarkState> = { pending: 'pending', active: 'running', done: 'done', failed: 'failed', skipped: 'skipped' };

function stepView(step: RdpStep): StepView {
  const timed = step.durationMs !== undefined && step.status !== 'pending' && step.status !== 'skipped';
  return { id: step.id, label: step.label, status: step.status, mark: STEP_MARK[step.status], detail: step.detail, time: timed ? formatDuration(step.durationMs ?? 0) : undefined };
}

/** Codes after which the person may still get in with their own account. */
const WITHOUT_PASSWORD_HELPS = new Set(['RDP_PASSWORD_NOT_READY', 'RDP_KEY_MISSING', 'RDP_KEY_UNSUITABLE', 'RDP_DECRYPT_FAILED']);

/** One RDP session: its steps, where to connect, the password, and what to do next. */
export function RdpSessionPanel({ session }: { session: RdpSession }): ReactElement {
  const { error: actionError, run: act } = useAction();
  const canDiagnose = useDiagnoseAvailable();
  const [copied, setCopied] = useState<{ what: 'password' | 'address'; until: number; total: number } | undefined>();
  const open = session.state !== 'closed' && session.state !== 'failed';
  const now = useNow(open || copied !== undefined);
  const error = session.error ? AppError.fromJSON(session.error) : undefined;
  const address = session.local ? `${session.local.address}:${session.local.port}` : undefined;

  /** Starts over on the same host (a new session), closing this tab. */
  const relaunch = (withoutPassword: boolean): Promise<boolean> =>
    act(async () => {
      await getApi().rdp.dismiss({ sessionId: session.sessionId });
      workspace.closeTab(rdpTabId(session.sessionId));
      await launchRdp({ ...targetOf(session), username: session.username, ...(withoutPassword ? { withoutPassword: true } : {}) });
    });

  const copyPassword = (): Promise<boolean> =>
    act(async () => {
      const { clearsAfterMs } = await getApi().rdp.copyPassword({ sessionId: session.sessionId });
      setCopied({ what: 'password', until: Date.now() + clearsAfterMs, total: clearsAfterMs });
    });

  const copyAddress = (): Promise<boolean> =>
    act(async () => {
      if (!address) return;
      await navigator.clipboard.writeText(address);
      setCopied({ what: 'address', until: Date.now() + 3_000, total: 3_000 });
    });

  const copiedNow = copied && copied.until > now ? copied : undefined;
  const signedIn = session.client?.authOnly && session.client.authenticated === true;

  return (
    <View
      title={session.label}
      className="rdp-session"
      data-state={session.state}
      header={
        <>
          <span className={`badge badge--${session.state}`} data-testid="rdp-state">
            {STATE_LABEL[session.state]}
          </span>
          {open ? (
            <button type="button" className="btn btn--danger" onClick={() => void act(() => getApi().rdp.stop({ sessionId: session.sessionId }))}>
              Stop
            </button>
          ) : (
            <button
              type="button"
              className="btn"
              onClick={() =>
                void act(async () => {
                  await getApi().rdp.dismiss({ sessionId: session.sessionId });
                  workspace.closeTab(rdpTabId(session.sessionId));
                })
              }
            >
              Close
            </button>
          )}
        </>
      }
    >
      <p className="rdp-session__meta">
        Remote Desktop to <code>{session.instanceId}</code> · {session.region} · profile {session.profileId} · user <code>{session.username}</code>
      </p>

      {signedIn ? (
        <div className="banner banner--ok" role="status">
          <Icon name="shield" />
          <span>
            Signed in: {session.client?.name} accepted the password through the tunnel (auth-only check, exit code {session.client?.exitCode}).
          </span>
        </div>
      ) : session.state === 'connected' ? (
        <div className="banner banner--ok" role="status">
          <Icon name="shield" />
          <span>{session.client?.name ?? 'Your RDP client'} is connected through the tunnel.</span>
        </div>
      ) : null}

      {error ? (
        <div className="rdp-session__error">
          <ErrorNotice error={error} {...(!open ? { onRetry: () => void relaunch(false) } : {})} />
          {!open && (WITHOUT_PASSWORD_HELPS.has(error.code) || (session.state === 'failed' && canDiagnose)) ? (
            <div className="card__actions">
              {WITHOUT_PASSWORD_HELPS.has(error.code) ? (
                <button type="button" className="btn" onClick={() => void relaunch(true)}>
                  Connect without password
                </button>
              ) : null}
              {session.state === 'failed' && canDiagnose ? (
                <button type="button" className="btn" onClick={() => diagnoseRdpSession(session)} title="Check the path to the instance and explain the failure">
                  Diagnose
                </button>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {session.notice ? (
        <p className="inline-notice" role="note">
          <Icon name="warning" size={15} /> {session.notice}
        </p>
      ) : null}
      {session.state === 'closed' && session.closedReason && !error ? <p className="muted">{CLOSED_REASON[session.closedReason]}</p> : null}

      {session.keyPrompt && session.state === 'needsKey' ? (
        <KeyPrompt sessionId={session.sessionId} prompt={session.keyPrompt} onWithoutPassword={() => void relaunch(true)} />
      ) : null}

      <Steps steps={session.steps.map(stepView)} label="Progress" />

      {address ? (
        <section className="card rdp-connect" aria-label="Connection">
          <div className="rdp-connect__row">
            <span className="rdp-connect__label">Local address</span>
            <code className="rdp-connect__value" data-testid="rdp-address">
              {address}
            </code>
            <button type="button" className="btn" onClick={() => void copyAddress()}>
              <Icon name="copy" size={14} /> {copiedNow?.what === 'address' ? 'Copied' : 'Copy address'}
            </button>
          </div>
          <div className="rdp-connect__row">
            <span className="rdp-connect__label">User</span>
            <code className="rdp-connect__value">{session.username}</code>
            {session.hasPassword ? (
              <button type="button" className="btn" onClick={() => void copyPassword()}>
                <Icon name="key" size={14} /> Copy password
              </button>
            ) : null}
          </div>
          {copiedNow?.what === 'password' ? (
            <p className="muted" role="status">
              Password copied. It is cleared from the clipboard in {formatCountdown(Math.min(copiedNow.total, copiedNow.until - now))} unless you copy something else.
            </p>
          ) : null}
          <p className="muted">
            {session.client && !session.client.passwordDelivered && session.hasPassword
              ? `${session.client.name} cannot be handed the password: use Copy password and paste it when it asks.`
              : 'Any RDP client on this computer can connect to this address while the tunnel is open.'}
          </p>
          <div className="card__actions">
            {(session.state === 'ready' || session.state === 'connected') && session.client?.state !== 'running' ? (
              <button type="button" className="btn btn--primary" onClick={() => void act(() => getApi().rdp.openClient({ sessionId: session.sessionId }))}>
                Open client{session.client ? ' again' : ''}
              </button>
            ) : null}
            <span className="muted">
              {session.client ? `${session.client.name} ${session.client.state === 'running' ? 'is running' : `exited${session.client.exitCode !== undefined ? ` (code ${session.client.exitCode})` : ''}`}` : null}
              {session.connections > 0 ? ` · ${session.connections} connection${session.connections === 1 ? '' : 's'} through the tunnel` : null}
            </span>
          </div>
          {session.idleClosesAt ? (
            <p className="muted" data-testid="rdp-idle">
              No client connected: the tunnel closes in {formatCountdown(Date.parse(session.idleClosesAt) - now)} unless one connects.
            </p>
          ) : null}
        </section>
      ) : null}
    </View>
  );
}
