// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { TunnelsView } from '../../../../../renderer/src/features/tunnels/TunnelsView';
import { formatBytes } from '../../../../../renderer/src/features/tunnels/formatBytes';
import { formatCountdown } from '../../../../../renderer/src/hooks/useNow';
import { renderWithMain, settle } from '../../../../support/renderWithMain';
import { tunnelRow } from './builders';

const ui = renderWithMain();
const { main } = ui;
let rows = [tunnelRow(), tunnelRow({ tunnelId: 'tun-ssh', kind: 'ssh', label: 'web-1', local: undefined, connections: { active: 1, total: 1 }, expiresAt: new Date(Date.now() + 3 * 60_000).toISOString() })];

beforeEach(() => {
  main.handlers.set('tunnels:list', () => ({ tunnels: rows }));
  main.handlers.set('rdp:list', () => []);
  main.handlers.set('tunnels:stop', (input) => {
    rows = rows.filter((r) => r.tunnelId !== (input as { tunnelId: string }).tunnelId);
    return null;
  });
});

describe('the Tunnels view', () => {
  it('lists every tunnel with target, endpoint, local port, bytes, connections and time left; Stop closes one', async () => {
    ui.render(<TunnelsView />);
    await settle();
    const lines = [...ui.container.querySelectorAll('tbody tr')].map((tr) => tr.textContent);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('RDPwin-2022');
    expect(lines[0]).toContain('10.0.1.12:3389');
    expect(lines[0]).toContain('eice-0123456789abcdef0');
    expect(lines[0]).toContain('127.0.0.1:50000');
    expect(lines[0]).toContain('↑ 1.5 KB');
    expect(lines[0]).toContain('↓ 5.0 MB');
    expect(lines[0]).toContain('1 / 4');
    expect(lines[1]).toContain('SSHweb-1');
    expect(lines[1]).toContain('in app');
    expect(ui.container.querySelector('.time-left--soon')?.textContent).toMatch(/^(3:00|2:59)$/);

    const stop = ui.container.querySelector('button[aria-label="Stop tunnel to win-2022"]') as HTMLButtonElement;
    await act(async () => stop.click());
    await settle();
    expect(main.callsTo('tunnels:stop')).toEqual([{ tunnelId: 'lis-1' }]);
    expect(ui.container.querySelectorAll('tbody tr')).toHaveLength(1);

    // Main's next change event is the truth.
    act(() => main.emit('tunnels:changed', { tunnels: [] }));
    expect(ui.container.textContent).toContain('No open tunnels');
  });
});

describe('a capped tunnel', () => {
  it('says when an IAM policy allows less than the hour', async () => {
    ui.render(<TunnelsView />);
    await settle();
    // The store follows main's events (it loaded the list in the test above).
    const capped = tunnelRow({ tunnelId: 'tun-cap', kind: 'ssh', label: 'web-1', local: undefined, durationCapSeconds: 1800, expiresAt: new Date(Date.now() + 20 * 60_000).toISOString() });
    act(() => main.emit('tunnels:changed', { tunnels: [capped, tunnelRow()] }));
    const row = ui.container.querySelector('tr[data-tunnel-id="tun-cap"]');
    expect(row?.textContent).toContain('IAM cap: 30:00');
    // A connection that gets the full hour says nothing of a cap.
    expect(ui.container.querySelector('tr[data-tunnel-id="lis-1"]')?.textContent).not.toContain('IAM cap');
  });
});

describe('formatting', () => {
  it('reads bytes and countdowns as people do', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(10 * 1024 * 1024), formatBytes(3 * 1024 ** 4)]).toEqual(['0 B', '1023 B', '1.0 KB', '10 MB', '3.0 TB']);
    expect([formatCountdown(0), formatCountdown(-5), formatCountdown(59_001), formatCountdown(3_600_000), formatCountdown(3_725_000)]).toEqual(['0:00', '0:00', '1:00', '1:00:00', '1:02:05']);
  });
});
