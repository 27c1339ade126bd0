import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import WebSocket, { type ClientOptions } from 'ws';
import { AppError, isAppError } from '../../preload/contract/errors';
import type { Logger } from '../log';
import { createDialer, planDial } from './dial';
import { describeTunnelFailure, EXPIRY_REASON, networkFailureOf, refusalOf, TunnelFailureError, type TunnelErrorContext, type TunnelFailure } from './errors';
import { presignOpenTunnelUrl, type AwsCredentials } from './presign';

/** Where a tunnel goes: an endpoint and a private address:port behind it. */
export interface TunnelTarget {
  /** For display only (the Tunnels view); the service is told only the address. */
  instanceId?: string;
  endpointId: string;
  dnsName: string;
  fipsDnsName?: string;
  region: string;
  privateIpAddress: string;
  remotePort: number;
  /** Seconds, 1..3600; always sent (IAM may cap it), 3600 when not given. */
  maxTunnelDuration?: number;
}

/** Resolves the credentials to sign with; called afresh for every tunnel (they may rotate). */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** Builds the WebSocket: tests hand in one that dials their own server. */
export type WebSocketFactory = (url: string, options: ClientOptions) => WebSocket;

export interface OpenTunnelOptions {
  credentials: CredentialsProvider;
  /** Proxies, NODE_EXTRA_CA_CERTS and BASTIONLESS_EICE_ADDRESS are read from here (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Use the endpoint's FipsDnsName (the user's `use_fips_endpoint`). */
  useFips?: boolean;
  /** Cancels the opening (CANCELLED); after the tunnel is open it closes it normally. */
  signal?: AbortSignal;
  /**
   * Mask frames with an all-zero key (so no byte is XORed), allowed only when every byte written
   * comes from a protocol client this process runs or was started by (ssh2, OpenSSH on stdio,
   * the diagnose probe), never from whatever local program connects to a listener. See
   * ZERO_MASK below for why that is safe.
   */
  zeroMask?: boolean;
  log?: Logger;
  webSocketFactory?: WebSocketFactory;
}

