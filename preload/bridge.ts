import { entriesOf, listenerNameOf, type Bridge, type ContractShape } from './contract';

/**
 * How the bridge reaches main. Electron IPC in the app, a WebSocket in the test harness: the
 * same bridge runs over both, so the harness exercises the same contract and envelopes.
 */
export interface Transport {
  /** Sends an invoke and resolves with main's envelope (`{ok, value}` or `{ok:false, error}`). */
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Fire-and-forget message to main. */
  send(channel: string, input: unknown): void;
  /** Calls `listener` with each payload main publishes on `channel`; returns an unsubscribe. */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds `window.eic` from the contract: `eic.<domain>.<name>(input)` for invokes and sends,
 * `eic.<domain>.on<Name>(listener) -> unsubscribe` for events, and nothing else. Channel names
 * are fixed here, never taken from the caller, so the renderer cannot reach a channel that is
 * not in the contract.
 */
export function buildBridge<C extends ContractShape>(contract: C, transport: Transport): Bridge<C> {
  const api: Record<string, Record<string, unknown>> = {};
  for (const { domain, name, channel, entry } of entriesOf(contract)) {
    const target = (api[domain] ??= {});
    switch (entry.kind) {
      case 'invoke':
        target[name] = (input?: unknown) => transport.invoke(channel, input ?? {});
        break;
      case 'send':
        target[name] = (input: unknown) => {
          transport.send(channel, input);
        };
        break;
      case 'event':
        target[listenerNameOf(name)] = (listener: (payload: unknown) => void) => {
          if (typeof listener !== 'function') throw new TypeError(`${listenerNameOf(name)} needs a function`);
          // Only the payload is passed on: Electron's event object carries `sender` (ipcRenderer).
          return transport.subscribe(channel, (payload) => listener(payload));
        };
        break;
    }
  }
  for (const domain of Object.values(api)) Object.freeze(domain);
  return Object.freeze(api) as Bridge<C>;
}
