import type { ErrorCode, RdpSession, SessionInfo } from '../../preload/contract';
import type { FailedConnection } from './diagnoseIo';

/**
 * How old the pushed key was when sign-in ended. The key push and the tunnel start together;
 * sign-in starts when both are done, so the key waits `tunnel - key` and then the sign-in's
 * own time. Known only for EC2 Instance Connect sign-ins that got as far as signing in.
 */
export function keyAgeAtAuth(info: Pick<SessionInfo, 'steps' | 'target'>): number | undefined {
  if (info.target.authMethod !== 'eic') return undefined;
  const step = (id: string) => info.steps.find((s) => s.id === id);
  const key = step('key');
  const tunnel = step('tunnel');
  const auth = step('auth');
  if (key?.status !== 'done' || tunnel?.status !== 'done' || !auth || (auth.status !== 'failed' && auth.status !== 'done')) return undefined;
  if (key.durationMs === undefined || tunnel.durationMs === undefined || auth.durationMs === undefined) return undefined;
  return Math.max(0, tunnel.durationMs - key.durationMs) + auth.durationMs;
}

/** An SSH tab's target and failure (or drop), as the wizard explains it. */
export function sshFailureOf(info: SessionInfo): FailedConnection {
  const t = info.target;
  const target: FailedConnection['target'] = t.hostId
    ? { hostId: t.hostId }
    : { profileId: t.profileId ?? '', region: t.region ?? '', instanceId: t.instanceId ?? '', ...(t.osUser ? { osUser: t.osUser } : {}), ...(t.port ? { port: t.port } : {}) };
  const error = info.error;
  if (!error || (info.status !== 'failed' && info.status !== 'disconnected')) return { target };
  // The key's age only explains a refused sign-in, not a tunnel that died under it.
  const age = error.code === 'SSH_AUTH_FAILED' ? keyAgeAtAuth(info) : undefined;
  return {
    target,
    failure: {
      source: 'ssh',
      code: error.code,
      message: error.message,
      hint: error.hint,
      ...(info.failedStep ? { step: info.failedStep } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
      at: error.at,
      ...(t.authMethod ? { authMethod: t.authMethod } : {}),
      ...(t.osUser ? { osUser: t.osUser } : {}),
      ...(age !== undefined ? { keyAgeAtAuthMs: age } : {}),
    },
  };
}

/** An RDP session's target and failure. */
export function rdpFailureOf(session: RdpSession): FailedConnection {
  const target: FailedConnection['target'] = session.hostId ? { hostId: session.hostId } : { profileId: session.profileId, region: session.region, instanceId: session.instanceId, port: 3389 };
  const error = session.error;
  if (!error || session.state !== 'failed') return { target };
  const step = session.steps.find((s) => s.status === 'failed')?.id;
  return {
    target,
    failure: {
      source: 'rdp',
      code: error.code as ErrorCode,
      message: error.message,
      hint: error.hint,
      ...(step ? { step } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
      at: error.at,
      osUser: session.username,
    },
  };
}
