import type { RdpSession, TunnelInfo } from '../../../../../preload/contract';

/** An RDP session as main reports it, ready with a password, with valid defaults. */
export function rdpSession(overrides: Partial<RdpSession> = {}): RdpSession {
  return {
    sessionId: 's1',
    label: 'win-2022',
    instanceId: 'i-0123456789abcdef0',
    profileId: 'dev',
    region: 'eu-west-1',
    username: 'Administrator',
    state: 'ready',
    steps: [
      { id: 'password', label: 'Retrieving password', status: 'done', durationMs: 420, detail: 'Decrypted with key pair win-key' },
      { id: 'tunnel', label: 'Opening tunnel', status: 'done', durationMs: 180, detail: '127.0.0.1:50000' },
      { id: 'client', label: 'Launching client', status: 'done', durationMs: 35, detail: 'xfreerdp' },
      { id: 'connected', label: 'Connected', status: 'active', durationMs: 10, detail: 'Waiting for the client' },
    ],
    local: { address: '127.0.0.1', port: 50000 },
    hasPassword: true,
    client: { name: 'xfreerdp', passwordDelivered: true, state: 'running', authOnly: false },
    connections: 0,
    startedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

export function tunnelRow(overrides: Partial<TunnelInfo> = {}): TunnelInfo {
  return {
    tunnelId: 'lis-1',
    kind: 'rdp',
    label: 'win-2022',
    target: { instanceId: 'i-0123456789abcdef0', privateIp: '10.0.1.12', port: 3389 },
    endpoint: { endpointId: 'eice-0123456789abcdef0', dnsName: 'eice-0123.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com' },
    local: { address: '127.0.0.1', port: 50000 },
    bytesToInstance: 1536,
    bytesFromInstance: 5 * 1024 * 1024,
    connections: { active: 1, total: 3, max: 4 },
    openedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}
