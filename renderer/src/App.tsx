import type { ReactElement } from 'react';
import { DiagnoseDialog } from './features/diagnose/DiagnoseDialog';
import { EndpointsView } from './features/endpoints/EndpointsView';
import { HostsView } from './features/hosts/HostsView';
import { CredentialPrompts } from './features/profiles/CredentialPrompts';
import { ProfilesView } from './features/profiles/ProfilesView';
import { RdpTabPanels } from './features/rdp/RdpTabPanels';
import { TerminalPanels } from './features/terminals/TerminalPanels';
import { TunnelsView } from './features/tunnels/TunnelsView';
import { Notices } from './shell/Notices';
import { Sidebar } from './shell/Sidebar';
import { StatusBar } from './shell/StatusBar';
import { TabStrip } from './shell/TabStrip';
import { useShortcuts } from './shell/useShortcuts';
import { WORKSPACE_TAB, useWorkspace, type ViewId } from './shell/workspaceStore';

const VIEW_COMPONENTS: Record<ViewId, () => ReactElement> = {
  hosts: HostsView,
  endpoints: EndpointsView,
  profiles: ProfilesView,
  tunnels: TunnelsView,
};

export function App(): ReactElement {
  useShortcuts();
  const { view, active } = useWorkspace();
  const View = VIEW_COMPONENTS[view];
  return (
    <div className="shell">
      <Sidebar />
      <div className="shell__main">
        <TabStrip />
        <main
          className="shell__content"
          id="panel-workspace"
          role="tabpanel"
          aria-labelledby={`tab-${WORKSPACE_TAB}`}
          hidden={active !== WORKSPACE_TAB}
        >
          <View />
        </main>
        <RdpTabPanels />
        <TerminalPanels />
      </div>
      <StatusBar />
      <Notices />
      <CredentialPrompts />
      <DiagnoseDialog />
    </div>
  );
}
