import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { SHORTER_TUNNEL_DURATIONS } from '../../../../main/eice/durationSearch';
import { probeTunnel, RDP_CONNECTION_REQUEST } from '../../../../main/diagnose/probeTunnel';
import { FakeProbes, SSH_BANNER } from './fakeProbes';

const request = { profileId: 'config:dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60006', endpointId: 'eice-0a1b2c3d4e5f60007', dnsName: 'x', privateIpAddress: '10.0.2.15', port: 22, maxTunnelDuration: 3600, label: 'Diagnose web-1' };
const run = (probes: FakeProbes, over: Partial<typeof request> = {}, waitMs = 10_000) =>
  probeTunnel(probes, { request: { ...request, ...over }, shorterDurations: SHORTER_TUNNEL_DURATIONS, signal: new AbortController().signal, waitMs });

const denied = (seconds: number) =>
  new AppError('EIC_TUNNEL_ACCESS_DENIED', `You are not allowed to open a tunnel. AWS said: "maxTunnelDuration (${seconds}) is not at most 900"`, { requestId: `r-${seconds}` });

describe('probeTunnel', () => {
  it('reports the SSH banner and closes the tunnel', async () => {
    const probes = new FakeProbes(() => ({ banner: SSH_BANNER }));
    expect(await run(probes)).toEqual({ ok: true, value: { endpointId: request.endpointId, port: 22, maxTunnelDuration: 3600, outcome: 'reached', banner: 'SSH-2.0-OpenSSH_9.6' } });
    expect(probes.streams[0]?.destroyed).toBe(true);
  });

  it('speaks first on 3389 (an X.224 connection request) and recognises the confirm', async () => {
    const probes = new FakeProbes(() => ({ banner: Buffer.from([0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0]) }));
    const result = await run(probes, { port: 3389 });
    expect(probes.streams[0]?.written).toEqual([RDP_CONNECTION_REQUEST]);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'reached', banner: 'Remote Desktop (X.224 connection confirm)' } });
  });

  it('reports the close reason when the endpoint cannot reach the target', async () => {
    const unreachable = new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', 'eice could not open a TCP connection to 10.0.2.15:22. AWS said: "Unable to connect to target"', { hint: 'Check the groups.' });
    const result = await run(new FakeProbes(() => ({ closeWith: unreachable })));
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ outcome: 'failed', error: { code: 'EIC_TUNNEL_TARGET_UNREACHABLE', message: unreachable.message, hint: 'Check the groups.', action: 'ec2-instance-connect:OpenTunnel' } }),
    });
  });

  it('says "open" when nothing answers in time', async () => {
    expect(await run(new FakeProbes(() => ({ silent: true })), {}, 5)).toMatchObject({ ok: true, value: { outcome: 'open' } });
  });

  it('finds a maxTunnelDuration cap: shorter tunnels until one is allowed; the refusal stays the verdict', async () => {
    const probes = new FakeProbes((r) => (r.maxTunnelDuration > 900 ? denied(r.maxTunnelDuration) : { banner: SSH_BANNER }));
    const result = await run(probes);
    expect(probes.requests.map((r) => r.maxTunnelDuration)).toEqual([3600, 1800, 900]);
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ outcome: 'failed', allowedDuration: 900, triedDurations: [3600, 1800, 900], shorter: { outcome: 'reached', banner: 'SSH-2.0-OpenSSH_9.6' }, error: expect.objectContaining({ code: 'EIC_TUNNEL_ACCESS_DENIED', requestId: 'r-3600' }) }),
    });
  });

  it('tries every shorter duration when OpenTunnel is denied outright, and stops at another error', async () => {
    const all = new FakeProbes((r) => denied(r.maxTunnelDuration));
    expect(await run(all)).toMatchObject({ ok: true, value: { outcome: 'failed', triedDurations: [3600, 1800, 900, 300, 60] } });
    const other = new FakeProbes((r) => (r.maxTunnelDuration === 3600 ? denied(3600) : new AppError('EIC_CONNECTION_LIMIT', 'full')));
    await run(other);
    expect(other.requests.map((r) => r.maxTunnelDuration)).toEqual([3600, 1800]);
  });
});
