import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AppError, isAppError } from '../../preload/contract/errors';
import type { Logger } from '../log';
import type { BudgetSlot, TunnelOwner } from './connectionBudget';
import type { TunnelStream, TunnelTarget } from './tunnel';

export type ListenerState = 'starting' | 'listening' | 'stopped';

/** The default and the ceiling of connections one listener carries at once. */
export const DEFAULT_LISTENER_CONNECTIONS = 10;
export const MAX_LISTENER_CONNECTIONS = 20;
/** How long an accepted socket may stay open after its tunnel closed. */
const SOCKET_LINGER_MS = 10_000;

export interface LocalListenerOptions {
  target: TunnelTarget;
  owner: TunnelOwner;
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** At most this many accepted connections at once (default 10, never above 20). */
  maxConnections?: number;
  /** Stop by itself after this long with no connection (none by default). */
  idleTimeoutMs?: number;
  /** Takes a slot in the endpoint's 20-connection budget, or throws EIC_CONNECTION_LIMIT. */
  acquireSlot: () => BudgetSlot;
  /** Opens one tunnel for one accepted connection. */
  openTunnel: (signal: AbortSignal) => Promise<TunnelStream>;
  /**
   * Runs for every accepted connection in parallel with its tunnel's opening (an ephemeral key
   * push); bytes flow only once both are done, and its failure closes the connection.
   */
  prepare?: (signal: AbortSignal) => Promise<void>;
  log?: Logger;
  /** Called when connections come and go, or the listener stops. */
  onChange?: () => void;
}

interface Connection {
  socket: Socket;
  tunnel: TunnelStream | undefined;
  slot: BudgetSlot | undefined;
  abort: AbortController;
}

/**
 * A TCP listener on 127.0.0.1 that opens one EICE tunnel per accepted connection (for RDP
 * clients, port forwards and the command line's --local-port). Loopback only: anything else
 * on the network must never reach an instance through this machine.
 */
export class LocalListener {
  readonly id = `lis-${randomBytes(6).toString('hex')}`;
  readonly target: TunnelTarget;
  readonly owner: TunnelOwner;
  readonly maxConnections: number;
  readonly openedAt = new Date();
  state: ListenerState = 'starting';
  port = 0;
  totalConnections = 0;
  refusedConnections = 0;
  /** The last thing that went wrong (a refused tunnel, the cap), for the Tunnels view. */
  lastError: AppError | undefined;

