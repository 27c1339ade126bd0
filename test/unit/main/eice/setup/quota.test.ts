import { describe, expect, it } from 'vitest';
import { checkEndpointQuotas, slotHolders, type QuotaEndpoint } from '../../../../../main/eice/setup/quota';
import { AppError } from '../../../../../preload/contract/errors';

const ep = (n: number, overrides: Partial<QuotaEndpoint> = {}): QuotaEndpoint => ({
  id: `eice-00000000000000${n}`,
  vpcId: `vpc-00000000000000${n}`,
  subnetId: `subnet-00000000000000${n}`,
  state: 'create-complete',
  availabilityZone: 'us-east-1a',
  ...overrides,
});

const refusal = (run: () => unknown): AppError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('checkEndpointQuotas', () => {
  const request = { region: 'us-east-1', vpcId: 'vpc-0new', subnetId: 'subnet-0new' };

  it('counts the new endpoint against the five of the Region', () => {
    expect(checkEndpointQuotas([ep(1), ep(2)], request)).toEqual({ used: 3, limit: 5 });
  });

  it('refuses a sixth in the Region, naming all five holders', () => {
    const e = refusal(() => checkEndpointQuotas([1, 2, 3, 4, 5].map((n) => ep(n)), request));
    expect(e.code).toBe('EIC_QUOTA_EXCEEDED');
    for (const n of [1, 2, 3, 4, 5]) expect(e.message).toContain(`eice-00000000000000${n} in vpc-00000000000000${n}`);
    expect(e.hint).toContain('cannot be raised');
  });

  it('refuses a second in the VPC, naming the endpoint that holds it', () => {
    const e = refusal(() => checkEndpointQuotas([ep(1, { vpcId: 'vpc-0new', subnetId: 'subnet-0other' })], request));
    expect(e.message).toBe('vpc-0new already has an EC2 Instance Connect Endpoint, eice-000000000000001 (create-complete, us-east-1a) in subnet-0other; a VPC can have only one.');
    expect(e.hint).toContain('Move to another AZ');
  });

  it('refuses a second in the subnet first, naming it', () => {
    const e = refusal(() => checkEndpointQuotas([ep(1, { vpcId: 'vpc-0new', subnetId: 'subnet-0new' })], request));
    expect(e.message).toContain('Subnet subnet-0new already has an EC2 Instance Connect Endpoint, eice-000000000000001');
  });

  it('counts endpoints being deleted (and says the slot frees soon) but not deleted ones', () => {
    const deleting = refusal(() => checkEndpointQuotas([ep(1, { vpcId: 'vpc-0new', state: 'delete-in-progress' })], request));
    expect(deleting.message).toContain('being deleted');
    expect(checkEndpointQuotas([ep(1, { vpcId: 'vpc-0new', subnetId: 'subnet-0new', state: 'delete-complete' })], request).used).toBe(1);
  });

  it('does not count the endpoint a move replaces', () => {
    const old = ep(1, { vpcId: 'vpc-0new', subnetId: 'subnet-0old' });
    expect(checkEndpointQuotas([old, ep(2), ep(3), ep(4), ep(5)], { ...request, replacingEndpointId: old.id })).toEqual({ used: 5, limit: 5 });
    expect(slotHolders([old], old.id)).toEqual([]);
  });

  it('failed endpoints still hold their slot', () => {
    expect(refusal(() => checkEndpointQuotas([ep(1, { vpcId: 'vpc-0new', state: 'create-failed' })], request)).message).toContain('create-failed');
  });
});
