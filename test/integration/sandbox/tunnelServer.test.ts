import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { startEchoServer } from '../../support/echoServer';
import { buildScenario, SMALL_WORLD } from '../../sandbox/scenarioBuilder';
import { closed, openRaw, presign, type OpenResult } from './rawTunnelClient';

const W = SMALL_WORLD;
let sandbox: Sandbox;
let echo: Server;
let echoInstance: { instanceId: string; privateIp: string };
const sockets = new Set<Socket>();
const openSockets: WebSocket[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function endpoint(id: string = W.endpointId): { dnsName: string; fipsDnsName: string; region: string } {
  const ep = sandbox.world.model.endpoints.get(id)!;
  return { dnsName: ep.dnsName, fipsDnsName: ep.fipsDnsName, region: ep.region };
}

interface OpenOptions {
  principal?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  privateIp?: string;
  port?: number;
  endpointId?: string;
  host?: string;
  region?: string;
  service?: string;
  expiresIn?: number;
  signingDate?: Date;
  maxTunnelDuration?: number;
  servername?: string;
}

async function open(options: OpenOptions = {}): Promise<OpenResult> {
  const id = options.endpointId ?? W.endpointId;
  const ep = endpoint(id);
  const p = sandbox.principals[options.principal ?? 0]!;
  const host = options.host ?? ep.dnsName;
  const url = await presign({
    credentials: options.credentials ?? { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
    region: options.region ?? ep.region,
    host,
    service: options.service ?? 'ec2-instance-connect',
    expiresIn: options.expiresIn ?? 60,
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
    params: {
      instanceConnectEndpointId: id,
      remotePort: String(options.port ?? 22),
      privateIpAddress: options.privateIp ?? echoInstance.privateIp,
      ...(options.maxTunnelDuration !== undefined ? { maxTunnelDuration: String(options.maxTunnelDuration) } : {}),
    },
  });
  const result = await openRaw(url, sandbox.env['BASTIONLESS_EICE_ADDRESS']!, sandbox.caFile, options.servername);
  if (result.kind === 'open') openSockets.push(result.ws);
  return result;
}

async function openOk(options: OpenOptions = {}): Promise<WebSocket> {
  const result = await open(options);
  if (result.kind !== 'open') throw new Error(`expected an open tunnel, got ${JSON.stringify(result)}`);
  return result.ws;
}

async function refusal(options: OpenOptions = {}): Promise<{ status: number; code: string | undefined; message: string | undefined; requestId: string | undefined }> {
  const result = await open(options);
  if (result.kind !== 'refused') throw new Error(`expected a refusal, got ${result.kind === 'error' ? result.error.message : 'an open tunnel'}`);
  return { status: result.status, code: result.body.ErrorCode, message: result.body.Message, requestId: result.requestId };
}

/** Sends `data` in binary frames of at most 64 KiB and collects `data.length` bytes back. */
function roundTrip(ws: WebSocket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    ws.on('message', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= data.length) resolve(Buffer.concat(chunks));
    });
    ws.once('close', (code) => reject(new Error(`closed with ${code} after ${received} bytes`)));
    for (let offset = 0; offset < data.length; offset += 65_000) ws.send(data.subarray(offset, offset + 65_000), { binary: true });
  });
}

async function waitUntilStable(read: () => number): Promise<number> {
  // Not a timing assertion: poll until the counter stops moving, then assert on its value.
  let last = -1;
  let same = 0;
  for (;;) {
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 4) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const scenario = buildScenario();
  sandbox = await startSandbox({ scenario: { ...scenario, iam: { deny: [{ action: 'ec2-instance-connect:OpenTunnel', principal: 'restricted' }] } }, withoutInstanceServers: true });
  echo = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  const port = await listen(echo);
  echoInstance = sandbox.world.addInstance({ name: 'echo', targets: { 22: { host: '127.0.0.1', port } } });
});

