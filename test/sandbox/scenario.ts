/**
 * A sandbox "world" as JSON (test/sandbox/scenarios/*.json), validated with zod so a typo in a
 * scenario fails with the path and the reason instead of a confusing test failure later.
 *
 * Top level (everything but `regions` has a default):
 * - `account`: `{ id, alias? }` (12 digits).
 * - `principals`: IAM users the sandbox issues credentials for (first = the `env` one).
 *   Access key ids are generated per start and always contain `EXAMPLE`.
 * - `roles`: roles for STS AssumeRole (`trustedPrincipals`, `requireMfa`).
 * - `mfa`: `{ serialNumber, code }` the sandbox accepts as the MFA device and its code.
 * - `sso`: IAM Identity Center: `startUrl`, `region`, `accounts[{accountId, accountName, roles[]}]`.
 * - `regions[]`: `{ name, optInStatus, availabilityZones[{ name, id, state, message? }] }`.
 * - `defaultRegion`: the AWS_REGION of `env`.
 * - `disabledRegionError`: what EC2 answers in a not-opted-in Region (`AuthFailure`, AWS's
 *   actual answer, or `OptInRequired`).
 * - `vpcs[]`: `{ id, region, cidr, name?, isDefault?, subnets[], securityGroups[], networkAcls[] }`;
 *   a subnet is `{ id, az, cidr, name?, public? }` (`public` adds a route to an internet
 *   gateway); security group rules are `{ protocol, fromPort, toPort, cidr? , groupId? }`.
 * - `images[]`: AMIs `{ id, region, name, description?, creationDate, platform, eicPackage, defaultUser }`.
 * - `keyPairs[]`: `{ name, region, type: rsa|ed25519, recreatedAfterLaunch? }`; the sandbox generates them and writes
 *   each private key to a 0600 file.
 * - `instances[]`: `{ id, name, region, subnetId, imageId, state, instanceType, privateIp,
 *   publicIp?, securityGroupIds, keyName?, osUser?, statusChecks?, launchTime? }`.
 * - `endpoints[]`: existing EC2 Instance Connect Endpoints `{ id, subnetId, securityGroupIds,
 *   preserveClientIp, state, stateMessage?, tags? }`.
 * - `iam`: `deny[]` rules `{ action, principal?, region?, resource?, remotePort? }` (action
 *   globs like `ec2:Describe*`) and `maxTunnelDuration?: { seconds, principal? }`.
 * - `timing`: seconds for endpoint create/modify/delete, how long deleted endpoints stay
 *   visible, when Windows passwords become available, instance start/stop.
 * - `tunnel`: `allowedRemotePorts`, `maxConnectionsPerEndpoint`, `maxTunnelDurationSeconds`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must look like ${prefix}-0123456789abcdef0`);
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/16');
const ipv4 = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, 'must be an IPv4 address');
const regionName = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be a Region name such as us-east-1');
const tags = z.record(z.string(), z.string()).default({});

const Rule = z.strictObject({
  /** `tcp`, `udp`, `icmp` or `-1` (all). */
  protocol: z.enum(['tcp', 'udp', 'icmp', '-1']).default('tcp'),
  fromPort: z.number().int().min(-1).max(65535).default(-1),
  toPort: z.number().int().min(-1).max(65535).default(-1),
  cidr: cidr.optional(),
  /** Another security group as the source (ingress) or destination (egress). */
  groupId: id('sg').optional(),
  description: z.string().optional(),
});

const SecurityGroup = z.strictObject({
  id: id('sg'),
  name: z.string().min(1),
  description: z.string().default('Managed by the Bastionless sandbox'),
  ingress: z.array(Rule).default([]),
  /** AWS's default for a new group is "all traffic to 0.0.0.0/0". */
  egress: z.array(Rule).default([{ protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }]),
  tags,
});

const AclEntry = z.strictObject({
  ruleNumber: z.number().int().min(1).max(32766),
  egress: z.boolean(),
  protocol: z.enum(['tcp', 'udp', 'icmp', '-1']).default('-1'),
  action: z.enum(['allow', 'deny']),
  cidr: cidr.default('0.0.0.0/0'),
  fromPort: z.number().int().min(0).max(65535).optional(),
  toPort: z.number().int().min(0).max(65535).optional(),
});

