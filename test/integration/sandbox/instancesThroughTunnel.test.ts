import { EC2InstanceConnectClient, SendSSHPublicKeyCommand } from '@aws-sdk/client-ec2-instance-connect';
import { EC2Client, GetPasswordDataCommand } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import { constants, privateDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTunnel, type TunnelStream } from '../../../main/eice/tunnel';
import { startSandbox, type Sandbox, type SandboxInstanceInfo } from '../../sandbox/index';
import { sshFingerprint } from '../../sandbox/instances/sshd';
import { requireBinary } from '../../support/requireBinary';
import { ed25519KeyPair } from '../../support/sshKeys';

const { Client } = ssh2;
let sandbox: Sandbox;
const servers: Server[] = [];

beforeAll(async () => {
  requireBinary('sshd', 'sshd');
  requireBinary('Xvfb');
  sandbox = await startSandbox();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await sandbox?.stop();
});

function credentials(principal = 0): { accessKeyId: string; secretAccessKey: string } {
  const p = sandbox.principals[principal]!;
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
}

/** Opens a tunnel with the app's own tunnel engine (main/eice), as the app does. */
function tunnelTo(info: SandboxInstanceInfo, remotePort = 22): Promise<TunnelStream> {
  const ep = sandbox.world.model.endpoints.get(info.endpointId!)!;
  return openTunnel({ instanceId: info.instanceId, endpointId: ep.id, dnsName: ep.dnsName, region: ep.region, privateIpAddress: info.privateIp, remotePort, maxTunnelDuration: 3600 }, { credentials: async () => credentials(), env: { ...sandbox.env } });
}

interface SshResult {
  output: string;
  hostKey: string;
}

function sshExec(sock: TunnelStream, username: string, privateKey: string, command: string): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    client.once('ready', () =>
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let output = '';
        stream.on('data', (d: Buffer) => (output += d.toString()));
        stream.stderr.on('data', () => undefined);
        stream.once('close', () => {
          client.end();
          resolve({ output: output.trim(), hostKey });
        });
      }),
    );
    client.once('error', reject);
    // Close the tunnel on ssh2's close, not right after end() (ENVIRONMENT.md).
    client.once('close', () => sock.destroy());
    client.connect({
      sock,
      username,
      privateKey,
      readyTimeout: 30_000,
      hostVerifier: (key: Buffer) => {
        hostKey = sshFingerprint(`k ${key.toString('base64')}`);
        return true;
      },
    });
  });
}

async function pushKey(info: SandboxInstanceInfo, publicKey: string, principal = 0): Promise<void> {
  const eic = new EC2InstanceConnectClient({ region: info.region, endpoint: sandbox.urls.ec2InstanceConnect, credentials: credentials(principal), maxAttempts: 1 });
  await eic.send(new SendSSHPublicKeyCommand({ InstanceId: info.instanceId, InstanceOSUser: info.osUser, SSHPublicKey: publicKey }));
}

