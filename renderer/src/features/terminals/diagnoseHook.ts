import { useSyncExternalStore } from 'react';
import type { SerializedError, SessionStepId } from '../../../../preload/contract';

/** What a failed or dropped session hands the troubleshooting wizard. */
export interface DiagnoseRequest {
  /** The failed tab's session: the wizard reads its failure in main, and "Try again" reconnects it. */
  sessionId: string;
  hostId?: string;
  instanceId?: string;
  profileId?: string;
  region?: string;
  /** The step that failed (undefined for a live session that dropped). */
  failedStep?: SessionStepId;
  failure: SerializedError;
}

export type DiagnoseHandler = (request: DiagnoseRequest) => void;

let handler: DiagnoseHandler | undefined;
const listeners = new Set<() => void>();

/**
 * The hook the troubleshooting wizard plugs into: it registers a handler, and from then on a
 * failed session offers "Diagnose". Until one is registered the button is not shown at all.
 * Returns an unregister function.
 */
export function registerDiagnoseHandler(next: DiagnoseHandler): () => void {
  handler = next;
  for (const l of listeners) l();
  return () => {
    if (handler === next) handler = undefined;
    for (const l of listeners) l();
  };
}

/** Opens the wizard on a failure; does nothing when no wizard is registered. */
export function openDiagnose(request: DiagnoseRequest): void {
  handler?.(request);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether a wizard is registered (the Diagnose button shows only then). */
export function useDiagnoseAvailable(): boolean {
  return useSyncExternalStore(subscribe, () => handler !== undefined);
}
