import { EventEmitter } from 'node:events';
import { AppError, type InventorySnapshot, type Host } from '../../../../preload/contract';
import type { DiagnoseApp, DiagnoseProbes, ProbeStream, ProbeTunnelRequest } from '../../../../main/diagnose/diagnoseIo';

/**
 * A tunnel as the probe sees it. `script` says what the far side does once it is open: send a
 * banner, close with a reason, or say nothing.
 */
export class FakeProbeStream extends EventEmitter implements ProbeStream {
  closeError: ProbeStream['closeError'];
  readonly written: Buffer[] = [];
  destroyed = false;
  private resolveClosed!: () => void;
  readonly whenClosed = new Promise<void>((r) => (this.resolveClosed = r));

  constructor(private readonly script: { banner?: Buffer; closeWith?: AppError; silent?: boolean }) {
    super();
    // The far side acts once the probe is listening (next tick), like a real socket.
    setImmediate(() => {
      if (this.script.banner) this.emit('data', this.script.banner);
      else if (this.script.closeWith) {
        this.closeError = this.script.closeWith;
        this.emit('end');
        this.resolveClosed();
      }
    });
  }

  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return true;
  }

  destroy(): void {
    this.destroyed = true;
    this.resolveClosed();
  }
}

/** Probes whose tunnel answers per requested duration; records every request. */
export class FakeProbes implements DiagnoseProbes {
  readonly requests: ProbeTunnelRequest[] = [];
  readonly streams: FakeProbeStream[] = [];
  publicIpAnswer: string | Error = '198.51.100.24';

  constructor(private readonly behave: (request: ProbeTunnelRequest) => { banner?: Buffer; closeWith?: AppError; silent?: boolean } | AppError) {}

  async openTunnel(request: ProbeTunnelRequest): Promise<ProbeStream> {
    this.requests.push(request);
    const b = this.behave(request);
    if (b instanceof AppError) throw b;
    const stream = new FakeProbeStream(b);
    this.streams.push(stream);
    return stream;
  }

  async publicIp(): Promise<string> {
    if (this.publicIpAnswer instanceof Error) throw this.publicIpAnswer;
    return this.publicIpAnswer;
  }
}

/** What Bastionless itself knows: saved hosts, the last discovery, the keychain, files. */
export class FakeApp implements DiagnoseApp {
  hosts = new Map<string, Host>();
  snapshot: InventorySnapshot = { running: false, scopes: [], instances: [], totals: { instances: 0, publicIpv4: 0, publicIpv4MonthlyUsd: 0 } };
  secrets = new Set<string>();
  keychainError: AppError | undefined;
  files = new Map<string, { readable: boolean; problem?: string }>();

  async host(hostId: string): Promise<Host> {
    const h = this.hosts.get(hostId);
    if (!h) throw new AppError('NOT_FOUND', `No saved host ${hostId}.`);
    return h;
  }

  async inventory(): Promise<InventorySnapshot> {
    return this.snapshot;
  }

  async hasSecret(account: string): Promise<boolean> {
    if (this.keychainError) throw this.keychainError;
    return this.secrets.has(account);
  }

  async readable(path: string): Promise<{ readable: boolean; problem?: string }> {
    return this.files.get(path) ?? { readable: false, problem: `The file ${path} does not exist.` };
  }
}

export const SSH_BANNER = Buffer.from('SSH-2.0-OpenSSH_9.6\r\n');