/** The AWS CLI's frame size: the service is known to take it, and it keeps frames well under 64 KiB. */
export const MAX_FRAME_BYTES = 65_000;
/** Bytes handed to the WebSocket but not yet written to the socket before writers are held back. */
export const WRITE_HIGH_WATER_BYTES = 512 * 1024;
/** Bytes received but not yet read by the consumer before the socket is paused. */
export const READ_HIGH_WATER_BYTES = 256 * 1024;
/** The largest message accepted from the service: ws buffers a whole message before handing it over. */
export const MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_TUNNEL_DURATION_SECONDS = 3600;
const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * Why a zero masking key is safe for streams whose bytes our own protocol client writes.
 *
 * RFC 6455 makes a client mask each frame with a fresh, unpredictable key (5.3) for one reason
 * (10.3, "Attacks On Infrastructure"): script in a browser chooses the payload, and an
 * intermediary that does not understand the upgrade could read attacker-chosen bytes as an
 * HTTP request and cache the attacker's server's answer under another origin ("Talking to
 * Yourself for Fun and Profit"). Masking takes control of the wire bytes away from the script.
 * Its cost here is a JavaScript XOR over every byte sent (ws has no native masker without the
 * optional bufferutil), on our side and again on the service's: it dominated upload time.
 *
 * A zero key is a valid key on the wire (the MASK bit is set, the key is 0, the service's
 * unmasking is the identity; ws skips the XOR on both sides), so the question is only whether an
 * attacker could choose the bytes an intermediary sees:
 * - Nobody between us and AWS sees frames at all: every tunnel is TLS to the endpoint's DNS name
 *   with the certificate verified, and an HTTPS proxy gets a CONNECT and relays ciphertext.
 * - A TLS-inspecting middlebox (an enterprise CA in NODE_EXTRA_CA_CERTS) does see frames. For
 *   SSH streams the bytes are the SSH transport: a version line and key exchange chosen by the
 *   client, then ciphertext under keys no third party holds, so nobody can place an HTTP request
 *   in them. The same holds for OpenSSH behind the command line's stdio (the user's own process
 *   feeds it) and for the diagnose probe's fixed bytes.
 * - A local listener (RDP, port forwards, --local-port) carries whatever any local program
 *   sends, a web page's request to 127.0.0.1 included: those tunnels keep ws's random keys.
 * Native clients that trust their payload make the same choice: Netty's client takes a pluggable
 * mask generator, and ws added generateMask with its zero-key fast path for it (ws PR #1990).
 */
const ZERO_MASK = (mask: Buffer): void => {
  mask.fill(0);
};
const CLOSE_TIMEOUT_MS = 5_000;
const MAX_REFUSAL_BODY = 64 * 1024;

export type TunnelState = 'open' | 'closing' | 'closed';

/**
 * One EICE tunnel as a Node Duplex: bytes written go to the target in BINARY frames, bytes from
 * the target come out of the readable side. Backpressure both ways: the socket pauses while
 * the readable side is full, and writes are held while too much is waiting for the socket.
 *
 * Emits 'progress' (no arguments) whenever bytesSent or bytesReceived moves.
 *
 * It never emits 'error' for a tunnel that ended badly (a close code, a dropped connection):
 * it ends its readable side and sets `closeError`, so a consumer that only pipes it cannot crash
 * on an unhandled error. `end()` flushes every written byte, then closes with 1000. Writes after
 * the tunnel closed are dropped (the reason is in `closeError`).
 */
export class TunnelStream extends Duplex {
  readonly id: string;
  readonly target: TunnelTarget;
  readonly openedAt: Date;
  readonly expiresAt: Date;
  /** x-amzn-requestid of the accepted upgrade, for support. */
  readonly requestId: string | undefined;
  bytesSent = 0;
  bytesReceived = 0;
  /** Why the tunnel ended, when it was not a normal close. Set before the readable side ends. */
  closeError: AppError | undefined;
  /** Resolves when the WebSocket is fully closed, whether or not the consumer read to the end. */
  readonly whenClosed: Promise<void>;

  private readonly ws: WebSocket;
  private readonly context: TunnelErrorContext;
  private readonly log: Logger | undefined;
  private inFlight = 0;
  private heldWrite: ((error?: Error | null) => void) | undefined;
  private drainWaiters: (() => void)[] = [];
  private wsClosed = false;
  private closedByUs = false;
  private resolveClosed!: () => void;

  constructor(ws: WebSocket, target: TunnelTarget, context: TunnelErrorContext, requestId: string | undefined, log: Logger | undefined) {
    super({ allowHalfOpen: false, readableHighWaterMark: READ_HIGH_WATER_BYTES, writableHighWaterMark: 64 * 1024, decodeStrings: true });
    this.id = `tun-${randomBytes(6).toString('hex')}`;
    this.ws = ws;
    this.target = target;
    this.context = context;
    this.requestId = requestId;
    this.log = log;
    this.openedAt = new Date();
    this.expiresAt = new Date(this.openedAt.getTime() + context.maxTunnelDuration * 1000);
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));

    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')));
    ws.on('error', (error: Error) => {
      // ws follows every error with 'close' (1002/1006/1009...); keep the cause for the log.
      this.log?.debug('tunnel socket error', { id: this.id, error });
    });
  }

  get state(): TunnelState {
    if (this.wsClosed) return 'closed';
    return this.ws.readyState === WebSocket.OPEN && !this.closedByUs ? 'open' : 'closing';
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closeError || this.destroyed) return;
    if (!isBinary) {
      this.closeError = describeTunnelFailure({ kind: 'protocol', text: 'it sent a TEXT frame, but the tunnel carries only binary data.' }, this.context);
      this.log?.warn('tunnel got a text frame', { id: this.id });
      this.closedByUs = true;
      this.ws.close(1003, 'Text frames are not allowed');
      return;
    }
    this.bytesReceived += data.length;
    this.emit('progress');
    if (!this.push(data)) this.ws.pause();
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  private onClose(code: number, reason: string): void {
    this.wsClosed = true;
    if (!this.closedByUs && !this.closeError) {
      const afterExpiry = Date.now() >= this.expiresAt.getTime() - Math.min(2000, this.context.maxTunnelDuration * 100);
      const normal = code === 1000 || code === 1005;
      // The service also ends tunnels early when IAM or its own cap is lower than what we asked:
      // it says so in the reason of an otherwise normal close.
      if (!normal || afterExpiry || EXPIRY_REASON.test(reason)) {
        const elapsedSeconds = Math.round((Date.now() - this.openedAt.getTime()) / 1000);
        const failure: TunnelFailure = { kind: 'closed', closeCode: code, reason, afterExpiry, elapsedSeconds };
        this.closeError = describeTunnelFailure(failure, this.context);
      }
    }
    this.log?.debug('tunnel closed', { id: this.id, code, reason, bytesSent: this.bytesSent, bytesReceived: this.bytesReceived, error: this.closeError?.code });
    this.releaseWriters();
    if (!this.destroyed) this.push(null);
    this.resolveClosed();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendFrames([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.sendFrames(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  /** Cuts (and coalesces) written data into BINARY frames of at most MAX_FRAME_BYTES. */
  private sendFrames(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    if (this.wsClosed || this.closedByUs || this.ws.readyState !== WebSocket.OPEN) {
      callback();
      return;
    }
    let parts: Buffer[] = [];
    let partsLength = 0;
    const flush = (): void => {
      const frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partsLength);
      parts = [];
      partsLength = 0;
      this.sendFrame(frame);
    };
    for (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.length) {
        const piece = chunk.subarray(offset, offset + (MAX_FRAME_BYTES - partsLength));
        parts.push(piece);
        partsLength += piece.length;
        offset += piece.length;
        if (partsLength === MAX_FRAME_BYTES) flush();
      }
    }
    if (partsLength > 0) flush();
    if (this.inFlight <= WRITE_HIGH_WATER_BYTES) callback();
    else this.heldWrite = callback;
  }

  private sendFrame(frame: Buffer): void {
    const length = frame.length;
    this.inFlight += length;
    this.bytesSent += length;
    this.emit('progress');
    this.ws.send(frame, { binary: true, compress: false, fin: true }, () => {
      this.inFlight -= length;
      if (this.heldWrite && this.inFlight <= WRITE_HIGH_WATER_BYTES / 2) {
        const callback = this.heldWrite;
        this.heldWrite = undefined;
        callback();
      }
      if (this.inFlight === 0) this.releaseDrainWaiters();
    });
  }

  /** How many written bytes are still waiting for the socket: bounded by the high-water mark. */
  get pendingWriteBytes(): number {
    return this.inFlight;
  }

  /** Whether the socket is paused because the readable side is full. */
  get isReceivePaused(): boolean {
    return this.ws.isPaused;
  }

  private releaseWriters(): void {
    const held = this.heldWrite;
    this.heldWrite = undefined;
    held?.();
    this.releaseDrainWaiters();
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.wsClosed || this.closedByUs) {
      callback();
      return;
    }
    const close = (): void => {
      if (!this.wsClosed && !this.closedByUs && this.ws.readyState === WebSocket.OPEN) {
        this.closedByUs = true;
        this.ws.close(1000);
      }
      callback();
    };
    if (this.inFlight === 0) close();
    else this.drainWaiters.push(close);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.wsClosed) {
      // Nobody reads any more: let the socket flow so the service's close reply gets through
      // (what arrives meanwhile is dropped) instead of waiting out the close timeout.
      this.ws.resume();
      if (!this.closedByUs) {
        this.closedByUs = true;
        if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
        else this.ws.terminate();
      }
    }
    this.releaseWriters();
    callback(error);
  }
}

