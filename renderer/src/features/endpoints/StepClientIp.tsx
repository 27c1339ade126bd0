import type { ReactElement } from 'react';

/** Step 4: PreserveClientIp, off by default, with what each choice means. */
export function StepClientIp({ preserve, onChange }: { preserve: boolean; onChange: (on: boolean) => void }): ReactElement {
  return (
    <div className="ep-step" data-step="client-ip">
      <p className="ep-step__lead">Which address your instances see a connection come from. You can change it later with the AWS console or CLI.</p>
      <div className="ep-options" role="radiogroup" aria-label="Client IP">
        <label className={`ep-option${!preserve ? ' is-selected' : ''}`} data-choice="off">
          <input type="radio" name="wizard-client-ip" checked={!preserve} onChange={() => onChange(false)} />
          <span className="ep-option__body">
            <span className="ep-option__title">
              <strong>The endpoint’s private address</strong>
              <span className="badge badge--ready">recommended</span>
            </span>
            <span className="ep-option__text">
              PreserveClientIp off. Works for every instance the endpoint can route to. Instances must let the port in from the endpoint’s security group (or the VPC’s range), which
              the last step sets up.
            </span>
          </span>
        </label>
        <label className={`ep-option${preserve ? ' is-selected' : ''}`} data-choice="on">
          <input type="radio" name="wizard-client-ip" checked={preserve} onChange={() => onChange(true)} />
          <span className="ep-option__body">
            <span className="ep-option__title">
              <strong>Your own public IPv4 address</strong>
            </span>
            <span className="ep-option__text">
              PreserveClientIp on: instance logs show who connected from where. Constraints: only instances in the endpoint’s own VPC, not through a transit gateway or peering, and not
              for IPv6 or dual-stack endpoints. Instances must let your public address in, or the endpoint’s group (a rule from the group works in both modes).
            </span>
          </span>
        </label>
      </div>
    </div>
  );
}
