import type { Notice, Operation, OperationStep } from '../../../preload/contract';
import { AppError } from '../../../preload/contract/errors';
import type { Logger } from '../../log';
import { isFinished, nextStep, OperationJournal, toOperation, WAIT_STEPS, type JournalRecord } from './operationJournal';
import { DEFAULT_POLL, runStep, type StepContext } from './operationSteps';
import type { PollOptions, Sleep } from './poll';
import type { SetupEc2 } from './setupEc2';

/** The clients an operation runs with, for its profile and Region. */
export interface OperationClients {
  ec2: SetupEc2;
  profileName: string;
}

export interface EndpointOperationsOptions {
  dataDir: string;
  log: Logger;
  /** The EC2 API for a profile in a Region (may prompt for MFA or an SSO sign-in). */
  clientsFor(profileId: string, region: string): Promise<OperationClients>;
  /** An operation changed (the `endpoints.operationChanged` event). */
  onChanged?: (operation: Operation) => void;
  /** Something the person should know that is not an answer (an operation interrupted by the last quit). */
  notify?: (notice: Notice) => void;
  poll?: { create: PollOptions; delete: PollOptions };
  sleep?: Sleep;
  now?: () => Date;
}

/** Why a running operation stopped early: the person cancelled it, or the app is closing. */
class Stop extends Error {
  constructor(readonly why: 'cancel' | 'dispose') {
    super(why);
  }
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/** What remains in AWS after an operation stopped short, in plain sentences. */
export function leftoversOf(r: JournalRecord): string[] {
  const out: string[] = [];
  if (r.createdGroup?.decision === 'pending') {
    out.push(`The security group ${r.createdGroup.groupId} (${r.createdGroup.name}) was created for this endpoint and is not used by one: delete it, or keep it for a later setup.`);
  }
  if (r.status === 'succeeded') return out;
  const deletedOld = r.kind === 'move' && r.steps.some((s) => s.id === 'deleteEndpoint' && s.state === 'done');
  if (r.kind !== 'delete' && r.endpointId) {
    if (r.endpointState === 'create-failed') {
      out.push(`${r.endpointId} is create-failed and still holds ${r.vpcId}'s one endpoint slot: delete it before trying again.`);
    } else if (r.endpointState !== 'create-complete') {
      out.push(`${r.endpointId} was requested, and AWS carries on creating it; it holds ${r.vpcId}'s one endpoint slot. Delete it from the Endpoints view if you do not want it.`);
    }
  }
  if (deletedOld && !r.endpointId) {
    out.push(`The old endpoint ${r.previousEndpointId ?? ''} was deleted, so ${r.vpcId} has no endpoint until the move is resumed (or a new one is set up).`);
  }
  if (r.kind === 'delete' && r.endpointState !== 'delete-complete' && r.steps.some((s) => s.id === 'deleteEndpoint' && s.state === 'done')) {
    out.push(`AWS carries on deleting ${r.endpointId ?? 'the endpoint'}.`);
  }
  return out;
}

/**
 * Runs endpoint operations (create, delete, move) step by step, recording each step in the
 * journal before and after its AWS call, so that closing the app halfway loses nothing: on
 * the next start an unfinished operation is found, its waits resumed by themselves and the
 * rest offered for resuming. One operation per VPC at a time.
 * States of an operation: running -> succeeded | failed | cancelled; interrupted (found
 * unfinished at start) -> running on resume.
 */
export class EndpointOperations {
  private readonly journal: OperationJournal;
  private readonly running = new Map<string, Running>();
  private disposed = false;
  private started: Promise<void> | undefined;

