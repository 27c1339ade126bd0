import type { TunnelInfo } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';

export interface TunnelsState {
  tunnels: readonly TunnelInfo[];
  loaded: boolean;
  error: AppError | undefined;
}

/** Main's list of open tunnels: loaded once, then replaced by each `tunnels.changed` event. */
class TunnelsStore extends ExternalStore<TunnelsState> {
  constructor() {
    super({ tunnels: [], loaded: false, error: undefined });
  }

  protected override onStart(): void {
    const api = getApi();
    let evented = false;
    api.tunnels.onChanged(({ tunnels }) => {
      evented = true;
      this.replace({ tunnels, loaded: true, error: undefined });
    });
    void api.tunnels.list().then(
      ({ tunnels }) => {
        // An event that arrived while the list was in flight is newer than it.
        if (!evented) this.replace({ tunnels, loaded: true, error: undefined });
      },
      (e: unknown) => this.update({ loaded: true, error: toAppError(e) }),
    );
  }

  /** Shows a stopped tunnel gone at once; the next event confirms it. */
  removeLocally(tunnelId: string): void {
    this.update({ tunnels: this.state.tunnels.filter((t) => t.tunnelId !== tunnelId) });
  }
}

export const tunnelsStore = new TunnelsStore();

export function useTunnels(): TunnelsState {
  return useStore(tunnelsStore);
}
