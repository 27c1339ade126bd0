import { describe, expect, it } from 'vitest';
import { WORKSPACE_TAB, WorkspaceStore } from '../../../renderer/src/shell/workspaceStore';

const tab = (id: string) => ({ id, kind: 'ssh' as const, title: id, status: 'live' as const });

describe('WorkspaceStore', () => {
  it('opens, activates and closes tabs, picking a neighbour on close', () => {
    const s = new WorkspaceStore();
    s.openTab(tab('a'));
    s.openTab(tab('b'));
    s.openTab(tab('c'));
    expect(s.getState().active).toBe('c');
    s.activate('b');
    s.closeTab('b');
    expect(s.getState().tabs.map((t) => t.id)).toEqual(['a', 'c']);
    expect(s.getState().active).toBe('c');
    s.closeTab('c');
    s.closeTab('a');
    expect(s.getState().active).toBe(WORKSPACE_TAB);
  });

  it('cycles through the workspace and session tabs, wrapping', () => {
    const s = new WorkspaceStore();
    s.openTab(tab('a'));
    s.openTab(tab('b'));
    s.cycle(1);
    expect(s.getState().active).toBe(WORKSPACE_TAB);
    s.cycle(-1);
    expect(s.getState().active).toBe('b');
  });

  it('reorders tabs', () => {
    const s = new WorkspaceStore();
    ['a', 'b', 'c'].forEach((id) => s.openTab(tab(id)));
    s.moveTab('c', 0);
    expect(s.getState().tabs.map((t) => t.id)).toEqual(['c', 'a', 'b']);
  });

  it('shows a view in the workspace tab', () => {
    const s = new WorkspaceStore();
    s.openTab(tab('a'));
    s.showView('tunnels');
    expect(s.getState()).toMatchObject({ view: 'tunnels', active: WORKSPACE_TAB });
  });

  it('notifies subscribers', () => {
    const s = new WorkspaceStore();
    let calls = 0;
    const off = s.subscribe(() => calls++);
    s.showView('profiles');
    off();
    s.showView('hosts');
    expect(calls).toBe(1);
  });
});
