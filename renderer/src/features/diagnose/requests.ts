import type { Host, Instance, RdpSession } from '../../../../preload/contract';
import { getApi } from '../../api';
import { workspace } from '../../shell/workspaceStore';
import { connect } from '../hosts/connect';
import { launchRdp, targetOf } from '../rdp/rdpStore';
import type { DiagnoseRequest } from '../terminals/diagnoseHook';
import { sshTabId } from '../terminals/sessionsStore';
import { openDiagnosis, type DiagnosisRequest } from './diagnoseStore';

/**
 * How each place that offers "Diagnose" describes what to diagnose, and what "Try again" does
 * there: a failed terminal tab reconnects (and comes to the front), a host connects again.
 */

/** A failed terminal tab: main reads the failure from the session; Try again reconnects it. */
export function requestFromSession(req: DiagnoseRequest): DiagnosisRequest {
  const target = req.hostId
    ? { hostId: req.hostId }
    : { profileId: req.profileId ?? '', region: req.region ?? '', instanceId: req.instanceId ?? '' };
  return {
    target,
    sessionId: req.sessionId,
    label: req.instanceId ?? 'the host',
    retry: async () => {
      await getApi().sessions.reconnect({ sessionId: req.sessionId });
      workspace.activate(sshTabId(req.sessionId));
    },
  };
}

/** A saved host, from its row in Hosts: Try again connects it as a double-click would. */
export function diagnoseHost(host: Host): void {
  openDiagnosis({ target: { hostId: host.id }, label: host.label, retry: () => connect({ kind: 'host', host }) });
}

/** A discovered instance, from its row in Hosts. */
export function diagnoseInstance(instance: Instance): void {
  openDiagnosis({
    target: { profileId: instance.profileId, region: instance.region, instanceId: instance.instanceId },
    label: instance.name ?? instance.instanceId,
    retry: () => connect({ kind: 'instance', instance }),
  });
}

/** A failed RDP session: Try again launches it again. */
export function diagnoseRdpSession(session: RdpSession): void {
  openDiagnosis({
    target: session.hostId ? { hostId: session.hostId } : { profileId: session.profileId, region: session.region, instanceId: session.instanceId },
    rdpSessionId: session.sessionId,
    label: session.label,
    retry: async () => {
      await launchRdp(targetOf(session));
    },
  });
}
