import { AppError } from '../../preload/contract/errors';
import type { TunnelInfo } from '../../preload/contract/tunnels';
import type { Logger } from '../log';
import { ConnectionBudget, EICE_CONNECTIONS_PER_ENDPOINT, type BudgetSlot, type TunnelOwner } from './connectionBudget';
import { LocalListener } from './localListener';
import { openTunnel, type OpenTunnelOptions, type TunnelStream, type TunnelTarget } from './tunnel';

export type { TunnelOwner } from './connectionBudget';

/** How to open tunnels: credentials, and the env/FIPS choice of the profile. */
export type TunnelOpenOptions = Omit<OpenTunnelOptions, 'log' | 'webSocketFactory'>;

export interface ListenerOptions extends TunnelOpenOptions {
  /** Local port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Connections at once (default 10, never above 20). */
  maxConnections?: number;
  /** Stop the listener after this long without connections (never, by default). */
  idleTimeoutMs?: number;
  /** Runs in parallel with each connection's tunnel (an ephemeral key push); see LocalListener. */
  prepare?: (signal: AbortSignal) => Promise<void>;
}

/** One row of the Tunnels view, in the contract's shape (preload/contract/tunnels.ts). */
export type { TunnelInfo } from '../../preload/contract/tunnels';

export interface TunnelManagerOptions {
  log?: Logger;
  /** For tests: builds the WebSocket of every tunnel. */
  webSocketFactory?: OpenTunnelOptions['webSocketFactory'];
  /** Connections per endpoint (EICE's 20); tests may lower it. */
  limitPerEndpoint?: number;
}

type State = 'running' | 'disposed';

interface StreamEntry {
  stream: TunnelStream;
  owner: TunnelOwner;
  slot: BudgetSlot;
}

/** Byte counters move constantly: tell subscribers at most this often (opens and closes go out at once). */
const PROGRESS_INTERVAL_MS = 500;

const targetOf = (t: TunnelTarget): TunnelInfo['target'] => ({
  ...(t.instanceId ? { instanceId: t.instanceId } : {}),
  privateIp: t.privateIpAddress,
  port: t.remotePort,
});

/**
 * The one place the app opens tunnels, so the Tunnels view and each endpoint's 20-connection
 * budget see all of them. SSH takes streams; RDP and port forwards take listeners, whose
 * every accepted connection is one tunnel and one budget slot.
 */
export class TunnelManager {
  private readonly budget: ConnectionBudget;
  private readonly streams = new Map<string, StreamEntry>();
  private readonly listeners = new Map<string, LocalListener>();
  private readonly changeListeners = new Set<() => void>();
  private progressTimer: NodeJS.Timeout | undefined;
  private state: State = 'running';

  constructor(private readonly options: TunnelManagerOptions = {}) {
    this.budget = new ConnectionBudget(options.limitPerEndpoint ?? EICE_CONNECTIONS_PER_ENDPOINT);
  }

  private ensureRunning(): void {
    if (this.state === 'disposed') throw new AppError('CANCELLED', 'The app is shutting down, so no tunnel can be opened.');
  }

