import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeKeyPairsCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type DescribeImagesCommandOutput,
  type DescribeInstancesCommandOutput,
  type DescribeInstanceStatusCommandOutput,
  type DescribeKeyPairsCommandOutput,
  type DescribeNetworkAclsCommandOutput,
  type DescribeSecurityGroupsCommandOutput,
  type DescribeSubnetsCommandOutput,
  type DescribeVpcsCommandOutput,
  type Instance as Ec2Instance,
  type NetworkAcl,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { AppError, type GatherStep } from '../../preload/contract';
import { awsErrorFacts, mapAwsError } from '../aws/errors';
import { reaches } from '../aws/inventory/instanceReach';
import { secretAccounts } from '../aws/keychain';
import { pushPublicKey } from '../eice/cliTarget';
import { SHORTER_TUNNEL_DURATIONS } from '../eice/durationSearch';
import { describeAllEndpoints } from '../eice/endpoints';
import { DEFAULT_TUNNEL_DURATION_SECONDS } from '../eice/tunnel';
import { keyPairAccount } from '../rdp/rdpIo';
import { createEphemeralKey } from '../ssh/ephemeralKey';
import { chosenEndpointOf, instanceOf, osOf, platformOf, targetAddressOf } from './derive';
import type { DiagnoseApp, DiagnoseAws, DiagnoseClients, DiagnoseProbes } from './diagnoseIo';
import { failed, ok, type DiagnosisFacts, type Fact, type FactError, type FailureFacts, type SubjectFacts } from './facts';
import { probeTunnel } from './probeTunnel';

export interface GatherDeps {
  aws: DiagnoseAws;
  app: DiagnoseApp;
  probes: DiagnoseProbes;
  now?: () => Date;
}

export interface GatherOptions {
  subject: SubjectFacts;
  failure?: FailureFacts;
  /** A gathering step started or finished; the facts so far are in `facts`. */
  onStep(step: GatherStep['id'], status: 'running' | 'done', facts: DiagnosisFacts): void;
  signal: AbortSignal;
  /** Skip the test tunnel and key push (they open a connection and push a throw-away key). */
  noProbes?: boolean;
}

/** The order the steps run in, as the report lists them. */
export const GATHER_STEPS: readonly { id: GatherStep['id']; label: string }[] = [
  { id: 'credentials', label: 'Checking the credentials' },
  { id: 'instance', label: 'Reading the instance' },
  { id: 'endpoint', label: 'Looking for the endpoint' },
  { id: 'network', label: 'Reading security groups, subnets and ACLs' },
  { id: 'app', label: 'Looking at what Bastionless knows' },
  { id: 'probes', label: 'Trying a test connection' },
];

/** Runs one AWS call and keeps its answer or its error as a fact. */
async function fact<T>(action: string, words: string, clients: DiagnoseClients, region: string, call: () => Promise<T>): Promise<Fact<T>> {
  try {
    return ok(await call());
  } catch (error) {
    return failed(factErrorOf(error, action, words, region, clients.profileName));
  }
}

/** An error as a fact: the app's code and sentence, AWS's own error name. Nothing secret survives mapAwsError. */
export function factErrorOf(error: unknown, action: string, words: string, region: string, profile: string): FactError {
  const mapped = mapAwsError(error, { action: words, region, profile });
  const awsCode = error instanceof AppError ? undefined : awsErrorFacts(error).name || undefined;
  return {
    code: mapped.code,
    message: mapped.message,
    hint: mapped.hint,
    action,
    ...(awsCode ? { awsCode } : {}),
    ...(mapped.requestId ? { requestId: mapped.requestId } : {}),
  };
}

const isNotFound = (f: Fact<unknown>): boolean => !f.ok && (f.error.code === 'NOT_FOUND' || /\.NotFound$/.test(f.error.awsCode ?? ''));

/**
 * Gathers every fact the checks need in one pass. Each AWS call's failure is recorded as a fact
 * and the pass goes on; calls that cannot mean anything (everything after credentials that do
 * not load, the instance's network when the instance is unknown) are left out and the checks say
 * why. Calls that do not depend on each other run at the same time.
 */
