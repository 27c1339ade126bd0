import { AppError } from '../../preload/contract/errors';
import type { TunnelInfo } from '../../preload/contract/tunnels';
import type { Logger } from '../log';
import { ConnectionBudget, EICE_CONNECTIONS_PER_ENDPOINT, type BudgetSlot, type TunnelOwner } from './connectionBudget';
import { TunnelDurationCaps, type CapScope, type DurationCapLearned } from './durationCaps';
import { LocalListener } from './localListener';
import { DEFAULT_TUNNEL_DURATION_SECONDS, openTunnel, type OpenTunnelOptions, type TunnelStream, type TunnelTarget } from './tunnel';

export type { TunnelOwner } from './connectionBudget';
export type { DurationCapLearned } from './durationCaps';

/** How to open tunnels: credentials, the env/FIPS choice of the profile, and whose IAM cap applies. */
export interface TunnelOpenOptions extends Omit<OpenTunnelOptions, 'log' | 'webSocketFactory'> {
  /**
   * Who signs (a profile id). An IAM cap on ec2-instance-connect:maxTunnelDuration is found and
   * remembered per principal and endpoint; without one, per endpoint.
   */
  principal?: string;
  /**
   * Ask for exactly the target's maxTunnelDuration: no remembered cap and no shorter retry (the
   * diagnose probe, which runs the search itself to report every duration it tried).
   */
  exactDuration?: boolean;
}

/** A listener carries bytes from any local program: its frames always get random masking keys (tunnel.ts ZERO_MASK). */
export interface ListenerOptions extends Omit<TunnelOpenOptions, 'zeroMask'> {
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
  /** An IAM cap on tunnel duration was found for a principal and endpoint (tell the person once). */
  onDurationCap?: (learned: DurationCapLearned) => void;
}

type State = 'running' | 'disposed';

interface StreamEntry {
  stream: TunnelStream;
  owner: TunnelOwner;
  slot: BudgetSlot;
  /** Its duration, when an IAM cap granted less than it asked for. */
  durationCapSeconds: number | undefined;
}

/** The stream opened, and its duration when an IAM cap granted less than it asked for. */
interface Opened {
  stream: TunnelStream;
  durationCapSeconds: number | undefined;
}

/** Whose cap a listener's tunnels are held to, and the duration they ask for. */
interface ListenerCap {
  scope: CapScope;
  askedSeconds: number;
}

/** Byte counters move constantly: tell subscribers at most this often (opens and closes go out at once). */
const PROGRESS_INTERVAL_MS = 500;

const targetOf = (t: TunnelTarget): TunnelInfo['target'] => ({
  ...(t.instanceId ? { instanceId: t.instanceId } : {}),
  privateIp: t.privateIpAddress,
  port: t.remotePort,
});

const capScopeOf = (principal: string | undefined, target: TunnelTarget): CapScope => ({ ...(principal !== undefined ? { principal } : {}), endpointId: target.endpointId });

/**
 * The one place the app opens tunnels, so the Tunnels view and each endpoint's 20-connection
 * budget see all of them. SSH takes streams; RDP and port forwards take listeners, whose
 * every accepted connection is one tunnel and one budget slot. Tunnels are held within the IAM
 * cap on their duration (ec2-instance-connect:maxTunnelDuration), found once per principal and
 * endpoint and remembered while the app runs.
 */
export class TunnelManager {
  private readonly budget: ConnectionBudget;
  private readonly caps: TunnelDurationCaps;
  private readonly streams = new Map<string, StreamEntry>();
  private readonly listeners = new Map<string, LocalListener>();
  private readonly listenerCaps = new WeakMap<LocalListener, ListenerCap>();
  private readonly changeListeners = new Set<() => void>();
  private progressTimer: NodeJS.Timeout | undefined;
  private state: State = 'running';

  constructor(private readonly options: TunnelManagerOptions = {}) {
    this.budget = new ConnectionBudget(options.limitPerEndpoint ?? EICE_CONNECTIONS_PER_ENDPOINT);
    this.caps = new TunnelDurationCaps({
      onLearned: (learned) => {
        this.options.log?.info('tunnel duration capped by IAM', { endpointId: learned.endpointId, seconds: learned.seconds, askedSeconds: learned.askedSeconds });
        this.options.onDurationCap?.(learned);
      },
    });
  }