const NetworkAcl = z.strictObject({
  id: id('acl'),
  subnetIds: z.array(id('subnet')).default([]),
  entries: z.array(AclEntry),
  tags,
});

const Subnet = z.strictObject({
  id: id('subnet'),
  az: z.string().min(1),
  cidr,
  name: z.string().optional(),
  /** A route 0.0.0.0/0 to an internet gateway: what the console calls a public subnet. */
  public: z.boolean().default(false),
  mapPublicIpOnLaunch: z.boolean().optional(),
});

const Vpc = z.strictObject({
  id: id('vpc'),
  region: regionName,
  cidr,
  name: z.string().optional(),
  isDefault: z.boolean().default(false),
  subnets: z.array(Subnet).default([]),
  /** A group named "default" is added when none is listed, as AWS does for every VPC. */
  securityGroups: z.array(SecurityGroup).default([]),
  networkAcls: z.array(NetworkAcl).default([]),
  tags,
});

const Image = z.strictObject({
  id: id('ami'),
  region: regionName,
  name: z.string().min(1),
  description: z.string().optional(),
  /** ISO date, as DescribeImages reports it. */
  creationDate: z.iso.datetime(),
  platform: z.enum(['linux', 'windows']).default('linux'),
  /** Whether the AMI ships the ec2-instance-connect package (pushed keys work). */
  eicPackage: z.boolean().default(true),
  defaultUser: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]{0,31}$/).default('ec2-user'),
  /** `amazon` for AWS's own AMIs; omitted for vendors such as Canonical. */
  ownerAlias: z.string().optional(),
  ownerId: z.string().regex(/^\d{12}$/).default('137112412989'),
  architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
});

const Instance = z.strictObject({
  id: id('i'),
  name: z.string().min(1),
  region: regionName,
  subnetId: id('subnet'),
  imageId: id('ami'),
  state: z.enum(['running', 'stopped']).default('running'),
  instanceType: z.string().default('t3.micro'),
  privateIp: ipv4,
  publicIp: ipv4.optional(),
  securityGroupIds: z.array(id('sg')).min(1),
  keyName: z.string().optional(),
  /** Overrides the AMI's default OS user (the user sshd knows). */
  osUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).optional(),
  statusChecks: z
    .strictObject({
      system: z.enum(['ok', 'impaired', 'initializing', 'insufficient-data']).default('ok'),
      instance: z.enum(['ok', 'impaired', 'initializing', 'insufficient-data']).default('ok'),
    })
    .default({ system: 'ok', instance: 'ok' }),
  launchTime: z.iso.datetime().optional(),
  tags,
});

const Endpoint = z.strictObject({
  id: id('eice'),
  subnetId: id('subnet'),
  securityGroupIds: z.array(id('sg')).min(1),
  preserveClientIp: z.boolean().default(false),
  state: z
    .enum(['create-in-progress', 'create-complete', 'create-failed', 'delete-in-progress', 'delete-complete', 'delete-failed', 'update-in-progress', 'update-complete', 'update-failed'])
    .default('create-complete'),
  stateMessage: z.string().default(''),
  ipAddressType: z.enum(['ipv4', 'dualstack', 'ipv6']).default('ipv4'),
  tags,
});

const DenyRule = z.strictObject({
  /** `service:Action`, `*` globs allowed: `ec2:CreateInstanceConnectEndpoint`, `ec2:Describe*`. */
  action: z.string().regex(/^(\*|[a-z0-9-]+:[A-Za-z*]+)$/, 'must be service:Action, e.g. ec2:DescribeInstances'),
  /** A principal name (see `principals`, `roles`, SSO role names), or omitted for everyone. */
  principal: z.string().optional(),
  region: regionName.optional(),
  /** A resource id the rule is limited to: i-..., eice-..., sg-..., subnet-..., vpc-... */
  resource: z.string().optional(),
  /** For ec2-instance-connect:OpenTunnel: the ec2-instance-connect:remotePort condition. */
  remotePort: z.number().int().optional(),
});

