import type { Host, Instance } from '../../../../preload/contract';
import { AppError } from '../../api';

/** What a double-click asks to connect to: a saved host (with its instance's facts when known) or a discovered instance. */
export type ConnectTarget = { kind: 'host'; host: Host; instance?: Instance | undefined } | { kind: 'instance'; instance: Instance };

/** Opens a session for a target (a terminal tab for Linux, RDP for Windows). */
export type ConnectHandler = (target: ConnectTarget) => Promise<void> | void;

const handlers = new Map<'linux' | 'windows', ConnectHandler>();
const listeners = new Set<() => void>();

export function platformOf(target: ConnectTarget): 'linux' | 'windows' {
  return target.kind === 'host' ? target.host.platform : target.instance.platform;
}

/**
 * The hook the session features plug into: the sessions feature registers the Linux (SSH)
 * handler, the RDP feature the Windows one. The Hosts view calls `connect()` on double-click
 * or Enter. Returns an unregister function; the last registration for a platform wins.
 */
export function registerConnectHandler(platform: 'linux' | 'windows', handler: ConnectHandler): () => void {
  handlers.set(platform, handler);
  for (const l of listeners) l();
  return () => {
    if (handlers.get(platform) === handler) handlers.delete(platform);
    for (const l of listeners) l();
  };
}

export function canConnect(platform: 'linux' | 'windows'): boolean {
  return handlers.has(platform);
}

/** Calls `listener` when handlers come or go (the view enables its Connect buttons). */
export function onConnectHandlersChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Connects to a host or instance through the registered handler; fails with a clear error when none is. */
export async function connect(target: ConnectTarget): Promise<void> {
  const platform = platformOf(target);
  const handler = handlers.get(platform);
  if (!handler) {
    throw new AppError('INTERNAL', platform === 'windows' ? 'RDP connections are not available in this build.' : 'SSH sessions are not available in this build.', {
      hint: 'Update Bastionless; this version can list and save hosts but not open sessions to them.',
    });
  }
  await handler(target);
}
