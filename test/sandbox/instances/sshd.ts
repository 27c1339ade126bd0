/**
 * A real OpenSSH server on 127.0.0.1 standing in for an EC2 instance (ENVIRONMENT.md).
 *
 * `startSshd(options)` options:
 * - `mode`: `'eic'` (default) behaves like an AMI with the ec2-instance-connect package: sshd's
 *   `AuthorizedKeysCommand /bin/sh SCRIPT %u %f` (run as `nobody`) prints the keys pushed for
 *   that user with `pushKey()` whose 60 s have not passed. Key-pair keys given in
 *   `authorizedKeys` are accepted too, as cloud-init installs them on a real instance.
 *   `'keyfile'` is an old AMI without the package: only the static `authorizedKeys` get in;
 *   `pushKey()` still records the push (SendSSHPublicKey succeeds on AWS) but sshd never
 *   asks for it.
 * - `users`: OS users that must exist (default `['ec2-user']`); missing ones are created with
 *   `useradd -m` and unlocked with `usermod -p '*'` (a useradd user is locked for sshd).
 * - `authorizedKeys`: `{ osUser: [publicKeyLine, ...] }`, the key pair's public keys.
 * - `hostKeyType`: `'ed25519'` (default), `'ecdsa'` or `'rsa'`.
 * - `port`: a fixed port; a free one by default (retried on a bind race).
 *
 * The server runs as root (sshd needs it to switch users) with its own host key, config and
 * key folder in a temp dir; `UsePAM no`, `PasswordAuthentication no`, no root login, and no
 * user's own `~/.ssh/authorized_keys` is ever read. `stop()` ends the listener and every
 * connection process it forked, by PID.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../../support/requireBinary';
import { freePort, LineBuffer, ManagedProcess, trackTempDir } from './managedProcess';

export type SshdMode = 'eic' | 'keyfile';
export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshdOptions {
  mode?: SshdMode;
  users?: string[];
  authorizedKeys?: Record<string, string[]>;
  hostKeyType?: HostKeyType;
  port?: number;
}

export interface PushedKey {
  osUser: string;
  publicKey: string;
  /** Epoch milliseconds after which sshd no longer accepts the key. */
  expiresAt: number;
}

export interface Sshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly mode: SshdMode;
  /** `SHA256:...` of the current host key, as OpenSSH prints it. */
  readonly hostKeyFingerprint: string;
  /** The host key's public line (`ssh-ed25519 AAAA...`), for known_hosts checks. */
  readonly hostPublicKey: string;
  /** PID of the listening sshd (changes after `regenerateHostKey()`). */
  readonly pid: number;
  /** Accepts `publicKeyLine` for `osUser` for `ttlSeconds` (the ec2-instance-connect window). */
  pushKey(osUser: string, publicKeyLine: string, ttlSeconds?: number): void;
  /** The keys pushed and not yet expired, optionally for one user. */
  pushedKeys(osUser?: string): PushedKey[];
  /** Expires every pushed key now (or only `osUser`'s), as if the 60 s had passed. */
  expirePushedKeys(osUser?: string): void;
  /** Replaces the static authorized keys of `osUser` (the key pair's public keys). */
  setAuthorizedKeys(osUser: string, publicKeyLines: string[]): void;
  /** Creates `osUser` if missing and unlocks it for key logins. */
  ensureUser(osUser: string): Promise<void>;
  /**
   * Restarts sshd with a newly generated host key, on the same port unless another process
   * took it in the moment it was free (then on a new one: read `port` again). Live
   * connections are dropped, as when an instance is replaced behind the same address.
   */
  regenerateHostKey(): Promise<void>;
  /** The last lines sshd logged (auth results, errors). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const KEY_LINE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) ([A-Za-z0-9+/]+={0,2})(?: [^\r\n]*)?$/;

/** Starts a real sshd on 127.0.0.1; see the file header for the options. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const server = new SshdServer(options);
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** `SHA256:<base64 without padding>` of an OpenSSH public key line, as `ssh-keygen -l` prints. */
export function sshFingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error('Not an OpenSSH public key line.');
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** Parses and normalises a public key line to `type base64` (the comment dropped). */
export function normalisePublicKey(publicKeyLine: string): string {
  const match = KEY_LINE.exec(publicKeyLine.trim());
  if (!match) throw new Error('Not an OpenSSH public key line (expected "ssh-ed25519 AAAA...", "ssh-rsa AAAA..." or "ecdsa-sha2-... AAAA...").');
  return `${match[1]} ${match[2]}`;
}

class SshdServer implements Sshd {
  readonly host = '127.0.0.1' as const;
  readonly mode: SshdMode;
  port = 0;
  hostPublicKey = '';
  private readonly dir: string;
  private readonly users: string[];
  /** Every user this "instance" has: the machine's other users do not exist on it. */
  private readonly allowedUsers: string[];
  private readonly hostKeyType: HostKeyType;
  private readonly fixedPort: number | undefined;
  private proc: ManagedProcess | null = null;
  private readonly log = new LineBuffer();
  private pushed: PushedKey[] = [];
  private stopped = false;
  private readonly removeDir: () => void;

