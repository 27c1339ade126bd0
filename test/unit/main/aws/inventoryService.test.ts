import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLIC_IPV4_MONTHLY_USD } from '../../../../main/aws/inventory/instanceFacts';
import { InventoryService } from '../../../../main/aws/inventory/inventoryService';
import { InventorySnapshot, type InventoryScope, type Profile } from '../../../../preload/contract';
import { memoryLogger } from '../../../support/fakes';
import { awsError, ec2Endpoint, ec2Instance, FakeEc2, type RegionWorld } from './fakeEc2';

function profile(overrides: Partial<Profile> = {}): Profile {
  return { id: 'env', name: 'Environment', kind: 'environment', source: 'environment', region: 'eu-west-1', isDefault: true, hasSecret: true, hasSessionToken: false, useFips: false, problems: [], ...overrides };
}

const WORLD: Record<string, RegionWorld> = {
  'eu-west-1': {
    instances: [
      ec2Instance({ InstanceId: 'i-0000000000000a001', name: 'web-1', PublicIpAddress: '54.1.2.3' }),
      ec2Instance({ InstanceId: 'i-0000000000000a002', name: 'api-ubuntu', ImageId: 'ami-0ubuntu', PrivateIpAddress: '10.0.1.11' }),
      ec2Instance({ InstanceId: 'i-0000000000000a003', name: 'legacy', ImageId: 'ami-0oldal2', KeyName: undefined }),
      ec2Instance({ InstanceId: 'i-0000000000000a004', name: 'stopped', State: { Name: 'stopped' } }),
      ec2Instance({ InstanceId: 'i-0000000000000a005', name: 'other-vpc', VpcId: 'vpc-0bbb', SubnetId: 'subnet-0bbb', PublicIpAddress: '54.1.2.4' }),
      ec2Instance({ InstanceId: 'i-0000000000000a006', name: 'gone', State: { Name: 'terminated' } }),
      ec2Instance({ InstanceId: 'i-0000000000000a007', name: 'win', ImageId: 'ami-0win', Platform: 'windows' as never, PlatformDetails: 'Windows' }),
    ],
    endpoints: [ec2Endpoint(), ec2Endpoint({ InstanceConnectEndpointId: 'eice-0ccc', VpcId: 'vpc-0ccc', SubnetId: 'subnet-0ccc', State: 'create-in-progress' })],
    pageSize: 2,
  },
  'us-east-1': { instances: [ec2Instance({ InstanceId: 'i-0000000000000b001', name: 'east', Placement: { AvailabilityZone: 'us-east-1a' } })], endpoints: [ec2Endpoint()] },
  'ap-east-1': { fail: awsError('AuthFailure', 'AWS was not able to validate the provided access credentials') },
};

/** Which account each profile's credentials belong to (what STS GetCallerIdentity would say), or why it cannot tell. */
type Accounts = Record<string, string | Error>;

function inventory(options: { world?: Record<string, RegionWorld>; profiles?: Profile[]; regionsError?: Error; dataDir?: string; accounts?: Accounts } = {}) {
  const world = options.world ?? WORLD;
  const clients = new Map<string, FakeEc2>();
  const progress: { runId: string; scope: InventoryScope; completed: number; total: number }[] = [];
  const profiles = options.profiles ?? [profile()];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bl-inventory-'));
  const accountCalls: string[] = [];
  const accounts = options.accounts;
  const service = new InventoryService({
    dataDir,
    log: memoryLogger().log,
    concurrency: 2,
    listProfiles: async () => profiles,
    forProfile: async (profileId, region) => {
      const p = profiles.find((x) => x.id === profileId)!;
      const r = region ?? p.region ?? 'us-east-1';
      const client = clients.get(`${profileId}/${r}`) ?? new FakeEc2(r, world, options.regionsError);
      clients.set(`${profileId}/${r}`, client);
      return { region: r, profileName: p.name, ec2: client.asClient() };
    },
    ...(accounts
      ? {
          accountOf: async (profileId: string) => {
            accountCalls.push(profileId);
            const account = accounts[profileId];
            if (account instanceof Error || account === undefined) throw account ?? new Error(`no account for ${profileId}`);
            return account;
          },
        }
      : {}),
    onProgress: (p) => progress.push(p),
  });
  return { service, progress, clients, dataDir, accountCalls };
}

