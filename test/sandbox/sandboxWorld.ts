import type { SsoService } from './aws/ssoApi';
import type { PushedKey, Sshd } from './instances/sshd';
import type { TunnelInfo, TunnelServer } from './tunnel/tunnelServer';
import { checkTunnelPath } from './world/networkPath';
import { NO_FAULTS, type AuditEvent, type EndpointStateName, type FaultKnobs, type InstanceState, type SecurityGroupState, type SgRule, type World } from './world/world';
import { newId } from './world/ids';
import { toTags } from './world/query';

/** What tests and the app's fixtures learn about one instance. */
export interface SandboxInstanceInfo {
  instanceId: string;
  name: string;
  platform: 'linux' | 'windows';
  /** The OS user the instance's server knows (ec2-user, ubuntu, Administrator). */
  osUser: string;
  region: string;
  state: InstanceState['state'];
  /** True when a connection through EICE should succeed right now (path open, server up, a way to log in). */
  reachable: boolean;
  /** Why not, in the sandbox's words, when `reachable` is false. */
  unreachableReason?: string;
  /** Whether keys pushed with SendSSHPublicKey are accepted (the AMI has the ec2-instance-connect package). */
  acceptsPushedKeys: boolean;
  privateIp: string;
  publicIp?: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  imageName?: string;
  /** The endpoint the AWS CLI would pick for it (same subnet, else same VPC), if any is usable. */
  endpointId?: string;
  keyPairName?: string;
  /** Path of the key pair's private key (PEM or OpenSSH, 0600), when the sandbox generated it. */
  keyPairFile?: string;
  /** Windows: the Administrator password (ground truth for checks). */
  rdpPassword?: string;
  /** Linux: sshd's current host key fingerprint (SHA256:...). */
  hostKeyFingerprint?: string;
  /** Windows: the X display of its RDP server, which an `xfreerdp` client in a test can borrow. */
  rdpDisplay?: string;
}

export interface AddInstanceOptions {
  name: string;
  /** Remote port -> where it really goes, e.g. `{ 22: { host: '127.0.0.1', port: echoPort } }`. */
  targets: Record<number, { host: string; port: number }>;
  platform?: 'linux' | 'windows';
  osUser?: string;
  /** Put it in this subnet; by default the subnet of the first usable endpoint. */
  subnetId?: string;
  /** Security groups; by default a new group allowing the target ports from the endpoint's groups. */
  securityGroupIds?: string[];
  tags?: Record<string, string>;
}

/**
 * The in-process handle on a running sandbox: read its state, turn its fault knobs, drive
 * instances and endpoints. The HTTP control API (controlApi.ts) is a thin layer over this.
 */
export class SandboxWorld {
  constructor(
    /** The raw model: every resource and credential. */
    readonly model: World,
    private readonly tunnelServer: TunnelServer,
    private readonly sso: SsoService,
    private readonly sshdOf: (instanceId: string) => Sshd | undefined,
  ) {}

  get faults(): FaultKnobs {
    return this.model.faults;
  }

  /** Changes some fault knobs; returns all of them. */
  setFaults(partial: Partial<FaultKnobs>): FaultKnobs {
    Object.assign(this.model.faults, partial);
    return this.model.faults;
  }

  resetFaults(): FaultKnobs {
    this.model.faults = structuredClone(NO_FAULTS);
    return this.model.faults;
  }

  instances(): SandboxInstanceInfo[] {
    this.model.advance();
    return [...this.model.instances.values()].map((inst) => this.describe(inst));
  }

  /** One instance by id or Name tag. */
  instance(idOrName: string): SandboxInstanceInfo {
    const inst = this.find(idOrName);
    this.model.advance();
    return this.describe(inst);
  }

  /** Keys pushed to an instance with SendSSHPublicKey that are still valid. */
  pushedKeys(idOrName: string): PushedKey[] {
    return this.sshdOf(this.find(idOrName).id)?.pushedKeys() ?? [];
  }

  tunnels(): TunnelInfo[] {
    return this.tunnelServer.list();
  }

  /** Drops live tunnels; see TunnelServer.drop. */
  dropTunnels(filter: { instanceId?: string; endpointId?: string } = {}, mode: 'reset' | 'close' = 'reset'): number {
    return this.tunnelServer.drop(filter, mode);
  }

