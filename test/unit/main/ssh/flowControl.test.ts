import { describe, expect, it } from 'vitest';
import { FlowControl } from '../../../../main/ssh/flowControl';

function flow(highWater = 1000, lowWater = 200) {
  const events: string[] = [];
  const control = new FlowControl({ highWater, lowWater, pause: () => events.push('pause'), resume: () => events.push('resume') });
  return { control, events };
}

describe('FlowControl', () => {
  it('pauses once unacknowledged bytes reach the high-water mark, and not before', () => {
    const { control, events } = flow();
    control.sent(600);
    control.sent(399);
    expect(events).toEqual([]);
    control.sent(1);
    expect(events).toEqual(['pause']);
    expect(control.paused).toBe(true);
    // Already paused: more output in flight does not pause twice.
    control.sent(500);
    expect(events).toEqual(['pause']);
  });

  it('resumes only when acks bring the count down to the low-water mark', () => {
    const { control, events } = flow();
    control.sent(1500);
    control.acked(1000);
    expect(control.unacked).toBe(500);
    expect(events).toEqual(['pause']);
    control.acked(300);
    expect(events).toEqual(['pause', 'resume']);
    expect(control.paused).toBe(false);
  });

  it('never counts below zero when acks exceed what was sent (a reloaded window)', () => {
    const { control } = flow();
    control.sent(100);
    control.acked(5000);
    expect(control.stats).toMatchObject({ sent: 100, acked: 100, unacked: 0 });
    control.sent(100);
    expect(control.unacked).toBe(100);
  });

  it('reset() forgets outstanding bytes and resumes a paused source', () => {
    const { control, events } = flow();
    control.sent(2000);
    control.reset();
    expect(control.unacked).toBe(0);
    expect(events).toEqual(['pause', 'resume']);
  });

  it('keeps counters: total sent and acked, peak unacked and pauses', () => {
    const { control } = flow(100, 10);
    for (let i = 0; i < 5; i++) {
      control.sent(150);
      control.acked(150);
    }
    expect(control.stats).toEqual({ sent: 750, acked: 750, unacked: 0, peakUnacked: 150, pauses: 5, paused: false });
  });

  it('refuses marks that cannot work', () => {
    expect(() => new FlowControl({ highWater: 100, lowWater: 100, pause: () => undefined, resume: () => undefined })).toThrow(RangeError);
    expect(() => new FlowControl({ highWater: 100, lowWater: -1, pause: () => undefined, resume: () => undefined })).toThrow(RangeError);
  });
});