  readonly address = '127.0.0.1';
  /** When the idle timeout will stop it, while it has no connection. */
  idleClosesAt: Date | undefined;

  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly connectionListeners = new Set<(active: number) => void>();
  private readonly closedListeners = new Set<(reason: 'stopped' | 'error', error?: Error) => void>();
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: LocalListenerOptions) {
    this.target = options.target;
    this.owner = options.owner;
    const cap = options.maxConnections ?? DEFAULT_LISTENER_CONNECTIONS;
    if (!Number.isInteger(cap) || cap < 1 || cap > MAX_LISTENER_CONNECTIONS) {
      throw new AppError('INVALID_INPUT', `A listener can carry 1 to ${MAX_LISTENER_CONNECTIONS} connections at once, not ${cap}.`, {
        hint: `EICE allows ${MAX_LISTENER_CONNECTIONS} connections per endpoint; pick a number up to that.`,
      });
    }
    this.maxConnections = cap;
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  /** Starts listening on 127.0.0.1; throws INVALID_INPUT when the port is taken or not allowed. */
  async listen(): Promise<void> {
    const port = this.options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new AppError('INVALID_INPUT', `${port} is not a TCP port.`, { hint: 'Use a port from 1024 to 65535, or 0 for any free port.' });
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.state = 'stopped';
        const taken = error.code === 'EADDRINUSE';
        reject(
          new AppError('INVALID_INPUT', taken ? `Local port ${port} is already in use.` : `Could not listen on 127.0.0.1:${port} (${error.code ?? error.message}).`, {
            hint: taken ? 'Pick another local port, or leave it empty to use any free port.' : 'Ports below 1024 need administrator rights: pick a port from 1024 to 65535.',
            cause: error,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.removeListener('error', onError);
        this.server.on('error', (error) => {
          this.options.log?.warn('listener error', { id: this.id, error });
          void this.close('error', error);
        });
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.state = 'listening';
    this.armIdleTimer();
    this.options.log?.info('listener started', { id: this.id, port: this.port, target: `${this.target.privateIpAddress}:${this.target.remotePort}`, endpointId: this.target.endpointId });
  }

  get activeConnections(): number {
    return this.connections.size;
  }

  /** When the earliest open tunnel reaches its maximum duration, if any is open. */
  get expiresAt(): Date | undefined {
    let earliest: Date | undefined;
    for (const c of this.connections) {
      if (c.tunnel && (!earliest || c.tunnel.expiresAt < earliest)) earliest = c.tunnel.expiresAt;
    }
    return earliest;
  }

  /** Called whenever a connection opens or closes, with the new count. */
  onConnectionsChanged(listener: (active: number) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Called once when the listener stops: 'stopped' (asked to, or idle), 'error' (the server socket failed). */
  onClosed(listener: (reason: 'stopped' | 'error', error?: Error) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  private connectionsChanged(): void {
    for (const l of this.connectionListeners) l(this.connections.size);
    this.options.onChange?.();
  }

  /** Bytes that came from the instance, over every connection so far. */
  get bytesIn(): number {
    let sum = this.closedBytesIn;
    for (const c of this.connections) sum += c.tunnel?.bytesReceived ?? 0;
    return sum;
  }

  /** Bytes sent to the instance, over every connection so far. */
  get bytesOut(): number {
    let sum = this.closedBytesOut;
    for (const c of this.connections) sum += c.tunnel?.bytesSent ?? 0;
    return sum;
  }

  private refuse(socket: Socket, error: AppError): void {
    this.refusedConnections++;
    this.lastError = error;
    this.options.log?.warn('listener refused a connection', { id: this.id, code: error.code });
    socket.destroy();
    this.options.onChange?.();
  }

  private accept(socket: Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections) {
      this.refuse(
        socket,
        new AppError('EIC_CONNECTION_LIMIT', `The listener on port ${this.port} already carries ${this.maxConnections} connections, its limit.`, {
          hint: 'Close a connection that goes through it, or start the listener with a higher limit (up to 20).',
          retryable: true,
        }),
      );
      return;
    }
    let slot: BudgetSlot;
    try {
      slot = this.options.acquireSlot();
    } catch (error) {
      this.refuse(socket, isAppError(error) ? error : new AppError('INTERNAL', 'Could not count the connection.', { cause: error }));
      return;
    }
    this.disarmIdleTimer();
    const connection: Connection = { socket, tunnel: undefined, slot, abort: new AbortController() };
    this.connections.add(connection);
    this.totalConnections++;
    socket.setNoDelay(true);
    const onEarlyClose = (): void => connection.abort.abort();
    socket.once('close', onEarlyClose);
    socket.on('error', (error) => {
      this.options.log?.debug('listener socket error', { id: this.id, error });
    });
    this.connectionsChanged();
    const opening = this.options.openTunnel(connection.abort.signal);
    const prepared = this.options.prepare ? this.options.prepare(connection.abort.signal) : Promise.resolve();
    // A failed preparation must not leave its tunnel open: close whatever opened.
    const both = Promise.all([opening, prepared]).catch(async (error: unknown) => {
      connection.abort.abort();
      const tunnel = await opening.catch(() => undefined);
      tunnel?.destroy();
      throw error;
    });
    both.then(
      ([tunnel]) => {
        socket.removeListener('close', onEarlyClose);
        if (socket.destroyed || this.state === 'stopped') {
          tunnel.destroy();
          void tunnel.whenClosed.then(() => this.finish(connection));
          connection.tunnel = tunnel;
          return;
        }
        connection.tunnel = tunnel;
        this.splice(connection, tunnel);
      },
      (error: unknown) => {
        socket.removeListener('close', onEarlyClose);
        if (!(isAppError(error) && error.code === 'CANCELLED')) {
          this.lastError = isAppError(error) ? error : new AppError('INTERNAL', 'Could not open the tunnel.', { cause: error });
          this.options.log?.warn('listener could not open a tunnel', { id: this.id, code: this.lastError.code });
        }
        socket.destroy();
        this.finish(connection);
      },
    );
  }

  /** Joins the accepted socket and its tunnel, both ways, with backpressure (pipe). */
  private splice(connection: Connection, tunnel: TunnelStream): void {
    const { socket } = connection;
    socket.pipe(tunnel);
    tunnel.pipe(socket);
    socket.resume();
    // A reset from the local client aborts the tunnel; a clean FIN ends it through pipe.
    socket.once('close', () => {
      if (!tunnel.destroyed && !tunnel.writableEnded) tunnel.destroy();
    });
    void tunnel.whenClosed.then(() => {
      if (tunnel.closeError) this.lastError = tunnel.closeError;
      if (socket.closed) {
        this.finish(connection);
        return;
      }
      socket.once('close', () => this.finish(connection));
      // pipe() ends the socket once the tunnel's bytes are written; a client that then never
      // closes its side must not hold a budget slot for ever.
      const startLinger = (): void => {
        const linger = setTimeout(() => socket.destroy(), SOCKET_LINGER_MS);
        linger.unref();
        socket.once('close', () => clearTimeout(linger));
      };
      if (socket.writableFinished) startLinger();
      else socket.once('finish', startLinger);
    });
  }

  private finish(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    connection.slot?.release();
    this.closedBytesIn += connection.tunnel?.bytesReceived ?? 0;
    this.closedBytesOut += connection.tunnel?.bytesSent ?? 0;
    this.armIdleTimer();
    this.connectionsChanged();
  }

  private armIdleTimer(): void {
    const idle = this.options.idleTimeoutMs;
    if (idle === undefined || this.state !== 'listening' || this.connections.size > 0) return;
    this.disarmIdleTimer();
    this.idleClosesAt = new Date(Date.now() + idle);
    this.idleTimer = setTimeout(() => {
      this.options.log?.info('listener idle, stopping', { id: this.id, idleTimeoutMs: idle });
      void this.close();
    }, idle);
    this.idleTimer.unref();
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.idleClosesAt = undefined;
  }

  /** Stops accepting, closes every connection and its tunnel (normal close), and resolves when all are gone. Idempotent. */
  close(reason: 'stopped' | 'error' = 'stopped', error?: Error): Promise<void> {
    this.stopping ??= (async () => {
      this.disarmIdleTimer();
      const wasListening = this.state !== 'stopped';
      this.state = 'stopped';
      const serverClosed = wasListening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
      const pending = [...this.connections].map(async (c) => {
        c.abort.abort();
        c.tunnel?.destroy();
        c.socket.destroy();
        if (c.tunnel) await c.tunnel.whenClosed;
        this.finish(c);
      });
      await Promise.all([serverClosed, ...pending]);
      this.options.log?.info('listener stopped', { id: this.id, total: this.totalConnections, reason });
      for (const l of this.closedListeners) l(reason, error);
      this.closedListeners.clear();
      this.options.onChange?.();
    })();
    return this.stopping;
  }
}
