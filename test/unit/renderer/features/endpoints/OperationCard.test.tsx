// @vitest-environment jsdom
import { act, type ReactElement } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Operation } from '../../../../../preload/contract';
import { useEndpoints } from '../../../../../renderer/src/features/endpoints/endpointsStore';
import { OperationCard } from '../../../../../renderer/src/features/endpoints/OperationCard';
import { failure } from '../../../../support/fakeMain';
import { renderWithMain, settle } from '../../../../support/renderWithMain';

const ui = renderWithMain();
const { main } = ui;

/** A create operation waiting for create-complete, with valid defaults. */
function operation(overrides: Partial<Operation> = {}): Operation {
  return {
    operationId: 'op-0123456789abcdef',
    kind: 'create',
    profileId: 'env',
    region: 'us-east-1',
    vpcId: 'vpc-0e2e0000000000002',
    status: 'running',
    steps: [
      { id: 'checkQuota', label: 'Check the quotas', state: 'done', detail: '2 of 5', startedAt: '2026-01-05T09:00:00.000Z', finishedAt: '2026-01-05T09:00:01.000Z' },
      { id: 'createGroup', label: 'Create the security group', state: 'done', detail: 'sg-0aaaaaaaaaaaaaaa1 (bastionless-eice-vpc-0e2e0000000000002).' },
      { id: 'createEndpoint', label: 'Create the endpoint', state: 'done' },
      { id: 'waitCreated', label: 'Wait for create-complete', state: 'active', startedAt: new Date().toISOString() },
    ],
    subnetId: 'subnet-0e2e0000000000022',
    securityGroupIds: ['sg-0aaaaaaaaaaaaaaa1'],
    preserveClientIp: false,
    endpointId: 'eice-0aaaaaaaaaaaaaaa1',
    endpointState: 'create-in-progress',
    createdGroup: { groupId: 'sg-0aaaaaaaaaaaaaaa1', name: 'bastionless-eice-vpc-0e2e0000000000002', decision: 'used' },
    leftovers: [],
    resumable: false,
    startedAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:02.000Z',
    ...overrides,
  };
}

/** What the Endpoints view does: the store's operations, each as a card. */
function Operations(): ReactElement {
  const { operations } = useEndpoints();
  return (
    <>
      {operations.map((op) => (
        <OperationCard key={op.operationId} operation={op} />
      ))}
    </>
  );
}

let journal: Operation[] = [];

beforeEach(() => {
  journal = [operation()];
  main.handlers.set('endpoints:operations', () => journal);
  main.handlers.set('tunnels:list', () => ({ tunnels: [] }));
});
const card = (): HTMLElement => ui.container.querySelector('[data-operation-id="op-0123456789abcdef"]') as HTMLElement;
const button = (name: string): HTMLButtonElement => {
  const found = [...card().querySelectorAll('button')].find((b) => b.textContent?.includes(name));
  if (!found) throw new Error(`no button "${name}" in: ${card().textContent ?? ''}`);
  return found;
};

describe('OperationCard', () => {
  it('re-attaches to what main runs (a reloaded window), follows events, and cancels', async () => {
    ui.render(<Operations />);
    await settle();
    expect(card().dataset['status']).toBe('running');
    expect(card().querySelector('[data-step="waitCreated"]')?.getAttribute('data-status')).toBe('active');
    expect(card().textContent).toContain('eice-0aaaaaaaaaaaaaaa1 is create-in-progress');

    main.handlers.set('endpoints:cancel', () =>
      operation({
        status: 'cancelled',
        resumable: true,
        steps: operation().steps.map((s) => (s.id === 'waitCreated' ? { ...s, state: 'pending' } : s)),
        leftovers: ["eice-0aaaaaaaaaaaaaaa1 was requested, and AWS carries on creating it; it holds vpc-0e2e0000000000002's one endpoint slot."],
      }),
    );
    await act(async () => button('Cancel').click());
    await settle();
    expect(main.callsTo('endpoints:cancel')).toEqual([{ operationId: 'op-0123456789abcdef' }]);
    expect(card().dataset['status']).toBe('cancelled');
    expect(card().textContent).toContain('AWS carries on creating it');
    expect(button('Resume')).toBeTruthy();
  });

  it('an unused group waits for a decision: delete it, and only then dismiss', async () => {
    journal = [operation({ status: 'cancelled', resumable: true, endpointId: undefined, endpointState: undefined, createdGroup: { groupId: 'sg-0aaaaaaaaaaaaaaa1', name: 'bastionless-eice-vpc-0e2e0000000000002', decision: 'pending' }, leftovers: ['The security group sg-0aaaaaaaaaaaaaaa1 was created for this endpoint and is not used by one.'] })];
    ui.render(<Operations />);
    await settle();
    expect(button('Dismiss').disabled).toBe(true);
    main.handlers.set('endpoints:settleGroup', () => ({ ...journal[0], createdGroup: { ...journal[0]?.createdGroup, decision: 'deleted' }, leftovers: [] }));
    await act(async () => button('Delete group').click());
    await settle();
    expect(main.callsTo('endpoints:settleGroup')).toEqual([{ operationId: 'op-0123456789abcdef', action: 'delete' }]);
    expect(button('Dismiss').disabled).toBe(false);
    main.handlers.set('endpoints:dismiss', () => null);
    await act(async () => button('Dismiss').click());
    await settle();
    expect(ui.container.querySelector('[data-operation-id]')).toBeNull();
  });

  it('an interrupted operation says so and offers Resume; a failed one shows AWS’s StateMessage and the error', async () => {
    journal = [operation({ status: 'interrupted', resumable: true })];
    main.handlers.set('endpoints:resume', () => operation());
    ui.render(<Operations />);
    await settle();
    expect(card().textContent).toContain('Bastionless was closed while this was running');
    await act(async () => button('Resume').click());
    await settle();
    expect(main.callsTo('endpoints:resume')).toEqual([{ operationId: 'op-0123456789abcdef' }]);
    expect(card().dataset['status']).toBe('running');

    await act(async () =>
      main.emit(
        'endpoints:operationChanged',
        operation({ status: 'failed', endpointState: 'create-failed', stateMessage: 'Insufficient capacity.', error: failure('EIC_ENDPOINT_CREATE_FAILED', 'AWS could not create eice-0aaaaaaaaaaaaaaa1.', 'Delete it.') }),
      ),
    );
    await settle();
    expect(card().dataset['status']).toBe('failed');
    expect(card().textContent).toContain('AWS says: Insufficient capacity.');
    expect(card().querySelector('[data-code="EIC_ENDPOINT_CREATE_FAILED"]')).not.toBeNull();
  });
});
