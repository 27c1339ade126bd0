import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: Node's ESM loader (the demo, the CLI) only sees its default export.
import ssh2, { type Algorithms, type AuthenticationType, type Client, type ClientChannel, type ParsedKey } from 'ssh2';
import { AppError } from '../../preload/contract';
import type { Logger } from '../log';
import type { AlgorithmLists } from './algorithms';
import { ShellChannel, type ShellChannelOptions } from './shellChannel';

/** How this connection logs in. */
export type ConnectionAuth =
  /** A private key already parsed (and decrypted): the ephemeral EIC key or a key pair. */
  | { kind: 'publickey'; key: ParsedKey }
  /** Password or keyboard-interactive, whichever the server offers, answered through `prompts`. */
  | { kind: 'interactive'; savedPassword?: string };

/** Asks the person for what the server wants. Both reject with CANCELLED when the person cancels. */
export interface AuthPrompts {
  /** The password of `username`; `attempt` counts from 1 (2 and up: the last one was refused). */
  password(username: string, attempt: number): Promise<string>;
  /** Answers to the server's keyboard-interactive questions, in order. */
  keyboardInteractive(request: { name: string; instructions: string; prompts: { prompt: string; echo: boolean }[]; attempt: number }): Promise<string[]>;
}

export interface SshConnectOptions {
  /** The byte stream to the server: a tunnel, or a TCP socket in tests. Never a local port. */
  sock: Duplex;
  username: string;
  auth: ConnectionAuth;
  /** Decides on the server's host key (its raw SSH blob). Resolve false to refuse. */
  verifyHostKey(key: Buffer): Promise<boolean>;
  algorithms: AlgorithmLists;
  prompts: AuthPrompts;
  log: Logger;
  /** Seconds between SSH keepalives; 0 turns them off. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** How long the server may take for the handshake and each login step (time spent on prompts is not counted). */
  handshakeTimeoutMs?: number;
  /** How long `end()` waits for the server's goodbye before cutting the stream. */
  closeGraceMs?: number;
  signal?: AbortSignal;
}

/** Why a ready connection ended, as far as SSH can tell. */
export interface ConnectionEnd {
  /** The server sent SSH_MSG_DISCONNECT (reason code and text) or closed the stream cleanly. */
  byServer: boolean;
  /** We ended it (`end()` / `dispose()`). */
  byUs: boolean;
  /** The error ssh2 reported (socket error, keepalive timeout, a protocol error), if any. */
  error?: { message: string; level?: string; code?: unknown };
}

type State = 'connecting' | 'ready' | 'ending' | 'closed';

const MAX_PASSWORD_ATTEMPTS = 3;
const MAX_KEYBOARD_ROUNDS = 6;

/**
 * One ssh2 Client over a byte stream: authentication, the host-key check, and the shells on
 * it. The stream is closed on ssh2's `close` event (never right after `end()`, or ssh2 writes
 * into a closing stream), with a grace timer in case the server never answers. Channels hold a
 * reference each; releasing the last one ends the connection.
 */
export class SshConnection {
  private state: State = 'connecting';
  private readonly client: Client = new ssh2.Client();
  private readonly channels = new Set<ShellChannel>();
  private readonly endListeners = new Set<(end: ConnectionEnd) => void>();
  private lastError: ConnectionEnd['error'];
  private serverDisconnected = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private cancelled: AppError | undefined;
  private hostKeyRefused = false;
  /** Stops (true) or restarts (false) the login timer while a prompt waits for the person. */
  private waitingForPerson: (waiting: boolean) => void = () => undefined;

  private constructor(private readonly options: SshConnectOptions) {}

