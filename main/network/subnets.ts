import type { Route, RouteTable } from '@aws-sdk/client-ec2';

/**
 * Subnet analysis over the EC2 SDK's RouteTable shape: which route table a subnet uses and
 * whether it is public (its default route goes to an internet gateway) or private.
 */

/** Where a subnet's default route (0.0.0.0/0, or ::/0) leads. */
export type DefaultRouteTarget =
  | { kind: 'internetGateway'; id: string }
  | { kind: 'natGateway'; id: string }
  | { kind: 'egressOnlyInternetGateway'; id: string }
  | { kind: 'transitGateway'; id: string }
  | { kind: 'vpcPeering'; id: string }
  | { kind: 'networkInterface'; id: string }
  | { kind: 'other'; id: string };

export interface SubnetRouting {
  subnetId: string;
  /**
   * `public`: the IPv4 default route goes to an internet gateway (what the VPC console calls a
   * public subnet). `private`: it does not (a NAT gateway, a transit gateway, or no route out).
   * `unknown`: no route table applies (none was given for the VPC).
   */
  kind: 'public' | 'private' | 'unknown';
  /** The route table in force, and whether it is associated explicitly or is the VPC's main table. */
  routeTableId?: string;
  association?: 'explicit' | 'main';
  /** Where 0.0.0.0/0 goes, when the table has an active default route. */
  defaultRoute?: DefaultRouteTarget;
  /** Where ::/0 goes, when the table has an active IPv6 default route. */
  defaultRouteIpv6?: DefaultRouteTarget;
  /** One plain sentence: "Public: 0.0.0.0/0 goes to internet gateway igw-0abc (route table rtb-1, explicit)". */
  explanation: string;
}

/**
 * The route table a subnet uses: the one explicitly associated with it, else the main route
 * table of its VPC (AWS's rule). `routeTables` should be those of the subnet's VPC.
 */
export function routeTableOf(subnetId: string, routeTables: readonly RouteTable[], vpcId?: string): { table: RouteTable; association: 'explicit' | 'main' } | undefined {
  const inVpc = vpcId ? routeTables.filter((t) => !t.VpcId || t.VpcId === vpcId) : routeTables;
  const explicit = inVpc.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId && isActive(a.AssociationState?.State)));
  if (explicit) return { table: explicit, association: 'explicit' };
  const main = inVpc.find((t) => (t.Associations ?? []).some((a) => a.Main === true));
  return main ? { table: main, association: 'main' } : undefined;
}

// An association being removed (disassociating) no longer decides the subnet's routing.
const isActive = (state: string | undefined): boolean => state === undefined || state === 'associated' || state === 'associating';

function targetOf(route: Route): DefaultRouteTarget | undefined {
  const gw = route.GatewayId;
  if (gw?.startsWith('igw-')) return { kind: 'internetGateway', id: gw };
  if (route.NatGatewayId) return { kind: 'natGateway', id: route.NatGatewayId };
  if (route.EgressOnlyInternetGatewayId) return { kind: 'egressOnlyInternetGateway', id: route.EgressOnlyInternetGatewayId };
  if (route.TransitGatewayId) return { kind: 'transitGateway', id: route.TransitGatewayId };
  if (route.VpcPeeringConnectionId) return { kind: 'vpcPeering', id: route.VpcPeeringConnectionId };
  if (route.NetworkInterfaceId) return { kind: 'networkInterface', id: route.NetworkInterfaceId };
  const other = gw ?? route.InstanceId ?? route.LocalGatewayId ?? route.CarrierGatewayId ?? route.CoreNetworkArn;
  return other ? { kind: 'other', id: other } : undefined;
}

const TARGET_WORDS: Record<DefaultRouteTarget['kind'], string> = {
  internetGateway: 'internet gateway',
  natGateway: 'NAT gateway',
  egressOnlyInternetGateway: 'egress-only internet gateway',
  transitGateway: 'transit gateway',
  vpcPeering: 'VPC peering connection',
  networkInterface: 'network interface',
  other: 'gateway',
};

/** Whether a subnet is public or private, from the route tables of its VPC. */
export function classifySubnet(subnetId: string, routeTables: readonly RouteTable[], vpcId?: string): SubnetRouting {
  const found = routeTableOf(subnetId, routeTables, vpcId);
  if (!found) return { subnetId, kind: 'unknown', explanation: 'Unknown: no route table of its VPC could be read.' };
  const routes = (found.table.Routes ?? []).filter((r) => r.State !== 'blackhole');
  const v4 = routes.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  const v6 = routes.find((r) => r.DestinationIpv6CidrBlock === '::/0');
  const defaultRoute = v4 ? targetOf(v4) : undefined;
  const defaultRouteIpv6 = v6 ? targetOf(v6) : undefined;
  const kind = defaultRoute?.kind === 'internetGateway' ? 'public' : 'private';
  const where = `route table ${found.table.RouteTableId ?? '?'}, ${found.association === 'main' ? "the VPC's main table" : 'associated with the subnet'}`;
  const explanation = defaultRoute
    ? `${kind === 'public' ? 'Public' : 'Private'}: 0.0.0.0/0 goes to ${TARGET_WORDS[defaultRoute.kind]} ${defaultRoute.id} (${where}).`
    : `Private: no route to the internet (${where}).`;
  return {
    subnetId,
    kind,
    ...(found.table.RouteTableId ? { routeTableId: found.table.RouteTableId } : {}),
    association: found.association,
    ...(defaultRoute ? { defaultRoute } : {}),
    ...(defaultRouteIpv6 ? { defaultRouteIpv6 } : {}),
    explanation,
  };
}
