import type { IpPermission, RouteTable, SecurityGroup } from '@aws-sdk/client-ec2';

/** A security group with no rules unless given (AWS's shape). */
export function group(overrides: Partial<SecurityGroup> & { GroupId: string }): SecurityGroup {
  return { GroupName: overrides.GroupId.replace('sg-', 'group-'), VpcId: 'vpc-0aaaaaaaaaaaaaaa1', IpPermissions: [], IpPermissionsEgress: [], ...overrides };
}

/** A TCP rule on one port (or a range) with the given peers. */
export function tcp(from: number, to: number = from, peers: Omit<IpPermission, 'IpProtocol' | 'FromPort' | 'ToPort'> = {}): IpPermission {
  return { IpProtocol: 'tcp', FromPort: from, ToPort: to, ...peers };
}

export const fromCidr = (cidr: string): Pick<IpPermission, 'IpRanges'> => ({ IpRanges: [{ CidrIp: cidr }] });
export const fromCidr6 = (cidr: string): Pick<IpPermission, 'Ipv6Ranges'> => ({ Ipv6Ranges: [{ CidrIpv6: cidr }] });
export const fromGroup = (groupId: string): Pick<IpPermission, 'UserIdGroupPairs'> => ({ UserIdGroupPairs: [{ GroupId: groupId, UserId: '123456789012' }] });
export const fromPrefixList = (id: string): Pick<IpPermission, 'PrefixListIds'> => ({ PrefixListIds: [{ PrefixListId: id }] });

/** AWS's default egress: all traffic to anywhere. */
export const ALL_TRAFFIC_OUT: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** A route table of `vpcId` with the local route, plus the given routes and associations. */
export function routeTable(overrides: Partial<RouteTable> & { RouteTableId: string }): RouteTable {
  return {
    VpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    Associations: [],
    ...overrides,
    Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }, ...(overrides.Routes ?? [])],
  };
}
