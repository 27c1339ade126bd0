import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type Composition } from '../../main/compose';
import { RecordingDesktop } from '../../main/desktop';
import { MemorySink } from '../../main/log';
import type { Sandbox } from '../sandbox/index';

/** A variable set to undefined in `env` is left out, as if unset. */
function withoutUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

interface TerminalData {
  sessionId: string;
  chunk: Uint8Array;
}

/** The real composition on a sandbox, with its own data folder and HOME, and every event it emits. */
export interface AppOnSandbox {
  app: Composition;
  desktop: RecordingDesktop;
  sink: MemorySink;
  dataDir: string;
  home: string;
  /** The payloads of one event channel (`sessions:stateChanged`...), oldest first. */
  emitted<T>(channel: string): T[];
  /** What the terminal of an SSH session received so far (the sessions:data events), as text. */
  terminalOutput(sessionId: string): string;
  /** Resolves with what `check` returns once it is not undefined, checking again on every event. */
  until<T>(check: () => T | undefined): Promise<T>;
  /** Disposes the app and removes its folders (the sandbox is the caller's). */
  dispose(): Promise<void>;
}

/**
 * Composes the app against `sandbox`: its environment (keys, endpoints, CA, EICE address), a
 * private HOME and PATH, plus `env` on top (a variable set to undefined there is unset).
 */
export async function startAppOnSandbox(sandbox: Sandbox, options: { env?: NodeJS.ProcessEnv; isHarness?: boolean; platform?: NodeJS.Platform } = {}): Promise<AppOnSandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bl-app-data-'));
  const home = mkdtempSync(join(tmpdir(), 'bl-app-home-'));
  const desktop = new RecordingDesktop();
  const sink = new MemorySink();
  let app: Composition;
  try {
    app = await compose({
      dataDir,
      version: '0.0.0-test',
      platform: options.platform ?? 'linux',
      desktop,
      logSink: sink,
      logLevel: 'debug',
      env: withoutUndefined({ ...sandbox.env, HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env }),
      ...(options.isHarness ? { isHarness: true } : {}),
    });
  } catch (error) {
    for (const d of [dataDir, home]) rmSync(d, { recursive: true, force: true });
    throw error;
  }
  const events: { channel: string; payload: unknown }[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = app.events.subscribe((channel, payload) => {
    events.push({ channel, payload });
    // A renderer that draws every chunk at once, so main's flow control never holds a session back.
    if (channel === 'sessions:data') {
      const { sessionId, chunk } = payload as TerminalData;
      app.api.sessions.ack({ sessionId, bytes: chunk.byteLength }, { senderId: 'test' });
    }
    for (const w of [...waiters]) w();
  });
  const emitted = <T>(channel: string): T[] => events.filter((e) => e.channel === channel).map((e) => e.payload as T);
  return {
    app,
    desktop,
    sink,
    dataDir,
    home,
    emitted,
    terminalOutput: (sessionId) =>
      emitted<TerminalData>('sessions:data')
        .filter((d) => d.sessionId === sessionId)
        .map((d) => Buffer.from(d.chunk).toString('utf8'))
        .join(''),
    until: <T>(check: () => T | undefined) =>
      new Promise<T>((resolve, reject) => {
        const attempt = (): void => {
          let value: T | undefined;
          try {
            value = check();
          } catch (error) {
            waiters.delete(attempt);
            reject(error as Error);
            return;
          }
          if (value === undefined) return;
          waiters.delete(attempt);
          resolve(value);
        };
        waiters.add(attempt);
        attempt();
      }),
    dispose: async () => {
      unsubscribe();
      await app.dispose();
      for (const d of [dataDir, home]) rmSync(d, { recursive: true, force: true });
    },
  };
}