afterEach(async () => {
  for (const ws of openSockets.splice(0)) ws.terminate();
  sandbox.world.resetFaults();
  await waitUntilStable(() => sandbox.world.tunnels().length);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => echo?.close(r));
  await sandbox?.stop();
});

describe('openTunnel: the happy path', () => {
  it('carries bytes both ways exactly, in binary frames, with the request id on the upgrade', async () => {
    const result = await open();
    expect(result.kind).toBe('open');
    if (result.kind !== 'open') return;
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const data = randomBytes(5 * 1024 * 1024);
    const back = await roundTrip(result.ws, data);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    const tunnels = sandbox.world.tunnels();
    expect(tunnels).toHaveLength(1);
    expect(tunnels[0]).toMatchObject({ endpointId: W.endpointId, instanceId: echoInstance.instanceId, remotePort: 22, bytesIn: data.length, bytesOut: data.length, state: 'open' });
    const done = closed(result.ws);
    result.ws.close(1000);
    expect((await done).code).toBe(1000);
  });

  it('accepts the FIPS DNS name too', async () => {
    const ws = await openOk({ host: endpoint().fipsDnsName });
    expect((await roundTrip(ws, Buffer.from('fips'))).toString()).toBe('fips');
  });

  it('accepts temporary credentials with their session token', async () => {
    const model = sandbox.world.model;
    const temp = model.issueTemporary(model.defaultCredentials.principal, 900);
    const ws = await openOk({ credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey, sessionToken: temp.sessionToken! } });
    expect((await roundTrip(ws, Buffer.from('temp'))).toString()).toBe('temp');
    expect(await refusal({ credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey } })).toMatchObject({ status: 403, code: 'UnrecognizedClientException' });
  });

  it('applies backpressure towards a target that stops reading, then delivers everything', async () => {
    let target: Socket | undefined;
    const slow = createServer((socket) => {
      target = socket;
      socket.pause();
    });
    const port = await listen(slow);
    const inst = sandbox.world.addInstance({ name: 'slow-reader', targets: { 22: { host: '127.0.0.1', port } } });
    try {
      const ws = await openOk({ privateIp: inst.privateIp });
      const data = randomBytes(32 * 1024 * 1024);
      for (let offset = 0; offset < data.length; offset += 65_000) ws.send(data.subarray(offset, offset + 65_000));
      const forwarded = await waitUntilStable(() => sandbox.world.tunnels().find((t) => t.instanceId === inst.instanceId)?.bytesIn ?? 0);
      // The sandbox stopped reading the client once the target's socket was full.
      expect(forwarded).toBeLessThan(data.length / 2);
      const received: Buffer[] = [];
      let total = 0;
      const all = new Promise<void>((resolve) =>
        target!.on('data', (chunk: Buffer) => {
          received.push(chunk);
          total += chunk.length;
          if (total >= data.length) resolve();
        }),
      );
      target!.resume();
      await all;
      expect(Buffer.concat(received).equals(data)).toBe(true);
    } finally {
      target?.destroy();
      await new Promise((r) => slow.close(r));
    }
  });

  it('applies backpressure towards a client that stops reading', async () => {
    const data = randomBytes(32 * 1024 * 1024);
    const source = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(data);
    });
    const port = await listen(source);
    const inst = sandbox.world.addInstance({ name: 'fast-writer', targets: { 22: { host: '127.0.0.1', port } } });
    try {
      const ws = await openOk({ privateIp: inst.privateIp });
      ws.pause();
      const sent = await waitUntilStable(() => sandbox.world.tunnels().find((t) => t.instanceId === inst.instanceId)?.bytesOut ?? 0);
      expect(sent).toBeLessThan(data.length / 2);
      const chunks: Buffer[] = [];
      const done = new Promise<{ code: number }>((resolve) => ws.once('close', (code: number) => resolve({ code })));
      ws.on('message', (chunk: Buffer) => chunks.push(chunk));
      ws.resume();
      // The target's FIN becomes a normal close after every byte.
      expect((await done).code).toBe(1000);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    } finally {
      await new Promise((r) => source.close(r));
    }
  });
});

