import { useSyncExternalStore } from 'react';
import type { TunnelInfo } from '../../../../preload/contract';
import { getApi } from '../../api';
import { toAppError } from '../../api/useAsync';
import type { AppError } from '../../api';

interface TunnelsState {
  tunnels: readonly TunnelInfo[];
  loaded: boolean;
  error: AppError | undefined;
}

type Listener = () => void;

/** Main's list of open tunnels: loaded once, then replaced by each `tunnels.changed` event. */
class TunnelsStore {
  private state: TunnelsState = { tunnels: [], loaded: false, error: undefined };
  private readonly listeners = new Set<Listener>();
  private started = false;

  getSnapshot = (): TunnelsState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private start(): void {
    if (this.started) return;
    this.started = true;
    const api = getApi();
    let evented = false;
    api.tunnels.onChanged(({ tunnels }) => {
      evented = true;
      this.set({ tunnels, loaded: true, error: undefined });
    });
    void api.tunnels.list().then(
      ({ tunnels }) => {
        // An event that arrived while the list was in flight is newer than it.
        if (!evented) this.set({ tunnels, loaded: true, error: undefined });
      },
      (e: unknown) => this.set({ ...this.state, loaded: true, error: toAppError(e) }),
    );
  }

  /** Shows a stopped tunnel gone at once; the next event confirms it. */
  removeLocally(tunnelId: string): void {
    this.set({ ...this.state, tunnels: this.state.tunnels.filter((t) => t.tunnelId !== tunnelId) });
  }

  private set(next: TunnelsState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

export const tunnelsStore = new TunnelsStore();

export function useTunnels(): TunnelsState {
  return useSyncExternalStore(tunnelsStore.subscribe, tunnelsStore.getSnapshot);
}
