import { useEffect } from 'react';
import { VIEWS, workspace } from './workspaceStore';

/**
 * App-wide keys: Ctrl+1..4 switch views, Ctrl+Tab / Ctrl+Shift+Tab and Ctrl+PageDown/PageUp
 * cycle tabs, Ctrl+Shift+PageDown/PageUp move the active tab.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.ctrlKey || e.altKey || e.metaKey) return;
      const view = VIEWS.find((v) => v.shortcut === e.key);
      if (view && !e.shiftKey) {
        e.preventDefault();
        workspace.showView(view.id);
      } else if (e.shiftKey && (e.key === 'PageDown' || e.key === 'PageUp')) {
        e.preventDefault();
        workspace.moveBy(workspace.getState().active, e.key === 'PageUp' ? -1 : 1);
      } else if (e.key === 'Tab' || e.key === 'PageDown' || e.key === 'PageUp') {
        e.preventDefault();
        workspace.cycle(e.key === 'PageUp' || (e.key === 'Tab' && e.shiftKey) ? -1 : 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
