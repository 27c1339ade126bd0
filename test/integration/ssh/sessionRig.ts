/**
 * A SessionManager wired to a local SSH server the way compose wires it to AWS: the resolver
 * returns one target, the "tunnels" are TCP connections to the server, the key pusher hands the
 * key to the server's ec2-instance-connect stand-in. Tests drive it through the same calls the
 * contract makes and read what the tab would see (states and output).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notice, SessionInfo } from '../../../preload/contract';
import { RecordingDesktop } from '../../../main/desktop';
import { KnownHosts } from '../../../main/ssh/knownHosts';
import { systemClock, type Clock, type ResolvedTarget } from '../../../main/ssh/ports';
import type { ReconnectPolicyOptions } from '../../../main/ssh/reconnectPolicy';
import { SessionManager } from '../../../main/ssh/sessionManager';
import type { ShellChannelOptions } from '../../../main/ssh/shellChannel';
import { memoryLogger } from '../../support/fakes';
import { FixedResolver, MemorySecrets, RecordingKeyPusher, TcpTunnels } from '../../support/sshFakes';

export interface RigOptions {
  target: ResolvedTarget;
  port: number;
  /** Where pushed keys go (the sshd's pushKey); by default nowhere, as without the package. */
  deliverKey?: (osUser: string, publicKey: string) => void;
  clock?: Clock;
  shell?: ShellChannelOptions;
  reconnectPolicy?: ReconnectPolicyOptions;
  dataDir?: string;
  /** Acknowledge output as soon as it arrives (a fast renderer). Default true. */
  autoAck?: boolean;
}

export class SessionRig {
  readonly states: SessionInfo[] = [];
  readonly notices: Omit<Notice, 'at'>[] = [];
  readonly output = new Map<string, Buffer[]>();
  readonly resolver: FixedResolver;
  readonly tunnels: TcpTunnels;
  readonly keys: RecordingKeyPusher;
  readonly secrets = new MemorySecrets();
  readonly desktop = new RecordingDesktop();
  readonly knownHosts: KnownHosts;
  readonly manager: SessionManager;
  readonly log = memoryLogger();
  readonly dataDir: string;
  autoAck: boolean;
  private readonly stateListeners = new Set<(info: SessionInfo) => void>();
  private readonly dataListeners = new Set<(sessionId: string, chunk: Uint8Array) => void>();

  constructor(options: RigOptions) {
    const clock = options.clock ?? systemClock;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bl-ssh-rig-'));
    this.autoAck = options.autoAck ?? true;
    this.resolver = new FixedResolver(options.target);
    this.tunnels = new TcpTunnels('127.0.0.1', options.port, clock.now);
    this.keys = new RecordingKeyPusher(options.deliverKey);
    this.knownHosts = new KnownHosts(this.dataDir, this.log.log);
    this.manager = new SessionManager({
      resolver: this.resolver,
      tunnels: this.tunnels,
      keys: this.keys,
      secrets: this.secrets,
      knownHosts: this.knownHosts,
      log: this.log.log,
      clock,
      desktop: this.desktop,
      ...(options.shell ? { shell: options.shell } : {}),
      ...(options.reconnectPolicy ? { reconnectPolicy: options.reconnectPolicy } : {}),
      random: () => 0.5,
      emitState: (info) => {
        this.states.push(info);
        for (const l of [...this.stateListeners]) l(info);
      },
      emitData: (sessionId, chunk) => {
        const list = this.output.get(sessionId) ?? [];
        list.push(Buffer.from(chunk));
        this.output.set(sessionId, list);
        for (const l of [...this.dataListeners]) l(sessionId, chunk);
        if (this.autoAck) this.manager.find(sessionId)?.ack(chunk.byteLength);
      },
      notice: (notice) => this.notices.push(notice),
    });
  }

  /** Everything the session printed so far, as text. */
  text(sessionId: string): string {
    return Buffer.concat(this.output.get(sessionId) ?? []).toString('utf8');
  }

  /** Resolves with the first state of `sessionId` (already seen or coming) that matches. */
  waitForState(sessionId: string, predicate: (info: SessionInfo) => boolean, sinceIndex = 0): Promise<SessionInfo> {
    const seen = this.states.slice(sinceIndex).find((s) => s.sessionId === sessionId && predicate(s));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (info: SessionInfo): void => {
        if (info.sessionId === sessionId && predicate(info)) {
          this.stateListeners.delete(listener);
          resolve(info);
        }
      };
      this.stateListeners.add(listener);
    });
  }

  /** Resolves once the session's output contains `needle` (after `from` bytes). */
  waitForOutput(sessionId: string, needle: string | RegExp): Promise<string> {
    const check = (): string | undefined => {
      const text = this.text(sessionId);
      return (typeof needle === 'string' ? text.includes(needle) : needle.test(text)) ? text : undefined;
    };
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const listener = (id: string): void => {
        if (id !== sessionId) return;
        const text = check();
        if (text !== undefined) {
          this.dataListeners.delete(listener);
          resolve(text);
        }
      };
      this.dataListeners.add(listener);
    });
  }

  onData(listener: (sessionId: string, chunk: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  /** Opens a session on the rig's target and waits until it is connected (or fails the test). */
  async connect(size?: { cols: number; rows: number }): Promise<SessionInfo> {
    const first = this.manager.open({ instanceId: this.resolver.target.instanceId, profileId: 'default', region: 'us-east-1', ...(size ? { size } : {}) });
    const settled = await this.waitForState(first.sessionId, (s) => s.status === 'connected' || s.status === 'failed');
    if (settled.status !== 'connected') throw new Error(`expected connected, got ${settled.status}: ${settled.error?.code} ${settled.error?.message}`);
    return settled;
  }

  dispose(): void {
    this.manager.dispose();
  }
}
