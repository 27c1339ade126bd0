import { ExternalStore, useStore } from '../hooks/externalStore';

export const VIEWS = [
  { id: 'hosts', label: 'Hosts', icon: 'server', shortcut: '1' },
  { id: 'endpoints', label: 'Endpoints', icon: 'endpoint', shortcut: '2' },
  { id: 'profiles', label: 'Profiles', icon: 'profile', shortcut: '3' },
  { id: 'tunnels', label: 'Tunnels', icon: 'tunnel', shortcut: '4' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export type TabStatus = 'connecting' | 'live' | 'closed' | 'failed';

/** What a session tab holds: a terminal (SSH) or a Remote Desktop session (RDP). */
export type TabKind = 'ssh' | 'rdp';

/** A session tab. The first tab is always the workspace. */
export interface SessionTab {
  id: string;
  kind: TabKind;
  title: string;
  status: TabStatus;
  /** The name the person gave the tab (double-click its title); shown instead of `title`. */
  customTitle?: string;
  /** A short flag after the title, e.g. the minutes left before the endpoint's time limit. */
  badge?: { text: string; tone: 'warning' | 'info' };
  /** The tab's tooltip: what it is connected to. */
  detail?: string;
}

/** Decides what closing a tab means (a confirm for a live session); the tab's feature registers it. */
export type TabCloser = (tabId: string) => void;

export interface WorkspaceState {
  view: ViewId;
  tabs: readonly SessionTab[];
  /** 'workspace' or a session tab's id. */
  active: string;
}

export const WORKSPACE_TAB = 'workspace';

/** The shell's state: which view, which tabs, which tab is in front. Plain and synchronous. */
export class WorkspaceStore extends ExternalStore<WorkspaceState> {
  private readonly closers = new Map<string, TabCloser>();

  constructor() {
    super({ view: 'hosts', tabs: [], active: WORKSPACE_TAB });
  }

  getState = (): WorkspaceState => this.state;

  showView(view: ViewId): void {
    this.update({ view, active: WORKSPACE_TAB });
  }

  openTab(tab: SessionTab): void {
    const exists = this.state.tabs.some((t) => t.id === tab.id);
    this.update({ tabs: exists ? this.state.tabs : [...this.state.tabs, tab], active: tab.id });
  }

  updateTab(id: string, patch: Partial<Omit<SessionTab, 'id' | 'kind'>>): void {
    this.update({ tabs: this.state.tabs.map((t) => (t.id === id ? { ...t, ...patch } : t)) });
  }

  closeTab(id: string): void {
    const index = this.state.tabs.findIndex((t) => t.id === id);
    if (index < 0) return;
    const tabs = this.state.tabs.filter((t) => t.id !== id);
    let active = this.state.active;
    if (active === id) active = tabs[Math.min(index, tabs.length - 1)]?.id ?? WORKSPACE_TAB;
    this.update({ tabs, active });
  }

  /**
   * Closes a tab the way its feature wants (e.g. asking first when a session is live): the
   * closer registered for the id's prefix (`ssh:`), or at once when there is none.
   */
  requestClose(id: string): void {
    for (const [prefix, closer] of this.closers) {
      if (id.startsWith(prefix)) {
        closer(id);
        return;
      }
    }
    this.closeTab(id);
  }

  /** Registers what closing the tabs whose id starts with `prefix` means; returns an unregister. */
  registerCloser(prefix: string, closer: TabCloser): () => void {
    this.closers.set(prefix, closer);
    return () => {
      if (this.closers.get(prefix) === closer) this.closers.delete(prefix);
    };
  }

  /** Renames a tab; an empty name goes back to the feature's own title. */
  rename(id: string, name: string): void {
    const trimmed = name.trim().slice(0, 80);
    this.update({
      tabs: this.state.tabs.map((t) => {
        if (t.id !== id) return t;
        const { customTitle: _old, ...rest } = t;
        return trimmed ? { ...rest, customTitle: trimmed } : rest;
      }),
    });
  }

  /** Moves a session tab `delta` places left or right (keyboard reordering). */
  moveBy(id: string, delta: number): void {
    const from = this.state.tabs.findIndex((t) => t.id === id);
    if (from < 0) return;
    this.moveTab(id, Math.max(0, Math.min(this.state.tabs.length - 1, from + delta)));
  }

  activate(id: string): void {
    if (id === WORKSPACE_TAB || this.state.tabs.some((t) => t.id === id)) this.update({ active: id });
  }

  /** Moves the active tab by `delta` (wrapping), across the workspace tab and session tabs. */
  cycle(delta: number): void {
    const order = [WORKSPACE_TAB, ...this.state.tabs.map((t) => t.id)];
    const at = order.indexOf(this.state.active);
    const next = order[(at + delta + order.length) % order.length];
    if (next) this.update({ active: next });
  }

  moveTab(id: string, toIndex: number): void {
    const tabs = [...this.state.tabs];
    const from = tabs.findIndex((t) => t.id === id);
    if (from < 0) return;
    const [tab] = tabs.splice(from, 1);
    if (!tab) return;
    tabs.splice(Math.max(0, Math.min(toIndex, tabs.length)), 0, tab);
    this.update({ tabs });
  }
}

/** What a tab is called in the strip: the person's name for it, else its feature's title. */
export function displayTitle(tab: SessionTab): string {
  return tab.customTitle ?? tab.title;
}

export const workspace = new WorkspaceStore();

export function useWorkspace(): WorkspaceState {
  return useStore(workspace);
}
