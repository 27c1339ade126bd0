import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';

export interface PresignInput {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  /** The host that is signed (the endpoint's DnsName or FipsDnsName). */
  host: string;
  params: Record<string, string>;
  service?: string;
  expiresIn?: number;
  signingDate?: Date;
}

/**
 * A minimal presigner, independent of main/eice: SigV4 in the query string over GET
 * /openTunnel, signing only `host`, as AWS's CLI does. Values are strings (smithy drops others).
 */
export async function presign(input: PresignInput): Promise<string> {
  const signer = new SignatureV4({ credentials: input.credentials, region: input.region, service: input.service ?? 'ec2-instance-connect', sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
  const signed = await signer.presign(new HttpRequest({ method: 'GET', protocol: 'wss:', hostname: input.host, path: '/openTunnel', query: input.params, headers: { host: input.host } }), {
    expiresIn: input.expiresIn ?? 60,
    ...(input.signingDate ? { signingDate: input.signingDate } : {}),
  });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `wss://${input.host}/openTunnel?${query}`;
}

export type OpenResult = { kind: 'open'; ws: WebSocket; requestId: string | undefined } | { kind: 'refused'; status: number; requestId: string | undefined; body: { ErrorCode?: string; Message?: string } } | { kind: 'error'; error: Error };

/**
 * Opens a WebSocket to `url` through the sandbox's tunnel port, with the URL's host as TLS
 * server name and Host header, trusting only the sandbox's CA. Resolves with the open socket,
 * the refusal (status, JSON body, request id), or the network error.
 */
export function openRaw(url: string, address: string, caFile: string, servername?: string): Promise<OpenResult> {
  const [host, portText] = address.split(':');
  const target = new URL(url);
  const ca = readFileSync(caFile, 'utf8');
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      createConnection: () => tlsConnect({ host: host!, port: Number(portText), servername: servername ?? target.hostname, ca: [ca], ALPNProtocols: ['http/1.1'] }),
    });
    let requestId: string | undefined;
    ws.once('upgrade', (res: IncomingMessage) => {
      requestId = res.headers['x-amzn-requestid'] as string | undefined;
    });
    ws.once('open', () => resolve({ kind: 'open', ws, requestId }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let body: { ErrorCode?: string; Message?: string } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          body = { Message: text };
        }
        resolve({ kind: 'refused', status: res.statusCode ?? 0, requestId: res.headers['x-amzn-requestid'] as string | undefined, body });
        ws.terminate();
      });
    });
    ws.once('error', (error) => resolve({ kind: 'error', error }));
  });
}

/** Resolves with the close code and reason once the socket closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve({ code: 1006, reason: '' });
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
}
