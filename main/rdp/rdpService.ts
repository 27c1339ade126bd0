import { randomUUID } from 'node:crypto';
import { AppError } from '../../preload/contract';
import type { RdpClientAvailability, RdpLaunchInput, RdpSession as RdpSessionView } from '../../preload/contract/rdp';
import type { ClipboardGuard } from './clipboardGuard';
import type { RdpTargetRef } from './rdpIo';
import { RdpSession, type RdpSessionDeps } from './rdpSession';

export const DEFAULT_IDLE_TIMEOUT_MS = 2 * 60_000;
/** An RDP client opens one connection, a second one briefly while it reconnects: 4 leaves room without eating the endpoint's 20. */
export const DEFAULT_MAX_CONNECTIONS = 4;

/** What the service hands every session (rdpSession.ts), with the tunnel's limits optional. */
export interface RdpServiceOptions extends Omit<RdpSessionDeps, 'idleTimeoutMs' | 'maxConnections'> {
  clipboard: ClipboardGuard;
  platform: RdpClientAvailability['platform'];
  /** Publishes a session's new state (the sessionChanged event). */
  onSessionChanged(session: RdpSessionView): void;
  onSessionRemoved(sessionId: string): void;
  idleTimeoutMs?: number;
  maxConnections?: number;
  newId?: () => string;
}

/**
 * Every RDP session of the app: launches them, answers their key prompts, copies their
 * passwords, stops and forgets them. `dispose()` closes them all and clears the clipboard.
 */
export class RdpService {
  private readonly sessions = new Map<string, RdpSession>();
  private disposed = false;
  private readonly sessionDeps: RdpSessionDeps;

  constructor(private readonly options: RdpServiceOptions) {
    const { clipboard: _clipboard, platform: _platform, onSessionChanged: _changed, onSessionRemoved: _removed, newId: _newId, idleTimeoutMs, maxConnections, ...shared } = options;
    this.sessionDeps = { ...shared, idleTimeoutMs: idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, maxConnections: maxConnections ?? DEFAULT_MAX_CONNECTIONS };
  }

  /** Starts a launch (or reuses the open session for the same host). Resolves at once with its first state. */
  async launch(input: RdpLaunchInput): Promise<RdpSessionView> {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.');
    const target: RdpTargetRef = input.hostId !== undefined ? { hostId: input.hostId } : { instance: input.instance! };
    const existing = [...this.sessions.values()].find((s) => s.matches(target, input.username));
    if (existing && !input.withoutPassword) {
      // A second Launch RDP on the same host brings the client back on the tunnel already open.
      if (existing.wantsClient) await existing.openClient();
      return existing.view();
    }
    const { options } = this;
    const session = new RdpSession(
      (options.newId ?? randomUUID)(),
      { target, ...(input.username !== undefined ? { username: input.username } : {}), withoutPassword: input.withoutPassword ?? false },
      this.sessionDeps,
      (s) => {
        if (this.sessions.has(s.sessionId)) options.onSessionChanged(s.view());
      },
    );
    this.sessions.set(session.sessionId, session);
    void session.start();
    return session.view();
  }

  provideKey(input: { sessionId: string; privateKey?: string; passphrase?: string; remember: boolean }): RdpSessionView {
    const session = this.get(input.sessionId);
    session.provideKey(input);
    return session.view();
  }

  async copyPassword(sessionId: string): Promise<{ clearsAfterMs: number }> {
    const password = this.get(sessionId).passwordForCopy();
    return { clearsAfterMs: await this.options.clipboard.copy(password) };
  }

  async openClient(sessionId: string): Promise<RdpSessionView> {
    const session = this.get(sessionId);
    await session.openClient();
    return session.view();
  }

  async stop(sessionId: string): Promise<RdpSessionView> {
    const session = this.get(sessionId);
    await session.close('stopped');
    return session.view();
  }

  async dismiss(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    await session.close('stopped');
    this.options.onSessionRemoved(sessionId);
  }

  list(): RdpSessionView[] {
    return [...this.sessions.values()].sort((a, b) => a.startedAt - b.startedAt).map((s) => s.view());
  }

  async clients(): Promise<RdpClientAvailability> {
    const client = await this.options.launcher.detect();
    return {
      platform: this.options.platform,
      ...(client ? { client: { name: client.name, path: client.path, acceptsPassword: client.acceptsPassword } } : {}),
      installHint: this.options.launcher.installHint,
    };
  }

  /** When an RDP listener closes for lack of a client, by tunnel id: the Tunnels view shows it. */
  idleDeadlines(): Map<string, string> {
    const out = new Map<string, string>();
    for (const session of this.sessions.values()) {
      const deadline = session.idleDeadline();
      if (deadline) out.set(deadline.tunnelId, deadline.at);
    }
    return out;
  }

  private get(sessionId: string): RdpSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'That RDP session no longer exists.', { hint: 'Launch RDP again for the host.' });
    return session;
  }

  /** Closes every session (tunnels, clients, temporary files), then clears a password left on the clipboard. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close('shutdown')));
    await this.options.launcher.dispose();
    await this.options.clipboard.dispose();
  }
}
