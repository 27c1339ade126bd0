import { DescribeKeyPairsCommand, GetPasswordDataCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, type Host, type Instance } from '../../../../../preload/contract';
import { Ec2PasswordSource } from '../../../../../main/rdp/adapters/ec2PasswordSource';
import { EiceRdpTunnels } from '../../../../../main/rdp/adapters/eiceRdpTunnels';
import { FileKeyReader } from '../../../../../main/rdp/adapters/fileKeyReader';
import { InventoryHostResolver } from '../../../../../main/rdp/adapters/inventoryHostResolver';
import { KeychainSecrets } from '../../../../../main/rdp/adapters/keychainSecrets';
import type { LocalListener } from '../../../../../main/eice/localListener';
import type { TunnelManager } from '../../../../../main/eice/tunnelManager';

/** A Windows instance as inventory reports it, with valid defaults. */
function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    profileId: 'dev',
    region: 'eu-west-1',
    instanceId: 'i-0a1b2c3d4e5f60718',
    name: 'dc-01',
    state: 'running',
    platform: 'windows',
    privateIpv4: '10.0.1.20',
    ipv6: [],
    vpcId: 'vpc-1',
    subnetId: 'subnet-a',
    securityGroups: [],
    keyName: 'win-key',
    ami: {},
    os: { family: 'windows', name: 'Windows Server 2022', defaultUser: 'Administrator', eicPackage: 'unavailable', basis: 'platform' },
    launchTime: '2026-01-05T08:00:00.000Z',
    tags: {},
    vpcEndpoints: [
      { id: 'eice-other', vpcId: 'vpc-1', subnetId: 'subnet-b', state: 'create-complete', usable: true, dnsName: 'b.example', securityGroupIds: [], preserveClientIp: false },
      { id: 'eice-same', vpcId: 'vpc-1', subnetId: 'subnet-a', state: 'create-complete', usable: true, dnsName: 'a.example', fipsDnsName: 'fips.a.example', securityGroupIds: [], preserveClientIp: false },
    ],
    eic: { ready: true, endpointId: 'eice-same', blockers: [] },
    publicIpv4MonthlyUsd: 0,
    fetchedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  } as Instance;
}

function savedHost(overrides: Partial<Host> = {}): Host {
  return {
    id: 'h-abcdefgh12',
    label: 'Domain controller',
    folder: '',
    tags: [],
    profileId: 'dev',
    region: 'eu-west-1',
    instanceId: 'i-0a1b2c3d4e5f60718',
    platform: 'windows',
    osUser: 'ops',
    port: 3390,
    auth: { method: 'eic' },
    windowsKey: { store: 'keychain' },
    autoReconnect: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  } as Host;
}

class FakeInventory {
  readonly calls: { instanceId: string; refresh: boolean }[] = [];
  constructor(public value: Instance = instance()) {}
  async getInstance(_p: string, _r: string, instanceId: string, options: { refresh?: boolean } = {}): Promise<Instance> {
    this.calls.push({ instanceId, refresh: options.refresh ?? false });
    return this.value;
  }
}

