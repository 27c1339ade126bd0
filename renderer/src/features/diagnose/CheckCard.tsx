import { useState, type ReactElement } from 'react';
import type { CheckResult, DiagnosisReport, FixOffer } from '../../../../preload/contract';
import { getApi } from '../../api';
import { StatusMark, type MarkState } from '../../components/StatusMark';
import { FixPanel } from './FixPanel';

const STATUS_WORDS: Record<CheckResult['status'], string> = { fail: 'Problem', warn: 'Warning', pass: 'OK', skip: 'Skipped', pending: 'Checking' };

/** A check still pending is being checked: it spins. */
const MARK: Record<CheckResult['status'], MarkState> = { fail: 'failed', warn: 'warn', pass: 'done', skip: 'skipped', pending: 'running' };

export interface CheckCardProps {
  runId: string;
  check: CheckResult;
  /** The fix whose panel is open (one at a time in the whole report). */
  openFix: string | undefined;
  onOpenFix: (fixId: string | undefined) => void;
  onApplied: (report: DiagnosisReport) => void;
  /** A window-side fix that leaves the wizard (the endpoint setup wizard). */
  onLeave: (fix: FixOffer) => void;
}

/**
 * One check: its verdict and summary; failures and warnings open with their explanation,
 * evidence and fixes; passed and skipped ones fold them away.
 */
export function CheckCard({ runId, check, openFix, onOpenFix, onApplied, onLeave }: CheckCardProps): ReactElement {
  const [copied, setCopied] = useState<string>();
  const important = check.status === 'fail' || check.status === 'warn';
  const paragraphs = check.explanation.split(/\n\n+/).filter((p) => p.trim());

  const copy = async (fix: FixOffer): Promise<void> => {
    await getApi().diagnose.copyFixText({ runId, fixId: fix.fixId });
    setCopied(fix.fixId);
  };
  const onFix = (fix: FixOffer): void => {
    if (fix.kind === 'copy') void copy(fix).catch(() => setCopied(undefined));
    else if (fix.kind === 'openEndpoints') onLeave(fix);
    else onOpenFix(openFix === fix.fixId ? undefined : fix.fixId);
  };

  return (
    <li className={`check-card check-card--${check.status}`} data-check={check.id} data-status={check.status}>
      <details open={important} className="check-card__details">
        <summary className="check-card__summary">
          <StatusMark state={MARK[check.status]} />
          <span className="check-card__title">{check.title}</span>
          <span className={`check-card__status check-card__status--${check.status}`}>{STATUS_WORDS[check.status]}</span>
          <span className="check-card__line">{check.summary}</span>
        </summary>
        <div className="check-card__body">
          {paragraphs.map((p, i) => (
            <p key={i} className="check-card__text">
              {p}
            </p>
          ))}
          {check.fixes
            .filter((f) => f.kind === 'copy' && f.text)
            .map((f) => (
              <pre key={f.fixId} className="code-block" aria-label={f.label}>
                {f.text}
              </pre>
            ))}
          {check.evidence.length > 0 ? (
            <dl className="check-card__evidence">
              {check.evidence.map((e, i) => (
                <div key={`${e.label}-${i}`} className="check-card__fact">
                  <dt>{e.label}</dt>
                  <dd>{e.value}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {check.fixes.length > 0 ? (
            <div className="card__actions">
              {check.fixes.map((f, i) => (
                <button
                  key={f.fixId}
                  type="button"
                  className={`btn${i === 0 && f.kind !== 'copy' ? ' btn--primary' : ''}`}
                  aria-expanded={f.kind === 'copy' || f.kind === 'openEndpoints' ? undefined : openFix === f.fixId}
                  onClick={() => onFix(f)}
                >
                  {f.kind === 'copy' && copied === f.fixId ? 'Copied' : f.label}
                </button>
              ))}
            </div>
          ) : null}
          {check.fixes
            .filter((f) => f.fixId === openFix)
            .map((f) => (
              <FixPanel key={f.fixId} runId={runId} fix={f} onApplied={onApplied} onCancel={() => onOpenFix(undefined)} />
            ))}
        </div>
      </details>
    </li>
  );
}
