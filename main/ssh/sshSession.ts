import { randomBytes } from 'node:crypto';
import type { ParsedKey } from 'ssh2';
import {
  AppError,
  type HostKeyChange,
  type HostKeySeen,
  type Notice,
  type SessionInfo,
  type SessionStatus,
  type SessionStepId,
  type SessionTarget,
  type TerminalSize,
} from '../../preload/contract';
import { runConnectFlow, ConnectFailure, type ConnectFlowDeps, type ConnectOutcome } from './connectFlow';
import { ConnectSteps } from './connectSteps';
import { classifyDrop } from './dropClassifier';
import { preparePaste } from './pasteText';
import type { Clock, ConnectRequest, EndpointChoice, ResolvedTarget, SshTunnel } from './ports';
import { PromptBroker } from './promptBroker';
import { DEFAULT_RECONNECT_POLICY, decideReconnect, type ReconnectPolicyOptions } from './reconnectPolicy';
import type { ShellChannel, ShellChannelOptions, ShellExit, ShellStats } from './shellChannel';
import type { ConnectionEnd, SshConnection } from './sshConnection';

export interface SessionDeps extends ConnectFlowDeps {
  clock: Clock;
  /** Publishes the session's state (sessions.stateChanged). */
  emitState(info: SessionInfo): void;
  /** Publishes terminal output (sessions.data). */
  emitData(sessionId: string, chunk: Uint8Array<ArrayBuffer>): void;
  /** Posts something the person should see even when the tab is in the background. */
  notice(notice: Omit<Notice, 'at'>): void;
  reconnectPolicy?: ReconnectPolicyOptions;
  random?: () => number;
  shell?: ShellChannelOptions;
  /** How long before the time limit the tab and a notice warn (default 5 minutes). */
  expiryWarningMs?: number;
}

/** The connection a session's shell runs on, shared by the tabs opened with `sameConnectionAs`. */
interface Link {
  connection: SshConnection;
  tunnel: SshTunnel;
  target: ResolvedTarget;
  endpoint: EndpointChoice;
  hostKey: HostKeySeen;
  connectedAt: number;
}

export const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };
const EXPIRY_WARNING_MS = 5 * 60_000;

/**
 * One terminal tab's session: runs the connect flow, owns the shell, and says what is going on
 * (steps, prompt, connected, dropped and why). Reconnect runs the whole flow again with a new
 * key and tunnel; with the host's auto-reconnect on, drops are retried by the reconnect policy.
 *
 * Every attempt gets a generation number: callbacks of an abandoned attempt (a late tunnel, a
 * drop of the previous connection) find a newer generation and do nothing.
 */
export class SshSession {
  readonly id: string;
  private status: SessionStatus = 'connecting';
  private steps: ConnectSteps;
  private readonly prompts: PromptBroker;
  private target: SessionTarget;
  private title: string;
  private error: AppError | undefined;
  private failedStep: SessionStepId | undefined;
  private hostKeyChange: HostKeyChange | undefined;
  private hostKey: HostKeySeen | undefined;
  private link: Link | undefined;
  private shell: ShellChannel | undefined;
  private drop: SessionInfo['drop'];
  private expiresSoon = false;
  private connections = 0;
  private generation = 0;
  private abort: AbortController | undefined;
  private unlockedKey: ParsedKey | undefined;
  private autoReconnect = false;
  private autoAttempt = 0;
  private nextAttemptAt: number | undefined;
  private gaveUp: string | undefined;
  private expiryTimer: unknown;
  private reconnectTimer: unknown;
  private size: TerminalSize;
  private readonly reconnectPolicy: ReconnectPolicyOptions;

