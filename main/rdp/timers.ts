/** The clock and timers the RDP feature uses, injected so tests drive time by hand. */
export interface Timers {
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for clear(). */
  setTimeout(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending clean-up timer must not keep the process (or a test run) alive.
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
