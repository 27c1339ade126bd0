/** How often to look again while AWS works: start soon, back off, give up after a while. */
export interface PollOptions {
  /** The first wait. */
  initialMs: number;
  /** Each wait is this many times the last... */
  factor: number;
  /** ...up to this. */
  maxMs: number;
  /** Give up after this long in total. */
  timeoutMs: number;
}

/** Creation takes a few minutes, sometimes ten (EICE.md): look every 3 s at first, then up to every 15 s, for 20 minutes. */
export const CREATE_POLL: PollOptions = { initialMs: 3_000, factor: 1.5, maxMs: 15_000, timeoutMs: 20 * 60_000 };
/** Deletion is usually quicker. */
export const DELETE_POLL: PollOptions = { initialMs: 2_000, factor: 1.5, maxMs: 10_000, timeoutMs: 15 * 60_000 };

/** The waits of a poll, in order: initial, initial*factor, ... capped at maxMs. */
export function* backoffDelays(options: PollOptions): Generator<number, never> {
  let delay = options.initialMs;
  for (;;) {
    yield Math.round(delay);
    delay = Math.min(options.maxMs, delay * options.factor);
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * Reads until `isDone` says so, waiting with backoff in between. Resolves with the last value
 * read; resolves `{timedOut: true}` after `timeoutMs`; rejects with the signal's reason when it
 * aborts, or with whatever `read` throws.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  options: { poll: PollOptions; signal: AbortSignal; sleep?: Sleep; now?: () => number },
): Promise<{ value: T; timedOut: false } | { value: T | undefined; timedOut: true }> {
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const started = now();
  const delays = backoffDelays(options.poll);
  let last: T | undefined;
  for (;;) {
    if (options.signal.aborted) throw options.signal.reason;
    last = await read();
    if (isDone(last)) return { value: last, timedOut: false };
    if (now() - started >= options.poll.timeoutMs) return { value: last, timedOut: true };
    await sleep(delays.next().value, options.signal);
  }
}
