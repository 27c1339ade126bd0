import type { Host, Instance } from '../../../../preload/contract';

/** Everything a search term may match on an instance: name, id, addresses, tags, OS, network ids. */
export function instanceHaystack(i: Instance): string[] {
  return [
    i.name ?? '',
    i.instanceId,
    i.privateIpv4 ?? '',
    i.publicIpv4 ?? '',
    ...i.ipv6,
    ...Object.entries(i.tags).flatMap(([k, v]) => [k, v, `${k}=${v}`]),
    i.os.name,
    i.vpcId ?? '',
    i.vpcName ?? '',
    i.subnetId ?? '',
    i.region,
    i.state,
    i.platform,
    i.instanceType ?? '',
    i.keyName ?? '',
    i.ami.id ?? '',
  ];
}

/** A saved host matches on its own label, folder and tags, and on its instance's facts when known. */
export function hostHaystack(h: Host, instance: Instance | undefined): string[] {
  return [h.label, h.folder, ...h.tags, h.instanceId, h.region, h.osUser, h.platform, ...(instance ? instanceHaystack(instance) : [])];
}

/**
 * Whether `haystack` matches a search: every whitespace-separated term must appear (case
 * insensitive) in at least one field, so "prod 10.0" finds prod-tagged hosts in 10.0.x.x.
 */
export function matchesQuery(haystack: readonly string[], query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const fields = haystack.map((f) => f.toLowerCase());
  return terms.every((t) => fields.some((f) => f.includes(t)));
}
