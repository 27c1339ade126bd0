import type { Host, HostsStatus } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';

export interface HostsState {
  hosts: readonly Host[] | undefined;
  status: HostsStatus | undefined;
  error: AppError | undefined;
}

/** The window's copy of the saved hosts, reloaded whenever main says they changed. */
export class HostsStore extends ExternalStore<HostsState> {
  constructor() {
    super({ hosts: undefined, status: undefined, error: undefined });
  }

  protected override onStart(): void {
    getApi().hosts.onChanged(() => void this.reload());
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      const api = getApi();
      const [hosts, status] = await Promise.all([api.hosts.list(), api.hosts.status()]);
      this.update({ hosts, status, error: undefined });
    } catch (e) {
      this.update({ error: toAppError(e) });
    }
  }
}

export const hostsStore = new HostsStore();

export function useHosts(): HostsState {
  return useStore(hostsStore);
}
