import type { Image, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { AppError } from '../../../preload/contract';
import type { EicBlocker, EicReadiness, EndpointFact, Instance, InstanceState } from '../../../preload/contract/inventory';
import { chooseEndpoint, isUsableEndpoint, type EndpointFacts } from '../../eice/endpoints';
import { guessOs } from './osGuess';

/** Since 2024-02-01 every public IPv4 address costs $0.005 an hour: about $3.65 a month (730 hours). */
export const PUBLIC_IPV4_HOURLY_USD = 0.005;
export const PUBLIC_IPV4_MONTHLY_USD = Math.round(PUBLIC_IPV4_HOURLY_USD * 730 * 100) / 100;

const STATES = new Set<InstanceState>(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']);

/** The serialisable form of the tunnel engine's endpoint facts. */
export function toEndpointFact(e: EndpointFacts): EndpointFact {
  return {
    id: e.id,
    vpcId: e.vpcId,
    subnetId: e.subnetId,
    state: e.state,
    usable: isUsableEndpoint(e),
    ...(e.stateMessage ? { stateMessage: e.stateMessage } : {}),
    ...(e.dnsName ? { dnsName: e.dnsName } : {}),
    ...(e.fipsDnsName ? { fipsDnsName: e.fipsDnsName } : {}),
    ...(e.availabilityZone ? { availabilityZone: e.availabilityZone } : {}),
    securityGroupIds: e.securityGroupIds,
    preserveClientIp: e.preserveClientIp,
  };
}

export interface InstanceFactsInput {
  profileId: string;
  region: string;
  raw: Ec2Instance;
  /** The instance's AMI, when DescribeImages returned it (deregistered or private AMIs do not). */
  image?: Image | undefined;
  /** Every endpoint of the Region (the ones in the instance's VPC are picked here). */
  endpoints: readonly EndpointFacts[];
  /** VPC id -> its Name tag, when DescribeVpcs answered. */
  vpcNames?: ReadonlyMap<string, string>;
  fetchedAt: string;
}

/** Turns DescribeInstances' record (and its AMI and the Region's endpoints) into the app's Instance. */
export function toInstance({ profileId, region, raw, image, endpoints, vpcNames, fetchedAt }: InstanceFactsInput): Instance {
  const tags = Object.fromEntries((raw.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? '']));
  const stateName = raw.State?.Name as InstanceState | undefined;
  const state: InstanceState = stateName && STATES.has(stateName) ? stateName : 'unknown';
  const platform = (raw.Platform ?? '').toLowerCase() === 'windows' || /^windows/i.test(raw.PlatformDetails ?? '') ? 'windows' : 'linux';
  const ipv6 = [
    ...new Set(
      [raw.Ipv6Address, ...(raw.NetworkInterfaces ?? []).flatMap((n) => (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address))].filter((a): a is string => !!a),
    ),
  ];
  const os = guessOs({
    amiName: image?.Name,
    amiDescription: image?.Description,
    amiCreationDate: image?.CreationDate,
    platform: raw.Platform,
    platformDetails: raw.PlatformDetails ?? image?.PlatformDetails,
  });
  const vpcEndpoints = raw.VpcId ? endpoints.filter((e) => e.vpcId === raw.VpcId && e.state !== 'delete-complete') : [];
  const facts: Omit<Instance, 'eic'> = {
    profileId,
    region,
    instanceId: raw.InstanceId ?? '',
    ...(tags['Name'] ? { name: tags['Name'] } : {}),
    state,
    platform,
    ...(raw.PlatformDetails ? { platformDetails: raw.PlatformDetails } : {}),
    ...(raw.InstanceType ? { instanceType: raw.InstanceType } : {}),
    ...(raw.Architecture ? { architecture: raw.Architecture } : {}),
    ...(raw.PrivateIpAddress ? { privateIpv4: raw.PrivateIpAddress } : {}),
    ...(raw.PublicIpAddress ? { publicIpv4: raw.PublicIpAddress } : {}),
    ipv6,
    ...(raw.VpcId ? { vpcId: raw.VpcId } : {}),
    ...(raw.VpcId && vpcNames?.get(raw.VpcId) ? { vpcName: vpcNames.get(raw.VpcId) } : {}),
    ...(raw.SubnetId ? { subnetId: raw.SubnetId } : {}),
    ...(raw.Placement?.AvailabilityZone ? { availabilityZone: raw.Placement.AvailabilityZone } : {}),
    securityGroups: (raw.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', name: g.GroupName ?? '' })).filter((g) => g.id),
    ...(raw.KeyName ? { keyName: raw.KeyName } : {}),
    ami: {
      ...(raw.ImageId ? { id: raw.ImageId } : {}),
      ...(image?.Name ? { name: image.Name } : {}),
      ...(image?.Description ? { description: image.Description } : {}),
      ...(image?.CreationDate ? { creationDate: image.CreationDate } : {}),
    },
    os,
    ...(raw.LaunchTime ? { launchTime: new Date(raw.LaunchTime).toISOString() } : {}),
    tags,
    vpcEndpoints: vpcEndpoints.map(toEndpointFact),
    publicIpv4MonthlyUsd: raw.PublicIpAddress ? PUBLIC_IPV4_MONTHLY_USD : 0,
    fetchedAt,
  };
  return { ...facts, eic: assessEic(facts, vpcEndpoints) };
}

/**
 * Whether double-click should connect, and if not, what is missing, in the order a person
 * would fix things: the instance must run and have a private address, its VPC needs a usable
 * endpoint, and (Linux) the ec2-instance-connect package must be on it for an ephemeral key.
 */
export function assessEic(instance: Omit<Instance, 'eic'>, endpoints: readonly EndpointFacts[]): EicReadiness {
  const blockers: EicBlocker[] = [];
  if (instance.state !== 'running') {
    blockers.push({
      code: 'notRunning',
      message: `The instance is ${instance.state}.`,
      hint: instance.state === 'stopped' ? 'Start it (EC2 console or `aws ec2 start-instances`), then refresh.' : 'Wait until it is running, then refresh.',
      blocking: true,
    });
  }
  if (!instance.privateIpv4 && instance.ipv6.length === 0) {
    blockers.push({ code: 'noPrivateIp', message: 'The instance has no private IP address.', hint: 'It needs a network interface in a VPC subnet.', blocking: true });
  }
  let endpointId: string | undefined;
  if (instance.vpcId) {
    try {
      endpointId = chooseEndpoint({ instanceId: instance.instanceId, vpcId: instance.vpcId, subnetId: instance.subnetId ?? '' }, [...endpoints]).id;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      blockers.push({
        code: error.code === 'EIC_ENDPOINT_NOT_READY' ? 'endpointNotReady' : 'noEndpoint',
        message: error.code === 'EIC_ENDPOINT_NOT_READY' ? error.message : `No EC2 Instance Connect Endpoint in ${instance.vpcId}.`,
        hint: error.hint,
        blocking: true,
      });
    }
  } else {
    blockers.push({ code: 'noEndpoint', message: 'The instance is not in a VPC.', hint: 'EC2 Instance Connect Endpoints work only for instances in a VPC.', blocking: true });
  }
  if (instance.platform === 'linux') {
    const os = instance.os;
    if (os.eicPackage === 'installable' || os.eicPackage === 'unavailable') {
      blockers.push({
        code: 'packageMissing',
        message: `${os.name} does not come with the ec2-instance-connect package, so an ephemeral key will not get in.`,
        hint:
          os.eicPackage === 'installable' && os.installCommand
            ? `Install it on the instance (${os.installCommand}), or save the host with its key pair's private key${instance.keyName ? ` (${instance.keyName})` : ''}.`
            : `Save the host with its key pair's private key${instance.keyName ? ` (${instance.keyName})` : ''} or a password instead of the ephemeral key.`,
        // Double-click on a discovered instance pushes an ephemeral key, which cannot get in. A host
        // saved with its key pair still can (the Hosts view ignores this blocker for such hosts).
        blocking: true,
      });
    } else if (os.eicPackage === 'unknown') {
      blockers.push({
        code: 'packageUnknown',
        message: `Bastionless cannot tell whether ${os.name === 'Linux' ? 'this image' : os.name} has the ec2-instance-connect package.`,
        hint: 'If the ephemeral key is refused, install ec2-instance-connect or use the key pair.',
        blocking: false,
      });
    }
  } else if (!instance.keyName) {
    blockers.push({
      code: 'noKeyPair',
      message: 'The instance was launched without a key pair, so its Administrator password cannot be retrieved.',
      hint: 'Use a password you set on the instance (saved in the OS keychain).',
      blocking: false,
    });
  }
  return { ready: !blockers.some((b) => b.blocking), ...(endpointId ? { endpointId } : {}), blockers };
}
