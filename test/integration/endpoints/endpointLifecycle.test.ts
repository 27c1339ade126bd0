import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sdkSetupEc2 } from '../../../main/eice/setup/setupEc2';
import { mapEndpointError } from '../../../main/eice/setup/setupErrors';
import type { SandboxPrincipal } from '../../sandbox/index';
import { DEFAULT_SCENARIO_FILE, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadScenarioFile } from '../../sandbox/scenario';
import { ended, sandboxEc2, serviceRig, stepActive, type ServiceRig } from './endpointRig';

const PROD_VPC = 'vpc-0a1b2c3d4e5f60001';
const DATA_VPC = 'vpc-0a1b2c3d4e5f60002';
const PROD_ENDPOINT = 'eice-0a1b2c3d4e5f60901';
const PROD_PRIVATE_A = 'subnet-0a1b2c3d4e5f60011';
const DATA_PRIVATE_B = 'subnet-0a1b2c3d4e5f60032';
const EICE_GROUP = 'sg-0a1b2c3d4e5f60101';
const WEB_ONLY_GROUP = 'sg-0a1b2c3d4e5f60104';

const setup = (overrides: Record<string, unknown> = {}) => ({
  profileId: 'env',
  region: 'us-east-1',
  vpcId: DATA_VPC,
  subnetId: DATA_PRIVATE_B,
  securityGroup: { mode: 'create' as const },
  preserveClientIp: false,
  ...overrides,
});

let sandbox: Sandbox;
const rigs: ServiceRig[] = [];
const rig = (options?: Parameters<typeof serviceRig>[1]): ServiceRig => {
  const r = serviceRig(sandbox, options);
  rigs.push(r);
  return r;
};

beforeAll(async () => {
  // The API only: no sshd or RDP server is needed here.
  const scenario = loadScenarioFile(DEFAULT_SCENARIO_FILE);
  sandbox = await startSandbox({ scenario: { ...scenario, timing: { ...scenario.timing, endpointCreateSeconds: 1, endpointDeleteSeconds: 1 } }, withoutInstanceServers: true });
});

afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.dispose()));
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('the wizard against the sandbox', () => {
  it('recommends a subnet, reviews, passes the DryRun check, and creates an endpoint in a VPC without one', async () => {
    const r = rig();
    const subnets = await r.service.subnets('env', 'us-east-1', DATA_VPC);
    expect(subnets.vpc).toMatchObject({ vpcId: DATA_VPC, name: 'data-vpc' });
    expect(subnets.subnets.map((s) => [s.subnetId, s.availabilityZone, s.routing])).toEqual([
      ['subnet-0a1b2c3d4e5f60031', 'us-east-1a', 'private'],
      [DATA_PRIVATE_B, 'us-east-1b', 'private'],
    ]);
    // analytics-worker runs in us-east-1a.
    expect(subnets.recommended?.subnetId).toBe('subnet-0a1b2c3d4e5f60031');

    const review = await r.service.review(setup());
    expect(review.quota).toEqual({ used: 2, limit: 5 });
    const permissions = await r.service.checkPermissions(setup());
    expect(permissions.missing).toEqual([]);
    expect(permissions.checks.filter((c) => c.allowed === 'yes').map((c) => c.action)).toEqual([
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:CreateInstanceConnectEndpoint',
      'ec2:DescribeInstanceConnectEndpoints',
    ]);

    const op = await r.service.create(setup());
    const done = await r.until(ended(op.operationId));
    expect(done.error).toBeUndefined();
    expect(done).toMatchObject({ status: 'succeeded', endpointState: 'create-complete', availabilityZone: 'us-east-1b' });
    const endpoint = sandbox.world.endpoints().find((e) => e.id === done.endpointId);
    expect(endpoint).toMatchObject({ vpcId: DATA_VPC, subnetId: DATA_PRIVATE_B, state: 'create-complete' });

    const group = (await r.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [done.createdGroup?.groupId ?? ''] }))).SecurityGroups?.[0];
    expect(group?.GroupName).toBe(`bastionless-eice-${DATA_VPC}`);
    expect(group?.IpPermissions).toEqual([]);
    expect(group?.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges?.map((x) => x.CidrIp)])).toEqual([
      ['tcp', 22, ['10.1.0.0/16']],
      ['tcp', 3389, ['10.1.0.0/16']],
    ]);
    expect(group?.Tags).toContainEqual({ Key: 'CreatedBy', Value: 'Bastionless' });

    const overview = await r.service.list('env', 'us-east-1');
    expect(overview.quota).toEqual({ used: 2, limit: 5 });
    const row = overview.endpoints.find((e) => e.id === done.endpointId);
    expect(row).toMatchObject({ createdByBastionless: true, usable: true, securityGroups: [{ id: group?.GroupId, name: `bastionless-eice-${DATA_VPC}` }], availabilityZoneState: 'available' });
    expect(row?.dnsName).toMatch(/ec2-instance-connect-endpoint/);

    // Delete it (and its group) again so the other tests see the default world.
    const deleting = await r.service.delete('env', 'us-east-1', done.endpointId ?? '');
    expect((await r.until(ended(deleting.operationId))).status).toBe('succeeded');
    expect(sandbox.world.endpoints().find((e) => e.id === done.endpointId)?.state ?? 'delete-complete').toBe('delete-complete');
    await r.ec2.send(new DeleteSecurityGroupCommand({ GroupId: group?.GroupId ?? '' }));
  });

  it('refuses a second endpoint in a VPC and in a subnet, naming the one that holds the slot', async () => {
    const r = rig();
    await expect(r.service.review(setup({ vpcId: PROD_VPC, subnetId: 'subnet-0a1b2c3d4e5f60012' }))).rejects.toMatchObject({
      code: 'EIC_QUOTA_EXCEEDED',
      message: expect.stringContaining(`${PROD_VPC} already has an EC2 Instance Connect Endpoint, ${PROD_ENDPOINT}`),
    });
    await expect(r.service.create(setup({ vpcId: PROD_VPC, subnetId: PROD_PRIVATE_A }))).rejects.toMatchObject({
      code: 'EIC_QUOTA_EXCEEDED',
      message: expect.stringContaining(`Subnet ${PROD_PRIVATE_A} already has an EC2 Instance Connect Endpoint, ${PROD_ENDPOINT}`),
    });
    expect(sandbox.world.endpoints().filter((e) => e.vpcId === PROD_VPC)).toHaveLength(1);
  });

  it('maps AWS’s own quota refusal (when another client takes the slot first) to EIC_QUOTA_EXCEEDED', async () => {
    const ec2 = sandboxEc2(sandbox);
    try {
      const error = await sdkSetupEc2(ec2)
        .createEndpoint({ SubnetId: 'subnet-0a1b2c3d4e5f60012', SecurityGroupIds: [EICE_GROUP], PreserveClientIp: false })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const mapped = mapEndpointError(error, { action: 'create an endpoint', region: 'us-east-1', profile: 'sandbox-admin' });
      expect(mapped.code).toBe('EIC_QUOTA_EXCEEDED');
      expect(mapped.message).toContain(PROD_ENDPOINT);
      expect(mapped.requestId).toBeTruthy();
    } finally {
      ec2.destroy();
    }
  });

  it('the DryRun check names the IAM actions the scenario denies, and nothing is created', async () => {
    const restricted = sandbox.principals.find((p) => p.name === 'sandbox-restricted') as SandboxPrincipal;
    const r = rig({ principal: restricted });
    const report = await r.service.checkPermissions(setup());
    expect(report.missing).toEqual(['ec2:AuthorizeSecurityGroupEgress', 'ec2:CreateInstanceConnectEndpoint']);
    const denied = report.checks.find((c) => c.action === 'ec2:CreateInstanceConnectEndpoint');
    expect(denied).toMatchObject({ allowed: 'no', deniedAction: 'ec2:CreateInstanceConnectEndpoint' });
    expect(denied?.message).toContain('is not authorized to perform: ec2:CreateInstanceConnectEndpoint');
    // The encoded authorization blob is never shown.
    expect(denied?.message).not.toContain('Encoded authorization failure message');
    const groups = (await r.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [DATA_VPC] }] }))).SecurityGroups ?? [];
    expect(groups.some((g) => g.GroupName?.startsWith('bastionless-eice-'))).toBe(false);
  });

  it('cancelling after the group was created offers it for deletion, and deleting it leaves nothing behind', async () => {
    // Hold CreateInstanceConnectEndpoint before it goes out; once cancelled, it never does.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let endpointCalls = 0;
    const r = rig({
      wrap: (real) => ({
        ...real,
        createEndpoint: async () => {
          await gate;
          endpointCalls += 1;
          throw Object.assign(new Error('The request was cancelled before it was sent.'), { name: 'AbortError' });
        },
      }),
    });
    const op = await r.service.create(setup());
    await r.until(stepActive(op.operationId, 'createEndpoint'));
    const cancelling = r.service.operations.cancel(op.operationId);
    release();
    const stopped = await cancelling;
    expect(endpointCalls).toBe(1);
    expect(stopped.status).toBe('cancelled');
    expect(stopped.createdGroup?.decision).toBe('pending');
    expect(stopped.leftovers).toEqual([
      `The security group ${stopped.createdGroup?.groupId ?? ''} (bastionless-eice-${DATA_VPC}) was created for this endpoint and is not used by one: delete it, or keep it for a later setup.`,
    ]);
    const before = (await r.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [stopped.createdGroup?.groupId ?? ''] }))).SecurityGroups ?? [];
    expect(before).toHaveLength(1);

    const settled = await r.service.operations.settleGroup(op.operationId, 'delete');
    expect(settled).toMatchObject({ createdGroup: { decision: 'deleted' }, leftovers: [] });
    const groups = (await r.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [DATA_VPC] }] }))).SecurityGroups ?? [];
    expect(groups.some((g) => g.GroupName === `bastionless-eice-${DATA_VPC}`)).toBe(false);
    expect(sandbox.world.endpoints().some((e) => e.vpcId === DATA_VPC && e.state !== 'delete-complete')).toBe(false);
  });

  it('opens the path: proposes the inbound rule from the endpoint’s group and adds it', async () => {
    const r = rig();
    const plan = await r.service.pathPlan('env', 'us-east-1', PROD_ENDPOINT);
    const byName = Object.fromEntries(plan.instances.map((i) => [i.name, i]));
    expect(byName['web-1']).toMatchObject({ status: 'open', port: 22, allowedBy: `TCP 22 from ${EICE_GROUP} (eice-endpoint)` });
    expect(byName['legacy-reporting']).toMatchObject({ status: 'open', allowedBy: 'TCP 22 from 10.0.0.0/16' });
    expect(byName['win-admin']).toMatchObject({ status: 'open', port: 3389 });
    expect(byName['web-frontend']).toMatchObject({ status: 'needsRule', port: 22 });
    expect(plan.rules).toEqual([
      expect.objectContaining({ groupId: WEB_ONLY_GROUP, groupName: 'web-only', port: 22, sourceGroupId: EICE_GROUP, instanceIds: ['i-0a1b2c3d4e5f60005'], text: `TCP 22 from ${EICE_GROUP} (eice-endpoint)` }),
    ]);

    const { results, plan: after } = await r.service.addRules('env', 'us-east-1', PROD_ENDPOINT, [{ groupId: WEB_ONLY_GROUP, port: 22 }]);
    expect(results).toEqual([{ groupId: WEB_ONLY_GROUP, port: 22, outcome: 'added' }]);
    expect(after.rules).toEqual([]);
    expect(after.instances.find((i) => i.name === 'web-frontend')).toMatchObject({ status: 'open', allowedBy: `TCP 22 from ${EICE_GROUP} (eice-endpoint)` });
    const group = (await r.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [WEB_ONLY_GROUP] }))).SecurityGroups?.[0];
    expect(group?.IpPermissions?.find((p) => p.FromPort === 22)?.UserIdGroupPairs?.[0]?.GroupId).toBe(EICE_GROUP);
  });

  it('an endpoint of another Region is NOT_FOUND here, plainly', async () => {
    const r = rig();
    await expect(r.service.pathPlan('env', 'us-east-1', 'eice-0e1f2a3b4c5d60902')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('eice-0e1f2a3b4c5d60902') });
  });
});
