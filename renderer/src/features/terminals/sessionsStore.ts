import type { OpenSessionInput, SessionInfo } from '../../../../preload/contract';
import { getApi, type Api } from '../../api';
import { ExternalStore, useStore } from '../../hooks/externalStore';
import { workspace, type TabStatus, type WorkspaceStore } from '../../shell/workspaceStore';
import { remainingMinutes } from './format';

/** The tab id of a terminal session. */
export const sshTabId = (sessionId: string): string => `ssh:${sessionId}`;
export const isSshTab = (tabId: string): boolean => tabId.startsWith('ssh:');
export const sessionIdOfTab = (tabId: string): string => tabId.slice('ssh:'.length);

/** Where a session's output goes once its terminal is on screen. */
export interface TerminalSink {
  /** Writes one chunk; the sink acknowledges it to main once drawn (flow control). */
  write(chunk: Uint8Array): void;
  /** A new connection's shell is about to write: mark it below the old output. */
  markReconnected?(at: Date): void;
}

const TAB_STATUS: Record<SessionInfo['status'], TabStatus> = {
  connecting: 'connecting',
  connected: 'live',
  failed: 'failed',
  disconnected: 'closed',
  closed: 'closed',
};

type SessionsApi = Api['sessions'];

const arrivals = new WeakMap<SessionInfo, number>();

/** When this state arrived from main: a running step's time counts on from there. */
export function receivedAt(info: SessionInfo): number {
  return arrivals.get(info) ?? 0;
}

/**
 * The window's copy of main's terminal sessions, kept current by `sessions.onStateChanged`,
 * and the router of their output (`sessions.onData`) to each tab's terminal. Output that
 * arrives before a terminal is mounted waits here; main's flow control bounds it, since nothing
 * is acknowledged until a terminal has drawn it.
 */
