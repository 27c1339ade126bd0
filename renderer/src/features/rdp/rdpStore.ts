import type { RdpLaunchInput, RdpSession } from '../../../../preload/contract';
import { getApi } from '../../api';
import { ExternalStore, useStore } from '../../hooks/externalStore';
import { workspace, type TabStatus } from '../../shell/workspaceStore';

/** The tab id of an RDP session's panel. */
export const rdpTabId = (sessionId: string): string => `rdp:${sessionId}`;
export const isRdpTab = (tabId: string): boolean => tabId.startsWith('rdp:');
export const sessionIdOfTab = (tabId: string): string => tabId.slice('rdp:'.length);

const TAB_STATUS: Record<RdpSession['state'], TabStatus> = {
  starting: 'connecting',
  needsKey: 'connecting',
  ready: 'live',
  connected: 'live',
  closed: 'closed',
  failed: 'failed',
};

/**
 * The window's copy of main's RDP sessions: loaded once, then kept current by the
 * sessionChanged / sessionRemoved events. Keeps each session's tab title and status dot in step.
 */
export class RdpStore extends ExternalStore<readonly RdpSession[]> {
  private sessions = new Map<string, RdpSession>();

  constructor() {
    super([]);
  }

  protected override onStart(): void {
    const api = getApi();
    api.rdp.onSessionChanged((session) => this.upsert(session));
    api.rdp.onSessionRemoved(({ sessionId }) => this.remove(sessionId));
    void api.rdp.list().then(
      (list) => {
        for (const session of list) if (!this.sessions.has(session.sessionId)) this.upsert(session);
      },
      () => undefined,
    );
  }

  upsert(session: RdpSession): void {
    const known = this.sessions.get(session.sessionId);
    // Events and replies can cross: never let an older state overwrite a newer one's end.
    if (known && (known.state === 'closed' || known.state === 'failed') && session.state !== known.state && session.state !== 'closed') return;
    this.sessions.set(session.sessionId, session);
    const tabId = rdpTabId(session.sessionId);
    if (workspace.getState().tabs.some((t) => t.id === tabId)) {
      workspace.updateTab(tabId, { title: tabTitle(session), status: TAB_STATUS[session.state] });
    }
    this.publish();
  }

  remove(sessionId: string): void {
    if (!this.sessions.delete(sessionId)) return;
    this.publish();
  }

  get(sessionId: string): RdpSession | undefined {
    return this.sessions.get(sessionId);
  }

  private publish(): void {
    this.replace([...this.sessions.values()]);
  }
}

export const rdpStore = new RdpStore();

// Closing an RDP tab hides its panel; the session (and the person's RDP window) carries on and
// stays in the Tunnels view, where Show brings the panel back. A finished session is forgotten.
workspace.registerCloser('rdp:', (tabId) => {
  const session = rdpStore.get(sessionIdOfTab(tabId));
  workspace.closeTab(tabId);
  if (session && (session.state === 'closed' || session.state === 'failed')) {
    void getApi()
      .rdp.dismiss({ sessionId: session.sessionId })
      .catch(() => undefined);
  }
});

export function tabTitle(session: RdpSession): string {
  return `RDP · ${session.label}`;
}

export function useRdpSessions(): readonly RdpSession[] {
  return useStore(rdpStore);
}

/** Shows a session's panel in its own tab (opening the tab if needed). */
export function showRdpSession(session: RdpSession): void {
  workspace.openTab({ id: rdpTabId(session.sessionId), kind: 'rdp', title: tabTitle(session), status: TAB_STATUS[session.state] });
}

/**
 * "Launch RDP": the whole flow runs in main; this starts it and shows its panel. Launching a
 * host that already has an open session brings that session (and its client) back.
 */
export async function launchRdp(input: RdpLaunchInput): Promise<RdpSession> {
  const session = await getApi().rdp.launch(input);
  rdpStore.upsert(session);
  showRdpSession(session);
  return session;
}

/** What launched a session, to launch the same target again (Try again, Connect without password). */
export function targetOf(session: RdpSession): Pick<RdpLaunchInput, 'hostId' | 'instance'> {
  return session.hostId !== undefined
    ? { hostId: session.hostId }
    : { instance: { profileId: session.profileId, region: session.region, instanceId: session.instanceId } };
}
