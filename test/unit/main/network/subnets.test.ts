import { describe, expect, it } from 'vitest';
import { classifySubnet, routeTableOf } from '../../../../main/network/subnets';
import { routeTable } from './builders';

const SUBNET = 'subnet-0aaaaaaaaaaaaaaa1';
const OTHER = 'subnet-0bbbbbbbbbbbbbbb2';

const main = routeTable({
  RouteTableId: 'rtb-0main000000000001',
  Associations: [{ Main: true, RouteTableId: 'rtb-0main000000000001', AssociationState: { State: 'associated' } }],
  Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0aaaaaaaaaaaaaaa1', State: 'active' }],
});
const publicTable = routeTable({
  RouteTableId: 'rtb-0public0000000001',
  Associations: [{ SubnetId: SUBNET, RouteTableId: 'rtb-0public0000000001', AssociationState: { State: 'associated' } }],
  Routes: [
    { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0aaaaaaaaaaaaaaa1', State: 'active' },
    { DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-0aaaaaaaaaaaaaaa1', State: 'active' },
  ],
});

describe('routeTableOf', () => {
  it('uses the table explicitly associated with the subnet, else the main table', () => {
    expect(routeTableOf(SUBNET, [main, publicTable])).toMatchObject({ association: 'explicit', table: { RouteTableId: 'rtb-0public0000000001' } });
    expect(routeTableOf(OTHER, [main, publicTable])).toMatchObject({ association: 'main', table: { RouteTableId: 'rtb-0main000000000001' } });
  });

  it('ignores an association that is being removed and tables of other VPCs', () => {
    const leaving = routeTable({ RouteTableId: 'rtb-0leaving000000001', Associations: [{ SubnetId: OTHER, AssociationState: { State: 'disassociating' } }] });
    expect(routeTableOf(OTHER, [main, leaving])?.association).toBe('main');
    const foreignMain = routeTable({ RouteTableId: 'rtb-0foreign000000001', VpcId: 'vpc-0ccccccccccccccc3', Associations: [{ Main: true }] });
    expect(routeTableOf(OTHER, [foreignMain], 'vpc-0aaaaaaaaaaaaaaa1')).toBeUndefined();
  });
});

describe('classifySubnet', () => {
  it('calls a subnet whose default route goes to an internet gateway public', () => {
    const r = classifySubnet(SUBNET, [main, publicTable]);
    expect(r).toMatchObject({ kind: 'public', association: 'explicit', defaultRoute: { kind: 'internetGateway', id: 'igw-0aaaaaaaaaaaaaaa1' } });
    expect(r.defaultRouteIpv6).toEqual({ kind: 'internetGateway', id: 'igw-0aaaaaaaaaaaaaaa1' });
    expect(r.explanation).toContain('Public: 0.0.0.0/0 goes to internet gateway igw-0aaaaaaaaaaaaaaa1');
  });

  it('calls a subnet behind a NAT gateway private, and says through which table', () => {
    const r = classifySubnet(OTHER, [main, publicTable]);
    expect(r).toMatchObject({ kind: 'private', association: 'main', defaultRoute: { kind: 'natGateway' } });
    expect(r.explanation).toContain("the VPC's main table");
  });

  it('calls a subnet with no route out private', () => {
    const isolated = routeTable({ RouteTableId: 'rtb-0isolated00000001', Associations: [{ Main: true }] });
    expect(classifySubnet(SUBNET, [isolated])).toMatchObject({ kind: 'private', explanation: expect.stringContaining('no route to the internet') });
  });

  it('does not count a blackhole route to a deleted internet gateway', () => {
    const stale = routeTable({
      RouteTableId: 'rtb-0stale00000000001',
      Associations: [{ Main: true }],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0deleted000000001', State: 'blackhole' }],
    });
    expect(classifySubnet(SUBNET, [stale]).kind).toBe('private');
  });

  it('an IPv6-only route to an internet gateway does not make the subnet public for IPv4', () => {
    const v6 = routeTable({ RouteTableId: 'rtb-0v6only0000000001', Associations: [{ Main: true }], Routes: [{ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-0aaaaaaaaaaaaaaa1' }] });
    expect(classifySubnet(SUBNET, [v6])).toMatchObject({ kind: 'private', defaultRouteIpv6: { kind: 'internetGateway' } });
  });

  it('says unknown when no table applies', () => {
    expect(classifySubnet(SUBNET, []).kind).toBe('unknown');
  });
});
