/**
 * The subscriptions of an RDP listener (main/rdp/rdpIo.ts RdpListener), for the stand-ins of
 * the tests: subclasses call `connectionsChanged` and `closedBy` as their connections come, go
 * and end.
 */
export abstract class ListenerEvents {
  private readonly connectionListeners = new Set<(active: number) => void>();
  private readonly closeListeners = new Set<(reason: 'stopped' | 'error', error?: Error) => void>();

  onConnectionsChanged(listener: (active: number) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  onClosed(listener: (reason: 'stopped' | 'error', error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected connectionsChanged(active: number): void {
    for (const l of this.connectionListeners) l(active);
  }

  protected closedBy(reason: 'stopped' | 'error', error?: Error): void {
    for (const l of this.closeListeners) l(reason, error);
  }
}
