import { describe, expect, it } from 'vitest';
import { ClipboardGuard } from '../../../../main/rdp/clipboardGuard';
import { RecordingDesktop } from '../../../../main/desktop';
import { memoryLogger } from '../../../support/fakes';
import { ManualTimers } from './fakes';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const desktop = new RecordingDesktop();
  const timers = new ManualTimers();
  const guard = new ClipboardGuard(desktop, timers, memoryLogger().log);
  return { desktop, timers, guard };
}

describe('copying a password', () => {
  it('clears it after 30 s if the clipboard still holds it', async () => {
    const { desktop, timers, guard } = setup();
    expect(await guard.copy('P@ss-1')).toBe(30_000);
    expect(await desktop.readClipboard()).toBe('P@ss-1');
    timers.advance(29_999);
    await settle();
    expect(await desktop.readClipboard()).toBe('P@ss-1');
    timers.advance(1);
    await settle();
    expect(await desktop.readClipboard()).toBe('');
  });

  it('leaves the clipboard alone when the person copied something else since', async () => {
    const { desktop, timers, guard } = setup();
    await guard.copy('P@ss-1');
    await desktop.writeClipboard('my notes');
    timers.advance(30_000);
    await settle();
    expect(await desktop.readClipboard()).toBe('my notes');
  });

  it('restarts the 30 s for a newer copy', async () => {
    const { desktop, timers, guard } = setup();
    await guard.copy('first');
    timers.advance(20_000);
    await guard.copy('second');
    timers.advance(20_000);
    await settle();
    expect(await desktop.readClipboard()).toBe('second');
    timers.advance(10_000);
    await settle();
    expect(await desktop.readClipboard()).toBe('');
    expect(timers.pending.size).toBe(0);
  });

  it('clears it at once on dispose (the app quits)', async () => {
    const { desktop, timers, guard } = setup();
    await guard.copy('P@ss-1');
    await guard.dispose();
    expect(await desktop.readClipboard()).toBe('');
    expect(timers.pending.size).toBe(0);
  });
});