describe('Linux instances through EICE', () => {
  it('logs in to Amazon Linux 2023 and Ubuntu with a key pushed by SendSSHPublicKey', async () => {
    for (const name of ['web-1', 'build-runner', 'eu-api']) {
      const info = sandbox.world.instance(name);
      expect(info.reachable).toBe(true);
      const key = ed25519KeyPair();
      await pushKey(info, key.public);
      expect(sandbox.world.pushedKeys(name).map((k) => k.osUser)).toContain(info.osUser);
      const result = await sshExec(await tunnelTo(info), info.osUser, key.private, 'whoami');
      expect(result.output).toBe(info.osUser);
      expect(result.hostKey).toBe(info.hostKeyFingerprint);
    }
  });

  it('accepts the push on the old Amazon Linux 2 but only its key pair logs in', async () => {
    const info = sandbox.world.instance('legacy-reporting');
    expect(info).toMatchObject({ reachable: true, acceptsPushedKeys: false, keyPairName: 'legacy-key' });
    const key = ed25519KeyPair();
    await pushKey(info, key.public);
    await expect(sshExec(await tunnelTo(info), 'ec2-user', key.private, 'true')).rejects.toThrow(/authentication methods failed/);
    const result = await sshExec(await tunnelTo(info), 'ec2-user', readFileSync(info.keyPairFile!, 'utf8'), 'whoami');
    expect(result.output).toBe('ec2-user');
  });

  it('shows a new host key after the instance\u2019s host key is regenerated', async () => {
    const before = sandbox.world.instance('jump-host');
    const after = await sandbox.world.regenerateHostKey('jump-host');
    expect(after).not.toBe(before.hostKeyFingerprint);
    const key = ed25519KeyPair();
    await pushKey(before, key.public);
    const result = await sshExec(await tunnelTo(before), 'ec2-user', key.private, 'true');
    expect(result.hostKey).toBe(after);
  });

  it('answers SendSSHPublicKey with EIC\u2019s exceptions', async () => {
    const key = ed25519KeyPair().public;
    const eic = new EC2InstanceConnectClient({ region: 'us-east-1', endpoint: sandbox.urls.ec2InstanceConnect, credentials: credentials(), maxAttempts: 1 });
    const send = (InstanceId: string, SSHPublicKey = key, InstanceOSUser = 'ec2-user'): Promise<unknown> => eic.send(new SendSSHPublicKeyCommand({ InstanceId, InstanceOSUser, SSHPublicKey }));
    await expect(send('i-0fffffffffffffff0')).rejects.toMatchObject({ name: 'EC2InstanceNotFoundException' });
    await expect(send('i-0a1b2c3d4e5f60006')).rejects.toMatchObject({ name: 'EC2InstanceStateInvalidException' });
    await expect(send('i-0a1b2c3d4e5f60007', key, 'Administrator')).rejects.toMatchObject({ name: 'InvalidArgsException' });
    await expect(send('i-0a1b2c3d4e5f60001', 'ssh-dss AAAA')).rejects.toMatchObject({ name: 'InvalidArgsException' });
    await expect(send('i-0e1f2a3b4c5d60009')).rejects.toMatchObject({ name: 'EC2InstanceNotFoundException' });
    const restricted = new EC2InstanceConnectClient({ region: 'us-east-1', endpoint: sandbox.urls.ec2InstanceConnect, credentials: credentials(1), maxAttempts: 1 });
    await expect(restricted.send(new SendSSHPublicKeyCommand({ InstanceId: 'i-0a1b2c3d4e5f60002', InstanceOSUser: 'ubuntu', SSHPublicKey: key }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const wrongSecret = new EC2InstanceConnectClient({ region: 'us-east-1', endpoint: sandbox.urls.ec2InstanceConnect, credentials: { ...credentials(), secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(wrongSecret.send(new SendSSHPublicKeyCommand({ InstanceId: 'i-0a1b2c3d4e5f60001', InstanceOSUser: 'ec2-user', SSHPublicKey: key }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const unknownKey = new EC2InstanceConnectClient({ region: 'us-east-1', endpoint: sandbox.urls.ec2InstanceConnect, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(unknownKey.send(new SendSSHPublicKeyCommand({ InstanceId: 'i-0a1b2c3d4e5f60001', InstanceOSUser: 'ec2-user', SSHPublicKey: key }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('starts a stopped instance\u2019s sshd when it is started, and ends its connections when it stops', async () => {
    const info = await sandbox.world.setInstanceState('batch-worker', 'running');
    expect(info.reachable).toBe(true);
    const key = ed25519KeyPair();
    await pushKey(info, key.public);
    expect((await sshExec(await tunnelTo(info), 'ec2-user', key.private, 'whoami')).output).toBe('ec2-user');
    await sandbox.world.setInstanceState('batch-worker', 'stopped');
    expect(sandbox.world.instance('batch-worker')).toMatchObject({ reachable: false, unreachableReason: 'the instance is stopped' });
  });
});

describe('Windows through EICE', () => {
  it('accepts the GetPasswordData password over NLA through a tunnel, and refuses another', async () => {
    const xfreerdp = requireBinary('xfreerdp');
    const info = sandbox.world.instance('win-admin');
    expect(info).toMatchObject({ platform: 'windows', osUser: 'Administrator', reachable: true });
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: sandbox.urls.ec2, credentials: credentials(), maxAttempts: 1 });
    const data = await ec2.send(new GetPasswordDataCommand({ InstanceId: info.instanceId }));
    const raw = privateDecrypt({ key: readFileSync(info.keyPairFile!, 'utf8'), padding: constants.RSA_NO_PADDING }, Buffer.from(data.PasswordData!, 'base64'));
    const password = raw.subarray(raw.indexOf(0, 2) + 1).toString('utf8');
    expect(password).toBe(info.rdpPassword);

    // A local listener that opens one tunnel per RDP connection, as the app's RDP launch does.
    const sockets = new Set<Socket>();
    const listener = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      tunnelTo(info, 3389).then(
        (tunnel) => {
          socket.pipe(tunnel).pipe(socket);
          socket.once('close', () => tunnel.destroy());
        },
        () => socket.destroy(),
      );
    });
    servers.push(listener);
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    const authOnly = (pass: string): Promise<number | null> =>
      new Promise((resolve, reject) => {
        // xfreerdp needs an X display even for /auth-only: borrow the RDP server's Xvfb.
        const child = spawn(xfreerdp, ['/auth-only', `/v:127.0.0.1:${port}`, '/u:Administrator', `/p:${pass}`, '/cert:ignore'], { stdio: 'ignore', env: { ...process.env, DISPLAY: info.rdpDisplay! } });
        child.once('error', reject);
        child.once('close', resolve);
      });
    expect(await authOnly(password)).toBe(0);
    expect(await authOnly('not-the-password')).toBe(147);
    for (const s of sockets) s.destroy();
    expect(sandbox.world.events().filter((e) => e.action === 'OpenTunnel' && e.detail?.['remotePort'] === '3389').length).toBeGreaterThanOrEqual(2);
  });
});
