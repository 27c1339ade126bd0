import type { EndpointState, Operation } from '../../../../preload/contract';

/** The badge class of an endpoint state: ready, working, failed, or gone. */
export function stateBadge(state: EndpointState): string {
  if (state === 'create-complete' || state === 'update-complete') return 'badge--ready';
  if (state.endsWith('in-progress')) return 'badge--starting';
  if (state.endsWith('failed')) return 'badge--failed';
  return '';
}

/** An endpoint state in words: "ready", "being created"... */
export function stateWords(state: EndpointState): string {
  switch (state) {
    case 'create-complete':
      return 'ready';
    case 'create-in-progress':
      return 'being created';
    case 'create-failed':
      return 'creation failed';
    case 'delete-in-progress':
      return 'being deleted';
    case 'delete-complete':
      return 'deleted';
    case 'delete-failed':
      return 'deletion failed';
    case 'update-in-progress':
      return 'being modified';
    case 'update-complete':
      return 'ready (modified)';
    case 'update-failed':
      return 'modification failed (still usable)';
  }
}

export function formatWhen(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function operationTitle(op: Operation): string {
  if (op.kind === 'create') return `Setting up an endpoint for ${op.vpcId}`;
  if (op.kind === 'delete') return `Deleting ${op.endpointId ?? 'the endpoint'} (${op.vpcId})`;
  return `Moving ${op.previousEndpointId ?? 'the endpoint'} of ${op.vpcId} to ${op.availabilityZone ?? 'another AZ'}`;
}

export const STATUS_WORDS: Record<Operation['status'], string> = {
  running: 'in progress',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};
