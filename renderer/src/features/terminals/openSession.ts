import type { OpenSessionInput, SessionInfo } from '../../../../preload/contract';
import { getApi } from '../../api';
import { sessionsStore } from './sessionsStore';

/** Opens a terminal tab on a saved host, a discovered instance, or another tab's connection. */
export function openSession(input: OpenSessionInput): Promise<SessionInfo> {
  return sessionsStore.open(input);
}

/**
 * Copies an OpenSSH `Host` block for a saved host (ProxyCommand through bastionless-tunnel), so
 * `ssh`, `scp` and VS Code Remote-SSH reach it too. Resolves with the alias to type after `ssh`.
 */
export async function copySshConfig(hostId: string, identityFile?: string): Promise<string> {
  const { alias, text } = await getApi().sessions.sshConfig({ hostId, ...(identityFile ? { identityFile } : {}) });
  await navigator.clipboard.writeText(text);
  return alias;
}
