import { z } from 'zod';
import { event, invoke } from './define';
import { SerializedError } from './errors';
import { ProfileId, RegionName } from './profiles';

export const InstanceIdSchema = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'not an EC2 instance id (i-0123456789abcdef0)');

export const InstanceState = z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped', 'unknown']);
export type InstanceState = z.infer<typeof InstanceState>;

export const OsFamily = z.enum([
  'amazonLinux2023',
  'amazonLinux2',
  'amazonLinux1',
  'ubuntu',
  'debian',
  'rhel',
  'centos',
  'fedora',
  'suse',
  'oracle',
  'rocky',
  'alma',
  'bitnami',
  'windows',
  'linux',
]);
export type OsFamily = z.infer<typeof OsFamily>;

/**
 * Whether the `ec2-instance-connect` package (which lets an ephemeral key in) is expected on the
 * instance, from its AMI (EICE.md): preinstalled, installable with a command, not available for
 * that OS, or unknown (a custom AMI).
 */
export const EicPackage = z.enum(['preinstalled', 'installable', 'unavailable', 'unknown']);
export type EicPackage = z.infer<typeof EicPackage>;

/** The OS guessed from the AMI (name, description, platform details). */
export const GuessedOs = z.object({
  family: OsFamily,
  /** Plain name, e.g. "Ubuntu 22.04", "Amazon Linux 2023", "Windows Server 2022". */
  name: z.string(),
  version: z.string().optional(),
  /** The user the AMI creates for SSH (`ec2-user`, `ubuntu`, `admin`...), `Administrator` for Windows. */
  defaultUser: z.string(),
  eicPackage: EicPackage,
  /** The command that installs the package, when it is installable. */
  installCommand: z.string().optional(),
  /** How sure the guess is: from the AMI's name, only from the platform, or nothing to go on. */
  basis: z.enum(['ami', 'platform', 'none']),
});
export type GuessedOs = z.infer<typeof GuessedOs>;

export const EndpointState = z.enum([
  'create-in-progress',
  'create-complete',
  'create-failed',
  'delete-in-progress',
  'delete-complete',
  'delete-failed',
  'update-in-progress',
  'update-complete',
  'update-failed',
]);
export type EndpointState = z.infer<typeof EndpointState>;

/** An EC2 Instance Connect Endpoint as discovery saw it. */
export const EndpointFact = z.object({
  id: z.string(),
  vpcId: z.string(),
  subnetId: z.string(),
  state: EndpointState,
  /** Tunnels can open through it (create-complete or any update-* state, EICE.md). */
  usable: z.boolean(),
  stateMessage: z.string().optional(),
  dnsName: z.string().optional(),
  fipsDnsName: z.string().optional(),
  availabilityZone: z.string().optional(),
  securityGroupIds: z.array(z.string()),
  preserveClientIp: z.boolean(),
});
export type EndpointFact = z.infer<typeof EndpointFact>;

/** Why an instance cannot be reached through EC2 Instance Connect right now. */
export const EicBlocker = z.object({
  code: z.enum(['notRunning', 'noEndpoint', 'endpointNotReady', 'packageMissing', 'packageUnknown', 'noKeyPair', 'noPrivateIp']),
  /** One plain sentence, e.g. "No endpoint in vpc-0abc". */
  message: z.string(),
  /** What to do about it. */
  hint: z.string(),
  /** Blocks the connection (true), or only worth knowing (false: e.g. the package is unknown). */
  blocking: z.boolean(),
});
export type EicBlocker = z.infer<typeof EicBlocker>;

export const EicReadiness = z.object({
  /** Nothing blocking: double-click should connect. */
  ready: z.boolean(),
  /** The endpoint a tunnel would use: the usable one in its subnet, else in its VPC. */
  endpointId: z.string().optional(),
  blockers: z.array(EicBlocker),
});
export type EicReadiness = z.infer<typeof EicReadiness>;

