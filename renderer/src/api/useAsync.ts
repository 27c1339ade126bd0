import { useCallback, useEffect, useState } from 'react';
import { AppError } from './index';

export interface AsyncState<T> {
  data: T | undefined;
  error: AppError | undefined;
  loading: boolean;
  reload: () => void;
}

interface Settled<T> {
  key: readonly unknown[];
  data: T | undefined;
  error: AppError | undefined;
}

const sameKey = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Runs an API call on mount and whenever `deps` change (or `reload()` is called). Keeps the
 * last good data while a reload runs, so lists do not flash empty.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [generation, setGeneration] = useState(0);
  const [settled, setSettled] = useState<Settled<T>>();
  const key = [...deps, generation];

  useEffect(() => {
    let live = true;
    load().then(
      (data) => {
        if (live) setSettled({ key, data, error: undefined });
      },
      (e: unknown) => {
        if (live) setSettled((prev) => ({ key, data: prev?.data, error: toAppError(e) }));
      },
    );
    return () => {
      live = false;
    };
    // `load` is a fresh closure each render; `deps` say when it really changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, key);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return {
    data: settled?.data,
    error: settled?.error,
    loading: !settled || !sameKey(settled.key, key),
    reload,
  };
}

export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('INTERNAL', e instanceof Error ? e.message : 'Something went wrong.', {
    hint: 'Try again. If it keeps happening, copy the details and report it.',
  });
}
