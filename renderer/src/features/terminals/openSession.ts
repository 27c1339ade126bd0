import type { OpenSessionInput, SessionInfo } from '../../../../preload/contract';
import { getApi } from '../../api';
import { registerConnectHandler, type ConnectTarget } from '../hosts/connect';
import { sessionsStore } from './sessionsStore';

/** Opens a terminal tab on a saved host, a discovered instance, or another tab's connection. */
export function openSession(input: OpenSessionInput): Promise<SessionInfo> {
  return sessionsStore.open(input);
}

/** What a double-click in Hosts opens: the saved host (its user, login, auto-reconnect), or the instance. */
export function inputFor(target: ConnectTarget): OpenSessionInput {
  return target.kind === 'host'
    ? { hostId: target.host.id }
    : { instanceId: target.instance.instanceId, profileId: target.instance.profileId, region: target.instance.region };
}

/**
 * Copies an OpenSSH `Host` block for a saved host (ProxyCommand through bastionless-tunnel), so
 * `ssh`, `scp` and VS Code Remote-SSH reach it too. `identityFile` is the person's own private
 * key, whose `.pub` the tunnel pushes (main's default: ~/.ssh/id_ed25519). Resolves with the alias
 * to type after `ssh` and the block that was copied.
 */
export async function copySshConfig(hostId: string, identityFile?: string): Promise<{ alias: string; text: string }> {
  const config = await getApi().sessions.sshConfig({ hostId, ...(identityFile ? { identityFile } : {}) });
  await navigator.clipboard.writeText(config.text);
  return config;
}

let registered = false;

/** Double-click on a Linux host or instance opens a terminal tab (Windows ones go to RDP). */
export function registerSshConnect(): void {
  if (registered) return;
  registered = true;
  registerConnectHandler('linux', async (target) => {
    await openSession(inputFor(target));
  });
}
