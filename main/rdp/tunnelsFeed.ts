import type { HandlerDomain } from '../../preload/contract';
import type { tunnels as tunnelsContract, TunnelInfo } from '../../preload/contract/tunnels';
import type { Logger } from '../log';
import type { Timers } from './timers';

/**
 * Every open tunnel of the app, as the Tunnels view shows it. compose.ts adapts the tunnel
 * manager (main/eice) to it.
 */
export interface TunnelRegistry {
  /** A snapshot of every open tunnel and listener, with its counters. */
  list(): TunnelInfo[];
  /** Closes one tunnel or listener and its connections; resolves also when it is already gone. */
  stop(tunnelId: string): Promise<void>;
  /** Called on every change: opened, closed, connection counts, bytes (often: the feed throttles). */
  onChange(listener: () => void): () => void;
}

/** The Tunnels view is a glance, not a meter: once a second is live enough for byte counters. */
export const TUNNELS_EVENT_INTERVAL_MS = 1_000;

/**
 * The `tunnels` domain: list and stop, and a `changed` event throttled to at most one per
 * interval (the first change goes out at once, the last one is never lost).
 */
export class TunnelsFeed {
  private lastEmit = Number.NEGATIVE_INFINITY;
  private scheduled: unknown;
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly registry: TunnelRegistry,
    private readonly emit: (list: { tunnels: TunnelInfo[] }) => void,
    private readonly timers: Timers,
    private readonly log: Logger,
    private readonly intervalMs = TUNNELS_EVENT_INTERVAL_MS,
  ) {
    this.unsubscribe = registry.onChange(() => this.changed());
  }

  handlers(): HandlerDomain<typeof tunnelsContract> {
    return {
      list: () => ({ tunnels: this.registry.list() }),
      stop: async ({ tunnelId }) => {
        await this.registry.stop(tunnelId);
        // The person is looking at the list: show the tunnel gone now, not within a second.
        this.flush();
        return null;
      },
    };
  }

  private changed(): void {
    if (this.disposed || this.scheduled !== undefined) return;
    const wait = this.lastEmit + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.scheduled = this.timers.setTimeout(() => {
      this.scheduled = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.disposed) return;
    if (this.scheduled !== undefined) {
      this.timers.clear(this.scheduled);
      this.scheduled = undefined;
    }
    this.lastEmit = this.timers.now();
    try {
      this.emit({ tunnels: this.registry.list() });
    } catch (error) {
      this.log.error('could not publish the tunnel list', { error });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
    if (this.scheduled !== undefined) this.timers.clear(this.scheduled);
  }
}
