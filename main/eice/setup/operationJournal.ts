import { join } from 'node:path';
import { z } from 'zod';
import { Operation, type OperationStepId, type OperationStep } from '../../../preload/contract/endpoints';
import type { Logger } from '../../log';
import { JsonStore } from '../../storage/jsonStore';

/**
 * One operation as the journal keeps it: the Operation the window sees, plus what a resume
 * needs and the window does not (the ClientToken, the VPC's blocks, how the groups come about).
 */
export const JournalRecord = Operation.extend({
  /** The endpoint's ClientToken: fixed before the first CreateInstanceConnectEndpoint, so a retry cannot make a second endpoint. */
  clientToken: z.string().optional(),
  /** `create`: make (or reuse) the dedicated group; `existing`: the person's groups. */
  groupMode: z.enum(['create', 'existing']).optional(),
  vpcCidrs: z.array(z.string()).optional(),
  /** The endpoint reached a failed state: resuming would only fail again. */
  terminal: z.boolean().optional(),
});
export type JournalRecord = z.infer<typeof JournalRecord>;

const JournalFile = z.object({ operations: z.array(JournalRecord) });
type JournalFile = z.infer<typeof JournalFile>;

/** Finished operations kept for the window to show; older ones are dropped. */
const KEEP_FINISHED = 30;

export const JOURNAL_FILE = 'endpoint-operations.json';

/** What the window sees of a record. */
export function toOperation(record: JournalRecord): Operation {
  const { clientToken: _token, groupMode: _mode, vpcCidrs: _cidrs, terminal: _terminal, ...operation } = record;
  return Operation.parse(operation);
}

export const isFinished = (r: Pick<JournalRecord, 'status'>): boolean => r.status !== 'running' && r.status !== 'interrupted';

/** The first step that is not done or skipped: where a resume carries on. */
export function nextStep(record: Pick<JournalRecord, 'steps'>): OperationStep | undefined {
  return record.steps.find((s) => s.state !== 'done' && s.state !== 'skipped');
}

/** Steps that only wait and read: safe to carry on with by themselves after a restart. */
export const WAIT_STEPS: readonly OperationStepId[] = ['waitCreated', 'waitDeleted'];

/**
 * endpoint-operations.json: every endpoint operation, written before and after each AWS call
 * (JsonStore: atomic, with a backup), so an operation cut short by a crash or a quit can be
 * resumed from its last finished step.
 */
export class OperationJournal {
  private readonly store: JsonStore<JournalFile>;

  constructor(options: { dataDir: string; log: Logger }) {
    this.store = new JsonStore({
      file: join(options.dataDir, JOURNAL_FILE),
      version: 1,
      schema: JournalFile,
      empty: () => ({ operations: [] }),
      log: options.log.child(JOURNAL_FILE),
    });
  }

  get file(): string {
    return this.store.file;
  }

  /** Where the file had to be recovered from, if it did. */
  get recovery(): JsonStore<JournalFile>['recovery'] {
    return this.store.recovery;
  }

  async all(): Promise<JournalRecord[]> {
    return (await this.store.load()).operations;
  }

  async get(operationId: string): Promise<JournalRecord | undefined> {
    return (await this.all()).find((r) => r.operationId === operationId);
  }

  /** Adds or replaces a record, and trims the oldest finished ones. */
  async put(record: JournalRecord): Promise<JournalRecord> {
    const parsed = JournalRecord.parse(record);
    await this.store.load();
    await this.store.update((data) => {
      const others = data.operations.filter((r) => r.operationId !== parsed.operationId);
      const operations = [...others, parsed];
      const finished = operations.filter(isFinished).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
      const drop = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)).map((r) => r.operationId));
      return { operations: operations.filter((r) => !drop.has(r.operationId)) };
    });
    return parsed;
  }

  async remove(operationId: string): Promise<void> {
    await this.store.load();
    await this.store.update((data) => ({ operations: data.operations.filter((r) => r.operationId !== operationId) }));
  }
}
