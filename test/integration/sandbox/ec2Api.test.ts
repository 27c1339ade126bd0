import {
  AuthorizeSecurityGroupIngressCommand,
  CreateInstanceConnectEndpointCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DeleteInstanceConnectEndpointCommand,
  DeleteSecurityGroupCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstanceConnectEndpointsCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeKeyPairsCommand,
  DescribeNetworkAclsCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetPasswordDataCommand,
  ImportKeyPairCommand,
  ModifyInstanceConnectEndpointCommand,
  RevokeSecurityGroupIngressCommand,
  paginateDescribeInstances,
  type Instance,
} from '@aws-sdk/client-ec2';
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { buildScenario, SMALL_WORLD } from '../../sandbox/scenarioBuilder';

let sandbox: Sandbox;
let ec2: EC2Client;

function client(region = 'us-east-1', principal = 0, extra: Partial<ConstructorParameters<typeof EC2Client>[0]> = {}): EC2Client {
  const p = sandbox.principals[principal]!;
  return new EC2Client({ region, endpoint: sandbox.urls.ec2, credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey }, maxAttempts: 1, ...extra });
}

beforeAll(async () => {
  // The API behaviour needs no real servers; the default world without them starts fastest.
  sandbox = await startSandbox({ withoutInstanceServers: true });
  ec2 = client();
});
afterAll(async () => {
  await sandbox?.stop();
});

const names = (instances: Instance[]): string[] => instances.map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value ?? '').sort();

describe('EC2 Regions and zones', () => {
  it('lists enabled Regions, and the disabled opt-in Region only with AllRegions', async () => {
    const enabled = await ec2.send(new DescribeRegionsCommand({}));
    expect(enabled.Regions?.map((r) => r.RegionName).sort()).toEqual(['eu-west-1', 'us-east-1']);
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.find((r) => r.RegionName === 'af-south-1')).toMatchObject({ OptInStatus: 'not-opted-in', Endpoint: 'ec2.af-south-1.amazonaws.com' });
  });

  it('refuses calls signed for a Region that is not enabled, as AWS does', async () => {
    await expect(client('af-south-1').send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'AuthFailure', $metadata: { httpStatusCode: 401 } });
    sandbox.world.setFaults({ regionErrors: { 'eu-west-1': { code: 'OptInRequired', message: 'You are not subscribed to this service.', status: 401 } } });
    try {
      await expect(client('eu-west-1').send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'OptInRequired' });
    } finally {
      sandbox.world.resetFaults();
    }
  });

  it('reports Availability Zones with their state, including one marked impaired', async () => {
    sandbox.world.setZoneState('us-east-1', 'us-east-1c', 'impaired', 'Increased network errors');
    try {
      const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
      expect(zones.AvailabilityZones?.map((z) => `${z.ZoneName}/${z.ZoneId}/${z.State}`)).toEqual(['us-east-1a/use1-az1/available', 'us-east-1b/use1-az2/available', 'us-east-1c/use1-az4/impaired']);
      expect(zones.AvailabilityZones?.[2]?.Messages?.[0]?.Message).toBe('Increased network errors');
      const impaired = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['impaired'] }] }));
      expect(impaired.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1c']);
    } finally {
      sandbox.world.setZoneState('us-east-1', 'us-east-1c', 'available');
    }
  });
});