export async function gatherFacts(deps: GatherDeps, options: GatherOptions): Promise<DiagnosisFacts> {
  const now = deps.now ?? (() => new Date());
  const { subject, signal } = options;
  const region = subject.region;
  const facts: DiagnosisFacts = {
    gatheredAt: now(),
    subject,
    credentials: failed({ code: 'INTERNAL', message: 'Not checked yet.', hint: '', action: 'credentials' }),
    ...(options.failure ? { failure: options.failure } : {}),
    probes: {},
  };
  const step = async (id: GatherStep['id'], run: () => Promise<void>): Promise<void> => {
    signal.throwIfAborted();
    options.onStep(id, 'running', facts);
    await run();
    signal.throwIfAborted();
    options.onStep(id, 'done', facts);
  };

  // 1. Credentials: load them (SSO, MFA and assumed roles resolve here), then ask STS who we are.
  let clients: DiagnoseClients | undefined;
  await step('credentials', async () => {
    const profileRegion = await deps.aws.profileRegion(subject.profileId).catch(() => undefined);
    if (profileRegion) facts.profileRegion = profileRegion;
    try {
      clients = await deps.aws.clientsFor(subject.profileId, region);
      const loaded = await clients.credentials();
      facts.credentials = ok(loaded.expiration ? { expiration: loaded.expiration } : {});
    } catch (error) {
      facts.credentials = failed(factErrorOf(error, 'credentials', `load the credentials of profile "${subject.profileName}"`, region, subject.profileName));
      clients = undefined;
      return;
    }
    const c = clients;
    facts.identity = await fact('sts:GetCallerIdentity', 'check who the credentials belong to', c, region, async () => {
      const out = (await c.sts.send(new GetCallerIdentityCommand({}))) as GetCallerIdentityCommandOutput;
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    });
  });
  const c = clients;
  if (!c) {
    for (const s of GATHER_STEPS.slice(1)) {
      options.onStep(s.id, 'running', facts);
      options.onStep(s.id, 'done', facts);
    }
    return facts;
  }

  // 2. The instance, then (at once) its status checks, AMI and key pair.
  await step('instance', async () => {
    const id = subject.instanceId;
    facts.instance = await fact('ec2:DescribeInstances', `read instance ${id}`, c, region, async () => {
      const out = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))) as DescribeInstancesCommandOutput;
      return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id) ?? null;
    });
    // AWS answers an unknown id with InvalidInstanceID.NotFound: that is "not there", not a failure.
    if (isNotFound(facts.instance)) facts.instance = ok(null);
    const raw = instanceOf(facts);
    if (!raw) {
      if (facts.instance.ok) await findElsewhere(deps, facts);
      return;
    }
    const [status, image, keyPair] = await Promise.all([
      fact('ec2:DescribeInstanceStatus', `read the status checks of ${id}`, c, region, async () => {
        const out = (await c.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: true }))) as DescribeInstanceStatusCommandOutput;
        const s = out.InstanceStatuses?.find((x) => x.InstanceId === id);
        if (!s) return null;
        return {
          system: s.SystemStatus?.Status ?? 'insufficient-data',
          instance: s.InstanceStatus?.Status ?? 'insufficient-data',
          events: (s.Events ?? []).map((e) => `${e.Code ?? 'event'}${e.NotBefore ? ` from ${new Date(e.NotBefore).toISOString()}` : ''}${e.Description ? `: ${e.Description}` : ''}`),
        };
      }),
      raw.ImageId
        ? fact('ec2:DescribeImages', `read the AMI ${raw.ImageId}`, c, region, async () => {
            const out = (await c.ec2.send(new DescribeImagesCommand({ ImageIds: [raw.ImageId as string] }))) as DescribeImagesCommandOutput;
            return out.Images?.find((i) => i.ImageId === raw.ImageId) ?? null;
          })
        : Promise.resolve(ok(null)),
      raw.KeyName
        ? fact('ec2:DescribeKeyPairs', `read the key pair ${raw.KeyName}`, c, region, async () => {
            const out = (await c.ec2.send(new DescribeKeyPairsCommand({ KeyNames: [raw.KeyName as string] }))) as DescribeKeyPairsCommandOutput;
            return out.KeyPairs?.find((k) => k.KeyName === raw.KeyName) ?? null;
          })
        : Promise.resolve(undefined),
    ]);
    facts.status = status;
    // A deregistered AMI or a deleted key pair is a fact about the instance, not a failure.
    facts.image = isNotFound(image) ? ok(null) : image;
    if (keyPair) facts.keyPair = isNotFound(keyPair) ? ok(null) : keyPair;
  });

  // 3. The endpoints of its VPC.
  await step('endpoint', async () => {
    const vpcId = instanceOf(facts)?.VpcId;
    if (!vpcId) return;
    facts.endpoints = await fact('ec2:DescribeInstanceConnectEndpoints', `list the endpoints of ${vpcId}`, c, region, () => describeAllEndpoints(c.ec2, [{ Name: 'vpc-id', Values: [vpcId] }]));
  });

  // 4. Security groups, subnets, ACLs and the VPC, at once.
  await step('network', async () => {
    const raw = instanceOf(facts);
    if (!raw?.VpcId) return;
    const vpcId = raw.VpcId;
    const endpoints = facts.endpoints?.ok ? facts.endpoints.value.filter((e) => e.state !== 'delete-complete') : [];
    const groupIds = [...new Set([...(raw.SecurityGroups ?? []).map((g) => g.GroupId), ...endpoints.flatMap((e) => e.securityGroupIds)].filter((id): id is string => !!id))];
    const subnetIds = [...new Set([raw.SubnetId, ...endpoints.map((e) => e.subnetId)].filter((id): id is string => !!id))];
    const [groups, subnets, acls, vpc] = await Promise.all([
      fact('ec2:DescribeSecurityGroups', 'read the security groups', c, region, async () => {
        if (groupIds.length === 0) return [] as SecurityGroup[];
        const out = (await c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))) as DescribeSecurityGroupsCommandOutput;
        return out.SecurityGroups ?? [];
      }),
      fact('ec2:DescribeSubnets', 'read the subnets', c, region, async () => {
        const out = (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))) as DescribeSubnetsCommandOutput;
        return out.Subnets ?? [];
      }),
      fact('ec2:DescribeNetworkAcls', `read the network ACLs of ${vpcId}`, c, region, async () => {
        const all: NetworkAcl[] = [];
        let token: string | undefined;
        do {
          const out = (await c.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], ...(token ? { NextToken: token } : {}) }))) as DescribeNetworkAclsCommandOutput;
          all.push(...(out.NetworkAcls ?? []));
          token = out.NextToken || undefined;
        } while (token && all.length < 1000);
        return all;
      }),
      fact('ec2:DescribeVpcs', `read ${vpcId}`, c, region, async () => {
        const out = (await c.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))) as DescribeVpcsCommandOutput;
        return out.Vpcs?.find((v) => v.VpcId === vpcId) ?? null;
      }),
    ]);
    facts.securityGroups = groups;
    facts.subnets = subnets;
    facts.networkAcls = acls;
    facts.vpc = vpc;
  });

  // 5. What Bastionless itself holds: the key pair's private key, the host's own key.
  await step('app', async () => {
    facts.appKeys = await appKeys(deps, facts);
  });

  // 6. Probes: a test tunnel (and, for EC2 Instance Connect, a throw-away key push).
  await step('probes', async () => {
    if (options.noProbes) return;
    await probe(deps, c, facts, signal);
  });
  return facts;
}