describe('openTunnel: what closes an open tunnel', () => {
  it('closes with 1011 "Unable to connect to target" when the security group blocks the port', async () => {
    const ws = await openOk({ privateIp: '10.20.2.20' });
    expect(await closed(ws)).toEqual({ code: 1011, reason: 'Unable to connect to target' });
  });

  it('closes the same way for a stopped instance and for an address nothing has', async () => {
    const stopped = sandbox.world.addInstance({ name: 'to-stop', targets: { 22: { host: '127.0.0.1', port: 9 } } });
    await sandbox.world.setInstanceState(stopped.instanceId, 'stopped');
    expect(await closed(await openOk({ privateIp: stopped.privateIp }))).toEqual({ code: 1011, reason: 'Unable to connect to target' });
    expect(await closed(await openOk({ privateIp: '10.20.1.250' }))).toEqual({ code: 1011, reason: 'Unable to connect to target' });
  });

  it('closes with 1003 on a TEXT frame', async () => {
    const ws = await openOk();
    const done = closed(ws);
    ws.send('hello');
    expect((await done).code).toBe(1003);
  });

  it('closes with 1000 "Maximum tunnel duration reached" when the duration elapses', async () => {
    const ws = await openOk({ maxTunnelDuration: 1 });
    expect(await closed(ws)).toEqual({ code: 1000, reason: 'Maximum tunnel duration reached' });
    expect(sandbox.world.events().some((e) => e.action === 'OpenTunnel' && e.detail?.['maxTunnelDuration'] === '1')).toBe(true);
  });

  it('cuts a tunnel without a close frame after N bytes when the fault knob says so', async () => {
    sandbox.world.setFaults({ dropTunnelAfterBytes: 1000 });
    const ws = await openOk();
    const done = closed(ws);
    ws.send(randomBytes(4000));
    expect((await done).code).toBe(1006);
  });

  it('drops live tunnels of one instance on request, leaving the others', async () => {
    const second = await startEchoServer();
    const other = sandbox.world.addInstance({ name: 'other', targets: { 22: { host: '127.0.0.1', port: second.port } } });
    try {
      const a = await openOk();
      const b = await openOk({ privateIp: other.privateIp });
      await roundTrip(b, Buffer.from('warm'));
      const done = closed(a);
      expect(sandbox.world.dropTunnels({ instanceId: echoInstance.instanceId })).toBe(1);
      expect((await done).code).toBe(1006);
      b.removeAllListeners('message');
      expect((await roundTrip(b, Buffer.from('still here'))).toString()).toBe('still here');
      b.terminate();
    } finally {
      await second.close();
    }
  });
});

