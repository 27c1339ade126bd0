import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createCertificates, type SandboxCertificates } from '../../sandbox/tunnel/certificates';

// The AWS clients' transport for real: TLS to an endpoint signed by a private CA (AWS_CA_BUNDLE,
// as behind a corporate TLS proxy), and an HTTP CONNECT proxy (HTTPS_PROXY / NO_PROXY).
let sandbox: Sandbox;
let certs: SandboxCertificates;
let ec2Front: { server: Server; url: string };
let stsFront: { server: Server; url: string };
let proxy: Server;
let proxyUrl: string;
const connects: string[] = [];
const sockets = new Set<Socket>();
const apps: Composition[] = [];
const ctx = { senderId: 'test' };

async function httpsFront(target: URL): Promise<{ server: Server; url: string }> {
  const server = createHttpsServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { server, url: `https://127.0.0.1:${await listen(server)}` };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  sandbox = await startSandbox({ withoutInstanceServers: true });
  certs = await createCertificates(mkdtempSync(join(tmpdir(), 'bl-net-ca-')), []);
  // HTTPS fronts for the sandbox's EC2 and STS APIs (plain HTTP behind them). Path and Host
  // header are passed on unchanged: they are part of what the client signed.
  ec2Front = await httpsFront(new URL(sandbox.urls.ec2));
  stsFront = await httpsFront(new URL(sandbox.urls.sts));
  // A CONNECT proxy that records where it was asked to go.
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const server = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      server.pipe(client);
      client.pipe(server);
    });
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
});

afterAll(async () => {
  for (const app of apps) await app.dispose();
  for (const s of sockets) s.destroy();
  await new Promise((r) => ec2Front?.server.close(r));
  await new Promise((r) => stsFront?.server.close(r));
  await new Promise((r) => proxy?.close(r));
  await sandbox?.stop();
});

async function boot(extra: Record<string, string>): Promise<Composition> {
  const home = mkdtempSync(join(tmpdir(), 'bl-net-home-'));
  const app = await compose({
    dataDir: mkdtempSync(join(tmpdir(), 'bl-net-data-')),
    version: '0.0.0-test',
    platform: 'linux',
    desktop: new RecordingDesktop(),
    logSink: new MemorySink(),
    env: {
      AWS_ACCESS_KEY_ID: sandbox.env['AWS_ACCESS_KEY_ID']!,
      AWS_SECRET_ACCESS_KEY: sandbox.env['AWS_SECRET_ACCESS_KEY']!,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_EC2: ec2Front.url,
      AWS_ENDPOINT_URL_STS: stsFront.url,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      ...extra,
    },
  });
  apps.push(app);
  return app;
}

describe('the AWS transport', () => {
  it('trusts an endpoint signed by the CA in AWS_CA_BUNDLE', async () => {
    const app = await boot({ AWS_CA_BUNDLE: certs.caFile });
    expect((await app.api.profiles.test({ id: 'env' }, ctx)).account).toBe('123456789012');
    const snapshot = await app.api.inventory.refresh({ regions: ['us-east-1'] }, ctx);
    expect(snapshot.scopes[0]).toMatchObject({ state: 'done', instanceCount: 8 });
  });

  it('refuses that endpoint without the CA, with AWS_TLS_UNTRUSTED and a hint about AWS_CA_BUNDLE', async () => {
    const app = await boot({});
    const error = await Promise.resolve(app.api.profiles.test({ id: 'env' }, ctx)).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'AWS_TLS_UNTRUSTED', hint: expect.stringContaining('AWS_CA_BUNDLE') });
  });

  it('goes through HTTPS_PROXY with CONNECT, and straight when NO_PROXY names the host', async () => {
    connects.length = 0;
    const viaProxy = await boot({ AWS_CA_BUNDLE: certs.caFile, HTTPS_PROXY: proxyUrl });
    expect((await viaProxy.api.profiles.test({ id: 'env' }, ctx)).account).toBe('123456789012');
    expect((await viaProxy.api.inventory.refresh({ regions: ['us-east-1'] }, ctx)).scopes[0]?.state).toBe('done');
    expect(new Set(connects)).toEqual(new Set([new URL(stsFront.url).host, new URL(ec2Front.url).host]));

    connects.length = 0;
    const direct = await boot({ AWS_CA_BUNDLE: certs.caFile, HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' });
    expect((await direct.api.profiles.test({ id: 'env' }, ctx)).account).toBe('123456789012');
    expect(connects).toEqual([]);
  });

  it('says AWS_NETWORK when the proxy is down', async () => {
    const app = await boot({ AWS_CA_BUNDLE: certs.caFile, HTTPS_PROXY: 'http://127.0.0.1:9' });
    const error = await Promise.resolve(app.api.profiles.test({ id: 'env' }, ctx)).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'AWS_NETWORK', retryable: true });
  });
});
