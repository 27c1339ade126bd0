/**
 * Builders and small hand-written fakes for main/ssh tests: a target with valid defaults, a
 * clock moved by hand, a resolver, key pusher and secret source that record what they were
 * asked, and a "tunnel" that is a plain TCP connection to a local sshd (or ssh2 server).
 */
import { connect, type Socket } from 'node:net';
import { AppError, type Host, type Instance } from '../../preload/contract';
import type {
  Clock,
  ConnectRequest,
  EndpointChoice,
  KeyPusher,
  PrivateKeyRef,
  ResolvedTarget,
  SavedHostFacts,
  SecretSource,
  SshTunnel,
  SshTunnels,
  TargetResolver,
} from '../../main/ssh/ports';

export function aTarget(overrides: Partial<ResolvedTarget> = {}): ResolvedTarget {
  return {
    instanceId: 'i-0123456789abcdef0',
    profileId: 'default',
    region: 'us-east-1',
    name: 'web-1',
    osUser: 'ec2-user',
    port: 22,
    privateIp: '10.0.1.5',
    availabilityZone: 'us-east-1a',
    vpcId: 'vpc-0abc',
    subnetId: 'subnet-0abc',
    platform: 'linux',
    auth: { method: 'eic' },
    autoReconnect: false,
    ...overrides,
  };
}

/** A discovered Linux instance with an endpoint in its subnet: valid defaults, overridable. */
export function anInstance(overrides: Partial<Instance> = {}): Instance {
  return {
    profileId: 'config:default',
    region: 'us-east-1',
    instanceId: 'i-0123456789abcdef0',
    name: 'web-1',
    state: 'running',
    platform: 'linux',
    privateIpv4: '10.0.1.5',
    ipv6: [],
    vpcId: 'vpc-0abc',
    subnetId: 'subnet-0abc',
    availabilityZone: 'us-east-1a',
    securityGroups: [],
    ami: {},
    os: { family: 'amazonLinux2023', name: 'Amazon Linux 2023', defaultUser: 'ec2-user', eicPackage: 'preinstalled', basis: 'ami' },
    tags: {},
    vpcEndpoints: [
      {
        id: 'eice-0123456789abcdef0',
        vpcId: 'vpc-0abc',
        subnetId: 'subnet-0abc',
        state: 'create-complete',
        usable: true,
        dnsName: 'eice-0123456789abcdef0.12345678.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
        availabilityZone: 'us-east-1a',
        securityGroupIds: ['sg-0abc'],
        preserveClientIp: false,
      },
    ],
    eic: { ready: true, blockers: [] },
    publicIpv4MonthlyUsd: 0,
    fetchedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A saved Linux host on anInstance(), logging in with EC2 Instance Connect. */
export function aHost(overrides: Partial<Host> = {}): Host {
  return {
    id: 'h-abcdefgh12' as Host['id'],
    label: 'Web (prod)',
    folder: '',
    tags: [],
    profileId: 'config:default',
    region: 'us-east-1',
    instanceId: 'i-0123456789abcdef0',
    platform: 'linux',
    osUser: 'ec2-user',
    port: 22,
    auth: { method: 'eic' },
    autoReconnect: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A clock tests move by hand: timers fire only in `advance()`, in due order. */
export class ManualClock implements Clock {
  private time: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(start = Date.parse('2025-01-01T00:00:00Z')) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.push({ at: this.time + Math.max(0, ms), fn, id });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };

  /** Moves time forward, firing each timer that comes due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = until;
  }

  get pending(): number {
    return this.timers.length;
  }
}

/** Resolves every request to one target (or fails with `error`). */
export class FixedResolver implements TargetResolver {
  readonly requests: ConnectRequest[] = [];
  error: AppError | undefined;

  constructor(public target: ResolvedTarget) {}

  async resolve(request: ConnectRequest): Promise<ResolvedTarget> {
    this.requests.push(request);
    if (this.error) throw this.error;
    return this.target;
  }

  async resolveHost(hostId: string): Promise<SavedHostFacts> {
    if (this.error) throw this.error;
    if (this.target.hostId !== hostId) throw new AppError('NOT_FOUND', 'No such host.');
    return this.target;
  }
}

/** Pushes keys into a callback (e.g. the test sshd's pushKey) and records them. */
export class RecordingKeyPusher implements KeyPusher {
  readonly pushed: { instanceId: string; osUser: string; publicKey: string }[] = [];
  error: AppError | undefined;
  /** When set, push waits for this before resolving: tests control the order of parallel steps. */
  gate: Promise<void> | undefined;

  constructor(private readonly deliver: (osUser: string, publicKey: string) => void = () => undefined) {}

  async push(target: ResolvedTarget, publicKey: string, signal: AbortSignal): Promise<void> {
    this.pushed.push({ instanceId: target.instanceId, osUser: target.osUser, publicKey });
    if (this.gate) await this.gate;
    signal.throwIfAborted();
    if (this.error) throw this.error;
    this.deliver(target.osUser, publicKey);
  }
}

export class MemorySecrets implements SecretSource {
  readonly keys = new Map<string, string>();
  readonly passwords = new Map<string, string>();

  async readPrivateKey(ref: PrivateKeyRef): Promise<string> {
    const key = this.keys.get(ref.source === 'file' ? ref.path : ref.account);
    if (key === undefined) throw new AppError('SSH_KEY_UNREADABLE', 'No such key.');
    return key;
  }

  async readPassword(account: string): Promise<string | undefined> {
    return this.passwords.get(account);
  }
}

/** A tunnel that is a TCP connection to host:port; `closeError` can be set to play the endpoint. */
export class TcpTunnel implements SshTunnel {
  closeErrorValue: AppError | undefined;

  constructor(
    readonly stream: Socket,
    readonly expiresAt: number | undefined,
  ) {}

  closeError(): AppError | undefined {
    return this.closeErrorValue;
  }
}

/** "Endpoints" that open plain TCP connections to a local server, counting what they opened. */
export class TcpTunnels implements SshTunnels {
  readonly opened: TcpTunnel[] = [];
  error: AppError | undefined;
  gate: Promise<void> | undefined;
  /** The time limit given to each tunnel (epoch ms from now), like the endpoint's hour. */
  lifetimeMs: number | undefined;

  constructor(
    private readonly host: string,
    public port: number,
    private readonly now: () => number = Date.now,
  ) {}

  async chooseEndpoint(target: ResolvedTarget): Promise<EndpointChoice> {
    return { endpointId: 'eice-0123456789abcdef0', label: `eice-0123456789abcdef0 (${target.availabilityZone ?? 'local'})` };
  }

  async open(_target: ResolvedTarget, _endpoint: EndpointChoice, _owner: unknown, signal: AbortSignal): Promise<SshTunnel> {
    if (this.gate) await this.gate;
    signal.throwIfAborted();
    if (this.error) throw this.error;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(this.port, this.host);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const tunnel = new TcpTunnel(socket, this.lifetimeMs === undefined ? undefined : this.now() + this.lifetimeMs);
    this.opened.push(tunnel);
    return tunnel;
  }
}

/** Resolves once `predicate` holds, checking after each event from `subscribe`. */
export function until<T>(subscribe: (listener: (value: T) => void) => () => void, predicate: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      if (predicate(value)) {
        off();
        resolve(value);
      }
    });
  });
}

/** A promise with its resolve exposed: tests decide when a step finishes. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
