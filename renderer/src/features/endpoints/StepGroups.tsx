import type { ReactElement } from 'react';
import type { GroupChoice, GroupOptions } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';

export type GroupSelection = { mode: 'create' } | { mode: 'existing'; groupIds: string[] };

const CHECK_MARK = { allowed: '✓', uncertain: '?', denied: '✕' } as const;

/** Which of 22 and 3389 the chosen groups let out to the VPC (one allowing is enough). */
export function egressOf(groups: readonly GroupChoice[]): { port: number; ok: boolean }[] {
  return [22, 3389].map((port) => ({ port, ok: groups.some((g) => g.egressChecks.some((c) => c.port === port && c.verdict === 'allowed')) }));
}

/** Step 3: a dedicated group (egress 22 and 3389 into the VPC, no inbound), or existing groups with their egress rules shown and checked. */
export function StepGroups({ options, loading, error, onRetry, selection, onChange }: { options: GroupOptions | undefined; loading: boolean; error: AppError | undefined; onRetry: () => void; selection: GroupSelection; onChange: (s: GroupSelection) => void }): ReactElement {
  const chosen = selection.mode === 'existing' ? (options?.groups ?? []).filter((g) => selection.groupIds.includes(g.groupId)) : [];
  const egress = egressOf(chosen);
  const toggle = (groupId: string, on: boolean): void => {
    const current = selection.mode === 'existing' ? selection.groupIds : [];
    onChange({ mode: 'existing', groupIds: on ? [...current, groupId] : current.filter((g) => g !== groupId) });
  };
  return (
    <div className="ep-step" data-step="groups">
      <p className="ep-step__lead">
        The endpoint’s security group decides where it may connect: it needs outbound TCP 22 (SSH) and 3389 (RDP) to your instances. Its inbound rules do not matter. Your instances, in
        turn, must let those ports in from this group (the last step adds that rule).
      </p>
      {error ? <ErrorNotice error={error} onRetry={onRetry} /> : null}
      {loading && !options ? <p className="muted">Reading the VPC’s security groups…</p> : null}
      {options ? (
        <div className="ep-options" role="radiogroup" aria-label="Security group">
          <label className={`ep-option${selection.mode === 'create' ? ' is-selected' : ''}`} data-choice="dedicated">
            <input type="radio" name="wizard-groups" checked={selection.mode === 'create'} onChange={() => onChange({ mode: 'create' })} />
            <span className="ep-option__body">
              <span className="ep-option__title">
                <strong>{options.dedicatedExisting ? `Reuse ${options.dedicatedName}` : `Create ${options.dedicatedName}`}</strong>
                <span className="badge badge--ready">recommended</span>
              </span>
              <span className="ep-option__text">
                {options.dedicatedExisting
                  ? `An earlier setup made it (${options.dedicatedExisting}); any outbound rule it lacks is added.`
                  : 'A group only for the endpoint, tagged CreatedBy=Bastionless. Outbound:'}
              </span>
              <ul className="ep-rules">
                {options.dedicatedEgress.map((r) => (
                  <li key={r}>{r}</li>
                ))}
                <li className="muted">No inbound rules</li>
              </ul>
            </span>
          </label>
          <label className={`ep-option${selection.mode === 'existing' ? ' is-selected' : ''}`} data-choice="existing">
            <input type="radio" name="wizard-groups" checked={selection.mode === 'existing'} onChange={() => onChange({ mode: 'existing', groupIds: selection.mode === 'existing' ? selection.groupIds : [] })} />
            <span className="ep-option__body">
              <span className="ep-option__title">
                <strong>Use existing groups</strong>
              </span>
              <span className="ep-option__text">Their outbound rules are used as they are; each is checked for TCP 22 and 3389 into {options.vpcCidr}.</span>
            </span>
          </label>
          {selection.mode === 'existing' ? (
            <div className="ep-groups" aria-label="Groups of the VPC">
              {options.groups.map((g) => (
                <label key={g.groupId} className={`ep-group${selection.groupIds.includes(g.groupId) ? ' is-selected' : ''}`} data-group-id={g.groupId}>
                  <input type="checkbox" checked={selection.groupIds.includes(g.groupId)} onChange={(e) => toggle(g.groupId, e.target.checked)} />
                  <span className="ep-option__body">
                    <span className="ep-option__title">
                      <strong>{g.name}</strong>
                      <span className="mono muted">{g.groupId}</span>
                      {g.createdByBastionless ? <span className="badge">made by Bastionless</span> : null}
                    </span>
                    <span className="ep-option__text muted">{g.description}</span>
                    <span className="ep-checks">
                      {g.egressChecks.map((c) => (
                        <span key={c.port} className={`ep-check ep-check--${c.verdict}`} title={c.by ?? 'No outbound rule allows it'}>
                          {CHECK_MARK[c.verdict]} TCP {c.port} out
                        </span>
                      ))}
                    </span>
                    <ul className="ep-rules">
                      {g.egress.length === 0 ? <li className="muted">No outbound rules</li> : g.egress.map((r) => <li key={r}>{r}</li>)}
                    </ul>
                  </span>
                </label>
              ))}
              {chosen.length > 0 && egress.some((e) => !e.ok) ? (
                <p className="inline-notice" data-testid="egress-warning">
                  <Icon name="warning" size={14} /> The chosen groups do not let TCP {egress.filter((e) => !e.ok).map((e) => e.port).join(' or ')} out to the VPC: connections on{' '}
                  {egress.filter((e) => !e.ok).length === 1 ? 'that port' : 'those ports'} will fail.
                </p>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
