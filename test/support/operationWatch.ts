import type { Operation } from '../../preload/contract';

/**
 * Records an EndpointSetupService's operation events (hand `onOperationChanged` to the
 * service) and lets a test wait for one: past or future, without polling.
 */
export class OperationWatch {
  readonly events: Operation[] = [];
  private readonly waiters: { predicate: (op: Operation) => boolean; resolve: (op: Operation) => void }[] = [];

  readonly onOperationChanged = (op: Operation): void => {
    this.events.push(op);
    for (const w of [...this.waiters]) {
      if (w.predicate(op)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(op);
      }
    }
  };

  /** Resolves with the first operation event that matches (already seen, or the next one that does). */
  until(predicate: (op: Operation) => boolean): Promise<Operation> {
    const seen = this.events.find(predicate);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }
}
