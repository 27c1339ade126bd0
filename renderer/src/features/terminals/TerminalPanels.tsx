import { useEffect, type ReactElement } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { workspace, useWorkspace } from '../../shell/workspaceStore';
import { installHarnessHooks } from './harnessHooks';
import { openSession, registerSshConnect } from './openSession';
import { isSshTab, sessionIdOfTab, sessionsStore, useSessions } from './sessionsStore';
import { TerminalTab } from './TerminalTab';
import { terminalSettings } from './terminalSettings';

// Double-clicking a Linux host in Hosts opens a tab here.
registerSshConnect();
installHarnessHooks();

/**
 * The panels of the terminal tabs. Every terminal stays mounted while its tab exists (hidden
 * when another tab is in front), so its screen, scrollback and session carry on in the background.
 */
export function TerminalPanels(): ReactElement {
  const { tabs, active } = useWorkspace();
  const sessions = useSessions();
  const pendingClose = sessionsStore.pendingClose;
  const closing = pendingClose ? sessions.find((s) => s.sessionId === pendingClose) : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.ctrlKey || e.altKey || e.metaKey) return;
      const current = workspace.getState().active;
      const inTerminal = isSshTab(current);
      const key = e.key.toLowerCase();
      if (e.shiftKey && key === 't') {
        // New session: to the same host as the terminal in front, else pick one in Hosts.
        e.preventDefault();
        const info = inTerminal ? sessionsStore.get(sessionIdOfTab(current)) : undefined;
        const t = info?.target;
        if (t?.hostId) void openSession({ hostId: t.hostId }).catch(() => undefined);
        else if (t?.instanceId && t.profileId && t.region) void openSession({ instanceId: t.instanceId, profileId: t.profileId, region: t.region, ...(t.osUser ? { osUser: t.osUser } : {}) }).catch(() => undefined);
        else workspace.showView('hosts');
      } else if (e.shiftKey && key === 'w' && inTerminal) {
        e.preventDefault();
        workspace.requestClose(current);
      } else if (inTerminal && !e.shiftKey && (e.key === '=' || e.key === '+' || e.key === '-' || e.key === '0')) {
        e.preventDefault();
        if (e.key === '0') terminalSettings.reset();
        else terminalSettings.zoom(e.key === '-' ? -1 : 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      {tabs.filter((t) => isSshTab(t.id)).map((tab) => {
        const info = sessions.find((s) => s.sessionId === sessionIdOfTab(tab.id));
        return (
          <section key={tab.id} className="shell__content shell__content--terminal" id={`panel-${tab.id}`} role="tabpanel" aria-labelledby={`tab-${tab.id}`} hidden={active !== tab.id}>
            {info ? <TerminalTab info={info} active={active === tab.id} /> : null}
          </section>
        );
      })}
      {closing ? (
        <ConfirmDialog
          title={`Close the session to ${closing.title}?`}
          description="The shell and anything still running in it will end."
          confirmLabel="Close session"
          autoFocus="confirm"
          onConfirm={() => void sessionsStore.close(closing.sessionId)}
          onClose={() => sessionsStore.cancelClose()}
        />
      ) : null}
    </>
  );
}
