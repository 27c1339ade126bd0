import type { TunnelInfo } from '../../../preload/contract';
import { plural } from '../features/hosts/format';

export interface LiveSummary {
  /** One short phrase for the status bar: "2 live sessions · 1 port forward". */
  text: string;
  /** The breakdown by kind, for the tooltip. */
  detail: string;
  live: boolean;
}

/**
 * What runs through endpoints right now, from main's tunnel list: each SSH connection and RDP
 * listener is a live session, port forwards are named apart. Without the list (not loaded yet,
 * or it failed) the live session tabs are counted instead.
 */
export function liveSummary(tunnels: readonly TunnelInfo[] | undefined, liveTabs: number): LiveSummary {
  if (!tunnels) {
    return { text: liveTabs === 0 ? 'No live sessions' : plural(liveTabs, 'live session'), detail: 'Sessions open in tabs', live: liveTabs > 0 };
  }
  const ssh = tunnels.filter((t) => t.kind === 'ssh').length;
  const rdp = tunnels.filter((t) => t.kind === 'rdp').length;
  const forwards = tunnels.filter((t) => t.kind === 'forward').length;
  const sessions = ssh + rdp;
  const parts = [...(sessions > 0 ? [plural(sessions, 'live session')] : []), ...(forwards > 0 ? [plural(forwards, 'port forward')] : [])];
  const kinds = [...(ssh > 0 ? [`${ssh} SSH`] : []), ...(rdp > 0 ? [`${rdp} RDP`] : []), ...(forwards > 0 ? [plural(forwards, 'port forward')] : [])];
  return {
    text: parts.length === 0 ? 'No live sessions' : sessions === 0 ? `${parts.join('')} open` : parts.join(' · '),
    detail: kinds.length === 0 ? 'No tunnel is open' : `${kinds.join(', ')} through endpoints. Show them in Tunnels.`,
    live: parts.length > 0,
  };
}