  private ensureRunning(): void {
    if (this.state === 'disposed') throw new AppError('CANCELLED', 'The app is shutting down, so no tunnel can be opened.', { hint: 'Open Bastionless again and reconnect.' });
  }

  /**
   * Opens one tunnel within the IAM duration cap of its principal and endpoint: at the cap when
   * one is remembered, else at the asked duration, searching shorter ones when the refusal may be
   * a cap (durationCaps.ts). The stream's expiresAt is the granted duration's.
   */
  private async open(target: TunnelTarget, opts: TunnelOpenOptions, signal?: AbortSignal): Promise<Opened> {
    const { principal, exactDuration, ...tunnelOptions } = opts;
    const openAt = async (seconds: number): Promise<TunnelStream> =>
      openTunnel(
        { ...target, maxTunnelDuration: seconds },
        {
          ...tunnelOptions,
          ...(signal ? { signal } : {}),
          ...(this.options.log ? { log: this.options.log } : {}),
          ...(this.options.webSocketFactory ? { webSocketFactory: this.options.webSocketFactory } : {}),
        },
      );
    const asked = target.maxTunnelDuration ?? DEFAULT_TUNNEL_DURATION_SECONDS;
    const { opened: stream, seconds } = exactDuration ? { opened: await openAt(asked), seconds: asked } : await this.caps.open(capScopeOf(principal, target), asked, openAt, signal);
    stream.on('progress', () => this.progressed());
    return { stream, durationCapSeconds: seconds < asked ? seconds : undefined };
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
    let opened: Opened;
    try {
      opened = await this.open(target, opts, opts.signal);
    } catch (error) {
      slot.release();
      this.emitChange();
      throw error;
    }
    const { stream, durationCapSeconds } = opened;
    if (this.state === 'disposed') {
      stream.destroy();
      slot.release();
      throw new AppError('CANCELLED', 'The app is shutting down, so the tunnel was closed.', { hint: 'Open Bastionless again and reconnect.' });
    }
    this.streams.set(stream.id, { stream, owner, slot, durationCapSeconds });
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
    const { port, maxConnections, idleTimeoutMs, prepare, ...rest } = opts;
    // Whatever a caller passes, a listener's tunnels never use the zero masking key.
    const tunnelOptions: TunnelOpenOptions = { ...rest, zeroMask: false };
    const listener: LocalListener = new LocalListener({
      target,
      owner,
      ...(port !== undefined ? { port } : {}),
      ...(maxConnections !== undefined ? { maxConnections } : {}),
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
      ...(prepare ? { prepare } : {}),
      acquireSlot: () => this.budget.acquire(target.endpointId, owner),
      openTunnel: async (signal) => (await this.open(target, tunnelOptions, signal)).stream,
      ...(this.options.log ? { log: this.options.log.child('listener') } : {}),
      onChange: () => {
        if (listener.state === 'stopped') this.listeners.delete(listener.id);
        this.emitChange();
      },
    });
    await listener.listen();
    if (!tunnelOptions.exactDuration) this.listenerCaps.set(listener, { scope: capScopeOf(tunnelOptions.principal, target), askedSeconds: target.maxTunnelDuration ?? DEFAULT_TUNNEL_DURATION_SECONDS });
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
    for (const { stream, owner, durationCapSeconds } of this.streams.values()) {
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
        ...(durationCapSeconds !== undefined ? { durationCapSeconds } : {}),
      });
    }
    for (const listener of this.listeners.values()) {
      const expiresAt = listener.expiresAt;
      const durationCapSeconds = this.listenerCapOf(listener);
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
        ...(durationCapSeconds !== undefined ? { durationCapSeconds } : {}),
      });
    }
    return rows.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  }

  /** The cap a listener's next tunnels will get, when lower than what they ask for. */
  private listenerCapOf(listener: LocalListener): number | undefined {
    const cap = this.listenerCaps.get(listener);
    const seconds = cap ? this.caps.capOf(cap.scope) : undefined;
    return cap && seconds !== undefined && seconds < cap.askedSeconds ? seconds : undefined;
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
