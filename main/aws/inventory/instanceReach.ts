import type { Instance } from '../../../preload/contract';

/**
 * Which profiles reach which instance. Two profiles of one account (keys and a role, SSO and
 * keys...) see the same instances; discovery lists each instance once, under the first profile
 * that reaches it, with the others in `profileIds`, so nothing is shown or costed twice.
 */

/** Whether `profileId` reaches the instance (its own profile, or one of the others of its account). */
export function reaches(instance: Instance, profileId: string): boolean {
  return instance.profileId === profileId || (instance.profileIds?.includes(profileId) ?? false);
}

/** The instance as `profileId` sees it in `region`, if that profile reaches it. */
export function findInstance(instances: readonly Instance[], profileId: string, region: string, instanceId: string): Instance | undefined {
  return instances.find((i) => i.instanceId === instanceId && i.region === region && reaches(i, profileId));
}

/** One instance per profile that reaches it: what each profile's own scan would have found. */
export function splitByProfile(instances: readonly Instance[]): Instance[] {
  return instances.flatMap((i) => {
    const { profileIds, ...facts } = i;
    return (profileIds ?? [i.profileId]).map((profileId) => ({ ...facts, profileId }));
  });
}

/** The same instance seen by several profiles: same account, Region and id. Without an account, only the same profile. */
const identityOf = (i: Instance): string => (i.accountId ? `account:${i.accountId}` : `profile:${i.profileId}`) + `\u0000${i.region}\u0000${i.instanceId}`;

/**
 * Merges the instances several profiles of one account found into one each: the facts read
 * last, under the first profile in `profileOrder` (the Profiles view's order) that reaches it,
 * with every reaching profile in `profileIds` (only when more than one does). Instances whose
 * account is unknown are never merged. Keeps the first occurrence's position.
 */
export function mergeSameInstances(instances: readonly Instance[], profileOrder: readonly string[]): Instance[] {
  const rank = (profileId: string): number => {
    const at = profileOrder.indexOf(profileId);
    return at < 0 ? profileOrder.length : at;
  };
  const groups = new Map<string, Instance[]>();
  for (const i of instances) {
    const key = identityOf(i);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1 && !group[0]!.profileIds) return group[0]!;
    const profiles = [...new Set(group.flatMap((i) => i.profileIds ?? [i.profileId]))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const newest = group.reduce((a, b) => (b.fetchedAt > a.fetchedAt ? b : a));
    const { profileIds: _ignored, ...facts } = newest;
    return { ...facts, profileId: profiles[0]!, ...(profiles.length > 1 ? { profileIds: profiles } : {}) };
  });
}
