import { win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { createLauncher, isAuthOnlyMode } from '../../../../main/rdp/launchers/createLauncher';
import { LinuxLauncher, xfreerdpExitError } from '../../../../main/rdp/launchers/linuxLauncher';
import { MacLauncher } from '../../../../main/rdp/launchers/macLauncher';
import type { LaunchRequest } from '../../../../main/rdp/launchers/rdpLauncher';
import { WindowsLauncher } from '../../../../main/rdp/launchers/windowsLauncher';
import { memoryLogger } from '../../../support/fakes';
import { FakeRunner, MemoryFs } from './fakes';
import { appErrorOf } from '../../../support/appErrorOf';

const PASSWORD = 'kR7$w0rd;Admin"x';
const request = (overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  address: '127.0.0.1',
  port: 49731,
  username: 'Administrator',
  password: PASSWORD,
  label: 'Win 2022 / build',
  ...overrides,
});

function decodeUtf16(content: Buffer): string {
  expect([...content.subarray(0, 2)]).toEqual([0xff, 0xfe]);
  return content.subarray(2).toString('utf16le');
}

describe('the Windows launcher (mstsc + cmdkey)', () => {
  const MSTSC = 'C:\\Windows\\System32\\mstsc.exe';
  const CMDKEY = 'C:\\Windows\\System32\\cmdkey.exe';
  function setup() {
    const runner = new FakeRunner();
    const fs = new MemoryFs(win32.join);
    fs.present.add(MSTSC);
    const { log, sink } = memoryLogger();
    const launcher = new WindowsLauncher({ runner, fs, log, systemRoot: 'C:\\Windows' });
    return { runner, fs, launcher, sink };
  }

  it('stages the credential, writes a private .rdp file and starts mstsc with it', async () => {
    const { runner, fs, launcher } = setup();
    const launched = await launcher.launch(request());
    expect(launched.passwordDelivered).toBe(true);
    expect(runner.ran).toEqual([{ command: CMDKEY, args: ['/generic:TERMSRV/127.0.0.1', '/user:Administrator', `/pass:${PASSWORD}`] }]);
    const [file] = [...fs.files.keys()];
    expect(file).toMatch(/^\\tmp\\bastionless-rdp-1\\Win-2022-build\.rdp$/);
    const entry = fs.files.get(file!)!;
    expect(entry.mode).toBe(0o600);
    const text = decodeUtf16(entry.content);
    expect(text.split('\r\n')).toEqual(
      expect.arrayContaining(['full address:s:127.0.0.1:49731', 'username:s:Administrator', 'prompt for credentials:i:0', 'authentication level:i:2', 'screen mode id:i:1']),
    );
    expect(text).not.toContain(PASSWORD);
    expect(runner.spawned).toHaveLength(1);
    expect(runner.spawned[0]!.command).toBe(MSTSC);
    expect(runner.spawned[0]!.args).toEqual([file]);
  });

  it('removes the credential and the file when mstsc exits', async () => {
    const { runner, fs, launcher } = setup();
    const launched = await launcher.launch(request());
    runner.spawned[0]!.exit(0);
    const exit = await launched.exited!;
    expect(exit.error).toBeUndefined();
    expect(runner.ran.at(-1)).toEqual({ command: CMDKEY, args: ['/delete:TERMSRV/127.0.0.1'] });
    expect(fs.leftovers()).toEqual([]);
  });

  it('keeps a shared credential until the last mstsc using it exits', async () => {
    const { runner, launcher } = setup();
    const first = await launcher.launch(request());
    const second = await launcher.launch(request({ port: 50001 }));
    runner.spawned[0]!.exit(0);
    await first.exited;
    expect(runner.ran.filter((c) => c.args[0]!.startsWith('/delete'))).toEqual([]);
    runner.spawned[1]!.exit(0);
    await second.exited;
    expect(runner.ran.filter((c) => c.args[0]!.startsWith('/delete'))).toHaveLength(1);
  });

  it('cleans up when stopped (dispose ends mstsc) and on a failed start', async () => {
    const { runner, fs, launcher } = setup();
    const launched = await launcher.launch(request());
    await launched.dispose();
    expect(runner.spawned[0]!.killed).toBe(true);
    expect(runner.ran.at(-1)!.args).toEqual(['/delete:TERMSRV/127.0.0.1']);
    expect(fs.leftovers()).toEqual([]);

    runner.spawnError = Object.assign(new Error('spawn mstsc.exe EACCES'), { code: 'EACCES' });
    const error = await appErrorOf(launcher.launch(request()));
    expect(error.code).toBe('RDP_LAUNCH_FAILED');
    expect(runner.ran.at(-1)!.args).toEqual(['/delete:TERMSRV/127.0.0.1']);
    expect(fs.leftovers()).toEqual([]);
  });

  it('lets mstsc prompt when cmdkey refuses, and never stages anything without a password', async () => {
    const { runner, fs, launcher } = setup();
    runner.runResult = () => ({ code: 1, signal: null, stdout: '', stderr: 'denied' });
    const launched = await launcher.launch(request());
    expect(launched.passwordDelivered).toBe(false);
    expect(decodeUtf16([...fs.files.values()][0]!.content)).toContain('prompt for credentials:i:1');
    runner.spawned[0]!.exit(0);
    await launched.exited;
    expect(runner.ran.filter((c) => c.args[0]!.startsWith('/delete'))).toEqual([]);

    runner.ran.length = 0;
    const without = await launcher.launch(request({ password: undefined }));
    expect(without.passwordDelivered).toBe(false);
    expect(runner.ran).toEqual([]);
  });

  it('reports a failed mstsc exit, and RDP_CLIENT_MISSING without mstsc', async () => {
    const { runner, launcher, fs } = setup();
    const launched = await launcher.launch(request());
    runner.spawned[0]!.exit(2);
    expect((await launched.exited!).error?.code).toBe('RDP_LAUNCH_FAILED');

    fs.present.clear();
    expect(await launcher.detect()).toBeUndefined();
    const missing = await appErrorOf(launcher.launch(request()));
    expect(missing.code).toBe('RDP_CLIENT_MISSING');
    expect(missing.hint).toMatch(/Optional features/);
    runner.onPath.set('mstsc.exe', 'D:\\Tools\\mstsc.exe');
    expect((await launcher.detect())?.path).toBe('D:\\Tools\\mstsc.exe');
  });

  it('keeps a list of staged targets (never passwords) and clears what a crashed run left behind', async () => {
    const LIST = 'C:\\Users\\ana\\AppData\\Bastionless\\rdp-staged-credentials.json';
    const { runner, fs } = setup();
    const { log } = memoryLogger();
    const launcher = new WindowsLauncher({ runner, fs, log, systemRoot: 'C:\\Windows', stagedList: LIST });
    const launched = await launcher.launch(request());
    expect(JSON.parse((await fs.readText(LIST))!)).toEqual(['TERMSRV/127.0.0.1']);
    expect((await fs.readText(LIST))!).not.toContain(PASSWORD);
    runner.spawned[0]!.exit(0);
    await launched.exited;
    expect(await fs.readText(LIST)).toBeUndefined();

    // The app died while mstsc ran: the list is still there at the next start.
    await fs.writeText(LIST, JSON.stringify(['TERMSRV/127.0.0.1', 'github.com', 'TERMSRV/x" /delete:*']));
    runner.ran.length = 0;
    runner.runResult = () => ({ code: 1, signal: null, stdout: 'Element not found.', stderr: '' });
    const next = new WindowsLauncher({ runner, fs, log, systemRoot: 'C:\\Windows', stagedList: LIST });
    await next.recoverStaleCredentials();
    expect(runner.ran).toEqual([{ command: CMDKEY, args: ['/delete:TERMSRV/127.0.0.1'] }]);
    expect(await fs.readText(LIST)).toBeUndefined();
    await next.recoverStaleCredentials();
    expect(runner.ran).toHaveLength(1);
  });

  it('never logs the password', async () => {
    const { runner, launcher, sink } = setup();
    runner.runResult = (call) => ({ code: call.args[0]!.startsWith('/delete') ? 5 : 0, signal: null, stdout: '', stderr: '' });
    const launched = await launcher.launch(request());
    runner.spawned[0]!.exit(3);
    await launched.exited;
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(sink.lines.join('\n')).not.toContain(PASSWORD);
  });
});

