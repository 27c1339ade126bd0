import { describe, expect, it } from 'vitest';
import { findInstance, mergeSameInstances, reaches, splitByProfile } from '../../../../main/aws/inventory/instanceReach';
import { anInstance } from '../../../support/sshFakes';

describe('instanceReach', () => {
  const seenBy = (profileId: string, over: Parameters<typeof anInstance>[0] = {}) => anInstance({ profileId, accountId: '111111111111', ...over });

  it('merges one account\'s instance seen by several profiles: the facts read last, under the first profile in order', () => {
    const old = seenBy('config:b', { name: 'old-name', fetchedAt: '2025-01-01T00:00:00.000Z' });
    const fresh = seenBy('config:a', { name: 'new-name', fetchedAt: '2025-01-02T00:00:00.000Z' });
    const other = seenBy('config:a', { instanceId: 'i-0fedcba9876543210' });
    const merged = mergeSameInstances([old, other, fresh], ['config:a', 'config:b']);
    expect(merged.map((i) => [i.instanceId, i.profileId, i.profileIds, i.name])).toEqual([
      [old.instanceId, 'config:a', ['config:a', 'config:b'], 'new-name'],
      [other.instanceId, 'config:a', undefined, other.name],
    ]);
    expect(reaches(merged[0]!, 'config:b')).toBe(true);
    expect(findInstance(merged, 'config:b', old.region, old.instanceId)?.name).toBe('new-name');
    expect(findInstance(merged, 'config:c', old.region, old.instanceId)).toBeUndefined();
    // Splitting gives back what each profile found, and merging that again is stable.
    expect(splitByProfile(merged).map((i) => [i.instanceId, i.profileId])).toEqual([
      [old.instanceId, 'config:a'],
      [old.instanceId, 'config:b'],
      [other.instanceId, 'config:a'],
    ]);
    expect(mergeSameInstances(splitByProfile(merged), ['config:a', 'config:b'])).toEqual(merged);
  });

  it('keeps apart other accounts, other Regions, and instances whose account is unknown', () => {
    const a = seenBy('config:a');
    const list = [a, seenBy('config:b', { accountId: '222222222222' }), seenBy('config:c', { region: 'eu-west-1' }), anInstance({ profileId: 'config:d' })];
    expect(mergeSameInstances(list, [])).toEqual(list);
  });
});
