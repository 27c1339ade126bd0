import { describe, expect, it } from 'vitest';
import { abortableSleep, backoffDelays, pollUntil, type PollOptions } from '../../../../../main/eice/setup/poll';

const take = (n: number, options: PollOptions): number[] => {
  const g = backoffDelays(options);
  return Array.from({ length: n }, () => g.next().value);
};

/** A clock that moves only when the poll sleeps. */
class FakeClock {
  at = 0;
  readonly slept: number[] = [];
  now = (): number => this.at;
  sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    if (signal.aborted) throw signal.reason;
    this.slept.push(ms);
    this.at += ms;
  };
}

describe('backoffDelays', () => {
  it('grows by the factor up to the cap', () => {
    expect(take(6, { initialMs: 1000, factor: 2, maxMs: 5000, timeoutMs: 0 })).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(take(4, { initialMs: 3000, factor: 1.5, maxMs: 15000, timeoutMs: 0 })).toEqual([3000, 4500, 6750, 10125]);
  });
});

describe('pollUntil', () => {
  const poll = { initialMs: 1000, factor: 2, maxMs: 4000, timeoutMs: 10_000 };

  it('reads until done, backing off in between', async () => {
    const clock = new FakeClock();
    const states = ['create-in-progress', 'create-in-progress', 'create-in-progress', 'create-complete'];
    const result = await pollUntil(async () => states.shift(), (s) => s === 'create-complete', { poll, signal: new AbortController().signal, sleep: clock.sleep, now: clock.now });
    expect(result).toEqual({ value: 'create-complete', timedOut: false });
    expect(clock.slept).toEqual([1000, 2000, 4000]);
  });

  it('gives up after the timeout with the last value', async () => {
    const clock = new FakeClock();
    const result = await pollUntil(async () => 'create-in-progress', () => false, { poll, signal: new AbortController().signal, sleep: clock.sleep, now: clock.now });
    expect(result).toEqual({ value: 'create-in-progress', timedOut: true });
    expect(clock.at).toBeGreaterThanOrEqual(10_000);
  });

  it('stops with the abort reason', async () => {
    const abort = new AbortController();
    const reason = new Error('stop');
    let reads = 0;
    const running = pollUntil(
      async () => {
        reads += 1;
        if (reads === 2) abort.abort(reason);
        return reads;
      },
      () => false,
      { poll, signal: abort.signal, sleep: new FakeClock().sleep },
    );
    await expect(running).rejects.toBe(reason);
    expect(reads).toBe(2);
  });

  it('abortableSleep rejects at once when aborted', async () => {
    const abort = new AbortController();
    const sleeping = abortableSleep(60_000, abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
  });
});
