import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, utils } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { descendantPids, isAlive, portAccepts } from '../../sandbox/instances/managedProcess';
import { sshFingerprint, startSshd, type Sshd } from '../../sandbox/instances/sshd';
import { requireBinary } from '../../support/requireBinary';
import { ed25519KeyPair } from '../../support/sshKeys';

const started: Sshd[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function sshd(options: Parameters<typeof startSshd>[0] = {}): Promise<Sshd> {
  const server = await startSshd(options);
  started.push(server);
  return server;
}

interface Login {
  client: Client;
  hostKey: string;
}

/** Logs in with ssh2; resolves with the client and the host key fingerprint it saw. */
function login(server: Sshd, username: string, privateKey: string): Promise<Login> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    client.once('ready', () => resolve({ client, hostKey }));
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port: server.port,
      username,
      privateKey,
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => {
        hostKey = sshFingerprint(`x ${key.toString('base64')}`);
        return true;
      },
    });
  });
}

function exec(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.stderr.on('data', () => undefined);
      stream.once('close', () => resolve(out));
    });
  });
}

describe('startSshd in eic mode', () => {
  it('accepts a pushed ed25519 key, and refuses it once it has expired', async () => {
    const server = await sshd({ users: ['ec2-user'] });
    const key = ed25519KeyPair();

    await expect(login(server, 'ec2-user', key.private)).rejects.toThrow(/authentication methods failed/);

    server.pushKey('ec2-user', key.public);
    expect(server.pushedKeys('ec2-user')).toHaveLength(1);
    const { client, hostKey } = await login(server, 'ec2-user', key.private);
    expect(hostKey).toBe(server.hostKeyFingerprint);
    expect((await exec(client, 'whoami')).trim()).toBe('ec2-user');
    client.end();

    server.expirePushedKeys('ec2-user');
    expect(server.pushedKeys()).toEqual([]);
    await expect(login(server, 'ec2-user', key.private)).rejects.toThrow(/authentication methods failed/);
  });

  it('serves a pushed key only to the user it was pushed for, and honours a short TTL', async () => {
    const server = await sshd({ users: ['ec2-user', 'ubuntu'] });
    const key = ed25519KeyPair();
    server.pushKey('ubuntu', key.public);
    await expect(login(server, 'ec2-user', key.private)).rejects.toThrow(/authentication methods failed/);
    (await login(server, 'ubuntu', key.private)).client.end();

    // A TTL of 0 is already past: the keys command must not print it.
    const other = ed25519KeyPair();
    server.pushKey('ec2-user', other.public, 0);
    await expect(login(server, 'ec2-user', other.private)).rejects.toThrow(/authentication methods failed/);
  });

  it('accepts an RSA key pushed with a comment, as SendSSHPublicKey takes it', async () => {
    const server = await sshd();
    const key = utils.generateKeyPairSync('rsa', { bits: 2048 });
    server.pushKey('ec2-user', `${key.public} someone@laptop`);
    (await login(server, 'ec2-user', key.private)).client.end();
  });

  it('works with OpenSSH’s own client', async () => {
    const ssh = requireBinary('ssh');
    const server = await sshd();
    const key = ed25519KeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'sshd-test-'));
    try {
      writeFileSync(join(dir, 'id'), key.private, { mode: 0o600 });
      writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${server.hostPublicKey}\n`);
      server.pushKey('ec2-user', key.public);
      const out = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(ssh, ['-F', 'none', '-i', join(dir, 'id'), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(server.port), 'ec2-user@127.0.0.1', 'echo', 'hello-from-sshd'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.once('close', (code) => resolve({ code, out: text }));
      });
      expect(out.out).toContain('hello-from-sshd');
      expect(out.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startSshd in keyfile mode', () => {
  it('never accepts a pushed key, only the key pair', async () => {
    const pair = ed25519KeyPair();
    const server = await sshd({ mode: 'keyfile', users: ['ec2-user'], authorizedKeys: { 'ec2-user': [pair.public] } });
    const pushed = ed25519KeyPair();
    server.pushKey('ec2-user', pushed.public);
    await expect(login(server, 'ec2-user', pushed.private)).rejects.toThrow(/authentication methods failed/);
    const { client } = await login(server, 'ec2-user', pair.private);
    expect((await exec(client, 'whoami')).trim()).toBe('ec2-user');
    client.end();

    server.setAuthorizedKeys('ec2-user', []);
    await expect(login(server, 'ec2-user', pair.private)).rejects.toThrow(/authentication methods failed/);
  });
});

describe('startSshd lifecycle', () => {
  it('regenerates the host key on the same port, dropping live connections', async () => {
    const server = await sshd();
    const key = ed25519KeyPair();
    const before = server.hostKeyFingerprint;
    const port = server.port;
    server.pushKey('ec2-user', key.public);
    const first = await login(server, 'ec2-user', key.private);
    const closed = new Promise<void>((r) => first.client.once('close', () => r()));

    await server.regenerateHostKey();
    await closed;
    expect(server.port).toBe(port);
    expect(server.hostKeyFingerprint).not.toBe(before);
    expect(server.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const second = await login(server, 'ec2-user', key.private);
    expect(second.hostKey).toBe(server.hostKeyFingerprint);
    second.client.end();
  });

  it('stops the listener and every connection process it forked', async () => {
    const server = await sshd();
    const key = ed25519KeyPair();
    server.pushKey('ec2-user', key.public);
    const { client } = await login(server, 'ec2-user', key.private);
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const pid = server.pid;
    const children = descendantPids(pid);
    expect(children.length).toBeGreaterThan(0);

    await server.stop();
    await closed;
    expect(await portAccepts(server.port)).toBe(false);
    for (const p of [pid, ...children]) expect(isAlive(p)).toBe(false);
  });

  it('rejects an invalid user name or key line with a clear message', async () => {
    await expect(startSshd({ users: ['../etc'] })).rejects.toThrow(/not a valid OS user name/);
    const server = await sshd();
    expect(() => server.pushKey('ec2-user', 'not a key')).toThrow(/Not an OpenSSH public key line/);
    expect(() => server.pushKey('ec2-user', 'ssh-ed25519 AAAA\nssh-rsa BBBB')).toThrow(/Not an OpenSSH public key line/);
  });
});


