import type { ReactElement } from 'react';
import { useWorkspace } from '../../shell/workspaceStore';
import { RdpSessionPanel } from './RdpSessionPanel';
import { isRdpTab, sessionIdOfTab, useRdpSessions } from './rdpStore';

/** The panels of the RDP tabs in the tab strip; only the active one is shown. */
export function RdpTabPanels(): ReactElement {
  const { tabs, active } = useWorkspace();
  const sessions = useRdpSessions();
  return (
    <>
      {tabs.filter((t) => isRdpTab(t.id)).map((tab) => {
        const session = sessions.find((s) => s.sessionId === sessionIdOfTab(tab.id));
        return (
          <section key={tab.id} className="shell__content" id={`panel-${tab.id}`} role="tabpanel" aria-labelledby={`tab-${tab.id}`} hidden={active !== tab.id}>
            {session ? <RdpSessionPanel session={session} /> : <p className="view muted">This session has ended.</p>}
          </section>
        );
      })}
    </>
  );
}
