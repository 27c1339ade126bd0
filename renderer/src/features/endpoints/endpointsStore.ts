import { useSyncExternalStore } from 'react';
import type { EndpointsOverview, Operation, TunnelInfo } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { workspace } from '../../shell/workspaceStore';

/** Where the Endpoints view looks: one profile in one Region. */
export interface EndpointScope {
  profileId: string;
  region: string;
}

/** What the view shows instead of the list: the setup wizard (possibly for a VPC), or the "open the path" step of an endpoint. */
export type EndpointsPanel =
  | { kind: 'list' }
  | { kind: 'wizard'; vpcId?: string; key: number }
  | { kind: 'openPath'; endpointId: string; key: number };

export interface EndpointsState {
  scope: EndpointScope | undefined;
  overview: EndpointsOverview | undefined;
  loading: boolean;
  error: AppError | undefined;
  /** Every operation main keeps (running, interrupted, finished not dismissed), newest first. */
  operations: readonly Operation[];
  /** Live tunnels per endpoint id, from the Tunnels feed (connections in use out of 20). */
  liveConnections: Readonly<Record<string, number>>;
  panel: EndpointsPanel;
}

type Listener = () => void;

const countByEndpoint = (tunnels: readonly TunnelInfo[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const t of tunnels) out[t.endpoint.endpointId] = (out[t.endpoint.endpointId] ?? 0) + t.connections.active;
  return out;
};

/**
 * The window's copy of the Endpoints view: the scope, main's overview of it, the operations
 * (kept in main, so a reloaded window re-attaches with one `operations` call and then follows
 * `operationChanged`), live connection counts from the Tunnels feed, and which panel is open.
 */
export class EndpointsStore {
  private state: EndpointsState = { scope: undefined, overview: undefined, loading: false, error: undefined, operations: [], liveConnections: {}, panel: { kind: 'list' } };
  private readonly listeners = new Set<Listener>();
  private started = false;
  private generation = 0;
  private panelKey = 0;

  getSnapshot = (): EndpointsState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    // A view mounting again (or a reloaded window) re-attaches to what main is running.
    if (this.listeners.size === 0) void this.syncOperations();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<EndpointsState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const api = getApi();
    api.endpoints.onOperationChanged((op) => this.noteOperation(op));
    api.tunnels.onChanged(({ tunnels }) => this.set({ liveConnections: countByEndpoint(tunnels) }));
    void api.tunnels.list().then(
      ({ tunnels }) => this.set({ liveConnections: countByEndpoint(tunnels) }),
      () => undefined,
    );
  }

  /** Replaces the operations with main's list: main owns them, the window only follows. */
  async syncOperations(): Promise<void> {
    try {
      this.set({ operations: await getApi().endpoints.operations() });
    } catch {
      // The list stays as it was; the next event or mount tries again.
    }
  }

  /** Records an operation's new state; when one ends, the list is refreshed to show its outcome. */
  noteOperation(op: Operation): void {
    const before = this.state.operations.find((o) => o.operationId === op.operationId);
    const operations = [op, ...this.state.operations.filter((o) => o.operationId !== op.operationId)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    this.set({ operations });
    const scope = this.state.scope;
    const finishedSteps = (o: Operation | undefined): number => o?.steps.filter((st) => st.state === 'done').length ?? 0;
    // A finished step (an endpoint deleted or created) or a new state changes what the list shows.
    const changedEndpoint = before?.endpointState !== op.endpointState || before?.status !== op.status || finishedSteps(before) !== finishedSteps(op);
    if (scope && op.profileId === scope.profileId && op.region === scope.region && changedEndpoint) void this.refresh();
  }

  forgetOperation(operationId: string): void {
    this.set({ operations: this.state.operations.filter((o) => o.operationId !== operationId) });
  }

  setScope(scope: EndpointScope): void {
    const same = this.state.scope?.profileId === scope.profileId && this.state.scope?.region === scope.region;
    if (same && (this.state.overview || this.state.loading)) return;
    this.set({ scope, overview: same ? this.state.overview : undefined, error: undefined });
    void this.refresh();
  }

  /** Reloads the overview of the current scope; a newer call wins. */
  async refresh(): Promise<void> {
    const scope = this.state.scope;
    if (!scope) return;
    const generation = ++this.generation;
    this.set({ loading: true });
    try {
      const overview = await getApi().endpoints.list(scope);
      if (generation === this.generation) this.set({ overview, error: undefined, loading: false });
    } catch (e) {
      if (generation === this.generation) this.set({ error: toAppError(e), loading: false });
    }
  }

  showPanel(panel: { kind: 'list' } | { kind: 'wizard'; vpcId?: string } | { kind: 'openPath'; endpointId: string }): void {
    this.panelKey += 1;
    this.set({ panel: panel.kind === 'list' ? panel : { ...panel, key: this.panelKey } });
  }

  /** Opens the setup wizard for a VPC (from the Hosts view: a host whose VPC lacks an endpoint). */
  openSetup(target: EndpointScope & { vpcId?: string }): void {
    this.setScope({ profileId: target.profileId, region: target.region });
    this.showPanel({ kind: 'wizard', ...(target.vpcId ? { vpcId: target.vpcId } : {}) });
    workspace.showView('endpoints');
  }
}

export const endpointsStore = new EndpointsStore();

export function useEndpoints(): EndpointsState {
  return useSyncExternalStore(endpointsStore.subscribe, endpointsStore.getSnapshot);
}

/** "Set up endpoint" for a VPC: switches to the Endpoints view with the wizard open on that VPC. */
export function openEndpointSetup(target: EndpointScope & { vpcId?: string }): void {
  endpointsStore.openSetup(target);
}
