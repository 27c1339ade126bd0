import { useState, type ReactElement } from 'react';
import type { Profile, SetupInput } from '../../../../preload/contract';
import { getApi } from '../../api';
import { useAsync } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';
import { endpointsStore, useEndpoints } from './endpointsStore';
import { OpenPathPanel } from './OpenPathPanel';
import { OperationCard } from './OperationCard';
import { StepClientIp } from './StepClientIp';
import { StepGroups, type GroupSelection } from './StepGroups';
import { StepReview } from './StepReview';
import { StepSubnet } from './StepSubnet';
import { StepWhere } from './StepWhere';

const STEPS = ['Where', 'Subnet', 'Security group', 'Client IP', 'Review', 'Create', 'Open the path'] as const;
type Step = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface SetupWizardProps {
  profiles: readonly Profile[];
  initial: { profileId: string; region: string; vpcId?: string };
  onClose: () => void;
}

/**
 * The endpoint setup wizard: where, subnet, security group, client IP, review (with a DryRun
 * permission check), create (live progress from main), and open the path. Each step explains
 * itself and can go back until the endpoint is being created; from then on the operation
 * lives in main, so closing the wizard or reloading the window loses nothing.
 */
export function SetupWizard({ profiles, initial, onClose }: SetupWizardProps): ReactElement {
  const [step, setStep] = useState<Step>(initial.vpcId ? 2 : 1);
  const [scope, setScope] = useState({ profileId: initial.profileId, region: initial.region });
  const [vpcId, setVpcId] = useState<string | undefined>(initial.vpcId);
  const [pickedSubnet, setSubnetId] = useState<string | undefined>();
  const [groups, setGroups] = useState<GroupSelection>({ mode: 'create' });
  const [preserveClientIp, setPreserveClientIp] = useState(false);
  const [operationId, setOperationId] = useState<string | undefined>();
  const creation = useAction();
  const { operations } = useEndpoints();
  const operation = operations.find((o) => o.operationId === operationId);

  const overview = useAsync(() => getApi().endpoints.list(scope), [scope.profileId, scope.region]);
  const subnets = useAsync(() => (vpcId && step >= 2 ? getApi().endpoints.subnets({ ...scope, vpcId }) : Promise.resolve(undefined)), [scope.profileId, scope.region, vpcId, step >= 2]);
  const groupOptions = useAsync(() => (vpcId && step >= 3 ? getApi().endpoints.securityGroups({ ...scope, vpcId }) : Promise.resolve(undefined)), [scope.profileId, scope.region, vpcId, step >= 3]);

  // useAsync keeps the last answer while reloading: never show another VPC's subnets or groups.
  const subnetOptions = subnets.data?.vpc.vpcId === vpcId ? subnets.data : undefined;
  const groupData = groupOptions.data?.vpcId === vpcId ? groupOptions.data : undefined;
  // The recommended subnet stands until the person picks another.
  const subnetId = pickedSubnet ?? subnetOptions?.recommended?.subnetId;
  const input: SetupInput | undefined =
    vpcId && subnetId ? { ...scope, vpcId, subnetId, securityGroup: groups.mode === 'create' ? { mode: 'create' } : { mode: 'existing', groupIds: groups.groupIds }, preserveClientIp } : undefined;
  const inputKey = JSON.stringify(input ?? null);
  const review = useAsync(() => (input && step === 5 ? getApi().endpoints.review(input) : Promise.resolve(undefined)), [inputKey, step === 5]);
  const [permissionRun, setPermissionRun] = useState(0);
  const permissions = useAsync(() => (input && step === 5 && review.data ? getApi().endpoints.checkPermissions(input) : Promise.resolve(undefined)), [inputKey, step === 5, !!review.data, permissionRun]);

  const changeScope = (next: { profileId: string; region: string }): void => {
    setScope(next);
    setVpcId(undefined);
    setSubnetId(undefined);
    setGroups({ mode: 'create' });
  };

  const canNext = (): boolean => {
    switch (step) {
      case 1:
        return !!vpcId && !!overview.data && !overview.data.vpcs.find((v) => v.vpcId === vpcId)?.endpointId;
      case 2:
        return !!subnetId && !!subnetOptions?.subnets.find((s) => s.subnetId === subnetId && s.usable);
      case 3:
        return groups.mode === 'create' || groups.groupIds.length > 0;
      case 4:
        return true;
      default:
        return false;
    }
  };

  const create = async (): Promise<void> => {
    if (!input) return;
    await creation.run(async () => {
      const op = await getApi().endpoints.create(input);
      endpointsStore.noteOperation(op);
      setOperationId(op.operationId);
      setStep(6);
    });
  };

  const permissionsOk = !!permissions.data && permissions.data.missing.length === 0;
  const locked = step >= 6;
  return (
    <section className="ep-wizard" aria-label="Set up an EC2 Instance Connect Endpoint" data-testid="setup-wizard" data-step={step}>
      <header className="ep-wizard__head">
        <h2>Set up an EC2 Instance Connect Endpoint</h2>
        <ol className="ep-stepper" aria-label="Steps">
          {STEPS.map((label, index) => {
            const n = (index + 1) as Step;
            const state = n === step ? 'is-current' : n < step ? 'is-done' : '';
            return (
              <li key={label} className={`ep-stepper__item ${state}`} aria-current={n === step ? 'step' : undefined}>
                <button type="button" disabled={locked || n >= step} onClick={() => setStep(n)}>
                  <span className="ep-stepper__n">{n}</span> {label}
                </button>
              </li>
            );
          })}
        </ol>
      </header>
      <div className="ep-wizard__body">
        <h3 className="ep-wizard__title">
          {step}. {STEPS[step - 1]}
        </h3>
        {step === 1 ? (
          <StepWhere
            profiles={profiles}
            profileId={scope.profileId}
            region={scope.region}
            vpcId={vpcId}
            overview={overview.data}
            loading={overview.loading}
            error={overview.error}
            onRetry={overview.reload}
            onScope={changeScope}
            onVpc={(id) => {
              if (id !== vpcId) setSubnetId(undefined);
              setVpcId(id);
            }}
          />
        ) : null}
        {step === 2 ? <StepSubnet options={subnetOptions} loading={subnets.loading} error={subnets.error} onRetry={subnets.reload} subnetId={subnetId} onSubnet={setSubnetId} /> : null}
        {step === 3 ? <StepGroups options={groupData} loading={groupOptions.loading} error={groupOptions.error} onRetry={groupOptions.reload} selection={groups} onChange={setGroups} /> : null}
        {step === 4 ? <StepClientIp preserve={preserveClientIp} onChange={setPreserveClientIp} /> : null}
        {step === 5 ? (
          <StepReview
            review={review.data}
            reviewError={review.error}
            reviewLoading={review.loading}
            onRetryReview={review.reload}
            permissions={permissions.data}
            permissionsError={permissions.error}
            permissionsLoading={permissions.loading && !!review.data}
            onCheckAgain={() => setPermissionRun((n) => n + 1)}
          />
        ) : null}
        {step === 6 ? (
          <div className="ep-step" data-step="create">
            <p className="ep-step__lead">
              AWS is creating the endpoint. It usually takes a few minutes (sometimes up to ten). You can close this wizard: the work carries on in the background, even if you reload the
              window, and the Endpoints view shows it.
            </p>
            {operation ? <OperationCard operation={operation} /> : <p className="muted">Starting…</p>}
          </div>
        ) : null}
        {step === 7 && operation?.endpointId ? <OpenPathPanel scope={scope} endpointId={operation.endpointId} onDone={onClose} /> : null}
        {creation.error ? <ErrorNotice error={creation.error} /> : null}
      </div>
      <footer className="ep-wizard__nav">
        {step <= 5 ? (
          <>
            <button type="button" className="btn btn--ghost" onClick={onClose}>
              Cancel
            </button>
            <span className="ep-wizard__spacer" />
            {step > 1 ? (
              <button type="button" className="btn" onClick={() => setStep((s) => (s - 1) as Step)}>
                Back
              </button>
            ) : null}
            {step < 5 ? (
              <button type="button" className="btn btn--primary" disabled={!canNext()} onClick={() => setStep((s) => (s + 1) as Step)}>
                Next
              </button>
            ) : (
              <button
                type="button"
                className="btn btn--primary"
                disabled={!review.data || !permissionsOk || creation.busy}
                title={!permissionsOk ? 'The permission check must pass first.' : undefined}
                onClick={() => void create()}
              >
                {creation.busy ? 'Starting…' : 'Create endpoint'}
              </button>
            )}
          </>
        ) : null}
        {step === 6 ? (
          <>
            <button type="button" className="btn btn--ghost" onClick={onClose}>
              Close (it carries on)
            </button>
            <span className="ep-wizard__spacer" />
            <button type="button" className="btn btn--primary" disabled={operation?.status !== 'succeeded'} onClick={() => setStep(7)}>
              Next: open the path
            </button>
          </>
        ) : null}
      </footer>
    </section>
  );
}
