import type { SessionInfo, SessionStep } from '../../../../preload/contract';

const STEP_LABELS: [SessionStep['id'], string][] = [
  ['resolve', 'Resolving host'],
  ['tunnel', 'Opening tunnel'],
  ['key', 'Sending key'],
  ['auth', 'Authenticating'],
  ['shell', 'Starting shell'],
];

/** The five steps, each `status` (or all done), with durations for the ones that ran. */
export function steps(statuses: Partial<Record<SessionStep['id'], SessionStep['status']>> = {}): SessionStep[] {
  return STEP_LABELS.map(([id, label], i) => {
    const status = statuses[id] ?? 'done';
    return { id, label, status, ...(status === 'done' || status === 'failed' || status === 'running' ? { durationMs: 100 * (i + 1) } : {}) };
  });
}

/** A connected session to web-1 with valid defaults. */
export function sessionInfo(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    sessionId: 's-abc123',
    title: 'web-1',
    target: {
      hostId: 'h-abcdefgh12',
      instanceId: 'i-0123456789abcdef0',
      profileId: 'config:default',
      region: 'us-east-1',
      name: 'web-1',
      osUser: 'ec2-user',
      port: 22,
      privateIp: '10.0.1.5',
      endpointId: 'eice-0123456789abcdef0',
      authMethod: 'eic',
    },
    status: 'connected',
    steps: steps(),
    hostKey: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', firstSeen: '2026-01-05T09:00:00.000Z', isNew: false },
    connectedAt: '2026-01-05T09:00:00.000Z',
    expiresAt: new Date(Date.now() + 50 * 60_000).toISOString(),
    expiresSoon: false,
    autoReconnect: { enabled: false },
    connections: 1,
    sharedConnection: false,
    ...overrides,
  };
}
