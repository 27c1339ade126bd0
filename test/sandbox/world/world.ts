import type { Ec2InstanceConnectEndpointState, Tag } from '@aws-sdk/client-ec2';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario, ScenarioRule } from '../scenario';
import { AwsError } from './awsError';
import { usableAddresses } from './cidr';
import { ec2Arn, eiceDnsNames, newAccessKeyId, newId, newSecretAccessKey, newSessionToken } from './ids';
import { encryptPassword, generateKeyPair, newWindowsPassword, type GeneratedKeyPair } from './keys';
import { toTags } from './query';

/** An endpoint's state, as the EC2 API names them. */
export type EndpointStateName = Ec2InstanceConnectEndpointState;

/** The states in which an endpoint opens tunnels (EICE.md: an endpoint being modified keeps working). */
export const USABLE_ENDPOINT_STATES: ReadonlySet<EndpointStateName> = new Set(['create-complete', 'update-in-progress', 'update-complete', 'update-failed']);

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped';
const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = { pending: 0, running: 16, stopping: 64, stopped: 80 };

export interface PrincipalIdentity {
  /** The scenario's name for it (what IAM rules name). */
  name: string;
  arn: string;
  userId: string;
  accountId: string;
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; temporary credentials only. */
  expiresAt?: number;
  principal: PrincipalIdentity;
}

export interface RegionState {
  name: string;
  optInStatus: 'opt-in-not-required' | 'opted-in' | 'not-opted-in';
  zones: { name: string; id: string; state: 'available' | 'information' | 'impaired' | 'unavailable'; message?: string }[];
}

export interface VpcState {
  id: string;
  region: string;
  cidr: string;
  isDefault: boolean;
  tags: Tag[];
}

export interface SubnetState {
  id: string;
  vpcId: string;
  region: string;
  az: string;
  azId: string;
  cidr: string;
  public: boolean;
  mapPublicIpOnLaunch: boolean;
  availableIps: number;
  tags: Tag[];
}

export interface SgRule {
  id: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr?: string;
  groupId?: string;
  description?: string;
}

export interface SecurityGroupState {
  id: string;
  vpcId: string;
  region: string;
  name: string;
  description: string;
  ingress: SgRule[];
  egress: SgRule[];
  tags: Tag[];
}

export interface AclEntryState {
  ruleNumber: number;
  egress: boolean;
  protocol: string;
  action: 'allow' | 'deny';
  cidr: string;
  fromPort?: number;
  toPort?: number;
}

export interface NetworkAclState {
  id: string;
  vpcId: string;
  region: string;
  isDefault: boolean;
  subnetIds: string[];
  entries: AclEntryState[];
  tags: Tag[];
}

export interface RouteTableState {
  id: string;
  vpcId: string;
  region: string;
  main: boolean;
  subnetIds: string[];
  internetGatewayId?: string;
  vpcCidr: string;
  tags: Tag[];
}

export interface ImageState {
  id: string;
  region: string;
  name: string;
  description: string;
  creationDate: string;
  platform: 'linux' | 'windows';
  eicPackage: boolean;
  defaultUser: string;
  ownerAlias?: string;
  ownerId: string;
  architecture: 'x86_64' | 'arm64';
}

export interface KeyPairState {
  id: string;
  name: string;
  region: string;
  type: 'rsa' | 'ed25519';
  publicKeyLine: string;
  fingerprint: string;
  createdAt: Date;
  material: Pick<GeneratedKeyPair, 'publicKey'>;
  /** Private key file the sandbox wrote (scenario key pairs only; AWS keeps no private key). */
  privateKeyFile?: string;
  tags: Tag[];
}

/** Where a remote port of an instance really goes on this machine. */
export interface TargetAddress {
  host: string;
  port: number;
}

