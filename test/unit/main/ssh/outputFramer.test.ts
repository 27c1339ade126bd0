import { describe, expect, it } from 'vitest';
import { OutputFramer, type Scheduler } from '../../../../main/ssh/outputFramer';

/** Runs scheduled flushes only when the test says so. */
function manualScheduler(): { schedule: Scheduler; run: () => void; pending: () => number } {
  let queue: (() => void)[] = [];
  return {
    schedule: (fn) => {
      queue.push(fn);
      return () => {
        queue = queue.filter((f) => f !== fn);
      };
    },
    run: () => {
      const due = queue;
      queue = [];
      for (const fn of due) fn();
    },
    pending: () => queue.length,
  };
}

const text = (frame: Uint8Array): string => Buffer.from(frame).toString('utf8');

describe('OutputFramer', () => {
  it('joins chunks that arrive together into one frame', () => {
    const frames: Uint8Array[] = [];
    const s = manualScheduler();
    const framer = new OutputFramer((f) => frames.push(f), 1024, s.schedule);
    framer.push(Buffer.from('a'));
    framer.push(Buffer.from('bc'));
    framer.push(Buffer.from('def'));
    expect(frames).toEqual([]);
    expect(framer.buffered).toBe(6);
    expect(s.pending()).toBe(1);
    s.run();
    expect(frames.map(text)).toEqual(['abcdef']);
    expect(framer.buffered).toBe(0);
  });

  it('sends a full frame at once and splits a chunk across frames at maxFrame', () => {
    const frames: Uint8Array[] = [];
    const s = manualScheduler();
    const framer = new OutputFramer((f) => frames.push(f), 4, s.schedule);
    framer.push(Buffer.from('abcdefghij'));
    expect(frames.map(text)).toEqual(['abcd', 'efgh']);
    s.run();
    expect(frames.map(text)).toEqual(['abcd', 'efgh', 'ij']);
    expect(framer.frames).toBe(3);
  });

  it('emits plain Uint8Arrays that own exactly their bytes', () => {
    const frames: Uint8Array[] = [];
    const s = manualScheduler();
    const framer = new OutputFramer((f) => frames.push(f), 1024, s.schedule);
    const big = Buffer.alloc(4096, 0x61);
    framer.push(big.subarray(100, 110));
    s.run();
    const frame = frames[0]!;
    expect(Buffer.isBuffer(frame)).toBe(false);
    expect(frame.byteOffset).toBe(0);
    expect(frame.buffer.byteLength).toBe(10);
  });

  it('flush() sends what is pending now and cancels the scheduled flush', () => {
    const frames: Uint8Array[] = [];
    const s = manualScheduler();
    const framer = new OutputFramer((f) => frames.push(f), 1024, s.schedule);
    framer.push(Buffer.from('x'));
    framer.flush();
    expect(frames.map(text)).toEqual(['x']);
    expect(s.pending()).toBe(0);
  });

  it('drops everything after dispose()', () => {
    const frames: Uint8Array[] = [];
    const s = manualScheduler();
    const framer = new OutputFramer((f) => frames.push(f), 1024, s.schedule);
    framer.push(Buffer.from('x'));
    framer.dispose();
    framer.push(Buffer.from('y'));
    s.run();
    expect(frames).toEqual([]);
  });
});
