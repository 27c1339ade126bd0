import type { ReactElement } from 'react';
import type { InventoryScope } from '../../../../preload/contract';
import { AppError } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { plural } from './format';

/** Where a scan is: Regions done, running and failed, with each failure's message and hint. */
export function ScanStatus({ scopes, scanning }: { scopes: readonly InventoryScope[]; scanning: boolean }): ReactElement | null {
  if (scopes.length === 0) return null;
  const finished = scopes.filter((s) => s.state === 'done' || s.state === 'failed').length;
  const failed = scopes.filter((s) => s.state === 'failed');
  const warned = scopes.filter((s) => s.state === 'done' && s.warning);
  return (
    <section className="scan-status" aria-label="Scan progress">
      <p className="scan-status__summary" aria-live="polite">
        {scanning ? <span className="spinner" aria-hidden="true" /> : <Icon name={failed.length > 0 ? 'warning' : 'check'} size={15} />}
        {scanning ? `Scanning: ${finished} of ${plural(scopes.length, 'Region')} done` : `Scanned ${plural(scopes.length, 'Region')}`}
        {failed.length > 0 ? `, ${failed.length} failed` : ''}
      </p>
      <ul className="scan-status__scopes">
        {scopes.map((s) => (
          <li key={`${s.profileId}/${s.region}`} className={`scope scope--${s.state}`} title={s.error ? `${s.error.message} ${s.error.hint}` : undefined}>
            {s.state === 'loading' ? <span className="spinner" aria-hidden="true" /> : null}
            <span className="scope__region">{s.region === '*' ? 'Region list' : s.region}</span>
            <span className="scope__profile">{s.profileName}</span>
            <span className="scope__count">{s.state === 'done' ? plural(s.instanceCount, 'instance') : s.state === 'failed' ? 'failed' : s.state === 'queued' ? 'waiting' : 'scanning'}</span>
          </li>
        ))}
      </ul>
      {groupFailures(failed).map((g) => (
        <div key={g.key} className="scan-status__error" data-regions={g.regions.join(' ')}>
          <ErrorNotice error={AppError.fromJSON(g.error)} />
          {g.regions.length > 1 ? <p className="muted scan-status__also">The same happened in {g.regions.slice(1).join(', ')}.</p> : null}
        </div>
      ))}
      {warned.map((s) =>
        s.warning ? (
          <p key={`${s.profileId}/${s.region}/warning`} className="inline-notice">
            <Icon name="warning" size={15} /> {s.region}: {s.warning.message} {s.warning.hint}
          </p>
        ) : null,
      )}
    </section>
  );
}

/** One notice per profile and error code: an account without opt-in Regions fails the same way in each. */
function groupFailures(failed: readonly InventoryScope[]): { key: string; error: NonNullable<InventoryScope['error']>; regions: string[] }[] {
  const groups = new Map<string, { key: string; error: NonNullable<InventoryScope['error']>; regions: string[] }>();
  for (const s of failed) {
    if (!s.error) continue;
    const key = `${s.profileId}/${s.error.code}`;
    const group = groups.get(key) ?? { key, error: s.error, regions: [] };
    group.regions.push(s.region === '*' ? 'the Region list' : s.region);
    groups.set(key, group);
  }
  return [...groups.values()];
}
