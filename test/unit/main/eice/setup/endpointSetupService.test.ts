import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EndpointSetupService } from '../../../../../main/eice/setup/endpointSetupService';
import type { Host } from '../../../../../preload/contract';
import { memoryLogger } from '../../../../support/fakes';
import { aHost } from '../../../../support/sshFakes';
import { aSetupInput, awsError, endpoint, FakeSetupEc2, SG_DEFAULT_A, SG_WEB, SG_WIN, SUBNET_A1, SUBNET_A2, SUBNET_A3, VPC_A, VPC_B } from './fakeSetupEc2';

let dataDir: string;
let fake: FakeSetupEc2;
let service: EndpointSetupService;
let hosts: Host[];
const inUse = new Map<string, number>();

/** A saved host of profile config:dev on `instanceId`. */
const host = (id: string, label: string, instanceId: string, overrides: Partial<Host> = {}): Host =>
  aHost({ id: id as Host['id'], label, instanceId, profileId: 'config:dev', ...overrides });

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'eice-setup-svc-'));
  fake = new FakeSetupEc2();
  hosts = [];
  inUse.clear();
  service = new EndpointSetupService({
    dataDir,
    log: memoryLogger().log,
    clientsFor: async () => ({ ec2: fake, profileName: 'dev' }),
    connectionsInUse: (id) => inUse.get(id) ?? 0,
    listHosts: async () => hosts,
    knownInstanceVpc: async (_p, _r, instanceId) => (instanceId === 'i-0000000000000000f' ? VPC_A : undefined),
  });
});

