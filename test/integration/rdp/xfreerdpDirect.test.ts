import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingDesktop } from '../../../main/desktop';
import { ClipboardGuard } from '../../../main/rdp/clipboardGuard';
import { LinuxLauncher } from '../../../main/rdp/launchers/linuxLauncher';
import { NodeLauncherFs } from '../../../main/rdp/launchers/nodeLauncherFs';
import { NodeProcessRunner } from '../../../main/rdp/launchers/nodeProcessRunner';
import type { RdpSession } from '../../../preload/contract/rdp';
import { keyPairAccount } from '../../../main/rdp/rdpIo';
import { RdpService } from '../../../main/rdp/rdpService';
import { systemTimers } from '../../../main/rdp/timers';
import { startRdpServer, type RdpServer } from '../../sandbox/instances/rdp';
import { memoryLogger } from '../../support/fakes';
import { requireBinary } from '../../support/requireBinary';
import { rsaTestKey } from '../../unit/main/rdp/keyBuilders';
import { FakeKeyFiles, FakePasswords, FakeResolver, MemorySecrets } from '../../unit/main/rdp/sessionFakes';
import { TcpTunnelOpener } from './tcpTunnel';

/**
 * The real xfreerdp against a real RDP server with NLA (freerdp-shadow-cli), directly over TCP
 * and through the app's RDP flow with a plain TCP listener standing in for the EICE tunnel.
 * `/auth-only` makes xfreerdp sign in and exit: 0 accepted, 147 refused.
 */
const PASSWORD = 'Vx3!pQ9#mL2$wR8z';
let server: RdpServer;

beforeAll(async () => {
  requireBinary('xfreerdp');
  server = await startRdpServer({ user: 'Administrator', password: PASSWORD });
});

afterAll(async () => {
  await server?.stop();
});

/** Remembers the PID of what it starts, to read its command line as `ps` would. */
class PidRecordingRunner extends NodeProcessRunner {
  readonly pids: number[] = [];
  override async spawn(...args: Parameters<NodeProcessRunner['spawn']>): ReturnType<NodeProcessRunner['spawn']> {
    const child = await super.spawn(...args);
    if (child.pid !== undefined) this.pids.push(child.pid);
    return child;
  }
}

function launcher(log = memoryLogger().log): LinuxLauncher {
  return new LinuxLauncher({ runner: new NodeProcessRunner(process.env), log, authOnly: true, display: server.display });
}

