import { useSyncExternalStore } from 'react';
import type { InventoryScope, InventorySnapshot, RefreshInventoryInput } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';

export interface InventoryState {
  /** Undefined until the last inventory has loaded. */
  snapshot: InventorySnapshot | undefined;
  /** Scopes of the scan in progress, as its events arrive (profile + Region -> scope). */
  live: Readonly<Record<string, InventoryScope>>;
  scanning: boolean;
  /** Why the last scan could not start or finish (not a Region's failure: those are on their scopes). */
  error: AppError | undefined;
}

type Listener = () => void;
const keyOf = (s: Pick<InventoryScope, 'profileId' | 'region'>): string => `${s.profileId}\u0000${s.region}`;

/**
 * The window's copy of discovery: the last inventory, refreshed when a scan finishes and while
 * it runs (each finished Region reloads it, so instances appear Region by Region).
 */
export class InventoryStore {
  private state: InventoryState = { snapshot: undefined, live: {}, scanning: false, error: undefined };
  private readonly listeners = new Set<Listener>();
  private started = false;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;

  getSnapshot = (): InventoryState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<InventoryState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    getApi().inventory.onProgressed(({ scope }) => {
      const live = { ...this.state.live, [keyOf(scope)]: scope };
      if (scope.region !== '*' && live[keyOf({ profileId: scope.profileId, region: '*' })]?.state === 'loading') delete live[keyOf({ profileId: scope.profileId, region: '*' })];
      this.set({ live, scanning: true });
      if (scope.state === 'done' || scope.state === 'failed') void this.reload();
    });
    void this.reload();
  }

  /** Reloads the last inventory from main; calls during a reload run once more after it. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        try {
          const snapshot = await getApi().inventory.last();
          this.set({ snapshot, scanning: snapshot.running || this.state.scanning });
        } catch (e) {
          this.set({ error: toAppError(e) });
        }
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Starts a scan. A scan replaced by a newer one is not an error. */
  async scan(input: RefreshInventoryInput = {}): Promise<void> {
    this.set({ scanning: true, error: undefined, live: {} });
    try {
      const snapshot = await getApi().inventory.refresh(input);
      this.set({ snapshot, scanning: false, live: {} });
    } catch (e) {
      const error = toAppError(e);
      if (error.code === 'CANCELLED') return;
      this.set({ scanning: false, error, live: {} });
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
  return useSyncExternalStore(inventoryStore.subscribe, inventoryStore.getSnapshot);
}
