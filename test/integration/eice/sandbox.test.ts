import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient, SendSSHPublicKeyCommand } from '@aws-sdk/client-ec2-instance-connect';
import { Client } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { resolveCliTarget } from '../../../main/eice/cliTarget';
import { presignOpenTunnelUrl } from '../../../main/eice/presign';
import { openTunnel, type OpenTunnelOptions, type TunnelStream, type TunnelTarget } from '../../../main/eice/tunnel';
import { TunnelManager } from '../../../main/eice/tunnelManager';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { appErrorOf } from '../../support/appErrorOf';
import { startEchoServer, type EchoServer } from '../../support/echoServer';
import { waitFor } from '../../support/waitFor';
import { readAll } from '../../support/readAll';
import { ed25519KeyPair } from '../../support/sshKeys';

/**
 * The tunnel engine against the local AWS sandbox: its EC2 API for the instance and endpoint,
 * its TLS openTunnel server (which enforces signatures, IAM, ports, states, the 20-connection
 * limit and the network path) and its real sshd instances.
 */
let sandbox: Sandbox;
let echo: EchoServer;
let ec2: EC2Client;

beforeAll(async () => {
  sandbox = await startSandbox();
  echo = await startEchoServer();
  ec2 = new EC2Client({ region: sandbox.env['AWS_REGION'], endpoint: sandbox.env['AWS_ENDPOINT_URL_EC2'], credentials: credentialsOf() });
});

afterAll(async () => {
  ec2?.destroy();
  await echo?.close();
  await sandbox?.stop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  sandbox.world.resetFaults();
  await waitFor(() => sandbox.world.tunnels().length === 0);
});

function credentialsOf(principal = 'sandbox-admin'): { accessKeyId: string; secretAccessKey: string } {
  const p = sandbox.principals.find((x) => x.name === principal);
  if (!p) throw new Error(`no principal ${principal}`);
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
}

function options(overrides: Partial<OpenTunnelOptions> = {}): OpenTunnelOptions {
  return { credentials: async () => credentialsOf(), env: sandbox.env, ...overrides };
}

/** The target as the CLI resolves it: DescribeInstances, then the endpoint the AWS CLI would pick. */
async function targetOf(instanceIdOrName: string, remotePort = 22, maxTunnelDuration?: number): Promise<TunnelTarget> {
  const info = sandbox.world.instance(instanceIdOrName);
  const client = info.region === sandbox.env['AWS_REGION'] ? ec2 : new EC2Client({ region: info.region, endpoint: sandbox.env['AWS_ENDPOINT_URL_EC2'], credentials: credentialsOf() });
  try {
    return await resolveCliTarget(
      { instanceId: info.instanceId, remotePort, maxConnections: 10, debug: false, ...(maxTunnelDuration ? { maxTunnelDuration } : {}) },
      client,
      { region: info.region },
    );
  } finally {
    if (client !== ec2) client.destroy();
  }
}

async function open(target: TunnelTarget, overrides: Partial<OpenTunnelOptions> = {}): Promise<TunnelStream> {
  const t = await openTunnel(target, options(overrides));
  cleanups.push(async () => {
    t.destroy();
    await t.whenClosed;
  });
  return t;
}

let echoInstance: ReturnType<Sandbox['world']['addInstance']> | undefined;
/** An instance whose port 22 is the local echo server (sandbox.world.addInstance). */
function echoTarget(): Promise<TunnelTarget> {
  echoInstance ??= sandbox.world.addInstance({ name: 'echo', targets: { 22: { host: '127.0.0.1', port: echo.port } } });
  return targetOf(echoInstance.instanceId);
}

