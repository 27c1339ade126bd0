import { buildBridge, type Transport } from '../../preload/bridge';
import { contract, type SerializedError } from '../../preload/contract';

export interface Call {
  channel: string;
  input: unknown;
}

/**
 * `window.eic` for component tests: the real bridge over a transport that answers from a table
 * of handlers and lets the test publish events, as main would.
 */
export class FakeMain implements Transport {
  readonly calls: Call[] = [];
  readonly handlers = new Map<string, (input: unknown) => unknown>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  async invoke(channel: string, input: unknown): Promise<unknown> {
    this.calls.push({ channel, input });
    const handler = this.handlers.get(channel);
    if (!handler) return { ok: false, error: failure('INTERNAL', `no fake for ${channel}`) };
    try {
      return { ok: true, value: await handler(input) };
    } catch (error) {
      return { ok: false, error: error as SerializedError };
    }
  }

  send(channel: string, input: unknown): void {
    this.calls.push({ channel, input });
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return () => set.delete(listener);
  }

  emit(channel: string, payload: unknown): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload);
  }

  callsTo(channel: string): unknown[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.input);
  }

  /** Forgets calls and handlers between tests (the renderer's api caches window.eic once per file). */
  reset(): void {
    this.calls.length = 0;
    this.handlers.clear();
  }

  install(): void {
    (window as unknown as { eic: unknown }).eic = buildBridge(contract, this);
  }
}

export function failure(code: SerializedError['code'], message: string, hint = ''): SerializedError {
  return { code, message, hint, retryable: false, at: '2026-01-05T09:00:00.000Z' };
}