  constructor(private readonly options: EndpointOperationsOptions) {
    this.journal = new OperationJournal({ dataDir: options.dataDir, log: options.log });
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /**
   * Loads the journal. Operations it shows as running were cut short by the last quit: they
   * become interrupted; those that were only waiting for AWS carry on by themselves, the
   * others are announced so the person can resume them.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      const records = await this.journal.all();
      const recovery = this.journal.recovery;
      if (recovery) {
        // An unreadable journal may have held an unfinished operation: the person should look at the Endpoints view.
        this.options.notify?.({
          level: 'warning',
          message: `The record of endpoint operations could not be read (${recovery.reason}), so Bastionless ${recovery.from === 'backup' ? 'loaded its backup' : 'started a new one'}.`,
          hint: `${recovery.keptAs ? `The unreadable file was kept at ${recovery.keptAs}. ` : ''}If an endpoint was being created, deleted or moved, check the Endpoints view.`,
          at: this.now(),
        });
      }
      for (const r of records.filter((x) => x.status === 'running')) {
        const step = nextStep(r);
        const waiting = !!step && WAIT_STEPS.includes(step.id);
        const record = await this.journal.put({
          ...r,
          status: waiting ? 'running' : 'interrupted',
          resumable: !waiting,
          steps: r.steps.map((s) => (s.state === 'active' ? { ...s, state: 'pending' } : s)),
          updatedAt: this.now(),
        });
        if (waiting) {
          this.options.log.info('resuming an interrupted endpoint operation', { operationId: r.operationId, step: step.id });
          this.launch(record);
        } else {
          this.options.notify?.({
            level: 'warning',
            message: `${describeOperation(record)} was interrupted when Bastionless last closed.`,
            hint: 'Open the Endpoints view to resume it or see what was left.',
            at: this.now(),
          });
        }
      }
    })();
    return this.started;
  }

  /** Every operation, newest first. */
  async list(): Promise<Operation[]> {
    await this.start();
    return (await this.journal.all()).sort((a, b) => b.startedAt.localeCompare(a.startedAt)).map(toOperation);
  }

  async get(operationId: string): Promise<JournalRecord> {
    await this.start();
    const r = await this.journal.get(operationId);
    if (!r) throw new AppError('NOT_FOUND', `There is no endpoint operation ${operationId}.`, { hint: 'It may have been dismissed: refresh the Endpoints view.' });
    return r;
  }

  /** The unfinished operation on a VPC, if any (running or interrupted). */
  async activeFor(profileId: string, region: string, vpcId: string): Promise<JournalRecord | undefined> {
    await this.start();
    return (await this.journal.all()).find((r) => !isFinished(r) && r.profileId === profileId && r.region === region && r.vpcId === vpcId);
  }

  /** Fails with EIC_OPERATION_IN_PROGRESS (naming it) when the VPC has an unfinished operation. */
  async assertIdle(profileId: string, region: string, vpcId: string): Promise<void> {
    const busy = await this.activeFor(profileId, region, vpcId);
    if (busy) throw inProgress(busy);
  }

  /** Records a new operation and starts it. Fails with EIC_OPERATION_IN_PROGRESS when the VPC has one. */
  async begin(record: JournalRecord): Promise<Operation> {
    this.ensureRunning();
    await this.assertIdle(record.profileId, record.region, record.vpcId);
    const saved = await this.journal.put(record);
    this.emit(saved);
    this.launch(saved);
    return toOperation(saved);
  }

  /** Stops a running operation at its next safe point and resolves with it once it has stopped. */
  async cancel(operationId: string): Promise<Operation> {
    const r = await this.get(operationId);
    const run = this.running.get(operationId);
    if (run) {
      run.abort.abort(new Stop('cancel'));
      await run.done;
      return toOperation(await this.get(operationId));
    }
    if (r.status === 'interrupted') return toOperation(await this.finish(r, { status: 'cancelled' }));
    return toOperation(r);
  }

  /** Carries on a stopped operation from its first unfinished step. */
  async resume(operationId: string): Promise<Operation> {
    this.ensureRunning();
    const r = await this.get(operationId);
    if (this.running.has(operationId) || r.status === 'running') return toOperation(r);
    if (r.status === 'succeeded' || !r.resumable || !nextStep(r)) {
      throw new AppError('INVALID_INPUT', `${describeOperation(r)} cannot be resumed: it ${r.status === 'succeeded' ? 'has finished' : 'ended in a way that resuming cannot fix'}.`, {
        hint: 'Start a new setup, move or delete from the Endpoints view.',
      });
    }
    const busy = await this.activeFor(r.profileId, r.region, r.vpcId);
    if (busy && busy.operationId !== r.operationId) throw inProgress(busy);
    const resumed = await this.journal.put({
      ...r,
      status: 'running',
      steps: r.steps.map((s) => (s.state === 'failed' || s.state === 'active' ? { ...s, state: 'pending', detail: undefined } : s)),
      error: undefined,
      leftovers: [],
      updatedAt: this.now(),
      finishedAt: undefined,
    } as JournalRecord);
    this.emit(resumed);
    this.launch(resumed);
    return toOperation(resumed);
  }

  /**
   * Deletes or keeps the group a stopped setup created and did not use. Fails with
   * INVALID_INPUT (nothing to settle), EIC_GROUP_IN_USE and AWS_* codes.
   */
  async settleGroup(operationId: string, action: 'delete' | 'keep'): Promise<Operation> {
    const r = await this.get(operationId);
    if (this.running.has(operationId) || r.createdGroup?.decision !== 'pending') {
      throw new AppError('INVALID_INPUT', 'This operation has no unused security group waiting for a decision.', { hint: 'Refresh the Endpoints view.' });
    }
    if (action === 'keep') {
      const kept: JournalRecord = { ...r, createdGroup: { ...r.createdGroup, decision: 'kept' }, updatedAt: this.now() };
      return toOperation(await this.save({ ...kept, leftovers: leftoversOf(kept) }));
    }
    const clients = await this.options.clientsFor(r.profileId, r.region);
    let current = r;
    const context: StepContext = {
      ec2: clients.ec2,
      profileName: clients.profileName,
      signal: new AbortController().signal,
      record: () => current,
      patch: async (change) => {
        current = { ...current, ...change, updatedAt: this.now() };
      },
      poll: this.options.poll ?? DEFAULT_POLL,
    };
    await runStep('deleteGroup', context);
    return toOperation(await this.save({ ...current, leftovers: leftoversOf(current) }));
  }

  /** Forgets a finished operation. */
  async dismiss(operationId: string): Promise<void> {
    const r = await this.get(operationId);
    if (!isFinished(r) || this.running.has(operationId)) {
      throw new AppError('INVALID_INPUT', `${describeOperation(r)} is not finished.`, { hint: 'Cancel it first, or let it finish.' });
    }
    await this.journal.remove(operationId);
  }

  /** Stops every running operation without marking it: the journal keeps it as running, so the next start resumes it. */
  async dispose(): Promise<void> {
    this.disposed = true;
    // A start still loading the journal may be about to resume waits: let it, then stop them too.
    await this.started?.catch(() => undefined);
    const runs = [...this.running.values()];
    for (const run of runs) run.abort.abort(new Stop('dispose'));
    await Promise.all(runs.map((r) => r.done));
  }

  private ensureRunning(): void {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.', { hint: 'Open Bastionless again: the operation is resumed from where it stopped.' });
  }

  private emit(record: JournalRecord): void {
    try {
      this.options.onChanged?.(toOperation(record));
    } catch (error) {
      this.options.log.error('operation listener failed', { error });
    }
  }

  private async save(record: JournalRecord): Promise<JournalRecord> {
    const saved = await this.journal.put(record);
    this.emit(saved);
    return saved;
  }

  private async finish(r: JournalRecord, change: Partial<JournalRecord>): Promise<JournalRecord> {
    const next: JournalRecord = { ...r, ...change, updatedAt: this.now(), finishedAt: this.now() };
    const steps = next.steps.map((s): OperationStep => (s.state === 'active' ? { ...s, state: next.status === 'failed' ? 'failed' : 'pending' } : s));
    const settled: JournalRecord = { ...next, steps };
    return this.save({
      ...settled,
      leftovers: leftoversOf(settled),
      resumable: settled.status !== 'succeeded' && !settled.terminal && !!nextStep(settled),
    });
  }

  private launch(record: JournalRecord): void {
    const abort = new AbortController();
    const run: Running = { abort, done: Promise.resolve() };
    this.running.set(record.operationId, run);
    run.done = this.execute(record, abort.signal).finally(() => this.running.delete(record.operationId));
  }

  private async execute(initial: JournalRecord, signal: AbortSignal): Promise<void> {
    let current = initial;
    const stopped = (): boolean => signal.aborted && (signal.reason as Stop | undefined)?.why === 'dispose';
    const patch = async (change: Partial<JournalRecord>): Promise<void> => {
      // After dispose nothing is written: a newer process may own the journal by now.
      if (stopped()) throw signal.reason;
      current = await this.save({ ...current, ...change, updatedAt: this.now() });
    };
    const setStep = (id: OperationStep['id'], change: Partial<OperationStep>): Promise<void> =>
      patch({ steps: current.steps.map((s) => (s.id === id ? { ...s, ...change } : s)) });
    try {
      const clients = await this.options.clientsFor(current.profileId, current.region);
      const context: StepContext = {
        ec2: clients.ec2,
        profileName: clients.profileName,
        signal,
        record: () => current,
        patch,
        poll: this.options.poll ?? DEFAULT_POLL,
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.now ? { now: () => (this.options.now as () => Date)().getTime() } : {}),
      };
      for (let step = nextStep(current); step; step = nextStep(current)) {
        if (signal.aborted) throw signal.reason;
        await setStep(step.id, { state: 'active', startedAt: this.now(), detail: undefined });
        // On cancel the step's AWS call is let finish (so what it made is recorded and reported);
        // on dispose the runner stops at once, and a resume finds what the call made by its tag.
        const detail = await untilDisposed(runStep(step.id, context), signal);
        await setStep(step.id, { state: 'done', finishedAt: this.now(), ...(detail ? { detail } : {}) });
      }
      await this.finish(current, { status: 'succeeded', error: undefined });
    } catch (error) {
      if (stopped()) return;
      // Cancelled: also when the step in flight then failed (its outcome is in the record and leftovers).
      if (signal.aborted) {
        await this.finish(current, { status: 'cancelled' }).catch((e: unknown) => this.options.log.error('endpoint operation journal not written', { error: e }));
        return;
      }
      const appError =
        error instanceof AppError ? error : new AppError('INTERNAL', 'The endpoint operation failed unexpectedly.', { hint: 'Copy the details and report it; resume to try again.', cause: error });
      if (!(error instanceof AppError)) this.options.log.error('endpoint operation failed', { error, operationId: current.operationId });
      const failing = current.steps.find((s) => s.state === 'active');
      await this.finish(
        failing ? { ...current, steps: current.steps.map((s) => (s === failing ? { ...s, state: 'failed', finishedAt: this.now(), detail: appError.message } : s)) } : current,
        { status: 'failed', error: appError.toJSON() },
      ).catch((e: unknown) => this.options.log.error('endpoint operation journal not written', { error: e }));
    }
  }
}

function untilDisposed<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if ((signal.reason as Stop | undefined)?.why === 'dispose') reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describeOperation(r: Pick<JournalRecord, 'kind' | 'vpcId' | 'endpointId' | 'previousEndpointId'>): string {
  if (r.kind === 'create') return `Setting up an endpoint for ${r.vpcId}`;
  if (r.kind === 'delete') return `Deleting ${r.endpointId ?? `the endpoint of ${r.vpcId}`}`;
  return `Moving ${r.previousEndpointId ?? `the endpoint of ${r.vpcId}`} to another AZ`;
}

function inProgress(r: JournalRecord): AppError {
  return new AppError('EIC_OPERATION_IN_PROGRESS', `${describeOperation(r)} is not finished (${r.status}).`, {
    hint: r.status === 'interrupted' ? 'Resume or cancel it in the Endpoints view first.' : 'Wait for it to finish, or cancel it, in the Endpoints view.',
  });
}