describe('EC2 DescribeInstances', () => {
  it('describes every instance of the Region with the fields the app reads', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(names(instances)).toEqual(['analytics-worker', 'batch-worker', 'build-runner', 'jump-host', 'legacy-reporting', 'web-1', 'web-frontend', 'win-admin']);
    const jump = instances.find((i) => i.InstanceId === 'i-0a1b2c3d4e5f60003')!;
    expect(jump).toMatchObject({ State: { Name: 'running', Code: 16 }, PrivateIpAddress: '10.0.101.15', PublicIpAddress: '54.210.12.34', VpcId: 'vpc-0a1b2c3d4e5f60001', SubnetId: 'subnet-0a1b2c3d4e5f60021', Placement: { AvailabilityZone: 'us-east-1a' } });
    expect(jump.LaunchTime).toBeInstanceOf(Date);
    expect(jump.SecurityGroups).toEqual([{ GroupId: 'sg-0a1b2c3d4e5f60102', GroupName: 'ssh-from-eice' }]);
    const win = instances.find((i) => i.InstanceId === 'i-0a1b2c3d4e5f60007')!;
    expect(win).toMatchObject({ Platform: 'windows', PlatformDetails: 'Windows', KeyName: 'windows-admin' });
    const stopped = instances.find((i) => i.InstanceId === 'i-0a1b2c3d4e5f60006')!;
    expect(stopped.State).toEqual({ Code: 80, Name: 'stopped' });
    const eu = await client('eu-west-1').send(new DescribeInstancesCommand({}));
    expect(names(eu.Reservations?.flatMap((r) => r.Instances ?? []) ?? [])).toEqual(['eu-api']);
  });

  it('filters by state, tag with wildcards, VPC and group, as EC2 does', async () => {
    const query = async (Filters: { Name: string; Values: string[] }[]): Promise<string[]> => names((await ec2.send(new DescribeInstancesCommand({ Filters }))).Reservations?.flatMap((r) => r.Instances ?? []) ?? []);
    expect(await query([{ Name: 'instance-state-name', Values: ['stopped'] }])).toEqual(['batch-worker']);
    expect(await query([{ Name: 'tag:Name', Values: ['web-*'] }])).toEqual(['web-1', 'web-frontend']);
    expect(await query([{ Name: 'tag:Team', Values: ['web', 'ci'] }, { Name: 'instance-state-name', Values: ['running'] }])).toEqual(['build-runner', 'web-1', 'web-frontend']);
    expect(await query([{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60002'] }])).toEqual(['analytics-worker']);
    expect(await query([{ Name: 'instance.group-id', Values: ['sg-0a1b2c3d4e5f60105'] }])).toEqual(['legacy-reporting']);
    expect(await query([{ Name: 'platform', Values: ['windows'] }])).toEqual(['win-admin']);
    await expect(query([{ Name: 'no-such-filter', Values: ['x'] }])).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('pages with MaxResults/NextToken, and the SDK paginator walks every page', async () => {
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(first.Reservations).toHaveLength(5);
    expect(first.NextToken).toBeTruthy();
    const second = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    expect(second.Reservations).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();
    const all: Instance[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) all.push(...(page.Reservations?.flatMap((r) => r.Instances ?? []) ?? []));
    expect(all).toHaveLength(8);
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 4 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: ['i-0a1b2c3d4e5f60001'] }))).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('answers unknown and malformed instance ids with their codes', async () => {
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0fffffffffffffff0'] }))).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound', message: "The instance ID 'i-0fffffffffffffff0' does not exist" });
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] }))).rejects.toMatchObject({ name: 'InvalidInstanceID.Malformed' });
  });

  it('reports status checks; IncludeAllInstances adds the stopped ones', async () => {
    const running = await ec2.send(new DescribeInstanceStatusCommand({}));
    expect(running.InstanceStatuses?.every((s) => s.InstanceState?.Name === 'running')).toBe(true);
    expect(running.InstanceStatuses?.[0]).toMatchObject({ InstanceStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] }, SystemStatus: { Status: 'ok' } });
    const all = await ec2.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true, InstanceIds: ['i-0a1b2c3d4e5f60006'] }));
    expect(all.InstanceStatuses?.[0]).toMatchObject({ InstanceState: { Name: 'stopped' }, InstanceStatus: { Status: 'not-applicable' } });
  });
});