/** The instance is not in the host's Region: the last discovery, or the profile's own Region, may know where it is. */
async function findElsewhere(deps: GatherDeps, facts: DiagnosisFacts): Promise<void> {
  const { subject } = facts;
  const known = (await deps.app.inventory().catch(() => undefined))?.instances.find((i) => i.instanceId === subject.instanceId && reaches(i, subject.profileId) && i.region !== subject.region);
  if (known) {
    facts.elsewhere = { region: known.region, via: 'inventory' };
    return;
  }
  const other = facts.profileRegion;
  if (!other || other === subject.region) return;
  try {
    const there = await deps.aws.clientsFor(subject.profileId, other);
    const out = (await there.ec2.send(new DescribeInstancesCommand({ InstanceIds: [subject.instanceId] }))) as DescribeInstancesCommandOutput;
    if (out.Reservations?.some((r) => r.Instances?.some((i) => i.InstanceId === subject.instanceId))) facts.elsewhere = { region: other, via: 'lookup' };
  } catch {
    // Not there either (NotFound) or not readable: nothing more to say.
  }
}

async function appKeys(deps: GatherDeps, facts: DiagnosisFacts): Promise<NonNullable<DiagnosisFacts['appKeys']>> {
  const { subject } = facts;
  const keyName = instanceOf(facts)?.KeyName;
  const out: NonNullable<DiagnosisFacts['appKeys']> = { keychainHasKeyPair: false };
  const keychain = async (account: string): Promise<boolean | undefined> => {
    try {
      return await deps.app.hasSecret(account);
    } catch (error) {
      const e = error instanceof AppError ? error : new AppError('KEYCHAIN_UNAVAILABLE', 'The OS keychain could not be read.', { cause: error });
      out.keychainError = { code: e.code, message: e.message, hint: e.hint, action: 'keychain' };
      return undefined;
    }
  };
  if (keyName) out.keychainHasKeyPair = (await keychain(keyPairAccount(subject.profileId, subject.region, keyName))) ?? false;
  // The saved host's own key: its SSH key pair, or (Windows) the key that decrypts the password.
  const windows = platformOf(facts) === 'windows';
  const key = windows ? subject.windowsKey : subject.auth.method === 'keyPair' ? subject.auth.key : undefined;
  if (key?.store === 'file') {
    const r = await deps.app.readable(key.path);
    out.hostKey = { store: 'file', path: key.path, readable: r.readable, ...(r.problem ? { problem: r.problem } : {}) };
  } else if (key?.store === 'keychain' && subject.hostId) {
    const has = await keychain(secretAccounts.host(subject.hostId, windows ? 'windowsKey' : 'privateKey'));
    out.hostKey = { store: 'keychain', readable: has === true, ...(has === false ? { problem: 'The keychain has no key for this host any more.' } : has === undefined ? { problem: 'The keychain could not be read.' } : {}) };
  }
  return out;
}

