import { AppError } from '../../preload/contract/errors';

/** Who uses a connection: an SSH tab, an RDP session, a port forward. */
export interface TunnelOwner {
  kind: 'ssh' | 'rdp' | 'forward';
  /** What the person calls it: the host's name or the forward's label. */
  label: string;
  hostId?: string;
}

/** One held connection; release() is safe to call more than once. */
export interface BudgetSlot {
  readonly endpointId: string;
  release(): void;
}

/** EICE allows at most 20 concurrent connections per endpoint (not adjustable). */
export const EICE_CONNECTIONS_PER_ENDPOINT = 20;

const NOUNS: Record<TunnelOwner['kind'], [string, string]> = {
  ssh: ['SSH tab', 'SSH tabs'],
  rdp: ['RDP connection', 'RDP connections'],
  forward: ['port-forward connection', 'port-forward connections'],
};

/**
 * Counts this app's connections per endpoint so the 21st is refused before it is opened, with
 * a message that says what uses the 20. Opens in progress count: the slot is taken first.
 */
export class ConnectionBudget {
  private readonly held = new Map<string, Set<{ owner: TunnelOwner }>>();

  constructor(readonly limit: number = EICE_CONNECTIONS_PER_ENDPOINT) {}

  /** Takes one slot on the endpoint, or throws EIC_CONNECTION_LIMIT naming what uses them. */
  acquire(endpointId: string, owner: TunnelOwner): BudgetSlot {
    const set = this.held.get(endpointId) ?? new Set();
    if (set.size >= this.limit) throw this.limitError(endpointId, [...set].map((e) => e.owner));
    const entry = { owner };
    set.add(entry);
    this.held.set(endpointId, set);
    let released = false;
    return {
      endpointId,
      release: () => {
        if (released) return;
        released = true;
        set.delete(entry);
        if (set.size === 0 && this.held.get(endpointId) === set) this.held.delete(endpointId);
      },
    };
  }

  /** How many slots the endpoint has in use. */
  used(endpointId: string): number {
    return this.held.get(endpointId)?.size ?? 0;
  }

  private limitError(endpointId: string, owners: TunnelOwner[]): AppError {
    const groups = (['ssh', 'rdp', 'forward'] as const)
      .map((kind) => {
        const mine = owners.filter((o) => o.kind === kind);
        if (mine.length === 0) return '';
        const labels = [...new Set(mine.map((o) => o.label))];
        const shown = labels.slice(0, 4).join(', ') + (labels.length > 4 ? ', …' : '');
        return `${mine.length} ${NOUNS[kind][mine.length === 1 ? 0 : 1]} (${shown})`;
      })
      .filter(Boolean);
    return new AppError('EIC_CONNECTION_LIMIT', `${endpointId} is using ${owners.length} of ${this.limit} connections: ${groups.join(', ')}.`, {
      hint: 'EICE allows 20 connections per endpoint at once: close an SSH tab, an RDP session or a port forward you no longer need, then retry.',
      retryable: true,
    });
  }
}
