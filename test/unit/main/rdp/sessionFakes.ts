import { AppError } from '../../../../preload/contract';
import type { ClientExit, LaunchedClient, LaunchRequest, RdpClientInfo, RdpLauncher } from '../../../../main/rdp/launchers/rdpLauncher';
import type {
  KeyFileReader,
  RdpHostResolver,
  RdpInstanceRef,
  RdpListener,
  RdpTargetRef,
  RdpTunnelOpener,
  SecretStore,
  WindowsHostFacts,
  WindowsPasswordSource,
} from '../../../../main/rdp/rdpIo';
import { ListenerEvents } from '../../../support/listenerEvents';

/** A Windows host with valid defaults. */
export function windowsHost(overrides: Partial<WindowsHostFacts> = {}): WindowsHostFacts {
  return {
    profileId: 'dev',
    region: 'eu-west-1',
    instanceId: 'i-0123456789abcdef0',
    label: 'win-2022',
    platform: 'windows',
    state: 'running',
    keyName: 'win-key',
    launchTime: new Date(Date.UTC(2026, 0, 5, 8, 0, 0)),
    ...overrides,
  };
}

export class FakeResolver implements RdpHostResolver {
  readonly asked: RdpTargetRef[] = [];
  constructor(public host: WindowsHostFacts = windowsHost()) {}
  async resolve(target: RdpTargetRef): Promise<WindowsHostFacts> {
    this.asked.push(target);
    if ('hostId' in target && target.hostId === 'gone') throw new AppError('NOT_FOUND', 'No such host.');
    return this.host;
  }
}

export class FakePasswords implements WindowsPasswordSource {
  passwordData = '';
  keyType: string | undefined = 'rsa';
  calls = 0;
  async getPasswordData(_ref: RdpInstanceRef): Promise<string> {
    this.calls++;
    return this.passwordData;
  }
  async keyPairType(): Promise<string | undefined> {
    return this.keyType;
  }
}

export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  failing: AppError | undefined;
  async get(account: string): Promise<string | undefined> {
    if (this.failing) throw this.failing;
    return this.values.get(account);
  }
  async set(account: string, secret: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.values.set(account, secret);
  }
  async delete(account: string): Promise<void> {
    this.values.delete(account);
  }
}

export class FakeKeyFiles implements KeyFileReader {
  readonly files = new Map<string, string>();
  async read(path: string): Promise<string> {
    const text = this.files.get(path);
    if (text === undefined) throw new AppError('RDP_KEY_MISSING', `The key file ${path} is gone.`);
    return text;
  }
}

export class FakeListener extends ListenerEvents implements RdpListener {
  readonly address = '127.0.0.1';
  closed = false;
  private active = 0;
  constructor(
    readonly tunnelId: string,
    readonly port: number,
  ) {
    super();
  }
  /** What the tunnel manager would record when a connection's tunnel fails. */
  failure: AppError | undefined;
  activeConnections(): number {
    return this.active;
  }
  lastError(): AppError | undefined {
    return this.failure;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  /** A client connected (+1) or left (-1). */
  connections(active: number): void {
    this.active = active;
    this.connectionsChanged(active);
  }
  /** The Tunnels view stopped it, or the endpoint dropped it. */
  closeFromOutside(reason: 'stopped' | 'error', error?: Error): void {
    this.closed = true;
    this.closedBy(reason, error);
  }
}

export class FakeTunnels implements RdpTunnelOpener {
  readonly listeners: FakeListener[] = [];
  failure: AppError | undefined;
  /** When set, open() waits for this before answering. */
  gate: Promise<void> | undefined;
  async open(host: WindowsHostFacts, options: { label: string; maxConnections: number }): Promise<RdpListener> {
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    const listener = new FakeListener(`tun-${this.listeners.length + 1}`, 50000 + this.listeners.length);
    Object.assign(listener, { openedFor: host.instanceId, options });
    this.listeners.push(listener);
    return listener;
  }
}

export class FakeLaunched implements LaunchedClient {
  disposed = false;
  private settle!: (exit: ClientExit) => void;
  readonly exited: Promise<ClientExit> | undefined;
  constructor(
    readonly client: RdpClientInfo,
    readonly request: LaunchRequest,
    readonly passwordDelivered: boolean,
    readonly authOnly: boolean,
    observable: boolean,
  ) {
    this.exited = observable ? new Promise<ClientExit>((resolve) => (this.settle = resolve)) : undefined;
  }
  exit(exit: ClientExit): void {
    this.settle(exit);
  }
  async dispose(): Promise<void> {
    this.disposed = true;
    this.settle?.({ code: null, signal: 'SIGTERM' });
  }
}

export class FakeLauncher implements RdpLauncher {
  readonly installHint = 'Install FreeRDP.';
  readonly launched: FakeLaunched[] = [];
  client: RdpClientInfo | undefined = { id: 'xfreerdp', name: 'xfreerdp', path: '/usr/bin/xfreerdp', acceptsPassword: true };
  authOnly = false;
  /** Whether the client's exit can be watched (false: macOS `open`). */
  observable = true;
  failure: AppError | undefined;
  disposed = false;
  async detect(): Promise<RdpClientInfo | undefined> {
    return this.client;
  }
  async launch(request: LaunchRequest): Promise<LaunchedClient> {
    if (!this.client) throw new AppError('RDP_CLIENT_MISSING', 'No RDP client was found on this computer.', { hint: this.installHint });
    if (this.failure) throw this.failure;
    const launched = new FakeLaunched(this.client, request, this.client.acceptsPassword && request.password !== undefined, this.authOnly, this.observable);
    this.launched.push(launched);
    return launched;
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