describe('EC2 network description', () => {
  it('describes VPCs, subnets and route tables so a subnet can be classified public or private', async () => {
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.map((v) => `${v.VpcId} ${v.CidrBlock}`).sort()).toEqual(['vpc-0a1b2c3d4e5f60001 10.0.0.0/16', 'vpc-0a1b2c3d4e5f60002 10.1.0.0/16']);
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }] }));
    expect(new Set(subnets.Subnets?.map((s) => s.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
    expect(subnets.Subnets?.find((s) => s.SubnetId === 'subnet-0a1b2c3d4e5f60011')).toMatchObject({ CidrBlock: '10.0.1.0/24', AvailabilityZoneId: 'use1-az1', AvailableIpAddressCount: 251, State: 'available' });
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }] }));
    const publicTable = tables.RouteTables?.find((t) => t.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId?.startsWith('igw-')));
    expect(publicTable?.Associations?.map((a) => a.SubnetId).sort()).toEqual(['subnet-0a1b2c3d4e5f60021', 'subnet-0a1b2c3d4e5f60022']);
    const main = tables.RouteTables?.find((t) => t.Associations?.some((a) => a.Main));
    expect(main?.Routes).toEqual([expect.objectContaining({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' })]);
    const bySubnet = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: ['subnet-0a1b2c3d4e5f60021'] }] }));
    expect(bySubnet.RouteTables?.map((t) => t.RouteTableId)).toEqual([publicTable?.RouteTableId]);
  });

  it('describes security groups as IpPermissions, with the default group of each VPC', async () => {
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }] }));
    expect(groups.SecurityGroups?.map((g) => g.GroupName).sort()).toEqual(['default', 'eice-endpoint', 'legacy-vpc-ssh', 'rdp-from-eice', 'ssh-from-eice', 'web-only']);
    const ssh = groups.SecurityGroups?.find((g) => g.GroupId === 'sg-0a1b2c3d4e5f60102');
    expect(ssh?.IpPermissions).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [expect.objectContaining({ GroupId: 'sg-0a1b2c3d4e5f60101' })] })]);
    expect(ssh?.IpPermissionsEgress).toEqual([expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] })]);
    const byPort = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.from-port', Values: ['3389'] }] }));
    expect(byPort.SecurityGroups?.map((g) => g.GroupName)).toEqual(['rdp-from-eice']);
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0fffffffffffffff0'] }))).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });

  it('describes network ACLs with the implicit deny rule', async () => {
    const acls = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60001'] }, { Name: 'default', Values: ['true'] }] }));
    expect(acls.NetworkAcls).toHaveLength(1);
    expect(acls.NetworkAcls?.[0]?.Entries?.filter((e) => !e.Egress).map((e) => `${e.RuleNumber} ${e.RuleAction}`)).toEqual(['100 allow', '32767 deny']);
    expect(acls.NetworkAcls?.[0]?.Associations).toHaveLength(5);
  });

  it('describes AMIs with their names and creation dates, and key pairs', async () => {
    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0de53d8956e8dcf80', 'ami-005fc0f236362e99f'] }));
    expect(images.Images?.map((i) => `${i.Name} ${i.CreationDate}`).sort()).toEqual(['amzn2-ami-hvm-2.0.20190313-x86_64-gp2 2019-03-14T01:07:39.000Z', 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240927 2024-09-27T08:03:44.000Z']);
    const windows = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'platform', Values: ['windows'] }] }));
    expect(windows.Images?.map((i) => i.Name)).toEqual(['Windows_Server-2022-English-Full-Base-2024.10.09']);
    await expect(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0fffffffffffffff0'] }))).rejects.toMatchObject({ name: 'InvalidAMIID.NotFound' });
    const keys = await ec2.send(new DescribeKeyPairsCommand({ IncludePublicKey: true }));
    expect(keys.KeyPairs?.map((k) => `${k.KeyName} ${k.KeyType}`).sort()).toEqual(['legacy-key rsa', 'windows-admin rsa']);
    expect(keys.KeyPairs?.[0]?.PublicKey).toMatch(/^ssh-rsa AAAA/);
    await expect(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['nope'] }))).rejects.toMatchObject({ name: 'InvalidKeyPair.NotFound' });
  });
});