function validateTarget(target: TunnelTarget): void {
  const bad = (what: string, hint: string): never => {
    throw new AppError('INVALID_INPUT', what, { hint });
  };
  if (!target.endpointId || !/^[A-Za-z0-9-]+$/.test(target.endpointId)) bad(`"${target.endpointId}" is not an EC2 Instance Connect Endpoint id.`, 'Endpoint ids look like eice-0123456789abcdef0.');
  if (!target.region || !/^[a-z0-9-]+$/.test(target.region)) bad(`"${target.region}" is not an AWS Region.`, 'Regions look like us-east-1.');
  if (!target.dnsName || !/^[A-Za-z0-9.-]+$/.test(target.dnsName)) bad(`"${target.dnsName}" is not an endpoint DNS name.`, 'Use the endpoint\'s DnsName as DescribeInstanceConnectEndpoints returns it.');
  if (!isIP(target.privateIpAddress)) bad(`"${target.privateIpAddress}" is not an IP address.`, 'Give the instance\'s private IPv4 (or IPv6) address.');
  if (!Number.isInteger(target.remotePort) || target.remotePort < 1 || target.remotePort > 65535) bad(`Port ${target.remotePort} is not a TCP port.`, 'Use 22 for SSH or 3389 for RDP.');
  const duration = target.maxTunnelDuration;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 1 || duration > 3600)) {
    bad(`A tunnel duration of ${duration} seconds is not allowed.`, 'EICE tunnels last between 1 and 3600 seconds.');
  }
}

function requestIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Opens one EICE tunnel: presigns a fresh URL, dials the endpoint (or BASTIONLESS_EICE_ADDRESS,
 * through HTTPS_PROXY unless NO_PROXY exempts it), and resolves once the WebSocket is open.
 * Rejects with an AppError from the table in errors.ts.
 */
