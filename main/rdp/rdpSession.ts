import { AppError, type SerializedError } from '../../preload/contract';
import type { RdpClientStatus, RdpKeyPrompt, RdpSession as RdpSessionView, RdpSessionState, RdpStepId } from '../../preload/contract/rdp';
import { forgetSecret, registerSecret, type Logger } from '../log';
import type { ClientExit, LaunchedClient, RdpLauncher } from './launchers/rdpLauncher';
import { loadRsaPrivateKey } from './privateKey';
import {
  keyPairAccount,
  type KeyFileReader,
  type RdpListener,
  type RdpTargetRef,
  type RdpTunnelOpener,
  type SecretStore,
  type WindowsHostFacts,
  type WindowsPasswordSource,
  type RdpHostResolver,
} from './rdpIo';
import type { Timers } from './timers';
import { decryptWindowsPassword, passwordNotReady } from './windowsPassword';

export interface RdpSessionDeps {
  resolver: RdpHostResolver;
  passwords: WindowsPasswordSource;
  secrets: SecretStore;
  keyFiles: KeyFileReader;
  tunnels: RdpTunnelOpener;
  launcher: RdpLauncher;
  timers: Timers;
  log: Logger;
  /** How long the tunnel stays open once no client is connected and the client has gone. */
  idleTimeoutMs: number;
  /** Client connections one listener accepts at once (each is a tunnel against the endpoint's 20). */
  maxConnections: number;
}

export interface RdpSessionRequest {
  target: RdpTargetRef;
  username?: string;
  withoutPassword: boolean;
}

export const DEFAULT_USERNAME = 'Administrator';

const STEP_LABELS: Record<RdpStepId, string> = {
  password: 'Retrieving password',
  tunnel: 'Opening tunnel',
  client: 'Launching client',
  connected: 'Connected',
};

interface StepRecord {
  status: 'pending' | 'active' | 'done' | 'failed' | 'skipped';
  startedAt?: number;
  endedAt?: number;
  detail?: string;
}

interface KeyAnswer {
  keyText: string | undefined;
  passphrase: string | undefined;
  remember: boolean;
}

type ClosedReason = NonNullable<RdpSessionView['closedReason']>;

/**
 * One "Launch RDP": password, tunnel, client, then watching the client's connections. Its
 * state only moves forward (starting -> needsKey <-> starting -> ready <-> connected -> closed,
 * or failed), every step is reported through `onChange`, and `close()` releases everything it
 * holds: the listener, the client and its temporary files, the password.
 */
