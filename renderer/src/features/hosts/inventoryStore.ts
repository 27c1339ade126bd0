import type { InventoryScope, InventorySnapshot, RefreshInventoryInput } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';

export interface InventoryState {
  /** Undefined until the last inventory has loaded. */
  snapshot: InventorySnapshot | undefined;
  /** Scopes of the scan in progress, as its events arrive (profile + Region -> scope). */
  live: Readonly<Record<string, InventoryScope>>;
  scanning: boolean;
  /** Why the last scan could not start or finish (not a Region's failure: those are on their scopes). */
  error: AppError | undefined;
}

const keyOf = (s: Pick<InventoryScope, 'profileId' | 'region'>): string => `${s.profileId}\u0000${s.region}`;

/**
 * The window's copy of discovery: the last inventory, refreshed when a scan finishes and while
 * it runs (each finished Region reloads it, so instances appear Region by Region).
 */
export class InventoryStore extends ExternalStore<InventoryState> {
  constructor() {
    super({ snapshot: undefined, live: {}, scanning: false, error: undefined });
  }

  protected override onStart(): void {
    getApi().inventory.onProgressed(({ scope }) => {
      const live = { ...this.state.live, [keyOf(scope)]: scope };
      if (scope.region !== '*' && live[keyOf({ profileId: scope.profileId, region: '*' })]?.state === 'loading') delete live[keyOf({ profileId: scope.profileId, region: '*' })];
      this.update({ live, scanning: true });
      if (scope.state === 'done' || scope.state === 'failed') void this.reload();
    });
    void this.reload();
  }

  /** Reloads the last inventory from main; calls during a reload run once more after it. */
  readonly reload = this.coalesce(async () => {
    try {
      const snapshot = await getApi().inventory.last();
      this.update({ snapshot, scanning: snapshot.running || this.state.scanning });
    } catch (e) {
      this.update({ error: toAppError(e) });
    }
  });

  /** Starts a scan. A scan replaced by a newer one is not an error. */
  async scan(input: RefreshInventoryInput = {}): Promise<void> {
    this.update({ scanning: true, error: undefined, live: {} });
    try {
      const snapshot = await getApi().inventory.refresh(input);
      this.update({ snapshot, scanning: false, live: {} });
    } catch (e) {
      const error = toAppError(e);
      if (error.code === 'CANCELLED') return;
      this.update({ scanning: false, error, live: {} });
    }
  }

  /** The scopes to show: the running scan's live ones over the last snapshot's. */
  scopes(): InventoryScope[] {
    const merged = new Map<string, InventoryScope>();
    for (const s of this.state.snapshot?.scopes ?? []) merged.set(keyOf(s), s);
    for (const s of Object.values(this.state.live)) merged.set(keyOf(s), s);
    return [...merged.values()];
  }
}

export const inventoryStore = new InventoryStore();

export function useInventory(): InventoryState {
  return useStore(inventoryStore);
}