export async function openTunnel(target: TunnelTarget, options: OpenTunnelOptions): Promise<TunnelStream> {
  validateTarget(target);
  const env = options.env ?? process.env;
  const log = options.log;
  if (options.signal?.aborted) throw new AppError('CANCELLED', 'Opening the tunnel was cancelled.');
  let dnsName = target.dnsName;
  if (options.useFips) {
    if (!target.fipsDnsName) {
      throw new AppError('EIC_FIPS_UNAVAILABLE', `${target.endpointId} has no FIPS DNS name, and FIPS endpoints are required by your configuration.`, {
        hint: 'Turn off use_fips_endpoint (or AWS_USE_FIPS_ENDPOINT) for this profile, or use an endpoint in a Region that offers FIPS.',
      });
    }
    dnsName = target.fipsDnsName;
  }
  const maxTunnelDuration = target.maxTunnelDuration ?? DEFAULT_TUNNEL_DURATION_SECONDS;
  const context: TunnelErrorContext = {
    endpointId: target.endpointId,
    dnsName,
    privateIpAddress: target.privateIpAddress,
    remotePort: target.remotePort,
    maxTunnelDuration,
    region: target.region,
  };

  let credentials: AwsCredentials;
  try {
    credentials = await options.credentials();
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError('AWS_CREDENTIALS_MISSING', 'Could not get AWS credentials to sign the tunnel request.', {
      hint: 'Check the profile (aws configure, or sign in again for SSO) and retry.',
      cause: error,
    });
  }
  if (!credentials?.accessKeyId || !credentials.secretAccessKey) {
    throw new AppError('AWS_CREDENTIALS_MISSING', 'The AWS credentials to sign the tunnel request are incomplete (no access key id or secret).', {
      hint: 'Check the profile (aws configure, or sign in again for SSO) and retry.',
    });
  }
  let plan: ReturnType<typeof planDial>;
  try {
    plan = planDial(dnsName, env);
  } catch (error) {
    // A proxy setting we cannot use is reported like any other proxy failure.
    if (error instanceof TunnelFailureError) throw describeTunnelFailure(error.failure, context, error);
    throw error;
  }
  const url = await presignOpenTunnelUrl({
    credentials,
    region: target.region,
    dnsName,
    endpointId: target.endpointId,
    privateIpAddress: target.privateIpAddress,
    remotePort: target.remotePort,
    maxTunnelDuration,
  });
  log?.debug('opening tunnel', {
    endpointId: target.endpointId,
    target: `${target.privateIpAddress}:${target.remotePort}`,
    dnsName,
    dial: `${plan.dialHost}:${plan.dialPort}`,
    proxy: plan.proxy?.display ?? 'none',
    extraCa: plan.ca !== undefined,
  });

  const wsOptions: ClientOptions & { closeTimeout: number } = {
    perMessageDeflate: false,
    maxPayload: MAX_INBOUND_MESSAGE_BYTES,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    closeTimeout: CLOSE_TIMEOUT_MS,
    headers: { 'User-Agent': 'bastionless' },
    createConnection: createDialer(plan) as unknown as ClientOptions['createConnection'],
    ...(options.zeroMask ? { generateMask: ZERO_MASK } : {}),
  };
  const ws = options.webSocketFactory ? options.webSocketFactory(url, wsOptions) : new WebSocket(url, wsOptions);

  return new Promise<TunnelStream>((resolve, reject) => {
    let settled = false;
    let requestId: string | undefined;
    const settle = (error: AppError | undefined): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      ws.removeListener('open', onOpen);
      if (error) {
        ws.terminate();
        log?.debug('tunnel refused', { endpointId: target.endpointId, code: error.code, requestId: error.requestId });
        reject(error);
        return;
      }
      const stream = new TunnelStream(ws, target, context, requestId, log);
      if (options.signal) {
        const signal = options.signal;
        const close = (): void => {
          stream.destroy();
        };
        signal.addEventListener('abort', close, { once: true });
        void stream.whenClosed.then(() => signal.removeEventListener('abort', close));
      }
      log?.debug('tunnel open', { id: stream.id, endpointId: target.endpointId, requestId });
      resolve(stream);
    };
    const onAbort = (): void => settle(new AppError('CANCELLED', 'Opening the tunnel was cancelled.'));
    const onOpen = (): void => settle(undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('upgrade', (res) => {
      requestId = requestIdOf(res.headers);
    });
    ws.once('open', onOpen);
    ws.on('unexpected-response', (req, res) => {
      const id = requestIdOf(res.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_REFUSAL_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      const done = (): void => {
        req.destroy();
        const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BODY).toString('utf8');
        settle(describeTunnelFailure(refusalOf(res.statusCode ?? 0, body, id), context));
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    ws.on('error', (error: Error) => {
      if (settled) return;
      const failure = error instanceof TunnelFailureError ? error.failure : isAppError(error) ? undefined : networkFailureOf(error);
      settle(failure ? describeTunnelFailure(failure, context, error) : (error as AppError));
    });
    ws.on('close', () => {
      // A close before 'open' without an error (rare: a terminate from elsewhere).
      if (!settled) settle(describeTunnelFailure({ kind: 'closed', closeCode: 1006, reason: '', afterExpiry: false }, context));
    });
  });
}
