import { mkdirSync } from 'node:fs';
import { contract, type MainHandlers } from '../preload/contract';
import { createAppHandlers, platformOf } from './app/appHandlers';
import type { DesktopIo } from './desktop';
import { EventHub } from './events';
import { createLogger, type LogSink, type Logger, type LogLevel } from './log';

export interface ComposeOptions {
  /** The app's data folder: settings, saved hosts, logs. Created 0700 if missing. */
  dataDir: string;
  version: string;
  platform: NodeJS.Platform;
  desktop: DesktopIo;
  logSink: LogSink;
  logLevel?: LogLevel;
  /** Environment for AWS settings (AWS_PROFILE, AWS_ENDPOINT_URL_*, proxies). */
  env?: NodeJS.ProcessEnv;
  isHarness?: boolean;
}

export interface Composition {
  /** One handler per contract entry: what Electron IPC and the harness dispatch to. */
  api: MainHandlers;
  /** Where features publish events; the window or the harness subscribes. */
  events: EventHub;
  log: Logger;
  /** Closes every session, tunnel and listener, and flushes stores. Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * The composition root: builds every feature with its I/O and wires them by hand. Runs in
 * plain Node (no electron import) so the test harness and the command-line tunnel reuse it.
 */
export async function compose(options: ComposeOptions): Promise<Composition> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const log = createLogger({ sink: options.logSink, minLevel: options.logLevel ?? 'info' });
  const events = new EventHub(contract, log.child('events'));
  const disposers: (() => Promise<void> | void)[] = [];

  const api: MainHandlers = {
    app: createAppHandlers(
      {
        name: 'Bastionless',
        version: options.version,
        platform: platformOf(options.platform),
        dataDir: options.dataDir,
        isHarness: options.isHarness ?? false,
      },
      options.desktop,
    ),
  };

  let disposed: Promise<void> | undefined;
  return {
    api,
    events,
    log,
    dispose() {
      disposed ??= (async () => {
        // Last built, first disposed: sessions go before the tunnels they run on.
        for (const dispose of disposers.reverse()) {
          try {
            await dispose();
          } catch (error) {
            log.error('dispose failed', { error });
          }
        }
      })();
      return disposed;
    },
  };
}