describe('resolving a host for RDP', () => {
  it('reads a saved host and its instance afresh', async () => {
    const inventory = new FakeInventory();
    const resolver = new InventoryHostResolver({ get: async () => savedHost() }, inventory);
    const facts = await resolver.resolve({ hostId: 'h-abcdefgh12' });
    expect(inventory.calls).toEqual([{ instanceId: 'i-0a1b2c3d4e5f60718', refresh: true }]);
    expect(facts).toEqual({
      profileId: 'dev',
      region: 'eu-west-1',
      instanceId: 'i-0a1b2c3d4e5f60718',
      label: 'Domain controller',
      platform: 'windows',
      state: 'running',
      keyName: 'win-key',
      launchTime: new Date('2026-01-05T08:00:00.000Z'),
      hostId: 'h-abcdefgh12',
      keyPair: { source: 'keychain', account: 'host:h-abcdefgh12:windowsKey' },
      username: 'ops',
      port: 3390,
    });
  });

  it('keeps the saved host\'s profile when another profile of the account lists the instance', async () => {
    const listed = new FakeInventory(instance({ profileId: 'prod', profileIds: ['prod', 'dev'], accountId: '123456789012' }));
    expect((await new InventoryHostResolver({ get: async () => savedHost() }, listed).resolve({ hostId: 'h-abcdefgh12' })).profileId).toBe('dev');
  });

  it('reads a discovered instance, named by its Name tag, with a key file on a host', async () => {
    const resolver = new InventoryHostResolver({ get: async () => savedHost({ windowsKey: { store: 'file', path: '/k/win.pem' } }) }, new FakeInventory(instance({ keyName: undefined, name: undefined })));
    const facts = await resolver.resolve({ instance: { profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718' } });
    expect(facts.label).toBe('i-0a1b2c3d4e5f60718');
    expect(facts.keyName).toBeUndefined();
    expect(facts.hostId).toBeUndefined();
    expect((await resolver.resolve({ hostId: 'h-abcdefgh12' })).keyPair).toEqual({ source: 'file', path: '/k/win.pem' });
  });
});

describe('GetPasswordData through the app’s EC2 client', () => {
  function ec2(reply: (command: unknown) => unknown): EC2Client {
    return { send: async (command: unknown) => reply(command) } as unknown as EC2Client;
  }

  it('returns the password data, empty while Windows has not published it', async () => {
    const seen: unknown[] = [];
    const source = new Ec2PasswordSource(async () => ({ profileName: 'dev', ec2: ec2((c) => (seen.push(c), { PasswordData: 'abc=' })) }));
    expect(await source.getPasswordData({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718' })).toBe('abc=');
    expect(seen[0]).toBeInstanceOf(GetPasswordDataCommand);
    expect((seen[0] as GetPasswordDataCommand).input).toEqual({ InstanceId: 'i-0a1b2c3d4e5f60718' });
    const empty = new Ec2PasswordSource(async () => ({ profileName: 'dev', ec2: ec2(() => ({})) }));
    expect(await empty.getPasswordData({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718' })).toBe('');
  });

  it('maps AWS refusals to the app’s AWS_ codes', async () => {
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403, requestId: 'req-1' } });
    const source = new Ec2PasswordSource(async () => ({ profileName: 'dev', ec2: ec2(() => Promise.reject(denied)) }));
    const error = await source.getPasswordData({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('AWS_ACCESS_DENIED');
    expect((error as AppError).message).toMatch(/get the Windows password of i-0a1b2c3d4e5f60718/);
  });

  it('reads the key pair type', async () => {
    const seen: unknown[] = [];
    const source = new Ec2PasswordSource(async () => ({ profileName: 'dev', ec2: ec2((c) => (seen.push(c), { KeyPairs: [{ KeyName: 'k', KeyType: 'ed25519' }] })) }));
    expect(await source.keyPairType({ profileId: 'dev', region: 'eu-west-1', keyName: 'k' })).toBe('ed25519');
    expect(seen[0]).toBeInstanceOf(DescribeKeyPairsCommand);
  });
});

describe('the RDP listener through the tunnel manager', () => {
  class FakeManager {
    readonly started: { target: unknown; owner: unknown; options: unknown }[] = [];
    async startListener(target: unknown, owner: unknown, options: unknown): Promise<LocalListener> {
      this.started.push({ target, owner, options });
      const listeners = new Set<(n: number) => void>();
      return {
        id: 'lis-1',
        address: '127.0.0.1',
        port: 51234,
        activeConnections: 0,
        onConnectionsChanged: (l: (n: number) => void) => (listeners.add(l), () => listeners.delete(l)),
        onClosed: () => () => undefined,
        close: async () => undefined,
      } as unknown as LocalListener;
    }
  }

  it('uses the endpoint in the instance’s subnet and port 3389 (or the host’s)', async () => {
    const manager = new FakeManager();
    const credentials = async () => ({ accessKeyId: 'AKIA', secretAccessKey: 's' });
    const opener = new EiceRdpTunnels(manager as unknown as Pick<TunnelManager, 'startListener'>, new FakeInventory(), async () => ({ credentials, useFips: false, principal: 'dev' }));
    const listener = await opener.open({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718', label: 'dc', platform: 'windows', hostId: 'h-abcdefgh12' }, { label: 'dc', maxConnections: 4 });
    expect(manager.started[0]).toEqual({
      target: { instanceId: 'i-0a1b2c3d4e5f60718', endpointId: 'eice-same', dnsName: 'a.example', fipsDnsName: 'fips.a.example', region: 'eu-west-1', privateIpAddress: '10.0.1.20', remotePort: 3389 },
      owner: { kind: 'rdp', label: 'dc', hostId: 'h-abcdefgh12' },
      options: { credentials, useFips: false, principal: 'dev', maxConnections: 4 },
    });
    expect([listener.tunnelId, listener.address, listener.port, listener.activeConnections()]).toEqual(['lis-1', '127.0.0.1', 51234, 0]);
    await opener.open({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718', label: 'dc', platform: 'windows', port: 3390 }, { label: 'dc', maxConnections: 4 });
    expect((manager.started[1]!.target as { remotePort: number }).remotePort).toBe(3390);
  });

  it('names the VPC when it has no endpoint, and refuses an instance without a private IP', async () => {
    const noEndpoint = new EiceRdpTunnels(new FakeManager() as unknown as Pick<TunnelManager, 'startListener'>, new FakeInventory(instance({ vpcEndpoints: [] })), async () => ({ credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }));
    await expect(noEndpoint.open({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718', label: 'dc', platform: 'windows' }, { label: 'dc', maxConnections: 4 })).rejects.toMatchObject({ code: 'EIC_NO_ENDPOINT', message: /vpc-1/ });
    const noIp = new EiceRdpTunnels(new FakeManager() as unknown as Pick<TunnelManager, 'startListener'>, new FakeInventory(instance({ privateIpv4: undefined })), async () => ({ credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }));
    await expect(noIp.open({ profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0a1b2c3d4e5f60718', label: 'dc', platform: 'windows' }, { label: 'dc', maxConnections: 4 })).rejects.toMatchObject({ code: 'EIC_TUNNEL_TARGET_UNREACHABLE' });
  });
});

describe('key files and the keychain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastionless-rdp-keyfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a key file, and explains a missing or oversized one', async () => {
    const reader = new FileKeyReader();
    writeFileSync(join(dir, 'k.pem'), '-----BEGIN RSA PRIVATE KEY-----\n...');
    expect(await reader.read(join(dir, 'k.pem'))).toMatch(/^-----BEGIN/);
    await expect(reader.read(join(dir, 'gone.pem'))).rejects.toMatchObject({ code: 'RDP_KEY_MISSING', message: /no longer exists/ });
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(100_000));
    await expect(reader.read(join(dir, 'big.bin'))).rejects.toMatchObject({ code: 'RDP_KEY_INVALID', message: /too large/ });
    await expect(reader.read(dir)).rejects.toMatchObject({ code: 'RDP_KEY_INVALID' });
  });

  it('turns the keychain’s null into undefined', async () => {
    const values = new Map<string, string>();
    const secrets = new KeychainSecrets({
      get: async (a) => values.get(a) ?? null,
      set: async (a, s) => void values.set(a, s),
      delete: async (a) => void values.delete(a),
    });
    expect(await secrets.get('keypair:dev:eu-west-1:k')).toBeUndefined();
    await secrets.set('keypair:dev:eu-west-1:k', 'pem');
    expect(await secrets.get('keypair:dev:eu-west-1:k')).toBe('pem');
    await secrets.delete('keypair:dev:eu-west-1:k');
    expect(values.size).toBe(0);
  });
});
