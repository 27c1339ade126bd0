import { describe, expect, it } from 'vitest';
import { AppError, type Host, type Instance } from '../../../../../preload/contract';
import { HostTargetResolver, type HostLookup, type InstanceLookup } from '../../../../../main/ssh/adapters/hostTargetResolver';
import { aHost, anInstance } from '../../../../support/sshFakes';

class Hosts implements HostLookup {
  constructor(readonly hosts: Host[]) {}
  async get(hostId: string): Promise<Host> {
    const host = this.hosts.find((h) => h.id === hostId);
    if (!host) throw new AppError('NOT_FOUND', 'No such host.');
    return host;
  }
}

/** Serves a cached instance, and a fresh one when asked to refresh; records the calls. */
class Inventory implements InstanceLookup {
  readonly calls: { refresh: boolean }[] = [];
  constructor(
    private cached: Instance,
    private readonly fresh: Instance = cached,
  ) {}
  async getInstance(_p: string, _r: string, _i: string, options: { refresh?: boolean } = {}): Promise<Instance> {
    this.calls.push({ refresh: options.refresh === true });
    if (options.refresh) this.cached = this.fresh;
    return this.cached;
  }
}

describe('HostTargetResolver', () => {
  it('resolves a saved host from cached facts, with its user, port, login and auto-reconnect', async () => {
    const inventory = new Inventory(anInstance());
    const host = aHost({ osUser: 'admin', port: 2222, autoReconnect: true, auth: { method: 'keyPair', key: { store: 'keychain' } } });
    const target = await new HostTargetResolver(new Hosts([host]), inventory).resolve({ kind: 'host', hostId: host.id });
    expect(target).toEqual({
      hostId: host.id,
      instanceId: 'i-0123456789abcdef0',
      profileId: 'config:default',
      region: 'us-east-1',
      name: 'Web (prod)',
      osUser: 'admin',
      port: 2222,
      privateIp: '10.0.1.5',
      availabilityZone: 'us-east-1a',
      vpcId: 'vpc-0abc',
      subnetId: 'subnet-0abc',
      platform: 'linux',
      auth: { method: 'keyPair', key: { source: 'keychain', account: `host:${host.id}:privateKey` } },
      autoReconnect: true,
    });
    expect(inventory.calls).toEqual([{ refresh: false }]);
  });

  it('connects with the host\'s own profile when another profile of the account lists the instance', async () => {
    const listed = anInstance({ profileId: 'config:admin', profileIds: ['config:admin', 'config:default'], accountId: '123456789012' });
    const host = aHost({ profileId: 'config:default' });
    const target = await new HostTargetResolver(new Hosts([host]), new Inventory(listed)).resolve({ kind: 'host', hostId: host.id });
    expect(target.profileId).toBe('config:default');
    const discovered = await new HostTargetResolver(new Hosts([]), new Inventory(listed)).resolve({ kind: 'instance', profileId: 'config:default', region: 'us-east-1', instanceId: listed.instanceId });
    expect(discovered.profileId).toBe('config:default');
  });

  it('maps a key file and a keychain password', async () => {
    const file = aHost({ auth: { method: 'keyPair', key: { store: 'file', path: '/k/prod.pem' } } });
    const password = aHost({ id: 'h-passwordhost' as Host['id'], auth: { method: 'password' } });
    const resolver = new HostTargetResolver(new Hosts([file, password]), new Inventory(anInstance()));
    expect((await resolver.resolve({ kind: 'host', hostId: file.id })).auth).toEqual({ method: 'keyPair', key: { source: 'file', path: '/k/prod.pem' } });
    expect((await resolver.resolve({ kind: 'host', hostId: password.id })).auth).toEqual({ method: 'password', savedPassword: { account: 'host:h-passwordhost:password' } });
  });

  it('resolves a discovered instance with the AMI\'s default user and EC2 Instance Connect, unless told otherwise', async () => {
    const resolver = new HostTargetResolver(new Hosts([]), new Inventory(anInstance({ os: { ...anInstance().os, defaultUser: 'ubuntu' } })));
    const request = { kind: 'instance' as const, instanceId: 'i-0123456789abcdef0', profileId: 'config:default', region: 'us-east-1' };
    expect(await resolver.resolve(request)).toMatchObject({ osUser: 'ubuntu', port: 22, auth: { method: 'eic' }, autoReconnect: false, name: 'web-1' });
    expect(await resolver.resolve({ ...request, osUser: 'deploy', port: 2200 })).toMatchObject({ osUser: 'deploy', port: 2200 });
  });

  it('reads an instance the cache calls stopped again before giving up', async () => {
    const inventory = new Inventory(anInstance({ state: 'stopped' }), anInstance({ state: 'running' }));
    const target = await new HostTargetResolver(new Hosts([]), inventory).resolve({ kind: 'instance', instanceId: 'i-0123456789abcdef0', profileId: 'config:default', region: 'us-east-1' });
    expect(target.privateIp).toBe('10.0.1.5');
    expect(inventory.calls).toEqual([{ refresh: false }, { refresh: true }]);
  });

  it('refuses an instance that is not running, saying what to do', async () => {
    const resolver = new HostTargetResolver(new Hosts([]), new Inventory(anInstance({ state: 'stopped' })));
    await expect(resolver.resolve({ kind: 'instance', instanceId: 'i-0123456789abcdef0', profileId: 'config:default', region: 'us-east-1' })).rejects.toMatchObject({
      code: 'EIC_TUNNEL_TARGET_UNREACHABLE',
      message: 'web-1 (i-0123456789abcdef0) is stopped, and only a running instance can be reached.',
      hint: 'Start it in the EC2 console, wait until it is running, then retry.',
    });
  });

  it('uses the IPv6 address of an IPv6-only instance, and refuses one with no private address', async () => {
    const v6 = new HostTargetResolver(new Hosts([]), new Inventory(anInstance({ privateIpv4: undefined, ipv6: ['2600:1f18::5'] })));
    const request = { kind: 'instance' as const, instanceId: 'i-0123456789abcdef0', profileId: 'config:default', region: 'us-east-1' };
    expect((await v6.resolve(request)).privateIp).toBe('2600:1f18::5');
    const none = new HostTargetResolver(new Hosts([]), new Inventory(anInstance({ privateIpv4: undefined })));
    await expect(none.resolve(request)).rejects.toMatchObject({ code: 'EIC_TUNNEL_TARGET_UNREACHABLE' });
  });

  it('passes NOT_FOUND through for an unknown host', async () => {
    const resolver = new HostTargetResolver(new Hosts([]), new Inventory(anInstance()));
    await expect(resolver.resolve({ kind: 'host', hostId: 'h-missing0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives "Copy SSH config" the saved host without calling AWS', async () => {
    const inventory = new Inventory(anInstance());
    const host = aHost();
    expect(await new HostTargetResolver(new Hosts([host]), inventory).resolveHost(host.id)).toEqual({
      hostId: host.id,
      instanceId: host.instanceId,
      profileId: host.profileId,
      region: host.region,
      name: host.label,
      osUser: 'ec2-user',
      port: 22,
      platform: 'linux',
      auth: { method: 'eic' },
    });
    expect(inventory.calls).toEqual([]);
  });
});