export interface InstanceState {
  id: string;
  name: string;
  region: string;
  vpcId: string;
  subnetId: string;
  az: string;
  imageId: string;
  platform: 'linux' | 'windows';
  eicPackage: boolean;
  osUser: string;
  state: InstanceStateName;
  /** When a pending/stopping instance finishes its transition (epoch ms). */
  transitionAt?: number;
  instanceType: string;
  privateIp: string;
  publicIp?: string;
  securityGroupIds: string[];
  keyName?: string;
  statusChecks: { system: string; instance: string };
  launchTime: Date;
  tags: Tag[];
  /** Remote port -> the local server standing in for it (filled while the instance runs). */
  targets: Map<number, TargetAddress>;
  /** Resolves when the instance's servers accept connections (tunnels wait for it). */
  ready?: Promise<void>;
  /** Windows: the Administrator password (ground truth) and when GetPasswordData starts returning it. */
  rdpPassword?: string;
  passwordAvailableAt?: number;
  /** Added with world.addInstance: its targets are fixed local addresses, no servers to run. */
  external: boolean;
  hostKeyFingerprint?: string;
  /** Windows: the X display of its RDP server (an xfreerdp client in tests can use it). */
  rdpDisplay?: string;
}

export interface EndpointState {
  id: string;
  region: string;
  vpcId: string;
  subnetId: string;
  az: string;
  azId: string;
  securityGroupIds: string[];
  preserveClientIp: boolean;
  ipAddressType: 'ipv4' | 'dualstack' | 'ipv6';
  state: EndpointStateName;
  stateMessage: string;
  createdAt: Date;
  dnsName: string;
  fipsDnsName: string;
  networkInterfaceId: string;
  /** The endpoint's private address in its subnet: the source instances see when PreserveClientIp is off. */
  privateIp: string;
  tags: Tag[];
  /** The next automatic transition. */
  due?: { at: number; to: EndpointStateName; message?: string };
  /** When a delete-complete endpoint disappears from listings. */
  removeAt?: number;
  /** Settings applied at the end of an update. */
  pendingUpdate?: { securityGroupIds?: string[]; preserveClientIp?: boolean; ipAddressType?: 'ipv4' | 'dualstack' | 'ipv6' };
}

/** Knobs tests turn to make AWS misbehave. All off by default. */
export interface FaultKnobs {
  /** Every API response is delayed by this many ms. */
  apiDelayMs: number;
  /** API actions (`DescribeInstances`, `SendSSHPublicKey`, `*`) answered with the service's throttling error; `remaining` null = every call. */
  throttle: { actions: string[]; remaining: number | null } | null;
  /** Region -> the error every EC2/EIC/STS call signed for it gets. */
  regionErrors: Record<string, { code: string; message: string; status: number }>;
  /** Every tunnel upgrade is refused with this HTTP status and JSON body. */
  refuseUpgrades: { status: number; errorCode: string; message: string } | null;
  /** New tunnels are cut (TCP reset, no close frame) after forwarding this many bytes in total. */
  dropTunnelAfterBytes: number | null;
  /** Delay before "Unable to connect to target" (AWS waits for a TCP timeout). */
  unreachableTargetDelayMs: number;
  /** The next CreateInstanceConnectEndpoint ends in create-failed with this StateMessage. */
  failNextEndpointCreate: string | null;
  /** Overrides the one-hour cap on every new tunnel (seconds), to test expiry quickly. */
  maxTunnelDurationSeconds: number | null;
}

export const NO_FAULTS: FaultKnobs = {
  apiDelayMs: 0,
  throttle: null,
  regionErrors: {},
  refuseUpgrades: null,
  dropTunnelAfterBytes: null,
  unreachableTargetDelayMs: 0,
  failNextEndpointCreate: null,
  maxTunnelDurationSeconds: null,
};

/** One recorded call (the sandbox's CloudTrail): tests read it to check what the app did. */
export interface AuditEvent {
  time: string;
  service: 'ec2' | 'ec2-instance-connect' | 'sts' | 'sso' | 'sso-oidc' | 'tunnel';
  action: string;
  region?: string;
  principal?: string;
  requestId: string;
  errorCode?: string;
  /** Non-secret request facts: ids, DryRun, ports, maxTunnelDuration. */
  detail?: Record<string, unknown>;
}

