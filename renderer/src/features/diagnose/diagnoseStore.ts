import type { DiagnoseTarget, DiagnosisReport } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';

/** What opens the wizard: the target, the failed connection it explains, and how to try again. */
export interface DiagnosisRequest {
  target: DiagnoseTarget;
  /** The failed SSH tab or RDP session being explained. */
  sessionId?: string;
  rdpSessionId?: string;
  /** What the person calls the target, for the title until main says. */
  label: string;
  /** "Try again": reconnects the failed tab, or connects the host again. */
  retry?: () => Promise<void> | void;
}

export interface DiagnosisState {
  request: DiagnosisRequest | undefined;
  report: DiagnosisReport | undefined;
  /** Starting the run failed (no such host, the session closed). */
  error: AppError | undefined;
  starting: boolean;
}

const CLOSED: DiagnosisState = { request: undefined, report: undefined, error: undefined, starting: false };

/**
 * The window's one open diagnosis: starts a run in main, follows its `changed` events (checks
 * light up as their facts arrive), and forgets it when closed (main drops the run too).
 */
export class DiagnoseStore extends ExternalStore<DiagnosisState> {
  private generation = 0;

  constructor() {
    super(CLOSED);
  }

  protected override onStart(): void {
    getApi().diagnose.onChanged((report) => this.accept(report));
  }

  /** Events of a run whose `start` reply has not arrived yet (they can overtake it). */
  private early = new Map<string, DiagnosisReport>();

  /** A report from main (event or reply): only the open run's, never an older one over a newer. */
  accept(report: DiagnosisReport): void {
    const current = this.state.report;
    if (!current) {
      if (this.state.starting) {
        const seen = this.early.get(report.runId);
        if (!seen || seen.revision < report.revision) this.early.set(report.runId, report);
      }
      return;
    }
    if (current.runId !== report.runId || current.revision >= report.revision) return;
    this.update({ report });
  }

  /** Opens the wizard and starts a run (closing any other). */
  async open(request: DiagnosisRequest): Promise<void> {
    this.start();
    this.dismissCurrent();
    const generation = ++this.generation;
    this.early.clear();
    this.update({ request, report: undefined, error: undefined, starting: true });
    try {
      const report = await getApi().diagnose.start({
        target: request.target,
        ...(request.sessionId ? { sessionId: request.sessionId } : {}),
        ...(request.rdpSessionId ? { rdpSessionId: request.rdpSessionId } : {}),
      });
      if (generation !== this.generation) {
        void getApi().diagnose.dismiss({ runId: report.runId }).catch(() => undefined);
        return;
      }
      // Events may have overtaken the reply: keep whichever is further along.
      const early = this.early.get(report.runId);
      this.early.clear();
      this.update({ report: early && early.revision > report.revision ? early : report, starting: false });
    } catch (error) {
      if (generation === this.generation) this.update({ error: toAppError(error), starting: false });
    }
  }

  /** Runs the same diagnosis again from the start. */
  rerun(): Promise<void> {
    const request = this.state.request;
    return request ? this.open(request) : Promise.resolve();
  }

  /** Takes the report a fix resolved with (the re-run checks). */
  applied(report: DiagnosisReport): void {
    this.accept(report);
  }

  close(): void {
    this.generation += 1;
    this.dismissCurrent();
    this.replace(CLOSED);
  }

  private dismissCurrent(): void {
    const runId = this.state.report?.runId;
    if (runId) void getApi().diagnose.dismiss({ runId }).catch(() => undefined);
  }
}

export const diagnoseStore = new DiagnoseStore();

export function useDiagnosis(): DiagnosisState {
  return useStore(diagnoseStore);
}

/** Opens the troubleshooting wizard (from a failed tab, or a host's menu). */
export function openDiagnosis(request: DiagnosisRequest): void {
  void diagnoseStore.open(request);
}