describe('EC2 signatures', () => {
  it('answers AuthFailure for an unknown key and for a wrong secret', async () => {
    const unknown = new EC2Client({ region: 'us-east-1', endpoint: sandbox.urls.ec2, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, maxAttempts: 1 });
    await expect(unknown.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({ name: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials', $metadata: { httpStatusCode: 401 } });
    const wrong = new EC2Client({ region: 'us-east-1', endpoint: sandbox.urls.ec2, credentials: { accessKeyId: sandbox.env['AWS_ACCESS_KEY_ID']!, secretAccessKey: 'not-the-secret' }, maxAttempts: 1 });
    await expect(wrong.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({ name: 'AuthFailure' });
    const skewed = client('us-east-1', 0, { systemClockOffset: 20 * 60_000 });
    await expect(skewed.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({ name: 'RequestExpired' });
  });

  it('uses the environment it hands out: AWS_ENDPOINT_URL_EC2, AWS_REGION and the keys, with no client configuration', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, sandbox.env);
    try {
      const fromEnv = new EC2Client({});
      const out = await fromEnv.send(new DescribeRegionsCommand({}));
      expect(out.Regions?.length).toBe(2);
      expect(await fromEnv.config.region()).toBe('us-east-1');
    } finally {
      for (const key of Object.keys(sandbox.env)) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('EC2 throttling', () => {
  it('throttles the named action with RequestLimitExceeded; the SDK retries through a short burst', async () => {
    sandbox.world.setFaults({ throttle: { actions: ['DescribeVpcs'], remaining: null } });
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    await ec2.send(new DescribeSubnetsCommand({}));
    sandbox.world.setFaults({ throttle: { actions: ['DescribeVpcs'], remaining: 1 } });
    const retrying = client('us-east-1', 0, { maxAttempts: 3 });
    const out = await retrying.send(new DescribeVpcsCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    sandbox.world.resetFaults();
  });
});

describe('EC2 key pairs and Windows passwords', () => {
  it('creates RSA and ED25519 key pairs with real key material, and refuses a duplicate name', async () => {
    const rsa = await ec2.send(new CreateKeyPairCommand({ KeyName: 'made-rsa', KeyType: 'rsa' }));
    expect(rsa.KeyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(rsa.KeyFingerprint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    expect(createPrivateKey(rsa.KeyMaterial!).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const ed = await ec2.send(new CreateKeyPairCommand({ KeyName: 'made-ed25519', KeyType: 'ed25519' }));
    expect(ed.KeyMaterial).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    await expect(ec2.send(new CreateKeyPairCommand({ KeyName: 'made-rsa' }))).rejects.toMatchObject({ name: 'InvalidKeyPair.Duplicate' });
    const described = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['made-ed25519'], IncludePublicKey: true }));
    expect(described.KeyPairs?.[0]).toMatchObject({ KeyType: 'ed25519', KeyFingerprint: ed.KeyFingerprint });
    expect(described.KeyPairs?.[0]?.PublicKey).toMatch(/^ssh-ed25519 AAAA/);
    const imported = await ec2.send(new ImportKeyPairCommand({ KeyName: 'imported', PublicKeyMaterial: new TextEncoder().encode(described.KeyPairs![0]!.PublicKey!) }));
    expect(imported.KeyFingerprint).toBe(ed.KeyFingerprint);
  });

  it('returns the Windows password RSA-encrypted with the key pair, and nothing until it is available', async () => {
    const win = sandbox.world.instance('win-admin');
    expect(win.keyPairFile).toBeTruthy();
    expect(statSync(win.keyPairFile!).mode & 0o777).toBe(0o600);
    sandbox.world.setPasswordAvailableIn(900, 'win-admin');
    const early = await ec2.send(new GetPasswordDataCommand({ InstanceId: win.instanceId }));
    expect(early.PasswordData).toBe('');
    sandbox.world.setPasswordAvailableIn(0, 'win-admin');
    const ready = await ec2.send(new GetPasswordDataCommand({ InstanceId: win.instanceId }));
    expect(ready.Timestamp).toBeInstanceOf(Date);
    // Node refuses RSA_PKCS1_PADDING for decryption: unpad the raw RSA result by hand (0x00 0x02 nonzero... 0x00 message).
    const raw = privateDecrypt({ key: readFileSync(win.keyPairFile!, 'utf8'), padding: constants.RSA_NO_PADDING }, Buffer.from(ready.PasswordData!, 'base64'));
    expect(raw[0]).toBe(0);
    expect(raw[1]).toBe(2);
    const password = raw.subarray(raw.indexOf(0, 2) + 1).toString('utf8');
    expect(password).toBe(win.rdpPassword);
    const linux = await ec2.send(new GetPasswordDataCommand({ InstanceId: 'i-0a1b2c3d4e5f60001' }));
    expect(linux.PasswordData).toBe('');
  });
});

describe('EC2 security groups', () => {
  it('creates a group, authorizes and revokes rules, and refuses duplicates and deleting a group in use', async () => {
    const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'bastionless-eice', Description: 'Made by a test', VpcId: 'vpc-0a1b2c3d4e5f60002' }));
    expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    await expect(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'bastionless-eice', Description: 'again', VpcId: 'vpc-0a1b2c3d4e5f60002' }))).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
    const permission = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: created.GroupId!, Description: 'SSH via EICE' }] };
    const added = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60201', IpPermissions: [permission] }));
    expect(added.Return).toBe(true);
    expect(added.SecurityGroupRules?.[0]).toMatchObject({ IsEgress: false, FromPort: 22, ReferencedGroupInfo: { GroupId: created.GroupId } });
    await expect(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60201', IpPermissions: [permission] }))).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
    await expect(ec2.send(new DeleteSecurityGroupCommand({ GroupId: created.GroupId! }))).rejects.toMatchObject({ name: 'DependencyViolation' });
    const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60201', IpPermissions: [permission] }));
    expect(revoked.Return).toBe(true);
    await expect(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60201', IpPermissions: [permission] }))).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: created.GroupId! }));
    await expect(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60201', IpPermissions: [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('EC2 Instance Connect Endpoints', () => {
  it('creates an endpoint that moves from create-in-progress to create-complete, with tags and idempotency', async () => {
    const token = 'create-data-vpc-endpoint';
    const input = { SubnetId: 'subnet-0a1b2c3d4e5f60031', SecurityGroupIds: ['sg-0a1b2c3d4e5f60201'], PreserveClientIp: false, ClientToken: token, TagSpecifications: [{ ResourceType: 'instance-connect-endpoint' as const, Tags: [{ Key: 'Name', Value: 'data-eice' }] }] };
    const created = await ec2.send(new CreateInstanceConnectEndpointCommand(input));
    const ep = created.InstanceConnectEndpoint!;
    expect(ep).toMatchObject({ State: 'create-in-progress', VpcId: 'vpc-0a1b2c3d4e5f60002', SubnetId: 'subnet-0a1b2c3d4e5f60031', AvailabilityZone: 'us-east-1a', PreserveClientIp: false, IpAddressType: 'ipv4', Tags: [{ Key: 'Name', Value: 'data-eice' }] });
    expect(ep.DnsName).toMatch(new RegExp(`^${ep.InstanceConnectEndpointId}\\.[0-9a-f]{8}\\.ec2-instance-connect-endpoint\\.us-east-1\\.amazonaws\\.com$`));
    expect(ep.FipsDnsName).toBe(ep.DnsName!.replace('.ec2-instance-connect-endpoint.', '.fips.ec2-instance-connect-endpoint.'));
    const again = await ec2.send(new CreateInstanceConnectEndpointCommand(input));
    expect(again.InstanceConnectEndpoint?.InstanceConnectEndpointId).toBe(ep.InstanceConnectEndpointId);
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ ...input, PreserveClientIp: true }))).rejects.toMatchObject({ name: 'IdempotentParameterMismatch' });

    sandbox.world.completeTransitions();
    const listed = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: [ep.InstanceConnectEndpointId!] }));
    expect(listed.InstanceConnectEndpoints?.[0]?.State).toBe('create-complete');
    // The path is open now; without instance servers in this sandbox nothing listens behind it.
    expect(sandbox.world.instance('analytics-worker')).toMatchObject({ endpointId: ep.InstanceConnectEndpointId, unreachableReason: expect.stringMatching(/^nothing listens on port 22/) });

    const deleted = await ec2.send(new DeleteInstanceConnectEndpointCommand({ InstanceConnectEndpointId: ep.InstanceConnectEndpointId! }));
    expect(deleted.InstanceConnectEndpoint?.State).toBe('delete-in-progress');
    await expect(ec2.send(new DeleteInstanceConnectEndpointCommand({ InstanceConnectEndpointId: ep.InstanceConnectEndpointId! }))).rejects.toMatchObject({ name: 'IncorrectState' });
    sandbox.world.completeTransitions();
    const gone = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60002'] }] }));
    expect(gone.InstanceConnectEndpoints?.map((e) => e.State)).toEqual(['delete-complete']);
  });

  it('enforces one endpoint per subnet and per VPC with ResourceLimitExceeded', async () => {
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60011' }))).rejects.toMatchObject({ name: 'ResourceLimitExceeded', message: expect.stringMatching(/^Subnet subnet-0a1b2c3d4e5f60011 already has/) });
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60012' }))).rejects.toMatchObject({ name: 'ResourceLimitExceeded', message: expect.stringMatching(/^VPC vpc-0a1b2c3d4e5f60001 already has an EC2 Instance Connect Endpoint \(eice-0a1b2c3d4e5f60901\)/) });
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0fffffffffffffff0' }))).rejects.toMatchObject({ name: 'InvalidSubnetID.NotFound' });
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60032', SecurityGroupIds: ['sg-0a1b2c3d4e5f60101'] }))).rejects.toMatchObject({ name: 'InvalidParameter' });
  });

  it('modifies an endpoint through update-in-progress, keeping the old settings until it completes', async () => {
    const id = 'eice-0a1b2c3d4e5f60901';
    await ec2.send(new ModifyInstanceConnectEndpointCommand({ InstanceConnectEndpointId: id, PreserveClientIp: true }));
    const during = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: [id] }));
    expect(during.InstanceConnectEndpoints?.[0]).toMatchObject({ State: 'update-in-progress', PreserveClientIp: false });
    sandbox.world.completeTransitions();
    const after = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: [id] }));
    expect(after.InstanceConnectEndpoints?.[0]).toMatchObject({ State: 'update-complete', PreserveClientIp: true });
    await ec2.send(new ModifyInstanceConnectEndpointCommand({ InstanceConnectEndpointId: id, PreserveClientIp: false }));
    sandbox.world.completeTransitions();
  });

  it('pages DescribeInstanceConnectEndpoints at most 50 at a time', async () => {
    const first = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ MaxResults: 1 }));
    expect(first.InstanceConnectEndpoints).toHaveLength(1);
    expect(first.NextToken).toBeTruthy();
    await expect(ec2.send(new DescribeInstanceConnectEndpointsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const byState = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ Filters: [{ Name: 'state', Values: ['create-complete', 'update-complete'] }] }));
    expect(byState.InstanceConnectEndpoints?.map((e) => e.InstanceConnectEndpointId)).toContain('eice-0a1b2c3d4e5f60901');
    await expect(ec2.send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: ['eice-0fffffffffffffff0'] }))).rejects.toMatchObject({ name: 'InvalidInstanceConnectEndpointId.NotFound' });
  });

  it('ends in create-failed with the StateMessage when the fault knob says so', async () => {
    sandbox.world.setFaults({ failNextEndpointCreate: 'Insufficient free IP addresses in the subnet.' });
    const created = await ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60032' }));
    sandbox.world.completeTransitions();
    const listed = await ec2.send(new DescribeInstanceConnectEndpointsCommand({ InstanceConnectEndpointIds: [created.InstanceConnectEndpoint!.InstanceConnectEndpointId!] }));
    expect(listed.InstanceConnectEndpoints?.[0]).toMatchObject({ State: 'create-failed', StateMessage: 'Insufficient free IP addresses in the subnet.' });
    await ec2.send(new DeleteInstanceConnectEndpointCommand({ InstanceConnectEndpointId: created.InstanceConnectEndpoint!.InstanceConnectEndpointId! }));
  });
});

