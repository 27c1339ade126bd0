import { describe, expect, it } from 'vitest';
import { ExternalStore } from '../../../../renderer/src/hooks/externalStore';

/** A store that records what the base class asked of it, with a load the test finishes by hand. */
class CountingStore extends ExternalStore<{ loads: number; label: string }> {
  starts = 0;
  firstListeners = 0;
  private pending: (() => void)[] = [];

  constructor() {
    super({ loads: 0, label: 'initial' });
  }

  protected override onStart(): void {
    this.starts += 1;
  }

  protected override onFirstListener(): void {
    this.firstListeners += 1;
  }

  readonly reload = this.coalesce(async () => {
    await new Promise<void>((resolve) => this.pending.push(resolve));
    this.update({ loads: this.state.loads + 1 });
  });

  rename(label: string): void {
    this.update({ label });
  }

  /** Lets the load in flight finish. */
  async finishLoad(): Promise<void> {
    this.pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('ExternalStore', () => {
  it('starts once, on the first subscription, and says when views come back after all had gone', () => {
    const store = new CountingStore();
    expect(store.starts).toBe(0);
    const offA = store.subscribe(() => undefined);
    const offB = store.subscribe(() => undefined);
    expect(store.starts).toBe(1);
    expect(store.firstListeners).toBe(1);
    offA();
    offB();
    store.subscribe(() => undefined);
    expect(store.starts).toBe(1);
    expect(store.firstListeners).toBe(2);
  });

  it('tells listeners of each change with a new snapshot, keeping what the patch leaves out', () => {
    const store = new CountingStore();
    const seen: string[] = [];
    store.subscribe(() => seen.push(store.getSnapshot().label));
    const before = store.getSnapshot();
    store.rename('renamed');
    expect(seen).toEqual(['renamed']);
    expect(store.getSnapshot()).not.toBe(before);
    expect(store.getSnapshot()).toEqual({ loads: 0, label: 'renamed' });
  });

  it('coalesces loads: calls during one make exactly one more run, and share its promise', async () => {
    const store = new CountingStore();
    const first = store.reload();
    const second = store.reload();
    const third = store.reload();
    expect(second).toBe(first);
    expect(third).toBe(first);
    await store.finishLoad();
    expect(store.getSnapshot().loads).toBe(1);
    await store.finishLoad();
    await first;
    expect(store.getSnapshot().loads).toBe(2);
    // Idle again: a new call runs at once, on its own.
    const next = store.reload();
    expect(next).not.toBe(first);
    await store.finishLoad();
    await next;
    expect(store.getSnapshot().loads).toBe(3);
  });
});