export class SessionsStore extends ExternalStore<readonly SessionInfo[]> {
  private readonly sessions = new Map<string, SessionInfo>();
  private readonly sinks = new Map<string, TerminalSink>();
  private readonly waiting = new Map<string, Uint8Array[]>();
  private confirmClose: string | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly api: () => SessionsApi = () => getApi().sessions,
    private readonly tabs: WorkspaceStore = workspace,
  ) {
    super([]);
  }

  /** Listens to main, and rebuilds the tabs of sessions that outlived a reload of the window. */
  protected override onStart(): void {
    const api = this.api();
    api.onStateChanged((info) => this.upsert(info));
    api.onData(({ sessionId, chunk }) => this.deliver(sessionId, chunk));
    this.tabs.registerCloser('ssh:', (tabId) => this.requestClose(sessionIdOfTab(tabId)));
    void api.list().then(
      (list) => {
        for (const info of list) {
          if (this.sessions.has(info.sessionId)) continue;
          this.upsert(info);
          this.showTab(info, false);
        }
      },
      () => undefined,
    );
  }

  get(sessionId: string): SessionInfo | undefined {
    return this.sessions.get(sessionId);
  }

  /** The session whose close waits for the person's confirmation, if any. */
  get pendingClose(): string | undefined {
    return this.confirmClose;
  }

  upsert(info: SessionInfo): void {
    arrivals.set(info, Date.now());
    if (info.status === 'closed') {
      this.forget(info.sessionId);
      return;
    }
    const previous = this.sessions.get(info.sessionId);
    // State arrives before the new shell's first output (main publishes, then the shell writes).
    if (previous && previous.connections > 0 && info.connections > previous.connections) this.sinks.get(info.sessionId)?.markReconnected?.(new Date());
    this.sessions.set(info.sessionId, info);
    this.updateTab(info);
    this.publish();
    this.ensureTicker();
  }

  /** Opens a session in a new tab, in front. */
  async open(input: OpenSessionInput): Promise<SessionInfo> {
    const info = await this.api().open(input);
    // An event may have raced ahead of the reply: keep whichever is newer (it has more steps done).
    if (!this.sessions.has(info.sessionId)) this.upsert(info);
    this.showTab(this.sessions.get(info.sessionId) ?? info, true);
    return info;
  }

  /** Closes a tab's session; asks first when the session is live. */
  requestClose(sessionId: string): void {
    const info = this.sessions.get(sessionId);
    if (info && info.status === 'connected') {
      this.confirmClose = sessionId;
      this.publish();
      return;
    }
    void this.close(sessionId);
  }

  cancelClose(): void {
    this.confirmClose = undefined;
    this.publish();
  }

  async close(sessionId: string): Promise<void> {
    this.confirmClose = undefined;
    this.forget(sessionId);
    await this.api()
      .close({ sessionId })
      .catch(() => undefined);
  }

  /** A terminal is ready for the session's output: it gets what waited, then everything new. */
  attach(sessionId: string, sink: TerminalSink): () => void {
    this.sinks.set(sessionId, sink);
    const queued = this.waiting.get(sessionId);
    this.waiting.delete(sessionId);
    for (const chunk of queued ?? []) sink.write(chunk);
    return () => {
      if (this.sinks.get(sessionId) === sink) this.sinks.delete(sessionId);
    };
  }

  private deliver(sessionId: string, chunk: Uint8Array): void {
    const sink = this.sinks.get(sessionId);
    if (sink) {
      sink.write(chunk);
      return;
    }
    const queue = this.waiting.get(sessionId) ?? [];
    queue.push(chunk);
    this.waiting.set(sessionId, queue);
  }

  private showTab(info: SessionInfo, activate: boolean): void {
    const id = sshTabId(info.sessionId);
    if (!this.tabs.getState().tabs.some((t) => t.id === id)) {
      const active = this.tabs.getState().active;
      this.tabs.openTab({ id, kind: 'ssh', title: info.title, status: TAB_STATUS[info.status] });
      if (!activate) this.tabs.activate(active);
    } else if (activate) {
      this.tabs.activate(id);
    }
    this.updateTab(info);
  }

  private updateTab(info: SessionInfo): void {
    const id = sshTabId(info.sessionId);
    if (!this.tabs.getState().tabs.some((t) => t.id === id)) return;
    const left = info.status === 'connected' && info.expiresAt ? remainingMinutes(info.expiresAt, Date.now()) : undefined;
    const target = info.target;
    const detail = [
      target.osUser && target.name ? `${target.osUser}@${target.name}` : undefined,
      target.instanceId,
      target.endpointId ? `via ${target.endpointId}` : undefined,
      left !== undefined ? `${left} min left` : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    this.tabs.updateTab(id, {
      title: info.title,
      status: TAB_STATUS[info.status],
      ...(detail ? { detail } : {}),
      badge: info.expiresSoon && left !== undefined ? { text: `${left}m`, tone: 'warning' } : undefined,
    });
  }

  private forget(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.sinks.delete(sessionId);
    this.waiting.delete(sessionId);
    if (this.confirmClose === sessionId) this.confirmClose = undefined;
    this.tabs.closeTab(sshTabId(sessionId));
    this.publish();
  }

  /** Tab badges count minutes down: refresh them while a session has a time limit. */
  private ensureTicker(): void {
    const timed = [...this.sessions.values()].some((s) => s.status === 'connected' && s.expiresAt);
    if (timed && !this.ticker) {
      this.ticker = setInterval(() => {
        for (const info of this.sessions.values()) this.updateTab(info);
        if (![...this.sessions.values()].some((s) => s.status === 'connected' && s.expiresAt)) {
          clearInterval(this.ticker);
          this.ticker = undefined;
        }
      }, 15_000);
    }
  }

  private publish(): void {
    this.replace([...this.sessions.values()]);
  }
}

export const sessionsStore = new SessionsStore();

export function useSessions(): readonly SessionInfo[] {
  return useStore(sessionsStore);
}