describe('tunnels through the sandbox', () => {
  it('runs an ssh2 session over the tunnel Duplex, with a key pushed by EC2 Instance Connect in parallel', async () => {
    const info = sandbox.world.instance('web-1');
    const target = await targetOf('web-1');
    expect(target.endpointId).toBe(info.endpointId);
    const key = ed25519KeyPair();
    const eic = new EC2InstanceConnectClient({ region: info.region, endpoint: sandbox.env['AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT'], credentials: credentialsOf() });
    cleanups.push(() => eic.destroy());
    const [tunnel] = await Promise.all([
      open(target),
      eic.send(new SendSSHPublicKeyCommand({ InstanceId: info.instanceId, InstanceOSUser: info.osUser, SSHPublicKey: key.public })),
    ]);
    const client = new Client();
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({ sock: tunnel, username: info.osUser, privateKey: key.private, readyTimeout: 20_000, hostVerifier: () => true });
    });
    const output = await new Promise<string>((resolve, reject) => {
      client.exec('echo tunnel-ok; whoami', (error, stream) => {
        if (error) return reject(error);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.stderr.on('data', () => undefined);
        stream.once('close', () => resolve(out));
      });
    });
    expect(output).toBe(`tunnel-ok\n${info.osUser}\n`);
    client.end();
    await closed;
    // Close the WebSocket only once ssh2 is done with it (ENVIRONMENT.md).
    tunnel.end();
    await tunnel.whenClosed;
    expect(tunnel.closeError).toBeUndefined();
    expect(tunnel.bytesSent).toBeGreaterThan(1000);
  });

  it('reaches the endpoint on its FIPS DNS name when FIPS is asked for', async () => {
    const target = await echoTarget();
    expect(target.fipsDnsName).toMatch(/\.fips\./);
    const tunnel = await open(target, { useFips: true });
    const back = new Promise<string>((r) => tunnel.once('data', (d: Buffer) => r(d.toString())));
    tunnel.write('fips');
    expect(await back).toBe('fips');
    const opened = sandbox.world.events().filter((e) => e.action === 'OpenTunnel').at(-1);
    expect(opened?.detail?.['host']).toBe(target.fipsDnsName);
  });

  it('carries 50 MB through a local listener byte-exact, both ways', async () => {
    const target = await echoTarget();
    const manager = new TunnelManager();
    cleanups.push(() => manager.dispose());
    const listener = await manager.startListener(target, { kind: 'forward', label: 'echo' }, options());
    const socket = connect(listener.port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    const total = 50 * 1024 * 1024;
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let got = 0;
    const done = new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        received.update(d);
        got += d.length;
        if (got === total) resolve();
      });
    });
    // Varied chunk sizes, written with backpressure, so frames split and coalesce at odd places.
    let left = total;
    let i = 0;
    while (left > 0) {
      const size = Math.min(left, [1, 65_000, 65_001, 1_000_000, 333_333][i++ % 5]!);
      const chunk = randomBytes(size);
      sent.update(chunk);
      left -= size;
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
    }
    await done;
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(listener.bytesOut).toBe(total);
    expect(listener.bytesIn).toBe(total);
  });

  it('refuses the 21st connection in the budget before opening it, and the service refuses it too when bypassed', async () => {
    const target = await echoTarget();
    const manager = new TunnelManager();
    cleanups.push(() => manager.dispose());
    for (let n = 0; n < 20; n++) await manager.openStream(target, { kind: 'ssh', label: `tab-${n}` }, options());
    expect(sandbox.world.tunnels().filter((t) => t.endpointId === target.endpointId)).toHaveLength(20);
    const before = sandbox.world.events().length;
    const budget = await appErrorOf(manager.openStream(target, { kind: 'ssh', label: 'one-more' }, options()));
    expect(budget.code).toBe('EIC_CONNECTION_LIMIT');
    expect(budget.message).toContain(`${target.endpointId} is using 20 of 20 connections: 20 SSH tabs`);
    expect(sandbox.world.events().slice(before).filter((e) => e.action === 'OpenTunnel')).toHaveLength(0);
    const server = await appErrorOf(openTunnel(target, options()));
    expect(server.code).toBe('EIC_CONNECTION_LIMIT');
    expect(server.requestId).toBeTruthy();
  });
});