  /**
   * Runs the SSH handshake and authentication over `options.sock`. Resolves once logged in.
   * Rejects with the raw cause wrapped by `SshConnectError` (the caller maps it with its
   * context), or with the AppError a prompt rejected with (CANCELLED).
   */
  static connect(options: SshConnectOptions): Promise<SshConnection> {
    const connection = new SshConnection(options);
    return connection.start().then(() => connection);
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get channelCount(): number {
    return this.channels.size;
  }

  private start(): Promise<void> {
    const { sock, username, algorithms, log, signal } = this.options;
    const client = this.client;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let handshakeTimer: NodeJS.Timeout | undefined;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(handshakeTimer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) {
          this.state = 'ready';
          resolve();
        } else {
          this.closeStream();
          reject(error);
        }
      };
      const onAbort = (): void => settle(signal?.reason instanceof AppError ? signal.reason : new AppError('CANCELLED', 'The connection was cancelled.'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      client.on('ready', () => settle());
      client.on('error', (error: Error & { level?: string; code?: unknown; description?: string }) => {
        this.lastError = { message: error.message, ...(error.level ? { level: error.level } : {}), ...(error.code !== undefined ? { code: error.code } : {}) };
        if (error.level === undefined && typeof error.code === 'number') this.serverDisconnected = true;
        log.debug('ssh error', { level: error.level, message: error.message });
        if (!settled) settle(this.cancelled ?? new SshConnectError(error, this.hostKeyRefused));
      });
      client.on('end', () => {
        // The server closed its side without an error: a clean close from the far end.
        if (this.state === 'ready') this.serverDisconnected = true;
      });
      client.on('close', () => {
        if (!settled) settle(this.cancelled ?? new SshConnectError(new Error('The connection closed before login finished.'), this.hostKeyRefused));
        this.onClosed();
      });

      // The server must answer each step of the handshake and login in time; the clock stops
      // while the person is answering a prompt (sshd's LoginGraceTime still applies).
      const handshakeTimeoutMs = this.options.handshakeTimeoutMs ?? 30_000;
      const startTimer = (): void => {
        clearTimeout(handshakeTimer);
        if (handshakeTimeoutMs <= 0 || settled) return;
        handshakeTimer = setTimeout(() => {
          const error = Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' });
          this.lastError = { message: error.message, level: error.level };
          settle(new SshConnectError(error, false));
        }, handshakeTimeoutMs);
      };
      this.waitingForPerson = (waiting) => (waiting ? clearTimeout(handshakeTimer) : startTimer());
      startTimer();

      client.connect({
        sock,
        username,
        algorithms: algorithms as Algorithms,
        // Our own handshake timer: ssh2's readyTimeout would also run while a person types a password.
        readyTimeout: 0,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 30_000,
        keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          this.options.verifyHostKey(key).then(
            (ok) => {
              this.hostKeyRefused = !ok;
              verify(ok);
            },
            (error: unknown) => {
              this.hostKeyRefused = true;
              log.warn('host key check failed', { error });
              verify(false);
            },
          );
        },
        authHandler: this.authHandler(),
      } as Parameters<Client['connect']>[0]);
    });
  }

  /** ssh2's authHandler: the order in which methods are tried, with prompts where needed. */
  private authHandler(): (methodsLeft: AuthenticationType[] | null, partial: boolean | null, next: (auth: unknown) => void) => void {
    const { auth, username } = this.options;
    const asked = <T,>(question: () => Promise<T>): Promise<T> => {
      this.waitingForPerson(true);
      return question().finally(() => this.waitingForPerson(false));
    };
    const prompts: AuthPrompts = {
      password: (user, attempt) => asked(() => this.options.prompts.password(user, attempt)),
      keyboardInteractive: (request) => asked(() => this.options.prompts.keyboardInteractive(request)),
    };
    let passwordAttempts = 0;
    let keyboardRounds = 0;
    let triedKey = false;
    const ask = <T,>(question: Promise<T>, next: (auth: unknown) => void, use: (answer: T) => unknown): void => {
      question.then(
        (answer) => next(use(answer)),
        (error: unknown) => {
          // The person cancelled (or the session closed): stop authenticating.
          this.cancelled = error instanceof AppError ? error : new AppError('CANCELLED', 'Login was cancelled.');
          next(false);
        },
      );
    };
    const interactive = (methods: AuthenticationType[], next: (auth: unknown) => void): void => {
      if (methods.includes('keyboard-interactive') && keyboardRounds < MAX_KEYBOARD_ROUNDS) {
        keyboardRounds += 1;
        const round = keyboardRounds;
        next({
          type: 'keyboard-interactive',
          username,
          prompt: (name: string, instructions: string, _lang: string, questions: { prompt: string; echo?: boolean }[], finish: (answers: string[]) => void) => {
            // Servers may send an empty round (OpenSSH does before PAM speaks): answer it at once.
            if (questions.length === 0) return finish([]);
            const saved = auth.kind === 'interactive' ? auth.savedPassword : undefined;
            if (saved !== undefined && round === 1 && questions.length === 1 && questions[0]?.echo === false && /password/i.test(questions[0].prompt)) {
              return finish([saved]);
            }
            prompts
              .keyboardInteractive({ name, instructions, prompts: questions.map((q) => ({ prompt: q.prompt, echo: q.echo === true })), attempt: round })
              .then(finish, (error: unknown) => {
                this.cancelled = error instanceof AppError ? error : new AppError('CANCELLED', 'Login was cancelled.');
                // Ending is the only way to abandon a keyboard-interactive round in ssh2.
                this.client.end();
              });
          },
        });
        return;
      }
      if (methods.includes('password') && passwordAttempts < MAX_PASSWORD_ATTEMPTS) {
        passwordAttempts += 1;
        const saved = auth.kind === 'interactive' ? auth.savedPassword : undefined;
        if (saved !== undefined && passwordAttempts === 1) return next({ type: 'password', username, password: saved });
        ask(prompts.password(username, passwordAttempts), next, (password) => ({ type: 'password', username, password }));
        return;
      }
      next(false);
    };
    return (methodsLeft, partial, next) => {
      if (auth.kind === 'publickey') {
        if (!triedKey) {
          triedKey = true;
          // Straight to the key: a `none` probe would cost a round trip through the endpoint.
          return next({ type: 'publickey', username, key: auth.key });
        }
        // The key was accepted but the server wants more (AuthenticationMethods publickey,keyboard-interactive).
        if (partial && methodsLeft) return interactive(methodsLeft, next);
        return next(false);
      }
      if (methodsLeft === null) return next({ type: 'none', username });
      interactive(methodsLeft, next);
    };
  }

  /**
   * Opens a PTY shell (`xterm-256color`, the given size). Fails with SSH_SHELL_REFUSED when the
   * server refuses the PTY or the shell, or SSH_CONNECTION_LOST when the connection is gone.
   */
  openShell(size: { cols: number; rows: number }, onOutput: (frame: Uint8Array<ArrayBuffer>) => void, options: ShellChannelOptions = {}): Promise<ShellChannel> {
    if (this.state !== 'ready') {
      return Promise.reject(new AppError('SSH_CONNECTION_LOST', 'The SSH connection is closed.', { hint: 'Reconnect to open a new one.', retryable: true }));
    }
    const lost = (cause: Error): AppError =>
      new AppError('SSH_CONNECTION_LOST', 'The SSH connection closed while the shell was starting.', { hint: 'Reconnect.', retryable: true, cause });
    return new Promise((resolve, reject) => {
      const opened = (error: Error | undefined, channel: ClientChannel): void => {
        if (error) {
          reject(
            this.state !== 'ready'
              ? lost(error)
              : new AppError('SSH_SHELL_REFUSED', 'The instance refused to start a shell.', {
                  hint: 'The account may have no login shell, or sshd forbids PTYs (PermitTTY no) for it. Check /etc/passwd and sshd_config on the instance.',
                  cause: error,
                }),
          );
          return;
        }
        const shell = new ShellChannel(channel, onOutput, options);
        this.channels.add(shell);
        // Released on the next turn: the tab's own close listener must first see the
        // connection still up, which is how it tells "the shell exited" from "the link died".
        shell.onClose(() => setImmediate(() => this.release(shell)));
        resolve(shell);
      };
      try {
        this.client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows, width: 0, height: 0 }, opened);
      } catch (error) {
        // ssh2 throws "Not connected" at once when the stream under it has already ended (the
        // server or the tunnel closed it just after login), before our 'close' handler has run.
        reject(lost(error instanceof Error ? error : new Error(String(error))));
      }
    });
  }

  /** Calls `listener` once when the connection has ended (whoever ended it). */
  onEnd(listener: (end: ConnectionEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** A channel is done with the connection; the last one out ends it. */
  private release(shell: ShellChannel): void {
    this.channels.delete(shell);
    if (this.channels.size === 0 && this.state === 'ready') this.end();
  }

  /** Ends the connection politely (SSH disconnect); the stream closes when ssh2 says it closed. */
  end(): void {
    if (this.state === 'closed' || this.state === 'ending') return;
    this.state = 'ending';
    for (const shell of [...this.channels]) shell.close();
    try {
      this.client.end();
    } catch {
      // Already torn down.
    }
    this.graceTimer = setTimeout(() => this.closeStream(), this.options.closeGraceMs ?? 3000);
    this.graceTimer.unref?.();
  }

  /** Ends the connection and makes sure the stream is closed. Safe to call twice. */
  dispose(): void {
    this.end();
  }

  private closeStream(): void {
    clearTimeout(this.graceTimer);
    const { sock } = this.options;
    if (!sock.destroyed) sock.destroy();
  }

  private onClosed(): void {
    const byUs = this.state === 'ending';
    this.state = 'closed';
    // Safe now: ssh2 has stopped writing.
    this.closeStream();
    for (const shell of [...this.channels]) shell.close();
    this.channels.clear();
    const end: ConnectionEnd = { byServer: this.serverDisconnected && !byUs, byUs, ...(this.lastError ? { error: this.lastError } : {}) };
    for (const listener of this.endListeners) listener(end);
    this.endListeners.clear();
  }
}

/** A failed handshake or login, with ssh2's error and whether our host-key check refused. */
export class SshConnectError extends Error {
  readonly level: string | undefined;
  readonly code: unknown;

  constructor(
    readonly original: Error & { level?: string; code?: unknown },
    readonly hostKeyRefused: boolean,
  ) {
    super(original.message);
    this.name = 'SshConnectError';
    this.level = original.level;
    this.code = original.code;
  }
}