async function probe(deps: GatherDeps, c: DiagnoseClients, facts: DiagnosisFacts, signal: AbortSignal): Promise<void> {
  const raw = instanceOf(facts);
  const endpoint = chosenEndpointOf(facts);
  if (!raw || raw.State?.Name !== 'running') return;
  const { subject } = facts;
  const address = targetAddressOf(raw);
  const tasks: Promise<void>[] = [];
  if (endpoint?.preserveClientIp) {
    tasks.push(
      deps.probes.publicIp(signal).then(
        (ip) => void (facts.probes.publicIp = ok(ip)),
        (error: unknown) => void (facts.probes.publicIp = failed(factErrorOf(error, 'checkip', 'find this computer’s public address', subject.region, subject.profileName))),
      ),
    );
  }
  if (platformOf(facts) === 'linux' && subject.auth.method === 'eic') {
    const osUser = subject.osUser ?? osOf(facts)?.defaultUser ?? 'ec2-user';
    // A throw-away key: nobody holds its private half, it only shows whether the push is allowed.
    tasks.push(
      pushPublicKey(c.eic, { instanceId: subject.instanceId, osUser, publicKey: createEphemeralKey().publicKey, ...(raw.Placement?.AvailabilityZone ? { availabilityZone: raw.Placement.AvailabilityZone } : {}) }, { region: subject.region, profile: c.profileName }).then(
        () => void (facts.probes.keyPush = ok({ osUser })),
        (error: unknown) => void (facts.probes.keyPush = failed({ ...factErrorOf(error, 'ec2-instance-connect:SendSSHPublicKey', `push a key for ${osUser}`, subject.region, c.profileName), ...awsCodeOfCause(error) })),
      ),
    );
  }
  if (endpoint && address && endpoint.dnsName) {
    tasks.push(
      probeTunnel(deps.probes, {
        request: {
          profileId: subject.profileId,
          region: subject.region,
          instanceId: subject.instanceId,
          endpointId: endpoint.id,
          dnsName: endpoint.dnsName,
          ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
          privateIpAddress: address,
          port: subject.port,
          maxTunnelDuration: DEFAULT_TUNNEL_DURATION_SECONDS,
          label: `Diagnose ${subject.label}`,
          ...(subject.hostId ? { hostId: subject.hostId } : {}),
        },
        shorterDurations: SHORTER_TUNNEL_DURATIONS,
        signal,
      }).then((result) => void (facts.probes.tunnel = result)),
    );
  }
  await Promise.all(tasks);
}

/** SendSSHPublicKey's AppError keeps the SDK error as its cause: its name says AuthException or ThrottlingException. */
function awsCodeOfCause(error: unknown): { awsCode?: string } {
  const cause = error instanceof AppError ? (error.cause as { name?: unknown } | undefined) : undefined;
  return typeof cause?.name === 'string' && cause.name ? { awsCode: cause.name } : {};
}

export type { Ec2Instance };
