import { describe, expect, it } from 'vitest';
import type { OpenSessionInput, SessionInfo } from '../../../../preload/contract';
import { SessionsStore, sshTabId, type TerminalSink } from '../../../../renderer/src/features/terminals/sessionsStore';
import { WorkspaceStore } from '../../../../renderer/src/shell/workspaceStore';
import { sessionInfo, steps } from './builders';

/** The sessions API as the store uses it: records calls, lets the test publish events. */
class FakeSessionsApi {
  readonly closed: string[] = [];
  readonly opened: OpenSessionInput[] = [];
  listed: SessionInfo[] = [];
  private stateListener: ((info: SessionInfo) => void) | undefined;
  private dataListener: ((data: { sessionId: string; chunk: Uint8Array }) => void) | undefined;
  nextOpen: SessionInfo = sessionInfo({ status: 'connecting', steps: steps({ resolve: 'running', tunnel: 'pending', key: 'pending', auth: 'pending', shell: 'pending' }) });

  onStateChanged = (listener: (info: SessionInfo) => void) => {
    this.stateListener = listener;
    return () => undefined;
  };
  onData = (listener: (data: { sessionId: string; chunk: Uint8Array }) => void) => {
    this.dataListener = listener;
    return () => undefined;
  };
  list = async () => this.listed;
  open = async (input: OpenSessionInput) => {
    this.opened.push(input);
    return this.nextOpen;
  };
  close = async ({ sessionId }: { sessionId: string }) => {
    this.closed.push(sessionId);
    return null;
  };
  state(info: SessionInfo): void {
    this.stateListener?.(info);
  }
  data(sessionId: string, text: string): void {
    this.dataListener?.({ sessionId, chunk: new TextEncoder().encode(text) });
  }
}

function setup() {
  const api = new FakeSessionsApi();
  const tabs = new WorkspaceStore();
  const store = new SessionsStore(() => api as never, tabs);
  store.start();
  return { api, tabs, store };
}

