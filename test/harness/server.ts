import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { contract } from '../../preload/contract';
import { compose, type Composition } from '../../main/compose';
import { RecordingDesktop } from '../../main/desktop';
import { createDispatch, type SenderPolicy } from '../../main/ipc/handle';
import { MemorySink, stderrSink, type LogLevel, type LogSink } from '../../main/log';
import { resolveRendererFile } from '../../main/windowOptions';
import { decodeMessage, encodeMessage, type HarnessMessage } from './codec';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

export interface HarnessOptions {
  /** Data folder for the composed main; a fresh temp folder by default. */
  dataDir?: string;
  /** The built renderer (`npm run build`): out/renderer by default. */
  rendererDir?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  logLevel?: LogLevel;
  /** Also print main's log lines to stderr. */
  verboseLog?: boolean;
}

export interface Harness {
  /** The page to open, token included. */
  url: string;
  origin: string;
  dataDir: string;
  composition: Composition;
  desktop: RecordingDesktop;
  log: MemorySink;
  stop(): Promise<void>;
}

interface Client {
  id: string;
  socket: WebSocket;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Runs the real main (compose) in Node and serves the built renderer on 127.0.0.1, with
 * `window.eic` bridged over a WebSocket through the same contract dispatch as Electron IPC.
 * Loopback only; the page and the socket require a random token so no other local process
 * can drive it.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const rendererDir = options.rendererDir ?? join(root, 'out/renderer');
  const indexFile = join(rendererDir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`The renderer is not built (${indexFile} is missing). Run \`npm run build\` first.`);
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bastionless-harness-'));
  const token = randomBytes(24).toString('base64url');
  const memory = new MemorySink();
  const sink: LogSink = options.verboseLog ? { write: (l) => (memory.write(l), stderrSink.write(l)) } : memory;
  const desktop = new RecordingDesktop();
  const composition = await compose({
    dataDir,
    version: pkg.version,
    platform: process.platform,
    desktop,
    logSink: sink,
    logLevel: options.logLevel ?? 'debug',
    env: options.env ?? process.env,
    isHarness: true,
  });
  const bridgeScript = await buildBrowserBridge();

  const clients = new Map<WebSocket, Client>();
  // The upgrade already checked token and origin; a socket that is in `clients` is our page.
  const policy: SenderPolicy<WebSocket> = {
    identify: (socket) => {
      const client = clients.get(socket);
      return client ? { senderId: client.id } : null;
    },
    describe: () => 'a WebSocket that did not authenticate',
  };
  const dispatch = createDispatch(contract, composition.api, policy, composition.log.child('harness'));

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch(() => {
      res.writeHead(500).end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  let origin = '';

  const tokenOk = (url: URL): boolean => url.searchParams.get('token') === token;

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/__harness/bridge.js') {
      res.writeHead(200, { 'Content-Type': MIME['.js'], 'Cache-Control': 'no-store' }).end(bridgeScript);
      return;
    }
    const file = resolveRendererFile(rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404).end('Not found');
      return;
    }
    if (file === indexFile) {
      // The page is the way in: it needs the token, like the socket does.
      if (!tokenOk(url)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('This harness needs the token printed by `npm run demo`.');
        return;
      }
      const html = (await readFile(indexFile, 'utf8')).replace('<script', '<script src="/__harness/bridge.js"></script>\n    <script');
      res.writeHead(200, { 'Content-Type': MIME['.html'], 'Cache-Control': 'no-store' }).end(html);
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('Not found');
    }
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    // Security: the socket drives main. Require our token and a page served by us.
    if (url.pathname !== '/__eic' || !tokenOk(url) || req.headers.origin !== origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { id: `harness:${randomBytes(4).toString('hex')}`, socket: ws };
      clients.set(ws, client);
      ws.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        let message: HarnessMessage;
        try {
          message = decodeMessage(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
        } catch {
          return;
        }
        if (message.t === 'invoke') {
          const call = dispatch.invokes.get(message.channel);
          const reply = call
            ? call(ws, message.input)
            : Promise.resolve({ ok: false, error: { code: 'IPC_UNKNOWN_CHANNEL', message: `No such channel: ${message.channel}.`, hint: 'The page and the harness come from different builds; rebuild.', retryable: false, at: new Date().toISOString() } });
          void reply.then((envelope) => {
            if (ws.readyState === ws.OPEN) ws.send(encodeMessage({ t: 'result', id: message.id, envelope }));
          });
        } else if (message.t === 'send') {
          dispatch.sends.get(message.channel)?.(ws, message.input);
        }
      });
      ws.on('close', () => clients.delete(ws));
    });
  });

  const unsubscribe = composition.events.subscribe((channel, payload) => {
    const data = encodeMessage({ t: 'event', channel, payload });
    for (const { socket } of clients.values()) if (socket.readyState === socket.OPEN) socket.send(data);
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    dataDir,
    composition,
    desktop,
    log: memory,
    stop() {
      stopped ??= (async () => {
        unsubscribe();
        for (const { socket } of clients.values()) socket.terminate();
        wss.close();
        await new Promise<void>((done) => server.close(() => done()));
        await composition.dispose();
      })();
      return stopped;
    },
  };
}

let bridgeCache: string | undefined;

/** Bundles browserBridge.ts (contract, bridge builder, codec) into one classic script. */
async function buildBrowserBridge(): Promise<string> {
  if (bridgeCache) return bridgeCache;
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      write: false,
      minify: false,
      emptyOutDir: false,
      lib: { entry: join(root, 'test/harness/browserBridge.ts'), formats: ['iife'], name: 'bastionlessHarness', fileName: () => 'bridge.js' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if ('output' in output) {
      const chunk = output.output.find((c) => c.type === 'chunk');
      if (chunk && chunk.type === 'chunk') return (bridgeCache = chunk.code);
    }
  }
  throw new Error('could not bundle the harness bridge');
}