/** What the sandbox does to real processes when the world changes (index.ts implements it). */
export interface InstanceRuntime {
  /** Starts the instance's servers and fills `instance.targets`. */
  start(instance: InstanceState): Promise<void>;
  /** Stops them (live connections die). */
  stop(instance: InstanceState): Promise<void>;
  /** Makes sshd accept `publicKeyLine` for `osUser` for 60 s (no-op without the EIC package). */
  pushKey(instance: InstanceState, osUser: string, publicKeyLine: string): void;
  /** New host key, same port; resolves with the new fingerprint. */
  regenerateHostKey(instance: InstanceState): Promise<string>;
}

export interface WorldOptions {
  runtime: InstanceRuntime;
  /** Where scenario key pairs' private keys are written (0600). */
  keyDir: string;
  /** The scenario's key pairs, made beforehand (World.create does it), keyed `${region}/${name}`. */
  keyPairs: Map<string, GeneratedKeyPair>;
}

export interface IamCheck {
  region?: string;
  /** Resource ids the action touches (instance, endpoint, subnet, ...). */
  resources?: string[];
  remotePort?: number;
}

const MAX_AUDIT_EVENTS = 2000;

/**
 * The sandbox's AWS account: every resource, credential, fault knob and recorded call, in
 * memory. API servers and the tunnel server read and change it; time-based transitions
 * (endpoint creation, instance start) happen lazily in `advance()`, called before every
 * request, so there are no timers to leak.
 */
export class World {
  readonly accountId: string;
  readonly scenario: Scenario;
  readonly regions = new Map<string, RegionState>();
  readonly vpcs = new Map<string, VpcState>();
  readonly subnets = new Map<string, SubnetState>();
  readonly securityGroups = new Map<string, SecurityGroupState>();
  readonly networkAcls = new Map<string, NetworkAclState>();
  readonly routeTables = new Map<string, RouteTableState>();
  readonly images = new Map<string, ImageState>();
  /** Keyed by `${region}/${name}`. */
  readonly keyPairs = new Map<string, KeyPairState>();
  readonly instances = new Map<string, InstanceState>();
  readonly endpoints = new Map<string, EndpointState>();
  readonly credentials = new Map<string, CredentialRecord>();
  /** The first principal's static credentials: what `env` carries. */
  readonly defaultCredentials: CredentialRecord;
  readonly principalCredentials = new Map<string, CredentialRecord>();
  /** CreateInstanceConnectEndpoint idempotency: client token -> request fingerprint and endpoint. */
  readonly endpointClientTokens = new Map<string, { fingerprint: string; endpointId: string }>();
  faults: FaultKnobs = structuredClone(NO_FAULTS);
  readonly audit: AuditEvent[] = [];
  readonly startedAt = Date.now();
  private readonly runtime: InstanceRuntime;
  private readonly keyDir: string;
  private readonly privateKeys = new Map<string, string>();

  /** Builds a world, generating the scenario's key pairs in parallel first. */
  static async create(scenario: Scenario, options: Omit<WorldOptions, 'keyPairs'>): Promise<World> {
    const pairs = await Promise.all(scenario.keyPairs.map(async (k) => [`${k.region}/${k.name}`, await generateKeyPair(k.type)] as const));
    return new World(scenario, { ...options, keyPairs: new Map(pairs) });
  }

