import { useState, type ReactElement } from 'react';
import type { Profile, RefreshInventoryInput } from '../../../../preload/contract';
import { Field } from '../../components/Field';

const STORAGE_KEY = 'bastionless.scanScope';
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The profiles and Regions a scan covers; absent fields mean main's defaults. Remembered in this window. */
export function loadScanScope(): RefreshInventoryInput {
  try {
    const raw = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as RefreshInventoryInput;
    return {
      ...(Array.isArray(raw.profileIds) && raw.profileIds.length > 0 ? { profileIds: raw.profileIds.filter((p) => typeof p === 'string') } : {}),
      ...(Array.isArray(raw.regions) && raw.regions.length > 0 ? { regions: raw.regions.filter((r) => typeof r === 'string' && REGION.test(r)) } : {}),
    };
  } catch {
    return {};
  }
}

function saveScanScope(scope: RefreshInventoryInput): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(scope));
  } catch {
    // Storage full or off: the choice lasts for this session only.
  }
}

/** Drops profiles that no longer exist, so a scan never asks for a removed one. */
export function effectiveScope(scope: RefreshInventoryInput, profiles: readonly Profile[]): RefreshInventoryInput {
  const ids = scope.profileIds?.filter((id) => profiles.some((p) => p.id === id));
  return { ...(ids && ids.length > 0 ? { profileIds: ids } : {}), ...(scope.regions ? { regions: scope.regions } : {}) };
}

/** Which profiles and Regions a scan covers. */
export function ScanSettings({ profiles, scope, onChange }: { profiles: readonly Profile[]; scope: RefreshInventoryInput; onChange: (scope: RefreshInventoryInput) => void }): ReactElement {
  const [regionsText, setRegionsText] = useState((scope.regions ?? []).join(', '));
  const chosen = new Set(scope.profileIds ?? []);
  const update = (next: RefreshInventoryInput): void => {
    saveScanScope(next);
    onChange(next);
  };
  const toggle = (id: string, on: boolean): void => {
    const ids = new Set(chosen);
    if (on) ids.add(id);
    else ids.delete(id);
    const { profileIds: _old, ...rest } = scope;
    update(ids.size > 0 ? { ...rest, profileIds: [...ids] } : rest);
  };
  const parsedRegions = regionsText
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  const badRegion = parsedRegions.find((r) => !REGION.test(r));
  return (
    <details className="scan-settings">
      <summary>
        Scan covers {scope.profileIds ? `${scope.profileIds.length} chosen profile${scope.profileIds.length === 1 ? '' : 's'}` : 'the default profiles'},{' '}
        {scope.regions ? scope.regions.join(', ') : 'every enabled Region'}
      </summary>
      <div className="scan-settings__body">
        <fieldset className="fieldset">
          <legend>Profiles</legend>
          <p className="muted">None ticked: the default profile and every profile that needs no MFA code or sign-in.</p>
          {profiles.map((p) => (
            <label key={p.id} className="checkbox">
              <input type="checkbox" checked={chosen.has(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
              {p.name}
            </label>
          ))}
        </fieldset>
        <Field label="Regions (empty: every Region enabled for the account)">
          {(id) => (
            <>
              <input
                id={id}
                type="text"
                className="mono"
                value={regionsText}
                placeholder="eu-west-1, us-east-1"
                onChange={(e) => setRegionsText(e.target.value)}
                onBlur={() => {
                  if (badRegion) return;
                  const { regions: _old, ...rest } = scope;
                  update(parsedRegions.length > 0 ? { ...rest, regions: parsedRegions } : rest);
                }}
                aria-invalid={badRegion ? true : undefined}
              />
              {badRegion ? <p className="inline-notice">“{badRegion}” is not a Region name (like eu-west-1).</p> : null}
            </>
          )}
        </Field>
      </div>
    </details>
  );
}