/** Every fact the app keeps about one EC2 instance. */
export const Instance = z.object({
  /** The profile that connects to it by default: the first (in the Profiles view's order) that reaches it. */
  profileId: ProfileId,
  /**
   * Every profile that reaches it, `profileId` first, when more than one does (two profiles of
   * the same account see the same instance: it is listed and costed once). Absent when only
   * `profileId` does.
   */
  profileIds: z.array(ProfileId).optional(),
  /** The AWS account it belongs to (STS GetCallerIdentity of the profile), when known. */
  accountId: z.string().optional(),
  region: z.string(),
  instanceId: z.string(),
  /** The `Name` tag. */
  name: z.string().optional(),
  state: InstanceState,
  platform: z.enum(['linux', 'windows']),
  /** EC2's own platform text ("Linux/UNIX", "Red Hat Enterprise Linux", "Windows"). */
  platformDetails: z.string().optional(),
  instanceType: z.string().optional(),
  architecture: z.string().optional(),
  privateIpv4: z.string().optional(),
  publicIpv4: z.string().optional(),
  ipv6: z.array(z.string()),
  vpcId: z.string().optional(),
  /** The VPC's `Name` tag. */
  vpcName: z.string().optional(),
  subnetId: z.string().optional(),
  availabilityZone: z.string().optional(),
  securityGroups: z.array(z.object({ id: z.string(), name: z.string() })),
  keyName: z.string().optional(),
  ami: z.object({
    id: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    creationDate: z.string().optional(),
  }),
  os: GuessedOs,
  launchTime: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  /** The endpoints of its VPC. */
  vpcEndpoints: z.array(EndpointFact),
  eic: EicReadiness,
  /** What its public IPv4 costs per month ($0.005 an hour, about $3.65), 0 without one. */
  publicIpv4MonthlyUsd: z.number(),
  /** When these facts were read from AWS (ISO). */
  fetchedAt: z.string(),
});
export type Instance = z.infer<typeof Instance>;

/** One profile x Region of a discovery run. */
export const InventoryScope = z.object({
  profileId: ProfileId,
  profileName: z.string(),
  /** `*` while the profile's Regions are being listed (DescribeRegions). */
  region: z.string(),
  state: z.enum(['queued', 'loading', 'done', 'failed']),
  instanceCount: z.number().int(),
  endpointCount: z.number().int(),
  /** Why the scope failed (AccessDenied, an opt-in Region...). */
  error: SerializedError.optional(),
  /** Something that went wrong without failing the scope (endpoints or AMIs could not be read). */
  warning: SerializedError.optional(),
  finishedAt: z.string().optional(),
});
export type InventoryScope = z.infer<typeof InventoryScope>;

export const InventorySnapshot = z.object({
  /** The run that produced it (absent before the first refresh). */
  runId: z.string().optional(),
  running: z.boolean(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  scopes: z.array(InventoryScope),
  instances: z.array(Instance),
  totals: z.object({
    instances: z.number().int(),
    /** Instances with a public IPv4 address. */
    publicIpv4: z.number().int(),
    /** What those addresses cost a month: what moving them behind an endpoint saves. */
    publicIpv4MonthlyUsd: z.number(),
  }),
});
export type InventorySnapshot = z.infer<typeof InventorySnapshot>;

export const RefreshInventoryInput = z.strictObject({
  /**
   * Profiles to scan. Omitted: the default profile (AWS_PROFILE / `default` / the environment's
   * keys) and every profile that needs no prompt (static keys, app-managed without MFA).
   */
  profileIds: z.array(ProfileId).min(1).max(50).optional(),
  /** Regions to scan. Omitted: every Region enabled for the account (DescribeRegions). */
  regions: z.array(RegionName).min(1).max(40).optional(),
});
export type RefreshInventoryInput = z.input<typeof RefreshInventoryInput>;

export const inventory = {
  /**
   * Lists instances and endpoints for the chosen profiles and Regions, several at a time, and
   * resolves with the merged inventory when every scope is done. A Region that fails
   * (AccessDenied, opt-in Region) is reported on its scope and does not stop the others.
   * A newer refresh supersedes a running one, which then fails with CANCELLED. Fails with
   * INVALID_INPUT or NOT_FOUND (unknown profile).
   */
  refresh: invoke(RefreshInventoryInput, InventorySnapshot),
  /** Resolves with the last inventory (kept across restarts), or an empty one. */
  last: invoke(z.strictObject({}), InventorySnapshot),
  /**
   * Re-reads one instance from AWS (after starting it, adding an endpoint). Resolves with its
   * facts. Fails with NOT_FOUND (no such instance) and AWS_* codes.
   */
  instance: invoke(z.strictObject({ profileId: ProfileId, region: RegionName, instanceId: InstanceIdSchema }), Instance),
  /** A scope of a discovery run started, finished or failed. */
  progressed: event(z.object({ runId: z.string(), scope: InventoryScope, completed: z.number().int(), total: z.number().int() })),
};
