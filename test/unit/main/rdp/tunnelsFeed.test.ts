import { describe, expect, it } from 'vitest';
import type { TunnelInfo } from '../../../../preload/contract/tunnels';
import { TunnelsFeed, type TunnelRegistry } from '../../../../main/rdp/tunnelsFeed';
import { memoryLogger } from '../../../support/fakes';
import { ManualTimers } from './fakes';

function tunnel(overrides: Partial<TunnelInfo> = {}): TunnelInfo {
  return {
    tunnelId: 'lis-1',
    kind: 'rdp',
    label: 'win-2022',
    target: { instanceId: 'i-0123456789abcdef0', privateIp: '10.0.1.12', port: 3389 },
    endpoint: { endpointId: 'eice-0123456789abcdef0' },
    local: { address: '127.0.0.1', port: 50000 },
    bytesToInstance: 0,
    bytesFromInstance: 0,
    connections: { active: 0, total: 0, max: 4 },
    openedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

class FakeRegistry implements TunnelRegistry {
  tunnels: TunnelInfo[] = [tunnel()];
  readonly stopped: string[] = [];
  private readonly listeners = new Set<() => void>();
  list(): TunnelInfo[] {
    return this.tunnels.map((t) => ({ ...t }));
  }
  async stop(tunnelId: string): Promise<void> {
    this.stopped.push(tunnelId);
    this.tunnels = this.tunnels.filter((t) => t.tunnelId !== tunnelId);
    this.change();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(patch?: Partial<TunnelInfo>): void {
    if (patch) this.tunnels = this.tunnels.map((t) => ({ ...t, ...patch }));
    for (const l of this.listeners) l();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

function setup() {
  const registry = new FakeRegistry();
  const timers = new ManualTimers();
  const emitted: { tunnels: TunnelInfo[] }[] = [];
  const feed = new TunnelsFeed(registry, (list) => emitted.push(list), timers, memoryLogger().log);
  return { registry, timers, emitted, feed };
}

describe('the tunnels feed', () => {
  it('lists the registry and stops a tunnel by id', async () => {
    const { registry, feed, emitted } = setup();
    expect(await feed.handlers().list({}, { senderId: 'w' })).toEqual({ tunnels: [tunnel()] });
    expect(await feed.handlers().stop({ tunnelId: 'lis-1' }, { senderId: 'w' })).toBeNull();
    expect(registry.stopped).toEqual(['lis-1']);
    expect(emitted.at(-1)).toEqual({ tunnels: [] });
  });

  it('sends the first change at once and at most one per second after, keeping the last', () => {
    const { registry, timers, emitted } = setup();
    registry.change({ bytesFromInstance: 10 });
    expect(emitted).toHaveLength(1);
    for (let i = 1; i <= 50; i++) {
      timers.advance(10);
      registry.change({ bytesFromInstance: 10 + i });
    }
    expect(emitted).toHaveLength(1);
    timers.advance(500);
    expect(emitted).toHaveLength(2);
    expect(emitted[1]!.tunnels[0]!.bytesFromInstance).toBe(60);
    // Quiet for a while: the next change is immediate again.
    timers.advance(5_000);
    registry.change({ bytesFromInstance: 99 });
    expect(emitted).toHaveLength(3);
  });

  it('stops listening on dispose', () => {
    const { registry, timers, emitted, feed } = setup();
    registry.change();
    registry.change();
    feed.dispose();
    timers.advance(2_000);
    expect(emitted).toHaveLength(1);
    expect(registry.listenerCount).toBe(0);
  });
});
