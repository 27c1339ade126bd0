import { app } from './app';
import { diagnose } from './diagnose';
import { endpoints } from './endpoints';
import { hosts } from './hosts';
import { inventory } from './inventory';
import { profiles } from './profiles';
import { rdp } from './rdp';
import { sessions } from './sessions';
import { tunnels } from './tunnels';
import type { Bridge, EventPayloads, Handlers } from './define';

/**
 * The single IPC contract. Channels (`domain:name`), inputs, outputs, events and error codes
 * are declared here once; main's handlers, the preload bridge, the renderer's types and the
 * conformance test all derive from it. Add a domain as its own file and list it here.
 */
export const contract = {
  app,
  profiles,
  inventory,
  hosts,
  sessions,
  rdp,
  tunnels,
  endpoints,
  diagnose,
} as const;

export type Contract = typeof contract;
export type EicApi = Bridge<Contract>;
export type MainHandlers = Handlers<Contract>;
export type MainEvents = EventPayloads<Contract>;

export * from './define';
export * from './errors';
export * from './app';
export * from './profiles';
export * from './inventory';
export * from './hosts';
export * from './sessions';
export * from './rdp';
export * from './tunnels';
export * from './endpoints';
export * from './diagnose';
