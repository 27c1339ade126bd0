import { useEffect, useState, type ReactElement } from 'react';
import type { CheckResult, DiagnosisReport, FixOffer } from '../../../../preload/contract';
import { getApi } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { Steps } from '../../components/Steps';
import { openEndpointSetup } from '../endpoints/endpointsStore';
import { registerDiagnoseHandler } from '../terminals/diagnoseHook';
import { CheckCard } from './CheckCard';
import { diagnoseStore, useDiagnosis } from './diagnoseStore';
import { requestFromSession } from './requests';

const ORDER: Record<CheckResult['status'], number> = { fail: 0, warn: 1, pending: 2, pass: 3, skip: 4 };

/** Failures first, then warnings, what is still being checked, passes, skipped; ties keep the checks' order. */
export function sortChecks(checks: readonly CheckResult[]): CheckResult[] {
  return checks.map((c, i) => ({ c, i })).sort((a, b) => ORDER[a.c.status] - ORDER[b.c.status] || a.i - b.i).map((x) => x.c);
}

function Progress({ report }: { report: DiagnosisReport }): ReactElement {
  const steps = report.steps.map((s) => ({
    id: s.id,
    label: s.label,
    status: s.status,
    mark: s.status === 'done' ? ('done' as const) : s.status === 'running' ? ('running' as const) : ('pending' as const),
    time: s.durationMs === undefined ? undefined : s.durationMs < 1000 ? `${s.durationMs} ms` : `${(s.durationMs / 1000).toFixed(1)} s`,
  }));
  return <Steps steps={steps} label="Gathering facts" className="diagnosis__steps" />;
}

function Verdict({ report }: { report: DiagnosisReport }): ReactElement {
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  if (report.state === 'running') {
    const done = report.checks.filter((c) => c.status !== 'pending').length;
    return (
      <p className="diagnosis__verdict" role="status">
        Checking… {done} of {report.checks.length} checks done{fails > 0 ? `, ${fails} problem${fails === 1 ? '' : 's'} so far` : ''}.
      </p>
    );
  }
  return (
    <p className={`diagnosis__verdict diagnosis__verdict--${fails > 0 ? 'fail' : warns > 0 ? 'warn' : 'pass'}`} role="status">
      <Icon name={fails > 0 ? 'error' : warns > 0 ? 'warning' : 'shield'} size={16} />
      {fails > 0
        ? `${fails} problem${fails === 1 ? '' : 's'} found${warns > 0 ? `, ${warns} warning${warns === 1 ? '' : 's'}` : ''}.`
        : warns > 0
          ? `No problem found; ${warns} thing${warns === 1 ? '' : 's'} worth a look.`
          : 'No problem found: every check passed.'}
    </p>
  );
}

/**
 * The troubleshooting wizard: opened from a failed tab ("Diagnose") or a host's menu. Gathering
 * progress and the checks update live; failures come first, each with its explanation, evidence
 * and fixes. After a fix, "Try again" reconnects. "Copy report" copies it as text for a ticket.
 */
export function DiagnoseDialog(): ReactElement | null {
  const { request, report, error, starting } = useDiagnosis();
  // Both belong to one run: a new run (Check again) starts with no fix open and nothing copied.
  const [openFixOf, setOpenFixOf] = useState<{ runId: string; fixId: string }>();
  const [copiedRun, setCopiedRun] = useState<string>();
  const [retrying, setRetrying] = useState(false);

  // From now on a failed terminal tab offers "Diagnose".
  useEffect(() => registerDiagnoseHandler((req) => diagnoseStore.open(requestFromSession(req))), []);
  const openFix = openFixOf && openFixOf.runId === report?.runId ? openFixOf.fixId : undefined;
  const setOpenFix = (fixId: string | undefined): void => setOpenFixOf(fixId && report ? { runId: report.runId, fixId } : undefined);
  const copied = !!report && copiedRun === report.runId;

  if (!request) return null;
  const title = `Diagnose ${report?.target.label ?? request.label}`;
  const close = (): void => diagnoseStore.close();
  const onApplied = (next: DiagnosisReport): void => {
    setOpenFix(undefined);
    diagnoseStore.applied(next);
  };
  const onLeave = (fix: FixOffer): void => {
    if (fix.endpoints) openEndpointSetup({ profileId: fix.endpoints.profileId, region: fix.endpoints.region, vpcId: fix.endpoints.vpcId });
    close();
  };
  const copyReport = async (): Promise<void> => {
    if (!report) return;
    await getApi().diagnose.copyReport({ runId: report.runId });
    setCopiedRun(report.runId);
  };
  const retry = async (): Promise<void> => {
    if (!request.retry) return;
    setRetrying(true);
    try {
      await request.retry();
      close();
    } finally {
      setRetrying(false);
    }
  };
  const fixed = (report?.applied.length ?? 0) > 0;

  return (
    <Dialog
      wide
      title={title}
      description={
        report
          ? `${report.target.instanceId} · ${report.target.region}${report.failure ? ` · explaining ${report.failure.code}` : ''}`
          : 'Starting…'
      }
      onClose={close}
    >
      <div className="diagnosis" data-testid="diagnosis" data-state={report?.state ?? (starting ? 'starting' : 'error')}>
        {error ? <ErrorNotice error={error} onRetry={() => void diagnoseStore.rerun()} /> : null}
        {report?.failure ? (
          <p className="diagnosis__failure">
            <Icon name="error" size={15} /> <span>{report.failure.message}</span>
          </p>
        ) : null}
        {report ? <Verdict report={report} /> : null}
        {report?.state === 'running' ? <Progress report={report} /> : null}
        {report && report.applied.length > 0 ? (
          <ul className="icon-list diagnosis__applied" aria-label="Fixes applied">
            {report.applied.map((a) => (
              <li key={`${a.fixId}-${a.at}`}>
                <Icon name="shield" size={14} /> {a.outcome}
              </li>
            ))}
          </ul>
        ) : null}
        {report ? (
          <ol className="diagnosis__checks" aria-label="Checks">
            {sortChecks(report.checks).map((c) => (
              <CheckCard key={c.id} runId={report.runId} check={c} openFix={openFix} onOpenFix={setOpenFix} onApplied={onApplied} onLeave={onLeave} />
            ))}
          </ol>
        ) : null}
        <footer className="card__actions diagnosis__footer">
          {request.retry ? (
            <button type="button" className={`btn${fixed ? ' btn--primary' : ''}`} disabled={retrying || report?.state === 'running'} onClick={() => void retry()}>
              <Icon name="refresh" size={14} /> {retrying ? 'Connecting…' : 'Try again'}
            </button>
          ) : null}
          <button type="button" className="btn" disabled={!report || report.state === 'running'} onClick={() => void diagnoseStore.rerun()}>
            Check again
          </button>
          <button type="button" className="btn btn--ghost" disabled={!report} onClick={() => void copyReport().catch(() => setCopiedRun(undefined))}>
            <Icon name="copy" size={14} /> {copied ? 'Report copied' : 'Copy report'}
          </button>
          <span className="diagnosis__spacer" />
          <button type="button" className="btn btn--ghost" onClick={close}>
            Close
          </button>
        </footer>
      </div>
    </Dialog>
  );
}
