/**
 * The EICE `openTunnel` endpoint: a TLS WebSocket server that enforces what AWS enforces
 * (EICE.md "The tunnel wire protocol") and forwards bytes to the instance's real server.
 *
 * Before the upgrade (refusals are HTTP errors with a JSON `{ErrorCode, Message}` body and an
 * `x-amzn-requestid` header): the TLS server name must be the Host; the Host must be an
 * endpoint's DnsName or FipsDnsName (an endpoint in an impaired AZ does not answer at all);
 * the presigned URL must verify (signature, known key, session token, signing name
 * `ec2-instance-connect`, the endpoint's Region, at most 60 s old, only `host` signed); the
 * parameters must be valid and name this endpoint; the endpoint must be usable; IAM deny
 * rules and the maxTunnelDuration cap apply; the port must be allowed; at most 20 live
 * connections per endpoint.
 *
 * After the upgrade: the target is the instance with that private IP in the endpoint's VPC;
 * when the security groups / network ACLs block the path, the instance is stopped or nothing
 * listens, the WebSocket closes with code 1011 and reason `Unable to connect to target`
 * (AWS's words, as the AWS CLI prints them). Data flows as BINARY frames with backpressure
 * both ways; a TEXT frame from the client closes the tunnel with 1003. The tunnel closes with
 * 1000 "Maximum tunnel duration reached" when its duration elapses.
 *
 * Where AWS's exact refusal codes are not documented, the sandbox uses these (documented here
 * so the app's error table can be checked against them): port not allowed -> 400
 * InvalidParameter with AWS's known message; denied -> 403 AccessDenied; bad signature -> 403
 * SignatureDoesNotMatch; unknown key -> 403 UnrecognizedClientException; expired URL -> 403
 * RequestExpired; expired session -> 403 ExpiredTokenException; unusable endpoint -> 400
 * IncorrectState; connection limit -> 429 ConnectionLimitExceeded; throttled -> 429
 * ThrottlingException.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { connect as tcpConnect, isIPv4, isIPv6, type AddressInfo, type NetConnectOpts, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifySigV4, parseRawQuery, type SigV4Failure } from '../aws/sigv4';
import { checkTunnelPath } from '../world/networkPath';
import { USABLE_ENDPOINT_STATES, type EndpointState, type InstanceState, type PrincipalIdentity, type World } from '../world/world';
import type { SandboxCertificates } from './certificates';

export const UNABLE_TO_CONNECT = 'Unable to connect to target';
export const DURATION_REACHED = 'Maximum tunnel duration reached';
const PORT_MESSAGE = 'The specified RemotePort is not valid. Specify either 22 or 3389 as the RemotePort and retry your request.';
/**
 * Bytes queued towards the client before the target socket is paused, and towards the target
 * before the client's frames stop being read. The same in both directions: the stand-in for
 * AWS must neither flatter nor hold back one direction. (With Node's default 16 KiB socket
 * buffer every 64 KB frame from the client found the target "full", so the server stopped and
 * restarted reading the client once per frame: upload ran stop-and-go.)
 */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
const TARGET_CONNECT_TIMEOUT_MS = 10_000;

export interface TunnelInfo {
  id: string;
  requestId: string;
  endpointId: string;
  instanceId?: string;
  privateIpAddress: string;
  remotePort: number;
  principal: string;
  openedAt: string;
  expiresAt: string;
  /** Bytes from the client to the target, and back. */
  bytesIn: number;
  bytesOut: number;
  state: 'connecting' | 'open';
}

