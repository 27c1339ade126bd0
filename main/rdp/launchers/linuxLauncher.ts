import { AppError } from '../../../preload/contract';
import type { Logger } from '../../log';
import type { ProcessRunner, SpawnedProcess } from './launcherIo';
import type { ClientExit, LaunchedClient, LaunchRequest, RdpClientInfo, RdpLauncher } from './rdpLauncher';

export interface LinuxLauncherOptions {
  runner: ProcessRunner;
  log: Logger;
  /**
   * Test and diagnostic mode (BASTIONLESS_RDP_AUTH_ONLY=1): xfreerdp runs with `/auth-only`,
   * signs in through the tunnel and exits, and its exit code is reported (0: the password was
   * accepted). No window opens.
   */
  authOnly?: boolean;
  /** $DISPLAY: xfreerdp is an X11 client (XWayland provides one under Wayland). */
  display: string | undefined;
}

/** FreeRDP's X11 client (2.x, then 3.x's name), then Remmina. */
const CANDIDATES: readonly { command: string; client: Omit<RdpClientInfo, 'path'> }[] = [
  { command: 'xfreerdp', client: { id: 'xfreerdp', name: 'xfreerdp', acceptsPassword: true } },
  { command: 'xfreerdp3', client: { id: 'xfreerdp', name: 'xfreerdp3', acceptsPassword: true } },
  { command: 'remmina', client: { id: 'remmina', name: 'Remmina', acceptsPassword: false } },
];

const INSTALL_HINT =
  'Install FreeRDP (Debian/Ubuntu: sudo apt install freerdp2-x11; Fedora: sudo dnf install freerdp) or Remmina, then try again. Meanwhile any RDP client can connect to the address shown here.';

/** xfreerdp exit codes (client/X11 xf_client.h) that mean the session ended normally. */
const NORMAL_EXITS = new Set([0, 1, 2, 3, 11, 12]);

/**
 * Linux: xfreerdp with the password on stdin (`/from-stdin:force`), never in its arguments,
 * so it does not appear in the process list; or Remmina, which is started without the password
 * (its `.remmina` files need Remmina's own encryption), and the person pastes it.
 */
export class LinuxLauncher implements RdpLauncher {
  readonly installHint = INSTALL_HINT;
  private readonly live = new Set<LaunchedClient>();

  constructor(private readonly options: LinuxLauncherOptions) {}

  async detect(): Promise<RdpClientInfo | undefined> {
    for (const candidate of CANDIDATES) {
      const path = await this.options.runner.which(candidate.command);
      if (path) return { ...candidate.client, path };
    }
    return undefined;
  }

  async launch(request: LaunchRequest): Promise<LaunchedClient> {
    const client = await this.detect();
    if (!client) throw new AppError('RDP_CLIENT_MISSING', 'No RDP client was found on this computer.', { hint: this.installHint });
    const authOnly = (this.options.authOnly ?? false) && client.id === 'xfreerdp';
    if (this.options.authOnly && !authOnly) {
      throw new AppError('RDP_LAUNCH_FAILED', 'The auth-only check needs xfreerdp, and only Remmina is installed.', {
        hint: 'Install FreeRDP (sudo apt install freerdp2-x11), or unset BASTIONLESS_RDP_AUTH_ONLY.',
      });
    }
    if (authOnly && request.password === undefined) {
      throw new AppError('RDP_LAUNCH_FAILED', 'The auth-only check needs the password, and this session has none.', {
        hint: 'Unset BASTIONLESS_RDP_AUTH_ONLY to open a window and sign in yourself, or launch with the password.',
      });
    }
    if (client.id === 'xfreerdp' && !this.options.display) {
      throw new AppError('RDP_LAUNCH_FAILED', `${client.name} needs a graphical session, and none was found (DISPLAY is not set).`, {
        hint: 'Start Bastionless from your desktop session, or connect an RDP client on another screen to the address shown here.',
      });
    }
    let process: SpawnedProcess;
    try {
      if (client.id === 'remmina') {
        process = await this.options.runner.spawn(client.path, remminaArguments(request));
      } else {
        const args = xfreerdpArguments(request, { authOnly });
        const env = { DISPLAY: this.options.display! };
        process = await this.options.runner.spawn(client.path, args, request.password === undefined ? { env } : { env, stdin: `${request.password}\n` });
      }
    } catch (error) {
      throw new AppError('RDP_LAUNCH_FAILED', `${client.name} could not be started.`, {
        hint: 'Connect any RDP client to the address shown here, with Copy password.',
        cause: error,
      });
    }
    return this.track(client, process, request, authOnly);
  }