  constructor(scenario: Scenario, options: WorldOptions) {
    this.scenario = scenario;
    this.accountId = scenario.account.id;
    this.runtime = options.runtime;
    this.keyDir = options.keyDir;
    mkdirSync(this.keyDir, { recursive: true, mode: 0o700 });

    for (const principal of scenario.principals) {
      const record: CredentialRecord = {
        accessKeyId: newAccessKeyId('AKIA'),
        secretAccessKey: newSecretAccessKey(),
        principal: {
          name: principal.name,
          arn: `arn:aws:iam::${this.accountId}:user/${principal.userName ?? principal.name}`,
          userId: `AIDA${newAccessKeyId('AKIA').slice(4)}`,
          accountId: this.accountId,
        },
      };
      this.credentials.set(record.accessKeyId, record);
      this.principalCredentials.set(principal.name, record);
    }
    this.defaultCredentials = this.principalCredentials.get(scenario.principals[0]!.name)!;

    for (const region of scenario.regions) {
      this.regions.set(region.name, {
        name: region.name,
        optInStatus: region.optInStatus,
        zones: region.availabilityZones.length
          ? region.availabilityZones.map((z) => ({ ...z }))
          : ['a', 'b', 'c'].map((s, i) => ({ name: `${region.name}${s}`, id: `${region.name.replace(/-/g, '').slice(0, 4)}-az${i + 1}`, state: 'available' as const })),
      });
    }

    for (const vpc of scenario.vpcs) this.loadVpc(vpc);
    for (const image of scenario.images) {
      this.images.set(image.id, { ...image, description: image.description ?? image.name });
    }
    for (const key of scenario.keyPairs) {
      const generated = options.keyPairs.get(`${key.region}/${key.name}`);
      if (!generated) throw new Error(`The key pair ${key.name} (${key.region}) was not generated.`);
      const file = join(this.keyDir, `${key.region}-${key.name.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`);
      writeFileSync(file, generated.privateKey, { mode: 0o600 });
      chmodSync(file, 0o600);
      this.privateKeys.set(`${key.region}/${key.name}`, generated.privateKey);
      this.keyPairs.set(`${key.region}/${key.name}`, {
        id: newId('key'),
        name: key.name,
        region: key.region,
        type: key.type,
        publicKeyLine: generated.publicKeyLine,
        fingerprint: generated.fingerprint,
        createdAt: new Date(this.startedAt - 30 * 86_400_000),
        material: { ...(generated.publicKey ? { publicKey: generated.publicKey } : {}) },
        privateKeyFile: file,
        tags: [],
      });
    }
    for (const inst of scenario.instances) this.loadInstance(inst);
    for (const ep of scenario.endpoints) this.loadEndpoint(ep);
  }

  // ---- time ----

  /** Applies every transition whose time has come (endpoint and instance states). */
  advance(now = Date.now()): void {
    for (const ep of [...this.endpoints.values()]) {
      if (ep.removeAt !== undefined && now >= ep.removeAt) {
        this.endpoints.delete(ep.id);
        continue;
      }
      if (ep.due && now >= ep.due.at) {
        const { to, message } = ep.due;
        ep.due = undefined;
        ep.state = to;
        ep.stateMessage = message ?? '';
        if (to === 'update-complete' && ep.pendingUpdate) {
          Object.assign(ep, ep.pendingUpdate);
          ep.pendingUpdate = undefined;
        }
        if (to === 'delete-complete') ep.removeAt = now + this.scenario.timing.deletedVisibleSeconds * 1000;
      }
    }
    for (const inst of this.instances.values()) {
      if (inst.transitionAt !== undefined && now >= inst.transitionAt) {
        inst.transitionAt = undefined;
        if (inst.state === 'pending') inst.state = 'running';
        else if (inst.state === 'stopping') inst.state = 'stopped';
      }
    }
  }

  /** Completes every pending endpoint and instance transition now (control API fast-forward). */
  completeTransitions(): void {
    const now = Date.now();
    for (const ep of this.endpoints.values()) if (ep.due) ep.due.at = now;
    for (const inst of this.instances.values()) if (inst.transitionAt !== undefined) inst.transitionAt = now;
    this.advance(now);
  }

  // ---- credentials and IAM ----

  /** Temporary credentials (AssumeRole, GetSessionToken, SSO) for `principal`, valid `seconds`. */
  issueTemporary(principal: PrincipalIdentity, seconds: number): CredentialRecord {
    const record: CredentialRecord = {
      accessKeyId: newAccessKeyId('ASIA'),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiresAt: Date.now() + seconds * 1000,
      principal,
    };
    this.credentials.set(record.accessKeyId, record);
    return record;
  }

  /** Makes every temporary credential expired now (tests the app's refresh). */
  expireTemporaryCredentials(): number {
    let n = 0;
    for (const record of this.credentials.values()) {
      if (record.sessionToken) {
        record.expiresAt = Date.now() - 1000;
        n++;
      }
    }
    return n;
  }

