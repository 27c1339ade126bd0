import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 that sends back every byte it gets: a tunnel target. */
export interface EchoServer {
  server: Server;
  port: number;
  /** Connections open right now. */
  sockets: Set<Socket>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