describe('each refusal from the sandbox gets its code', () => {
  it('bad signature (wrong secret) -> AWS_CREDENTIALS_INVALID', async () => {
    const target = await targetOf('web-1');
    const error = await appErrorOf(open(target, { credentials: async () => ({ ...credentialsOf(), secretAccessKey: 'not-the-secret' }) }));
    expect(error.code).toBe('AWS_CREDENTIALS_INVALID');
    expect(error.requestId).toBeTruthy();
  });

  it('unknown access key -> AWS_CREDENTIALS_INVALID', async () => {
    const target = await targetOf('web-1');
    const error = await appErrorOf(open(target, { credentials: async () => ({ accessKeyId: 'AKIAEXAMPLEUNKNOWN00', secretAccessKey: 'x' }) }));
    expect(error.code).toBe('AWS_CREDENTIALS_INVALID');
  });

  it('expired presigned URL -> EIC_CLOCK_SKEW', async () => {
    const target = await targetOf('web-1');
    const stale = await presignOpenTunnelUrl({ ...target, credentials: credentialsOf(), maxTunnelDuration: 3600, signingDate: new Date(Date.now() - 10 * 60_000) });
    const error = await appErrorOf(open(target, { webSocketFactory: (_url, o) => new WebSocket(stale, o) }));
    expect(error.code).toBe('EIC_CLOCK_SKEW');
  });

  it('endpoint not ready -> EIC_ENDPOINT_NOT_READY', async () => {
    const target = await targetOf('web-1');
    sandbox.world.setEndpointState(target.endpointId, 'create-in-progress');
    cleanups.push(() => sandbox.world.setEndpointState(target.endpointId, 'create-complete'));
    const error = await appErrorOf(open(target));
    expect(error.code).toBe('EIC_ENDPOINT_NOT_READY');
    expect(error.message).toContain('create-in-progress');
  });

  it('port not allowed -> EIC_PORT_NOT_ALLOWED with the service\'s words', async () => {
    const target = { ...(await targetOf('web-1')), remotePort: 8080 };
    const error = await appErrorOf(open(target));
    expect(error.code).toBe('EIC_PORT_NOT_ALLOWED');
    expect(error.message).toContain('Specify either 22 or 3389');
  });

  it('IAM deny -> EIC_TUNNEL_ACCESS_DENIED naming the action', async () => {
    const target = await targetOf('eu-api');
    const error = await appErrorOf(open(target, { credentials: async () => credentialsOf('sandbox-restricted') }));
    expect(error.code).toBe('EIC_TUNNEL_ACCESS_DENIED');
    expect(error.message).toContain('ec2-instance-connect:OpenTunnel');
  });

  it('target unreachable (security group without port 22) -> EIC_TUNNEL_TARGET_UNREACHABLE', async () => {
    const tunnel = await open(await targetOf('web-frontend'));
    await readAll(tunnel);
    expect(tunnel.closeError?.code).toBe('EIC_TUNNEL_TARGET_UNREACHABLE');
    expect(tunnel.closeError?.hint).toMatch(/security group/);
  });

  it('a drop mid-stream -> EIC_TUNNEL_CLOSED, after delivering what came before', async () => {
    sandbox.world.setFaults({ dropTunnelAfterBytes: 1_000_000 });
    const tunnel = await open(await echoTarget());
    const back = readAll(tunnel);
    tunnel.write(randomBytes(100_000));
    await waitFor(() => tunnel.bytesReceived >= 100_000 || tunnel.state === 'closed');
    tunnel.write(randomBytes(2_000_000));
    const got = await back;
    expect(got.length).toBeGreaterThanOrEqual(100_000);
    expect(tunnel.closeError?.code).toBe('EIC_TUNNEL_CLOSED');
    expect(tunnel.closeError?.retryable).toBe(true);
  });

  it('the service\'s duration cap -> EIC_TUNNEL_EXPIRED', async () => {
    sandbox.world.setFaults({ maxTunnelDurationSeconds: 1 });
    const tunnel = await open(await echoTarget());
    await readAll(tunnel);
    expect(tunnel.closeError?.code).toBe('EIC_TUNNEL_EXPIRED');
  });

  it('refused upgrades (a 503 from the service) -> a retryable EIC_TUNNEL_REFUSED with the request id', async () => {
    sandbox.world.setFaults({ refuseUpgrades: { status: 503, errorCode: 'ServiceUnavailable', message: 'Service is unavailable' } });
    const error = await appErrorOf(open(await targetOf('web-1')));
    expect(error.code).toBe('EIC_TUNNEL_REFUSED');
    expect(error.retryable).toBe(true);
    expect(error.requestId).toBeTruthy();
    expect(error.message).toContain('Service is unavailable');
  });
});