class RecordingSink implements TerminalSink {
  readonly written: string[] = [];
  write(chunk: Uint8Array): void {
    this.written.push(new TextDecoder().decode(chunk));
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('SessionsStore', () => {
  it('opens a session in a new tab in front, and follows its state in the tab', async () => {
    const { api, tabs, store } = setup();
    await store.open({ hostId: 'h-abcdefgh12' });
    expect(api.opened).toEqual([{ hostId: 'h-abcdefgh12' }]);
    expect(tabs.getState().active).toBe(sshTabId('s-abc123'));
    expect(tabs.getState().tabs[0]).toMatchObject({ title: 'web-1', status: 'connecting' });

    api.state(sessionInfo());
    expect(tabs.getState().tabs[0]).toMatchObject({ status: 'live', detail: expect.stringContaining('ec2-user@web-1 · i-0123456789abcdef0 · via eice-0123456789abcdef0') });
    api.state(sessionInfo({ status: 'failed' }));
    expect(tabs.getState().tabs[0]?.status).toBe('failed');
    api.state(sessionInfo({ status: 'disconnected', drop: { reason: 'connection-lost', at: '2026-01-05T09:00:00.000Z' } }));
    expect(tabs.getState().tabs[0]?.status).toBe('closed');
  });

  it('shows the minutes left as a warning badge once the session expires soon', () => {
    const { api, tabs, store } = setup();
    void store;
    tabs.openTab({ id: sshTabId('s-abc123'), kind: 'ssh', title: 'web-1', status: 'live' });
    api.state(sessionInfo({ expiresSoon: true, expiresAt: new Date(Date.now() + 4 * 60_000 + 1000).toISOString() }));
    expect(tabs.getState().tabs[0]?.badge).toEqual({ text: '5m', tone: 'warning' });
    api.state(sessionInfo({ expiresSoon: false }));
    expect(tabs.getState().tabs[0]?.badge).toBeUndefined();
  });

  it('hands output to the terminal, keeping what arrives before the terminal is mounted', () => {
    const { api, store } = setup();
    api.state(sessionInfo());
    api.data('s-abc123', 'first ');
    api.data('s-abc123', 'second ');
    const sink = new RecordingSink();
    const detach = store.attach('s-abc123', sink);
    api.data('s-abc123', 'third');
    expect(sink.written).toEqual(['first ', 'second ', 'third']);
    detach();
    api.data('s-abc123', 'later');
    expect(sink.written).toHaveLength(3);
  });

  it('marks a new connection in the terminal once, before its output', () => {
    const { api, store } = setup();
    const marks: string[] = [];
    const sink = { write: (chunk: Uint8Array) => marks.push(new TextDecoder().decode(chunk)), markReconnected: () => marks.push('--mark--') };
    api.state(sessionInfo({ status: 'connecting', connections: 0 }));
    store.attach('s-abc123', sink);
    api.state(sessionInfo({ connections: 1 }));
    api.data('s-abc123', 'first shell');
    api.state(sessionInfo({ status: 'disconnected', connections: 1, drop: { reason: 'connection-lost', at: '2026-01-05T09:00:00.000Z' } }));
    api.state(sessionInfo({ status: 'connecting', connections: 1 }));
    api.state(sessionInfo({ connections: 2 }));
    api.data('s-abc123', 'second shell');
    expect(marks).toEqual(['first shell', '--mark--', 'second shell']);
  });

  it('asks before closing a live session, and closes a dead one at once', async () => {
    const { api, tabs, store } = setup();
    api.state(sessionInfo());
    tabs.openTab({ id: sshTabId('s-abc123'), kind: 'ssh', title: 'web-1', status: 'live' });
    tabs.requestClose(sshTabId('s-abc123'));
    expect(store.pendingClose).toBe('s-abc123');
    expect(api.closed).toEqual([]);
    store.cancelClose();
    expect(store.pendingClose).toBeUndefined();
    expect(tabs.getState().tabs).toHaveLength(1);

    api.state(sessionInfo({ status: 'disconnected', drop: { reason: 'exited', at: '2026-01-05T09:00:00.000Z', exitCode: 0 } }));
    tabs.requestClose(sshTabId('s-abc123'));
    await flush();
    expect(api.closed).toEqual(['s-abc123']);
    expect(tabs.getState().tabs).toEqual([]);
    expect(store.get('s-abc123')).toBeUndefined();
  });

  it('removes the tab when main says the session closed', () => {
    const { api, tabs, store } = setup();
    api.state(sessionInfo());
    tabs.openTab({ id: sshTabId('s-abc123'), kind: 'ssh', title: 'web-1', status: 'live' });
    api.state(sessionInfo({ status: 'closed' }));
    expect(tabs.getState().tabs).toEqual([]);
    expect(store.getSnapshot()).toEqual([]);
  });

  it('rebuilds the tabs of sessions that outlived a window reload, without taking the front', async () => {
    const api = new FakeSessionsApi();
    api.listed = [sessionInfo(), sessionInfo({ sessionId: 's-def456', title: 'db-1' })];
    const tabs = new WorkspaceStore();
    const store = new SessionsStore(() => api as never, tabs);
    store.start();
    await flush();
    expect(tabs.getState().tabs.map((t) => [t.id, t.title])).toEqual([
      ['ssh:s-abc123', 'web-1'],
      ['ssh:s-def456', 'db-1'],
    ]);
    expect(tabs.getState().active).toBe('workspace');
  });

  it('keeps a renamed tab\'s name when the session updates its title', () => {
    const { api, tabs } = setup();
    api.state(sessionInfo());
    tabs.openTab({ id: sshTabId('s-abc123'), kind: 'ssh', title: 'web-1', status: 'live' });
    tabs.rename(sshTabId('s-abc123'), 'prod shell');
    api.state(sessionInfo({ title: 'web-1 (renamed in AWS)' }));
    expect(tabs.getState().tabs[0]).toMatchObject({ customTitle: 'prod shell', title: 'web-1 (renamed in AWS)' });
  });
});