  constructor(
    private readonly deps: SessionDeps,
    private request: ConnectRequest,
    size: TerminalSize | undefined,
    id = `s-${randomBytes(6).toString('hex')}`,
  ) {
    this.id = id;
    this.size = size ?? DEFAULT_SIZE;
    this.steps = new ConnectSteps(deps.clock.now);
    this.prompts = new PromptBroker(() => this.publish());
    this.reconnectPolicy = deps.reconnectPolicy ?? DEFAULT_RECONNECT_POLICY;
    this.target = request.kind === 'host' ? { hostId: request.hostId } : { instanceId: request.instanceId, profileId: request.profileId, region: request.region, ...(request.osUser ? { osUser: request.osUser } : {}) };
    this.title = request.kind === 'host' ? 'Connecting…' : request.instanceId;
  }

  get isClosed(): boolean {
    return this.status === 'closed';
  }

  /** Starts the first connect attempt. */
  start(): void {
    void this.attempt(false);
  }

  /**
   * Opens this tab's shell on another tab's live connection: no new key, tunnel or login, and
   * none of the endpoint's 20 connections. A later Reconnect gets this tab its own connection.
   */
  startOnConnection(other: SshSession): void {
    const link = other.link;
    if (!link || !link.connection.isReady) {
      throw new AppError('SSH_CONNECTION_LOST', 'That tab is not connected, so there is no connection to share.', {
        hint: 'Open a new session to the host instead.',
      });
    }
    this.request = other.request;
    this.unlockedKey = other.unlockedKey;
    const generation = ++this.generation;
    this.applyTarget(link.target, link.endpoint);
    this.steps.done('resolve', `${link.target.instanceId} · ${link.target.privateIp}:${link.target.port}`);
    this.steps.skip('tunnel', `Shares ${other.title}'s connection`);
    this.steps.skip('key');
    this.steps.skip('auth', `${link.target.osUser} · ${link.hostKey.algorithm} ${link.hostKey.fingerprint}`);
    this.publish();
    void this.openShell(generation, link, true);
  }

