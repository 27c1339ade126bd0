// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { liveSummary } from '../../../../renderer/src/shell/liveSummary';
import { StatusBar } from '../../../../renderer/src/shell/StatusBar';
import { workspace } from '../../../../renderer/src/shell/workspaceStore';
import { renderWithMain, settle } from '../../../support/renderWithMain';
import { tunnelRow } from '../features/rdp/builders';

const ui = renderWithMain();
const { main } = ui;

const ssh = (id: string) => tunnelRow({ tunnelId: id, kind: 'ssh', local: undefined });
const forward = (id: string) => tunnelRow({ tunnelId: id, kind: 'forward', local: { address: '127.0.0.1', port: 15432 } });

describe('the live summary', () => {
  it('counts SSH connections and RDP listeners as sessions, and names port forwards apart', () => {
    expect(liveSummary([], 0)).toMatchObject({ text: 'No live sessions', live: false });
    expect(liveSummary([ssh('a')], 0)).toMatchObject({ text: '1 live session', detail: '1 SSH through endpoints. Show them in Tunnels.', live: true });
    expect(liveSummary([ssh('a'), ssh('b'), tunnelRow()], 0).text).toBe('3 live sessions');
    expect(liveSummary([ssh('a'), tunnelRow(), forward('f')], 0)).toMatchObject({ text: '2 live sessions · 1 port forward', detail: '1 SSH, 1 RDP, 1 port forward through endpoints. Show them in Tunnels.' });
    expect(liveSummary([forward('f'), forward('g')], 0)).toMatchObject({ text: '2 port forwards open', live: true });
  });

  it('falls back to the live tabs while the tunnel list is unknown', () => {
    expect(liveSummary(undefined, 0).text).toBe('No live sessions');
    expect(liveSummary(undefined, 2)).toMatchObject({ text: '2 live sessions', live: true });
  });
});

describe('the status bar', () => {
  beforeEach(() => {
    main.handlers.set('app:info', () => ({ name: 'Bastionless', version: '0.1.0', platform: 'linux', dataDir: '/data', isHarness: false }));
    main.handlers.set('tunnels:list', () => ({ tunnels: [ssh('a')] }));
  });

  it("follows main's tunnels live, and opens the Tunnels view on a click", async () => {
    ui.render(<StatusBar />);
    await settle();
    const item = ui.container.querySelector<HTMLButtonElement>('[data-testid="status-sessions"]')!;
    expect(item.textContent).toBe('1 live session');
    act(() => main.emit('tunnels:changed', { tunnels: [ssh('a'), tunnelRow(), forward('f')] }));
    expect(item.textContent).toBe('2 live sessions · 1 port forward');
    expect(item.title).toBe('1 SSH, 1 RDP, 1 port forward through endpoints. Show them in Tunnels.');
    act(() => main.emit('tunnels:changed', { tunnels: [] }));
    expect(item.textContent).toBe('No live sessions');
    expect(item.querySelector('.status-dot--closed')).not.toBeNull();
    act(() => item.click());
    expect(workspace.getState()).toMatchObject({ view: 'tunnels', active: 'workspace' });
  });
});