export class RdpSession {
  readonly startedAt: number;
  private state: RdpSessionState = 'starting';
  private readonly steps = new Map<RdpStepId, StepRecord>();
  private host: WindowsHostFacts | undefined;
  private label: string;
  private username: string;
  private password: string | undefined;
  private listener: RdpListener | undefined;
  private readonly clients: LaunchedClient[] = [];
  private client: { launched: LaunchedClient; status: RdpClientStatus } | undefined;
  private connections = 0;
  private idle: { handle: unknown; at: number } | undefined;
  private keyPrompt: RdpKeyPrompt | undefined;
  private keyWaiter: { resolve: (answer: KeyAnswer) => void; reject: (error: AppError) => void } | undefined;
  private error: SerializedError | undefined;
  private reportedTunnelError: AppError | undefined;
  /** The current client run's failure came from the tunnel: the client's vaguer one must not replace it. */
  private tunnelErrorShown = false;
  private notice: string | undefined;
  private closedReason: ClosedReason | undefined;
  private readonly unsubscribes: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    readonly sessionId: string,
    private readonly request: RdpSessionRequest,
    private readonly deps: RdpSessionDeps,
    private readonly onChange: (session: RdpSession) => void,
  ) {
    this.startedAt = deps.timers.now();
    this.label = 'hostId' in request.target ? request.target.hostId : request.target.instance.instanceId;
    this.username = request.username ?? DEFAULT_USERNAME;
    for (const id of Object.keys(STEP_LABELS) as RdpStepId[]) this.steps.set(id, { status: 'pending' });
  }

  /** Whether the session still holds a tunnel or is on its way to one. */
  get isOpen(): boolean {
    return this.state !== 'closed' && this.state !== 'failed';
  }

  /** Runs the launch; never rejects (a failure lands in the session's error). */
  async start(): Promise<void> {
    try {
      this.stepActive('password', 'Looking up the instance');
      const host = await this.deps.resolver.resolve(this.request.target);
      this.host = host;
      this.label = host.label;
      this.username = this.request.username ?? host.username ?? DEFAULT_USERNAME;
      this.changed();
      if (host.state !== undefined && host.state !== 'running') {
        throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `The instance is ${host.state}, so Remote Desktop cannot reach it.`, {
          hint: 'Start the instance (it takes a few minutes for Windows to accept connections), then launch RDP again.',
        });
      }
      // The listener is passive until a client connects, so it opens while the password is
      // retrieved (and while the person picks a key) rather than after.
      const tunnel = this.openTunnel(host);
      const password = this.request.withoutPassword || host.platform !== 'windows' ? this.skipPassword(host) : this.retrievePassword(host);
      // Either failing ends the launch at once (a failed tunnel must not wait for a key prompt).
      await Promise.all([password, tunnel]);
      if (!this.isOpen) return;
      await this.launchClient();
    } catch (error) {
      await this.fail(error);
    }
  }

  private skipPassword(host: WindowsHostFacts): Promise<void> {
    this.stepEnd('password', 'skipped', host.platform === 'windows' ? 'Signing in with your own account' : 'Not a Windows instance: sign in with your own account');
    return Promise.resolve();
  }

  private async retrievePassword(host: WindowsHostFacts): Promise<void> {
    const keyName = host.keyName;
    if (!keyName) {
      throw new AppError('RDP_KEY_MISSING', 'This instance was launched without a key pair, so AWS holds no password for it.', {
        hint: 'Choose "Connect without password" and sign in with an account you know, or reset the Administrator password with Systems Manager or EC2Launch.',
      });
    }
    this.stepActive('password', 'Asking AWS for the password');
    const ref = { profileId: host.profileId, region: host.region, instanceId: host.instanceId };
    const [keyType, passwordData] = await Promise.all([
      this.deps.passwords.keyPairType({ profileId: host.profileId, region: host.region, keyName }).catch((error: unknown) => {
        this.deps.log.debug('DescribeKeyPairs failed; the decryption will tell whether the key fits', { error });
        return undefined;
      }),
      this.deps.passwords.getPasswordData(ref),
    ]);
    if (keyType !== undefined && keyType !== 'rsa') {
      throw new AppError('RDP_KEY_UNSUITABLE', `The key pair "${keyName}" is ${keyType.toUpperCase()}; Windows passwords need an RSA key pair.`, {
        hint: 'AWS cannot encrypt a Windows password with an ED25519 key pair. Relaunch the instance with an RSA key pair, or choose "Connect without password" if you know one.',
      });
    }
    if (passwordData.trim() === '') throw passwordNotReady(host.launchTime, new Date(this.deps.timers.now()));

    const stored = await this.storedKey(host, keyName);
    let answer: KeyAnswer = { keyText: stored?.text, passphrase: undefined, remember: false };
    let problem: AppError | undefined;
    for (;;) {
      if (answer.keyText === undefined) {
        answer = await this.askForKey(keyName, 'key', problem);
        continue;
      }
      this.stepActive('password', 'Decrypting');
      try {
        const key = loadRsaPrivateKey(answer.keyText, answer.passphrase);
        const password = decryptWindowsPassword(passwordData, key, keyName);
        registerSecret(password);
        this.password = password;
        break;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        problem = error;
        if (error.code === 'RDP_KEY_PASSPHRASE_NEEDED') {
          const keyText = answer.keyText;
          const remember = answer.remember;
          // A passphrase that was not even asked for yet is a question, not a problem.
          const next = await this.askForKey(keyName, 'passphrase', answer.passphrase === undefined ? undefined : error);
          answer = { keyText: next.keyText ?? keyText, passphrase: next.passphrase, remember: next.remember || remember };
        } else {
          answer = await this.askForKey(keyName, 'key', error);
        }
      }
    }
    forgetSecret(answer.passphrase);
    if (answer.remember && answer.keyText !== stored?.text) {
      const account = keyPairAccount(host.profileId, host.region, keyName);
      await this.deps.secrets.set(account, answer.keyText).catch((error: unknown) => {
        this.deps.log.warn('could not remember the key pair in the keychain', { error });
        this.notice = `The key could not be remembered: ${error instanceof AppError ? error.message : 'the keychain refused it'}.`;
      });
    }
    this.stepEnd('password', 'done', `Decrypted with key pair ${keyName}`);
  }

  /** The key from the host's own setting, else the one RDP remembered for this key pair. */
  private async storedKey(host: WindowsHostFacts, keyName: string): Promise<{ text: string } | undefined> {
    try {
      if (host.keyPair?.source === 'file') return { text: await this.deps.keyFiles.read(host.keyPair.path) };
      const account = host.keyPair?.source === 'keychain' ? host.keyPair.account : keyPairAccount(host.profileId, host.region, keyName);
      const text = await this.deps.secrets.get(account);
      return text === undefined ? undefined : { text };
    } catch (error) {
      // No keychain, or the host's file moved: ask the person instead, and say why.
      this.deps.log.warn('could not read the saved key pair', { error });
      this.notice = error instanceof AppError ? `${error.message} Pick the key file instead.` : 'The saved key could not be read; pick the key file instead.';
      return undefined;
    }
  }

  private askForKey(keyName: string, need: 'key' | 'passphrase', problem: AppError | undefined): Promise<KeyAnswer> {
    return new Promise<KeyAnswer>((resolve, reject) => {
      if (!this.isOpen) {
        reject(cancelled());
        return;
      }
      this.keyWaiter = { resolve, reject };
      this.keyPrompt = { keyName, need, ...(problem ? { problem: problem.toJSON() } : {}) };
      this.state = 'needsKey';
      const step = this.steps.get('password')!;
      step.detail = need === 'key' ? `Waiting for the private key of ${keyName}` : 'Waiting for the passphrase';
      this.changed();
    });
  }

  /**
   * The person's answer to `needsKey`. Resolves once it is taken (the decryption then runs on
   * and reports through onChange). Fails with RDP_KEY_MISSING when no key was asked for.
   */
  provideKey(answer: { privateKey?: string; passphrase?: string; remember: boolean }): void {
    const waiter = this.keyWaiter;
    if (this.state !== 'needsKey' || !waiter || !this.keyPrompt) {
      throw new AppError('RDP_KEY_MISSING', 'This session is not waiting for a key.', { hint: 'It may have finished or been stopped; look at its status.' });
    }
    if (this.keyPrompt.need === 'key' && !answer.privateKey) {
      throw new AppError('RDP_KEY_MISSING', 'Pick the private key file first.', { hint: `It is the .pem file of the key pair "${this.keyPrompt.keyName}".` });
    }
    if (answer.passphrase) registerSecret(answer.passphrase);
    // "Could not read the saved key: pick the file" is answered now.
    this.notice = undefined;
    this.keyWaiter = undefined;
    this.keyPrompt = undefined;
    this.state = 'starting';
    this.changed();
    waiter.resolve({ keyText: answer.privateKey, passphrase: answer.passphrase, remember: answer.remember });
  }

  private async openTunnel(host: WindowsHostFacts): Promise<void> {
    this.stepActive('tunnel', 'Choosing the endpoint');
    const listener = await this.deps.tunnels.open(host, { label: host.label, maxConnections: this.deps.maxConnections });
    if (!this.isOpen) {
      await listener.close();
      return;
    }
    this.listener = listener;
    this.unsubscribes.push(
      listener.onConnectionsChanged((active) => this.onConnections(active)),
      listener.onClosed((reason, error) => {
        if (!this.isOpen) return;
        this.deps.log.info('the RDP tunnel closed under the session', { reason, error });
        void this.close('tunnelClosed', reason === 'error' ? error : undefined);
      }),
    );
    this.stepEnd('tunnel', 'done', `${listener.address}:${listener.port}`);
  }

  private async launchClient(): Promise<void> {
    const listener = this.listener;
    if (!listener || !this.isOpen) return;
    this.stepActive('client');
    this.steps.set('connected', { status: 'pending' });
    this.error = undefined;
    this.tunnelErrorShown = false;
    let launched: LaunchedClient;
    try {
      launched = await this.deps.launcher.launch({
        address: listener.address,
        port: listener.port,
        username: this.username,
        label: this.label,
        ...(this.password === undefined ? {} : { password: this.password }),
      });
    } catch (error) {
      // The tunnel stays: any RDP client can use the address shown, with Copy password.
      const appError = toAppError(error, this.deps.log);
      this.error = appError.toJSON();
      this.stepEnd('client', 'failed', appError.message);
      this.state = this.connections > 0 ? 'connected' : 'ready';
      this.armIdle();
      this.changed();
      return;
    }
    if (!this.isOpen) {
      await launched.dispose();
      return;
    }
    this.clients.push(launched);
    this.client = {
      launched,
      status: { name: launched.client.name, passwordDelivered: launched.passwordDelivered, state: 'running', authOnly: launched.authOnly },
    };
    const note = launched.passwordDelivered || this.password === undefined ? launched.client.name : `${launched.client.name}: paste the password when it asks`;
    this.stepEnd('client', 'done', note);
    this.state = this.connections > 0 ? 'connected' : 'ready';
    if (this.connections > 0) this.stepEnd('connected', 'done');
    else this.stepActive('connected', 'Waiting for the client');
    if (launched.exited) void launched.exited.then((exit) => this.onClientExit(launched, exit));
    else this.armIdle();
    this.changed();
  }

  /** Launches the client again on the open tunnel. Fails with EIC_TUNNEL_CLOSED when the session is over. */
  async openClient(): Promise<void> {
    if (this.state !== 'ready' && this.state !== 'connected') {
      throw new AppError('EIC_TUNNEL_CLOSED', 'This session has no open tunnel.', { hint: 'Launch RDP again for this host.' });
    }
    await this.launchClient();
  }

  /** A tunnel failure not reported yet: it explains a dropped client better than the client can. */
  private freshTunnelError(): AppError | undefined {
    const error = this.listener?.lastError();
    if (!error || error === this.reportedTunnelError) return undefined;
    this.reportedTunnelError = error;
    return error;
  }

  private onConnections(active: number): void {
    if (!this.isOpen) return;
    const tunnelError = active === 0 ? this.freshTunnelError() : undefined;
    if (tunnelError) {
      this.tunnelErrorShown = true;
      this.error = tunnelError.toJSON();
      const step = this.steps.get('connected')!;
      if (step.status !== 'done') this.stepEnd('connected', 'failed', tunnelError.message);
    }
    this.connections = active;
    if (active > 0) {
      this.cancelIdle();
      if (this.state === 'ready') this.state = 'connected';
      const step = this.steps.get('connected')!;
      if (step.status === 'active' || step.status === 'pending') this.stepEnd('connected', 'done', this.client?.status.authOnly ? 'Checking the sign-in' : undefined);
    } else if (this.state === 'connected') {
      this.state = 'ready';
      if (!this.clientRunning()) this.armIdle();
    }
    this.changed();
  }

  private onClientExit(launched: LaunchedClient, exit: ClientExit): void {
    if (!this.isOpen || this.client?.launched !== launched) return;
    const status = this.client.status;
    status.state = 'exited';
    if (exit.code !== null) status.exitCode = exit.code;
    if (status.authOnly) status.authenticated = exit.code === 0 && !exit.error;
    if (exit.error) {
      // The client says "connection failed"; the tunnel knows why (security group, endpoint, expiry).
      const tunnelError = this.freshTunnelError();
      if (tunnelError) this.tunnelErrorShown = true;
      if (tunnelError || !this.tunnelErrorShown) this.error = (tunnelError ?? exit.error).toJSON();
      this.stepEnd('connected', 'failed', this.error?.message ?? exit.error.message);
    } else if (status.authOnly) {
      this.stepEnd('connected', 'done', `Signed in (auth-only check, ${launched.client.name} exit 0)`);
    }
    if (this.connections === 0) this.armIdle();
    this.changed();
  }

  private clientRunning(): boolean {
    return this.client !== undefined && this.client.launched.exited !== undefined && this.client.status.state === 'running';
  }

  private armIdle(): void {
    if (this.idle || !this.listener || !this.isOpen) return;
    const at = this.deps.timers.now() + this.deps.idleTimeoutMs;
    const handle = this.deps.timers.setTimeout(() => {
      this.idle = undefined;
      if (this.connections === 0) void this.close('idle');
    }, this.deps.idleTimeoutMs);
    this.idle = { handle, at };
  }

  private cancelIdle(): void {
    if (!this.idle) return;
    this.deps.timers.clear(this.idle.handle);
    this.idle = undefined;
  }

  /** Ends the session: tunnel, client, temporary files, password. Idempotent. */
  close(reason: ClosedReason, cause?: unknown): Promise<void> {
    if (this.closing) return this.closing;
    const wasOpen = this.isOpen;
    if (wasOpen) {
      this.state = 'closed';
      this.closedReason = reason;
      if (reason === 'tunnelClosed' && cause !== undefined) {
        const error =
          cause instanceof AppError
            ? cause
            : new AppError('EIC_TUNNEL_CLOSED', 'The tunnel to the instance closed.', { hint: 'Launch RDP again; if it keeps closing, run Diagnose on the host.', cause });
        this.error = error.toJSON();
      }
      for (const [id, step] of this.steps) if (step.status === 'active') this.stepEnd(id, 'failed', 'Stopped');
    }
    // Report again once released: the password is gone and the client has exited.
    this.closing = this.release().then(() => {
      if (wasOpen) this.changed();
    });
    if (wasOpen) this.changed();
    return this.closing;
  }

  private async fail(error: unknown): Promise<void> {
    if (!this.isOpen) return;
    const appError = toAppError(error, this.deps.log);
    this.error = appError.toJSON();
    this.state = 'failed';
    for (const [id, step] of this.steps) if (step.status === 'active') this.stepEnd(id, 'failed', appError.message);
    this.closing ??= this.release().then(() => this.changed());
    this.changed();
    await this.closing;
  }

  private async release(): Promise<void> {
    this.cancelIdle();
    this.keyWaiter?.reject(cancelled());
    this.keyWaiter = undefined;
    this.keyPrompt = undefined;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    const results = await Promise.allSettled([...this.clients.map((c) => c.dispose()), this.listener?.close()]);
    for (const result of results) if (result.status === 'rejected') this.deps.log.warn('could not release part of an RDP session', { error: result.reason });
    if (this.client) this.client.status.state = this.client.status.state === 'running' ? 'exited' : this.client.status.state;
    this.connections = 0;
    if (this.password !== undefined) {
      forgetSecret(this.password);
      this.password = undefined;
    }
  }

  /** The password, for Copy password. Fails with RDP_PASSWORD_NOT_READY when there is none. */
  passwordForCopy(): string {
    if (this.password === undefined) {
      throw new AppError('RDP_PASSWORD_NOT_READY', this.isOpen ? 'This session has no password to copy.' : 'This session has ended; its password was forgotten.', {
        hint: this.isOpen ? 'It was started without retrieving the password, or the retrieval has not finished.' : 'Launch RDP again to retrieve it.',
      });
    }
    return this.password;
  }

  matches(target: RdpTargetRef, username: string | undefined): boolean {
    if (!this.isOpen) return false;
    const sameUser = username === undefined || username === this.username;
    if ('hostId' in target) return sameUser && (this.host?.hostId ?? ('hostId' in this.request.target ? this.request.target.hostId : undefined)) === target.hostId;
    const ref = target.instance;
    const mine = this.host ?? ('instance' in this.request.target ? this.request.target.instance : undefined);
    return sameUser && mine !== undefined && mine.instanceId === ref.instanceId && mine.profileId === ref.profileId && mine.region === ref.region;
  }

  /** The listener's id and when the idle timer closes it, for the Tunnels view. */
  idleDeadline(): { tunnelId: string; at: string } | undefined {
    return this.idle && this.listener ? { tunnelId: this.listener.tunnelId, at: new Date(this.idle.at).toISOString() } : undefined;
  }

  /** Whether "Launch RDP" on the same host should start the client again rather than a new tunnel. */
  get wantsClient(): boolean {
    return (this.state === 'ready' || this.state === 'connected') && !this.clientRunning() && this.connections === 0;
  }

  view(): RdpSessionView {
    const now = this.deps.timers.now();
    const host = this.host;
    const targetRef = this.request.target;
    return {
      sessionId: this.sessionId,
      label: this.label,
      ...(host?.hostId !== undefined ? { hostId: host.hostId } : 'hostId' in targetRef ? { hostId: targetRef.hostId } : {}),
      instanceId: host?.instanceId ?? ('instance' in targetRef ? targetRef.instance.instanceId : ''),
      profileId: host?.profileId ?? ('instance' in targetRef ? targetRef.instance.profileId : ''),
      region: host?.region ?? ('instance' in targetRef ? targetRef.instance.region : ''),
      username: this.username,
      state: this.state,
      steps: [...this.steps].map(([id, step]) => ({
        id,
        label: STEP_LABELS[id],
        status: step.status,
        ...(step.startedAt !== undefined ? { durationMs: Math.max(0, (step.endedAt ?? now) - step.startedAt) } : {}),
        ...(step.detail !== undefined ? { detail: step.detail } : {}),
      })),
      ...(this.listener && this.isOpen ? { local: { address: this.listener.address, port: this.listener.port } } : {}),
      hasPassword: this.password !== undefined,
      ...(this.keyPrompt ? { keyPrompt: this.keyPrompt } : {}),
      ...(this.client ? { client: { ...this.client.status } } : {}),
      connections: this.connections,
      ...(this.idle ? { idleClosesAt: new Date(this.idle.at).toISOString() } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.notice ? { notice: this.notice } : {}),
      ...(this.closedReason ? { closedReason: this.closedReason } : {}),
      startedAt: new Date(this.startedAt).toISOString(),
    };
  }

  private stepActive(id: RdpStepId, detail?: string): void {
    const step = this.steps.get(id)!;
    if (step.status !== 'active') {
      step.status = 'active';
      step.startedAt = this.deps.timers.now();
      step.endedAt = undefined;
    }
    step.detail = detail;
    this.changed();
  }

  private stepEnd(id: RdpStepId, status: 'done' | 'failed' | 'skipped', detail?: string): void {
    const step = this.steps.get(id)!;
    step.status = status;
    step.startedAt ??= this.deps.timers.now();
    step.endedAt = this.deps.timers.now();
    if (detail !== undefined) step.detail = detail;
    this.changed();
  }

  private changed(): void {
    this.onChange(this);
  }
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The RDP session was stopped.');
}

export function toAppError(error: unknown, log: Logger): AppError {
  if (error instanceof AppError) return error;
  log.error('unexpected error in an RDP session', { error });
  return new AppError('INTERNAL', 'Something went wrong while launching RDP.', {
    hint: 'Try again. If it keeps happening, copy the details and report it; the log has more.',
  });
}