  private async open(target: TunnelTarget, opts: TunnelOpenOptions, signal?: AbortSignal): Promise<TunnelStream> {
    const stream = await openTunnel(target, {
      ...opts,
      ...(signal ? { signal } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
      ...(this.options.webSocketFactory ? { webSocketFactory: this.options.webSocketFactory } : {}),
    });
    stream.on('progress', () => this.progressed());
    return stream;
  }

  private progressed(): void {
    if (this.progressTimer || this.state === 'disposed') return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.emitChange();
    }, PROGRESS_INTERVAL_MS);
    this.progressTimer.unref();
  }

  /**
   * Opens one tunnel for `owner` (an SSH connection) after taking a budget slot on the
   * endpoint: the 21st is refused with EIC_CONNECTION_LIMIT before anything is opened.
   * Fails with the tunnel's codes otherwise (see errors.ts).
   */
  async openStream(target: TunnelTarget, owner: TunnelOwner, opts: TunnelOpenOptions): Promise<TunnelStream> {
    this.ensureRunning();
    const slot = this.budget.acquire(target.endpointId, owner);
    this.emitChange();
    let stream: TunnelStream;
    try {
      stream = await this.open(target, opts, opts.signal);
    } catch (error) {
      slot.release();
      this.emitChange();
      throw error;
    }
    if (this.state === 'disposed') {
      stream.destroy();
      slot.release();
      throw new AppError('CANCELLED', 'The app is shutting down, so the tunnel was closed.');
    }
    this.streams.set(stream.id, { stream, owner, slot });
    void stream.whenClosed.then(() => {
      this.streams.delete(stream.id);
      slot.release();
      this.emitChange();
    });
    this.emitChange();
    return stream;
  }

  /**
   * Starts a listener on 127.0.0.1 that opens one tunnel per accepted connection (RDP, port
   * forwards). Each connection takes a budget slot; one that would exceed the endpoint's 20 or
   * the listener's cap is closed at once and recorded as the listener's lastError.
   */
  async startListener(target: TunnelTarget, owner: TunnelOwner, opts: ListenerOptions): Promise<LocalListener> {
    this.ensureRunning();
    const { port, maxConnections, idleTimeoutMs, prepare, ...tunnelOptions } = opts;
    const listener: LocalListener = new LocalListener({
      target,
      owner,
      ...(port !== undefined ? { port } : {}),
      ...(maxConnections !== undefined ? { maxConnections } : {}),
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
      ...(prepare ? { prepare } : {}),
      acquireSlot: () => this.budget.acquire(target.endpointId, owner),
      openTunnel: (signal) => this.open(target, tunnelOptions, signal),
      ...(this.options.log ? { log: this.options.log.child('listener') } : {}),
      onChange: () => {
        if (listener.state === 'stopped') this.listeners.delete(listener.id);
        this.emitChange();
      },
    });
    await listener.listen();
    this.listeners.set(listener.id, listener);
    this.emitChange();
    return listener;
  }

  /** How many connections of the endpoint this app holds (opening ones included). */
  connectionsInUse(endpointId: string): number {
    return this.budget.used(endpointId);
  }

  /** A snapshot of every open stream and listener, oldest first. */
  list(): TunnelInfo[] {
    const rows: TunnelInfo[] = [];
    for (const { stream, owner } of this.streams.values()) {
      rows.push({
        tunnelId: stream.id,
        kind: owner.kind,
        label: owner.label,
        ...(owner.hostId ? { hostId: owner.hostId } : {}),
        target: targetOf(stream.target),
        endpoint: { endpointId: stream.target.endpointId, dnsName: stream.target.dnsName },
        bytesToInstance: stream.bytesSent,
        bytesFromInstance: stream.bytesReceived,
        connections: { active: stream.state === 'closed' ? 0 : 1, total: 1 },
        openedAt: stream.openedAt.toISOString(),
        expiresAt: stream.expiresAt.toISOString(),
      });
    }
    for (const listener of this.listeners.values()) {
      const expiresAt = listener.expiresAt;
      rows.push({
        tunnelId: listener.id,
        kind: listener.owner.kind,
        label: listener.owner.label,
        ...(listener.owner.hostId ? { hostId: listener.owner.hostId } : {}),
        target: targetOf(listener.target),
        endpoint: { endpointId: listener.target.endpointId, dnsName: listener.target.dnsName },
        local: { address: listener.address, port: listener.port },
        bytesToInstance: listener.bytesOut,
        bytesFromInstance: listener.bytesIn,
        connections: { active: listener.activeConnections, total: listener.totalConnections, max: listener.maxConnections },
        openedAt: listener.openedAt.toISOString(),
        ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
        ...(listener.idleClosesAt ? { idleClosesAt: listener.idleClosesAt.toISOString() } : {}),
      });
    }
    return rows.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  /** The listener behind a Tunnels-view id (its lastError, counters), if it is still open. */
  listener(id: string): LocalListener | undefined {
    return this.listeners.get(id);
  }

  /** Closes a stream or a listener (and its connections). Resolves also when it is already gone. */
  async stop(id: string): Promise<void> {
    const entry = this.streams.get(id);
    if (entry) {
      entry.stream.destroy();
      await entry.stream.whenClosed;
      return;
    }
    await this.listeners.get(id)?.close();
  }

  /** Called whenever a tunnel or listener opens or closes, or a connection comes or goes. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private emitChange(): void {
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (error) {
        this.options.log?.error('tunnel change listener failed', { error });
      }
    }
  }

  /** Closes every stream and listener; later opens fail with CANCELLED. Safe to call twice. */
  async dispose(): Promise<void> {
    this.state = 'disposed';
    if (this.progressTimer) clearTimeout(this.progressTimer);
    const closing = [...this.streams.values()].map(async ({ stream }) => {
      stream.destroy();
      await stream.whenClosed;
    });
    await Promise.all([...closing, ...[...this.listeners.values()].map((l) => l.close())]);
    this.changeListeners.clear();
  }
}