const Principal = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/),
  /** The IAM user name in the ARN; the principal's name by default. */
  userName: z.string().optional(),
});

const Role = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/),
  /** Principal names allowed to assume it (all when omitted). */
  trustedPrincipals: z.array(z.string()).optional(),
  requireMfa: z.boolean().default(false),
  externalId: z.string().optional(),
  maxSessionDurationSeconds: z.number().int().min(900).max(43200).default(3600),
});

const Region = z.strictObject({
  name: regionName,
  optInStatus: z.enum(['opt-in-not-required', 'opted-in', 'not-opted-in']).default('opt-in-not-required'),
  availabilityZones: z
    .array(
      z.strictObject({
        name: z.string(),
        id: z.string(),
        state: z.enum(['available', 'information', 'impaired', 'unavailable']).default('available'),
        message: z.string().optional(),
      }),
    )
    .default([]),
});

const ScenarioObject = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    account: z.strictObject({ id: z.string().regex(/^\d{12}$/), alias: z.string().optional() }).default({ id: '123456789012' }),
    principals: z.array(Principal).min(1).default([{ name: 'sandbox-admin' }]),
    roles: z.array(Role).default([]),
    mfa: z.strictObject({ deviceName: z.string().default('sandbox-mfa'), code: z.string().regex(/^\d{6}$/) }).optional(),
    sso: z
      .strictObject({
        startUrl: z.url(),
        region: regionName,
        userName: z.string().default('sandbox.user@example.com'),
        accounts: z.array(z.strictObject({ accountId: z.string().regex(/^\d{12}$/), accountName: z.string(), emailAddress: z.string().default('aws@example.com'), roles: z.array(z.string()).min(1) })).min(1),
      })
      .optional(),
    regions: z.array(Region).min(1),
    defaultRegion: regionName.optional(),
    disabledRegionError: z.enum(['AuthFailure', 'OptInRequired']).default('AuthFailure'),
    vpcs: z.array(Vpc).default([]),
    images: z.array(Image).default([]),
    keyPairs: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(255),
          region: regionName,
          type: z.enum(['rsa', 'ed25519']).default('rsa'),
          /**
           * The key pair was deleted and created again under the same name after instances
           * launched with the old one: how a Windows instance comes to name an ED25519 key pair
           * (AWS refuses to launch one with it). Only lifts that check.
           */
          recreatedAfterLaunch: z.boolean().default(false),
        }),
      )
      .default([]),
    instances: z.array(Instance).default([]),
    endpoints: z.array(Endpoint).default([]),
    iam: z
      .strictObject({
        deny: z.array(DenyRule).default([]),
        maxTunnelDuration: z.strictObject({ seconds: z.number().int().min(1).max(3600), principal: z.string().optional() }).optional(),
      })
      .default({ deny: [] }),
    timing: z
      .strictObject({
        endpointCreateSeconds: z.number().min(0).default(3),
        endpointModifySeconds: z.number().min(0).default(2),
        endpointDeleteSeconds: z.number().min(0).default(2),
        /** How long a deleted endpoint is still listed as delete-complete. */
        deletedVisibleSeconds: z.number().min(0).default(10),
        /** Seconds after the sandbox starts before GetPasswordData returns a password. */
        passwordAvailableAfterSeconds: z.number().min(0).default(0),
        instanceStartSeconds: z.number().min(0).default(2),
        instanceStopSeconds: z.number().min(0).default(2),
      })
      .default({
        endpointCreateSeconds: 3,
        endpointModifySeconds: 2,
        endpointDeleteSeconds: 2,
        deletedVisibleSeconds: 10,
        passwordAvailableAfterSeconds: 0,
        instanceStartSeconds: 2,
        instanceStopSeconds: 2,
      }),
    tunnel: z
      .strictObject({
        allowedRemotePorts: z.array(z.number().int().min(1).max(65535)).default([22, 3389]),
        maxConnectionsPerEndpoint: z.number().int().min(1).default(20),
        maxTunnelDurationSeconds: z.number().int().min(1).max(3600).default(3600),
        /** The public IPv4 the "internet" sees for this computer (PreserveClientIp checks). */
        clientPublicIp: ipv4.default('198.51.100.24'),
      })
      .default({ allowedRemotePorts: [22, 3389], maxConnectionsPerEndpoint: 20, maxTunnelDurationSeconds: 3600, clientPublicIp: '198.51.100.24' }),
  });

