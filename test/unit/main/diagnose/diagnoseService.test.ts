import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { RecordingDesktop } from '../../../../main/desktop';
import { DiagnoseService } from '../../../../main/diagnose/diagnoseService';
import { AppError, type DiagnosisReport, type Host } from '../../../../preload/contract';
import { memoryLogger } from '../../../support/fakes';
import { defaultAcl, ENDPOINT_GROUP, group, IDS, image, instance, keyPair, subnets, vpc } from './factBuilders';
import { awsError, FakeAws } from './fakeAws';
import { FakeApp, FakeProbes, SSH_BANNER } from './fakeProbes';

const HOST: Host = {
  id: IDS.host as Host['id'],
  label: 'web-1',
  folder: '',
  tags: [],
  profileId: 'config:dev',
  region: 'eu-west-1',
  instanceId: IDS.instance,
  platform: 'linux',
  osUser: 'ec2-user',
  port: 22,
  auth: { method: 'eic' },
  autoReconnect: false,
  createdAt: '2025-06-01T00:00:00.000Z',
  updatedAt: '2025-06-01T00:00:00.000Z',
};

/** A world whose instance group lacks SSH until AuthorizeSecurityGroupIngress adds it. */
function rig() {
  let instanceGroup: SecurityGroup = group({ IpPermissions: [] });
  const aws = new FakeAws({
    ec2: {
      DescribeInstances: { Reservations: [{ Instances: [instance()] }] },
      DescribeInstanceStatus: { InstanceStatuses: [] },
      DescribeImages: { Images: [image()] },
      DescribeKeyPairs: { KeyPairs: [keyPair()] },
      DescribeInstanceConnectEndpoints: {
        InstanceConnectEndpoints: [{ InstanceConnectEndpointId: IDS.endpoint, VpcId: IDS.vpc, SubnetId: IDS.endpointSubnet, State: 'create-complete', DnsName: 'eice.example', SecurityGroupIds: [IDS.endpointGroup], PreserveClientIp: false }],
      },
      DescribeSecurityGroups: () => ({ SecurityGroups: [instanceGroup, ENDPOINT_GROUP] }),
      DescribeSubnets: { Subnets: subnets() },
      DescribeNetworkAcls: { NetworkAcls: [defaultAcl()] },
      DescribeVpcs: { Vpcs: [vpc()] },
      AuthorizeSecurityGroupIngress: (input: Record<string, unknown>) => {
        if (input['DryRun']) return awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
        instanceGroup = { ...instanceGroup, IpPermissions: input['IpPermissions'] as SecurityGroup['IpPermissions'] };
        return { Return: true };
      },
    },
    eic: { SendSSHPublicKey: { Success: true } },
  });
  const app = new FakeApp();
  app.hosts.set(HOST.id, HOST);
  // As the endpoint does: the tunnel opens, then closes when the group refuses the connection.
  const unreachable = new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${IDS.endpoint} could not open a TCP connection to 10.0.2.15:22. AWS said: "Unable to connect to target"`);
  const probes = new FakeProbes(() => ((instanceGroup.IpPermissions ?? []).length > 0 ? { banner: SSH_BANNER } : { closeWith: unreachable }));
  const reports: DiagnosisReport[] = [];
  const desktop = new RecordingDesktop();
  let now = new Date('2025-06-01T12:00:00Z').getTime();
  const service = new DiagnoseService({
    aws,
    app,
    probes,
    failures: { ssh: () => undefined, rdp: () => undefined },
    actions: {
      updateHost: async () => undefined,
      useKeyPair: async () => undefined,
      readSecret: async () => null,
      storeSecret: async () => undefined,
      checkNewFile: async () => undefined,
      writeNewFile: async () => undefined,
      homeDir: '/home/alice',
    },
    desktop,
    log: memoryLogger().log,
    onChanged: (r) => reports.push(r),
    now: () => new Date(now),
  });
  return { service, reports, desktop, aws, advance: (ms: number) => (now += ms) };
}

const FIX = `authorizeIngress:${IDS.instanceGroup}:22:${IDS.endpointGroup}`;

describe('DiagnoseService', () => {
  it('starts with ten pending checks and publishes every change with a growing revision until done', async () => {
    const { service, reports } = rig();
    const first = await service.start({ target: { hostId: HOST.id } });
    expect(first.state).toBe('running');
    expect(first.checks.map((c) => c.id)).toEqual(['credentials', 'permissions', 'instance', 'endpoint', 'securityGroups', 'networkAcls', 'os', 'keyPair', 'osUser', 'failure']);
    const done = await service.settled(first.runId);
    expect(done.state).toBe('done');
    expect(done.steps.every((s) => s.status === 'done')).toBe(true);
    expect(done.checks.find((c) => c.id === 'securityGroups')?.status).toBe('fail');
    const revisions = reports.map((r) => r.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    // Checks light up as their facts arrive, before the run is done.
    expect(reports.some((r) => r.state === 'running' && r.checks.find((c) => c.id === 'instance')?.status === 'pass' && r.checks.find((c) => c.id === 'failure')?.status === 'pending')).toBe(true);
  });

  it('fails clearly for a closed session or an unknown host', async () => {
    const { service } = rig();
    await expect(service.start({ target: { hostId: HOST.id }, sessionId: 's-gone1234' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.start({ target: { hostId: 'h-0000000000000000' as Host['id'] } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('applies a fix only with its preview’s token, once, and re-runs just the checks it affects', async () => {
    const { service, aws, advance } = rig();
    const run = await service.settled((await service.start({ target: { hostId: HOST.id } })).runId);
    const credentialsBefore = run.checks.find((c) => c.id === 'credentials');
    await expect(service.applyFix({ runId: run.runId, fixId: FIX, confirmToken: 'f'.repeat(48) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const stale = await service.previewFix({ runId: run.runId, fixId: FIX });
    advance(11 * 60_000);
    await expect(service.applyFix({ runId: run.runId, fixId: FIX, confirmToken: stale.confirmToken })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(aws.ec2.calls.filter((c) => c.name === 'AuthorizeSecurityGroupIngress' && !c.input['DryRun'])).toEqual([]);

    const preview = await service.previewFix({ runId: run.runId, fixId: FIX });
    expect(preview.permission.state).toBe('allowed');
    const after = await service.applyFix({ runId: run.runId, fixId: FIX, confirmToken: preview.confirmToken });
    expect(after.applied).toEqual([expect.objectContaining({ fixId: FIX, kind: 'authorizeIngress', outcome: `Added inbound rule TCP 22 from ${IDS.endpointGroup} on ${IDS.instanceGroup}.` })]);
    expect(after.checks.find((c) => c.id === 'securityGroups')?.status).toBe('pass');
    expect(after.checks.find((c) => c.id === 'failure')?.status).toBe('pass');
    // Not affected by the fix: kept as it was.
    expect(after.checks.find((c) => c.id === 'credentials')).toEqual(credentialsBefore);
    // The token was used up, and the fix is no longer offered.
    await expect(service.applyFix({ runId: run.runId, fixId: FIX, confirmToken: preview.confirmToken })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.previewFix({ runId: run.runId, fixId: FIX })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('copies the report, and forgets a dismissed run', async () => {
    const { service, desktop } = rig();
    const run = await service.settled((await service.start({ target: { hostId: HOST.id } })).runId);
    const { text } = await service.copyReport(run.runId);
    expect(await desktop.readClipboard()).toBe(text);
    expect(text).toContain('[FAIL] Security groups');
    service.dismiss(run.runId);
    expect(() => service.get(run.runId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('cancels a run that is dismissed while it gathers', async () => {
    const { service } = rig();
    const first = await service.start({ target: { hostId: HOST.id } });
    service.dismiss(first.runId);
    await expect(service.settled(first.runId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await service.dispose();
    await expect(service.start({ target: { hostId: HOST.id } })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