afterEach(async () => {
  await service.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('list', () => {
  it('shows endpoints with AZ health, groups, connections, dependents, and the Region quota', async () => {
    fake.world.endpoints.push(
      endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a', { SecurityGroupIds: [SG_DEFAULT_A], Tags: [{ Key: 'CreatedBy', Value: 'Bastionless' }] }),
      endpoint('eice-0bbbbbbbbbbbbbbb1', VPC_B, 'subnet-0bbbbbbbbbbbbb1a', 'us-east-1a', { State: 'delete-complete' }),
    );
    fake.world.zones[0] = { ZoneName: 'us-east-1a', ZoneId: 'use1-az1', State: 'impaired', Messages: [{ Message: 'Elevated error rates' }] };
    hosts = [
      host('h-aaaaaaaa', 'web-1', 'i-0000000000000000a'),
      host('h-bbbbbbbb', 'old box', 'i-0000000000000000f'),
      host('h-cccccccc', 'elsewhere', 'i-0000000000000000a', { region: 'eu-west-1' }),
    ];
    inUse.set('eice-0aaaaaaaaaaaaaaa1', 3);

    const overview = await service.list('config:dev', 'us-east-1');
    expect(overview).toMatchObject({ profileName: 'dev', region: 'us-east-1', quota: { used: 1, limit: 5 }, warnings: [] });
    const [live, gone] = overview.endpoints;
    expect(live).toMatchObject({
      id: 'eice-0aaaaaaaaaaaaaaa1',
      state: 'create-complete',
      usable: true,
      vpcName: 'prod',
      availabilityZone: 'us-east-1a',
      availabilityZoneState: 'impaired',
      availabilityZoneMessage: 'Elevated error rates',
      securityGroups: [{ id: SG_DEFAULT_A, name: 'default' }],
      connectionsInUse: 3,
      connectionLimit: 20,
      createdByBastionless: true,
      createdAt: '2025-01-02T03:04:05.000Z',
      fipsDnsName: expect.stringContaining('.fips.'),
    });
    expect(live?.dependentHosts.map((h) => h.label)).toEqual(['web-1', 'old box']);
    expect(gone).toMatchObject({ state: 'delete-complete', dependentHosts: [] });
    expect(overview.vpcs.map((v) => [v.vpcId, v.endpointId, v.instanceCount, v.subnetCount])).toEqual([
      [VPC_B, undefined, 0, 1],
      [VPC_A, 'eice-0aaaaaaaaaaaaaaa1', 3, 3],
    ]);
  });

  it('still lists when a side read fails, with a warning', async () => {
    fake.failNext.set('DescribeAvailabilityZones', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const overview = await service.list('config:dev', 'us-east-1');
    expect(overview.warnings.map((w) => w.code)).toEqual(['AWS_ACCESS_DENIED']);
  });

  it('fails with the endpoint listing’s own error', async () => {
    fake.failNext.set('DescribeInstanceConnectEndpoints', awsError('UnauthorizedOperation', 'no', 403));
    await expect(service.list('config:dev', 'us-east-1')).rejects.toMatchObject({ code: 'AWS_ACCESS_DENIED', hint: expect.stringContaining('ec2:DescribeInstanceConnectEndpoints') });
  });
});

describe('wizard facts', () => {
  it('subnets: choices and the recommendation', async () => {
    const options = await service.subnets('config:dev', 'us-east-1', VPC_A);
    expect(options.vpc).toMatchObject({ vpcId: VPC_A, name: 'prod', cidr: '10.0.0.0/16', instanceCount: 3, subnetCount: 3 });
    expect(options.subnets.map((s) => s.subnetId)).toEqual([SUBNET_A1, SUBNET_A2, SUBNET_A3]);
    expect(options.recommended?.subnetId).toBe(SUBNET_A2);
    expect(options.instancesByZone).toEqual([
      { availabilityZone: 'us-east-1b', count: 2 },
      { availabilityZone: 'us-east-1a', count: 1 },
    ]);
  });

  it('subnets of an unknown VPC fail with NOT_FOUND', async () => {
    await expect(service.subnets('config:dev', 'us-east-1', 'vpc-0fffffffffffffff1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('security groups: egress rules in words, checked for 22 and 3389 into the VPC', async () => {
    fake.world.groups.push({
      GroupId: 'sg-0aaaaaaaaaaaaaa22',
      GroupName: 'ssh-only-out',
      VpcId: VPC_A,
      IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
    });
    const options = await service.securityGroups('config:dev', 'us-east-1', VPC_A);
    expect(options).toMatchObject({ vpcCidr: '10.0.0.0/16', dedicatedName: `bastionless-eice-${VPC_A}` });
    expect(options.dedicatedEgress).toEqual(['TCP 22 to 10.0.0.0/16', 'TCP 3389 to 10.0.0.0/16']);
    const ssh = options.groups.find((g) => g.name === 'ssh-only-out');
    expect(ssh?.egress).toEqual(['TCP 22 to 10.0.0.0/16']);
    expect(ssh?.egressChecks).toEqual([
      { port: 22, verdict: 'allowed', by: 'TCP 22 to 10.0.0.0/16' },
      { port: 3389, verdict: 'denied' },
    ]);
    expect(options.groups.find((g) => g.groupId === SG_WEB)?.egressChecks.map((c) => c.verdict)).toEqual(['allowed', 'allowed']);
  });

  it('review: quotas first, then the exact calls', async () => {
    const review = await service.review(aSetupInput());
    expect(review.quota).toEqual({ used: 1, limit: 5 });
    expect(review.calls.map((c) => c.action)).toEqual([
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:CreateInstanceConnectEndpoint',
      'ec2:DescribeInstanceConnectEndpoints',
    ]);
    expect(review.notes[0]).toBe(`The endpoint will live in us-east-1b and serve every subnet of ${VPC_A}.`);
    expect(fake.calls.filter((c) => !c.startsWith('Describe'))).toEqual([]);

    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a'));
    await expect(service.review(aSetupInput())).rejects.toMatchObject({ code: 'EIC_QUOTA_EXCEEDED', message: expect.stringContaining('eice-0aaaaaaaaaaaaaaa1') });
  });

  it('review refuses a subnet of another VPC and a group of another VPC', async () => {
    await expect(service.review(aSetupInput({ subnetId: 'subnet-0bbbbbbbbbbbbb1a' }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.review(aSetupInput({ securityGroup: { mode: 'existing', groupIds: ['sg-0bbbbbbbbbbbbbdef'] } }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('another VPC'),
    });
  });

  it('checkPermissions: dry-runs each call and names the refused IAM action', async () => {
    fake.denied.add('CreateInstanceConnectEndpoint');
    const report = await service.checkPermissions(aSetupInput());
    expect(report.missing).toEqual(['ec2:CreateInstanceConnectEndpoint']);
    expect(report.checks.find((c) => c.action === 'ec2:CreateSecurityGroup')?.allowed).toBe('yes');
    expect(report.checks.find((c) => c.action === 'ec2:CreateInstanceConnectEndpoint')).toMatchObject({ allowed: 'no', message: expect.stringContaining('not authorized') });
    expect(report.checks.find((c) => c.action === 'iam:CreateServiceLinkedRole')?.allowed).toBe('unknown');
    // Nothing was created: every call went as a DryRun.
    expect(fake.calls.filter((c) => !c.startsWith('Describe') && !c.startsWith('DryRun:'))).toEqual([]);
    expect(fake.world.groups).toHaveLength(4);
  });
});

describe('checkPermissions with an implied action', () => {
  it('names the action AWS refused, even when the call only implies it, without the encoded blob', async () => {
    fake.deniedAs.set('CreateInstanceConnectEndpoint', 'ec2:CreateTags');
    const report = await service.checkPermissions(aSetupInput());
    expect(report.missing).toEqual(['ec2:CreateTags']);
    const check = report.checks.find((c) => c.action === 'ec2:CreateInstanceConnectEndpoint');
    expect(check).toMatchObject({ allowed: 'no', deniedAction: 'ec2:CreateTags' });
    expect(check?.message).not.toContain('AbCdEf0123');
  });
});

describe('open the path', () => {
  beforeEach(() => {
    fake.world.groups.push({ GroupId: 'sg-0aaaaaaaaaaaaaeic', GroupName: `bastionless-eice-${VPC_A}`, VpcId: VPC_A, IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }, { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A2, 'us-east-1b', { SecurityGroupIds: ['sg-0aaaaaaaaaaaaaeic'] }));
  });

  it('lists instances that need a rule and proposes one per group and port', async () => {
    const plan = await service.pathPlan('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1');
    expect(plan.instances.map((i) => [i.name, i.port, i.status, i.egressBlocked])).toEqual([
      ['web-1', 22, 'needsRule', false],
      ['web-2', 22, 'needsRule', false],
      ['win-1', 3389, 'needsRule', false],
    ]);
    expect(plan.rules.map((r) => [r.groupId, r.port, r.instanceIds.length, r.text])).toEqual([
      [SG_WEB, 22, 2, `TCP 22 from sg-0aaaaaaaaaaaaaeic (bastionless-eice-${VPC_A})`],
      [SG_WIN, 3389, 1, `TCP 3389 from sg-0aaaaaaaaaaaaaeic (bastionless-eice-${VPC_A})`],
    ]);
  });

  it('adds the chosen rules (source = the endpoint’s group), then nothing is left to add', async () => {
    const { results, plan } = await service.addRules('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', [
      { groupId: SG_WEB, port: 22 },
      { groupId: SG_WIN, port: 3389 },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['added', 'added']);
    expect(plan.rules).toEqual([]);
    expect(plan.instances.every((i) => i.status === 'open')).toBe(true);
    expect(plan.instances[0]?.allowedBy).toBe(`TCP 22 from sg-0aaaaaaaaaaaaaeic (bastionless-eice-${VPC_A})`);
    expect(fake.world.groups.find((g) => g.GroupId === SG_WEB)?.IpPermissions?.at(-1)).toMatchObject({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-0aaaaaaaaaaaaaeic' }] });
  });

  it('refuses a rule that was not proposed, before adding any', async () => {
    await expect(
      service.addRules('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', [
        { groupId: SG_WEB, port: 22 },
        { groupId: SG_WEB, port: 8080 },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('TCP 8080 on') });
    expect(fake.calls).not.toContain('AuthorizeSecurityGroupIngress');
  });

  it('reports a refused rule without stopping the others', async () => {
    fake.failNext.set('AuthorizeSecurityGroupIngress', awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const { results } = await service.addRules('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', [
      { groupId: SG_WEB, port: 22 },
      { groupId: SG_WIN, port: 3389 },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'added']);
    expect(results[0]?.error?.hint).toContain('ec2:AuthorizeSecurityGroupIngress');
  });

  it('flags an instance the endpoint’s own group cannot reach', async () => {
    const eic = fake.world.groups.find((g) => g.GroupId === 'sg-0aaaaaaaaaaaaaeic');
    if (eic) eic.IpPermissionsEgress = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }];
    const plan = await service.pathPlan('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1');
    expect(plan.instances.find((i) => i.name === 'win-1')?.egressBlocked).toBe(true);
  });
});

describe('move options', () => {
  it('offers subnets in other AZs, recommends one, and explains the downtime', async () => {
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A2, 'us-east-1b'));
    inUse.set('eice-0aaaaaaaaaaaaaaa1', 2);
    const options = await service.moveOptions('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1');
    expect(options.candidates.map((c) => c.subnetId)).toEqual([SUBNET_A1]);
    expect(options.recommended?.subnetId).toBe(SUBNET_A1);
    expect(options.downtime).toContain('first deletes eice-0aaaaaaaaaaaaaaa1');
    expect(options.downtime).toContain('the 2 live connections through it now will drop');
  });
});
