import { useState, type ReactElement } from 'react';
import type { PathPlan, RuleOutcome } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { useAsync } from '../../api/useAsync';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { useAction } from '../../hooks/useAction';

const STATUS_WORDS: Record<PathPlan['instances'][number]['status'], string> = {
  open: 'reachable',
  needsRule: 'needs a rule',
  uncertain: 'partly covered',
  unknown: 'groups unreadable',
};

const ruleKey = (r: { groupId: string; port: number }): string => `${r.groupId}:${r.port}`;

/**
 * Step 7, "open the path": the VPC's instances and whether the endpoint can reach their SSH or
 * RDP port, then each missing inbound rule (source = the endpoint's group) shown before it is
 * added, all added with one click.
 */
export function OpenPathPanel({ scope, endpointId, onDone }: { scope: { profileId: string; region: string }; endpointId: string; onDone: () => void }): ReactElement {
  const loaded = useAsync(() => getApi().endpoints.pathPlan({ ...scope, endpointId }), [scope.profileId, scope.region, endpointId]);
  const [updated, setPlan] = useState<PathPlan | undefined>();
  const plan = updated ?? loaded.data;
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const [results, setResults] = useState<RuleOutcome[] | undefined>();
  const { busy, error, run } = useAction();
  const chosen = (plan?.rules ?? []).filter((r) => !unchecked.has(ruleKey(r)));
  const add = (): Promise<boolean> =>
    run(async () => {
      const out = await getApi().endpoints.addRules({ ...scope, endpointId, rules: chosen.map((r) => ({ groupId: r.groupId, port: r.port })) });
      setResults(out.results);
      setPlan(out.plan);
    });

  return (
    <div className="ep-step" data-step="open-path" data-testid="open-path">
      <p className="ep-step__lead">
        The endpoint can only reach an instance if the instance’s security group lets TCP 22 (Linux) or 3389 (Windows) in from the endpoint. The best rule names the endpoint’s group as
        the source: it works whether or not the client IP is preserved, and opens the port to nothing else.
      </p>
      {loaded.error ? <ErrorNotice error={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.loading && !plan ? <p className="muted">Reading the VPC’s instances and their security groups…</p> : null}
      {plan ? (
        <>
          <DataTable label="Instances of the VPC" columns={['Instance', 'Port', 'Security groups', 'From the endpoint']}>
            {plan.instances.length === 0 ? (
              <tr>
                <td colSpan={4} className="muted">
                  The VPC has no instances yet.
                </td>
              </tr>
            ) : null}
            {plan.instances.map((i) => (
              <tr key={i.instanceId} data-instance-id={i.instanceId} data-status={i.status}>
                <th scope="row">
                  {i.name ?? <span className="muted">(no Name tag)</span>}
                  <div className="mono muted">
                    {i.instanceId} · {i.privateIp ?? '—'} · {i.state}
                  </div>
                </th>
                <td>
                  {i.port} <span className="muted">{i.platform === 'windows' ? 'RDP' : 'SSH'}</span>
                </td>
                <td>
                  {i.securityGroups.map((g) => (
                    <div key={g.id}>
                      <span className="mono">{g.id}</span> <span className="muted">{g.name ?? ''}</span>
                    </div>
                  ))}
                </td>
                <td>
                  <span className={`ep-check ep-check--${i.status === 'open' ? 'allowed' : i.status === 'needsRule' ? 'denied' : 'uncertain'}`}>{STATUS_WORDS[i.status]}</span>
                  {i.allowedBy ? <div className="muted">{i.allowedBy}</div> : null}
                  {i.egressBlocked ? (
                    <div className="inline-notice">
                      <Icon name="warning" size={13} /> The endpoint’s own group does not let {i.port} out to it.
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
          {plan.rules.length > 0 ? (
            <section className="ep-proposed" aria-label="Rules to add">
              <h3>
                {plan.rules.length === 1 ? 'One inbound rule opens' : `${plan.rules.length} inbound rules open`} the rest
              </h3>
              {plan.rules.map((r) => (
                <label key={ruleKey(r)} className={`ep-option${unchecked.has(ruleKey(r)) ? '' : ' is-selected'}`} data-rule={ruleKey(r)}>
                  <input
                    type="checkbox"
                    checked={!unchecked.has(ruleKey(r))}
                    onChange={(e) => {
                      const next = new Set(unchecked);
                      if (e.target.checked) next.delete(ruleKey(r));
                      else next.add(ruleKey(r));
                      setUnchecked(next);
                    }}
                  />
                  <span className="ep-option__body">
                    <span className="ep-option__title">
                      <strong>
                        Add to <span className="mono">{r.groupId}</span>
                        {r.groupName ? ` (${r.groupName})` : ''}: inbound {r.text}
                      </strong>
                    </span>
                    <span className="ep-option__text">
                      Opens {r.instanceIds.map((id) => plan.instances.find((i) => i.instanceId === id)?.name ?? id).join(', ')}.
                    </span>
                    <pre className="code-block">{r.request}</pre>
                  </span>
                </label>
              ))}
            </section>
          ) : (
            <p className="banner banner--ok" data-testid="path-open">
              <Icon name="check" /> {plan.instances.some((i) => i.status === 'unknown') ? 'Every instance whose groups could be read is reachable from the endpoint.' : 'Every instance of the VPC is reachable from the endpoint.'}
            </p>
          )}
          {results ? (
            <ul className="icon-list" aria-label="Rules added" data-testid="rule-results">
              {results.map((r) => (
                <li key={ruleKey(r)} data-outcome={r.outcome}>
                  {r.outcome === 'failed' && r.error ? (
                    <ErrorNotice error={AppError.fromJSON(r.error)} />
                  ) : (
                    <>
                      <Icon name="check" size={14} /> TCP {r.port} on <span className="mono">{r.groupId}</span>: {r.outcome === 'added' ? 'added' : 'was already there'}
                    </>
                  )}
                </li>
              ))}
            </ul>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          <div className="card__actions">
            {plan.rules.length > 0 ? (
              <button type="button" className="btn btn--primary" disabled={busy || chosen.length === 0} onClick={() => void add()}>
                {busy ? 'Adding…' : chosen.length === 1 ? 'Add this rule' : `Add these ${chosen.length} rules`}
              </button>
            ) : null}
            <button type="button" className="btn" onClick={onDone}>
              {plan.rules.length > 0 ? 'Skip' : 'Done'}
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