describe('xfreerdp /auth-only directly against the RDP server', () => {
  it('signs in (exit 0) with the password handed over on stdin, which never shows in its command line', async () => {
    const { log, sink } = memoryLogger();
    const runner = new PidRecordingRunner(process.env);
    const linux = new LinuxLauncher({ runner, log, authOnly: true, display: server.display });
    const launched = await linux.launch({ address: '127.0.0.1', port: server.port, username: 'Administrator', password: PASSWORD, label: 'direct' });
    // While it runs, what `ps` shows of it:
    const cmdline = readFileSync(`/proc/${runner.pids[0]}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('/auth-only');
    expect(cmdline.join(' ')).not.toContain(PASSWORD);
    const exit = await launched.exited!;
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.error).toBeUndefined();
    expect(sink.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('is refused (exit 147) with a wrong password', async () => {
    const launched = await launcher().launch({ address: '127.0.0.1', port: server.port, username: 'Administrator', password: 'not-the-password', label: 'direct' });
    const exit = await launched.exited!;
    expect(exit.code).toBe(147);
    expect(exit.error?.code).toBe('RDP_LAUNCH_FAILED');
  });
});

describe('the RDP flow: decrypted password, local listener, xfreerdp', () => {
  function setup(passwordData: (key: ReturnType<typeof rsaTestKey>) => string) {
    const key = rsaTestKey();
    const { log, sink } = memoryLogger();
    const passwords = new FakePasswords();
    passwords.passwordData = passwordData(key);
    const secrets = new MemorySecrets();
    secrets.values.set(keyPairAccount('dev', 'eu-west-1', 'win-key'), key.pkcs1Pem);
    const tunnels = new TcpTunnelOpener(server.port);
    const events: RdpSession[] = [];
    const service = new RdpService({
      resolver: new FakeResolver(),
      passwords,
      secrets,
      keyFiles: new FakeKeyFiles(),
      tunnels,
      launcher: launcher(log),
      clipboard: new ClipboardGuard(new RecordingDesktop(), systemTimers, log),
      timers: systemTimers,
      log,
      platform: 'linux',
      onSessionChanged: (s) => events.push(s),
      onSessionRemoved: () => undefined,
    });
    const settled = (): Promise<RdpSession> =>
      new Promise((resolve) => {
        const check = (): void => {
          const last = events.at(-1);
          if (last && (last.client?.state === 'exited' || last.state === 'failed')) resolve(last);
          else setTimeout(check, 50);
        };
        check();
      });
    return { service, tunnels, events, sink, settled };
  }

  it('signs in through the listener with the password it decrypted', async () => {
    const { service, tunnels, events, sink, settled } = setup((key) => key.passwordData(PASSWORD));
    await service.launch({ instance: { profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' } });
    const session = await settled();
    expect(session.client).toMatchObject({ name: 'xfreerdp', authOnly: true, authenticated: true, exitCode: 0 });
    expect(session.state).toBe('ready');
    expect(events.some((e) => e.state === 'connected')).toBe(true);
    expect(tunnels.listeners[0]!.totalConnections).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(sink.lines.join('\n')).not.toContain(PASSWORD);
    await service.dispose();
    expect(tunnels.listeners[0]!.isClosed).toBe(true);
  });

  it('reports exit 147 when the instance holds another password', async () => {
    const { service, settled } = setup((key) => key.passwordData('an-older-password'));
    await service.launch({ instance: { profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' } });
    const session = await settled();
    expect(session.client).toMatchObject({ authenticated: false, exitCode: 147 });
    expect(session.error).toMatchObject({ code: 'RDP_LAUNCH_FAILED' });
    expect(session.error?.message).toMatch(/147/);
    await service.dispose();
  });
});

describe('the real ProcessRunner', () => {
  it('finds programs on PATH, hands stdin over, keeps AWS secrets out of the child, and ends it', async () => {
    const runner = new NodeProcessRunner({ PATH: process.env['PATH'], AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', AWS_REGION: 'eu-west-1' });
    const sh = await runner.which('sh');
    expect(sh).toMatch(/\/sh$/);
    expect(await runner.which('no-such-program-bastionless')).toBeUndefined();
    const env = await runner.run(sh!, ['-c', 'echo "${AWS_SECRET_ACCESS_KEY:-absent} $AWS_REGION"']);
    expect(env).toMatchObject({ code: 0, stdout: 'absent eu-west-1\n' });

    const cat = await runner.spawn(sh!, ['-c', 'read line; echo "got:$line"; exec sleep 30'], { stdin: 'secret-line\n' });
    const echoed = await new Promise<string>((resolve) => {
      const poll = (): void => (cat.outputTail().includes('got:') ? resolve(cat.outputTail()) : void setTimeout(poll, 20));
      poll();
    });
    expect(echoed).toContain('got:secret-line');
    cat.kill();
    expect(await cat.exited).toMatchObject({ code: null, signal: 'SIGTERM' });
    await expect(runner.spawn('/nonexistent/xfreerdp', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the real LauncherFs', () => {
  it('makes private folders and files', async () => {
    const fs = new NodeLauncherFs();
    const dir = await fs.makeTempDir('bastionless-rdp-test-');
    const file = `${dir}/x.rdp`;
    await fs.writePrivateFile(file, Buffer.from('full address:s:127.0.0.1:1\r\n'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(fs.writePrivateFile(file, Buffer.from('again'))).rejects.toThrow(/EEXIST/);
    expect(await fs.exists(file)).toBe(true);
    const list = `${dir}/staged.json`;
    expect(await fs.readText(list)).toBeUndefined();
    await fs.writeText(list, '["TERMSRV/127.0.0.1"]');
    await fs.writeText(list, '[]');
    expect(await fs.readText(list)).toBe('[]');
    expect(statSync(list).mode & 0o777).toBe(0o600);
    await fs.remove(dir);
    expect(await fs.exists(dir)).toBe(false);
    await fs.remove(dir);
  });
});
