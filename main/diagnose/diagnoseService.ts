import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  type CheckId,
  type CheckResult,
  type CreateKeyPairOptions,
  type DiagnoseTarget,
  type DiagnosisReport,
  type FixPreview,
  type GatherStep,
} from '../../preload/contract';
import { findInstance } from '../aws/inventory/instanceReach';
import type { DesktopIo } from '../desktop';
import type { Logger } from '../log';
import type { CheckVerdict, ProposedFix } from './checkTypes';
import { ALL_CHECKS, evaluateChecks, pendingResult, toCheckResult } from './checks/allChecks';
import { platformOf } from './derive';
import type { DiagnoseApp, DiagnoseAws, DiagnoseProbes, FailureSource } from './diagnoseIo';
import type { DiagnosisFacts, FailureFacts, SubjectFacts } from './facts';
import { applyAction, previewAction, type DiagnoseActionsIo } from './fixActions';
import { GATHER_STEPS, gatherFacts } from './gatherFacts';
import { reportText } from './reportText';

export interface DiagnoseServiceOptions {
  aws: DiagnoseAws & {
    /** The profile's name for sentences; its id when it has none. */
    profileName(profileId: string): Promise<string>;
  };
  app: DiagnoseApp;
  probes: DiagnoseProbes;
  failures: FailureSource;
  actions: DiagnoseActionsIo;
  desktop: Pick<DesktopIo, 'writeClipboard'>;
  log: Logger;
  /** A run's report changed (the `diagnose.changed` event). */
  onChanged(report: DiagnosisReport): void;
  version?: string;
  now?: () => Date;
  /** Skip the test tunnel and key push (tests of the gathering alone). */
  noProbes?: boolean;
}

interface Token {
  token: string;
  fixId: string;
  options: string;
  expiresAt: number;
}

interface Run {
  id: string;
  state: DiagnosisReport['state'];
  target: DiagnosisReport['target'];
  subject: SubjectFacts;
  failure: FailureFacts | undefined;
  steps: GatherStep[];
  results: Map<CheckId, CheckResult>;
  verdicts: Map<CheckId, CheckVerdict>;
  applied: DiagnosisReport['applied'];
  startedAt: string;
  finishedAt?: string;
  abort: AbortController;
  /** The gathering (first pass, or after a fix) in progress. */
  work: Promise<void>;
  fixing: boolean;
  tokens: Token[];
  revision: number;
}

/** Reports kept at once: the oldest finished ones go first. */
const MAX_RUNS = 20;
const TOKEN_TTL_MS = 10 * 60_000;

/**
 * The troubleshooting wizard's runs. A run gathers facts (one pass, with live progress),
 * evaluates each check as soon as its facts are in, and keeps the verdicts with their fixes.
 * A fix is previewed (with a DryRun where AWS has one), confirmed with the preview's token,
 * applied, and then the facts are gathered again and the checks it affects re-run.
 * States of a run: running -> done (or cancelled by dismiss/dispose).
 */
export class DiagnoseService {
  private readonly runs = new Map<string, Run>();
  private readonly now: () => Date;
  private disposed = false;