describe('the macOS launcher (Windows App / Microsoft Remote Desktop)', () => {
  function setup() {
    const runner = new FakeRunner();
    const fs = new MemoryFs();
    const { log } = memoryLogger();
    return { runner, fs, launcher: new MacLauncher({ runner, fs, log, home: '/Users/ana' }) };
  }

  it('finds Windows App through Spotlight by bundle id', async () => {
    const { runner, launcher } = setup();
    runner.runResult = (call) =>
      call.args[0] === 'kMDItemCFBundleIdentifier == "com.microsoft.rdc.macos"'
        ? { code: 0, signal: null, stdout: '/Applications/Windows App.app\n', stderr: '' }
        : { code: 0, signal: null, stdout: '', stderr: '' };
    expect(await launcher.detect()).toEqual({ id: 'windows-app', name: 'Windows App', path: '/Applications/Windows App.app', acceptsPassword: false });
    expect(runner.ran[0]!.command).toBe('/usr/bin/mdfind');
  });

  it('falls back to the Applications folders when Spotlight finds nothing', async () => {
    const { fs, launcher } = setup();
    fs.present.add('/Users/ana/Applications/Microsoft Remote Desktop.app');
    expect((await launcher.detect())?.name).toBe('Microsoft Remote Desktop');
  });

  it('opens a UTF-8 .rdp file without the password, which the person pastes', async () => {
    const { runner, fs, launcher } = setup();
    fs.present.add('/Applications/Windows App.app');
    const launched = await launcher.launch(request());
    expect(launched.passwordDelivered).toBe(false);
    expect(launched.exited).toBeUndefined();
    const [file] = [...fs.files.keys()];
    const text = fs.files.get(file!)!.content.toString('utf8');
    expect(text).toContain('full address:s:127.0.0.1:49731\r\n');
    expect(text).toContain('prompt for credentials:i:1');
    expect(text).not.toContain(PASSWORD);
    expect(fs.files.get(file!)!.mode).toBe(0o600);
    expect(runner.ran.at(-1)).toEqual({ command: '/usr/bin/open', args: ['-a', '/Applications/Windows App.app', file] });
    expect(JSON.stringify(runner.ran)).not.toContain(PASSWORD);
    // The app reads the file after `open` returns: it stays until the session ends.
    expect(fs.leftovers()).toHaveLength(2);
    await launched.dispose();
    expect(fs.leftovers()).toEqual([]);
  });

  it('removes the file when open fails, and names Windows App when nothing is installed', async () => {
    const { runner, fs, launcher } = setup();
    fs.present.add('/Applications/Windows App.app');
    runner.runResult = (call) => ({ code: call.command === '/usr/bin/open' ? 1 : 0, signal: null, stdout: '', stderr: '' });
    expect((await appErrorOf(launcher.launch(request()))).code).toBe('RDP_LAUNCH_FAILED');
    expect(fs.leftovers()).toEqual([]);
    fs.present.clear();
    const missing = await appErrorOf(launcher.launch(request()));
    expect(missing.code).toBe('RDP_CLIENT_MISSING');
    expect(missing.hint).toMatch(/Windows App .* Mac App Store/);
  });
});

