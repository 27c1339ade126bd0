import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import type { RdpListener, RdpTunnelOpener, WindowsHostFacts } from '../../../main/rdp/rdpIo';
import { ListenerEvents } from '../../support/listenerEvents';

/**
 * A stand-in for the EICE listener before the tunnel manager is involved: 127.0.0.1:0, one
 * plain TCP connection to the RDP server per accepted client connection. Same interface, so the
 * RDP flow above it is exactly the one the app runs.
 */
export class TcpTunnelOpener implements RdpTunnelOpener {
  readonly listeners: TcpListener[] = [];
  constructor(private readonly targetPort: number) {}

  async open(_host: WindowsHostFacts, options: { maxConnections: number }): Promise<RdpListener> {
    const listener = new TcpListener(this.targetPort, options.maxConnections);
    await listener.listen();
    this.listeners.push(listener);
    return listener;
  }
}

export class TcpListener extends ListenerEvents implements RdpListener {
  readonly tunnelId = `tcp-${Math.random().toString(16).slice(2)}`;
  readonly address = '127.0.0.1';
  port = 0;
  totalConnections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.accept(client));
  private closed = false;

  constructor(
    private readonly targetPort: number,
    private readonly maxConnections: number,
  ) {
    super();
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    if (this.sockets.size >= this.maxConnections) {
      client.destroy();
      return;
    }
    this.totalConnections++;
    const upstream = createConnection(this.targetPort, '127.0.0.1');
    this.sockets.add(client);
    this.changed();
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      if (this.sockets.delete(client)) this.changed();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private changed(): void {
    this.connectionsChanged(this.sockets.size);
  }

  activeConnections(): number {
    return this.sockets.size;
  }

  lastError(): undefined {
    // Plain TCP to a local server: no endpoint to refuse anything.
    return undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