describe('InventoryService', () => {
  it('scans every enabled Region, reports a failing one on its scope, and keeps the others', async () => {
    const { service, progress } = inventory();
    const snapshot = await service.refresh({});
    InventorySnapshot.parse(snapshot);
    const scopes = Object.fromEntries(snapshot.scopes.map((s) => [s.region, s]));
    expect(Object.keys(scopes).sort()).toEqual(['ap-east-1', 'eu-west-1', 'us-east-1']);
    expect(scopes['eu-west-1']).toMatchObject({ state: 'done', instanceCount: 6, endpointCount: 2 });
    expect(scopes['us-east-1']).toMatchObject({ state: 'done', instanceCount: 1 });
    expect(scopes['ap-east-1']).toMatchObject({ state: 'failed', error: { code: 'AWS_CREDENTIALS_INVALID', requestId: 'req-AuthFailure' } });
    expect(scopes['ap-east-1']!.error!.message).toContain('in ap-east-1 with profile "Environment"');
    expect(snapshot.running).toBe(false);
    // Terminated instances are left out; paging went through all pages.
    expect(snapshot.instances.map((i) => i.instanceId).sort()).toEqual([
      'i-0000000000000a001', 'i-0000000000000a002', 'i-0000000000000a003', 'i-0000000000000a004', 'i-0000000000000a005', 'i-0000000000000a007', 'i-0000000000000b001',
    ]);
    // Progress went queued -> loading -> done/failed for each scope, ending with all complete.
    const last = progress.at(-1)!;
    expect(last.completed).toBe(last.total);
    expect(progress.filter((p) => p.scope.region === 'eu-west-1').map((p) => p.scope.state)).toEqual(['queued', 'loading', 'done']);
  });

  it('works out each instance’s facts, EIC readiness and public IPv4 cost', async () => {
    const { service } = inventory();
    const { instances, totals } = await service.refresh({ regions: ['eu-west-1'] });
    const byName = Object.fromEntries(instances.map((i) => [i.name, i]));
    expect(byName['web-1']).toMatchObject({
      state: 'running',
      platform: 'linux',
      privateIpv4: '10.0.1.10',
      publicIpv4: '54.1.2.3',
      vpcId: 'vpc-0aaa',
      vpcName: 'vpc-0aaa-name',
      subnetId: 'subnet-0aaa',
      availabilityZone: 'eu-west-1a',
      securityGroups: [{ id: 'sg-0aaa', name: 'web' }],
      keyName: 'main-key',
      ami: { id: 'ami-0al2023', name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', creationDate: '2024-12-12T00:00:00.000Z' },
      os: { family: 'amazonLinux2023', defaultUser: 'ec2-user', eicPackage: 'preinstalled' },
      tags: { Name: 'web-1', env: 'prod' },
      eic: { ready: true, endpointId: 'eice-0aaa', blockers: [] },
      publicIpv4MonthlyUsd: PUBLIC_IPV4_MONTHLY_USD,
    });
    expect(byName['api-ubuntu']).toMatchObject({ os: { name: 'Ubuntu 22.04', defaultUser: 'ubuntu' }, eic: { ready: true }, publicIpv4MonthlyUsd: 0 });
    expect(byName['legacy']!.eic).toMatchObject({ ready: false, blockers: [{ code: 'packageMissing', blocking: true }] });
    expect(byName['legacy']!.eic.blockers[0]!.hint).toContain('sudo yum install -y ec2-instance-connect');
    expect(byName['stopped']!.eic.blockers.map((b: { code: string }) => b.code)).toEqual(['notRunning']);
    expect(byName['other-vpc']!.eic).toMatchObject({ ready: false, blockers: [{ code: 'noEndpoint', message: 'No EC2 Instance Connect Endpoint in vpc-0bbb.' }] });
    expect(byName['win']).toMatchObject({ platform: 'windows', os: { name: 'Windows Server 2022', defaultUser: 'Administrator' }, eic: { ready: true } });
    expect(totals).toEqual({ instances: 6, publicIpv4: 2, publicIpv4MonthlyUsd: 7.3 });
  });

  it('explains an AuthFailure in a Region that is not enabled as a disabled Region', async () => {
    const world = { ...WORLD, 'ap-east-1': { ...WORLD['ap-east-1'], optIn: 'not-opted-in' as const } };
    const { service } = inventory({ world });
    const all = await service.refresh({});
    // Not listed by default: DescribeRegions leaves out Regions that are not enabled.
    expect(all.scopes.map((s) => s.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    const asked = await service.refresh({ regions: ['us-east-1', 'ap-east-1'] });
    const scope = asked.scopes.find((s) => s.region === 'ap-east-1')!;
    expect(scope).toMatchObject({ state: 'failed', error: { code: 'AWS_REGION_DISABLED', requestId: 'req-AuthFailure' } });
    expect(scope.error!.hint).toContain('Account > AWS Regions');
  });

  it('reports an endpoint that is not ready yet', async () => {
    const world = { 'eu-west-1': { instances: [ec2Instance({ VpcId: 'vpc-0ccc', SubnetId: 'subnet-0ccc' })], endpoints: [ec2Endpoint({ VpcId: 'vpc-0ccc', SubnetId: 'subnet-0ccc', State: 'create-in-progress' })] } };
    const { service } = inventory({ world });
    const [instance] = (await service.refresh({ regions: ['eu-west-1'] })).instances;
    expect(instance!.eic.blockers[0]).toMatchObject({ code: 'endpointNotReady', blocking: true });
    expect(instance!.eic.blockers[0]!.message).toContain('create-in-progress');
  });

  it('still scans the profile’s own Region when DescribeRegions is denied', async () => {
    const { service } = inventory({ regionsError: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.') });
    const snapshot = await service.refresh({});
    expect(snapshot.scopes.map((s) => [s.region, s.state])).toEqual([
      ['*', 'failed'],
      ['eu-west-1', 'done'],
    ]);
    expect(snapshot.scopes[0]!.error!.code).toBe('AWS_ACCESS_DENIED');
  });

  it('keeps instances of scopes it did not scan, and replaces those it did', async () => {
    const { service } = inventory();
    await service.refresh({ regions: ['eu-west-1', 'us-east-1'] });
    const again = await service.refresh({ regions: ['us-east-1'] });
    expect(again.instances.filter((i) => i.region === 'eu-west-1')).toHaveLength(6);
    expect(again.instances.filter((i) => i.region === 'us-east-1')).toHaveLength(1);
  });

  it('leaves out instances of profiles that were removed', async () => {
    const profiles = [profile(), profile({ id: 'app:0000000000000001', name: 'gone', kind: 'appManaged', source: 'app', isDefault: false })];
    const { service } = inventory({ profiles });
    await service.refresh({ profileIds: ['env', 'app:0000000000000001'], regions: ['us-east-1'] });
    expect((await service.last()).instances).toHaveLength(2);
    profiles.pop();
    const last = await service.last();
    expect(last.instances.map((i) => i.profileId)).toEqual(['env']);
    expect(last.scopes.map((s) => s.profileId)).toEqual(['env']);
    expect(last.totals.instances).toBe(1);
  });

  it('keeps the last inventory across restarts', async () => {
    const first = inventory();
    await first.service.refresh({ regions: ['eu-west-1'] });
    await first.service.dispose();
    const second = inventory({ dataDir: first.dataDir });
    const last = await second.service.last();
    expect(last.instances).toHaveLength(6);
    expect(last.running).toBe(false);
  });

  it('serves one instance from the cache, or from AWS when asked', async () => {
    const { service, clients } = inventory();
    await service.refresh({ regions: ['eu-west-1'] });
    const client = clients.get('env/eu-west-1')!;
    const before = client.calls.length;
    const cached = await service.getInstance('env', 'eu-west-1', 'i-0000000000000a001');
    expect(cached.name).toBe('web-1');
    expect(client.calls.length).toBe(before);
    const fresh = await service.getInstance('env', 'eu-west-1', 'i-0000000000000a001', { refresh: true });
    expect(fresh.eic.endpointId).toBe('eice-0aaa');
    expect(client.calls.slice(before)).toEqual(['eu-west-1:DescribeInstancesCommand', 'eu-west-1:DescribeImagesCommand', 'eu-west-1:DescribeInstanceConnectEndpointsCommand', 'eu-west-1:DescribeVpcsCommand']);
    await expect(service.getInstance('env', 'eu-west-1', 'i-00000000000000bad')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await service.vpcEndpoints('env', 'eu-west-1', 'vpc-0aaa')).map((e) => e.id)).toEqual(['eice-0aaa']);
  });

  it('lets a newer refresh cancel a running one', async () => {
    const { service } = inventory();
    const first = service.refresh({});
    const second = service.refresh({ regions: ['us-east-1'] });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await second).scopes.some((s) => s.region === 'us-east-1' && s.state === 'done')).toBe(true);
  });

  it('picks quiet profiles by default and refuses unknown ones', async () => {
    const profiles = [
      profile(),
      profile({ id: 'config:admin', name: 'admin', kind: 'assumeRole', source: 'config', isDefault: false, mfaSerial: 'arn:aws:iam::1:mfa/a' }),
      profile({ id: 'config:sso', name: 'sso', kind: 'sso', source: 'config', isDefault: false }),
    ];
    const { service } = inventory({ profiles });
    const snapshot = await service.refresh({ regions: ['us-east-1'] });
    expect([...new Set(snapshot.scopes.map((s) => s.profileId))]).toEqual(['env']);
    await expect(service.refresh({ profileIds: ['config:nope'] })).rejects.toMatchObject({ code: 'AWS_PROFILE_NOT_FOUND' });
    const none = inventory({ profiles: [] });
    await expect(none.service.refresh({})).rejects.toMatchObject({ code: 'AWS_CREDENTIALS_MISSING' });
  });

  describe('two profiles of one account', () => {
    const two = (): Profile[] => [profile(), profile({ id: 'config:dev', name: 'dev', kind: 'static', source: 'config', isDefault: false })];
    const ids = (instances: { instanceId: string }[]) => instances.map((i) => i.instanceId).sort();

    it('lists each instance once, with every profile that reaches it, and costs its public IPv4 once', async () => {
      const { service, accountCalls } = inventory({ profiles: two(), accounts: { env: '111111111111', 'config:dev': '111111111111' } });
      const alone = await inventory().service.refresh({ regions: ['eu-west-1', 'us-east-1'] });
      const snapshot = await service.refresh({ profileIds: ['config:dev', 'env'], regions: ['eu-west-1', 'us-east-1'] });
      expect(ids(snapshot.instances)).toEqual(ids(alone.instances));
      expect(snapshot.instances).toHaveLength(7);
      // The Profiles view's order decides which profile connects by default, not the scan's.
      expect(snapshot.instances.every((i) => i.profileId === 'env' && i.accountId === '111111111111')).toBe(true);
      expect(snapshot.instances.every((i) => JSON.stringify(i.profileIds) === JSON.stringify(['env', 'config:dev']))).toBe(true);
      expect(snapshot.totals).toEqual(alone.totals);
      expect(snapshot.totals).toMatchObject({ instances: 7, publicIpv4: 2, publicIpv4MonthlyUsd: Math.round(2 * PUBLIC_IPV4_MONTHLY_USD * 100) / 100 });
      // Each profile still has its own scopes, and was asked its account once.
      expect(snapshot.scopes.filter((sc) => sc.state === 'done').map((sc) => `${sc.profileId}/${sc.region}/${sc.instanceCount}`).sort()).toEqual(['config:dev/eu-west-1/6', 'config:dev/us-east-1/1', 'env/eu-west-1/6', 'env/us-east-1/1']);
      expect(accountCalls.sort()).toEqual(['config:dev', 'env']);
      InventorySnapshot.parse(snapshot);
    });

    it('finds the instance for either profile, and refreshing it through the other keeps it listed once', async () => {
      const { service } = inventory({ profiles: two(), accounts: { env: '111111111111', 'config:dev': '111111111111' } });
      await service.refresh({ profileIds: ['env', 'config:dev'], regions: ['eu-west-1'] });
      expect((await service.getInstance('config:dev', 'eu-west-1', 'i-0000000000000a001')).name).toBe('web-1');
      expect(await service.knownInstance('config:dev', 'eu-west-1', 'i-0000000000000a001')).toMatchObject({ profileId: 'env', profileIds: ['env', 'config:dev'] });
      expect(await service.knownInstance('config:other', 'eu-west-1', 'i-0000000000000a001')).toBeUndefined();
      const fresh = await service.getInstance('config:dev', 'eu-west-1', 'i-0000000000000a001', { refresh: true });
      expect(fresh).toMatchObject({ profileId: 'env', profileIds: ['env', 'config:dev'], accountId: '111111111111' });
      const last = await service.last();
      expect(last.instances.filter((i) => i.instanceId === 'i-0000000000000a001')).toHaveLength(1);
      expect(last.totals.instances).toBe(6);
    });

    it('keeps what a profile reaches when only the other is scanned again, and when one is removed', async () => {
      const profiles = two();
      const { service } = inventory({ profiles, accounts: { env: '111111111111', 'config:dev': '111111111111' } });
      await service.refresh({ profileIds: ['env', 'config:dev'], regions: ['us-east-1'] });
      const again = await service.refresh({ profileIds: ['config:dev'], regions: ['us-east-1'] });
      expect(again.instances).toEqual([expect.objectContaining({ instanceId: 'i-0000000000000b001', profileId: 'env', profileIds: ['env', 'config:dev'] })]);
      profiles.shift();
      const last = await service.last();
      expect(last.instances).toHaveLength(1);
      expect(last.instances[0]).toMatchObject({ profileId: 'config:dev' });
      expect(last.instances[0]!.profileIds).toBeUndefined();
    });

    it('never merges across accounts, nor when a profile\'s account cannot be told', async () => {
      const other = inventory({ profiles: two(), accounts: { env: '111111111111', 'config:dev': '222222222222' } });
      const split = await other.service.refresh({ profileIds: ['env', 'config:dev'], regions: ['us-east-1'] });
      expect(split.instances.map((i) => `${i.profileId}/${i.accountId}`)).toEqual(['env/111111111111', 'config:dev/222222222222']);
      expect(split.totals.instances).toBe(2);
      const unknown = inventory({ profiles: two(), accounts: { env: '111111111111', 'config:dev': new Error('ExpiredToken') } });
      const kept = await unknown.service.refresh({ profileIds: ['env', 'config:dev'], regions: ['us-east-1'] });
      expect(kept.instances.map((i) => i.profileId)).toEqual(['env', 'config:dev']);
      expect(kept.instances[1]!.accountId).toBeUndefined();
    });
  });
});
