import { useSyncExternalStore } from 'react';
import type { Host, HostsStatus } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';

export interface HostsState {
  hosts: readonly Host[] | undefined;
  status: HostsStatus | undefined;
  error: AppError | undefined;
}

type Listener = () => void;

/** The window's copy of the saved hosts, reloaded whenever main says they changed. */
export class HostsStore {
  private state: HostsState = { hosts: undefined, status: undefined, error: undefined };
  private readonly listeners = new Set<Listener>();
  private started = false;

  getSnapshot = (): HostsState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<HostsState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    getApi().hosts.onChanged(() => void this.reload());
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      const api = getApi();
      const [hosts, status] = await Promise.all([api.hosts.list(), api.hosts.status()]);
      this.set({ hosts, status, error: undefined });
    } catch (e) {
      this.set({ error: toAppError(e) });
    }
  }
}

export const hostsStore = new HostsStore();

export function useHosts(): HostsState {
  return useSyncExternalStore(hostsStore.subscribe, hostsStore.getSnapshot);
}
