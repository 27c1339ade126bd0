import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import WebSocket, { WebSocketServer } from 'ws';
import type { TunnelTarget, WebSocketFactory } from '../../main/eice/tunnel';
import { requireBinary } from './requireBinary';

/** A CA and a server certificate for EICE-like names, made with openssl for one test file. */
export interface TestPki {
  dir: string;
  caFile: string;
  key: string;
  cert: string;
  dispose(): void;
}

export function makeTestPki(names: string[] = ['*.ec2-instance-connect-endpoint.us-east-1.amazonaws.com', '*.fips.ec2-instance-connect-endpoint.us-east-1.amazonaws.com']): TestPki {
  const openssl = requireBinary('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'eice-pki-'));
  const run = (...args: string[]): void => {
    execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  };
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Bastionless test CA');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=eice test');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the fake saw of one upgrade request. */
export interface SeenUpgrade {
  url: URL;
  host: string | undefined;
  servername: string | undefined;
  headers: IncomingMessage['headers'];
  /** The bytes the client sent after an accepted upgrade, as they were on the wire (masked frames). */
  raw: Buffer[];
}

/** One client frame's header, read from the wire. */
export interface WireFrame {
  opcode: number;
  masked: boolean;
  /** The 4-byte masking key (hex), when masked. */
  maskKey: string | undefined;
  length: number;
}

/** The complete frames in what a client sent (RFC 6455 5.2), in order. */
export function wireFrames(raw: Buffer[]): WireFrame[] {
  const bytes = Buffer.concat(raw);
  const frames: WireFrame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    const keyAt = at + header;
    if (masked) header += 4;
    if (at + header + length > bytes.length) break;
    frames.push({ opcode: bytes[at]! & 0x0f, masked, maskKey: masked ? bytes.subarray(keyAt, keyAt + 4).toString('hex') : undefined, length });
    at += header + length;
  }
  return frames;
}

/** How the fake answers an upgrade: refuse with an HTTP error, or accept and run a handler. */
export type Answer =
  | { refuse: { status: number; body?: string; headers?: Record<string, string> } }
  | { accept: (ws: WebSocket, seen: SeenUpgrade) => void }
  /** Never answer: the client waits in its opening handshake. */
  | { hold: true };

/**
 * A small EICE stand-in: an HTTP(S) server whose upgrades are answered by `answer`. Enough for
 * unit tests of framing, close handling and the dialer; the sandbox is the real thing.
 */
export class FakeEice {
  readonly server: Server;
  readonly seen: SeenUpgrade[] = [];
  readonly sockets = new Set<Socket>();
  answer: (seen: SeenUpgrade) => Answer = () => ({ accept: echo });
  private readonly wsServer = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });

  private constructor(tls?: { key: string; cert: string }) {
    this.server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }) : createHttpServer();
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      // HTTP servers keep half-open sockets; a client that went away is gone for this fake.
      s.once('end', () => s.destroy());
    });
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const seen: SeenUpgrade = {
        url: new URL(req.url ?? '/', 'https://fake'),
        host: req.headers.host,
        servername: (socket as TLSSocket).servername || undefined,
        headers: req.headers,
        raw: [],
      };
      this.seen.push(seen);
      const answer = this.answer(seen);
      if ('refuse' in answer) {
        const { status, body = '', headers = {} } = answer.refuse;
        const lines = [`HTTP/1.1 ${status} Refused`, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
        socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
        return;
      }
      if ('hold' in answer) return;
      socket.on('data', (chunk: Buffer) => seen.raw.push(chunk));
      this.wsServer.handleUpgrade(req, socket, head, (ws) => answer.accept(ws, seen));
    });
  }

  static async start(tls?: { key: string; cert: string }): Promise<FakeEice> {
    const fake = new FakeEice(tls);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The WebSocket server, to count its live clients. */
  wss(): WebSocketServer {
    return this.wsServer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Builds tunnels' WebSockets to this plain-HTTP fake in place of the endpoint (the dialer has its own tests). */
  webSocketFactory(): WebSocketFactory {
    return (url, options) => new WebSocket(url.replace(/^wss:\/\/[^/]+/, `ws://${this.address}`), { ...options, createConnection: undefined });
  }

  async stop(): Promise<void> {
    for (const client of this.wsServer.clients) client.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends back every binary message as it came. */
export function echo(ws: WebSocket): void {
  ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary }));
}

/** A valid target for the fake: the DNS name is covered by makeTestPki's certificate. */
export function aTarget(overrides: Partial<TunnelTarget> = {}): TunnelTarget {
  return {
    endpointId: 'eice-0123456789abcdef0',
    dnsName: 'eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
    region: 'us-east-1',
    privateIpAddress: '10.0.1.23',
    remotePort: 22,
    maxTunnelDuration: 3600,
    ...overrides,
  };
}

export const testCredentials = async (): Promise<{ accessKeyId: string; secretAccessKey: string }> => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});
