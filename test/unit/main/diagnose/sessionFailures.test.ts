import { describe, expect, it } from 'vitest';
import type { RdpSession, SessionInfo, SessionStep } from '../../../../preload/contract';
import { keyAgeAtAuth, rdpFailureOf, sshFailureOf } from '../../../../main/diagnose/sessionFailures';

const step = (id: SessionStep['id'], status: SessionStep['status'], durationMs?: number): SessionStep => ({ id, label: id, status, ...(durationMs !== undefined ? { durationMs } : {}) });
const error = (code: string, message = 'It failed.') => ({ code: code as never, message, hint: 'Do this.', retryable: false, at: '2025-06-01T12:00:00.000Z', requestId: 'req-9' });

function info(over: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId: 's-abcdef12',
    title: 'web-1',
    target: { hostId: 'h-0a1b2c3d4e5f6000', instanceId: 'i-0a1b2c3d4e5f60006', profileId: 'config:dev', region: 'eu-west-1', osUser: 'ec2-user', port: 22, authMethod: 'eic' },
    status: 'failed',
    steps: [step('resolve', 'done', 40), step('tunnel', 'done', 900), step('key', 'done', 300), step('auth', 'failed', 250), step('shell', 'pending')],
    failedStep: 'auth',
    error: error('SSH_AUTH_FAILED', 'web-1 refused the key.'),
    expiresSoon: false,
    autoReconnect: { enabled: false },
    connections: 0,
    sharedConnection: false,
    ...over,
  };
}

describe('sessionFailures', () => {
  it('ages the pushed key from its push to the end of sign-in (the tunnel took longer than the push)', () => {
    expect(keyAgeAtAuth(info())).toBe(900 - 300 + 250);
    expect(keyAgeAtAuth(info({ steps: [step('tunnel', 'done', 200), step('key', 'done', 300), step('auth', 'failed', 70_000)] }))).toBe(70_000);
    expect(keyAgeAtAuth(info({ target: { ...info().target, authMethod: 'keyPair' } }))).toBeUndefined();
    expect(keyAgeAtAuth(info({ steps: [step('tunnel', 'failed', 200), step('key', 'done', 300)] }))).toBeUndefined();
  });

  it('hands the wizard a failed tab’s target, step, words and key age', () => {
    expect(sshFailureOf(info())).toEqual({
      target: { hostId: 'h-0a1b2c3d4e5f6000' },
      failure: { source: 'ssh', code: 'SSH_AUTH_FAILED', message: 'web-1 refused the key.', hint: 'Do this.', step: 'auth', requestId: 'req-9', at: '2025-06-01T12:00:00.000Z', authMethod: 'eic', osUser: 'ec2-user', keyAgeAtAuthMs: 850 },
    });
  });

  it('keeps no key age for a tunnel that died under the sign-in', () => {
    expect(sshFailureOf(info({ error: error('EIC_TUNNEL_TARGET_UNREACHABLE') })).failure?.keyAgeAtAuthMs).toBeUndefined();
  });

  it('names a discovered instance, and has no failure for a live tab', () => {
    const live = sshFailureOf(info({ status: 'connected', target: { instanceId: 'i-0a1b2c3d4e5f60006', profileId: 'config:dev', region: 'eu-west-1', osUser: 'ubuntu' } }));
    expect(live).toEqual({ target: { profileId: 'config:dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60006', osUser: 'ubuntu' } });
  });

  it('reads an RDP session’s failed step and error', () => {
    const session = {
      sessionId: 'r-1',
      label: 'win-1',
      instanceId: 'i-0a1b2c3d4e5f60009',
      profileId: 'config:dev',
      region: 'eu-west-1',
      username: 'Administrator',
      state: 'failed',
      steps: [
        { id: 'password', label: 'Retrieving password', status: 'failed' },
        { id: 'tunnel', label: 'Opening tunnel', status: 'pending' },
      ],
      hasPassword: false,
      connections: 0,
      error: error('RDP_PASSWORD_NOT_READY', 'Windows has not published its password yet.'),
      startedAt: '2025-06-01T12:00:00.000Z',
    } as RdpSession;
    expect(rdpFailureOf(session)).toEqual({
      target: { profileId: 'config:dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60009', port: 3389 },
      failure: expect.objectContaining({ source: 'rdp', code: 'RDP_PASSWORD_NOT_READY', step: 'password', osUser: 'Administrator' }),
    });
  });
});
