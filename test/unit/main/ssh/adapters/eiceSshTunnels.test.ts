import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError, type Instance } from '../../../../../preload/contract';
import { EiceSshTunnels } from '../../../../../main/ssh/adapters/eiceSshTunnels';
import type { InstanceLookup } from '../../../../../main/ssh/adapters/hostTargetResolver';
import type { TunnelStream } from '../../../../../main/eice/tunnel';
import { aTarget, anInstance } from '../../../../support/sshFakes';

class Inventory implements InstanceLookup {
  readonly refreshes: number[] = [];
  constructor(
    private cached: Instance,
    private readonly fresh: Instance = cached,
  ) {}
  async getInstance(_p: string, _r: string, _i: string, options: { refresh?: boolean } = {}): Promise<Instance> {
    if (options.refresh) {
      this.refreshes.push(1);
      this.cached = this.fresh;
    }
    return this.cached;
  }
}

/** Records openStream calls and hands back a stream with the TunnelStream fields SSH reads. */
class Manager {
  readonly calls: unknown[][] = [];
  async openStream(...args: unknown[]): Promise<TunnelStream> {
    this.calls.push(args);
    const stream = Object.assign(new PassThrough(), { expiresAt: new Date('2025-01-01T01:00:00Z'), closeError: undefined as AppError | undefined });
    return stream as unknown as TunnelStream;
  }
}

const options = async () => ({ credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }), env: {}, useFips: false, principal: 'config:dev' });
const signal = new AbortController().signal;

describe('EiceSshTunnels', () => {
  it('chooses the endpoint in the instance\'s subnet from cached facts', async () => {
    const tunnels = new EiceSshTunnels(new Manager(), new Inventory(anInstance()), options);
    expect(await tunnels.chooseEndpoint(aTarget())).toEqual({
      endpointId: 'eice-0123456789abcdef0',
      label: 'eice-0123456789abcdef0 (us-east-1a)',
      dnsName: 'eice-0123456789abcdef0.12345678.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
    });
  });

  it('looks again when the cached facts show no usable endpoint (one may have been created since)', async () => {
    const inventory = new Inventory(anInstance({ vpcEndpoints: [] }), anInstance());
    const tunnels = new EiceSshTunnels(new Manager(), inventory, options);
    expect((await tunnels.chooseEndpoint(aTarget())).endpointId).toBe('eice-0123456789abcdef0');
    expect(inventory.refreshes).toHaveLength(1);
  });

  it('fails with EIC_NO_ENDPOINT naming the VPC when there really is none', async () => {
    const tunnels = new EiceSshTunnels(new Manager(), new Inventory(anInstance({ vpcEndpoints: [] })), options);
    await expect(tunnels.chooseEndpoint(aTarget())).rejects.toMatchObject({ code: 'EIC_NO_ENDPOINT', message: expect.stringContaining('vpc-0abc') });
  });

  it('opens an SSH stream through the TunnelManager, owned by the host, and reports its time limit and close reason', async () => {
    const manager = new Manager();
    const tunnels = new EiceSshTunnels(manager, new Inventory(anInstance()), options);
    const target = aTarget({ hostId: 'h-abcdefgh12' });
    const endpoint = await tunnels.chooseEndpoint(target);
    const tunnel = await tunnels.open(target, endpoint, { label: 'ec2-user@web-1', hostId: 'h-abcdefgh12' }, signal);
    const [tunnelTarget, owner, opts] = manager.calls[0]!;
    expect(tunnelTarget).toEqual({
      instanceId: 'i-0123456789abcdef0',
      endpointId: 'eice-0123456789abcdef0',
      dnsName: endpoint.dnsName,
      region: 'us-east-1',
      privateIpAddress: '10.0.1.5',
      remotePort: 22,
    });
    expect(owner).toEqual({ kind: 'ssh', label: 'ec2-user@web-1', hostId: 'h-abcdefgh12' });
    expect(opts).toMatchObject({ useFips: false, principal: 'config:dev', signal });
    expect(tunnel.expiresAt).toBe(Date.parse('2025-01-01T01:00:00Z'));
    expect(tunnel.closeError()).toBeUndefined();
    (tunnel.stream as unknown as { closeError: AppError }).closeError = new AppError('EIC_TUNNEL_CLOSED', 'closed');
    expect(tunnel.closeError()?.code).toBe('EIC_TUNNEL_CLOSED');
  });
});
