import { channelOf, type ContractShape, type EventEntry, type MainEvents } from '../preload/contract';
import type { Logger } from './log';

export type EventListener = (channel: string, payload: unknown) => void;

/**
 * Main's one outlet for events. Features emit typed payloads; each payload is parsed against
 * its contract schema first (which also strips undeclared fields) and then handed to every
 * subscriber: the Electron window, or the harness's WebSocket clients.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly schemas = new Map<string, EventEntry['payload']>();

  constructor(
    contract: ContractShape,
    private readonly log: Logger,
  ) {
    for (const [domain, entries] of Object.entries(contract)) {
      for (const [name, entry] of Object.entries(entries)) {
        if (entry.kind === 'event') this.schemas.set(channelOf(domain, name), entry.payload);
      }
    }
  }

  emit<D extends keyof MainEvents & string, K extends keyof MainEvents[D] & string>(
    domain: D,
    name: K,
    payload: MainEvents[D][K],
  ): void {
    const channel = channelOf(domain, name);
    const schema = this.schemas.get(channel);
    const parsed = schema?.safeParse(payload);
    if (!parsed?.success) {
      this.log.error('dropped an event outside its contract', { channel, issues: parsed?.error.issues.slice(0, 3) });
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(channel, parsed.data);
      } catch (error) {
        this.log.error('event listener threw', { channel, error });
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