describe('EC2 DryRun and IAM denies', () => {
  it('answers DryRunOperation when allowed and UnauthorizedOperation naming the action when denied', async () => {
    await expect(ec2.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60032', DryRun: true }))).rejects.toMatchObject({ name: 'DryRunOperation', $metadata: { httpStatusCode: 412 } });
    const restricted = client('us-east-1', 1);
    const denied = restricted.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60032', DryRun: true }));
    await expect(denied).rejects.toMatchObject({ name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
    await expect(denied).rejects.toThrow(/not authorized to perform: ec2:CreateInstanceConnectEndpoint .*Encoded authorization failure message: /);
    await expect(restricted.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60032' }))).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    await expect(restricted.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0a1b2c3d4e5f60104', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }))).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    const allowed = await restricted.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(allowed.Reservations).toHaveLength(5);
  });

  it('records the calls with their outcome', () => {
    const events = sandbox.world.events().filter((e) => e.service === 'ec2' && e.action === 'CreateInstanceConnectEndpoint');
    expect(events.some((e) => e.errorCode === 'DryRunOperation' && e.principal === 'sandbox-admin' && e.detail?.['DryRun'] === true)).toBe(true);
    expect(events.some((e) => e.errorCode === 'UnauthorizedOperation' && e.principal === 'sandbox-restricted')).toBe(true);
  });
});

