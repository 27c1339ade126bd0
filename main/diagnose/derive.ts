import type { Instance as Ec2Instance, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { GuessedOs } from '../../preload/contract';
import { guessOs } from '../aws/inventory/osGuess';
import { isUsableEndpoint, type EndpointFacts } from '../eice/endpoints';
import { valueOf, type DiagnosisFacts, type FactError } from './facts';

/**
 * Small readings of the facts that several checks share. Pure: the same facts give the same
 * answers, so the checks stay pure too.
 */

export function instanceOf(facts: DiagnosisFacts): Ec2Instance | undefined {
  return valueOf(facts.instance) ?? undefined;
}

/** Linux or Windows: from the instance (EC2 knows), else from the saved host. */
export function platformOf(facts: DiagnosisFacts): 'linux' | 'windows' | undefined {
  const raw = instanceOf(facts);
  if (raw) return (raw.Platform ?? '').toLowerCase() === 'windows' || /^windows/i.test(raw.PlatformDetails ?? '') ? 'windows' : 'linux';
  return facts.subject.platform;
}

/** The OS guessed from the AMI (name, description, date) and EC2's platform details. */
export function osOf(facts: DiagnosisFacts): GuessedOs | undefined {
  const raw = instanceOf(facts);
  if (!raw) return undefined;
  const image = valueOf(facts.image) ?? undefined;
  return guessOs({
    amiName: image?.Name,
    amiDescription: image?.Description,
    amiCreationDate: image?.CreationDate,
    platform: raw.Platform,
    platformDetails: raw.PlatformDetails ?? image?.PlatformDetails,
  });
}

/** Users an AMI family may create: CentOS images have used both (EICE.md "Default OS users"). */
const ALSO_ACCEPTED: Record<string, string[]> = { centos: ['centos', 'ec2-user'] };

/** The users the AMI creates, as far as the AMI says (empty when it does not). */
export function amiUsersOf(facts: DiagnosisFacts): string[] {
  const os = osOf(facts);
  if (!os || os.basis === 'none' || (os.family === 'linux' && os.basis !== 'ami')) return [];
  return ALSO_ACCEPTED[os.family] ?? [os.defaultUser];
}

/** The OS user the app signs in as: the host's or the session's, else the AMI's default. */
export function osUserOf(facts: DiagnosisFacts): string | undefined {
  return facts.subject.osUser ?? facts.failure?.osUser ?? osOf(facts)?.defaultUser;
}

/** The address the tunnel goes to: the primary private IPv4, else the first IPv6 address. */
export function targetAddressOf(instance: Ec2Instance): string | undefined {
  if (instance.PrivateIpAddress) return instance.PrivateIpAddress;
  return instance.Ipv6Address ?? instance.NetworkInterfaces?.flatMap((n) => n.Ipv6Addresses ?? []).find((a) => a.Ipv6Address)?.Ipv6Address;
}

/** The endpoints of the instance's VPC that are not gone. */
export function vpcEndpointsOf(facts: DiagnosisFacts): EndpointFacts[] {
  const raw = instanceOf(facts);
  return (valueOf(facts.endpoints) ?? []).filter((e) => (!raw?.VpcId || e.vpcId === raw.VpcId) && e.state !== 'delete-complete');
}

/** The endpoint a tunnel would use (as the CLI picks it): the usable one in the instance's subnet, else in its VPC. */
export function chosenEndpointOf(facts: DiagnosisFacts): EndpointFacts | undefined {
  const raw = instanceOf(facts);
  const usable = vpcEndpointsOf(facts).filter(isUsableEndpoint);
  return usable.find((e) => e.subnetId === raw?.SubnetId) ?? usable[0];
}

export function groupsById(facts: DiagnosisFacts, ids: readonly string[]): { found: SecurityGroup[]; missing: string[] } {
  const all = valueOf(facts.securityGroups) ?? [];
  const found = ids.map((id) => all.find((g) => g.GroupId === id)).filter((g): g is SecurityGroup => !!g);
  return { found, missing: ids.filter((id) => !all.some((g) => g.GroupId === id)) };
}

export function subnetOf(facts: DiagnosisFacts, subnetId: string | undefined): Subnet | undefined {
  return subnetId ? (valueOf(facts.subnets) ?? []).find((s) => s.SubnetId === subnetId) : undefined;
}

/** The VPC's CIDR blocks (IPv4 and IPv6). */
export function vpcCidrsOf(facts: DiagnosisFacts): string[] {
  const vpc = valueOf(facts.vpc);
  if (!vpc) return [];
  const v4 = (vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State !== 'disassociated').map((a) => a.CidrBlock);
  const v6 = (vpc.Ipv6CidrBlockAssociationSet ?? []).filter((a) => a.Ipv6CidrBlockState?.State !== 'disassociated').map((a) => a.Ipv6CidrBlock);
  return [...new Set([vpc.CidrBlock, ...v4, ...v6].filter((c): c is string => !!c))];
}

/** The service name of a port, for sentences. */
export function serviceOf(port: number): string {
  return port === 22 ? 'SSH' : port === 3389 ? 'RDP' : `TCP ${port}`;
}

/** The first fact error that is a permission refusal, among the given facts. */
export function deniedErrors(facts: DiagnosisFacts): FactError[] {
  const errors: FactError[] = [];
  const push = (f: { ok: boolean; error?: FactError } | undefined): void => {
    if (f && !f.ok && f.error && isDenial(f.error)) errors.push(f.error);
  };
  for (const f of [facts.identity, facts.instance, facts.status, facts.image, facts.keyPair, facts.endpoints, facts.securityGroups, facts.subnets, facts.networkAcls, facts.vpc, facts.probes.keyPush]) push(f);
  const tunnel = facts.probes.tunnel;
  if (tunnel && !tunnel.ok) push(tunnel);
  if (tunnel?.ok && tunnel.value.error && isDenial(tunnel.value.error)) errors.push(tunnel.value.error);
  return errors;
}

/** Whether AWS refused a call for lack of permission (not an expired key, not a throttle). */
export function isDenial(error: FactError): boolean {
  return error.code === 'AWS_ACCESS_DENIED' || error.code === 'EIC_TUNNEL_ACCESS_DENIED' || /^(UnauthorizedOperation|AccessDenied|AccessDeniedException|AuthException|Forbidden)$/i.test(error.awsCode ?? '');
}

/** A fact that could not be read, in words for a `skip` verdict. */
export function unreadable(what: string, error: FactError): string {
  return `Bastionless could not read ${what}: ${error.message}`;
}

/**
 * AWS's own words quoted in an app error (`... AWS said: "Unable to connect to target"`): the
 * tunnel error table quotes the refusal's Message or the close frame's reason this way.
 */
export function serviceWordsOf(message: string): string | undefined {
  const at = message.lastIndexOf('AWS said: "');
  if (at < 0) return undefined;
  const rest = message.slice(at + 'AWS said: "'.length);
  const end = rest.lastIndexOf('"');
  return (end >= 0 ? rest.slice(0, end) : rest).trim() || undefined;
}
