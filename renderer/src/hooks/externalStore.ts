import { useSyncExternalStore } from 'react';

type Listener = () => void;

/**
 * What every window-side store shares: one immutable snapshot that React reads through
 * useSyncExternalStore, the listeners told of each change, and `onStart()`, run once on the
 * first subscription (or an explicit `start()`), where a store attaches to main's events and
 * loads its first state. Stores keep their own logic; only this plumbing lives here.
 */
export class ExternalStore<S> {
  private readonly listeners = new Set<Listener>();
  private started = false;

  constructor(protected state: S) {}

  getSnapshot = (): S => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    if (this.listeners.size === 0) this.onFirstListener();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Attaches the store to main; later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.onStart();
  }

  /** Subscribes to main's events and loads the first state. */
  protected onStart(): void {}

  /** A view mounts again after every one had gone (or the window reloaded). */
  protected onFirstListener(): void {}

  /** Replaces the snapshot and tells every listener. */
  protected replace(next: S): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Merges `patch` into an object snapshot. */
  protected update(patch: Partial<S>): void {
    this.replace({ ...this.state, ...patch });
  }

  /**
   * Wraps a load so that two never run at once and none is lost: a call while one runs makes it
   * run once more after it (main said "changed" again meanwhile), and gets that run's promise.
   */
  protected coalesce(load: () => Promise<void>): () => Promise<void> {
    let running: Promise<void> | undefined;
    let again = false;
    return () => {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await load();
        } while (again);
      })().finally(() => {
        running = undefined;
      });
      return running;
    };
  }
}

/** Reads a store's snapshot and re-renders when it changes. */
export function useStore<S>(store: ExternalStore<S>): S {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
