import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AwsError } from '../world/awsError';
import { newRequestId } from '../world/ids';
import type { World } from '../world/world';

export interface ServiceRequest {
  method: string;
  /** Path as received, still percent-encoded. */
  rawPath: string;
  rawQuery: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  requestId: string;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type ServiceHandler = (req: ServiceRequest) => Promise<ServiceResponse>;

/** Largest request body accepted: AWS API calls are small; this keeps a runaway client bounded. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsError('RequestEntityTooLarge', 'The request body is too large.', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A started HTTP service on 127.0.0.1. */
export interface HttpService {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Runs `handler` behind an HTTP server on 127.0.0.1:`port` (0 = any). Applies the world's
 * `apiDelayMs` fault to every answer; a handler that throws a non-AwsError gets a 500 with the
 * service's error rendering (`renderError`).
 */
export async function startHttpService(world: World, handler: ServiceHandler, renderError: (error: AwsError, requestId: string) => ServiceResponse, port = 0): Promise<HttpService> {
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const requestId = newRequestId();
    void (async () => {
      let response: ServiceResponse;
      try {
        const body = await readBody(req);
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        response = await handler({
          method: req.method ?? 'GET',
          rawPath: q < 0 ? url : url.slice(0, q),
          rawQuery: q < 0 ? '' : url.slice(q + 1),
          headers: req.headers,
          body,
          requestId,
        });
      } catch (error) {
        const awsError = error instanceof AwsError ? error : new AwsError('InternalError', `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`, 500);
        response = renderError(awsError, requestId);
      }
      const delay = world.faults.apiDelayMs;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed) return;
      const payload = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
      res.writeHead(response.status, { 'x-amzn-requestid': requestId, 'content-length': String(payload.length), ...response.headers });
      res.end(payload);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
