import { describe, expect, it } from 'vitest';
import { formatTimeLeft, remainingMinutes } from '../../../../renderer/src/features/terminals/format';
import { formatDuration } from '../../../../renderer/src/hooks/useNow';
import { TerminalSettings } from '../../../../renderer/src/features/terminals/terminalSettings';

describe('terminal formatting', () => {
  it('formats step durations', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
  });

  it('counts the time left down in whole minutes, rounded up', () => {
    const now = Date.parse('2026-01-05T09:00:00Z');
    expect(formatTimeLeft('2026-01-05T09:52:00Z', now)).toBe('52 min left');
    expect(formatTimeLeft('2026-01-05T10:00:00Z', now)).toBe('60 min left');
    expect(formatTimeLeft('2026-01-05T09:00:30Z', now)).toBe('less than a minute left');
    expect(formatTimeLeft('2026-01-05T08:59:00Z', now)).toBe('time is up');
    expect(remainingMinutes('2026-01-05T09:04:01Z', now)).toBe(5);
  });
});

describe('TerminalSettings', () => {
  it('zooms within bounds, resets, and remembers the size', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const settings = new TerminalSettings(storage);
    expect(settings.fontSize).toBe(14);
    settings.zoom(2);
    expect(settings.fontSize).toBe(16);
    for (let i = 0; i < 50; i++) settings.zoom(1);
    expect(settings.fontSize).toBe(32);
    expect(new TerminalSettings(storage).fontSize).toBe(32);
    settings.reset();
    expect(settings.fontSize).toBe(14);
    for (let i = 0; i < 50; i++) settings.zoom(-1);
    expect(settings.fontSize).toBe(8);
  });

  it('ignores a stored size that makes no sense', () => {
    expect(new TerminalSettings({ getItem: () => '400', setItem: () => undefined }).fontSize).toBe(14);
    expect(new TerminalSettings({ getItem: () => 'big', setItem: () => undefined }).fontSize).toBe(14);
  });
});
