import { useCallback, useState } from 'react';
import type { AppError } from '../api';
import { toAppError } from '../api/useAsync';

export interface Action {
  /** The work is running: its button shows it and cannot be pressed again. */
  busy: boolean;
  /** Why the last run failed, until the next one starts. */
  error: AppError | undefined;
  /** Runs `work`, busy meanwhile; a failure becomes `error`. Resolves with whether it succeeded. */
  run: (work: () => Promise<unknown>) => Promise<boolean>;
  /** For a check made before calling main (a file too large, nothing picked yet). */
  setError: (error: AppError | undefined) => void;
}

/**
 * What a button that asks main for something needs: busy while it runs, the error (with its
 * hint) when it fails. `stayBusy`: success ends the component (a dialog closes, main's event
 * takes over), so the button stays off rather than flicker back on.
 */
export function useAction({ stayBusy = false }: { stayBusy?: boolean } = {}): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | undefined>();
  const run = useCallback(
    async (work: () => Promise<unknown>): Promise<boolean> => {
      setBusy(true);
      setError(undefined);
      try {
        await work();
        if (!stayBusy) setBusy(false);
        return true;
      } catch (e) {
        setError(toAppError(e));
        setBusy(false);
        return false;
      }
    },
    [stayBusy],
  );
  return { busy, error, run, setError };
}
