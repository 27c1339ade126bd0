import type { AvailabilityZone, Instance, RouteTable, Subnet } from '@aws-sdk/client-ec2';
import type { AzState, SubnetChoice } from '../../../preload/contract/endpoints';
import { classifySubnet } from '../../network/subnets';
import { slotHolders, type QuotaEndpoint } from './quota';
import { nameTag } from './setupPlan';

/** An AZ's state and AWS's message about it, by zone name. */
export type ZoneFacts = ReadonlyMap<string, { state: AzState; message?: string; zoneId?: string }>;

export function zoneFacts(zones: readonly AvailabilityZone[]): ZoneFacts {
  const out = new Map<string, { state: AzState; message?: string; zoneId?: string }>();
  for (const z of zones) {
    if (!z.ZoneName) continue;
    const state: AzState = z.State === 'available' || z.State === 'information' || z.State === 'impaired' || z.State === 'unavailable' ? z.State : 'unknown';
    const message = (z.Messages ?? []).map((m) => m.Message).filter((m): m is string => !!m).join(' ');
    out.set(z.ZoneName, { state, ...(message ? { message } : {}), ...(z.ZoneId ? { zoneId: z.ZoneId } : {}) });
  }
  return out;
}

/** Instances that count for "where the VPC's instances run": anything not terminated or terminating. */
const counts = (i: Instance): boolean => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down';

/**
 * The subnets of a VPC as choices for an endpoint: AZ and its health, public or private (from
 * the route tables), free addresses, instances in the subnet and in its AZ, and whether an
 * endpoint can go there (not when another endpoint holds the subnet, the subnet has no free
 * address, or the AZ is unavailable).
 */
export function subnetChoices(input: {
  subnets: readonly Subnet[];
  routeTables: readonly RouteTable[];
  zones: ZoneFacts;
  /** The VPC's instances. */
  instances: readonly Instance[];
  /** Every endpoint of the Region. */
  endpoints: readonly QuotaEndpoint[];
  vpcId: string;
  /** An endpoint being moved: its subnet does not count as taken. */
  replacingEndpointId?: string;
}): SubnetChoice[] {
  const holders = slotHolders(input.endpoints, input.replacingEndpointId);
  const live = input.instances.filter(counts);
  const bySubnet = new Map<string, number>();
  const byZone = new Map<string, number>();
  for (const i of live) {
    if (i.SubnetId) bySubnet.set(i.SubnetId, (bySubnet.get(i.SubnetId) ?? 0) + 1);
    const zone = i.Placement?.AvailabilityZone;
    if (zone) byZone.set(zone, (byZone.get(zone) ?? 0) + 1);
  }
  return input.subnets
    .filter((s) => s.SubnetId && (!s.VpcId || s.VpcId === input.vpcId))
    .map((s): SubnetChoice => {
      const subnetId = s.SubnetId as string;
      const zone = s.AvailabilityZone ?? '';
      const facts = input.zones.get(zone);
      const routing = classifySubnet(subnetId, input.routeTables, input.vpcId);
      const occupiedBy = holders.find((e) => e.subnetId === subnetId)?.id;
      const whyNot = occupiedBy
        ? `${occupiedBy} already holds this subnet's one endpoint.`
        : s.AvailableIpAddressCount === 0
          ? 'The subnet has no free IP address for the endpoint’s network interface.'
          : facts?.state === 'unavailable'
            ? `${zone} is unavailable.`
            : undefined;
      const name = nameTag(s.Tags);
      return {
        subnetId,
        ...(name ? { name } : {}),
        availabilityZone: zone,
        ...((s.AvailabilityZoneId ?? facts?.zoneId) ? { availabilityZoneId: s.AvailabilityZoneId ?? facts?.zoneId } : {}),
        availabilityZoneState: facts?.state ?? 'unknown',
        ...(facts?.message ? { availabilityZoneMessage: facts.message } : {}),
        cidr: s.CidrBlock ?? '',
        routing: routing.kind,
        routingExplanation: routing.explanation,
        ...(s.AvailableIpAddressCount !== undefined ? { availableIps: s.AvailableIpAddressCount } : {}),
        instanceCount: bySubnet.get(subnetId) ?? 0,
        zoneInstanceCount: byZone.get(zone) ?? 0,
        ...(occupiedBy ? { occupiedBy } : {}),
        usable: !whyNot,
        ...(whyNot ? { whyNot } : {}),
      };
    })
    .sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone) || a.subnetId.localeCompare(b.subnetId));
}

/** Instances per AZ, most first. */
export function instancesByZone(instances: readonly Instance[]): { availabilityZone: string; count: number }[] {
  const byZone = new Map<string, number>();
  for (const i of instances.filter(counts)) {
    const zone = i.Placement?.AvailabilityZone;
    if (zone) byZone.set(zone, (byZone.get(zone) ?? 0) + 1);
  }
  return [...byZone].map(([availabilityZone, count]) => ({ availabilityZone, count })).sort((a, b) => b.count - a.count || a.availabilityZone.localeCompare(b.availabilityZone));
}

const healthy = (c: SubnetChoice): boolean => c.availabilityZoneState === 'available' || c.availabilityZoneState === 'information' || c.availabilityZoneState === 'unknown';

/**
 * The subnet to recommend: a usable one, in a healthy AZ, in the AZ where most of the VPC's
 * instances run (tunnels then stay in one AZ: no cross-AZ data charges, and the AZ that holds
 * the instances is the one that matters), private before public, then the most free
 * addresses. `avoidZone` (the AZ a move leaves) is never recommended.
 */
export function recommendSubnet(choices: readonly SubnetChoice[], options: { avoidZone?: string; totalInstances?: number } = {}): { subnetId: string; reason: string } | undefined {
  const candidates = choices.filter((c) => c.usable && c.availabilityZone !== options.avoidZone);
  const best = [...candidates].sort(
    (a, b) =>
      Number(healthy(b)) - Number(healthy(a)) ||
      b.zoneInstanceCount - a.zoneInstanceCount ||
      Number(a.routing !== 'private') - Number(b.routing !== 'private') ||
      (b.availableIps ?? 0) - (a.availableIps ?? 0) ||
      a.subnetId.localeCompare(b.subnetId),
  )[0];
  if (!best) return undefined;
  const total = options.totalInstances ?? choices.reduce((sum, c) => sum + c.instanceCount, 0);
  const parts: string[] = [];
  if (best.zoneInstanceCount > 0) {
    parts.push(`${best.zoneInstanceCount} of the VPC's ${total} instance${total === 1 ? '' : 's'} run in ${best.availabilityZone}, so most connections stay inside one Availability Zone`);
  } else if (total > 0) {
    parts.push(`none of the VPC's ${total} instance${total === 1 ? '' : 's'} run in the Availability Zones on offer; ${best.availabilityZone} is as good as any`);
  } else {
    parts.push(`no instances run in the VPC yet; ${best.availabilityZone} is as good as any`);
  }
  if (!healthy(best)) parts.push(`note that ${best.availabilityZone} is ${best.availabilityZoneState}, like every other choice`);
  else if (choices.some((c) => c.usable && !healthy(c))) parts.push('zones AWS reports as impaired are avoided');
  if (best.routing === 'private') parts.push('it is a private subnet (the endpoint needs no internet route)');
  return { subnetId: best.subnetId, reason: `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()) };
}