  /**
   * The scenario's explicit-deny rules for `action` by `principal`; returns AWS's sentence
   * naming the principal, action and resource when denied, or null when allowed.
   */
  deniedReason(principal: PrincipalIdentity, action: string, check: IamCheck = {}): string | null {
    const resources = check.resources?.length ? check.resources : ['*'];
    for (const rule of this.scenario.iam.deny) {
      if (!globMatches(rule.action, action)) continue;
      if (rule.principal && rule.principal !== principal.name) continue;
      if (rule.region && check.region && rule.region !== check.region) continue;
      if (rule.resource && !resources.includes(rule.resource)) continue;
      if (rule.remotePort !== undefined && rule.remotePort !== check.remotePort) continue;
      const resource = rule.resource ?? resources[0]!;
      const arn = resource === '*' ? '*' : ec2Arn(check.region ?? this.scenario.defaultRegion ?? '', this.accountId, resource);
      return `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${arn} with an explicit deny in an identity-based policy`;
    }
    return null;
  }

  /** The IAM cap on tunnel duration that applies to `principal`, if any. */
  tunnelDurationCap(principal: PrincipalIdentity): number | undefined {
    const cap = this.scenario.iam.maxTunnelDuration;
    if (!cap) return undefined;
    if (cap.principal && cap.principal !== principal.name) return undefined;
    return cap.seconds;
  }

  // ---- lookups ----

  region(name: string): RegionState {
    const region = this.regions.get(name);
    if (!region) throw new AwsError('AuthFailure', `Credential should be scoped to a valid region, not '${name}'.`, 401);
    return region;
  }

  zone(region: string, az: string): RegionState['zones'][number] | undefined {
    return this.regions.get(region)?.zones.find((z) => z.name === az);
  }

  subnet(id: string, region: string): SubnetState {
    const subnet = this.subnets.get(id);
    if (!/^subnet-[0-9a-f]+$/.test(id)) throw new AwsError('InvalidSubnetID.Malformed', `Invalid id: "${id}"`);
    if (!subnet || subnet.region !== region) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    return subnet;
  }