describe('openTunnel: refusals', () => {
  it('refuses ports other than 22 and 3389 with AWS\u2019s message and a request id', async () => {
    const r = await refusal({ port: 80 });
    expect(r).toMatchObject({ status: 400, code: 'InvalidParameter', message: 'The specified RemotePort is not valid. Specify either 22 or 3389 as the RemotePort and retry your request.' });
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('checks the signature, the key, the scope and the expiry', async () => {
    const p = sandbox.principals[0]!;
    expect(await refusal({ credentials: { accessKeyId: p.accessKeyId, secretAccessKey: 'wrong' } })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refusal({ credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } })).toMatchObject({ status: 403, code: 'UnrecognizedClientException' });
    expect(await refusal({ signingDate: new Date(Date.now() - 120_000) })).toMatchObject({ status: 403, code: 'RequestExpired' });
    expect(await refusal({ expiresIn: 3600 })).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    expect(await refusal({ region: 'eu-west-1' })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refusal({ service: 'ec2' })).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('needs the TLS server name to be the endpoint\u2019s name, and refuses an unknown name', async () => {
    expect(await refusal({ servername: 'localhost' })).toMatchObject({ status: 400, code: 'InvalidParameter' });
    const unknown = `eice-0fffffffffffffff0.${endpoint().dnsName.split('.').slice(1).join('.')}`;
    expect(await refusal({ host: unknown })).toMatchObject({ status: 404 });
  });

  it('refuses an endpoint that is not usable, and accepts one being updated', async () => {
    sandbox.world.setEndpointState(W.endpointId, 'create-in-progress');
    try {
      expect(await refusal()).toMatchObject({ status: 400, code: 'IncorrectState' });
      sandbox.world.setEndpointState(W.endpointId, 'update-in-progress');
      await openOk();
    } finally {
      sandbox.world.setEndpointState(W.endpointId, 'create-complete');
    }
  });

  it('applies IAM denies to OpenTunnel', async () => {
    const r = await refusal({ principal: 1 });
    expect(r).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(r.message).toMatch(/not authorized to perform: ec2-instance-connect:OpenTunnel/);
  });

  it('refuses the 21st concurrent connection of an endpoint, and accepts one again after a close', async () => {
    const open20 = await Promise.all(Array.from({ length: 20 }, () => openOk()));
    const r = await refusal();
    expect(r).toMatchObject({ status: 429, code: 'ConnectionLimitExceeded' });
    expect(r.message).toMatch(/maximum number of concurrent connections \(20\)/);
    const done = closed(open20[0]!);
    open20[0]!.close(1000);
    await done;
    await waitUntilStable(() => sandbox.world.tunnels().length);
    await openOk();
  });

  it('refuses upgrades and throttles when the fault knobs say so', async () => {
    sandbox.world.setFaults({ refuseUpgrades: { status: 503, errorCode: 'ServiceUnavailable', message: 'Try again later.' } });
    expect(await refusal()).toMatchObject({ status: 503, code: 'ServiceUnavailable', message: 'Try again later.' });
    sandbox.world.setFaults({ refuseUpgrades: null, throttle: { actions: ['OpenTunnel'], remaining: 1 } });
    expect(await refusal()).toMatchObject({ status: 429, code: 'ThrottlingException' });
    await openOk();
  });

  it('does not answer at all through an endpoint whose Availability Zone is impaired', async () => {
    sandbox.world.setZoneState(W.region, 'us-east-1a', 'impaired');
    try {
      const result = await open();
      expect(result.kind).toBe('error');
    } finally {
      sandbox.world.setZoneState(W.region, 'us-east-1a', 'available');
    }
  });
});

describe('openTunnel: the IAM maxTunnelDuration cap', () => {
  it('refuses a URL without maxTunnelDuration or above the cap, and accepts one within it', async () => {
    const capped = await startSandbox({ scenario: buildScenario({ iam: { deny: [], maxTunnelDuration: { seconds: 600 } } }), withoutInstanceServers: true });
    const server = await startEchoServer();
    try {
      const inst = capped.world.addInstance({ name: 'echo', targets: { 22: { host: '127.0.0.1', port: server.port } } });
      const ep = capped.world.model.endpoints.get(W.endpointId)!;
      const p = capped.principals[0]!;
      const attempt = async (maxTunnelDuration?: number): Promise<OpenResult> => {
        const url = await presign({
          credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
          region: ep.region,
          host: ep.dnsName,
          params: { instanceConnectEndpointId: ep.id, remotePort: '22', privateIpAddress: inst.privateIp, ...(maxTunnelDuration ? { maxTunnelDuration: String(maxTunnelDuration) } : {}) },
        });
        return openRaw(url, capped.env['BASTIONLESS_EICE_ADDRESS']!, capped.caFile);
      };
      const missing = await attempt();
      expect(missing).toMatchObject({ kind: 'refused', status: 403, body: { ErrorCode: 'AccessDenied', Message: expect.stringMatching(/maxTunnelDuration/) } });
      expect(await attempt(900)).toMatchObject({ kind: 'refused', status: 403 });
      const ok = await attempt(600);
      expect(ok.kind).toBe('open');
      if (ok.kind === 'open') ok.ws.terminate();
    } finally {
      await capped.stop();
      await server.close();
    }
  });
});
