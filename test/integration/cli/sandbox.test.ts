import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { startEchoServer, type EchoServer } from '../../support/echoServer';
import { requireBinary } from '../../support/requireBinary';
import { waitFor } from '../../support/waitFor';
import { prepareCliUser, runProcess, startCli, type CliRun, type CliUser } from './cliProcess';

/**
 * The built `bastionless-tunnel` against the sandbox, the way people use it: as OpenSSH's
 * ProxyCommand with --instance-id %h and --push-key, and as a local listener.
 */
let sandbox: Sandbox;
let user: CliUser;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  user = await prepareCliUser('cli-sandbox-');
  ({ dir, keyFile } = user);
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox?.stop();
  user?.dispose();
});

const running: CliRun[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) if (r.child.exitCode === null && r.child.pid) process.kill(r.child.pid, 'SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});


const env = (): NodeJS.ProcessEnv => user.env(sandbox.env);

function ssh(instanceId: string, user: string, command: string, proxyArgs = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proxy = `bastionless-tunnel --instance-id %h --push-key ${keyFile}.pub --os-user %r${proxyArgs}`;
  return runProcess(
    requireBinary('ssh'),
    [
      '-F',
      '/dev/null',
      '-i',
      keyFile,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      `ProxyCommand=${proxy}`,
      `${user}@${instanceId}`,
      command,
    ],
    env(),
  );
}

describe('bastionless-tunnel as an OpenSSH ProxyCommand', () => {
  it('lets plain ssh run a command on an instance, with the key pushed by --push-key', async () => {
    const info = sandbox.world.instance('web-1');
    const before = sandbox.world.pushedKeys(info.instanceId).length;
    const result = await ssh(info.instanceId, info.osUser, 'echo via-openssh; whoami');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`via-openssh\n${info.osUser}\n`);
    const pushed = sandbox.world.pushedKeys(info.instanceId);
    expect(pushed.length).toBe(before + 1);
    expect(readFileSync(`${keyFile}.pub`, 'utf8')).toContain(pushed.at(-1)!.publicKey.split(' ')[1]!);
    const opens = sandbox.world.events().filter((e) => e.action === 'OpenTunnel' && e.detail?.['instanceId'] === info.instanceId);
    expect(opens.at(-1)?.detail?.['maxTunnelDuration']).toBe('3600');
  });

  it('works for another OS user and a second instance, each with a fresh push', async () => {
    const info = sandbox.world.instance('build-runner');
    const result = await ssh(info.instanceId, info.osUser, 'whoami');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${info.osUser}\n`);
  });

  it('lets scp copy a file to the instance and back through the same ProxyCommand', async () => {
    const info = sandbox.world.instance('web-1');
    const local = join(dir, 'payload.bin');
    const back = join(dir, 'payload.back');
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    writeFileSync(local, payload);
    const remote = `/tmp/bastionless-scp-${process.pid}.bin`;
    const common = ['-F', '/dev/null', '-i', keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];
    const proxy = ['-o', `ProxyCommand=bastionless-tunnel --instance-id %h --push-key ${keyFile}.pub --os-user %r`];
    const scp = requireBinary('scp', 'ssh');
    const up = await runProcess(scp, [...common, ...proxy, local, `${info.osUser}@${info.instanceId}:${remote}`], env());
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const down = await runProcess(scp, [...common, ...proxy, `${info.osUser}@${info.instanceId}:${remote}`, back], env());
    expect(down.code).toBe(0);
    expect(readFileSync(back).equals(payload)).toBe(true);
    await ssh(info.instanceId, info.osUser, `rm -f ${remote}`);
  });

  it('makes ssh fail with the tunnel\'s one-line reason when the instance cannot be reached', async () => {
    const info = sandbox.world.instance('web-frontend');
    const result = await ssh(info.instanceId, info.osUser, 'true');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^bastionless-tunnel: EIC_TUNNEL_TARGET_UNREACHABLE: .*10\.0\.1\.50:22.* Hint: .*security group/m);
  });
});

describe('bastionless-tunnel errors against the sandbox', () => {
  async function fails(args: string[]): Promise<string> {
    const r = startCli(args, env());
    running.push(r);
    r.child.stdin.end();
    expect(await r.exited).toBe(1);
    expect(r.stdout().length).toBe(0);
    const lines = r.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it('an unknown instance -> EIC_INSTANCE_NOT_FOUND', async () => {
    expect(await fails(['--instance-id', 'i-0fffffffffffffff0'])).toMatch(/^bastionless-tunnel: EIC_INSTANCE_NOT_FOUND: There is no instance i-0fffffffffffffff0 in us-east-1/);
  });

  it('a stopped instance -> says so, with how to fix it', async () => {
    const info = sandbox.world.instance('batch-worker');
    expect(await fails(['--instance-id', info.instanceId])).toMatch(/is stopped.*Hint: Start the instance/);
  });

  it('a VPC without an endpoint -> EIC_NO_ENDPOINT naming the VPC', async () => {
    const info = sandbox.world.instance('analytics-worker');
    expect(await fails(['--instance-id', info.instanceId])).toMatch(new RegExp(`EIC_NO_ENDPOINT: ${info.vpcId} has no EC2 Instance Connect Endpoint.*setup wizard`));
  });

  it('a port the service refuses -> EIC_PORT_NOT_ALLOWED with its words', async () => {
    const info = sandbox.world.instance('web-1');
    expect(await fails(['--instance-id', info.instanceId, '--remote-port', '5432'])).toMatch(/EIC_PORT_NOT_ALLOWED: .*port 5432.*Specify either 22 or 3389/);
  });

  it('an unreadable --push-key file -> INVALID_INPUT before any AWS call', async () => {
    const info = sandbox.world.instance('web-1');
    expect(await fails(['--instance-id', info.instanceId, '--push-key', join(dir, 'missing.pub'), '--os-user', 'ec2-user'])).toMatch(/INVALID_INPUT: Could not read the public key file/);
  });

  it('a key push IAM denies -> AWS_ACCESS_DENIED naming the push, and the tunnel opened in parallel is closed', async () => {
    // The scenario denies sandbox-restricted SendSSHPublicKey on build-runner, but not OpenTunnel.
    const runner = sandbox.world.instance('build-runner');
    const restricted = sandbox.principals.find((p) => p.name === 'sandbox-restricted')!;
    const r = startCli(['--instance-id', runner.instanceId, '--push-key', `${keyFile}.pub`, '--os-user', runner.osUser], {
      ...env(),
      AWS_ACCESS_KEY_ID: restricted.accessKeyId,
      AWS_SECRET_ACCESS_KEY: restricted.secretAccessKey,
    });
    running.push(r);
    r.child.stdin.end();
    expect(await r.exited).toBe(1);
    expect(r.stdout().length).toBe(0);
    expect(r.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr()).toMatch(/^bastionless-tunnel: AWS_ACCESS_DENIED: Could not push the SSH key to i-/);
    await waitFor(() => sandbox.world.tunnels().length === 0);
  });
});

describe('bastionless-tunnel --local-port against the sandbox', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(() => echo.close());

  it('looks the instance up, listens, carries each connection, and stops on SIGINT', async () => {
    const instance = sandbox.world.addInstance({ name: 'cli-echo', targets: { 22: { host: '127.0.0.1', port: echo.port } } });
    const r = startCli(['--instance-id', instance.instanceId, '--local-port', '0'], env());
    running.push(r);
    const line = await new Promise<string>((resolve) => {
      let text = '';
      r.child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) resolve(text);
      });
    });
    expect(line).toContain(`for connections to ${instance.privateIp}:22 through ${instance.endpointId}`);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    const socket = connect(port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    const back = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.length >= 11) resolve(text);
      });
    });
    socket.write('hello world');
    expect(await back).toBe('hello world');
    process.kill(r.child.pid!, 'SIGINT');
    expect(await r.exited).toBe(0);
  });
});