  securityGroup(id: string, region: string): SecurityGroupState {
    if (!/^sg-[0-9a-f]+$/.test(id)) throw new AwsError('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
    const group = this.securityGroups.get(id);
    if (!group || group.region !== region) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return group;
  }

  instance(id: string, region: string): InstanceState {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    const inst = this.instances.get(id);
    if (!inst || inst.region !== region) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return inst;
  }

  endpoint(id: string, region: string): EndpointState {
    if (!/^eice-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidInstanceConnectEndpointId.Malformed', `The specified EC2 Instance Connect Endpoint ID '${id}' is malformed. Specify the ID in the form eice-xxxxxxxxxxxxxxxxx.`);
    const ep = this.endpoints.get(id);
    if (!ep || ep.region !== region) throw new AwsError('InvalidInstanceConnectEndpointId.NotFound', `The instance connect endpoint ID '${id}' does not exist`);
    return ep;
  }

  /** Endpoints that count against quotas (all but delete-complete). */
  liveEndpoints(): EndpointState[] {
    return [...this.endpoints.values()].filter((ep) => ep.state !== 'delete-complete');
  }

  /** The endpoint the AWS CLI would pick for an instance: usable, in its subnet, else in its VPC. */
  endpointFor(inst: InstanceState): EndpointState | undefined {
    const usable = [...this.endpoints.values()].filter((ep) => ep.vpcId === inst.vpcId && USABLE_ENDPOINT_STATES.has(ep.state));
    return usable.find((ep) => ep.subnetId === inst.subnetId) ?? usable[0];
  }

  privateKeyOf(region: string, keyName: string): string | undefined {
    return this.privateKeys.get(`${region}/${keyName}`);
  }

  // ---- changes with side effects ----

  /** Starts or stops an instance now (no transition delay) and its servers with it. */
  async setInstanceState(id: string, state: 'running' | 'stopped'): Promise<void> {
    const inst = this.instances.get(id);
    if (!inst) throw new Error(`No instance ${id}`);
    inst.transitionAt = undefined;
    if (state === inst.state) return;
    inst.state = state;
    if (state === 'running') {
      inst.launchTime = new Date();
      await this.startServers(inst);
    } else {
      await this.stopServers(inst);
    }
  }

  /** StartInstances: pending now, running after the scenario's delay; servers start at once. */
  beginStart(inst: InstanceState): void {
    inst.state = 'pending';
    inst.launchTime = new Date();
    inst.transitionAt = Date.now() + this.scenario.timing.instanceStartSeconds * 1000;
    void this.startServers(inst).catch(() => undefined);
  }

  /** StopInstances: stopping now, stopped after the delay; servers (and their connections) end at once. */
  beginStop(inst: InstanceState): void {
    inst.state = 'stopping';
    inst.transitionAt = Date.now() + this.scenario.timing.instanceStopSeconds * 1000;
    void this.stopServers(inst).catch(() => undefined);
  }

  async startServers(inst: InstanceState): Promise<void> {
    if (inst.external) return;
    inst.ready = this.runtime.start(inst);
    await inst.ready;
  }

  async stopServers(inst: InstanceState): Promise<void> {
    if (inst.external) return;
    inst.ready = undefined;
    await this.runtime.stop(inst);
    inst.targets.clear();
  }

  pushKey(inst: InstanceState, osUser: string, publicKeyLine: string): void {
    this.runtime.pushKey(inst, osUser, publicKeyLine);
  }

  async regenerateHostKey(id: string): Promise<string> {
    const inst = this.instances.get(id);
    if (!inst) throw new Error(`No instance ${id}`);
    if (inst.platform !== 'linux' || inst.external || inst.state !== 'running') throw new Error(`${id} has no running sshd whose host key could change`);
    inst.hostKeyFingerprint = await this.runtime.regenerateHostKey(inst);
    return inst.hostKeyFingerprint;
  }

  /** GetPasswordData for an instance: '' until the password is available or without an RSA key pair. */
  passwordData(inst: InstanceState): string {
    if (inst.platform !== 'windows' || !inst.rdpPassword || !inst.keyName) return '';
    if ((inst.passwordAvailableAt ?? 0) > Date.now()) return '';
    const key = this.keyPairs.get(`${inst.region}/${inst.keyName}`);
    if (!key?.material.publicKey) return '';
    return encryptPassword(inst.rdpPassword, key.material.publicKey);
  }

  /** Makes Windows passwords available now (all, or one instance). */
  passwordsReadyNow(instanceId?: string): number {
    let n = 0;
    for (const inst of this.instances.values()) {
      if (inst.platform === 'windows' && (!instanceId || inst.id === instanceId)) {
        inst.passwordAvailableAt = Date.now();
        n++;
      }
    }
    return n;
  }

  record(event: Omit<AuditEvent, 'time'>): void {
    this.audit.push({ time: new Date().toISOString(), ...event });
    if (this.audit.length > MAX_AUDIT_EVENTS) this.audit.splice(0, this.audit.length - MAX_AUDIT_EVENTS);
  }

  /** Consumes one throttled call for `action` if the throttle knob covers it. */
  takeThrottle(action: string): boolean {
    const throttle = this.faults.throttle;
    if (!throttle) return false;
    if (!throttle.actions.some((a) => a === '*' || a === action)) return false;
    if (throttle.remaining === null) return true;
    if (throttle.remaining <= 0) return false;
    throttle.remaining -= 1;
    if (throttle.remaining === 0) this.faults.throttle = null;
    return true;
  }

  // ---- building ----

  /** Allocates the next free address in a subnet (skipping AWS's reserved first four). */
  allocateIp(subnet: SubnetState): string {
    const used = new Set([...this.instances.values()].map((i) => i.privateIp).concat([...this.endpoints.values()].map((e) => e.privateIp)));
    const [base, bits] = subnet.cidr.split('/');
    const start = ipNum(base!);
    const size = 2 ** (32 - Number(bits));
    for (let i = 4; i < size - 1; i++) {
      const ip = numIp(start + i);
      if (!used.has(ip)) return ip;
    }
    throw new AwsError('InsufficientFreeAddressesInSubnet', `The specified subnet ${subnet.id} does not have enough free addresses to satisfy the request.`);
  }

  newEndpointState(input: { id?: string; subnet: SubnetState; securityGroupIds: string[]; preserveClientIp: boolean; ipAddressType: 'ipv4' | 'dualstack' | 'ipv6'; state: EndpointStateName; stateMessage?: string; tags: Tag[]; createdAt?: Date }): EndpointState {
    const id = input.id ?? newId('eice');
    const zone = this.zone(input.subnet.region, input.subnet.az);
    return {
      id,
      region: input.subnet.region,
      vpcId: input.subnet.vpcId,
      subnetId: input.subnet.id,
      az: input.subnet.az,
      azId: zone?.id ?? input.subnet.azId,
      securityGroupIds: input.securityGroupIds,
      preserveClientIp: input.preserveClientIp,
      ipAddressType: input.ipAddressType,
      state: input.state,
      stateMessage: input.stateMessage ?? '',
      createdAt: input.createdAt ?? new Date(),
      ...eiceDnsNames(id, this.accountId, input.subnet.region),
      networkInterfaceId: newId('eni'),
      privateIp: this.allocateIp(input.subnet),
      tags: input.tags,
    };
  }

  private loadVpc(vpc: Scenario['vpcs'][number]): void {
    const region = this.regions.get(vpc.region)!;
    this.vpcs.set(vpc.id, { id: vpc.id, region: vpc.region, cidr: vpc.cidr, isDefault: vpc.isDefault, tags: withName(vpc.tags, vpc.name) });
    for (const subnet of vpc.subnets) {
      const zone = region.zones.find((z) => z.name === subnet.az);
      this.subnets.set(subnet.id, {
        id: subnet.id,
        vpcId: vpc.id,
        region: vpc.region,
        az: subnet.az,
        azId: zone?.id ?? `${subnet.az}-id`,
        cidr: subnet.cidr,
        public: subnet.public,
        mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch ?? subnet.public,
        availableIps: usableAddresses(subnet.cidr),
        tags: withName({}, subnet.name),
      });
    }
    const groups = vpc.securityGroups.some((g) => g.name === 'default')
      ? vpc.securityGroups
      : [{ id: newId('sg'), name: 'default', description: 'default VPC security group', ingress: [] as ScenarioRule[], egress: [{ protocol: '-1' as const, fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }], tags: {} }, ...vpc.securityGroups];
    for (const g of groups) {
      // AWS's default group allows all traffic from itself.
      const ingress = g.name === 'default' && !vpc.securityGroups.some((sg) => sg.name === 'default') ? [{ protocol: '-1' as const, fromPort: -1, toPort: -1, groupId: g.id }] : g.ingress;
      this.securityGroups.set(g.id, {
        id: g.id,
        vpcId: vpc.id,
        region: vpc.region,
        name: g.name,
        description: g.description,
        ingress: ingress.map((r) => ruleState(r)),
        egress: g.egress.map((r) => ruleState(r)),
        tags: toTags(g.tags),
      });
    }
    const aclSubnets = new Set(vpc.networkAcls.flatMap((a) => a.subnetIds));
    const defaultAcl: NetworkAclState = {
      id: newId('acl'),
      vpcId: vpc.id,
      region: vpc.region,
      isDefault: true,
      subnetIds: vpc.subnets.map((s) => s.id).filter((id) => !aclSubnets.has(id)),
      entries: [
        { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
        { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
      ],
      tags: [],
    };
    this.networkAcls.set(defaultAcl.id, defaultAcl);
    for (const acl of vpc.networkAcls) {
      this.networkAcls.set(acl.id, { id: acl.id, vpcId: vpc.id, region: vpc.region, isDefault: false, subnetIds: acl.subnetIds, entries: acl.entries, tags: toTags(acl.tags) });
    }
    const main: RouteTableState = { id: newId('rtb'), vpcId: vpc.id, region: vpc.region, main: true, subnetIds: [], vpcCidr: vpc.cidr, tags: [] };
    this.routeTables.set(main.id, main);
    const publicSubnets = vpc.subnets.filter((s) => s.public).map((s) => s.id);
    if (publicSubnets.length > 0) {
      const rt: RouteTableState = { id: newId('rtb'), vpcId: vpc.id, region: vpc.region, main: false, subnetIds: publicSubnets, internetGatewayId: newId('igw'), vpcCidr: vpc.cidr, tags: withName({}, 'public') };
      this.routeTables.set(rt.id, rt);
    }
  }

  private loadInstance(inst: Scenario['instances'][number]): void {
    const subnet = this.subnets.get(inst.subnetId)!;
    const image = this.images.get(inst.imageId)!;
    const windows = image.platform === 'windows';
    this.instances.set(inst.id, {
      id: inst.id,
      name: inst.name,
      region: inst.region,
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      az: subnet.az,
      imageId: image.id,
      platform: image.platform,
      eicPackage: !windows && image.eicPackage,
      osUser: inst.osUser ?? (windows ? 'Administrator' : image.defaultUser),
      state: inst.state,
      instanceType: inst.instanceType,
      privateIp: inst.privateIp,
      ...(inst.publicIp ? { publicIp: inst.publicIp } : {}),
      securityGroupIds: inst.securityGroupIds,
      ...(inst.keyName ? { keyName: inst.keyName } : {}),
      statusChecks: inst.statusChecks,
      launchTime: inst.launchTime ? new Date(inst.launchTime) : new Date(this.startedAt - 7 * 86_400_000),
      tags: withName(inst.tags, inst.name),
      targets: new Map(),
      ...(windows ? { rdpPassword: newWindowsPassword(), passwordAvailableAt: this.startedAt + this.scenario.timing.passwordAvailableAfterSeconds * 1000 } : {}),
      external: false,
    });
  }

  private loadEndpoint(ep: Scenario['endpoints'][number]): void {
    const subnet = this.subnets.get(ep.subnetId)!;
    const state = this.newEndpointState({
      id: ep.id,
      subnet,
      securityGroupIds: ep.securityGroupIds,
      preserveClientIp: ep.preserveClientIp,
      ipAddressType: ep.ipAddressType,
      state: ep.state,
      stateMessage: ep.stateMessage,
      tags: toTags(ep.tags),
      createdAt: new Date(this.startedAt - 3 * 86_400_000),
    });
    const timing = this.scenario.timing;
    if (ep.state === 'create-in-progress') state.due = { at: this.startedAt + timing.endpointCreateSeconds * 1000, to: 'create-complete' };
    if (ep.state === 'delete-in-progress') state.due = { at: this.startedAt + timing.endpointDeleteSeconds * 1000, to: 'delete-complete' };
    if (ep.state === 'update-in-progress') state.due = { at: this.startedAt + timing.endpointModifySeconds * 1000, to: 'update-complete' };
    this.endpoints.set(state.id, state);
  }

  /** The EC2 state code AWS pairs with a state name. */
  static stateCode(state: InstanceStateName): number {
    return INSTANCE_STATE_CODES[state];
  }
}

function ruleState(rule: ScenarioRule): SgRule {
  return {
    id: newId('sgr'),
    protocol: rule.protocol,
    fromPort: rule.protocol === '-1' ? -1 : rule.fromPort,
    toPort: rule.protocol === '-1' ? -1 : rule.toPort,
    ...(rule.cidr ? { cidr: rule.cidr } : {}),
    ...(rule.groupId ? { groupId: rule.groupId } : {}),
    ...(rule.description ? { description: rule.description } : {}),
  };
}

function withName(tags: Record<string, string>, name: string | undefined): Tag[] {
  const list = toTags(tags);
  if (name && !list.some((t) => t.Key === 'Name')) list.unshift({ Key: 'Name', Value: name });
  return list;
}

function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(value);
}

function ipNum(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function numIp(n: number): string {
  return [Math.floor(n / 16777216) % 256, Math.floor(n / 65536) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}
