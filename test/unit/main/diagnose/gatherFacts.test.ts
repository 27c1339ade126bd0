import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { GATHER_STEPS, gatherFacts } from '../../../../main/diagnose/gatherFacts';
import type { SubjectFacts } from '../../../../main/diagnose/facts';
import { defaultAcl, ENDPOINT_GROUP, IDS, image, instance, INSTANCE_GROUP, keyPair, subnets, vpc } from './factBuilders';
import { awsError, FakeAws, FakeSender, type FakeAnswer } from './fakeAws';
import { FakeApp, FakeProbes, SSH_BANNER } from './fakeProbes';

const SUBJECT: SubjectFacts = { hostId: IDS.host, label: 'web-1', profileId: 'config:dev', profileName: 'dev', region: 'eu-west-1', instanceId: IDS.instance, platform: 'linux', osUser: 'ec2-user', port: 22, auth: { method: 'eic' } };

const sdkEndpoint = (over: Record<string, unknown> = {}) => ({
  InstanceConnectEndpointId: IDS.endpoint,
  VpcId: IDS.vpc,
  SubnetId: IDS.endpointSubnet,
  State: 'create-complete',
  DnsName: `${IDS.endpoint}.example.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com`,
  SecurityGroupIds: [IDS.endpointGroup],
  PreserveClientIp: false,
  AvailabilityZone: 'eu-west-1b',
  ...over,
});

/** EC2 answers of a healthy setup; `over` replaces calls. */
function ec2Answers(over: Record<string, FakeAnswer> = {}): Record<string, FakeAnswer> {
  return {
    DescribeInstances: { Reservations: [{ Instances: [instance()] }] },
    DescribeInstanceStatus: { InstanceStatuses: [{ InstanceId: IDS.instance, SystemStatus: { Status: 'ok' }, InstanceStatus: { Status: 'ok' } }] },
    DescribeImages: { Images: [image()] },
    DescribeKeyPairs: { KeyPairs: [keyPair()] },
    DescribeInstanceConnectEndpoints: { InstanceConnectEndpoints: [sdkEndpoint()] },
    DescribeSecurityGroups: { SecurityGroups: [INSTANCE_GROUP, ENDPOINT_GROUP] },
    DescribeSubnets: { Subnets: subnets() },
    DescribeNetworkAcls: { NetworkAcls: [defaultAcl()] },
    DescribeVpcs: { Vpcs: [vpc()] },
    ...over,
  };
}

function setup(over: { ec2?: Record<string, FakeAnswer>; probes?: FakeProbes; subject?: Partial<SubjectFacts>; noProbes?: boolean } = {}) {
  const aws = new FakeAws({ ec2: ec2Answers(over.ec2), eic: { SendSSHPublicKey: { Success: true, RequestId: 'push-1' } } });
  const app = new FakeApp();
  const probes = over.probes ?? new FakeProbes(() => ({ banner: SSH_BANNER }));
  const steps: string[] = [];
  const run = (signal = new AbortController().signal) =>
    gatherFacts(
      { aws, app, probes, now: () => new Date('2025-06-01T12:00:00Z') },
      { subject: { ...SUBJECT, ...over.subject }, signal, onStep: (id, status) => steps.push(`${id}:${status}`), ...(over.noProbes ? { noProbes: true } : {}) },
    );
  return { aws, app, probes, steps, run };
}