  private track(client: RdpClientInfo, process: SpawnedProcess, request: LaunchRequest, authOnly: boolean): LaunchedClient {
    const isRemmina = client.id === 'remmina';
    const exited = process.exited.then((exit): ClientExit => {
      const error = isRemmina ? undefined : xfreerdpExitError(client.name, exit.code, exit.signal, authOnly);
      if (error) this.options.log.warn('the RDP client ended with an error', { client: client.name, code: exit.code, signal: exit.signal, output: process.outputTail() });
      return { ...exit, ...(error ? { error } : {}) };
    });
    let disposed: Promise<void> | undefined;
    const launched: LaunchedClient = {
      client,
      passwordDelivered: !isRemmina && request.password !== undefined,
      authOnly,
      // A second `remmina -c` hands the connection to the running Remmina and exits at once:
      // its exit says nothing about the session.
      exited: isRemmina ? undefined : exited,
      dispose: () =>
        (disposed ??= (async () => {
          this.live.delete(launched);
          // Remmina may be the person's long-running app with other connections: leave it be.
          if (!isRemmina) {
            process.kill();
            await exited;
          }
        })()),
    };
    this.live.add(launched);
    void exited.then(() => this.live.delete(launched));
    return launched;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((client) => client.dispose()));
  }
}

/**
 * xfreerdp's arguments. With a password: `/from-stdin:force` reads it from stdin before
 * connecting (the user name is given and `/d:` an empty domain, so the password is the only
 * prompt in FreeRDP 2 and 3). `/cert:ignore`: the instance's certificate is self-signed and
 * cannot name 127.0.0.1; the tunnel itself is authenticated (TLS to the AWS endpoint, SigV4),
 * and FreeRDP would otherwise ask on stdin, which it reads as a refusal.
 */
export function xfreerdpArguments(request: LaunchRequest, options: { authOnly: boolean }): string[] {
  const args = [`/v:${request.address}:${request.port}`, `/u:${request.username}`];
  if (request.password !== undefined) args.push('/d:', '/from-stdin:force');
  // Without a password there is no NLA credential: Windows shows its own sign-in screen over TLS.
  else args.push('/sec:tls');
  args.push('/cert:ignore');
  if (options.authOnly) args.push('/auth-only');
  else args.push(`/t:${request.label} (Bastionless)`, '/dynamic-resolution', '+clipboard', '+auto-reconnect');
  return args;
}

export function remminaArguments(request: LaunchRequest): string[] {
  return ['-c', `rdp://${encodeURIComponent(request.username)}@${request.address}:${request.port}`];
}

/** The error an xfreerdp exit stands for; undefined for a normal end (or success in auth-only mode). */
export function xfreerdpExitError(name: string, code: number | null, signal: string | null, authOnly: boolean): AppError | undefined {
  if (code === null) {
    // We end the client with SIGTERM when the person stops the session.
    if (signal === 'SIGTERM') return undefined;
    return new AppError('RDP_LAUNCH_FAILED', `${name} stopped unexpectedly (${signal ?? 'no exit code'}).`, {
      hint: 'Launch it again, or connect any RDP client to the address shown here with Copy password.',
    });
  }
  if (authOnly ? code === 0 : NORMAL_EXITS.has(code)) return undefined;
  const known = XFREERDP_FAILURES[code];
  return new AppError('RDP_LAUNCH_FAILED', `${name} could not sign in: ${known?.what ?? 'it stopped with an error'} (exit code ${code}).`, {
    hint: known?.hint ?? 'Launch it again, or connect any RDP client to the address shown here with Copy password.',
  });
}

const XFREERDP_FAILURES: Record<number, { what: string; hint: string }> = {
  128: { what: 'it did not accept its arguments', hint: 'Your FreeRDP may be too old or too new for Bastionless; connect to the address shown here by hand.' },
  131: { what: 'the connection failed', hint: 'Check the tunnel in the Tunnels view and try again.' },
  132: { what: 'authentication failed', hint: 'Check the user name; Copy password and sign in by hand to rule out a changed password.' },
  134: { what: 'Windows refused the sign-in', hint: 'The password may have been changed since launch (AWS only knows the first one). Sign in with the current password.' },
  135: { what: 'the account is locked out', hint: 'Wait for the lockout to end or unlock the account on the instance.' },
  143: { what: 'the TLS handshake failed', hint: 'Check that Remote Desktop is enabled on the instance.' },
  147: {
    what: 'the password was refused or the connection dropped',
    hint: 'If the password was changed since launch, sign in with the current one (AWS only knows the first). Otherwise check the tunnel in the Tunnels view and try again.',
  },
  148: { what: 'the password has expired', hint: 'Sign in once with mstsc or Windows App to change it.' },
  149: { what: 'the password must be changed', hint: 'Sign in once with mstsc or Windows App to change it.' },
  151: { what: 'the account is disabled', hint: 'Enable the account on the instance, or sign in as another user.' },
  154: { what: 'the password was wrong', hint: 'The password may have been changed since launch (AWS only knows the first). Sign in with the current password.' },
  155: { what: 'access was denied', hint: 'The account may not be allowed to sign in through Remote Desktop.' },
};