describe('the Linux launcher (xfreerdp, Remmina)', () => {
  function setup(options: { authOnly?: boolean; display?: string | undefined } = {}) {
    const runner = new FakeRunner();
    const { log, sink } = memoryLogger();
    const launcher = new LinuxLauncher({ runner, log, authOnly: options.authOnly ?? false, display: 'display' in options ? options.display : ':0' });
    return { runner, launcher, sink };
  }

  it('prefers xfreerdp, then xfreerdp3, then Remmina', async () => {
    const { runner, launcher } = setup();
    expect(await launcher.detect()).toBeUndefined();
    runner.onPath.set('remmina', '/usr/bin/remmina');
    expect((await launcher.detect())?.id).toBe('remmina');
    runner.onPath.set('xfreerdp3', '/usr/bin/xfreerdp3');
    expect((await launcher.detect())?.name).toBe('xfreerdp3');
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    expect(await launcher.detect()).toEqual({ id: 'xfreerdp', name: 'xfreerdp', path: '/usr/bin/xfreerdp', acceptsPassword: true });
  });

  it('passes the password on stdin, never in the arguments', async () => {
    const { runner, launcher } = setup();
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    const launched = await launcher.launch(request());
    const [process] = runner.spawned;
    expect(process!.command).toBe('/usr/bin/xfreerdp');
    expect(process!.args).toEqual([
      '/v:127.0.0.1:49731',
      '/u:Administrator',
      '/d:',
      '/from-stdin:force',
      '/cert:ignore',
      '/t:Win 2022 / build (Bastionless)',
      '/dynamic-resolution',
      '+clipboard',
      '+auto-reconnect',
    ]);
    expect(process!.args.join(' ')).not.toContain(PASSWORD);
    expect(process!.options.stdin).toBe(`${PASSWORD}\n`);
    expect(process!.options.env).toEqual({ DISPLAY: ':0' });
    expect(launched.passwordDelivered).toBe(true);
    expect(launched.authOnly).toBe(false);
  });

  it('treats disconnects and log-offs as normal ends and the rest as errors', async () => {
    const { runner, launcher } = setup();
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    for (const code of [0, 1, 2, 11, 12]) {
      const launched = await launcher.launch(request());
      runner.spawned.at(-1)!.exit(code);
      expect((await launched.exited!).error).toBeUndefined();
    }
    const failed = await launcher.launch(request());
    runner.spawned.at(-1)!.exit(131);
    expect((await failed.exited!).error?.message).toMatch(/connection failed \(exit code 131\)/);
    const stopped = await launcher.launch(request());
    await stopped.dispose();
    expect(runner.spawned.at(-1)!.killed).toBe(true);
    expect((await stopped.exited!).error).toBeUndefined();
  });

  it('in auth-only mode adds /auth-only and reports the exit code', async () => {
    const { runner, launcher, sink } = setup({ authOnly: true });
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    const ok = await launcher.launch(request());
    expect(ok.authOnly).toBe(true);
    expect(runner.spawned[0]!.args).toEqual(['/v:127.0.0.1:49731', '/u:Administrator', '/d:', '/from-stdin:force', '/cert:ignore', '/auth-only']);
    runner.spawned[0]!.exit(0);
    expect((await ok.exited!).error).toBeUndefined();

    const refused = await launcher.launch(request());
    runner.spawned[1]!.exit(147);
    const exit = await refused.exited!;
    expect(exit.code).toBe(147);
    expect(exit.error?.code).toBe('RDP_LAUNCH_FAILED');
    expect(exit.error?.message).toMatch(/password was refused .*exit code 147/);
    expect(sink.lines.join('\n')).not.toContain(PASSWORD);
    // 1 is a normal end for a window, not for an auth-only check.
    expect(xfreerdpExitError('xfreerdp', 1, null, true)).toBeInstanceOf(AppError);
    expect(xfreerdpExitError('xfreerdp', 1, null, false)).toBeUndefined();
  });

  it('starts Remmina without the password, for the person to paste', async () => {
    const { runner, launcher } = setup();
    runner.onPath.set('remmina', '/usr/bin/remmina');
    const launched = await launcher.launch(request({ username: 'Dom User' }));
    expect(runner.spawned[0]!.args).toEqual(['-c', 'rdp://Dom%20User@127.0.0.1:49731']);
    expect(runner.spawned[0]!.options.stdin).toBeUndefined();
    expect(launched.passwordDelivered).toBe(false);
    expect(launched.exited).toBeUndefined();
    await launched.dispose();
    expect(runner.spawned[0]!.killed).toBe(false);
  });

  it('without a password lets Windows show its sign-in screen', async () => {
    const { runner, launcher } = setup();
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    const launched = await launcher.launch(request({ password: undefined }));
    expect(runner.spawned[0]!.args.slice(0, 4)).toEqual(['/v:127.0.0.1:49731', '/u:Administrator', '/sec:tls', '/cert:ignore']);
    expect(runner.spawned[0]!.options.stdin).toBeUndefined();
    expect(launched.passwordDelivered).toBe(false);
  });

  it('explains a missing client, a missing display, and auth-only without xfreerdp', async () => {
    const missing = await appErrorOf(setup().launcher.launch(request()));
    expect(missing.code).toBe('RDP_CLIENT_MISSING');
    expect(missing.hint).toMatch(/apt install freerdp2-x11/);

    const headless = setup({ display: undefined });
    headless.runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    expect((await appErrorOf(headless.launcher.launch(request()))).message).toMatch(/DISPLAY is not set/);

    const withoutPassword = setup({ authOnly: true });
    withoutPassword.runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    expect((await appErrorOf(withoutPassword.launcher.launch(request({ password: undefined })))).message).toMatch(/auth-only check needs the password/);
    expect(withoutPassword.runner.spawned).toEqual([]);

    const remminaOnly = setup({ authOnly: true });
    remminaOnly.runner.onPath.set('remmina', '/usr/bin/remmina');
    expect((await appErrorOf(remminaOnly.launcher.launch(request()))).message).toMatch(/auth-only check needs xfreerdp/);
  });

  it('turns a client that cannot start into RDP_LAUNCH_FAILED', async () => {
    const { runner, launcher } = setup();
    runner.onPath.set('xfreerdp', '/usr/bin/xfreerdp');
    runner.spawnError = new Error('spawn /usr/bin/xfreerdp EACCES');
    expect((await appErrorOf(launcher.launch(request()))).code).toBe('RDP_LAUNCH_FAILED');
  });
});

describe('choosing the launcher', () => {
  it('picks one per OS and reads the auth-only switch', async () => {
    const { log } = memoryLogger();
    const base = { env: {}, home: '/home/a', runner: new FakeRunner(), fs: new MemoryFs(), log };
    expect(createLauncher({ ...base, platform: 'win32' })).toBeInstanceOf(WindowsLauncher);
    expect(createLauncher({ ...base, platform: 'darwin' })).toBeInstanceOf(MacLauncher);
    expect(createLauncher({ ...base, platform: 'linux' })).toBeInstanceOf(LinuxLauncher);
    const none = createLauncher({ ...base, platform: 'aix' });
    expect(await none.detect()).toBeUndefined();
    expect((await appErrorOf(none.launch(request()))).code).toBe('RDP_CLIENT_MISSING');
    expect(isAuthOnlyMode({ BASTIONLESS_RDP_AUTH_ONLY: '1' })).toBe(true);
    expect(isAuthOnlyMode({ BASTIONLESS_RDP_AUTH_ONLY: 'yes' })).toBe(false);
    expect(isAuthOnlyMode({})).toBe(false);
  });
});
