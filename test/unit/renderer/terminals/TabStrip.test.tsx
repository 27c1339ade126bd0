// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { TabStrip } from '../../../../renderer/src/shell/TabStrip';
import { workspace } from '../../../../renderer/src/shell/workspaceStore';
import { renderWithMain } from '../../../support/renderWithMain';

const ui = renderWithMain();

beforeEach(() => {
  for (const t of workspace.getState().tabs) workspace.closeTab(t.id);
  ui.render(<TabStrip />);
});

const tabButton = (id: string) => document.getElementById(`tab-${id}`) as HTMLButtonElement;

describe('the tab strip', () => {
  it('renames a tab by double-clicking its title (Enter keeps, empty restores the default)', () => {
    act(() => workspace.openTab({ id: 'ssh:s-1', kind: 'ssh', title: 'web-1', status: 'live' }));
    act(() => tabButton('ssh:s-1').dispatchEvent(new MouseEvent('dblclick', { bubbles: true })));
    const input = ui.container.querySelector('input.tab__rename') as HTMLInputElement;
    expect(input.value).toBe('web-1');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    act(() => {
      setter.call(input, 'prod shell');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    expect(tabButton('ssh:s-1').textContent).toContain('prod shell');
    expect(workspace.getState().tabs[0]).toMatchObject({ title: 'web-1', customTitle: 'prod shell' });

    act(() => workspace.rename('ssh:s-1', '  '));
    expect(tabButton('ssh:s-1').textContent).toContain('web-1');
  });

  it('closes through the tab kind\'s closer (which may ask first), else at once', () => {
    const asked: string[] = [];
    const off = workspace.registerCloser('ssh:', (id) => asked.push(id));
    act(() => {
      workspace.openTab({ id: 'ssh:s-1', kind: 'ssh', title: 'web-1', status: 'live' });
      workspace.openTab({ id: 'rdp:r-1', kind: 'rdp', title: 'RDP · win', status: 'live' });
    });
    act(() => (ui.container.querySelector('[aria-label="Close web-1"]') as HTMLButtonElement).click());
    expect(asked).toEqual(['ssh:s-1']);
    expect(workspace.getState().tabs.map((t) => t.id)).toEqual(['ssh:s-1', 'rdp:r-1']);
    act(() => (ui.container.querySelector('[aria-label="Close RDP · win"]') as HTMLButtonElement).click());
    expect(workspace.getState().tabs.map((t) => t.id)).toEqual(['ssh:s-1']);
    off();
  });

  it('shows a badge and the tab\'s detail as its tooltip', () => {
    act(() => workspace.openTab({ id: 'ssh:s-1', kind: 'ssh', title: 'web-1', status: 'live', badge: { text: '4m', tone: 'warning' }, detail: 'ec2-user@web-1 · 4 min left' }));
    expect(ui.container.querySelector('.tab__badge--warning')?.textContent).toBe('4m');
    expect(tabButton('ssh:s-1').title).toContain('ec2-user@web-1 · 4 min left');
  });

  it('moves tabs left and right from the keyboard, within bounds', () => {
    act(() => ['a', 'b', 'c'].forEach((id) => workspace.openTab({ id: `ssh:${id}`, kind: 'ssh', title: id, status: 'live' })));
    act(() => workspace.moveBy('ssh:c', -1));
    expect(workspace.getState().tabs.map((t) => t.id)).toEqual(['ssh:a', 'ssh:c', 'ssh:b']);
    act(() => workspace.moveBy('ssh:a', -5));
    expect(workspace.getState().tabs.map((t) => t.id)).toEqual(['ssh:a', 'ssh:c', 'ssh:b']);
    act(() => workspace.moveBy('ssh:a', 9));
    expect(workspace.getState().tabs.map((t) => t.id)).toEqual(['ssh:c', 'ssh:b', 'ssh:a']);
  });

  it('shows what each tab holds: a terminal for SSH, a display for RDP', () => {
    act(() => {
      workspace.openTab({ id: 'ssh:s-1', kind: 'ssh', title: 'web-1', status: 'live' });
      workspace.openTab({ id: 'rdp:r-1', kind: 'rdp', title: 'RDP · win', status: 'connecting' });
    });
    expect(tabButton('ssh:s-1').querySelector('svg[data-icon]')?.getAttribute('data-icon')).toBe('terminal');
    expect(tabButton('rdp:r-1').querySelector('svg[data-icon]')?.getAttribute('data-icon')).toBe('display');
  });
});