  endpoints(): { id: string; region: string; state: EndpointStateName; stateMessage: string; vpcId: string; subnetId: string; availabilityZone: string; dnsName: string; fipsDnsName: string; liveConnections: number }[] {
    this.model.advance();
    const tunnels = this.tunnelServer.list();
    return [...this.model.endpoints.values()].map((ep) => ({
      id: ep.id,
      region: ep.region,
      state: ep.state,
      stateMessage: ep.stateMessage,
      vpcId: ep.vpcId,
      subnetId: ep.subnetId,
      availabilityZone: ep.az,
      dnsName: ep.dnsName,
      fipsDnsName: ep.fipsDnsName,
      liveConnections: tunnels.filter((t) => t.endpointId === ep.id).length,
    }));
  }

  /** Puts an endpoint in a state now (no automatic transition follows). */
  setEndpointState(id: string, state: EndpointStateName, message = ''): void {
    const ep = this.model.endpoints.get(id);
    if (!ep) throw new Error(`No endpoint ${id}`);
    ep.state = state;
    ep.stateMessage = message;
    ep.due = undefined;
    ep.removeAt = undefined;
  }

  /** Finishes every pending endpoint and instance transition now. */
  completeTransitions(): void {
    this.model.completeTransitions();
  }

  /** Marks an Availability Zone's state (an impaired AZ's endpoints stop answering). */
  setZoneState(region: string, zone: string, state: 'available' | 'information' | 'impaired' | 'unavailable', message?: string): void {
    const z = this.model.zone(region, zone);
    if (!z) throw new Error(`No Availability Zone ${zone} in ${region}`);
    z.state = state;
    if (message === undefined) delete z.message;
    else z.message = message;
  }

  async setInstanceState(idOrName: string, state: 'running' | 'stopped'): Promise<SandboxInstanceInfo> {
    const inst = this.find(idOrName);
    await this.model.setInstanceState(inst.id, state);
    return this.describe(inst);
  }

  /** Restarts the instance's sshd with a new host key (what SSH_HOST_KEY_CHANGED tests need). */
  regenerateHostKey(idOrName: string): Promise<string> {
    return this.model.regenerateHostKey(this.find(idOrName).id);
  }

  /** Makes Windows passwords available after `seconds` (0 = now), for one instance or all. */
  setPasswordAvailableIn(seconds: number, idOrName?: string): number {
    const id = idOrName ? this.find(idOrName).id : undefined;
    let n = 0;
    for (const inst of this.model.instances.values()) {
      if (inst.platform === 'windows' && (!id || inst.id === id)) {
        inst.passwordAvailableAt = Date.now() + seconds * 1000;
        n++;
      }
    }
    return n;
  }

  /** Expires every temporary credential and SSO token (tests the app's refresh). */
  expireSessions(): { credentials: number; ssoTokens: number } {
    return { credentials: this.model.expireTemporaryCredentials(), ssoTokens: this.sso.expireTokens() };
  }

  /** Approves pending SSO device authorizations (one user code, or all), as the browser page would. */
  approveSsoDevices(userCode?: string): string[] {
    const codes = userCode ? [userCode] : this.sso.pendingUserCodes();
    return codes.filter((code) => this.sso.decide(code, true));
  }

  /** The recorded calls (the sandbox's CloudTrail), oldest first, from index `since`. */
  events(since = 0): AuditEvent[] {
    return this.model.audit.slice(since);
  }

