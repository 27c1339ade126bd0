/**
 * "Copy SSH config" end to end: the block the app generates for a saved host, put in an
 * OpenSSH config file, lets plain `ssh <alias>` and `scp` reach the sandbox instance through
 * `bastionless-tunnel` as ProxyCommand, with the person's own key pushed by --push-key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { requireBinary } from '../../support/requireBinary';
import { prepareCliUser, runProcess, type CliUser } from '../cli/cliProcess';

const CTX = { senderId: 'integration' };
let sandbox: Sandbox;
let app: Composition;
let user: CliUser;
let dir: string;
let home: string;

/** The shell a person's ssh runs in: the command on PATH, AWS credentials in the environment, a private HOME. */
const userEnv = (): NodeJS.ProcessEnv => user.env(sandbox.env);

beforeAll(async () => {
  requireBinary('ssh');
  user = await prepareCliUser('bl-ssh-config-');
  ({ dir, home } = user);
  sandbox = await startSandbox();
  app = await compose({ dataDir: join(dir, 'data'), version: 'test', platform: process.platform, desktop: new RecordingDesktop(), logSink: new MemorySink(), env: sandbox.env, isHarness: true });
  await app.api.inventory.refresh({}, CTX);
});

afterAll(async () => {
  await app?.dispose();
  await sandbox?.stop();
  user?.dispose();
});

describe('Copy SSH config', () => {
  it('gives a Host block that plain ssh and scp use through the endpoint', async () => {
    const web1 = sandbox.instances.find((i) => i.name === 'web-1')!;
    const host = await app.api.hosts.save({ label: 'Web One', profileId: 'env', region: web1.region, instanceId: web1.instanceId }, CTX);
    expect((await app.api.sessions.sshConfig({ hostId: host.id }, CTX)).text).toContain('--push-key ~/.ssh/id_ed25519.pub --os-user ec2-user');
    // OpenSSH expands ~ from the password database, not $HOME: this test's private HOME needs the full path.
    const identityFile = join(home, '.ssh', 'id_ed25519');
    const { alias, text } = await app.api.sessions.sshConfig({ hostId: host.id, identityFile }, CTX);
    expect(alias).toBe('web-one');
    expect(text).toContain(`HostKeyAlias ${web1.instanceId}`);
    expect(text).toContain(`IdentityFile ${identityFile}\n`);
    expect(text).toContain(`--push-key ${identityFile}.pub --os-user ec2-user`);
    // As the person would: paste it into ~/.ssh/config.
    writeFileSync(join(home, '.ssh', 'config'), text, { mode: 0o600 });
    const config = join(home, '.ssh', 'config');
    const options = ['-F', config, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`, '-o', 'LogLevel=ERROR'];

    const ssh = await runProcess(requireBinary('ssh'), [...options, alias, 'echo via-config-$((6*7)); whoami'], userEnv());
    expect(ssh.stderr).toBe('');
    expect(ssh.code).toBe(0);
    expect(ssh.stdout).toBe('via-config-42\nec2-user\n');
    // The host key was filed under the instance id (HostKeyAlias), not an address.
    expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toMatch(new RegExp(`^${web1.instanceId} ssh-ed25519 `, 'm'));

    const local = join(dir, 'payload.txt');
    writeFileSync(local, 'copied through the endpoint\n');
    const scp = await runProcess(requireBinary('scp', 'ssh'), [...options, local, `${alias}:/tmp/bl-ssh-config-${process.pid}.txt`], userEnv());
    expect(scp.stderr).toBe('');
    expect(scp.code).toBe(0);
    const back = await runProcess(requireBinary('ssh'), [...options, alias, `cat /tmp/bl-ssh-config-${process.pid}.txt; rm /tmp/bl-ssh-config-${process.pid}.txt`], userEnv());
    expect(back.stdout).toBe('copied through the endpoint\n');
  });

  it('refuses a Windows host', async () => {
    const win = sandbox.instances.find((i) => i.platform === 'windows')!;
    const host = await app.api.hosts.save({ label: 'Windows admin', profileId: 'env', region: win.region, instanceId: win.instanceId }, CTX);
    await expect(app.api.sessions.sshConfig({ hostId: host.id }, CTX)).rejects.toMatchObject({ code: 'SSH_NOT_LINUX' });
  });
});