  /** The session's state, as the tab shows it. */
  info(): SessionInfo {
    const now = this.deps.clock.now();
    return {
      sessionId: this.id,
      title: this.title,
      target: this.target,
      status: this.status,
      steps: this.steps.snapshot(),
      ...(this.failedStep ? { failedStep: this.failedStep } : {}),
      ...(this.error ? { error: this.error.toJSON() } : {}),
      ...(this.hostKey ? { hostKey: this.hostKey } : {}),
      ...(this.hostKeyChange ? { hostKeyChange: this.hostKeyChange } : {}),
      ...(this.prompts.current ? { prompt: this.prompts.current } : {}),
      ...(this.link && this.status === 'connected' ? { connectedAt: new Date(this.link.connectedAt).toISOString() } : {}),
      ...(this.link?.tunnel.expiresAt !== undefined && this.status === 'connected' ? { expiresAt: new Date(this.link.tunnel.expiresAt).toISOString() } : {}),
      expiresSoon: this.expiresSoon && this.status === 'connected',
      ...(this.drop ? { drop: this.drop } : {}),
      autoReconnect: {
        enabled: this.autoReconnect,
        ...(this.autoAttempt > 0 ? { attempt: this.autoAttempt } : {}),
        ...(this.nextAttemptAt !== undefined && this.nextAttemptAt >= now ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() } : {}),
        ...(this.gaveUp ? { gaveUp: this.gaveUp } : {}),
      },
      connections: this.connections,
      sharedConnection: this.link !== undefined && this.link.connection.channelCount > 1,
    };
  }

  write(data: string | Uint8Array): void {
    this.shell?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.shell?.resize(cols, rows);
  }

  ack(bytes: number): void {
    this.shell?.ack(bytes);
  }

  /** The window that would ack outstanding output reloaded: start counting afresh. */
  resetFlow(): void {
    this.shell?.resetFlow();
  }

  /** Flow-control counters of the live shell (tests and benchmarks). */
  shellStats(): ShellStats | undefined {
    return this.shell?.stats;
  }

  /** Pastes clipboard text as a terminal would; returns the bytes sent (0 when not connected). */
  paste(text: string, bracketed: boolean): number {
    if (!this.shell || this.status !== 'connected') return 0;
    const data = preparePaste(text, bracketed);
    this.shell.write(data);
    return Buffer.byteLength(data, 'utf8');
  }

  answerPrompt(promptId: string, answers: string[] | null): boolean {
    return this.prompts.answer(promptId, answers);
  }

  /**
   * The person's decision on a changed host key. Accepting stores the presented key (only the
   * one the person saw: the fingerprint must match) and reconnects.
   */
  async decideHostKey(fingerprint: string, accept: boolean): Promise<void> {
    const change = this.hostKeyChange;
    if (!change || this.status !== 'failed') {
      throw new AppError('NOT_FOUND', 'There is no changed host key waiting for a decision on this tab.', { hint: 'Retry the connection to check the key again.' });
    }
    if (change.presentedFingerprint !== fingerprint) {
      throw new AppError('INVALID_INPUT', 'That fingerprint is not the one the instance presented.', { hint: 'Compare again with the fingerprint shown in the tab.' });
    }
    if (!accept) {
      this.hostKeyChange = undefined;
      this.error = new AppError('SSH_HOST_KEY_CHANGED', `You refused the new host key of ${this.title}.`, {
        hint: 'Bastionless will keep refusing it. Retry to look at the key again.',
      });
      this.publish();
      return;
    }
    await this.deps.knownHosts.trust(change.instanceId, { algorithm: change.presentedAlgorithm, fingerprint: change.presentedFingerprint });
    this.deps.log.info('changed host key accepted', { instanceId: change.instanceId, fingerprint: change.presentedFingerprint });
    this.reconnect();
  }

  /** Runs the whole flow again (new key, new tunnel). Cancels a pending automatic attempt. */
  reconnect(): void {
    if (this.status === 'closed') return;
    this.autoAttempt = 0;
    this.gaveUp = undefined;
    void this.attempt(false);
  }

  /** Closes the tab's session for good. Its shell closes; the connection goes when its last shell does. */
  close(): void {
    if (this.status === 'closed') return;
    this.generation += 1;
    this.status = 'closed';
    this.clearTimers();
    this.abort?.abort(new AppError('CANCELLED', 'The tab was closed.'));
    this.prompts.cancel(new AppError('CANCELLED', 'The tab was closed.'));
    this.shell?.close();
    this.shell = undefined;
    this.link = undefined;
    this.unlockedKey = undefined;
    this.publish();
  }

  private async attempt(automatic: boolean): Promise<void> {
    const generation = ++this.generation;
    this.clearTimers();
    this.abort?.abort(new AppError('CANCELLED', 'A new connection attempt replaced this one.'));
    this.prompts.cancel(new AppError('CANCELLED', 'A new connection attempt replaced this one.'));
    const previousShell = this.shell;
    this.shell = undefined;
    this.link = undefined;
    previousShell?.close();
    const abort = new AbortController();
    this.abort = abort;
    this.status = 'connecting';
    this.steps = new ConnectSteps(this.deps.clock.now);
    this.error = undefined;
    this.failedStep = undefined;
    this.hostKeyChange = undefined;
    // What the last connection's key was says nothing about the next one until it is checked.
    this.hostKey = undefined;
    this.drop = undefined;
    this.expiresSoon = false;
    if (!automatic) this.nextAttemptAt = undefined;
    this.publish();

    let outcome: ConnectOutcome;
    try {
      outcome = await runConnectFlow(this.deps, {
        request: this.request,
        steps: this.steps,
        prompts: this.prompts,
        signal: abort.signal,
        ...(this.unlockedKey ? { unlockedKey: this.unlockedKey } : {}),
        changed: () => {
          if (generation === this.generation) this.publish();
        },
        resolved: (target, endpoint) => {
          if (generation === this.generation) this.applyTarget(target, endpoint);
        },
      });
    } catch (error) {
      if (generation !== this.generation) return;
      const failure = error instanceof ConnectFailure ? error : new ConnectFailure('resolve', toAppError(error));
      this.fail(failure, automatic);
      return;
    }
    if (generation !== this.generation) {
      // Closed or replaced while logging in: this connection has no tab.
      outcome.connection.dispose();
      return;
    }
    if (outcome.unlockedKey) this.unlockedKey = outcome.unlockedKey;
    this.hostKey = outcome.hostKey;
    const link: Link = {
      connection: outcome.connection,
      tunnel: outcome.tunnel,
      target: outcome.target,
      endpoint: outcome.endpoint,
      hostKey: outcome.hostKey,
      connectedAt: this.deps.clock.now(),
    };
    await this.openShell(generation, link, false);
  }

  private async openShell(generation: number, link: Link, shared: boolean): Promise<void> {
    this.steps.start('shell');
    this.publish();
    let shell: ShellChannel;
    try {
      shell = await link.connection.openShell(this.size, (frame) => this.deps.emitData(this.id, frame), this.deps.shell);
    } catch (error) {
      if (generation !== this.generation) return;
      // A shared connection belongs to the other tab too: only a connection of our own is ended.
      if (!shared && link.connection.channelCount === 0) link.connection.dispose();
      this.fail(new ConnectFailure('shell', toAppError(error)), false);
      return;
    }
    if (generation !== this.generation) {
      shell.close();
      return;
    }
    this.shell = shell;
    this.link = link;
    this.hostKey = link.hostKey;
    this.steps.done('shell', `${this.size.cols}×${this.size.rows}`);
    this.status = 'connected';
    this.connections += 1;
    this.nextAttemptAt = undefined;
    // The size may have changed while the shell was starting.
    shell.resize(this.size.cols, this.size.rows);
    shell.onClose((exit) => this.onShellClosed(generation, link, exit));
    link.connection.onEnd((end) => this.onConnectionEnded(generation, link, end));
    this.scheduleExpiryWarning(generation, link);
    this.deps.log.info('session connected', { sessionId: this.id, instanceId: link.target.instanceId, endpointId: link.endpoint.endpointId, shared });
    this.publish();
  }

  private onShellClosed(generation: number, link: Link, exit: ShellExit): void {
    if (generation !== this.generation || this.status !== 'connected') return;
    // With the connection still up, the shell itself ended (exit, logout). Otherwise the
    // connection's end explains it, and onConnectionEnded handles it.
    if (!link.connection.isReady) return;
    this.shell = undefined;
    this.link = undefined;
    this.dropped(classifyDrop({ hostLabel: this.title, exit, connectedAt: link.connectedAt, now: this.deps.clock.now() }), link);
  }

  private onConnectionEnded(generation: number, link: Link, end: ConnectionEnd): void {
    if (generation !== this.generation || this.status !== 'connected') return;
    this.shell = undefined;
    this.link = undefined;
    const tunnelError = link.tunnel.closeError();
    const drop = classifyDrop({
      hostLabel: this.title,
      end,
      ...(tunnelError ? { tunnelError } : {}),
      connectedAt: link.connectedAt,
      ...(link.tunnel.expiresAt !== undefined ? { expiresAt: link.tunnel.expiresAt } : {}),
      now: this.deps.clock.now(),
    });
    this.dropped(drop, link);
  }

  private dropped(drop: ReturnType<typeof classifyDrop>, link: Link): void {
    const now = this.deps.clock.now();
    this.clearTimers();
    this.status = 'disconnected';
    this.expiresSoon = false;
    this.drop = { reason: drop.reason, at: new Date(now).toISOString(), ...(drop.exitCode !== undefined ? { exitCode: drop.exitCode } : {}) };
    this.error = drop.error;
    this.deps.log.info('session dropped', { sessionId: this.id, reason: drop.reason, code: drop.error?.code });
    // The tab says why it dropped (its status dot turns grey in the strip); no toast on top of
    // the very bar that offers Reconnect.
    if (drop.reason !== 'exited' && this.autoReconnect) {
      // A connection that stayed up a while was not a flapping host: count attempts afresh.
      if (now - link.connectedAt >= this.reconnectPolicy.stableAfterMs) this.autoAttempt = 0;
      this.scheduleAutoReconnect(drop.error);
    }
    this.publish();
  }

  private fail(failure: ConnectFailure, automatic: boolean): void {
    this.status = 'failed';
    this.error = failure.error;
    this.failedStep = failure.step;
    this.hostKeyChange = failure.hostKeyChange;
    this.abort = undefined;
    this.deps.log.warn('connect failed', { sessionId: this.id, step: failure.step, code: failure.error.code, cause: failure.error.cause });
    if (automatic && this.autoReconnect) this.scheduleAutoReconnect(failure.error);
    this.publish();
  }

  private scheduleAutoReconnect(error: AppError | undefined): void {
    const attempt = this.autoAttempt + 1;
    const decision = decideReconnect(attempt, error, this.reconnectPolicy, this.deps.random);
    if (!decision.retry) {
      this.gaveUp = decision.why;
      this.nextAttemptAt = undefined;
      return;
    }
    this.autoAttempt = attempt;
    this.gaveUp = undefined;
    this.nextAttemptAt = this.deps.clock.now() + decision.delayMs;
    const generation = this.generation;
    this.reconnectTimer = this.deps.clock.setTimeout(() => {
      if (generation !== this.generation || this.status === 'closed') return;
      void this.attempt(true);
    }, decision.delayMs);
  }

  private scheduleExpiryWarning(generation: number, link: Link): void {
    const expiresAt = link.tunnel.expiresAt;
    if (expiresAt === undefined) return;
    const warnAt = expiresAt - (this.deps.expiryWarningMs ?? EXPIRY_WARNING_MS);
    const fire = (): void => {
      if (generation !== this.generation || this.status !== 'connected') return;
      this.expiresSoon = true;
      const minutes = Math.max(1, Math.round((expiresAt - this.deps.clock.now()) / 60_000));
      this.deps.notice({
        level: 'warning',
        message: `${this.title}: the endpoint ends this session in ${minutes} minute${minutes === 1 ? '' : 's'} (its time limit).`,
        hint: this.autoReconnect ? 'Bastionless will reconnect it by itself.' : 'Save your work; Reconnect opens a new session. Auto-reconnect can do it for you (host settings).',
      });
      this.publish();
    };
    const delay = warnAt - this.deps.clock.now();
    if (delay <= 0) fire();
    else this.expiryTimer = this.deps.clock.setTimeout(fire, delay);
  }

  private applyTarget(target: ResolvedTarget, endpoint: EndpointChoice): void {
    this.title = target.name;
    this.autoReconnect = target.autoReconnect;
    this.target = {
      ...(target.hostId ? { hostId: target.hostId } : {}),
      instanceId: target.instanceId,
      profileId: target.profileId,
      region: target.region,
      name: target.name,
      osUser: target.osUser,
      port: target.port,
      privateIp: target.privateIp,
      endpointId: endpoint.endpointId,
      authMethod: target.auth.method,
    };
  }

  private clearTimers(): void {
    if (this.expiryTimer !== undefined) this.deps.clock.clearTimeout(this.expiryTimer);
    if (this.reconnectTimer !== undefined) this.deps.clock.clearTimeout(this.reconnectTimer);
    this.expiryTimer = undefined;
    this.reconnectTimer = undefined;
  }

  private publish(): void {
    this.deps.emitState(this.info());
  }
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', 'Something went wrong while connecting.', { hint: 'Retry. If it keeps happening, copy the details and report it.', cause: error });
}
