import type { EndpointsOverview, Operation, TunnelInfo } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';
import { workspace } from '../../shell/workspaceStore';
import { tunnelsStore } from '../tunnels/tunnelsStore';

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
export class EndpointsStore extends ExternalStore<EndpointsState> {
  private generation = 0;
  private panelKey = 0;

  constructor() {
    super({ scope: undefined, overview: undefined, loading: false, error: undefined, operations: [], liveConnections: {}, panel: { kind: 'list' } });
  }

  protected override onStart(): void {
    getApi().endpoints.onOperationChanged((op) => this.noteOperation(op));
    // The Tunnels feed already follows main's list and events; count from it.
    tunnelsStore.subscribe(() => this.update({ liveConnections: countByEndpoint(tunnelsStore.getSnapshot().tunnels) }));
  }

  /** A view mounting again (or a reloaded window) re-attaches to what main is running. */
  protected override onFirstListener(): void {
    void this.syncOperations();
  }

  /** Replaces the operations with main's list: main owns them, the window only follows. */
  async syncOperations(): Promise<void> {
    try {
      this.update({ operations: await getApi().endpoints.operations() });
    } catch {
      // The list stays as it was; the next event or mount tries again.
    }
  }

  /** Records an operation's new state; when one ends, the list is refreshed to show its outcome. */
  noteOperation(op: Operation): void {
    const before = this.state.operations.find((o) => o.operationId === op.operationId);
    const operations = [op, ...this.state.operations.filter((o) => o.operationId !== op.operationId)].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    this.update({ operations });
    const scope = this.state.scope;
    const finishedSteps = (o: Operation | undefined): number => o?.steps.filter((st) => st.state === 'done').length ?? 0;
    // A finished step (an endpoint deleted or created) or a new state changes what the list shows.
    const changedEndpoint = before?.endpointState !== op.endpointState || before?.status !== op.status || finishedSteps(before) !== finishedSteps(op);
    if (scope && op.profileId === scope.profileId && op.region === scope.region && changedEndpoint) void this.refresh();
  }

  forgetOperation(operationId: string): void {
    this.update({ operations: this.state.operations.filter((o) => o.operationId !== operationId) });
  }

  setScope(scope: EndpointScope): void {
    const same = this.state.scope?.profileId === scope.profileId && this.state.scope?.region === scope.region;
    if (same && (this.state.overview || this.state.loading)) return;
    this.update({ scope, overview: same ? this.state.overview : undefined, error: undefined });
    void this.refresh();
  }

  /** Reloads the overview of the current scope; a newer call wins. */
  async refresh(): Promise<void> {
    const scope = this.state.scope;
    if (!scope) return;
    const generation = ++this.generation;
    this.update({ loading: true });
    try {
      const overview = await getApi().endpoints.list(scope);
      if (generation === this.generation) this.update({ overview, error: undefined, loading: false });
    } catch (e) {
      if (generation === this.generation) this.update({ error: toAppError(e), loading: false });
    }
  }

  showPanel(panel: { kind: 'list' } | { kind: 'wizard'; vpcId?: string } | { kind: 'openPath'; endpointId: string }): void {
    this.panelKey += 1;
    this.update({ panel: panel.kind === 'list' ? panel : { ...panel, key: this.panelKey } });
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
  return useStore(endpointsStore);
}

/** "Set up endpoint" for a VPC: switches to the Endpoints view with the wizard open on that VPC. */
export function openEndpointSetup(target: EndpointScope & { vpcId?: string }): void {
  endpointsStore.openSetup(target);
}
