import { useId, type ReactElement } from 'react';
import type { Profile } from '../../../../preload/contract';
import { AWS_REGIONS } from '../profiles/regions';

/** Profile and Region selects. A Region outside the known list (a new one) still shows. */
export function ScopePicker({ profiles, profileId, region, onChange }: { profiles: readonly Profile[]; profileId: string; region: string; onChange: (scope: { profileId: string; region: string }) => void }): ReactElement {
  const profileField = useId();
  const regionField = useId();
  const regions = AWS_REGIONS.some((r) => r.code === region) ? AWS_REGIONS : [{ code: region, name: region }, ...AWS_REGIONS];
  return (
    <div className="ep-scope">
      <label htmlFor={profileField}>Profile</label>
      <select
        id={profileField}
        value={profileId}
        onChange={(e) => {
          const next = profiles.find((p) => p.id === e.target.value);
          onChange({ profileId: e.target.value, region: next?.region ?? region });
        }}
      >
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor={regionField}>Region</label>
      <select id={regionField} value={region} onChange={(e) => onChange({ profileId, region: e.target.value })}>
        {regions.map((r) => (
          <option key={r.code} value={r.code}>
            {r.code} · {r.name}
          </option>
        ))}
      </select>
    </div>
  );
}