describe('gatherFacts', () => {
  it('reads everything once, step by step, and tries a test tunnel and a throw-away key push', async () => {
    const { aws, probes, steps, run } = setup();
    const facts = await run();
    expect(steps).toEqual(GATHER_STEPS.flatMap((s) => [`${s.id}:running`, `${s.id}:done`]));
    expect(facts.identity).toEqual({ ok: true, value: { arn: 'arn:aws:iam::123456789012:user/alice', account: '123456789012', userId: 'AIDAEXAMPLE' } });
    expect(aws.ec2.names().sort()).toEqual(
      ['DescribeImages', 'DescribeInstanceConnectEndpoints', 'DescribeInstanceStatus', 'DescribeInstances', 'DescribeKeyPairs', 'DescribeNetworkAcls', 'DescribeSecurityGroups', 'DescribeSubnets', 'DescribeVpcs'].sort(),
    );
    expect(aws.ec2.calls.find((c) => c.name === 'DescribeSecurityGroups')?.input).toEqual({ GroupIds: [IDS.instanceGroup, IDS.endpointGroup] });
    expect(aws.ec2.calls.find((c) => c.name === 'DescribeNetworkAcls')?.input).toEqual({ Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    expect(probes.requests).toEqual([expect.objectContaining({ endpointId: IDS.endpoint, privateIpAddress: '10.0.2.15', port: 22, maxTunnelDuration: 3600, label: 'Diagnose web-1' })]);
    expect(facts.probes.tunnel).toEqual({ ok: true, value: expect.objectContaining({ outcome: 'reached', banner: 'SSH-2.0-OpenSSH_9.6' }) });
    expect(facts.probes.keyPush).toEqual({ ok: true, value: { osUser: 'ec2-user' } });
    const push = aws.eic.calls[0]!;
    expect(push.input).toMatchObject({ InstanceId: IDS.instance, InstanceOSUser: 'ec2-user', AvailabilityZone: 'eu-west-1a' });
    expect(String(push.input['SSHPublicKey'])).toMatch(/^ssh-ed25519 /);
    // No public address lookup unless the endpoint preserves client IPs.
    expect(facts.probes.publicIp).toBeUndefined();
  });

  it('keeps a refused call as a fact and goes on with the others', async () => {
    const { run } = setup({ ec2: { DescribeSecurityGroups: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.') } });
    const facts = await run();
    expect(facts.securityGroups).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'AWS_ACCESS_DENIED', awsCode: 'UnauthorizedOperation', action: 'ec2:DescribeSecurityGroups', requestId: 'req-1' }),
    });
    expect(facts.subnets?.ok).toBe(true);
    expect(facts.networkAcls?.ok).toBe(true);
    expect(facts.probes.tunnel?.ok).toBe(true);
  });

  it('stops at the credentials when they do not load, and says every step is done', async () => {
    const { aws, steps, run } = setup();
    aws.credentialsError = new AppError('AWS_SSO_SIGN_IN_REQUIRED', 'The SSO sign-in has expired.', { hint: 'Sign in again.' });
    const facts = await run();
    expect(facts.credentials).toEqual({ ok: false, error: expect.objectContaining({ code: 'AWS_SSO_SIGN_IN_REQUIRED', hint: 'Sign in again.' }) });
    expect(aws.ec2.calls).toEqual([]);
    expect(facts.instance).toBeUndefined();
    expect(steps.filter((s) => s.endsWith(':done'))).toHaveLength(GATHER_STEPS.length);
  });

  it('treats an unknown instance as absent, and finds it in another Region from the last discovery', async () => {
    const { app, aws, run } = setup({ ec2: { DescribeInstances: awsError('InvalidInstanceID.NotFound', "The instance ID 'i-0a1b2c3d4e5f60006' does not exist") } });
    app.snapshot = { ...app.snapshot, instances: [{ instanceId: IDS.instance, profileId: 'config:dev', region: 'us-east-1' } as never] };
    const facts = await run();
    expect(facts.instance).toEqual({ ok: true, value: null });
    expect(facts.elsewhere).toEqual({ region: 'us-east-1', via: 'inventory' });
    expect(aws.ec2.names()).toEqual(['DescribeInstances']);
  });

  it('looks in the profile’s own Region when the discovery does not know the instance', async () => {
    // The host says us-west-2; the profile's Region is eu-west-1, where the instance is.
    const aws = new FakeAws({ ec2: ec2Answers() }, 'eu-west-1');
    aws.regions.set('us-west-2', new FakeSender({ DescribeInstances: { Reservations: [] } }));
    const facts = await gatherFacts(
      { aws, app: new FakeApp(), probes: new FakeProbes(() => ({ silent: true })) },
      { subject: { ...SUBJECT, region: 'us-west-2' }, signal: new AbortController().signal, onStep: () => undefined },
    );
    expect(facts.instance).toEqual({ ok: true, value: null });
    expect(facts.elsewhere).toEqual({ region: 'eu-west-1', via: 'lookup' });
    expect(aws.ec2.names()).toEqual(['DescribeInstances']);
  });

  it('records a deregistered AMI and a deleted key pair as absent, not as failures', async () => {
    const { run } = setup({ ec2: { DescribeImages: { Images: [] }, DescribeKeyPairs: awsError('InvalidKeyPair.NotFound', "The key pair 'team-key' does not exist") } });
    const facts = await run();
    expect(facts.image).toEqual({ ok: true, value: null });
    expect(facts.keyPair).toEqual({ ok: true, value: null });
  });

  it('does not probe a stopped instance, nor when asked not to', async () => {
    const stopped = setup({ ec2: { DescribeInstances: { Reservations: [{ Instances: [instance({ State: { Name: 'stopped' } })] }] } } });
    expect((await stopped.run()).probes).toEqual({});
    expect(stopped.probes.requests).toEqual([]);
    const quiet = setup({ noProbes: true });
    expect((await quiet.run()).probes).toEqual({});
    expect(quiet.aws.eic.calls).toEqual([]);
  });

  it('asks for the public address when the endpoint preserves client IPs', async () => {
    const { run } = setup({ ec2: { DescribeInstanceConnectEndpoints: { InstanceConnectEndpoints: [sdkEndpoint({ PreserveClientIp: true })] } } });
    expect((await run()).probes.publicIp).toEqual({ ok: true, value: '198.51.100.24' });
  });

  it('notes a keychain it cannot read, and checks the host’s key file', async () => {
    const { app, run } = setup({ subject: { auth: { method: 'keyPair', key: { store: 'file', path: '/home/a/k.pem' } } } });
    app.keychainError = new AppError('KEYCHAIN_UNAVAILABLE', 'No OS keychain is available.');
    app.files.set('/home/a/k.pem', { readable: true });
    const facts = await run();
    expect(facts.appKeys).toEqual({ keychainHasKeyPair: false, keychainError: expect.objectContaining({ code: 'KEYCHAIN_UNAVAILABLE' }), hostKey: { store: 'file', path: '/home/a/k.pem', readable: true } });
    // No pushed key for a host that signs in with a key pair.
    expect(facts.probes.keyPush).toBeUndefined();
  });

  it('stops when the run is cancelled', async () => {
    const { run } = setup();
    const abort = new AbortController();
    abort.abort(new AppError('CANCELLED', 'closed'));
    await expect(run(abort.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