describe('EC2 Region quota', () => {
  it('refuses a sixth endpoint in a Region', async () => {
    const w = SMALL_WORLD;
    const vpcs = Array.from({ length: 6 }, (_, i) => ({
      id: `vpc-0123456789abd000${i}`,
      region: w.region,
      cidr: `10.${40 + i}.0.0/16`,
      subnets: [{ id: `subnet-0123456789abd000${i}`, az: 'us-east-1a', cidr: `10.${40 + i}.1.0/24` }],
    }));
    const scenario = buildScenario();
    const many = await startSandbox({ scenario: { ...scenario, vpcs: [...scenario.vpcs!, ...vpcs] }, withoutInstanceServers: true });
    try {
      const c = new EC2Client({ region: w.region, endpoint: many.urls.ec2, credentials: { accessKeyId: many.principals[0]!.accessKeyId, secretAccessKey: many.principals[0]!.secretAccessKey }, maxAttempts: 1 });
      for (let i = 0; i < 4; i++) await c.send(new CreateInstanceConnectEndpointCommand({ SubnetId: `subnet-0123456789abd000${i}` }));
      await expect(c.send(new CreateInstanceConnectEndpointCommand({ SubnetId: 'subnet-0123456789abd0005' }))).rejects.toMatchObject({ name: 'ResourceLimitExceeded', message: expect.stringMatching(/limit of 5 EC2 Instance Connect Endpoints per Region/) });
    } finally {
      await many.stop();
    }
  });
});