  /**
   * Adds a running instance whose ports go to arbitrary local servers (an echo or sink server
   * for the tunnel benchmark), reachable through an existing usable endpoint.
   */
  addInstance(options: AddInstanceOptions): SandboxInstanceInfo {
    const world = this.model;
    world.advance();
    const endpoint = [...world.endpoints.values()].find((ep) => ep.state === 'create-complete' && (!options.subnetId || world.subnets.get(options.subnetId)?.vpcId === ep.vpcId));
    const subnet = world.subnets.get(options.subnetId ?? endpoint?.subnetId ?? '');
    if (!subnet) throw new Error('addInstance needs a subnet: give subnetId, or have a create-complete endpoint in the world.');
    const ports = Object.keys(options.targets).map(Number);
    let groups = options.securityGroupIds;
    if (!groups) {
      const sourceGroups = endpoint && endpoint.vpcId === subnet.vpcId ? endpoint.securityGroupIds : [];
      const group: SecurityGroupState = {
        id: newId('sg'),
        vpcId: subnet.vpcId,
        region: subnet.region,
        name: `sandbox-${options.name}`,
        description: `Ports ${ports.join(', ')} for ${options.name}`,
        ingress: ports.flatMap((port): SgRule[] =>
          sourceGroups.length ? sourceGroups.map((g) => ({ id: newId('sgr'), protocol: 'tcp', fromPort: port, toPort: port, groupId: g })) : [{ id: newId('sgr'), protocol: 'tcp', fromPort: port, toPort: port, cidr: world.vpcs.get(subnet.vpcId)!.cidr }],
        ),
        egress: [{ id: newId('sgr'), protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }],
        tags: [],
      };
      world.securityGroups.set(group.id, group);
      // The endpoint's own groups must let the traffic out too.
      for (const gid of sourceGroups) {
        const eg = world.securityGroups.get(gid)!;
        for (const port of ports) {
          if (!eg.egress.some((r) => (r.protocol === '-1' || (r.fromPort <= port && r.toPort >= port)) && (r.cidr === '0.0.0.0/0' || r.groupId === group.id))) {
            eg.egress.push({ id: newId('sgr'), protocol: 'tcp', fromPort: port, toPort: port, groupId: group.id });
          }
        }
      }
      groups = [group.id];
    }
    const imageId = [...world.images.values()].find((i) => i.region === subnet.region && i.platform === (options.platform ?? 'linux'))?.id ?? 'ami-00000000000000000';
    const inst: InstanceState = {
      id: newId('i'),
      name: options.name,
      region: subnet.region,
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      az: subnet.az,
      imageId,
      platform: options.platform ?? 'linux',
      eicPackage: false,
      osUser: options.osUser ?? 'ec2-user',
      state: 'running',
      instanceType: 't3.micro',
      privateIp: world.allocateIp(subnet),
      securityGroupIds: groups,
      statusChecks: { system: 'ok', instance: 'ok' },
      launchTime: new Date(),
      tags: [{ Key: 'Name', Value: options.name }, ...toTags(options.tags)],
      targets: new Map(Object.entries(options.targets).map(([port, address]) => [Number(port), address])),
      external: true,
    };
    world.instances.set(inst.id, inst);
    return this.describe(inst);
  }

  private find(idOrName: string): InstanceState {
    const inst = this.model.instances.get(idOrName) ?? [...this.model.instances.values()].find((i) => i.name === idOrName);
    if (!inst) throw new Error(`No instance ${idOrName}`);
    return inst;
  }

  private describe(inst: InstanceState): SandboxInstanceInfo {
    const world = this.model;
    const endpoint = world.endpointFor(inst);
    const port = inst.platform === 'windows' ? 3389 : 22;
    const key = inst.keyName ? world.keyPairs.get(`${inst.region}/${inst.keyName}`) : undefined;
    let reason: string | undefined;
    if (inst.state !== 'running') reason = `the instance is ${inst.state}`;
    else if (!endpoint) reason = `no usable EC2 Instance Connect Endpoint in ${inst.vpcId}`;
    else {
      const verdict = checkTunnelPath(world, endpoint, inst, port);
      if (!verdict.ok) reason = verdict.reason;
      else if (!inst.targets.has(port)) reason = `nothing listens on port ${port} (its server is not running)`;
      else if (inst.platform === 'linux' && !inst.external && !inst.eicPackage && !inst.keyName) reason = 'no way to log in: the AMI has no ec2-instance-connect package and the instance has no key pair';
    }
    return {
      instanceId: inst.id,
      name: inst.name,
      platform: inst.platform,
      osUser: inst.osUser,
      region: inst.region,
      state: inst.state,
      reachable: reason === undefined,
      ...(reason ? { unreachableReason: reason } : {}),
      acceptsPushedKeys: inst.platform === 'linux' && inst.eicPackage,
      privateIp: inst.privateIp,
      ...(inst.publicIp ? { publicIp: inst.publicIp } : {}),
      vpcId: inst.vpcId,
      subnetId: inst.subnetId,
      availabilityZone: inst.az,
      ...(world.images.get(inst.imageId) ? { imageName: world.images.get(inst.imageId)!.name } : {}),
      ...(endpoint ? { endpointId: endpoint.id } : {}),
      ...(inst.keyName ? { keyPairName: inst.keyName } : {}),
      ...(key?.privateKeyFile ? { keyPairFile: key.privateKeyFile } : {}),
      ...(inst.rdpPassword ? { rdpPassword: inst.rdpPassword } : {}),
      ...(inst.hostKeyFingerprint ? { hostKeyFingerprint: inst.hostKeyFingerprint } : {}),
      ...(inst.rdpDisplay ? { rdpDisplay: inst.rdpDisplay } : {}),
    };
  }
}