  constructor(options: SshdOptions) {
    this.mode = options.mode ?? 'eic';
    this.users = options.users ?? ['ec2-user'];
    for (const user of [...this.users, ...Object.keys(options.authorizedKeys ?? {})]) assertUserName(user);
    this.allowedUsers = [...new Set([...this.users, ...Object.keys(options.authorizedKeys ?? {})])];
    this.hostKeyType = options.hostKeyType ?? 'ed25519';
    this.fixedPort = options.port;
    this.dir = mkdtempSync(join(tmpdir(), 'bastionless-sshd-'));
    this.removeDir = trackTempDir(this.dir);
    // sshd runs the keys command as `nobody`: it must be able to read the script and keys.
    chmodSync(this.dir, 0o755);
    mkdirSync(join(this.dir, 'pushed'), { mode: 0o755 });
    mkdirSync(join(this.dir, 'authorized_keys'), { mode: 0o755 });
    for (const [user, keys] of Object.entries(options.authorizedKeys ?? {})) this.setAuthorizedKeys(user, keys);
  }

  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  get hostKeyFingerprint(): string {
    return sshFingerprint(this.hostPublicKey);
  }

  async start(): Promise<void> {
    const sshd = requireBinary('/usr/sbin/sshd', 'sshd');
    requireBinary('ssh-keygen');
    // sshd's privilege-separation folder; systemd (which would create it) is not running.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    for (const user of this.users) await this.ensureUser(user);
    if (!this.hostPublicKey) await this.generateHostKey();
    this.writeScript();
    const penalties = supportsPerSourcePenalties(sshd);
    for (let attempt = 0; ; attempt++) {
      const port = this.fixedPort ?? (this.port || (await freePort()));
      this.writeConfig(port, penalties);
      try {
        await this.launch(sshd, port);
        this.port = port;
        return;
      } catch (error) {
        // Another process took the free port between our check and sshd's bind: try another.
        if (this.fixedPort !== undefined || attempt >= 4 || !/Address already in use|Cannot bind/.test(this.log.tail(5))) throw error;
        this.port = 0;
      }
    }
  }

  pushKey(osUser: string, publicKeyLine: string, ttlSeconds = 60): void {
    assertUserName(osUser);
    const publicKey = normalisePublicKey(publicKeyLine);
    this.pushed = this.live();
    this.pushed.push({ osUser, publicKey, expiresAt: Date.now() + ttlSeconds * 1000 });
    this.writePushed(osUser);
  }

  pushedKeys(osUser?: string): PushedKey[] {
    return this.live().filter((k) => osUser === undefined || k.osUser === osUser);
  }

  expirePushedKeys(osUser?: string): void {
    const users = new Set(this.pushed.map((k) => k.osUser));
    this.pushed = this.pushed.filter((k) => osUser !== undefined && k.osUser !== osUser);
    for (const user of users) this.writePushed(user);
  }

  setAuthorizedKeys(osUser: string, publicKeyLines: string[]): void {
    assertUserName(osUser);
    const lines = publicKeyLines.map(normalisePublicKey);
    atomicWrite(join(this.dir, 'authorized_keys', osUser), lines.map((l) => `${l}\n`).join(''));
  }

  async ensureUser(osUser: string): Promise<void> {
    assertUserName(osUser);
    await ensureOsUser(osUser);
  }

  async regenerateHostKey(): Promise<void> {
    if (this.stopped) throw new Error('This sshd is stopped.');
    await this.proc?.stop();
    this.proc = null;
    await this.generateHostKey();
    // start() binds the current port again, or a fresh one if something grabbed it meanwhile.
    await this.start();
  }

  logTail(lines = 40): string {
    return this.log.tail(lines);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.proc?.stop();
    this.proc = null;
    this.removeDir();
  }

  private live(): PushedKey[] {
    const now = Date.now();
    return this.pushed.filter((k) => k.expiresAt > now);
  }

  private writePushed(osUser: string): void {
    // One line per key: "<expiry epoch seconds> <type> <base64>"; the script compares with `date +%s`.
    const lines = this.pushed.filter((k) => k.osUser === osUser).map((k) => `${Math.floor(k.expiresAt / 1000)} ${k.publicKey}\n`);
    atomicWrite(join(this.dir, 'pushed', osUser), lines.join(''));
  }

  private async generateHostKey(): Promise<void> {
    const keyFile = join(this.dir, 'host_key');
    rmSync(keyFile, { force: true });
    rmSync(`${keyFile}.pub`, { force: true });
    const bits = this.hostKeyType === 'rsa' ? ['-b', '3072'] : [];
    await run(requireBinary('ssh-keygen'), ['-q', '-t', this.hostKeyType, ...bits, '-N', '', '-C', 'sandbox-host', '-f', keyFile]);
    this.hostPublicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  }