interface LiveTunnel extends TunnelInfo {
  ws: WebSocket;
  tcp?: Socket;
  timer?: NodeJS.Timeout;
  end(kind: 'reset' | 'close', code?: number, reason?: string): void;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function sigV4Refusal(failure: SigV4Failure): Refusal {
  switch (failure.kind) {
    case 'missing':
      return new Refusal(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    case 'malformed':
      return new Refusal(400, 'IncompleteSignature', failure.detail);
    case 'unknownKey':
    case 'tokenInvalid':
      return new Refusal(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'tokenExpired':
      return new Refusal(403, 'ExpiredTokenException', 'The security token included in the request is expired');
    case 'expiredUrl':
    case 'skew':
      return new Refusal(403, 'RequestExpired', failure.detail);
    case 'badScope':
      return new Refusal(403, 'SignatureDoesNotMatch', failure.detail);
    default:
      return new Refusal(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
}

export interface TunnelServerOptions {
  world: World;
  certificates: SandboxCertificates;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** The EICE tunnel endpoint; see the file header for what it enforces. */
export class TunnelServer {
  readonly port: number;
  private readonly live = new Set<LiveTunnel>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly world: World,
    private readonly server: HttpsServer,
    private readonly wss: WebSocketServer,
  ) {
    this.port = (server.address() as AddressInfo).port;
  }

  static async start(options: TunnelServerOptions): Promise<TunnelServer> {
    const server = createHttpsServer({ cert: options.certificates.cert, key: options.certificates.key }, (_req, res) => {
      res.writeHead(426, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ ErrorCode: 'UpgradeRequired', Message: 'openTunnel is a WebSocket endpoint.' }));
    });
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const tunnel = new TunnelServer(options.world, server, wss);
    // Every AWS answer carries its request id, the accepted upgrade too.
    wss.on('headers', (headers: string[], req: IncomingMessage) => headers.push(`x-amzn-requestid: ${(req as RequestWithId).sandboxRequestId ?? ''}`));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => tunnel.onUpgrade(req, socket as TLSSocket, head));
    server.on('secureConnection', (socket: Socket) => {
      tunnel.sockets.add(socket);
      socket.once('close', () => tunnel.sockets.delete(socket));
    });
    // A client that fails the TLS handshake (wrong CA) is its own problem; keep serving.
    server.on('tlsClientError', () => undefined);
    return tunnel;
  }

  /** Live tunnels (snapshot). */
  list(): TunnelInfo[] {
    return [...this.live].map(({ ws: _ws, tcp: _tcp, timer: _timer, end: _end, ...info }) => ({ ...info }));
  }

  /**
   * Drops live tunnels (all, or those of one instance or endpoint). `reset` cuts the TCP
   * connection under the WebSocket with no close frame (the client sees 1006, as when a
   * network path dies); `close` sends a close frame with `code`/`reason`.
   */
  drop(filter: { instanceId?: string; endpointId?: string } = {}, mode: 'reset' | 'close' = 'reset', code = 1011, reason = 'Connection closed by the sandbox'): number {
    let n = 0;
    for (const tunnel of [...this.live]) {
      if (filter.instanceId && tunnel.instanceId !== filter.instanceId) continue;
      if (filter.endpointId && tunnel.endpointId !== filter.endpointId) continue;
      tunnel.end(mode, code, reason);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const tunnel of [...this.live]) tunnel.end('reset');
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private refuse(socket: Socket, requestId: string, refusal: Refusal): void {
    const body = JSON.stringify({ ErrorCode: refusal.errorCode, Message: refusal.message });
    const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' }[refusal.status] ?? 'Error';
    socket.end(
      `HTTP/1.1 ${refusal.status} ${reason}\r\ncontent-type: application/json\r\nx-amzn-requestid: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  private onUpgrade(req: IncomingMessage, socket: TLSSocket, head: Buffer): void {
    const requestId = randomUUID();
    const world = this.world;
    world.advance();
    socket.on('error', () => undefined);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const params = new Map(parseRawQuery(rawQuery));
    const host = (req.headers.host ?? '').toLowerCase();
    const endpoint = [...world.endpoints.values()].find((ep) => ep.dnsName === host || ep.fipsDnsName === host);
    const detail: Record<string, unknown> = {
      endpointId: params.get('instanceConnectEndpointId'),
      privateIpAddress: params.get('privateIpAddress'),
      remotePort: params.get('remotePort'),
      ...(params.has('maxTunnelDuration') ? { maxTunnelDuration: params.get('maxTunnelDuration') } : {}),
      host,
    };
    // An endpoint whose Availability Zone is down does not answer: the connection just dies.
    if (endpoint) {
      const zone = world.zone(endpoint.region, endpoint.az);
      if (zone && (zone.state === 'impaired' || zone.state === 'unavailable')) {
        world.record({ service: 'tunnel', action: 'OpenTunnel', region: endpoint.region, requestId, errorCode: 'AvailabilityZoneImpaired', detail });
        socket.destroy();
        return;
      }
    }
    void this.authorise(req, socket, rawPath, rawQuery, params, host, endpoint)
      .then((accepted) => {
        world.record({ service: 'tunnel', action: 'OpenTunnel', region: accepted.endpoint.region, principal: accepted.principal.name, requestId, detail: { ...detail, instanceId: accepted.instance?.id } });
        (req as RequestWithId).sandboxRequestId = requestId;
        this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, accepted, requestId));
      })
      .catch((error: unknown) => {
        const refusal = error instanceof Refusal ? error : new Refusal(500, 'InternalServerError', `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`);
        world.record({ service: 'tunnel', action: 'OpenTunnel', ...(endpoint ? { region: endpoint.region } : {}), requestId, errorCode: refusal.errorCode, detail });
        this.refuse(socket, requestId, refusal);
      });
  }

  private async authorise(
    req: IncomingMessage,
    socket: TLSSocket,
    rawPath: string,
    rawQuery: string,
    params: Map<string, string>,
    host: string,
    endpoint: EndpointState | undefined,
  ): Promise<Accepted> {
    const world = this.world;
    const fault = world.faults.refuseUpgrades;
    if (fault) throw new Refusal(fault.status, fault.errorCode, fault.message);
    const sni = socket.servername;
    if (!sni || sni.toLowerCase() !== host) throw new Refusal(400, 'InvalidParameter', `The TLS server name (${sni || 'none'}) does not match the Host header (${host || 'none'}): connect with SNI set to the endpoint's DNS name.`);
    if (rawPath !== '/openTunnel') throw new Refusal(404, 'ResourceNotFoundException', `No such operation: ${rawPath}`);
    if (!endpoint) throw new Refusal(404, 'InvalidInstanceConnectEndpointId.NotFound', `There is no EC2 Instance Connect Endpoint at ${host}.`);

    const verified = await verifySigV4(
      { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers },
      { service: 'ec2-instance-connect', lookup: (k) => world.credentials.get(k), maxSkewMs: 5 * 60_000, maxExpiresSeconds: 60 },
    );
    if (!verified.ok) throw sigV4Refusal(verified.failure);
    if (verified.region !== endpoint.region) throw new Refusal(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region: the endpoint is in ${endpoint.region}, not '${verified.region}'.`);
    const regionFault = world.faults.regionErrors[endpoint.region];
    if (regionFault) throw new Refusal(regionFault.status, regionFault.code, regionFault.message);
    if (world.takeThrottle('OpenTunnel')) throw new Refusal(429, 'ThrottlingException', 'Rate exceeded');

    const endpointId = params.get('instanceConnectEndpointId');
    const remotePortText = params.get('remotePort');
    const privateIpAddress = params.get('privateIpAddress');
    const durationText = params.get('maxTunnelDuration');
    if (!endpointId) throw new Refusal(400, 'InvalidParameter', 'The instanceConnectEndpointId parameter is required.');
    if (endpointId !== endpoint.id) throw new Refusal(400, 'InvalidParameter', `The instanceConnectEndpointId ${endpointId} does not match the endpoint this request was sent to (${endpoint.id}).`);
    if (!remotePortText || !/^\d{1,5}$/.test(remotePortText) || Number(remotePortText) < 1 || Number(remotePortText) > 65535) throw new Refusal(400, 'InvalidParameter', PORT_MESSAGE);
    if (!privateIpAddress || !(isIPv4(privateIpAddress) || (isIPv6(privateIpAddress) && endpoint.ipAddressType !== 'ipv4'))) throw new Refusal(400, 'InvalidParameter', `The privateIpAddress '${privateIpAddress ?? ''}' is not a valid ${endpoint.ipAddressType === 'ipv4' ? 'IPv4' : 'IP'} address.`);
    let maxTunnelDuration: number | undefined;
    if (durationText !== undefined) {
      maxTunnelDuration = Number(durationText);
      if (!/^\d+$/.test(durationText) || maxTunnelDuration < 1 || maxTunnelDuration > 3600) throw new Refusal(400, 'InvalidParameter', 'The maxTunnelDuration must be between 1 and 3600 seconds.');
    }
    const remotePort = Number(remotePortText);
    if (!USABLE_ENDPOINT_STATES.has(endpoint.state)) throw new Refusal(400, 'IncorrectState', `The EC2 Instance Connect Endpoint ${endpoint.id} is in state ${endpoint.state} and cannot open tunnels.`);

    const instance = [...world.instances.values()].find((i) => i.vpcId === endpoint.vpcId && i.privateIp === privateIpAddress);
    const principal = verified.record.principal;
    const denied = world.deniedReason(principal, 'ec2-instance-connect:OpenTunnel', { region: endpoint.region, resources: [endpoint.id, ...(instance ? [instance.id] : [])], remotePort });
    if (denied) throw new Refusal(403, 'AccessDenied', denied);
    const cap = world.tunnelDurationCap(principal);
    if (cap !== undefined && (maxTunnelDuration === undefined || maxTunnelDuration > cap)) {
      throw new Refusal(403, 'AccessDenied', `User: ${principal.arn} is not authorized to perform: ec2-instance-connect:OpenTunnel on resource: arn:aws:ec2:${endpoint.region}:${world.accountId}:instance-connect-endpoint/${endpoint.id} because the request's ec2-instance-connect:maxTunnelDuration (${maxTunnelDuration ?? 'absent'}) is not at most ${cap}`);
    }
    if (!world.scenario.tunnel.allowedRemotePorts.includes(remotePort)) throw new Refusal(400, 'InvalidParameter', PORT_MESSAGE);
    const active = [...this.live].filter((t) => t.endpointId === endpoint.id).length;
    const limit = world.scenario.tunnel.maxConnectionsPerEndpoint;
    if (active >= limit) throw new Refusal(429, 'ConnectionLimitExceeded', `The maximum number of concurrent connections (${limit}) for EC2 Instance Connect Endpoint ${endpoint.id} has been reached.`);
    return { endpoint, principal, remotePort, privateIpAddress, maxTunnelDuration, instance };
  }

  private open(ws: WebSocket, accepted: Accepted, requestId: string): void {
    const world = this.world;
    const durationSeconds = Math.min(accepted.maxTunnelDuration ?? 3600, world.scenario.tunnel.maxTunnelDurationSeconds, world.faults.maxTunnelDurationSeconds ?? 3600);
    const openedAt = Date.now();
    const dropAfter = world.faults.dropTunnelAfterBytes;
    let finished = false;
    let waitingForDrain = false;
    const tunnel: LiveTunnel = {
      id: `tunnel-${requestId.slice(0, 8)}`,
      requestId,
      endpointId: accepted.endpoint.id,
      ...(accepted.instance ? { instanceId: accepted.instance.id } : {}),
      privateIpAddress: accepted.privateIpAddress,
      remotePort: accepted.remotePort,
      principal: accepted.principal.name,
      openedAt: new Date(openedAt).toISOString(),
      expiresAt: new Date(openedAt + durationSeconds * 1000).toISOString(),
      bytesIn: 0,
      bytesOut: 0,
      state: 'connecting',
      ws,
      end: (kind, code = 1011, reason = '') => {
        if (finished) return;
        finished = true;
        clearTimeout(tunnel.timer);
        this.live.delete(tunnel);
        world.record({ service: 'tunnel', action: 'CloseTunnel', region: accepted.endpoint.region, principal: accepted.principal.name, requestId, detail: { kind, code, reason, bytesIn: tunnel.bytesIn, bytesOut: tunnel.bytesOut } });
        if (kind === 'reset') {
          tunnel.tcp?.destroy();
          ws.terminate();
        } else {
          ws.close(code, reason);
          tunnel.tcp?.end();
          // The client has a moment to answer the close frame; then the sockets go.
          setTimeout(() => {
            tunnel.tcp?.destroy();
            ws.terminate();
          }, 2000).unref();
        }
      },
    };
    this.live.add(tunnel);
    ws.pause();
    tunnel.timer = setTimeout(() => tunnel.end('close', 1000, DURATION_REACHED), durationSeconds * 1000);
    tunnel.timer.unref();

    const countAndMaybeDrop = (): void => {
      if (dropAfter !== null && tunnel.bytesIn + tunnel.bytesOut >= dropAfter) tunnel.end('reset');
    };

    ws.on('error', () => tunnel.end('reset'));
    ws.on('close', () => {
      if (finished) return;
      finished = true;
      clearTimeout(tunnel.timer);
      this.live.delete(tunnel);
      world.record({ service: 'tunnel', action: 'CloseTunnel', region: accepted.endpoint.region, principal: accepted.principal.name, requestId, detail: { kind: 'client', bytesIn: tunnel.bytesIn, bytesOut: tunnel.bytesOut } });
      // Everything the client sent before its close frame has been written: end the target side cleanly.
      tunnel.tcp?.end();
      setTimeout(() => tunnel.tcp?.destroy(), 2000).unref();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (finished) return;
      if (!isBinary) {
        tunnel.end('close', 1003, 'Text frames are not supported: send binary frames');
        return;
      }
      const tcp = tunnel.tcp;
      if (!tcp) return;
      tunnel.bytesIn += data.length;
      // Backpressure towards the client: stop reading its frames until the target drains.
      if (!tcp.write(data) && !waitingForDrain) {
        waitingForDrain = true;
        ws.pause();
        tcp.once('drain', () => {
          waitingForDrain = false;
          ws.resume();
        });
      }
      countAndMaybeDrop();
    });

    void this.connectTarget(accepted).then(
      (target) => {
        if (finished) {
          target.destroy();
          return;
        }
        tunnel.tcp = target;
        tunnel.state = 'open';
        let queued = 0;
        let paused = false;
        target.on('data', (chunk: Buffer) => {
          if (finished) return;
          tunnel.bytesOut += chunk.length;
          queued += chunk.length;
          ws.send(chunk, { binary: true }, () => {
            queued -= chunk.length;
            if (paused && queued < LOW_WATER) {
              paused = false;
              target.resume();
            }
          });
          if (queued > HIGH_WATER) {
            paused = true;
            target.pause();
          }
          countAndMaybeDrop();
        });
        target.on('end', () => tunnel.end('close', 1000, ''));
        target.on('error', () => tunnel.end('close', 1011, 'Connection to target lost'));
        target.on('close', () => tunnel.end('close', 1000, ''));
        ws.resume();
      },
      async () => {
        const delay = world.faults.unreachableTargetDelayMs;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        // Read again so the client's answer to our close frame completes the handshake.
        ws.resume();
        tunnel.end('close', 1011, UNABLE_TO_CONNECT);
      },
    );
  }

  /** Opens TCP to the target the way the endpoint would: only when the VPC lets it through. */
  private async connectTarget(accepted: Accepted): Promise<Socket> {
    const instance = accepted.instance;
    if (!instance) throw new Error(`no instance has ${accepted.privateIpAddress} in ${accepted.endpoint.vpcId}`);
    const verdict = checkTunnelPath(this.world, accepted.endpoint, instance, accepted.remotePort);
    if (!verdict.ok) throw new Error(verdict.reason);
    await instance.ready;
    const address = instance.targets.get(accepted.remotePort);
    if (!address) throw new Error(`nothing listens on port ${accepted.remotePort} of ${instance.id}`);
    return new Promise<Socket>((resolve, reject) => {
      // net.Socket hands stream options to its Duplex; @types/node leaves them out of NetConnectOpts.
      const socket = tcpConnect({ host: address.host, port: address.port, writableHighWaterMark: HIGH_WATER } as NetConnectOpts);
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('connect timeout'));
      }, TARGET_CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }
}

type RequestWithId = IncomingMessage & { sandboxRequestId?: string };

interface Accepted {
  endpoint: EndpointState;
  principal: PrincipalIdentity;
  remotePort: number;
  privateIpAddress: string;
  maxTunnelDuration: number | undefined;
  instance: InstanceState | undefined;
}