  constructor(private readonly options: DiagnoseServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Starts a run; resolves once the target is known (the gathering goes on, reported by `onChanged`). */
  async start(input: { target: DiagnoseTarget; sessionId?: string | undefined; rdpSessionId?: string | undefined }): Promise<DiagnosisReport> {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.');
    const connection = input.sessionId ? this.options.failures.ssh(input.sessionId) : input.rdpSessionId ? this.options.failures.rdp(input.rdpSessionId) : undefined;
    if ((input.sessionId || input.rdpSessionId) && !connection) {
      throw new AppError('NOT_FOUND', 'That session is no longer open, so its failure cannot be explained.', { hint: 'Diagnose the host from its menu in Hosts instead.' });
    }
    const subject = await this.resolveSubject(input.target, connection?.failure);
    const id = `d-${randomBytes(8).toString('hex')}`;
    const run: Run = {
      id,
      state: 'running',
      target: {
        label: subject.label,
        ...(subject.hostId ? { hostId: subject.hostId } : {}),
        profileId: subject.profileId,
        region: subject.region,
        instanceId: subject.instanceId,
        ...(subject.platform ? { platform: subject.platform } : {}),
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
        ...(input.rdpSessionId ? { rdpSessionId: input.rdpSessionId } : {}),
      },
      subject,
      failure: connection?.failure,
      steps: GATHER_STEPS.map((s) => ({ id: s.id, label: s.label, status: 'pending' })),
      results: new Map(ALL_CHECKS.map((c) => [c.id, pendingResult(c)])),
      verdicts: new Map(),
      applied: [],
      startedAt: this.now().toISOString(),
      abort: new AbortController(),
      work: Promise.resolve(),
      fixing: false,
      tokens: [],
      revision: 0,
    };
    this.runs.set(id, run);
    this.evict();
    run.work = this.gather(run, undefined);
    return this.report(run);
  }

  get(runId: string): DiagnosisReport {
    return this.report(this.run(runId));
  }

  /** Resolves once the run's current gathering is over (tests and the handlers of fixes). */
  async settled(runId: string): Promise<DiagnosisReport> {
    const run = this.run(runId);
    await run.work;
    return this.report(run);
  }

  dismiss(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.abort.abort(new AppError('CANCELLED', 'The diagnosis was closed.'));
    if (run.state === 'running') run.state = 'cancelled';
    this.runs.delete(runId);
  }

  async previewFix(input: { runId: string; fixId: string; keyPair?: CreateKeyPairOptions | undefined }): Promise<FixPreview> {
    const run = this.run(input.runId);
    const fix = this.fix(run, input.fixId);
    const preview = await previewAction(this.context(run), fix.offer, fix.action, input.keyPair);
    const token: Token = { token: randomBytes(24).toString('hex'), fixId: input.fixId, options: JSON.stringify(input.keyPair ?? null), expiresAt: this.now().getTime() + TOKEN_TTL_MS };
    run.tokens = [...run.tokens.filter((t) => t.expiresAt > this.now().getTime() && t.fixId !== input.fixId), token];
    return { ...preview, confirmToken: token.token };
  }

  /**
   * Applies a fix previewed with exactly these options, then gathers again and re-runs the
   * checks it affects. One fix at a time per run.
   */
  async applyFix(input: { runId: string; fixId: string; confirmToken: string; keyPair?: CreateKeyPairOptions | undefined }): Promise<DiagnosisReport> {
    const run = this.run(input.runId);
    const token = run.tokens.find((t) => t.fixId === input.fixId && sameText(t.token, input.confirmToken));
    if (!token || token.expiresAt <= this.now().getTime() || token.options !== JSON.stringify(input.keyPair ?? null)) {
      throw new AppError('INVALID_INPUT', 'This fix was not confirmed with its current preview.', { hint: 'Open the fix again, read what it will do, and confirm.' });
    }
    if (run.fixing) throw new AppError('INVALID_INPUT', 'Another fix is being applied.', { hint: 'Wait for it to finish.' });
    await run.work;
    const fix = this.fix(run, input.fixId);
    run.tokens = run.tokens.filter((t) => t !== token);
    run.fixing = true;
    try {
      const outcome = await applyAction(this.context(run), fix.action, input.keyPair);
      this.options.log.info('diagnose fix applied', { runId: run.id, kind: fix.action.kind, fixId: fix.offer.fixId });
      run.applied.push({ fixId: fix.offer.fixId, kind: fix.offer.kind, label: fix.offer.label, outcome, at: this.now().toISOString() });
      if (fix.action.kind === 'updateHost' || fix.action.kind === 'useKeyPair') {
        // The host changed: read it again, so the checks see the new user, Region or key.
        run.subject = await this.resolveSubject({ hostId: fix.action.hostId } as DiagnoseTarget, run.failure);
        run.target = { ...run.target, region: run.subject.region };
      }
      run.work = this.gather(run, new Set(fix.offer.rerun));
      await run.work;
      return this.report(run);
    } finally {
      run.fixing = false;
    }
  }

  copyFixText(runId: string, fixId: string): Promise<void> {
    const fix = this.fix(this.run(runId), fixId);
    if (fix.action.kind !== 'copy') throw new AppError('INVALID_INPUT', 'That fix has no text to copy.', { hint: 'Use its own button.' });
    return this.options.desktop.writeClipboard(fix.action.text);
  }

  async copyReport(runId: string): Promise<{ text: string }> {
    const text = reportText(this.report(this.run(runId)), this.options.version ? { version: this.options.version } : {});
    await this.options.desktop.writeClipboard(text);
    return { text };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const runs = [...this.runs.values()];
    for (const run of runs) this.dismiss(run.id);
    await Promise.all(runs.map((r) => r.work.catch(() => undefined)));
  }

  private run(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new AppError('NOT_FOUND', 'That diagnosis is no longer open.', { hint: 'Start it again from the host or the failed tab.' });
    return run;
  }

  private fix(run: Run, fixId: string): ProposedFix {
    for (const v of run.verdicts.values()) {
      const found = v.fixes.find((f) => f.offer.fixId === fixId);
      if (found) return found;
    }
    throw new AppError('NOT_FOUND', 'That fix is no longer offered: the check it belonged to has changed.', { hint: 'Look at the checks again.' });
  }

  private context(run: Run) {
    return { profileId: run.subject.profileId, profileName: run.subject.profileName, region: run.subject.region, aws: this.options.aws, io: this.options.actions, signal: run.abort.signal };
  }

  /** Gathers facts and evaluates checks as their facts arrive; `only`: re-run just these (after a fix). */
  private async gather(run: Run, only: ReadonlySet<string> | undefined): Promise<void> {
    run.state = 'running';
    delete run.finishedAt;
    run.steps = GATHER_STEPS.map((s) => ({ id: s.id, label: s.label, status: 'pending' }));
    for (const id of only ?? []) run.results.set(id as CheckId, pendingResult(ALL_CHECKS.find((c) => c.id === id)!));
    this.publish(run);
    const started = new Map<string, number>();
    const ready = new Set<GatherStep['id']>();
    const evaluate = (facts: DiagnosisFacts): void => {
      const done = evaluateChecks(facts, ready);
      for (const [id, v] of done) {
        if (only && !only.has(id)) continue;
        run.verdicts.set(id as CheckId, v);
        run.results.set(id as CheckId, toCheckResult(v));
      }
    };
    try {
      const facts = await gatherFacts(
        { aws: this.options.aws, app: this.options.app, probes: this.options.probes, now: this.now },
        {
          subject: run.subject,
          ...(run.failure ? { failure: run.failure } : {}),
          signal: run.abort.signal,
          ...(this.options.noProbes ? { noProbes: true } : {}),
          onStep: (id, status, facts) => {
            const step = run.steps.find((s) => s.id === id);
            if (!step) return;
            if (status === 'running') started.set(id, this.now().getTime());
            step.status = status;
            if (status === 'done') {
              step.durationMs = Math.max(0, this.now().getTime() - (started.get(id) ?? this.now().getTime()));
              ready.add(id);
              evaluate(facts);
            }
            this.publish(run);
          },
        },
      );
      if (!run.subject.platform) {
        const platform = platformOf(facts);
        if (platform) run.target = { ...run.target, platform };
      }
      run.state = 'done';
      run.finishedAt = this.now().toISOString();
    } catch (error) {
      if (run.abort.signal.aborted) {
        run.state = 'cancelled';
        return;
      }
      // gatherFacts records every call's failure; anything else is a bug. Say so on each pending check.
      this.options.log.error('diagnose gathering failed', { runId: run.id, error });
      for (const [id, r] of run.results) {
        if (r.status === 'pending') run.results.set(id, { ...r, status: 'skip', summary: 'Could not be checked.', explanation: `Gathering the facts stopped on an internal error: ${error instanceof Error ? error.message : String(error)}` });
      }
      run.state = 'done';
      run.finishedAt = this.now().toISOString();
    }
    this.publish(run);
  }

  private publish(run: Run): void {
    if (!this.runs.has(run.id)) return;
    run.revision += 1;
    this.options.onChanged(this.report(run));
  }

  private report(run: Run): DiagnosisReport {
    return {
      runId: run.id,
      revision: run.revision,
      state: run.state,
      target: run.target,
      ...(run.failure ? { failure: { code: run.failure.code, message: run.failure.message, ...(run.failure.step ? { step: run.failure.step } : {}) } } : {}),
      steps: run.steps.map((s) => ({ ...s })),
      checks: ALL_CHECKS.map((c) => run.results.get(c.id) ?? pendingResult(c)),
      applied: [...run.applied],
      startedAt: run.startedAt,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    };
  }

  private evict(): void {
    if (this.runs.size <= MAX_RUNS) return;
    for (const run of this.runs.values()) {
      if (this.runs.size <= MAX_RUNS) break;
      if (run.state !== 'running') this.runs.delete(run.id);
    }
  }

  /** What is diagnosed, from a saved host or a discovered instance (and the failed session's user). */
  private async resolveSubject(target: DiagnoseTarget, failure: FailureFacts | undefined): Promise<SubjectFacts> {
    if ('hostId' in target) {
      const host = await this.options.app.host(target.hostId);
      return {
        hostId: host.id,
        label: host.label,
        profileId: host.profileId,
        profileName: await this.options.aws.profileName(host.profileId),
        region: host.region,
        instanceId: host.instanceId,
        platform: host.platform,
        osUser: host.osUser,
        port: host.port,
        auth: host.auth,
        ...(host.windowsKey ? { windowsKey: host.windowsKey } : {}),
      };
    }
    const snapshot = await this.options.app.inventory().catch(() => undefined);
    const known = snapshot && findInstance(snapshot.instances, target.profileId, target.region, target.instanceId);
    const platform = known?.platform;
    const osUser = target.osUser ?? failure?.osUser;
    return {
      label: known?.name ?? target.instanceId,
      profileId: target.profileId,
      profileName: await this.options.aws.profileName(target.profileId),
      region: target.region,
      instanceId: target.instanceId,
      ...(platform ? { platform } : {}),
      ...(osUser ? { osUser } : {}),
      port: target.port ?? (platform === 'windows' ? 3389 : 22),
      auth: { method: 'eic' },
    };
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
