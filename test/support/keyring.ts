import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireBinary } from './requireBinary';

/** A private D-Bus session with (or without) gnome-keyring's Secret Service, for keychain tests. */
export interface KeyringSession {
  /** HOME, XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS of the session. */
  env: { HOME: string; XDG_RUNTIME_DIR: string; DBUS_SESSION_BUS_ADDRESS: string };
  /** Locks the default ("login") collection, as a screen lock would. */
  lock(): void;
  /** Looks an item up with libsecret's own CLI (`secret-tool lookup service bastionless account ACCOUNT`). */
  lookup(account: string): string | null;
  /** Stops the keyring daemon and the bus, by PID. */
  stop(): Promise<void>;
}

export const KEYRING_PASSWORD = 'test-keyring-password';

function waitExit(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = waitExit(child);
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts `dbus-daemon` with a config of our own (no service activation, so nothing starts
 * behind our back) on a socket in a 0700 XDG_RUNTIME_DIR inside a temp HOME, then, unless
 * `secretService` is false, `gnome-keyring-daemon --unlock --components=secrets` on it, and
 * waits until the Secret Service name is on the bus (ENVIRONMENT.md). Set
 * `process.env.DBUS_SESSION_BUS_ADDRESS` to `env.DBUS_SESSION_BUS_ADDRESS` before keytar is
 * first used: libsecret connects once per process.
 */
export async function startKeyring(options: { secretService?: boolean } = {}): Promise<KeyringSession> {
  const dbusDaemon = requireBinary('dbus-daemon');
  const dbusSend = requireBinary('dbus-send', 'dbus-daemon');
  const home = mkdtempSync(join(tmpdir(), 'bl-keyring-'));
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const config = join(home, 'session.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${runtime}/bus</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: runtime };
  const bus = spawn(dbusDaemon, ['--config-file', config, '--nofork', '--print-address=1'], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let keyring: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    await stopChild(keyring);
    await stopChild(bus);
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      createInterface({ input: bus.stdout! }).once('line', (line) => resolve(line.trim()));
      bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    });
    const env = { HOME: home, XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: address };
    const send = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(dbusSend, ['--session', '--print-reply', ...args], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 10_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    if (options.secretService !== false) {
      const daemon = requireBinary('gnome-keyring-daemon');
      keyring = spawn(daemon, ['--foreground', '--unlock', '--components=secrets'], { env: { ...baseEnv, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
      keyring.stdin!.end(KEYRING_PASSWORD);
      // Wait for the daemon to own its name: before that, a client would find no Secret Service.
      for (;;) {
        if (keyring.exitCode !== null) throw new Error(`gnome-keyring-daemon exited with ${keyring.exitCode}`);
        const r = send(['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets']);
        if (r.stdout.includes('boolean true')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return {
      env,
      lock() {
        const r = send(['--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login']);
        if (r.status !== 0) throw new Error(`could not lock the keyring: ${r.stderr}`);
      },
      lookup(account) {
        const tool = requireBinary('secret-tool');
        const r = spawnSync(tool, ['lookup', 'service', 'bastionless', 'account', account], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 10_000 });
        return r.status === 0 ? r.stdout : null;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
