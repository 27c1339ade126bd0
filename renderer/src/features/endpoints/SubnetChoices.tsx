import type { ReactElement } from 'react';
import type { SubnetChoice } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';

export interface SubnetChoicesProps {
  /** The radio group's name. */
  name: string;
  subnets: readonly SubnetChoice[];
  selected: string | undefined;
  recommended?: { subnetId: string; reason: string } | undefined;
  onSelect: (subnetId: string) => void;
}

/** Subnets as radio cards: AZ and its health, public or private, free addresses, instances nearby; taken or full ones say why not. */
export function SubnetChoices({ name, subnets, selected, recommended, onSelect }: SubnetChoicesProps): ReactElement {
  return (
    <div className="ep-options" role="radiogroup" aria-label="Subnets">
      {subnets.map((s) => {
        const isRecommended = recommended?.subnetId === s.subnetId;
        const azTrouble = s.availabilityZoneState === 'impaired' || s.availabilityZoneState === 'unavailable';
        return (
          <label key={s.subnetId} className={`ep-option${selected === s.subnetId ? ' is-selected' : ''}${s.usable ? '' : ' is-disabled'}`} data-subnet-id={s.subnetId}>
            <input type="radio" name={name} value={s.subnetId} checked={selected === s.subnetId} disabled={!s.usable} onChange={() => onSelect(s.subnetId)} />
            <span className="ep-option__body">
              <span className="ep-option__title">
                <strong>{s.name ?? s.subnetId}</strong>
                {s.name ? <span className="mono muted">{s.subnetId}</span> : null}
                {isRecommended ? <span className="badge badge--ready">recommended</span> : null}
              </span>
              <span className="ep-option__meta">
                <span>
                  {s.availabilityZone}
                  {azTrouble ? <span className="badge badge--failed">{s.availabilityZoneState}</span> : null}
                </span>
                <span className="mono">{s.cidr}</span>
                <span className={`badge badge--routing-${s.routing}`} title={s.routingExplanation}>
                  {s.routing}
                </span>
                {s.availableIps !== undefined ? <span>{s.availableIps} free addresses</span> : null}
                <span>
                  {s.instanceCount} instance{s.instanceCount === 1 ? '' : 's'} here, {s.zoneInstanceCount} in {s.availabilityZone}
                </span>
              </span>
              {s.whyNot ? (
                <span className="ep-option__why">
                  <Icon name="warning" size={13} /> {s.whyNot}
                </span>
              ) : azTrouble && s.availabilityZoneMessage ? (
                <span className="ep-option__why">
                  <Icon name="warning" size={13} /> AWS: {s.availabilityZoneMessage}
                </span>
              ) : null}
            </span>
          </label>
        );
      })}
      {recommended ? (
        <p className="ep-recommendation">
          <Icon name="info" size={14} /> <strong>Why {recommended.subnetId}:</strong> {recommended.reason}
        </p>
      ) : null}
    </div>
  );
}