  private writeScript(): void {
    // Mimics ec2-instance-connect's eic_run_authorized_keys: print the unexpired keys pushed
    // for user $1. A user name with a slash or a leading dot never names a file here.
    const script = [
      '#!/bin/sh',
      'case "$1" in ""|*/*|.*) exit 0;; esac',
      `f='${join(this.dir, 'pushed')}'/"$1"`,
      '[ -r "$f" ] || exit 0',
      'now=$(date +%s)',
      'while read -r expires keytype key rest; do',
      '  [ "$expires" -gt "$now" ] 2>/dev/null && printf "%s %s\\n" "$keytype" "$key"',
      'done < "$f"',
      'exit 0',
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'eic_authorized_keys.sh'), script, { mode: 0o755 });
  }

  private writeConfig(port: number, penalties: boolean): void {
    const lines = [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(this.dir, 'host_key')}`,
      'PidFile none',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin no',
      // Users share this machine across sandbox instances; an instance knows only its own (a
      // real Ubuntu AMI has no ec2-user), so a wrong OS user is refused as it is on AWS.
      `AllowUsers ${this.allowedUsers.join(' ')}`,
      // The key files live under /tmp (world-writable), which StrictModes would refuse.
      'StrictModes no',
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}/%u`,
      'PrintMotd no',
      'X11Forwarding no',
      'AllowTcpForwarding yes',
      'AcceptEnv LANG LC_*',
      'LogLevel INFO',
    ];
    if (this.mode === 'eic') {
      lines.push(`AuthorizedKeysCommand /bin/sh ${join(this.dir, 'eic_authorized_keys.sh')} %u %f`, 'AuthorizedKeysCommandUser nobody');
    }
    const sftp = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server'].find((p) => existsSync(p));
    if (sftp) lines.push(`Subsystem sftp ${sftp}`);
    // OpenSSH 9.8+ penalises sources with failed logins; tests fail logins on purpose from 127.0.0.1.
    if (penalties) lines.push('PerSourcePenalties no');
    writeFileSync(join(this.dir, 'sshd_config'), `${lines.join('\n')}\n`, { mode: 0o644 });
  }

  private async launch(sshd: string, port: number): Promise<void> {
    const proc = await ManagedProcess.start(sshd, ['-D', '-e', '-f', join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.child.stderr?.on('data', (chunk: Buffer) => this.log.push(chunk));
    const ready = `Server listening on 127.0.0.1 port ${port}.`;
    let unsubscribe = (): void => undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        // Subscribed before any stderr is read (the listener above was attached in the same
        // tick as the spawn), so an older start's line never counts.
        unsubscribe = this.log.onLine((line) => line === ready && resolve());
        void proc.exited.then(({ code }) => reject(new Error(`sshd exited with ${code} before listening on port ${port}:\n${this.log.tail(8)}`)));
      });
    } finally {
      unsubscribe();
    }
  }
}

function assertUserName(name: string): void {
  if (!USER_NAME.test(name)) throw new Error(`"${name}" is not a valid OS user name (lowercase letters, digits, "_" and "-", at most 32).`);
}

function supportsPerSourcePenalties(sshd: string): boolean {
  const version = /OpenSSH_(\d+)\.(\d+)/.exec(spawnSyncText(sshd, ['-V']));
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > 9 || (major === 9 && minor >= 8);
}

function spawnSyncText(cmd: string, args: string[]): string {
  // `sshd -V` prints its version on stderr and exits non-zero on older releases.
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function atomicWrite(file: string, content: string): void {
  // The keys command may read at any moment: never let it see a half-written file.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, file);
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ code, output }) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${output.trim()}`))));
  });
}

/**
 * Makes `osUser` exist and accept key logins. Several test processes may do this at once:
 * useradd then fails on the passwd lock or because the other process won, so retry and
 * re-check instead of failing.
 */
async function ensureOsUser(osUser: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!userExists(osUser)) {
      const result = spawnSync(requireBinary('useradd', 'passwd'), ['-m', '-s', '/bin/bash', osUser], { encoding: 'utf8' });
      // 9: the user exists (another process created it); 1/10: passwd or group file busy.
      if (result.status !== 0 && result.status !== 9) {
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
        continue;
      }
    }
    if (!isLocked(osUser)) return;
    const result = spawnSync(requireBinary('usermod', 'passwd'), ['-p', '*', osUser], { encoding: 'utf8' });
    if (result.status === 0 && !isLocked(osUser)) return;
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  throw new Error(`Could not create the OS user "${osUser}" (useradd/usermod kept failing; are we root?).`);
}

function userExists(osUser: string): boolean {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .some((line) => line.startsWith(`${osUser}:`));
}

function isLocked(osUser: string): boolean {
  const line = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${osUser}:`));
  // "!" (locked, set by useradd) makes sshd refuse even key logins; "*" means "no password".
  return line === undefined || (line.split(':')[1] ?? '').startsWith('!');
}