export const ScenarioSchema = ScenarioObject.superRefine((s, ctx) => checkReferences(s, ctx));

export type Scenario = z.infer<typeof ScenarioObject>;
export type ScenarioInput = z.input<typeof ScenarioObject>;
export type ScenarioInstance = Scenario['instances'][number];
export type ScenarioRule = z.infer<typeof Rule>;

/** Thrown for a scenario that does not validate; the message lists every problem with its path. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Parses a scenario object (already read from JSON), or throws ScenarioError. */
export function parseScenario(input: unknown, source = '(inline object)'): Scenario {
  const result = ScenarioSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new ScenarioError(`The sandbox scenario ${source} is not valid:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Reads and validates a scenario file. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ScenarioError(`Cannot read the sandbox scenario ${file}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ScenarioError(`The sandbox scenario ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseScenario(json, file);
}

type Ctx = z.RefinementCtx;

/** Cross-references a schema cannot express: every id used must exist, in the right Region. */
function checkReferences(scenario: Scenario, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const regions = new Set(scenario.regions.map((r) => r.name));
  const unique = (what: string, ids: string[], path: string): void => {
    const seen = new Set<string>();
    ids.forEach((value, i) => {
      if (seen.has(value)) issue([path, i], `duplicate ${what} ${value}`);
      seen.add(value);
    });
  };
  unique('Region', scenario.regions.map((r) => r.name), 'regions');
  unique('VPC', scenario.vpcs.map((v) => v.id), 'vpcs');
  unique('instance', scenario.instances.map((i) => i.id), 'instances');
  unique('endpoint', scenario.endpoints.map((e) => e.id), 'endpoints');
  unique('principal', [...scenario.principals.map((p) => p.name), ...scenario.roles.map((r) => r.name)], 'principals');
  if (scenario.defaultRegion && !regions.has(scenario.defaultRegion)) issue(['defaultRegion'], `${scenario.defaultRegion} is not one of the regions`);

  const subnets = new Map<string, { vpc: Scenario['vpcs'][number]; az: string }>();
  const groups = new Map<string, string>();
  scenario.vpcs.forEach((vpc, v) => {
    const region = scenario.regions.find((r) => r.name === vpc.region);
    if (!region) issue(['vpcs', v, 'region'], `${vpc.region} is not one of the regions`);
    vpc.subnets.forEach((subnet, i) => {
      if (subnets.has(subnet.id)) issue(['vpcs', v, 'subnets', i], `duplicate subnet ${subnet.id}`);
      subnets.set(subnet.id, { vpc, az: subnet.az });
      if (region && region.availabilityZones.length > 0 && !region.availabilityZones.some((az) => az.name === subnet.az)) {
        issue(['vpcs', v, 'subnets', i, 'az'], `${subnet.az} is not an Availability Zone of ${vpc.region}`);
      }
    });
    vpc.securityGroups.forEach((g, i) => {
      if (groups.has(g.id)) issue(['vpcs', v, 'securityGroups', i], `duplicate security group ${g.id}`);
      groups.set(g.id, vpc.id);
    });
    vpc.networkAcls.forEach((acl, a) =>
      acl.subnetIds.forEach((sid, i) => {
        if (!vpc.subnets.some((sn) => sn.id === sid)) issue(['vpcs', v, 'networkAcls', a, 'subnetIds', i], `${sid} is not a subnet of ${vpc.id}`);
      }),
    );
  });
  scenario.vpcs.forEach((vpc, v) =>
    vpc.securityGroups.forEach((g, i) =>
      [...g.ingress, ...g.egress].forEach((rule) => {
        if (rule.groupId && !groups.has(rule.groupId)) issue(['vpcs', v, 'securityGroups', i], `a rule names ${rule.groupId}, which is not a security group`);
        if (!rule.groupId && !rule.cidr) issue(['vpcs', v, 'securityGroups', i], 'a rule needs a cidr or a groupId');
      }),
    ),
  );

  const images = new Map(scenario.images.map((img) => [img.id, img]));
  scenario.images.forEach((img, i) => {
    if (!regions.has(img.region)) issue(['images', i, 'region'], `${img.region} is not one of the regions`);
  });
  const keyPairs = new Map(scenario.keyPairs.map((k) => [`${k.region}/${k.name}`, k]));
  scenario.instances.forEach((inst, i) => {
    const subnet = subnets.get(inst.subnetId);
    if (!subnet) issue(['instances', i, 'subnetId'], `${inst.subnetId} is not a subnet of any VPC`);
    else if (subnet.vpc.region !== inst.region) issue(['instances', i, 'region'], `the instance is in ${inst.region} but ${inst.subnetId} is in ${subnet.vpc.region}`);
    const image = images.get(inst.imageId);
    if (!image) issue(['instances', i, 'imageId'], `${inst.imageId} is not one of the images`);
    else if (image.region !== inst.region) issue(['instances', i, 'imageId'], `${inst.imageId} is in ${image.region}, not ${inst.region}`);
    inst.securityGroupIds.forEach((g, j) => {
      if (!groups.has(g)) issue(['instances', i, 'securityGroupIds', j], `${g} is not a security group`);
      else if (subnet && groups.get(g) !== subnet.vpc.id) issue(['instances', i, 'securityGroupIds', j], `${g} is not in the instance's VPC ${subnet.vpc.id}`);
    });
    if (inst.keyName) {
      const key = keyPairs.get(`${inst.region}/${inst.keyName}`);
      if (!key) issue(['instances', i, 'keyName'], `no key pair ${inst.keyName} in ${inst.region}`);
      else if (image?.platform === 'windows' && key.type !== 'rsa' && !key.recreatedAfterLaunch) issue(['instances', i, 'keyName'], 'a Windows instance needs an RSA key pair (AWS refuses ED25519 for Windows)');
    }
    if (image?.platform === 'windows' && !inst.keyName) issue(['instances', i, 'keyName'], 'a Windows instance needs a key pair for its Administrator password');
  });
  const perVpc = new Map<string, number>();
  const perRegion = new Map<string, number>();
  scenario.endpoints.forEach((ep, i) => {
    const subnet = subnets.get(ep.subnetId);
    if (!subnet) {
      issue(['endpoints', i, 'subnetId'], `${ep.subnetId} is not a subnet of any VPC`);
      return;
    }
    ep.securityGroupIds.forEach((g, j) => {
      if (groups.get(g) !== subnet.vpc.id) issue(['endpoints', i, 'securityGroupIds', j], `${g} is not a security group of ${subnet.vpc.id}`);
    });
    if (ep.state === 'delete-complete') return;
    perVpc.set(subnet.vpc.id, (perVpc.get(subnet.vpc.id) ?? 0) + 1);
    perRegion.set(subnet.vpc.region, (perRegion.get(subnet.vpc.region) ?? 0) + 1);
    if ((perVpc.get(subnet.vpc.id) ?? 0) > 1) issue(['endpoints', i], `${subnet.vpc.id} already has an endpoint (AWS allows one per VPC)`);
    if ((perRegion.get(subnet.vpc.region) ?? 0) > 5) issue(['endpoints', i], `more than 5 endpoints in ${subnet.vpc.region} (AWS allows 5 per Region)`);
  });
  const principalNames = new Set([...scenario.principals.map((p) => p.name), ...scenario.roles.map((r) => r.name), ...(scenario.sso?.accounts.flatMap((a) => a.roles) ?? [])]);
  scenario.iam.deny.forEach((rule, i) => {
    if (rule.principal && !principalNames.has(rule.principal)) issue(['iam', 'deny', i, 'principal'], `${rule.principal} is not a principal or role`);
  });
  scenario.roles.forEach((role, i) =>
    role.trustedPrincipals?.forEach((p, j) => {
      if (!principalNames.has(p)) issue(['roles', i, 'trustedPrincipals', j], `${p} is not a principal`);
    }),
  );
}
