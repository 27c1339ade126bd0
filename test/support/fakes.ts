import type { SenderPolicy } from '../../main/ipc/handle';
import { createLogger, MemorySink, type Logger } from '../../main/log';

/** A logger whose lines a test can read back (already redacted, as they would hit disk). */
export function memoryLogger(): { log: Logger; sink: MemorySink; records: () => Record<string, unknown>[] } {
  const sink = new MemorySink();
  const log = createLogger({ sink, minLevel: 'debug' });
  return { log, sink, records: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A sender is a plain object; `trusted` decides whether the policy accepts it. */
export interface FakeSender {
  id: string;
  trusted: boolean;
}

export const fakePolicy: SenderPolicy<FakeSender> = {
  identify: (s) => (s.trusted ? { senderId: s.id } : null),
  describe: (s) => `fake sender ${s.id}`,
};
